"""Residue check of `taf plan` (issue 17): its text in ES, FR and ZH holds no phrase of three or more words of
its English rendering, and no raw code.

Left out, and why: the launch command lines themselves (code, pasted as they are; their ``#`` notes are checked,
since they are localised); and the speed model's statistic label (``leave-one-out MAPE 7%``), the name of a
statistic. Tables are drawn on a wide console so that no cell wraps.
"""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from support.residue import english_residue
from tafagent.cli import cmd_plan, output
from tafagent.cli.main import build_parser

# a met target, an unmet latency bound (closest plan and what would change it), concurrency, --gpu any, a
# context past the position limit, a target no GPU of the selection holds, llama.cpp and transformers engines
CASES = (
    ["llama-3.3-70b", "--context", "4096", "--tokens-per-day", "100e6"],
    ["llama-3-8b", "--context", "4096", "--tokens-per-day", "100e6", "--max-ms-per-token", "2"],
    ["qwen2.5-72b", "--context", "8192", "--concurrency", "64"],
    ["mixtral-8x7b", "--context", "32768", "--tokens-per-day", "20e6", "--gpu", "any"],
    ["llama-3-8b", "--context", "32768", "--concurrency", "4"],
    ["llama-3.3-70b", "--context", "131072", "--concurrency", "8", "--gpu", "RTX 4090"],
    ["mistral-7b", "--context", "8192", "--concurrency", "2", "--engine", "llama.cpp"],
    ["gemma-2-9b", "--context", "8192", "--tokens-per-day", "1e9", "--engine", "transformers"],
)
LANGS = ("es", "fr", "zh")


def _render(argv: list[str], lang: str) -> str:
    buffer = io.StringIO()
    original = output.console
    cmd_plan.console = lambda: Console(file=buffer, width=4000, color_system=None)
    try:
        args = build_parser().parse_args(["plan", *argv, "--lang", lang])
        args.run(args)
    finally:
        cmd_plan.console = original
    return "\n".join(
        line.replace("leave-one-out", "")
        for line in buffer.getvalue().splitlines()
        if not line.startswith(("vllm ", "python", "llama-server", "ollama", "OLLAMA", "FROM", "PARAMETER", "env "))
    )


@pytest.mark.parametrize("argv", CASES, ids=lambda a: " ".join(a))
@pytest.mark.parametrize("lang", LANGS)
def test_plan_text_has_no_english_left(argv: list[str], lang: str) -> None:
    english = _render(argv, "en")
    # "Meta model card": the title of the source the position-limit note cites
    assert english_residue(english, _render(argv, lang), allowed=("meta model card",)) == []
