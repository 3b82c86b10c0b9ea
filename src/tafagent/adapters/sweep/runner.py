"""``taf sweep``: measure every model of a models file, resumably, and write the panel table.

Resuming: a model whose ``DIR/<name>.<corpus>.json`` exists and reads back as a diagnosis is done and skipped.
A model that failed is recorded in ``DIR/failures.json`` with its one-line reason and is *not* retried on the
next run unless ``retry_failed`` (``--retry-failed``): a gated repo or an unsupported architecture fails the
same way every time, and a sweep of forty models should not pay for it again; a transient failure (out of
memory on a busy GPU, the network) is retried on request. A success removes the model's failure record.
The panel table is rewritten at the end of every run from all the results in DIR.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tafagent.adapters.files import exists, is_directory, read_text_file
from tafagent.adapters.measure.protocols import Progress
from tafagent.adapters.measure.runner import DiagnoseOptions
from tafagent.adapters.sweep.job import JobOutcome, result_path, write_atomic
from tafagent.adapters.sweep.local import INTERRUPTED, run_local
from tafagent.adapters.sweep.models_list import ModelEntry, read_models
from tafagent.adapters.sweep.panel_table import PanelSummary, write_panel
from tafagent.core.errors import ConfigError, TafError, UsageError

__all__ = ["FAILURES_FILE", "SweepListener", "SweepReport", "sweep"]

FAILURES_FILE = "failures.json"
FAILURES_SCHEMA = "tafagent.sweep-failures/1"


@dataclass
class SweepListener:
    """Callbacks for a progress display: the plan, each model's start and end, and progress within a model."""

    on_plan: Callable[[int], None] = lambda total: None
    on_start: Callable[[ModelEntry], None] = lambda entry: None
    on_done: Callable[[JobOutcome], None] = lambda outcome: None
    progress: Progress | None = None


@dataclass(frozen=True)
class SweepReport:
    """What a sweep run did: done before, measured now, failed now, failed before and not retried, the panel."""

    out_dir: str
    corpus: str
    executor: str
    models: int
    already_done: tuple[str, ...]
    measured: tuple[JobOutcome, ...]
    failed: tuple[JobOutcome, ...]
    skipped_failed: dict[str, str]
    panel: PanelSummary
    elapsed_s: float = 0.0
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {
            "out_dir": self.out_dir,
            "corpus": self.corpus,
            "executor": self.executor,
            "models": self.models,
            "already_done": list(self.already_done),
            "measured": [o.to_dict() for o in self.measured],
            "failed": [o.to_dict() for o in self.failed],
            "skipped_failed": dict(self.skipped_failed),
            "panel": self.panel.to_dict(),
            "elapsed_s": self.elapsed_s,
            "notes": list(self.notes),
        }


class _Failures:
    """DIR/failures.json: ``{"schema": ..., "failures": {"<name>.<corpus>": {model, line, reason, at}}}``."""

    def __init__(self, out_dir: Path) -> None:
        self.path = out_dir / FAILURES_FILE
        self.lock = threading.Lock()
        self.records: dict[str, dict[str, Any]] = {}
        if exists(self.path):
            text = read_text_file(self.path, "failures file", 16 * 1024 * 1024, f"delete {self.path} to start afresh")
            try:
                data = json.loads(text)
            except json.JSONDecodeError:
                data = None
            if not isinstance(data, dict) or not isinstance(data.get("failures"), dict):
                raise ConfigError(f"'{self.path}' is not a sweep failures file", "delete it to retry every model")
            self.records = data["failures"]

    def record(self, outcome: JobOutcome, corpus: str) -> None:
        key = f"{outcome.name}.{corpus}"
        with self.lock:
            if outcome.ok:
                if self.records.pop(key, None) is None:
                    return
            else:
                at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
                self.records[key] = {"model": outcome.model, "line": outcome.line, "reason": outcome.reason, "at": at}
            text = json.dumps({"schema": FAILURES_SCHEMA, "failures": self.records}, indent=1, ensure_ascii=False)
            write_atomic(self.path, text + "\n")


def _is_done(path: Path) -> bool:
    """A result that reads back as a diagnosis (an unreadable one is measured again)."""
    from tafagent.adapters.measure.results import load_diagnosis

    if not exists(path):
        return False
    try:
        load_diagnosis(path)
    except TafError:
        return False
    return True


def _prepare_out_dir(out_dir: Path) -> None:
    if exists(out_dir) and not is_directory(out_dir):
        raise UsageError(
            f"--out '{out_dir}' is a file, not a folder", "give a folder for the results, e.g. --out sweep/"
        )
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(
            f"cannot create --out '{out_dir}': {error.strerror or error}", "give a writable folder"
        ) from None


def _plan(
    entries: tuple[ModelEntry, ...], out_dir: Path, corpus: str, failures: _Failures, retry_failed: bool
) -> tuple[list[ModelEntry], list[ModelEntry], dict[str, str]]:
    """(done, to do, failed before and skipped → reason), in the models file's order."""
    done, todo, skipped = [], [], {}
    for entry in entries:
        record = failures.records.get(f"{entry.name}.{corpus}")
        if _is_done(result_path(out_dir, entry.name, corpus)):
            done.append(entry)
        elif record is not None and not retry_failed:
            skipped[entry.name] = str(record.get("reason", ""))
        else:
            todo.append(entry)
    return done, todo, skipped


def sweep(
    models_file: Path,
    out_dir: Path,
    options: DiagnoseOptions | None = None,
    *,
    ray: str | None = None,
    retry_failed: bool = False,
    listener: SweepListener | None = None,
    gpus: list[str] | None = None,
) -> SweepReport:
    """Measure the models of ``models_file`` into ``out_dir`` (see the module docstring), then write the panel."""
    options = options or DiagnoseOptions()
    options.validate()
    listener = listener or SweepListener()
    entries = read_models(models_file)
    _prepare_out_dir(out_dir)
    if ray is not None:
        from tafagent.adapters.sweep.ray_exec import require_ray

        require_ray()  # before any work: a missing extra is one line, not a failure per model
    failures = _Failures(out_dir)
    started = time.perf_counter()
    done, todo, skipped = _plan(entries, out_dir, options.corpus, failures, retry_failed)
    listener.on_plan(len(todo))
    finished: list[JobOutcome] = []

    def on_done(outcome: JobOutcome) -> None:
        if outcome.reason != INTERRUPTED:
            failures.record(outcome, options.corpus)
        finished.append(outcome)
        listener.on_done(outcome)

    executor = "nothing to measure"
    try:
        if todo and ray is not None:
            from tafagent.adapters.sweep.ray_exec import run_ray

            executor = run_ray(todo, options, out_dir, ray, on_start=listener.on_start, on_done=on_done)
        elif todo:
            executor = run_local(
                todo,
                options,
                out_dir,
                on_start=listener.on_start,
                on_done=on_done,
                gpus=gpus,
                progress=listener.progress,
            )
    finally:  # an interrupted sweep still leaves a panel of what it measured
        panel = write_panel(entries, out_dir, source=str(models_file))
    notes = []
    if skipped:
        notes.append(f"{len(skipped)} model(s) failed before and were not retried (pass --retry-failed)")
    return SweepReport(
        out_dir=str(out_dir),
        corpus=options.corpus,
        executor=executor,
        models=len(entries),
        already_done=tuple(e.name for e in done),
        measured=tuple(o for o in finished if o.ok),
        failed=tuple(o for o in finished if not o.ok),
        skipped_failed=skipped,
        panel=panel,
        elapsed_s=round(time.perf_counter() - started, 3),
        notes=tuple(notes),
    )
