"""The serving catalog's English copies of data texts stay equal to their sources, and every rescue rung and
budget note has a translation: what `taf memory` shows in ES/FR/ZH is the same sentence as in English."""

from __future__ import annotations

import pytest

from tafagent.cli.common import load_catalogs
from tafagent.core.memory.activations import prefill_activation_bytes
from tafagent.core.memory.report import memory_report, position_source
from tafagent.core.memory.rescue import rescue_costs
from tafagent.core.messages import catalog, tr
from tafagent.core.spec.presets import find_preset


def _spec(name: str):  # type: ignore[no-untyped-def]
    preset = find_preset(name)
    assert preset is not None
    return preset.spec()


def test_rescue_cost_sentences_equal_their_data_file() -> None:
    """English = rescue_costs.json's sentence, and each language has its own (not an English copy)."""
    costs = rescue_costs()
    entries = {f"{s}.{k}": v for s in ("kv_dtype", "weights") for k, v in costs[s].items()}
    entries |= {"tensor_parallel": costs["tensor_parallel"], "offload": costs["offload"]}
    for entry, cost in entries.items():
        for field in ("quality", "speed"):
            key = f"serving.rescue.cost.{entry}.{field}"
            assert catalog("en")[key] == cost[field], key
            for lang in ("es", "fr", "zh"):
                assert catalog(lang)[key] != cost[field], (key, lang)


def test_activation_note_is_the_one_activations_writes() -> None:
    note = prefill_activation_bytes(_spec("llama-3-8b"), 1024, 1, "sdpa")["note"]
    assert tr("serving.activation.note", "en") == note


@pytest.mark.parametrize("engine", ("vllm", "sglang", "llama.cpp", "transformers"))
def test_budget_notes_in_english_are_the_json_notes(engine: str) -> None:
    gpu = load_catalogs(None).gpu("H100")
    report = memory_report(_spec("llama-3-8b"), 8192, 1, engine=engine, gpu=gpu)
    assert report.budget is not None
    assert report.budget.note_texts("en") == report.budget.notes
    assert report.budget.note_texts("fr") != report.budget.notes


def test_rescue_changes_in_english_are_the_json_changes() -> None:
    gpu = load_catalogs(None).gpu("RTX 4090")
    report = memory_report(_spec("llama-3-8b"), 32768, 16, engine="vllm", gpu=gpu)
    assert report.rescue
    for rung in report.rescue:
        assert rung.change_text("en") == rung.change
        assert "change_msg" not in rung.to_dict() and "cost_key" not in rung.to_dict()
        assert rung.change_text("es") != rung.change


def test_position_source_keeps_its_citation() -> None:
    spec = _spec("llama-3-8b")
    english = position_source(spec)
    assert english == memory_report(spec, 1024).positions.source
    assert "Meta model card" in position_source(spec, "zh")
