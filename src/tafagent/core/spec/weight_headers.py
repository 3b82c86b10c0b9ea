"""Exact checkpoint sizes from file headers (safetensors, GGUF), parsed from ``bytes``; no weights are read.

A safetensors file starts with an 8-byte little-endian header length N and N bytes of JSON mapping each
tensor name to its ``dtype``, ``shape`` and ``data_offsets`` (https://huggingface.co/docs/safetensors).
A GGUF file starts with ``GGUF``, a version, the tensor and metadata counts, the metadata key/values and
one info record per tensor (name, dims, ggml type, offset) (https://github.com/ggml-org/ggml/blob/master/
docs/gguf.md). Sizes follow from the headers alone: safetensors gives byte offsets; a GGUF tensor of n
elements of a block-quantised ggml type takes ``n / block_size · type_size`` bytes (ggml-common.h).

Everything here is pure: the Hub adapter fetches the header bytes with HTTP range requests and hands them
in. A parser that runs out of bytes raises :class:`HeaderTruncatedError` with how many it needs, so the
caller can fetch more and try again.
"""

from __future__ import annotations

import json
import math
import re
import struct
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tafagent.core.errors import HeaderTruncatedError, WeightHeaderError
from tafagent.core.spec.model_spec import StoredWeights

# =============================================================================================
# safetensors
# =============================================================================================
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
        decoded = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WeightHeaderError(f"{origin}: the safetensors header is not JSON", "the file is corrupt") from exc
    except RecursionError as exc:
        raise WeightHeaderError(
            f"{origin}: the safetensors header is nested too deeply", "the file is corrupt"
        ) from exc
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
# ggml types (ggml/src/ggml-common.h block structs; gguf-py GGML_QUANT_SIZES)
# =============================================================================================
@dataclass(frozen=True, slots=True)
class GGMLType:
    """A ggml tensor type: ``block_size`` elements are stored in ``type_size`` bytes."""

    type_id: int
    name: str
    block_size: int
    type_size: int

    @property
    def bits_per_weight(self) -> float:
        """8 · type_size / block_size (Q8_0: 8·34/32 = 8.5; Q4_K: 8·144/256 = 4.5)."""
        return 8.0 * self.type_size / self.block_size

    def n_bytes(self, n_elements: int) -> int:
        """Bytes of a tensor of ``n_elements``: whole blocks only (ggml rejects partial blocks)."""
        if n_elements % self.block_size:
            raise WeightHeaderError(
                f"{n_elements:,} elements are not a whole number of {self.name} blocks of {self.block_size}",
                "the GGUF file is corrupt",
            )
        return n_elements // self.block_size * self.type_size


_QK_K = 256  # super-block size of the k-quants and i-quants
GGML_TYPES: dict[int, GGMLType] = {
    t.type_id: t
    for t in (
        GGMLType(0, "F32", 1, 4),
        GGMLType(1, "F16", 1, 2),
        GGMLType(2, "Q4_0", 32, 2 + 16),  # d + 32 nibbles
        GGMLType(3, "Q4_1", 32, 2 + 2 + 16),  # d, m + 32 nibbles
        GGMLType(6, "Q5_0", 32, 2 + 4 + 16),  # d + high bits + nibbles
        GGMLType(7, "Q5_1", 32, 2 + 2 + 4 + 16),
        GGMLType(8, "Q8_0", 32, 2 + 32),  # d + 32 int8
        # Q8_1 holds two fp16 (d, s) in current ggml (static_assert 2·sizeof(ggml_half) + QK8_1); gguf-py still
        # says 4 + 4 + 32 from the float era. It is an activation type that files do not store.
        GGMLType(9, "Q8_1", 32, 2 + 2 + 32),
        GGMLType(10, "Q2_K", _QK_K, 2 + 2 + _QK_K // 16 + _QK_K // 4),  # 84 B: 2.625 bpw
        GGMLType(11, "Q3_K", _QK_K, 2 + _QK_K // 4 + _QK_K // 8 + 12),  # 110 B: 3.4375 bpw
        GGMLType(12, "Q4_K", _QK_K, 2 + 2 + _QK_K // 2 + 12),  # 144 B: 4.5 bpw
        GGMLType(13, "Q5_K", _QK_K, 2 + 2 + _QK_K // 2 + _QK_K // 8 + 12),  # 176 B: 5.5 bpw
        GGMLType(14, "Q6_K", _QK_K, 2 + _QK_K // 2 + _QK_K // 4 + _QK_K // 16),  # 210 B: 6.5625 bpw
        GGMLType(15, "Q8_K", _QK_K, 4 + _QK_K + _QK_K // 8),  # 292 B
        GGMLType(16, "IQ2_XXS", _QK_K, 2 + _QK_K // 4),
        GGMLType(17, "IQ2_XS", _QK_K, 2 + _QK_K // 4 + _QK_K // 32),
        GGMLType(18, "IQ3_XXS", _QK_K, 2 + _QK_K // 4 + _QK_K // 8),
        GGMLType(19, "IQ1_S", _QK_K, 2 + _QK_K // 8 + _QK_K // 16),
        GGMLType(20, "IQ4_NL", 32, 2 + 16),
        GGMLType(21, "IQ3_S", _QK_K, 2 + _QK_K // 4 + _QK_K // 8 + _QK_K // 32 + 4),
        GGMLType(22, "IQ2_S", _QK_K, 2 + _QK_K // 4 + _QK_K // 16),
        GGMLType(23, "IQ4_XS", _QK_K, 2 + 2 + _QK_K // 2 + _QK_K // 64),
        GGMLType(24, "I8", 1, 1),
        GGMLType(25, "I16", 1, 2),
        GGMLType(26, "I32", 1, 4),
        GGMLType(27, "I64", 1, 8),
        GGMLType(28, "F64", 1, 8),
        GGMLType(29, "IQ1_M", _QK_K, _QK_K // 8 + _QK_K // 16 + _QK_K // 32),
        GGMLType(30, "BF16", 1, 2),
        GGMLType(34, "TQ1_0", _QK_K, 2 + 4 * 13),
        GGMLType(35, "TQ2_0", _QK_K, 2 + 64),
        GGMLType(39, "MXFP4", 32, 1 + 16),  # e8m0 scale + 32 fp4 values
        GGMLType(40, "NVFP4", 64, 4 + 32),  # four fp8 sub-block scales + 64 fp4 values
        GGMLType(41, "Q1_0", 128, 2 + 16),  # d + 128 sign bits (gguf-py 0.19)
    )
}

# llama.cpp ``llama_ftype`` values of ``general.file_type`` (for display: which quantisation mix a file is).
GGUF_FILE_TYPES: dict[int, str] = {
    0: "F32",
    1: "F16",
    2: "Q4_0",
    3: "Q4_1",
    7: "Q8_0",
    8: "Q5_0",
    9: "Q5_1",
    10: "Q2_K",
    11: "Q3_K_S",
    12: "Q3_K_M",
    13: "Q3_K_L",
    14: "Q4_K_S",
    15: "Q4_K_M",
    16: "Q5_K_S",
    17: "Q5_K_M",
    18: "Q6_K",
    32: "BF16",
}


# =============================================================================================
# GGUF
# =============================================================================================
GGUF_MAGIC = b"GGUF"
GGUF_DEFAULT_ALIGNMENT = 32
GGUF_MAX_DIMS = 4  # GGML_MAX_DIMS
MAX_KEPT_ARRAY_ITEMS = 1024  # longer arrays (the tokenizer vocabulary) are summarised, not kept
_MAX_STRING_BYTES = 1 << 26
_MAX_COUNT = 1 << 32
# Arrays of arrays: gguf-py writes them, llama.cpp's reader rejects them (gguf.cpp: an array item of type
# ARRAY is "invalid GGUF type"), so real files nest at most one level. The bound keeps crafted headers of
# thousands of nested array prefixes (12 bytes each) from exhausting the recursion limit.
MAX_GGUF_ARRAY_DEPTH = 8

_GGUF_SCALARS: dict[int, tuple[str, str]] = {
    0: ("UINT8", "B"),
    1: ("INT8", "b"),
    2: ("UINT16", "H"),
    3: ("INT16", "h"),
    4: ("UINT32", "I"),
    5: ("INT32", "i"),
    6: ("FLOAT32", "f"),
    7: ("BOOL", "?"),
    10: ("UINT64", "Q"),
    11: ("INT64", "q"),
    12: ("FLOAT64", "d"),
}
_GGUF_STRING, _GGUF_ARRAY = 8, 9


@dataclass(frozen=True, slots=True)
class GGUFArray:
    """A metadata array too long to keep (e.g. ``tokenizer.ggml.tokens``): its item type and length."""

    item_type: str
    length: int

    def __len__(self) -> int:
        return self.length


@dataclass(frozen=True, slots=True)
class GGUFTensorInfo:
    """One tensor record. ``shape`` is in ggml order (innermost dimension first, ``ne[0]``)."""

    name: str
    shape: tuple[int, ...]
    ggml_type: GGMLType
    offset: int  # relative to the start of the data section
    n_elements: int
    n_bytes: int


@dataclass(frozen=True, slots=True)
class GGUFHeader:
    """A parsed GGUF header. ``data_offset`` is where the tensor data starts in the file."""

    version: int
    byte_order: str
    metadata: dict[str, Any]
    tensors: tuple[GGUFTensorInfo, ...]
    alignment: int
    data_offset: int

    @property
    def architecture(self) -> str | None:
        value = self.metadata.get("general.architecture")
        return value if isinstance(value, str) else None

    @property
    def data_bytes(self) -> int:
        """Exact bytes of all tensors (alignment padding between tensors excluded)."""
        return sum(t.n_bytes for t in self.tensors)

    @property
    def file_type(self) -> str | None:
        """The llama.cpp quantisation mix named by ``general.file_type`` (e.g. Q4_K_M), when known."""
        value = self.metadata.get("general.file_type")
        return GGUF_FILE_TYPES.get(value) if isinstance(value, int) else None


class _Cursor:
    """Bounds-checked reads over a byte prefix; running past its end raises HeaderTruncatedError."""

    def __init__(self, data: bytes, origin: str) -> None:
        self.data = memoryview(data)
        self.pos = 0
        self.order = "<"
        self.origin = origin

    def need(self, n: int) -> None:
        if self.pos + n > len(self.data):
            raise HeaderTruncatedError(self.pos + n, self.origin)

    def scalar(self, fmt: str) -> Any:
        size = struct.calcsize(self.order + fmt)
        self.need(size)
        (value,) = struct.unpack_from(self.order + fmt, self.data, self.pos)
        self.pos += size
        return value

    def skip(self, n: int) -> None:
        self.need(n)
        self.pos += n

    def string(self) -> str:
        length = self.scalar("Q")
        if length > _MAX_STRING_BYTES:
            raise WeightHeaderError(f"{self.origin}: a GGUF string claims {length:,} bytes", "the file is corrupt")
        self.need(length)
        raw = bytes(self.data[self.pos : self.pos + length])
        self.pos += length
        return raw.decode("utf-8", errors="replace")


def parse_gguf_header(data: bytes, origin: str = "GGUF file") -> GGUFHeader:
    """Parse magic, version, metadata and tensor infos from a file prefix (v2 and v3, either byte order)."""
    cur = _Cursor(data, origin)
    cur.need(8)
    if bytes(cur.data[0:4]) != GGUF_MAGIC:
        raise WeightHeaderError(f"{origin} is not a GGUF file (no GGUF magic)", "check that the file is .gguf")
    cur.pos = 4
    version = cur.scalar("I")
    if version not in (2, 3) and struct.unpack(">I", struct.pack("<I", version))[0] in (2, 3):
        # Big-endian files (s390x builds) store every number big-endian, the version included.
        cur.order = ">"
        version = struct.unpack(">I", struct.pack("<I", version))[0]
    if version not in (2, 3):
        raise WeightHeaderError(
            f"{origin} has GGUF version {version}; versions 2 and 3 are supported",
            "convert the file with a current llama.cpp",
        )
    tensor_count = cur.scalar("Q")
    kv_count = cur.scalar("Q")
    if tensor_count > _MAX_COUNT or kv_count > _MAX_COUNT:
        raise WeightHeaderError(f"{origin}: implausible GGUF counts", "the file is corrupt")
    metadata: dict[str, Any] = {}
    for _ in range(kv_count):
        key = cur.string()
        value_type = cur.scalar("I")
        metadata[key] = _gguf_value(cur, value_type, key)
    alignment = metadata.get("general.alignment", GGUF_DEFAULT_ALIGNMENT)
    if not isinstance(alignment, int) or alignment <= 0 or alignment & (alignment - 1):
        raise WeightHeaderError(f"{origin}: general.alignment {alignment!r} is not a power of two", "file corrupt")
    tensors = [_gguf_tensor_info(cur, origin) for _ in range(tensor_count)]
    data_offset = -(-cur.pos // alignment) * alignment
    _check_gguf_layout(tensors, alignment, origin)
    byte_order = "little" if cur.order == "<" else "big"
    return GGUFHeader(version, byte_order, metadata, tuple(tensors), alignment, data_offset)


def _gguf_value(cur: _Cursor, value_type: int, key: str, depth: int = 0) -> Any:
    """One metadata value; ``depth`` counts the arrays it sits in (at most MAX_GGUF_ARRAY_DEPTH levels)."""
    if value_type in _GGUF_SCALARS:
        return cur.scalar(_GGUF_SCALARS[value_type][1])
    if value_type == _GGUF_STRING:
        return cur.string()
    if value_type == _GGUF_ARRAY:
        if depth >= MAX_GGUF_ARRAY_DEPTH:
            raise WeightHeaderError(
                f"{cur.origin}: metadata '{key}' nests arrays more than {MAX_GGUF_ARRAY_DEPTH} levels deep",
                "the file is corrupt",
            )
        item_type = cur.scalar("I")
        count = cur.scalar("Q")
        if count > _MAX_COUNT:
            raise WeightHeaderError(f"{cur.origin}: metadata '{key}' claims {count:,} items", "the file is corrupt")
        keep = count <= MAX_KEPT_ARRAY_ITEMS
        if item_type in _GGUF_SCALARS:
            fmt = _GGUF_SCALARS[item_type][1]
            size = struct.calcsize(cur.order + fmt)
            if not keep:
                cur.skip(size * count)
                return GGUFArray(_GGUF_SCALARS[item_type][0], count)
            cur.need(size * count)
            values = list(struct.unpack_from(f"{cur.order}{count}{fmt}", cur.data, cur.pos))
            cur.pos += size * count
            return values
        if item_type in (_GGUF_STRING, _GGUF_ARRAY):
            if keep:
                return [_gguf_value(cur, item_type, key, depth + 1) for _ in range(count)]
            for _ in range(count):  # walk the items (each is length-prefixed) without keeping them
                _gguf_value(cur, item_type, key, depth + 1)
            return GGUFArray("STRING" if item_type == _GGUF_STRING else "ARRAY", count)
        raise WeightHeaderError(f"{cur.origin}: metadata '{key}' has unknown item type {item_type}", "file corrupt")
    raise WeightHeaderError(f"{cur.origin}: metadata '{key}' has unknown value type {value_type}", "file corrupt")


def _gguf_tensor_info(cur: _Cursor, origin: str) -> GGUFTensorInfo:
    name = cur.string()
    n_dims = cur.scalar("I")
    if not 1 <= n_dims <= GGUF_MAX_DIMS:
        raise WeightHeaderError(f"{origin}: tensor '{name}' has {n_dims} dimensions", "the file is corrupt")
    shape = tuple(cur.scalar("Q") for _ in range(n_dims))
    type_id = cur.scalar("I")
    offset = cur.scalar("Q")
    ggml_type = GGML_TYPES.get(type_id)
    if ggml_type is None:
        raise WeightHeaderError(
            f"{origin}: tensor '{name}' has ggml type {type_id}, unknown to this version",
            "its size cannot be computed; upgrade tafagent",
        )
    n_elements = math.prod(shape)
    if shape[0] % ggml_type.block_size:
        raise WeightHeaderError(
            f"{origin}: tensor '{name}' rows of {shape[0]} are not whole {ggml_type.name} blocks", "file corrupt"
        )
    return GGUFTensorInfo(name, shape, ggml_type, offset, n_elements, ggml_type.n_bytes(n_elements))


def _check_gguf_layout(tensors: list[GGUFTensorInfo], alignment: int, origin: str) -> None:
    """Tensors must be aligned and must not overlap (what llama.cpp's gguf_init checks)."""
    previous_end = 0
    for tensor in sorted(tensors, key=lambda t: t.offset):
        if tensor.offset % alignment:
            raise WeightHeaderError(f"{origin}: tensor '{tensor.name}' is not {alignment}-byte aligned", "corrupt")
        if tensor.offset < previous_end:
            raise WeightHeaderError(f"{origin}: tensor '{tensor.name}' overlaps another tensor", "corrupt file")
        previous_end = tensor.offset + tensor.n_bytes


# =============================================================================================
# GGUF metadata → an HF-style config the resolver reads
# =============================================================================================
# general.architecture → transformers model_type, where the names differ.
GGUF_ARCH_TO_MODEL_TYPE: dict[str, str] = {
    "llama": "llama",
    "mistral": "mistral",
    "qwen2": "qwen2",
    "qwen2moe": "qwen2_moe",
    "qwen3": "qwen3",
    "qwen3moe": "qwen3_moe",
    "gemma": "gemma",
    "gemma2": "gemma2",
    "gemma3": "gemma3_text",
    "phi2": "phi",
    "phi3": "phi3",
    "gptneox": "gpt_neox",
    "gpt2": "gpt2",
    "gptj": "gptj",
    "bloom": "bloom",
    "falcon": "falcon",
    "mpt": "mpt",
    "starcoder": "gpt_bigcode",
    "starcoder2": "starcoder2",
    "stablelm": "stablelm",
    "mamba": "mamba",
    "mamba2": "mamba2",
    "deepseek2": "deepseek_v2",
    "command-r": "cohere",
    "olmo": "olmo",
    "olmo2": "olmo2",
    "olmoe": "olmoe",
    "granite": "granite",
    "jamba": "jamba",
    "gpt-oss": "gpt_oss",
}
# "<arch>.<suffix>" → HF config key. Values that are per-layer arrays are not mapped (noted instead).
_GGUF_ARCH_KEYS: tuple[tuple[str, str], ...] = (
    ("block_count", "num_hidden_layers"),
    ("embedding_length", "hidden_size"),
    ("feed_forward_length", "intermediate_size"),
    ("attention.head_count", "num_attention_heads"),
    ("attention.head_count_kv", "num_key_value_heads"),
    ("context_length", "max_position_embeddings"),
    ("rope.freq_base", "rope_theta"),
    ("attention.key_length", "head_dim"),
    ("attention.layer_norm_rms_epsilon", "rms_norm_eps"),
    ("attention.layer_norm_epsilon", "layer_norm_epsilon"),
    ("attention.sliding_window", "sliding_window"),
    ("expert_count", "num_experts"),
    ("expert_used_count", "num_experts_per_tok"),
    ("expert_feed_forward_length", "moe_intermediate_size"),
    ("expert_shared_feed_forward_length", "shared_expert_intermediate_size"),
    ("vocab_size", "vocab_size"),
    ("ssm.conv_kernel", "conv_kernel"),
    ("ssm.inner_size", "intermediate_size"),
    ("ssm.state_size", "state_size"),
    ("ssm.time_step_rank", "time_step_rank"),
)
# Tensors that hold fixed tables rather than trained parameters (RoPE frequency factors).
GGUF_BUFFER_TENSORS = frozenset({"rope_freqs.weight", "rope_factors_long.weight", "rope_factors_short.weight"})


@dataclass(frozen=True, slots=True)
class GGUFConfig:
    """An HF-style config built from GGUF metadata.

    ``key_sources`` names the GGUF metadata key behind each HF key; ``derived_notes`` says how the other
    keys were derived (from tensor shapes or names).
    """

    config: dict[str, Any]
    key_sources: dict[str, str]
    derived_notes: dict[str, str]
    notes: tuple[str, ...] = ()


def gguf_to_config(header: GGUFHeader) -> GGUFConfig:
    """Map ``<arch>.*`` metadata (block_count, embedding_length, attention.head_count, ...) to HF keys.

    Tied embeddings follow from the tensors (no ``output.weight`` → the output reuses ``token_embd``); the
    vocabulary size from ``token_embd.weight``'s shape, else ``tokenizer.ggml.tokens``.
    """
    arch = header.architecture
    if arch is None:
        raise WeightHeaderError("the GGUF file has no general.architecture", "it is not a model GGUF")
    meta = header.metadata
    config: dict[str, Any] = {}
    sources: dict[str, str] = {}
    derived: dict[str, str] = {}
    notes: list[str] = []
    model_type = GGUF_ARCH_TO_MODEL_TYPE.get(arch, arch)
    experts = meta.get(f"{arch}.expert_count")
    if arch == "llama" and isinstance(experts, int) and experts > 0:
        model_type = "mixtral"  # llama.cpp stores Mixtral as arch 'llama' with experts
    config["model_type"] = model_type
    sources["model_type"] = "general.architecture"
    for suffix, hf_key in _GGUF_ARCH_KEYS:
        key = f"{arch}.{suffix}"
        if key not in meta or hf_key in config:
            continue
        value = meta[key]
        if isinstance(value, list | GGUFArray):
            notes.append(f"{key} varies per layer: not mapped to {hf_key}")
            continue
        if isinstance(value, float):
            value = float(f"{value:.7g}")  # float32 metadata: drop the binary noise (1e-05, not 9.99999e-06)
        config[hf_key] = value
        sources[hf_key] = key
    if model_type == "mixtral" and "num_experts" in config:
        config["num_local_experts"] = config.pop("num_experts")
        sources["num_local_experts"] = sources.pop("num_experts")
    _rope_extras(arch, meta, config, sources, derived)
    tensors = {t.name: t for t in header.tensors}
    embed = tensors.get("token_embd.weight")
    if embed is not None and len(embed.shape) == 2:
        config["vocab_size"] = embed.shape[1]
        sources.pop("vocab_size", None)
        derived["vocab_size"] = "rows of the GGUF tensor token_embd.weight"
    elif "vocab_size" not in config and isinstance(meta.get("tokenizer.ggml.tokens"), list | GGUFArray):
        config["vocab_size"] = len(meta["tokenizer.ggml.tokens"])
        derived["vocab_size"] = "length of the GGUF metadata array tokenizer.ggml.tokens"
    if embed is not None:
        tied = "output.weight" not in tensors
        config["tie_word_embeddings"] = tied
        derived["tie_word_embeddings"] = (
            "the GGUF file has no output.weight tensor: the output reuses token_embd"
            if tied
            else "the GGUF file has its own output.weight tensor"
        )
    name = meta.get("general.name")
    if isinstance(name, str) and name.strip():
        config["_name_or_path"] = name.strip()
    return GGUFConfig(config, sources, derived, tuple(notes))


def _rope_extras(
    arch: str, meta: Mapping[str, Any], config: dict[str, Any], sources: dict[str, str], derived: dict[str, str]
) -> None:
    heads = config.get("num_attention_heads")
    hidden = config.get("hidden_size")
    head_dim = config.get("head_dim")
    if head_dim is None and isinstance(heads, int) and isinstance(hidden, int) and heads > 0:
        head_dim = hidden // heads
    elif head_dim is not None and isinstance(heads, int) and isinstance(hidden, int) and head_dim * heads == hidden:
        # key_length equal to hidden/heads is the default: leave it out so the resolver derives it.
        del config["head_dim"], sources["head_dim"]
    rope_dims = meta.get(f"{arch}.rope.dimension_count")
    if isinstance(rope_dims, int) and isinstance(head_dim, int) and 0 < rope_dims < head_dim:
        config["partial_rotary_factor"] = rope_dims / head_dim
        derived["partial_rotary_factor"] = f"GGUF {arch}.rope.dimension_count ({rope_dims}) / head dim ({head_dim})"
    scaling = meta.get(f"{arch}.rope.scaling.type")
    if isinstance(scaling, str) and scaling not in ("", "none"):
        rope_scaling: dict[str, Any] = {"rope_type": scaling, "type": scaling}
        factor = meta.get(f"{arch}.rope.scaling.factor")
        if isinstance(factor, int | float):
            rope_scaling["factor"] = float(f"{factor:.7g}")
        original = meta.get(f"{arch}.rope.scaling.original_context_length")
        if isinstance(original, int):
            rope_scaling["original_max_position_embeddings"] = original
        config["rope_scaling"] = rope_scaling
        sources["rope_scaling"] = f"{arch}.rope.scaling.type"


# =============================================================================================
# Header summaries → StoredWeights
# =============================================================================================
@dataclass(frozen=True, slots=True)
class HeaderWeights(StoredWeights):
    """:class:`StoredWeights` plus what the headers say about the *logical* weights.

    ``n_params_logical`` counts the weights the checkpoint represents: packed tensors are unpacked
    (a GPTQ/AWQ int32 ``qweight`` holds 32/bits weights per element), quantisation scales, zero points
    and non-parameter buffers are left out. ``n_params_non_text`` is the part of it in vision/audio towers
    and projectors (a multimodal config's ``n_params`` counts the language model only).
    ``quantized_bits_per_weight`` is 8·(packed + scale/zero bytes) / weights in packed tensors.
    """

    n_params_logical: int | None = None
    n_params_non_text: int = 0
    n_quant_overhead_bytes: int = 0
    n_buffer_elements: int = 0
    quantized_bits_per_weight: float | None = None
    tensor_count: int = 0

    @property
    def n_params_text(self) -> int | None:
        return None if self.n_params_logical is None else self.n_params_logical - self.n_params_non_text


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
    elements_by_dtype: dict[str, int] = {}
    bytes_by_dtype: dict[str, int] = {}
    logical = non_text = overhead_bytes = buffer_elements = 0
    packed_weights = packed_bytes = 0
    unknown_packing: list[str] = []
    for tensor in all_tensors:
        elements_by_dtype[tensor.dtype] = elements_by_dtype.get(tensor.dtype, 0) + tensor.n_elements
        bytes_by_dtype[tensor.dtype] = bytes_by_dtype.get(tensor.dtype, 0) + tensor.n_bytes
        role = _tensor_role(tensor, names, quantized)
        if role == "overhead":
            overhead_bytes += tensor.n_bytes
            continue
        if role == "buffer":
            buffer_elements += tensor.n_elements
            continue
        if tensor.name in duplicates:
            continue
        count = tensor.n_elements
        if role == "packed":
            dtype_bits = SAFETENSORS_DTYPE_BITS[tensor.dtype]
            if quant_bits is None or quant_bits <= 0 or (tensor.n_elements * dtype_bits) % quant_bits:
                unknown_packing.append(tensor.name)
                continue
            count = int(tensor.n_elements * dtype_bits // quant_bits)
            packed_weights += count
            packed_bytes += tensor.n_bytes
        logical += count
        if _is_non_text(tensor.name):
            non_text += count
    n_bytes = sum(bytes_by_dtype.values())
    notes: list[str] = []
    n_logical: int | None = logical
    if unknown_packing:
        n_logical = None
        notes.append(
            f"{len(unknown_packing)} packed tensors (e.g. {unknown_packing[0]}) but no usable bit width in the "
            "quantization config: the logical parameter count is unknown"
        )
    if packed_weights:
        notes.append(
            f"{packed_weights:,} weights stored packed at {quant_bits:g} bits ({quant_method or 'quantized'}); "
            f"scales/zero points take {overhead_bytes:,} bytes"
        )
    if buffer_elements:
        notes.append(f"{buffer_elements:,} elements of non-parameter buffers (e.g. inv_freq) not counted as weights")
    if duplicates:
        notes.append(f"{', '.join(sorted(duplicates))}: a stored copy of the tied input embedding, counted once")
    if non_text:
        notes.append(f"{non_text:,} parameters in vision/audio towers and projectors (by tensor name)")
    return HeaderWeights(
        format="safetensors",
        n_elements=sum(elements_by_dtype.values()),
        n_bytes=n_bytes,
        elements_by_dtype=dict(sorted(elements_by_dtype.items())),
        bytes_by_dtype=dict(sorted(bytes_by_dtype.items())),
        files=tuple(headers),
        source=source,
        bits_per_weight=_bits(n_bytes, n_logical),
        notes=tuple(notes),
        n_params_logical=n_logical,
        n_params_non_text=non_text,
        n_quant_overhead_bytes=overhead_bytes,
        n_buffer_elements=buffer_elements,
        quantized_bits_per_weight=_bits(packed_bytes + overhead_bytes, packed_weights) if packed_weights else None,
        tensor_count=len(all_tensors),
    )


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


def summarize_gguf(headers: Mapping[str, GGUFHeader], *, source: str) -> HeaderWeights:
    """Per-ggml-type elements and bytes; GGUF shapes are logical, so elements are parameters."""
    elements_by_type: dict[str, int] = {}
    bytes_by_type: dict[str, int] = {}
    logical = buffer_elements = tensor_count = 0
    for header in headers.values():
        for tensor in header.tensors:
            tensor_count += 1
            type_name = tensor.ggml_type.name
            elements_by_type[type_name] = elements_by_type.get(type_name, 0) + tensor.n_elements
            bytes_by_type[type_name] = bytes_by_type.get(type_name, 0) + tensor.n_bytes
            if tensor.name in GGUF_BUFFER_TENSORS:
                buffer_elements += tensor.n_elements
            else:
                logical += tensor.n_elements
    n_bytes = sum(bytes_by_type.values())
    first = next(iter(headers.values()), None)
    notes = []
    if first is not None and first.file_type:
        notes.append(f"llama.cpp file type {first.file_type}")
    notes.extend(
        f"{name}: {GGML_BY_NAME[name].bits_per_weight:g} bits per weight ({elements:,} weights)"
        for name, elements in sorted(elements_by_type.items())
        if name in GGML_BY_NAME
    )
    if buffer_elements:
        notes.append(f"{buffer_elements:,} elements of RoPE frequency tables not counted as weights")
    return HeaderWeights(
        format="gguf",
        n_elements=sum(elements_by_type.values()),
        n_bytes=n_bytes,
        elements_by_dtype=dict(sorted(elements_by_type.items())),
        bytes_by_dtype=dict(sorted(bytes_by_type.items())),
        files=tuple(headers),
        source=source,
        bits_per_weight=_bits(n_bytes, logical),
        notes=tuple(notes),
        n_params_logical=logical,
        n_buffer_elements=buffer_elements,
        tensor_count=tensor_count,
    )


GGML_BY_NAME: dict[str, GGMLType] = {t.name: t for t in GGML_TYPES.values()}


def _bits(n_bytes: int, n_weights: int | None) -> float | None:
    return 8.0 * n_bytes / n_weights if n_weights else None


# =============================================================================================
# Cross-check with the config-derived count
# =============================================================================================
PARAMS_TOLERANCE = 0.01  # relative disagreement above which the spec carries a warning


@dataclass(frozen=True, slots=True)
class ParamsCheck:
    """The header-derived logical parameter count against the config-derived ``n_params``."""

    n_params_config: int
    n_params_headers: int
    scope: str  # "all tensors" or "language-model tensors"
    tolerance: float = PARAMS_TOLERANCE

    @property
    def relative_difference(self) -> float:
        """(headers − config) / config."""
        return (self.n_params_headers - self.n_params_config) / self.n_params_config if self.n_params_config else 0.0

    @property
    def agrees(self) -> bool:
        return abs(self.relative_difference) <= self.tolerance

    def describe(self) -> str:
        return (
            f"checkpoint headers hold {self.n_params_headers:,} parameters ({self.scope}), the config implies "
            f"{self.n_params_config:,} ({self.relative_difference:+.2%})"
        )

    def warning(self) -> str | None:
        """The warning text when the two disagree by more than the tolerance, else None."""
        if self.agrees:
            return None
        return (
            f"{self.describe()}: they differ by more than {self.tolerance:.0%}, so the config-derived n_params "
            "(and what is computed from it) may not describe these weights"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_params_config": self.n_params_config,
            "n_params_headers": self.n_params_headers,
            "scope": self.scope,
            "relative_difference": self.relative_difference,
            "tolerance": self.tolerance,
            "agrees": self.agrees,
        }


def check_params(n_params_config: int, weights: StoredWeights | None) -> ParamsCheck | None:
    """Compare counts when the headers gave a logical count (language-model tensors for multimodal repos)."""
    if not isinstance(weights, HeaderWeights) or n_params_config <= 0:
        return None
    n_params_text = weights.n_params_text  # the logical count less vision/audio towers (all of it when none)
    if n_params_text is None:
        return None
    scope = "language-model tensors" if weights.n_params_non_text else "all tensors"
    return ParamsCheck(n_params_config, n_params_text, scope)


def iter_dtypes(weights: StoredWeights) -> Iterable[tuple[str, int, int]]:
    """(dtype, elements, bytes) rows in a stable order, largest byte share first."""
    rows = [(d, weights.elements_by_dtype.get(d, 0), b) for d, b in weights.bytes_by_dtype.items()]
    return sorted(rows, key=lambda row: (-row[2], row[0]))
