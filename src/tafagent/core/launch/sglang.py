"""``python -m sglang.launch_server`` command lines.

Flags and choices checked against SGLang's own argument parser (python/sglang/srt/server_args.py
ServerArgs.add_cli_args); the extracted list is tests/data/engine_flags/sglang.json.
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

CHECKED_AGAINST = "SGLang main, python/sglang/srt/server_args.py at commit 001067ff (2026)"
# SGLang --kv-cache-dtype choices for tafagent's names ('fp8' is written as fp8_e4m3, the format SGLang's
# FP8 kernels use by default).
_KV_FLAG = {"auto": "auto", "bf16": "bf16", "fp8": "fp8_e4m3", "fp8_e4m3": "fp8_e4m3", "fp8_e5m2": "fp8_e5m2"}
_KV_AS_MODEL = ("fp16", "fp32")


def sglang_commands(request: LaunchRequest) -> tuple[LaunchCommand, ...]:
    """``python -m sglang.launch_server --model-path MODEL --tp-size N [--context-length L]
    [--mem-fraction-static F] [--max-running-requests S] [--kv-cache-dtype D] [--quantization Q] [--port P]``."""
    notes: list[Msg] = []
    argv = ["python", "-m", "sglang.launch_server", "--model-path", request.model]
    # --tp-size is the parser's own flag (field tp_size); '--tp' only works as an argparse prefix abbreviation.
    argv += ["--tp-size", str(request.tensor_parallel_size)]
    if request.max_model_len is not None:
        argv += ["--context-length", str(request.max_model_len)]
    if request.gpu_memory_utilization is not None:
        argv += ["--mem-fraction-static", f"{request.gpu_memory_utilization:g}"]
        notes.append(note("sglang_mem_fraction"))
    else:
        notes.append(note("sglang_mem_fraction_default"))
    if request.max_num_seqs is not None:
        argv += ["--max-running-requests", str(request.max_num_seqs)]
    kv = _kv_flag(canonical_kv_dtype(request.kv_cache_dtype), notes)
    if kv != "auto":
        argv += ["--kv-cache-dtype", kv]
    method = quantization_flag("SGLang", request.quantization, request.model, notes)
    if method is not None:
        argv += ["--quantization", method]
    if request.port is not None:
        argv += ["--port", str(request.port)]
    if request.n_gpu_layers is not None:
        notes.append(note("sglang_gpu_layers_ignored"))
    return (make_command("sglang", argv, notes, CHECKED_AGAINST),)


def _kv_flag(kv_dtype: str, notes: list[Msg]) -> str:
    """The SGLang --kv-cache-dtype value for a tafagent KV dtype; UsageError for types SGLang lacks."""
    if kv_dtype in _KV_FLAG:
        return _KV_FLAG[kv_dtype]
    if kv_dtype in _KV_AS_MODEL:
        notes.append(note("sglang_kv_model_dtype", kv=kv_dtype))
        return "auto"
    raise unsupported_kv("SGLang", kv_dtype, tuple(_KV_FLAG), "use fp8 or auto, or engine llama.cpp for q8_0/q4_0")
