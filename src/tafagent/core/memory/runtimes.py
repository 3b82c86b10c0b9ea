"""Serving-engine profiles (transformers, vLLM, SGLang, llama.cpp): the rules and measured constants of each
engine, read from the packaged ``data/runtimes.json`` (pinned engine versions, with sources)."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from tafagent.core.errors import ConfigError

# The engines whose memory rules are modelled (keys of data/runtimes.json).
ENGINES = ("transformers", "vllm", "sglang", "llama.cpp")
# Other spellings users type for the same engines.
_ALIASES = {
    "hf": "transformers",
    "huggingface": "transformers",
    "llamacpp": "llama.cpp",
    "llama-cpp": "llama.cpp",
    "sgl": "sglang",
}


@dataclass(frozen=True)
class RuntimeProfile:
    """One engine's memory rules: paging block, default memory fraction, batching and padding sizes."""

    name: str
    version: str
    block_size: int | None = None
    gpu_memory_utilization: float = 1.0
    max_num_batched_tokens: int = 8192
    context_pad: int | None = None
    n_ubatch: int = 512
    source: str = ""
    kv_rules: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


@cache
def runtime_data() -> dict[str, Any]:
    """The parsed ``data/runtimes.json`` (read once): per-engine rules and measured vLLM constants."""
    text = resources.files("tafagent.core").joinpath("data/runtimes.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def runtime_profile(engine: str) -> RuntimeProfile:
    """The profile of ``engine`` ('hf', 'llamacpp', 'sgl' accepted); ConfigError naming ``engine`` and the
    closest engine otherwise."""
    key = engine.strip().lower() if isinstance(engine, str) else ""
    key = _ALIASES.get(key, key)
    runtimes = runtime_data()["runtimes"]
    if key not in runtimes:
        close = difflib.get_close_matches(key, [*ENGINES, *_ALIASES], n=1, cutoff=0.5)
        hint = f"did you mean '{_ALIASES.get(close[0], close[0])}'? " if close else ""
        raise ConfigError(
            f"unknown engine {engine!r} (parameter 'engine')",
            f"{hint}use one of {', '.join(ENGINES)}",
            field="engine",
        )
    row = runtimes[key]
    return RuntimeProfile(
        name=key,
        version=row["version"],
        block_size=row.get("block_size"),
        gpu_memory_utilization=row.get("gpu_memory_utilization", 1.0),
        max_num_batched_tokens=row.get("max_num_batched_tokens", 8192),
        context_pad=row.get("context_pad"),
        n_ubatch=row.get("n_ubatch", 512),
        source=row.get("source", ""),
        kv_rules=row.get("kv_rules", ""),
        raw=row,
    )


def sglang_mem_fraction_static(gpu_mem_GiB: float, tp: int = 1) -> tuple[float, str]:
    """SGLang's default ``mem_fraction_static`` for a GPU of ``gpu_mem_GiB`` (server_args.py):
    reserved MiB = 512 + max(chunked_prefill_size, 2048)·1.5 + cuda_graph_max_bs·2 + tp·pp/8·1024, at least
    10 GiB above 60 GiB; fraction = round((gpu_mem − reserved) / gpu_mem, 3). Returns (fraction, how)."""
    rule = runtime_data()["runtimes"]["sglang"]["mem_fraction_static_rule"]

    def bucket(table: list[list[Any]]) -> int:
        return int(next(value for limit, value in table if limit is None or gpu_mem_GiB < limit))

    chunk, graph_bs = bucket(rule["chunked_prefill_size_by_GiB"]), bucket(rule["cuda_graph_max_bs_by_GiB"])
    gpu_mem_MiB = gpu_mem_GiB * 1024
    reserved = 512 + max(chunk, 2048) * 1.5 + graph_bs * 2 + tp / 8 * 1024
    if gpu_mem_MiB > 60 * 1024:
        reserved = max(reserved, rule["floor_MiB_above_60GiB"])
    fraction = round((gpu_mem_MiB - reserved) / gpu_mem_MiB, 3) if gpu_mem_MiB > reserved else rule["fallback"]
    how = (
        f"SGLang default mem_fraction_static {fraction}: reserved {reserved:,.0f} MiB (chunked_prefill_size {chunk}, "
        f"cuda_graph_max_bs {graph_bs}, tp {tp}) of {gpu_mem_MiB:,.0f} MiB"
    )
    return fraction, how
