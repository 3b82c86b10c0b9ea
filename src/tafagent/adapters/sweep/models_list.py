"""The models file of ``taf sweep``: one model per line, a Hub id (``org/name``), a preset name or a local directory.

``#`` starts a comment (a whole line, or after the model), blank lines are skipped, a model listed twice is
measured once. A relative directory is read relative to the models file's folder, so the file can travel with
its models. Each model gets a file-safe name (``org/name`` → ``org__name``; a directory → its folder name) that
names its result files; two models that would share one are refused with both line numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tafagent.adapters.files import is_directory, read_text_file, user_path
from tafagent.core.errors import UsageError
from tafagent.core.spec.config_text import HUB_ID
from tafagent.core.spec.presets import find_preset

__all__ = ["MAX_MODELS_FILE_BYTES", "ModelEntry", "parse_models", "read_models", "safe_name"]

MAX_MODELS_FILE_BYTES = 1024 * 1024
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
HINT = "one model per line: a Hub id (org/name), a preset or a local model directory; # starts a comment"


@dataclass(frozen=True)
class ModelEntry:
    """One model of the sweep: what to load (``ref``), where it was listed and the name of its result files."""

    ref: str  # a Hub id or preset as written, or the absolute path of a local directory
    line: int
    name: str  # file-safe: DIR/<name>.<corpus>.json
    local: bool

    def to_dict(self) -> dict[str, object]:
        return {"model": self.ref, "line": self.line, "name": self.name, "local": self.local}


def safe_name(ref: str, local: bool) -> str:
    """A file name for a model: ``EleutherAI/pythia-70m`` → ``EleutherAI__pythia-70m``; a directory → its name."""
    text = Path(ref).name if local else ref.replace("/", "__")
    cleaned = _UNSAFE.sub("_", text).strip("._") or "model"
    return cleaned[:150]


def _entry(text: str, line: int, base: Path, source: str) -> ModelEntry:
    if any(c.isspace() for c in text):
        raise UsageError(f"{source} line {line}: {text!r} holds a space; a model name or path cannot", HINT)
    path = user_path(text)
    path = path if path.is_absolute() else base / path
    if is_directory(path):
        resolved = str(path.resolve())
        return ModelEntry(resolved, line, safe_name(resolved, True), True)
    looks_like_path = text.startswith((".", "/", "~")) or text.endswith("/") or "\\" in text or text.count("/") > 1
    if looks_like_path:
        raise UsageError(f"{source} line {line}: directory '{text}' does not exist (looked in {path})", HINT)
    if find_preset(text) is None and not HUB_ID.match(text):
        raise UsageError(
            f"{source} line {line}: {text!r} is not a Hub id (org/name), a preset or a local directory "
            f"(no folder {path})",
            HINT,
        )
    return ModelEntry(text, line, safe_name(text, False), False)


def parse_models(text: str, base: Path, source: str = "models file") -> tuple[ModelEntry, ...]:
    """The models of a models file's text, in order, each once; UsageError (one line, naming the line) otherwise."""
    entries: list[ModelEntry] = []
    seen_refs: set[str] = set()
    names: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        content = raw.split("#", 1)[0].strip()
        if not content:
            continue
        entry = _entry(content, number, base, source)
        if entry.ref in seen_refs:
            continue  # listed twice: measured once
        if entry.name.lower() in names:  # case-insensitive file systems would merge them too
            first = names[entry.name.lower()]
            raise UsageError(
                f"{source} lines {first} and {number} both save as '{entry.name}'",
                "rename one of the model directories, or list each model once",
            )
        seen_refs.add(entry.ref)
        names[entry.name.lower()] = number
        entries.append(entry)
    if not entries:
        raise UsageError(f"{source} lists no models", HINT)
    return tuple(entries)


def read_models(path: Path) -> tuple[ModelEntry, ...]:
    """Read and parse a models file (see :func:`parse_models`)."""
    text = read_text_file(path, "models file", MAX_MODELS_FILE_BYTES, HINT)
    return parse_models(text, path.expanduser().resolve().parent, source=f"'{path}'")
