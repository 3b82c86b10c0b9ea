"""Resolve a MODEL argument to a ModelSpec: preset/alias → local config → Hugging Face Hub id.

The order is fixed (DESIGN.md): an embedded preset or alias (case-insensitive) wins, then a local
directory holding ``config.json`` or a path to a ``.json`` file, then a Hub id. Everything that can
go wrong becomes a one-line :class:`TafError` with a fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tafagent.adapters.files import exists, is_directory, read_text_file, user_path
from tafagent.core.errors import ModelNotFoundError, UsageError
from tafagent.core.messages import Msg
from tafagent.core.spec.config_text import HUB_ID, MAX_CONFIG_BYTES, parse_config_text
from tafagent.core.spec.model_spec import ModelSpec
from tafagent.core.spec.presets import find_preset, suggest_presets
from tafagent.core.spec.resolve import resolve_spec


def load_spec(model: str, *, revision: str | None = None, token: str | None = None) -> ModelSpec:
    """The :class:`ModelSpec` for a preset name, a local config path or a Hub id (``org/name[@revision]``).

    A preset asked for at a ``revision`` is read from the Hub under its repo id (presets describe ``main``).
    ``token`` (else ``HF_TOKEN`` or the saved login) is sent to the Hub only.
    """
    name = model.strip()
    if not name:
        raise ModelNotFoundError(
            "empty model name", "give a preset (see `taf presets`), a config.json path or a Hub id"
        ).in_words(Msg("cli.error.empty_model"), Msg("cli.error.empty_model.hint"))
    wants_revision = bool(revision and revision.strip())
    preset = find_preset(name)
    if preset is not None and not wants_revision:
        return preset.spec()
    path = user_path(name)
    if is_directory(path) or name.endswith(".json") or exists(path):  # a name the OS refuses is no path
        if wants_revision:
            raise UsageError(f"--revision applies to Hub ids, not to the local config '{name}'", "drop --revision")
        return spec_from_path(path)
    if preset is not None:
        return _from_hub(preset.model_id, revision=revision, token=token)
    if HUB_ID.match(name):
        return _from_hub(name, revision=revision, token=token)
    suggestions = suggest_presets(name)
    hint = (f"did you mean {', '.join(suggestions)}? " if suggestions else "") + (
        "use a preset from `taf presets`, a path to config.json, or a Hub id like org/name"
    )
    hint_msg = Msg("cli.error.not_a_model.hint")
    if suggestions:
        hint_msg = Msg("cli.error.did_you_mean", names=", ".join(suggestions), hint=hint_msg)
    error = ModelNotFoundError(f"'{name}' is not a preset, a local config or a Hub id", hint, suggestions=suggestions)
    raise error.in_words(Msg("cli.error.not_a_model", name=name), hint_msg)


def spec_from_path(path: Path) -> ModelSpec:
    """Read ``config.json`` from a directory or a ``.json`` file and resolve it."""
    folder = is_directory(path)
    config_path = path / "config.json" if folder else path
    if not exists(config_path):
        where = f"directory '{path}' has no config.json" if folder else f"file '{path}' does not exist"
        where_msg = Msg("cli.error.no_config_in_dir" if folder else "cli.error.no_such_file", path=str(path))
        error = ModelNotFoundError(where, "pass a directory holding config.json or the path of a .json config")
        raise error.in_words(where_msg, Msg("cli.error.config_path.hint"))
    raw = read_config_file(config_path)
    return resolve_spec(raw, str(path))


def read_config_file(config_path: Path) -> dict[str, Any]:
    """Parse a config file as a JSON object, with clear errors for size, encoding and syntax."""
    text = read_text_file(config_path, "config file", MAX_CONFIG_BYTES, "pass the model's config.json")
    return parse_config_text(text, str(config_path))


def _from_hub(model_id: str, *, revision: str | None, token: str | None) -> ModelSpec:
    """Fetch the config (and checkpoint headers) of a Hub repo through :mod:`tafagent.adapters.hub.loader`."""
    # huggingface_hub is imported only when a Hub id is asked for
    from tafagent.adapters.hub.loader import load_hub_spec

    return load_hub_spec(model_id, revision=revision, token=token)
