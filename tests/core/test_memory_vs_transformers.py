"""Predicted KV and weight bytes equal what transformers really allocates (tiny models, real prefill, CPU)."""

from __future__ import annotations

import warnings

import pytest

from tafagent.core import resolve_spec
from tafagent.core.memory.kv import kv_plan
from tafagent.core.memory.weights import weights_bytes

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
from transformers import AutoModelForCausalLM  # noqa: E402
from transformers.models.auto.configuration_auto import CONFIG_MAPPING  # noqa: E402

FAMILIES = {
    "gpt_neox": dict(
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        vocab_size=300,
        rotary_pct=0.25,
    ),
    "llama-gqa": dict(
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        vocab_size=300,
    ),
    "llama-head-dim": dict(
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=1,
        head_dim=48,
        vocab_size=300,
    ),
    "mistral": dict(
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        vocab_size=300,
        sliding_window=24,
    ),
    "gemma2": dict(
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=4,
        num_attention_heads=4,
        num_key_value_heads=2,
        head_dim=16,
        vocab_size=300,
        sliding_window=24,
    ),
    "gpt2": dict(n_embd=64, n_layer=2, n_head=4, vocab_size=300, n_positions=256),
    "bloom": dict(hidden_size=64, n_layer=2, n_head=4, vocab_size=300),
    "falcon": dict(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, vocab_size=300),
    "mixtral": dict(
        hidden_size=64,
        intermediate_size=96,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        num_local_experts=4,
        num_experts_per_tok=2,
        vocab_size=300,
    ),
    "deepseek_v2": dict(
        hidden_size=64,
        intermediate_size=128,
        moe_intermediate_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=4,
        kv_lora_rank=16,
        q_lora_rank=None,
        qk_rope_head_dim=8,
        qk_nope_head_dim=16,
        v_head_dim=12,
        n_routed_experts=4,
        num_experts_per_tok=2,
        n_shared_experts=1,
        first_k_dense_replace=1,
        vocab_size=300,
    ),
    "mamba": dict(hidden_size=64, num_hidden_layers=2, vocab_size=300, state_size=8),
    "mamba2": dict(
        hidden_size=64,
        num_hidden_layers=2,
        vocab_size=300,
        state_size=8,
        num_heads=4,
        head_dim=32,
        n_groups=1,
        expand=2,
    ),
    "jamba": dict(
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=4,
        num_attention_heads=4,
        num_key_value_heads=2,
        vocab_size=300,
        num_experts=2,
        attn_layer_period=2,
        attn_layer_offset=1,
        expert_layer_period=2,
        expert_layer_offset=1,
        mamba_d_state=8,
        mamba_dt_rank=8,
    ),
}


def _model_type(name: str) -> str:
    return {"llama-gqa": "llama", "llama-head-dim": "llama"}.get(name, name)


def _cache_bytes(cache) -> int:
    total = 0
    for layer in cache.layers:
        for attr in ("keys", "values"):
            tensor = getattr(layer, attr, None)
            if isinstance(tensor, torch.Tensor):
                total += tensor.numel() * tensor.element_size()
        for attr in ("conv_states", "recurrent_states"):
            states = getattr(layer, attr, None)
            if isinstance(states, dict):
                total += sum(t.numel() * t.element_size() for t in states.values() if isinstance(t, torch.Tensor))
    return total


@pytest.mark.parametrize("family", sorted(FAMILIES))
@pytest.mark.parametrize("dtype", ["float32", "bfloat16"])
@pytest.mark.parametrize("tokens", [10, 40])
def test_kv_and_weight_bytes_are_exact(family: str, dtype: str, tokens: int) -> None:
    config = CONFIG_MAPPING[_model_type(family)](**FAMILIES[family])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.manual_seed(0)
        model = AutoModelForCausalLM.from_config(config).to(getattr(torch, dtype)).eval()
        ids = torch.randint(5, 290, (2, tokens))
        with torch.no_grad():
            out = model(ids, use_cache=True)
    raw = config.to_dict()
    raw["torch_dtype"] = dtype
    spec = resolve_spec(raw, family)
    plan = kv_plan(spec, "transformers")
    assert plan.bytes_per_sequence(tokens) * 2 == _cache_bytes(out.past_key_values)
    real_weight_bytes = sum(p.numel() * p.element_size() for p in model.parameters())
    assert weights_bytes(spec, "auto").n_bytes == real_weight_bytes
