"""Text renderings of cards, recipe results and comparisons: Markdown and self-contained HTML.

Pure string building, so the CLI (``taf profile --format md|html``) and the browser app produce the
same documents. Every dynamic text is escaped in HTML; Markdown table cells escape ``|``.
"""

from __future__ import annotations

import html
from typing import Any

from tafagent.core.audit import RecipeResult, Step
from tafagent.core.card import Card
from tafagent.core.compare import Comparison
from tafagent.core.render.format import fmt

TONE_EMOJI = {"good": "✅", "caution": "⚠️", "bad": "❌", "info": "ℹ️"}
NONE_ACTIONS = ("None required.", "None — proceed with Chinchilla-optimal recipe.")

KEY_NUMBER_LABELS: dict[str, tuple[str, str, str, str]] = {
    # key: (label, unit, evidence label when the card has no panel evidence for the key, note)
    "T_eval": ("T_eval", "tokens", "input", ""),
    "gamma_pade": ("γ_Padé(T_eval)", "", "derived", "closed form"),
    "gamma_corrected": ("γ_corrected", "", "exploratory", "closed form + δ; δ_post_IH exploratory"),
    "gamma_obs": ("γ measured", "", "measured", ""),
    "d_horizon": ("d_horizon", "tokens", "derived", "≡ T_eval up to δ: identity D-NEW-1"),
    "d_horizon_measured": ("d_horizon (measured γ)", "tokens", "derived", "from the measured γ"),
    "l_niah": ("L_NIAH ceiling", "tokens", "exploratory", ""),
    "chi": ("χ susceptibility", "", "derived", "1/|γ_corrected − 1|: as good as γ_corrected"),
    "kv_cache_bytes": ("KV cache @ T_eval (bf16)", "bytes", "exact", "per layer kind"),
    "gamma_random_predicted": ("γ_random predicted", "", "exploratory", "imprint law"),
    "compute_invariant_K": ("K = γ·ln(N²·D)", "nats", "fitted", "band n = 22"),
}


def key_number_evidence(card: Card, key: str) -> tuple[str, str]:
    """(evidence label, note) of a card key number: the panel's law evidence where the card has it, else the
    label of :data:`KEY_NUMBER_LABELS` — one source for the CLI, the reports and the web app."""
    _, _, fallback, note = KEY_NUMBER_LABELS[key]
    evidence = card.key_evidence.get(key)
    return (evidence["label"] if evidence else fallback), note


def key_number_rows(card: Card) -> list[tuple[str, str, str, dict[str, Any] | None]]:
    """(label, formatted value, evidence text, panel evidence) for every key number the card has."""
    rows = []
    for key, (label, unit, _, _) in KEY_NUMBER_LABELS.items():
        if card.key_numbers.get(key) is None:
            continue
        evidence, note = key_number_evidence(card, key)
        rows.append(
            (
                label,
                fmt(card.key_numbers[key], unit),
                f"{evidence} ({note})" if note else evidence,
                card.key_evidence.get(key),
            )
        )
    return rows


def step_result_text(step: Step) -> str:
    """A one-line rendering of a step's result (dicts show their headline number)."""
    value = step.result
    if isinstance(value, dict):
        for key in ("USD", "GB", "Mtok_breakeven", "USD_per_Mtok", "value", "low"):
            if key in value and value[key] is not None and not isinstance(value[key], dict):
                unit = {"GB": "GB", "USD": "USD", "USD_per_Mtok": "USD/Mtok", "Mtok_breakeven": "Mtok"}.get(key, "")
                return fmt(value[key], unit)
        return "—"
    if isinstance(value, list):
        return ", ".join(str(item.get("gpu", item)) if isinstance(item, dict) else str(item) for item in value[:5])
    return fmt(value, step.unit)


def panel_text(panel: dict[str, Any] | None) -> str:
    """'contradicts — r = 0.07 …' for a step or key number checked against the reference panel."""
    if not panel:
        return ""
    return f"{panel['support']} — {panel['statistic']}"


def measured_lines(measured: dict[str, Any]) -> list[str]:
    """The model's own panel measurements, or its nearest measured relatives, one line each."""
    if not measured:
        return []

    def values(model: dict[str, Any]) -> str:
        parts = []
        for corpus in ("gamma_text", "gamma_random"):
            value = model.get(corpus)
            if value:
                parts.append(
                    f"{corpus.removeprefix('gamma_')} γ = {value['gamma']:.3f} (tier {value['tier']}, "
                    f"d ≤ {value['T_eval']})"
                )
        return "; ".join(parts) or "no baseline γ"

    lines = []
    if measured.get("in_panel") and measured.get("match"):
        lines.append(f"Measured: {values(measured['match'])}")
    for neighbour in measured.get("neighbours", []):
        model = neighbour["model"]
        if measured.get("in_panel") and measured.get("match") and model["model"] == measured["match"]["model"]:
            continue
        lines.append(f"Nearest measured: {model['model']} (distance {neighbour['distance']:.2f}) — {values(model)}")
    return lines


def _md(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


# ---------------------------------------------------------------------------------------------- Markdown
def result_markdown(result: RecipeResult, heading: str = "##") -> str:
    lines = [
        f"{heading} {result.recipe_id} — {result.recipe_name}",
        "",
        f"**{TONE_EMOJI[result.tone]} {result.verdict}** — {result.reason}",
    ]
    if result.mitigation not in NONE_ACTIONS:
        lines.append(f"**Action:** {result.mitigation}")
    lines += [
        "",
        "| # | § | step | formula | result | evidence | reference panel | meaning |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s in result.chain:
        lines.append(
            f"| {s.step} | {_md(s.section)} | {_md(s.name)} | `{_md(s.formula)}` | {_md(step_result_text(s))} "
            f"| {s.evidence.label.value} | {_md(panel_text(s.panel))} | {_md(s.interpretation)} |"
        )
    confidence = result.confidence
    lines += [
        "",
        f"Confidence: **{confidence.band}** ({confidence.score:.0%}) — "
        + "; ".join(f"{c.name}: {c.status}" for c in confidence.checks),
    ]
    if result.caveats:
        lines.append("Caveats: " + ", ".join(f"`{c}`" for c in result.caveats))
    inputs = ", ".join(f"{k}={fmt(v)} ({result.input_sources.get(k, '?')})" for k, v in result.inputs.items())
    lines += [f"Inputs: {inputs}", ""]
    return "\n".join(lines)


def card_markdown(card: Card) -> str:
    spec = card.model
    theta = f"θ {fmt(spec.rope_theta)}" if spec.rope_theta is not None else "no RoPE"
    lines = [
        f"# TAF Card — {spec.model_id}",
        "",
        f"**{card.architecture_class}** · {fmt(spec.n_params)} parameters · T_train {fmt(spec.T_train)} · "
        f"T_eval {fmt(card.T_eval)} · {theta} · {spec.attention.upper()}" + (" + SWA" if spec.has_swa else ""),
        "",
        f"**Summary:** {card.summary['line']}",
        "",
        "## Verdicts",
        "",
        "| recipe | verdict | reason | action |",
        "|---|---|---|---|",
    ]
    for rid, r in card.recipes.items():
        action = "" if r.mitigation in NONE_ACTIONS else r.mitigation
        lines.append(
            f"| {rid} {_md(r.recipe_name)} | {TONE_EMOJI[r.tone]} {_md(r.verdict)} (confidence "
            f"{r.confidence.band}) | {_md(r.reason)} "
            f"| {_md(action)} |"
        )
    lines += ["", "## Key numbers", "", "| quantity | value | evidence |", "|---|---|---|"]
    for label, value, evidence, panel_evidence in key_number_rows(card):
        panel = panel_text(panel_evidence)
        lines.append(f"| {label} | {_md(value)} | {evidence}" + (f"; panel: {_md(panel)}" if panel else "") + " |")
    if card.measured:
        lines += ["", "## Real measurements", ""]
        lines += [f"- {_md(line)}" for line in measured_lines(card.measured)]
    lines += ["", "## Diagnostics", ""]
    d = card.diagnostics
    if d.get("gamma_used") is None:
        lines.append(f"No γ available: {d.get('gamma_source')}.")
    else:
        lines.append(f"γ used: **{d['gamma_used']:.4f}** — {d['gamma_source']}.")
        safety = d["hagedorn_safety"]
        lines.append(f"- Hagedorn alert: {safety.get('label')} — {safety.get('message')}")
        lines.append(f"- Phase class: {d['bimodal_phase_class']}")
        constants = ", ".join(f"{c['constant']} (error {c['error']:.4f})" for c in d["nearest_famous_constants"])
        lines.append(f"- Famous constants within 0.02: {constants or 'none'} (likely coincidence)")
        inv = d["compute_invariant"]
        lines.append(f"- K invariant: {inv['K']:.2f}, z = {inv['z_score']:+.2f} ({inv['interpretation']})")
        thermo = d.get("thermodynamics")
        if thermo and "error" not in thermo:
            lines.append(
                f"- Thermodynamics at N = T_eval: Z {fmt(thermo['Z'])}, U {fmt(thermo['U'])}, "
                f"S {fmt(thermo['S'])}, F {fmt(thermo['F'])}, C_V {fmt(thermo['C_V'])}, "
                f"D_90 {fmt(thermo['D90'])} tokens"
            )
        consistency = d["algebraic_consistency"]
        if "n_checks_passed" in consistency:
            lines.append(
                f"- Algebraic identities: {consistency['n_checks_passed']}/{consistency['n_checks_total']} "
                "hold (they are identities of the definitions and hold for every γ in (0, 1); they cannot "
                "detect measurement artefacts)"
            )
    if card.falsification:
        lines += ["", "## Falsifiers in scope", ""]
        lines += [
            f"- {f['id']} {f['claim']}: **{f['status']}**" + (f" — {f['note']}" if f["note"] else "")
            for f in card.falsification
        ]
    for warning in spec.warnings:
        lines.append(f"\n> ⚠ {warning}")
    lines += ["", "## Audit chains", ""]
    lines += [result_markdown(r, "###") for r in card.recipes.values()]
    return "\n".join(lines).rstrip() + "\n"


def comparison_markdown(comparison: Comparison) -> str:
    columns = comparison.key_number_columns()
    lines = [f"# Compare — {comparison.recipe_id} {comparison.recipe_name}", ""]
    if comparison.shared_params:
        lines.append("Shared: " + ", ".join(f"{k}={fmt(v)}" for k, v in comparison.shared_params.items()))
        lines.append("")
    lines.append("| model | verdict | reason | " + " | ".join(_md(comparison.column_header(c)) for c in columns) + " |")
    lines.append("|---|---|---|" + "---|" * len(columns))
    for spec, r in comparison.rows:
        numbers = r.key_numbers()
        cells = [fmt(numbers[c]) if c in numbers else "—" for c in columns]
        lines.append(
            f"| {_md(spec.model_id)} | {TONE_EMOJI[r.tone]} {_md(r.verdict)} | {_md(r.reason)} | "
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


def _result_html(r: RecipeResult) -> str:
    rows = "".join(
        f"<tr><td>{s.step}</td><td>{_h(s.section)}</td><td>{_h(s.name)}</td><td><code>{_h(s.formula)}</code></td>"
        f"<td>{_h(step_result_text(s))}</td><td><span class='tag'>{_h(s.evidence.label.value)}</span></td>"
        f"<td>{_h(panel_text(s.panel))}</td><td>{_h(s.interpretation)}</td></tr>"
        for s in r.chain
    )
    action = "" if r.mitigation in NONE_ACTIONS else f"<p><b>Action:</b> {_h(r.mitigation)}</p>"
    caveats = f"<p class='muted'>Caveats: {_h(', '.join(r.caveats))}</p>" if r.caveats else ""
    return (
        f"<details><summary><b>{_h(r.recipe_id)} — {_h(r.recipe_name)}</b>: "
        f"<span class='{r.tone}'>{_h(r.verdict)}</span></summary>"
        f"<p>{_h(r.reason)}</p>{action}"
        f"<table><tr><th>#</th><th>§</th><th>step</th><th>formula</th><th>result</th><th>evidence</th>"
        f"<th>reference panel</th><th>meaning</th></tr>{rows}</table>"
        f"<p class='muted'>Confidence {_h(r.confidence.band)} ({r.confidence.score:.0%}). </p>{caveats}</details>"
    )


def card_html(card: Card) -> str:
    """A self-contained HTML report (inline CSS, no scripts, every dynamic text escaped)."""
    spec = card.model
    verdict_rows = "".join(
        f"<tr class='{r.tone}'><td>{_h(rid)} {_h(r.recipe_name)}</td><td><b>{_h(r.verdict)}</b><br>"
        f"<span class='muted'>confidence {_h(r.confidence.band)}</span></td>"
        f"<td>{_h(r.reason)}</td><td>{'' if r.mitigation in NONE_ACTIONS else _h(r.mitigation)}</td></tr>"
        for rid, r in card.recipes.items()
    )
    numbers = "".join(
        f"<tr><td>{_h(label)}</td><td>{_h(value)}</td><td>{_h(evidence)}</td><td>{_h(panel_text(panel))}</td></tr>"
        for label, value, evidence, panel in key_number_rows(card)
    )
    measured = "".join(f"<li>{_h(line)}</li>" for line in measured_lines(card.measured))
    falsifiers = "".join(
        f"<li>{_h(f['id'])} {_h(f['claim'])}: <b>{_h(f['status'])}</b> {_h(f['note'])}</li>" for f in card.falsification
    )
    warnings = "".join(f"<p class='caution'>⚠ {_h(w)}</p>" for w in spec.warnings)
    d = card.diagnostics
    diag = (
        f"<p>γ used: <b>{d['gamma_used']:.4f}</b> — {_h(d['gamma_source'])}; Hagedorn alert: "
        f"{_h(d['hagedorn_safety'].get('label'))}; phase class: {_h(d['bimodal_phase_class'])}; K = "
        f"{d['compute_invariant']['K']:.2f} ({_h(d['compute_invariant']['interpretation'])}).</p>"
        if d.get("gamma_used") is not None
        else f"<p>{_h(d.get('gamma_source'))}</p>"
    )
    theta = f"θ {fmt(spec.rope_theta)}" if spec.rope_theta is not None else "no RoPE"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>TAF Card — {_h(spec.model_id)}</title><style>{_CSS}</style></head>
<body>
<h1>TAF Card — {_h(spec.model_id)}</h1>
<p><b>{_h(card.architecture_class)}</b> · {_h(fmt(spec.n_params))} parameters · T_train {_h(fmt(spec.T_train))} ·
T_eval {_h(fmt(card.T_eval))} · {_h(theta)} · {_h(spec.attention.upper())}</p>
<p><b>Summary:</b> {_h(card.summary["line"])}</p>{warnings}
<h2>Verdicts</h2>
<table><tr><th>recipe</th><th>verdict</th><th>reason</th><th>action</th></tr>{verdict_rows}</table>
<h2>Key numbers</h2>
<table><tr><th>quantity</th><th>value</th><th>evidence</th><th>reference panel</th></tr>{numbers}</table>
<h2>Real measurements</h2><ul>{measured or "<li>none</li>"}</ul>
<h2>Diagnostics</h2>{diag}
<h2>Falsifiers in scope</h2><ul>{falsifiers or "<li>none</li>"}</ul>
<h2>Audit chains</h2>
{"".join(_result_html(r) for r in card.recipes.values())}
<p class="muted">Generated by tafagent. Every number shows its formula, inputs and evidence label; exploratory
numbers are not measurements.</p>
</body></html>
"""
