"""What the browser page sends the bridge, checked at the edge: strict JSON and typed request fields.

URL parameters, form fields and uploaded files all reach :mod:`tafagent.web.bridge` as JSON requests. Here
they become Python values or a one-line error naming the field, the value (shortened) and the fix:

* JSON: no NaN/Infinity and no number too large for a float (``1e400``, which Python's json reads as ``inf``;
  a 400-digit integer), no JavaScript prototype key (``__proto__``, ``constructor``, ``prototype``: bait for
  prototype pollution in the page's JavaScript) and at most ``MAX_JSON_DEPTH`` levels, anywhere in the tree.
* Fields: of the expected type and length; names without control or invisible characters; choices from a
  fixed list; numbers finite, in range and, when typed as text, in ASCII digits as the CLI reads its flags.
"""

from __future__ import annotations

import json
import math
import unicodedata
from typing import Any

from tafagent.core.errors import ConfigError, UsageError
from tafagent.core.messages import LANGUAGES
from tafagent.core.numbers import parse_number

MAX_JSON_DEPTH = 64  # an export nests about 10 levels, a config.json about 5
RESERVED_KEYS = frozenset({"__proto__", "constructor", "prototype"})  # never in a tafagent file or a config.json
MAX_INT_DIGITS = 300  # a JSON integer longer than this is no count or length (and near float's 1.8e308 limit)
MAX_NAME_CHARS = 512  # a preset, org/name@revision (the Hub allows 96 + 96, a revision 200)
MAX_SHOWN_CHARS = 40  # of a bad value quoted in an error line


# ---------------------------------------------------------------------------------------------- strict JSON
class _Unreadable(str):
    """A JSON number that is no finite float (NaN, Infinity, 1e400, a 400-digit integer), kept as written until
    the tree walk names where it is."""


def _finite_float(text: str) -> float | _Unreadable:
    value = float(text)
    return value if math.isfinite(value) else _Unreadable(text)


def _bounded_int(text: str) -> int | _Unreadable:
    return int(text) if len(text.lstrip("-")) <= MAX_INT_DIGITS else _Unreadable(text)


def strict_json(text: str, hint: str, what: str = "the file") -> Any:
    """``json.loads`` for what the page sends: one-line errors ending with ``hint`` for malformed JSON, a number
    that is no finite float, a reserved key or a nesting over ``MAX_JSON_DEPTH``, each naming where it is."""
    try:
        value = json.loads(text, parse_float=_finite_float, parse_int=_bounded_int, parse_constant=_Unreadable)
    except json.JSONDecodeError as error:
        raise ConfigError(f"not valid JSON (line {error.lineno}: {error.msg})", hint) from error
    except RecursionError:
        raise ConfigError(f"{what} is nested too deeply (over {MAX_JSON_DEPTH} levels)", hint) from None
    check_tree(value, hint, what)
    return value


def check_tree(root: Any, hint: str, what: str = "the file") -> None:
    """Refuse non-finite numbers, reserved keys and over-deep nesting anywhere in parsed JSON (left to right)."""
    stack: list[tuple[Any, str, int]] = [(root, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        where = f"'{cut(path)}'" if path else what
        if isinstance(value, _Unreadable) or (isinstance(value, float) and not math.isfinite(value)):
            raise ConfigError(f"{where} is not a finite number ({cut(str(value))})", hint)
        if isinstance(value, (dict, list)) and depth >= MAX_JSON_DEPTH:
            raise ConfigError(f"{where} is nested too deeply (over {MAX_JSON_DEPTH} levels)", hint)
        if isinstance(value, dict):
            reserved = next((key for key in value if key in RESERVED_KEYS), None)
            if reserved is not None:
                raise ConfigError(f"{where} has the key '{reserved}', which tafagent never uses", hint)
            items = [(item, f"{path}.{key}" if path else str(key), depth + 1) for key, item in value.items()]
            stack.extend(reversed(items))
        elif isinstance(value, list):
            stack.extend(reversed([(item, f"{path}[{i}]", depth + 1) for i, item in enumerate(value)]))


# ---------------------------------------------------------------------------------------------- request fields
def cut(text: str) -> str:
    return text if len(text) <= MAX_SHOWN_CHARS else text[: MAX_SHOWN_CHARS - 1] + "…"


def shown(value: Any) -> str:
    """A bad value for an error line: quoted, at most about 40 characters."""
    return repr(cut(value if isinstance(value, str) else str(value)[: MAX_SHOWN_CHARS * 2]))


def lang_field(data: dict[str, Any]) -> str:
    """The answer's language; an unknown one is English, as the page shows it (a display choice, not an input)."""
    lang = data.get("lang", "en")
    return lang if isinstance(lang, str) and lang in LANGUAGES else "en"


def text_field(data: dict[str, Any], key: str, limit: int) -> str:
    """An optional text field ('' when absent); another type or a text over ``limit`` characters is an error."""
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ConfigError(
            f"'{key}' must be text, got {type(value).__name__} {shown(value)}", "fix the field", field=key
        )
    if len(value) > limit:
        raise ConfigError(
            f"'{key}' is too long ({len(value):,} characters, at most {limit:,}): {shown(value)}",
            "shorten it",
            field=key,
        )
    return value


def name_field(data: dict[str, Any], key: str = "model", limit: int = MAX_NAME_CHARS) -> str:
    """A model name or path, stripped, with no control or invisible character (a line break, a zero-width space)."""
    name = text_field(data, key, limit).strip()
    if any(unicodedata.category(c)[0] == "C" for c in name):
        raise ConfigError(
            f"'{key}' holds a control or invisible character: {shown(name)}", "type the name again", field=key
        )
    return name


def choice_field(data: dict[str, Any], key: str, choices: tuple[str, ...], default: str) -> str:
    """One of ``choices`` (``default`` when absent or empty)."""
    value = data.get(key)
    if value is None or value == "":
        return default
    if not isinstance(value, str) or value not in choices:
        raise UsageError(f"unknown {key} {shown(value)}", f"one of {', '.join(choices)}")
    return value


def flag_field(data: dict[str, Any], key: str) -> bool:
    """A checkbox: true or false (false when absent)."""
    value = data.get(key)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ConfigError(f"'{key}' must be true or false, got {shown(value)}", "reload the page", field=key)
    return value


def number_field(
    data: dict[str, Any],
    key: str,
    *,
    integer: bool = False,
    minimum: float | None = None,
    maximum: float | None = None,
) -> Any:
    """An optional number from the page (empty → None); anything else is a one-line error naming the field.

    Text is read like the CLI reads a flag: ASCII digits only, with '32k'-style suffixes. The range is checked
    before a whole number becomes an int, so 1e300 is quoted as 1e+300, never written out digit by digit."""
    value = data.get(key)
    if value is None or value == "":
        return None
    bounds = [f"≥ {minimum:g}"] if minimum is not None else []
    bounds += [f"≤ {maximum:,.0f}" if maximum >= 1e6 else f"≤ {maximum:g}"] if maximum is not None else []
    fix = "give a finite number" + (f" {' and '.join(bounds)}" if bounds else "")
    try:
        if isinstance(value, bool) or (isinstance(value, str) and not value.isascii()):
            raise TypeError
        number = parse_number(value) if isinstance(value, str) else float(value)  # '32k' as in the CLI
    except (TypeError, ValueError, OverflowError):
        raise ConfigError(f"'{key}' must be a number (ASCII digits 0-9), got {shown(value)}", fix, field=key) from None
    if (
        not math.isfinite(number)
        or (minimum is not None and number < minimum)
        or (maximum is not None and number > maximum)
    ):
        raise ConfigError(f"'{key}' is out of range: {number:.6g}", fix, field=key)
    if integer:
        if number != int(number):
            raise ConfigError(f"'{key}' must be a whole number, got {number:.6g}", "fix the field", field=key)
        return int(number)
    return number


def file_json(data: dict[str, Any], hint: str) -> Any:
    """The parsed JSON of a file the page read (``data["text"]``); one-line errors ending with ``hint``."""
    text = data.get("text")
    if not isinstance(text, str):
        raise UsageError("no file content", hint)
    return strict_json(text, hint)
