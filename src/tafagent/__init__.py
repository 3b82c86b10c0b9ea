"""tafagent: will this transformer LLM work for me? Audited answers before you spend GPU time."""

from .core import ConfigError, ModelSpec, TafError, resolve_spec

__version__ = "0.1.0"

__all__ = ["ConfigError", "ModelSpec", "TafError", "__version__", "resolve_spec"]
