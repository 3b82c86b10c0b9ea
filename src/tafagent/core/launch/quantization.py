"""Which ``--quantization`` value (if any) a vLLM or SGLang launch needs for the weights format a plan chose.

Both engines read a pre-quantised checkpoint's ``quantization_config`` (GPTQ, AWQ, FP8, compressed-tensors)
themselves, so the flag is only needed to quantise a 16-bit checkpoint while loading it: ``fp8`` (online
per-tensor FP8) or ``bitsandbytes`` (in-flight 4-bit). Names are tafagent's weights formats
(core/memory/weights.py: bf16, fp8, int8, nf4, gptq, awq, int4, gguf-q4_k_m, stored …).
"""

from __future__ import annotations

import re

from tafagent.core.errors import UsageError
from tafagent.core.messages import Msg

# Weights formats that mean "as stored / no load-time quantisation".
_AS_STORED = {"", "auto", "stored", "none", "bf16", "bfloat16", "fp16", "float16", "fp32", "float32"}
# Load-time quantisation methods, by tafagent weights format → the engine's --quantization value.
_ONLINE = {"fp8": "fp8", "fp8_e4m3": "fp8", "nf4": "bitsandbytes", "nf4-dq": "bitsandbytes", "bnb4": "bitsandbytes"}
# Formats that need a checkpoint quantised offline (the engine detects it from its config).
_PREQUANTISED = {"int8", "int4", "gptq", "awq", "gptq-int4", "awq-int4", "gptq-int8", "w8a8", "w4a16"}
# Model names that say the checkpoint is already quantised (so no online quantisation is added).
_QUANTISED_NAME = re.compile(r"(fp8|awq|gptq|int4|int8|w8a8|w4a16|nvfp4|mxfp4|bnb|4bit|8bit)", re.IGNORECASE)


def quantization_flag(engine: str, quantization: str | None, model: str, notes: list[Msg]) -> str | None:
    """The ``--quantization`` value for ``quantization`` (None: no flag); appends the reason to ``notes``.
    A GGUF format asked of vLLM/SGLang is a UsageError (serve it with llama.cpp or Ollama)."""
    key = (quantization or "").strip().lower()
    if key in _AS_STORED:
        return None
    already = _QUANTISED_NAME.search(model.rsplit("/", 1)[-1])
    if key in _ONLINE:
        if already:
            notes.append(Msg("serving.launch.note.quant_named", fmt=key, tag=already.group(0), engine=engine))
            return None
        method = _ONLINE[key]
        notes.append(Msg("serving.launch.note.quant_online", fmt=key, method=method))
        return method
    if key in _PREQUANTISED or key.startswith(("gptq", "awq")):
        notes.append(Msg("serving.launch.note.quant_prequantised", fmt=key, engine=engine))
        return None
    if key.startswith("gguf") or re.fullmatch(r"q\d(_k)?(_[msl0-9])?", key):
        raise UsageError(
            f"{engine} does not serve GGUF weights ({quantization!r}, parameter 'quantization')",
            "use engine llama.cpp or ollama for GGUF, or weights bf16/fp8 for " + engine,
        )
    raise UsageError(
        f"unknown weights format {quantization!r} for {engine} (parameter 'quantization')",
        "use bf16, fp8, nf4, int8, int4, gptq, awq, or None for the checkpoint as stored",
    )
