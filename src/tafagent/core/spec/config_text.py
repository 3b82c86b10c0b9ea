"""config.json as text: the size limit, the Hub id patterns, the revision rules and the one JSON parser for configs.

Shared by every place a config enters (a local file, the Hub, a config pasted into the web page), so the
limits and messages are the same everywhere.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tafagent.core.errors import ConfigError
from tafagent.core.jsonsafe import JSONInputError, parse_bounded_json

MAX_CONFIG_BYTES = 16 * 1024 * 1024  # real config.json files are a few KB; refuse pathological input
_REPO = r"[A-Za-z0-9][\w.\-]*/[\w.\-]+"
REPO_ID = re.compile(rf"^{_REPO}$")  # org/name
# org/name[@revision]: routes MODEL to the Hub; the revision's own rules are checked by revision_problem,
# so that a bad revision gets a message about the revision, not "not a Hub id".
HUB_ID = re.compile(rf"^{_REPO}(@[\w.\-/]+)?$")

MAX_REVISION_CHARS = 200  # branch names, tags, refs/pr/N and 40-hex shas are far shorter
# Characters git forbids in a ref name (git check-ref-format), plus the backslash (a path separator on Windows).
_REF_FORBIDDEN = re.compile(r"[~^:?*\[\\]")


def revision_problem(revision: str) -> str | None:
    """Why ``revision`` cannot name a branch, tag or commit, or None when it can.

    The rules are git's for ref names (``git check-ref-format``), which every Hub revision obeys
    (``main``, ``v1.0``, ``refs/pr/12``, a 40-hex sha): no control characters or whitespace, none of
    ``~ ^ : ? * [ \\``, no ``..`` or ``@{``, no empty, ``.``-led or ``.lock`` path segment, no leading or
    trailing ``/`` or trailing ``.``. They also keep the value a safe relative path, because huggingface_hub
    writes ``refs/<revision>`` inside the Hub cache.
    """
    if len(revision) > MAX_REVISION_CHARS:
        return f"it is {len(revision)} characters long (at most {MAX_REVISION_CHARS})"
    return _character_problem(revision) or _shape_problem(revision)


def _character_problem(revision: str) -> str | None:
    """Characters and sequences git forbids anywhere in a ref name."""
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in revision):
        return "it contains whitespace or a control character"
    forbidden = _REF_FORBIDDEN.search(revision)
    if forbidden:
        return f"it contains '{forbidden.group()}'"
    for text in ("..", "@{"):
        if text in revision:
            return f"it contains '{text}'"
    return None


def _shape_problem(revision: str) -> str | None:
    """The ends and the ``/``-separated segments of a ref name."""
    if revision == "@":
        return "'@' alone is not a ref"
    if revision.startswith("/"):
        return "it starts with '/'"
    if revision.endswith(("/", ".")):
        return f"it ends with '{revision[-1]}'"
    for segment in revision.split("/"):
        if not segment:
            return "it has an empty path segment ('//')"
        if segment.startswith("."):
            return f"its path segment '{segment}' starts with '.'"
        if segment.endswith(".lock"):
            return f"its path segment '{segment}' ends with '.lock'"
    return None


def parse_config_text(text: str, origin: str) -> dict[str, Any]:
    """JSON text → dict; malformed or non-object JSON is a one-line ConfigError."""
    try:
        data = parse_bounded_json(text)
    except JSONInputError as exc:
        raise ConfigError(f"'{origin}' {exc.problem}: it cannot be a config", "pass a real config.json") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"'{origin}' is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
            "fix the file or download config.json again",
        ) from exc
    except RecursionError as exc:
        raise ConfigError(f"'{origin}' is nested too deeply to be a config", "pass a real config.json") from exc
    if not isinstance(data, dict):
        raise ConfigError(
            f"'{origin}' holds a JSON {type(data).__name__}, not an object", "a config.json is a JSON object {...}"
        )
    return data
