"""The data behind the charts of the browser app (and anyone else who plots): computed here, drawn elsewhere.

Interfaces only render; every number on a chart comes from the core like every number in a table.
"""

from __future__ import annotations

import math
from typing import Any

from tafagent.core.card import Card
from tafagent.core.laws.pade import gamma_pade
from tafagent.core.spec.model_spec import ModelSpec
from tafagent.core.validation import load_panel

PHASE_DIAGRAM_T = 2000  # the reference's phase diagram draws the Padé curve at T = 2000 (spec §7.14)


def decay_curves(card: Card) -> dict[str, Any]:
    """A(d) ∝ d^−γ, normalised over d = 1..N, for the predicted γ, the measured γ and the nearest measured
    models — the data behind the card's decay chart (plotted by the web app with Chart.js)."""
    N = max(16, min(card.T_eval, 1_000_000))
    distances = sorted({round(10 ** (i / 10)) for i in range(0, int(math.log10(N) * 10) + 1)} | {N})
    series = []

    def add(label: str, gamma: float | None, kind: str, model: str | None = None) -> None:
        if gamma is None or not math.isfinite(gamma) or gamma <= 0:
            return
        total = sum(d**-gamma for d in distances)  # normalised on the plotted grid
        series.append(
            {
                "label": label,
                "gamma": gamma,
                "kind": kind,
                "model": model,
                "points": [{"x": d, "y": d**-gamma / total} for d in distances],
            }
        )

    add("γ_corrected (predicted)", card.key_numbers.get("gamma_corrected"), "predicted")
    add("γ measured", card.key_numbers.get("gamma_obs"), "measured")
    measured = card.measured or {}
    models = []
    if measured.get("in_panel") and measured.get("match"):
        models.append(measured["match"])
    models += [n["model"] for n in measured.get("neighbours", [])]
    seen = set()
    for model in models:
        if model["model"] in seen:
            continue
        seen.add(model["model"])
        value = model.get("gamma_text")
        if value:
            add(f"{model['model']} (panel, text)", value["gamma"], "panel", model["model"])
    return {"N": N, "series": series}


def phase_diagram_data(spec: ModelSpec | None, T_eval: int | None = None) -> dict[str, Any]:
    """Reference-panel measurements (x = log10 θ, y = measured γ), the Padé curve γ_P(10^x, T) and the user's
    model on it. T is the user's T_eval, else its T_train, so their point sits on the curve; without a model
    the reference diagram's T = 2000. Panel points were measured at their own T_eval (carried per point)."""
    points = []
    for row in load_panel().rows:
        # the two corpora the chart separates; other labels (simulated text, unrecorded) stay out
        if row.rope_theta and row.gamma is not None and row.canonical and row.corpus in ("text", "random"):
            points.append(
                {
                    "model": row.model,
                    "x": math.log10(row.rope_theta),
                    "y": row.gamma,
                    "corpus": row.corpus,
                    "tier": row.tier,
                    "T_eval": row.T_eval,
                }
            )
    T = T_eval
    user = None
    if spec is not None and spec.rope_theta:
        T = T or spec.T_train or PHASE_DIAGRAM_T  # a model with no known training length: the diagram's own T
        user = {
            "model": spec.model_id,
            "x": math.log10(spec.rope_theta),
            "y": gamma_pade(spec.rope_theta, T),
            "T_eval": T,
        }
    T = T or PHASE_DIAGRAM_T
    curve = [{"x": x / 20, "y": gamma_pade(10 ** (x / 20), T)} for x in range(60, 145)]
    return {"points": points, "curve": curve, "T": T, "user": user}
