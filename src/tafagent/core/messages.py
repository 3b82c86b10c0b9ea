"""Translatable result texts: a message key plus typed parameters, rendered in EN, ES, FR or ZH.

Recipes say *what* to tell the user (``Msg("x2.yes.reason", T_eval=32000, dh=47781.0, margin=33.0)``);
the templates in ``data/i18n/recipes_<lang>.json`` say *how*, with Python format specs for every number
(``{dh:,.0f}``): the same digits as the audit chain in every language, written with the language's grouping
and decimal marks ("47 781" and "0,937" in Spanish and French, as the plain-language answers write them).
English is the fallback for a missing key; a test fails if any language lacks a key or a placeholder.
"""

from __future__ import annotations

import json
import string
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from tafagent.core.render.format import localise_number

LANGUAGES = ("en", "es", "fr", "zh")
# Number marks per language: Spanish and French group with a narrow no-break space and use a decimal comma
# ("8 192", "0,937"); a French reader would take "8,192" for eight and a bit.


class _NumberFormatter(string.Formatter):
    """str.format that writes every *number* field with the language's marks (text fields stay as they are)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        text = super().format_field(value, format_spec)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return localise_number(text, self.lang)
        return text


# The message files of each language, merged into one catalog (keys are namespaced, so no two files share one):
# the recipes' texts; the capabilities' (memory, plan, launch, ...) as ask answers them; the card, the audit chain
# and the model facts around it (evidence labels, architecture classes, diagnostics, falsifiers); the serving tables
# (memory, plan, extend, launch); the laws and the validation report (law names and claims, panel statistics); and
# the command line's own labels and error hints.
CATALOG_FILES = ("recipes", "capabilities", "card", "serving", "laws", "cli")


@cache
def catalog(lang: str) -> dict[str, str]:
    """The message templates of one language (every file of :data:`CATALOG_FILES`, merged)."""
    if lang not in LANGUAGES:
        lang = "en"
    data: dict[str, str] = {}
    for name in CATALOG_FILES:
        path = resources.files("tafagent.core").joinpath(f"data/i18n/{name}_{lang}.json")
        if path.is_file():  # a language being added falls back to English key by key
            data.update(json.loads(path.read_text(encoding="utf-8")))
    return data


@dataclass(frozen=True)
class Msg:
    """A message key with its parameters; parameters may themselves be messages (rendered alike)."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)

    def __init__(self, key: str, **params: Any) -> None:
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "params", params)

    def text(self, lang: str = "en") -> str:
        template = catalog(lang).get(self.key) or catalog("en")[self.key]
        values = {k: (v.text(lang) if isinstance(v, Msg) else v) for k, v in self.params.items()}
        return _NumberFormatter(lang).format(template, **values)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "params": {k: (v.to_dict() if isinstance(v, Msg) else v) for k, v in self.params.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Msg:
        params = {
            k: (cls.from_dict(v) if isinstance(v, dict) and "key" in v else v)
            for k, v in data.get("params", {}).items()
        }
        return cls(data["key"], **params)


def tr(key: str, lang: str = "en", **params: Any) -> str:
    """The catalog text ``key`` in ``lang`` with ``params`` filled in (English where the language lacks it)."""
    return Msg(key, **params).text(lang)


def placeholders(template: str) -> set[str]:
    """The field names a template uses (for the completeness test)."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def recipe_label(recipe_id: str, lang: str = "en", default: str = "") -> str:
    """A recipe's name in the user's language (the registry's English name in English)."""
    return catalog(lang).get(f"recipe.{recipe_id}") or default or recipe_id


def verdict_label(verdict: str, lang: str = "en") -> str:
    """The verdict in the user's language (the verdict code itself stays English in JSON)."""
    return catalog(lang).get(f"verdict.{verdict}") or verdict
