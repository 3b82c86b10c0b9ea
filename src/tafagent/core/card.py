"""The TAF Card: every applicable recipe for one model, its key numbers, diagnostics and falsifiers.

Reference: spec §4.1 ``profile_model``. Differences: the diagnostics block is shown (the reference
computed it and hid it), diagnostics use a measured γ when one is given and say "predicted" when they
use the closed form, all eight recipes appear (the measurement-based ones say what they need), X-3 is
model-aware, F2 is marked refuted (circular, spec §9.1 item 2), and a one-glance summary counts the
verdicts (§9.1 item 18).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tafagent.core.audit import RecipeResult, _clean
from tafagent.core.catalogs import Catalogs, default_catalogs
from tafagent.core.errors import TafError
from tafagent.core.gamma_source import GAMMA_ROLES, DiagnosisGammas, GammaChoice, annotate_result, choose_gammas
from tafagent.core.laws.constants import IMPRINT_EVIDENCE, K_EVIDENCE, POST_IH_THRESHOLD_PARAMS
from tafagent.core.laws.decomposition import imprint_shift
from tafagent.core.laws.diagnostics import bimodal_phase_class, hagedorn_safety_alert
from tafagent.core.laws.famous_constants import nearest_famous_constant
from tafagent.core.laws.identities import verify_algebraic_consistency
from tafagent.core.laws.imprint import compute_invariant_K
from tafagent.core.laws.thermo import chi_susceptibility, thermodynamic_profile
from tafagent.core.memory.kv import kv_plan
from tafagent.core.recipes.registry import card_recipes, run_recipe
from tafagent.core.spec.model_spec import ModelSpec
from tafagent.core.validation import CARD_KEY_LAW_KEYS, law_evidence, nearest_measured

DEFAULT_T_EVAL_WITHOUT_T_TRAIN = 4096


@dataclass(frozen=True)
class CardOptions:
    """User inputs of a card (the reference's profile_model keyword arguments)."""

    T_eval: int | None = None
    gamma_obs: float | None = None
    gamma_random: float | None = None
    gamma_text: float | None = None
    USD_budget: float = 5000.0
    target_tokens_per_day: float = 10_000_000.0
    api_model: str = "GPT-4o"
    monthly_tokens_M: float = 10.0
    closed_form: bool = False  # decide on the closed form: ignore the panel's and the diagnosis's measured γ
    diagnosis: DiagnosisGammas | None = None  # a `taf diagnose` file's γ (the explicit gamma_* options win)


@dataclass(frozen=True)
class Card:
    model: ModelSpec
    options: CardOptions
    T_eval: int
    architecture_class: str
    key_numbers: dict[str, Any]
    recipes: dict[str, RecipeResult]
    diagnostics: dict[str, Any]
    falsification: list[dict[str, str]]
    summary: dict[str, Any] = field(default_factory=dict)
    key_evidence: dict[str, dict[str, Any]] = field(default_factory=dict)  # key number → panel statistic
    measured: dict[str, Any] = field(default_factory=dict)  # the model's own measurements or nearest measured

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model.to_dict(),
            "inputs": _clean(
                {
                    "T_eval": self.T_eval,
                    "gamma_obs": self.options.gamma_obs,
                    "gamma_random": self.options.gamma_random,
                    "gamma_text": self.options.gamma_text,
                    "USD_budget": self.options.USD_budget,
                    "target_tokens_per_day": self.options.target_tokens_per_day,
                    "api_model": self.options.api_model,
                    "monthly_tokens_M": self.options.monthly_tokens_M,
                    "closed_form": self.options.closed_form or None,
                    "diagnosis": None if self.options.diagnosis is None else self.options.diagnosis.path,
                }
            ),
            "architecture_class": self.architecture_class,
            "summary": self.summary,
            "key_numbers": _clean(self.key_numbers),
            "recipes": {rid: r.to_dict() for rid, r in self.recipes.items()},
            "diagnostics": _clean(self.diagnostics),
            "falsification": self.falsification,
            "key_evidence": _clean(self.key_evidence),
            "measured": _clean(self.measured),
        }


# The architecture classes: code → the English label the Card's JSON keeps (catalog key ``card.arch.<code>``).
ARCHITECTURE_CLASSES: dict[str, str] = {
    "ssm": "SSM (state-space, no attention)",
    "hybrid": "Hybrid (attention + state-space layers)",
    "alibi": "ALiBi (linear distance bias, no RoPE)",
    "abspe": "AbsPE (learned absolute positions, no RoPE)",
    "swa_alternating": "SWA-alternating (gemma/phi family signature)",
    "swa": "SWA (sliding window on every layer)",
    "gqa_post_ih": "RoPE-GQA post-IH (Llama-3 / Mistral / Qwen-style)",
    "gqa_pre_ih": "RoPE-GQA pre-IH (small GQA model)",
    "mha_post_ih": "RoPE-MHA post-IH (classical Llama-2 / pythia-large)",
    "mha_pre_ih": "RoPE-MHA pre-IH (small MHA model)",
}


def architecture_class_code(spec: ModelSpec) -> str:
    """The code of :data:`ARCHITECTURE_CLASSES` for ``spec``: the reference's five classes (spec §4.1) for RoPE
    models, plus the families it could not name."""
    post_ih = spec.n_params >= POST_IH_THRESHOLD_PARAMS
    if spec.family in ("ssm", "hybrid", "alibi", "abspe"):
        return spec.family
    if spec.has_swa:
        if spec.swa_declared or spec.layer_types:  # the reference's label (hand-entered SWA, or alternating)
            return "swa_alternating"
        return "swa"
    if spec.has_gqa:
        return "gqa_post_ih" if post_ih else "gqa_pre_ih"
    return "mha_post_ih" if post_ih else "mha_pre_ih"


def architecture_class(spec: ModelSpec) -> str:
    """The English label of ``spec``'s architecture class (see :func:`architecture_class_code`)."""
    return ARCHITECTURE_CLASSES[architecture_class_code(spec)]


def profile(spec: ModelSpec, options: CardOptions | None = None, catalogs: Catalogs | None = None) -> Card:
    """Build the TAF Card of ``spec``."""
    options = options or CardOptions()
    catalogs = catalogs or default_catalogs()
    T_eval = options.T_eval or spec.T_train or DEFAULT_T_EVAL_WITHOUT_T_TRAIN

    choices = _gamma_choices(spec, options)
    card_options = _card_options(options, T_eval, choices)
    recipes: dict[str, RecipeResult] = {}
    for recipe in card_recipes():  # each recipe declares its card rank and which card options it takes
        declared = recipe.card_params(card_options) if recipe.card_params is not None else {}
        params = {k: v for k, v in declared.items() if v is not None}
        used = {name: c for name, role in GAMMA_ROLES.items() if name in params and (c := choices.get(role))}
        result = run_recipe(recipe.id, params, model=spec, catalogs=catalogs)
        recipes[recipe.id] = annotate_result(result, used)

    key_numbers, gamma_used, gamma_source = _key_numbers(spec, T_eval, card_options, recipes, choices)
    diagnostics = _diagnostics(spec, T_eval, gamma_used, gamma_source)
    tones = Counter(r.tone for r in recipes.values())
    summary = {
        "gamma_used": _gamma_used(recipes),
        "good": tones.get("good", 0),
        "caution": tones.get("caution", 0),
        "bad": tones.get("bad", 0),
        "info": tones.get("info", 0),
        "line": f"{tones.get('good', 0)} ✅ · {tones.get('caution', 0)} ⚠ · {tones.get('bad', 0)} ❌ · "
        f"{tones.get('info', 0)} ℹ · γ: {_gamma_line(choices)}",
    }
    key_evidence = {
        key: law_evidence(law).to_dict() for key, law in CARD_KEY_LAW_KEYS.items() if key_numbers.get(key) is not None
    }
    return Card(
        spec,
        options,
        T_eval,
        architecture_class(spec),
        key_numbers,
        recipes,
        diagnostics,
        _falsification(spec, key_numbers),
        summary,
        key_evidence,
        nearest_measured(spec).to_dict(),
    )


def _gamma_choices(spec: ModelSpec, options: CardOptions) -> dict[str, GammaChoice | None]:
    """The card's γ per role (core.gamma_source): the options' own γ, the diagnosis, the panel, else none."""
    text = options.gamma_obs if options.gamma_obs is not None else options.gamma_text
    user = {"text": text, "random": options.gamma_random}
    return choose_gammas(spec, user, options.diagnosis, options.closed_form)


def _card_options(options: CardOptions, T_eval: int, choices: dict[str, GammaChoice | None]) -> dict[str, Any]:
    """The options every recipe's ``card_params`` reads, with the chosen γ in place of the typed ones."""
    out = {**dataclasses.asdict(options), "T_eval": T_eval}
    out.pop("diagnosis")
    text, random = choices.get("text"), choices.get("random")
    out["gamma_obs"] = None if text is None else text.value
    out["gamma_text"] = options.gamma_text if options.gamma_text is not None else out["gamma_obs"]
    out["gamma_random"] = None if random is None else random.value
    out["gamma_source"] = None if text is None else text.label
    out["closed_form"] = options.closed_form or None
    return out


def _gamma_line(choices: dict[str, GammaChoice | None]) -> str:
    """One phrase for the summary line: the text γ the verdicts used, or the closed form."""
    text = choices.get("text")
    return "closed form (γ_corrected)" if text is None else f"{text.value:.4g}, {text.label}"


def _gamma_used(recipes: dict[str, RecipeResult]) -> dict[str, str]:
    """Which γ each verdict used: its measured-γ input's origin, else the closed form (or none needed)."""
    out: dict[str, str] = {}
    for rid, result in recipes.items():
        names = [n for n in GAMMA_ROLES if result.inputs.get(n) is not None]
        if names:
            out[rid] = "; ".join(f"{n} = {result.inputs[n]:.4g}: {result.input_sources.get(n, '')}" for n in names)
        elif result.step_of_law("gamma_decomposition") is not None:
            out[rid] = "closed form (γ_corrected)"
    return out


def _step_result(result: RecipeResult | None, law_id: str) -> Any:
    """The result of the step of ``result`` that applies ``law_id`` (None when the recipe has no such step)."""
    step = result.step_of_law(law_id) if result is not None else None
    return None if step is None else step.result


def _key_numbers(
    spec: ModelSpec,
    T_eval: int,
    options: dict[str, Any],
    recipes: dict[str, RecipeResult],
    choices: dict[str, GammaChoice | None],
) -> tuple[dict[str, Any], float | None, str]:
    """The card's key numbers, read from the recipes' steps by law id (nothing recomputed that a recipe
    computed); χ is the susceptibility law applied to X-2's γ_corrected."""
    x2 = recipes.get("X-2")
    kv = _step_result(x2, "kv_cache") if spec.rope_theta is not None else None
    # a model without RoPE has no X-2 chain: its KV still has an exact size
    kv_bytes = kv["bytes"] if kv is not None else kv_plan(spec, "transformers", "bf16").bytes_per_sequence(T_eval)
    numbers: dict[str, Any] = {
        "T_eval": T_eval,
        "gamma_pade": None,
        "gamma_corrected": None,
        "d_horizon": None,
        "l_niah": None,
        "chi": None,
        "gamma_obs": options["gamma_obs"],
        "kv_cache_bytes": kv_bytes,
        "kv_cache_GB": kv_bytes / 1e9,
        "gamma_random_predicted": None,
    }
    text = choices.get("text")
    gamma_used, gamma_source = (None, "") if text is None else (text.value, text.label)
    g_corr = _step_result(x2, "gamma_decomposition")
    if g_corr is not None:
        numbers.update(
            {
                "gamma_pade": _step_result(x2, "gamma_pade"),
                "gamma_corrected": g_corr,
                "d_horizon": _step_result(x2, "d_horizon"),
                "l_niah": _step_result(x2, "l_niah"),
                "chi": chi_susceptibility(g_corr) if 0 < g_corr < 2 else None,
                "gamma_random_predicted": _step_result(recipes.get("X-21"), "gamma_random"),
            }
        )
        if options["gamma_obs"] is not None:
            numbers["d_horizon_measured"] = _step_result(x2, "d_horizon_measured")
        if gamma_used is None:
            gamma_used, gamma_source = g_corr, "predicted (γ_corrected, closed form)"
    if gamma_used is not None:
        invariant = compute_invariant_K(gamma_used, spec.n_params / 1e6)
        numbers["compute_invariant_K"] = invariant["K"]
        numbers["K_in_distribution"] = invariant["in_distribution"]
        numbers["K_gamma_source"] = gamma_source
    return numbers, gamma_used, gamma_source


def _diagnostics(spec: ModelSpec, T_eval: int, gamma: float | None, source: str) -> dict[str, Any]:
    if gamma is None:
        return {"gamma_used": None, "gamma_source": "none: no RoPE law and no measurement; run `taf diagnose`"}
    out: dict[str, Any] = {
        "gamma_used": gamma,
        "gamma_source": source,
        "hagedorn_safety": hagedorn_safety_alert(gamma),
        "bimodal_phase_class": bimodal_phase_class(gamma),
        "nearest_famous_constants": nearest_famous_constant(gamma, max_results=2, tolerance=0.02),
        "compute_invariant": {**compute_invariant_K(gamma, spec.n_params / 1e6), "evidence": K_EVIDENCE.to_dict()},
        "algebraic_consistency": verify_algebraic_consistency(gamma),
    }
    if spec.rope_theta is not None:
        out["imprint_predicted_shift"] = imprint_shift(spec.n_params / 1e6)  # γ_random − γ_Padé by the imprint law
        out["imprint_predicted_shift_evidence"] = IMPRINT_EVIDENCE.to_dict()
    if gamma > 0:
        try:
            out["thermodynamics"] = thermodynamic_profile(gamma, T_eval, spec.rope_theta).to_dict()
        except (ValueError, TafError) as error:  # outside its domain: say so instead of failing the card
            out["thermodynamics"] = {"error": str(error)}
    return out


def _falsification(spec: ModelSpec, numbers: dict[str, Any]) -> list[dict[str, str]]:
    """Which published falsifiers apply to this model (spec §4.1), with today's status."""
    items: list[dict[str, str]] = []
    g_corr, dh = numbers.get("gamma_corrected"), numbers.get("d_horizon")
    if g_corr is not None and 0 < g_corr < 1:
        items.append(
            {
                "id": "F1",
                "claim": "γ_Padé median MAE < 5%",
                "status": "in scope",
                "note": "reference claim on n = 9, not re-tested by this card",
            }
        )
    if dh is not None:
        items.append(
            {
                "id": "F2",
                "claim": "d_horizon predicts NIAH ±1%",
                "status": "refuted",
                "note": "circular: with γ = γ_Padé the horizon equals T by identity (spec §9.1 item 2)",
            }
        )
        T_train = spec.T_train or 0
        items.append(
            {
                "id": "F17",
                "claim": "Soft KV decay regime",
                "status": "applies" if dh >= T_train / 2 else "regime refuted here",
                "note": "partial: confirmed on 2 of 3 models",
            }
        )
    if spec.has_gqa and spec.rope_theta is not None:
        items.append({"id": "F10", "claim": "GQA Δγ < −0.1 ⇒ post-IH", "status": "in scope", "note": ""})
    if spec.has_swa:
        items.append({"id": "F11", "claim": "SWA Δγ > +0.3 (gemma signature)", "status": "in scope", "note": ""})
    return items
