"""How the diagnosis types meet JSON: int-keyed maps are written with sorted string keys, and read back
through :class:`FieldReader`, whose every refusal is a one-line ConfigError naming the field."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from tafagent.core.errors import ConfigError

__all__ = ["DIAGNOSIS_FILE_HINT", "FieldReader", "str_keyed"]

DIAGNOSIS_FILE_HINT = "pass a file written by `taf diagnose --out FILE`"


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
            raise self.fail(key, f"expected one of {', '.join(choices)}, got {value!r}")
        return str(value)

    def number(self, data: Mapping[str, Any], key: str, optional: bool = False, positive: bool = False) -> float | None:
        return self.check_float(key, self.get(data, key, optional), optional, positive)

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
            raise self.fail(key, f"expected an integer, got {value!r}")
        if minimum is not None and value < minimum:
            raise self.fail(key, f"must be ≥ {minimum}, got {value}")
        if maximum is not None and value > maximum:
            raise self.fail(key, f"must be ≤ {maximum}, got {value}")
        return value

    def mapping(self, data: Mapping[str, Any], key: str) -> dict[str, Any]:
        value = self.get(data, key, False)
        if not isinstance(value, dict):
            raise self.fail(key, f"expected an object, got {type(value).__name__}")
        return value

    def int_list(self, data: Mapping[str, Any], key: str) -> list[int]:
        value = self.get(data, key, False)
        if not isinstance(value, list) or any(isinstance(v, bool) or not isinstance(v, int) for v in value):
            raise self.fail(key, "expected a list of integers")
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
            raise self.fail(key, f"expected a number, got {value!r}")
        number = float(value)
        if not math.isfinite(number):
            raise self.fail(key, f"not a finite number ({value!r})")
        if positive and number <= 0.0:
            raise self.fail(key, f"must be > 0, got {value!r}")
        return number

    def int_key(self, key: str, text: Any) -> int:
        """An object key that spells an integer exactly ("10", not "10.0" or "1e1")."""
        try:
            number = int(text)
        except (TypeError, ValueError):
            raise self.fail(key, f"key {text!r} is not an integer") from None
        if str(number) != str(text).strip():
            raise self.fail(key, f"key {text!r} is not an integer")
        return number
