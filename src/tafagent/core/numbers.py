"""Numbers as people type them: '8e9', '7B', '32k', '1.5M', '$5,000', '1_000'.

Its own small module so that the CLI's argument parsing does not import the recipe registry.
"""

from __future__ import annotations

import re

_SUFFIX = {"k": 1e3, "m": 1e6, "b": 1e9, "g": 1e9, "t": 1e12}


def parse_number(text: str) -> float:
    """'8e9', '7B', '32k', '1.5M', '$5,000', '1_000' → float (k=1e3, M=1e6, B/G=1e9, T=1e12); ValueError else."""
    cleaned = text.strip().replace(",", "").replace("_", "").lstrip("$").strip()
    match = re.fullmatch(r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([kKmMbBgGtT]?)", cleaned)
    if not match:
        raise ValueError(text)
    value = float(match.group(1))
    suffix = match.group(2).lower()
    return value * _SUFFIX[suffix] if suffix else value
