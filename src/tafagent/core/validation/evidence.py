"""What the shipped panel says about the law behind a number: :func:`law_evidence` for recipe steps (through
the law registry's ``panel_key``) and for the TAF Card's key numbers (:data:`CARD_KEY_LAW_KEYS`).

Cached per key, and lazy: asking about one law computes only that law's validation.
"""

from __future__ import annotations

from functools import cache

from tafagent.core.errors import UsageError
from tafagent.core.validation.catalog import law_report
from tafagent.core.validation.comparison import support_numeric, support_rate
from tafagent.core.validation.panel import load_panel
from tafagent.core.validation.report import LawEvidence

__all__ = ["CARD_KEY_LAW_KEYS", "law_evidence"]

# TAF Card key number (core/card.py ``key_numbers``) → law key, for the evidence column of the card.
CARD_KEY_LAW_KEYS: dict[str, str] = {
    "gamma_pade": "pade",
    "gamma_corrected": "decomposition_v1",
    "d_horizon": "niah_ceiling",
    "l_niah": "niah_ceiling",
    "d_horizon_measured": "niah_ceiling:measured_gamma",
    "gamma_random_predicted": "imprint",
    "compute_invariant_K": "k_band",
}


@cache
def law_evidence(law_key: str) -> LawEvidence:
    """Evidence label of a predictive step plus the panel statistic that backs or contradicts it (cached).

    ``law_key`` is one of :data:`~tafagent.core.validation.catalog.LAW_KEYS`, optionally with a comparison
    (``"niah_ceiling:measured_gamma"``): the ``panel_key`` of a law in :mod:`tafagent.core.laws.registry`.
    Raises :class:`UsageError` for unknown keys.
    """
    base, _, sub = law_key.partition(":")
    law = law_report(base)
    if sub:
        try:
            comparison = law.comparison(sub)
        except KeyError:
            keys = ", ".join(c.key for c in law.comparisons)
            raise UsageError(f"law '{base}' has no comparison '{sub}'", f"known: {keys}") from None
        statistic = f"{comparison.title}: {comparison.summary()}"
        support = support_rate(comparison) if comparison.mae is None else support_numeric(comparison)
        n: int | None = comparison.n
    else:
        statistic, support, n = law.headline, law.support, law.primary.n
        comparison = None
    source = f"reference panel ({load_panel().snapshot[:40]}); `taf validate --law {base}`"
    message = None if sub else law.headline_msg
    return LawEvidence(
        law_key, law.evidence.label, support, statistic, n, source, statistic_msg=message, comparison=comparison
    )
