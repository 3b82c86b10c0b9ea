"""GGUF checkpoints: the ggml type table and the header (metadata and tensor infos) parsed from ``bytes``.

A GGUF file starts with ``GGUF``, a version, the tensor and metadata counts, the metadata key/values and
one info record per tensor (name, dims, ggml type, offset) (https://github.com/ggml-org/ggml/blob/master/
docs/gguf.md). Sizes follow from the header alone: a GGUF tensor of n elements of a block-quantised ggml
type takes ``n / block_size · type_size`` bytes (ggml-common.h). GGUF shapes are logical, so the element
count is the parameter count.

Everything here is pure: the Hub adapter fetches the header bytes with HTTP range requests and hands them
in. A parser that runs out of bytes raises :class:`HeaderTruncatedError` with how many it needs, so the
caller can fetch more and try again.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tafagent.core.errors import HeaderTruncatedError, WeightHeaderError
from tafagent.core.spec.weights_summary import HeaderWeights, bits_per_weight


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

GGML_BY_NAME: dict[str, GGMLType] = {t.name: t for t in GGML_TYPES.values()}

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
# Header summary → HeaderWeights
# =============================================================================================
# Tensors that hold fixed tables rather than trained parameters (RoPE frequency factors).
GGUF_BUFFER_TENSORS = frozenset({"rope_freqs.weight", "rope_factors_long.weight", "rope_factors_short.weight"})


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
        bits_per_weight=bits_per_weight(n_bytes, logical),
        notes=tuple(notes),
        n_params_logical=logical,
        n_buffer_elements=buffer_elements,
        tensor_count=tensor_count,
    )
