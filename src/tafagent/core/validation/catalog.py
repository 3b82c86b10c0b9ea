"""The validated laws by key, and the whole validation.

:data:`LAW_KEYS` lists, in report order, every predictive law the engine applies that the shipped panel can
test; :func:`law_report` computes one of them (once per process), :func:`validate` all of them together with
the power-law refits, the recomputed panel constants and the falsification dashboard.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from functools import cache

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
from tafagent.core.validation.panel import load_panel
from tafagent.core.validation.refit import refit_check
from tafagent.core.validation.report import LawReport, ValidationReport

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
}
LAW_KEYS: tuple[str, ...] = tuple(_LAW_REPORTS)


def _unknown_law(key: str) -> UsageError:
    close = difflib.get_close_matches(key, LAW_KEYS, n=2)
    hint = (f"did you mean {' or '.join(close)}? " if close else "") + "known: " + ", ".join(LAW_KEYS)
    return UsageError(f"unknown law '{key}'", hint)


def law_report(law_key: str) -> LawReport:
    """The validation of one law (computed once per process); UsageError with suggestions for an unknown key."""
    try:
        return _LAW_REPORTS[law_key]()
    except KeyError:
        raise _unknown_law(law_key) from None


@cache
def validate() -> ValidationReport:
    """The whole validation: every law, the refits, the recomputed constants and the falsification dashboard."""
    panel = load_panel()
    return ValidationReport(
        snapshot=panel.snapshot,
        panel_counts=panel.counts(),
        laws=tuple(law_report(k) for k in LAW_KEYS),
        refit=refit_check(),
        constants=panel_constants(),
        dashboard=falsification_dashboard(),
    )
