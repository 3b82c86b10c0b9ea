"""taf extend's core: the rope block per method, what transformers builds from it, bad input, memory, literature."""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest

from tafagent.core.errors import UsageError
from tafagent.core.extend import extended_spec, parse_context_tokens, plan_extension, rope_block
from tafagent.core.extend.literature import largest_documented_factor, method_literature
from tafagent.core.spec.context_facts import context_facts
from tafagent.core.spec.presets import get_preset, list_presets
from tafagent.core.spec.resolve import resolve_spec

TINY_LLAMA: dict[str, Any] = {
    "model_type": "llama",
    "architectures": ["LlamaForCausalLM"],
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "vocab_size": 128,
    "max_position_embeddings": 64,
    "rope_theta": 10000.0,
    "tie_word_embeddings": False,
}


def test_llama3_8b_to_32k_is_yarn_factor_4_from_8192() -> None:
    plan = plan_extension(get_preset("llama-3-8b").spec(), parse_context_tokens("32k"))
    block = plan.to_dict()["transformers"]
    assert block["method"] == "yarn" and block["factor"] == 4.0
    assert block["rope_parameters"] == {
        "rope_type": "yarn",
        "rope_theta": 500000.0,
        "factor": 4.0,
        "original_max_position_embeddings": 8192,
        "beta_fast": 32.0,
        "beta_slow": 1.0,
    }
    assert block["config_patch"]["max_position_embeddings"] == 32768
    assert block["rope_scaling"]["original_max_position_embeddings"] == 8192
    assert math.isclose(block["yarn_attention_factor"], 0.1 * math.log(4) + 1)
    assert "--yarn-orig-ctx 8192" in plan.llama_cpp.text and "-c 32768" in plan.llama_cpp.text  # type: ignore[union-attr]
    assert "--max-model-len 32768" in plan.vllm.text and '"factor":4.0' in plan.vllm.text


def test_memory_at_the_new_length_is_exact_kv_plus_weights() -> None:
    memory = plan_extension(get_preset("llama-3-8b").spec(), 32768).memory
    kv_per_token = 32 * 2 * 8 * 128 * 2  # layers · (K, V) · kv heads · d_head · bf16 bytes
    assert memory["kv_bytes"] == kv_per_token * 32768 and memory["kv_bytes_at_base"] == kv_per_token * 8192
    assert memory["total_bytes"] == memory["weights_bytes"] + memory["kv_bytes"] and memory["batch"] == 1


def test_plan_runs_x2_on_the_patched_spec() -> None:
    plan = plan_extension(get_preset("mistral-7b").spec(), 32768)
    assert plan.x2_after["verdict"] and plan.x2_before["verdict"]
    assert plan.facts_after.usable_tokens == 32768 and plan.facts_before.usable_tokens == 8192
    assert any("sliding window" in n for n in plan.notes)


@pytest.mark.parametrize(
    ("text", "tokens"), [("32k", 32768), ("128K", 131072), ("1M", 1 << 20), ("40960", 40960), ("1.5k", 1536)]
)
def test_context_lengths_are_binary_thousands(text: str, tokens: int) -> None:
    assert parse_context_tokens(text) == tokens


@pytest.mark.parametrize("text", ["abc", "0.3k", "0", "-4k", "32kb"])
def test_bad_context_lengths_are_one_clear_error(text: str) -> None:
    with pytest.raises(UsageError):
        parse_context_tokens(text)


# ---- bad requests: one clear line each --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "target", "method", "words"),
    [
        ("gpt2", 4096, "yarn", "has no RoPE"),
        ("bloom-560m", 8192, "yarn", "has no RoPE"),
        ("mamba-2.8b", 8192, "yarn", "has no RoPE"),
        ("llama-3-8b", 8192, "yarn", "at or below the trained length 8,192"),
        ("llama-3-8b", 4096, "linear", "at or below"),
        ("deepseek-v2-lite", 65536, "yarn", "already reaches 163,840"),
        ("llama-3-8b", 8192 * 1024, "yarn", "beyond what any RoPE method documents"),
        ("llama-3-8b", 32768, "longrope", "longrope needs per-dimension"),
        ("llama-3-8b", 32768, "ntk", "unknown extension method"),
    ],
)
def test_bad_requests(model: str, target: int, method: str, words: str) -> None:
    with pytest.raises(UsageError) as info:
        plan_extension(get_preset(model).spec(), target, method)
    line = info.value.one_line()
    assert words in line and "\n" not in line and info.value.hint


def test_a_factor_beyond_the_methods_own_record_is_a_note_not_an_error() -> None:
    plan = plan_extension(get_preset("llama-3-8b").spec(), 8192 * 64, "yarn")  # 64 > YaRN's 40, < LongRoPE's 512
    assert any("beyond the largest documented for yarn" in n for n in plan.notes)
    assert largest_documented_factor()[1] == "longrope"


def test_dynamic_keeps_max_positions_at_the_trained_length() -> None:
    plan = plan_extension(get_preset("mistral-7b").spec(), 32768, "dynamic")
    block = plan.block
    assert plan.facts_after.extended_tokens == 32768  # dynamic NTK reaches max positions × factor
    assert block.max_position_embeddings == 8192 and block.rope_parameters == {
        "rope_type": "dynamic",
        "rope_theta": 10000.0,
        "factor": 4.0,
    }


def test_extending_a_scaled_model_starts_from_its_original_length() -> None:
    plan = plan_extension(get_preset("llama-3.1-8b").spec(), 262144, "llama3")
    assert plan.block.base_tokens == 8192 and plan.block.factor == 32.0
    assert plan.block.rope_parameters["low_freq_factor"] == 1.0
    assert any("replaces the model's own rope_scaling (llama3" in n for n in plan.notes)


def test_yarn_keeps_the_models_own_yarn_keys() -> None:
    plan = plan_extension(get_preset("deepseek-v2-lite").spec(), 262144, "yarn")
    assert plan.block.rope_parameters["mscale"] == 0.707 and plan.block.factor == 64.0


# ---- the patched spec is what the patched config.json resolves to ----------------------------------------------

# Phi-3 is refused: transformers' Phi3Config rewrites any rope scaling to longrope (needs searched factors).
ROPE_PRESETS = [p.model_id for p in list_presets() if p.spec().rope_theta is not None and p.spec().model_type != "phi3"]


def test_phi3_extension_is_refused_in_one_line() -> None:
    with pytest.raises(UsageError, match="Phi-3"):
        plan_extension(get_preset("phi-3-mini").spec(), 16384)


@pytest.mark.parametrize("model_id", ROPE_PRESETS)
@pytest.mark.parametrize("method", ["yarn", "dynamic"])
def test_extended_spec_equals_the_resolved_patched_config(model_id: str, method: str) -> None:
    spec = get_preset(model_id).spec()
    facts = context_facts(spec)
    target = max(facts.usable_tokens or 0, facts.extended_tokens or 0) * 2
    block = plan_extension(spec, target, method).block
    config = copy.deepcopy(get_preset(model_id).config)
    config.pop("rope_scaling", None)
    config.update(copy.deepcopy(block.config_patch))
    resolved = resolve_spec(config, model_id)
    patched = extended_spec(spec, block)
    assert patched.T_train == resolved.T_train
    assert resolved.rope_scaling is not None and patched.rope_scaling is not None
    assert (patched.rope_scaling.type, patched.rope_scaling.factor) == (resolved.rope_scaling.type, block.factor)
    assert context_facts(patched).usable_tokens == context_facts(resolved).usable_tokens


# ---- literature ------------------------------------------------------------------------------------------------


def test_yarn_literature_carries_the_papers_numbers() -> None:
    lit = method_literature("yarn")
    assert "arXiv:2309.00071" in lit.paper and "400 steps" in lit.fine_tuning
    ppl = {(r["model"], r["length_tokens"]): r["value"] for r in lit.results if r["metric"] == "perplexity"}
    assert ppl[("NousResearch/Yarn-Llama-2-7b-64k", 65536)] == 2.422
    assert ppl[("NousResearch/Yarn-Llama-2-7b-128k", 131072)] == 2.372
    assert all("jquesnelle/yarn" in r["source"] for r in lit.results)


def test_dynamic_literature_includes_the_panels_no_fine_tuning_rows() -> None:
    rows = [r for r in method_literature("dynamic").results if "niah_logprob_ntk" in r["source"]]
    assert {r["model"] for r in rows} == {"EleutherAI/pythia-70m", "EleutherAI/pythia-1b", "EleutherAI/pythia-1.4b"}
    scaled = [r["value"] for r in rows if r["theta_multiplier"] == 4.0]
    plain = [r["value"] for r in rows if r["theta_multiplier"] == 1.0]
    assert min(scaled) >= 0.86 and max(plain) <= 0.16 and all(r["length_tokens"] == 4096 for r in rows)


# ---- transformers builds a model from the emitted block ---------------------------------------------------------


@pytest.mark.parametrize("method", ["yarn", "linear", "dynamic", "llama3"])
@pytest.mark.parametrize("form", ["rope_parameters", "rope_scaling"])
def test_transformers_builds_and_runs_the_patched_tiny_llama(method: str, form: str) -> None:
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    spec = resolve_spec(TINY_LLAMA, "tiny/llama")
    block = rope_block(spec, method, 64, 256)
    config = dict(TINY_LLAMA, max_position_embeddings=block.max_position_embeddings)
    if form == "rope_parameters":
        config["rope_parameters"] = copy.deepcopy(block.rope_parameters)
    else:
        config["rope_scaling"] = copy.deepcopy(block.rope_scaling)
    llama_config = transformers.LlamaConfig(**config)
    assert llama_config.rope_parameters["rope_type"] == method
    assert llama_config.rope_parameters["factor"] == 4.0
    torch.manual_seed(0)
    model = transformers.LlamaForCausalLM(llama_config).eval()
    rotary = model.model.rotary_emb
    assert rotary.rope_type == method
    if method == "yarn":
        assert math.isclose(rotary.attention_scaling, 0.1 * math.log(4) + 1, rel_tol=1e-6)
    with torch.no_grad():
        logits = model(torch.randint(0, 128, (1, 200))).logits
    assert logits.shape == (1, 200, 128) and bool(torch.isfinite(logits).all())
