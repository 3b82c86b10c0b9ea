"""How the diagnosis types meet JSON: int-keyed maps are written with sorted string keys, and read back
through :class:`FieldReader`, whose every refusal is a one-line ConfigError naming the field and showing the
value shortened.

A diagnosis file is user input: every integer value it holds (a count, a distance, a seed, a layer index)
is bounded by :data:`MAX_FILE_INTEGER` unless the caller gives a tighter range, and an integer key has at
most ``MAX_JSON_INT_DIGITS`` digits, so that no later sum or conversion to float meets a number of hundreds
of digits.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from tafagent.core.errors import ConfigError
from tafagent.core.jsonsafe import MAX_JSON_INT_DIGITS

__all__ = ["DIAGNOSIS_FILE_HINT", "MAX_FILE_INTEGER", "FieldReader", "str_keyed"]

DIAGNOSIS_FILE_HINT = "pass a file written by `taf diagnose --out FILE`"
MAX_FILE_INTEGER = 2**53  # the largest integer a float holds exactly; far above any count or distance
_MAX_SHOWN_CHARS = 60  # of a bad value quoted in an error line


def _shown(value: Any) -> str:
    """``repr(value)`` cut to about 60 characters (a list of a million numbers stays one short line)."""
    text = repr(value)
    return text if len(text) <= _MAX_SHOWN_CHARS else text[: _MAX_SHOWN_CHARS - 1] + "…"


def str_keyed(mapping: Mapping[int, Any]) -> dict[str, Any]:
    """{int: value} → {"int": value} in ascending key order (JSON objects have string keys)."""
    return {str(k): v for k, v in sorted(mapping.items())}


class FieldReader:
    """Typed field access with one-line ConfigErrors that name the field; ``where`` names the object read."""

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, key: str, what: str) -> ConfigError:
        return ConfigError(f"{self.where} field '{key}': {what}", DIAGNOSIS_FILE_HINT, field=key)

    def get(self, data: Mapping[str, Any], key: str, optional: bool) -> Any:
        if not isinstance(data, Mapping):
            raise ConfigError(f"{self.where}: expected a JSON object", DIAGNOSIS_FILE_HINT)
        if key not in data:
            if optional:
                return None
            raise self.fail(key, "missing")
        return data[key]

    def text(self, data: Mapping[str, Any], key: str, optional: bool = False) -> Any:
        value = self.get(data, key, optional)
        if value is None and optional:
            return None
        if not isinstance(value, str):
            raise self.fail(key, f"expected a string, got {type(value).__name__}")
        return value

    def choice(self, data: Mapping[str, Any], key: str, choices: Sequence[str]) -> str:
        value = self.text(data, key)
        if value not in choices:
            raise self.fail(key, f"expected one of {', '.join(choices)}, got {_shown(value)}")
        return str(value)

    def number(
        self,
        data: Mapping[str, Any],
        key: str,
        optional: bool = False,
        positive: bool = False,
        bounds: tuple[float, float] | None = None,
    ) -> float | None:
        """A finite float (> 0 with ``positive``, inside [low, high] with ``bounds``); None only if ``optional``."""
        number = self.check_float(key, self.get(data, key, optional), optional, positive)
        if number is not None and bounds is not None and not bounds[0] <= number <= bounds[1]:
            raise self.fail(key, f"must be between {bounds[0]:g} and {bounds[1]:g}, got {number:g}")
        return number

    def integer(
        self,
        data: Mapping[str, Any],
        key: str,
        optional: bool = False,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> int | None:
        value = self.get(data, key, optional)
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, f"expected an integer, got {_shown(value)}")
        if minimum is not None and value < minimum:
            raise self.fail(key, f"must be ≥ {minimum}, got {_shown(value)}")
        limit = MAX_FILE_INTEGER if maximum is None else maximum
        if value > limit:
            raise self.fail(key, f"must be ≤ {limit}, got {_shown(value)}")
        return value

    def mapping(self, data: Mapping[str, Any], key: str) -> dict[str, Any]:
        value = self.get(data, key, False)
        if not isinstance(value, dict):
            raise self.fail(key, f"expected an object, got {type(value).__name__}")
        return value

    def int_list(self, data: Mapping[str, Any], key: str) -> list[int]:
        """A list of integers in [0, MAX_FILE_INTEGER] (distances, seeds, positions, layer indices)."""
        value = self.get(data, key, False)
        if not isinstance(value, list) or any(isinstance(v, bool) or not isinstance(v, int) for v in value):
            raise self.fail(key, "expected a list of integers")
        if any(not 0 <= v <= MAX_FILE_INTEGER for v in value):
            raise self.fail(key, f"expected integers from 0 to 2**53, got {_shown(value)}")
        return list(value)

    def str_list(self, data: Mapping[str, Any], key: str) -> list[str]:
        value = self.get(data, key, False)
        if not isinstance(value, list) or any(not isinstance(v, str) for v in value):
            raise self.fail(key, "expected a list of strings")
        return list(value)

    def float_map(self, data: Mapping[str, Any], key: str, optional_values: bool = False) -> dict[int, Any]:
        """A JSON object of integer keys → numbers (None allowed with ``optional_values``)."""
        raw = self.mapping(data, key)
        return {self.int_key(key, k): self.check_float(key, v, optional_values, False) for k, v in raw.items()}

    def check_float(self, key: str, value: Any, optional: bool, positive: bool) -> float | None:
        """``value`` as a finite float (> 0 with ``positive``); None passes only when ``optional``."""
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(key, f"expected a number, got {_shown(value)}")
        try:
            number = float(value)
        except OverflowError:  # an integer beyond the float range
            raise self.fail(key, f"not a finite number ({_shown(value)})") from None
        if not math.isfinite(number):
            raise self.fail(key, f"not a finite number ({_shown(value)})")
        if positive and number <= 0.0:
            raise self.fail(key, f"must be > 0, got {_shown(value)}")
        return number

    def int_key(self, key: str, text: Any) -> int:
        """An object key that spells an integer of at most MAX_JSON_INT_DIGITS digits exactly ("10", not "10.0")."""
        try:
            number = int(text)
        except (TypeError, ValueError):  # also a key of more than 4,300 digits
            raise self.fail(key, f"key {_shown(text)} is not an integer") from None
        if str(number) != str(text).strip():
            raise self.fail(key, f"key {_shown(text)} is not an integer")
        if abs(number) >= 10**MAX_JSON_INT_DIGITS:  # as for a JSON integer; ranges are the caller's to check
            raise self.fail(key, f"key {_shown(text)} has more than {MAX_JSON_INT_DIGITS} digits")
        return number
