"""Which attention-decay γ a recipe uses, and why: one rule for the card, `taf recipe`, the API and `taf ask`.

Order (first that applies): the user's own γ > the user's diagnosis file > the shipped panel's canonical
measurement of this exact model (``core/data/panel/gamma_panel.json``, matched by full model id) > the closed
form (γ_Padé with its δ corrections, computed by each recipe). ``closed_form=True`` skips both measured
sources. A diagnosis of another model (different id or architecture fingerprint) is still used as asked but
warned about, and marks the "measured γ" check not ok; a diagnosed γ the protocol cannot tell apart from uniform
attention (``core.decay.null``) caps the confidence of every verdict that uses it at low, saying why.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from tafagent.core.audit import Confidence, ConfidenceCheck, RecipeResult
from tafagent.core.decay.diagnosis import Diagnosis
from tafagent.core.messages import tr
from tafagent.core.spec.model_spec import ModelSpec
from tafagent.core.validation.panel import GammaRow, load_panel

__all__ = [
    "GAMMA_ROLES",
    "CappedConfidence",
    "DiagnosisGammas",
    "GammaChoice",
    "annotate_result",
    "choose_gammas",
    "diagnosis_gammas",
    "gamma_label_text",
    "panel_gamma_row",
    "recipe_gamma_params",
    "run_recipe_with_gamma",
]

# Recipe parameter → which measurement fills it: "text" (γ on natural text) or "random" (γ on random tokens).
GAMMA_ROLES: dict[str, str] = {
    "gamma_obs": "text",
    "gamma_text": "text",
    "gamma_random": "random",
    "gamma_random_obs": "random",
}
FINGERPRINT_KEYS = ("model_type", "n_layers", "n_heads", "n_kv_heads", "d_model", "vocab_size", "rope_theta")


@dataclass(frozen=True)
class CappedConfidence(Confidence):
    """A confidence whose band cannot exceed ``cap`` (a known reason makes the checks' mean too kind)."""

    cap: str = "low"
    cap_reason: str = ""

    @property
    def band(self) -> str:
        order = ("low", "medium", "high")
        return min(super().band, self.cap, key=order.index)

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "band": self.band, "capped_at": self.cap, "cap_reason": self.cap_reason}


@dataclass(frozen=True)
class DiagnosisGammas:
    """What a diagnosis file says about γ and about the model it measured (read by the adapters)."""

    path: str
    model: str
    gamma_text: float | None
    gamma_random: float | None
    distinguishable_from_uniform: bool | None = None  # of the headline corpus; False = inside the uniform null
    fingerprint: Mapping[str, Any] = field(default_factory=dict)  # FINGERPRINT_KEYS the file records

    def gamma(self, role: str) -> float | None:
        if role == "random":
            return self.gamma_random
        return self.gamma_text if self.gamma_text is not None else self.gamma_random


@dataclass(frozen=True)
class GammaChoice:
    """One γ with its origin: kind is "user", "diagnosis", "panel" (label says row, tier, file)."""

    value: float
    kind: str
    label: str
    row_id: str | None = None
    tier: str | None = None
    source_file: str | None = None
    warnings: tuple[str, ...] = ()  # sentences: a mismatched diagnosis, a null-like γ
    not_ok: bool = False  # the "measured γ" check fails (another model's diagnosis)
    null_like: bool = False  # indistinguishable from uniform attention: confidence capped at low

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "kind": self.kind,
            "label": self.label,
            "row_id": self.row_id,
            "tier": self.tier,
            "source_file": self.source_file,
            "warnings": list(self.warnings),
        }


def diagnosis_gammas(diagnosis: Diagnosis, path: str) -> DiagnosisGammas:
    """What the γ source needs from a diagnosis: its γ, the null flag of its headline corpus, and the
    architecture facts the file records (θ, layer count; ``env["architecture"]`` when the diagnoser wrote it)."""
    primary = diagnosis.primary
    recorded = diagnosis.env.get("architecture")
    fingerprint: dict[str, Any] = dict(recorded) if isinstance(recorded, Mapping) else {}
    fingerprint.setdefault("rope_theta", diagnosis.theta)
    fingerprint.setdefault("n_layers", diagnosis.n_layers)
    return DiagnosisGammas(
        path=path,
        model=diagnosis.model,
        gamma_text=diagnosis.gamma_text,
        gamma_random=diagnosis.gamma_random,
        distinguishable_from_uniform=None if primary is None else primary.distinguishable_from_uniform,
        fingerprint={k: v for k, v in fingerprint.items() if k in FINGERPRINT_KEYS and v is not None},
    )


def panel_gamma_row(model_id: str, role: str = "text") -> GammaRow | None:
    """The panel's canonical row of this exact model (full id, any case) for ``role``; None if not measured.
    Only an exact id counts: a loose match (``pythia-1b`` for ``EleutherAI/pythia-1b-deduped``) is another model."""
    key = model_id.strip().lower()
    for row in load_panel().rows:
        if row.canonical and row.model.lower() == key and (row.is_text if role == "text" else row.corpus == "random"):
            return row
    return None


def _panel_choice(row: GammaRow) -> GammaChoice:
    corpus = "text" if row.is_text else row.corpus
    label = f"measured {corpus} γ (panel row {row.row_id}, tier {row.tier}, {row.source_file})"
    return GammaChoice(row.gamma, "panel", label, row.row_id, row.tier, row.source_file)


# The labels this module writes (and the card's γ phrases), as patterns → catalog key: gamma_label_text reads them back.
_LABELS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"measured (?P<corpus>\w+) γ \(panel row (?P<row>[^,]+), tier (?P<tier>[^,]+), (?P<file>.+)\)"),
        "panel",
    ),
    (re.compile(r"measured γ you gave"), "user"),
    (re.compile(r"measured γ from the diagnosis (?P<path>.+)"), "diagnosis"),
    (re.compile(r"predicted \(γ_corrected, closed form\)"), "predicted"),
    (re.compile(r"closed form \(γ_corrected\)"), "closed_form"),
    (re.compile(r"none: no RoPE law and no measurement; run `taf diagnose`"), "none"),
    (
        re.compile(
            r"The diagnosis (?P<path>.+) measured another model \((?P<differences>.+)\): its γ does not describe this "
            r"one; diagnose this model with `taf diagnose`\."
        ),
        "warn_mismatch",
    ),
    (
        re.compile(
            r"The γ in (?P<path>.+) cannot be told apart from uniform attention under its protocol \(the uniform "
            r"null lies inside its 95 % interval\), so verdicts that use it have low confidence\."
        ),
        "warn_null",
    ),
)


def gamma_label_text(label: str, lang: str = "en") -> str:
    """A γ origin label ("measured text γ (panel row P049, tier A, …)", "measured γ you gave", the card's
    "predicted (γ_corrected, closed form)") or a warning of this module (a diagnosis of another model, a null-like
    γ) in ``lang``; English, or a text this module did not write, unchanged."""
    if lang == "en":
        return label
    for pattern, key in _LABELS:
        match = pattern.fullmatch(label)
        if match is None:
            continue
        params = match.groupdict()
        if params.get("corpus") in ("text", "random"):  # the corpus word is translated; another stays as written
            params["corpus"] = tr(f"card.gamma.corpus_{params['corpus']}", lang)
        return tr(f"card.gamma.{key}", lang, **params)
    return label


def _mismatch(diagnosis: DiagnosisGammas, spec: ModelSpec | None) -> list[str]:
    """How the diagnosed model differs from the profiled one: id, then each recorded architecture fact."""
    if spec is None:
        return []
    differences = []
    if diagnosis.model.strip().lower() != spec.model_id.strip().lower():
        differences.append(f"model {diagnosis.model} ≠ {spec.model_id}")
    facts = {
        "model_type": spec.model_type,
        "n_layers": spec.n_layers,
        "n_heads": spec.n_heads,
        "n_kv_heads": spec.n_kv_heads,
        "d_model": spec.d_model,
        "vocab_size": spec.vocab_size,
        "rope_theta": spec.rope_theta,
    }
    for key in FINGERPRINT_KEYS:
        theirs, ours = diagnosis.fingerprint.get(key), facts.get(key)
        if theirs is not None and ours is not None and theirs != ours:
            differences.append(f"{key} {theirs} ≠ {ours}")
    return differences


def _diagnosis_choice(diagnosis: DiagnosisGammas, value: float, role: str, spec: ModelSpec | None) -> GammaChoice:
    warnings: list[str] = []
    differences = _mismatch(diagnosis, spec)
    if differences:
        warnings.append(
            f"The diagnosis {diagnosis.path} measured another model ({'; '.join(differences)}): its γ does not "
            "describe this one; diagnose this model with `taf diagnose`."
        )
    headline = role == "text" or diagnosis.gamma_text is None  # the flag is of the headline (text, else random) γ
    null_like = headline and diagnosis.distinguishable_from_uniform is False
    if null_like:
        warnings.append(
            f"The γ in {diagnosis.path} cannot be told apart from uniform attention under its protocol (the uniform "
            "null lies inside its 95 % interval), so verdicts that use it have low confidence."
        )
    label = f"measured γ from the diagnosis {diagnosis.path}"
    return GammaChoice(
        value, "diagnosis", label, warnings=tuple(warnings), not_ok=bool(differences), null_like=null_like
    )


def choose_gammas(
    spec: ModelSpec | None,
    user: Mapping[str, float | None] | None = None,
    diagnosis: DiagnosisGammas | None = None,
    closed_form: bool = False,
) -> dict[str, GammaChoice | None]:
    """γ per role ("text", "random"): user > diagnosis > panel exact id > None (the recipe's closed form)."""
    user = user or {}
    out: dict[str, GammaChoice | None] = {}
    for role in ("text", "random"):
        given = user.get(role)
        if given is not None:
            out[role] = GammaChoice(_gamma_value(given, role), "user", "measured γ you gave")
        elif closed_form:
            out[role] = None
        elif diagnosis is not None and (value := diagnosis.gamma(role)) is not None:
            out[role] = _diagnosis_choice(diagnosis, value, role, spec)
        elif spec is not None and (row := panel_gamma_row(spec.model_id, role)) is not None:
            out[role] = _panel_choice(row)
        else:
            out[role] = None
    return out


def recipe_gamma_params(
    param_names: tuple[str, ...], user_params: Mapping[str, Any], choices: Mapping[str, GammaChoice | None]
) -> dict[str, GammaChoice]:
    """The γ parameters of one recipe to fill (those it declares and the user did not set), with their choice."""
    fill: dict[str, GammaChoice] = {}
    for name in param_names:
        role = GAMMA_ROLES.get(name)
        choice = choices.get(role) if role else None
        if choice is not None and user_params.get(name) is None:
            fill[name] = choice
    return fill


def annotate_result(result: RecipeResult, used: Mapping[str, GammaChoice]) -> RecipeResult:
    """Label the γ inputs a recipe used with their origin; a mismatched or null-like γ fails the "measured γ"
    check, adds its warning as a caveat sentence, and (null-like) caps the confidence at low."""
    used = {name: c for name, c in used.items() if result.inputs.get(name) is not None}
    if not used:
        return result
    sources = {**result.input_sources, **{name: choice.label for name, choice in used.items()}}
    warnings = tuple(dict.fromkeys(w for c in used.values() for w in c.warnings))
    bad = [c for c in used.values() if c.not_ok or c.null_like]
    checks = list(result.confidence.checks)
    if bad:
        note = " ".join(bad[0].warnings)
        checks = [c for c in checks if c.name != "measured γ"]
        checks.insert(0, ConfidenceCheck("measured γ", "miss", note))
    null = next((c for c in used.values() if c.null_like), None)
    confidence: Confidence = (
        CappedConfidence(tuple(checks), "low", null.warnings[-1]) if null is not None else Confidence(tuple(checks))
    )
    return replace(
        result,
        input_sources=sources,
        caveats=tuple(dict.fromkeys((*result.caveats, *warnings))),
        confidence=confidence,
    )


def run_recipe_with_gamma(
    recipe_id: str,
    params: Mapping[str, Any] | None = None,
    *,
    model: ModelSpec | None = None,
    catalogs: Any = None,
    closed_form: bool = False,
    diagnosis: DiagnosisGammas | None = None,
) -> RecipeResult:
    """Run one recipe with its γ parameters filled by :func:`choose_gammas` (the user's own values win) and
    labelled with their origin: the one entry point of `taf recipe` and the API."""
    from tafagent.core.recipes.registry import get_recipe, run_recipe  # the registry imports the recipes

    recipe = get_recipe(recipe_id)
    user = dict(params or {})
    given = {p.name: user[k] for k in user if (p := recipe.param(k)) is not None}
    names = tuple(p.name for p in recipe.params)
    user_gammas = {GAMMA_ROLES[n]: v for n, v in given.items() if n in GAMMA_ROLES and v is not None}
    fill = recipe_gamma_params(names, given, choose_gammas(model, user_gammas, diagnosis, closed_form))
    fill = {name: choice for name, choice in fill.items() if choice.kind != "user"}
    for name, choice in fill.items():
        user[name] = choice.value
        if name == "gamma_obs" and "gamma_source" in names:
            user["gamma_source"] = choice.label
    if closed_form and "closed_form" in names:
        user["closed_form"] = True
    return annotate_result(run_recipe(recipe_id, user, model=model, catalogs=catalogs), fill)


def _gamma_value(given: object, role: str) -> float:
    """A γ the user gave, as a float; one clear error for text that is not a number."""
    from tafagent.core.errors import ParameterError

    try:
        value = float(given)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        name = "gamma_obs" if role == "text" else "gamma_random_obs"
        raise ParameterError(f"{name} must be a number, got {str(given)[:40]!r}", "e.g. 0.85", field=name) from None
    return value
