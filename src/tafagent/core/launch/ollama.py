"""Ollama: the server environment, a Modelfile and the equivalent API request options.

Checked against Ollama's source: api/types.go (Runner options num_ctx, num_gpu), envconfig/config.go
(OLLAMA_NUM_PARALLEL, OLLAMA_FLASH_ATTENTION, OLLAMA_KV_CACHE_TYPE), fs/ggml/ggml.go SupportsKVCacheType
(f16, q8_0, q4_0) and llm/llama_server.go (the runner gets -c num_ctx × num_parallel, so num_ctx is per request);
the extracted list is tests/data/engine_flags/ollama.json.
"""

from __future__ import annotations

import json
import re

from tafagent.core.errors import UsageError
from tafagent.core.launch.request import (
    LaunchCommand,
    LaunchRequest,
    canonical_kv_dtype,
    make_command,
    note,
    unsupported_kv,
)

CHECKED_AGAINST = (
    "Ollama v0.33.0-rc2 (commit fb307609, 2026-08-21): api/types.go, envconfig/config.go, docs/modelfile.mdx"
)
_CACHE_TYPE = {"auto": "f16", "fp16": "f16", "q8_0": "q8_0", "q4_0": "q4_0"}
DEFAULT_PORT = 11434


def ollama_commands(request: LaunchRequest) -> tuple[LaunchCommand, ...]:
    """Three commands: ``ollama serve`` with its environment, ``ollama create`` from a Modelfile setting
    num_ctx/num_gpu, and a ``curl`` request passing the same values as API options."""
    cache = _cache_type(canonical_kv_dtype(request.kv_cache_dtype), request.flash_attention)
    parameters = _runner_options(request)
    tag = _tag(request.model)
    serve = _serve(request, cache)
    modelfile = "".join([f"FROM {request.model}\n", *(f"PARAMETER {k} {v}\n" for k, v in parameters.items())])
    create_notes = [note("ollama_modelfile_defaults"), note("ollama_modelfile_from")]
    if "num_ctx" in parameters:
        create_notes.append(note("ollama_num_ctx_per_request"))
    create = make_command(
        "ollama",
        ["ollama", "create", tag, "-f", "Modelfile"],
        create_notes,
        CHECKED_AGAINST,
        (("Modelfile", modelfile),),
    )
    port = request.port or DEFAULT_PORT
    # Per-request options need no Modelfile: a registry model is asked directly, a local file through its tag.
    target = tag if _is_file(request.model) else request.model
    body = json.dumps({"model": target, "prompt": "Hello", "options": parameters}, separators=(",", ":"))
    curl = make_command(
        "ollama",
        ["curl", f"http://localhost:{port}/api/generate", "-d", body],
        [note("ollama_request_options")],
        CHECKED_AGAINST,
    )
    return (serve, create, curl)


def _runner_options(request: LaunchRequest) -> dict[str, int]:
    """num_ctx (context per request) and num_gpu (layers on the GPU) when the request sets them."""
    options: dict[str, int] = {}
    if request.max_model_len is not None:
        options["num_ctx"] = request.max_model_len
    if request.n_gpu_layers is not None:
        options["num_gpu"] = request.n_gpu_layers
    elif request.n_layers is not None:
        options["num_gpu"] = request.n_layers + 1
    return options


def _serve(request: LaunchRequest, cache: str) -> LaunchCommand:
    """``env OLLAMA_...=... ollama serve``: parallelism, flash attention and KV cache type are server-wide."""
    env = [f"OLLAMA_FLASH_ATTENTION={int(request.flash_attention)}"]
    notes = [note("ollama_server_wide")]
    if cache != "f16":
        env.append(f"OLLAMA_KV_CACHE_TYPE={cache}")
    if request.max_num_seqs is not None:
        env.append(f"OLLAMA_NUM_PARALLEL={request.max_num_seqs}")
    if request.port is not None:
        env.append(f"OLLAMA_HOST=127.0.0.1:{request.port}")
    if request.tensor_parallel_size > 1:
        notes.append(note("ollama_tensor_parallel"))
    if request.gpu_memory_utilization is not None:
        notes.append(note("ollama_no_utilization"))
    return make_command("ollama", ["env", *env, "ollama", "serve"], notes, CHECKED_AGAINST)


def _cache_type(kv_dtype: str, flash_attention: bool) -> str:
    """OLLAMA_KV_CACHE_TYPE for a tafagent KV dtype (f16, q8_0, q4_0; quantised types need flash attention)."""
    if kv_dtype not in _CACHE_TYPE:
        raise unsupported_kv("Ollama", kv_dtype, tuple(_CACHE_TYPE), "use q8_0 instead")
    cache = _CACHE_TYPE[kv_dtype]
    if cache != "f16" and not flash_attention:
        raise UsageError(
            f"Ollama quantises the KV cache ({cache}) only with flash attention (parameter 'flash_attention')",
            "set flash_attention=True (OLLAMA_FLASH_ATTENTION=1) or use KV dtype auto",
        )
    return cache


def _tag(model: str) -> str:
    """A local model tag derived from the model name ('/m/Llama 3.gguf' → 'llama-3-custom', 'llama3.1:8b' →
    'llama3.1-8b-custom')."""
    stem = model.rsplit("/", 1)[-1].removesuffix(".gguf").replace(":", "-")
    slug = re.sub(r"[^a-z0-9._-]+", "-", stem.lower()).strip("-.") or "model"
    return f"{slug}-custom"


def _is_file(model: str) -> bool:
    """A local GGUF file or path (FROM reads it) rather than a registry name."""
    return model.lower().endswith(".gguf") or model.startswith(("/", "./", "~"))
