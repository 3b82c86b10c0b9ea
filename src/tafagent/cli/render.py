"""Rich terminal rendering of recipe results, TAF Cards and comparisons.

Every string that is not this module's own markup goes through :func:`~tafagent.cli.output.plain`: model ids,
reasons and inputs can hold user text (a path, a ``--set`` value) that rich would otherwise parse as markup.
"""

from __future__ import annotations

from typing import Any

from tafagent.cli.output import plain
from tafagent.core.audit import RecipeResult
from tafagent.core.card import Card
from tafagent.core.compare import Comparison
from tafagent.core.render.report import (
    NONE_ACTIONS,
    TONE_EMOJI,
    fmt,
    key_number_rows,
    measured_lines,
    panel_text,
    step_result_text,
)

TONE_STYLE = {"good": "green", "caution": "yellow", "bad": "red", "info": "cyan"}


def _verdict(result: RecipeResult) -> str:
    return f"[{TONE_STYLE[result.tone]}]{TONE_EMOJI[result.tone]} {plain(result.verdict)}[/]"


def render_result(console: Any, result: RecipeResult) -> None:
    from rich.panel import Panel
    from rich.table import Table

    body = f"[bold]{_verdict(result)}[/bold]\n{plain(result.reason)}"
    if result.mitigation not in NONE_ACTIONS:
        body += f"\n[bold]Action:[/bold] {plain(result.mitigation)}"
    console.print(
        Panel(
            body,
            title=plain(f"{result.recipe_id} — {result.recipe_name}"),
            title_align="left",
            border_style=TONE_STYLE[result.tone],
        )
    )
    table = Table(title="Audit chain", title_justify="left", show_lines=False)
    for column in ("#", "§", "step", "formula", "result", "evidence", "reference panel", "meaning"):
        table.add_column(column, overflow="fold", no_wrap=column in ("#",))
    for s in result.chain:
        cells = (s.step, s.section, s.name, s.formula, step_result_text(s), s.evidence.label.value)
        table.add_row(*map(plain, cells), plain(panel_text(s.panel)), plain(s.interpretation))
    if result.chain:
        console.print(table)
    inputs = Table(title="Inputs", title_justify="left")
    inputs.add_column("parameter")
    inputs.add_column("value")
    inputs.add_column("from")
    for name, value in result.inputs.items():
        inputs.add_row(plain(name), plain(fmt(value)), plain(result.input_sources.get(name, "")))
    console.print(inputs)
    c = result.confidence
    checks = "; ".join(f"{x.name}: {x.status}" + (f" ({x.note})" if x.note else "") for x in c.checks)
    console.print(f"Confidence: [bold]{plain(c.band)}[/bold] ({c.score:.0%}) — {plain(checks)}")
    if result.caveats:
        console.print("Caveats: " + plain(", ".join(result.caveats)))


def render_card(console: Any, card: Card) -> None:
    from rich.panel import Panel
    from rich.table import Table

    spec = card.model
    theta = f"θ {fmt(spec.rope_theta)}" if spec.rope_theta is not None else "no RoPE"
    head = (
        f"[bold]{plain(card.architecture_class)}[/bold]\n{fmt(spec.n_params)} parameters · T_train "
        f"{fmt(spec.T_train)} · T_eval {fmt(card.T_eval)} · {plain(theta)} · {plain(spec.attention.upper())}"
        + (" + SWA" if spec.has_swa else "")
        + f"\n[bold]{plain(card.summary['line'])}[/bold]"
    )
    console.print(Panel(head, title=f"TAF Card — {plain(spec.model_id)}", title_align="left"))
    verdicts = Table(title="Verdicts", title_justify="left", show_lines=True)
    for column in ("recipe", "verdict", "reason", "action"):
        verdicts.add_column(column, overflow="fold")
    for rid, r in card.recipes.items():
        verdicts.add_row(
            plain(f"{rid}\n{r.recipe_name}"),
            f"{_verdict(r)}\nconfidence {plain(r.confidence.band)}",
            plain(r.reason),
            "" if r.mitigation in NONE_ACTIONS else plain(r.mitigation),
        )
    console.print(verdicts)
    numbers = Table(title="Key numbers", title_justify="left")
    for column in ("quantity", "value", "evidence", "reference panel"):
        numbers.add_column(column, overflow="fold")
    for label, value, evidence, panel in key_number_rows(card):
        numbers.add_row(plain(label), plain(value), plain(evidence), plain(panel_text(panel)))
    console.print(numbers)
    for line in measured_lines(card.measured):
        head, _, rest = line.partition(":")
        console.print(f"[bold]{plain(head)}:[/bold]{plain(rest)}")
    d = card.diagnostics
    if d.get("gamma_used") is None:
        console.print(f"Diagnostics: {plain(d.get('gamma_source'))}")
    else:
        inv = d["compute_invariant"]
        console.print(
            f"[bold]Diagnostics[/bold] (γ = {d['gamma_used']:.4f}, {plain(d['gamma_source'])}): "
            + plain(
                f"{d['hagedorn_safety'].get('label')} · {d['bimodal_phase_class']} · K = {inv['K']:.2f} "
                f"({inv['interpretation']})"
            )
        )
    for f in card.falsification:
        console.print(
            f"  {plain(f['id'])} {plain(f['claim'])}: [bold]{plain(f['status'])}[/bold]"
            + (f" — {plain(f['note'])}" if f["note"] else "")
        )
    for warning in spec.warnings:
        console.print(f"[yellow]warning:[/yellow] {plain(warning)}")
    console.print("Full audit chains: [bold]taf recipe ID --model MODEL[/bold], or --format md / --json.")


def render_comparison(console: Any, comparison: Comparison) -> None:
    from rich.table import Table

    columns = comparison.key_number_columns()
    title = plain(f"{comparison.recipe_id} — {comparison.recipe_name}")
    table = Table(title=title, title_justify="left", show_lines=True)
    for column in ("model", "verdict", "reason", *map(comparison.column_header, columns)):
        table.add_column(plain(column), overflow="fold")
    for spec, r in comparison.rows:
        numbers = r.key_numbers()
        shown = [plain(fmt(numbers[c])) if c in numbers else "—" for c in columns]
        table.add_row(plain(spec.model_id), _verdict(r), plain(r.reason), *shown)
    console.print(table)
    if comparison.ignored_params:
        console.print(plain(f"(not used by {comparison.recipe_id}: {', '.join(comparison.ignored_params)})"))
