"""`taf diagnose`: attention-decay measurement on tiny random models built from configs (CPU, float32, no downloads).

The central property: on the same tokens, the fast protocol (one SDPA forward, rows computed from the
captured queries and keys) equals the reference protocol (spec §5.5: eager attention, one forward per
distance) to 1e-5 for every layer, head and distance, in every attention family.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from tafagent.cli.main import common_options

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
numpy = pytest.importorskip("numpy")

from tafagent.adapters.measure import (  # noqa: E402
    DiagnoseOptions,
    RowCapture,
    attention_rows,
    diagnose_loaded,
    from_model,
    load_diagnosis,
    run_fast,
    run_reference,
)
from tafagent.adapters.measure.corpora import random_tokens  # noqa: E402
from tafagent.cli import cmd_diagnose  # noqa: E402
from tafagent.cli.main import _Parser  # noqa: E402
from tafagent.core.decay.null import uniform_null  # noqa: E402
from tafagent.core.errors import TafError  # noqa: E402

pytestmark = pytest.mark.slow

DISTANCES = (4, 10, 25, 40)  # sequences of d + 50 = 54…90 tokens
TOLERANCE = 1e-5
VOCAB = 300


def _configs() -> dict[str, Any]:
    t = transformers
    small = {"vocab_size": VOCAB, "bos_token_id": 1, "eos_token_id": 2}
    return {
        # partial rotary (25 % of the head dims), parallel residual
        "gpt_neox": t.GPTNeoXConfig(
            hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4, rotary_pct=0.25, **small
        ),
        "llama_gqa": t.LlamaConfig(
            hidden_size=64,
            intermediate_size=128,
            num_hidden_layers=2,
            num_attention_heads=4,
            num_key_value_heads=2,
            **small,
        ),
        # the window (24) is shorter than the sequences: the far keys are masked
        "mistral_swa": t.MistralConfig(
            hidden_size=64,
            intermediate_size=128,
            num_hidden_layers=2,
            num_attention_heads=4,
            num_key_value_heads=2,
            sliding_window=24,
            **small,
        ),
        "qwen2": t.Qwen2Config(
            hidden_size=64,
            intermediate_size=128,
            num_hidden_layers=2,
            num_attention_heads=4,
            num_key_value_heads=2,
            **small,
        ),
        "gpt2": t.GPT2Config(n_embd=64, n_layer=2, n_head=4, n_positions=256, **small),
        "bloom_alibi": t.BloomConfig(hidden_size=64, n_layer=2, n_head=4, **small),
        "falcon_mqa": t.FalconConfig(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, **small),
        "falcon_gqa": t.FalconConfig(
            hidden_size=64,
            num_hidden_layers=2,
            num_attention_heads=4,
            new_decoder_architecture=True,
            num_kv_heads=2,
            **small,
        ),
        # query_pre_attn_scalar ≠ head_dim, logit soft-capping, alternating sliding/full layers, GQA
        "gemma2": t.Gemma2Config(
            hidden_size=64,
            intermediate_size=128,
            num_hidden_layers=2,
            num_attention_heads=4,
            num_key_value_heads=2,
            head_dim=16,
            query_pre_attn_scalar=24,
            sliding_window=24,
            attn_logit_softcapping=5.0,
            **small,
        ),
        # attention sinks (s_aux)
        "gpt_oss": t.GptOssConfig(
            hidden_size=64,
            intermediate_size=64,
            num_hidden_layers=2,
            num_attention_heads=4,
            num_key_value_heads=2,
            head_dim=16,
            num_local_experts=2,
            num_experts_per_tok=1,
            sliding_window=24,
            rope_scaling=None,
            **small,
        ),
    }


def _build(config: Any, scale: float = 4.0) -> Any:
    """A random model whose linear weights are scaled up so attention is far from uniform."""
    torch.manual_seed(0)
    model = transformers.AutoModelForCausalLM.from_config(config)
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if parameter.dim() == 2 and not any(k in name for k in ("emb", "wte", "wpe")):
                parameter.mul_(scale)
    return model.eval()


@pytest.fixture(scope="module")
def models() -> dict[str, Any]:
    return {name: _build(config) for name, config in _configs().items()}


def _tokens(vocab: int, seeds: tuple[int, ...], prompts: int) -> dict[tuple[int, int], list[int]]:
    source = random_tokens(vocab, {1, 2})
    rng = random.Random(0)
    return {(s, p): source.draw(rng, max(DISTANCES) + 50) for s in seeds for p in range(prompts)}


# ---- fast == reference --------------------------------------------------------------------------------


@pytest.mark.parametrize("family", list(_configs()))
def test_fast_equals_reference_on_the_same_tokens(models: dict[str, Any], family: str) -> None:
    model = models[family]
    lm = from_model(model, name=family)
    source = random_tokens(lm.vocab_size, lm.special_ids)
    tokens = _tokens(VOCAB, (1, 2), 2)
    implementation_before = model.config._attn_implementation
    fast = run_fast(lm, source, DISTANCES, 2, (1, 2), curve_queries=2, token_override=lambda s, p: tokens[(s, p)])
    assert model.config._attn_implementation == implementation_before  # the capture restores it
    reference = run_reference(lm, source, DISTANCES, 2, (1, 2), token_override=lambda s, d, p: tokens[(s, p)][: d + 50])
    assert sorted(fast.head_sums) == sorted(reference.head_sums) == [0, 1]
    for layer in reference.head_sums:
        fast_heads = fast.head_sums[layer] / fast.head_counts[layer]
        reference_heads = reference.head_sums[layer] / reference.head_counts[layer]
        assert fast_heads.shape == reference_heads.shape == (len(DISTANCES), 4)
        assert numpy.abs(fast_heads - reference_heads).max() < TOLERANCE, (family, layer)
    fast_samples, reference_samples = fast.flat_samples(), reference.flat_samples()
    for d in DISTANCES:
        assert numpy.allclose(fast_samples[d], reference_samples[d], atol=TOLERANCE, rtol=0)
    # the attention must not be trivial, or the comparison would prove nothing
    spread = max(numpy.ptp(reference.head_sums[layer] / reference.head_counts[layer]) for layer in (0, 1))
    assert spread > 1e-3


@pytest.mark.parametrize("family", ["llama_gqa", "mistral_swa", "gemma2", "bloom_alibi", "falcon_mqa"])
def test_fast_curve_equals_the_eager_rows(models: dict[str, Any], family: str) -> None:
    """The curve estimator is the eager probability row of each curve query, read backwards from the query."""
    model = models[family]
    lm = from_model(model, name=family)
    tokens = _tokens(VOCAB, (1,), 1)
    fast = run_fast(
        lm, random_tokens(VOCAB, ()), DISTANCES, 1, (1,), curve_queries=1, token_override=lambda s, p: tokens[(s, p)]
    )
    from tafagent.adapters.measure.protocols import eager_attention

    with eager_attention(model), torch.inference_mode():
        out = model(torch.tensor([tokens[(1, 0)]]), output_attentions=True, use_cache=False)
    curve = fast.curve_by_layer_head()  # [layers, H, D+1]
    last = max(DISTANCES) + 49
    for layer, attention in enumerate(out.attentions):
        expected = attention[0, :, last, 49 : last + 1].flip(-1).double().numpy()
        assert numpy.abs(curve[layer] - expected).max() < TOLERANCE


def test_falcon_alibi_rows_reproduce_the_sdpa_kernel_output() -> None:
    """Falcon-ALiBi: transformers' eager path adds the bias twice, so compare with what SDPA computes."""
    model = _build(
        transformers.FalconConfig(
            hidden_size=64, num_hidden_layers=2, num_attention_heads=4, alibi=True, vocab_size=VOCAB
        )
    )
    calls: list[tuple[Any, Any]] = []
    original = torch.nn.functional.scaled_dot_product_attention

    def recorder(query: Any, key: Any, value: Any, attn_mask: Any = None, **kwargs: Any) -> Any:
        output = original(query, key, value, attn_mask=attn_mask, **kwargs)
        calls.append((value, output))
        return output

    rows = [10, 60, 89]
    captured: dict[int, Any] = {}
    torch.nn.functional.scaled_dot_product_attention = recorder
    try:
        with RowCapture(model, rows, lambda layer, p: captured.__setitem__(layer, p)), torch.inference_mode():
            model(torch.tensor([_tokens(VOCAB, (1,), 1)[(1, 0)]]), use_cache=False)
    finally:
        torch.nn.functional.scaled_dot_product_attention = original
    assert sorted(captured) == [0, 1] and len(calls) == 2
    for layer, (value, output) in enumerate(calls):
        reproduced = captured[layer] @ value.float().expand(-1, 4, -1, -1)
        assert (reproduced - output[:, :, rows, :]).abs().max() < TOLERANCE
        assert (captured[layer][0, :, -1, :49].sum(-1) > 0.01).all()  # ALiBi favours near keys but keeps far ones


def test_attention_rows_matches_sdpa_with_float_mask_gqa_and_window() -> None:
    generator = torch.Generator().manual_seed(1)
    query = torch.randn(1, 4, 30, 8, generator=generator) * 3
    key = torch.randn(1, 2, 30, 8, generator=generator) * 3
    value = torch.randn(1, 2, 30, 8, generator=generator)
    rows = [0, 7, 29]
    probs = attention_rows(query, key, rows, sliding_window=5)
    allowed = torch.ones(30, 30, dtype=torch.bool).tril() & ~torch.ones(30, 30, dtype=torch.bool).tril(-5)
    expected = torch.nn.functional.scaled_dot_product_attention(
        query, key.repeat_interleave(2, 1), value.repeat_interleave(2, 1), attn_mask=allowed
    )
    assert (probs @ value.repeat_interleave(2, 1) - expected[:, :, rows]).abs().max() < 1e-5
    assert torch.allclose(probs.sum(-1), torch.ones(1, 4, 3))


def test_fast_protocol_never_runs_eager_attention(models: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """The main forward keeps SDPA: no T×T probability map is ever built (eager would build one per layer)."""
    import transformers.models.llama.modeling_llama as modeling_llama

    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("eager attention was called")

    monkeypatch.setattr(modeling_llama, "eager_attention_forward", forbidden)
    model = models["llama_gqa"]
    lm = from_model(model, name="llama")
    assert model.config._attn_implementation == "sdpa"
    last_mlp_calls: list[int] = []
    handle = model.model.layers[-1].mlp.register_forward_hook(lambda *_: last_mlp_calls.append(1))
    try:
        run = run_fast(lm, random_tokens(VOCAB, ()), DISTANCES, 3, (1,))
    finally:
        handle.remove()
    assert run.prompts_done == 3 and sorted(run.head_sums) == [0, 1]
    assert len(last_mlp_calls) == 1  # later forwards stop after the last attention layer's rows


# ---- the uniform null ---------------------------------------------------------------------------------


def test_zero_query_key_weights_give_exactly_the_uniform_null(models: dict[str, Any]) -> None:
    model = _build(_configs()["llama_gqa"])
    with torch.no_grad():
        for layer in model.model.layers:
            layer.self_attn.q_proj.weight.zero_()
            layer.self_attn.k_proj.weight.zero_()
    lm = from_model(model, name="uniform")
    diagnosis = diagnose_loaded(
        lm, DiagnoseOptions(distances=DISTANCES, n_prompts=2, seeds=(1,), bootstrap_resamples=50, curve_queries=3)
    )
    result = diagnosis.results["random"]
    for d in DISTANCES:
        assert result.attn_by_distance[d] == pytest.approx(1.0 / (d + 50), abs=1e-7)
    assert result.gamma == pytest.approx(uniform_null("reference", DISTANCES).gamma, abs=1e-6)
    assert result.gamma == pytest.approx(result.null.gamma, abs=1e-6)
    assert abs(result.gamma_minus_null) < 1e-6  # type: ignore[arg-type]
    assert result.curve is not None and result.curve.gamma == pytest.approx(result.curve.null.gamma, abs=1e-6)


# ---- attention-free and hybrid models --------------------------------------------------------------


def test_mamba_has_no_attention_to_measure() -> None:
    model = _build(transformers.MambaConfig(hidden_size=32, num_hidden_layers=2, vocab_size=VOCAB, state_size=4))
    diagnosis = diagnose_loaded(from_model(model, name="tiny-mamba"), DiagnoseOptions(distances=(4, 10)))
    assert diagnosis.status == "no_attention" and diagnosis.gamma is None
    assert "no attention to measure" in diagnosis.message
    assert diagnosis.to_dict()["thermodynamics"] is None


def test_hybrid_measures_its_attention_layers_and_says_so() -> None:
    config = transformers.JambaConfig(
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=4,
        num_attention_heads=4,
        num_key_value_heads=2,
        vocab_size=VOCAB,
        attn_layer_period=2,
        attn_layer_offset=1,
        expert_layer_period=4,
        expert_layer_offset=3,
        num_experts=2,
        mamba_d_state=4,
        mamba_expand=2,
    )
    lm = from_model(_build(config, scale=2.0), name="tiny-jamba")
    for protocol in ("fast", "reference"):
        options = DiagnoseOptions(protocol=protocol, distances=(4, 20), n_prompts=1, seeds=(1,), bootstrap_resamples=20)
        diagnosis = diagnose_loaded(lm, options)
        assert diagnosis.attention_layers == (1, 3)
        assert any("hybrid" in note and "2 attention layers of 4" in note for note in diagnosis.notes)
        assert diagnosis.to_dict()["attention_layers"]["hybrid"] is True


# ---- Ctrl-C keeps partial results --------------------------------------------------------------------


def test_interrupt_keeps_finished_prompts(models: dict[str, Any]) -> None:
    lm = from_model(models["gpt2"], name="tiny-gpt2")

    def stop_after_three(done: int, total: int, description: str) -> None:
        if done == 3:
            raise KeyboardInterrupt

    options = DiagnoseOptions(distances=DISTANCES, n_prompts=4, seeds=(1, 2), bootstrap_resamples=20)
    diagnosis = diagnose_loaded(lm, options, progress=stop_after_three)
    assert diagnosis.status == "partial"
    assert diagnosis.results["random"].n_prompts == 3 and diagnosis.gamma is not None
    assert any("interrupted: random has 3 of 8 prompts" in note for note in diagnosis.notes)


@pytest.mark.parametrize(("protocol", "hint"), [("reference", "--protocol fast"), ("fast", "--distances up to 20")])
def test_out_of_memory_names_the_option_that_would_fit(models: dict[str, Any], protocol: str, hint: str) -> None:
    from tafagent.adapters.measure import MeasurementMemoryError

    model = models["qwen2"]
    oom = getattr(torch, "OutOfMemoryError", RuntimeError)

    def exhausted(*_: Any) -> None:
        raise oom("CUDA out of memory. Tried to allocate 64.00 GiB")

    handle = model.model.register_forward_pre_hook(exhausted)
    try:
        with pytest.raises(MeasurementMemoryError) as error:
            diagnose_loaded(from_model(model, name="qwen2"), DiagnoseOptions(protocol=protocol, distances=DISTANCES))
    finally:
        handle.remove()
    assert "out of memory" in error.value.one_line() and hint in error.value.one_line()


# ---- the CLI -------------------------------------------------------------------------------------------


def _save(model: Any, directory: Path, tokenizer: Any = None) -> Path:
    model.save_pretrained(directory)
    if tokenizer is not None:
        tokenizer.save_pretrained(directory)
    return directory


def _tiny_tokenizer() -> Any:
    """A 300-id byte-level BPE trained offline on the default text corpus."""
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    from tafagent.adapters.measure.corpora import default_text

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB, special_tokens=["<unk>", "<s>", "</s>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    text = default_text()[0]
    tokenizer.train_from_iterator([text[i : i + 10_000] for i in range(0, 100_000, 10_000)], trainer=trainer)
    return transformers.PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, unk_token="<unk>", bos_token="<s>", eos_token="</s>"
    )


@pytest.fixture(scope="module")
def model_dirs(tmp_path_factory: pytest.TempPathFactory, models: dict[str, Any]) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("tiny-models")
    dirs = {
        "gpt_neox": _save(models["gpt_neox"], root / "gpt_neox", _tiny_tokenizer()),
        "gpt2": _save(models["gpt2"], root / "gpt2"),
        "mamba": _save(
            _build(transformers.MambaConfig(hidden_size=32, num_hidden_layers=2, vocab_size=VOCAB, state_size=4)),
            root / "mamba",
        ),
    }
    encoder = root / "t5"
    encoder.mkdir()
    (encoder / "config.json").write_text(
        json.dumps({"model_type": "t5", "architectures": ["T5ForConditionalGeneration"]})
    )
    no_weights = root / "no-weights"
    no_weights.mkdir()
    (no_weights / "config.json").write_text(json.dumps(_configs()["gpt2"].to_dict()))
    dirs["t5"], dirs["no_weights"] = encoder, no_weights
    return dirs


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Parse and run `taf diagnose …` with the error boundary of cli/main.py."""
    parser = _Parser(prog="taf")  # main.py's parser class: one-line usage errors
    common = common_options()
    cmd_diagnose.register(parser.add_subparsers(dest="command", parser_class=_Parser), common)
    try:
        args = parser.parse_args(["diagnose", *argv])
        code = int(args.run(args))
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    except TafError as error:
        print(f"taf: error: {error.one_line()}", file=__import__("sys").stderr)
        code = error.exit_code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


QUICK = ["--distances", "4,10,25,40", "--prompts", "2", "--seeds", "1,2", "--device", "cpu"]


def test_cli_json_schema_out_file_plot_and_profile_loader(
    model_dirs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, plot = tmp_path / "result.json", tmp_path / "decay.png"
    code, stdout, stderr = run_cli(
        [str(model_dirs["gpt_neox"]), *QUICK, "--json", "--out", str(out), "--plot", str(plot)], capsys
    )
    assert code == 0, stderr
    data = json.loads(stdout)
    for key in ("model", "protocol", "corpus", "distances", "attn_by_distance", "gamma", "R2", "gamma_ci95"):
        assert key in data
    assert {"thermodynamics", "env", "uniform_null", "per_layer_gamma", "per_head_gamma", "kl_grammar", "phase"} <= set(
        data
    )
    assert data["protocol"] == "fast" and data["corpus"] == "random" and data["distances"] == [4, 10, 25, 40]
    assert set(data["attn_by_distance"]) == {"4", "10", "25", "40"}
    assert len(data["gamma_ci95"]) == 2 and data["gamma_ci95"][0] <= data["gamma"] <= data["gamma_ci95"][1]
    assert data["T_pade"] == 40 and data["theta"] == 10000.0 and data["gamma_pade"] is not None
    assert {"Cv", "theta_eff_pade", "D90", "Z"} <= set(data["thermodynamics"])
    env = data["env"]
    assert env["seeds"] == [1, 2] and env["device"] == "cpu" and env["dtype"] == "float32"
    assert {"python", "torch", "transformers", "numpy"} <= set(env)
    assert len(data["per_head_gamma"]["0"]) == 4
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    loaded = load_diagnosis(out)
    assert loaded.gamma == data["gamma"] and loaded.card_inputs()["gamma_random"] == data["gamma"]


def test_cli_both_corpora_and_reference_protocol(
    model_dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, stdout, stderr = run_cli(
        [str(model_dirs["gpt_neox"]), *QUICK, "--corpus", "both", "--protocol", "reference", "--json"], capsys
    )
    assert code == 0, stderr
    data = json.loads(stdout)
    assert data["protocol"] == "reference" and data["env"]["attn_implementation"] == "eager"
    assert data["gamma"] == data["gamma_text"] and data["primary_corpus"] == "text"
    assert data["delta_gamma_text_random"] == pytest.approx(data["gamma_text"] - data["gamma_random"])
    assert "pydoc_data.topics" in data["env"]["corpus_sources"]["text"]


def test_cli_human_output(model_dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, stdout, _ = run_cli([str(model_dirs["gpt2"]), *QUICK], capsys)
    assert code == 0
    assert "Power-law fit" in stdout and "uniform null" in stdout and "Thermodynamic profile" in stdout


def test_cli_fast_mode_keeps_the_reference_fast_settings(
    model_dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, stdout, stderr = run_cli(
        [str(model_dirs["gpt_neox"]), "--fast", "--fit-min-distance", "30", "--json"], capsys
    )
    assert code == 0, stderr
    data = json.loads(stdout)
    assert data["distances"] == [10, 50, 200, 1000] and data["env"]["n_prompts_per_seed"] == 30
    assert data["env"]["seeds"] == [42, 123, 7] and data["results"]["random"]["n_prompts"] == 90
    assert data["results"]["random"]["fit"]["distances"] == [50, 200, 1000] and data["T_pade"] == 1000


def test_rope_distance_beyond_positions_is_an_error_and_a_longer_prefix_a_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _configs()["llama_gqa"]
    config.max_position_embeddings = 64
    directory = _save(_build(config), tmp_path / "short-llama")
    code, _, stderr = run_cli([str(directory), "--distances", "4,100", "--device", "cpu"], capsys)
    assert code == 1 and "distance 100 is beyond the 64 positions" in stderr
    code, stdout, stderr = run_cli([str(directory), *QUICK, "--json"], capsys)
    assert code == 0, stderr
    assert any("runs 26 position(s) past the model's 64" in note for note in json.loads(stdout)["notes"])


def test_cli_mamba_says_no_attention(model_dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, stdout, _ = run_cli([str(model_dirs["mamba"]), *QUICK, "--json"], capsys)
    data = json.loads(stdout)
    assert code == 0 and data["status"] == "no_attention" and data["gamma"] is None
    assert "no attention to measure" in data["message"]


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["{tmp}/nope", *QUICK], 1, "no such path"),
        (["{t5}", *QUICK], 1, "not a causal language model"),
        (["{no_weights}", *QUICK], 1, "cannot load the weights"),
        (["{gpt2}", "--distances", "4,300", "--device", "cpu"], 1, "needs 350 positions"),
        (["{gpt2}", *QUICK, "--N", "0"], 2, "expected a positive whole number"),
        (["{gpt2}", *QUICK, "--theta", "-5"], 2, "expected a number from 1 to 1e+13"),
        (["{gpt2}", *QUICK, "--theta", "1e-300"], 2, "expected a number from 1 to 1e+13"),
        (["{gpt2}", *QUICK, "--distances", "10"], 2, "at least 2 distinct distances"),
        (["{gpt2}", *QUICK, "--text", "{tmp}/x.txt"], 2, "--text needs --corpus text"),
        (["{gpt2}", *QUICK, "--corpus", "text"], 1, "needs the model's tokenizer"),
        (["{gpt2}", *QUICK, "--plot", "{tmp}/x.pdf"], 2, "use a .png or .svg"),
        (["{gpt2}", *QUICK, "--dtype", "int3"], 2, "unknown --dtype"),
        (["{gpt2}", "--device", "cuda", "--distances", "4,10"], 2, "no CUDA device"),
    ],
)
def test_cli_bad_inputs_give_one_line_errors(
    model_dirs: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    code: int,
    message: str,
) -> None:
    if "cuda" in argv and torch.cuda.is_available():
        pytest.skip("a CUDA device is available here")
    names = {"tmp": str(tmp_path), **{k: str(v) for k, v in model_dirs.items()}}
    got_code, _, stderr = run_cli([a.format(**names) for a in argv], capsys)
    assert got_code == code
    assert message in stderr
    assert "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1


def test_load_diagnosis_rejects_other_files(tmp_path: Path) -> None:
    cases: dict[str, str] = {
        "missing.json": "",
        "bad.json": "{not json",
        "other.json": json.dumps({"model": "x", "gamma": 0.5}),
        "nan.json": '{"schema": "tafagent.diagnosis/1", "model": "x", "gamma": NaN}',
    }
    reference = tmp_path / "v053.json"  # the v0.5.3 CLI's own output is accepted
    curve = {str(d): 0.03 * d**-0.75 for d in (10, 50, 200, 1000)}
    reference.write_text(
        json.dumps({"model": "m", "fit_power_law": {"gamma": 0.75}, "attn_by_distance": curve, "Cv": float("nan")})
    )
    assert load_diagnosis(reference).gamma_random == pytest.approx(0.75)
    for name, text in cases.items():
        path = tmp_path / name
        if text:
            path.write_text(text)
        with pytest.raises(TafError) as error:
            load_diagnosis(path)
        assert "\n" not in error.value.one_line()


# ---- token sources --------------------------------------------------------------------------------------


def test_random_tokens_follow_the_reference_stream_and_fix_tiny_vocabularies() -> None:
    big = random_tokens(50304, {0})
    assert (big.low, big.high) == (1000, 49000)
    expected_rng = random.Random(42)
    assert big.draw(random.Random(42), 60) == [expected_rng.randint(1000, 49000) for _ in range(60)]
    tiny = random_tokens(VOCAB, {1, 2})  # v0.5.3 crashed here (vocab − 1 < 1000): deliberate fix §9.2 item 12
    drawn = tiny.draw(random.Random(0), 5000)
    assert min(drawn) >= 0 and max(drawn) == VOCAB - 1 and not {1, 2} & set(drawn)
