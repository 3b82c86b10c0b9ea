"""X-21 Imprint Purity Diagnostic: does a measured random-token γ match the imprint law?   (spec §3.6)

Chain: γ_Padé → imprint shift ν·log10(P/14M) → predicted γ_random (± 0.18) → residual of a measurement.
Without a measurement the result is PREDICTION ONLY and says how to measure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tafagent.core.audit import ConfidenceCheck, RecipeResult, Step, law_step
from tafagent.core.evidence import Evidence, EvidenceNote
from tafagent.core.laws.constants import IMPRINT_CI_HALF_WIDTH, NU_IMPRINT, P0_IMPRINT_M
from tafagent.core.laws.decomposition import imprint_shift
from tafagent.core.laws.imprint import imprint_purity, imprint_verdict
from tafagent.core.messages import Msg
from tafagent.core.recipes.ask_spec import AnswerDraft, AskSpec
from tafagent.core.recipes.base import Param, Recipe, RecipeContext
from tafagent.core.recipes.common import (
    D_HEAD,
    HEADS,
    KV_HEADS,
    N_LAYERS,
    N_PARAMS,
    not_rope,
    pade_step,
    t_train_param,
    theta_param,
)

T_EVAL = Param(
    "T_eval",
    "int",
    "length at which γ is evaluated (default: T_train)",
    None,
    optional=True,
    unit="tokens",
    minimum=1,
    maximum=2**34,
)
GAMMA_RANDOM_OBS = Param(
    "gamma_random_obs",
    "float",
    "γ measured on random tokens (`taf diagnose --corpus random`)",
    None,
    optional=True,
    minimum=-10,
    maximum=10,
    aliases=("gamma_random",),
)


def _unused(param: Param) -> Param:
    return Param(
        param.name,
        param.kind,
        param.help + " (accepted, not used by X-21)",
        param.default,
        optional=True,
        aliases=param.aliases,
        unused=True,
    )


def compute(ctx: RecipeContext) -> RecipeResult:
    theta = ctx["theta"]
    if theta is None:
        return not_rope(ctx)
    T_eval = ctx["T_eval"] if ctx["T_eval"] is not None else ctx["T_train"]
    n_params_M = ctx["n_params"] / 1e6
    obs = ctx["gamma_random_obs"]

    chain: list[Step] = []
    step, g_pade = pade_step(1, theta, T_eval)
    chain.append(step)
    shift = imprint_shift(n_params_M)
    chain.append(
        law_step(
            2,
            "imprint_shift",
            {"P_M": n_params_M, "P_0_M": P0_IMPRINT_M, "nu": NU_IMPRINT},
            shift,
            "bigger models imprint a stronger positional bias (more negative shift)",
        )
    )
    g_pred = g_pade + shift
    chain.append(
        law_step(
            3,
            "gamma_random",
            {"gamma_pade": g_pade, "imprint": shift},
            g_pred,
            Msg("step.x21.predicted", g_pred=g_pred, ci=IMPRINT_CI_HALF_WIDTH),
        )
    )
    if obs is None:
        return ctx.result(
            chain,
            "PREDICTION ONLY",
            Msg("x21.prediction.reason", g_pred=g_pred),
            Msg("x21.prediction.mitigation"),
            ["x21_needs_measurement"],
            [ConfidenceCheck("measurement", "miss", "", Msg("confidence.note.no_gamma_random"))],
        )
    purity = imprint_purity(obs, theta, T_eval, n_params_M)
    residual = purity["imprint_residual"]
    chain.append(
        law_step(
            4,
            "imprint_purity",
            {"gamma_random_obs": obs, "gamma_random_pred": g_pred},
            residual,
            purity["purity"],
            evidence=EvidenceNote(Evidence.EXPLORATORY, "residual against the imprint law", statistic="95% CI ±0.18"),
        )
    )
    verdict = imprint_verdict(residual)
    reason = Msg("x21.residual.reason", residual=residual, ci=IMPRINT_CI_HALF_WIDTH)
    mitigation = Msg("none.required") if verdict == "CLEAN" else Msg("x21.gap.mitigation")
    return ctx.result(
        chain,
        verdict,
        reason,
        mitigation,
        ["x21_imprint_law_exploratory"],
        [
            ConfidenceCheck("measurement", "ok", "", Msg("confidence.note.gamma_random", gamma=obs)),
            ConfidenceCheck("law", "warn", "", Msg("confidence.note.iid")),
        ],
    )


def card_params(card: Mapping[str, Any]) -> dict[str, Any]:
    """What the TAF Card passes to this recipe (its options by name)."""
    return {"T_eval": card["T_eval"], "gamma_random_obs": card["gamma_random"]}


def _ask_answer(result: RecipeResult, draft: AnswerDraft) -> str:
    """``taf ask``'s answer variant: clean, over, under, or prediction (no γ_random measured)."""
    draft.step("g_pade", result.step_of_law("gamma_pade"), "dec4")
    draft.step("shift", result.step_of_law("imprint_shift"), "signed4")
    draft.step("g_pred", result.step_of_law("gamma_random"), "dec4")
    draft.step("residual", result.step_of_law("imprint_purity"), "signed4")
    draft.number("obs", result.inputs.get("gamma_random_obs"), "dec4")
    return {"CLEAN": "clean", "OVER-IMPRINTED": "over", "UNDER-IMPRINTED": "under"}.get(result.verdict, "prediction")


# What `taf ask` needs: the words and quantities that point at this recipe, how the question fills
# its parameters, and how the answer reads its chain (see tafagent.core.recipes.ask_spec).
ASK = AskSpec(
    cues={
        "en": (
            (r"imprint\w*", 4.0),
            (r"purity|positional (?:bias|imprint|prior)|imprint law", 3.0),
            (
                r"anomalous training|unusual training|abnormal training|training history|weird training|"
                r"strange training",
                3.0,
            ),
            (
                r"format conversion|converted (?:to|from|into)|conversion (?:to|from)|gguf|re-?quantiz\w*|tampered|"
                r"tampering",
                2.5,
            ),
            (r"heavily fine[- ]?tuned|over-?fine[- ]?tuned|fine[- ]?tuning history|original checkpoint", 2.0),
            (r"random[- ]tokens?|random sequences|random input", 1.5),
        ),
        "es": (
            (r"huella|impronta|pureza|sesgo posicional", 3.5),
            (r"entrenamiento (?:anomalo|inusual|raro|extrano)|historial de entrenamiento", 3.0),
            (r"conversion de formato|convertido (?:a|de|desde|en)|reconvertido", 2.5),
            (r"tokens aleatorios|secuencias aleatorias", 1.5),
        ),
        "fr": (
            (r"empreinte|purete|biais positionnel", 3.5),
            (r"entrainement (?:anormal|inhabituel|etrange|bizarre)|historique d'entrainement", 3.0),
            (r"conversion de format|converti (?:en|depuis|de|vers)", 2.5),
            (r"tokens aleatoires|jetons aleatoires|sequences aleatoires", 1.5),
        ),
        "zh": (
            (r"印记|烙印|纯度|位置偏置|位置偏差", 3.5),
            (r"异常训练|训练异常|训练历史|训练过程异常", 3.0),
            (r"格式转换|转换格式|转换过|转成|转过", 2.5),
            (r"随机token|随机词元|随机序列|随机输入", 1.5),
        ),
    },
    signals={"gamma_random": 3.0, "gamma": 0.5, "theta": 0.5},
    readers=("length", "architecture", "gamma_random"),
    answer=_ask_answer,
    needs_theta=True,
)


RECIPE = Recipe(
    id="X-21",
    name="Imprint Purity Diagnostic",
    description="Does the model's random-token γ match the imprint law ν = −1/(2π)?",
    category="diagnostic",
    sections=("§26", "§28"),
    params=(
        theta_param(),
        t_train_param(),
        _unused(HEADS),
        _unused(KV_HEADS),
        _unused(D_HEAD),
        _unused(N_LAYERS),
        N_PARAMS,
        T_EVAL,
        GAMMA_RANDOM_OBS,
    ),
    compute=compute,
    order=21,
    card_rank=6,
    card_params=card_params,
    needs_rope=True,
    reference_result_name="Imprint Purity Diagnostic",
    examples=("How strong is this checkpoint's positional imprint?",),
    ask=ASK,
)
