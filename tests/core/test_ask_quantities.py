"""Reading names and numbers: models (presets, Hub ids, loose forms, typos), GPUs, APIs, lengths, sizes,
money and volumes, and the conversions into each recipe's units."""

from __future__ import annotations

import math

import pytest

from tafagent.core.ask import route
from tafagent.core.ask.numerals import parse_cn, to_float
from tafagent.core.ask.quantities import per_day, per_month

L3 = "meta-llama/Meta-Llama-3-8B"


@pytest.mark.parametrize(
    ("text", "lang", "value"),
    [
        ("32,000", "en", 32000),
        ("32,768", "fr", 32768),
        ("0,85", "es", 0.85),
        ("1,5", "fr", 1.5),
        ("5.000", "es", 5000),
        ("5.000", "en", 5.0),
        ("5 000", "fr", 5000),
        ("1.000.000", "en", 1e6),
        ("8e9", "en", 8e9),
        ("1,234.5", "en", 1234.5),
    ],
)
def test_to_float_separators(text: str, lang: str, value: float) -> None:
    assert math.isclose(to_float(text, lang), value)


def test_to_float_small_decimals_accept_a_comma() -> None:
    assert to_float("1,045", "es", decimal_dot=True) == 1.045


@pytest.mark.parametrize(
    ("text", "value"), [("五千", 5000), ("三万二千", 32000), ("一亿五千万", 1.5e8), ("十亿", 1e9), ("两万", 20000)]
)
def test_chinese_numerals(text: str, value: float) -> None:
    assert parse_cn(text) == value


# ---- lengths: 32K means 32,000 (the reference's own examples), and the router says so
@pytest.mark.parametrize(
    ("question", "T_eval"),
    [
        ("Can Llama 3 8B handle 32K?", 32000),
        ("Can Llama 3 8B handle 32k tokens?", 32000),
        ("Can Llama 3 8B handle a 32,000-token context?", 32000),
        ("Can Llama 3 8B handle 128k context?", 128000),
        ("Can Llama 3 8B handle a 1M context?", 1000000),
        ("Can Llama 3 8B handle 32 thousand tokens of context?", 32000),
        ("Can Llama 3 8B handle 32768 tokens?", 32768),
        ("Can Llama 3 8B handle a context of 20000?", 20000),
    ],
)
def test_context_lengths(question: str, T_eval: int) -> None:
    r = route(question)
    assert r.recipe_id == "X-2"
    assert r.params["T_eval"] == T_eval
    assert isinstance(r.params["T_eval"], int)


def test_k_suffix_is_decimal_and_reported() -> None:
    r = route("Will Llama 3 8B handle 32K context?")
    note = next(n for n in r.notes if n.key == "k_decimal")
    assert note.values["value"] == 32000
    plain = route("Will Llama 3 8B handle 32768 tokens of context?")
    assert not any(n.key == "k_decimal" for n in plain.notes)


# ---- sizes
@pytest.mark.parametrize(
    ("question", "size"),
    [
        ("Should I train my own 7B model or use GPT-4o at 10M tokens a month?", 7e9),
        ("Should I train my own 70b params model or use GPT-4o at 10M tokens a month?", 7e10),
        ("Should I train my own 8e9 parameter model or use GPT-4o at 10M tokens a month?", 8e9),
        ("Should I train my own 1.5B model or use GPT-4o at 10M tokens a month?", 1.5e9),
        ("Should I train my own 400M model or use GPT-4o at 10M tokens a month?", 4e8),
    ],
)
def test_model_sizes(question: str, size: float) -> None:
    r = route(question)
    assert r.recipe_id == "X-1"
    assert r.params["N_params"] == size


# ---- money
@pytest.mark.parametrize(
    ("question", "budget", "note"),
    [
        ("What can I train with $5,000?", 5000, None),
        ("What can I train with 5k USD?", 5000, None),
        ("What can I train with €5000?", 5000, "fx"),
        ("What can I train with a budget of 5000?", 5000, "no_currency"),
        ("What can I train with $1.5M?", 1.5e6, None),
        ("What can I train with 5000 dollars?", 5000, None),
        ("What can I train with £20,000?", 20000, "fx"),
    ],
)
def test_money(question: str, budget: float, note: str | None) -> None:
    r = route(question)
    assert r.recipe_id == "X-3"
    assert r.params["USD_budget"] == budget
    keys = {n.key for n in r.notes}
    if note:
        assert note in keys
    else:
        assert not {"fx", "no_currency"} & keys


def test_foreign_currency_is_not_converted() -> None:
    r = route("What can I train with €5000?")
    note = next(n for n in r.notes if n.key == "fx")
    assert note.values["currency"] == "EUR" and note.values["value"] == 5000


# ---- volumes, converted to each recipe's unit (a month counts 30 days)
@pytest.mark.parametrize(
    ("question", "monthly_M", "note"),
    [
        ("Train my own 8B model or use GPT-4o at 50 million tokens a month?", 50, None),
        ("Train my own 8B model or use GPT-4o at 1B tokens per month?", 1000, None),
        ("Train my own 8B model or use GPT-4o at 100M tokens/day?", 3000, "to_month"),
        ("Train my own 8B model or use GPT-4o at 12B tokens a year?", 1000, "to_month"),
        ("Train my own 8B model or use GPT-4o for 50M tokens?", 50, "no_period_month"),
    ],
)
def test_volumes_for_x1(question: str, monthly_M: float, note: str | None) -> None:
    r = route(question)
    assert r.recipe_id == "X-1"
    assert math.isclose(r.params["monthly_tokens_M"], monthly_M)
    if note:
        assert note in {n.key for n in r.notes}


@pytest.mark.parametrize(
    ("question", "per_day_tokens"),
    [
        ("Which GPU serves Llama 3 8B at 100M tokens/day?", 1e8),
        ("Which GPU serves Llama 3 8B at 3B tokens a month?", 1e8),
        ("Which GPU serves Llama 3 8B at 1000 tokens per second?", 8.64e7),
        ("Which GPU serves Llama 3 8B at a million tokens a day?", 1e6),
    ],
)
def test_volumes_for_x5(question: str, per_day_tokens: float) -> None:
    r = route(question)
    assert r.recipe_id == "X-5"
    assert math.isclose(r.params["target_tokens_per_day"], per_day_tokens)


def test_period_conversions() -> None:
    assert per_day(3e9, "month") == 1e8
    assert per_month(1e8, "day") == 3e9
    assert per_day(1000, "second") == 8.64e7


# ---- GPUs and APIs from the catalogs
@pytest.mark.parametrize(
    ("text", "gpu"),
    [
        ("H100", "H100 SXM"),
        ("H100 PCIe", "H100 PCIe"),
        ("A100 80GB", "A100 80GB"),
        ("A100 40GB", "A100 40GB"),
        ("RTX 4090", "RTX 4090"),
        ("MI300X", "MI300X"),
        ("H200", "H200"),
        ("B200", "B200"),
        ("L40S", "L40S"),
        ("4 x H100s", "H100 SXM"),
    ],
)
def test_gpu_names(text: str, gpu: str) -> None:
    r = route(f"What can I train with $20,000 on {text}?")
    assert r.recipe_id == "X-3"
    assert r.params["gpu"] == gpu


def test_gpu_counts() -> None:
    assert route("What can $20,000 train on 8x H100?").params["n_gpus"] == 8
    assert route("What can $20,000 train on 8 H100s?").params["n_gpus"] == 8
    assert route("What can $20,000 train on H100 x 4?").params["n_gpus"] == 4
    assert route("What can $20,000 train with 16 GPUs?").params["n_gpus"] == 16


def test_unknown_gpu_is_reported_not_guessed() -> None:
    r = route("What can I train with $20,000 on V100s?")
    assert "gpu" not in r.params
    assert any(n.key == "unknown_gpu" for n in r.notes)


@pytest.mark.parametrize(
    ("text", "api", "loose"),
    [
        ("GPT-4o", "GPT-4o", False),
        ("gpt-4o-mini", "GPT-4o-mini", False),
        ("Claude Sonnet", "Claude-Sonnet-4", False),
        ("Claude 3.5 Sonnet", "Claude-Sonnet-4", True),
        ("Claude Opus 4", "Claude-Opus-4", False),
        ("DeepSeek-V3", "DeepSeek-V3", False),
        ("deepseek v3", "DeepSeek-V3", False),
        ("Gemini 1.5 Pro", "Gemini-1.5-Pro", False),
        ("ChatGPT", "GPT-4o", True),
    ],
)
def test_api_names(text: str, api: str, loose: bool) -> None:
    r = route(f"Should I train my own 8B model or use {text} at 100M tokens a month?")
    assert r.recipe_id == "X-1"
    assert r.params["api_model"] == api
    assert any(n.key == "loose_api" for n in r.notes) == loose


# ---- model names
@pytest.mark.parametrize(
    ("text", "model", "loose"),
    [
        ("Meta-Llama-3-8B", L3, False),
        ("meta-llama/Meta-Llama-3-8B", L3, False),
        ("llama 3 8b", L3, False),
        ("Llama3-8B", L3, False),
        ("LLAMA-3-8B", L3, False),
        ("llama-3-8b-instruct", L3, False),
        ("lama 3 8b", L3, True),
        ("Llama-3-8", L3, True),
        ("mistral 7b", "mistralai/Mistral-7B-v0.1", False),
        ("mistrall 7b", "mistralai/Mistral-7B-v0.1", True),
        ("Mistral", "mistralai/Mistral-7B-v0.1", True),
        ("qwen2.5 7b", "Qwen/Qwen2.5-7B", False),
        ("Qwen 2.5 7B", "Qwen/Qwen2.5-7B", False),
        ("llama 3.1 8b", "meta-llama/Llama-3.1-8B", False),
        ("llama3.1:8b", "meta-llama/Llama-3.1-8B", False),
        ("Mixtral 8x7B", "mistralai/Mixtral-8x7B-v0.1", False),
        ("Phi-3 mini", "microsoft/Phi-3-mini-4k-instruct", False),
        ("gemma 2 9b it", "google/gemma-2-9b-it", False),
        ("DeepSeek-V2-Lite", "deepseek-ai/DeepSeek-V2-Lite", False),
        ("gpt-2", "openai-community/gpt2", False),
    ],
)
def test_model_names(text: str, model: str, loose: bool) -> None:
    r = route(f"Will {text} handle 16k context?")
    assert r.model == model
    assert r.model_is_preset
    assert any(n.key == "loose_model" for n in r.notes) == loose


def test_hub_id_that_is_not_a_preset_is_kept_as_an_id() -> None:
    r = route("Can Qwen/Qwen2.5-32B-Instruct handle 64k context?")
    assert r.model == "Qwen/Qwen2.5-32B-Instruct"
    assert not r.model_is_preset
    assert r.params == {"T_eval": 64000}


def test_units_with_a_slash_are_not_hub_ids() -> None:
    r = route("Which GPU serves Llama 3 8B at 100M tokens/day and 20 tok/s?")
    assert r.model == L3


def test_unknown_model_is_an_error_for_architecture_recipes_with_suggestions() -> None:
    r = route("Can falcon 40b handle 32k context?")
    assert r.recipe_id == "X-2"
    assert r.error is not None and "falcon 40b" in r.error and "falcon-7b" in r.error
    r = route("Can Llama 3 70B handle 32k context?")
    assert r.error is not None and "llama-3.1-70b" in r.error


def test_unknown_model_size_is_used_where_only_size_matters() -> None:
    r = route("Which GPU serves falcon 40b at 10M tokens/day?")
    assert r.recipe_id == "X-5" and r.error is None
    assert r.params["N_params"] == 4e10
    assert {"size_from_name", "unknown_model_arch"} <= {n.key for n in r.notes}


def test_api_named_as_a_model_for_an_architecture_recipe_is_an_error() -> None:
    r = route("Can GPT-4o handle a 128k context?")
    assert r.recipe_id == "X-2"
    assert r.error is not None and "GPT-4o" in r.error


def test_several_models_answer_for_the_first_and_say_so() -> None:
    r = route("Llama 3 8B vs Mistral 7B at 32k context: will retrieval hold?")
    assert r.model == L3
    assert any(n.key == "several_models" for n in r.notes)


# ---- γ values and other parameters
def test_gammas() -> None:
    r = route("Has pythia-1b formed induction heads? γ_text = 0.93, γ_random = 1.0")
    assert (r.recipe_id, r.params) == ("X-23", {"gamma_text": 0.93, "gamma_random": 1.0})
    r = route("Is llama 3 8b in band with gamma_obs 1.045?")
    assert r.params == {"gamma_obs": 1.045}
    r = route("Check the imprint of pythia-1b with random-token gamma 0.9")
    assert r.params == {"gamma_random_obs": 0.9}


def test_precision_and_users() -> None:
    r = route("Which GPU serves a 70B model in int4 with 16 concurrent users at 10M tokens/day?")
    assert r.params == {
        "N_params": 7e10,
        "bytes_per_weight": 0.5,
        "concurrent_users": 16,
        "target_tokens_per_day": 1e7,
    }


def test_mfu_and_gpu_price() -> None:
    r = route("What can $5000 train on H100 at 40% MFU and $2.50/hour?")
    assert r.params == {"USD_budget": 5000, "gpu": "H100 SXM", "mfu": 0.4, "gpu_usd_per_hour": 2.5}


# ---- validation before anything runs
@pytest.mark.parametrize(
    ("question", "field"),
    [
        ("What can $5000 train on 0 H100s?", "n_gpus"),
        ("What can $5000 train at MFU 0.001?", "mfu"),
        ("Soft decay or hard cutoff for Llama 3 8B with gamma 9.5 at 32k?", None),
    ],
)
def test_values_out_of_range_are_reported_naming_the_parameter(question: str, field: str | None) -> None:
    r = route(question)
    if field is None:
        assert r.error is None
    else:
        assert r.error is not None and field in r.error


def test_overflowing_numbers_are_not_quantities() -> None:
    """Found by hypothesis: '0E400' raised OverflowError, '1e400' became an infinite budget.

    A number too large to compute with is a one-line error naming it, never a silent default ("No budget
    in the question: used $5,000").
    """
    from tafagent.core.ask import ask

    result = ask("Θ0E400")
    assert all(math.isfinite(v) for v in result.params.values() if isinstance(v, float))
    for question, recipe, shown in (
        ("budget 1e400", "X-3", "1e400"),
        ("BUDGET 1E400 on H100", "X-3", "1e400"),
        ("What can I train with a budget of $1e400?", "X-3", "$1e400"),
        ("Will Llama 3 8B handle 1e400 tokens of context?", "X-2", "1e400"),
        ("Will Llama 3 8B handle 32K context with theta 1e400?", "X-2", "1e400"),
        ("Which GPU serves Llama 3 8B for 1e400 tokens per day?", "X-5", "1e400"),
        ("Which GPU serves Llama 3 8B for " + "9" * 400 + " concurrent users?", "X-5", "9" * 30),
    ):
        r = route(question)
        assert r.recipe_id == recipe and r.error is not None, question
        assert shown in r.error and "too large" in r.error and "\n" not in r.error, r.error
        result = ask(question)
        assert not result.ok and result.error == r.error and result.result is None, question
        assert not any("No budget" in a or "No target length" in a for a in result.assumed), result.assumed


@pytest.mark.parametrize("length", ["1e17", "1e18", "1e300"])
def test_absurd_lengths_are_out_of_range_not_defaults(length: str) -> None:
    """A finite but absurd length is the registry's out-of-range error, whatever its size (1e18 was dropped)."""
    r = route(f"Will Llama 3 8B handle {length} tokens of context?")
    assert r.recipe_id == "X-2" and r.error is not None and "T_eval" in r.error and "out of range" in r.error
