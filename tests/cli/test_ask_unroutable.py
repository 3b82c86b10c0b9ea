"""``taf ask`` on a question it cannot route, in text mode: exit code 1 and one localised line on stderr
saying why and which recipes are likeliest."""

from __future__ import annotations

import json

import pytest

from tafagent.cli import cmd_ask
from tafagent.cli.main import _Parser, common_options
from tafagent.core.ask.summary import strings
from tafagent.core.messages import LANGUAGES


def _run(argv: list[str]) -> int:
    parser = _Parser(prog="taf")
    common = common_options()
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    cmd_ask.register(sub, common)
    args = parser.parse_args(argv)
    return int(args.run(args))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_unroutable_writes_one_localised_line(lang: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = _run(["ask", "Tell me a joke", "--lang", lang])
    err = capsys.readouterr().err
    labels = strings(lang)["cli"]
    assert code == 1
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith("taf: error: " + labels["why"])
    assert labels["suggestions"] in err
    assert "X-" in err  # the likeliest recipes are named


def test_unroutable_line_matches_the_json_reason(capsys: pytest.CaptureFixture[str]) -> None:
    _run(["ask", "Tell me a joke", "--lang", "es", "--json"])
    data = json.loads(capsys.readouterr().out)
    _run(["ask", "Tell me a joke", "--lang", "es"])
    err = capsys.readouterr().err
    assert " ".join(data["why"].split()) in err
    for suggestion in data["suggestions"]:
        assert f"{suggestion['recipe_id']} ({suggestion['name']})" in err


def test_french_and_chinese_colons(capsys: pytest.CaptureFixture[str]) -> None:
    _run(["ask", "Tell me a joke", "--lang", "fr"])
    assert "Routage impossible\u00a0: " in capsys.readouterr().err
    _run(["ask", "Tell me a joke", "--lang", "zh"])
    err = capsys.readouterr().err
    assert "无法路由：" in err and ": " not in err.removeprefix("taf: error: ")


def test_json_mode_keeps_stderr_clean(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["ask", "Tell me a joke", "--json"]) == 1
    assert capsys.readouterr().err == ""
