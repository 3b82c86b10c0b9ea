"""The browser app's interface to the core, executed inside Pyodide.

Every function takes a JSON string and returns a JSON string ``{"ok": true, ...}`` or
``{"ok": false, "error": "<one line with the fix>"}``: the JavaScript shell never evaluates Python
source built from user input and never computes a number itself. This module is an interface (like the
CLI): it validates what the page sends, calls one core function and shapes the result for rendering.

Everything in a request (URL parameters, form fields and uploaded files all arrive as requests) is checked at the
edge, by :mod:`tafagent.web.request_fields`, before the core sees it: strict JSON, each field of its type, length and
range, one line naming the field, the value and the fix when it is not.
"""

from __future__ import annotations

import json
import math
import re
import shlex
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
from tafagent.core.recipes import get_recipe, list_recipes, run_recipe
from tafagent.core.recipes.base import Recipe
from tafagent.core.render.card_text import card_texts, key_number_rows, result_texts
from tafagent.core.render.card_text import panel_text as card_panel_text
from tafagent.core.render.charts import decay_curves, phase_diagram_data
from tafagent.core.render.format import NUMBER_DECIMAL, NUMBER_GROUP, fmt, localise_number
from tafagent.core.render.report import (
    KEY_NUMBER_LABELS,
    NONE_ACTIONS,
    card_markdown,
    comparison_markdown,
    result_markdown,
    step_result_text,
)
from tafagent.core.spec.config_text import HUB_ID, parse_config_text
from tafagent.core.spec.model_spec import ModelSpec
from tafagent.core.spec.presets import find_preset, list_presets, suggest_presets
from tafagent.core.spec.resolve import resolve_spec
from tafagent.web.bridge_files import FILE_FUNCTIONS
from tafagent.web.bridge_serving import SERVING_FUNCTIONS
from tafagent.web.request_fields import (
    RESERVED_KEYS,
    check_tree,
    choice_field,
    cut,
    flag_field,
    lang_field,
    name_field,
    number_field,
    shown,
    strict_json,
    text_field,
)

MAX_TEXT_BYTES = 2 * 1024 * 1024  # pasted configs, imported exports, diagnosis files
MAX_PATH_CHARS = 4096  # a local model folder for `taf diagnose` (PATH_MAX on Linux)
MAX_ID_CHARS = 40  # a recipe id or a verdict code
MAX_PARAMS = 64  # recipe form fields (the largest recipe has under 20)
MAX_PARAM_CHARS = 200  # one form field: a number, a GPU or an API name
MAX_VERDICTS = 100
DIAGNOSE_DEVICES = ("auto", "cpu", "cuda", "mps")
# A number as the core's fmt writes it ('8,192', '0.9547', '1.234e-04'): the part of a display text that gets the
# language's marks, while the words and units around it ('B (', ' GB, ') keep theirs.
FORMATTED_NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?(?:e[+-]\d+)?")


def _respond(func: Callable[[dict[str, Any]], dict[str, Any]]) -> Callable[[str], str]:
    """Wrap a handler: parse the request, turn project errors into one-line messages, emit strict JSON."""

    def handler(request: str = "{}") -> str:
        try:
            if len(request.encode("utf-8")) > MAX_TEXT_BYTES:
                raise UsageError("the request is too large (over 2 MB)", "paste a config.json, not weights")
            data = strict_json(request or "{}", "reload the page", "the request")
            if not isinstance(data, dict):
                raise UsageError("malformed request", "reload the page")
            return _dumps({"ok": True, **func(data)})
        except TafError as error:
            return _dumps({"ok": False, "error": _one_line(error.one_line(), 400)})
        except (ValueError, TypeError, KeyError) as error:  # a malformed request from the page itself
            return _dumps({"ok": False, "error": _one_line(f"invalid input: {error}")})
        except RecursionError:  # a nesting the depth check did not reach first
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


def model_spec(data: dict[str, Any]) -> ModelSpec:
    """The ModelSpec a request names: a config the page fetched from the Hub or had pasted, else a preset.

    The pure steps are the core's, shared with the CLI's ``tafagent.adapters.sources.load_spec``
    (``find_preset``, ``parse_config_text``, ``resolve_spec``, ``suggest_presets``); what differs is only where a
    config comes from: the page fetches Hub configs itself and sends their text, and it has no file system.
    """
    name = name_field(data)
    config_text = text_field(data, "config_text", MAX_TEXT_BYTES)
    if config_text.strip():
        return _spec_from_config_text(config_text, name)
    return _preset_spec(name)


def _names_a_model(data: dict[str, Any]) -> bool:
    return bool(name_field(data) or text_field(data, "config_text", MAX_TEXT_BYTES).strip())


def _spec_from_config_text(config_text: str, name: str) -> ModelSpec:
    raw = parse_config_text(config_text, name or "pasted config.json")
    check_tree(
        raw, "fix the config.json or download it again", "the config"
    )  # what the CLI's resolver would not read either
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
        # each recipe's description and parameter help and units in every language (`taf recipe --list --lang`)
        "recipe_texts": {lang: {r.id: _recipe_form_texts(r, lang) for r in list_recipes()} for lang in LANGUAGES},
        "recipe_names": {
            lang: {r.id: r.name if lang == "en" else recipe_label(r.id, lang, r.name) for r in list_recipes()}
            for lang in LANGUAGES
        },
        "gpus": [g.name for g in catalogs.gpus],
        "apis": [a.name for a in catalogs.apis],
        "catalog_dates": {"gpus": catalogs.gpu_as_of, "apis": catalogs.api_as_of},
    }


def _recipe_form_texts(recipe: Recipe, lang: str) -> dict[str, Any]:
    """What the Pick recipe form says of a recipe and its parameters, in ``lang``."""
    from tafagent.core.audit import unit_text
    from tafagent.core.recipes.base import param_help, recipe_description

    return {
        "description": recipe_description(recipe, lang),
        "help": {p.name: param_help(p, lang, recipe.id) for p in recipe.params},
        "units": {p.name: unit_text(p.unit, lang) for p in recipe.params if p.unit},
    }


@_respond
def classify(data: dict[str, Any]) -> dict[str, Any]:
    """Whether a model name is a preset, looks like a Hub id (the page then fetches its config), or neither."""
    name = name_field(data)
    preset = find_preset(name) if name else None
    # "org/.." would normalise out of the repository path in the resolve URL
    dots = any(part in (".", "..") for part in name.split("@")[0].split("/"))
    return {
        "preset": preset.model_id if preset else None,
        "hub_id": bool(name) and preset is None and not dots and bool(HUB_ID.match(name)),
        "suggestions": [] if preset else suggest_presets(name) if name else [],
    }


def _key_texts(card: Card, lang: str) -> dict[str, dict[str, Any]]:
    """Each key number's label, evidence and panel line in ``lang``, by key (``taf profile``'s rows)."""
    keys = [key for key in KEY_NUMBER_LABELS if card.key_numbers.get(key) is not None]
    return {
        key: {"label": label, "evidence": evidence, "panel": card_panel_text(panel, lang)}
        for key, (label, _, evidence, panel) in zip(keys, key_number_rows(card, lang), strict=True)
    }


def _card_payload(card: Card, lang: str) -> dict[str, Any]:
    from tafagent.core.memory.report import position_limit

    texts = card_texts(card, lang)
    return {
        "card": card.to_dict(),
        # every text the card shows, in the page's language (the CLI's `taf profile --lang`): architecture class,
        # head, summary, measurements, diagnostics, falsifiers, and per recipe the chain's names, results,
        # evidence, panel lines and meanings and the caveats as sentences
        "texts": texts,
        "key_texts": _key_texts(card, lang),
        # the what-if slider reaches the model's position limit (None: no limit is known)
        "position_limit": position_limit(card.model).tokens,
        "localized": {rid: _localized(r, lang) for rid, r in card.recipes.items()},
        "step_display": {rid: _steps_display(r, lang) for rid, r in card.recipes.items()},
        "key_display": _key_numbers_display(card, lang),
        "markdown": card_markdown(card),
        "decay": decay_curves(card),
    }


@_respond
def profile_card(data: dict[str, Any]) -> dict[str, Any]:
    """The TAF Card (same core call as `taf profile`)."""
    spec = model_spec(data)
    options = CardOptions(
        T_eval=number_field(data, "t_eval", integer=True, minimum=1),
        gamma_obs=number_field(data, "gamma_obs"),
        gamma_random=number_field(data, "gamma_random"),
        gamma_text=number_field(data, "gamma_text"),
    )
    return _card_payload(profile(spec, options), lang_field(data))


@_respond
def whatif(data: dict[str, Any]) -> dict[str, Any]:
    """The what-if slider: X-2 at another T_eval, computed by the core (never by JavaScript)."""
    spec = model_spec(data)
    T_eval = number_field(data, "t_eval", integer=True, minimum=1)
    params: dict[str, Any] = {"T_eval": T_eval}
    gamma_obs = number_field(data, "gamma_obs")
    if gamma_obs is not None:
        params["gamma_obs"] = gamma_obs
    result = run_recipe("X-2", params, model=spec)
    lang = lang_field(data)
    return {
        "result": result.to_dict(),
        "localized": _localized(result, lang),
        "step_display": _steps_display(result, lang),
        "texts": result_texts(result, lang),
    }


@_respond
def compare_models(data: dict[str, Any]) -> dict[str, Any]:
    """2–3 models on one recipe (same core call as `taf compare`)."""
    requests = data.get("models")
    if not isinstance(requests, list) or not 2 <= len(requests) <= 3:
        raise UsageError("compare needs 2 or 3 models", "fill two or three model fields")
    if not all(isinstance(r, (dict, str)) for r in requests):
        raise UsageError("each model must be a name or {model, config_text}", "reload the page")
    specs = [model_spec(r if isinstance(r, dict) else {"model": r}) for r in requests]
    shared: dict[str, Any] = {}
    T_eval = number_field(data, "t_eval", integer=True, minimum=1)
    if T_eval is not None:
        shared["T_eval"] = T_eval
    comparison = compare(specs, text_field(data, "recipe", MAX_ID_CHARS) or "X-2", shared)
    lang = lang_field(data)
    return {
        "comparison": comparison.to_dict(),
        "localized": [_localized(result, lang) for _, result in comparison.rows],
        "step_display": [_steps_display(result, lang) for _, result in comparison.rows],
        "texts": [result_texts(result, lang) for _, result in comparison.rows],
        "key_display": [
            {name: _number_display(value, "", lang) for name, value in result.key_numbers().items()}
            for _, result in comparison.rows
        ],
        "columns": comparison.key_number_columns(),
        "column_headers": [comparison.column_header(c, lang) for c in comparison.key_number_columns()],
        "markdown": comparison_markdown(comparison),
    }


@_respond
def run_one_recipe(data: dict[str, Any]) -> dict[str, Any]:
    """One recipe from the generated form (values arrive as strings; the registry types and checks them)."""
    recipe = get_recipe(text_field(data, "recipe", MAX_ID_CHARS))
    params = _form_params(recipe, data.get("params"))
    spec = model_spec(data) if _names_a_model(data) else None
    result = run_recipe(recipe.id, params, model=spec)
    lang = lang_field(data)
    return {
        "result": result.to_dict(),
        "localized": _localized(result, lang),
        "step_display": _steps_display(result, lang),
        "texts": result_texts(result, lang),
        "markdown": result_markdown(result, "#"),
    }


def _form_params(recipe: Recipe, params: Any) -> dict[str, Any]:
    """The form's filled fields: short texts, finite numbers or yes/no (the registry then types and checks them);
    a number typed as text is ASCII digits, as for `taf recipe --set`."""
    if params is None:
        return {}
    if not isinstance(params, dict) or len(params) > MAX_PARAMS:
        raise UsageError("malformed parameters", "reload the page")
    clean: dict[str, Any] = {}
    for name, value in params.items():
        if value is None or value == "":
            continue
        param = recipe.param(name) if len(name) <= MAX_ID_CHARS else None
        where = f"parameter '{cut(name)}' of {recipe.id}"
        if isinstance(value, str) and len(value) > MAX_PARAM_CHARS:
            raise ConfigError(f"{where} is too long: {shown(value)}", "shorten it", field=name)
        if isinstance(value, str) and param is not None and param.kind in ("int", "float") and not value.isascii():
            raise ConfigError(
                f"{where} must be a number (ASCII digits 0-9), got {shown(value)}", "retype it", field=name
            )
        if not isinstance(value, (str, int, float)):
            raise ConfigError(f"{where} must be text, a number or true/false, got {shown(value)}", "fix the field")
        clean[name] = value
    return clean


@_respond
def recipe_model_values(data: dict[str, Any]) -> dict[str, Any]:
    """What "Fill from a model" puts in the Pick recipe form: the values the recipe takes from the model (the same
    ``model_inputs`` the core's run_recipe reads), by parameter name."""
    from tafagent.core.recipes.base import model_inputs

    recipe = get_recipe(text_field(data, "recipe", MAX_ID_CHARS))
    spec = model_spec(data)
    values = model_inputs(spec)
    return {
        "model": spec.model_id,
        "values": {
            p.name: values[p.from_model] for p in recipe.params if p.from_model and values.get(p.from_model) is not None
        },
    }


@_respond
def inspect_config(data: dict[str, Any]) -> dict[str, Any]:
    """A pasted config.json: the normalised spec with sources, and its TAF Card."""
    text = text_field(data, "config_text", MAX_TEXT_BYTES)
    if not text.strip():
        raise UsageError("paste a config.json first", "copy it from the model's Hugging Face page")
    spec = model_spec({"model": name_field(data) or "pasted config", "config_text": text})
    card = profile(spec, CardOptions(T_eval=number_field(data, "t_eval", integer=True, minimum=1)))
    return {"spec": spec.to_dict(), **_card_payload(card, lang_field(data))}


@_respond
def ask_question(data: dict[str, Any]) -> dict[str, Any]:
    """A plain-English question → recipe, parameters, verdict and the deterministic answer."""
    from tafagent.core.ask import ask

    # any length: the core reads the first 2,000 characters and says so in `assumed` (as `taf ask` does)
    question = text_field(data, "question", MAX_TEXT_BYTES).strip()
    if not question:
        raise UsageError("type a question first", "e.g. 'Will Llama-3-8B handle 32K context?'")
    lang = lang_field(data)
    result = ask(question, language=lang)
    answer = result.to_dict()
    markdown = None
    if result.result is not None:
        answer["localized"] = _localized(result.result, lang)
        answer["step_display"] = _steps_display(result.result, lang)
        answer["texts"] = result_texts(result.result, lang)
        markdown = f"# {question}\n\n{result.answer or ''}\n\n{result_markdown(result.result, '##')}"
    if result.error:
        answer["error"] = result.error
    return {"answer": answer, "markdown": markdown}


@_respond
def phase_diagram(data: dict[str, Any]) -> dict[str, Any]:
    """Reference-panel measurements (log10 θ, measured γ) with the Padé curve and the user's model."""
    T = number_field(data, "t_eval", integer=True, minimum=1)
    spec = model_spec(data) if _names_a_model(data) else None
    return phase_diagram_data(spec, T)


@_respond
def validation_summary(data: dict[str, Any]) -> dict[str, Any]:
    """Every predictive law against the shipped measurements (same as `taf validate`), with the law titles and the
    falsifiers' claims in the page's language where the catalogs have them (``title_text``, ``claim_text``); the
    dashboard's evidence cells are generated from the panel's own English files, as in `taf validate`."""
    from tafagent.core.messages import catalog
    from tafagent.core.validation import falsification_dashboard, validate
    from tafagent.core.validation.comparison import validation_text

    lang = lang_field(data)
    report = validate()
    rows = [{**row, "title_text": validation_text(row["title"], lang)} for row in report.summary_rows()]
    dashboard = falsification_dashboard().to_dict()
    words = catalog(lang) if lang != "en" else {}  # English: the dashboard's own words
    for claim in dashboard.get("claims", []):
        claim["claim_text"] = words.get(f"card.falsifier.{claim['id']}.claim", claim["claim"])
    return {"snapshot": report.snapshot, "panel_counts": report.panel_counts, "rows": rows, "dashboard": dashboard}


@_respond
def diagnose_command(data: dict[str, Any]) -> dict[str, Any]:
    """The `taf diagnose` command line for the options chosen in the form (quoted for a POSIX shell).

    Every value is checked before it is inserted: the options come from fixed lists, and the model may not
    start with '-', which `taf diagnose` would read as an option (``--trust-remote-code``) even when quoted.
    Refusing it keeps the command in its documented shape (``taf diagnose MODEL --protocol …``); argparse would
    also accept ``-- MODEL`` at the end, but a Hub id never starts with '-' and a folder that does is ``./-name``.
    """
    model = name_field(data, limit=MAX_PATH_CHARS)
    if not model:
        raise UsageError("type a model id or a local path", "e.g. EleutherAI/pythia-70m")
    if model.startswith("-"):
        raise UsageError(
            f"the model {shown(model)} starts with '-', which `taf diagnose` would read as an option",
            "give a Hub id (org/name) or a folder path (./-name for a folder whose name starts with '-')",
        )
    parts = ["taf", "diagnose", model]
    parts += ["--protocol", choice_field(data, "protocol", PROTOCOLS, "fast")]
    parts += ["--corpus", choice_field(data, "corpus", (*CORPORA, "both"), "random")]
    if flag_field(data, "fast"):
        parts.append("--fast")
    device = choice_field(data, "device", DIAGNOSE_DEVICES, "auto")
    if device != "auto":
        parts += ["--device", device]
    parts += ["--out", "diagnosis.json", "--plot", "decay.png"]
    return {"command": " ".join(shlex.quote(p) for p in parts)}


@_respond
def localize_verdicts(data: dict[str, Any]) -> dict[str, Any]:
    """Verdict labels in a language (for tables that only carry verdict codes)."""
    lang = lang_field(data)
    verdicts = data.get("verdicts")
    verdicts = [] if verdicts is None else verdicts
    if not isinstance(verdicts, list) or len(verdicts) > MAX_VERDICTS:
        raise UsageError(f"'verdicts' must be a list of at most {MAX_VERDICTS} codes", "reload the page")
    for verdict in verdicts:
        if not isinstance(verdict, str) or len(verdict) > MAX_ID_CHARS or verdict in RESERVED_KEYS:
            raise UsageError(f"{shown(verdict)} is not a verdict code", "reload the page")
    return {"labels": {v: verdict_label(v, lang) for v in verdicts}}


HANDLERS = {
    name: globals()[name]
    for name in (
        "boot",
        "classify",
        "profile_card",
        "whatif",
        "compare_models",
        "run_one_recipe",
        "recipe_model_values",
        "inspect_config",
        "ask_question",
        "phase_diagram",
        "validation_summary",
        "diagnose_command",
        "localize_verdicts",
    )
}
# The serving modes' handlers (Fit & plan, Extend) and the file readers (imports, diagnosis files) live in their
# own modules, wrapped alike.
HANDLERS.update({name: _respond(func) for name, func in {**SERVING_FUNCTIONS, **FILE_FUNCTIONS}.items()})


def call(name: str, request: str = "{}") -> str:
    """The single entry point the page uses: ``call(handler_name, json_request)`` → JSON response."""
    handler = HANDLERS.get(name)
    if handler is None:
        return _dumps({"ok": False, "error": f"unknown action {name[:40]!r}"})
    return handler(request)
