"""``llama-server`` command lines (llama.cpp).

Flags checked against llama.cpp's own argument parser (common/arg.cpp, common_params_parser_init); the extracted
list is tests/data/engine_flags/llama_cpp.json. Rules that shape the line:

* ``-c`` is the TOTAL context of the server, shared by the ``-np`` slots: each slot gets n_ctx / n_parallel
  tokens (llama-context.cpp: n_ctx_seq = n_ctx / n_seq_max unless the KV cache is unified), so
  -c = context per request × parallel requests.
* ``-ngl`` counts the output layer as one more layer: n_layers + 1 puts the whole model on the GPU
  (llama-model.cpp: the output tensor is offloaded when n_gpu_layers > n_layer).
* A quantised V cache (-ctv q8_0/q4_0) needs flash attention.
* Loading without mmap is ``--load-mode none`` in current builds; ``--no-mmap`` was removed in b10875
  (PR #28334, 2026-09), and Ollama v0.33 passes ``--load-mode none`` to its bundled llama.cpp b10488.
"""

from __future__ import annotations

from tafagent.core.errors import UsageError
from tafagent.core.launch.request import (
    LaunchCommand,
    LaunchRequest,
    canonical_kv_dtype,
    make_command,
    note,
    unsupported_kv,
)
from tafagent.core.messages import Msg

CHECKED_AGAINST = (
    "llama.cpp master with -fa on|off|auto: common/arg.cpp at commit 145b6280, src/llama-context.cpp at 4c7103b9; "
    "--load-mode: llama.cpp b10488 in Ollama v0.33.0-rc2 (commit fb307609, llm/llama_server.go)"
)
# llama.cpp -ctk/-ctv cache types for tafagent's KV dtype names (f16 is llama.cpp's default).
_CACHE_TYPE = {"auto": "f16", "fp16": "f16", "bf16": "bf16", "fp32": "f32", "q8_0": "q8_0", "q4_0": "q4_0"}
_QUANTISED_CACHE = ("q8_0", "q4_0")
# -ngl value meaning "every layer" when the layer count is unknown (llama.cpp clamps it to n_layer + 1).
ALL_LAYERS = 999


def llama_cpp_commands(request: LaunchRequest) -> tuple[LaunchCommand, ...]:
    """``llama-server -m MODEL.gguf -ngl N -c CTX·NP -np NP -fa on|off [-ctk T -ctv T] [--load-mode none]
    [--port P]``."""
    notes: list[Msg] = []
    argv = ["llama-server", *_model_args(request.model, request.quantization, notes)]
    gpu_layers, full_offload = _gpu_layers(request, notes)
    argv += ["-ngl", str(gpu_layers), *_context_args(request, notes)]
    argv += ["-fa", "on" if request.flash_attention else "off"]
    cache = _cache_type(canonical_kv_dtype(request.kv_cache_dtype), request.flash_attention)
    if cache != "f16":
        argv += ["-ctk", cache, "-ctv", cache]
    if full_offload:
        # --load-mode none replaced --no-mmap (llama.cpp b10875, PR #28334 removed the old spelling).
        argv += ["--load-mode", "none"]
        notes.append(note("llama_no_mmap"))
    if request.port is not None:
        argv += ["--port", str(request.port)]
    _other_notes(request, notes)
    return (make_command("llama.cpp", argv, notes, CHECKED_AGAINST),)


def _model_args(model: str, quantization: str | None, notes: list[Msg]) -> list[str]:
    """``-m FILE.gguf`` for a local file; ``-hf REPO[:QUANT]`` for a Hub repo (llama-server downloads it; the quant
    tag comes from a ``gguf-…`` weights format such as gguf-q4_k_m → :Q4_K_M)."""
    wanted = (quantization or "").strip().lower()
    quant = wanted.removeprefix("gguf-").removeprefix("gguf:") if wanted.startswith("gguf") else ""
    if model.lower().endswith(".gguf") or model.startswith(("/", "./", "~")):
        if wanted:
            notes.append(note("llama_gguf_file", fmt=wanted))
        return ["-m", model]
    if quant and ":" not in model:
        model = f"{model}:{quant.upper()}"
    elif wanted and not quant:
        notes.append(note("llama_hf_tag", fmt=wanted))
    notes.append(note("llama_hf_download", model=model))
    return ["-hf", model]


def _context_args(request: LaunchRequest, notes: list[Msg]) -> list[str]:
    """``-c`` (total context = per-request context × slots) and ``-np`` (slots)."""
    parallel = request.max_num_seqs or 1
    args = []
    if request.max_model_len is not None:
        total = request.max_model_len * parallel
        args += ["-c", str(total)]
        if parallel > 1:
            notes.append(
                note("llama_context_split", total=str(total), per_request=request.max_model_len, slots=parallel)
            )
    else:
        if parallel > 1:
            notes.append(note("llama_context_default_slots", slots=parallel))
        else:
            notes.append(note("llama_context_default"))
    args += ["-np", str(parallel)]
    if request.max_num_seqs is None:
        notes.append(note("llama_one_slot"))
    return args


def _gpu_layers(request: LaunchRequest, notes: list[Msg]) -> tuple[int, bool]:
    """The -ngl value and whether the whole model is on the GPU."""
    n_layers, wanted = request.n_layers, request.n_gpu_layers
    if wanted is None:
        if n_layers is None:
            notes.append(note("llama_layers_unknown", ngl=str(ALL_LAYERS)))
            return ALL_LAYERS, True
        notes.append(note("llama_layers_all", ngl=str(n_layers + 1), n_layers=n_layers))
        return n_layers + 1, True
    if n_layers is not None and wanted >= n_layers:
        return wanted, True
    if n_layers is not None:
        notes.append(note("llama_layers_partial_of", ngl=str(wanted), n=wanted, n_layers=n_layers))
    else:
        notes.append(note("llama_layers_partial", ngl=str(wanted), n=wanted))
    return wanted, n_layers is None and wanted >= ALL_LAYERS


def _cache_type(kv_dtype: str, flash_attention: bool) -> str:
    """The -ctk/-ctv type for a tafagent KV dtype; UsageError for fp8/int8 and for a quantised V cache without
    flash attention."""
    if kv_dtype not in _CACHE_TYPE:
        raise unsupported_kv("llama.cpp", kv_dtype, tuple(_CACHE_TYPE), "use q8_0 (≈ 1.06 bytes per element) instead")
    cache = _CACHE_TYPE[kv_dtype]
    if cache in _QUANTISED_CACHE and not flash_attention:
        raise UsageError(
            f"llama.cpp needs flash attention for a {cache} V cache (parameter 'flash_attention')",
            "set flash_attention=True (-fa on) or use KV dtype auto (f16)",
        )
    return cache


def _other_notes(request: LaunchRequest, notes: list[Msg]) -> None:
    """Notes for request fields llama-server has no flag for."""
    if request.tensor_parallel_size > 1:
        notes.append(note("llama_tensor_parallel", tp=str(request.tensor_parallel_size)))
    if request.gpu_memory_utilization is not None:
        notes.append(note("llama_no_utilization"))
