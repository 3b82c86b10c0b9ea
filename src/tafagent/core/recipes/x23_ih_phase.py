"""X-23 IH-Phase Detector: before or after induction-head formation?   (spec §3.8)

The sign of Δγ = γ_text − γ_random is the probe; size alone (≥ 400M) gives the prediction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tafagent.core.audit import ConfidenceCheck, RecipeResult, law_step
from tafagent.core.evidence import Evidence, EvidenceNote
from tafagent.core.laws.constants import IH_PANEL_STD, IH_THRESHOLD_M
from tafagent.core.laws.imprint import ih_phase_check, ih_phase_expected
from tafagent.core.messages import Msg
from tafagent.core.recipes.ask_spec import AnswerDraft, AskSpec
from tafagent.core.recipes.base import Param, Recipe, RecipeContext
from tafagent.core.recipes.common import N_PARAMS
from tafagent.core.recipes.common import first_given as _first

GAMMA_TEXT = Param("gamma_text", "float", "γ measured on natural text", None, optional=True, minimum=-10, maximum=10)
GAMMA_RANDOM = Param(
    "gamma_random",
    "float",
    "γ measured on random tokens",
    None,
    optional=True,
    minimum=-10,
    maximum=10,
    aliases=("gamma_random_obs",),
)


def compute(ctx: RecipeContext) -> RecipeResult:
    n_params = ctx["n_params"]
    n_params_M = n_params / 1e6
    expected = ih_phase_expected(n_params_M)
    chain = [
        law_step(
            1,
            "ih_size_phase",
            {"n_params_M": n_params_M, "threshold_M": IH_THRESHOLD_M},
            expected,
            Msg("step.x23.size", n_params_M=n_params_M),
            evidence=EvidenceNote(Evidence.EXPLORATORY, "§30 size threshold"),
        )
    ]
    g_text, g_random = ctx["gamma_text"], ctx["gamma_random"]
    if g_text is None or g_random is None:
        return ctx.result(
            chain,
            f"PREDICTED {expected.upper()}",
            Msg("x23.predicted.reason", n_params_M=n_params_M),
            Msg("x23.predicted.mitigation"),
            ["x23_needs_measurement"],
            [ConfidenceCheck("measurement", "miss", "", Msg("confidence.note.needs_both"))],
        )
    check = ih_phase_check(g_text, g_random, n_params_M)
    chain.append(
        law_step(
            2,
            "ih_delta",
            {"gamma_text": g_text, "gamma_random": g_random},
            check["delta_gamma"],
            Msg("step.x23.observed", phase=check["phase_observed"]),
        )
    )
    checks = [
        ConfidenceCheck("measurement", "ok", "", Msg("confidence.note.both_given")),
        ConfidenceCheck(
            "margin",
            "warn" if abs(check["delta_gamma"]) < 0.05 else "ok",
            "",
            Msg("confidence.note.delta_margin", delta=abs(check["delta_gamma"]), std=IH_PANEL_STD),
        ),
    ]
    if check["consistent"]:
        return ctx.result(
            chain,
            f"CONFIRMED {check['phase_observed'].upper()}",
            Msg("x23.confirmed.reason", delta=check["delta_gamma"]),
            Msg("x23.confirmed.mitigation"),
            [],
            checks,
        )
    return ctx.result(
        chain,
        "ANOMALY",
        Msg("x23.anomaly.reason", delta=check["delta_gamma"], observed=check["phase_observed"], expected=expected),
        Msg("x23.anomaly.mitigation"),
        ["x23_anomaly"],
        checks,
    )


def card_params(card: Mapping[str, Any]) -> dict[str, Any]:
    """What the TAF Card passes to this recipe (its options by name)."""
    return {"gamma_text": _first(card["gamma_text"], card["gamma_obs"]), "gamma_random": card["gamma_random"]}


def _ask_answer(result: RecipeResult, draft: AnswerDraft) -> str:
    """``taf ask``'s answer variant: predicted_post/pre (from the size), confirmed_post/pre, or anomaly."""
    size, delta = result.step_of_law("ih_size_phase"), result.step_of_law("ih_delta")
    if size is not None:
        draft.number("size_M", size.inputs.get("n_params_M"), "int")
        draft.number("threshold_M", size.inputs.get("threshold_M"), "int")
        draft.ref("size_ref", size)
        draft.text("expected", draft.word("phases", str(size.result)))
    if delta is not None:
        draft.step("delta", delta, "signed3")
        observed = "post-IH" if delta.result > 0 else "pre-IH" if delta.result < 0 else "ambiguous"
        draft.text("observed", draft.word("phases", observed))
    draft.support(None)
    return {
        "PREDICTED POST-IH": "predicted_post",
        "PREDICTED PRE-IH": "predicted_pre",
        "CONFIRMED POST-IH": "confirmed_post",
        "CONFIRMED PRE-IH": "confirmed_pre",
    }.get(result.verdict, "anomaly")


# What `taf ask` needs: the words and quantities that point at this recipe, how the question fills
# its parameters, and how the answer reads its chain (see tafagent.core.recipes.ask_spec).
ASK = AskSpec(
    cues={
        "en": (
            (r"induction[- ]?heads?|induction[- ]head", 4.0),
            (r"ih[- ]?phase|pre-?ih|post-?ih|ih formation", 3.5),
            (r"(?<![a-z])ih(?![a-z])", 2.0),
            (r"checkpoints?|intermediate (?:step|weights)", 1.5),
            (r"phase (?:transition|change)|before or after|has (?:it )?formed|formation", 1.5),
            (r"monitor\w*|during training|training run|mid-training", 1.0),
            (r"text vs\.? random|text and random|δγ|delta gamma|delta γ", 2.0),
        ),
        "es": (
            (r"cabezas? de induccion|fase ih", 4.0),
            (r"punto de control|puntos de control", 1.5),
            (r"vigilar|monitorizar|durante el entrenamiento", 1.0),
        ),
        "fr": (
            (r"tetes? d'induction|phase ih", 4.0),
            (r"point de controle|points de controle", 1.5),
            (r"surveiller|pendant l'entrainement", 1.0),
        ),
        "zh": (
            (r"归纳头|感应头|诱导头|ih相|ih阶段", 4.0),
            (r"检查点", 1.5),
            (r"监控|训练过程中|训练中", 1.0),
        ),
    },
    signals={"gamma_text_and_random": 3.5, "delta_gamma": 3.0, "size_without_model": 0.3},
    readers=("gamma_pair",),
    answer=_ask_answer,
    size_required=True,
    default_size_note=True,
    announced_defaults=("n_params",),
)


RECIPE = Recipe(
    id="X-23",
    name="IH-Phase Detector",
    description="Is a checkpoint before or after induction-head formation? Uses the sign of γ_text − γ_random.",
    category="diagnostic",
    sections=("§30",),
    params=(N_PARAMS, GAMMA_TEXT, GAMMA_RANDOM),
    compute=compute,
    order=23,
    card_rank=8,
    card_params=card_params,
    reference_result_name="IH-Phase Detector",
    examples=("Has this checkpoint formed induction heads?",),
    ask=ASK,
)
