"""``taf diagnose MODEL``: measure a real model's attention decay γ (extra ``[diagnose]``)."""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path
from typing import Any

from tafagent.adapters.files import check_output_file
from tafagent.cli.common import (
    MAX_SEED,
    min_distance,
    number,
    prompt_count,
    query_count,
    shown,
    token_count,
    whole_number,
)
from tafagent.cli.output import console, emit_json, plain, write_stderr
from tafagent.core.decay.corpus_result import CorpusResult
from tafagent.core.decay.diagnosis import Diagnosis
from tafagent.core.decay.interpretation import gamma_band, kl_level
from tafagent.core.decay.protocol import PROTOCOLS, REFERENCE_SEEDS
from tafagent.core.spec.limits import MAX_POSITIONS, MAX_THETA, MIN_THETA

DESCRIPTION = """Measure the attention decay A(d) ∝ d^−γ of MODEL (a local directory or a Hub id) from real
forward passes, fit γ with a bootstrap CI, compare it with the uniform-attention null of the same
protocol and with γ_Padé, and derive the thermodynamic profile.

Protocols: `fast` (default) runs one SDPA forward per prompt at the longest length and computes only the
attention rows it needs; `reference` reproduces TAF v0.5.3 exactly (eager attention, one forward per
distance). On the same tokens both give the same numbers."""


_distance = whole_number(1, MAX_POSITIONS, "--distances 10,50,200,1000")
_seed = whole_number(0, MAX_SEED, "--seeds 42,123,7")


def _items(text: str) -> list[str]:
    """'10, 50,200' → ['10', '50', '200'] (commas and spaces separate)."""
    return [item for item in text.replace(" ", ",").split(",") if item]


def distance_list(text: str) -> tuple[int, ...]:
    """argparse type: '10,50,200,1k' → (10, 50, 200, 1000), each at most the core's MAX_POSITIONS."""
    values = [_distance(item) for item in _items(text)]
    if len(set(values)) < 2:
        raise argparse.ArgumentTypeError("give at least 2 distinct distances, e.g. 10,100,1000")
    return tuple(sorted(set(values)))


def seed_list(text: str) -> tuple[int, ...]:
    """argparse type: '42,123,7' → (42, 123, 7); each from 0 to 2^32 − 1 (numpy's seed range)."""
    seeds = []
    for item in _items(text):
        if not item.isascii() or not item.isdigit():
            raise argparse.ArgumentTypeError(f"seeds must be whole numbers >= 0, got {shown(item)} (e.g. 42,123,7)")
        seeds.append(_seed(item))
    if not seeds:
        raise argparse.ArgumentTypeError("give at least one seed")
    return tuple(seeds)


def theta_number(text: str) -> float:
    """argparse type: a RoPE θ within the bounds a config may have (a θ of 1e-300 made γ_Padé = −1)."""
    value = number(text)
    if not MIN_THETA <= value <= MAX_THETA:
        raise argparse.ArgumentTypeError(
            f"expected a number from {MIN_THETA:g} to {MAX_THETA:g}, got {shown(text)} (e.g. --theta 500000)"
        )
    return value


def register(subparsers: Any, parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "diagnose",
        parents=[parent],
        help="measure a model's attention decay γ (extra [diagnose])",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("model", metavar="MODEL", help="local model directory or Hub id (org/name)")
    parser.add_argument(
        "--fast", action="store_true", help="the reference's fast mode: distances 10/50/200/1000, 30 prompts"
    )
    parser.add_argument("--protocol", choices=PROTOCOLS, default="fast", help="fast (default) or reference (v0.5.3)")
    parser.add_argument(
        "--corpus", choices=("random", "text", "both"), default="random", help="random ids, natural text, or both"
    )
    parser.add_argument("--text", type=Path, metavar="FILE", help="UTF-8 text for --corpus text (default: pydoc)")
    parser.add_argument("--distances", type=distance_list, metavar="LIST", help="e.g. 10,50,200,1000 (d + 50 tokens)")
    parser.add_argument(
        "--prompts", type=prompt_count, metavar="N", help="prompts per seed (default 80, --fast 30; at most 100,000)"
    )
    parser.add_argument(
        "--seeds", type=seed_list, default=REFERENCE_SEEDS, metavar="LIST", help="default 42,123,7 (all averaged)"
    )
    parser.add_argument(
        "--curve-queries",
        type=query_count,
        default=1,
        metavar="K",
        help="query rows of the fast curve estimator (default 1, at most 10,000)",
    )
    parser.add_argument(
        "--fit-min-distance", type=min_distance, default=0, metavar="D", help="fit only d >= D (panel e4: 30)"
    )
    parser.add_argument(
        "--N", dest="N", type=token_count, help="context N of the thermodynamics (default: max d; at most 2^34)"
    )
    parser.add_argument(
        "--theta",
        type=theta_number,
        help="RoPE θ, from 1 to 1e13 (default: the model's config)",
    )
    parser.add_argument("--device", default="auto", help="auto (default), cpu, cuda, cuda:N or mps")
    parser.add_argument("--dtype", default="auto", help="auto (default), float32, bfloat16 or float16")
    parser.add_argument("--device-map", choices=("auto",), help="spread a large model over devices (accelerate)")
    parser.add_argument("--load-in-4bit", action="store_true", help="bitsandbytes 4-bit weights (CUDA only)")
    parser.add_argument("--trust-remote-code", action="store_true", help="run the model repository's own code")
    parser.add_argument("--revision", help="Hub revision (branch, tag or commit)")
    parser.add_argument(
        "--tokenizer", metavar="DIR_OR_ID", help="tokenizer for --corpus text when the model has none of its own"
    )
    parser.add_argument("--out", type=Path, metavar="FILE", help="write the JSON result (for taf profile --diagnosis)")
    parser.add_argument("--plot", type=Path, metavar="FILE", help="log-log plot of A(d): .png or .svg (extra [plot])")
    parser.add_argument(
        "--per-head",
        action="store_true",
        help="show the γ field: every head's γ in the report and a layers × heads panel in --plot",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from tafagent.adapters.measure.plot import check_plot_path, plot_diagnosis
    from tafagent.adapters.measure.results import save_diagnosis
    from tafagent.adapters.measure.runner import DiagnoseOptions, diagnose

    # every output is vetted before the model loads: a bad path must not cost the measurement
    if args.plot is not None:
        check_plot_path(args.plot)
        check_output_file(args.plot, "--plot", example="decay.png", create_parents=True)
    if args.out is not None:
        check_output_file(args.out, "--out", example="result.json", create_parents=True)
    options = DiagnoseOptions(
        protocol=args.protocol,
        corpus=args.corpus,
        text_path=args.text,
        distances=args.distances,
        fast_mode=args.fast,
        n_prompts=args.prompts,
        seeds=tuple(args.seeds),
        curve_queries=args.curve_queries,
        fit_min_distance=args.fit_min_distance,
        N=args.N,
        theta=args.theta,
        device=args.device,
        dtype=args.dtype,
        device_map=args.device_map,
        load_in_4bit=args.load_in_4bit,
        trust_remote_code=args.trust_remote_code,
        revision=args.revision,
        tokenizer=args.tokenizer,
    )
    with _ProgressBar(args.model, enabled=not args.json) as progress:
        diagnosis = diagnose(args.model, options, progress=progress)
    if args.out is not None:
        save_diagnosis(diagnosis, args.out)
    if args.plot is not None and diagnosis.results:
        plot_diagnosis(diagnosis, args.plot, per_head=args.per_head)
    if args.json:
        emit_json(diagnosis.to_dict())
    else:
        render_diagnosis(console(), diagnosis, per_head=args.per_head)
        if args.out is not None:
            saved = plain(args.out)
            console().print(f"Saved: {saved}  (use it with `taf profile MODEL --diagnosis {saved}`)")
    if diagnosis.status == "partial":
        write_stderr("taf: interrupted — the results above are partial (see notes)\n")
        return 130
    return 0


class _ProgressBar:
    """A rich progress bar for one model on stderr when stderr is a terminal and ``enabled`` (not under
    ``--json``); otherwise silent (the context value is then None: no callback)."""

    def __init__(self, model: str, *, enabled: bool = True) -> None:
        self._model = model
        self._enabled = enabled
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> Any:
        if not self._enabled or not sys.stderr.isatty():
            return None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._progress.__enter__()
        self._task = self._progress.add_task(plain(self._model), total=None)
        return self.update

    def update(self, done: int, total: int, description: str) -> None:
        label = plain(f"{self._model}: {description}")
        self._progress.update(self._task, completed=done, total=total, description=label)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.__exit__(*exc)


def _fmt(value: Any, digits: int = 4) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def render_diagnosis(out: Any, diagnosis: Diagnosis, *, per_head: bool = False) -> None:
    """The human report (spec §5.8, plus CI, null, per-layer γ and environment); ``per_head`` adds the
    γ field (every head's γ)."""
    from rich.panel import Panel

    header = _header(diagnosis)
    if diagnosis.status == "no_attention":
        body = f"{header}\n[yellow]{plain(diagnosis.message)}[/yellow]"
        out.print(Panel(body, title="taf diagnose", title_align="left"))
        return
    out.print(Panel(header, title="taf diagnose", title_align="left"))
    out.print(_curve_table(diagnosis))
    out.print(_fit_table(diagnosis))
    headline = _headline(diagnosis)
    if headline:
        out.print("\n".join(headline))
    thermo = diagnosis.thermodynamics()
    if thermo is not None:
        out.print(_thermodynamics_table(thermo))
    primary = diagnosis.primary
    if primary is not None and primary.per_layer_gamma:
        out.print(_per_layer_table(primary))
        if per_head and primary.per_head_gamma:
            out.print(_per_head_table(primary))
    for note in diagnosis.notes:
        out.print(f"[dim]note:[/dim] {plain(note)}")
    env = diagnosis.env
    out.print(
        "[dim]"
        + plain(
            f"seeds {env.get('seeds')}, {env.get('n_prompts_per_seed')} prompts per seed, "
            f"torch {env.get('torch')}, transformers {env.get('transformers')}, {env.get('elapsed_s')} s"
        )
        + "[/dim]"
    )


def _header(diagnosis: Diagnosis) -> str:
    env = diagnosis.env
    theta = _fmt(diagnosis.theta, 0) if diagnosis.theta is not None else "none (no RoPE)"
    return f"[bold]{plain(diagnosis.model)}[/bold] — " + plain(
        f"protocol {diagnosis.protocol}, corpus {diagnosis.corpus}, θ = {theta}, "
        f"device {env.get('device', '?')}, dtype {env.get('dtype', '?')}"
    )


def _curve_table(diagnosis: Diagnosis) -> Any:
    """A(d) per corpus, with the primary corpus's uniform null alongside."""
    from rich.table import Table

    curve = Table(title="Mean attention A(d) (key at 49, query at d + 49)", title_justify="left")
    curve.add_column("d", justify="right")
    for corpus in diagnosis.results:
        curve.add_column(plain(f"A(d) {corpus}"), justify="right")
    curve.add_column("uniform null", justify="right")
    distances = sorted({d for r in diagnosis.results.values() for d in r.distances})
    primary = diagnosis.primary
    for d in distances:
        row = [str(d)]
        for result in diagnosis.results.values():
            value = result.attn_by_distance.get(d)
            row.append("—" if value is None else f"{value:.6f}")
        null_value = None if primary is None else primary.null.attn_by_distance.get(d)
        row.append("—" if null_value is None else f"{null_value:.6f}")
        curve.add_row(*row)
    return curve


def _fit_table(diagnosis: Diagnosis) -> Any:
    """One row per corpus: γ, its CI and R², the null, KL grammar and the curve estimator's γ."""
    from rich.table import Table

    fits = Table(title="Power-law fit", title_justify="left")
    for column in ("corpus", "γ", "95% CI", "R²", "γ_null (uniform)", "γ − γ_null", "KL grammar", "curve γ"):
        fits.add_column(column)
    for corpus, result in diagnosis.results.items():
        ci = "—" if result.gamma_ci95 is None else f"[{result.gamma_ci95[0]:.4f}, {result.gamma_ci95[1]:.4f}]"
        kl = "—" if result.kl_grammar is None else f"{result.kl_grammar:.4f} {kl_level(result.kl_grammar)}"
        fits.add_row(
            plain(corpus),
            _fmt(result.gamma),
            ci,
            _fmt(None if result.fit is None else result.fit.R2),
            _fmt(result.null.gamma),
            _fmt(result.gamma_minus_null),
            kl,
            _fmt(None if result.curve is None else result.curve.gamma),
        )
    return fits


def _headline(diagnosis: Diagnosis) -> list[str]:
    """The headline γ with its band, the null warning, Δγ text − random and γ − γ_Padé; empty without γ."""
    gamma, primary = diagnosis.gamma, diagnosis.primary
    if gamma is None or primary is None:
        return []
    lines = [plain(f"γ = {gamma:.4f} ({primary.corpus}) — {gamma_band(gamma)}")]
    if primary.distinguishable_from_uniform is False:
        lines.append(
            "[yellow]The uniform-attention null lies inside the 95% CI: this γ shows no positional structure "
            "beyond what the protocol itself produces.[/yellow]"
        )
    if diagnosis.delta_gamma_text_random is not None:
        lines.append(f"Δγ = γ_text − γ_random = {diagnosis.delta_gamma_text_random:+.4f}")
    if diagnosis.gamma_pade is not None:
        lines.append(
            f"γ_Padé(θ, T = {diagnosis.T_pade}) = {diagnosis.gamma_pade:.4f}; Δγ = γ − γ_Padé = "
            f"{diagnosis.delta_gamma:+.4f}"
        )
    return lines


def _thermodynamics_table(thermo: dict[str, Any]) -> Any:
    from rich.table import Table

    table = Table(title=f"Thermodynamic profile (N = {thermo['N']:,}, exact discrete sums)", title_justify="left")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    for key in ("phase", "T_attn", "Z", "U", "S", "F", "Cv", "chi", "xi", "D90", "D90_frac", "delta_H_90"):
        table.add_row(key, plain(_fmt(thermo[key])))
    if thermo["theta_eff_pade"] is not None:
        table.add_row("theta_eff_pade", _fmt(thermo["theta_eff_pade"], 1))
    return table


def _per_layer_table(primary: CorpusResult) -> Any:
    """Per-layer γ with the spread of its heads' γ (min / median / max)."""
    from rich.table import Table

    layers = Table(title=plain(f"Per-layer γ ({primary.corpus})"), title_justify="left")
    layers.add_column("layer", justify="right")
    layers.add_column("γ", justify="right")
    layers.add_column("per-head γ (min / median / max)")
    for layer, layer_gamma in primary.per_layer_gamma.items():
        heads = sorted(g for g in primary.per_head_gamma.get(layer, ()) if g is not None)
        spread = "—" if not heads else f"{heads[0]:.3f} / {statistics.median(heads):.3f} / {heads[-1]:.3f}"
        layers.add_row(str(layer), _fmt(layer_gamma), spread)
    return layers


def _per_head_table(primary: CorpusResult) -> Any:
    """The γ field: one row per layer, one column per head."""
    from rich.table import Table

    width = max(len(heads) for heads in primary.per_head_gamma.values())
    table = Table(title=plain(f"γ field: per-head γ ({primary.corpus})"), title_justify="left")
    table.add_column("layer", justify="right")
    for head in range(width):
        table.add_column(f"h{head}", justify="right")
    for layer, heads in primary.per_head_gamma.items():
        cells = [_fmt(g, 3) for g in heads] + ["—"] * (width - len(heads))
        table.add_row(str(layer), *cells)
    return table
