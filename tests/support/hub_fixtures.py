"""Fixture files for the fake Hub (tests/hub_server.py): safetensors and GGUF bytes, and fixture models.

Independent of tafagent's parsers: sizes are written from the format specs, so a test that compares
tafagent's reading with these builders checks the parser against the spec, not against itself.
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Iterable, Sequence
from typing import Any

# =============================================================================================
# Fixture builders (independent of tafagent's parsers: sizes written from the format specs)
# =============================================================================================
SAFETENSORS_ITEM_BYTES = {"F32": 4, "F16": 2, "BF16": 2, "I32": 4, "U32": 4, "I8": 1, "U8": 1, "F8_E4M3": 1, "I64": 8}


def safetensors_bytes(
    tensors: Sequence[tuple[str, str, Sequence[int]]], metadata: dict[str, str] | None = None
) -> bytes:
    """A valid safetensors file: 8-byte length, JSON header padded with spaces to 8 bytes, packed data."""
    header: dict[str, Any] = {"__metadata__": metadata or {"format": "pt"}}
    offset = 0
    data = bytearray()
    for name, dtype, shape in tensors:
        n_bytes = math.prod(shape) * SAFETENSORS_ITEM_BYTES[dtype]
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + n_bytes]}
        # Distinct non-zero filler so that a parser reading data as header would notice.
        data += bytes([len(name) % 251 + 1]) * n_bytes
        offset += n_bytes
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + bytes(data)


def safetensors_data_bytes(tensors: Iterable[tuple[str, str, Sequence[int]]]) -> int:
    return sum(math.prod(shape) * SAFETENSORS_ITEM_BYTES[dtype] for _, dtype, shape in tensors)


# (block size, bytes per block) from ggml-common.h, written out here independently of tafagent.
GGML_BLOCKS = {0: (1, 4), 1: (1, 2), 8: (32, 34), 12: (256, 144), 14: (256, 210), 30: (1, 2)}
GGML = {"F32": 0, "F16": 1, "Q8_0": 8, "Q4_K": 12, "Q6_K": 14, "BF16": 30}
_GGUF_TYPES = {"u8": 0, "i8": 1, "u16": 2, "i16": 3, "u32": 4, "i32": 5, "f32": 6, "bool": 7, "str": 8, "u64": 10}
_GGUF_FORMATS = {
    "u8": "B",
    "i8": "b",
    "u16": "H",
    "i16": "h",
    "u32": "I",
    "i32": "i",
    "f32": "f",
    "bool": "?",
    "u64": "Q",
}


def _gguf_string(text: str) -> bytes:
    raw = text.encode()
    return struct.pack("<Q", len(raw)) + raw


def _gguf_value(kind: str, value: Any) -> bytes:
    if kind == "str":
        return _gguf_string(value)
    if kind.startswith("arr:"):
        item = kind[4:]
        body = b"".join(_gguf_value(item, v) for v in value)
        return struct.pack("<IQ", _GGUF_TYPES[item], len(value)) + body
    return struct.pack("<" + _GGUF_FORMATS[kind], value)


def gguf_tensor_bytes(shape: Sequence[int], type_name: str) -> int:
    block, size = GGML_BLOCKS[GGML[type_name]]
    return math.prod(shape) // block * size


def gguf_bytes(
    metadata: Sequence[tuple[str, str, Any]],
    tensors: Sequence[tuple[str, Sequence[int], str]],
    *,
    alignment: int = 32,
    with_data: bool = True,
) -> tuple[bytes, int]:
    """A GGUF v3 file (or only its header and the data size): ``metadata`` as (key, kind, value) with kinds
    u32/f32/str/arr:str/..., ``tensors`` as (name, ggml-order shape, type name)."""
    out = bytearray(b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(metadata)))
    for key, kind, value in metadata:
        type_id = 9 if kind.startswith("arr:") else _GGUF_TYPES[kind]
        out += _gguf_string(key) + struct.pack("<I", type_id) + _gguf_value(kind, value)
    offset = 0
    offsets = []
    for name, shape, type_name in tensors:
        offsets.append(offset)
        out += _gguf_string(name) + struct.pack("<I", len(shape)) + struct.pack(f"<{len(shape)}Q", *shape)
        out += struct.pack("<IQ", GGML[type_name], offset)
        offset += gguf_tensor_bytes(shape, type_name)
        offset += -offset % alignment
    out += bytes(-len(out) % alignment)
    data_size = offset
    if with_data:
        data = bytearray(data_size)
        for (_, shape, type_name), start in zip(tensors, offsets, strict=True):
            data[start : start + gguf_tensor_bytes(shape, type_name)] = b"\x11" * gguf_tensor_bytes(shape, type_name)
        out += data
    return bytes(out), data_size


# =============================================================================================
# Fixture models
# =============================================================================================
TINY_LLAMA: dict[str, Any] = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "vocab_size": 256,
    "max_position_embeddings": 2048,
    "rope_theta": 500000.0,
    "rms_norm_eps": 1e-5,
    "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
}


def llama_tensors(config: dict[str, Any], dtype: str = "BF16", prefix: str = "") -> list[tuple[str, str, list[int]]]:
    """The tensors transformers' LlamaForCausalLM saves for ``config`` (names, dtype, shapes)."""
    h, f, v = config["hidden_size"], config["intermediate_size"], config["vocab_size"]
    d = h // config["num_attention_heads"]
    kv = config["num_key_value_heads"] * d
    out = [(f"{prefix}model.embed_tokens.weight", dtype, [v, h])]
    for i in range(config["num_hidden_layers"]):
        p = f"{prefix}model.layers.{i}."
        out += [
            (p + "self_attn.q_proj.weight", dtype, [h, h]),
            (p + "self_attn.k_proj.weight", dtype, [kv, h]),
            (p + "self_attn.v_proj.weight", dtype, [kv, h]),
            (p + "self_attn.o_proj.weight", dtype, [h, h]),
            (p + "mlp.gate_proj.weight", dtype, [f, h]),
            (p + "mlp.up_proj.weight", dtype, [f, h]),
            (p + "mlp.down_proj.weight", dtype, [h, f]),
            (p + "input_layernorm.weight", dtype, [h]),
            (p + "post_attention_layernorm.weight", dtype, [h]),
        ]
    out.append((f"{prefix}model.norm.weight", dtype, [h]))
    if not config.get("tie_word_embeddings"):
        out.append((f"{prefix}lm_head.weight", dtype, [v, h]))
    return out


def gptq_tensors(config: dict[str, Any], bits: int, group_size: int) -> list[tuple[str, str, list[int]]]:
    """AutoGPTQ's layout: linear layers as int32 qweight [in·bits/32, out], qzeros [in/g, out·bits/32],
    fp16 scales [in/g, out] and int32 g_idx [in]; embeddings, norms and lm_head stay fp16."""
    out = []
    for name, dtype, shape in llama_tensors(config, "F16"):
        linear = ".layers." in name and name.endswith("_proj.weight")
        if not linear:
            out.append((name, dtype, shape))
            continue
        stem = name.removesuffix(".weight")
        out_features, in_features = shape
        out += [
            (f"{stem}.qweight", "I32", [in_features * bits // 32, out_features]),
            (f"{stem}.qzeros", "I32", [in_features // group_size, out_features * bits // 32]),
            (f"{stem}.scales", "F16", [in_features // group_size, out_features]),
            (f"{stem}.g_idx", "I32", [in_features]),
        ]
    return out


TINY_GGUF_DIMS = {"d": 256, "layers": 2, "heads": 4, "kv": 2, "ff": 512, "vocab": 512}


def tiny_gguf(n_merges: int = 0) -> tuple[bytes, list[tuple[str, list[int], str]]]:
    """A small llama GGUF with F32, F16, Q8_0, Q4_K and Q6_K tensors (and a rope_freqs buffer)."""
    d, layers, heads, kv, ff, vocab = (TINY_GGUF_DIMS[k] for k in ("d", "layers", "heads", "kv", "ff", "vocab"))
    head_dim = d // heads
    tensors: list[tuple[str, list[int], str]] = [("token_embd.weight", [d, vocab], "Q4_K")]
    for i in range(layers):
        p = f"blk.{i}."
        tensors += [
            (p + "attn_norm.weight", [d], "F32"),
            (p + "attn_q.weight", [d, d], "Q4_K"),
            (p + "attn_k.weight", [d, kv * head_dim], "Q4_K"),
            (p + "attn_v.weight", [d, kv * head_dim], "Q6_K"),
            (p + "attn_output.weight", [d, d], "F16" if i == 1 else "Q4_K"),
            (p + "ffn_norm.weight", [d], "F32"),
            (p + "ffn_gate.weight", [d, ff], "Q4_K"),
            (p + "ffn_up.weight", [d, ff], "Q4_K"),
            (p + "ffn_down.weight", [ff, d], "Q6_K"),
        ]
    tensors += [("output_norm.weight", [d], "F32"), ("output.weight", [d, vocab], "Q8_0")]
    tensors.append(("rope_freqs.weight", [head_dim // 2], "F32"))
    metadata: list[tuple[str, str, Any]] = [
        ("general.architecture", "str", "llama"),
        ("general.name", "str", "Tiny GGUF Llama"),
        ("general.file_type", "u32", 15),
        ("llama.block_count", "u32", layers),
        ("llama.context_length", "u32", 4096),
        ("llama.embedding_length", "u32", d),
        ("llama.feed_forward_length", "u32", ff),
        ("llama.attention.head_count", "u32", heads),
        ("llama.attention.head_count_kv", "u32", kv),
        ("llama.rope.freq_base", "f32", 500000.0),
        ("llama.rope.dimension_count", "u32", head_dim),
        ("llama.attention.layer_norm_rms_epsilon", "f32", 1e-5),
        ("tokenizer.ggml.model", "str", "gpt2"),
        ("tokenizer.ggml.tokens", "arr:str", [f"tok{i}" for i in range(vocab)]),
        ("tokenizer.ggml.token_type", "arr:i32", [1] * vocab),
    ]
    if n_merges:
        metadata.append(("tokenizer.ggml.merges", "arr:str", [f"merge-{i:07d} x" for i in range(n_merges)]))
    data, _ = gguf_bytes(metadata, tensors)
    return data, tensors


def llama3_8b_q4_k_m_header() -> tuple[bytes, int, list[tuple[str, list[int], str]]]:
    """The header of a Llama-3-8B GGUF with llama.cpp's Q4_K_M type mix (data size returned, not built).

    Q4_K_M: Q4_K everywhere except output.weight (Q6_K) and attn_v / ffn_down in the layers that
    ``use_more_bits(i, n)`` picks (the first and last eighth, and every third in between), which get Q6_K.
    """
    n, d, ff, vocab, kv = 32, 4096, 14336, 128256, 1024

    def more_bits(i: int) -> bool:
        return i < n // 8 or i >= 7 * n // 8 or (i - n // 8) % 3 == 2

    tensors: list[tuple[str, list[int], str]] = [("token_embd.weight", [d, vocab], "Q4_K")]
    for i in range(n):
        p = f"blk.{i}."
        tensors += [
            (p + "attn_norm.weight", [d], "F32"),
            (p + "attn_q.weight", [d, d], "Q4_K"),
            (p + "attn_k.weight", [d, kv], "Q4_K"),
            (p + "attn_v.weight", [d, kv], "Q6_K" if more_bits(i) else "Q4_K"),
            (p + "attn_output.weight", [d, d], "Q4_K"),
            (p + "ffn_norm.weight", [d], "F32"),
            (p + "ffn_gate.weight", [d, ff], "Q4_K"),
            (p + "ffn_up.weight", [d, ff], "Q4_K"),
            (p + "ffn_down.weight", [ff, d], "Q6_K" if more_bits(i) else "Q4_K"),
        ]
    tensors += [("output_norm.weight", [d], "F32"), ("output.weight", [d, vocab], "Q6_K")]
    metadata: list[tuple[str, str, Any]] = [
        ("general.architecture", "str", "llama"),
        ("general.name", "str", "Meta-Llama-3-8B"),
        ("general.file_type", "u32", 15),
        ("llama.block_count", "u32", n),
        ("llama.context_length", "u32", 8192),
        ("llama.embedding_length", "u32", d),
        ("llama.feed_forward_length", "u32", ff),
        ("llama.attention.head_count", "u32", 32),
        ("llama.attention.head_count_kv", "u32", 8),
        ("llama.rope.freq_base", "f32", 500000.0),
        ("llama.rope.dimension_count", "u32", 128),
        ("llama.attention.layer_norm_rms_epsilon", "f32", 1e-5),
        ("llama.vocab_size", "u32", vocab),
        ("tokenizer.ggml.model", "str", "gpt2"),
        ("tokenizer.ggml.tokens", "arr:str", [f"token-{i}" for i in range(vocab)]),
    ]
    header, data_size = gguf_bytes(metadata, tensors, with_data=False)
    return header, data_size, tensors
