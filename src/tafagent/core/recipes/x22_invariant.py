"""X-22 Compute-Context Invariant: is K = γ·ln(N²·D) inside the panel band?   (spec §3.7)

Needs a measured γ: without one the result is NEEDS MEASUREMENT (the reference raised a TypeError,
spec §9.2 item 5). The Padé deviation step is skipped for models without RoPE.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tafagent.core.audit import ConfidenceCheck, RecipeResult, Step, law_step
from tafagent.core.laws.constants import K_PANEL_MEAN, K_PANEL_STD
from tafagent.core.laws.imprint import compute_invariant_K
from tafagent.core.laws.pade import gamma_pade
from tafagent.core.messages import Msg
from tafagent.core.recipes.ask_spec import AnswerDraft, AskSpec, step_value
from tafagent.core.recipes.base import Param, Recipe, RecipeContext
from tafagent.core.recipes.common import D_TOKENS, GAMMA_OBS, N_PARAMS, t_train_param, theta_param
from tafagent.core.recipes.common import first_given as _first

T_EVAL = Param(
    "T_eval",
    "int",
    "length for the Padé comparison (default: T_train)",
    None,
    optional=True,
    unit="tokens",
    minimum=1,
    maximum=2**34,
)


def compute(ctx: RecipeContext) -> RecipeResult:
    gamma, n_params, theta = ctx["gamma_obs"], ctx["n_params"], ctx["theta"]
    if gamma is None:
        return _needs_measurement(ctx)
    T_eval = ctx["T_eval"] if ctx["T_eval"] is not None else ctx["T_train"]
    inv = compute_invariant_K(gamma, n_params / 1e6, ctx["D_tokens"])
    chain = _invariant_steps(gamma, n_params, inv)
    if theta is not None:
        chain.append(_deviation_step(gamma, theta, T_eval))
    checks = [
        ConfidenceCheck("measurement", "ok", "", Msg("confidence.note.gamma_obs", gamma_obs=gamma)),
        ConfidenceCheck(
            "training tokens",
            "ok" if ctx["D_tokens"] is not None else "warn",
            "",
            Msg("confidence.note.given" if ctx["D_tokens"] is not None else "confidence.note.assumed_chinchilla"),
        ),
    ]
    if inv["in_distribution"]:
        return ctx.result(
            chain,
            "IN-BAND",
            Msg("x22.in_band.reason", K=inv["K"], mean=K_PANEL_MEAN),
            Msg("x22.in_band.mitigation"),
            [],
            checks,
        )
    return ctx.result(
        chain,
        "OUTLIER",
        Msg(
            "x22.outlier.reason",
            K=inv["K"],
            kind=Msg("x22.high" if inv["z_score"] > 0 else "x22.low"),
            z=abs(inv["z_score"]),
        ),
        Msg("x22.outlier.mitigation"),
        [] if ctx["D_tokens"] is not None else ["x22_assumed_chinchilla_tokens"],
        checks,
    )


def _needs_measurement(ctx: RecipeContext) -> RecipeResult:
    """Without a measured γ there is no K: show the band it would be tested against."""
    band = (K_PANEL_MEAN - K_PANEL_STD, K_PANEL_MEAN + K_PANEL_STD)
    step = law_step(
        1,
        "k_band",
        {"mean": K_PANEL_MEAN, "std": K_PANEL_STD},
        {"low": band[0], "high": band[1]},
        "the band a measured γ is tested against",
        unit="",
    )
    return ctx.result(
        [step],
        "NEEDS MEASUREMENT",
        Msg("x22.needs.reason"),
        Msg("x22.needs.mitigation"),
        ["x22_needs_measurement"],
        [ConfidenceCheck("measurement", "miss", "", Msg("confidence.note.no_gamma_obs"))],
    )


def _invariant_steps(gamma: float, n_params: float, inv: dict[str, Any]) -> list[Step]:
    """Steps 1–2: K = γ·ln(N²·D) and its z-score against the panel."""
    return [
        law_step(
            1,
            "k_invariant",
            {"gamma": gamma, "N": n_params, "D": inv["D_tokens"]},
            inv["K"],
            Msg("step.x22.K", K=inv["K"], mean=K_PANEL_MEAN, std=K_PANEL_STD),
            unit="nats",
        ),
        law_step(
            2,
            "k_zscore",
            {"K": inv["K"], "mean": K_PANEL_MEAN, "std": K_PANEL_STD},
            inv["z_score"],
            inv["interpretation"],
        ),
    ]


def _deviation_step(gamma: float, theta: float, T_eval: int) -> Step:
    """Step 3 (RoPE models only): γ_obs − γ_Padé(θ, T_eval)."""
    diff = gamma - gamma_pade(theta, T_eval)
    return law_step(
        3,
        "gamma_deviation",
        {"gamma_obs": gamma, "gamma_pade": gamma - diff},
        diff,
        "negative = sub-Padé anomaly, positive = supra-Padé",
    )


def card_params(card: Mapping[str, Any]) -> dict[str, Any]:
    """What the TAF Card passes to this recipe (its options by name)."""
    return {"T_eval": card["T_eval"], "gamma_obs": _first(card["gamma_obs"], card["gamma_text"])}


def _ask_answer(result: RecipeResult, draft: AnswerDraft) -> str:
    """``taf ask``'s answer variant: needs (a measurement), in_band, high or low."""
    if result.verdict == "NEEDS MEASUREMENT":
        band = result.chain[0] if result.chain else None
        draft.number("low", step_value(band, "low"), "dec1")
        draft.number("high", step_value(band, "high"), "dec1")
        draft.ref("band_ref", band)
        draft.support(None)
        return "needs"
    k_step, z_step, pade = (
        result.step_of_law("k_invariant"),
        result.step_of_law("k_zscore"),
        result.step_of_law("gamma_deviation"),
    )
    for name, step, kind in (("K", k_step, "dec2"), ("z", z_step, "signed2"), ("pade_diff", pade, "signed4")):
        draft.number(name, step_value(step), kind)
    for name, step in (("K_ref", k_step), ("z_ref", z_step), ("pade_ref", pade)):
        draft.ref(name, step)
    if z_step is not None:
        draft.number("mean", z_step.inputs.get("mean"), "dec1")
        draft.number("std", z_step.inputs.get("std"), "dec1")
    if result.verdict == "IN-BAND":
        return "in_band"
    z = step_value(z_step)
    return "high" if isinstance(z, (int, float)) and z > 0 else "low"


# What `taf ask` needs: the words and quantities that point at this recipe, how the question fills
# its parameters, and how the answer reads its chain (see tafagent.core.recipes.ask_spec).
ASK = AskSpec(
    cues={
        "en": (
            (r"invariant|k[- ]invariant|compute[- ]context", 4.0),
            (r"in[- ]band|inside the band|within the band|panel (?:band|mean)|the band", 3.0),
            (r"outliers?|scaling anomal\w*|over-?trained|under-?trained", 2.0),
            (r"(?:inside|within|in|outside) (?:the )?(?:k |panel )band|k[- ]?band|k[- ]value|value of k", 3.0),
            (r"chinchilla", 1.0),
        ),
        "es": (
            (r"invariante|en banda|dentro de la banda|fuera de la banda", 3.5),
            (r"atipic\w*|anomalia de escal\w*|sobreentrenad\w*|subentrenad\w*", 2.0),
        ),
        "fr": (
            (r"dans la bande|en bande|hors de la bande", 3.5),
            (r"aberrant\w*|anomalie d'echelle|sur-?entraine|sous-?entraine", 2.0),
        ),
        "zh": (
            (r"不变量|带内|区间内|在带|面板区间", 3.5),
            (r"异常值|离群|缩放异常|过度训练|训练不足", 2.0),
        ),
    },
    signals={"gamma": 1.5, "training_tokens": 0.5},
    readers=("length", "architecture", "gamma_obs", "training_tokens_or_billions"),
    answer=_ask_answer,
    needs_theta=True,
    announced_defaults=("D_tokens",),
    defaults_matter_with="gamma_obs",
)


RECIPE = Recipe(
    id="X-22",
    name="Compute-Context Invariant",
    description="Is K = γ·ln(N²·D) inside the panel band 51.2 ± 16.8? Flags training or scaling anomalies.",
    category="diagnostic",
    sections=("§26", "§29"),
    params=(theta_param(), t_train_param(), N_PARAMS, GAMMA_OBS, D_TOKENS, T_EVAL),
    compute=compute,
    order=22,
    card_rank=7,
    card_params=card_params,
    reference_result_name="Compute-Context Invariant",
    examples=("Is this model's K invariant in band?",),
    ask=ASK,
)
