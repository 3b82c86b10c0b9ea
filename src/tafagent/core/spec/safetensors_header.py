"""safetensors checkpoints: the header parsed from ``bytes``, and what its tensors hold (no weights are read).

A safetensors file starts with an 8-byte little-endian header length N and N bytes of JSON mapping each
tensor name to its ``dtype``, ``shape`` and ``data_offsets`` (https://huggingface.co/docs/safetensors), so
exact sizes follow from the header alone. The summary sorts tensors by role — parameters, packed quantised
weights, quantisation side data, non-parameter buffers — to give the logical parameter count.

Everything here is pure: the Hub adapter fetches the header bytes with HTTP range requests and hands them
in. A parser that runs out of bytes raises :class:`HeaderTruncatedError` with how many it needs, so the
caller can fetch more and try again.
"""

from __future__ import annotations

import json
import math
import re
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tafagent.core.errors import HeaderTruncatedError, WeightHeaderError
from tafagent.core.jsonsafe import JSONInputError, parse_bounded_json
from tafagent.core.spec.weights_summary import HeaderWeights, bits_per_weight

# Bits per element of every safetensors dtype (safetensors/src/tensor.rs ``Dtype::bitsize``).
SAFETENSORS_DTYPE_BITS: dict[str, int] = {
    "BOOL": 8,
    "U8": 8,
    "I8": 8,
    "F8_E4M3": 8,
    "F8_E5M2": 8,
    "F8_E8M0": 8,
    "F4": 4,
    "F6_E2M3": 6,
    "F6_E3M2": 6,
    "U16": 16,
    "I16": 16,
    "F16": 16,
    "BF16": 16,
    "U32": 32,
    "I32": 32,
    "F32": 32,
    "C64": 64,
    "U64": 64,
    "I64": 64,
    "F64": 64,
}
# The safetensors library refuses headers over 100 MB; a larger length prefix means a corrupt or foreign file.
MAX_SAFETENSORS_HEADER_BYTES = 100_000_000


@dataclass(frozen=True, slots=True)
class SafetensorsTensor:
    """One tensor entry of a safetensors header; ``data_begin``/``data_end`` are byte offsets in the data."""

    name: str
    dtype: str
    shape: tuple[int, ...]
    data_begin: int
    data_end: int

    @property
    def n_elements(self) -> int:
        return math.prod(self.shape)

    @property
    def n_bytes(self) -> int:
        return self.data_end - self.data_begin


@dataclass(frozen=True, slots=True)
class SafetensorsHeader:
    """A parsed safetensors header: the tensors, the free-form ``__metadata__`` and the JSON length N."""

    tensors: tuple[SafetensorsTensor, ...]
    metadata: dict[str, str]
    header_length: int

    @property
    def data_bytes(self) -> int:
        """Size of the data section: the largest end offset (tensors are packed without gaps)."""
        return max((t.data_end for t in self.tensors), default=0)

    @property
    def file_bytes(self) -> int:
        """8 + N + data: the size of the whole file."""
        return 8 + self.header_length + self.data_bytes


def safetensors_header_length(prefix: bytes, origin: str = "safetensors file") -> int:
    """N, the JSON header length stored in the first 8 bytes (little-endian u64)."""
    if len(prefix) < 8:
        raise HeaderTruncatedError(8, origin)
    (length,) = struct.unpack_from("<Q", prefix, 0)
    if length < 2 or length > MAX_SAFETENSORS_HEADER_BYTES:
        raise WeightHeaderError(
            f"{origin} is not a safetensors file (header length {length:,} bytes)",
            "check that the file really is .safetensors",
        )
    return int(length)


def parse_safetensors_header(data: bytes, origin: str = "safetensors file") -> SafetensorsHeader:
    """Parse a file prefix holding the 8-byte length and the whole JSON header."""
    length = safetensors_header_length(data, origin)
    if len(data) < 8 + length:
        raise HeaderTruncatedError(8 + length, origin)
    raw = bytes(data[8 : 8 + length])
    try:
        decoded = parse_bounded_json(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WeightHeaderError(f"{origin}: the safetensors header is not JSON", "the file is corrupt") from exc
    except JSONInputError as exc:  # an integer of hundreds of digits, nesting no header has
        raise WeightHeaderError(f"{origin}: the safetensors header {exc.problem}", "the file is corrupt") from None
    return safetensors_header_from_json(decoded, length, origin)


def safetensors_header_from_json(
    decoded: Any, header_length: int = 0, origin: str = "safetensors file"
) -> SafetensorsHeader:
    """Validate a decoded header: every entry has a known dtype, a shape and offsets that fit it."""
    if not isinstance(decoded, dict):
        raise WeightHeaderError(f"{origin}: the safetensors header is not a JSON object", "the file is corrupt")
    metadata: dict[str, str] = {}
    tensors: list[SafetensorsTensor] = []
    for name, entry in decoded.items():
        if name == "__metadata__":
            if isinstance(entry, dict):
                metadata = {str(k): str(v) for k, v in entry.items()}
            continue
        tensors.append(_safetensors_entry(name, entry, origin))
    ordered = sorted(tensors, key=lambda t: (t.data_begin, t.data_end))
    previous_end = 0
    for tensor in ordered:
        # A packed data section: each tensor starts where the previous one ends (the format forbids holes
        # and overlaps), so the byte sum is exactly the data size.
        if tensor.data_begin < previous_end:
            raise WeightHeaderError(f"{origin}: tensor '{tensor.name}' overlaps another tensor", "the file is corrupt")
        previous_end = tensor.data_end
    return SafetensorsHeader(tuple(tensors), metadata, header_length)


def _safetensors_entry(name: str, entry: Any, origin: str) -> SafetensorsTensor:
    where = f"{origin}: tensor '{name}'"
    if not isinstance(entry, dict):
        raise WeightHeaderError(f"{where} is not an object", "the file is corrupt")
    dtype, shape, offsets = entry.get("dtype"), entry.get("shape"), entry.get("data_offsets")
    if not isinstance(dtype, str) or dtype not in SAFETENSORS_DTYPE_BITS:
        raise WeightHeaderError(f"{where} has unknown dtype {dtype!r}", "a newer safetensors format?")
    if not isinstance(shape, list) or not all(_is_count(d) for d in shape):
        raise WeightHeaderError(f"{where} has an invalid shape {shape!r}"[:200], "the file is corrupt")
    if (
        not isinstance(offsets, list)
        or len(offsets) != 2
        or not all(_is_count(o) for o in offsets)
        or offsets[1] < offsets[0]
    ):
        raise WeightHeaderError(f"{where} has invalid data_offsets {offsets!r}"[:200], "the file is corrupt")
    tensor = SafetensorsTensor(name, dtype, tuple(shape), offsets[0], offsets[1])
    expected = math.ceil(tensor.n_elements * SAFETENSORS_DTYPE_BITS[dtype] / 8)
    if tensor.n_bytes != expected:
        raise WeightHeaderError(
            f"{where} spans {tensor.n_bytes:,} bytes but {tensor.n_elements:,} × {dtype} need {expected:,}",
            "the file is corrupt",
        )
    return tensor


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


# =============================================================================================
# Header summary → HeaderWeights
# =============================================================================================
# Tensor-name suffixes of quantisation side data (GPTQ/AWQ, bitsandbytes, FP8, compressed-tensors, MLX).
QUANT_OVERHEAD_SUFFIXES: tuple[str, ...] = (
    ".scales",
    ".qzeros",
    ".g_idx",
    ".weight_scale",
    ".weight_scale_inv",
    ".weight_scale_2",
    ".input_scale",
    ".weight_zero_point",
    ".weight_shape",
    ".weight_global_scale",
    ".input_global_scale",
    ".absmax",
    ".quant_map",
    ".nested_absmax",
    ".nested_quant_map",
    ".quant_state.bitsandbytes__nf4",
    ".quant_state.bitsandbytes__fp4",
    ".SCB",
    ".weight_format",
    ".k_scale",
    ".v_scale",
)
PACKED_SUFFIXES: tuple[str, ...] = (".qweight", ".weight_packed")
# Path segments that mark vision/audio towers and projectors in multimodal checkpoints.
NON_TEXT_SEGMENTS = frozenset(
    {
        "vision_tower",
        "vision_model",
        "visual",
        "vision_encoder",
        "vision_embed",
        "image_encoder",
        "multi_modal_projector",
        "mm_projector",
        "vision_projection",
        "vision_language_adapter",
        "image_newline",
        "audio_tower",
        "audio_model",
        "audio_encoder",
        "embed_vision",
        "embed_audio",
    }
)
_BUFFER_NAMES = re.compile(r"(^|\.)(inv_freq|position_ids|attn\.masked_bias)$")


@dataclass
class _Tally:
    """Running sums over the tensors of one checkpoint, by dtype and by role."""

    elements_by_dtype: dict[str, int] = field(default_factory=dict)
    bytes_by_dtype: dict[str, int] = field(default_factory=dict)
    logical: int = 0
    non_text: int = 0
    overhead_bytes: int = 0
    buffer_elements: int = 0
    packed_weights: int = 0
    packed_bytes: int = 0
    unknown_packing: list[str] = field(default_factory=list)


def summarize_safetensors(
    headers: Mapping[str, SafetensorsHeader],
    *,
    source: str,
    quant_bits: float | None = None,
    quant_method: str | None = None,
    tied_embeddings: bool = False,
) -> HeaderWeights:
    """Per-dtype elements and bytes over all files, and the logical parameter count.

    Packed tensors (``*.qweight``, ``*.weight_packed``, bitsandbytes 4-bit ``*.weight`` with an ``absmax``,
    MLX ``*.weight`` with ``scales``) hold dtype_bits / ``quant_bits`` weights per element. With
    ``tied_embeddings``, an ``lm_head.weight`` stored next to an input embedding of the same shape is a
    duplicate copy: its bytes count, its parameters do not (the model shares one matrix).
    """
    all_tensors = [t for header in headers.values() for t in header.tensors]
    names = {t.name for t in all_tensors}
    duplicates = _tied_duplicates(all_tensors) if tied_embeddings else set()
    quantized = quant_method is not None or quant_bits is not None or any(n.endswith(PACKED_SUFFIXES) for n in names)
    tally = _Tally()
    for tensor in all_tensors:
        _add_tensor(tally, tensor, _tensor_role(tensor, names, quantized), tensor.name in duplicates, quant_bits)
    n_bytes = sum(tally.bytes_by_dtype.values())
    n_logical: int | None = None if tally.unknown_packing else tally.logical
    return HeaderWeights(
        format="safetensors",
        n_elements=sum(tally.elements_by_dtype.values()),
        n_bytes=n_bytes,
        elements_by_dtype=dict(sorted(tally.elements_by_dtype.items())),
        bytes_by_dtype=dict(sorted(tally.bytes_by_dtype.items())),
        files=tuple(headers),
        source=source,
        bits_per_weight=bits_per_weight(n_bytes, n_logical),
        notes=_summary_notes(tally, duplicates, quant_bits, quant_method),
        n_params_logical=n_logical,
        n_params_non_text=tally.non_text,
        n_quant_overhead_bytes=tally.overhead_bytes,
        n_buffer_elements=tally.buffer_elements,
        quantized_bits_per_weight=bits_per_weight(tally.packed_bytes + tally.overhead_bytes, tally.packed_weights)
        if tally.packed_weights
        else None,
        tensor_count=len(all_tensors),
    )


def _add_tensor(
    tally: _Tally, tensor: SafetensorsTensor, role: str, is_duplicate: bool, quant_bits: float | None
) -> None:
    """Add one tensor's bytes to its dtype and its weights to the logical count its role allows."""
    tally.elements_by_dtype[tensor.dtype] = tally.elements_by_dtype.get(tensor.dtype, 0) + tensor.n_elements
    tally.bytes_by_dtype[tensor.dtype] = tally.bytes_by_dtype.get(tensor.dtype, 0) + tensor.n_bytes
    if role == "overhead":
        tally.overhead_bytes += tensor.n_bytes
        return
    if role == "buffer":
        tally.buffer_elements += tensor.n_elements
        return
    if is_duplicate:
        return
    count = tensor.n_elements
    if role == "packed":
        # A packed element of dtype_bits holds dtype_bits / quant_bits weights (int32 qweight at 4 bits: 8).
        dtype_bits = SAFETENSORS_DTYPE_BITS[tensor.dtype]
        if quant_bits is None or quant_bits <= 0 or (tensor.n_elements * dtype_bits) % quant_bits:
            tally.unknown_packing.append(tensor.name)
            return
        count = int(tensor.n_elements * dtype_bits // quant_bits)
        tally.packed_weights += count
        tally.packed_bytes += tensor.n_bytes
    tally.logical += count
    if _is_non_text(tensor.name):
        tally.non_text += count


def _summary_notes(
    tally: _Tally, duplicates: set[str], quant_bits: float | None, quant_method: str | None
) -> tuple[str, ...]:
    """One line for each adjustment between the stored tensors and the logical parameter count."""
    notes: list[str] = []
    if tally.unknown_packing:
        notes.append(
            f"{len(tally.unknown_packing)} packed tensors (e.g. {tally.unknown_packing[0]}) but no usable bit width "
            "in the quantization config: the logical parameter count is unknown"
        )
    if tally.packed_weights:
        notes.append(
            f"{tally.packed_weights:,} weights stored packed at {quant_bits:g} bits ({quant_method or 'quantized'}); "
            f"scales/zero points take {tally.overhead_bytes:,} bytes"
        )
    if tally.buffer_elements:
        notes.append(
            f"{tally.buffer_elements:,} elements of non-parameter buffers (e.g. inv_freq) not counted as weights"
        )
    if duplicates:
        notes.append(f"{', '.join(sorted(duplicates))}: a stored copy of the tied input embedding, counted once")
    if tally.non_text:
        notes.append(f"{tally.non_text:,} parameters in vision/audio towers and projectors (by tensor name)")
    return tuple(notes)


def _tensor_role(tensor: SafetensorsTensor, names: set[str], quantized: bool) -> str:
    """'packed', 'overhead', 'buffer' or 'param' for one safetensors tensor."""
    name = tensor.name
    if _BUFFER_NAMES.search(name) or (name.endswith(".attn.bias") and len(tensor.shape) == 4):
        return "buffer"  # RoPE inv_freq, GPT-2's causal-mask 'attn.bias' [1, 1, n, n]
    if name.endswith(PACKED_SUFFIXES):
        return "packed"
    if not quantized:
        return "param"
    if name.endswith(QUANT_OVERHEAD_SUFFIXES):
        return "overhead"
    if name.endswith(".weight"):
        if tensor.dtype == "U8" and (f"{name}.absmax" in names or f"{name}.quant_state.bitsandbytes__nf4" in names):
            return "packed"  # bitsandbytes 4-bit: two weights per byte
        stem = name.removesuffix(".weight")
        if tensor.dtype in ("U32", "I32") and f"{stem}.scales" in names:
            return "packed"  # MLX: uint32 words of bits-wide weights, with .scales/.biases
    if name.endswith(".biases") and f"{name.removesuffix('.biases')}.scales" in names:
        return "overhead"  # MLX per-group offsets
    return "param"


_EMBEDDING_SUFFIXES = ("embed_tokens.weight", "wte.weight", "word_embeddings.weight", "embed_in.weight")


def _tied_duplicates(tensors: list[SafetensorsTensor]) -> set[str]:
    """Output-projection tensors that repeat an input embedding of the same shape (tied weights saved twice)."""
    embeddings = {(t.shape, _is_non_text(t.name)) for t in tensors if t.name.endswith(_EMBEDDING_SUFFIXES)}
    return {
        t.name
        for t in tensors
        if t.name.endswith(("lm_head.weight", "embed_out.weight")) and (t.shape, _is_non_text(t.name)) in embeddings
    }


def _is_non_text(name: str) -> bool:
    return any(segment in NON_TEXT_SEGMENTS for segment in name.split("."))
