"""``taf validate``: every prediction of the engine against the shipped reference measurements."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tafagent.cli.output import console, emit_json, plain

if TYPE_CHECKING:  # core.validation (and the panel behind it) loads when `taf validate` runs, not at start-up
    from tafagent.core.validation import Comparison, LawReport, ValidationReport

# The keys of core.validation.LAW_KEYS, for --help without importing the validation at start-up
# (tests/core/test_validation.py checks that the two agree).
HELP_LAW_KEYS = (
    "pade",
    "decomposition_v1",
    "decomposition_v2",
    "delta_gqa",
    "delta_post_ih",
    "delta_swa",
    "delta_instruct",
    "delta_imprint",
    "imprint",
    "k_band",
    "ih_phase",
    "arch_concentration",
    "df_window",
    "niah_ceiling",
    "soft_decay",
    "speed",
    "x2_verdict",
)

SUPPORT_STYLE = {
    "backs": "green",
    "contradicts": "red",
    "mixed": "yellow",
    "insufficient": "cyan",
    "untestable": "cyan",
}
STATUS_ICON = {"confirmed": "✅", "partial": "⚠", "refuted": "❌", "untestable-with-this-data": "⏳"}


def register(subparsers: Any, parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "validate",
        parents=[parent],
        help="how good are the predictions? every law against the shipped reference measurements",
        description="Test every predictive law of the engine (γ_Padé, the δ decompositions and each δ, the imprint "
        "law, the K band, the IH-phase rule, architectural concentration, the D_f window, X-2's NIAH ceiling, "
        "X-19's soft-decay regime) against the measurements packaged with tafagent: n, MAE, correlation, hit rate "
        "and the cases that fail, computed now from the data. Also refits the panel's power laws from the raw "
        "curves, recomputes the reference's hard-coded panel constants and regenerates the falsification "
        "dashboard.",
    )
    parser.add_argument(
        "--law",
        metavar="KEY",
        help="show one law in full (all comparisons and every failing case); keys: " + ", ".join(HELP_LAW_KEYS),
    )
    parser.add_argument(
        "--panel",
        type=Path,
        metavar="DIR",
        help="test the laws on your own measurements: a folder written by `taf sweep --out DIR` (or its "
        "gamma_panel.json) instead of the shipped panel",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from tafagent.core.validation import law_report, validate

    panel = None
    if args.panel is not None:
        from tafagent.adapters.sweep.panel_table import read_panel

        panel = read_panel(args.panel)  # one-line errors for a missing folder or an invalid file
    if args.law is not None:  # `--law ""` is an unknown key, not the whole report
        law = law_report(args.law, panel)  # UsageError with suggestions for an unknown key
        if args.json:
            emit_json(law.to_dict())
            return 0
        out = console()
        render_law(out, law, failures=None)
        return 0
    report = validate(panel)
    if args.json:
        emit_json(report.to_dict())
        return 0
    render_report(console(), report)
    return 0


def _num(value: float | None, spec: str = ".2f") -> str:
    return "—" if value is None else format(value, spec)


def _hits(c: Comparison) -> str:
    return "—" if not c.n else f"{c.hits}/{c.n} ({c.hit_rate:.0%})"


def _support(text: str) -> str:
    return f"[{SUPPORT_STYLE.get(text, 'white')}]{text}[/]"


def render_report(out: Any, report: ValidationReport) -> None:
    from rich.table import Table

    counts = report.panel_counts
    out.print(
        f"[bold]{'Your panel' if report.snapshot.startswith('taf sweep') else 'Reference panel'}[/bold] "
        f"{plain(report.snapshot)}: {counts['rows']} γ rows over {counts['models']} models "
        f"(tiers {', '.join(f'{k} {v}' for k, v in counts['tiers'].items())}); "
        f"{counts['canonical_rows']} canonical rows over {counts['canonical_models']} models."
    )
    table = Table(title="How good are the predictions?", title_justify="left", show_lines=False)
    for column in ("law", "engine label", "panel says", "n", "MAE", "r", "hits", "headline comparison"):
        table.add_column(column, overflow="fold", no_wrap=column in ("law", "n", "MAE", "r"))
    for row, law in zip(report.summary_rows(), report.laws, strict=True):
        r_text = _num(row["r"])
        if row["r"] is None and row["balanced_accuracy"] is not None:
            r_text = f"bal. acc. {row['balanced_accuracy']:.2f}"
        table.add_row(
            law.key,
            row["evidence"],
            _support(row["support"]),
            str(row["n"]),
            _num(row["mae"]),
            r_text,
            _hits(law.primary),
            row["comparison"],
        )
    out.print(table)
    for law in report.laws:
        render_law(out, law)
    render_refit(out, report)
    render_constants(out, report)
    render_dashboard(out, report)


def render_law(out: Any, law: LawReport, failures: int | None = 3) -> None:
    """One law: headline, a table of its comparisons, then the worst failing cases of each."""
    from rich.table import Table

    out.print(
        f"\n[bold]{law.title}[/bold] ({law.section}; {law.formula}) — engine label "
        f"[bold]{law.evidence.label.value}[/bold], panel {_support(law.support)}\n{law.headline}"
    )
    table = Table(show_header=True, title_justify="left")
    for column in ("comparison", "n", "MAE", "r", "ρ", "hits", "worst failures (model: predicted → observed)"):
        table.add_column(column, overflow="fold", no_wrap=column in ("n", "MAE", "r", "ρ"))
    for c in law.comparisons:
        worst = c.failures(failures)
        shown = "; ".join(f"{f.model}: {_value(f.predicted)} → {_value(f.observed)}" for f in worst)
        more = len(c.failures(None)) - len(worst)
        if more > 0:
            shown += f" (+{more} more)"
        r_text = _num(c.pearson_r)
        if c.pearson_r is None and c.balanced_accuracy is not None:
            r_text = f"bal {c.balanced_accuracy:.2f}"
        table.add_row(c.title, str(c.n), _num(c.mae), r_text, _num(c.spearman_rho), _hits(c), shown or "—")
    out.print(table)
    if failures is None:  # the single-law view: every case and every note
        for c in law.comparisons:
            if c.failures(None):
                out.print(f"[bold]{c.key}[/bold] failing cases:")
                for f in c.failures(None):
                    out.print(
                        f"  {f.model} ({f.ref}): predicted {_value(f.predicted)}, observed {_value(f.observed)}"
                        + (f" — {f.detail}" if f.detail else "")
                    )
            for note in c.notes:
                out.print(f"  note ({c.key}): {note}")
        if law.fitted:
            out.print(f"Re-derived from the data: {_fitted_text(law.fitted)}")
    for note in law.notes:
        out.print(f"  {note}")


def _value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def _fitted_text(fitted: dict[str, Any]) -> str:
    parts = []
    for key, value in fitted.items():
        if isinstance(value, float):
            parts.append(f"{key} = {value:.4g}")
        elif isinstance(value, dict):
            inner = ", ".join(f"{k} = {v:.4g}" if isinstance(v, float) else f"{k} = {v}" for k, v in value.items())
            parts.append(f"{key}: {{{inner}}}")
        elif value is not None:
            parts.append(f"{key} = {value}")
    return "; ".join(parts)


def render_refit(out: Any, report: ValidationReport) -> None:
    from rich.table import Table

    refit = report.refit
    table = Table(
        title=f"Power-law refits from the raw curves ({refit.n_rows} rows; the product's fitter "
        "core.decay.fit.fit_power_law: OLS of ln A on ln d over each row's fit window)",
        title_justify="left",
    )
    for column in ("tier", "rows", "max |γ_refit − γ_stored|", "rows off by > 1e-6"):
        table.add_column(column, overflow="fold")
    origin = {row["row_id"]: row["gamma_origin"] for row in refit.rows}
    for tier, info in refit.by_tier.items():
        off = ", ".join(f"{rid} ({origin[rid]})" for rid in info["rows_over_1e-6"]) or "none"
        table.add_row(tier, str(info["n"]), f"{info['max_abs_diff']:.2e}", off)
    out.print()
    out.print(table)
    if refit.window_mismatches:
        out.print("Rows whose fit points differ from fit_d_min ≤ d ≤ T_eval: " + ", ".join(refit.window_mismatches))


def render_constants(out: Any, report: ValidationReport) -> None:
    from rich.table import Table

    table = Table(title="Panel constants: reference (spec §2.1) vs recomputed from the data", title_justify="left")
    for column in ("constant", "reference", "data", "± SE", "n", "differs (> 2 SE)", "how"):
        table.add_column(column, overflow="fold")
    for c in report.constants:
        table.add_row(
            c.name,
            f"{c.reference_value:.4g}" + (f" (n = {c.reference_n})" if c.reference_n else ""),
            _num(c.data_value, ".4g"),
            _num(c.data_se, ".2g"),
            str(c.n),
            "—" if c.differs is None else ("[red]yes[/]" if c.differs else "no"),
            c.method,
        )
    out.print(table)


def render_dashboard(out: Any, report: ValidationReport) -> None:
    from rich.table import Table

    dash = report.dashboard
    counts = ", ".join(f"{v} {k}" for k, v in dash.counts.items())
    table = Table(
        title=f"Falsification dashboard (spec §7.12) from the packaged data: {counts}, {len(dash.claims)} total",
        title_justify="left",
        show_lines=True,
        expand=True,
    )
    table.add_column("id", no_wrap=True)
    table.add_column("claim", overflow="fold", ratio=3)
    table.add_column("reference", overflow="fold", width=12)
    table.add_column("now", no_wrap=True)
    table.add_column("n", no_wrap=True)
    table.add_column("evidence", overflow="fold", ratio=6)
    for c in dash.claims:
        table.add_row(
            c.id,
            c.claim,
            c.reference_status,
            f"{STATUS_ICON[c.status]} {c.status.removesuffix('-with-this-data')}",
            "—" if c.n is None else str(c.n),
            c.evidence,
        )
    out.print(table)
