"""Pure header parsing: safetensors and GGUF bytes → tensors, exact bytes, logical parameters, bits per weight."""

from __future__ import annotations

import contextlib
import json
import math
import struct
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from support.hub_fixtures import (
    GGML,
    GGML_BLOCKS,
    TINY_LLAMA,
    gguf_bytes,
    gguf_tensor_bytes,
    gptq_tensors,
    llama3_8b_q4_k_m_header,
    llama_tensors,
    safetensors_bytes,
    safetensors_data_bytes,
    tiny_gguf,
)
from tafagent.core.errors import HeaderTruncatedError, WeightHeaderError
from tafagent.core.spec.gguf_config import gguf_to_config
from tafagent.core.spec.gguf_header import (
    GGML_TYPES,
    MAX_GGUF_ARRAY_DEPTH,
    GGUFArray,
    parse_gguf_header,
    summarize_gguf,
)
from tafagent.core.spec.resolve import resolve_spec
from tafagent.core.spec.safetensors_header import parse_safetensors_header, summarize_safetensors
from tafagent.core.spec.weights_summary import HeaderWeights, ParamsCheck, check_params


# ---------------------------------------------------------------------------------------------- safetensors
def test_safetensors_header_gives_exact_bytes_per_dtype() -> None:
    tensors = [("a", "F32", [3, 5]), ("b", "BF16", [7]), ("c", "I8", [2, 2, 2]), ("d", "F16", [0])]
    data = safetensors_bytes(tensors, {"format": "pt"})
    header = parse_safetensors_header(data)
    assert header.metadata == {"format": "pt"}
    assert {t.name: (t.dtype, t.shape) for t in header.tensors} == {
        "a": ("F32", (3, 5)),
        "b": ("BF16", (7,)),
        "c": ("I8", (2, 2, 2)),
        "d": ("F16", (0,)),
    }
    assert header.data_bytes == safetensors_data_bytes(tensors) == 60 + 14 + 8
    assert header.file_bytes == len(data)
    weights = summarize_safetensors({"m.safetensors": header}, source="test")
    assert weights.bytes_by_dtype == {"BF16": 14, "F16": 0, "F32": 60, "I8": 8}
    assert weights.elements_by_dtype == {"BF16": 7, "F16": 0, "F32": 15, "I8": 8}
    assert weights.n_params_logical == weights.n_elements == 30
    assert weights.bits_per_weight == pytest.approx(8 * 82 / 30)


def test_safetensors_matches_the_safetensors_library(tmp_path: Path) -> None:
    np = pytest.importorskip("numpy")
    safetensors_numpy = pytest.importorskip("safetensors.numpy")
    arrays = {
        "w": np.zeros((4, 3), dtype=np.float32),
        "h": np.zeros((5,), dtype=np.float16),
        "i": np.zeros((2, 2), dtype=np.int64),
        "u": np.zeros((9,), dtype=np.uint8),
    }
    path = tmp_path / "x.safetensors"
    safetensors_numpy.save_file(arrays, str(path), metadata={"format": "np"})
    raw = path.read_bytes()
    header = parse_safetensors_header(raw)
    assert {t.name: t.shape for t in header.tensors} == {k: v.shape for k, v in arrays.items()}
    assert header.data_bytes == sum(a.nbytes for a in arrays.values())
    assert header.file_bytes == len(raw)


def test_truncated_safetensors_prefix_asks_for_the_bytes_it_needs() -> None:
    data = safetensors_bytes(llama_tensors(TINY_LLAMA))
    (length,) = struct.unpack("<Q", data[:8])
    with pytest.raises(HeaderTruncatedError) as short:
        parse_safetensors_header(data[:100])
    assert short.value.needed_bytes == 8 + length
    with pytest.raises(HeaderTruncatedError):
        parse_safetensors_header(data[:5])
    assert len(parse_safetensors_header(data[: 8 + length]).tensors) == len(llama_tensors(TINY_LLAMA))


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ({"t": {"dtype": "F99", "shape": [1], "data_offsets": [0, 4]}}, "unknown dtype"),
        ({"t": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}}, "need 8"),
        ({"t": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}, "invalid shape"),
        ({"t": {"dtype": "F32", "shape": [1], "data_offsets": [4, 0]}}, "invalid data_offsets"),
        (
            {
                "a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]},
            },
            "overlaps",
        ),
        ([1, 2], "not a JSON object"),
    ],
)
def test_invalid_safetensors_headers_name_the_problem(header: object, message: str) -> None:
    text = json.dumps(header).encode()
    with pytest.raises(WeightHeaderError, match=message):
        parse_safetensors_header(struct.pack("<Q", len(text)) + text)


def test_not_a_safetensors_file() -> None:
    with pytest.raises(WeightHeaderError, match="not a safetensors file"):
        parse_safetensors_header(b"\xff" * 64)
    text = b"{not json"
    with pytest.raises(WeightHeaderError, match="not JSON"):
        parse_safetensors_header(struct.pack("<Q", len(text)) + text)


# ---------------------------------------------------------------------------------------------- quantized
def test_gptq_packed_qweight_unpacks_to_the_config_count() -> None:
    bits, group = 4, 32
    tensors = gptq_tensors(TINY_LLAMA, bits, group)
    header = parse_safetensors_header(safetensors_bytes(tensors))
    weights = summarize_safetensors({"model.safetensors": header}, source="t", quant_bits=bits, quant_method="gptq")
    spec = resolve_spec(TINY_LLAMA)
    assert weights.n_params_logical == spec.n_params == 106_816
    total = safetensors_data_bytes(tensors)
    assert weights.n_bytes == total
    assert weights.bits_per_weight == pytest.approx(8 * total / spec.n_params)
    quant_side = [t for t in tensors if t[0].endswith((".qweight", ".qzeros", ".scales", ".g_idx"))]
    linear_weights = sum(math.prod(s) for n, _, s in llama_tensors(TINY_LLAMA) if n.endswith("_proj.weight"))
    assert weights.quantized_bits_per_weight == pytest.approx(8 * safetensors_data_bytes(quant_side) / linear_weights)
    # 4 bits + fp16 scale and 4-bit zero per group of 32, + an int32 g_idx per input row.
    assert 4.6 < weights.quantized_bits_per_weight < 5.2
    overhead = [t for t in tensors if t[0].endswith((".qzeros", ".scales", ".g_idx"))]
    assert weights.n_quant_overhead_bytes == safetensors_data_bytes(overhead)
    assert check_params(spec.n_params, weights).agrees  # type: ignore[union-attr]


def test_packed_weights_without_a_bit_width_leave_the_logical_count_unknown() -> None:
    header = parse_safetensors_header(safetensors_bytes(gptq_tensors(TINY_LLAMA, 4, 32)))
    weights = summarize_safetensors({"m": header}, source="t")
    assert weights.n_params_logical is None and weights.bits_per_weight is None
    assert "no usable bit width" in weights.notes[0]
    assert check_params(106_816, weights) is None


def test_bitsandbytes_4bit_and_fp8_layouts() -> None:
    nf4 = [
        ("model.layers.0.mlp.up_proj.weight", "U8", [2048, 1]),
        ("model.layers.0.mlp.up_proj.weight.absmax", "F32", [64]),
        ("model.layers.0.mlp.up_proj.weight.quant_map", "F32", [16]),
        ("model.layers.0.mlp.up_proj.weight.quant_state.bitsandbytes__nf4", "U8", [100]),
        ("model.norm.weight", "BF16", [64]),
    ]
    w = summarize_safetensors(
        {"m": parse_safetensors_header(safetensors_bytes(nf4))}, source="t", quant_bits=4, quant_method="bitsandbytes"
    )
    assert w.n_params_logical == 4096 + 64
    assert w.n_quant_overhead_bytes == 64 * 4 + 16 * 4 + 100
    fp8 = [
        ("model.layers.0.mlp.up_proj.weight", "F8_E4M3", [128, 64]),
        ("model.layers.0.mlp.up_proj.weight_scale_inv", "F32", [1, 1]),
        ("model.layers.0.mlp.up_proj.input_scale", "F32", [1]),
    ]
    w = summarize_safetensors(
        {"m": parse_safetensors_header(safetensors_bytes(fp8))}, source="t", quant_bits=8, quant_method="fp8"
    )
    assert w.n_params_logical == 128 * 64
    assert w.bits_per_weight == pytest.approx(8 * (128 * 64 + 8) / (128 * 64))


def test_buffers_and_vision_towers_are_counted_apart() -> None:
    tensors = [
        *llama_tensors(TINY_LLAMA, prefix="language_model."),
        ("language_model.model.layers.0.self_attn.rotary_emb.inv_freq", "F32", [8]),
        ("vision_tower.encoder.layers.0.fc1.weight", "BF16", [32, 16]),
        ("multi_modal_projector.linear_1.weight", "BF16", [64, 32]),
    ]
    w = summarize_safetensors({"m": parse_safetensors_header(safetensors_bytes(tensors))}, source="t")
    assert w.n_buffer_elements == 8
    assert w.n_params_non_text == 32 * 16 + 64 * 32
    assert w.n_params_text == resolve_spec(TINY_LLAMA).n_params
    check = check_params(resolve_spec(TINY_LLAMA).n_params, w)
    assert check is not None and check.scope == "language-model tensors" and check.agrees


def test_params_check_tolerance_is_one_percent() -> None:
    assert ParamsCheck(1000, 1010, "all tensors").agrees
    assert ParamsCheck(1000, 1010, "all tensors").warning() is None
    off = ParamsCheck(1000, 1011, "all tensors")
    assert not off.agrees
    assert "1,011" in (off.warning() or "") and "1,000" in (off.warning() or "") and "+1.10%" in off.describe()


# ---------------------------------------------------------------------------------------------- ggml / GGUF
def test_ggml_block_sizes_are_exact() -> None:
    by_name = {t.name: t for t in GGML_TYPES.values()}
    assert by_name["Q8_0"].bits_per_weight == 8.5
    assert by_name["Q4_K"].bits_per_weight == 4.5
    assert by_name["Q6_K"].bits_per_weight == 6.5625
    assert by_name["Q5_K"].bits_per_weight == 5.5
    assert by_name["Q3_K"].bits_per_weight == 3.4375
    assert by_name["Q2_K"].bits_per_weight == 2.625
    assert by_name["Q4_0"].bits_per_weight == 4.5
    assert by_name["IQ4_XS"].bits_per_weight == 4.25
    assert by_name["MXFP4"].bits_per_weight == 4.25
    for type_id, (block, size) in GGML_BLOCKS.items():  # the test fixtures' independent table
        assert (GGML_TYPES[type_id].block_size, GGML_TYPES[type_id].type_size) == (block, size)


def test_ggml_table_matches_gguf_py_when_installed() -> None:
    gguf = pytest.importorskip("gguf")
    for quant_type, (block, size) in gguf.GGML_QUANT_SIZES.items():
        ours = GGML_TYPES.get(int(quant_type))
        if ours is None or ours.name == "Q8_1":  # gguf-py keeps Q8_1's old float layout (40 B)
            continue
        assert (ours.name, ours.block_size, ours.type_size) == (quant_type.name, block, size)


def test_tiny_gguf_header_tensors_and_exact_sizes() -> None:
    data, tensors = tiny_gguf()
    header = parse_gguf_header(data)
    assert header.version == 3 and header.byte_order == "little" and header.alignment == 32
    assert header.architecture == "llama" and header.file_type == "Q4_K_M"
    assert header.metadata["llama.embedding_length"] == 256
    assert header.metadata["llama.rope.freq_base"] == 500000.0
    assert header.metadata["tokenizer.ggml.tokens"][:2] == ["tok0", "tok1"]
    assert [(t.name, list(t.shape), t.ggml_type.name) for t in header.tensors] == [(n, s, ty) for n, s, ty in tensors]
    assert header.data_offset % 32 == 0
    assert header.data_bytes == sum(gguf_tensor_bytes(s, ty) for _, s, ty in tensors) == len(data) - header.data_offset
    weights = summarize_gguf({"tiny.gguf": header}, source="t")
    assert set(weights.elements_by_dtype) == {"F32", "F16", "Q8_0", "Q4_K", "Q6_K"}
    assert weights.n_bytes == header.data_bytes
    assert weights.n_buffer_elements == 32  # rope_freqs.weight
    assert weights.n_params_logical == weights.n_elements - 32
    by_type = weights.bytes_by_dtype
    for name, elements in weights.elements_by_dtype.items():
        block, size = GGML_BLOCKS[GGML[name]]
        assert by_type[name] == elements // block * size


def test_long_metadata_arrays_are_summarised_not_kept() -> None:
    data, _ = tiny_gguf(n_merges=3000)
    header = parse_gguf_header(data)
    merges = header.metadata["tokenizer.ggml.merges"]
    assert isinstance(merges, GGUFArray) and merges.length == 3000 and merges.item_type == "STRING"


def test_gguf_metadata_becomes_a_config_the_resolver_reads() -> None:
    header = parse_gguf_header(tiny_gguf()[0])
    cfg = gguf_to_config(header)
    assert cfg.config["hidden_size"] == 256 and cfg.key_sources["hidden_size"] == "llama.embedding_length"
    assert cfg.config["rms_norm_eps"] == 1e-5  # float32 noise removed
    assert cfg.config["tie_word_embeddings"] is False and "output.weight" in cfg.derived_notes["tie_word_embeddings"]
    spec = resolve_spec(cfg.config, "tiny")
    assert (spec.n_layers, spec.d_model, spec.n_heads, spec.n_kv_heads, spec.d_ff) == (2, 256, 4, 2, 512)
    assert (spec.vocab_size, spec.T_train, spec.rope_theta) == (512, 4096, 500000.0)
    assert spec.n_params == summarize_gguf({"t": header}, source="t").n_params_logical


def test_llama3_8b_q4_k_m_is_about_4_9_bits_per_weight() -> None:
    header_bytes, data_size, _ = llama3_8b_q4_k_m_header()
    header = parse_gguf_header(header_bytes)
    weights = summarize_gguf({"m.gguf": header}, source="t")
    spec = resolve_spec(gguf_to_config(header).config, "llama-3-8b")
    assert weights.n_params_logical == spec.n_params == 8_030_261_248
    assert weights.n_bytes == data_size  # no padding: every tensor size is a multiple of 32
    assert 4.8 < weights.bits_per_weight < 5.0  # type: ignore[operator]


def test_truncated_gguf_prefixes_ask_for_more() -> None:
    data, _ = tiny_gguf()
    header = parse_gguf_header(data)
    for cut in (0, 3, 8, 23, 24, 100, 5000, header.data_offset - 40):
        with pytest.raises(HeaderTruncatedError) as short:
            parse_gguf_header(data[:cut])
        assert short.value.needed_bytes > cut


def test_big_endian_gguf() -> None:
    key = b"general.architecture"
    value = b"llama"
    body = b"GGUF" + struct.pack(">IQQ", 3, 1, 1)
    body += struct.pack(">Q", len(key)) + key + struct.pack(">I", 8) + struct.pack(">Q", len(value)) + value
    name = b"token_embd.weight"
    body += struct.pack(">Q", len(name)) + name + struct.pack(">I", 2) + struct.pack(">QQ", 32, 4)
    body += struct.pack(">IQ", 8, 0)
    header = parse_gguf_header(body + bytes(-len(body) % 32))
    assert header.byte_order == "big" and header.architecture == "llama"
    assert header.tensors[0].n_bytes == 4 * 34


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: b"GGML" + d[4:], "not a GGUF file"),
        (lambda d: d[:4] + struct.pack("<I", 7) + d[8:], "version 7"),
    ],
)
def test_invalid_gguf(mutate, message: str) -> None:  # type: ignore[no-untyped-def]
    data, _ = tiny_gguf()
    with pytest.raises(WeightHeaderError, match=message):
        parse_gguf_header(mutate(data))


def test_unknown_ggml_type_is_named() -> None:
    data, _ = gguf_bytes([("general.architecture", "str", "llama")], [("t", [32], "F32")])
    name_at = data.index(struct.pack("<Q", 1) + b"t")
    type_at = name_at + 9 + 4 + 8  # after the name, n_dims (u32) and one dim (u64)
    patched = data[:type_at] + struct.pack("<I", 99) + data[type_at + 4 :]
    with pytest.raises(WeightHeaderError, match="ggml type 99"):
        parse_gguf_header(patched)


def _nested_array_gguf(depth: int) -> bytes:
    """A GGUF header whose one metadata value is ``depth`` arrays, each holding the next (the innermost: 2 u32)."""
    key = b"test.nested"
    value = b"".join(struct.pack("<IQ", 9, 1) for _ in range(depth - 1)) + struct.pack("<IQ", 4, 2)
    value += struct.pack("<II", 7, 8)
    return b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + struct.pack("<Q", len(key)) + key + struct.pack("<I", 9) + value


def test_nested_metadata_arrays_parse_up_to_the_depth_limit() -> None:
    value = parse_gguf_header(_nested_array_gguf(MAX_GGUF_ARRAY_DEPTH)).metadata["test.nested"]
    for _ in range(MAX_GGUF_ARRAY_DEPTH - 1):
        assert isinstance(value, list) and len(value) == 1
        value = value[0]
    assert value == [7, 8]


@pytest.mark.parametrize("depth", [MAX_GGUF_ARRAY_DEPTH + 1, 1000])
def test_deeply_nested_metadata_arrays_are_a_header_error_not_a_recursion_error(depth: int) -> None:
    # 1,000 levels are 12 KB of header: before the limit they exhausted Python's recursion limit.
    with pytest.raises(WeightHeaderError, match=f"nests arrays more than {MAX_GGUF_ARRAY_DEPTH} levels deep") as info:
        parse_gguf_header(_nested_array_gguf(depth))
    assert "\n" not in info.value.one_line()


# ---------------------------------------------------------------------------------------------- properties
_TINY_GGUF_PREFIX = tiny_gguf()[0][:2048]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_never_crash_the_parsers(blob: bytes) -> None:
    for parse in (parse_gguf_header, parse_safetensors_header):
        with contextlib.suppress(WeightHeaderError):
            parse(blob)
    with contextlib.suppress(WeightHeaderError):
        parse_gguf_header(b"GGUF\x03\x00\x00\x00" + blob)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=2000), st.integers(min_value=0, max_value=255))
def test_corrupting_one_byte_of_a_gguf_header_never_crashes(position: int, value: int) -> None:
    data = bytearray(_TINY_GGUF_PREFIX)
    data[position] = value
    with contextlib.suppress(WeightHeaderError):
        parse_gguf_header(bytes(data))


def test_header_weights_are_stored_weights_with_extra_fields() -> None:
    header = parse_safetensors_header(safetensors_bytes(llama_tensors(TINY_LLAMA)))
    weights = summarize_safetensors({"model.safetensors": header}, source="t")
    assert isinstance(weights, HeaderWeights)
    payload = weights.to_dict()
    assert payload["n_params_logical"] == 106_816 and payload["files"] == ["model.safetensors"]
    assert payload["format"] == "safetensors" and payload["n_bytes"] == 2 * 106_816


def test_a_tied_lm_head_saved_twice_is_counted_once() -> None:
    tied = {**TINY_LLAMA, "tie_word_embeddings": True}
    tensors = [*llama_tensors(tied), ("lm_head.weight", "BF16", [256, 64])]
    header = parse_safetensors_header(safetensors_bytes(tensors))
    weights = summarize_safetensors({"m": header}, source="t", tied_embeddings=True)
    assert weights.n_params_logical == resolve_spec(tied).n_params == TINY_N_PARAMS_TIED
    assert weights.n_bytes == safetensors_data_bytes(tensors)  # the copy's bytes are real
    assert any("counted once" in note for note in weights.notes)
    untied = summarize_safetensors({"m": header}, source="t")
    assert untied.n_params_logical == TINY_N_PARAMS_TIED + 256 * 64


TINY_N_PARAMS_TIED = 106_816 - 256 * 64
