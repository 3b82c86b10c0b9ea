"""Embedded presets: public ``config.json`` facts of popular models, resolved like any other config.

Each preset file (``data/presets/*.json``) holds the model's Hub id, case-insensitive aliases, the
config keys verbatim and a ``verification`` note saying how the values were checked. Presets go through
:func:`resolve_spec` like any pasted config.json, so a preset and its config give the same spec: facts from
outside the config (the real training length when max positions over-claim) live in the sourced table
``data/context_lengths.json``, which the resolver matches by id or architecture fingerprint
(:mod:`tafagent.core.spec.context_lengths`). An optional ``documented`` block is still honoured.

The reference system's own 11 presets (spec §2.11: nominal ``n_params``, ``has_SWA`` flags, T_train)
are kept verbatim in ``data/reference_presets_v053.json`` for the golden tests and for comparing
our exact values with theirs.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from tafagent.core.errors import ModelNotFoundError
from tafagent.core.messages import Msg
from tafagent.core.spec.model_spec import ModelSpec
from tafagent.core.spec.resolve import resolve_spec


@dataclass(frozen=True)
class Preset:
    """One embedded model: its id, aliases, raw config facts and provenance."""

    model_id: str
    aliases: tuple[str, ...]
    config: dict[str, Any]
    documented: dict[str, Any] | None
    verification: str

    @property
    def label(self) -> str:
        return self.model_id.rsplit("/", 1)[-1]

    def spec(self) -> ModelSpec:
        return _preset_spec(self.model_id)


def _normalise(name: str) -> str:
    """Loose key: lower case without separators (``Llama3-8B`` → ``llama38b``)."""
    return re.sub(r"[^a-z0-9.]", "", name.lower()).replace(".", "")


@cache
def _load() -> tuple[Preset, ...]:
    folder = resources.files("tafagent.core").joinpath("data/presets")
    presets = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".json"):
            continue
        data = json.loads(entry.read_text(encoding="utf-8"))
        presets.append(
            Preset(
                model_id=data["id"],
                aliases=tuple(a.lower() for a in data.get("aliases", ())),
                config=data["config"],
                documented=data.get("documented"),
                verification=data.get("verification", ""),
            )
        )
    return tuple(presets)


@cache
def _index() -> tuple[dict[str, Preset], dict[str, Preset]]:
    """Exact (lower-cased id, label, alias) and loose (normalised) lookup tables."""
    exact: dict[str, Preset] = {}
    loose: dict[str, Preset] = {}
    for preset in _load():
        names = (preset.model_id, preset.label, *preset.aliases)
        for name in names:
            exact.setdefault(name.lower(), preset)
            loose.setdefault(_normalise(name), preset)
    return exact, loose


def list_presets() -> tuple[Preset, ...]:
    """Every embedded preset, sorted by Hub id."""
    return _load()


def find_preset(name: str) -> Preset | None:
    """The preset named by an id, its last path segment or an alias (case- and separator-insensitive)."""
    exact, loose = _index()
    key = name.strip().lower()
    if key in exact:
        return exact[key]
    return loose.get(_normalise(key)) if _normalise(key) else None


def get_preset(name: str) -> Preset:
    """Like :func:`find_preset` but raises :class:`ModelNotFoundError` with suggestions."""
    preset = find_preset(name)
    if preset is None:
        suggestions = suggest_presets(name)
        hint = f"did you mean {', '.join(suggestions)}?" if suggestions else "run `taf presets` for the list"
        hint_msg = (
            Msg("cli.error.no_preset.did_you_mean", names=", ".join(suggestions))
            if suggestions
            else Msg("cli.error.no_preset.hint")
        )
        error = ModelNotFoundError(f"no preset named '{name}'", hint, suggestions=suggestions)
        raise error.in_words(Msg("cli.error.no_preset", name=name), hint_msg)
    return preset


def suggest_presets(name: str, limit: int = 3) -> list[str]:
    """Close preset names for a typo (by id, label and alias)."""
    exact, _ = _index()
    candidates = list(exact)
    matches = difflib.get_close_matches(name.strip().lower(), candidates, n=limit * 3, cutoff=0.6)
    seen: list[str] = []
    for match in matches:
        shown = match if match in exact[match].aliases else exact[match].model_id
        if shown not in seen:
            seen.append(shown)
    return seen[:limit]


@cache
def _preset_spec(model_id: str) -> ModelSpec:
    preset = find_preset(model_id)
    assert preset is not None
    return resolve_spec(preset.config, preset.model_id, documented=preset.documented)


@cache
def reference_presets_v053() -> dict[str, dict[str, Any]]:
    """The reference system's 11 presets (spec §2.11), verbatim: id → recipe inputs."""
    text = resources.files("tafagent.core").joinpath("data/reference_presets_v053.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return {k: v for k, v in data["presets"].items()}
