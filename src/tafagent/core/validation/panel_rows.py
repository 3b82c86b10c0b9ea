"""The panel rows the γ laws are tested on, and the engine's predictions for one row.

Canonical RoPE rows per corpus, the (text, random) pairs of one model, γ_Padé and the v1 γ_corrected of a
row, and the standard γ case (measured γ against a predicted γ, a hit within ``GAMMA_TOL``).
"""

from __future__ import annotations

from tafagent.core.laws.decomposition import gamma_decompose
from tafagent.core.laws.pade import gamma_pade
from tafagent.core.validation.comparison import Case
from tafagent.core.validation.panel import GammaRow, Panel, load_panel, panel_cache

__all__ = [
    "GAMMA_TOL",
    "gamma_case",
    "model_size_M",
    "params_M",
    "random_rope_rows",
    "row_gamma_corrected",
    "row_pade",
    "text_random_pairs",
    "text_rope_rows",
]

GAMMA_TOL = 0.1  # the reference tool's own tolerance for "γ matches" (taf_browser.py GAMMA_TOL)


def text_rope_rows() -> list[GammaRow]:
    """Canonical text rows of RoPE models with a fit window (γ_Padé applies to them)."""
    return [r for r in load_panel().canonical("text") if r.is_rope and r.T_eval]


def random_rope_rows() -> list[GammaRow]:
    """Canonical random-token rows of RoPE models with a fit window."""
    return [r for r in load_panel().canonical("random") if r.is_rope and r.T_eval]


def text_random_pairs() -> tuple[tuple[GammaRow, GammaRow], ...]:
    """(text, random) canonical rows of the same model, in text-row order (of the panel in force)."""
    return _pairs_of(load_panel())


@panel_cache
def _pairs_of(panel: Panel) -> tuple[tuple[GammaRow, GammaRow], ...]:
    random_by_model = {r.model: r for r in panel.canonical("random")}
    return tuple((t, random_by_model[t.model]) for t in panel.canonical("text") if t.model in random_by_model)


def row_pade(row: GammaRow, T: float | None = None) -> float:
    """γ_Padé of a panel row at T (default: the row's own T_eval, the largest fitted distance)."""
    T = T if T is not None else row.T_eval
    if row.rope_theta is None or T is None:
        raise ValueError(f"row {row.row_id} has no RoPE θ or no T_eval: γ_Padé does not apply")
    return gamma_pade(row.rope_theta, float(T))


def params_M(row: GammaRow) -> float:
    """The row's nominal parameter count in millions (0 when the panel does not record it)."""
    return float(row.n_params_M) if row.n_params_M is not None else 0.0


def row_gamma_corrected(row: GammaRow, T: float | None = None) -> float:
    """The card's γ_corrected (decomposition v1) of a panel row at T (default: its T_eval)."""
    return gamma_decompose(row_pade(row, T), row.has_gqa, row.has_swa, params_M(row) * 1e6)["gamma_corrected"]


def model_size_M(model: str) -> float:
    """Parameter count (millions) of a panel model by id, for ordering outcome series small to large."""
    rows = load_panel().rows_for(model)
    return float(rows[0].n_params_M or 0.0) if rows else 0.0


def gamma_case(row: GammaRow, pred: float, detail: str = "", tol: float = GAMMA_TOL, *, strict: bool = False) -> Case:
    """A row's measured γ against a predicted γ: residual γ − pred, a hit when |residual| ≤ tol (< tol if strict)."""
    res = row.gamma - pred
    hit = abs(res) < tol if strict else abs(res) <= tol
    return Case(row.model_label, row.row_id, pred, row.gamma, hit, res, detail)
