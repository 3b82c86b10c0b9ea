"""The capabilities `taf ask` routes to besides the recipes: memory/fit, how to measure γ, comparisons.

Each is checked against the component it lays out (the same numbers as ``memory_report``/``compare``), its
verdicts on known cases, and its commands against ``taf``'s own argument parser.
"""

from __future__ import annotations

import shlex

import pytest

from tafagent.core.ask import ask, route
from tafagent.core.capabilities.registry import get_capability, list_capabilities, run_capability
from tafagent.core.catalogs import default_catalogs
from tafagent.core.errors import TafError
from tafagent.core.memory.report import memory_report
from tafagent.core.recipes.registry import list_recipes
from tafagent.core.spec.presets import find_preset


def _spec(name: str):
    preset = find_preset(name)
    assert preset is not None
    return preset.spec()


def test_capabilities_are_not_recipes() -> None:
    """The card, Compare and `taf recipe` keep the reference's recipes; the capabilities live apart."""
    recipe_ids = {r.id for r in list_recipes()}
    assert not recipe_ids & {c.id for c in list_capabilities()}


def test_memory_chain_equals_memory_report() -> None:
    spec = _spec("llama-3-8b")
    result = run_capability("memory", {"context": 32000}, model=spec)
    report = memory_report(spec, 32000)
    total = next(s for s in result.chain if s.name == "Total memory")
    assert total.result == report.total_bytes
    kv = next(s for s in result.chain if s.name == "KV cache")
    assert kv.result == report.kv_bytes and kv.law == "kv_cache"
    assert result.verdict == "ESTIMATE"


def test_fit_verdicts_on_known_cases() -> None:
    fits = run_capability("memory", {"context": 8192, "gpu": "H100"}, model=_spec("llama-3-8b"))
    assert fits.verdict == "FITS"
    too_big = run_capability("memory", {"gpu": "RTX 4090"}, model=_spec("mixtral-8x7b"))
    assert too_big.verdict == "DOES NOT FIT"
    assert "tensor parallelism would fit" in too_big.mitigation


def test_memory_without_a_model_is_one_clear_error() -> None:
    with pytest.raises(TafError, match="needs a model"):
        run_capability("memory", {"context": 4096})


def test_diagnose_commands_parse_with_taf_own_parser() -> None:
    from tafagent.cli.main import build_parser

    parser = build_parser()
    for scope in ("one", "per_head", "sweep"):
        result = run_capability("diagnose", {"scope": scope}, model=_spec("pythia-1b"))
        for line in result.chain[0].result:
            if line.startswith("taf "):
                parser.parse_args(shlex.split(line)[1:])  # SystemExit on an unknown flag


def test_compare_runs_the_recipe_on_each_model() -> None:
    result = run_capability("compare", {"models": "llama-3-8b,llama-3.1-8b", "recipe": "X-2", "T_eval": 32000})
    assert [s.name for s in result.chain] == ["meta-llama/Meta-Llama-3-8B", "meta-llama/Llama-3.1-8B"]
    assert result.verdict == "COMPARED"


@pytest.mark.parametrize(
    ("question", "capability", "params"),
    [
        ("How much VRAM does Llama-3-8B need for 32k context?", "memory", {"context": 32000}),
        ("Will Mixtral fit on my 24 GB card?", "memory", {"gpu": "RTX 4090"}),
        ("Can I run Mixtral on one RTX 4090?", "memory", {"gpu": "RTX 4090"}),
        ("¿Cabe Mixtral en mi tarjeta de 24 GB?", "memory", {"gpu": "RTX 4090"}),
        ("Mixtral 能放进我的 24GB 显卡吗？", "memory", {"gpu": "RTX 4090"}),
        ("How do I measure γ for my own checkpoint?", "diagnose", {}),
        ("How can I sweep gamma over a list of models on my cluster?", "diagnose", {"scope": "sweep"}),
        ("Compare Llama-3-8B and Mistral-7B for 32k retrieval", "compare", {"recipe": "X-2", "T_eval": 32000}),
    ],
)
def test_the_field_s_common_questions_route_to_their_capability(question: str, capability: str, params: dict) -> None:
    r = route(question)
    assert r.recipe_id == capability, r.scores
    for name, value in params.items():
        assert r.params.get(name) == value


@pytest.mark.parametrize("lang", ["en", "es", "fr", "zh"])
def test_capability_answers_in_every_language_without_raw_keys(lang: str) -> None:
    result = ask("Will Mixtral fit on my 24 GB card?", language=lang)
    assert result.ok and result.answer
    assert "memory." not in result.answer and "{" not in result.answer


def test_every_capability_has_a_name_in_every_language() -> None:
    from tafagent.core.messages import LANGUAGES, catalog

    for capability in list_capabilities():
        get_capability(capability.id)
        for lang in LANGUAGES:
            assert catalog(lang).get(f"recipe.{capability.id}"), (capability.id, lang)
    assert default_catalogs()  # the catalogs load alongside


def test_plan_answer_is_the_planner_s_best_plan() -> None:
    from tafagent.core.memory.planner import plan_serving

    spec = _spec("llama-3.3-70b")
    result = run_capability("plan", {"context": 4096, "tokens_per_day": 1e8}, model=spec)
    best = plan_serving(spec, 4096, tokens_per_day=1e8).best
    assert best is not None and result.verdict == "YES"
    step = next(s for s in result.chain if s.name == "Best plan")
    assert step.result["plan"] == best.label() and step.result["USD_per_Mtok"] < 5


def test_launch_answer_gives_the_engine_s_command_on_the_gpus_asked_for() -> None:
    result = run_capability("launch", {"gpu": "H100", "tp": 4, "engine": "vllm"}, model=_spec("llama-3.3-70b"))
    assert result.verdict == "COMMAND"
    assert "vllm serve" in result.reason and "--tensor-parallel-size 4" in result.reason
    gguf = run_capability("launch", {"gpu": "RTX 4090", "engine": "llama.cpp"}, model=_spec("mistral-7b"))
    assert "llama-server" in gguf.reason and "-ngl" in gguf.reason


def test_extend_answer_reads_32k_as_the_binary_length() -> None:
    result = run_capability("extend", {"to": 32000}, model=_spec("llama-3-8b"))
    block = result.chain[0].result
    assert block["factor"] == 4.0 and block["original_max_position_embeddings"] == 8192
    assert "32,000 read as 32,768" in result.chain[0].interpretation
