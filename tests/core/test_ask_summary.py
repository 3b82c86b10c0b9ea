"""The plain-language answer: 4–6 sentences in EN/ES/FR/ZH, and no number that is not in the audit chain.

The provenance test extracts every number written in a summary and checks it against the numbers of
the recipe's chain and inputs, formatted the same way (every format the summary knows, in that
language), plus the digits of section tags, step names, catalog names and the model id.
"""

from __future__ import annotations

import json
import math
import re
from importlib import resources
from typing import Any

import pytest

from tafagent.core.ask.summary import FORMAT_KINDS, fmt_number, numbers_in, summarize
from tafagent.core.audit import RecipeResult
from tafagent.core.recipes import run_recipe
from tafagent.core.spec.presets import find_preset

LANGS = ("en", "es", "fr", "zh")


def _spec(name: str):  # type: ignore[no-untyped-def]
    preset = find_preset(name)
    assert preset is not None
    return preset.spec()


# (recipe, params, preset or None) covering every verdict branch the summary has a template for
SCENARIOS: list[tuple[str, dict[str, Any], str | None]] = [
    ("X-2", {"T_eval": 32000}, "llama-3-8b"),  # YES
    ("X-2", {"T_eval": 16000}, "mistral-7b"),  # NO, Phase B
    (
        "X-2",
        {"theta": 10000, "T_train": 2048, "T_eval": 4000, "n_attention_heads": 16, "n_kv_heads": 16, "n_params": 1e8},
        None,
    ),
    ("X-2", {"theta": 1e6, "T_eval": 300000, "n_attention_heads": 16, "n_kv_heads": 2, "n_params": 3e8}, None),
    ("X-2", {"T_eval": 32000, "gamma_obs": 0.5}, "llama-3-8b"),  # measured YES
    ("X-2", {"T_eval": 32000, "gamma_obs": 1.1}, "llama-3-8b"),  # measured NO
    ("X-2", {"T_eval": 32000, "gamma_obs": 0.9}, "llama-3-8b"),
    ("X-2", {"T_eval": 32000, "gamma_obs": 0.95}, "llama-3-8b"),  # measured DEGRADED
    ("X-2", {"T_eval": 32000, "gamma_obs": 0.97}, "llama-3-8b"),  # measured NO, beyond twice the horizon
    ("X-2", {"theta": 1e6, "T_eval": 100000, "n_attention_heads": 16, "n_kv_heads": 2, "n_params": 3e8}, None),
    ("X-2", {"T_eval": 8000}, "gpt2"),  # NOT APPLICABLE
    ("X-1", {}, None),  # NO (API)
    ("X-1", {"monthly_tokens_M": 100000}, None),  # YES (custom)
    ("X-1", {"N_params": 70e9}, None),  # NO (never)
    ("X-1", {"monthly_tokens_M": 0}, None),  # NO (API) at zero volume
    ("X-3", {}, None),  # MEMORY-LIMITED
    ("X-3", {"USD_budget": 100}, None),  # GO
    ("X-3", {"USD_budget": 1}, None),  # TINY-MODEL
    ("X-3", {"USD_budget": 50000, "N_params": 7e9, "gpu": "H200", "n_gpus": 4}, None),
    ("X-5", {}, "llama-3-8b"),  # YES
    ("X-5", {"N_params": 4e11}, None),  # NO
    ("X-5", {"target_tokens_per_day": 1e9, "concurrent_users": 8, "T_eval": 32000}, "qwen2.5-7b"),
    (
        "X-19",
        {"theta": 1e4, "T_train": 2048, "T_eval": 2048, "n_attention_heads": 16, "n_kv_heads": 16, "n_params": 1e8},
        None,
    ),
    (
        "X-19",
        {"theta": 1e4, "T_train": 32768, "T_eval": 2048, "n_attention_heads": 16, "n_kv_heads": 16, "n_params": 1e8},
        None,
    ),
    ("X-19", {"T_eval": 8192}, "llama-3-8b"),  # soft decay (caveat)
    ("X-19", {"theta": 1e4, "T_eval": 32000, "n_attention_heads": 16, "n_kv_heads": 16, "n_params": 7e9}, None),
    (
        "X-19",
        {"theta": 1e4, "T_train": 16000, "T_eval": 6000, "n_attention_heads": 16, "n_kv_heads": 16, "n_params": 1e9},
        None,
    ),
    ("X-21", {}, "pythia-1b"),  # PREDICTION ONLY
    ("X-21", {"gamma_random_obs": 0.9}, "pythia-1b"),  # UNDER
    ("X-21", {"gamma_random_obs": 0.1}, "pythia-1b"),  # OVER
    ("X-21", {"gamma_random_obs": 0.45}, "pythia-1b"),  # CLEAN
    ("X-22", {}, "llama-3-8b"),  # NEEDS MEASUREMENT
    ("X-22", {"gamma_obs": 1.045}, "llama-3-8b"),  # OUTLIER high
    ("X-22", {"gamma_obs": 0.3}, "llama-3-8b"),  # OUTLIER low
    ("X-22", {"gamma_obs": 0.72}, "llama-3-8b"),  # IN-BAND
    ("X-23", {"n_params": 1e9}, None),
    ("X-23", {"n_params": 1e8}, None),
    ("X-23", {"n_params": 1e8, "gamma_text": 0.8, "gamma_random": 0.9}, None),
    ("X-23", {"n_params": 1e9, "gamma_text": 0.95, "gamma_random": 0.9}, None),
    ("X-23", {"n_params": 1e9, "gamma_text": 0.93, "gamma_random": 1.0}, None),
]


def _result(rid: str, params: dict[str, Any], preset: str | None) -> tuple[RecipeResult, str | None]:
    spec = _spec(preset) if preset else None
    return run_recipe(rid, params, model=spec), (spec.model_id if spec else None)


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    if isinstance(value, (list, tuple)):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value]


def allowed_numbers(result: RecipeResult, model: str | None, lang: str) -> set[str]:
    """Every number the chain and inputs hold, in every format the summary uses, as written tokens."""
    allowed: set[str] = set()
    leaves = _leaves(result.inputs)
    texts = [result.recipe_id, model or ""]
    for step in result.chain:
        leaves += _leaves(step.result) + _leaves(step.inputs)
        texts += [step.section, step.name]
    # the recipe's own reason and action (shown beside every answer) carry computed numbers too, e.g. X-5's
    # batch size or replica count that closes the gap to the target
    for message in (result.reason_msg, result.mitigation_msg):
        if message is not None:
            leaves += _leaves(dict(message.params))
    for leaf in leaves:
        if isinstance(leaf, bool) or leaf is None:
            continue
        if isinstance(leaf, (int, float)):
            for kind in FORMAT_KINDS:
                allowed.update(numbers_in(fmt_number(leaf, kind, lang)))
            if math.isfinite(leaf) and float(leaf).is_integer():
                allowed.add(str(int(leaf)))  # a command line in the answer writes it bare: --context 4096
        elif isinstance(leaf, str):
            texts.append(leaf)
    for text in texts:
        allowed.update(numbers_in(text))
    return allowed


def _sentences(text: str, lang: str) -> int:
    if lang == "zh":
        return text.count("。")
    return len(re.findall(r"[.!?](?=\s|$)", text))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("rid", "params", "preset"), SCENARIOS)
def test_summary_numbers_all_come_from_the_chain(rid: str, params: dict, preset: str | None, lang: str) -> None:
    result, model = _result(rid, params, preset)
    text = summarize(result, lang, model=model)
    allowed = allowed_numbers(result, model, lang)
    invented = [n for n in numbers_in(text) if n not in allowed]
    assert not invented, (result.verdict, invented, text)
    assert 4 <= _sentences(text, lang) <= 6, text
    assert "{" not in text and "}" not in text


@pytest.mark.parametrize(("rid", "params", "preset"), SCENARIOS)
def test_summary_cites_sections_and_evidence(rid: str, params: dict, preset: str | None) -> None:
    result, model = _result(rid, params, preset)
    text = summarize(result, "en", model=model)
    assert result.recipe_id and text
    if result.chain and result.verdict != "NOT APPLICABLE":
        assert "§" in text
        assert re.search(r"\b(exact|derived|fitted|exploratory)\b", text), text


def test_summary_has_the_deciding_numbers_in_the_reference_example() -> None:
    result, model = _result("X-2", {"T_eval": 32000, "closed_form": True}, "llama-3-8b")  # v0.5.3's example
    text = summarize(result, "en", model=model)
    assert "32,000" in text and "47,781" in text and "§26.2" in text
    assert summarize(result, "fr", model=model).count("47\u202f781") == 1
    assert "47,781" in summarize(result, "zh", model=model)


def test_summary_is_deterministic() -> None:
    result, model = _result("X-5", {}, "llama-3-8b")
    assert summarize(result, "es", model=model) == summarize(result, "es", model=model)


def test_default_model_sentence() -> None:
    result, _ = _result("X-2", {}, None)
    text = summarize(result, "en", default_model=True)
    assert text.endswith("No model was named, so the recipe's default architecture was used.")
    assert 4 <= _sentences(text, "en") <= 6


# ---- the language files
def _load(lang: str) -> dict[str, Any]:
    text = resources.files("tafagent.core").joinpath(f"data/i18n/ask_{lang}.json").read_text(encoding="utf-8")
    return json.loads(text)


def test_language_files_have_the_same_keys_and_placeholders() -> None:
    en = _load("en")
    for lang in ("es", "fr", "zh"):
        other = _load(lang)
        for section in (
            "recipes",
            "verdicts",
            "evidence",
            "bands",
            "phases",
            "scale",
            "summary",
            "notes",
            "why",
            "reasons",
        ):
            assert set(other[section]) == set(en[section]), (lang, section, set(en[section]) ^ set(other[section]))
        for section in ("summary", "notes", "why", "reasons"):
            for key, template in en[section].items():
                placeholders = set(re.findall(r"\{(\w+)\}", template))
                assert set(re.findall(r"\{(\w+)\}", other[section][key])) == placeholders, (lang, key)


@pytest.mark.parametrize("lang", LANGS)
def test_summary_templates_hold_no_digits_and_one_sentence_each(lang: str) -> None:
    for key, template in _load(lang)["summary"].items():
        literal = re.sub(r"\{\w+\}", "", template)
        assert not re.search(r"\d", literal), (lang, key, template)
        filled = re.sub(r"\{\w+\}", "X", template)
        assert _sentences(filled, lang) == 1, (lang, key, template)


def test_every_verdict_has_a_translation() -> None:
    verdicts = {r.verdict for rid, params, preset in SCENARIOS for r in [_result(rid, params, preset)[0]]}
    for lang in LANGS:
        assert verdicts <= set(_load(lang)["verdicts"]), verdicts - set(_load(lang)["verdicts"])


@pytest.mark.parametrize(
    ("value", "kind", "lang", "text"),
    [
        (47781.002, "int", "en", "47,781"),
        (47781.002, "int", "fr", "47\u202f781"),
        (0.87340, "dec4", "es", "0,8734"),
        (5.17e9, "count", "en", "5.17 billion"),
        (5.17e9, "count", "es", "5,17 mil millones"),
        (5.17e9, "count", "fr", "5,17 milliards"),
        (5.17e9, "count", "zh", "51.7亿"),
        (11983.67, "usd", "en", "$11,984"),
        (11983.67, "usd", "zh", "11,984 美元"),
        (0.9, "pct", "en", "90%"),
        (0.9, "pct", "fr", "90\u202f%"),
        (1.3938, "signed2", "en", "+1.39"),
    ],
)
def test_number_formats(value: float, kind: str, lang: str, text: str) -> None:
    assert fmt_number(value, kind, lang) == text


# ---- the answer names the verdict's GPU, and says what its rate is
def _unpriced_catalogs():  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from tafagent.core.catalogs import default_catalogs

    catalogs = default_catalogs()
    # reversed, so that the fastest card (B200) comes after the first five in catalog order
    return replace(catalogs, gpus=tuple(replace(g, usd_per_hour=None) for g in reversed(catalogs.gpus)))


@pytest.mark.parametrize("mode", ["calibrated", "reference"])
@pytest.mark.parametrize("lang", LANGS)
def test_x5_unpriced_answer_names_the_verdicts_gpu(mode: str, lang: str) -> None:
    """With no prices the verdict names the fastest GPU; the answer must name that one, not another.

    The "Eligible GPUs" step lists only five GPUs: the answer once picked its own "fastest" among them
    (in catalog order) and could disagree with the verdict, which looks at every GPU that fits.
    """
    spec = _spec("llama-3-8b")
    result = run_recipe("X-5", {"throughput_model": mode}, model=spec, catalogs=_unpriced_catalogs())
    assert result.verdict == "YES" and "B200" in result.reason  # the fastest card that fits
    text = summarize(result, lang, model=spec.model_id)
    assert [g.name for g in _unpriced_catalogs().gpus if g.name in text] == ["B200"], text
    assert [n for n in numbers_in(text) if n not in allowed_numbers(result, spec.model_id, lang)] == []
    listed = result.chain[-1].result  # the recipe's choice first, the other unpriced cards fastest first
    rates = [c["tok_per_sec"] for c in listed]
    assert listed[0]["gpu"] == "B200" and rates == sorted(rates, reverse=True)


def test_x5_priced_answer_names_the_first_ranked_gpu() -> None:
    result, model = _result("X-5", {}, "llama-3-8b")
    best = result.chain[-1].result[0]
    assert best["USD_per_Mtok"] is not None and best["gpu"] in result.reason
    assert best["gpu"] in summarize(result, "en", model=model)


def test_x5_support_says_which_decode_rate_it_is() -> None:
    """The calibrated recipe's rate is the middle of the fitted range, not the ceiling; the reference's is
    the single-stream ceiling. Each sentence carries its § reference and evidence label."""
    result, model = _result("X-5", {}, "llama-3-8b")
    text = summarize(result, "en", model=model)
    tok_s = fmt_number(result.chain[-1].result[0]["tok_per_sec"], "int")
    assert f"calibrated decode rate (the ceiling times a fitted engine efficiency) it generates about {tok_s}" in text
    assert f"{tok_s} tokens per second (§20, fitted)" in text and "ceiling it generates" not in text
    result, model = _result("X-5", {"throughput_model": "reference"}, "llama-3-8b")
    text = summarize(result, "en", model=model)
    tok_s = fmt_number(result.chain[-1].result[0]["tok_per_sec"], "int")
    assert f"single-stream decode ceiling it generates up to {tok_s} tokens per second (§20, derived)" in text
    for lang in ("es", "fr", "zh"):
        assert "§20" in summarize(result, lang, model=model).split("§20", 1)[1]  # the support cites it too
