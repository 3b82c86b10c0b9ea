"""The pure core: standard library only, runs unchanged in CPython and Pyodide."""

from .config_resolver import resolve_spec
from .errors import ConfigError, ModelNotFoundError, TafError, UnsupportedModelError, UsageError
from .evidence import Evidence, EvidenceNote
from .model_spec import FieldSource, ModelSpec

__all__ = [
    "ConfigError",
    "Evidence",
    "EvidenceNote",
    "FieldSource",
    "ModelNotFoundError",
    "ModelSpec",
    "TafError",
    "UnsupportedModelError",
    "UsageError",
    "resolve_spec",
]
