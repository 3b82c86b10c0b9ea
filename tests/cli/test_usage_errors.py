"""argparse's usage errors in the user's language (issue 17): the same one line and exit code 2, the message
rewritten from the catalog's ``cli.usage.*`` in ``--lang`` / TAF_LANG, English byte-identical to argparse's."""

from __future__ import annotations

import contextlib
import io

import pytest

from support.residue import english_residue
from tafagent.cli.main import main
from tafagent.cli.usage_errors import PATTERNS

CASES = {
    "required": ["memory"],
    "not_a_number": ["memory", "llama-3-8b", "--context", "abc"],
    "whole": ["memory", "llama-3-8b", "--context", "1e30"],
    "bounded": ["plan", "llama-3-8b", "--context", "8k", "--tokens-per-day", "-5"],
    "invalid_choice": ["extend", "llama-3-8b", "--to", "64k", "--method", "ntk"],
    "command": ["profil"],
    "expected_one": ["plan", "llama-3-8b", "--context", "8k", "--engine"],
    "unrecognized": ["presets", "--frobnicate"],
}


def usage_error(argv: list[str], monkeypatch: pytest.MonkeyPatch, lang: str | None = None) -> str:
    monkeypatch.delenv("TAF_LANG", raising=False)
    if lang is not None:
        monkeypatch.setenv("TAF_LANG", lang)
    err = io.StringIO()
    with contextlib.redirect_stderr(err), pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    text = err.getvalue()
    assert text.count("\n") == 1 and "Traceback" not in text and "usage:" not in text
    return text


@pytest.mark.parametrize("case", list(CASES))
def test_english_is_argparses_own_line(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    text = usage_error(CASES[case], monkeypatch)
    assert ": error: " in text and "--help`)" in text


@pytest.mark.parametrize("lang", ["es", "fr", "zh"])
@pytest.mark.parametrize("case", list(CASES))
def test_each_language_says_it_in_its_words(case: str, lang: str, monkeypatch: pytest.MonkeyPatch) -> None:
    english = usage_error(CASES[case], monkeypatch)
    by_flag = usage_error([*CASES[case], "--lang", lang], monkeypatch) if case != "command" else None
    by_env = usage_error(CASES[case], monkeypatch, lang)
    for text in filter(None, (by_flag, by_env)):
        assert text != english
        assert english_residue(english, text) == []
    if lang == "fr":
        assert "\u00a0: " in by_env  # French typography: a no-break space before the colon


def test_every_pattern_has_its_sentence_in_every_language() -> None:
    from tafagent.core.messages import LANGUAGES, catalog

    for _, key in PATTERNS:
        for lang in LANGUAGES:
            assert key in catalog(lang), (key, lang)


def test_an_unknown_message_is_kept_as_argparse_wrote_it() -> None:
    from tafagent.cli.usage_errors import usage_line

    assert "something argparse never said" in usage_line("taf", "something argparse never said", "fr")
