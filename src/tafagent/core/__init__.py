"""The pure core: standard library only, runs unchanged in CPython and Pyodide."""

from tafagent.core.errors import ConfigError, ModelNotFoundError, TafError, UnsupportedModelError, UsageError
from tafagent.core.evidence import Evidence, EvidenceNote
from tafagent.core.spec.model_spec import FieldSource, ModelSpec
from tafagent.core.spec.resolve import resolve_spec

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
