"""Benchmark: the fast protocol of `taf diagnose` against the reference protocol (spec §5.5), one process.

Builds a randomly initialised pythia-70m-sized GPT-NeoX (6 layers, hidden 512, 8 heads, vocab 50304,
rotary_pct 0.25, float32) and runs, on the same distances, prompt counts and seeds:

* the reference protocol (eager attention, output_attentions=True, one forward per seed × distance × prompt);
* the fast protocol (one SDPA forward per seed × prompt at max(d) + 50 tokens, rows from captured q/k);
* a bare SDPA forward of the same decoder over the same number of max(d) + 50-token sequences (no capture),
  the floor for any method that has to run the model.

Prints wall time and peak resident memory above the loaded weights (Linux VmHWM, reset before each run
through /proc/self/clear_refs), the ratios against the targets (≥ 5× faster than the reference, ≤ 1/8 of its
peak memory above the weights, ≤ 1.2× the bare forward), and a same-token equality check.

    python benchmarks/diagnose_vs_reference.py                  # full distances 10…2000, 4 prompts, 1 seed
    python benchmarks/diagnose_vs_reference.py --fast --prompts 30 --seeds 42,123,7

With ``--long-context [PRESET]`` it instead runs only the fast protocol at each of ``--long-distances``
and prints a table of L, time and peak memory above the weights: without PRESET on a tiny GPT-NeoX (CPU,
float32), with one (e.g. ``llama-3.1-8b --device cuda --long-distances 8192,16384,32768``) on that preset's
config with random weights in bfloat16. The reference protocol cannot run there (its attention maps alone
would need layers × heads × L² × bytes per forward, printed for scale).

    python benchmarks/diagnose_vs_reference.py --long-context --prompts 1
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import random
import time
from collections.abc import Callable
from typing import Any

import torch
import transformers

from tafagent.adapters.measure import from_model, run_fast, run_reference
from tafagent.adapters.measure.corpora import random_tokens
from tafagent.adapters.measure.protocols import eager_attention
from tafagent.core.decay.protocol import DISTANCES_FAST, DISTANCES_FULL, REFERENCE_PREFIX


def pythia_70m_config() -> Any:
    return transformers.GPTNeoXConfig(
        hidden_size=512,
        intermediate_size=2048,
        num_hidden_layers=6,
        num_attention_heads=8,
        vocab_size=50304,
        max_position_embeddings=2048 + 64,
        rotary_pct=0.25,
        rope_theta=10000,
        use_parallel_residual=True,
        tie_word_embeddings=False,
        bos_token_id=0,
        eos_token_id=0,
    )


def _status_kib(key: str) -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{key} not in /proc/self/status")


def _release_memory() -> None:
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)  # hand freed heap pages back so the next baseline is honest


def measure(label: str, work: Callable[[], Any], *, show: bool = True) -> tuple[float, float, Any]:
    """(seconds, peak MiB above the RSS at start, result) of ``work``."""
    _release_memory()
    with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
        clear.write("5")  # reset the peak-RSS counter (VmHWM) to the current RSS
    baseline = _status_kib("VmRSS")
    start = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - start
    peak = (_status_kib("VmHWM") - baseline) / 1024
    if show:
        print(f"  {label:<28} {seconds:9.2f} s   peak +{peak:9.1f} MiB")
    return seconds, peak, result


def tiny_neox_config(max_positions: int) -> Any:
    """A 2-layer, 64-wide GPT-NeoX (4 heads, partial rotary): the CPU long-context table's model."""
    return transformers.GPTNeoXConfig(
        hidden_size=64,
        intermediate_size=256,
        num_hidden_layers=2,
        num_attention_heads=4,
        vocab_size=50304,
        max_position_embeddings=max_positions,
        rotary_pct=0.25,
        bos_token_id=0,
        eos_token_id=0,
    )


def preset_config(preset_name: str, max_positions: int) -> Any:
    from tafagent.core.spec.presets import find_preset

    preset = find_preset(preset_name)
    if preset is None:
        raise SystemExit(f"unknown preset {preset_name!r} (see `taf presets`)")
    fields = {k: v for k, v in preset.config.items() if k not in ("model_type", "architectures", "torch_dtype")}
    config = transformers.AutoConfig.for_model(preset.config["model_type"], **fields)
    config.max_position_embeddings = max(int(getattr(config, "max_position_embeddings", 0) or 0), max_positions)
    return config


def long_context(preset_name: str | None, lengths: list[int], prompts: int, device: str) -> None:
    """The fast protocol at growing distances: a table of (L, time, peak memory above the weights).

    CUDA: exact allocator peaks (torch.cuda.max_memory_allocated minus the weights), bfloat16. CPU: peak
    resident memory above the RSS before the run (VmHWM), float32. The reference protocol cannot run there:
    its attention maps alone need layers × heads × L² × bytes per forward, printed for scale.
    """
    longest = max(lengths)
    config = preset_config(preset_name, longest + 64) if preset_name else tiny_neox_config(longest + 64)
    dtype = torch.bfloat16 if device != "cpu" else torch.float32
    start = time.perf_counter()
    with torch.device(device):
        model = transformers.AutoModelForCausalLM.from_config(config, dtype=dtype, attn_implementation="sdpa").eval()
    name = preset_name or "tiny GPT-NeoX (2×64, 4 heads)"
    print(f"{name}-sized random model on {device} ({dtype}) built in {time.perf_counter() - start:.1f} s")
    lm = from_model(model, name=name)
    source = random_tokens(lm.vocab_size, lm.special_ids)
    cuda = device.startswith("cuda")
    heads, layers = config.num_attention_heads, config.num_hidden_layers
    element = torch.tensor([], dtype=dtype).element_size()
    print(f"{'L':>8} {'time s':>9} {'s/prompt':>9} {'peak above weights MiB':>23} {'reference maps GiB':>19}")
    for distance in lengths:
        distances = sorted({d for d in (*DISTANCES_FAST, distance // 4, distance // 2, distance) if d <= distance})
        length = distance + REFERENCE_PREFIX
        if cuda:
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            weights = torch.cuda.memory_allocated()
            start = time.perf_counter()
            run_fast(lm, source, distances, prompts, [42])
            torch.cuda.synchronize()
            seconds = time.perf_counter() - start
            peak_mib = (torch.cuda.max_memory_allocated() - weights) / 2**20
        else:
            seconds, peak_mib, _ = measure(
                f"L = {length}", lambda d=distances: run_fast(lm, source, d, prompts, [42]), show=False
            )
        maps = layers * heads * length**2 * element / 2**30
        print(f"{length:>8} {seconds:>9.2f} {seconds / prompts:>9.2f} {peak_mib:>23.1f} {maps:>19.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fast", action="store_true", help="distances 10/50/200/1000 instead of 10…2000")
    parser.add_argument("--prompts", type=int, default=4, help="prompts per seed (default 4)")
    parser.add_argument("--seeds", default="42", help="comma-separated seeds (default 42)")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (default: torch's choice)")
    parser.add_argument("--repeats", type=int, default=3, help="interleaved rounds; the fastest counts (default 3)")
    parser.add_argument(
        "--long-context",
        nargs="?",
        const="tiny",
        metavar="PRESET",
        help="fast protocol only, a table over --long-distances; PRESET (e.g. llama-3.1-8b) or tiny (default)",
    )
    parser.add_argument(
        "--long-distances", default="1024,2048,4096,8192,16384", help="distances for --long-context (comma-separated)"
    )
    parser.add_argument("--device", default="cpu", help="device for --long-context (default cpu)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.long_context:
        lengths = [int(d) for d in args.long_distances.split(",")]
        long_context(None if args.long_context == "tiny" else args.long_context, lengths, args.prompts, args.device)
        return
    distances = list(DISTANCES_FAST if args.fast else DISTANCES_FULL)
    seeds = [int(s) for s in args.seeds.split(",")]
    torch.manual_seed(0)
    model = transformers.AutoModelForCausalLM.from_config(pythia_70m_config(), attn_implementation="sdpa").eval()
    lm = from_model(model, name="pythia-70m-sized (random init)")
    source = random_tokens(lm.vocab_size, lm.special_ids)
    length = max(distances) + REFERENCE_PREFIX
    n_params = sum(p.numel() for p in model.parameters())
    print(
        f"model: GPT-NeoX 6×512, 8 heads, vocab 50304, rotary_pct 0.25, {n_params / 1e6:.1f} M params, float32, "
        f"torch {torch.__version__} ({torch.get_num_threads()} threads), transformers {transformers.__version__}"
    )
    print(f"distances {distances}, {args.prompts} prompts × {len(seeds)} seed(s); fast sequence length {length}")

    # same-token equality: one prompt, the reference reads prefixes of the fast protocol's sequence
    tokens = source.draw(random.Random(1), length)
    fast_one = run_fast(lm, source, distances, 1, [0], token_override=lambda s, p: tokens)
    reference_one = run_reference(lm, source, distances, 1, [0], token_override=lambda s, d, p: tokens[: d + 50])
    worst = max(
        float(abs(fast_one.head_sums[layer] - reference_one.head_sums[layer]).max()) for layer in fast_one.head_sums
    )
    print(f"same tokens: max |fast − reference| over layers × heads × distances = {worst:.2e} (target ≤ 1e-5)")

    decoder = model.base_model

    def bare() -> None:
        rng = random.Random(0)
        with torch.inference_mode():
            for _ in range(args.prompts * len(seeds)):
                decoder(input_ids=torch.tensor([source.draw(rng, length)]), use_cache=False)

    def reference_without_head() -> None:
        # where the reference's time goes: the same eager forwards without the LM head's logits
        with eager_attention(model), torch.inference_mode():
            for seed in seeds:
                for d in distances:
                    rng = random.Random(seed)
                    for _ in range(args.prompts):
                        ids = torch.tensor([source.draw(rng, d + REFERENCE_PREFIX)])
                        out = decoder(input_ids=ids, output_attentions=True, use_cache=False)
                        [a[0, :, -1, REFERENCE_PREFIX - 1].sum().item() for a in out.attentions]

    works: dict[str, Callable[[], Any]] = {
        "bare SDPA forward": bare,
        "fast protocol": lambda: run_fast(lm, source, distances, args.prompts, seeds),
        "reference protocol": lambda: run_reference(lm, source, distances, args.prompts, seeds),
        "reference, no LM head": reference_without_head,
    }
    times: dict[str, list[float]] = {name: [] for name in works}
    peaks: dict[str, list[float]] = {name: [] for name in works}
    results: dict[str, Any] = {}
    print(f"runs ({args.repeats} rounds, interleaved; the machine may be shared, so the minimum time counts):")
    for _ in range(args.repeats):
        for name, work in works.items():
            seconds, peak, results[name] = measure(name, work)
            times[name].append(seconds)
            peaks[name].append(peak)
    ref_s, fast_s, bare_s = (min(times[k]) for k in ("reference protocol", "fast protocol", "bare SDPA forward"))
    ref_body_s = min(times["reference, no LM head"])
    ref_peak, fast_peak, bare_peak = (
        max(peaks[k]) for k in ("reference protocol", "fast protocol", "bare SDPA forward")
    )
    ref_body_peak = max(peaks["reference, no LM head"])
    fast, reference = results["fast protocol"], results["reference protocol"]
    print("best times: " + ", ".join(f"{name} {min(t):.2f} s" for name, t in times.items()))
    print("ratios:")
    print(f"  reference time / fast time        {ref_s / fast_s:7.2f}×   (target ≥ 5)")
    print(f"  fast peak / reference peak        {fast_peak / ref_peak:7.3f}    (target ≤ 0.125)")
    print(f"  fast time / bare SDPA forward     {fast_s / bare_s:7.3f}    (target ≤ 1.2)")
    print(
        f"  reference without LM head / fast  {ref_body_s / fast_s:7.2f}×   "
        f"(fast peak / its peak {fast_peak / ref_body_peak:.3f})"
    )
    print(f"  (bare forward peak +{bare_peak:.1f} MiB)")
    for name, run in (("fast", fast), ("reference", reference)):
        means = run.per_seed_means()
        curve = {d: sum(means[s][d] for s in means) / len(means) for d in distances}
        print(f"  {name:<9} A(d): " + ", ".join(f"{d}: {curve[d]:.5f}" for d in distances))


if __name__ == "__main__":
    main()
