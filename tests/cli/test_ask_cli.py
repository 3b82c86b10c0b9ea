"""``taf ask`` through its own parser (the command is registered in cli/main.py by the integrator)."""

from __future__ import annotations

import json

import pytest

from tafagent.cli import cmd_ask
from tafagent.cli.main import _Parser, common_options
from tafagent.core.errors import TafError


def _run(argv: list[str]) -> int:
    parser = _Parser(prog="taf")
    common = common_options()
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    cmd_ask.register(sub, common)
    args = parser.parse_args(argv)
    return int(args.run(args))


def test_json_routed(capsys: pytest.CaptureFixture[str]) -> None:
    code = _run(["ask", "Should I use soft KV decay or hard cutoff for Qwen2.5-7B at 32K?", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["recipe_id"] == "X-19" and data["params"]["T_eval"] == 32000
    assert data["param_sources"]["T_eval"] == "question" and data["param_sources"]["theta"] == "preset"
    # the shipped panel measured Qwen2.5-7B (γ = 0.997, row P027): that γ, not the closed form, decides
    assert data["result"]["verdict"] == "USE HARD T_train CUTOFF"
    assert any("P027" in c["note"] for c in data["result"]["confidence"]["checks"])


def test_json_unroutable_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code = _run(["ask", "Tell", "me", "a", "joke", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert data["recipe_id"] is None and data["why"] and data["suggestions"]


def test_text_output(capsys: pytest.CaptureFixture[str]) -> None:
    code = _run(["ask", "I have $5000 to spend on training. What model can I afford?"])
    out = capsys.readouterr().out
    assert code == 0
    for expected in ("X-3", "USD_budget", "question", "Assumed", "MEMORY-LIMITED", "Answer", "§17.30"):
        assert expected in out, expected


def test_text_output_in_french(capsys: pytest.CaptureFixture[str]) -> None:
    code = _run(["ask", "Will Llama 3 8B handle 32K?", "--lang", "fr", "--chain"])
    out = capsys.readouterr().out
    assert code == 0 and "Réponse" in out and "Chaîne d’audit" in out and "Audit chain" not in out


def test_error_exits_1_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code = _run(["ask", "Can falcon 40b handle 32k context?"])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.err.count("\n") == 1 and captured.err.startswith("taf: error: 'falcon 40b'")


def test_bad_llm_url_is_a_taf_error() -> None:
    with pytest.raises(TafError, match="http"):
        _run(["ask", "Will Llama 3 8B handle 32K?", "--llm-url", "localhost:8080"])
