"""The two measurement protocols: ``reference`` (spec §5.5, one eager forward per distance) and ``fast``.

Both read the same estimator, A(d) = p[q = d + 49 → k = 49] of a sequence whose first d + 50 tokens are
the prompt, averaged over heads, then layers, then prompts, then seeds.

* ``reference`` runs one forward per (seed, distance, prompt) on exactly d + 50 tokens with eager
  attention and ``output_attentions=True`` and reads ``attentions[l][0, :, -1, 49]`` (spec §5.5), with
  v0.5.3's token stream (``random.Random(seed)`` re-created for every distance). All declared seeds are
  used (v0.5.3 used only 42).
* ``fast`` runs ONE forward per (seed, prompt) on L = max(d) + 50 tokens under the model's own
  SDPA/flash attention and computes only the probability rows it needs with :class:`RowCapture`.
  Causality makes this exact: the row of query d + 49 in a length-L forward equals the last row of a
  forward on the first d + 50 tokens, because no position sees a later token. So on the same tokens the
  fast protocol returns the reference's numbers (tested to 1e-5 for every layer, head and distance);
  its prompts differ only in that the distances of one prompt share its tokens (the reference draws
  fresh tokens per distance), which pairs the samples (the bootstrap resamples whole prompts).
  At no extra cost it also records the full rows of fixed query positions (the ``curve`` estimator,
  see ``core.decay.protocol``).
"""

from __future__ import annotations

import contextlib
import math
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from tafagent.adapters.errors import MeasurementMemoryError
from tafagent.adapters.measure._deps import require_numpy, require_torch
from tafagent.adapters.measure.capture import RowCapture, StopForward, attention_modules, uses_attention_interface
from tafagent.adapters.measure.corpora import TokenSource
from tafagent.adapters.measure.loading import LoadedModel
from tafagent.core.decay.protocol import REFERENCE_KEY_POSITION, REFERENCE_PREFIX
from tafagent.core.errors import TafError

Progress = Callable[[int, int, str], None]
"""``progress(done, total, description)`` after every finished prompt (fast) or forward (reference)."""
CURVE_GRID_POINTS = 48
SMALL_CPU_LINEAR_FLOPS = 5e7  # below L·d² multiply-adds per linear layer, one CPU thread is fastest


@dataclass
class CorpusRun:
    """Raw numbers of one corpus: per-prompt values, per-layer/per-head sums and (fast) the curve."""

    corpus: str
    distances: list[int]
    seeds: list[int]
    paired: bool
    prompts_planned: int
    samples: dict[int, dict[int, list[float]]] = field(default_factory=dict)  # seed → d → per-prompt values
    head_sums: dict[int, Any] = field(default_factory=dict)  # layer → [n_d, H] float64 sums over prompts
    head_counts: dict[int, Any] = field(default_factory=dict)  # layer → [n_d, H] finite counts
    prompts_done: int = 0
    interrupted: bool = False
    query_positions: list[int] = field(default_factory=list)  # curve rows (fast protocol)
    curve_sums: dict[int, Any] = field(default_factory=dict)  # layer → [H, D+1] sums over prompts and rows
    curve_rows_per_distance: Any = None  # [D+1]: curve rows covering each distance (per prompt)
    curve_grid: list[int] = field(default_factory=list)
    curve_samples: dict[int, list[float]] = field(default_factory=dict)  # grid d → per-prompt values
    torch_threads: int | None = None  # intra-op CPU threads during the forwards

    def add_prompt(self, seed: int, values_by_layer: dict[int, Any]) -> None:
        """Record one prompt: layer → [n_d, H] attention values (NaN where a head gave none)."""
        numpy = require_numpy()
        per_layer = []
        for layer, values in values_by_layer.items():
            finite = numpy.isfinite(values)
            if layer not in self.head_sums:
                self.head_sums[layer] = numpy.zeros(values.shape)
                self.head_counts[layer] = numpy.zeros(values.shape)
            self.head_sums[layer] += numpy.where(finite, values, 0.0)
            self.head_counts[layer] += finite
            with numpy.errstate(invalid="ignore"):
                per_layer.append(numpy.nanmean(numpy.where(finite, values, numpy.nan), axis=1))  # mean over heads
        stacked = numpy.array(per_layer)  # [layers, n_d]
        with numpy.errstate(invalid="ignore"), _quiet_nanmean():
            prompt_values = numpy.nanmean(stacked, axis=0)  # mean over layers with a finite value
        by_d = self.samples.setdefault(seed, {d: [] for d in self.distances})
        for i, d in enumerate(self.distances):
            by_d[d].append(float(prompt_values[i]))
        self.prompts_done += 1

    def add_curve_prompt(self, curve_by_layer: dict[int, Any]) -> None:
        """Record one prompt's curve: layer → [H, D+1] summed row probabilities (fast protocol)."""
        numpy = require_numpy()
        grid_coverage = self.curve_rows_per_distance[self.curve_grid]
        per_layer = []
        for layer, layer_curve in curve_by_layer.items():
            if layer not in self.curve_sums:
                self.curve_sums[layer] = numpy.zeros(layer_curve.shape)
            self.curve_sums[layer] += layer_curve
            per_layer.append(layer_curve.mean(axis=0)[self.curve_grid] / grid_coverage)
        prompt_curve = numpy.mean(numpy.stack(per_layer), axis=0)
        for i, d in enumerate(self.curve_grid):
            self.curve_samples[d].append(float(prompt_curve[i]))

    def flat_samples(self) -> dict[int, list[float]]:
        """d → per-prompt values over all seeds (prompt order: seed, then prompt)."""
        return {d: [v for seed in self.seeds for v in self.samples.get(seed, {}).get(d, [])] for d in self.distances}

    def per_seed_means(self) -> dict[int, dict[int, float]]:
        out: dict[int, dict[int, float]] = {}
        for seed, by_d in self.samples.items():
            means = {}
            for d, values in by_d.items():
                finite = [v for v in values if math.isfinite(v)]
                if finite:
                    means[d] = math.fsum(finite) / len(finite)
            out[seed] = means
        return out

    def layer_head_means(self) -> dict[int, dict[int, list[float]]]:
        numpy = require_numpy()
        out: dict[int, dict[int, list[float]]] = {}
        for layer in sorted(self.head_sums):
            with numpy.errstate(invalid="ignore", divide="ignore"):
                means = self.head_sums[layer] / self.head_counts[layer]
            out[layer] = {d: [float(v) for v in means[i]] for i, d in enumerate(self.distances)}
        return out

    def curve_by_layer_head(self) -> Any:
        """The full curve A(d), d = 0..max: a float64 numpy array [layers, H, D+1] (layers in sorted order)."""
        numpy = require_numpy()
        if not self.curve_sums or self.prompts_done == 0:
            return None
        counts = numpy.asarray(self.curve_rows_per_distance, dtype=float) * self.prompts_done
        stacked = numpy.stack([self.curve_sums[layer] for layer in sorted(self.curve_sums)])
        with numpy.errstate(invalid="ignore", divide="ignore"):
            return stacked / counts[None, None, :]

    def curve_summary(self) -> dict[str, Any] | None:
        """The curve on its log grid, for ``core.decay.corpus_result.build_corpus_result``."""
        full = self.curve_by_layer_head()
        if full is None:
            return None
        grid = self.curve_grid
        layer_means = full.mean(axis=1)  # [layers, D+1], mean over heads
        mean_curve = layer_means.mean(axis=0)
        layers = sorted(self.curve_sums)
        return {
            "query_positions": list(self.query_positions),
            "distances": grid,
            "attn": [float(mean_curve[d]) for d in grid],
            "samples": {d: list(self.curve_samples[d]) for d in grid},
            "layer_attn": {layer: [float(layer_means[i, d]) for d in grid] for i, layer in enumerate(layers)},
        }


@contextlib.contextmanager
def _quiet_nanmean() -> Iterator[None]:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def is_out_of_memory(error: BaseException) -> bool:
    """CUDA/MPS out-of-memory errors and CPU allocation failures."""
    if isinstance(error, MemoryError):
        return True
    torch = require_torch()
    oom_type = getattr(torch, "OutOfMemoryError", None) or getattr(torch.cuda, "OutOfMemoryError", None)
    if oom_type is not None and isinstance(error, oom_type):
        return True
    text = str(error).lower()
    return isinstance(error, RuntimeError) and ("out of memory" in text or "can't allocate memory" in text)


def memory_error(protocol: str, lm: LoadedModel, sequence_length: int, max_distance: int) -> MeasurementMemoryError:
    """The one-line OOM error, naming the options that would fit."""
    options = []
    if protocol == "reference":
        options.append("--protocol fast (no attention maps are kept)")
    options.append(f"--distances up to {max(1, max_distance // 2)}")
    if lm.device_map is None and str(lm.input_device).startswith("cuda"):
        options.append("--device-map auto (CPU offload)")
    if lm.dtype == "float32" and not str(lm.input_device).startswith("cpu"):
        options.append("--dtype bfloat16")
    return MeasurementMemoryError(
        f"out of memory on {lm.device} at sequence length {sequence_length:,} (protocol {protocol})",
        "try " + ", or ".join(options),
    )


def seed_everything(seed: int) -> None:
    """Seed python ``random``, numpy and torch (all CUDA devices) as v0.5.3 does (spec §5.5 step 1)."""
    random.seed(seed)
    require_numpy().random.seed(seed)
    torch = require_torch()
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)


@contextlib.contextmanager
def measurement_threads(lm: LoadedModel, sequence_length: int) -> Iterator[int]:
    """Run a tiny model's CPU forwards on one intra-op thread; yields the thread count in use.

    Each linear layer of a model of width d costs L·d² multiply-adds; below SMALL_CPU_LINEAR_FLOPS the
    threads' hand-offs cost more than they save, and on a shared machine their spin-waits multiply the
    CPU time (tiny GPT-NeoX, d = 64, L = 1050, 90 forwards: 5.7 s of CPU on 2 threads, 0.8 s on 1).
    Larger models and GPUs keep torch's setting. Results do not depend on it beyond float rounding.
    """
    torch = require_torch()
    before = torch.get_num_threads()
    width = getattr(lm.config, "hidden_size", None) or getattr(lm.config, "n_embd", None)
    on_cpu = str(lm.input_device).startswith("cpu")
    small = isinstance(width, int) and sequence_length * width * width < SMALL_CPU_LINEAR_FLOPS
    if not (on_cpu and small and before > 1):
        yield before
        return
    torch.set_num_threads(1)
    try:
        yield 1
    finally:
        torch.set_num_threads(before)


@contextlib.contextmanager
def eager_attention(model: Any) -> Iterator[None]:
    """Run ``model`` with eager attention (probabilities returned) and restore its implementation after."""
    before = model.config._attn_implementation
    if before == "eager":
        yield
        return
    if uses_attention_interface(model):
        model.set_attn_implementation("eager")
    else:  # Falcon/Bloom-style modules read the flag themselves; the mask builder must match it too
        model.config._attn_implementation = "eager"
    try:
        yield
    finally:
        if uses_attention_interface(model):
            model.set_attn_implementation(before)
        else:
            model.config._attn_implementation = before


def _forward_model(model: Any) -> Any:
    """The decoder without its LM head (the fast protocol needs no logits)."""
    base = getattr(model, "base_model", None)
    return base if base is not None and base is not model else model


def run_reference(
    lm: LoadedModel,
    source: TokenSource,
    distances: Sequence[int],
    n_prompts: int,
    seeds: Sequence[int],
    *,
    progress: Progress | None = None,
    token_override: Callable[[int, int, int], list[int]] | None = None,
) -> CorpusRun:
    """Spec §5.5 for every seed: per distance, re-seed, draw ``n_prompts`` prompts of d + 50 tokens, read
    ``attentions[l][0, :, -1, 49]``. ``token_override(seed, d, prompt)`` replaces the drawn tokens (tests).
    Forward errors are raised, never skipped silently (v0.5.3 swallowed them, which hid §9.1 item 8).
    Ctrl-C stops early and keeps what was measured (``interrupted``).
    """
    torch = require_torch()
    numpy = require_numpy()
    run = CorpusRun(source.name, list(distances), list(seeds), paired=False, prompts_planned=n_prompts * len(seeds))
    total = len(seeds) * len(distances) * n_prompts
    done = 0
    model = lm.model
    try:
        with (
            eager_attention(model),
            torch.inference_mode(),
            measurement_threads(lm, max(distances) + REFERENCE_PREFIX) as threads,
        ):
            run.torch_threads = threads
            for seed in seeds:
                for di, d in enumerate(distances):
                    seed_everything(seed)
                    rng = random.Random(seed)
                    for p in range(n_prompts):
                        ids = token_override(seed, d, p) if token_override else source.draw(rng, d + REFERENCE_PREFIX)
                        values = _reference_forward(lm, ids, d)
                        _add_reference_values(run, numpy, seed, di, values)
                        done += 1
                        if progress is not None:
                            progress(done, total, f"{source.name} d={d} seed={seed}")
    except KeyboardInterrupt:
        run.interrupted = True
    run.prompts_done = min((len(v) for by_d in run.samples.values() for v in by_d.values()), default=0)
    return run


def _reference_forward(lm: LoadedModel, ids: list[int], distance: int) -> dict[int, Any]:
    torch = require_torch()
    inputs = torch.tensor([ids], dtype=torch.long, device=lm.input_device)
    try:
        out = lm.model(input_ids=inputs, output_attentions=True, return_dict=True, use_cache=False)
    except Exception as error:
        if is_out_of_memory(error):
            raise memory_error("reference", lm, len(ids), distance) from None
        raise
    attentions = getattr(out, "attentions", None)
    if attentions is None or all(a is None for a in attentions):
        raise TafError(
            "the model returned no attention probabilities (output_attentions=True gave None)",
            "the reference protocol needs attn_implementation='eager'; use --protocol fast",
        )
    # Hybrid models return one entry per attention layer only: name them by the modules' layer_idx.
    layer_ids = _attention_layer_ids(lm.model)
    named = len(attentions) == len(layer_ids)
    values: dict[int, Any] = {}
    for position, attention in enumerate(attentions):
        if attention is None:
            continue
        values[layer_ids[position] if named else position] = attention[0, :, -1, REFERENCE_KEY_POSITION].float().cpu()
    return values


def _attention_layer_ids(model: Any) -> list[int]:
    cached = getattr(model, "_taf_attention_layer_ids", None)
    if cached is None:
        modules = attention_modules(model)
        cached = [m.layer_idx if isinstance(getattr(m, "layer_idx", None), int) else i for i, m in enumerate(modules)]
    return cached


def _add_reference_values(run: CorpusRun, numpy: Any, seed: int, distance_index: int, values: dict[int, Any]) -> None:
    """Record one (prompt, distance) of the reference protocol: its own prompt, so unpaired samples."""
    n_d = len(run.distances)
    by_d = run.samples.setdefault(seed, {d: [] for d in run.distances})
    layer_means = []
    for layer, head_values in values.items():
        array = head_values.double().numpy()
        finite = numpy.isfinite(array)
        if layer not in run.head_sums:
            run.head_sums[layer] = numpy.zeros((n_d, array.shape[0]))
            run.head_counts[layer] = numpy.zeros((n_d, array.shape[0]))
        run.head_sums[layer][distance_index] += numpy.where(finite, array, 0.0)
        run.head_counts[layer][distance_index] += finite
        if finite.any():
            layer_means.append(float(array[finite].mean()))
    by_d[run.distances[distance_index]].append(math.fsum(layer_means) / len(layer_means) if layer_means else math.nan)


def curve_query_positions(sequence_length: int, count: int) -> list[int]:
    """``count`` query rows for the curve: the last position, then every L/(2·count) positions backwards."""
    if count < 1:
        raise ValueError("count must be >= 1")
    stride = max(1, (sequence_length // 2) // count)
    rows = [sequence_length - 1 - j * stride for j in range(count)]
    return sorted({q for q in rows if q >= REFERENCE_KEY_POSITION + 1})


def curve_grid(distances: Sequence[int], points: int = CURVE_GRID_POINTS) -> list[int]:
    """Log-spaced integer distances from min to max of ``distances``, plus the distances themselves."""
    low, high = min(distances), max(distances)
    grid = set(distances)
    if high > low:
        for i in range(points):
            grid.add(round(math.exp(math.log(low) + (math.log(high) - math.log(low)) * i / (points - 1))))
    return sorted(d for d in grid if low <= d <= high)


def run_fast(
    lm: LoadedModel,
    source: TokenSource,
    distances: Sequence[int],
    n_prompts: int,
    seeds: Sequence[int],
    *,
    curve_queries: int = 1,
    progress: Progress | None = None,
    token_override: Callable[[int, int], list[int]] | None = None,
) -> CorpusRun:
    """One forward per (seed, prompt) on max(d) + 50 tokens; rows d + 49 (key 49) and the curve rows.

    From the second prompt on, the forward stops after the last attention layer's rows (nothing after it
    is needed), unless the model is spread with ``device_map`` (accelerate's offload hooks expect every
    module call to finish).

    ``token_override(seed, prompt)`` replaces the drawn tokens (tests). Ctrl-C keeps finished prompts.
    """
    torch = require_torch()
    distances = list(distances)
    rows = _FastRows.plan(distances, curve_queries)
    run = _new_fast_run(source.name, distances, n_prompts, seeds, rows)
    reader = _FastRowReader(rows)
    forward = _forward_model(lm.model)
    total = n_prompts * len(seeds)
    done = 0
    try:
        with (
            RowCapture(lm.model, rows.rows, reader, stop_early=lm.device_map is None) as capture,
            torch.inference_mode(),
            measurement_threads(lm, rows.length) as threads,
        ):
            run.torch_threads = threads
            for seed in seeds:
                rng = random.Random(seed)
                for p in range(n_prompts):
                    ids = token_override(seed, p) if token_override else source.draw(rng, rows.length)
                    reader.clear()
                    _fast_forward(lm, forward, ids, rows.length, max(distances))
                    capture.forward_done()
                    if not reader.reference:
                        raise TafError(
                            f"no attention rows were captured from {type(lm.model).__name__} (route {capture.route})",
                            "this architecture is not supported by the fast protocol; try --protocol reference",
                        )
                    run.add_prompt(seed, {layer: reader.reference[layer] for layer in sorted(reader.reference)})
                    run.add_curve_prompt(reader.curve)
                    done += 1
                    if progress is not None:
                        progress(done, total, f"{source.name} seed={seed}")
    except KeyboardInterrupt:
        run.interrupted = True  # only finished prompts were committed
    return run


@dataclass(frozen=True)
class _FastRows:
    """Which query rows one fast forward computes: the reference rows d + 49 and the curve rows, merged."""

    length: int  # tokens per prompt: max(d) + 50
    rows: list[int]  # every captured query position, ascending
    reference_rows: list[int]  # d + 49 for each distance, in distance order
    curve_rows: list[int]

    @classmethod
    def plan(cls, distances: Sequence[int], curve_queries: int) -> _FastRows:
        length = max(distances) + REFERENCE_PREFIX
        reference_rows = [d + REFERENCE_KEY_POSITION for d in distances]
        curve_rows = curve_query_positions(length, curve_queries)
        return cls(length, sorted(set(reference_rows) | set(curve_rows)), reference_rows, curve_rows)

    @property
    def max_curve_distance(self) -> int:
        """The longest distance a curve row reaches (its query back to key 49)."""
        return max(self.curve_rows) - REFERENCE_KEY_POSITION


def _new_fast_run(
    corpus: str, distances: list[int], n_prompts: int, seeds: Sequence[int], rows: _FastRows
) -> CorpusRun:
    """An empty paired run with the curve's rows, log grid and per-distance row coverage in place."""
    numpy = require_numpy()
    run = CorpusRun(corpus, distances, list(seeds), paired=True, prompts_planned=n_prompts * len(seeds))
    run.query_positions = rows.curve_rows
    run.curve_grid = curve_grid(distances)
    run.curve_samples = {d: [] for d in run.curve_grid}
    coverage = numpy.zeros(rows.max_curve_distance + 1)
    for q in rows.curve_rows:
        coverage[: q - REFERENCE_KEY_POSITION + 1] += 1
    run.curve_rows_per_distance = coverage
    return run


class _FastRowReader:
    """The RowCapture callback of one forward: each layer's rows → key-49 values and its curve sums.

    ``reference[layer]``: [n_d, H] float64, p[d + 49 → 49] per distance and head. ``curve[layer]``:
    [H, D+1] float64, the curve rows' probabilities summed per distance 0…D.
    """

    def __init__(self, rows: _FastRows) -> None:
        self.rows = rows
        self.reference_index = require_torch().tensor([rows.rows.index(r) for r in rows.reference_rows])
        self.reference: dict[int, Any] = {}
        self.curve: dict[int, Any] = {}

    def clear(self) -> None:
        self.reference.clear()
        self.curve.clear()

    def __call__(self, layer: int, probs: Any) -> None:
        torch = require_torch()
        row_probs = probs[0]  # [H, R, L]
        index = self.reference_index.to(row_probs.device)
        self.reference[layer] = row_probs.index_select(1, index)[:, :, REFERENCE_KEY_POSITION].double().cpu().numpy().T
        layer_curve = torch.zeros(row_probs.shape[0], self.rows.max_curve_distance + 1, device=row_probs.device)
        for q in self.rows.curve_rows:
            # keys q, q−1, …, 49 ↔ distances 0, 1, …, q − 49
            span = q - REFERENCE_KEY_POSITION + 1
            layer_curve[:, :span] += row_probs[:, self.rows.rows.index(q), REFERENCE_KEY_POSITION : q + 1].flip(-1)
        self.curve[layer] = layer_curve.double().cpu().numpy()


def _fast_forward(lm: LoadedModel, forward: Any, ids: list[int], sequence_length: int, max_distance: int) -> None:
    """One forward of the fast protocol; the capture may stop it early, an OOM becomes the one-line error."""
    torch = require_torch()
    inputs = torch.tensor([ids], dtype=torch.long, device=lm.input_device)
    try:
        forward(input_ids=inputs, use_cache=False)
    except StopForward:
        pass  # the last attention layer's rows are in; the rest of the forward is not needed
    except Exception as error:
        if is_out_of_memory(error):
            raise memory_error("fast", lm, sequence_length, max_distance) from None
        raise
