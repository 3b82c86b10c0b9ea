"""Malformed configs give a project error that names the field — never a traceback, never a silent guess."""

from __future__ import annotations

import copy
import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tafagent.core import ConfigError, TafError, resolve_spec
from tafagent.core.spec.model_spec import FAMILIES
from tafagent.core.spec.presets import list_presets


@pytest.mark.parametrize(
    "change,field",
    [
        ({"num_hidden_layers": None}, "num_hidden_layers"),
        ({"num_hidden_layers": 0}, "num_hidden_layers"),
        ({"num_hidden_layers": -3}, "num_hidden_layers"),
        ({"num_hidden_layers": "32"}, "num_hidden_layers"),
        ({"num_hidden_layers": 32.5}, "num_hidden_layers"),
        ({"num_hidden_layers": True}, "num_hidden_layers"),
        ({"num_hidden_layers": 10**9}, "num_hidden_layers"),
        ({"hidden_size": float("nan")}, "hidden_size"),
        ({"num_key_value_heads": 5}, "num_key_value_heads"),
        ({"num_attention_heads": 0}, "num_attention_heads"),
        ({"hidden_size": 4097}, "hidden_size"),
        ({"rope_theta": -1}, "rope_theta"),
        ({"rope_theta": "big"}, "rope_theta"),
        ({"vocab_size": None}, "vocab_size"),
        ({"intermediate_size": None}, "intermediate_size"),
        ({"rope_scaling": {"type": "linear"}}, "rope_scaling"),
        ({"rope_scaling": {"factor": 2.0}}, "rope_scaling"),
        ({"rope_scaling": {"type": "linear", "factor": -2.0}}, "rope_scaling.factor"),
        ({"rope_scaling": "yarn"}, "rope_scaling"),
        ({"layer_types": ["full_attention"] * 3}, "layer_types"),
        ({"model_type": 7}, "model_type"),
        ({"architectures": "LlamaForCausalLM"}, "architectures"),
        ({"torch_dtype": 16}, "torch_dtype"),
    ],
)
def test_bad_field_is_named(llama_config: dict[str, Any], change: dict[str, Any], field: str) -> None:
    config = {**llama_config, **change}
    config = {k: v for k, v in config.items() if not (k in change and change[k] is None)}
    with pytest.raises(ConfigError) as info:
        resolve_spec(config, "bad")
    assert info.value.field == field or field in info.value.message, info.value.message
    assert "\n" not in info.value.one_line()
    assert info.value.hint


def test_not_an_object() -> None:
    for value in ([], "config", 3, None):
        with pytest.raises(ConfigError):
            resolve_spec(value, "bad")  # type: ignore[arg-type]


def test_whole_number_floats_are_accepted(llama_config: dict[str, Any]) -> None:
    spec = resolve_spec({**llama_config, "num_hidden_layers": 32.0}, "ok")
    assert spec.n_layers == 32 and isinstance(spec.n_layers, int)


# ---------------------------------------------------------------------------------------------
# Property tests: thousands of mutated real configs.
# ---------------------------------------------------------------------------------------------
BASE_CONFIGS = [p.config for p in list_presets()]

junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.lists(st.integers(min_value=-5, max_value=5), max_size=4),
    st.dictionaries(
        st.sampled_from(["type", "rope_type", "factor", "alibi", "rope_theta"]),
        st.one_of(st.none(), st.floats(), st.text(max_size=5), st.integers()),
        max_size=3,
    ),
)


@st.composite
def mutated_config(draw: st.DrawFn) -> dict[str, Any]:
    config = copy.deepcopy(draw(st.sampled_from(BASE_CONFIGS)))
    keys = sorted(config)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        action = draw(st.sampled_from(["set", "delete", "add"]))
        if action == "delete" and keys:
            config.pop(draw(st.sampled_from(keys)), None)
        elif action == "set" and keys:
            config[draw(st.sampled_from(keys))] = draw(junk)
        else:
            key = draw(
                st.sampled_from(
                    [
                        "sliding_window",
                        "use_sliding_window",
                        "head_dim",
                        "num_key_value_heads",
                        "rope_scaling",
                        "rope_parameters",
                        "layer_types",
                        "text_config",
                        "multi_query",
                        "alibi",
                        "partial_rotary_factor",
                        "rotary_dim",
                        "num_local_experts",
                        "num_experts_per_tok",
                        "kv_lora_rank",
                        "quantization_config",
                        "max_position_embeddings",
                        "tie_word_embeddings",
                        "attn_config",
                        "n_inner",
                    ]
                )
            )
            config[key] = draw(junk)
    return config


def _assert_clean(spec: Any) -> None:
    assert spec.family in FAMILIES
    for name, value in spec.to_dict().items():
        if isinstance(value, float):
            assert math.isfinite(value), name
    assert spec.n_params > 0 and spec.n_params_active <= spec.n_params
    json.dumps(spec.to_dict(), allow_nan=False)


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_config())
def test_mutated_configs_never_crash(config: dict[str, Any]) -> None:
    try:
        spec = resolve_spec(config, "fuzz")
    except TafError as error:
        assert error.message and "\n" not in error.one_line()
        return
    _assert_clean(spec)


@settings(max_examples=500, deadline=None)
@given(st.dictionaries(st.text(max_size=12), junk, max_size=12))
def test_arbitrary_dicts_never_crash(config: dict[str, Any]) -> None:
    try:
        spec = resolve_spec(config, "fuzz")
    except TafError:
        return
    _assert_clean(spec)


def test_non_finite_values_inside_quantization_config_stay_out_of_the_json() -> None:
    """Found by hypothesis: a quantization_config holding Infinity leaked into the spec's JSON."""
    config = {
        "model_type": "bloom",
        "hidden_size": 1024,
        "n_layer": 24,
        "n_head": 16,
        "vocab_size": 250880,
        "quantization_config": {"type": float("inf")},
    }
    spec = resolve_spec(config, "fuzz")
    json.dumps(spec.to_dict(), allow_nan=False)
