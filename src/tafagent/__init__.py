"""tafagent: will this transformer LLM work for me? Audited answers before you spend GPU time.

Python API (mirrors the ``taf`` CLI)::

    import tafagent
    spec = tafagent.load_spec("llama-3-8b")          # preset, config path or Hub id
    spec = tafagent.resolve_spec(config_dict, "my/model")
"""

from .adapters.model_source import load_spec
from .core import ConfigError, ModelSpec, TafError, resolve_spec

__version__ = "0.1.0"


def validate():  # the return type lives in the core module, imported on demand
    """Every predictive law against the shipped reference measurements (what `taf validate` prints)."""
    from .core.validation import validate as _validate

    return _validate()


def ask(question: str, **kwargs):  # type: ignore[no-untyped-def]
    """Plain-language question → AskResult (presets offline; Hub ids through load_spec)."""
    from .core.ask import ask as _ask

    kwargs.setdefault("model_loader", load_spec)
    return _ask(question, **kwargs)


__all__ = ["ConfigError", "ModelSpec", "TafError", "__version__", "ask", "load_spec", "resolve_spec", "validate"]
