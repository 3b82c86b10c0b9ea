"""tafagent: will this transformer LLM work for me? Audited answers before you spend GPU time.

Python API (mirrors the ``taf`` CLI; every function is imported on first use, so ``import tafagent`` stays light)::

    import tafagent
    spec = tafagent.load_spec("llama-3-8b")                   # preset, config path or Hub id
    card = tafagent.profile("llama-3-8b", T_eval=32000)      # the TAF Card; card.to_dict() is `taf profile --json`
    result = tafagent.run_recipe("X-2", {"T_eval": 32000}, model="llama-3-8b")
    rows = tafagent.compare(["llama-3-8b", "mistral-7b"], recipe_id="X-2", T_eval=32000)
    report = tafagent.memory("llama-3-8b", context=32768, batch=4, gpu="H100")
    plans = tafagent.plan("llama-3.3-70b", 4096, tokens_per_day=100e6)  # `taf plan`: the best plan and runners-up
    ext = tafagent.extend("llama-3-8b", 32768)                 # `taf extend`: the rope block, flags, memory, X-2
    answer = tafagent.ask("Can Llama-3-8B handle 32K context?")
    diagnosis = tafagent.diagnose("EleutherAI/pythia-70m")   # measured γ (extra [diagnose])
    report = tafagent.validate()                              # every law against the shipped panel
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tafagent._version import __version__
from tafagent.api import (
    ask,
    compare,
    diagnose,
    extend,
    load_diagnosis,
    load_spec,
    memory,
    plan,
    profile,
    resolve_spec,
    run_recipe,
    validate,
)

if TYPE_CHECKING:  # the types, for annotations; `from tafagent.core import ModelSpec` at run time
    from tafagent.core.errors import ConfigError, TafError
    from tafagent.core.spec.model_spec import ModelSpec

_LAZY_TYPES = {
    "ConfigError": ("tafagent.core.errors", "ConfigError"),
    "TafError": ("tafagent.core.errors", "TafError"),
    "ModelSpec": ("tafagent.core.spec.model_spec", "ModelSpec"),
}


def __getattr__(name: str) -> object:
    """The error classes and ModelSpec, imported on first access."""
    if name in _LAZY_TYPES:
        import importlib

        module, attribute = _LAZY_TYPES[name]
        return getattr(importlib.import_module(module), attribute)
    raise AttributeError(f"module 'tafagent' has no attribute {name!r}")


__all__ = [
    "ConfigError",
    "ModelSpec",
    "TafError",
    "__version__",
    "ask",
    "compare",
    "diagnose",
    "extend",
    "load_diagnosis",
    "load_spec",
    "memory",
    "plan",
    "profile",
    "resolve_spec",
    "run_recipe",
    "validate",
]
