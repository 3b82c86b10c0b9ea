"""The browser app's interface to the core, executed inside Pyodide.

Every function takes a JSON string and returns a JSON string ``{"ok": true, ...}`` or
``{"ok": false, "error": "<one line with the fix>"}``: the JavaScript shell never evaluates Python
source built from user input and never computes a number itself. This module is an interface (like the
CLI): it validates what the page sends, calls one core function and shapes the result for rendering.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

from tafagent._version import __version__
from tafagent.core.audit import RecipeResult, Step
from tafagent.core.card import Card, CardOptions, profile
from tafagent.core.catalogs import default_catalogs
from tafagent.core.compare import compare
from tafagent.core.decay.protocol import CORPORA, PROTOCOLS
from tafagent.core.errors import ConfigError, TafError, UsageError
from tafagent.core.jsonsafe import json_safe as _finite
from tafagent.core.memory.runtimes import ENGINES
from tafagent.core.messages import LANGUAGES, recipe_label, verdict_label
from tafagent.core.numbers import parse_number
from tafagent.core.recipes import get_recipe, list_recipes, run_recipe
from tafagent.core.render.charts import decay_curves, phase_diagram_data
from tafagent.core.render.format import NUMBER_DECIMAL, NUMBER_GROUP, fmt, localise_number
from tafagent.core.render.report import (
    KEY_NUMBER_LABELS,
    NONE_ACTIONS,
    card_markdown,
    comparison_markdown,
    key_number_evidence,
    result_markdown,
    step_result_text,
)
from tafagent.core.spec.config_text import HUB_ID, parse_config_text
from tafagent.core.spec.model_spec import ModelSpec
from tafagent.core.spec.presets import find_preset, list_presets, suggest_presets
from tafagent.core.spec.resolve import resolve_spec

MAX_TEXT_BYTES = 2 * 1024 * 1024  # pasted configs, imported exports, diagnosis files
# what each mode's export may carry as inputs (the share-URL parameters of that mode; p.<name> for recipes)
EXPORT_INPUTS = {
    "profile": ("model", "t_eval", "gamma_obs", "gamma_random"),
    "compare": ("m1", "m2", "m3", "recipe", "t_eval"),
    "recipe": ("recipe", "model"),
    "ask": ("q",),
    "inspect": ("config", "t_eval"),
    "phase": ("model", "t_eval"),
}
EXPORT_KINDS = tuple(EXPORT_INPUTS)
# A number as the core's fmt writes it ('8,192', '0.9547', '1.234e-04'): the part of a display text that gets the
# language's marks, while the words and units around it ('B (', ' GB, ') keep theirs.
FORMATTED_NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?(?:e[+-]\d+)?")


def _respond(func: Callable[[dict[str, Any]], dict[str, Any]]) -> Callable[[str], str]:
    """Wrap a handler: parse the request, turn project errors into one-line messages, emit strict JSON."""

    def handler(request: str = "{}") -> str:
        try:
            if len(request.encode("utf-8")) > MAX_TEXT_BYTES:
                raise UsageError("the request is too large (over 2 MB)", "paste a config.json, not weights")
            data = json.loads(request or "{}")
            if not isinstance(data, dict):
                raise UsageError("malformed request", "reload the page")
            return _dumps({"ok": True, **func(data)})
        except TafError as error:
            return _dumps({"ok": False, "error": _one_line(error.one_line(), 400)})
        except (ValueError, TypeError, KeyError) as error:  # a malformed request from the page itself
            return _dumps({"ok": False, "error": _one_line(f"invalid input: {error}")})
        except RecursionError:  # e.g. an "import" of 100,000 nested brackets
            return _dumps({"ok": False, "error": "the file is nested too deeply to be a tafagent file"})
        except Exception as error:
            return _dumps({"ok": False, "error": _one_line(f"internal error ({type(error).__name__}): {error}")})

    handler.__name__ = func.__name__
    handler.__doc__ = func.__doc__
    return handler


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _dumps(data: Any) -> str:
    return json.dumps(_finite(data), ensure_ascii=False, allow_nan=False)


def _lang(data: dict[str, Any]) -> str:
    lang = data.get("lang", "en")
    return lang if lang in LANGUAGES else "en"


def _number(data: dict[str, Any], key: str, *, integer: bool = False, minimum: float | None = None) -> Any:
    """An optional number from the page (empty → None); anything else is a one-line error naming the field."""
    value = data.get(key)
    if value is None or value == "":
        return None
    try:
        if isinstance(value, bool):
            raise TypeError
        number = parse_number(value) if isinstance(value, str) else float(value)  # '32k' as in the CLI
    except (TypeError, ValueError):
        raise ConfigError(f"'{key}' must be a number, got {str(value)[:40]!r}", "fix the field", field=key) from None
    if not math.isfinite(number) or (minimum is not None and number < minimum):
        raise ConfigError(f"'{key}' is out of range: {number:.6g}", "fix the field", field=key)
    if integer:
        if number != int(number):
            raise ConfigError(f"'{key}' must be a whole number, got {number:.6g}", "fix the field", field=key)
        return int(number)
    return number


def _file_json(data: dict[str, Any], hint: str) -> Any:
    """The parsed JSON of a file the page read (``data["text"]``); one-line errors ending with ``hint``."""
    text = data.get("text")
    if not isinstance(text, str):
        raise UsageError("no file content", hint)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigError(f"not valid JSON (line {error.lineno}: {error.msg})", hint) from error


def model_spec(data: dict[str, Any]) -> ModelSpec:
    """The ModelSpec a request names: a config the page fetched from the Hub or had pasted, else a preset.

    The pure steps are the core's, shared with the CLI's ``tafagent.adapters.sources.load_spec``
    (``find_preset``, ``parse_config_text``, ``resolve_spec``, ``suggest_presets``); what differs is only where a
    config comes from: the page fetches Hub configs itself and sends their text, and it has no file system.
    """
    name = str(data.get("model") or "").strip()
    config_text = data.get("config_text")
    if isinstance(config_text, str) and config_text.strip():
        return _spec_from_config_text(config_text, name)
    return _preset_spec(name)


def _spec_from_config_text(config_text: str, name: str) -> ModelSpec:
    raw = parse_config_text(config_text, name or "pasted config.json")
    return resolve_spec(raw, name or "<pasted config>")


def _preset_spec(name: str) -> ModelSpec:
    if not name:
        raise UsageError("no model given", "type a preset (e.g. llama-3-8b) or a Hub id (org/name)")
    preset = find_preset(name)
    if preset is not None:
        return preset.spec()
    suggestions = suggest_presets(name)
    hint = (f"did you mean {', '.join(suggestions)}? " if suggestions else "") + "use a preset or a Hub id (org/name)"
    raise UsageError(f"'{name[:80]}' is not an embedded preset", hint)


def _localized(result: RecipeResult, lang: str) -> dict[str, Any]:
    """Verdict, reason and action in ``lang``; ``no_action`` where the action is the core's "none needed"."""
    return {**result.localized(lang), "no_action": result.mitigation in NONE_ACTIONS}


# ---------------------------------------------------------------------------------------------- display texts
# Numbers the core computed reach the page twice: the raw value (``data-value``, compared with `taf … --json`) and
# the text the core's formatter writes for it, so the page never formats a core number itself.
def _marked(text: str, lang: str) -> str:
    """A text of the core's formatter with the language's marks on its numbers only."""
    return FORMATTED_NUMBER.sub(lambda number: localise_number(number.group(), lang), text)


def _is_word(value: Any) -> bool:
    """No value, a non-finite one or a yes/no: the page writes these words in its own language."""
    return value is None or isinstance(value, bool) or (isinstance(value, float) and not math.isfinite(value))


def _number_display(value: Any, unit: str, lang: str) -> str | None:
    return None if _is_word(value) else _marked(fmt(value, unit), lang)


def _step_display(step: Step, lang: str) -> str | None:
    """The chain's result column as the CLI writes it (a dict shows its headline number, a list its names)."""
    if _is_word(step.result):
        return None
    text = step_result_text(step)
    return _marked(text, lang) if isinstance(step.result, (int, float, dict)) else text


def _steps_display(result: RecipeResult, lang: str) -> list[str | None]:
    """One display text per step of ``result.chain``, in order."""
    return [_step_display(step, lang) for step in result.chain]


def _key_numbers_display(card: Card, lang: str) -> dict[str, str | None]:
    """The card's key numbers with their units, as ``taf profile`` writes them."""
    return {
        key: _number_display(card.key_numbers.get(key), unit, lang)
        for key, (_, unit, _, _) in KEY_NUMBER_LABELS.items()
        if card.key_numbers.get(key) is not None
    }


# ---------------------------------------------------------------------------------------------- handlers
@_respond
def boot(data: dict[str, Any]) -> dict[str, Any]:
    """Everything the page needs to build its forms: presets, recipes with typed parameters, catalogs."""
    catalogs = default_catalogs()
    return {
        "version": __version__,
        "languages": list(LANGUAGES),
        # the language's number marks, for the few numbers the page writes itself (format.js)
        "number_group": NUMBER_GROUP,
        "number_decimal": NUMBER_DECIMAL,
        "engines": list(ENGINES),
        "presets": [
            {
                "id": p.model_id,
                "label": p.label,
                "aliases": list(p.aliases),
                "family": p.spec().family,
                "n_params": p.spec().n_params,
                "T_train": p.spec().T_train,
                "rope_theta": p.spec().rope_theta,
            }
            for p in list_presets()
        ],
        "recipes": [r.to_dict() for r in list_recipes()],
        "recipe_names": {
            lang: {r.id: r.name if lang == "en" else recipe_label(r.id, lang, r.name) for r in list_recipes()}
            for lang in LANGUAGES
        },
        "gpus": [g.name for g in catalogs.gpus],
        "apis": [a.name for a in catalogs.apis],
        "catalog_dates": {"gpus": catalogs.gpu_as_of, "apis": catalogs.api_as_of},
    }


@_respond
def classify(data: dict[str, Any]) -> dict[str, Any]:
    """Whether a model name is a preset, looks like a Hub id (the page then fetches its config), or neither."""
    name = str(data.get("model") or "").strip()
    preset = find_preset(name) if name else None
    # "org/.." would normalise out of the repository path in the resolve URL
    dots = any(part in (".", "..") for part in name.split("@")[0].split("/"))
    return {
        "preset": preset.model_id if preset else None,
        "hub_id": bool(name) and preset is None and not dots and bool(HUB_ID.match(name)),
        "suggestions": [] if preset else suggest_presets(name) if name else [],
    }


def _card_payload(card: Card, lang: str) -> dict[str, Any]:
    return {
        "card": card.to_dict(),
        "localized": {rid: _localized(r, lang) for rid, r in card.recipes.items()},
        "step_display": {rid: _steps_display(r, lang) for rid, r in card.recipes.items()},
        "key_display": _key_numbers_display(card, lang),
        "markdown": card_markdown(card),
        "decay": decay_curves(card),
        # each key number's evidence label (the panel law's where the card has one), as the CLI shows it
        "key_evidence_labels": {
            key: key_number_evidence(card, key)[0] for key in KEY_NUMBER_LABELS if card.key_numbers.get(key) is not None
        },
    }


@_respond
def profile_card(data: dict[str, Any]) -> dict[str, Any]:
    """The TAF Card (same core call as `taf profile`)."""
    spec = model_spec(data)
    options = CardOptions(
        T_eval=_number(data, "t_eval", integer=True, minimum=1),
        gamma_obs=_number(data, "gamma_obs"),
        gamma_random=_number(data, "gamma_random"),
        gamma_text=_number(data, "gamma_text"),
    )
    return _card_payload(profile(spec, options), _lang(data))


@_respond
def whatif(data: dict[str, Any]) -> dict[str, Any]:
    """The what-if slider: X-2 at another T_eval, computed by the core (never by JavaScript)."""
    spec = model_spec(data)
    T_eval = _number(data, "t_eval", integer=True, minimum=1)
    params: dict[str, Any] = {"T_eval": T_eval}
    gamma_obs = _number(data, "gamma_obs")
    if gamma_obs is not None:
        params["gamma_obs"] = gamma_obs
    result = run_recipe("X-2", params, model=spec)
    lang = _lang(data)
    return {
        "result": result.to_dict(),
        "localized": _localized(result, lang),
        "step_display": _steps_display(result, lang),
    }


@_respond
def compare_models(data: dict[str, Any]) -> dict[str, Any]:
    """2–3 models on one recipe (same core call as `taf compare`)."""
    requests = data.get("models")
    if not isinstance(requests, list) or not 2 <= len(requests) <= 3:
        raise UsageError("compare needs 2 or 3 models", "fill two or three model fields")
    specs = [model_spec(r if isinstance(r, dict) else {"model": r}) for r in requests]
    shared: dict[str, Any] = {}
    T_eval = _number(data, "t_eval", integer=True, minimum=1)
    if T_eval is not None:
        shared["T_eval"] = T_eval
    comparison = compare(specs, str(data.get("recipe") or "X-2"), shared)
    lang = _lang(data)
    return {
        "comparison": comparison.to_dict(),
        "localized": [_localized(result, lang) for _, result in comparison.rows],
        "step_display": [_steps_display(result, lang) for _, result in comparison.rows],
        "key_display": [
            {name: _number_display(value, "", lang) for name, value in result.key_numbers().items()}
            for _, result in comparison.rows
        ],
        "columns": comparison.key_number_columns(),
        "column_headers": [comparison.column_header(c) for c in comparison.key_number_columns()],
        "markdown": comparison_markdown(comparison),
    }


@_respond
def run_one_recipe(data: dict[str, Any]) -> dict[str, Any]:
    """One recipe from the generated form (values arrive as strings; the registry types and checks them)."""
    recipe = get_recipe(str(data.get("recipe") or ""))
    params = data.get("params") or {}
    if not isinstance(params, dict):
        raise UsageError("malformed parameters", "reload the page")
    params = {k: v for k, v in params.items() if v not in (None, "")}
    spec = model_spec(data) if data.get("model") or data.get("config_text") else None
    result = run_recipe(recipe.id, params, model=spec)
    lang = _lang(data)
    return {
        "result": result.to_dict(),
        "localized": _localized(result, lang),
        "step_display": _steps_display(result, lang),
        "markdown": result_markdown(result, "#"),
    }


@_respond
def inspect_config(data: dict[str, Any]) -> dict[str, Any]:
    """A pasted config.json: the normalised spec with sources, and its TAF Card."""
    text = data.get("config_text")
    if not isinstance(text, str) or not text.strip():
        raise UsageError("paste a config.json first", "copy it from the model's Hugging Face page")
    spec = model_spec({"model": str(data.get("model") or "pasted config"), "config_text": text})
    card = profile(spec, CardOptions(T_eval=_number(data, "t_eval", integer=True, minimum=1)))
    return {"spec": spec.to_dict(), **_card_payload(card, _lang(data))}


@_respond
def ask_question(data: dict[str, Any]) -> dict[str, Any]:
    """A plain-English question → recipe, parameters, verdict and the deterministic answer."""
    from tafagent.core.ask import ask

    question = str(data.get("question") or "").strip()
    if not question:
        raise UsageError("type a question first", "e.g. 'Will Llama-3-8B handle 32K context?'")
    lang = _lang(data)
    result = ask(question, language=lang)
    answer = result.to_dict()
    markdown = None
    if result.result is not None:
        answer["localized"] = _localized(result.result, lang)
        answer["step_display"] = _steps_display(result.result, lang)
        markdown = f"# {question}\n\n{result.answer or ''}\n\n{result_markdown(result.result, '##')}"
    if result.error:
        answer["error"] = result.error
    return {"answer": answer, "markdown": markdown}


@_respond
def phase_diagram(data: dict[str, Any]) -> dict[str, Any]:
    """Reference-panel measurements (log10 θ, measured γ) with the Padé curve and the user's model."""
    T = _number(data, "t_eval", integer=True, minimum=1)
    spec = model_spec(data) if data.get("model") or data.get("config_text") else None
    return phase_diagram_data(spec, T)


@_respond
def validation_summary(data: dict[str, Any]) -> dict[str, Any]:
    """Every predictive law against the shipped measurements (same as `taf validate`)."""
    from tafagent.core.validation import falsification_dashboard, validate

    report = validate()
    return {
        "snapshot": report.snapshot,
        "panel_counts": report.panel_counts,
        "rows": report.summary_rows(),
        "dashboard": falsification_dashboard().to_dict(),
    }


@_respond
def diagnose_command(data: dict[str, Any]) -> dict[str, Any]:
    """The `taf diagnose` command line for the options chosen in the form (quoted for a POSIX shell)."""
    import shlex

    model = str(data.get("model") or "").strip()
    if not model:
        raise UsageError("type a model id or a local path", "e.g. EleutherAI/pythia-70m")
    parts = ["taf", "diagnose", model]
    protocol = data.get("protocol") or "fast"
    if protocol not in PROTOCOLS:
        raise UsageError(f"unknown protocol '{protocol}'", "fast or reference")
    parts += ["--protocol", protocol]
    corpus = data.get("corpus") or "random"
    if corpus not in (*CORPORA, "both"):
        raise UsageError(f"unknown corpus '{corpus}'", "random, text or both")
    parts += ["--corpus", corpus]
    if data.get("fast"):
        parts.append("--fast")
    device = data.get("device") or "auto"
    if device not in ("auto", "cpu", "cuda", "mps"):
        raise UsageError(f"unknown device '{device}'", "auto, cpu, cuda or mps")
    if device != "auto":
        parts += ["--device", device]
    parts += ["--out", "diagnosis.json", "--plot", "decay.png"]
    return {"command": " ".join(shlex.quote(p) for p in parts)}


@_respond
def load_diagnosis_file(data: dict[str, Any]) -> dict[str, Any]:
    """A `taf diagnose --out` file (or v0.5.3's JSON): validated, and mapped onto the card's measured inputs
    exactly as `taf profile --diagnosis` maps it."""
    from tafagent.core.decay.diagnosis import Diagnosis

    raw = _file_json(data, "choose the JSON file written by `taf diagnose --out`")
    diagnosis = Diagnosis.from_any(raw)
    inputs: dict[str, Any] = {"model": diagnosis.model}
    if diagnosis.status != "no_attention":
        inputs.update(diagnosis.card_inputs())
    primary = diagnosis.primary
    fit = None if primary is None else primary.fit
    fit_points = [] if fit is None else [{"x": d, "y": fit.predict(d)} for d in sorted(primary.attn_by_distance)]
    return {"diagnosis": diagnosis.to_dict(), "card_inputs": inputs, "fit_points": fit_points}


@_respond
def check_import(data: dict[str, Any]) -> dict[str, Any]:
    """Validate an exported JSON file before the page re-runs it (never trusts its computed numbers)."""
    raw = _file_json(data, "choose a tafagent export")
    if not isinstance(raw, dict) or raw.get("_taf_export") is not True:
        raise ConfigError("this is not a tafagent export (no _taf_export marker)", "choose a file exported by the app")
    kind = raw.get("type")
    if kind not in EXPORT_KINDS:
        raise ConfigError(f"unknown export type {str(kind)[:20]!r}", "choose a file exported by the app")
    inputs = raw.get("inputs")
    if not isinstance(inputs, dict) or not all(isinstance(k, str) for k in inputs):
        raise ConfigError("the export has no valid 'inputs' object", "export it again")
    clean: dict[str, str] = {}
    for key, value in inputs.items():
        allowed = key in EXPORT_INPUTS[kind] or (kind == "recipe" and key.startswith("p.") and len(key) < 64)
        if not allowed:
            raise ConfigError(f"a {kind} export has no input {key[:40]!r}", "export it again")
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise ConfigError(f"input '{key}' must be text or a number", "export it again")
        if isinstance(value, str) and len(value) > 200_000:
            raise ConfigError(f"input '{key}' is too long", "export it again")
        clean[key] = value if isinstance(value, str) else repr(value)
    return {"type": kind, "inputs": clean, "exported_at": _one_line(str(raw.get("exported_at", "")), 40)}


@_respond
def localize_verdicts(data: dict[str, Any]) -> dict[str, Any]:
    """Verdict labels in a language (for tables that only carry verdict codes)."""
    lang = _lang(data)
    verdicts = data.get("verdicts") or []
    return {"labels": {v: verdict_label(v, lang) for v in verdicts if isinstance(v, str)}}


HANDLERS = {
    name: globals()[name]
    for name in (
        "boot",
        "classify",
        "profile_card",
        "whatif",
        "compare_models",
        "run_one_recipe",
        "inspect_config",
        "ask_question",
        "phase_diagram",
        "validation_summary",
        "diagnose_command",
        "load_diagnosis_file",
        "check_import",
        "localize_verdicts",
    )
}


def call(name: str, request: str = "{}") -> str:
    """The single entry point the page uses: ``call(handler_name, json_request)`` → JSON response."""
    handler = HANDLERS.get(name)
    if handler is None:
        return _dumps({"ok": False, "error": f"unknown action {name[:40]!r}"})
    return handler(request)
