"""Shared fixtures: real configs written as Hub config.json files would be."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

# The suite is deterministic by default (CI must not fail on a new random example); explore new examples with
# TAF_HYPOTHESIS=explore, and turn what they find into fixed regression tests.
settings.register_profile("deterministic", derandomize=True, deadline=None)
settings.register_profile("explore", deadline=None)
settings.load_profile(os.environ.get("TAF_HYPOTHESIS", "deterministic"))

LLAMA_3_8B: dict[str, Any] = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "hidden_size": 4096,
    "intermediate_size": 14336,
    "num_hidden_layers": 32,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "vocab_size": 128256,
    "max_position_embeddings": 8192,
    "rope_theta": 500000.0,
    "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
}


@pytest.fixture
def llama_config() -> dict[str, Any]:
    return copy.deepcopy(LLAMA_3_8B)


@pytest.fixture
def write_config(tmp_path: Path):
    def write(config: Any, name: str = "config.json", raw: str | None = None) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(raw if raw is not None else json.dumps(config), encoding="utf-8")
        return path

    return write
