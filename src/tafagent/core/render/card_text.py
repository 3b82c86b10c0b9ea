"""The TAF Card's display texts in EN, ES, FR or ZH: one source for the CLI, the Markdown/HTML reports and the web.

The Card keeps its English values for JSON (``architecture_class``, the diagnostics' labels, the falsifiers); the
functions here turn each of them, and every label around them, into the user's language through the ``card.*``
message catalog. English renders exactly what the card always showed. The web page calls :func:`card_texts`
(and ``taf profile --json --lang xx`` adds it under ``"localized"``).
"""

from __future__ import annotations

from typing import Any

from tafagent.core.audit import ConfidenceCheck, RecipeResult, Step
from tafagent.core.card import ARCHITECTURE_CLASSES, Card
from tafagent.core.compare import Comparison
from tafagent.core.gamma_source import gamma_label_text
from tafagent.core.messages import catalog, tr
from tafagent.core.render.format import fmt, unit_text

NONE_ACTIONS = ("None required.", "None — proceed with Chinchilla-optimal recipe.")

KEY_NUMBER_LABELS: dict[str, tuple[str, str, str, str]] = {
    # key: (label, unit, evidence label when the card has no panel evidence for the key, note) — English; the
    # catalog keys card.key.<key>.label / .note hold every language.
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

# The English values of the diagnostics (core.laws.diagnostics, core.laws.imprint) → their catalog keys.
PHASE_CLASS_KEYS = {
    "unknown": "card.phase.unknown",
    "catastrophic": "card.phase.catastrophic",
    "Phase A (long-range)": "card.phase.phase_a",
    "boundary (gap zone)": "card.phase.gap",
    "Hagedorn boundary": "card.phase.hagedorn_boundary",
    "Hagedorn zone": "card.phase.hagedorn_zone",
}
K_INTERPRETATION_KEYS = {"in-band": "card.k.in_band", "high-K outlier": "card.k.high", "low-K outlier": "card.k.low"}
CONSTANT_KEYS = {"1−1/φ (golden conjugate)": "card.const.golden_conjugate"}
FALSIFIER_STATUS_KEYS = {
    "in scope": "card.falsifier.status.in_scope",
    "refuted": "card.falsifier.status.refuted",
    "applies": "card.falsifier.status.applies",
    "regime refuted here": "card.falsifier.status.regime_refuted",
}
_ARCHITECTURE_CODES = {label: code for code, label in ARCHITECTURE_CLASSES.items()}


def _lookup(key: str, lang: str, english: str) -> str:
    """The catalog text of ``key`` in ``lang`` (English: ``english`` itself, so English output never changes)."""
    return english if lang == "en" else catalog(lang).get(key, english)


def colon(lang: str) -> str:
    """': ' in the language's typography (French '\u00a0: ', Chinese '：')."""
    return tr("card.colon", lang)


# ---------------------------------------------------------------------------------------------- small texts
def architecture_class_text(label: str, lang: str = "en") -> str:
    """The card's ``architecture_class`` (its English label) in ``lang``."""
    code = _ARCHITECTURE_CODES.get(label)
    return label if code is None else _lookup(f"card.arch.{code}", lang, label)


def evidence_text(label: str, lang: str = "en") -> str:
    """An evidence label (exact, derived, fitted, exploratory, disabled, input, measured) in ``lang``."""
    return _lookup(f"card.evidence.{label}", lang, label)


def band_text(band: str, lang: str = "en") -> str:
    """A confidence band (high, medium, low) in ``lang``."""
    return _lookup(f"card.band.{band}", lang, band)


def check_text(check: ConfidenceCheck, lang: str = "en") -> str:
    """'measured γ: ok' — one confidence check with its status, in ``lang`` (its note is not shown)."""
    name = _lookup(f"card.check.{check.name}", lang, check.name)
    return tr("card.check_item", lang, name=name, status=_lookup(f"card.status.{check.status}", lang, check.status))


def percent_text(score: float, lang: str = "en") -> str:
    """A 0–1 score as a percentage in the language's typography ('75%', '75 %')."""
    return tr("card.percent", lang, pct=round(score * 100))


def input_source_text(source: str, lang: str = "en") -> str:
    """Where a recipe input came from ("user", "default", "model (<id>)", a γ origin label) in ``lang``."""
    if lang == "en" or not source:
        return source
    if source in ("user", "default"):
        return tr(f"card.source.{source}", lang)
    if source.startswith("model (") and source.endswith(")"):
        return tr("card.source.model", lang, model=source[len("model (") : -1])
    return gamma_label_text(source, lang)


def step_name_text(step: Step, lang: str = "en") -> str:
    """A step's name in ``lang``: the step's own translation, else the law's catalog name, else English."""
    name = step.name_text(lang)
    if name == step.name and step.law and lang != "en":
        law_name = catalog(lang).get(f"laws.{step.law}.name")
        if law_name and catalog("en").get(f"laws.{step.law}.name") == step.name:
            return law_name
    return name


def step_result_text(step: Step, lang: str = "en") -> str:
    """A one-line rendering of a step's result (dicts show their headline number), numbers in ``lang``'s marks."""
    value = step.result
    if isinstance(value, str):  # a label result (X-3's capability tier): the recipe's translation of it
        return step.result_label(lang) or value
    if isinstance(value, dict):
        for key in ("USD", "GB", "Mtok_breakeven", "USD_per_Mtok", "value", "low"):
            if key in value and value[key] is not None and not isinstance(value[key], dict):
                unit = {"GB": "GB", "USD": "USD", "USD_per_Mtok": "USD/Mtok", "Mtok_breakeven": "Mtok"}.get(key, "")
                return fmt(value[key], unit, lang)
        return "—"
    if isinstance(value, list) and value and all(isinstance(i, dict) and ("text" in i or "note" in i) for i in value):
        return _launch_text(value, lang)
    if isinstance(value, list):
        return ", ".join(str(item.get("gpu", item)) if isinstance(item, dict) else str(item) for item in value[:5])
    if step.unit in ("bytes", "dimensionless") or lang == "en":
        return fmt(value, step.unit, lang)
    unit = step.unit_text(lang)
    text = fmt(value, "", lang)
    return f"{text} {unit_text(unit, lang)}".strip() if unit and isinstance(value, (int, float)) else text


def _launch_text(commands: list[dict[str, Any]], lang: str) -> str:
    """A launch step's result: each command line after its notes (``# note``, in ``lang``), one per line."""
    from tafagent.core.launch import command_note_texts

    lines: list[str] = []
    for command in commands:
        notes = command_note_texts(command, lang)
        lines += [f"# {note}" for note in notes] if command.get("text") else [f"# {' '.join(notes)}"]
        if command.get("text"):
            lines.append(str(command["text"]))
    return "\n".join(lines)


def panel_text(panel: dict[str, Any] | None, lang: str = "en") -> str:
    """'contradicts — r = 0.07 …' for a step or key number checked against the reference panel, in ``lang``:
    the laws' own ``panel_text`` (core.validation.comparison) when it exists, else the support word translated
    and the statistic as the panel wrote it."""
    if not panel:
        return ""
    from tafagent.core.validation import comparison

    laws_text = getattr(comparison, "panel_text", None)
    if laws_text is not None:
        return str(laws_text(panel, lang))
    support = _lookup(f"card.support.{panel['support']}", lang, str(panel["support"]))
    return tr("card.panel.line", lang, support=support, statistic=panel["statistic"])


def verdict_cells(result: RecipeResult, lang: str = "en") -> dict[str, str]:
    """The Verdicts table's texts of one recipe: recipe name, verdict, confidence, reason, action ('' for none)."""
    texts = result.localized(lang)
    return {
        "recipe_name": texts["recipe_name"],
        "verdict": texts["verdict"],
        "confidence": tr("card.confidence_band", lang, band=band_text(result.confidence.band, lang)),
        "reason": texts["reason"],
        "action": "" if result.mitigation in NONE_ACTIONS else texts["mitigation"],
    }


def confidence_checks_text(result: RecipeResult, lang: str = "en") -> str:
    """'evidence: ok; measured γ: ok; …': the confidence checks of ``result`` in ``lang``."""
    return tr("card.sep", lang).join(check_text(c, lang) for c in result.confidence.checks)


def inputs_text(result: RecipeResult, lang: str = "en") -> str:
    """'theta=500,000 (model (…)), T_eval=8,192 (user), …': a recipe's inputs with their origins, in ``lang``."""
    return tr("card.list_sep", lang).join(
        f"{k}={fmt(v, '', lang)} "
        + tr("card.paren", lang, text=input_source_text(result.input_sources.get(k, "?"), lang))
        for k, v in result.inputs.items()
    )


def result_texts(result: RecipeResult, lang: str = "en") -> dict[str, Any]:
    """Every display text of one recipe result in ``lang`` (what `taf recipe` and the card's audit chains show):
    the verdict row, the confidence line, caveat sentences, inputs, and one row per step of the chain."""
    return {
        **verdict_cells(result, lang),
        "confidence_line": f"{band_text(result.confidence.band, lang)} "
        + tr("card.paren", lang, text=percent_text(result.confidence.score, lang)),
        "checks": confidence_checks_text(result, lang),
        "caveats": result.caveat_texts(lang),
        "inputs": inputs_text(result, lang),
        "steps": [
            {
                "name": step_name_text(s, lang),
                "result": step_result_text(s, lang),
                "evidence": evidence_text(s.evidence.label.value, lang),
                "panel": panel_text(s.panel, lang),
                "meaning": s.interpretation_text(lang),
            }
            for s in result.chain
        ],
    }


# ---------------------------------------------------------------------------------------------- card parts
def head_text(card: Card, lang: str = "en") -> str:
    """'8,030,261,248 parameters · T_train 8,192 · T_eval 8,192 · θ 500,000 · GQA' (+ ' + SWA')."""
    spec = card.model
    theta = f"θ {fmt(spec.rope_theta, '', lang)}" if spec.rope_theta is not None else tr("card.no_rope", lang)
    text = tr(
        "card.head",
        lang,
        params=fmt(spec.n_params, "", lang),
        T_train=fmt(spec.T_train, "", lang),
        T_eval=fmt(card.T_eval, "", lang),
        theta=theta,
        attention=spec.attention.upper(),
    )
    return text + (" + SWA" if spec.has_swa else "")


def summary_text(card: Card, lang: str = "en") -> str:
    """The one-glance summary ('3 ✅ · 2 ⚠ · 3 ❌ · 0 ℹ · γ: 1.045, measured text γ (…)') in ``lang``."""
    line = str(card.summary.get("line", ""))
    if lang == "en":
        return line
    gamma = line.partition(" · γ: ")[2]
    if gamma == "closed form (γ_corrected)":
        gamma_text = tr("card.gamma.closed_form", lang)
    else:
        value, _, label = gamma.partition(", ")
        try:
            gamma_text = tr("card.gamma.value", lang, value=float(value), label=gamma_label_text(label, lang))
        except ValueError:
            gamma_text = gamma
    s = card.summary
    return tr(
        "card.summary.line", lang, good=s["good"], caution=s["caution"], bad=s["bad"], info=s["info"], gamma=gamma_text
    )


def key_number_evidence(card: Card, key: str, lang: str = "en") -> tuple[str, str]:
    """(evidence label, note) of a card key number in ``lang``: the panel's law evidence where the card has it,
    else the label of :data:`KEY_NUMBER_LABELS` — one source for the CLI, the reports and the web app."""
    _, _, fallback, note = KEY_NUMBER_LABELS[key]
    evidence = card.key_evidence.get(key)
    label = evidence["label"] if evidence else fallback
    return evidence_text(label, lang), (_lookup(f"card.key.{key}.note", lang, note) if note else "")


def key_number_rows(card: Card, lang: str = "en") -> list[tuple[str, str, str, dict[str, Any] | None]]:
    """(label, formatted value, evidence text, panel evidence) for every key number the card has."""
    rows = []
    for key, (label, unit, _, _) in KEY_NUMBER_LABELS.items():
        if card.key_numbers.get(key) is None:
            continue
        evidence, note = key_number_evidence(card, key, lang)
        rows.append(
            (
                _lookup(f"card.key.{key}.label", lang, label),
                fmt(card.key_numbers[key], unit, lang),
                tr("card.evidence_note", lang, label=evidence, note=note) if note else evidence,
                card.key_evidence.get(key),
            )
        )
    return rows


def measured_lines(measured: dict[str, Any], lang: str = "en") -> list[str]:
    """The model's own panel measurements, or its nearest measured relatives, one line each."""
    if not measured:
        return []

    def values(model: dict[str, Any]) -> str:
        parts = []
        for corpus in ("gamma_text", "gamma_random"):
            value = model.get(corpus)
            if value:
                name = corpus.removeprefix("gamma_")
                parts.append(
                    tr(
                        "card.measured.value",
                        lang,
                        corpus=_lookup(f"card.corpus.{name}", lang, name),
                        gamma=value["gamma"],
                        tier=value["tier"],
                        T_eval=value["T_eval"],
                    )
                )
        return tr("card.sep", lang).join(parts) or tr("card.measured.none", lang)

    lines = []
    match = measured.get("match") if measured.get("in_panel") else None
    if match:
        lines.append(tr("card.measured.match", lang, values=values(match)))
    for neighbour in measured.get("neighbours", []):
        model = neighbour["model"]
        if match and model["model"] == match["model"]:
            continue
        lines.append(
            tr(
                "card.measured.nearest",
                lang,
                model=model["model"],
                distance=neighbour["distance"],
                values=values(model),
            )
        )
    return lines


def gamma_source_text(card: Card, lang: str = "en") -> str:
    """Where the diagnostics' γ came from (or why there is none), in ``lang``."""
    return gamma_label_text(str(card.diagnostics.get("gamma_source", "")), lang)


def hagedorn_texts(card: Card, lang: str = "en") -> tuple[str, str]:
    """(label, message) of the card's Hagedorn alert in ``lang``."""
    safety = card.diagnostics.get("hagedorn_safety") or {}
    level = str(safety.get("level", "unknown"))
    label = _lookup(f"card.hagedorn.{level}.label", lang, str(safety.get("label")))
    return label, _lookup(f"card.hagedorn.{level}.message", lang, str(safety.get("message")))


def phase_class_text(phase: str, lang: str = "en") -> str:
    """A bimodal phase class (core.laws.diagnostics) in ``lang``."""
    key = PHASE_CLASS_KEYS.get(phase)
    return phase if key is None else _lookup(key, lang, phase)


def k_interpretation_text(interpretation: str, lang: str = "en") -> str:
    """The K invariant's reading ('in-band', 'high-K outlier') in ``lang``."""
    key = K_INTERPRETATION_KEYS.get(interpretation)
    return interpretation if key is None else _lookup(key, lang, interpretation)


def diagnostics_summary(card: Card, lang: str = "en") -> str:
    """'🔴 HAGEDORN ZONE · Hagedorn zone · K = 74.66 (high-K outlier)': the terminal's one-line diagnostics."""
    d = card.diagnostics
    inv = d["compute_invariant"]
    k_text = tr("card.diag.K", lang, K=inv["K"], interpretation=k_interpretation_text(inv["interpretation"], lang))
    return f"{hagedorn_texts(card, lang)[0]} · {phase_class_text(d['bimodal_phase_class'], lang)} · {k_text}"


def diagnostics_lines(card: Card, lang: str = "en") -> list[str]:
    """The diagnostics block, one plain line each after the first ('γ used: 1.0455 — …'); empty without a γ."""
    d = card.diagnostics
    if d.get("gamma_used") is None:
        return []
    label, message = hagedorn_texts(card, lang)
    sep = tr("card.list_sep", lang)
    constants = sep.join(
        tr("card.diag.constant", lang, constant=_constant(c["constant"], lang), error=c["error"])
        for c in d["nearest_famous_constants"]
    )
    inv = d["compute_invariant"]
    lines = [
        tr("card.diag.hagedorn", lang, label=label, message=message),
        tr("card.diag.phase", lang, phase=phase_class_text(d["bimodal_phase_class"], lang)),
        tr("card.diag.constants", lang, tolerance=0.02, constants=constants or tr("card.diag.no_constants", lang)),
        tr(
            "card.diag.invariant",
            lang,
            K=inv["K"],
            z=inv["z_score"],
            interpretation=k_interpretation_text(inv["interpretation"], lang),
        ),
    ]
    thermo = d.get("thermodynamics")
    if thermo and "error" not in thermo:
        numbers = {k: fmt(thermo[k], "", lang) for k in ("Z", "U", "S", "F", "C_V")}
        lines.append(tr("card.diag.thermo", lang, **numbers, D90=fmt(thermo["D90"], "", lang)))
    consistency = d["algebraic_consistency"]
    if "n_checks_passed" in consistency:
        passed, total = consistency["n_checks_passed"], consistency["n_checks_total"]
        lines.append(tr("card.diag.identities", lang, passed=passed, total=total))
    return lines


def _constant(name: str, lang: str) -> str:
    key = CONSTANT_KEYS.get(name)
    return name if key is None else _lookup(key, lang, name)


def falsifier_texts(item: dict[str, str], lang: str = "en") -> dict[str, str]:
    """A falsifier of the card (id, claim, status, note) with its texts in ``lang``."""
    fid = item["id"]
    status_key = FALSIFIER_STATUS_KEYS.get(item["status"])
    return {
        "id": fid,
        "claim": _lookup(f"card.falsifier.{fid}.claim", lang, item["claim"]),
        "status": item["status"] if status_key is None else _lookup(status_key, lang, item["status"]),
        "note": _lookup(f"card.falsifier.{fid}.note", lang, item["note"]) if item["note"] else "",
    }


# ---------------------------------------------------------------------------------------------- everything
def card_texts(card: Card, lang: str = "en") -> dict[str, Any]:
    """Every display text of ``card`` in ``lang`` (what `taf profile` shows), for JSON and the web page:
    title, architecture class, head line, summary, verdict rows, key-number rows, measurements, the γ source,
    diagnostics and falsifiers."""
    d = card.diagnostics
    source = gamma_source_text(card, lang)
    diagnostics = (
        [tr("card.diag.used_plain", lang, gamma=d["gamma_used"], source=source), *diagnostics_lines(card, lang)]
        if d.get("gamma_used") is not None
        else [tr("card.diag.no_gamma", lang, source=source)]
    )
    return {
        "lang": lang,
        "title": tr("card.title", lang, model=card.model.model_id),
        "architecture_class": architecture_class_text(card.architecture_class, lang),
        "head": head_text(card, lang),
        "summary": summary_text(card, lang),
        "verdicts": {rid: verdict_cells(r, lang) for rid, r in card.recipes.items()},
        "recipes": {rid: result_texts(r, lang) for rid, r in card.recipes.items()},
        "key_numbers": [
            {"label": label, "value": value, "evidence": evidence, "panel": panel_text(panel, lang)}
            for label, value, evidence, panel in key_number_rows(card, lang)
        ],
        "measured": measured_lines(card.measured, lang),
        "gamma_source": source,
        "diagnostics": diagnostics,
        "falsification": [falsifier_texts(f, lang) for f in card.falsification],
    }


def comparison_texts(comparison: Comparison, lang: str = "en") -> dict[str, Any]:
    """Every display text of a comparison in ``lang`` (what `taf compare` shows), for JSON and the web page:
    title, column headers, and per row the verdict, reason, action and the formatted key numbers."""
    columns = comparison.key_number_columns()
    rows = []
    for spec, result in comparison.rows:
        numbers = result.key_numbers()
        texts = result.localized(lang)
        rows.append(
            {
                "model": spec.model_id,
                "verdict": texts["verdict"],
                "reason": texts["reason"],
                "action": "" if result.mitigation in NONE_ACTIONS else texts["mitigation"],
                "key_numbers": {c: fmt(numbers[c], "", lang) for c in columns if c in numbers},
                "caveats": result.caveat_texts(lang),
            }
        )
    title = tr("card.compare.title", lang, recipe_id=comparison.recipe_id, name=comparison.recipe_name_text(lang))
    return {
        "lang": lang,
        "title": title,
        "recipe_name": comparison.recipe_name_text(lang),
        "columns": {c: comparison.column_header(c, lang) for c in columns},
        "rows": rows,
    }
