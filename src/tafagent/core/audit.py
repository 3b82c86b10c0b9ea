"""Audit-trail types shared by every recipe: Step (one audited line) and RecipeResult.

A Step states one number: the paper section it comes from, the formula as text, its inputs, the
result with its unit, what it means, and the evidence behind the law it applies. A RecipeResult is a
chain of Steps plus the verdict, the reason, the action, caveat codes and a confidence score whose
checks are listed, so every part of an answer can be audited.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

from tafagent.core.evidence import Evidence, EvidenceNote
from tafagent.core.jsonsafe import json_safe as _clean
from tafagent.core.laws.registry import LAWS, get_law
from tafagent.core.messages import Msg, catalog, recipe_label, verdict_label

Tone = Literal["good", "caution", "bad", "info"]


class EnglishKept(Msg):
    """A text that stays exactly as another module wrote it in English (so JSON does not change), with its
    translatable equivalent for every other language."""

    def __init__(self, english: str, translated: Msg) -> None:
        super().__init__(translated.key, **translated.params)
        object.__setattr__(self, "english", english)

    def text(self, lang: str = "en") -> str:
        return str(getattr(self, "english", "")) if lang == "en" else super().text(lang)


class JoinedMsg(Msg):
    """Messages joined by the catalog's separator ``step.sep`` ("; " in English, "；" in Chinese)."""

    def __init__(self, *items: Msg) -> None:
        super().__init__("step.sep")
        object.__setattr__(self, "items", items)

    def text(self, lang: str = "en") -> str:
        items: tuple[Msg, ...] = getattr(self, "items", ())
        return super().text(lang).join(item.text(lang) for item in items)


@dataclass(frozen=True)
class Step:
    """One audited line of a recipe chain."""

    step: int
    section: str
    name: str
    formula: str
    inputs: dict[str, Any]
    result: Any
    unit: str = ""
    interpretation: str = ""
    evidence: EvidenceNote = field(default_factory=lambda: EvidenceNote(Evidence.EXACT))
    breakdown: dict[str, Any] | None = None
    panel: dict[str, Any] | None = None  # how the shipped reference measurements back or contradict this law
    law: str | None = None  # the id of the law it applies (tafagent.core.laws.registry), None for plain arithmetic
    # The translatable forms of ``name`` and ``interpretation`` (None: the English text is looked up as is). Given
    # a message and an empty English text, the English text is the message rendered in English.
    name_msg: Msg | None = None
    interpretation_msg: Msg | None = None

    def __post_init__(self) -> None:
        if self.name_msg is not None and not self.name:
            object.__setattr__(self, "name", self.name_msg.text())
        if self.interpretation_msg is not None and not self.interpretation:
            object.__setattr__(self, "interpretation", self.interpretation_msg.text())

    # The step's texts in a language. ``name`` stays the English identifier that chains are searched by
    # (step_named, key_numbers); these methods are what a renderer shows. English is the fallback.
    def name_text(self, lang: str = "en") -> str:
        """The step's name in ``lang``: its message; else the law's catalog name (``laws.<id>.name``, when the
        step keeps the law's name); else ``step.<English name>``; else the English name."""
        if self.name_msg is not None:
            return self.name_msg.text(lang)
        texts = catalog(lang)
        if self.law is not None and catalog("en").get(f"laws.{self.law}.name", get_law(self.law).name) == self.name:
            law_name = texts.get(f"laws.{self.law}.name")
            if law_name:
                return law_name
        return texts.get(f"step.{self.name}") or self.name

    def interpretation_text(self, lang: str = "en") -> str:
        """What the step's number means, in ``lang`` (its message; else ``step.interp.<English text>``)."""
        if self.interpretation_msg is not None:
            return self.interpretation_msg.text(lang)
        return catalog(lang).get(f"step.interp.{self.interpretation}") or self.interpretation

    def unit_text(self, lang: str = "en") -> str:
        """The unit in ``lang`` ("tokens", "months"; symbols such as GB stay as they are)."""
        return unit_text(self.unit, lang)

    def formula_text(self, lang: str = "en") -> str:
        """The formula in ``lang``: symbols stay, the words of a formula written in prose are translated
        (``step.formula.<English formula>``; the formula itself where it has no message)."""
        return catalog(lang).get(f"step.formula.{self.formula}") or self.formula

    def result_label(self, lang: str = "en") -> str | None:
        """A result that is a label (a capability tier, a phase) in ``lang``; None for a number or a dict."""
        if not isinstance(self.result, str):
            return None
        return catalog(lang).get(f"step.interp.{self.result}") or self.result

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "step": self.step,
            "law": self.law,
            "section": self.section,
            "name": self.name,
            "formula": self.formula,
            "inputs": _clean(self.inputs),
            "result": _clean(self.result),
            "unit": self.unit,
            "interpretation": self.interpretation,
            "evidence": self.evidence.to_dict(),
        }
        if self.breakdown:
            out["breakdown"] = _clean(self.breakdown)
        if self.panel:
            out["panel"] = _clean(self.panel)
        return out


def unit_text(unit: str, lang: str = "en") -> str:
    """A step's unit in ``lang``: ``unit.<unit>`` of the recipes' catalog, else the card's ``card.unit.<unit>``,
    else the unit as it is (symbols: GB, USD/Mtok, FLOP)."""
    if not unit:
        return unit
    texts = catalog(lang)
    return texts.get(f"unit.{unit}") or texts.get(f"card.unit.{unit}") or unit


def law_step(
    number: int,
    law_id: str,
    inputs: dict[str, Any],
    result: Any,
    interpretation: str | Msg,
    *,
    name: str | None = None,
    formula: str | None = None,
    unit: str | None = None,
    evidence: EvidenceNote | None = None,
    breakdown: dict[str, Any] | None = None,
) -> Step:
    """A Step that applies the registered law ``law_id``: section, name, formula, unit and evidence come from
    the registry; a recipe overrides one only where its instance differs (a KV formula spelled out per layer
    kind, a step named for its role, an evidence note for the case at hand)."""
    law = get_law(law_id)
    return Step(
        number,
        law.section,
        law.name if name is None else name,
        law.formula if formula is None else formula,
        inputs,
        result,
        law.unit if unit is None else unit,
        interpretation.text() if isinstance(interpretation, Msg) else interpretation,
        law.evidence if evidence is None else evidence,
        breakdown=breakdown,
        law=law.id,
        interpretation_msg=interpretation if isinstance(interpretation, Msg) else None,
    )


@dataclass(frozen=True)
class ConfidenceCheck:
    """One input to the confidence score: ok (1), warn (0.5) or miss (0)."""

    name: str
    status: Literal["ok", "warn", "miss"]
    note: str = ""
    note_msg: Msg | None = None  # the translatable form of ``note`` (which, left empty, is its English text)

    def __post_init__(self) -> None:
        if self.note_msg is not None and not self.note:
            object.__setattr__(self, "note", self.note_msg.text())

    def name_text(self, lang: str = "en") -> str:
        """The check's name in ``lang`` (``confidence.<name>``, else the card's ``card.check.<name>``)."""
        texts = catalog(lang)
        return texts.get(f"confidence.{self.name}") or texts.get(f"card.check.{self.name}") or self.name

    def note_text(self, lang: str = "en") -> str:
        """The check's note in ``lang`` (English where it has no message)."""
        return self.note_msg.text(lang) if self.note_msg is not None else self.note

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "status": self.status, "note": self.note}


@dataclass(frozen=True)
class Confidence:
    """score = mean of the checks (ok 1, warn 0.5, miss 0); band high ≥ 0.80, medium ≥ 0.55, else low."""

    checks: tuple[ConfidenceCheck, ...]

    @property
    def score(self) -> float:
        if not self.checks:
            return 1.0
        weights = {"ok": 1.0, "warn": 0.5, "miss": 0.0}
        return sum(weights[c.status] for c in self.checks) / len(self.checks)

    @property
    def band(self) -> str:
        score = self.score
        return "high" if score >= 0.80 else "medium" if score >= 0.55 else "low"

    def band_text(self, lang: str = "en") -> str:
        """The band ("high", "medium", "low") in ``lang``."""
        return catalog(lang).get(f"confidence.band.{self.band}") or self.band

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": round(self.score, 4),
            "band": self.band,
            "checks": [c.to_dict() for c in self.checks],
        }


@dataclass(frozen=True)
class RecipeResult:
    """The whole answer of one recipe."""

    recipe_id: str
    recipe_name: str
    inputs: dict[str, Any]
    chain: tuple[Step, ...]
    verdict: str
    reason: str
    mitigation: str
    caveats: tuple[str, ...] = ()
    confidence: Confidence = field(default_factory=lambda: Confidence(()))
    input_sources: dict[str, str] = field(default_factory=dict)  # "user", "default" or "model (<id>)"
    reason_msg: Msg | None = None  # the translatable form of `reason`
    mitigation_msg: Msg | None = None  # the translatable form of `mitigation`
    # The translatable form of a caveat, by its entry in ``caveats`` (a code with parameters, or a sentence kept
    # in English in JSON); a code without an entry here is rendered from ``caveat.<code>``.
    caveat_msgs: dict[str, Msg] = field(default_factory=dict)

    def localized(self, lang: str = "en") -> dict[str, str]:
        """Verdict label, reason and action in ``lang`` (EN, ES, FR, ZH; English where no message key)."""
        return {
            "recipe_name": recipe_label(self.recipe_id, lang, self.recipe_name) if lang != "en" else self.recipe_name,
            "verdict": verdict_label(self.verdict, lang),
            "reason": self.reason_msg.text(lang) if self.reason_msg else self.reason,
            "mitigation": self.mitigation_msg.text(lang) if self.mitigation_msg else self.mitigation,
        }

    def caveat_texts(self, lang: str = "en") -> list[str]:
        """Each caveat as a sentence in ``lang`` (never its code; ``caveats`` keeps the codes for JSON)."""
        return [caveat_text(c, lang, self.caveat_msgs.get(c)) for c in self.caveats]

    def localized_dict(self, lang: str) -> dict[str, Any]:
        """The texts of :meth:`to_dict` in ``lang`` (added to JSON as ``"localized"`` when ``lang`` is not
        English): recipe name, verdict label, reason, action, caveat sentences, the chain's names, units and
        interpretations, the confidence band and check names."""
        return {
            **self.localized(lang),
            "caveats": self.caveat_texts(lang),
            "chain": [
                {
                    "step": s.step,
                    "name": s.name_text(lang),
                    "unit": s.unit_text(lang),
                    "interpretation": s.interpretation_text(lang),
                }
                for s in self.chain
            ],
            "confidence": {
                "band": self.confidence.band_text(lang),
                "checks": [{"name": c.name_text(lang), "note": c.note_text(lang)} for c in self.confidence.checks],
            },
        }

    @property
    def tone(self) -> Tone:
        return verdict_tone(self.verdict)

    def step_named(self, name: str) -> Step | None:
        for step in self.chain:
            if step.name == name:
                return step
        return None

    def step_of_law(self, law_id: str) -> Step | None:
        """The first step that applies law ``law_id`` (the stable way to find a number in a chain)."""
        for step in self.chain:
            if step.law == law_id:
                return step
        return None

    def key_number_unit(self, name: str) -> str:
        """The unit of :meth:`key_numbers`' entry for step ``name`` (GB where a dict result gave its GB)."""
        step = self.step_named(name)
        if step is None:
            return ""
        if isinstance(step.result, dict):
            for key in ("GB", "bytes"):
                if key in step.result:
                    return key
        return "" if step.unit == "dimensionless" else step.unit

    def key_numbers(self) -> dict[str, float]:
        """Numeric results by step name; dict results give their ``GB`` (else ``bytes``/``value``) entry,
        as the reference's Compare table did (spec §4.2)."""
        numbers: dict[str, float] = {}
        for step in self.chain:
            value = step.result
            if isinstance(value, bool):
                continue
            if isinstance(value, (int, float)) and math.isfinite(value):
                numbers[step.name] = value
            elif isinstance(value, dict):
                for key in ("GB", "bytes", "value"):
                    item = value.get(key)
                    if isinstance(item, (int, float)) and not isinstance(item, bool) and math.isfinite(item):
                        numbers[step.name] = item
                        break
        return numbers

    def to_dict(self) -> dict[str, Any]:
        return {
            "recipe_id": self.recipe_id,
            "recipe_name": self.recipe_name,
            "inputs": _clean(self.inputs),
            "input_sources": dict(self.input_sources),
            "chain": [s.to_dict() for s in self.chain],
            "verdict": self.verdict,
            "tone": self.tone,
            "reason": self.reason,
            "mitigation": self.mitigation,
            "caveats": list(self.caveats),
            "confidence": self.confidence.to_dict(),
            "messages": {
                "reason": _clean(self.reason_msg.to_dict()) if self.reason_msg else None,
                "mitigation": _clean(self.mitigation_msg.to_dict()) if self.mitigation_msg else None,
            },
        }


# Verdict tone: one table for every renderer (the reference had three diverging copies, spec §7.6). Exact
# verdicts, not prefixes: a new verdict must be added here (and to the message catalogs; a test keeps the two
# sets equal), so no verdict gets a tone by accident of its spelling.
VERDICT_TONES: dict[str, Tone] = {
    "YES": "good",
    "YES (custom)": "good",
    "GO": "good",
    "USE SOFT DECAY": "good",
    "USE SOFT DECAY (caveat)": "good",
    "IN-BAND": "good",
    "CLEAN": "good",
    "CONFIRMED PRE-IH": "good",
    "CONFIRMED POST-IH": "good",
    "DEGRADED": "caution",
    "USE D_f HARD CUTOFF": "caution",
    "USE HARD T_train CUTOFF": "caution",
    "USE LITERATURE METHODS": "caution",
    "OVER-IMPRINTED": "caution",
    "UNDER-IMPRINTED": "caution",
    "NO": "bad",
    "NO (API)": "bad",
    "MEMORY-LIMITED": "bad",
    "TINY-MODEL": "bad",
    "OUTLIER": "bad",
    "ANOMALY": "bad",
    "FITS": "good",
    "DOES NOT FIT": "bad",
    "ESTIMATE": "info",
    "HOW-TO": "info",
    "COMPARED": "info",
    "COMMAND": "info",
    "NOT APPLICABLE": "info",
    "NEEDS MEASUREMENT": "info",
    "PREDICTION ONLY": "info",
    "PREDICTED PRE-IH": "info",
    "PREDICTED POST-IH": "info",
}


# Caveat codes made from a name (a law, a parameter): the catalog has one message for the family.
_CAVEAT_FAMILIES = (("panel_contradicts_", "caveat.panel_contradicts", "law"), ("missing_", "caveat.missing", "name"))


def caveat_text(caveat: str, lang: str = "en", msg: Msg | None = None) -> str:
    """One caveat as a sentence in ``lang``: its message, else ``caveat.<code>``, else a code family's message
    (``panel_contradicts_<law>``, ``missing_<parameter>``), else the entry itself (an English sentence)."""
    if msg is not None:
        return msg.text(lang)
    if f"caveat.{caveat}" in catalog("en"):
        return Msg(f"caveat.{caveat}").text(lang)
    for prefix, key, param in _CAVEAT_FAMILIES:
        if caveat.startswith(prefix) and key in catalog("en"):
            name = caveat[len(prefix) :]
            shown = _panel_law_name(name, lang) if param == "law" else name
            return Msg(key, **{param: shown}).text(lang)
    return caveat


def _panel_law_name(panel_key: str, lang: str) -> str:
    """The display name, in ``lang``, of the law the shipped panel tests under ``panel_key`` ("pade" → γ_Padé);
    the key itself when no registered law has it."""
    for law in LAWS.values():
        if law.panel_key is not None and law.panel_key.split(":")[0] == panel_key:
            texts = catalog(lang)
            return texts.get(f"laws.{law.id}.name") or texts.get(f"step.{law.name}") or law.name
    return panel_key


def verdict_tone(verdict: str) -> Tone:
    """good / caution / bad / info for a verdict (unknown verdicts, which a test forbids, read as caution)."""
    return VERDICT_TONES.get(verdict, "caution")
