"""X-19 KV Compression Decision: soft decay, a D_f hard window, or literature methods?   (spec §3.5)

Deliberate fix (spec §9.1 item 5): D_f is exact arithmetic on d^−γ for every γ > 0, so the window is
always computed and offered; the band [0.65, 0.85] where truncation at D_f was validated (F6) is
reported as evidence (fitted inside, exploratory outside) instead of being used as a domain. The
verdict set and its decision order are the reference's, so results compare one to one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from tafagent.core.audit import ConfidenceCheck, RecipeResult, Step, law_step
from tafagent.core.evidence import Evidence, EvidenceNote
from tafagent.core.laws.constants import DF_ZONE
from tafagent.core.laws.pade import d_horizon, kv_soft_decay_regime, l_niah
from tafagent.core.laws.thermo import df_window
from tafagent.core.messages import Msg
from tafagent.core.recipes.ask_spec import AnswerDraft, AskSpec, find_step, step_value
from tafagent.core.recipes.base import Caveat, Param, Recipe, RecipeContext
from tafagent.core.recipes.common import (
    BYTES_PER_ELEMENT,
    D_HEAD,
    GAMMA_OBS,
    HAS_SWA,
    HEADS,
    KV_HEADS,
    N_LAYERS,
    N_PARAMS,
    decomposition_step,
    df_zone_evidence,
    model_kv_step,
    not_rope,
    pade_step,
    t_eval_param,
    t_train_param,
    theta_param,
)
from tafagent.core.recipes.context_decision import ladder_inputs, ladder_step, measured_gamma, usable_tokens
from tafagent.core.recipes.context_evidence import CLOSED_FORM, GAMMA_SOURCE, decide

KV_MASS = Param(
    "kv_mass_fraction",
    "float",
    "attention mass the D_f window must keep",
    0.9,
    minimum=0,
    exclusive_minimum=True,
    maximum=1,
    aliases=("f",),
)


def compute(ctx: RecipeContext) -> RecipeResult:
    theta = ctx["theta"]
    if theta is None:
        return not_rope(ctx)
    T_train, T_eval, f = ctx["T_train"], ctx["T_eval"], ctx["kv_mass_fraction"]
    has_gqa = ctx["n_kv_heads"] < ctx["n_attention_heads"]
    gamma_obs, gamma_label = measured_gamma(ctx)  # user/diagnosis/panel γ (core.gamma_source), or None

    chain: list[Step] = []
    step, g_pade = pade_step(1, theta, T_eval)
    chain.append(step)
    step, g_corr = decomposition_step(2, g_pade, has_gqa, ctx["has_SWA"], ctx["n_params"])
    chain.append(step)
    gamma = g_corr
    n = 3
    if gamma_obs is not None:
        gamma = gamma_obs
        chain.append(_measured_gamma_step(n, gamma_obs, gamma_label))
        n += 1

    step, df, in_zone = _df_step(n, gamma, T_eval, f)
    chain.append(step)
    step, regime = _soft_decay_step(n + 1, theta, gamma, T_train)
    chain.append(step)
    chain.append(
        model_kv_step(n + 2, "Baseline KV memory", ctx, T_eval, ctx["bytes_per_element"], "without compression")
    )

    verdict, reason, mitigation = _verdict(gamma, T_train, f, df, in_zone, regime)
    caveats: list[Caveat] = [] if in_zone else ["x19_df_outside_calibrated_band"]
    retrieval = None
    if not ctx["closed_form"]:  # the same evidence ladder as X-2: does the model retrieve at T_eval at all?
        retrieval = decide(ladder_inputs(ctx, gamma_obs, gamma_label, l_niah(d_horizon(theta, g_corr))))
        chain.append(ladder_step(n + 3, retrieval))
        if retrieval.beyond_training:
            caveats.append(Msg("x19.caveat.beyond", T_eval=T_eval, usable=usable_tokens(ctx)[0]))
    if regime == "borderline":
        caveats.append("x19_regime_borderline")
    if gamma_obs is None:
        caveats.append("x19_closed_form_gamma")
    checks = [
        ConfidenceCheck(
            "measured γ",
            "ok" if gamma_obs is not None else "miss",
            gamma_label if gamma_obs is not None else "closed-form γ",
            None if gamma_obs is not None else Msg("confidence.note.closed_form_gamma"),
        ),
        ConfidenceCheck("calibrated band", "ok" if in_zone else "warn", "", Msg("confidence.note.gamma", gamma=gamma)),
        ConfidenceCheck(
            "regime margin",
            "warn" if regime == "borderline" else "ok",
            "",
            Msg("confidence.note.regime", regime=Msg(f"step.x19.regime.{regime}")),
        ),
    ]
    if retrieval is not None:
        note = Msg("confidence.note.ladder", verdict=Msg(f"verdict.{retrieval.verdict}"))
        if retrieval.verdict == "YES":
            checks.append(ConfidenceCheck("retrieval at T_eval", "ok", note.text(), note))
        else:
            status: Literal["warn", "miss"] = "warn" if retrieval.verdict == "DEGRADED" else "miss"
            checks.append(ConfidenceCheck("retrieval at T_eval", status, note.text(), note))
    return ctx.result(chain, verdict, reason, mitigation, caveats, checks)


def _measured_gamma_step(n: int, gamma_obs: float, label: str) -> Step:
    """The measured γ replaces the closed form for every step after this one."""
    return Step(
        n,
        "§26",
        "γ used (measured)",
        "γ = γ_obs",
        {"gamma_obs": gamma_obs},
        gamma_obs,
        "dimensionless",
        "",
        EvidenceNote(Evidence.DERIVED, label or "measured with `taf diagnose`"),
        interpretation_msg=Msg("step.x19.measured_gamma"),
    )


def _df_step(n: int, gamma: float, T_eval: int, f: float) -> tuple[Step, int | None, bool]:
    """(step, D_f, in the calibrated band): the window that keeps fraction f of the attention mass."""
    df = df_window(gamma, T_eval, f) if gamma > 0 else None
    in_zone, zone_evidence = df_zone_evidence(gamma)
    if df is None:
        df_interp = Msg("step.x19.df_undefined", gamma=gamma)
    else:
        df_interp = Msg(
            f"step.x19.df.{'inside' if in_zone else 'outside'}",
            df=df,
            pct=df / T_eval * 100,
            f=f,
            gamma=gamma,
            low=DF_ZONE[0],
            high=DF_ZONE[1],
        )
    step = law_step(n, "df_window", {"gamma": gamma, "N": T_eval, "f": f}, df, df_interp, evidence=zone_evidence)
    return step, df, in_zone


def _soft_decay_step(n: int, theta: float, gamma: float, T_train: int) -> tuple[Step, str]:
    """(step, regime): whether soft decay applies, from the horizon of γ against T_train."""
    regime, dh, ratio = kv_soft_decay_regime(theta, gamma, T_train)
    dh_text = Msg("step.na") if dh is None else Msg("step.number0", value=dh)
    step = law_step(
        n,
        "soft_decay",
        {"theta": theta, "gamma": gamma, "T_train": T_train},
        regime,
        Msg("step.x19.soft", dh=dh_text, ratio=ratio, regime=Msg(f"step.x19.regime.{regime}"))
        if ratio is not None
        else Msg("step.x19.soft_na", regime=Msg(f"step.x19.regime.{regime}")),
    )
    return step, regime


def _verdict(gamma: float, T_train: int, f: float, df: int | None, in_zone: bool, regime: str) -> tuple[str, Msg, Msg]:
    """(verdict, reason, mitigation) in the reference's decision order (soft decay, D_f, caveat, literature)."""
    window_offer = (
        Msg("x19.window_offer", df=df, f=f, zone_low=DF_ZONE[0], zone_high=DF_ZONE[1])
        if df is not None
        else Msg("empty")
    )
    if regime == "applies" and in_zone:
        return "USE SOFT DECAY", Msg("x19.soft.reason"), Msg("x19.soft.mitigation", df=df)
    if in_zone:
        reason = Msg("x19.df.reason", gamma=gamma, zone_low=DF_ZONE[0], zone_high=DF_ZONE[1], df=df, f=f)
        return "USE D_f HARD CUTOFF", reason, Msg("x19.df.mitigation", df=df)
    if regime == "applies":
        reason = Msg("x19.soft_caveat.reason", gamma=gamma)
        return "USE SOFT DECAY (caveat)", reason, Msg("x19.soft_caveat.mitigation", window_offer=window_offer)
    if gamma >= 1 or gamma <= 0:
        reason = Msg("x19.literature.reason", gamma=gamma)
        return "USE LITERATURE METHODS", reason, Msg("x19.literature.mitigation", window_offer=window_offer)
    mitigation = Msg("x19.hard.mitigation", T_train=T_train, window_offer=window_offer)
    return "USE HARD T_train CUTOFF", Msg("x19.hard.reason"), mitigation


def card_params(card: Mapping[str, Any]) -> dict[str, Any]:
    """What the TAF Card passes to this recipe (its options by name)."""
    return {
        "T_eval": card["T_eval"],
        "gamma_obs": card["gamma_obs"],
        "gamma_source": card.get("gamma_source"),
        "closed_form": card.get("closed_form"),
    }


def _ask_answer(result: RecipeResult, draft: AnswerDraft) -> str:
    """``taf ask``'s answer variant: soft, soft_caveat, hard, literature or cap (the T_train cutoff)."""
    df, regime, kv = (
        result.step_of_law("df_window"),
        result.step_of_law("soft_decay"),
        result.step_of_law("kv_cache"),
    )
    draft.step("gamma", find_step(result, "γ used (measured)") or result.step_of_law("gamma_decomposition"), "dec4")
    draft.number("df", step_value(df), "int")
    draft.number("f_pct", result.inputs.get("kv_mass_fraction"), "pct")
    draft.number("kv_gb", step_value(kv, "GB"), "dec2")
    draft.number("T_eval", result.inputs.get("T_eval"), "int")
    draft.number("T_train", result.inputs.get("T_train"), "int")
    for name, step in (("df_ref", df), ("regime_ref", regime), ("kv_ref", kv)):
        draft.ref(name, step)
    variant = {
        "USE SOFT DECAY": "soft",
        "USE D_f HARD CUTOFF": "hard",
        "USE SOFT DECAY (caveat)": "soft_caveat",
        "USE LITERATURE METHODS": "literature",
        "USE HARD T_train CUTOFF": "cap",
    }.get(result.verdict, "cap")
    if variant == "hard":
        draft.support("X-19.hard.support")
    elif step_value(df) is None:
        draft.support("X-19.nodf.support")
    return variant


# What `taf ask` needs: the words and quantities that point at this recipe, how the question fills
# its parameters, and how the answer reads its chain (see tafagent.core.recipes.ask_spec).
ASK = AskSpec(
    cues={
        "en": (
            (
                r"kv[- ]?cache compression|compress\w* (?:the |my |its |our )?kv|kv compression|kv[- ]cache (?:evict|"
                r"trunc|prun|trim|compress)\w*",
                3.5,
            ),
            (
                r"soft(?:er)? (?:kv )?(?:decay|weighting|attenuation|fall-?off)|decay (?:the )?(?:old|distant) tokens",
                3.5,
            ),
            (r"hard (?:cut[- ]?off|truncation|window|limit|cap)|hard-?cutoff", 3.0),
            (r"truncat\w*|evict\w*|cut[- ]?off", 2.0),
            (r"snapkv|pyramidkv|fastgen|h2o|streamingllm|scissorhands|kivi|attention sinks?", 3.0),
            (r"d_f|df window|cache window|cache_max_len|window of (?:the )?cache", 3.0),
            (
                r"(?:shrink|reduce|trim|prune|cap|bound|limit|drop) (?:the |my |its )?(?:kv|cache)|drop (?:old|"
                r"distant) tokens",
                2.5,
            ),
            (r"compress\w*", 1.5),
            (
                r"(?:truncat|evict|compress|trim|prun|shrink|cap|cut|drop|reduc|bound|limit)\w* (?:\w+ ){0,4}(?:kv|"
                r"cache)",
                3.0,
            ),
            (r"kv|cache", 0.7),
        ),
        "es": (
            (r"compresion (?:de(?:l)? )?(?:la )?(?:cache|kv)|comprimir (?:la )?(?:cache|kv)", 3.5),
            (r"decaimiento suave|decaida suave|atenuacion suave|decaimiento progresivo", 3.5),
            (r"corte (?:duro|brusco|fijo|abrupto)|truncamiento (?:duro|fijo)", 3.0),
            (r"truncar\w*|truncamiento|truncado|recortar\w*|desaloj\w*|podar", 2.0),
            (r"comprimir|compresion", 1.5),
            (r"(?:truncar|comprimir|recortar|podar|reducir|limitar|desalojar)\w* (?:\w+ ){0,4}(?:kv|cache)", 3.0),
        ),
        "fr": (
            (r"compression (?:du |de la )?(?:cache|kv)|compresser (?:le )?(?:cache|kv)", 3.5),
            (r"decroissance douce|attenuation douce|decroissance progressive|decroissance (?:en )?douceur", 3.5),
            (r"coupure (?:nette|dure|franche|brutale|stricte)|troncature (?:nette|dure|stricte)", 3.0),
            (r"tronquer|troncature|tronque|evincer|eviction|elaguer", 2.0),
            (r"compresser|compression", 1.5),
            (r"(?:tronquer|compresser|reduire|limiter|elaguer|couper)\w* (?:\w+ ){0,4}(?:kv|cache)", 3.0),
        ),
        "zh": (
            (r"kv缓存压缩|压缩kv|kv压缩|缓存压缩|压缩缓存", 3.5),
            (r"软衰减|软性衰减|平滑衰减|渐进衰减", 3.5),
            (r"硬截断|硬切断|硬性截断|硬窗口|硬裁剪", 3.0),
            (r"截断|裁剪|淘汰|驱逐", 2.0),
            (r"压缩", 1.5),
            (r"(?:压缩|截断|裁剪|淘汰|缩减)[^。？！?]{0,40}缓存|缓存[^。？！?]{0,6}(?:压缩|截断|裁剪|淘汰)", 3.0),
            (r"缓存", 0.7),
        ),
    },
    signals={
        "length": 0.5,
        "model": 0.2,
        "gamma": 0.5,
        "kv_mass": 2.0,
        "kv_precision": 0.5,
        "theta": 0.5,
        "t_train": 0.5,
    },
    readers=("length", "architecture", "gamma_obs", "kv_bytes", "kv_mass"),
    answer=_ask_answer,
    needs_theta=True,
    announced_defaults=("T_eval",),
)


RECIPE = Recipe(
    id="X-19",
    name="KV Compression Decision",
    description="Soft KV decay, a D_f hard window, or published KV-compression heuristics?",
    category="kv-compression",
    sections=("§26", "§19"),
    params=(
        theta_param(),
        t_train_param(),
        t_eval_param(8192),
        HEADS,
        KV_HEADS,
        D_HEAD,
        N_LAYERS,
        N_PARAMS,
        HAS_SWA,
        KV_MASS,
        BYTES_PER_ELEMENT,
        GAMMA_OBS,
        GAMMA_SOURCE,
        CLOSED_FORM,
    ),
    compute=compute,
    order=19,
    card_rank=2,
    card_params=card_params,
    needs_rope=True,
    reference_result_name="KV compression decision",
    examples=("Should I use soft KV decay or a hard cutoff for Qwen2.5-7B at 32K?",),
    ask=ASK,
)
