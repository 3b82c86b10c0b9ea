"""Serving memory: published vLLM numbers to the token, formats, capacity questions, properties, `taf memory`."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tafagent.cli.main import main
from tafagent.core.catalogs import default_catalogs
from tafagent.core.errors import ConfigError
from tafagent.core.memory.activations import prefill_activation_bytes
from tafagent.core.memory.kv import kv_plan
from tafagent.core.memory.report import memory_report
from tafagent.core.memory.serving import max_batch, max_context, memory_budget, vllm_capacity_message
from tafagent.core.memory.speed import decode_throughput
from tafagent.core.memory.weights import weight_format, weights_bytes
from tafagent.core.render.format import GIB
from tafagent.core.spec.context_facts import context_facts
from tafagent.core.spec.presets import get_preset, list_presets


def test_vllm_qwen3_8b_capacity_message_to_the_token() -> None:
    """vLLM: 40960 tokens need 5.62 GiB of KV; with 4.50 GiB available the maximum model length is 32768."""
    plan = kv_plan(get_preset("qwen3-8b").spec(), "vllm")
    assert plan.bytes_per_token() == 147_456  # 36 layers × 2 × 8 KV heads × 128 × 2 bytes = 144 KiB
    assert plan.bytes_per_sequence(40960) == 40960 * 147_456
    available = int(4.50 * GIB)
    assert max_context(plan, available, 1, 40960) == 32768
    message = vllm_capacity_message(plan, 40960, available)
    assert "5.62 GiB" in message and "4.50 GiB" in message and "32768" in message


def test_llm_d_measured_llama_31_8b_on_h100() -> None:
    """llm-d measured vLLM on an H100 (0.9 utilisation): weights 14.99 GiB, KV available 51.38 GiB."""
    spec = get_preset("llama-3.1-8b").spec()
    h100 = default_catalogs().gpu("H100 SXM")
    weights = weights_bytes(spec)
    assert weights.n_bytes / GIB == pytest.approx(14.99, rel=0.003)
    budget = memory_budget(spec, h100, weights, "vllm")
    assert budget.usable_bytes / GIB == pytest.approx(79.18, abs=0.01)
    assert budget.kv_available_bytes / GIB == pytest.approx(51.38, rel=0.005)
    plan = kv_plan(spec, "vllm")
    assert plan.bytes_per_token() == 131_072  # 128 KiB per token
    assert max_context(plan, budget.kv_available_bytes) == pytest.approx(421_000, rel=0.01)


def test_llama_31_70b_kv_per_token_and_per_128k_sequence() -> None:
    plan = kv_plan(get_preset("llama-3.1-70b").spec(), "transformers", "bf16")
    assert plan.bytes_per_token() == 320 * 1024
    assert plan.bytes_per_sequence(131072) == 40 * GIB


def test_sliding_window_layers_are_capped_per_engine() -> None:
    spec = get_preset("mistral-7b").spec()  # window 4096 on every layer
    hf, vllm = kv_plan(spec, "transformers", "bf16"), kv_plan(spec, "vllm", "bf16")
    per_layer_token = 2 * 8 * 128 * 2
    assert hf.bytes_per_sequence(32768) == 32 * per_layer_token * 4095
    assert hf.bytes_per_token() == 0  # nothing grows past the window
    held = min(4096 - 1 + 8192, 32768)
    assert vllm.bytes_per_sequence(32768) == 32 * per_layer_token * (math.ceil(held / 16) + 1) * 16


def test_alternating_layers_gemma2() -> None:
    spec = get_preset("gemma-2-9b").spec()
    plan = kv_plan(spec, "transformers", "bf16")
    kinds = {g.kind: g.n_layers for g in plan.groups}
    assert kinds == {"sliding_attention": 21, "full_attention": 21}
    per_layer_token = 2 * 8 * 256 * 2
    assert plan.bytes_per_sequence(8192) == 21 * per_layer_token * (4095 + 8192)


def test_mla_latent_cache_deepseek_v2_lite() -> None:
    plan = kv_plan(get_preset("deepseek-v2-lite").spec(), "vllm", "bf16")
    assert plan.groups[0].kind == "mla"
    assert plan.bytes_per_token() == 27 * (512 + 64) * 2


def test_mamba_state_is_independent_of_length() -> None:
    plan = kv_plan(get_preset("mamba-2.8b").spec(), "vllm", "bf16")
    assert plan.bytes_per_token() == 0
    assert plan.bytes_per_sequence(10) == plan.bytes_per_sequence(1_000_000) == 64 * (5120 * 4 + 5120 * 16) * 2


def test_kv_dtypes_and_llama_cpp_types() -> None:
    spec = get_preset("llama-3-8b").spec()
    bf16 = kv_plan(spec, "vllm", "bf16").bytes_per_token()
    assert kv_plan(spec, "vllm", "fp8").bytes_per_token() == bf16 / 2
    assert kv_plan(spec, "llama.cpp", "q8_0").bytes_per_token() == pytest.approx(bf16 / 2 * 34 / 32)
    with pytest.raises(ConfigError):
        kv_plan(spec, "vllm", "q4_0")
    with pytest.raises(ConfigError):
        kv_plan(spec, "vllm", "int3")


def test_weight_formats_bits_per_weight() -> None:
    assert weight_format("gptq").linear_bits == pytest.approx(4 + 16 / 128 + 4 / 128)
    assert weight_format("nf4").linear_bits == 4.5
    assert weight_format("gguf-q8_0").linear_bits == 8.5
    assert weight_format("gguf-q6_k").linear_bits == pytest.approx(6.5625)
    spec = get_preset("llama-3.1-70b").spec()
    q4km = weights_bytes(spec, "gguf-q4_k_m")
    assert q4km.n_bytes / 1e9 == pytest.approx(42.5, abs=0.1)  # published Q4_K_M file: 42.52 GB
    gptq = weights_bytes(spec, "gptq")
    assert gptq.breakdown_bytes["embedding"] == spec.n_params_breakdown["embedding"] * 2  # kept in fp16
    with pytest.raises(ConfigError):
        weights_bytes(spec, "int5")
    with pytest.raises(ConfigError):
        weights_bytes(spec, "stored")  # no headers read for a preset


def test_quantization_config_selects_the_format(llama_config) -> None:
    from tafagent.core import resolve_spec

    llama_config["quantization_config"] = {"quant_method": "awq", "bits": 4, "group_size": 64}
    estimate = weights_bytes(resolve_spec(llama_config, "awq-model"))
    assert estimate.format == "awq-int4-g64"
    llama_config["quantization_config"] = {
        "quant_method": "bitsandbytes",
        "load_in_4bit": True,
        "bnb_4bit_use_double_quant": True,
    }
    assert weights_bytes(resolve_spec(llama_config, "bnb-model")).format == "nf4-dq"


def test_eager_attention_materialises_scores_sdpa_does_not() -> None:
    spec = get_preset("llama-3-8b").spec()
    eager = prefill_activation_bytes(spec, 16384, 1, "eager")
    sdpa = prefill_activation_bytes(spec, 16384, 1, "sdpa")
    # bf16 scores + the fp32 cast and fp32 output of softmax(dtype=float32): 2 + 8 bytes per score element
    assert eager["attention_scores_bytes"] == 32 * 16384 * 16384 * (2 + 8)
    assert eager["attention_mask_bytes"] == 16384 * 16384 * 2
    assert sdpa["attention_scores_bytes"] == 0 and sdpa["attention_mask_bytes"] == 0
    assert eager["total_bytes"] > 80 * GIB and sdpa["total_bytes"] < 2 * GIB
    # auto = what transformers runs: SDPA for llama, eager for bloom (no SDPA support in 5.x)
    assert prefill_activation_bytes(spec, 1024)["attn_implementation"] == "sdpa"
    assert prefill_activation_bytes(get_preset("bloom-560m").spec(), 1024)["attn_implementation"] == "eager"


def test_moe_decode_reads_only_touched_experts() -> None:
    spec = get_preset("mixtral-8x7b").spec()
    gpu = default_catalogs().gpu("H200")
    weights = weights_bytes(spec)
    plan = kv_plan(spec, "vllm")
    one = decode_throughput(spec, gpu, weights, plan, 1024, 1)
    many = decode_throughput(spec, gpu, weights, plan, 1024, 64)
    assert one["bytes_per_step"]["expert_fraction_read"] == pytest.approx(2 / 8)
    assert many["bytes_per_step"]["expert_fraction_read"] > 0.99
    assert one["bytes_per_step"]["weights_bytes_read"] < weights.n_bytes
    low, high = one["expected_tok_s_range"]
    assert low < high < one["ceiling_tok_s"]


def test_report_min_gpus_for_70b() -> None:
    spec, h100 = get_preset("llama-3.1-70b").spec(), default_catalogs().gpu("H100 SXM")
    data = memory_report(spec, 8192, 1, engine="vllm", gpu=h100).to_dict()
    # bf16: 65.7 GiB of weights per GPU at TP=2 leaves no KV room under 0.9 utilisation; TP=4 fits.
    assert data["fits"] is False and data["min_gpus"]["n_gpus"] == 4 and data["min_gpus"]["usd_per_hour"] == 10.0
    fp8 = memory_report(spec, 8192, 1, weights_dtype="fp8", engine="vllm", gpu=h100, tp=2).to_dict()
    # llm-d measured Llama-3.3-70B-FP8 at TP=2 on H100: 33.88 GiB weights per GPU, 32.0 GiB KV available.
    assert fp8["budget"]["weights_bytes_per_gpu"] / GIB == pytest.approx(33.88, rel=0.01)
    assert fp8["budget"]["kv_available_bytes"] / GIB == pytest.approx(32.0, rel=0.02)
    assert fp8["fits"] is True


def test_no_speed_for_a_load_that_does_not_fit_and_a_rescue_ladder_instead() -> None:
    spec, h100 = get_preset("llama-3.1-70b").spec(), default_catalogs().gpu("H100 SXM")
    data = memory_report(spec, 8192, 1, engine="vllm", gpu=h100).to_dict()
    assert data["fits"] is False and data["budget"]["kv_available_bytes"] < 0
    assert data["throughput"] is None and data["prefill"] is None
    assert "4 × H100 SXM" in data["speed_withheld"] and "taf plan" in data["speed_withheld"]
    rungs = {rung["rung"]: rung for rung in data["rescue"]}
    assert list(rungs) == ["kv_dtype", "weights", "tensor_parallel", "offload"]
    assert rungs["kv_dtype"]["settings"] == {"kv_dtype": "fp8"} and rungs["kv_dtype"]["fits"] is False
    assert rungs["tensor_parallel"]["settings"] == {"tp": data["min_gpus"]["n_gpus"]}
    for rung in data["rescue"]:
        assert rung["sources"] and rung["quality"] and rung["evidence"]
        # each rung's verdict is the report's own verdict for the changed settings
        if rung["rung"] in ("kv_dtype", "weights", "tensor_parallel"):
            options = {"kv_dtype": "auto", "weights_dtype": "auto", "tp": 1} | rung["settings"]
            again = memory_report(spec, 8192, 1, engine="vllm", gpu=h100, **options)
            assert again.fits is rung["fits"]
    fits = memory_report(spec, 8192, 1, engine="vllm", gpu=h100, tp=4).to_dict()
    assert fits["fits"] is True and fits["rescue"] == [] and fits["speed_withheld"] is None
    low, high = fits["throughput"]["expected_tok_s_range"]
    assert 0 < low < high and fits["throughput"]["engine"] == "vllm" and fits["throughput"]["basis"]["measurements"]


def test_llama_cpp_rescue_offers_cache_types_and_gpu_layers() -> None:
    spec, gpu = get_preset("llama-3.1-70b").spec(), default_catalogs().gpu("RTX 4090")
    data = memory_report(spec, 8192, 1, weights_dtype="gguf-q4_k_m", engine="llama.cpp", gpu=gpu).to_dict()
    assert data["fits"] is False
    kinds = [rung["settings"].get("kv_dtype") for rung in data["rescue"] if rung["rung"] == "kv_dtype"]
    assert kinds == ["q8_0", "q4_0"]
    offload = next(rung for rung in data["rescue"] if rung["rung"] == "offload")
    layers = offload["settings"]["gpu_layers"]
    assert 0 < layers < spec.n_layers and f"-ngl {layers}" in offload["change"]
    assert offload["total_bytes_per_gpu"] <= data["budget"]["budget_bytes"]


def test_longest_context_is_capped_at_the_position_limit() -> None:
    h200 = default_catalogs().gpu("H200")
    llama = memory_report(get_preset("llama-3-8b").spec(), 8192, 1, gpu=h200).to_dict()
    assert llama["max_context"] == 8192 and llama["position_limit"]["tokens"] == 8192  # was 1,009,430
    mistral = memory_report(get_preset("mistral-7b").spec(), 4096, 1, engine="vllm", gpu=h200).to_dict()
    assert mistral["max_context"] == mistral["position_limit"]["tokens"] == 8192  # was 2,097,152
    assert "32,768" in mistral["position_limit"]["source"]  # the config's over-claim is named
    qwen = get_preset("qwen2.5-7b").spec()
    assert memory_report(qwen, 1024).to_dict()["position_limit"]["tokens"] == context_facts(qwen).usable_tokens


def test_rope_scaling_that_extends_the_positions_is_named() -> None:
    limit = memory_report(get_preset("llama-3.1-70b").spec(), 1024).to_dict()["position_limit"]
    assert limit["tokens"] == 131072 and "rope_scaling llama3" in limit["source"]


def test_a_context_past_the_position_limit_is_a_warning(capsys) -> None:
    assert main(["memory", "gpt2-medium", "--context", "4096", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert any("1,024" in warning and "cannot run" in warning for warning in data["warnings"])
    assert main(["memory", "llama-3-8b", "--context", "4096", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["warnings"] == []  # always present
    assert main(["memory", "llama-3-8b", "--context", "1000000", "--gpu", "H200"]) == 0
    out = capsys.readouterr().out
    assert "warning:" in out and "8,192" in out and "Decode:" not in out and "Rescue ladder" in out


def test_sglang_memory_rules() -> None:
    from tafagent.core.memory.runtimes import sglang_mem_fraction_static

    # H100 80GB: reserved 512 + 8192 × 1.5 + 256 × 2 + 128 = 13,440 MiB (SGLang's server_args.py)
    fraction, how = sglang_mem_fraction_static(81559 / 1024)
    assert fraction == pytest.approx(0.835, abs=0.001) and "13,440 MiB" in how
    assert sglang_mem_fraction_static(24)[0] == pytest.approx(round((24576 - 3760) / 24576, 3))  # RTX 4090
    spec, h200 = get_preset("llama-3-8b").spec(), default_catalogs().gpu("H200")
    budget = memory_report(spec, 8192, 1, engine="sglang", gpu=h200).budget
    assert budget is not None and budget.activation_bytes == 0
    assert budget.kv_available_bytes == budget.budget_bytes - budget.weights_bytes_per_gpu
    plan = kv_plan(spec, "sglang")
    assert plan.bytes_per_sequence(1001) == 1001 * 131072  # page size 1: no block rounding


@pytest.mark.parametrize("preset", [p.model_id for p in list_presets()])
def test_every_preset_has_a_memory_report(preset: str) -> None:
    report = memory_report(get_preset(preset).spec(), 4096, 2, engine="vllm", gpu=default_catalogs().gpu("H200"))
    json.dumps(report.to_dict(), allow_nan=False)
    assert report.kv_bytes >= 0 and report.weights.n_bytes > 0


ENGINES = st.sampled_from(["transformers", "vllm", "sglang", "llama.cpp"])
PRESETS = st.sampled_from([p.model_id for p in list_presets()])


@settings(max_examples=150, deadline=None)
@given(PRESETS, ENGINES, st.integers(min_value=1, max_value=200_000), st.integers(min_value=1, max_value=200_000))
def test_kv_is_monotone_in_context(preset: str, engine: str, a: int, b: int) -> None:
    plan = kv_plan(get_preset(preset).spec(), engine, "bf16" if engine != "llama.cpp" else "fp16")
    low, high = sorted((a, b))
    assert 0 <= plan.bytes_per_sequence(low) <= plan.bytes_per_sequence(high)


@settings(max_examples=150, deadline=None)
@given(PRESETS, ENGINES, st.integers(min_value=1, max_value=10**12), st.integers(min_value=1, max_value=64))
def test_inverse_questions_agree_with_forward(preset: str, engine: str, available: int, batch: int) -> None:
    plan = kv_plan(get_preset(preset).spec(), engine, "bf16" if engine != "llama.cpp" else "fp16")
    limit = 4_000_000
    longest = max_context(plan, available, batch, limit)
    if longest:
        assert plan.bytes_per_sequence(longest) * batch <= available
        if longest < limit:
            assert plan.bytes_per_sequence(longest + 1) * batch > available
    else:
        assert plan.bytes_per_sequence(1) * batch > available
    context = max(1, longest or 1)
    widest = max_batch(plan, available, context)
    per_sequence = plan.bytes_per_sequence(context)
    if per_sequence:
        assert widest * per_sequence <= available < (widest + 1) * per_sequence


def test_taf_memory_json_contract(capsys) -> None:
    code = main(["memory", "qwen3-8b", "--context", "40960", "--engine", "vllm", "--gpu", "H100", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    for key in ("weights_bytes", "kv_bytes_per_token", "kv_bytes", "total_bytes"):
        assert isinstance(data[key], int)
    assert data["kv_bytes_per_token"] == 147_456 and data["kv_bytes"] == 40960 * 147_456
    assert data["fits"] is True and data["max_batch"] >= 1


def test_taf_memory_text_names_gb_and_gib(capsys) -> None:
    code = main(
        [
            "memory",
            "gemma-2-9b",
            "--context",
            "8192",
            "--weights-dtype",
            "gguf-q4_k_m",
            "--engine",
            "llama.cpp",
            "--kv-dtype",
            "q8_0",
            "--gpu",
            "RTX 4090",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0 and " GB (" in out and "GiB)" in out and "sliding_attention" in out


@pytest.mark.parametrize(
    "argv,needle",
    [
        (["memory", "llama-3-8b", "--context", "4096", "--weights-dtype", "int5"], "weights format"),
        (["memory", "llama-3-8b", "--context", "4096", "--gpu", "TPU"], "unknown GPU"),
        (["memory", "llama-3-8b", "--context", "4096", "--gpu", "H10"], "did you mean 'H100 SXM'"),
        (["memory", "llama-3-8b", "--context", "4096", "--engine", "vlm"], "did you mean 'vllm'"),
        (["memory", "llama-3-8b", "--context", "4096", "--kv-dtype", "q4_0"], "llama.cpp"),
    ],
)
def test_taf_memory_errors(capsys, argv, needle) -> None:
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 1 and needle in err and err.count("\n") == 1
