"""Shared fixtures: real configs written as Hub config.json files would be."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from support.configs import LLAMA_3_8B

# The suite is deterministic by default (CI must not fail on a new random example); explore new examples with
# TAF_HYPOTHESIS=explore, and turn what they find into fixed regression tests.
settings.register_profile("deterministic", derandomize=True, deadline=None)
settings.register_profile("explore", deadline=None)
settings.load_profile(os.environ.get("TAF_HYPOTHESIS", "deterministic"))


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
