"""`taf ask` answers leave no English behind in Spanish, French and Chinese (issue 17, the residue test).

Each question is answered in English and in es/fr/zh (``--lang``, with ``--chain``); the translated text may not
share a phrase of three or more words with the English one (tests/support/residue.py: numbers, ids, formulas,
flags and code end a phrase) and may not show a raw caveat code. Excluded, and why:

* lines that are commands (``vllm serve …``, ``llama-server …``, ``taf …``, ``ollama``, env lines, JSON): code;
* questions whose answer still shows text another module writes in English only are expected to fail
  (:data:`STILL_ENGLISH`, non-strict: each passes, and is reported as such, once its source is localised); the
  check itself is never weakened for them.
"""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from support.residue import english_residue, raw_codes
from tafagent.cli import cmd_ask, output
from tafagent.cli.main import _Parser, common_options
from tafagent.core.ask import ask

QUESTIONS = (
    "How much VRAM does Llama-3-8B need for 32k context?",
    "Will Mixtral fit on my 24 GB card?",
    "Can I run Qwen2.5-7B on an RTX 4090 with 16k context?",
    "How many H100s do I need to serve Llama-70B at 100M tokens/day?",
    "Plan a deployment of Qwen2.5-72B for 64 concurrent users at 8k context",
    "What vllm flags should I use for Llama-3.1-8B at 32k context on an H100?",
    "-ngl for my 4090 with mistral 7b in llama.cpp?",
    "How do I extend Llama-3-8B to 32k context?",
    "What YaRN factor to take mistral 7b to 128K?",
    "How do I measure γ for my own checkpoint?",
    "Compare Llama-3-8B and Mistral-7B for 32k retrieval",
    "Can Llama-3-8B handle 32K context for needle retrieval?",
    "Should I use soft KV decay or a hard cutoff for Qwen2.5-7B at 32K?",
    "Train my own 7B model or pay the GPT-4o API for 500M tokens a month?",
    "What model size can I train with $500k on A100s?",
    "Which GPU is cheapest to run Llama-3.1-8B for 10 concurrent users at 8k?",
    "Is a γ of 0.62 on random tokens a clean imprint for a 1B model?",
    "Is llama-3-8b with measured gamma 0.9 an outlier of the K invariant?",
    "pythia-1b has γ 0.6 on text and 0.8 on random tokens: is it post induction heads?",
)
LANGS = ("es", "fr", "zh")
_SHELL_COMMENT = re.compile(r"(?:^|\s)# [^|│]*")
_CODE_LINE = re.compile(
    r"^\W*(?:vllm |python|pip |llama-server|ollama|taf |export |[A-Z_]+=|\{|\"|FROM |PARAMETER |sglang)"
)


def _render(question: str, lang: str) -> str:
    parser = _Parser(prog="taf")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    cmd_ask.register(sub, common_options())
    args = parser.parse_args(["ask", question, "--lang", lang, "--chain"])
    buffer = io.StringIO()
    original = output.console
    output.console = lambda: Console(file=buffer, width=400, color_system=None)  # one line per row
    cmd_ask.console = output.console
    try:
        args.run(args)
    finally:
        output.console = original
        cmd_ask.console = original
    lines = (line for line in buffer.getvalue().splitlines() if not _CODE_LINE.match(line.strip(" │┃")))
    # a launch step's result is a shell snippet: its "# ..." lines are comments of the code, not answer text
    return "\n".join(_SHELL_COMMENT.sub(" | ", line) for line in lines)


# question → the module whose English text its answer still shows: none since 2026-12-04 (launch notes, the
# extension literature, the validation's comparison titles and the base-length sources are all localised)
STILL_ENGLISH: dict[str, str] = {}


@pytest.mark.parametrize(
    "question",
    [
        pytest.param(q, marks=pytest.mark.xfail(reason=f"still English: {STILL_ENGLISH[q]}", strict=False))
        if q in STILL_ENGLISH
        else q
        for q in QUESTIONS
    ],
)
@pytest.mark.parametrize("lang", LANGS)
def test_ask_answers_have_no_english_left(question: str, lang: str) -> None:
    english, translated = _render(question, "en"), _render(question, lang)
    assert english_residue(english, translated, allowed=ALLOWED) == []
    result = ask(question, language=lang)
    codes = list(result.result.caveats) if result.result is not None else []
    assert raw_codes(translated, codes) == []


# the title of the document X-2's reason cites; a command inside the audit chain's result column
ALLOWED = ("meta model card", "pip install tafagent")
