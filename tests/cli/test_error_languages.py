"""The command line's error lines in the user's language (issue 17): `--lang` or TAF_LANG decides, English is
unchanged, and a translated line keeps no English phrase of three or more words (commands and ids excepted).

Errors whose message has a ``cli.error.*`` message are checked here (unknown model, missing config file, empty
question, a plan without a target, a recipe without an id); the Hub's errors use the same mechanism and are
checked with the local Hub server in tests/adapters. argparse's own usage errors stay English (argparse writes
them).
"""

from __future__ import annotations

import pytest

from support.residue import english_residue
from tafagent.cli.main import main

CASES = (
    ["profile", "nosuchmodel"],
    ["profile", "llama3-8"],  # a near miss: "did you mean …?"
    ["profile", "/nonexistent/config.json"],
    ["profile", "/tmp"],  # a directory without config.json
    ["ask", "   "],
    ["recipe"],
)
LANGS = ("es", "fr", "zh")


def _error_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err  # one line, never a traceback
    return code, err


@pytest.mark.parametrize("argv", CASES, ids=lambda a: " ".join(a))
@pytest.mark.parametrize("lang", LANGS)
def test_error_line_is_in_the_users_language(
    argv: list[str], lang: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TAF_LANG", raising=False)
    code_en, english = _error_line(argv, capsys)
    code, translated = _error_line([*argv, "--lang", lang], capsys)
    assert code == code_en != 0
    assert translated != english
    assert english_residue(english, translated) == []
    monkeypatch.setenv("TAF_LANG", lang)  # the environment variable decides when --lang is not given
    assert _error_line(argv, capsys)[1] == translated


def test_english_error_lines_are_unchanged(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TAF_LANG", raising=False)
    assert _error_line(["profile", "nosuchmodel"], capsys)[1] == (
        "taf: error: 'nosuchmodel' is not a preset, a local config or a Hub id — use a preset from `taf presets`, "
        "a path to config.json, or a Hub id like org/name\n"
    )
    assert _error_line(["plan", "llama-3-8b", "--context", "4096"], capsys)[1] == (
        "taf: error: taf plan needs a target — pass --concurrency C and/or --tokens-per-day N\n"
    )


def test_an_invalid_taf_lang_is_reported_in_english(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TAF_LANG", "xx")
    code, line = _error_line(["profile", "llama-3-8b"], capsys)
    assert code == 2 and "TAF_LANG='xx' is not a language of taf" in line
