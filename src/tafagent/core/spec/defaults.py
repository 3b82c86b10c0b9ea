"""The config-class defaults of transformers, per model_type (packaged ``data/config_defaults.json``).

A key that is absent from a config.json takes the default of the model's transformers config class (e.g.
``Qwen2Config.use_sliding_window = False``); the table is generated from transformers by
``scripts/gen_config_defaults.py`` and read here through ``importlib.resources``.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def _config_defaults() -> dict[str, Any]:
    text = resources.files("tafagent.core").joinpath("data/config_defaults.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def transformers_defaults(model_type: str | None) -> tuple[dict[str, Any], str]:
    """The config-class defaults of ``model_type`` and a label naming their origin."""
    table = _config_defaults()
    if model_type is None or model_type not in table:
        return {}, ""
    entry = dict(table[model_type])
    origin = f"transformers {table['_transformers_version']} {entry.pop('_class')} default"
    return entry, origin
