"""Rebuild the packaged reference-panel data from the shared reference panel (a maintenance tool).

Usage (from the repository root)::

    python scripts/build_panel.py ../shared/data/reference_panel

It reads ``gamma_panel.json``, ``attn_curves.csv`` and ``ground_truth.json`` of the shared panel and
writes ``gamma_panel.json``, ``attn_curves.json`` and ``ground_truth.json`` next to this file. The
transformation is lossless for every value kept (floats are copied, never rounded); it only drops
columns the product recomputes itself and ground-truth sets it does not use, and stores rows as
column lists to stay small. See ``README.md`` in this folder for the list. Standard library only and
deterministic: the same source gives byte-identical output (tests/core/test_validation.py checks that).
This file is not part of the installed package (package data is ``*.json`` only).
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent.parent / "src" / "tafagent" / "core" / "data" / "panel"  # package data

SNAPSHOT_NOTE = (
    "karlesmarin/tafagent @ e0d8cb601ea29af8a87b17472695624b6bfda239 (2026-07-10), via the project's shared "
    "reference panel (data/reference_panel/README.md)"
)

# Columns of gamma_panel kept, in order (names are the GammaRow fields of core/validation/panel.py).
GAMMA_COLUMNS = (
    "row_id",
    "model",
    "model_label",
    "family",
    "arch_class",
    "pos_enc",
    "attn_type",
    "swa",
    "is_instruct",
    "n_params_M",
    "rope_theta",
    "theta_source",
    "rope_note",
    "T_train",
    "T_train_source",
    "max_pos",
    "n_layers",
    "n_heads",
    "n_kv_heads",
    "d_head",
    "arch_blank_note",
    "experiment",
    "condition",
    "corpus",
    "corpus_raw",
    "revision",
    "distances",
    "fit_d_min",
    "T_eval",
    "n_prompts_per_distance",
    "seeds",
    "precision",
    "platform",
    "gamma",
    "R2",
    "gamma_ci95_lo",
    "gamma_ci95_hi",
    "n_fit_points",
    "gamma_origin",
    "gamma_random_same_protocol",
    "tier",
    "canonical",
    "duplicate_of",
    "source_file",
    "notes",
)
# Dropped gamma_panel columns and why (recorded in the output's meta).
GAMMA_DROPPED = {
    "fit_distances": "equals the curve points flagged used_in_fit (attn_curves.json)",
    "gamma_refit": "recomputed at run time by core/validation.py (OLS refit)",
    "R2_refit": "recomputed at run time",
    "refit_matches_file": "recomputed at run time",
    "gamma_pade_Teval": "recomputed at run time with core/pade.py",
    "delta_vs_pade_Teval": "recomputed at run time",
    "gamma_pade_Ttrain": "recomputed at run time with core/pade.py",
    "delta_vs_pade_Ttrain": "recomputed at run time",
    "arch_source": "the same for every row; kept once in meta.arch_source",
    "author_decision": "verdicts against the old C/ln θ law, not against anything the product computes",
}

OUTCOME_COLUMNS = (
    "gt_id",
    "set",
    "model",
    "origin",
    "condition",
    "cond_param",
    "cond_value",
    "x_name",
    "x_value",
    "metric",
    "value",
    "value_stderr",
    "n",
    "chance_level",
    "reference_value",
    "reference_label",
    "author_prediction",
    "author_verdict",
    "gamma_quoted_by_file",
    "theta",
    "T_train",
    "source_file",
    "notes",
)
# Ground-truth sets the validation uses (the others are documented as not packaged in README.md).
OUTCOME_SETS = (
    "niah_logprob_ntk",
    "passkey_transplant",
    "passkey_checkpoint",
    "ruler_published",
    "kv_window_ppl",
    "kv_decay_modes",
    "dead_band_prune",
    "lcrit_residual_transplant",
    "attn_mass_d90",
)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _dump(payload: Any) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False) + "\n"


def build(source: Path) -> dict[str, str]:
    """Return {file name: JSON text} for the three packaged files, built from the shared panel folder."""
    panel_path = source / "gamma_panel.json"
    curves_path = source / "attn_curves.csv"
    outcomes_path = source / "ground_truth.json"
    panel = json.loads(panel_path.read_text(encoding="utf-8"))
    arch_sources = {row["arch_source"] for row in panel["rows"]}
    if len(arch_sources) != 1:
        raise ValueError(f"expected one arch_source value, got {sorted(arch_sources)}")
    gamma_rows = []
    for row in panel["rows"]:
        # distances and seeds stay verbatim text: some seed entries carry a remark after the list.
        gamma_rows.append([row[column] for column in GAMMA_COLUMNS])
    gamma_out = {
        "meta": {
            "what": "measured attention-decay γ, one row per (model, measurement condition)",
            "snapshot": panel["snapshot"],
            "source": SNAPSHOT_NOTE,
            "source_file": "data/reference_panel/gamma_panel.json",
            "source_sha256": _sha256(panel_path),
            "arch_source": arch_sources.pop(),
            "dropped_columns": GAMMA_DROPPED,
        },
        "columns": list(GAMMA_COLUMNS),
        "rows": gamma_rows,
    }

    source_file_of = {row["row_id"]: row["source_file"] for row in panel["rows"]}
    curves: dict[str, dict[str, Any]] = {}
    with curves_path.open(encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle):
            entry = curves.setdefault(record["row_id"], {"source_file": record["source_file"], "points": []})
            if record["source_file"] != entry["source_file"]:
                raise ValueError(f"curve {record['row_id']} mixes source files")
            # float() of the CSV text gives back exactly the float the panel stored (repr round trip).
            entry["points"].append([float(record["d"]), float(record["attn_mean"]), record["used_in_fit"] == "True"])
    for row_id, entry in curves.items():
        if entry["source_file"] != source_file_of[row_id]:
            raise ValueError(f"curve {row_id} source {entry['source_file']} differs from its panel row")
    curves_out = {
        "meta": {
            "what": "mean attention A(d) from the last position to the token d back; the points behind each γ row",
            "snapshot": panel["snapshot"],
            "source": SNAPSHOT_NOTE,
            "source_file": "data/reference_panel/attn_curves.csv",
            "source_sha256": _sha256(curves_path),
            "point_columns": ["d", "attn_mean", "used_in_fit"],
            "dropped_columns": {
                "attn_std_across_seeds": "not used by the validation",
                "per_seed_means": "not used by the validation",
                "model, corpus, experiment, condition": "repeated from the γ row with the same row_id",
            },
        },
        "curves": dict(sorted(curves.items())),
    }

    outcomes = json.loads(outcomes_path.read_text(encoding="utf-8"))
    outcome_rows = [[row[c] for c in OUTCOME_COLUMNS] for row in outcomes["rows"] if row["set"] in OUTCOME_SETS]
    outcomes_out = {
        "meta": {
            "what": "downstream outcomes: one row per (model, condition, x, metric)",
            "snapshot": outcomes["snapshot"],
            "source": SNAPSHOT_NOTE,
            "source_file": "data/reference_panel/ground_truth.json",
            "source_sha256": _sha256(outcomes_path),
            "sets_kept": list(OUTCOME_SETS),
            "dropped_columns": {
                "is_downstream": "implied by the set",
                "model_id_confidence": "see the shared file",
            },
        },
        "columns": list(OUTCOME_COLUMNS),
        "rows": outcome_rows,
    }
    return {
        "gamma_panel.json": _dump(gamma_out),
        "attn_curves.json": _dump(curves_out),
        "ground_truth.json": _dump(outcomes_out),
    }


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        sys.stderr.write("usage: build_panel.py PATH/TO/shared/data/reference_panel\n")
        return 2
    for name, text in build(Path(argv[1])).items():
        (HERE / name).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
