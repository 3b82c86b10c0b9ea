"""Translatable result texts: a message key plus typed parameters, rendered in EN, ES, FR or ZH.

Recipes say *what* to tell the user (``Msg("x2.yes.reason", T_eval=32000, dh=47781.0, margin=33.0)``);
the templates in ``data/i18n/recipes_<lang>.json`` say *how*, with Python format specs for every number
(``{dh:,.0f}``), so a number reads the same in every language and in the audit chain. English is the
fallback for a missing key; a test fails if any language lacks a key or a placeholder.
"""

from __future__ import annotations

import json
import string
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

LANGUAGES = ("en", "es", "fr", "zh")


@cache
def catalog(lang: str) -> dict[str, str]:
    """The recipe message templates of one language."""
    if lang not in LANGUAGES:
        lang = "en"
    path = resources.files("tafagent.core").joinpath(f"data/i18n/recipes_{lang}.json")
    if not path.is_file():  # a language being added falls back to English key by key
        return {}
    data: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
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
        return template.format(**values)

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


def placeholders(template: str) -> set[str]:
    """The field names a template uses (for the completeness test)."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def recipe_label(recipe_id: str, lang: str = "en", default: str = "") -> str:
    """A recipe's name in the user's language (the registry's English name in English)."""
    return catalog(lang).get(f"recipe.{recipe_id}") or default or recipe_id


def verdict_label(verdict: str, lang: str = "en") -> str:
    """The verdict in the user's language (the verdict code itself stays English in JSON)."""
    return catalog(lang).get(f"verdict.{verdict}") or verdict
