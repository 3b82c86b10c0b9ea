"""X-19 KV Compression Decision: soft decay, a D_f hard window, or literature methods?   (spec §3.5)

Deliberate fix (spec §9.1 item 5): D_f is exact arithmetic on d^−γ for every γ > 0, so the window is
always computed and offered; the band [0.65, 0.85] where truncation at D_f was validated (F6) is
reported as evidence (fitted inside, exploratory outside) instead of being used as a domain. The
verdict set and its decision order are the reference's, so results compare one to one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tafagent.core.audit import ConfidenceCheck, RecipeResult, Step, law_step
from tafagent.core.evidence import Evidence, EvidenceNote
from tafagent.core.laws.constants import DF_ZONE
from tafagent.core.laws.pade import kv_soft_decay_regime
from tafagent.core.laws.thermo import df_window
from tafagent.core.messages import Msg
from tafagent.core.recipes.base import Param, Recipe, RecipeContext
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
    gamma_obs = ctx["gamma_obs"]

    chain: list[Step] = []
    step, g_pade = pade_step(1, theta, T_eval)
    chain.append(step)
    step, g_corr = decomposition_step(2, g_pade, has_gqa, ctx["has_SWA"], ctx["n_params"])
    chain.append(step)
    gamma = g_corr
    n = 3
    if gamma_obs is not None:
        gamma = gamma_obs
        chain.append(
            Step(
                n,
                "§26",
                "γ used (measured)",
                "γ = γ_obs",
                {"gamma_obs": gamma_obs},
                gamma_obs,
                "dimensionless",
                "the measured γ replaces the closed form below",
                EvidenceNote(Evidence.DERIVED, "measured with `taf diagnose`"),
            )
        )
        n += 1

    df = df_window(gamma, T_eval, f) if gamma > 0 else None
    in_zone, zone_evidence = df_zone_evidence(gamma)
    if df is None:
        df_interp = f"undefined for γ = {gamma:.3f} ≤ 0 (attention does not decay with distance)"
    else:
        where = "inside" if in_zone else "outside"
        df_interp = (
            f"D_f = {df:,} tokens ({df / T_eval * 100:.1f}% of T_eval keep {f:.0%} of attention mass); "
            f"γ = {gamma:.3f} is {where} the calibrated band [{DF_ZONE[0]}, {DF_ZONE[1]}]"
        )
    chain.append(law_step(n, "df_window", {"gamma": gamma, "N": T_eval, "f": f}, df, df_interp, evidence=zone_evidence))
    regime, dh, ratio = kv_soft_decay_regime(theta, gamma, T_train)
    dh_text = "n/a" if dh is None else f"{dh:,.0f}"
    chain.append(
        law_step(
            n + 1,
            "soft_decay",
            {"theta": theta, "gamma": gamma, "T_train": T_train},
            regime,
            f"d_horizon = {dh_text}; ratio {ratio:.2f}; regime: {regime}"
            if ratio is not None
            else f"d_horizon = n/a; regime: {regime}",
        )
    )
    chain.append(
        model_kv_step(n + 2, "Baseline KV memory", ctx, T_eval, ctx["bytes_per_element"], "without compression")
    )

    window_offer = (
        Msg("x19.window_offer", df=df, f=f, zone_low=DF_ZONE[0], zone_high=DF_ZONE[1])
        if df is not None
        else Msg("empty")
    )
    if regime == "applies" and in_zone:
        verdict = "USE SOFT DECAY"
        reason = Msg("x19.soft.reason")
        mitigation = Msg("x19.soft.mitigation", df=df)
    elif in_zone:
        verdict = "USE D_f HARD CUTOFF"
        reason = Msg("x19.df.reason", gamma=gamma, zone_low=DF_ZONE[0], zone_high=DF_ZONE[1], df=df, f=f)
        mitigation = Msg("x19.df.mitigation", df=df)
    elif regime == "applies":
        verdict = "USE SOFT DECAY (caveat)"
        reason = Msg("x19.soft_caveat.reason", gamma=gamma)
        mitigation = Msg("x19.soft_caveat.mitigation", window_offer=window_offer)
    elif gamma >= 1 or gamma <= 0:
        verdict = "USE LITERATURE METHODS"
        reason = Msg("x19.literature.reason", gamma=gamma)
        mitigation = Msg("x19.literature.mitigation", window_offer=window_offer)
    else:
        verdict = "USE HARD T_train CUTOFF"
        reason = Msg("x19.hard.reason")
        mitigation = Msg("x19.hard.mitigation", T_train=T_train, window_offer=window_offer)

    caveats = [] if in_zone else ["x19_df_outside_calibrated_band"]
    if regime == "borderline":
        caveats.append("x19_regime_borderline")
    if gamma_obs is None:
        caveats.append("x19_closed_form_gamma")
    checks = [
        ConfidenceCheck(
            "measured γ",
            "ok" if gamma_obs is not None else "miss",
            "γ_obs given" if gamma_obs is not None else "closed-form γ",
        ),
        ConfidenceCheck("calibrated band", "ok" if in_zone else "warn", f"γ = {gamma:.3f}"),
        ConfidenceCheck("regime margin", "warn" if regime == "borderline" else "ok", f"regime {regime}"),
    ]
    return ctx.result(chain, verdict, reason, mitigation, caveats, checks)


def card_params(card: Mapping[str, Any]) -> dict[str, Any]:
    """What the TAF Card passes to this recipe (its options by name)."""
    return {"T_eval": card["T_eval"], "gamma_obs": card["gamma_obs"]}


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
    ),
    compute=compute,
    order=19,
    card_rank=2,
    card_params=card_params,
    needs_rope=True,
    reference_result_name="KV compression decision",
    examples=("Should I use soft KV decay or a hard cutoff for Qwen2.5-7B at 32K?",),
)
