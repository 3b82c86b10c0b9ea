"""`taf extend MODEL --to L`: JSON and text output, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tafagent.cli.main import main
from tafagent.core.spec.presets import get_preset


def run_main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_llama3_8b_to_32k_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_main(capsys, "extend", "llama-3-8b", "--to", "32k", "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    block = data["transformers"]["rope_parameters"]
    assert (block["rope_type"], block["factor"], block["original_max_position_embeddings"]) == ("yarn", 4.0, 8192)
    assert data["target_tokens"] == 32768 and data["base_tokens"] == 8192
    assert data["vllm"]["argv"][:3] == ["vllm", "serve", "meta-llama/Meta-Llama-3-8B"]
    assert "--rope-scaling" in data["llama_cpp"]["argv"]
    assert data["memory"]["kv_bytes"] == 4 * 2**30
    assert "verdict" in data["x2"] and "verdict" in data["x2_without_extension"]
    assert data["context_after"]["usable_tokens"] == 32768
    assert data["literature"]["results"]


def test_text_output_names_the_block_and_the_flags(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(capsys, "extend", "mistral-7b", "--to", "32k", "--method", "linear")
    assert code == 0
    for words in ("factor 4 = 32,768 / 8,192", '"rope_type": "linear"', "vllm serve", "--rope-scale 4", "X-2 at"):
        assert words in out, words


def test_a_pasted_config_extends_like_its_preset(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(get_preset("qwen2.5-7b").config))
    outputs: list[dict[str, Any]] = []
    for model in ("qwen2.5-7b", str(path)):
        code, out, _ = run_main(capsys, "extend", model, "--to", "128k", "--json")
        assert code == 0
        outputs.append(json.loads(out))
    for key in ("factor", "base_tokens", "target_tokens"):
        assert outputs[0][key] == outputs[1][key]
    assert outputs[0]["transformers"]["rope_parameters"] == outputs[1]["transformers"]["rope_parameters"]
    assert outputs[0]["base_tokens"] == 32768 and outputs[0]["factor"] == 4.0  # Qwen's own recommended block


@pytest.mark.parametrize(
    ("argv", "code", "words"),
    [
        (("gpt2", "--to", "4k"), 2, "has no RoPE"),
        (("llama-3-8b", "--to", "4k"), 2, "at or below the trained length"),
        (("llama-3-8b", "--to", "64M"), 2, "beyond what any RoPE method documents"),
        (("llama-3-8b", "--to", "32k", "--method", "longrope"), 2, "longrope needs"),
        (("llama-3-8b", "--to", "lots"), 2, "not a context length"),
        (("llama-3-8b", "--to", "32k", "--method", "rope"), 2, "invalid choice"),
    ],
)
def test_bad_input_is_one_line(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], code: int, words: str
) -> None:
    got, out, err = run_main(capsys, "extend", *argv)
    assert got == code and out == ""
    assert words in err and err.count("\n") == 1 and "Traceback" not in err
