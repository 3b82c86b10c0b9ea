"""What the literature measured for each RoPE extension method, with and without fine-tuning.

The numbers live in ``data/rope_extension_literature.json`` (each with its source: the YaRN authors' data files
for perplexity and passkey, the papers for each method's largest documented factor). The shipped TAF panel adds
measured no-fine-tuning rows: NTK-aware θ scaling of Pythia models (``niah_logprob_ntk``), read at run time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from tafagent.core.validation.panel import outcome_set

LITERATURE_FILE = "data/rope_extension_literature.json"
PANEL_NTK_SOURCE = "TAF reference panel ground_truth.json set niah_logprob_ntk (1-of-10 log-prob NIAH, n=50 per point)"
# Literature result rows that speak for a method (static NTK-aware fine-tunes inform the dynamic variant).
_RESULT_METHODS = {"yarn": ("yarn",), "linear": ("linear",), "dynamic": ("ntk", "dynamic"), "llama3": ("llama3",)}


@dataclass(frozen=True)
class MethodLiterature:
    """One method's paper, largest documented factor, fine-tuning notes and measured results."""

    method: str
    paper: str
    max_documented_factor: float | None
    max_factor_source: str
    fine_tuning: str
    without_fine_tuning: str
    results: tuple[dict[str, Any], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "paper": self.paper,
            "max_documented_factor": self.max_documented_factor,
            "max_factor_source": self.max_factor_source,
            "fine_tuning": self.fine_tuning,
            "without_fine_tuning": self.without_fine_tuning,
            "results": [dict(r) for r in self.results],
        }


@cache
def _data() -> dict[str, Any]:
    text = resources.files("tafagent.core").joinpath(LITERATURE_FILE).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def methods() -> tuple[str, ...]:
    """The methods the literature file documents."""
    return tuple(_data()["methods"])


def largest_documented_factor() -> tuple[float, str, str]:
    """(factor, method, source): the largest scaling factor any method documents."""
    best = max(
        (
            (float(m["max_documented_factor"]), name, m["max_factor_source"])
            for name, m in _data()["methods"].items()
            if m["max_documented_factor"] is not None
        ),
        key=lambda item: item[0],
    )
    return best


def method_literature(method: str) -> MethodLiterature:
    """The literature entry of ``method`` with its result rows (and the panel's NTK rows for 'dynamic')."""
    entry = _data()["methods"][method]
    wanted = _RESULT_METHODS.get(method, (method,))
    results = [r for r in _data()["results"] if r["method"] in wanted]
    if method == "dynamic":
        results.extend(panel_ntk_rows())
    factor = entry["max_documented_factor"]
    return MethodLiterature(
        method=method,
        paper=entry["paper"],
        max_documented_factor=float(factor) if factor is not None else None,
        max_factor_source=entry["max_factor_source"],
        fine_tuning=entry["fine_tuning"],
        without_fine_tuning=entry["without_fine_tuning"],
        results=tuple(results),
    )


def panel_ntk_rows() -> list[dict[str, Any]]:
    """The panel's no-fine-tuning NTK rows at the longest tested length (2× Pythia's 2,048), θ×1 against θ×4."""
    rows = [r for r in outcome_set("niah_logprob_ntk") if r.cond_value in (1.0, 4.0)]
    if not rows:
        return []
    longest = max(int(r.x_value) for r in rows)
    out = []
    for r in sorted(rows, key=lambda r: (r.model, float(r.cond_value))):
        if int(r.x_value) != longest:
            continue
        out.append(
            {
                "method": "ntk",
                "model": r.model,
                "base_tokens": r.T_train,
                "factor": None,
                "theta_multiplier": float(r.cond_value),
                "fine_tuning": "none (rope_theta scaled at inference)",
                "metric": "NIAH accuracy (1 of 10, chance 0.1)",
                "length_tokens": longest,
                "value": r.value,
                "n": r.n,
                "source": f"{PANEL_NTK_SOURCE}, {r.gt_id}",
            }
        )
    return out
