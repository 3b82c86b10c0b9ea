"""The panel constants the reference hard-coded (spec §2.1), recomputed from the packaged data.

Each :class:`PanelConstant` sets the reference value beside the value the data give, with its standard error
and n, and says whether the two differ by more than two standard errors. The values are re-derived by the
law validations (their ``fitted`` dictionaries); this module only gathers them.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

from tafagent.core.laws.constants import (
    DELTA_GQA,
    DELTA_INSTRUCT,
    DELTA_POST_IH,
    DELTA_SWA_HISTORICAL,
    IH_PANEL_POST_MEAN,
    IH_PANEL_PRE_MEAN,
    IH_PANEL_STD,
    IMPRINT_CI_HALF_WIDTH,
    K_ARCH,
    K_PANEL_MEAN,
    K_PANEL_N,
    K_PANEL_STD,
    NU_IMPRINT,
)
from tafagent.core.validation.laws_delta import law_delta_gqa, law_delta_instruct, law_delta_post_ih, law_delta_swa
from tafagent.core.validation.laws_gamma import law_arch_concentration
from tafagent.core.validation.laws_imprint import law_delta_imprint, law_ih_phase, law_imprint, law_k_band
from tafagent.core.validation.report import PanelConstant

__all__ = ["panel_constants"]


def _constant(
    name: str, reference: float, reference_n: int | None, value: float | None, se: float | None, n: int, method: str
) -> PanelConstant:
    differs = None if value is None or se is None else abs(value - reference) > 2.0 * se
    return PanelConstant(name, reference, reference_n, value, se, n, method, differs)


def _se_of_mean(std: float | None, n: int) -> float | None:
    return None if std is None or n < 2 else std / math.sqrt(n)


def _se_of_std(std: float | None, n: int) -> float | None:
    """Approximate standard error of a sample standard deviation, s/√(2(n−1))."""
    return None if std is None else std / math.sqrt(2 * (n - 1))


def _k_constants() -> tuple[PanelConstant, ...]:
    k = law_k_band().fitted
    k_se = None if k["K_std"] is None else k["K_std"] / math.sqrt(k["n"])
    return (
        _constant(
            "K panel mean", K_PANEL_MEAN, K_PANEL_N, k["K_mean"], k_se, k["n"], "mean of K over canonical text γ"
        ),
        _constant(
            "K panel std",
            K_PANEL_STD,
            K_PANEL_N,
            k["K_std"],
            _se_of_std(k["K_std"], k["n"]),
            k["n"],
            "sample std of K (SE ≈ s/√(2(n−1)))",
        ),
    )


def _ih_constants() -> tuple[PanelConstant, ...]:
    ih = law_ih_phase().fitted
    n_all = ih["pre_IH_n"] + ih["post_IH_n"]
    return (
        _constant(
            "IH panel mean Δγ, pre-IH",
            IH_PANEL_PRE_MEAN,
            7,
            ih["pre_IH_mean"],
            _se_of_mean(ih["pre_IH_std"], ih["pre_IH_n"]),
            ih["pre_IH_n"],
            "mean γ_text − γ_random, canonical pairs below 400M",
        ),
        _constant(
            "IH panel mean Δγ, post-IH",
            IH_PANEL_POST_MEAN,
            15,
            ih["post_IH_mean"],
            _se_of_mean(ih["post_IH_std"], ih["post_IH_n"]),
            ih["post_IH_n"],
            "mean γ_text − γ_random, canonical pairs at ≥ 400M",
        ),
        _constant(
            "IH panel std",
            IH_PANEL_STD,
            22,
            ih["pooled_std"],
            None if ih["pooled_std"] is None else ih["pooled_std"] / math.sqrt(2 * (n_all - 2)),
            n_all,
            "pooled within-group sample std of Δγ",
        ),
    )


def _implied_delta(
    name: str, reference: float, reference_n: int | None, fitted: dict[str, Any], how: str
) -> PanelConstant:
    """A δ offset beside the difference of mean Padé residuals the text rows imply."""
    return _constant(
        name,
        reference,
        reference_n,
        fitted["implied_delta"],
        fitted["implied_delta_se"],
        fitted["n_applies"] + fitted["n_not_applies"],
        f"difference of mean Padé residuals, {how} (text)",
    )


def _delta_constants() -> tuple[PanelConstant, ...]:
    inst = law_delta_instruct().fitted
    return (
        _implied_delta("δ_GQA", DELTA_GQA, None, law_delta_gqa().fitted["text"], "GQA vs MHA"),
        _implied_delta("δ_post_IH", DELTA_POST_IH, 22, law_delta_post_ih().fitted["text"], "≥ 400M vs smaller"),
        _implied_delta(
            "δ_SWA (historical)", DELTA_SWA_HISTORICAL, 1, law_delta_swa().fitted["text"], "sliding window vs none"
        ),
        _constant(
            "δ_instruct",
            DELTA_INSTRUCT,
            3,
            inst["paired_mean_shift"],
            inst["paired_shift_se"],
            inst["paired_n"],
            "mean γ(instruct) − γ(base) over the RLHF pairs",
        ),
    )


def _fit_constants() -> tuple[PanelConstant, ...]:
    arch = law_arch_concentration().fitted
    nu = law_delta_imprint().fitted
    imp = law_imprint().fitted
    return (
        _constant(
            "k_arch",
            K_ARCH,
            None,
            arch["k_arch_fit"],
            arch["k_arch_fit_se"],
            arch["n"],
            "OLS through the origin of γ_Padé − γ_text on n_kv",
        ),
        _constant(
            "ν_imprint",
            NU_IMPRINT,
            None,
            nu["nu_through_origin"],
            nu["nu_through_origin_se"],
            nu["n"],
            "OLS through the origin of γ_random − γ_Padé on log10(P/14M)",
        ),
        _constant(
            "imprint CI half-width",
            IMPRINT_CI_HALF_WIDTH,
            None,
            imp["ci95_half_width_from_data"],
            None if imp["residual_std"] is None else 1.96 * imp["residual_std"] / math.sqrt(2 * (imp["n"] - 1)),
            imp["n"],
            "1.96 × sample std of the imprint-law residuals",
        ),
    )


@cache
def panel_constants() -> tuple[PanelConstant, ...]:
    """The reference's hard-coded panel constants (spec §2.1) recomputed from the packaged data."""
    return (*_k_constants(), *_ih_constants(), *_delta_constants(), *_fit_constants())
