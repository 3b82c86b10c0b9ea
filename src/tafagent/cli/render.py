"""Rich terminal rendering of recipe results, TAF Cards and comparisons, in EN, ES, FR or ZH.

Every string that is not this module's own markup goes through :func:`~tafagent.cli.output.plain`: model ids,
reasons and inputs can hold user text (a path, a ``--set`` value) that rich would otherwise parse as markup.
Every label comes from the ``card.*`` message catalog (:mod:`tafagent.core.render.card_text`).
"""

from __future__ import annotations

from typing import Any

from tafagent.cli.output import plain
from tafagent.core.audit import RecipeResult
from tafagent.core.card import Card
from tafagent.core.compare import Comparison
from tafagent.core.messages import tr
from tafagent.core.render.card_text import (
    NONE_ACTIONS,
    architecture_class_text,
    band_text,
    check_text,
    colon,
    diagnostics_summary,
    evidence_text,
    falsifier_texts,
    gamma_source_text,
    head_text,
    input_source_text,
    key_number_rows,
    measured_lines,
    panel_text,
    percent_text,
    step_name_text,
    step_result_text,
    summary_text,
    verdict_cells,
)
from tafagent.core.render.format import fmt
from tafagent.core.render.report import TONE_EMOJI

TONE_STYLE = {"good": "green", "caution": "yellow", "bad": "red", "info": "cyan"}
CHAIN_COLUMNS = ("step", "formula", "result", "evidence", "panel", "meaning")


def _verdict(result: RecipeResult, lang: str = "en") -> str:
    verdict = result.localized(lang)["verdict"]
    return f"[{TONE_STYLE[result.tone]}]{TONE_EMOJI[result.tone]} {plain(verdict)}[/]"


def _col(name: str, lang: str) -> str:
    return tr(f"card.col.{name}", lang)


def render_result(console: Any, result: RecipeResult, lang: str = "en") -> None:
    """One recipe result: verdict panel, audit chain, inputs, confidence and caveats, in ``lang``."""
    from rich.panel import Panel
    from rich.table import Table

    texts = result.localized(lang)
    body = f"[bold]{_verdict(result, lang)}[/bold]\n{plain(texts['reason'])}"
    if result.mitigation not in NONE_ACTIONS:
        body += f"\n[bold]{plain(tr('card.action_label', lang))}[/bold] {plain(texts['mitigation'])}"
    console.print(
        Panel(
            body,
            title=plain(f"{result.recipe_id} — {texts['recipe_name']}"),
            title_align="left",
            border_style=TONE_STYLE[result.tone],
        )
    )
    table = Table(title=tr("card.audit_chain", lang), title_justify="left", show_lines=False)
    for column in ("#", "§", *(_col(c, lang) for c in CHAIN_COLUMNS)):
        table.add_column(plain(column), overflow="fold", no_wrap=column in ("#",))
    for s in result.chain:
        cells = (
            s.step,
            s.section,
            step_name_text(s, lang),
            s.formula_text(lang),
            step_result_text(s, lang),
            evidence_text(s.evidence.label.value, lang),
        )
        table.add_row(*map(plain, cells), plain(panel_text(s.panel, lang)), plain(s.interpretation_text(lang)))
    if result.chain:
        console.print(table)
    inputs = Table(title=tr("card.inputs", lang), title_justify="left")
    for column in ("parameter", "value", "from"):
        inputs.add_column(_col(column, lang))
    for name, value in result.inputs.items():
        source = input_source_text(result.input_sources.get(name, ""), lang)
        inputs.add_row(plain(name), plain(fmt(value, "", lang)), plain(source))
    console.print(inputs)
    c = result.confidence
    checks = tr("card.sep", lang).join(
        check_text(x, lang) + (f" ({x.note_text(lang)})" if x.note else "") for x in c.checks
    )
    console.print(
        f"{plain(tr('card.confidence_label', lang))} [bold]{plain(band_text(c.band, lang))}[/bold] "
        f"{plain(tr('card.paren', lang, text=percent_text(c.score, lang)))} — {plain(checks)}"
    )
    if result.caveats:
        console.print(
            plain(tr("card.caveats_label", lang) + " " + tr("card.sep", lang).join(result.caveat_texts(lang)))
        )


def render_card(console: Any, card: Card, lang: str = "en") -> None:
    """The TAF Card for the terminal, in ``lang``."""
    from rich.panel import Panel
    from rich.table import Table

    spec = card.model
    head = (
        f"[bold]{plain(architecture_class_text(card.architecture_class, lang))}[/bold]\n{plain(head_text(card, lang))}"
        f"\n[bold]{plain(summary_text(card, lang))}[/bold]"
    )
    console.print(Panel(head, title=plain(tr("card.title", lang, model=spec.model_id)), title_align="left"))
    verdicts = Table(title=tr("card.verdicts", lang), title_justify="left", show_lines=True)
    for column in ("recipe", "verdict", "reason", "action"):
        verdicts.add_column(_col(column, lang), overflow="fold")
    for rid, r in card.recipes.items():
        cells = verdict_cells(r, lang)
        verdicts.add_row(
            plain(f"{rid}\n{cells['recipe_name']}"),
            f"{_verdict(r, lang)}\n{plain(cells['confidence'])}",
            plain(cells["reason"]),
            plain(cells["action"]),
        )
    console.print(verdicts)
    numbers = Table(title=tr("card.key_numbers", lang), title_justify="left")
    for column in ("quantity", "value", "evidence", "panel"):
        numbers.add_column(_col(column, lang), overflow="fold")
    for label, value, evidence, panel in key_number_rows(card, lang):
        numbers.add_row(plain(label), plain(value), plain(evidence), plain(panel_text(panel, lang)))
    console.print(numbers)
    sep = colon(lang).rstrip()
    for line in measured_lines(card.measured, lang):
        head, _, rest = line.partition(sep)
        console.print(f"[bold]{plain(head)}{plain(sep)}[/bold]{plain(rest)}")
    d = card.diagnostics
    title = tr("card.diagnostics", lang)
    if d.get("gamma_used") is None:
        console.print(plain(tr("card.diag.none_line", lang, source=gamma_source_text(card, lang))))
    else:
        where = tr("card.diag.head", lang, gamma=d["gamma_used"], source=gamma_source_text(card, lang))
        console.print(f"[bold]{plain(title)}[/bold] {plain(where)} {plain(diagnostics_summary(card, lang))}")
    for f in (falsifier_texts(item, lang) for item in card.falsification):
        console.print(
            f"  {plain(f['id'])} {plain(f['claim'])}{plain(colon(lang))}[bold]{plain(f['status'])}[/bold]"
            + (f" — {plain(f['note'])}" if f["note"] else "")
        )
    for warning in spec.warnings:
        console.print(f"[yellow]{plain(tr('card.spec.warning', lang))}[/yellow] {plain(warning)}")
    command = "[bold]taf recipe ID --model MODEL[/bold]"
    console.print(plain(tr("card.full_audit", lang, command="TAF_COMMAND")).replace("TAF_COMMAND", command))


def render_comparison(console: Any, comparison: Comparison, lang: str = "en") -> None:
    """A comparison table for the terminal, in ``lang``."""
    from rich.table import Table

    columns = comparison.key_number_columns()
    title = plain(f"{comparison.recipe_id} — {comparison.recipe_name_text(lang)}")
    table = Table(title=title, title_justify="left", show_lines=True)
    headers = [_col(c, lang) for c in ("model", "verdict", "reason")]
    for column in (*headers, *(comparison.column_header(c, lang) for c in columns)):
        table.add_column(plain(column), overflow="fold")
    for spec, r in comparison.rows:
        numbers = r.key_numbers()
        shown = [plain(fmt(numbers[c], "", lang)) if c in numbers else "—" for c in columns]
        table.add_row(plain(spec.model_id), _verdict(r, lang), plain(r.localized(lang)["reason"]), *shown)
    console.print(table)
    if comparison.ignored_params:
        text = tr(
            "card.compare.not_used", lang, recipe_id=comparison.recipe_id, params=", ".join(comparison.ignored_params)
        )
        console.print(plain(text))
