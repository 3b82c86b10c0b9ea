"""Property tests over every recipe's documented domain: no exception, strict JSON, documented verdicts.

Values are drawn inside each parameter's declared range (from the registry itself, so a new parameter is
covered automatically); out-of-range draws must raise a ParameterError naming the parameter.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tafagent.core.card import CardOptions, profile
from tafagent.core.catalogs import default_catalogs
from tafagent.core.manual import spec_from_reference_inputs
from tafagent.core.recipes import ParameterError, list_recipes, run_recipe
from tafagent.core.recipes.base import Param

VERDICTS = {
    "X-1": {"YES (custom)", "NO (API)", "NO"},
    "X-2": {"YES", "DEGRADED", "NO", "NOT APPLICABLE"},
    "X-3": {"GO", "MEMORY-LIMITED", "TINY-MODEL"},
    "X-5": {"YES", "NO"},
    "X-19": {
        "USE SOFT DECAY",
        "USE D_f HARD CUTOFF",
        "USE SOFT DECAY (caveat)",
        "USE LITERATURE METHODS",
        "USE HARD T_train CUTOFF",
        "NOT APPLICABLE",
    },
    "X-21": {"CLEAN", "OVER-IMPRINTED", "UNDER-IMPRINTED", "PREDICTION ONLY", "NOT APPLICABLE"},
    "X-22": {"IN-BAND", "OUTLIER", "NEEDS MEASUREMENT"},
    "X-23": {"CONFIRMED PRE-IH", "CONFIRMED POST-IH", "ANOMALY", "PREDICTED PRE-IH", "PREDICTED POST-IH"},
}
# Realistic upper bounds for drawing (the declared maxima are absurdity guards, e.g. 1e15 parameters).
PRACTICAL_MAX = {
    "n_params": 2e12,
    "N_params": 2e12,
    "T_eval": 10**8,
    "T_train": 10**8,
    "theta": 1e9,
    "n_gpus": 4096,
    "USD_budget": 1e9,
    "target_tokens_per_day": 1e13,
    "concurrent_users": 10_000,
    "n_layers": 200,
    "n_attention_heads": 256,
    "n_kv_heads": 256,
    "d_head": 512,
    "D_tokens": 1e14,
    "monthly_tokens_M": 1e7,
    "gpu_usd_per_hour": 100,
}


def value_strategy(p: Param) -> st.SearchStrategy[Any]:
    if p.kind == "bool":
        return st.booleans()
    if p.kind == "str":
        if p.options:
            return st.sampled_from([o for o in p.options if o not in ("stored", "q8_0", "q4_0")])
        if p.choices == "gpu":
            return st.sampled_from([g.name for g in default_catalogs().gpus if g.usd_per_hour is not None])
        return st.sampled_from([a.name for a in default_catalogs().apis])
    low = p.minimum if p.minimum is not None else -1e6
    high = min(p.maximum if p.maximum is not None else 1e6, PRACTICAL_MAX.get(p.name, math.inf))
    if p.kind == "int":
        return st.integers(min_value=int(low) + (1 if p.exclusive_minimum else 0), max_value=int(high))
    return st.floats(min_value=low, max_value=high, exclude_min=p.exclusive_minimum, allow_nan=False)


@st.composite
def recipe_inputs(draw: st.DrawFn, recipe_id: str) -> dict[str, Any]:
    recipe = next(r for r in list_recipes() if r.id == recipe_id)
    values: dict[str, Any] = {}
    for p in recipe.params:
        if p.unused or draw(st.booleans()):
            continue  # keep the default
        if p.optional and draw(st.booleans()):
            values[p.name] = None
            continue
        values[p.name] = draw(value_strategy(p))
    if "n_kv_heads" in values and "n_attention_heads" in values:
        values["n_kv_heads"] = min(values["n_kv_heads"], values["n_attention_heads"])
    if recipe_id in ("X-1", "X-3") and values.get("gpu") == "RTX 5060Ti":
        values["gpu_usd_per_hour"] = 0.3
    return values


def check_result(recipe_id: str, result) -> None:
    assert result.verdict in VERDICTS[recipe_id], result.verdict
    text = json.dumps(result.to_dict(), allow_nan=False)
    assert "NaN" not in text and "Infinity" not in text
    for step in result.chain:
        if isinstance(step.result, float):
            assert math.isfinite(step.result), step.name


@pytest.mark.parametrize("recipe_id", sorted(VERDICTS))
def test_recipe_domain(recipe_id: str) -> None:
    @settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(recipe_inputs(recipe_id))
    def inner(values: dict[str, Any]) -> None:
        try:
            result = run_recipe(recipe_id, values)
        except ParameterError as error:
            # Only cross-parameter constraints may still fail (e.g. KV heads above query heads).
            assert error.field in ("n_kv_heads", "gpu_usd_per_hour"), error.one_line()
            return
        check_result(recipe_id, result)

    inner()


@settings(max_examples=150, deadline=None)
@given(
    theta=st.floats(min_value=1.0, max_value=1e9),
    T_train=st.integers(min_value=1, max_value=10**7),
    heads=st.sampled_from([1, 2, 4, 8, 16, 32, 64]),
    group=st.sampled_from([1, 2, 4, 8]),
    d_head=st.sampled_from([32, 64, 128, 256]),
    n_layers=st.integers(min_value=1, max_value=128),
    n_params=st.floats(min_value=1e6, max_value=1e12),
    has_swa=st.booleans(),
    T_eval=st.one_of(st.none(), st.integers(min_value=1, max_value=10**7)),
    gamma_obs=st.one_of(st.none(), st.floats(min_value=-2, max_value=3)),
)
def test_card_never_fails(theta, T_train, heads, group, d_head, n_layers, n_params, has_swa, T_eval, gamma_obs) -> None:
    kv = max(1, heads // group)
    spec = spec_from_reference_inputs(theta, T_train, heads, kv, d_head, n_layers, n_params, has_swa)
    card = profile(spec, CardOptions(T_eval=T_eval, gamma_obs=gamma_obs))
    json.dumps(card.to_dict(), allow_nan=False)
    for rid, result in card.recipes.items():
        check_result(rid, result)


def test_x1_with_a_vanishing_volume_is_strict_json_and_says_never() -> None:
    """Found by hypothesis: 2.2e-308 M tokens/month made the break-even months overflow to inf."""
    result = run_recipe("X-1", {"monthly_tokens_M": 2.2250738585072014e-308, "api_output_usd_per_Mtok": 0.0})
    json.dumps(result.to_dict(), allow_nan=False)
    assert "inf" not in result.reason


def test_parameter_names_match_in_any_case_everywhere() -> None:
    """run_recipe accepted 'T_EVAL' but the theta check and compare matched names exactly."""
    from tafagent.core.compare import compare
    from tafagent.core.spec.presets import get_preset

    bloom = get_preset("bloom-560m").spec()
    assert (
        run_recipe("X-2", {"Theta": 10000}, model=bloom).verdict
        == run_recipe("X-2", {"theta": 10000}, model=bloom).verdict
    )
    specs = [get_preset("llama-3-8b").spec(), get_preset("mistral-7b").spec()]
    assert compare(specs, "X-2", {"t_eval": 1000}).rows[0][1].inputs["T_eval"] == 1000


def test_kv_step_with_a_width_no_dtype_has_counts_those_bytes() -> None:
    """bytes_per_element = 0.5 with a model was silently counted as bf16 (2 bytes)."""
    from tafagent.core.spec.presets import get_preset

    spec = get_preset("llama-3-8b").spec()
    half = run_recipe("X-2", {"T_eval": 32000, "bytes_per_element": 0.5}, model=spec)
    full = run_recipe("X-2", {"T_eval": 32000, "bytes_per_element": 2}, model=spec)
    kv = [next(s for s in r.chain if "KV" in s.name).result["GB"] for r in (half, full)]
    assert kv[0] == pytest.approx(kv[1] / 4)
