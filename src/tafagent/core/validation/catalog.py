"""The validated laws by key, and the whole validation.

:data:`LAW_KEYS` lists, in report order, every predictive law the engine applies that the shipped panel can
test; :func:`law_report` computes one of them (once per process), :func:`validate` all of them together with
the power-law refits, the recomputed panel constants and the falsification dashboard.

Both take an optional ``panel`` (default: the shipped one), e.g. a user's ``taf sweep`` measurements
(``panel.panel_from_json``). The law functions read the panel in force through ``panel.load_panel()``, and
many are ``functools.cache``-d without arguments; so another panel is validated under a lock, inside
``using_panel(panel)``, with those argument-free caches cleared before and after (the shipped results are
recomputed on their next use: a fraction of a second). Results are then cached per panel here. A law that finds
nothing to test in that panel (e.g. NIAH outcomes a sweep does not record) reports "no cases in this panel".
"""

from __future__ import annotations

import difflib
import sys
import threading
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from typing import Any, TypeVar

from tafagent.core.errors import UsageError
from tafagent.core.validation.constants import panel_constants
from tafagent.core.validation.dashboard import falsification_dashboard
from tafagent.core.validation.laws_delta import law_delta_gqa, law_delta_instruct, law_delta_post_ih, law_delta_swa
from tafagent.core.validation.laws_gamma import (
    law_arch_concentration,
    law_decomposition_v1,
    law_decomposition_v2,
    law_pade,
)
from tafagent.core.validation.laws_imprint import law_delta_imprint, law_ih_phase, law_imprint, law_k_band
from tafagent.core.validation.laws_kv_cache import law_df_window, law_soft_decay
from tafagent.core.validation.laws_niah import law_niah_ceiling
from tafagent.core.validation.laws_speed import law_speed
from tafagent.core.validation.laws_x2_verdict import law_x2_verdict
from tafagent.core.validation.panel import Panel, load_panel, panel_cache, using_panel
from tafagent.core.validation.refit import refit_check
from tafagent.core.validation.report import Dashboard, LawReport, PanelConstant, RefitCheck, ValidationReport

__all__ = ["LAW_KEYS", "law_report", "validate"]

_LAW_REPORTS: dict[str, Callable[[], LawReport]] = {
    "pade": law_pade,
    "decomposition_v1": law_decomposition_v1,
    "decomposition_v2": law_decomposition_v2,
    "delta_gqa": law_delta_gqa,
    "delta_post_ih": law_delta_post_ih,
    "delta_swa": law_delta_swa,
    "delta_instruct": law_delta_instruct,
    "delta_imprint": law_delta_imprint,
    "imprint": law_imprint,
    "k_band": law_k_band,
    "ih_phase": law_ih_phase,
    "arch_concentration": law_arch_concentration,
    "df_window": law_df_window,
    "niah_ceiling": law_niah_ceiling,
    "soft_decay": law_soft_decay,
    "speed": law_speed,
    "x2_verdict": law_x2_verdict,
}
LAW_KEYS: tuple[str, ...] = tuple(_LAW_REPORTS)


def _unknown_law(key: str) -> UsageError:
    close = difflib.get_close_matches(key, LAW_KEYS, n=2)
    hint = (f"did you mean {' or '.join(close)}? " if close else "") + "known: " + ", ".join(LAW_KEYS)
    return UsageError(f"unknown law '{key}'", hint)


def law_report(law_key: str, panel: Panel | None = None) -> LawReport:
    """The validation of one law on ``panel`` (default: the shipped one), computed once per process and panel;
    UsageError with suggestions for an unknown key."""
    if law_key not in _LAW_REPORTS:
        raise _unknown_law(law_key)
    if panel is None:
        return _LAW_REPORTS[law_key]()
    return _law_on(law_key, panel)


def validate(panel: Panel | None = None) -> ValidationReport:
    """The whole validation on ``panel`` (default: the shipped one): every law, the refits, the recomputed
    constants and the falsification dashboard."""
    return _validate_shipped() if panel is None else _validate_on(panel)


@cache
def _validate_shipped() -> ValidationReport:
    panel = load_panel()
    return ValidationReport(
        snapshot=panel.snapshot,
        panel_counts=panel.counts(),
        laws=tuple(law_report(k) for k in LAW_KEYS),
        refit=refit_check(),
        constants=panel_constants(),
        dashboard=falsification_dashboard(),
    )


# ---- another panel -------------------------------------------------------------------------------------------

NO_CASES = "no cases in this panel"
# What a law or check raises when the panel lacks the rows it reads (an empty mean, a missing row or outcome).
_MISSING_DATA = (ArithmeticError, KeyError, IndexError, LookupError, TypeError, ValueError)
_LOCK = threading.RLock()
_T = TypeVar("_T")


def _argument_free_caches() -> list[Any]:
    """Every ``functools.cache``-d function of the validation modules that is not already keyed by panel."""
    found: dict[int, Any] = {}
    for name, module in list(sys.modules.items()):
        if module is None or not (name == "tafagent.core.validation" or name.startswith("tafagent.core.validation.")):
            continue
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)) and not getattr(value, "keyed_by_panel", False):
                found[id(value)] = value
    return list(found.values())


def _on_panel(
    panel: Panel,
    compute: Callable[[], _T],
    fallback: Callable[[], _T],
    unread: Callable[[], _T] | None = None,
) -> _T:
    """``compute()`` with ``panel`` in force and fresh caches; ``fallback()`` when the panel lacks its data,
    ``unread()`` (if given) when ``compute`` never read the panel (a law tested on data of its own)."""
    with _LOCK:
        caches = _argument_free_caches()
        for cached in caches:
            cached.cache_clear()
        try:
            with using_panel(panel) as scope:
                value = compute()
        except _MISSING_DATA:
            return fallback()
        finally:
            for cached in caches:
                cached.cache_clear()
        return unread() if unread is not None and scope.reads == 0 else value


def _no_cases(law_key: str, why: str = NO_CASES) -> LawReport:
    """The law's shipped report emptied: its title, formula and label, n = 0 and the line ``why``."""
    shipped = _LAW_REPORTS[law_key]()
    empty = tuple(
        replace(
            c,
            cases=(),
            n=0,
            hits=0,
            hit_rate=None,
            mae=None,
            bias=None,
            pearson_r=None,
            spearman_rho=None,
            mse=None,
            mse_of_panel_mean=None,
            balanced_accuracy=None,
            confusion=None,
            notes=(),
        )
        for c in shipped.comparisons
    )
    return replace(
        shipped, support="untestable", headline=why, headline_msg=None, comparisons=empty, fitted={}, notes=(why,)
    )


def _mark_empty(report: LawReport) -> LawReport:
    """A law whose comparisons all have n = 0 says so in its headline."""
    if any(c.n for c in report.comparisons):
        return report
    return replace(report, support="untestable", headline=f"{NO_CASES} ({report.headline})", headline_msg=None)


@panel_cache
def _law_on(law_key: str, panel: Panel) -> LawReport:
    return _on_panel(
        panel,
        lambda: _mark_empty(_LAW_REPORTS[law_key]()),
        lambda: _no_cases(law_key),
        lambda: _no_cases(
            law_key, f"{NO_CASES}: this law is tested on data of its own (`taf validate --law {law_key}`)"
        ),
    )


def _no_constants() -> tuple[PanelConstant, ...]:
    return ()


@panel_cache
def _validate_on(panel: Panel) -> ValidationReport:
    laws = tuple(_law_on(k, panel) for k in LAW_KEYS)
    refit = _on_panel(panel, refit_check, lambda: RefitCheck(0, {}, (), ()))
    constants = _on_panel(panel, panel_constants, _no_constants)
    dashboard = _on_panel(panel, falsification_dashboard, lambda: Dashboard(()))
    return ValidationReport(
        snapshot=panel.snapshot,
        panel_counts=panel.counts(),
        laws=laws,
        refit=refit,
        constants=constants,
        dashboard=dashboard,
    )
