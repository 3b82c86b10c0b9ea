"""Which files of a repo carry the weights, and how their tensors are packed (pure: file names and JSON in).

* GGUF repos: the quantisation variant to read (all shards of a split file), projector files skipped;
* safetensors repos: the shards named by ``model.safetensors.index.json``, else the root ``.safetensors``;
* packed (quantised) weights: the bit width and method, from ``quantization_config``, the MLX
  ``quantization`` block or an older GPTQ repo's ``quantize_config.json``;
* at most ``MAX_HEADER_FILES`` headers are read per model (Llama-3.1-405B has 191 shards): an index that
  names more is not fanned out, and the parameter count stays the config's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from tafagent.core.errors import WeightHeaderError
from tafagent.core.spec.model_spec import QuantSpec

SAFETENSORS_INDEX = "model.safetensors.index.json"
SAFETENSORS_SINGLE = "model.safetensors"
GPTQ_QUANTIZE_CONFIG = "quantize_config.json"  # older GPTQ repos keep bits/group size here, not in config.json
GGUF_PREFERENCE = ("Q4_K_M", "Q4_K_S", "Q5_K_M", "Q6_K", "Q8_0", "Q5_K_S", "Q4_0", "BF16", "F16")
MAX_HEADER_FILES = 256  # each header is one ~64 KB range request; beyond this the config's count is used
_SPLIT_GGUF = re.compile(r"-(\d{5})-of-(\d{5})\.gguf$", re.IGNORECASE)

# (bits per weight or None, quantisation method or None, a note on where the bit width came from or "")
QuantBits = tuple[float | None, str | None, str]
NO_QUANT_BITS: QuantBits = (None, None, "")


def choose_gguf(files: tuple[str, ...] | list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The GGUF model file(s) to read (all shards of a split file) and the other variants.

    Projector files (``mmproj``) are skipped; among quantisation variants the first of GGUF_PREFERENCE in
    the file name wins (Q4_K_M, the most downloaded mix), else the first name in sorted order.
    """
    ggufs = sorted(f for f in files if f.lower().endswith(".gguf") and "mmproj" not in f.rsplit("/", 1)[-1].lower())
    groups: dict[str, list[str]] = {}
    for name in ggufs:
        groups.setdefault(_SPLIT_GGUF.sub("", name), []).append(name)
    if not groups:
        return (), ()

    def rank(stem: str) -> tuple[int, str]:
        upper = stem.upper()
        for i, quant in enumerate(GGUF_PREFERENCE):
            if re.search(rf"(^|[^A-Z0-9]){quant}($|[^A-Z0-9])", upper):
                return i, stem
        return len(GGUF_PREFERENCE), stem

    chosen = min(groups, key=rank)
    others = tuple(sorted(stem for stem in groups if stem != chosen))
    return tuple(groups[chosen]), others


def shards_from_index(index: Mapping[str, Any], files: tuple[str, ...]) -> tuple[str, ...]:
    """The shard files named by a safetensors index's ``weight_map``, each of which the repo must hold."""
    weight_map = index.get("weight_map")
    if not isinstance(weight_map, dict) or not all(isinstance(v, str) for v in weight_map.values()):
        raise WeightHeaderError(f"{SAFETENSORS_INDEX} has no valid weight_map", "the repo index is corrupt")
    shards = tuple(sorted(set(weight_map.values())))
    missing = [s for s in shards if s not in files]
    if missing:
        raise WeightHeaderError(
            f"{SAFETENSORS_INDEX} names {len(missing)} shard(s) the repo lacks (e.g. {missing[0]})",
            "the repo upload is incomplete",
        )
    return shards


def header_files_over_cap(files: tuple[str, ...]) -> str | None:
    """Why the headers of ``files`` are not read (more than MAX_HEADER_FILES), or None when they are."""
    if len(files) <= MAX_HEADER_FILES:
        return None
    return (
        f"{len(files):,} weight files, more than the {MAX_HEADER_FILES} whose headers are read "
        "(MAX_HEADER_FILES); the parameter count is the config's"
    )


def root_safetensors(files: tuple[str, ...]) -> tuple[str, ...]:
    """The safetensors files at the repo root when there is no index: model.safetensors, else all of them."""
    root = sorted(f for f in files if f.endswith(".safetensors") and "/" not in f)
    if SAFETENSORS_SINGLE in root:
        return (SAFETENSORS_SINGLE,)
    # Mistral-style repos also carry consolidated.safetensors (the same weights in another layout).
    return tuple(f for f in root if not f.startswith("consolidated")) or tuple(root)


def quant_bits_from_config(quant: QuantSpec | None, config: Mapping[str, Any]) -> QuantBits | None:
    """Bits and method from the resolved ``quantization_config``, else the MLX ``quantization`` block.

    None when config.json says nothing about packing (then quantize_config.json may).
    """
    if quant is not None:
        bits = quant.bits if quant.bits is not None else _compressed_tensors_bits(quant.raw)
        return bits, quant.method, ""
    mlx = config.get("quantization")
    if isinstance(mlx, dict) and isinstance(mlx.get("bits"), int) and mlx["bits"] > 0:
        return float(mlx["bits"]), "mlx", "bit width from config.json 'quantization' (MLX)"
    return None


def quant_bits_from_quantize_config(quantize_config: Mapping[str, Any]) -> QuantBits | None:
    """Bits and method from an older GPTQ repo's quantize_config.json (None without a valid ``bits``)."""
    bits = quantize_config.get("bits")
    if not (isinstance(bits, int) and bits > 0):
        return None
    method = quantize_config.get("quant_method")
    return (
        float(bits),
        method if isinstance(method, str) else "gptq",
        f"bit width from {GPTQ_QUANTIZE_CONFIG} ({bits} bits)",
    )


def _compressed_tensors_bits(raw: Mapping[str, Any]) -> float | None:
    """compressed-tensors keeps the bit width per group: the first ``weights.num_bits`` > 0."""
    groups = raw.get("config_groups")
    if not isinstance(groups, dict):
        return None
    for group in groups.values():
        num_bits = group.get("weights", {}).get("num_bits") if isinstance(group, dict) else None
        if isinstance(num_bits, int) and num_bits > 0:
            return float(num_bits)
    return None
