"""Strict JSON for every output: browsers' ``JSON.parse`` and most JSON tools reject NaN and Infinity.

``json_safe(value)`` returns a copy in which non-finite floats are ``None`` (each producer says why a value
is missing in its own text), tuples are lists, keys are strings and objects with ``to_dict`` are expanded.
"""

from __future__ import annotations

import math
from typing import Any


def json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if hasattr(value, "to_dict"):
        return json_safe(value.to_dict())
    return value
