"""config.json as text: the size limit, the Hub id patterns and the one JSON parser for configs.

Shared by every place a config enters (a local file, the Hub, a config pasted into the web page), so the
limits and messages are the same everywhere.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tafagent.core.errors import ConfigError

MAX_CONFIG_BYTES = 16 * 1024 * 1024  # real config.json files are a few KB; refuse pathological input
_REPO = r"[A-Za-z0-9][\w.\-]*/[\w.\-]+"
REPO_ID = re.compile(rf"^{_REPO}$")  # org/name
HUB_ID = re.compile(rf"^{_REPO}(@[\w.\-/]+)?$")  # org/name[@revision]


def parse_config_text(text: str, origin: str) -> dict[str, Any]:
    """JSON text → dict; malformed or non-object JSON is a one-line ConfigError."""
    try:
        data = json.loads(text)
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
