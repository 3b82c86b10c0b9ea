"""Byte-identical `--json` output of a fixed list of commands (the redesign's safety net, issue 12).

The snapshot was recorded before the package was reshaped; a change that alters any of these outputs must
update the snapshot deliberately (`TAF_UPDATE_SNAPSHOTS=1 pytest tests/cli/test_json_snapshots.py`) and say
why in its commit message.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from pathlib import Path

import pytest

from tafagent.cli.main import main

SNAPSHOTS = Path(__file__).resolve().parent.parent / "data" / "snapshots"
RECIPES = ("X-1", "X-2", "X-3", "X-5", "X-19", "X-21", "X-22", "X-23")
PRESETS = ("llama-3-8b", "mistral-7b")

# A pasted config (not a preset): a small Qwen2-style GQA model with a sliding window switched off.
PASTED_CONFIG = {
    "architectures": ["Qwen2ForCausalLM"],
    "model_type": "qwen2",
    "hidden_size": 896,
    "intermediate_size": 4864,
    "num_hidden_layers": 24,
    "num_attention_heads": 14,
    "num_key_value_heads": 2,
    "vocab_size": 151936,
    "max_position_embeddings": 32768,
    "rope_theta": 1000000.0,
    "tie_word_embeddings": True,
    "use_sliding_window": False,
    "sliding_window": 32768,
    "torch_dtype": "bfloat16",
}


def _commands() -> list[tuple[str, list[str]]]:
    commands: list[tuple[str, list[str]]] = []
    for preset in PRESETS:
        for recipe in RECIPES:
            commands.append((f"recipe-{recipe}-{preset}", ["recipe", recipe, "--model", preset]))
        commands.append((f"profile-{preset}", ["profile", preset, "--t-eval", "32000"]))
        commands.append((f"spec-{preset}", ["spec", preset]))
        commands.append((f"memory-{preset}", ["memory", preset, "--context", "32k", "--batch", "4", "--gpu", "H100"]))
    commands += [
        ("recipe-X-2-bare", ["recipe", "X-2", "--set", "T_eval=16000"]),
        ("compare-X-2", ["compare", "llama-3-8b", "mistral-7b", "qwen2.5-7b", "--recipe", "X-2", "--t-eval", "32000"]),
        ("compare-X-5", ["compare", "llama-3-8b", "gemma-2-9b", "--recipe", "X-5"]),
        ("memory-mixtral-vllm", ["memory", "mixtral-8x7b", "--context", "8192", "--engine", "vllm", "--gpu", "H100"]),
        ("memory-gemma-tf", ["memory", "gemma-2-2b", "--context", "16k", "--batch", "4", "--engine", "transformers"]),
        ("validate", ["validate"]),
        ("validate-law", ["validate", "--law", "pade"]),
        ("ask-en", ["ask", "Can Llama-3-8B handle 32K context for needle retrieval?"]),
        ("ask-es", ["ask", "¿Cuántos meses tarda en amortizarse entrenar un modelo propio frente a la API de GPT-4o?"]),
        ("ask-fr", ["ask", "Quel GPU pour servir Mistral-7B à 10M tokens par jour ?"]),
        ("ask-zh", ["ask", "Llama-3-8B 能处理 64K 上下文的大海捞针检索吗？"]),
        ("ask-unroutable", ["ask", "what is the weather tomorrow"]),
        ("presets", ["presets"]),
    ]
    return commands


def _pasted_commands(config: Path) -> list[tuple[str, list[str]]]:
    path = str(config)
    return [
        ("pasted-spec", ["spec", path]),
        ("pasted-profile", ["profile", path, "--t-eval", "16000"]),
        ("pasted-memory", ["memory", path, "--context", "16k", "--batch", "2"]),
        ("pasted-recipe-X-19", ["recipe", "X-19", "--model", path]),
        ("pasted-compare", ["compare", path, "qwen2.5-0.5b", "--recipe", "X-2"]),
    ]


def _run(argv: list[str]) -> tuple[int, str]:
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(io.StringIO()):
        code = main([*argv, "--json"])
    return code, stdout.getvalue()


def _normalise(text: str, config_dir: Path) -> str:
    return text.replace(str(config_dir), "<CONFIG_DIR>")


def _cases(tmp_dir: Path) -> list[tuple[str, list[str]]]:
    config = tmp_dir / "pasted" / "config.json"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(json.dumps(PASTED_CONFIG), encoding="utf-8")
    return _commands() + _pasted_commands(config)


@pytest.fixture(scope="module")
def snapshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("snap")


@pytest.mark.parametrize("index", range(len(_commands()) + 5))
def test_json_output_is_unchanged(index: int, snapshot_dir: Path) -> None:
    name, argv = _cases(snapshot_dir)[index]
    code, out = _run(argv)
    record = json.dumps({"argv": argv[:1], "exit": code}) + "\n" + _normalise(out, snapshot_dir)
    path = SNAPSHOTS / f"{name}.txt"
    if os.environ.get("TAF_UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(record, encoding="utf-8")
    assert path.exists(), f"no snapshot for {name}: record it with TAF_UPDATE_SNAPSHOTS=1"
    assert record == path.read_text(encoding="utf-8"), f"`taf {' '.join(argv)} --json` changed"
