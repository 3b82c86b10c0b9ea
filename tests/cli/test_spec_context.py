"""`taf spec` shows the context facts (claimed, trained, extended, span, effective), each with its source."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tafagent.cli.main import main
from tafagent.core.spec.presets import get_preset


def _spec_json(capsys: pytest.CaptureFixture[str], model: str) -> dict:
    assert main(["spec", model, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_spec_json_carries_context_facts(capsys: pytest.CaptureFixture[str]) -> None:
    data = _spec_json(capsys, "mistral-7b")
    context = data["context"]
    assert (context["claimed_tokens"], context["trained_tokens"], context["usable_tokens"]) == (32768, 8192, 8192)
    assert context["stacked_span_tokens"] == 131072 and context["over_claimed"] is True
    assert "arXiv:2310.06825" in context["trained_source"]
    assert data["T_train"] == 8192  # the existing field keeps its meaning: the length answers are built on


def test_pasted_config_prints_the_same_context_as_its_preset(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for name in ("mistral-7b", "qwen2.5-7b", "llama-3.1-8b"):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(get_preset(name).config))
        preset, pasted = _spec_json(capsys, name), _spec_json(capsys, str(path))
        preset["context"].pop("matched_by"), pasted["context"].pop("matched_by")
        assert preset["context"] == pasted["context"] and preset["T_train"] == pasted["T_train"], name


def test_spec_text_shows_the_context_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["spec", "llama-3.1-8b"]) == 0
    out = capsys.readouterr().out
    for words in ("context length", "claimed (max positions)", "extended (llama3 ×8)", "effective (RULER)", "32,768"):
        assert words in out, words
    assert main(["spec", "qwen2.5-7b"]) == 0
    assert "max positions can over-claim" in capsys.readouterr().out
