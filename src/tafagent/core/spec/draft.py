"""The values and sources collected while one config is resolved into a ModelSpec.

Each field resolver writes into a :class:`SpecDraft`: the value, and a :class:`FieldSource` saying which
config key it came from, or whether it is a documented default or derived from other fields. Keys that
start with ``_`` (``_pos_kind``, ``_moe_layers``) are intermediate results that later resolvers read but
that are not ModelSpec fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tafagent.core.errors import ConfigError
from tafagent.core.spec.config_view import ConfigView
from tafagent.core.spec.model_spec import FieldSource


@dataclass
class SpecDraft:
    """Values and sources collected while resolving one config."""

    view: ConfigView
    model_id: str
    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, FieldSource] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def put(self, name: str, value: Any, source: FieldSource) -> Any:
        self.values[name] = value
        self.sources[name] = source
        return value

    def from_config(self, name: str, value: Any, key: str, note: str = "") -> Any:
        return self.put(name, value, FieldSource("config", self.view.name(key), note))

    def derived(self, name: str, value: Any, note: str) -> Any:
        return self.put(name, value, FieldSource("derived", None, note))

    def default(self, name: str, value: Any, note: str) -> Any:
        return self.put(name, value, FieldSource("default", None, note))

    def require_int(self, name: str, keys: tuple[str, ...], what: str, maximum: int) -> int:
        """Field ``name`` from the first present of ``keys`` (an int in [1, maximum]); absent → ConfigError."""
        found = self.view.get_int(keys, minimum=1, maximum=maximum)
        if found is None:
            shown = " / ".join(keys[:3])
            raise ConfigError(
                f"config has no {what} (looked for {shown})",
                "add the field to config.json or pass a complete config",
                field=self.view.name(keys[0]),
            )
        value, key = found
        return int(self.from_config(name, value, key))
