"""``taf validate``: every prediction of the engine against the shipped reference measurements."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tafagent.cli.common import output_language
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

    lang = output_language(args) or "en"
    panel = None
    if args.panel is not None:
        from tafagent.adapters.sweep.panel_table import read_panel

        panel = read_panel(args.panel)  # one-line errors for a missing folder or an invalid file
    if args.law is not None:  # `--law ""` is an unknown key, not the whole report
        law = law_report(args.law, panel)  # UsageError with suggestions for an unknown key
        if args.json:
            emit_json(law.to_dict() | ({"localized": law_texts(law, lang)} if lang != "en" else {}))
            return 0
        out = console()
        render_law(out, law, failures=None, lang=lang)
        return 0
    report = validate(panel)
    if args.json:
        localized = {"laws": {law.key: law_texts(law, lang) for law in report.laws}} if lang != "en" else {}
        emit_json(report.to_dict() | ({"localized": localized} if localized else {}))
        return 0
    render_report(console(), report, lang)
    return 0


def law_texts(law: LawReport, lang: str) -> dict[str, Any]:
    """A law's texts in ``lang`` (the JSON's "localized"): title, headline, and each comparison's title, hit
    rule and summary. Notes and case details stay English (see the README's language section)."""
    from tafagent.core.validation.comparison import validation_text

    return {
        "title": validation_text(law.title, lang),
        "headline": law.headline_msg.text(lang) if law.headline_msg is not None else law.headline,
        "comparisons": {
            c.key: {
                "title": validation_text(c.title, lang),
                "hit_rule": validation_text(c.hit_rule, lang),
                "summary": c.summary_text(lang),
            }
            for c in law.comparisons
        },
    }


def _num(value: float | None, spec: str = ".2f", lang: str = "en") -> str:
    from tafagent.core.render.format import localise_number

    return "—" if value is None else localise_number(format(value, spec), lang)


def _hits(c: Comparison, lang: str = "en") -> str:
    from tafagent.core.messages import tr

    if not c.n:
        return "—"
    return tr("laws.validate.hits", lang, hits=c.hits, n=c.n, pct=round(100 * (c.hit_rate or 0)))


def _support(text: str, lang: str = "en") -> str:
    from tafagent.core.messages import catalog

    return f"[{SUPPORT_STYLE.get(text, 'white')}]{plain(catalog(lang).get(f'card.support.{text}', text))}[/]"


def _label(label: str, lang: str) -> str:
    from tafagent.core.messages import catalog

    return catalog(lang).get(f"card.evidence.{label}", label)


def _word(kind: str, code: str, lang: str) -> str:
    """A dashboard status word in ``lang`` (``laws.validate.<kind>.<code>``; the code itself where none)."""
    from tafagent.core.messages import catalog

    key = f"laws.validate.{kind}.{code}"
    return catalog(lang).get(key) or catalog("en").get(key) or code


def _columns(table: Any, names: tuple[str, ...], lang: str, no_wrap: tuple[str, ...] = ()) -> None:
    from tafagent.core.messages import tr

    for name in names:
        table.add_column(plain(tr(f"laws.validate.col.{name}", lang)), overflow="fold", no_wrap=name in no_wrap)


def render_report(out: Any, report: ValidationReport, lang: str = "en") -> None:
    from rich.table import Table

    from tafagent.core.messages import tr
    from tafagent.core.validation.comparison import validation_text

    counts = report.panel_counts
    which = "your_panel" if report.snapshot.startswith("taf sweep") else "reference_panel"
    tiers = tr("laws.validate.list_sep", lang).join(f"{k} {v}" for k, v in counts["tiers"].items())
    out.print(
        f"[bold]{plain(tr(f'laws.validate.{which}', lang))}[/bold] "
        + plain(
            tr(
                "laws.validate.panel_counts",
                lang,
                snapshot=report.snapshot,
                rows=counts["rows"],
                models=counts["models"],
                tiers=tiers,
                canonical_rows=counts["canonical_rows"],
                canonical_models=counts["canonical_models"],
            )
        )
    )
    table = Table(title=plain(tr("laws.validate.summary_title", lang)), title_justify="left", show_lines=False)
    names = ("law", "engine_label", "panel_says", "n", "mae", "r", "hits", "headline_comparison")
    _columns(table, names, lang, no_wrap=("law", "n", "mae", "r"))
    for row, law in zip(report.summary_rows(), report.laws, strict=True):
        r_text = _num(row["r"], lang=lang)
        if row["r"] is None and row["balanced_accuracy"] is not None:
            r_text = tr("laws.validate.balanced_short", lang, value=_num(row["balanced_accuracy"], lang=lang))
        table.add_row(
            law.key,
            plain(_label(row["evidence"], lang)),
            _support(row["support"], lang),
            str(row["n"]),
            _num(row["mae"], lang=lang),
            plain(r_text),
            plain(_hits(law.primary, lang)),
            plain(validation_text(row["comparison"], lang)),
        )
    out.print(table)
    for law in report.laws:
        render_law(out, law, lang=lang)
    render_refit(out, report, lang)
    render_constants(out, report, lang)
    render_dashboard(out, report, lang)


def render_law(out: Any, law: LawReport, failures: int | None = 3, lang: str = "en") -> None:
    """One law: headline, a table of its comparisons, then the worst failing cases of each."""
    from rich.table import Table

    from tafagent.core.messages import tr
    from tafagent.core.validation.comparison import validation_text

    headline = law.headline_msg.text(lang) if law.headline_msg is not None else law.headline
    label = _label(law.evidence.label.value, lang)
    head = tr(
        "laws.validate.law_head",
        lang,
        section=law.section,
        formula=validation_text(law.formula, lang),
        label="\x00",
        support="\x01",
    )
    head = plain(head).replace("\x00", f"[bold]{plain(label)}[/bold]").replace("\x01", _support(law.support, lang))
    out.print(f"\n[bold]{plain(validation_text(law.title, lang))}[/bold] {head}\n{plain(headline)}")
    table = Table(show_header=True, title_justify="left")
    names = ("comparison", "n", "mae", "r", "rho", "hits", "worst_failures")
    _columns(table, names, lang, no_wrap=("n", "mae", "r", "rho"))
    for c in law.comparisons:
        worst = c.failures(failures)
        shown = "; ".join(f"{f.model}: {_value(f.predicted, lang)} → {_value(f.observed, lang)}" for f in worst)
        more = len(c.failures(None)) - len(worst)
        if more > 0:
            shown += " " + tr("laws.validate.more", lang, n=more)
        r_text = _num(c.pearson_r, lang=lang)
        if c.pearson_r is None and c.balanced_accuracy is not None:
            r_text = tr("laws.validate.balanced_tiny", lang, value=_num(c.balanced_accuracy, lang=lang))
        table.add_row(
            plain(validation_text(c.title, lang)),
            str(c.n),
            _num(c.mae, lang=lang),
            plain(r_text),
            _num(c.spearman_rho, lang=lang),
            plain(_hits(c, lang)),
            plain(shown or "—"),
        )
    out.print(table)
    if failures is None:  # the single-law view: every case and every note
        for c in law.comparisons:
            if c.failures(None):
                out.print(f"[bold]{plain(tr('laws.validate.failing_cases', lang, comparison=c.key))}[/bold]")
                for f in c.failures(None):
                    line = tr(
                        "laws.validate.failing_case",
                        lang,
                        model=f.model,
                        ref=f.ref,
                        predicted=_value(f.predicted, lang),
                        observed=_value(f.observed, lang),
                    )
                    out.print(plain("  " + line + (f" — {f.detail}" if f.detail else "")))
            for note in c.notes:
                out.print(plain("  " + tr("laws.validate.note", lang, comparison=c.key, note=note)))
        if law.fitted:
            out.print(plain(tr("laws.validate.rederived", lang, text=_fitted_text(law.fitted, lang))))
    for note in law.notes:
        out.print(f"  {plain(note)}")


def _value(value: Any, lang: str = "en") -> str:
    from tafagent.core.render.format import localise_number

    if isinstance(value, float):
        return localise_number(f"{value:.3f}" if abs(value) < 100 else f"{value:,.0f}", lang)
    return str(value)


def _fitted_text(fitted: dict[str, Any], lang: str = "en") -> str:
    """The re-derived values as 'key = value' pairs; a text value (how it was derived) in ``lang``."""
    from tafagent.core.validation.comparison import validation_text

    parts = []
    for key, value in fitted.items():
        if isinstance(value, float):
            parts.append(f"{key} = {value:.4g}")
        elif isinstance(value, dict):
            inner = ", ".join(
                f"{k} = {v:.4g}" if isinstance(v, float) else f"{k} = {validation_text(str(v), lang)}"
                for k, v in value.items()
            )
            parts.append(f"{key}: {{{inner}}}")
        elif isinstance(value, str):
            parts.append(f"{key} = {validation_text(value, lang)}")
        elif value is not None:
            parts.append(f"{key} = {value}")
    return "; ".join(parts)


def render_refit(out: Any, report: ValidationReport, lang: str = "en") -> None:
    from rich.table import Table

    from tafagent.core.messages import tr

    refit = report.refit
    table = Table(title=plain(tr("laws.validate.refit_title", lang, n=refit.n_rows)), title_justify="left")
    _columns(table, ("tier", "rows", "max_refit_diff", "rows_off"), lang)
    origin = {row["row_id"]: row["gamma_origin"] for row in refit.rows}
    for tier, info in refit.by_tier.items():
        off = ", ".join(f"{rid} ({origin[rid]})" for rid in info["rows_over_1e-6"]) or tr("laws.validate.none", lang)
        table.add_row(tier, str(info["n"]), f"{info['max_abs_diff']:.2e}", plain(off))
    out.print()
    out.print(table)
    if refit.window_mismatches:
        rows = ", ".join(refit.window_mismatches)
        out.print(plain(tr("laws.validate.window_mismatches", lang, rows=rows)))


def render_constants(out: Any, report: ValidationReport, lang: str = "en") -> None:
    from rich.table import Table

    from tafagent.core.messages import tr

    table = Table(title=plain(tr("laws.validate.constants_title", lang)), title_justify="left")
    _columns(table, ("constant", "reference", "data", "se", "n", "differs", "how"), lang)
    for c in report.constants:
        differs = "—"
        if c.differs is not None:
            word = tr("laws.validate.yes" if c.differs else "laws.validate.no", lang)
            differs = f"[red]{plain(word)}[/]" if c.differs else plain(word)
        table.add_row(
            c.name,
            _num(c.reference_value, ".4g", lang) + (f" (n = {c.reference_n})" if c.reference_n else ""),
            _num(c.data_value, ".4g", lang),
            _num(c.data_se, ".2g", lang),
            str(c.n),
            differs,
            plain(c.method),
        )
    out.print(table)


def render_dashboard(out: Any, report: ValidationReport, lang: str = "en") -> None:
    from rich.table import Table

    from tafagent.core.messages import tr

    dash = report.dashboard
    counts = tr("laws.validate.list_sep", lang).join(f"{v} {_word('count', k, lang)}" for k, v in dash.counts.items())
    table = Table(
        title=plain(tr("laws.validate.dashboard_title", lang, counts=counts, total=len(dash.claims))),
        title_justify="left",
        show_lines=True,
        expand=True,
    )
    table.add_column(plain(tr("laws.validate.col.id", lang)), no_wrap=True)
    table.add_column(plain(tr("laws.validate.col.claim", lang)), overflow="fold", ratio=3)
    table.add_column(plain(tr("laws.validate.col.reference", lang)), overflow="fold", width=12)
    table.add_column(plain(tr("laws.validate.col.now", lang)), no_wrap=True)
    table.add_column(plain(tr("laws.validate.col.n", lang)), no_wrap=True)
    table.add_column(plain(tr("laws.validate.col.evidence", lang)), overflow="fold", ratio=6)
    for c in dash.claims:
        table.add_row(
            c.id,
            plain(c.claim),
            plain(_word("reference", c.reference_status, lang)),
            f"{STATUS_ICON[c.status]} {plain(_word('status', c.status, lang))}",
            "—" if c.n is None else str(c.n),
            plain(c.evidence),
        )
    out.print(table)
