"""Ray execution (``taf sweep --ray auto|ADDRESS``): one remote task per model, results gathered into DIR.

``auto`` joins the cluster that ``ray.init(address="auto")`` finds (``RAY_ADDRESS`` or a ``ray start`` on this
machine) and otherwise starts a local instance; any other value is a cluster address (``ray://host:10001`` or
``host:6379``). Each task asks for one GPU when the cluster has GPUs (Ray then pins it through
``CUDA_VISIBLE_DEVICES``), else one CPU. A task returns the result's JSON text and the driver writes it into
DIR, so the workers need tafagent and the model, not the driver's disk. Plain ``ray`` is enough (extra
``[sweep]``); the dashboard packages of ``ray[default]`` are not needed.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from tafagent.adapters.measure.runner import DiagnoseOptions
from tafagent.adapters.sweep.job import JobOutcome, measure, result_path, write_atomic
from tafagent.adapters.sweep.models_list import ModelEntry
from tafagent.core.errors import DependencyError, UsageError
from tafagent.core.messages import Msg

__all__ = ["SWEEP_HINT", "connect", "require_ray", "run_ray"]

SWEEP_HINT = "pip install 'tafagent[sweep]'"
CONNECT_TIMEOUT_S = 10.0


def require_ray() -> ModuleType:
    """``ray``, or a DependencyError naming the ``[sweep]`` extra."""
    try:
        import ray
    except ImportError:
        error = DependencyError("`taf sweep --ray` needs Ray (ray is not installed)", SWEEP_HINT)
        raise error.in_words(Msg("cli.error.needs_ray")) from None
    return ray


def connect(ray: Any, address: str) -> tuple[str, bool]:
    """Join or start Ray; (how, in words; whether this call started it and must shut it down)."""
    if ray.is_initialized():
        return "the Ray instance already running in this process", False
    quiet = {"logging_level": logging.WARNING, "log_to_driver": False}
    if address == "auto":
        try:
            ray.init(address="auto", **quiet)
            return "the Ray cluster found (address auto)", True
        except ConnectionError:
            ray.init(include_dashboard=False, **quiet)
            return "a local Ray instance (no cluster found)", True
    _check_reachable(address)
    try:
        ray.init(address=address, **quiet)
    except Exception as error:  # Ray raises many kinds here; the user needs one line
        first = (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
        raise UsageError(
            f"cannot reach the Ray cluster at '{address}': {first}",
            "check the address (ray://HOST:10001 or HOST:6379), or use --ray auto",
        ) from None
    return f"the Ray cluster at {address}", True


def _check_reachable(address: str) -> None:
    """Fail fast on an address nothing answers at: ``ray.init`` itself retries for minutes."""
    hint = "check the address (ray://HOST:10001 or HOST:6379), or use --ray auto"
    host, _, port_text = address.removeprefix("ray://").rpartition(":")
    if not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise UsageError(f"--ray '{address}' is not auto or HOST:PORT", hint)
    try:
        socket.create_connection((host.strip("[]"), int(port_text)), timeout=CONNECT_TIMEOUT_S).close()
    except OSError as error:
        raise UsageError(f"cannot reach the Ray cluster at '{address}': {error.strerror or error}", hint) from None


def _task(entry: ModelEntry, options: DiagnoseOptions) -> tuple[dict[str, Any], str | None]:
    """The remote task: measure one model on the worker; the outcome and the result text travel back."""
    outcome, text = measure(entry, options)
    return outcome.to_dict(), text


def _failure(entry: ModelEntry, error: BaseException) -> JobOutcome:
    first = (str(error).strip().splitlines() or [type(error).__name__])[0][:300]
    return JobOutcome(entry.name, entry.ref, entry.line, False, f"Ray task failed: {first}")


def run_ray(
    entries: Sequence[ModelEntry],
    options: DiagnoseOptions,
    out_dir: Path,
    address: str,
    *,
    on_start: Callable[[ModelEntry], None],
    on_done: Callable[[JobOutcome], None],
) -> str:
    """Submit every entry as a Ray task and store each result as it arrives; returns how it ran, in words."""
    ray = require_ray()
    how, started = connect(ray, address)
    try:
        has_gpu = float(ray.cluster_resources().get("GPU", 0)) > 0
        remote = ray.remote(_task).options(num_gpus=1) if has_gpu else ray.remote(_task).options(num_cpus=1)
        pending: dict[Any, ModelEntry] = {}
        for entry in entries:
            pending[remote.remote(entry, options)] = entry
            on_start(entry)
        try:
            while pending:
                ready, _ = ray.wait(list(pending), num_returns=1)
                for ref in ready:
                    on_done(_collect(ray, ref, pending.pop(ref), options, out_dir))
        except KeyboardInterrupt:
            for ref in pending:
                ray.cancel(ref, force=True)
            raise
    finally:
        if started:
            ray.shutdown()
    return f"{how}, one task per model ({'1 GPU' if has_gpu else '1 CPU'} each)"


def _collect(ray: Any, ref: Any, entry: ModelEntry, options: DiagnoseOptions, out_dir: Path) -> JobOutcome:
    try:
        data, text = ray.get(ref)
    except Exception as error:  # a worker that died or a task error: that model's failure
        return _failure(entry, error)
    outcome = JobOutcome.from_dict(data)
    if text is not None:
        write_atomic(result_path(out_dir, entry.name, options.corpus), text)
    return outcome
