"""``taf sweep MODELS.txt --out DIR``: ``taf diagnose`` over many models, resumable, on local GPUs or Ray."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from tafagent.cli.cmd_diagnose import distance_list, seed_list
from tafagent.cli.common import prompt_count
from tafagent.cli.output import console, emit_json, plain, write_stderr
from tafagent.core.decay.protocol import PROTOCOLS, REFERENCE_SEEDS

DESCRIPTION = """Measure the attention decay γ of every model in MODELS.txt (one Hub id, preset or local model
directory per line; # starts a comment) with the same measurement as `taf diagnose`, and write:

  DIR/<name>.<corpus>.json   each model's result (the `taf diagnose --out` format), written atomically
  DIR/failures.json          the models that failed, with a one-line reason
  DIR/gamma_panel.json       the panel table (shipped panel schema) for `taf validate --panel DIR`

Rerunning skips the models already done; failed models are retried only with --retry-failed.
Locally, one model runs per GPU in parallel (CUDA_VISIBLE_DEVICES), or one at a time on CPU; with
--ray each model is one Ray task (extra [sweep])."""


def register(subparsers: Any, parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "sweep",
        parents=[parent],
        help="diagnose many models, resumable, on local GPUs or a Ray cluster",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("models", type=Path, metavar="MODELS.txt", help="one model per line")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder of the results and the panel")
    parser.add_argument(
        "--corpus", choices=("both", "random", "text"), default="both", help="corpora to measure (default both)"
    )
    parser.add_argument("--fast", action="store_true", help="the reference's fast mode: 10/50/200/1000, 30 prompts")
    parser.add_argument("--protocol", choices=PROTOCOLS, default="fast", help="fast (default) or reference (v0.5.3)")
    parser.add_argument("--distances", type=distance_list, metavar="LIST", help="e.g. 10,50,200,1000")
    parser.add_argument("--prompts", type=prompt_count, metavar="N", help="prompts per seed (default 80, --fast 30)")
    parser.add_argument("--seeds", type=seed_list, default=REFERENCE_SEEDS, metavar="LIST", help="default 42,123,7")
    parser.add_argument(
        "--ray", metavar="auto|ADDRESS", help="run on Ray: auto (a cluster found, else a local instance) or an address"
    )
    parser.add_argument("--retry-failed", action="store_true", help="measure again the models that failed before")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from tafagent.adapters.measure.runner import DiagnoseOptions
    from tafagent.adapters.sweep import sweep

    options = DiagnoseOptions(
        protocol=args.protocol,
        corpus=args.corpus,
        distances=args.distances,
        fast_mode=args.fast,
        n_prompts=args.prompts,
        seeds=tuple(args.seeds),
    )
    ray = args.ray.strip() if args.ray is not None else None
    if ray == "":
        from tafagent.core.errors import UsageError

        raise UsageError("--ray needs a value", "use --ray auto or --ray HOST:6379")
    show_bar = not args.json and sys.stderr.isatty()
    with _SweepBar(show_bar) as bar:
        report = sweep(args.models, args.out, options, ray=ray, retry_failed=args.retry_failed, listener=bar.listener())
    if args.json:
        emit_json(report.to_dict())
    else:
        render_report(console(), report)
    if report.failed:
        write_stderr(f"taf: {len(report.failed)} model(s) failed; see {Path(report.out_dir) / 'failures.json'}\n")
        return 1
    return 0


class _SweepBar:
    """A rich progress bar on stderr (models done / total, the current model), or nothing."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._progress: Any = None
        self._task: Any = None
        self._running: list[str] = []

    def __enter__(self) -> _SweepBar:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._progress.__enter__()
            self._task = self._progress.add_task("sweep", total=None)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.__exit__(*exc)

    def listener(self) -> Any:
        from tafagent.adapters.sweep import SweepListener

        if self._progress is None:
            return SweepListener()
        return SweepListener(on_plan=self._plan, on_start=self._start, on_done=self._done)

    def _describe(self) -> None:
        shown = self._running[0] if self._running else "done"
        more = f" (+{len(self._running) - 1} running)" if len(self._running) > 1 else ""
        self._progress.update(self._task, description=plain(f"measuring {shown}{more}"))

    def _plan(self, total: int) -> None:
        self._progress.update(self._task, total=total, completed=0)

    def _start(self, entry: Any) -> None:
        self._running.append(entry.name)
        self._describe()

    def _done(self, outcome: Any) -> None:
        if outcome.name in self._running:
            self._running.remove(outcome.name)
        self._progress.advance(self._task)
        self._describe()


def render_report(out: Any, report: Any) -> None:
    """What ran, what was skipped, what failed, and where the panel is."""
    from rich.table import Table

    out.print(
        plain(
            f"taf sweep: {report.models} model(s), corpus {report.corpus}; {len(report.already_done)} already done, "
            f"{len(report.measured)} measured, {len(report.failed)} failed ({report.executor}; {report.elapsed_s} s)"
        )
    )
    if report.measured or report.failed:
        table = Table(title="This run", title_justify="left")
        for column in ("model", "status", "γ", "seconds", "reason"):
            table.add_column(column, overflow="fold")
        for o in (*report.measured, *report.failed):
            gamma = "—" if o.gamma is None else f"{o.gamma:.4f}"
            table.add_row(plain(o.model), o.status or "[red]failed[/red]", gamma, f"{o.elapsed_s:.1f}", plain(o.reason))
        out.print(table)
    for name, reason in report.skipped_failed.items():
        out.print(plain(f"skipped (failed before; --retry-failed to retry): {name}: {reason}"))
    for note in (*report.notes, *report.panel.notes):
        out.print(f"[dim]note:[/dim] {plain(note)}")
    out.print(
        plain(
            f"Panel: {report.panel.path} ({report.panel.rows} γ rows, {report.panel.models} models); "
            f"test the laws on it with `taf validate --panel {report.out_dir}`"
        )
    )
