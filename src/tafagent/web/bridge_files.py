"""The files the browser page reads: an export to import again (checked, never trusted) and a `taf diagnose --out`
file (mapped onto the card's measured inputs exactly as `taf profile --diagnosis` maps it).

Each function takes the page's parsed request and returns the response body; :mod:`tafagent.web.bridge` wraps
them (one-line errors, strict JSON) and registers them under the names in :data:`FILE_FUNCTIONS`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tafagent.core.errors import ConfigError
from tafagent.web.request_fields import RESERVED_KEYS, file_json, shown

MAX_PARAMS = 64  # inputs of an export (a recipe form has under 20 fields)
MAX_EXPORT_INPUT_CHARS = 200_000  # a pasted config in an inspect export (base64)

# what each mode's export may carry as inputs (the share-URL parameters of that mode; p.<name> for recipes)
EXPORT_INPUTS = {
    "profile": ("model", "t_eval", "gamma_obs", "gamma_random"),
    "compare": ("m1", "m2", "m3", "recipe", "t_eval"),
    "recipe": ("recipe", "model"),
    "ask": ("q",),
    "inspect": ("config", "t_eval"),
    "phase": ("model", "t_eval"),
    "fit": (
        "model",
        "context",
        "batch",
        "engine",
        "gpu",
        "tp",
        "weights_dtype",
        "kv_dtype",
        "tokens_per_day",
        "concurrency",
        "max_ms_per_token",
        "plan_this_gpu",
    ),
    "extend": ("model", "target", "method"),
}
EXPORT_KINDS = tuple(EXPORT_INPUTS)


def load_diagnosis_file(data: dict[str, Any]) -> dict[str, Any]:
    """A `taf diagnose --out` file (or v0.5.3's JSON): validated, and mapped onto the card's measured inputs
    exactly as `taf profile --diagnosis` maps it."""
    from tafagent.core.decay.diagnosis import Diagnosis

    raw = file_json(data, "choose the JSON file written by `taf diagnose --out`")
    diagnosis = Diagnosis.from_any(raw)
    inputs: dict[str, Any] = {"model": diagnosis.model}
    if diagnosis.status != "no_attention":
        inputs.update(diagnosis.card_inputs())
    primary = diagnosis.primary
    fit = None if primary is None else primary.fit
    distances = [] if primary is None or fit is None else sorted(primary.attn_by_distance)
    fit_points = [{"x": d, "y": fit.predict(d)} for d in distances if fit is not None]
    return {"diagnosis": diagnosis.to_dict(), "card_inputs": inputs, "fit_points": fit_points}


def check_import(data: dict[str, Any]) -> dict[str, Any]:
    """Validate an exported JSON file before the page re-runs it (never trusts its computed numbers).

    The whole file is strict JSON (``strict_json``: no NaN, 1e400 or reserved key at any depth); each input is one
    the mode's share link has, text or a finite number, returned as text for the form it fills."""
    raw = file_json(data, "choose a tafagent export")
    if not isinstance(raw, dict) or raw.get("_taf_export") is not True:
        raise ConfigError("this is not a tafagent export (no _taf_export marker)", "choose a file exported by the app")
    kind = raw.get("type")
    if not isinstance(kind, str) or kind not in EXPORT_KINDS:
        raise ConfigError(f"unknown export type {shown(kind)}", "choose a file exported by the app")
    inputs = raw.get("inputs")
    if not isinstance(inputs, dict) or len(inputs) > MAX_PARAMS:
        raise ConfigError("the export has no valid 'inputs' object", "export it again")
    clean = {key: _export_input(kind, key, value) for key, value in inputs.items() if value is not None}
    exported_at = raw.get("exported_at", "")
    if not isinstance(exported_at, str):
        raise ConfigError(f"'exported_at' must be text, got {shown(exported_at)}", "export it again")
    return {"type": kind, "inputs": clean, "exported_at": " ".join(exported_at.split())[:40]}


_RECIPE_INPUT = re.compile(r"p\.[A-Za-z_][A-Za-z0-9_]{0,60}")  # p.<parameter name> of a recipe export


def _export_input(kind: str, key: str, value: Any) -> str:
    """One input of an export as the text its form field takes."""
    recipe_param = kind == "recipe" and bool(_RECIPE_INPUT.fullmatch(key)) and key[2:] not in RESERVED_KEYS
    if key not in EXPORT_INPUTS[kind] and not recipe_param:
        raise ConfigError(f"a {kind} export has no input {shown(key)}", "export it again")
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ConfigError(f"input '{key}' must be text or a number, got {shown(value)}", "export it again")
    if isinstance(value, str) and len(value) > MAX_EXPORT_INPUT_CHARS:
        raise ConfigError(f"input '{key}' is too long ({len(value):,} characters)", "export it again")
    return value if isinstance(value, str) else repr(value)  # finite: strict_json refused NaN and 1e400


# name the page calls → function(request) -> response
FILE_FUNCTIONS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "load_diagnosis_file": load_diagnosis_file,
    "check_import": check_import,
}
