"""``vllm serve`` command lines.

Flags and choices checked against vLLM's own argument parser (vllm/engine/arg_utils.py EngineArgs.add_cli_args,
whose choices come from the Literal types in vllm/config/cache.py CacheDType and model.py QuantizationMethods);
the extracted list is tests/data/engine_flags/vllm.json.
"""

from __future__ import annotations

from tafagent.core.launch.quantization import quantization_flag
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
    "vLLM main: vllm/engine/arg_utils.py at commit 99d7eb5d (v0.11 line), vllm/config/cache.py at 002f10e0 (2026), "
    "quantization/__init__.py at 05d90956, entrypoints/openai/cli_args.py at 00522333"
)
# vLLM --kv-cache-dtype choices (CacheDType) for tafagent's names. int8 is vLLM's int8_per_token_head (one fp32
# scale per token, head and K/V: the layout core/memory/kv.py counts); float16 and int8_per_token_head are newer
# than the v0.11 line, whose CacheDType stopped at auto/bfloat16/fp8*.
_KV_FLAG = {
    "auto": "auto",
    "bf16": "bfloat16",
    "fp16": "float16",
    "fp8": "fp8",
    "fp8_e4m3": "fp8_e4m3",
    "fp8_e5m2": "fp8_e5m2",
    "int8": "int8_per_token_head",
}
_KV_AS_MODEL = ("fp32",)
DEFAULT_GPU_MEMORY_UTILIZATION = 0.92  # CacheConfig.gpu_memory_utilization at 002f10e0 (0.9 in the v0.11 line)


def vllm_commands(request: LaunchRequest) -> tuple[LaunchCommand, ...]:
    """``vllm serve MODEL --tensor-parallel-size N [--max-model-len L] [--gpu-memory-utilization F]
    [--max-num-seqs S] [--kv-cache-dtype D] [--quantization Q] [--port P]``; defaults are left out."""
    notes: list[Msg] = []
    argv = ["vllm", "serve", request.model, "--tensor-parallel-size", str(request.tensor_parallel_size)]
    if request.max_model_len is not None:
        argv += ["--max-model-len", str(request.max_model_len)]
    if request.gpu_memory_utilization is not None:
        argv += ["--gpu-memory-utilization", f"{request.gpu_memory_utilization:g}"]
    else:
        notes.append(note("vllm_utilization_default", default=str(DEFAULT_GPU_MEMORY_UTILIZATION)))
    if request.max_num_seqs is not None:
        argv += ["--max-num-seqs", str(request.max_num_seqs)]
    kv = _kv_flag(canonical_kv_dtype(request.kv_cache_dtype), notes)
    if kv != "auto":
        argv += ["--kv-cache-dtype", kv]
    method = quantization_flag("vLLM", request.quantization, request.model, notes)
    if method is not None:
        argv += ["--quantization", method]
    if request.port is not None:
        argv += ["--port", str(request.port)]
    if not request.flash_attention:
        notes.append(note("vllm_no_flash_flag"))
    if request.n_gpu_layers is not None:
        notes.append(note("vllm_gpu_layers_ignored"))
    return (make_command("vllm", argv, notes, CHECKED_AGAINST),)


def _kv_flag(kv_dtype: str, notes: list[Msg]) -> str:
    """The vLLM --kv-cache-dtype value for a tafagent KV dtype; UsageError for llama.cpp-only types."""
    if kv_dtype in _KV_FLAG:
        if kv_dtype.startswith("fp8"):
            notes.append(note("vllm_kv_fp8", flag=_KV_FLAG[kv_dtype]))
        elif kv_dtype in ("fp16", "int8"):
            notes.append(note("vllm_kv_new", flag=_KV_FLAG[kv_dtype]))
        return _KV_FLAG[kv_dtype]
    if kv_dtype in _KV_AS_MODEL:
        notes.append(note("vllm_kv_fp32", kv=kv_dtype))
        return "auto"
    raise unsupported_kv(
        "vLLM", kv_dtype, tuple(_KV_FLAG), "use fp8 (1 byte) or auto, or engine llama.cpp for q8_0/q4_0"
    )
