"""X-22 Compute-Context Invariant: is K = γ·ln(N²·D) inside the panel band?   (spec §3.7)

Needs a measured γ: without one the result is NEEDS MEASUREMENT (the reference raised a TypeError,
spec §9.2 item 5). The Padé deviation step is skipped for models without RoPE.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tafagent.core.audit import ConfidenceCheck, RecipeResult, law_step
from tafagent.core.laws.constants import K_PANEL_MEAN, K_PANEL_STD
from tafagent.core.laws.imprint import compute_invariant_K
from tafagent.core.laws.pade import gamma_pade
from tafagent.core.messages import Msg
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
            [ConfidenceCheck("measurement", "miss", "no γ_obs")],
        )
    T_eval = ctx["T_eval"] if ctx["T_eval"] is not None else ctx["T_train"]
    n_params_M = n_params / 1e6
    inv = compute_invariant_K(gamma, n_params_M, ctx["D_tokens"])
    chain = [
        law_step(
            1,
            "k_invariant",
            {"gamma": gamma, "N": n_params, "D": inv["D_tokens"]},
            inv["K"],
            f"K = {inv['K']:.2f} (panel mean {K_PANEL_MEAN:.1f} ± {K_PANEL_STD:.1f})",
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
    if theta is not None:
        diff = gamma - gamma_pade(theta, T_eval)
        chain.append(
            law_step(
                3,
                "gamma_deviation",
                {"gamma_obs": gamma, "gamma_pade": gamma - diff},
                diff,
                "negative = sub-Padé anomaly, positive = supra-Padé",
            )
        )
    checks = [
        ConfidenceCheck("measurement", "ok", f"γ_obs = {gamma:.4f}"),
        ConfidenceCheck(
            "training tokens",
            "ok" if ctx["D_tokens"] is not None else "warn",
            "given" if ctx["D_tokens"] is not None else "assumed Chinchilla 20·N",
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


def card_params(card: Mapping[str, Any]) -> dict[str, Any]:
    """What the TAF Card passes to this recipe (its options by name)."""
    return {"T_eval": card["T_eval"], "gamma_obs": _first(card["gamma_obs"], card["gamma_text"])}


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
)
