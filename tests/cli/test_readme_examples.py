"""The README's examples stay true: every ```python block runs, and the quick start's card command works."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_the_readme_has_python_examples() -> None:
    assert PYTHON_BLOCKS


@pytest.mark.parametrize("index", range(len(PYTHON_BLOCKS)))
def test_readme_python_block_runs(index: int) -> None:
    code = PYTHON_BLOCKS[index]
    if "diagnose(" in code or "taf diagnose" in code:
        pytest.skip("measuring needs a downloaded model")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]


def test_quick_start_card_command_runs_offline() -> None:
    quick = README.read_text(encoding="utf-8").split("## Quick start", 1)[1].split("##", 1)[0]
    command = re.search(r"&& (taf profile [\w.-]+)", quick)
    assert command, "the quick start names a `taf profile PRESET` command"
    env = {"HF_HUB_OFFLINE": "1", "PATH": str(Path(sys.executable).parent)}
    args = [sys.executable, "-m", "tafagent", *command.group(1).split()[1:]]
    result = subprocess.run(args, capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    assert "X-2" in result.stdout
