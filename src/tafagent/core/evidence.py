"""Evidence labels: how much trust a number deserves.

Every constant or law that is not pure algebra carries one of these labels (DESIGN.md):

* ``exact``       — a definition or arithmetic on exact inputs (bytes = 2·n_kv·d_head·…).
* ``derived``     — follows from stated assumptions (Chinchilla D = 20·N, a roofline bound).
* ``fitted``      — fitted to data; the label carries n and the fit statistic.
* ``exploratory`` — weak or unreplicated evidence; shown, never presented as measured.
* ``disabled``    — kept for reference, not applied (e.g. δ_SWA in v0.5.3).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Evidence(StrEnum):
    EXACT = "exact"
    DERIVED = "derived"
    FITTED = "fitted"
    EXPLORATORY = "exploratory"
    DISABLED = "disabled"


@dataclass(frozen=True, slots=True)
class EvidenceNote:
    """An evidence label with what backs it (n, a statistic, a source)."""

    label: Evidence
    source: str = ""
    n: int | None = None
    statistic: str | None = None

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"label": self.label.value}
        if self.source:
            out["source"] = self.source
        if self.n is not None:
            out["n"] = self.n
        if self.statistic:
            out["statistic"] = self.statistic
        return out
