"""Rendering helpers shared by every subcommand: JSON on stdout, rich tables for people."""

from __future__ import annotations

import json
import sys
from typing import Any

from tafagent.core.jsonsafe import json_safe


def emit_json(payload: Any) -> None:
    """Write ``payload`` as strict JSON (no NaN/Infinity) to stdout, and nothing else."""
    text = json.dumps(json_safe(payload), indent=2, ensure_ascii=False, allow_nan=False)
    sys.stdout.write(text + "\n")


def console() -> Any:
    """A rich Console on stdout; wide enough for tables when output is piped."""
    from rich.console import Console

    return Console(width=None if sys.stdout.isatty() else 120, highlight=False, soft_wrap=False)
