"""Element widths of the dtypes weights and KV caches are stored in, their names, and the binary byte unit.

Every memory module names dtypes through ``normalise_dtype`` so that 'bfloat16', 'torch.bfloat16' and
'bf16' are one key.
"""

from __future__ import annotations

from tafagent.core.errors import ConfigError
from tafagent.core.spec.model_spec import ModelSpec

# Bytes per stored element of each KV cache dtype (also the dense weight dtypes).

KV_ELEMENT_BYTES: dict[str, float] = {
    "fp32": 4.0,
    "bf16": 2.0,
    "fp16": 2.0,
    "fp8": 1.0,
    "int8": 1.0,
    "q8_0": 34 / 32,  # llama.cpp: 32 int8 values + one fp16 scale per block
    "q4_0": 18 / 32,  # llama.cpp: 32 4-bit values + one fp16 scale per block
}
_DTYPE_ALIASES = {
    "float32": "fp32",
    "float": "fp32",
    "f32": "fp32",
    "bfloat16": "bf16",
    "float16": "fp16",
    "half": "fp16",
    "f16": "fp16",
    "fp8_e4m3": "fp8",
    "fp8_e5m2": "fp8",
    "float8": "fp8",
    "q8": "q8_0",
    "q4": "q4_0",
}


def kv_dtype_for_bytes(bytes_per_element: float) -> str | None:
    """The KV dtype whose element is exactly ``bytes_per_element`` bytes (fp32, bf16, fp8), or None for a width
    no single dtype has (0.5, 1.5: the caller then counts bytes with the plain formula)."""
    return {4.0: "fp32", 2.0: "bf16", 1.0: "fp8"}.get(float(bytes_per_element))


def normalise_dtype(name: str) -> str:
    """The canonical short name of a dtype ('torch.bfloat16' → 'bf16'); unknown names pass through lower-cased."""
    key = name.strip().lower().replace("torch.", "")
    return _DTYPE_ALIASES.get(key, key)


def element_bytes(dtype: str, parameter: str) -> float:
    """Bytes per element of ``dtype`` (any alias); an unknown name is a ConfigError naming ``parameter`` and
    listing the known dtypes (it never falls back on another width)."""
    key = normalise_dtype(dtype)
    if key not in KV_ELEMENT_BYTES:
        raise ConfigError(
            f"unknown dtype '{dtype}'"[:80] + f" (parameter '{parameter}')",
            "use one of " + ", ".join(KV_ELEMENT_BYTES),
            field=parameter,
        )
    return KV_ELEMENT_BYTES[key]


def model_dtype(spec: ModelSpec) -> str:
    """The checkpoint's compute dtype (bf16 when the config does not say)."""
    if spec.torch_dtype:
        dtype = normalise_dtype(spec.torch_dtype)
        if dtype in ("fp32", "bf16", "fp16"):
            return dtype
    return "bf16"
