"""Residue check of `taf extend` (issue 17): its text in ES, FR and ZH holds no phrase of three or more words of
its English rendering, and no raw code.

Left out, and why: citations, removed from both renderings by their exact text (the paper, each measured row's
source, the trained length's source, the largest documented factor's source: titles and references are quoted
as published); and the lines that are code (the config.json block, the ``rope_scaling`` JSON, the vLLM and
llama.cpp commands). Tables are drawn on a wide console so that no cell wraps.
"""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from support.residue import english_residue, raw_codes
from tafagent.cli import cmd_extend
from tafagent.cli.main import build_parser
from tafagent.core.extend import plan_extension
from tafagent.core.spec.presets import find_preset

# every method; a model with its own rope_scaling (Llama-3.1), a sliding window (Gemma-2, Mistral), a factor
# beyond the largest documented, a short target
CASES = (
    ("llama-3-8b", "32768", "yarn"),
    ("llama-3-8b", "65536", "linear"),
    ("llama-3-8b", "16384", "dynamic"),
    ("llama-3-8b", "131072", "llama3"),
    ("llama-3.1-8b", "262144", "yarn"),
    ("mistral-7b", "131072", "yarn"),
    ("gemma-2-9b", "32768", "yarn"),
    ("qwen2.5-7b", "1000000", "yarn"),
    ("pythia-1b", "4096", "dynamic"),
)
LANGS = ("es", "fr", "zh")
_CODE = ("vllm:", "llama.cpp:", "'{", "{", "}", '"', "  }", "  legacy", "  ancienne", "  clave", "  旧键")


def _citations(model: str, target: str, method: str) -> list[str]:
    plan = plan_extension(find_preset(model).spec(), int(target), method)  # type: ignore[union-attr]
    lit = plan.literature
    cited = [lit.paper, lit.max_factor_source, plan.facts_before.trained_source or "", plan.base_source]
    cited += [str(r["source"]) for r in lit.results] + [str(r["model"]) for r in lit.results]
    return sorted((c for c in cited if c), key=len, reverse=True)


def _render(model: str, target: str, method: str, lang: str) -> str:
    buffer = io.StringIO()
    original = cmd_extend.console
    cmd_extend.console = lambda: Console(file=buffer, width=4000, color_system=None)
    try:
        args = build_parser().parse_args(["extend", model, "--to", target, "--method", method, "--lang", lang])
        args.run(args)
    finally:
        cmd_extend.console = original
    text = "\n".join(line for line in buffer.getvalue().splitlines() if not line.strip().startswith(_CODE))
    for cited in _citations(model, target, method):
        text = text.replace(cited, " | ")
        if ": " in cited:  # the base length's source is quoted after its own label
            text = text.replace(cited.split(": ", 1)[1], " | ")
    return text


@pytest.mark.parametrize("case", CASES, ids=lambda c: " ".join(c))
@pytest.mark.parametrize("lang", LANGS)
def test_extend_text_has_no_english_left(case: tuple[str, str, str], lang: str) -> None:
    english, translated = _render(*case, "en"), _render(*case, lang)
    assert english_residue(english, translated, allowed=("meta model card",)) == []  # a cited title
    plan = plan_extension(find_preset(case[0]).spec(), int(case[1]), case[2])  # type: ignore[union-attr]
    codes = [c for result in plan.x2_results for c in result.caveats]
    assert raw_codes(translated, codes) == []


def test_literature_messages_are_the_data_files_text_in_english() -> None:
    """serving.lit.* in English equal rope_extension_literature.json, so the data file stays the one source."""
    from tafagent.core.extend import METHODS
    from tafagent.core.extend.literature import method_literature
    from tafagent.core.messages import catalog

    english = catalog("en")
    for method in METHODS:
        lit = method_literature(method)
        assert english[f"serving.lit.{method}.fine_tuning"] == lit.fine_tuning
        assert english[f"serving.lit.{method}.without_fine_tuning"] == lit.without_fine_tuning
        for row in lit.results:
            assert english[f"serving.lit.ft.{row['fine_tuning']}"] == row["fine_tuning"]
            assert english[f"serving.lit.metric.{row['metric']}"] == row["metric"]
