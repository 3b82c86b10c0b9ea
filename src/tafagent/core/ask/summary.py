"""Plain-language answer from a recipe's audit chain, in English, Spanish, French or Chinese.

Four to six sentences, always in this order: the verdict (with the confidence band); the deciding
numbers, each with its § section and evidence label; an optional supporting number; the main action;
what the confidence rests on; and, when the model or its size was a default, a sentence saying so.
The sentences are templates per recipe and answer variant stored as JSON package data
(``core/data/i18n/ask_<lang>.json``); the recipe's own answer function (``AskSpec.answer``) picks the
variant and fills the values the templates name, through an ``AnswerDraft``. Every number is a
value of the chain or the inputs, formatted by :func:`fmt_number`; the templates themselves hold no
digits, so no number can be invented here.
"""

from __future__ import annotations

import json
import math
import re
from functools import cache
from importlib import resources
from typing import Any

from tafagent.core.ask.declared import find_spec
from tafagent.core.audit import RecipeResult, Step
from tafagent.core.messages import LANGUAGES
from tafagent.core.render.format import localise_number, significant

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
def fmt_number(value: float, kind: str, lang: str = "en") -> str:
    """One value in one of :data:`FORMAT_KINDS`, with the language's grouping and decimal marks."""
    lang = lang if lang in LANGUAGES else "en"
    v = float(value)
    if kind == "int":
        text = f"{round(v):,}"
    elif kind == "num":
        text = f"{round(v):,}" if abs(v - round(v)) < 1e-9 else significant(v, 3)
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
                return f"{significant(value / factor)}{word}"
        return localise_number(f"{round(value):,}", lang)
    for factor, name in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(value) >= factor:
            return f"{localise_number(significant(value / factor), lang)} {scale[name]}"
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
class _Draft:
    """The ``AnswerDraft`` (tafagent.core.recipes.ask_spec) that a recipe's answer function fills, in one language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        # template values; a missing one raises KeyError in format_map, so that sentence is skipped, never half-filled
        self.facts: dict[str, str] = {}
        self.support_key: str | None = None  # None: the variant's own supporting sentence
        self.no_support = False
        self.action_key: str | None = None  # None: the variant's own action sentence

    def number(self, name: str, value: Any, kind: str) -> None:
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            self.facts[name] = fmt_number(value, kind, self.lang)

    def text(self, name: str, value: str) -> None:
        self.facts[name] = value

    def ref(self, name: str, step: Step | None) -> None:
        if step is not None:
            table = strings(self.lang)
            evidence = table["evidence"].get(step.evidence.label.value, step.evidence.label.value)
            self.facts[name] = str(table.get("ref", "{section}, {evidence}")).format(
                section=step.section, evidence=evidence
            )

    def step(self, name: str, step: Step | None, kind: str) -> None:
        if step is not None:
            self.number(name, step.result, kind)
            self.ref(f"{name}_ref", step)

    def word(self, group: str, key: str) -> str:
        return str(strings(self.lang)[group].get(key, key))

    def support(self, key: str | None) -> None:
        self.support_key, self.no_support = key, key is None

    def action(self, key: str) -> None:
        self.action_key = key


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
    draft = _Draft(lang)
    draft.facts["recipe"] = strings(lang)["recipes"].get(result.recipe_id, result.recipe_name)
    draft.facts["verdict"] = strings(lang)["verdicts"].get(result.verdict, result.verdict)
    draft.facts["band"] = strings(lang)["bands"].get(result.confidence.band, result.confidence.band)
    draft.facts["model"] = model or ""
    if result.verdict == "NOT APPLICABLE":
        draft.facts["model"] = model or result.recipe_id
        middle = [table.get("na.finding", ""), table["na.support"], table.get("na.action", "")]
    else:
        spec = find_spec(result.recipe_id)
        if spec is None or spec.answer is None:
            # a recipe without answer wording of its own (a plug-in): its reason and action, in the user's language
            localized = result.localized(lang)
            draft.facts["reason"], draft.facts["action"] = localized["reason"], localized["mitigation"]
            middle = ["{reason}", "{action}"]
        else:
            middle = _variant_sentences(result, spec.answer(result, draft), draft, table)
    sentences = [table["head" if model else "head_nomodel"], *middle, table[_caveat_key(result)]]
    if default_model:
        sentences.append(table["note.default_model"])
    elif default_size:
        sentences.append(table["note.default_size"])
    out = []
    for template in sentences:
        if not template:
            continue
        try:
            out.append(template.format_map(draft.facts))
        except (KeyError, ValueError):
            continue  # a fact this chain does not have: drop the sentence rather than print a blank
    return ("" if lang == "zh" else " ").join(out)


def _variant_sentences(result: RecipeResult, variant: str, draft: _Draft, table: dict[str, str]) -> list[str]:
    """The finding, the supporting sentence (unless the answer function dropped it) and the action templates."""
    prefix = f"{result.recipe_id}.{variant}"
    sentences = [table.get(f"{prefix}.finding", "")]
    if not draft.no_support:
        sentences.append(
            table.get(draft.support_key or f"{prefix}.support") or table.get(f"{result.recipe_id}.support", "")
        )
    sentences.append(table.get(draft.action_key or f"{prefix}.action", ""))
    return sentences


def _caveat_key(result: RecipeResult) -> str:
    for check in result.confidence.checks:
        if check.status == "miss" and check.name == "measured γ":
            return "caveat.closed_form"
        if check.status == "miss" and check.name == "measurement":
            return "caveat.no_measurement"
    return f"caveat.{result.confidence.band}"
