"""The per-engine speed model: golden values from the shipped H200 measurements and physical properties."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tafagent.core import resolve_spec
from tafagent.core.catalogs import default_catalogs
from tafagent.core.errors import UsageError
from tafagent.core.memory.kv import kv_plan
from tafagent.core.memory.speed import decode_throughput, efficiency_range, prefill_seconds, speed_engine
from tafagent.core.memory.speed_fit import calibration, fitted, refit_all
from tafagent.core.memory.weights import weights_bytes
from tafagent.core.spec.model_spec import ModelSpec
from tafagent.core.spec.presets import get_preset
from tafagent.core.validation.catalog import law_report

# Meta-Llama-3-8B as measured in shared/data/serving_calibration/h200_transformers.json (transformers 5.17, H200)
LLAMA3_8B = {
    "model_type": "llama",
    "hidden_size": 4096,
    "intermediate_size": 14336,
    "num_hidden_layers": 32,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "vocab_size": 128256,
    "rope_theta": 500000.0,
    "max_position_embeddings": 8192,
    "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
}
MEASURED_S_PER_STEP = {1: 0.020124, 16: 0.021186}  # HF generate, 512-token prompts


def _llama(**changes: int) -> ModelSpec:
    return resolve_spec({**LLAMA3_8B, **changes}, "meta-llama/Meta-Llama-3-8B")


def _decode(
    spec: ModelSpec,
    gpu: str = "H200",
    engine: str = "transformers",
    *,
    batch: int = 1,
    context: int = 544,
    tp: int = 1,
    gpu_layers: int | None = None,
) -> dict[str, Any]:
    """decode_throughput with the engine's own KV plan (SGLang pages like vLLM)."""
    plan = kv_plan(spec, {"sglang": "vllm"}.get(engine, engine))
    g = default_catalogs().gpu(gpu)
    return decode_throughput(spec, g, weights_bytes(spec), plan, context, batch, tp, engine, gpu_layers)


@pytest.mark.parametrize("batch", [1, 16])
def test_transformers_llama3_8b_on_h200_matches_the_measured_step(batch: int) -> None:
    data = _decode(_llama(), batch=batch, context=530)
    measured = MEASURED_S_PER_STEP[batch]
    loo = data["basis"]["mape_loo"]
    assert abs(data["step_seconds"] / measured - 1.0) <= loo
    low, high = data["step_seconds_range"]
    assert low <= measured <= high
    tok_low, tok_high = data["expected_tok_s_range"]
    assert tok_low <= batch / measured <= tok_high
    assert data["bound"] == "overhead" and data["engine"] == "transformers"
    # the old defect: 184–231 tok/s at B=1 (bandwidth ceiling × 0.62–0.78); the ceiling is still reported
    assert data["ceiling_tok_s"] > 4 * tok_high


def test_returned_dict_keeps_the_contract_keys() -> None:
    data = _decode(_llama(), engine="vllm")
    for key in (
        "bytes_per_step",
        "bound",
        "ceiling_tok_s",
        "ceiling_tok_s_per_sequence",
        "expected_tok_s_range",
        "step_seconds_range",
        "engine",
        "basis",
        "evidence",
        "efficiency_range",
    ):
        assert key in data
    assert set(data["basis"]) >= {"measurements", "mape_loo", "sources"}
    assert data["evidence"]["label"] == "fitted" and data["evidence"]["n"] == data["basis"]["measurements"]
    json.dumps(data)  # strict JSON
    p = prefill_seconds(_llama(), default_catalogs().gpu("H200"), 4096, engine="transformers")
    for key in ("flops", "floor_seconds", "expected_seconds_range", "engine", "basis", "evidence", "mfu_range"):
        assert key in p


def test_transformers_prefill_matches_a_measured_row() -> None:
    p = prefill_seconds(_llama(), default_catalogs().gpu("H200"), 4096, batch=4, engine="transformers")
    low, high = p["expected_seconds_range"]
    assert low <= 0.5088 <= high  # measured B=4, L=4096
    longer = prefill_seconds(_llama(), default_catalogs().gpu("H200"), 16384, batch=4, engine="transformers")
    assert longer["expected_seconds"] > p["expected_seconds"]


def _flat(obj: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(obj, dict):
        return {k: v for key, value in obj.items() for k, v in _flat(value, f"{prefix}{key}.").items()}
    if isinstance(obj, list):
        return {k: v for i, value in enumerate(obj) for k, v in _flat(value, f"{prefix}{i}.").items()}
    return {prefix: obj}


def test_stored_constants_are_what_a_refit_gives() -> None:
    stored, refit = _flat(calibration()["fitted"]), _flat(refit_all())
    assert stored.keys() == refit.keys()
    for key, value in stored.items():
        same = value == pytest.approx(refit[key], rel=1e-6) if isinstance(value, float) else value == refit[key]
        assert same, key


def test_leave_one_out_decode_error_meets_the_target_per_engine() -> None:
    report = law_report("speed")
    for engine in ("transformers", "vllm", "llama.cpp"):
        assert report.fitted[f"{engine}_decode"]["mape_loo"] <= 0.25
    assert report.primary.n > 0 and report.support in ("backs", "mixed")


def test_more_layers_means_more_host_overhead_in_eager_transformers() -> None:
    shallow = _decode(_llama(num_hidden_layers=16))
    deep = _decode(_llama(num_hidden_layers=48))
    assert deep["step_parts_s"]["host_s"] == pytest.approx(3 * shallow["step_parts_s"]["host_s"])
    assert deep["step_seconds"] > shallow["step_seconds"]


def test_tensor_parallelism_splits_bytes_and_adds_all_reduces() -> None:
    one = _decode(_llama(), gpu="H100 SXM", engine="vllm")
    two = _decode(_llama(), gpu="H100 SXM", engine="vllm", tp=2)
    assert two["step_parts_s"]["gpu_s"] == pytest.approx(one["step_parts_s"]["gpu_s"] / 2)
    assert one["step_parts_s"]["all_reduce_s"] == 0 < two["step_parts_s"]["all_reduce_s"]
    assert two["step_seconds"] < one["step_seconds"]
    pcie = _decode(_llama(), gpu="L40S", engine="vllm", tp=2)  # PCIe only: slower all-reduce than NVLink
    assert pcie["step_parts_s"]["all_reduce_s"] > two["step_parts_s"]["all_reduce_s"]


def test_catalog_gpus_carry_their_interconnect() -> None:
    h200, l40s = default_catalogs().gpu("H200"), default_catalogs().gpu("L40S")
    assert h200.link_GB_per_s == h200.nvlink_GB_per_s == 450 and "NVLink" in h200.interconnect_source
    assert l40s.nvlink_GB_per_s is None and l40s.link_GB_per_s == l40s.pcie_GB_per_s == 32
    faster = default_catalogs().with_overrides({"gpus": [{"name": "L40S", "pcie_GB_per_s": 64}]})
    assert faster.gpu("L40S").pcie_GB_per_s == 64 and faster.gpu("L40S").hbm_GB_per_s == l40s.hbm_GB_per_s


def test_a_gpu_without_a_link_figure_cannot_be_timed_in_tensor_parallel() -> None:
    toy = {"name": "Toy", "bf16_tflops": 100, "vram_GB": 24, "hbm_GB_per_s": 900, "usd_per_hour": None}
    cats = default_catalogs().with_overrides({"gpus": [toy]}, "toy.json")
    spec = _llama()
    with pytest.raises(UsageError) as info:
        decode_throughput(spec, cats.gpu("Toy"), weights_bytes(spec), kv_plan(spec, "vllm"), 1024, tp=2)
    assert "nvlink_GB_per_s" in info.value.one_line()


@pytest.mark.parametrize("engine", ["transformers", "vllm", "sglang", "llama.cpp"])
def test_step_time_is_monotone_in_batch_and_context(engine: str) -> None:
    spec = _llama()
    steps = [_decode(spec, engine=engine, batch=b)["step_seconds"] for b in (1, 8, 64, 256)]
    assert steps == sorted(steps)
    rates = [_decode(spec, engine=engine, batch=b)["expected_tok_s_range"][1] for b in (1, 8, 64, 256)]
    assert rates == sorted(rates)
    contexts = [_decode(spec, engine=engine, batch=16, context=c)["step_seconds"] for c in (512, 8192, 65536)]
    assert contexts == sorted(contexts)


def test_moe_reads_fewer_bytes_and_decodes_faster_than_all_experts() -> None:
    spec = get_preset("mixtral-8x7b").spec()
    one = _decode(spec, engine="vllm", batch=1)
    many = _decode(spec, engine="vllm", batch=64)
    assert one["bytes_per_step"]["weights_bytes_read"] < many["bytes_per_step"]["weights_bytes_read"]
    assert one["bytes_per_step"]["expert_fraction_read"] == pytest.approx(2 / 8)
    low, high = one["expected_tok_s_range"]
    assert low < high < one["ceiling_tok_s"]


def test_llama_cpp_partial_offload_reads_cpu_layers_at_system_memory_bandwidth() -> None:
    spec = _llama()
    full = _decode(spec, gpu="RTX 4090", engine="llama.cpp")
    half = _decode(spec, gpu="RTX 4090", engine="llama.cpp", gpu_layers=16)
    assert half["gpu_layer_fraction"] == 0.5
    assert half["step_seconds"] > 5 * full["step_seconds"]  # ~90 GB/s DDR5 vs ~1 TB/s GDDR6X
    for bad in (-1, 33, 2.5):
        with pytest.raises(UsageError):
            _decode(spec, engine="llama.cpp", gpu_layers=bad)
    with pytest.raises(UsageError):
        _decode(spec, engine="vllm", gpu_layers=8)


def test_engine_names() -> None:
    assert speed_engine("HF") == "transformers" and speed_engine("llamacpp") == "llama.cpp"
    with pytest.raises(UsageError) as info:
        speed_engine("tgi")
    assert "sglang" in info.value.one_line()
    assert fitted("sglang", "decode").borrowed_from == "vllm"


def test_engines_differ_where_their_execution_differs() -> None:
    spec = _llama()
    eager = _decode(spec, engine="transformers")
    graphs = _decode(spec, engine="vllm")
    assert eager["step_seconds"] > 3 * graphs["step_seconds"]  # per-layer Python launches vs CUDA graphs


def test_efficiency_range_is_a_fraction_of_the_ceiling() -> None:
    for kind in ("decode_efficiency", "prefill_mfu"):
        low, high, n = efficiency_range(kind)
        assert 0 < low <= high <= 1 and n >= 3
