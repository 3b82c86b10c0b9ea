"""``ask()``: route → validate → run → answer, the ``taf ask --json`` shape, and failures as clean results."""

from __future__ import annotations

import json

from tafagent.core.ask import AskResult, ask
from tafagent.core.errors import ModelNotFoundError
from tafagent.core.spec.presets import find_preset

SOURCES = {"question", "preset", "model", "default", "llm"}


def test_routed_answer_shape() -> None:
    result = ask("Will Meta-Llama-3-8B handle 32000-token NIAH retrieval reliably?")
    assert result.ok and result.recipe_id == "X-2" and result.result is not None
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert {"question", "recipe_id", "params", "param_sources", "result"} <= set(data)
    assert data["result"]["verdict"] == "NO" and data["result"]["recipe_id"] == "X-2"  # beyond its 8K context
    assert data["params"]["T_eval"] == 32000 and data["param_sources"]["T_eval"] == "question"
    assert data["param_sources"]["theta"] == "preset"
    assert set(data["param_sources"].values()) <= SOURCES
    assert set(data["params"]) == set(data["result"]["inputs"])
    assert data["answer"].startswith("Long-context viability for meta-llama/Meta-Llama-3-8B: NO")


def test_unroutable_answer_shape() -> None:
    result = ask("What's the weather in Paris?")
    assert not result.ok and result.recipe_id is None
    data = result.to_dict()
    assert data["recipe_id"] is None and data["why"]
    assert 2 <= len(data["suggestions"]) <= 3
    assert all({"recipe_id", "name", "reason"} == set(s) for s in data["suggestions"])


def test_defaults_are_announced_in_the_question_language() -> None:
    result = ask("Which GPU serves Llama-3-8B at 10 million tokens per day?")
    assert result.param_sources["T_eval"] == "default"
    assert any("4,096" in a for a in result.assumed)
    spanish = ask("¿Qué GPU sirve Llama-3-8B a 10 millones de tokens al día?")
    assert spanish.language == "es" and any("4096" in a.replace("\u202f", "") for a in spanish.assumed)
    assert spanish.answer.startswith("Selección de hardware")


def test_language_override() -> None:
    result = ask("Will Meta-Llama-3-8B handle 32K context?", language="zh")
    assert result.language == "zh" and "。" in result.answer
    assert any("32,000" in a for a in result.assumed)  # 32K read as 32,000 — said in Chinese


def test_model_defaulted_when_none_is_named() -> None:
    result = ask("Can a model with theta 10000 handle 16k context?")
    assert result.ok and result.param_sources["theta"] == "question"
    result = ask("Will retrieval work at 32k context?")
    assert result.ok and result.model is None
    assert result.param_sources["theta"] == "default"
    assert "default architecture" in result.answer


def test_hub_id_uses_the_model_loader() -> None:
    calls: list[str] = []

    def loader(model_id: str):  # type: ignore[no-untyped-def]
        calls.append(model_id)
        preset = find_preset("qwen2.5-7b")
        assert preset is not None
        return preset.spec()

    result = ask("Can Qwen/Qwen2.5-14B-Instruct handle 64k context?", model_loader=loader)
    assert calls == ["Qwen/Qwen2.5-14B-Instruct"]
    assert result.ok and result.model == "Qwen/Qwen2.5-14B-Instruct"
    assert result.param_sources["theta"] == "model"


def test_hub_id_without_a_loader_is_a_clean_error() -> None:
    result = ask("Can Qwen/Qwen2.5-14B-Instruct handle 64k context?")
    assert not result.ok and result.error and "model_loader" in result.error
    assert result.to_dict()["error"] == result.error


def test_loader_failure_is_a_clean_error() -> None:
    def loader(model_id: str):  # type: ignore[no-untyped-def]
        raise ModelNotFoundError(f"'{model_id}' was not found on the Hub", "check the id")

    result = ask("Can someorg/some-model-7b handle 64k context?", model_loader=loader)
    assert isinstance(result, AskResult) and result.error and "not found" in result.error


def test_out_of_range_value_is_a_clean_error_naming_the_parameter() -> None:
    result = ask("What can $5000 train on 0 H100s?")
    assert result.recipe_id == "X-3" and not result.ok
    assert result.error is not None and "n_gpus" in result.error


def test_unknown_model_is_a_clean_error() -> None:
    result = ask("Can falcon 40b handle 32k context?")
    assert result.error is not None and "falcon-7b" in result.error
    assert result.params["T_eval"] == 32000
