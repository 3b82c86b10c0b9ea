"""Text renderings of cards, recipe results and comparisons: Markdown and self-contained HTML, in EN/ES/FR/ZH.

Pure string building, so the CLI (``taf profile --format md|html``) and the browser app produce the
same documents. Every dynamic text is escaped in HTML; Markdown table cells escape ``|``. Every label comes from
the ``card.*`` message catalog through :mod:`tafagent.core.render.card_text`; English is the default.
"""

from __future__ import annotations

import html
from typing import Any

from tafagent.core.audit import RecipeResult
from tafagent.core.card import Card
from tafagent.core.compare import Comparison
from tafagent.core.messages import tr
from tafagent.core.render.card_text import (
    KEY_NUMBER_LABELS,
    NONE_ACTIONS,
    architecture_class_text,
    band_text,
    colon,
    confidence_checks_text,
    diagnostics_lines,
    evidence_text,
    falsifier_texts,
    gamma_source_text,
    head_text,
    inputs_text,
    key_number_evidence,
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

__all__ = [
    "KEY_NUMBER_LABELS",
    "NONE_ACTIONS",
    "TONE_EMOJI",
    "card_html",
    "card_markdown",
    "comparison_markdown",
    "confidence_checks_text",
    "inputs_text",
    "key_number_evidence",
    "key_number_rows",
    "measured_lines",
    "panel_text",
    "result_markdown",
    "step_result_text",
]

TONE_EMOJI = {"good": "✅", "caution": "⚠️", "bad": "❌", "info": "ℹ️"}
CHAIN_COLUMNS = ("step", "formula", "result", "evidence", "panel", "meaning")  # after "#" and "§"


def _md(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def _columns(lang: str, *names: str) -> list[str]:
    return [tr(f"card.col.{name}", lang) for name in names]


# ---------------------------------------------------------------------------------------------- Markdown
def result_markdown(result: RecipeResult, heading: str = "##", lang: str = "en") -> str:
    """One recipe result as Markdown: verdict, reason, action, the audit chain, confidence, caveats, inputs."""
    texts = result.localized(lang)
    lines = [
        f"{heading} {result.recipe_id} — {texts['recipe_name']}",
        "",
        f"**{TONE_EMOJI[result.tone]} {texts['verdict']}** — {texts['reason']}",
    ]
    if result.mitigation not in NONE_ACTIONS:
        lines.append(f"**{tr('card.action_label', lang)}** {texts['mitigation']}")
    lines += ["", _row("#", "§", *_columns(lang, *CHAIN_COLUMNS)), "|---|---|---|---|---|---|---|---|"]
    for s in result.chain:
        lines.append(
            f"| {s.step} | {_md(s.section)} | {_md(step_name_text(s, lang))} | `{_md(s.formula_text(lang))}` "
            f"| {_md(step_result_text(s, lang))} | {evidence_text(s.evidence.label.value, lang)} "
            f"| {_md(panel_text(s.panel, lang))} | {_md(s.interpretation_text(lang))} |"
        )
    confidence = result.confidence
    lines += [
        "",
        f"{tr('card.confidence_label', lang)} **{band_text(confidence.band, lang)}** "
        f"{tr('card.paren', lang, text=percent_text(confidence.score, lang))} — {confidence_checks_text(result, lang)}",
    ]
    if result.caveats:
        lines.append(f"{tr('card.caveats_label', lang)} " + tr("card.sep", lang).join(result.caveat_texts(lang)))
    lines += [f"{tr('card.inputs_label', lang)} {inputs_text(result, lang)}", ""]
    return "\n".join(lines)


def card_markdown(card: Card, lang: str = "en") -> str:
    """The TAF Card as a Markdown document in ``lang``."""
    spec = card.model
    lines = [
        f"# {tr('card.title', lang, model=spec.model_id)}",
        "",
        f"**{architecture_class_text(card.architecture_class, lang)}** · {head_text(card, lang)}",
        "",
        f"**{tr('card.summary_label', lang)}** {summary_text(card, lang)}",
        "",
        f"## {tr('card.verdicts', lang)}",
        "",
        _row(*_columns(lang, "recipe", "verdict", "reason", "action")),
        "|---|---|---|---|",
    ]
    for rid, r in card.recipes.items():
        cells = verdict_cells(r, lang)
        confidence = tr("card.confidence_paren", lang, band=band_text(r.confidence.band, lang))
        lines.append(
            f"| {rid} {_md(cells['recipe_name'])} | {TONE_EMOJI[r.tone]} {_md(cells['verdict'])} {confidence} "
            f"| {_md(cells['reason'])} | {_md(cells['action'])} |"
        )
    lines += ["", f"## {tr('card.key_numbers', lang)}", ""]
    lines += [_row(*_columns(lang, "quantity", "value", "evidence")), "|---|---|---|"]
    for label, value, evidence, panel_evidence in key_number_rows(card, lang):
        panel = panel_text(panel_evidence, lang)
        suffix = tr("card.panel_suffix", lang, panel=_md(panel)) if panel else ""
        lines.append(f"| {label} | {_md(value)} | {evidence}{suffix} |")
    if card.measured:
        lines += ["", f"## {tr('card.real_measurements', lang)}", ""]
        lines += [f"- {_md(line)}" for line in measured_lines(card.measured, lang)]
    lines += ["", f"## {tr('card.diagnostics', lang)}", ""]
    d = card.diagnostics
    if d.get("gamma_used") is None:
        lines.append(tr("card.diag.no_gamma", lang, source=gamma_source_text(card, lang)))
    else:
        lines.append(tr("card.diag.used", lang, gamma=d["gamma_used"], source=gamma_source_text(card, lang)))
        lines += [f"- {line}" for line in diagnostics_lines(card, lang)]
    if card.falsification:
        lines += ["", f"## {tr('card.falsifiers', lang)}", ""]
        for f in (falsifier_texts(item, lang) for item in card.falsification):
            note = f" — {f['note']}" if f["note"] else ""
            lines.append(f"- {f['id']} {f['claim']}{colon(lang)}**{f['status']}**{note}")
    for warning in spec.warnings:
        lines.append(f"\n> ⚠ {warning}")
    lines += ["", f"## {tr('card.audit_chains', lang)}", ""]
    lines += [result_markdown(r, "###", lang) for r in card.recipes.values()]
    return "\n".join(lines).rstrip() + "\n"


def comparison_markdown(comparison: Comparison, lang: str = "en") -> str:
    """A comparison as a Markdown table in ``lang``."""
    columns = comparison.key_number_columns()
    name = comparison.recipe_name_text(lang)
    lines = [f"# {tr('card.compare.title', lang, recipe_id=comparison.recipe_id, name=name)}", ""]
    if comparison.shared_params:
        shared = ", ".join(f"{k}={fmt(v, '', lang)}" for k, v in comparison.shared_params.items())
        lines += [tr("card.compare.shared", lang, params=shared), ""]
    headers = _columns(lang, "model", "verdict", "reason") + [_md(comparison.column_header(c, lang)) for c in columns]
    lines += [_row(*headers), "|---|---|---|" + "---|" * len(columns)]
    for spec, r in comparison.rows:
        numbers = r.key_numbers()
        cells = [fmt(numbers[c], "", lang) if c in numbers else "—" for c in columns]
        texts = r.localized(lang)
        lines.append(
            f"| {_md(spec.model_id)} | {TONE_EMOJI[r.tone]} {_md(texts['verdict'])} | {_md(texts['reason'])} | "
            + " | ".join(_md(c) for c in cells)
            + " |"
        )
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------- HTML
_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;
color:#1d2330;line-height:1.45}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #dde}h3{font-size:1.05em}
table{border-collapse:collapse;width:100%;margin:.6em 0}th,td{border:1px solid #dde;padding:.3em .5em;
text-align:left;vertical-align:top;font-size:.92em}th{background:#f4f5f9}
.good{background:#e6f6ea}.caution{background:#fff5dd}.bad{background:#fde8e8}.info{background:#eaf1fb}
.tag{display:inline-block;padding:.05em .45em;border-radius:.3em;font-size:.8em;background:#eef}
code{font-size:.9em}details{margin:.4em 0}.muted{color:#667}
"""


def _h(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _result_html(r: RecipeResult, lang: str) -> str:
    rows = "".join(
        f"<tr><td>{s.step}</td><td>{_h(s.section)}</td><td>{_h(step_name_text(s, lang))}</td>"
        f"<td><code>{_h(s.formula_text(lang))}</code></td><td>{_h(step_result_text(s, lang))}</td>"
        f"<td><span class='tag'>{_h(evidence_text(s.evidence.label.value, lang))}</span></td>"
        f"<td>{_h(panel_text(s.panel, lang))}</td><td>{_h(s.interpretation_text(lang))}</td></tr>"
        for s in r.chain
    )
    texts = r.localized(lang)
    action = (
        ""
        if r.mitigation in NONE_ACTIONS
        else f"<p><b>{_h(tr('card.action_label', lang))}</b> {_h(texts['mitigation'])}</p>"
    )
    sep = tr("card.sep", lang)
    caveats = (
        f"<p class='muted'>{_h(tr('card.caveats_label', lang))} {_h(sep.join(r.caveat_texts(lang)))}</p>"
        if r.caveats
        else ""
    )
    headers = "".join(f"<th>{_h(c)}</th>" for c in ("#", "§", *_columns(lang, *CHAIN_COLUMNS)))
    confidence = (
        f"{tr('card.confidence_label', lang)} {band_text(r.confidence.band, lang)} "
        f"{tr('card.paren', lang, text=percent_text(r.confidence.score, lang))} — {confidence_checks_text(r, lang)}"
    )
    return (
        f"<details><summary><b>{_h(r.recipe_id)} — {_h(texts['recipe_name'])}</b>{_h(colon(lang))}"
        f"<span class='{r.tone}'>{_h(texts['verdict'])}</span></summary>"
        f"<p>{_h(texts['reason'])}</p>{action}"
        f"<table><tr>{headers}</tr>{rows}</table>"
        f"<p class='muted'>{_h(confidence)}</p>{caveats}</details>"
    )


def _diagnostics_html(card: Card, lang: str) -> str:
    d = card.diagnostics
    source = gamma_source_text(card, lang)
    if d.get("gamma_used") is None:
        return f"<p>{_h(tr('card.diag.no_gamma', lang, source=source))}</p>"
    items = "".join(f"<li>{_h(line)}</li>" for line in diagnostics_lines(card, lang))
    return f"<p>{_h(tr('card.diag.used_plain', lang, gamma=d['gamma_used'], source=source))}</p><ul>{items}</ul>"


def card_html(card: Card, lang: str = "en") -> str:
    """A self-contained HTML report in ``lang`` (inline CSS, no scripts, every dynamic text escaped)."""
    spec = card.model
    verdict_rows = ""
    for rid, r in card.recipes.items():
        cells = verdict_cells(r, lang)
        verdict_rows += (
            f"<tr class='{r.tone}'><td>{_h(rid)} {_h(cells['recipe_name'])}</td><td><b>{_h(cells['verdict'])}</b><br>"
            f"<span class='muted'>{_h(cells['confidence'])}</span></td>"
            f"<td>{_h(cells['reason'])}</td><td>{_h(cells['action'])}</td></tr>"
        )
    numbers = "".join(
        f"<tr><td>{_h(label)}</td><td>{_h(value)}</td><td>{_h(evidence)}</td>"
        f"<td>{_h(panel_text(panel, lang))}</td></tr>"
        for label, value, evidence, panel in key_number_rows(card, lang)
    )
    none = f"<li>{_h(tr('card.none', lang))}</li>"
    measured = "".join(f"<li>{_h(line)}</li>" for line in measured_lines(card.measured, lang))
    falsifiers = "".join(
        f"<li>{_h(f['id'])} {_h(f['claim'])}{_h(colon(lang))}<b>{_h(f['status'])}</b> {_h(f['note'])}</li>"
        for f in (falsifier_texts(item, lang) for item in card.falsification)
    )
    warnings = "".join(f"<p class='caution'>⚠ {_h(w)}</p>" for w in spec.warnings)
    title = _h(tr("card.title", lang, model=spec.model_id))
    th = lambda *names: "".join(f"<th>{_h(c)}</th>" for c in _columns(lang, *names))  # noqa: E731
    return f"""<!doctype html>
<html lang="{_h(lang)}"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{title}</title><style>{_CSS}</style></head>
<body>
<h1>{title}</h1>
<p><b>{_h(architecture_class_text(card.architecture_class, lang))}</b> · {_h(head_text(card, lang))}</p>
<p><b>{_h(tr("card.summary_label", lang))}</b> {_h(summary_text(card, lang))}</p>{warnings}
<h2>{_h(tr("card.verdicts", lang))}</h2>
<table><tr>{th("recipe", "verdict", "reason", "action")}</tr>{verdict_rows}</table>
<h2>{_h(tr("card.key_numbers", lang))}</h2>
<table><tr>{th("quantity", "value", "evidence", "panel")}</tr>{numbers}</table>
<h2>{_h(tr("card.real_measurements", lang))}</h2><ul>{measured or none}</ul>
<h2>{_h(tr("card.diagnostics", lang))}</h2>{_diagnostics_html(card, lang)}
<h2>{_h(tr("card.falsifiers", lang))}</h2><ul>{falsifiers or none}</ul>
<h2>{_h(tr("card.audit_chains", lang))}</h2>
{"".join(_result_html(r, lang) for r in card.recipes.values())}
<p class="muted">{_h(tr("card.footer", lang))}</p>
</body></html>
"""
