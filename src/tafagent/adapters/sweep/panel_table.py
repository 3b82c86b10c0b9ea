"""The sweep's panel table: its results as ``gamma_panel.json`` + ``attn_curves.json`` in the shipped schema.

One γ row per (model, measured corpus), with the columns of the shipped panel
(``core/data/panel/gamma_panel.json``, :class:`~tafagent.core.validation.panel.GammaRow`): architecture facts
from the model's config (stored in each result's ``env.sweep.arch``), the protocol, γ with its fit, R² and
bootstrap CI, tier A (the fit and its curve are stored and the refit reproduces them). ``canonical`` marks one
row per (model, text|random), as in the shipped panel, so ``taf validate --panel DIR`` tests every law on the
user's own measurements. :func:`read_panel` reads such a folder back (also a lone ``gamma_panel.json``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from tafagent._version import __version__
from tafagent.adapters.files import exists, is_directory, read_text_file
from tafagent.adapters.sweep.job import result_path, write_atomic
from tafagent.adapters.sweep.models_list import ModelEntry
from tafagent.core.decay.corpus_result import CorpusResult
from tafagent.core.decay.diagnosis import Diagnosis
from tafagent.core.decay.fit import PowerLawFit
from tafagent.core.errors import TafError, UsageError
from tafagent.core.validation.panel import GammaRow, Panel, panel_from_json

__all__ = ["CURVES_FILE", "PANEL_FILE", "PanelSummary", "build_rows", "read_panel", "write_panel"]

PANEL_FILE = "gamma_panel.json"
CURVES_FILE = "attn_curves.json"
CORPUS_FILES = ("both", "text", "random")  # a model's result files, in the order their rows are preferred
MAX_PANEL_BYTES = 64 * 1024 * 1024
_INSTRUCT = re.compile(r"instruct|chat|(^|[-_])it($|[-_])|rlhf|sft|dpo", re.IGNORECASE)
ARCH_CLASS = {"rope-mha": "RoPE-MHA", "rope-gqa": "RoPE-GQA", "alibi": "ALiBi", "abspe": "AbsPE", "ssm": "SSM"}
POS_ENC = {"alibi": "ALiBi", "abspe": "AbsPE", "ssm": "none"}


@dataclass(frozen=True)
class PanelSummary:
    """What the panel table holds: rows, the files behind them, and what was left out and why."""

    path: str
    rows: int
    models: int
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "rows": self.rows, "models": self.models, "notes": list(self.notes)}


def _arch_columns(arch: dict[str, Any], theta: float | None) -> dict[str, Any]:
    family = str(arch.get("family") or "")
    n_heads, n_kv = arch.get("n_heads"), arch.get("n_kv_heads")
    window = arch.get("sliding_window")
    if family == "ssm":
        attn_type = "SSM"
    elif n_heads and n_kv and n_kv < n_heads:
        attn_type = "MQA" if n_kv == 1 else "GQA"
    else:
        attn_type = "MHA"
    partial = arch.get("partial_rotary")
    return {
        "family": str(arch.get("model_type") or "unknown"),
        "arch_class": "SWA" if window else ARCH_CLASS.get(family, family or "unknown"),
        "pos_enc": "RoPE" if theta is not None else POS_ENC.get(family, "not_recorded"),
        "attn_type": attn_type,
        "swa": f"sliding_window={window}" if window else "",
        "n_params_M": round(arch["n_params"] / 1e6, 3) if arch.get("n_params") else None,
        "rope_note": f"partial rotary ({partial:g} of d_head)" if partial and partial < 1 else None,
        "T_train": arch.get("T_train"),
        "T_train_source": "config.json" if arch.get("T_train") else None,
        "max_pos": arch.get("T_train"),
        "n_layers": arch.get("n_layers"),
        "n_heads": n_heads,
        "n_kv_heads": n_kv,
        "d_head": arch.get("d_head"),
        "arch_blank_note": arch.get("error"),
    }


def _row(
    entry: ModelEntry, diagnosis: Diagnosis, result: CorpusResult, fit: PowerLawFit, file_name: str, row_id: str
) -> dict[str, Any]:
    """The GammaRow columns of one fitted corpus (``canonical`` and ``duplicate_of`` are set by the caller)."""
    env = diagnosis.env
    arch = dict((env.get("sweep") or {}).get("arch") or {})
    theta = diagnosis.theta
    sources = env.get("corpus_sources") or {}
    random = diagnosis.results.get("random")
    return {
        "row_id": row_id,
        "model": entry.ref,
        "model_label": entry.name if entry.local else entry.ref.rsplit("/", 1)[-1],
        **_arch_columns(arch, theta),
        "is_instruct": bool(_INSTRUCT.search(entry.name)),
        "rope_theta": theta,
        "theta_source": None if theta is None else ("config.json" if theta == arch.get("rope_theta") else "--theta"),
        "experiment": "taf_sweep",
        "condition": "baseline",
        "corpus": result.corpus,
        "corpus_raw": str(sources.get(result.corpus) or result.corpus)[:200],
        "revision": None,
        "distances": json.dumps(list(result.distances)),
        "fit_d_min": min(fit.distances),
        "T_eval": max(fit.distances),
        "n_prompts_per_distance": result.n_prompts,  # all seeds together
        "seeds": json.dumps(list(result.seeds)),
        "precision": str(env.get("dtype") or "not_recorded"),
        "platform": " / ".join(str(env[k]) for k in ("platform", "gpu") if env.get(k)) or None,
        "gamma": fit.gamma,
        "R2": fit.R2,
        "gamma_ci95_lo": None if result.gamma_ci95 is None else result.gamma_ci95[0],
        "gamma_ci95_hi": None if result.gamma_ci95 is None else result.gamma_ci95[1],
        "n_fit_points": fit.n_points,
        "gamma_origin": f"file_fit (taf diagnose, protocol {diagnosis.protocol}, tafagent {env.get('tafagent')})",
        "gamma_random_same_protocol": random.gamma if result.corpus == "text" and random is not None else None,
        "tier": "A",
        "canonical": False,
        "duplicate_of": None,
        "source_file": file_name,
        "notes": "; ".join(diagnosis.notes)[:1000],
    }


def _curve(result: CorpusResult, file_name: str) -> dict[str, Any]:
    used = set(result.fit.distances) if result.fit is not None else set()
    points = [[float(d), float(a), d in used] for d, a in sorted(result.attn_by_distance.items())]
    return {"source_file": file_name, "points": points}


def _load(path: Path) -> Diagnosis:
    from tafagent.adapters.measure.results import load_diagnosis

    return load_diagnosis(path)


def build_rows(entries: Sequence[ModelEntry], out_dir: Path) -> tuple[list[dict[str, Any]], dict[str, Any], list[str]]:
    """Rows (column → value), curves by row id, and notes on what was left out, from DIR's result files."""
    rows: list[dict[str, Any]] = []
    curves: dict[str, Any] = {}
    notes: list[str] = []
    canonical: dict[tuple[str, str], str] = {}
    for entry in entries:
        for file_corpus in CORPUS_FILES:
            path = result_path(out_dir, entry.name, file_corpus)
            if not exists(path):
                continue
            try:
                diagnosis = _load(path)
            except TafError as error:
                notes.append(f"{path.name} left out: {error.one_line()}")
                continue
            if diagnosis.status == "no_attention":
                notes.append(f"{entry.name}: {diagnosis.message}")
            for corpus, result in diagnosis.results.items():
                if result.fit is None:
                    notes.append(f"{entry.name} ({corpus}): no power-law fit; no row")
                    continue
                row_id = f"{entry.name}.{file_corpus}.{corpus}"
                row = _row(entry, diagnosis, result, result.fit, path.name, row_id)
                key = (entry.ref, "text" if corpus == "text" else corpus)
                row["canonical"] = key not in canonical
                row["duplicate_of"] = canonical.get(key)
                canonical.setdefault(key, row_id)
                rows.append(row)
                curves[row_id] = _curve(result, path.name)
    return rows, curves, notes


def write_panel(entries: Sequence[ModelEntry], out_dir: Path, source: str) -> PanelSummary:
    """Write DIR/gamma_panel.json and DIR/attn_curves.json from the results of ``entries`` found in DIR."""
    rows, curves, notes = build_rows(entries, out_dir)
    columns = [f.name for f in fields(GammaRow)]
    meta = {
        "what": "measured attention-decay γ, one row per (model, corpus), written by `taf sweep`",
        "snapshot": f"taf sweep of {source}",
        "source": f"tafagent {__version__} `taf sweep` results in this folder (one `taf diagnose --out` file each)",
        "arch_source": "each model's config.json, read by tafagent.adapters.sources.load_spec",
        "notes": notes,
    }
    panel = {"meta": meta, "columns": columns, "rows": [[row[c] for c in columns] for row in rows]}
    curve_file = {
        "meta": {"what": "mean attention A(d) behind each γ row", "point_columns": ["d", "attn_mean", "used_in_fit"]},
        "curves": curves,
    }
    write_atomic(out_dir / CURVES_FILE, json.dumps(curve_file, indent=1, allow_nan=False) + "\n")
    write_atomic(out_dir / PANEL_FILE, json.dumps(panel, indent=1, ensure_ascii=False, allow_nan=False) + "\n")
    return PanelSummary(str(out_dir / PANEL_FILE), len(rows), len({r["model"] for r in rows}), tuple(notes))


def read_panel(path: Path) -> Panel:
    """A user panel: a folder holding ``gamma_panel.json`` (and ``attn_curves.json``), or that file itself."""
    hint = "run `taf sweep MODELS.txt --out DIR` first, then pass --panel DIR"
    if not exists(path):
        raise UsageError(f"--panel '{path}' does not exist", hint)
    folder = path if is_directory(path) else path.parent
    panel_file = path / PANEL_FILE if is_directory(path) else path
    if not exists(panel_file):
        raise UsageError(f"--panel folder '{path}' has no {PANEL_FILE}", hint)
    gamma_text = read_text_file(panel_file, "panel file", MAX_PANEL_BYTES, hint)
    curves_file = folder / CURVES_FILE
    curves_text = read_text_file(curves_file, "curve file", MAX_PANEL_BYTES, hint) if exists(curves_file) else None
    return panel_from_json(gamma_text, curves_text, source=f"'{panel_file}'")
