"""JSON at the edges: strict JSON out, bounded JSON in.

``json_safe(value)`` returns a copy in which non-finite floats are ``None`` (each producer says why a value
is missing in its own text), tuples are lists, keys are strings and objects with ``to_dict`` are expanded:
browsers' ``JSON.parse`` and most JSON tools reject NaN and Infinity.

``loads_user_json(text, origin, what)`` parses JSON a user handed in (a config, a catalog, a diagnosis
file). ``json.loads`` alone fails on hostile input with exceptions no caller expects: ``ValueError`` for an
integer of more than 4,300 digits (CPython's int/str conversion limit) and ``RecursionError`` for deep
nesting. Here each is one :class:`ConfigError` line naming the file and the fix, and the bounds are tighter
than CPython's: no real file of these kinds holds an integer of more than :data:`MAX_JSON_INT_DIGITS` digits
or nests deeper than :data:`MAX_JSON_DEPTH` levels. ``parse_bounded_json`` applies the same bounds for a
reader that words its own errors (the safetensors header reader).
"""

from __future__ import annotations

import json
import math
from typing import Any

from tafagent.core.errors import ConfigError

# The largest integers in these files are byte offsets and parameter counts (≤ 20 digits); 100 digits leave
# room for any real value and keep every integer convertible to a float (float(10**309) overflows).
MAX_JSON_INT_DIGITS = 100
# config.json nests ~5 levels (quantization_config.config_groups...), diagnosis files and catalogs fewer.
MAX_JSON_DEPTH = 100


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


class JSONInputError(ValueError):
    """JSON that parses but exceeds the bounds; ``problem`` reads after the input's name ("is nested too
    deeply (more than 100 levels)")."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def _bounded_int(literal: str) -> int:
    n_digits = len(literal.lstrip("-"))
    if n_digits > MAX_JSON_INT_DIGITS:
        raise JSONInputError(f"holds an integer of {n_digits:,} digits (at most {MAX_JSON_INT_DIGITS})")
    return int(literal)


def parse_bounded_json(text: str) -> Any:
    """``json.loads`` with the bounds: :class:`JSONInputError` for an integer over MAX_JSON_INT_DIGITS digits
    or nesting deeper than MAX_JSON_DEPTH; malformed JSON raises ``json.JSONDecodeError`` as usual (for
    callers with their own wording, such as the safetensors header reader)."""
    try:
        data = json.loads(text, parse_int=_bounded_int)
    except (JSONInputError, json.JSONDecodeError):
        raise
    except ValueError as exc:  # CPython's own 4,300-digit limit, should a literal reach it some other way
        raise JSONInputError(f"holds a number too long to read ({str(exc)[:80]})") from None
    except RecursionError:
        raise JSONInputError(f"is nested too deeply (more than {MAX_JSON_DEPTH} levels)") from None
    if _depth_exceeds(data, MAX_JSON_DEPTH):
        raise JSONInputError(f"is nested too deeply (more than {MAX_JSON_DEPTH} levels)")
    return data


def loads_user_json(text: str, origin: str, what: str, hint: str = "fix the file") -> Any:
    """Parse ``text``, user input read from ``origin`` (a ``what`` such as 'config' or 'catalog').

    Malformed JSON, an integer over MAX_JSON_INT_DIGITS digits or nesting deeper than MAX_JSON_DEPTH is a
    one-line ConfigError that names ``origin`` and ends with ``hint``; anything else is returned as parsed.
    """
    try:
        return parse_bounded_json(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"'{origin}' is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})", hint
        ) from None
    except JSONInputError as exc:
        raise ConfigError(f"'{origin}' {exc.problem}: it cannot be a {what}", hint) from None


def _depth_exceeds(data: Any, limit: int) -> bool:
    """Whether ``data`` nests objects/arrays more than ``limit`` levels deep (iterative: no recursion limit)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False
