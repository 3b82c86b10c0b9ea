"""One model of the sweep: measure it with the same function ``taf diagnose`` calls, and store the result.

The result file is exactly what ``taf diagnose --out`` writes (so ``taf profile --diagnosis`` reads it), plus
``env.sweep``: the models-file line and the architecture facts the panel table needs (from the model's
``config.json`` through :func:`tafagent.adapters.sources.load_spec`). It is written atomically (a temporary
file in the same folder, then ``os.replace``), so an interrupted sweep never leaves half a result that a
rerun would take as done.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tafagent.adapters.measure.protocols import Progress
from tafagent.adapters.measure.runner import DiagnoseOptions
from tafagent.adapters.sweep.models_list import ModelEntry
from tafagent.core.errors import TafError, UsageError

__all__ = [
    "JobOutcome",
    "arch_facts",
    "measure",
    "options_from_dict",
    "options_to_dict",
    "result_path",
    "run_job",
    "write_atomic",
]

MAX_REASON_CHARS = 300


@dataclass(frozen=True)
class JobOutcome:
    """How one model's job ended: ``ok`` with the diagnosis status and γ, or not with a one-line ``reason``."""

    name: str
    model: str
    line: int
    ok: bool
    reason: str = ""
    status: str = ""  # complete / no_attention (a diagnosis was stored), "" on failure
    gamma: float | None = None
    elapsed_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> JobOutcome:
        return cls(**{f.name: data[f.name] for f in dataclasses.fields(cls) if f.name in data})


def result_path(out_dir: Path, name: str, corpus: str) -> Path:
    """``DIR/<safe-name>.<corpus>.json``: one result per model and ``--corpus`` choice."""
    return out_dir / f"{name}.{corpus}.json"


def options_to_dict(options: DiagnoseOptions) -> dict[str, Any]:
    """JSON-able form of the options (for a worker subprocess)."""
    data = dataclasses.asdict(options)
    data["text_path"] = None if options.text_path is None else str(options.text_path)
    return data


def options_from_dict(data: dict[str, Any]) -> DiagnoseOptions:
    names = {f.name for f in dataclasses.fields(DiagnoseOptions)}
    values = {k: v for k, v in data.items() if k in names}
    for key in ("distances", "seeds", "extra_notes"):
        if values.get(key) is not None:
            values[key] = tuple(values[key])
    if values.get("text_path") is not None:
        values["text_path"] = Path(values["text_path"])
    return DiagnoseOptions(**values)


def arch_facts(entry: ModelEntry) -> dict[str, Any]:
    """The architecture facts of the panel's columns, from the model's config (``{"error": ...}`` if unreadable)."""
    from tafagent.adapters.sources import load_spec

    try:
        spec = load_spec(entry.ref, revision=None)
    except TafError as error:
        return {"error": error.one_line()[:MAX_REASON_CHARS]}
    return {
        "model_id": spec.model_id,
        "model_type": spec.model_type,
        "family": spec.family,
        "rope_theta": spec.rope_theta,
        "partial_rotary": spec.partial_rotary,
        "T_train": spec.T_train,
        "n_layers": spec.n_layers,
        "n_heads": spec.n_heads,
        "n_kv_heads": spec.n_kv_heads,
        "d_head": spec.d_head,
        "sliding_window": spec.sliding_window,
        "n_params": spec.n_params,
    }


def _reason(error: BaseException) -> str:
    """One line for a failure: the project's own line, else the exception type and its first line."""
    if isinstance(error, TafError):
        text = error.one_line()
    else:
        first = (str(error).strip().splitlines() or [""])[0]
        text = f"{type(error).__name__}: {first}" if first else type(error).__name__
    return text[:MAX_REASON_CHARS]


def measure(
    entry: ModelEntry, options: DiagnoseOptions, progress: Progress | None = None
) -> tuple[JobOutcome, str | None]:
    """Diagnose one model; the outcome and the result file's text (None on failure).

    Any exception of the measurement becomes the model's one-line failure: one model that cannot load (a gated
    repo, an unknown architecture, out of memory) must not stop a sweep of forty. An interruption stops it.
    """
    from tafagent.adapters.measure.results import diagnosis_json
    from tafagent.adapters.measure.runner import diagnose

    started = time.perf_counter()
    try:
        diagnosis = diagnose(entry.ref, options, progress=progress)
    except Exception as error:  # reported per model, see the docstring
        return JobOutcome(entry.name, entry.ref, entry.line, False, _reason(error)), None
    if diagnosis.status == "partial":  # diagnose turned Ctrl-C into partial results: stop, store nothing
        raise KeyboardInterrupt
    env = dict(diagnosis.env)
    env["sweep"] = {"model": entry.ref, "line": entry.line, "name": entry.name, "arch": arch_facts(entry)}
    diagnosis = dataclasses.replace(diagnosis, env=env)
    elapsed = round(time.perf_counter() - started, 3)
    outcome = JobOutcome(entry.name, entry.ref, entry.line, True, "", diagnosis.status, diagnosis.gamma, elapsed)
    return outcome, diagnosis_json(diagnosis)


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and ``os.replace``."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise UsageError(f"cannot write '{path}': {error.strerror or error}", "check the --out folder") from None


def run_job(entry: ModelEntry, options: DiagnoseOptions, out_dir: Path, progress: Progress | None = None) -> JobOutcome:
    """Measure one model and, when it worked, write ``DIR/<name>.<corpus>.json``."""
    outcome, text = measure(entry, options, progress)
    if text is not None:
        write_atomic(result_path(out_dir, entry.name, options.corpus), text)
    return outcome


def outcome_json(outcome: JobOutcome) -> str:
    return json.dumps(outcome.to_dict(), ensure_ascii=False)
