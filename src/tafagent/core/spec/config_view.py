"""Typed, validated reads from a raw ``config.json`` dict that remember which key each value came from.

Configs are untrusted input: values can be missing, ``null``, strings, booleans where numbers belong,
negative, fractional or absurdly large. Every read here either returns a clean value with its key, or
raises :class:`ConfigError` naming the field and what a valid value looks like.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from tafagent.core.errors import ConfigError

_MISSING = object()


class ConfigView:
    """A read-only view on one level of a config (the top level, or a nested ``text_config``).

    ``prefix`` is prepended to key names in error messages and sources (``text_config.hidden_size``).
    ``defaults`` holds the documented defaults for this ``model_type`` (used when a key is absent).
    """

    def __init__(
        self,
        raw: Mapping[str, Any],
        prefix: str = "",
        defaults: Mapping[str, Any] | None = None,
        defaults_origin: str = "",
    ) -> None:
        self.raw = raw
        self.prefix = prefix
        self.defaults = defaults or {}
        self.defaults_origin = defaults_origin

    # ---- raw access ------------------------------------------------------------------------
    def name(self, key: str) -> str:
        """The dotted name of ``key`` as the user sees it in their config file."""
        return f"{self.prefix}{key}"

    def has(self, key: str) -> bool:
        return key in self.raw and self.raw[key] is not None

    def first(self, keys: Sequence[str]) -> tuple[str, Any] | None:
        """The first of ``keys`` that is present with a non-null value, as ``(key, value)``."""
        for key in keys:
            if key in self.raw and self.raw[key] is not None:
                return key, self.raw[key]
        return None

    def default(self, key: str) -> Any:
        """The documented default for ``key`` (``None`` when there is none)."""
        return self.defaults.get(key)

    def sub(self, key: str) -> Mapping[str, Any] | None:
        """A nested object (e.g. MPT's ``attn_config``) or None; anything else is an error."""
        value = self.raw.get(key)
        if value is None:
            return None
        if not isinstance(value, Mapping):
            raise ConfigError(
                f"config field '{self.name(key)}' must be an object, got {_show(value)}",
                "fix or remove the field",
                field=self.name(key),
            )
        return value

    # ---- typed reads -------------------------------------------------------------------------
    def int_value(
        self,
        key: str,
        value: Any,
        *,
        minimum: int = 0,
        maximum: int = 10**12,
    ) -> int:
        """Validate ``value`` (read from ``key``) as an integer in [minimum, maximum]."""
        field_name = self.name(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(
                f"config field '{field_name}' must be an integer, got {_show(value)}",
                "fix the value in config.json",
                field=field_name,
            )
        if isinstance(value, float):
            if not math.isfinite(value) or value != int(value):
                raise ConfigError(
                    f"config field '{field_name}' must be a whole number, got {_show(value)}",
                    "fix the value in config.json",
                    field=field_name,
                )
            value = int(value)
        if value < minimum:
            raise ConfigError(
                f"config field '{field_name}' must be ≥ {minimum}, got {value}",
                "fix the value in config.json",
                field=field_name,
            )
        if value > maximum:
            raise ConfigError(
                # a float such as 1e300 became a 301-digit integer above: quote it as a float, never digit by digit
                f"config field '{field_name}' = {value if value < 10**15 else format(value, '.3g')} is implausibly "
                f"large (limit {maximum:,})",
                "check the config for a typo",
                field=field_name,
            )
        return value

    def float_value(
        self,
        key: str,
        value: Any,
        *,
        minimum: float = 0.0,
        maximum: float = 1e15,
        exclusive_minimum: bool = False,
    ) -> float:
        """Validate ``value`` as a finite float in [minimum, maximum] (or (minimum, maximum])."""
        field_name = self.name(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(
                f"config field '{field_name}' must be a number, got {_show(value)}",
                "fix the value in config.json",
                field=field_name,
            )
        value = float(value)
        if not math.isfinite(value):
            raise ConfigError(
                f"config field '{field_name}' must be finite, got {value}",
                "fix the value in config.json",
                field=field_name,
            )
        too_small = value <= minimum if exclusive_minimum else value < minimum
        if too_small:
            relation = ">" if exclusive_minimum else "≥"
            raise ConfigError(
                f"config field '{field_name}' must be {relation} {minimum:g}, got {value:g}",
                "fix the value in config.json",
                field=field_name,
            )
        if value > maximum:
            raise ConfigError(
                f"config field '{field_name}' = {value:g} is implausibly large (limit {maximum:g})",
                "check the config for a typo",
                field=field_name,
            )
        return value

    def get_int(self, keys: Sequence[str], *, minimum: int = 0, maximum: int = 10**12) -> tuple[int, str] | None:
        """The first present key of ``keys`` as a validated int, with the key; None if none present."""
        found = self.first(keys)
        if found is None:
            return None
        key, value = found
        return self.int_value(key, value, minimum=minimum, maximum=maximum), key

    def get_float(
        self,
        keys: Sequence[str],
        *,
        minimum: float = 0.0,
        maximum: float = 1e15,
        exclusive_minimum: bool = False,
    ) -> tuple[float, str] | None:
        found = self.first(keys)
        if found is None:
            return None
        key, value = found
        return (
            self.float_value(key, value, minimum=minimum, maximum=maximum, exclusive_minimum=exclusive_minimum),
            key,
        )

    def get_bool(self, key: str, default: bool | None = None) -> bool:
        """A boolean flag; absent → the model type's documented default, else ``default``, else False."""
        if key in self.raw and self.raw[key] is not None:
            value = self.raw[key]
            if isinstance(value, bool):
                return value
            # Some hand-written configs store flags as 0/1.
            if isinstance(value, int) and value in (0, 1):
                return bool(value)
            raise ConfigError(
                f"config field '{self.name(key)}' must be true or false, got {_show(value)}",
                "fix the value in config.json",
                field=self.name(key),
            )
        documented = self.defaults.get(key, _MISSING)
        if isinstance(documented, bool):
            return documented
        return bool(default)

    def get_str(self, key: str) -> str | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise ConfigError(
                f"config field '{self.name(key)}' must be a string, got {_show(value)}",
                "fix the value in config.json",
                field=self.name(key),
            )
        return value


def _show(value: Any) -> str:
    """A short, safe rendering of a bad value for an error message."""
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"
