"""Local execution: one model per GPU in parallel on this machine, or one at a time on CPU.

With CUDA devices (``torch.cuda.device_count()``) each model runs in its own worker process
(``python -m tafagent.adapters.sweep.worker``) pinned to one GPU with ``CUDA_VISIBLE_DEVICES``, so models never
share a device and a crash or an out-of-memory error ends one worker, not the sweep. Without a GPU the models
run one after another in this process (two CPU measurements at once would only share the same cores).
"""

from __future__ import annotations

import dataclasses
import json
import os
import queue
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tafagent.adapters.measure.protocols import Progress
from tafagent.adapters.measure.runner import DiagnoseOptions
from tafagent.adapters.sweep.job import JobOutcome, options_to_dict, run_job
from tafagent.adapters.sweep.models_list import ModelEntry

__all__ = ["INTERRUPTED", "cuda_device_count", "run_local"]

INTERRUPTED = "interrupted"
OnStart = Callable[[ModelEntry], None]
OnDone = Callable[[JobOutcome], None]


def cuda_device_count() -> int:
    """How many CUDA devices torch sees here (0 without torch or without CUDA)."""
    try:
        import torch
    except ImportError:
        return 0
    try:
        return int(torch.cuda.device_count()) if torch.cuda.is_available() else 0
    except RuntimeError:  # a broken driver: measure on CPU rather than fail
        return 0


def run_local(
    entries: Sequence[ModelEntry],
    options: DiagnoseOptions,
    out_dir: Path,
    *,
    on_start: OnStart,
    on_done: OnDone,
    gpus: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> str:
    """Run every entry; returns a one-line description of how (``on GPUs 0, 1`` / ``one at a time on CPU``).

    ``gpus``: the CUDA device ids to pin workers to (default: all that torch sees). An empty list runs in
    process; a list of ids runs one worker process per id (tests pass ``[""]`` to run one CPU worker).
    """
    devices = list(gpus) if gpus is not None else [str(i) for i in range(cuda_device_count())]
    if not devices:
        for entry in entries:
            on_start(entry)
            on_done(run_job(entry, options, out_dir, progress=progress))
        return "one model at a time on CPU (no CUDA device)"
    free: queue.Queue[str] = queue.Queue()
    for device in devices:
        free.put(device)

    def work(entry: ModelEntry) -> None:
        device = free.get()
        try:
            on_start(entry)
            on_done(_run_worker(entry, options, out_dir, device))
        finally:
            free.put(device)

    with ThreadPoolExecutor(max_workers=len(devices), thread_name_prefix="taf-sweep") as pool:
        for future in [pool.submit(work, entry) for entry in entries]:
            future.result()  # re-raises a worker thread's unexpected error here
    return f"one model per GPU on GPU(s) {', '.join(d or 'none' for d in devices)} (CUDA_VISIBLE_DEVICES)"


def _run_worker(entry: ModelEntry, options: DiagnoseOptions, out_dir: Path, device: str) -> JobOutcome:
    """One model in a worker process that sees only CUDA device ``device``."""
    with tempfile.TemporaryDirectory(prefix="taf-sweep-") as folder:
        job_file, outcome_file = Path(folder) / "job.json", Path(folder) / "outcome.json"
        job = {"entry": dataclasses.asdict(entry), "options": options_to_dict(options), "out_dir": str(out_dir)}
        job_file.write_text(json.dumps(job), encoding="utf-8")
        env = dict(os.environ, CUDA_VISIBLE_DEVICES=device)
        command = [sys.executable, "-m", "tafagent.adapters.sweep.worker", str(job_file), str(outcome_file)]
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if outcome_file.exists():
            return JobOutcome.from_dict(json.loads(outcome_file.read_text(encoding="utf-8")))
    if done.returncode in (130, -2):  # Ctrl-C reached the worker too
        return JobOutcome(entry.name, entry.ref, entry.line, False, INTERRUPTED)
    last = (done.stderr.strip().splitlines() or [""])[-1][:300]
    reason = f"worker process exited with code {done.returncode}" + (f": {last}" if last else "")
    return JobOutcome(entry.name, entry.ref, entry.line, False, reason)
