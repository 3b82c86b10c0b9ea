"""X-2 Long Context Viability: can the model retrieve a needle at length L?   (spec §3.1)

Chain: γ_Padé → γ-decomposition → d_horizon → L_NIAH → P_hallucinate → KV memory, then the verdict.

Deliberate fixes (spec §9): with γ = γ_Padé(θ, T) the horizon equals T identically (D-NEW-1), so
without corrections the reference's YES/DEGRADED flipped on floating-point noise (§9.2 item 1). We
snap d_horizon to T when they agree to 1e-9 and say so; the verdict is then DEGRADED ("at the
horizon"), deterministically. Every closed-form result carries the tautology caveat, and a measured
γ (``gamma_obs``) switches to the measured-horizon path with the Padé deviation index (§9.1 item 1).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tafagent.core.audit import ConfidenceCheck, RecipeResult, Step, law_step
from tafagent.core.evidence import Evidence, EvidenceNote
from tafagent.core.laws.diagnostics import pade_deviation_index
from tafagent.core.laws.pade import alpha_opt, d_horizon, l_niah, p_hallucinate, theta_design
from tafagent.core.messages import Msg
from tafagent.core.recipes.ask_spec import AnswerDraft, AskSpec, step_value
from tafagent.core.recipes.base import Recipe, RecipeContext
from tafagent.core.recipes.common import (
    BYTES_PER_ELEMENT,
    D_HEAD,
    GAMMA_OBS,
    HAS_SWA,
    HEADS,
    KV_HEADS,
    N_LAYERS,
    N_PARAMS,
    close,
    decomposition_step,
    model_kv_step,
    not_rope,
    pade_step,
    strictly_less,
    t_eval_param,
    t_train_param,
    theta_param,
)
from tafagent.core.recipes.context_decision import ladder_inputs, ladder_result, ladder_step, measured_gamma
from tafagent.core.recipes.context_evidence import CLOSED_FORM, GAMMA_SOURCE, decide

GAMMA_TARGET = 0.85  # the design target for NTK extension used by the reference


def _ntk_advice(theta: float, T_eval: int) -> Msg:
    needed = theta_design(GAMMA_TARGET, T_eval)
    alpha = alpha_opt(GAMMA_TARGET, T_eval, theta)
    tuning = Msg("x2.ntk.finetune") if alpha > 8 else Msg("x2.ntk.zeroshot")
    return Msg("x2.ntk", theta_needed=needed, gamma_target=GAMMA_TARGET, T_eval=T_eval, alpha=alpha, tuning=tuning)


def compute(ctx: RecipeContext) -> RecipeResult:
    theta = ctx["theta"]
    if theta is None:
        return not_rope(ctx)
    T_eval = ctx["T_eval"]
    n_heads, n_kv = ctx["n_attention_heads"], ctx["n_kv_heads"]
    n_params, has_swa = ctx["n_params"], ctx["has_SWA"]
    gamma_obs, gamma_label = measured_gamma(ctx)
    has_gqa = n_kv < n_heads

    chain: list[Step] = []
    step, g_pade = pade_step(1, theta, T_eval)
    chain.append(step)
    step, g_corr = decomposition_step(2, g_pade, has_gqa, has_swa, n_params)
    chain.append(step)
    step, dh, snapped = _horizon_step(theta, g_corr, T_eval)
    chain.append(step)
    niah = l_niah(dh)
    chain.append(
        law_step(
            4, "l_niah", {"d_horizon": dh}, niah, Msg("step.na") if niah is None else Msg("step.x2.niah", niah=niah)
        )
    )
    p = p_hallucinate(T_eval, theta, g_corr)
    chain.append(
        law_step(
            5,
            "p_hallucinate",
            {"L": T_eval, "theta": theta, "gamma": g_corr},
            p,
            Msg("step.x2.p_na") if p is None else Msg("step.x2.p", pct=p * 100),
        )
    )
    chain.append(model_kv_step(6, "KV cache memory", ctx, T_eval, ctx["bytes_per_element"], "per request"))

    caveats = _caveats(ctx, chain[1])
    checks = _checks(ctx, caveats)
    if ctx["closed_form"]:  # v0.5.3's decision, kept for comparison (and its golden tests)
        if gamma_obs is not None:
            return _measured(ctx, chain, caveats, checks, theta, T_eval, gamma_obs)
        caveats[:0] = ["x2_closed_form_tautology", "x2_use_measured_gamma"]
        checks.insert(0, ConfidenceCheck("measured γ", "miss", "", Msg("confidence.note.closed_form_only")))
        verdict, reason, mitigation = _closed_form_verdict(theta, T_eval, g_corr, dh, niah, snapped)
        return ctx.result(chain, verdict, reason, mitigation, caveats, checks)
    if gamma_obs is not None:
        _measured_steps(chain, theta, T_eval, gamma_obs)
    decision = decide(ladder_inputs(ctx, gamma_obs, gamma_label, niah))
    chain.append(ladder_step(len(chain) + 1, decision))
    # past the training context an NTK θ below the native one (α < 1) is no advice at all
    advice = _ntk_advice(theta, T_eval) if alpha_opt(GAMMA_TARGET, T_eval, theta) > 1 else Msg("empty")
    return ladder_result(ctx, chain, decision, caveats, checks, gamma_label, advice)


def _horizon_step(theta: float, g_corr: float, T_eval: int) -> tuple[Step, float | None, bool]:
    """Step 3: (step, d_horizon, snapped): the horizon of the corrected γ, snapped to T_eval when it equals it."""
    dh = d_horizon(theta, g_corr)
    snapped = dh is not None and close(dh, T_eval)
    if snapped:
        dh = float(T_eval)  # identity D-NEW-1: the noise in the last bits must not decide the verdict
    dh_interp = Msg("step.x2.dh_na") if dh is None else Msg("step.x2.dh_snapped" if snapped else "step.x2.dh", dh=dh)
    return law_step(3, "d_horizon", {"theta": theta, "gamma": g_corr}, dh, dh_interp), dh, snapped


def _caveats(ctx: RecipeContext, decomposition: Step) -> list[str]:
    """Caveat codes of the chain: disabled δ_SWA, exploratory δ_post_IH, beyond T_train, unmodelled scaling."""
    caveats: list[str] = []
    if ctx["has_SWA"]:
        caveats.append("x2_delta_swa_disabled")
    if decomposition.breakdown and decomposition.breakdown["delta_post_IH"]:
        caveats.append("x2_delta_postih_exploratory")
    if ctx["T_eval"] > ctx["T_train"]:
        caveats.append("x2_beyond_T_train")
    if ctx.model is not None and ctx.model.rope_scaling is not None:
        caveats.append("x2_rope_scaling_not_modelled")
    return caveats


def _checks(ctx: RecipeContext, caveats: list[str]) -> list[ConfidenceCheck]:
    """Confidence checks shared by both paths: within the training length, only fitted corrections."""
    T_eval, T_train = ctx["T_eval"], ctx["T_train"]
    return [
        ConfidenceCheck(
            "within training length",
            "ok" if T_eval <= T_train else "warn",
            "",
            Msg("confidence.note.T_eval_vs_T_train", T_eval=T_eval, T_train=T_train),
        ),
        ConfidenceCheck(
            "corrections",
            "warn" if "x2_delta_postih_exploratory" in caveats else "ok",
            "",
            Msg(
                "confidence.note.postih_applied"
                if "x2_delta_postih_exploratory" in caveats
                else "confidence.note.fitted_only"
            ),
        ),
    ]


def _closed_form_verdict(
    theta: float, T_eval: int, g_corr: float, dh: float | None, niah: float | None, snapped: bool
) -> tuple[str, Msg, Msg]:
    """(verdict, reason, mitigation) from the closed-form horizon: Phase B, within it, degraded, or beyond."""
    if g_corr <= 0 or g_corr >= 1:
        return "NO", Msg("x2.phase_b.reason", gamma=g_corr), _ntk_advice(theta, T_eval)
    if dh is not None and strictly_less(T_eval, dh):
        margin = (1 - T_eval / dh) * 100
        return "YES", Msg("x2.yes.reason", T_eval=T_eval, dh=dh, margin=margin), Msg("none.required")
    if dh is not None and niah is not None and strictly_less(T_eval, niah):
        if snapped:
            reason = Msg("x2.at_horizon.reason", T_eval=T_eval, niah=niah)
        else:
            reason = Msg("x2.degraded.reason", T_eval=T_eval, dh=dh, niah=niah)
        return "DEGRADED", reason, Msg("x2.degraded.mitigation")
    return "NO", Msg("x2.no.reason", T_eval=T_eval, niah=niah or 0), _ntk_advice(theta, T_eval)


def _measured_steps(chain: list[Step], theta: float, T_eval: int, gamma_obs: float) -> float | None:
    """Steps 7–8: the horizon of the measured γ and the Padé deviation index; returns that horizon."""
    measured = EvidenceNote(Evidence.DERIVED, "§26.2 horizon of the measured γ (measurement, not closed form)")
    dh_obs = d_horizon(theta, gamma_obs)
    chain.append(
        law_step(
            7,
            "d_horizon_measured",
            {"theta": theta, "gamma_obs": gamma_obs},
            dh_obs,
            Msg("step.x2.dh_obs_na") if dh_obs is None else Msg("step.x2.dh_obs", dh=dh_obs),
            evidence=measured,
        )
    )
    pdi = pade_deviation_index(theta, gamma_obs, T_eval)
    chain.append(
        law_step(
            8,
            "pdi",
            {"theta": theta, "gamma_obs": gamma_obs, "T_eval": T_eval},
            pdi.get("PDI"),
            str(pdi.get("regime", "")),
            evidence=measured,
        )
    )
    return dh_obs


def _measured(
    ctx: RecipeContext,
    chain: list[Step],
    caveats: list[str],
    checks: list[ConfidenceCheck],
    theta: float,
    T_eval: int,
    gamma_obs: float,
) -> RecipeResult:
    """Upstream v0.10 path (``closed_form`` with a γ): the verdict uses the horizon implied by the measured γ."""
    checks.insert(0, ConfidenceCheck("measured γ", "ok", "", Msg("confidence.note.gamma_obs", gamma_obs=gamma_obs)))
    dh_obs = _measured_steps(chain, theta, T_eval, gamma_obs)
    if gamma_obs >= 1 or dh_obs is None:
        verdict = "NO"
        reason = Msg("x2.measured.phase_b.reason", gamma_obs=gamma_obs)
        mitigation = _ntk_advice(theta, T_eval)
    elif strictly_less(T_eval, dh_obs):
        verdict = "YES"
        reason = Msg("x2.measured.yes.reason", T_eval=T_eval, dh_obs=dh_obs, margin=(1 - T_eval / dh_obs) * 100)
        mitigation = Msg("none.required")
    elif strictly_less(T_eval, 2 * dh_obs):
        verdict = "DEGRADED"
        reason = Msg("x2.measured.degraded.reason", T_eval=T_eval, dh_obs=dh_obs, twice=2 * dh_obs)
        mitigation = Msg("x2.measured.degraded.mitigation")
    else:
        verdict = "NO"
        reason = Msg("x2.measured.no.reason", T_eval=T_eval, twice=2 * dh_obs)
        mitigation = _ntk_advice(theta, T_eval)
    return ctx.result(chain, verdict, reason, mitigation, caveats, checks)


def card_params(card: Mapping[str, Any]) -> dict[str, Any]:
    """What the TAF Card passes to this recipe (its options by name)."""
    return {
        "T_eval": card["T_eval"],
        "gamma_obs": card["gamma_obs"],
        "gamma_source": card.get("gamma_source"),
        "closed_form": card.get("closed_form"),
    }


def _ask_answer(result: RecipeResult, draft: AnswerDraft) -> str:
    """``taf ask``'s answer variant: yes, degraded or no, with or without a measured γ."""
    T_eval, gamma_obs = result.inputs.get("T_eval"), result.inputs.get("gamma_obs")
    d_h, gamma, dh_obs = (
        result.step_of_law("d_horizon"),
        result.step_of_law("gamma_decomposition"),
        result.step_of_law("d_horizon_measured"),
    )
    draft.number("T_eval", T_eval, "int")
    draft.step("d_h", d_h, "int")
    draft.step("niah", result.step_of_law("l_niah"), "int")
    draft.step("gamma", gamma, "dec4")
    draft.step("dh_obs", dh_obs, "int")
    kv = result.step_of_law("kv_cache")
    draft.number("kv_gb", step_value(kv, "GB"), "dec2")
    draft.ref("kv_ref", kv)
    draft.number("gamma_obs", gamma_obs, "dec4")
    ladder = result.step_named("Evidence ladder")
    if ladder is not None:  # the evidence ladder decided: its rung names the answer
        return _ladder_variant(result, ladder.interpretation, draft)
    if result.verdict == "YES":
        return "yes_measured" if dh_obs is not None else "yes"
    if result.verdict == "DEGRADED":
        if dh_obs is not None:
            return "degraded_measured"
        at_horizon = step_value(d_h) is not None and T_eval is not None and step_value(d_h) == float(T_eval)
        return "degraded_at" if at_horizon else "degraded"
    if dh_obs is not None:
        phase = step_value(dh_obs) is None or (gamma_obs is not None and gamma_obs >= 1)
        return "no_measured_phase" if phase else "no_measured_beyond"
    g_corr = step_value(gamma)
    return "no_phase_b" if g_corr is not None and not 0 < g_corr < 1 else "no_beyond"


def _ladder_variant(result: RecipeResult, decided: str, draft: AnswerDraft) -> str:
    """``taf ask``'s variant of a ladder decision: ladder_<beyond|measurement|within|gamma|closed>. The finding is
    one sentence per rung; the recipe's reason, printed above the answer, gives the rung's evidence in full."""
    draft.number("usable", result.inputs.get("T_train"), "int")
    if "Beyond the training context" in result.reason:
        kind = "beyond"
    else:
        kind = next((k for k, name in _RUNG_NAMES.items() if decided.startswith(f"decided by {name}")), "closed")
    draft.support("X-2.support")
    actions = {"YES": "X-2.yes.action", "DEGRADED": "X-2.degraded.action"}
    draft.action(
        "X-2.ladder_beyond.action" if kind == "beyond" else actions.get(result.verdict, "X-2.no_beyond.action")
    )
    return f"ladder_{kind}"


_RUNG_NAMES = {
    "measurement": Msg("x2.rung_name.measurement").text(),
    "within": Msg("x2.rung_name.context_facts").text(),
    "gamma": Msg("x2.rung_name.measured_gamma").text(),
}


# What `taf ask` needs: the words and quantities that point at this recipe, how the question fills
# its parameters, and how the answer reads its chain (see tafagent.core.recipes.ask_spec). How to extend the
# context (YaRN, NTK, rope_scaling) is the `extend` capability's question.
ASK = AskSpec(
    cues={
        "en": (
            (r"needles?|haystack|niah|passkey|lost in the middle", 3.5),
            (r"long[- ]?context|context (?:length|window|size|limit)|(?:length|size) of (?:the |its )?context", 3.0),
            (r"d_horizon|horizon", 2.5),
            (r"retriev\w*|recall\w*|find (?:a |the )?(?:fact|detail|needle)|look(?:ing)? up", 2.0),
            (r"handles?|handling|cope|manage|deal with|stay (?:accurate|coherent)|keep up", 1.5),
            (
                r"long (?:documents?|inputs?|prompts?|texts?|files?|conversations?|books?|transcripts?)|whole (?:book|"
                r"codebase)",
                2.0,
            ),
            (r"hallucinat\w*|forget\w*|lose track", 1.5),
            (
                r"reliab\w*|accura\w*|degrad\w*|break down|fall apart|still work|"
                r"work(?:s)? (?:well )?(?:at|with|up to)",
                1.0,
            ),
            (r"contexts?|ctx|prompt length|input length|sequence length", 1.0),
        ),
        "es": (
            (r"aguja|pajar|contexto largo|largo contexto|ventana de contexto|longitud (?:de|del) contexto", 3.0),
            (r"recuper\w*|encontrar (?:un|el|una) dato", 2.0),
            (r"maneja\w*|soporta\w*|aguanta\w*|funciona\w*|rinde", 1.5),
            (r"documentos largos|textos largos|alucin\w*|olvid\w*", 1.5),
            (r"contexto", 1.0),
        ),
        "fr": (
            (r"aiguille|botte de foin|contexte long|long contexte|fenetre de contexte|longueur de contexte", 3.0),
            (r"retrouv\w*|recuperer|recuperation", 2.0),
            (r"gere\w*|gerer|supporte\w*|tient|tenir|fonctionne\w*", 1.5),
            (r"documents longs|textes longs|halluc\w*|oubli\w*", 1.5),
            (r"contexte", 1.0),
        ),
        "zh": (
            (r"大海捞针|长上下文|上下文窗口|上下文长度|长文本|长文档|长序列", 3.0),
            (r"检索|召回|找到|查找", 2.0),
            (r"能否处理|能处理|处理得了|撑得住|支持|胜任|能不能跑|能跑|可靠|稳定|靠谱", 1.5),
            (r"幻觉|遗忘", 1.5),
            (r"上下文|长度", 1.0),
        ),
    },
    signals={
        "length": 1.5,
        "gpu": -1.5,  # a named GPU asks whether it fits (memory), not how well attention holds up
        "model_with_length": 1.0,
        "model_without_length": 0.3,
        "gamma": 0.5,
        "kv_precision": 0.5,
        "theta": 1.0,
        "t_train": 0.5,
    },
    readers=("length", "architecture", "gamma_obs", "kv_bytes"),
    answer=_ask_answer,
    needs_theta=True,
    announced_defaults=("T_eval",),
    fallback_rank=1,
)


RECIPE = Recipe(
    id="X-2",
    name="Long Context Viability",
    description="Can the model do needle-in-a-haystack retrieval at a target length L?",
    category="long-context",
    sections=("§26", "§19"),
    params=(
        theta_param(),
        t_train_param(),
        t_eval_param(32000),
        HEADS,
        KV_HEADS,
        D_HEAD,
        N_LAYERS,
        N_PARAMS,
        HAS_SWA,
        BYTES_PER_ELEMENT,
        GAMMA_OBS,
        GAMMA_SOURCE,
        CLOSED_FORM,
    ),
    compute=compute,
    order=2,
    card_rank=1,
    card_params=card_params,
    needs_rope=True,
    reference_result_name="Long Context Viability",
    examples=("Will Llama-3-8B handle 32K context with needle-in-a-haystack retrieval?",),
    ask=ASK,
)

__all__ = ["RECIPE"]
