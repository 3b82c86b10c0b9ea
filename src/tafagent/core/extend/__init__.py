"""RoPE context extension (``taf extend``): the scaling block, engine flags, memory, X-2 and the literature.

Modules: ``blocks`` (the rope block per method in the transformers / vLLM / llama.cpp schemas), ``literature``
(measured results per method, ``data/rope_extension_literature.json``), ``plan`` (:func:`plan_extension`).
"""

from __future__ import annotations

from tafagent.core.extend.blocks import RopeBlock, rope_block
from tafagent.core.extend.plan import METHODS, ExtensionPlan, extended_spec, parse_context_tokens, plan_extension

__all__ = [
    "METHODS",
    "ExtensionPlan",
    "RopeBlock",
    "extended_spec",
    "parse_context_tokens",
    "plan_extension",
    "rope_block",
]
