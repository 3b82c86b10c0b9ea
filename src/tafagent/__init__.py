"""tafagent: will this transformer LLM work for me? Audited answers before you spend GPU time.

Python API (mirrors the ``taf`` CLI)::

    import tafagent
    spec = tafagent.load_spec("llama-3-8b")          # preset, config path or Hub id
    spec = tafagent.resolve_spec(config_dict, "my/model")
    diagnosis = tafagent.diagnose("EleutherAI/pythia-70m")  # measured γ (extra [diagnose])
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


def diagnose(model, options=None, **kwargs):  # type: ignore[no-untyped-def]
    """Measure MODEL's attention decay γ (what `taf diagnose` runs); torch is imported only here."""
    from .adapters.measure import diagnose as _diagnose

    return _diagnose(model, options, **kwargs)


def load_diagnosis(path):  # type: ignore[no-untyped-def]
    """Read a `taf diagnose --out` file (or v0.5.3's JSON) into a validated Diagnosis."""
    from .adapters.measure import load_diagnosis as _load

    return _load(path)


__all__ = [
    "ConfigError",
    "ModelSpec",
    "TafError",
    "__version__",
    "ask",
    "diagnose",
    "load_diagnosis",
    "load_spec",
    "resolve_spec",
    "validate",
]
