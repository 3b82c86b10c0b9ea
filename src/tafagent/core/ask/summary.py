"""Plain-language answer from a recipe's audit chain, in English, Spanish, French or Chinese.

Four to six sentences, always in this order: the verdict (with the confidence band); the deciding
numbers, each with its § section and evidence label; an optional supporting number; the main action;
what the confidence rests on; and, when the model or its size was a default, a sentence saying so.
The sentences are templates per recipe and verdict stored as JSON package data
(``core/data/i18n/ask_<lang>.json``). Every number is a value of the chain or the inputs, formatted by
:func:`fmt_number`; the templates themselves hold no digits, so no number can be invented here.
"""

from __future__ import annotations

import json
import math
import re
from functools import cache
from importlib import resources
from typing import Any

from tafagent.core.audit import RecipeResult, Step
from tafagent.core.messages import LANGUAGES
from tafagent.core.render.format import localise_number

NUMBER_TOKEN = re.compile(r"[+\-]?\d+(?:[.,\u202f\u00a0]\d+)*")
FORMAT_KINDS = (
    "int",
    "num",
    "dec1",
    "dec2",
    "dec3",
    "dec4",
    "signed2",
    "signed3",
    "signed4",
    "usd",
    "usd2",
    "pct",
    "count",
)


@cache
def strings(lang: str) -> dict[str, Any]:
    """The language file ``ask_<lang>.json`` (unknown languages fall back to English)."""
    lang = lang if lang in LANGUAGES else "en"
    text = resources.files("tafagent.core").joinpath(f"data/i18n/ask_{lang}.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def numbers_in(text: str) -> list[str]:
    """Every number written in ``text`` (signs, groupings and decimals kept as written)."""
    return NUMBER_TOKEN.findall(text)


# ---- number formatting -------------------------------------------------------------------------------
def _sig(value: float, digits: int = 3) -> str:
    """``value`` to ``digits`` significant digits, never in exponent form, trailing zeros removed."""
    if value == 0:
        return "0"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(value))))
    text = f"{value:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def fmt_number(value: float, kind: str, lang: str = "en") -> str:
    """One value in one of :data:`FORMAT_KINDS`, with the language's grouping and decimal marks."""
    lang = lang if lang in LANGUAGES else "en"
    v = float(value)
    if kind == "int":
        text = f"{round(v):,}"
    elif kind == "num":
        text = f"{round(v):,}" if abs(v - round(v)) < 1e-9 else _sig(v, 3)
    elif kind.startswith("dec"):
        text = f"{v:,.{int(kind[3:])}f}"
    elif kind.startswith("signed"):
        text = f"{v:+,.{int(kind[6:])}f}"
    elif kind in ("usd", "usd2"):
        number = localise_number(f"{v:,.{0 if kind == 'usd' else 2}f}", lang)
        return {"en": f"${number}", "zh": f"{number} 美元"}.get(lang, f"{number} USD")
    elif kind == "pct":
        pct = v * 100
        number = localise_number(f"{pct:.0f}" if abs(pct - round(pct)) < 1e-9 else f"{pct:.1f}", lang)
        return f"{number}\u202f%" if lang in ("es", "fr") else f"{number}%"
    elif kind == "count":
        return _count(v, lang)
    else:
        raise ValueError(f"unknown number format {kind!r}")
    return localise_number(text, lang)


def _count(value: float, lang: str) -> str:
    """A large count in words: 5.17 billion, 5,17 mil millones, 5,17 milliards, 51.7亿."""
    scale = strings(lang)["scale"]
    if lang == "zh":
        for factor, word in ((1e8, "亿"), (1e4, "万")):
            if abs(value) >= factor:
                return f"{_sig(value / factor)}{word}"
        return localise_number(f"{round(value):,}", lang)
    for factor, name in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(value) >= factor:
            return f"{localise_number(_sig(value / factor), lang)} {scale[name]}"
    return localise_number(f"{round(value):,}", lang)


# ---- notes (assumptions, reasons) ---------------------------------------------------------------------
def render_note(key: str, values: dict[str, Any], lang: str, section: str = "notes") -> str:
    """A note or reason in ``lang``; numbers use that language's formatting."""
    table = strings(lang)
    template = table[section].get(key) or strings("en")[section].get(key) or key
    shown: dict[str, str] = {}
    for name, value in values.items():
        if isinstance(value, bool):
            shown[name] = str(value)
        elif isinstance(value, (int, float)):
            shown[name] = fmt_number(value, "count" if abs(value) >= 1e6 else "num", lang)
        elif isinstance(value, (list, tuple)):
            quote = table.get("quote", "“{}”")
            shown[name] = table.get("list_sep", ", ").join(quote.format(v) for v in value)
        elif name == "text":
            shown[name] = table.get("quote", "“{}”").format(value)
        else:
            shown[name] = str(value)
    try:
        return template.format(**shown)
    except (KeyError, IndexError, ValueError):
        return template


# ---- the summary ---------------------------------------------------------------------------------------
class _Facts(dict[str, str]):
    """Template values; a missing one raises KeyError so the sentence is skipped, never half-filled."""


def summarize(
    result: RecipeResult,
    lang: str = "en",
    *,
    model: str | None = None,
    default_model: bool = False,
    default_size: bool = False,
) -> str:
    """The 4–6 sentence plain-language answer for ``result`` in ``lang``."""
    lang = lang if lang in LANGUAGES else "en"
    table = strings(lang)["summary"]
    facts = _Facts()
    facts["recipe"] = strings(lang)["recipes"].get(result.recipe_id, result.recipe_name)
    facts["verdict"] = strings(lang)["verdicts"].get(result.verdict, result.verdict)
    facts["band"] = strings(lang)["bands"].get(result.confidence.band, result.confidence.band)
    facts["model"] = model or ""
    if result.verdict == "NOT APPLICABLE":
        prefix, variant = "na", ""
        facts["model"] = model or result.recipe_id
    else:
        builder = _BUILDERS.get(result.recipe_id)
        if builder is None:
            return ""
        variant = builder(result, facts, lang)
        prefix = f"{result.recipe_id}.{variant}"
    sentences = [table["head" if model else "head_nomodel"]]
    finding_key = f"{prefix}.finding" if prefix != "na" else "na.finding"
    sentences.append(table.get(finding_key, ""))
    if prefix == "na":
        sentences.append(table["na.support"])
    else:
        support = facts.pop("_support", None)
        if support != "none":
            sentences.append(table.get(support or f"{prefix}.support") or table.get(f"{result.recipe_id}.support", ""))
    action = facts.pop("_action", None)
    sentences.append(table.get("na.action" if prefix == "na" else action or f"{prefix}.action", ""))
    sentences.append(table[_caveat_key(result)])
    if default_model:
        sentences.append(table["note.default_model"])
    elif default_size:
        sentences.append(table["note.default_size"])
    out = []
    for template in sentences:
        if not template:
            continue
        try:
            out.append(template.format_map(facts))
        except (KeyError, ValueError):
            continue  # a fact this chain does not have: drop the sentence rather than print a blank
    return ("" if lang == "zh" else " ").join(out)


def _caveat_key(result: RecipeResult) -> str:
    for check in result.confidence.checks:
        if check.status == "miss" and check.name == "measured γ":
            return "caveat.closed_form"
        if check.status == "miss" and check.name == "measurement":
            return "caveat.no_measurement"
    return f"caveat.{result.confidence.band}"


def _step(result: RecipeResult, name: str) -> Step | None:
    for step in result.chain:
        if step.name == name or step.name.startswith(name):
            return step
    return None


def _ref(step: Step, lang: str) -> str:
    table = strings(lang)
    evidence = table["evidence"].get(step.evidence.label.value, step.evidence.label.value)
    return str(table.get("ref", "{section}, {evidence}")).format(section=step.section, evidence=evidence)


def _refs(facts: _Facts, lang: str, **steps: Step | None) -> None:
    """``facts[name]`` = the § reference and evidence label of each step the chain has."""
    for name, step in steps.items():
        if step is not None:
            facts[name] = _ref(step, lang)


def _put(facts: _Facts, name: str, value: Any, kind: str, lang: str) -> None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        facts[name] = fmt_number(value, kind, lang)


def _num(step: Step | None, key: str | None = None) -> Any:
    if step is None:
        return None
    value = step.result
    if key is not None:
        return value.get(key) if isinstance(value, dict) else None
    return value


def _x1(result: RecipeResult, facts: _Facts, lang: str) -> str:
    cost, inference = _step(result, "Training cost"), _step(result, "Self-inference $/Mtok")
    api_step, be = _step(result, f"{result.inputs.get('api_model')} blended price"), _step(result, "Break-even tokens")
    _put(facts, "N", result.inputs.get("N_params"), "count", lang)
    _put(facts, "train_usd", _num(cost, "USD"), "usd", lang)
    _put(facts, "self_mtok", _num(inference, "USD_per_Mtok"), "usd2", lang)
    _put(facts, "api_mtok", _num(api_step), "usd2", lang)
    _put(facts, "breakeven", _num(be, "Mtok_breakeven"), "int", lang)
    _put(facts, "monthly", result.inputs.get("monthly_tokens_M"), "num", lang)
    _refs(facts, lang, train_ref=cost, self_ref=inference, api_ref=api_step, be_ref=be)
    facts["api"] = str(result.inputs.get("api_model", ""))
    facts["gpu"] = str(result.inputs.get("gpu", ""))
    if result.verdict == "YES (custom)":
        return "yes"
    if result.verdict == "NO (API)":
        return "api_zero" if not result.inputs.get("monthly_tokens_M") else "api"
    return "never"


def _x2(result: RecipeResult, facts: _Facts, lang: str) -> str:
    T_eval = result.inputs.get("T_eval")
    _put(facts, "T_eval", T_eval, "int", lang)
    steps = {
        "d_h": (_step(result, "d_horizon"), "int"),
        "niah": (_step(result, "L_NIAH^c"), "int"),
        "gamma": (_step(result, "γ-decomposition"), "dec4"),
        "dh_obs": (_step(result, "d_horizon (measured γ_obs)"), "int"),
    }
    for name, (step, kind) in steps.items():
        if step is not None:
            _put(facts, name, step.result, kind, lang)
            facts[f"{name}_ref"] = _ref(step, lang)
    kv = _step(result, "KV cache memory")
    if kv is not None:
        _put(facts, "kv_gb", _num(kv, "GB"), "dec2", lang)
        facts["kv_ref"] = _ref(kv, lang)
    gamma_obs = result.inputs.get("gamma_obs")
    _put(facts, "gamma_obs", gamma_obs, "dec4", lang)
    measured = steps["dh_obs"][0] is not None
    g_corr = _num(steps["gamma"][0])
    if result.verdict == "YES":
        return "yes_measured" if measured else "yes"
    if result.verdict == "DEGRADED":
        if measured:
            return "degraded_measured"
        d_h = _num(steps["d_h"][0])
        return "degraded_at" if d_h is not None and T_eval is not None and d_h == float(T_eval) else "degraded"
    if measured:
        dh_obs = _num(steps["dh_obs"][0])
        return (
            "no_measured_phase"
            if dh_obs is None or (gamma_obs is not None and gamma_obs >= 1)
            else "no_measured_beyond"
        )
    return "no_phase_b" if g_corr is not None and not 0 < g_corr < 1 else "no_beyond"


def _x3(result: RecipeResult, facts: _Facts, lang: str) -> str:
    hours, n_star = _step(result, "Affordable GPU-hours"), _step(result, "Chinchilla-optimal N")
    memory, target = _step(result, "16N training memory"), _step(result, "This model, Chinchilla-optimal")
    _put(facts, "budget", result.inputs.get("USD_budget"), "usd", lang)
    _put(facts, "hours", _num(hours), "int", lang)
    _put(facts, "N", _num(n_star), "count", lang)
    _put(facts, "mem_gb", _num(memory, "GB"), "dec1", lang)
    facts["gpu"] = str(result.inputs.get("gpu", ""))
    _refs(facts, lang, hours_ref=hours, N_ref=n_star, mem_ref=memory, target_ref=target)
    if target is not None:
        _put(facts, "target_N", result.inputs.get("N_params"), "count", lang)
        _put(facts, "target_usd", _num(target, "USD"), "usd", lang)
        facts["_support"] = "X-3.target.support"
    variant = {"GO": "go", "MEMORY-LIMITED": "memory", "TINY-MODEL": "tiny"}.get(result.verdict, "go")
    if variant == "memory" and target is None:
        facts["_support"] = "none"
    return variant


def _x5(result: RecipeResult, facts: _Facts, lang: str) -> str:
    weights, total = _step(result, "Model weights memory"), _step(result, "Total GPU memory")
    eligible = _step(result, "Eligible GPUs")
    _put(facts, "weights_gb", _num(weights, "GB"), "dec1", lang)
    _put(facts, "total_gb", _num(total, "GB"), "dec1", lang)
    _put(facts, "T_eval", result.inputs.get("T_eval"), "int", lang)
    _put(facts, "target", result.inputs.get("target_tokens_per_day"), "count", lang)
    _refs(facts, lang, weights_ref=weights, total_ref=total, gpu_ref=eligible)
    candidates = eligible.result if eligible is not None and isinstance(eligible.result, list) else []
    if result.verdict != "YES" or not candidates:
        return "no"
    best = candidates[0]  # the recipe ranks its choice first (cheapest priced GPU, else the fastest unpriced)
    priced = best.get("USD_per_Mtok") is not None
    facts["gpu"] = str(best.get("gpu", ""))
    _put(facts, "usd_mtok", best.get("USD_per_Mtok"), "usd2", lang)
    _put(facts, "tok_s", best.get("tok_per_sec"), "int", lang)
    _put(facts, "users_x", best.get("users_supported"), "dec2", lang)
    if priced and result.inputs.get("throughput_model") == "reference":
        facts["_support"] = "X-5.ceiling.support"  # v0.5.3's rate is the single-stream bandwidth ceiling
    # One GPU short of the target: the action must say how the recipe closes the gap (batching or replicas).
    mitigation = result.mitigation_msg
    if priced and mitigation is not None and mitigation.key == "x5.batch.mitigation":
        _put(facts, "batch", mitigation.params.get("batch"), "int", lang)
        facts["_action"] = "X-5.batch.action"
    elif priced and mitigation is not None and mitigation.key == "x5.replicas.mitigation":
        _put(facts, "replicas", mitigation.params.get("replicas"), "int", lang)
        facts["_action"] = "X-5.replicas.action"
    return "yes" if priced else "yes_unpriced"


def _x19(result: RecipeResult, facts: _Facts, lang: str) -> str:
    gamma_step = _step(result, "γ used (measured)") or _step(result, "γ-decomposition")
    df, regime, kv = (
        _step(result, "D_f window"),
        _step(result, "Soft decay régimen"),
        _step(result, "Baseline KV memory"),
    )
    if gamma_step is not None:
        _put(facts, "gamma", gamma_step.result, "dec4", lang)
        facts["gamma_ref"] = _ref(gamma_step, lang)
    _put(facts, "df", _num(df), "int", lang)
    _put(facts, "f_pct", result.inputs.get("kv_mass_fraction"), "pct", lang)
    _put(facts, "kv_gb", _num(kv, "GB"), "dec2", lang)
    _put(facts, "T_eval", result.inputs.get("T_eval"), "int", lang)
    _put(facts, "T_train", result.inputs.get("T_train"), "int", lang)
    _refs(facts, lang, df_ref=df, regime_ref=regime, kv_ref=kv)
    variant = {
        "USE SOFT DECAY": "soft",
        "USE D_f HARD CUTOFF": "hard",
        "USE SOFT DECAY (caveat)": "soft_caveat",
        "USE LITERATURE METHODS": "literature",
        "USE HARD T_train CUTOFF": "cap",
    }.get(result.verdict, "cap")
    if variant == "hard":
        facts["_support"] = "X-19.hard.support"
    elif _num(df) is None:
        facts["_support"] = "X-19.nodf.support"
    return variant


def _x21(result: RecipeResult, facts: _Facts, lang: str) -> str:
    pade, shift = _step(result, "γ_Padé"), _step(result, "Imprint shift")
    pred, purity = _step(result, "γ_random predicted"), _step(result, "Imprint purity")
    for name, step, kind in (
        ("g_pade", pade, "dec4"),
        ("shift", shift, "signed4"),
        ("g_pred", pred, "dec4"),
        ("residual", purity, "signed4"),
    ):
        if step is not None:
            _put(facts, name, step.result, kind, lang)
            facts[f"{name}_ref"] = _ref(step, lang)
    _put(facts, "obs", result.inputs.get("gamma_random_obs"), "dec4", lang)
    return {"CLEAN": "clean", "OVER-IMPRINTED": "over", "UNDER-IMPRINTED": "under"}.get(result.verdict, "prediction")


def _x22(result: RecipeResult, facts: _Facts, lang: str) -> str:
    if result.verdict == "NEEDS MEASUREMENT":
        band = result.chain[0] if result.chain else None
        _put(facts, "low", _num(band, "low"), "dec1", lang)
        _put(facts, "high", _num(band, "high"), "dec1", lang)
        if band is not None:
            facts["band_ref"] = _ref(band, lang)
        facts["_support"] = "none"
        return "needs"
    k_step, z_step, pade = (
        _step(result, "K = γ·log(N²·D)"),
        _step(result, "z-score vs panel"),
        _step(result, "γ deviation"),
    )
    for name, step, kind in (("K", k_step, "dec2"), ("z", z_step, "signed2"), ("pade_diff", pade, "signed4")):
        if step is not None:
            _put(facts, name, step.result, kind, lang)
    _refs(facts, lang, K_ref=k_step, z_ref=z_step, pade_ref=pade)
    if z_step is not None:
        _put(facts, "mean", z_step.inputs.get("mean"), "dec1", lang)
        _put(facts, "std", z_step.inputs.get("std"), "dec1", lang)
    if result.verdict == "IN-BAND":
        return "in_band"
    z = _num(z_step)
    return "high" if isinstance(z, (int, float)) and z > 0 else "low"


def _x23(result: RecipeResult, facts: _Facts, lang: str) -> str:
    size, delta = _step(result, "Size-based phase prediction"), _step(result, "Δγ discriminator")
    phases = strings(lang)["phases"]
    if size is not None:
        _put(facts, "size_M", size.inputs.get("n_params_M"), "int", lang)
        _put(facts, "threshold_M", size.inputs.get("threshold_M"), "int", lang)
        facts["size_ref"] = _ref(size, lang)
        facts["expected"] = phases.get(str(size.result), str(size.result))
    if delta is not None:
        _put(facts, "delta", delta.result, "signed3", lang)
        facts["delta_ref"] = _ref(delta, lang)
        value = delta.result
        observed = "post-IH" if value > 0 else "pre-IH" if value < 0 else "ambiguous"
        facts["observed"] = phases.get(observed, observed)
    facts["_support"] = "none"
    return {
        "PREDICTED POST-IH": "predicted_post",
        "PREDICTED PRE-IH": "predicted_pre",
        "CONFIRMED POST-IH": "confirmed_post",
        "CONFIRMED PRE-IH": "confirmed_pre",
    }.get(result.verdict, "anomaly")


_BUILDERS = {"X-1": _x1, "X-2": _x2, "X-3": _x3, "X-5": _x5, "X-19": _x19, "X-21": _x21, "X-22": _x22, "X-23": _x23}
