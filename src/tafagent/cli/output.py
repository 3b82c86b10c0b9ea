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


def fmt_count(n: int | None) -> str:
    """8030261248 → '8.03 B'; small counts stay exact."""
    if n is None:
        return "n/a"
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(n) >= scale:
            return f"{n / scale:.3g} {suffix}" if abs(n) / scale < 100 else f"{n / scale:.0f} {suffix}"
    return str(n)


def fmt_value(value: Any) -> str:
    """A compact human rendering of a spec field value."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.6g}"
    if isinstance(value, (list, tuple)):
        if value and len(set(value)) < len(value):
            runs = _runs(list(value))
            return ", ".join(f"{v}×{n}" if n > 1 else str(v) for v, n in runs)
        return ", ".join(str(v) for v in value)
    if hasattr(value, "to_dict"):
        parts = [
            f"{k}={fmt_value(v)}" for k, v in value.to_dict().items() if k not in ("raw", "params") and v is not None
        ]
        return ", ".join(parts)
    if isinstance(value, dict):
        return ", ".join(f"{k}={fmt_value(v)}" for k, v in value.items())
    return str(value)


def _runs(values: list[Any]) -> list[tuple[Any, int]]:
    runs: list[tuple[Any, int]] = []
    for v in values:
        if runs and runs[-1][0] == v:
            runs[-1] = (v, runs[-1][1] + 1)
        else:
            runs.append((v, 1))
    return runs
