"""The pure core bounds what reaches it from configs, catalogs and files: one ConfigError line, never a
traceback, a hang or a silent wrong number (regressions of measured defects, one section per defect class)."""

from __future__ import annotations

import json
import struct
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from support.diagnosis_files import diagnosis, reference_diagnosis
from tafagent.cli.main import main
from tafagent.core.catalogs import CATALOG_RANGES, default_catalogs
from tafagent.core.decay.diagnosis import Diagnosis
from tafagent.core.errors import ConfigError, WeightHeaderError
from tafagent.core.jsonsafe import MAX_JSON_DEPTH, loads_user_json
from tafagent.core.memory.activations import prefill_activation_bytes
from tafagent.core.memory.kv import kv_plan
from tafagent.core.memory.parallel import MAX_TP, kv_heads_per_gpu, valid_tp_sizes
from tafagent.core.memory.report import MAX_BATCH, memory_report
from tafagent.core.memory.serving import fewest_gpus
from tafagent.core.memory.weights import weight_format, weights_bytes
from tafagent.core.recipes.registry import run_recipe
from tafagent.core.spec.model_spec import ModelSpec
from tafagent.core.spec.presets import get_preset
from tafagent.core.spec.resolve import resolve_spec
from tafagent.core.spec.safetensors_header import (
    parse_safetensors_header,
    safetensors_header_from_json,
    summarize_safetensors,
)
from tafagent.core.spec.weights_summary import attach_header_weights

H100 = default_catalogs().gpu("H100")


def llama() -> ModelSpec:
    return get_preset("llama-3-8b").spec()


def one_line(error: pytest.ExceptionInfo[Any]) -> str:
    text: str = error.value.one_line()
    assert "\n" not in text and len(text) < 1000
    return text


# ---- 1. memory_report bounds its own arguments; bytes stay exact integers ---------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"batch": 10**308}, "batch"),  # was OverflowError
        ({"tp": 10**308, "gpu": H100}, "tp"),  # was ZeroDivisionError / OverflowError
        ({"batch": MAX_BATCH + 1}, "batch"),
        ({"tp": MAX_TP + 1}, "tp"),
        ({"batch": 1e20}, "batch"),  # a float is not a count
        ({"gpu_memory_utilization": "0.9", "gpu": H100}, "gpu_memory_utilization"),
        ({"gpu_memory_utilization": float("nan"), "gpu": H100}, "gpu_memory_utilization"),
    ],
)
def test_memory_report_refuses_absurd_arguments(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(ConfigError) as error:
        memory_report(llama(), 8192, **kwargs)
    assert error.value.field == field and len(one_line(error)) < 200


def test_activation_and_kv_bytes_are_exact_integers_at_the_bounds() -> None:
    spec, T = llama(), 2**34 - 1
    report = memory_report(spec, T, MAX_BATCH, attn_implementation="eager")
    # bf16 scores + fp32 cast and softmax: batch · heads · T² · (2 + 8) bytes, exactly (a float product was off)
    assert report.activation["attention_scores_bytes"] == MAX_BATCH * 32 * T * T * 10
    data = report.to_dict()
    assert isinstance(data["activation_bytes"], int) and isinstance(data["kv_bytes"], int)
    assert data["kv_bytes_per_sequence"] == 32 * 2 * 8 * 128 * 2 * T
    q8 = kv_plan(spec, "llama.cpp", "q8_0").bytes_per_sequence(T)  # 34/32 bytes per element
    assert q8 == 32 * 2 * 8 * 128 * 34 * (-(-T // 256) * 256) // 32


# ---- 2. tensor parallelism follows vLLM's rule --------------------------------------------------------------


def test_tp_must_divide_the_heads_and_replicate_whole_kv_heads() -> None:
    spec = llama()  # 32 query heads, 8 KV heads
    assert valid_tp_sizes(spec) == (1, 2, 4, 8, 16, 32)
    assert kv_heads_per_gpu(spec, 4) == 2 and kv_heads_per_gpu(spec, 16) == 1  # 16 GPUs: each KV head twice
    for tp in (3, 64, 1_000_000):  # 3 was accepted; 1,000,000 gave "1 KV heads", 0 GB/GPU and 14 M tok/s
        with pytest.raises(ConfigError) as error:
            memory_report(spec, 8192, tp=tp, gpu=H100)
        text = one_line(error)
        assert (error.value.field == "tp" and f"tp {tp}" in text) or "at most 1,024" in text
    with pytest.raises(ConfigError) as error:
        kv_plan(spec, "vllm", tp=3)
    assert "32 attention heads, 8 KV heads" in one_line(error) and "1, 2, 4, 8, 16, 32" in one_line(error)


def test_kv_heads_must_split_evenly_below_the_kv_count() -> None:
    spec = replace(llama(), n_heads=48, n_kv_heads=12)
    assert 8 not in valid_tp_sizes(spec)  # 48 % 8 == 0 but 12 % 8 != 0
    assert 24 in valid_tp_sizes(spec) and 16 not in valid_tp_sizes(spec)  # 24 = 2 × 12; 16 is no multiple


def test_mamba_and_mla_set_their_own_rules() -> None:
    assert memory_report(get_preset("mamba-2.8b").spec(), 4096, tp=3, gpu=H100).plan.tp == 3  # no heads to split
    mla = get_preset("deepseek-v2-lite").spec()  # 16 heads; the latent is replicated, not split
    assert valid_tp_sizes(mla) == (1, 2, 4, 8, 16)


def test_fewest_gpus_tries_only_valid_tp_sizes() -> None:
    spec = llama()
    weights = weights_bytes(spec, "bf16")
    # 3 GPUs would hold the load, but 3 cannot split 32 heads: it is skipped
    assert fewest_gpus(spec, H100, weights, "vllm", "auto", 200_000, 4, sizes=(3,)) is None
    found = fewest_gpus(spec, H100, weights, "vllm", "auto", 200_000, 4, sizes=(3, 5, 6, 8))
    assert found is not None and found["n_gpus"] == 8


# ---- 3. experts and θ are bounded ----------------------------------------------------------------------------


def mixtral_config(**changes: Any) -> dict[str, Any]:
    return {**get_preset("mixtral-8x7b").config, **changes}


@pytest.mark.parametrize(("experts", "needle"), [(0, "at least 2"), (1, "at least 2"), (100_000, "1,024")])
def test_expert_counts_are_bounded(experts: int, needle: str) -> None:
    with pytest.raises(ConfigError) as error:
        resolve_spec(mixtral_config(num_local_experts=experts))
    assert error.value.field == "num_local_experts" and needle in one_line(error)


def test_experts_per_token_cannot_exceed_the_experts() -> None:
    with pytest.raises(ConfigError) as error:
        resolve_spec(mixtral_config(num_experts_per_tok=9))
    assert error.value.field == "num_experts_per_tok"


def test_a_dense_type_may_state_zero_experts() -> None:
    config = {**get_preset("llama-3-8b").config, "num_local_experts": 0}
    assert resolve_spec(config).moe is None


@pytest.mark.parametrize("theta", [5e-324, 1e-300, 0.5, 2e13])
def test_rope_theta_is_bounded_in_configs(theta: float) -> None:
    with pytest.raises(ConfigError) as error:
        resolve_spec(mixtral_config(rope_theta=theta))
    assert error.value.field == "rope_theta"


def test_rope_theta_is_bounded_in_diagnosis_files() -> None:
    data = diagnosis()
    data["theta"] = 1e-300  # printed γ_Padé = −1
    with pytest.raises(ConfigError) as error:
        Diagnosis.from_any(data)
    assert "'theta'" in one_line(error)
    ref = reference_diagnosis()
    ref["theta_nom"] = 1e-300
    with pytest.raises(ConfigError):
        Diagnosis.from_any(ref)


def test_diagnose_refuses_a_tiny_theta_before_loading_anything(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:  # argparse's usage error
        main(["diagnose", "llama-3-8b", "--theta", "1e-300"])
    assert exited.value.code == 2
    assert "--theta" in capsys.readouterr().err


# ---- 4. hostile JSON: huge integers and deep nesting -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('{"hidden_size": ' + "9" * 5000 + "}", "5,000 digits"),  # was ValueError: Exceeds the limit (4300)
        ("[" * 100_000, "nested too deeply"),  # was RecursionError
        ("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1), "nested too deeply"),
        ("{", "not valid JSON (line 1"),
    ],
)
def test_user_json_errors_are_one_line(text: str, needle: str) -> None:
    with pytest.raises(ConfigError) as error:
        loads_user_json(text, "config.json", "config")
    assert needle in one_line(error) and "'config.json'" in one_line(error)


def test_safetensors_header_with_a_huge_integer_is_a_header_error() -> None:
    text = ('{"t": {"dtype": "F32", "shape": [' + "9" * 5000 + '], "data_offsets": [0, 4]}}').encode()
    with pytest.raises(WeightHeaderError, match="5,000 digits"):
        parse_safetensors_header(struct.pack("<Q", len(text)) + text)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("N",), 10**400),  # an integer beyond the float range
        (("results", "text", "n_prompts"), 10**60),
        (("results", "text", "seeds"), [10**60]),
        (("results", "text", "kl_grammar"), 10**400),  # float(10**400) raised OverflowError
    ],
)
def test_diagnosis_numbers_beyond_any_measurement_are_refused(path: tuple[str, ...], value: Any) -> None:
    data = diagnosis(gamma_random=None)
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(ConfigError) as error:
        Diagnosis.from_any(data)
    assert path[-1] in one_line(error) and len(one_line(error)) < 300


# ---- 5. catalog rows are physical ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("vram_GB", 1e308),  # was OverflowError
        ("bf16_tflops", 1e308),  # was OverflowError
        ("bf16_tflops", 1e-300),  # priced a token at $inf
        ("hbm_GB_per_s", 0.001),
        ("usd_per_hour", 1e9),
        ("tdp_W", -5),
        ("vram_GB", 10**400),
    ],
)
def test_catalog_gpu_fields_are_bounded(field: str, value: float) -> None:
    with pytest.raises(ConfigError) as error:
        default_catalogs().with_overrides({"gpus": [{"name": "H100 SXM", field: value}]}, origin="my.json")
    text = one_line(error)
    assert error.value.field == field and "'H100 SXM'" in text and "my.json" in text


def test_catalog_api_prices_are_bounded() -> None:
    row = {"name": "X", "input_usd_per_Mtok": 1e-300, "output_usd_per_Mtok": 1.0}
    with pytest.raises(ConfigError) as error:
        default_catalogs().with_overrides({"apis": [row]})
    assert error.value.field == "input_usd_per_Mtok"


def test_the_built_in_catalogs_are_inside_the_ranges() -> None:
    catalogs = default_catalogs()
    for row in (*(g.to_dict() for g in catalogs.gpus), *(a.to_dict() for a in catalogs.apis)):
        for field, (low, high) in CATALOG_RANGES.items():
            if row.get(field) is not None:
                assert low <= row[field] <= high, (row["name"], field)


def test_a_hostile_catalog_file_is_one_line_in_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    catalog = tmp_path / "c.json"
    catalog.write_text(json.dumps({"gpus": [{"name": "H100 SXM", "bf16_tflops": 1e-300}]}))
    assert main(["memory", "llama-3-8b", "--context", "8k", "--gpu", "H100", "--catalog", str(catalog)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "bf16_tflops" in err and "inf" not in err


# ---- 6. headers that do not add up are not the weight size -------------------------------------------------


def with_headers(spec: ModelSpec, tensors: dict[str, Any]) -> ModelSpec:
    header = safetensors_header_from_json({"__metadata__": {"format": "pt"}, **tensors})
    return attach_header_weights(spec, summarize_safetensors({"model.safetensors": header}, source="test headers"))


EMBEDDING_ONLY = {
    "model.embed_tokens.weight": {"dtype": "BF16", "shape": [128256, 4096], "data_offsets": [0, 2 * 128256 * 4096]}
}


@pytest.mark.parametrize("tensors", [{}, EMBEDDING_ONLY], ids=["no tensors", "6.5 % of the parameters"])
def test_headers_far_below_the_config_fall_back_to_the_config(tensors: dict[str, Any]) -> None:
    plain = llama()
    spec = with_headers(plain, tensors)
    report = memory_report(spec, 8192, gpu=H100)
    data = report.to_dict()
    assert data["weights_bytes"] == weights_bytes(plain).n_bytes  # 16 GB of bf16, not 0 or 1 GB
    assert data["weights"]["evidence"]["label"] == "derived"  # not "exact"
    assert data["throughput"] == memory_report(plain, 8192, gpu=H100).to_dict()["throughput"]
    assert any("not used as the weight size" in w for w in data["warnings"])
    assert any("differ by more than 1%" in w for w in data["warnings"])  # the existing mismatch warning too
    assert spec.to_dict()["warnings"] == list(spec.warnings) and len(spec.warnings) == 2


def test_headers_that_add_up_stay_exact_and_warning_free() -> None:
    data = memory_report(llama(), 8192).to_dict()
    assert data["warnings"] == []  # the key is always there, empty without a warning
    spec = replace(llama(), n_params=128256 * 4096)  # a config whose count the one tensor matches
    report = memory_report(with_headers(spec, EMBEDDING_ONLY), 8192)
    assert report.weights.format == "stored" and report.weights.evidence.label.value == "exact"
    assert report.weights.n_bytes == 2 * 128256 * 4096 and not report.warnings


# ---- 7. unknown dtypes are errors, never another width ------------------------------------------------------


@pytest.mark.parametrize("name", ["int3", "int2", "gptq-int3", "bf17"])
def test_unknown_weight_formats_list_the_known_ones(name: str) -> None:
    with pytest.raises(ConfigError) as error:
        weight_format(name)
    assert error.value.field == "weights_dtype" and "gguf-q4_k_m" in one_line(error)


def test_unknown_kv_and_activation_dtypes_are_errors() -> None:
    with pytest.raises(ConfigError) as error:
        kv_plan(llama(), "vllm", "int4")
    assert error.value.field == "kv_dtype"
    with pytest.raises(ConfigError) as error:  # was a KeyError traceback
        prefill_activation_bytes(llama(), 1024, dtype="int3")
    assert error.value.field == "dtype" and "bf16" in one_line(error)


# ---- 8. every model `taf spec` accepts is profiled ------------------------------------------------------------


@pytest.fixture(params=["bloom-560m", "mamba-2.8b"])
def config_dir(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """The real config.json of a preset whose config names no max positions, edited (vocabulary + 1) so that the
    table of known training lengths does not recognise it: a model with no position limit anywhere."""
    folder = tmp_path / request.param
    folder.mkdir()
    config = dict(get_preset(request.param).config)
    config["vocab_size"] += 1
    (folder / "config.json").write_text(json.dumps(config))
    return folder


def test_configs_without_max_positions_are_profiled(config_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["spec", str(config_dir), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["T_train"] is None
    assert main(["profile", str(config_dir), "--json"]) == 0  # was "parameter 'T_train' of X-22 needs a value"
    card = json.loads(capsys.readouterr().out)
    x22 = card["recipes"]["X-22"]
    assert x22["verdict"] == "NOT APPLICABLE" and "T_train" in x22["reason"]
    assert main(["compare", str(config_dir), "llama-3-8b", "--recipe", "X-22", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert rows[0]["verdict"] == "NOT APPLICABLE" and rows[1]["verdict"] != "NOT APPLICABLE"


def test_a_missing_model_input_can_be_given(config_dir: Path) -> None:
    spec = resolve_spec(json.loads((config_dir / "config.json").read_text()), "m")
    assert run_recipe("X-22", model=spec).caveats == ("missing_T_train",)
    assert run_recipe("X-22", {"T_train": 2048}, model=spec).verdict != "NOT APPLICABLE"
