"""Embedded presets: lookup, provenance, golden counts, and the reference system's 11 presets."""

from __future__ import annotations

import pytest

from tafagent.core.errors import ModelNotFoundError
from tafagent.core.spec.presets import find_preset, get_preset, list_presets, reference_presets_v053, suggest_presets

# Exact parameter counts (what transformers instantiates from each public config).
GOLDEN_N_PARAMS = {
    "meta-llama/Meta-Llama-3-8B": 8_030_261_248,
    "meta-llama/Llama-3.1-8B": 8_030_261_248,
    "meta-llama/Llama-3.1-70B": 70_553_706_496,
    "meta-llama/Llama-3.2-1B": 1_235_814_400,
    "meta-llama/Llama-3.2-3B": 3_212_749_824,
    "mistralai/Mistral-7B-v0.1": 7_241_732_096,
    "mistralai/Mixtral-8x7B-v0.1": 46_702_792_704,
    "Qwen/Qwen2.5-0.5B": 494_032_768,
    "Qwen/Qwen2.5-7B": 7_615_616_512,
    "google/gemma-2-9b": 9_241_705_984,
    "microsoft/Phi-3-mini-4k-instruct": 3_821_079_552,
    "EleutherAI/pythia-1b": 1_011_781_632,
    "EleutherAI/pythia-70m": 70_426_624,
    "openai-community/gpt2": 124_439_808,
    "openai-community/gpt2-xl": 1_557_611_200,
    "bigscience/bloom-560m": 559_214_592,
    "tiiuae/falcon-7b": 6_921_720_704,
    "state-spaces/mamba-2.8b-hf": 2_768_345_600,
}


def test_at_least_the_required_presets_exist() -> None:
    ids = {p.model_id.lower() for p in list_presets()}
    for required in [
        *reference_presets_v053(),
        "meta-llama/Llama-3.1-8B",
        "meta-llama/Llama-3.1-70B",
        "meta-llama/Llama-3.2-3B",
        "mistralai/Mistral-Nemo-Base-2407",
        "mistralai/Mixtral-8x7B-v0.1",
        "Qwen/Qwen2.5-0.5B",
        "Qwen/Qwen2.5-72B",
        "google/gemma-2-2b",
        "google/gemma-2-9b",
        "openai-community/gpt2-xl",
        "bigscience/bloom-560m",
        "tiiuae/falcon-7b",
        "state-spaces/mamba-2.8b-hf",
        "deepseek-ai/DeepSeek-V2-Lite",
    ]:
        assert required.lower() in ids, required


@pytest.mark.parametrize("model_id,n_params", sorted(GOLDEN_N_PARAMS.items()))
def test_golden_parameter_counts(model_id: str, n_params: int) -> None:
    assert get_preset(model_id).spec().n_params == n_params


@pytest.mark.parametrize(
    "name",
    [
        "llama-3-8b",
        "LLAMA-3-8B",
        "Llama3-8B",
        "meta-llama-3-8b",
        "Meta-Llama-3-8B",
        "meta-llama/meta-llama-3-8b",
        " llama 3 8b ",
    ],
)
def test_aliases_are_case_and_separator_insensitive(name: str) -> None:
    preset = find_preset(name)
    assert preset is not None and preset.model_id == "meta-llama/Meta-Llama-3-8B"


def test_aliases_are_unique() -> None:
    seen: dict[str, str] = {}
    for preset in list_presets():
        for alias in (*preset.aliases, preset.model_id.lower()):
            assert alias not in seen, f"{alias} used by {seen.get(alias)} and {preset.model_id}"
            seen[alias] = preset.model_id


def test_similar_names_do_not_collide() -> None:
    assert find_preset("llama-3.1-8b").model_id == "meta-llama/Llama-3.1-8B"  # type: ignore[union-attr]
    assert find_preset("gemma-2-9b").model_id == "google/gemma-2-9b"  # type: ignore[union-attr]
    assert find_preset("gemma-2-9b-it").model_id == "google/gemma-2-9b-it"  # type: ignore[union-attr]


def test_typo_gives_suggestions() -> None:
    assert "llama-3-8b" in suggest_presets("lama-3-8b")
    with pytest.raises(ModelNotFoundError) as info:
        get_preset("mistrall-7b")
    assert "mistral-7b" in info.value.one_line()


def test_every_preset_has_provenance() -> None:
    for preset in list_presets():
        assert preset.verification, preset.model_id
        if preset.documented:
            assert preset.documented.get("note"), preset.model_id
            spec = preset.spec()
            assert spec.sources["T_train"].kind == "preset"


@pytest.mark.parametrize("model_id", sorted(reference_presets_v053()))
def test_reference_v053_presets_agree_on_geometry(model_id: str) -> None:
    """Our config-derived spec reproduces the reference preset's θ, heads, head size, layers and T_train.

    n_params differs on purpose (the reference stores nominal values such as 8e9; we count exactly, within
    10 %), and has_SWA differs where the reference flagged a window that is disabled or a ghost.
    """
    ref = reference_presets_v053()[model_id]
    spec = get_preset(model_id).spec()
    assert spec.rope_theta == ref["theta"]
    assert spec.T_train == ref["T_train"]
    assert (spec.n_heads, spec.n_kv_heads, spec.d_head, spec.n_layers) == (
        ref["n_attention_heads"],
        ref["n_kv_heads"],
        ref["d_head"],
        ref["n_layers"],
    )
    assert abs(spec.n_params - ref["n_params"]) / ref["n_params"] < 0.10
    assert spec.has_swa == ref["has_SWA"]
