"""Serving-engine profiles (transformers, vLLM, llama.cpp): the rules and measured constants of each engine,
read from the packaged ``data/runtimes.json`` (pinned engine versions, with sources)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from tafagent.core.errors import ConfigError

# The engines whose memory rules are modelled (keys of data/runtimes.json).
ENGINES = ("transformers", "vllm", "llama.cpp")


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
    """The profile of ``engine`` ('hf' and 'llamacpp' accepted); ConfigError naming ``engine`` otherwise."""
    key = engine.strip().lower().replace("hf", "transformers").replace("llamacpp", "llama.cpp")
    runtimes = runtime_data()["runtimes"]
    if key not in runtimes:
        raise ConfigError(
            f"unknown engine '{engine}' (parameter 'engine')", "use transformers, vllm or llama.cpp", field="engine"
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
