"""Residue check of `taf memory` (issue 17): its text rendered in ES, FR and ZH holds no phrase of three or more
words of its English rendering, and no raw code.

What the check leaves out, and why:

* citations, quoted as sources: the training-length table's source of the position limit (``Meta model card …``),
  the rescue ladder's numbered sources, and the engine's version line (``vLLM v1 engine (kv_cache_interface.py,
  2026 main)``, the release a rule was read from). Each is removed from both renderings before comparing, by its
  exact text, so nothing else is ever blanked with it.
* texts another module writes and still returns in English: a weights format's formula other than "N bits per
  parameter" (``memory.weights``), the model's and the weights' own warnings (``ModelSpec.warnings``,
  ``WeightsEstimate.warnings``) and SGLang's ``mem_fraction_static`` derivation (``memory.runtimes``). They are
  blanked by their exact text only while the text is English, i.e. the moment they are localised this test covers
  them.
* no command line is printed by `taf memory` except inside backticks (``taf plan …``), which the residue check
  already treats as code.

The tables are drawn on a wide console so that no cell wraps: the renderer is the one `taf memory` calls.
"""

from __future__ import annotations

import argparse
import io
import re

import pytest
from rich.console import Console
from tests.support.residue import english_residue, raw_codes

from tafagent.cli.cmd_memory import render_memory
from tafagent.cli.common import load_catalogs
from tafagent.core.memory.report import MemoryReport, memory_report
from tafagent.core.memory.runtimes import sglang_mem_fraction_static
from tafagent.core.spec.context_facts import context_facts
from tafagent.core.spec.model_spec import ModelSpec
from tafagent.core.spec.presets import find_preset

LANGS = ("es", "fr", "zh")
WIDE = 4000  # characters: no table cell wraps, so every text stays on one line
# (preset, context, batch, engine, gpu, tp): a fit on each engine, loads that do not fit (rescue ladder: KV and
# weight rungs, tensor parallel, offload), a context past the position limit (RoPE, learned absolute, ALiBi-free
# gpt2), MoE, sliding windows, no GPU at all, and --tp 2.
CASES = (
    ("llama-3-8b", 8192, 1, "vllm", "H100", 1),
    ("llama-3-8b", 8192, 1, "sglang", "H100", 1),
    ("llama-3-8b", 8192, 1, "llama.cpp", "H100", 1),
    ("llama-3-8b", 8192, 1, "transformers", "H100", 1),
    ("llama-3-8b", 8192, 4, "transformers", None, 1),
    ("llama-3-8b", 200000, 8, "transformers", "RTX 4090", 1),
    ("llama-3-8b", 32768, 16, "vllm", "RTX 4090", 1),
    ("llama-3-8b", 32768, 16, "llama.cpp", "RTX 4090", 1),
    ("mixtral-8x7b", 32768, 1, "vllm", "A100 80GB", 1),
    ("mixtral-8x7b", 32768, 4, "vllm", "H100", 2),
    ("llama-3.3-70b", 131072, 1, "vllm", "H100", 1),
    ("llama-3.3-70b", 8192, 1, "sglang", "H100", 2),
    ("qwen2.5-7b", 32768, 2, "sglang", "H100", 1),
    ("gemma-2-9b", 8192, 1, "transformers", "RTX 4090", 1),
    ("gemma-2-9b", 16384, 1, "vllm", "L40S", 1),
    ("gpt2", 4096, 1, "transformers", "RTX 4090", 1),
    ("gpt2", 1024, 1, "llama.cpp", None, 1),
)


def _spec(name: str) -> ModelSpec:
    preset = find_preset(name)
    assert preset is not None, name
    return preset.spec()


def _report(spec: ModelSpec, context: int, batch: int, engine: str, gpu: str | None, tp: int) -> MemoryReport:
    found = load_catalogs(None).gpu(gpu) if gpu else None
    return memory_report(spec, context, batch, engine=engine, gpu=found, tp=tp)


def _draw(spec: ModelSpec, report: MemoryReport, lang: str) -> str:
    buffer = io.StringIO()
    out = Console(file=buffer, width=WIDE, highlight=False, soft_wrap=False, color_system=None)
    args = argparse.Namespace(context=report.context, batch=report.batch, tp=report.plan.tp)
    render_memory(out, spec, report, report.to_dict(), args, lang)
    return buffer.getvalue()


def _left_out(spec: ModelSpec, report: MemoryReport) -> list[str]:
    """The exact texts the module docstring names as left out (citations, and English other modules write)."""
    facts = context_facts(spec)
    texts = [report.plan.engine.version, *(rung.sources[0] for rung in report.rescue)]
    texts += [facts.trained_source or "", *spec.warnings, *report.weights.warnings]
    if not re.fullmatch(r"\d+ bits per parameter", report.weights.formula):
        texts.append(report.weights.formula)
    if report.plan.engine.name == "sglang" and report.gpu is not None:
        texts.append(sglang_mem_fraction_static(report.budget.usable_bytes / 2**30, report.plan.tp)[1])
    return sorted((t for t in texts if t), key=len, reverse=True)


def _blank(text: str, left_out: list[str]) -> str:
    for part in left_out:
        text = text.replace(part, " | ")
    return text


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(str(x) for x in c))
@pytest.mark.parametrize("lang", LANGS)
def test_memory_text_has_no_english_residue(case: tuple, lang: str) -> None:
    name, context, batch, engine, gpu, tp = case
    spec = _spec(name)
    report = _report(spec, context, batch, engine, gpu, tp)
    left_out = _left_out(spec, report)
    english = _blank(_draw(spec, report, "en"), left_out)
    translated = _blank(_draw(spec, report, lang), left_out)
    assert english_residue(english, translated) == []
    # the rung and cost codes (kv_dtype, weights.int8, tensor_parallel); "offload" and "weights" alone are words
    codes = {code for rung in report.rescue for code in (rung.rung, rung.cost_key) if "_" in code or "." in code}
    assert raw_codes(translated, codes) == []


def test_cases_cover_every_branch() -> None:
    """The cases reach: a fit and a non-fit, every rescue rung kind, a context past the position limit."""
    rungs, fits, warned = set(), set(), False
    for name, context, batch, engine, gpu, tp in CASES:
        spec = _spec(name)
        report = _report(spec, context, batch, engine, gpu, tp)
        rungs |= {rung.rung for rung in report.rescue}
        fits.add(report.fits)
        warned = warned or any("position limit" in w for w in report.warnings)
    assert {True, False, None} <= fits
    assert {"kv_dtype", "weights", "tensor_parallel", "offload"} <= rungs
    assert warned
