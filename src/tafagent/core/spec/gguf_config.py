"""GGUF metadata → an HF-style config dict that the resolver reads like any config.json.

GGUF files carry no config.json: the ``<arch>.*`` metadata keys (block_count, embedding_length,
attention.head_count, ...) are mapped to their transformers names, and what the metadata leaves out is
derived from the tensors (vocabulary from ``token_embd.weight``, tied embeddings from a missing
``output.weight``), each with the GGUF key or derivation it came from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tafagent.core.errors import WeightHeaderError
from tafagent.core.spec.gguf_header import GGUFArray, GGUFHeader

# general.architecture → transformers model_type, where the names differ.
GGUF_ARCH_TO_MODEL_TYPE: dict[str, str] = {
    "llama": "llama",
    "mistral": "mistral",
    "qwen2": "qwen2",
    "qwen2moe": "qwen2_moe",
    "qwen3": "qwen3",
    "qwen3moe": "qwen3_moe",
    "gemma": "gemma",
    "gemma2": "gemma2",
    "gemma3": "gemma3_text",
    "phi2": "phi",
    "phi3": "phi3",
    "gptneox": "gpt_neox",
    "gpt2": "gpt2",
    "gptj": "gptj",
    "bloom": "bloom",
    "falcon": "falcon",
    "mpt": "mpt",
    "starcoder": "gpt_bigcode",
    "starcoder2": "starcoder2",
    "stablelm": "stablelm",
    "mamba": "mamba",
    "mamba2": "mamba2",
    "deepseek2": "deepseek_v2",
    "command-r": "cohere",
    "olmo": "olmo",
    "olmo2": "olmo2",
    "olmoe": "olmoe",
    "granite": "granite",
    "jamba": "jamba",
    "gpt-oss": "gpt_oss",
}
# "<arch>.<suffix>" → HF config key. Values that are per-layer arrays are not mapped (noted instead).
_GGUF_ARCH_KEYS: tuple[tuple[str, str], ...] = (
    ("block_count", "num_hidden_layers"),
    ("embedding_length", "hidden_size"),
    ("feed_forward_length", "intermediate_size"),
    ("attention.head_count", "num_attention_heads"),
    ("attention.head_count_kv", "num_key_value_heads"),
    ("context_length", "max_position_embeddings"),
    ("rope.freq_base", "rope_theta"),
    ("attention.key_length", "head_dim"),
    ("attention.layer_norm_rms_epsilon", "rms_norm_eps"),
    ("attention.layer_norm_epsilon", "layer_norm_epsilon"),
    ("attention.sliding_window", "sliding_window"),
    ("expert_count", "num_experts"),
    ("expert_used_count", "num_experts_per_tok"),
    ("expert_feed_forward_length", "moe_intermediate_size"),
    ("expert_shared_feed_forward_length", "shared_expert_intermediate_size"),
    ("vocab_size", "vocab_size"),
    ("ssm.conv_kernel", "conv_kernel"),
    ("ssm.inner_size", "intermediate_size"),
    ("ssm.state_size", "state_size"),
    ("ssm.time_step_rank", "time_step_rank"),
)


@dataclass(frozen=True, slots=True)
class GGUFConfig:
    """An HF-style config built from GGUF metadata.

    ``key_sources`` names the GGUF metadata key behind each HF key; ``derived_notes`` says how the other
    keys were derived (from tensor shapes or names).
    """

    config: dict[str, Any]
    key_sources: dict[str, str]
    derived_notes: dict[str, str]
    notes: tuple[str, ...] = ()


def gguf_to_config(header: GGUFHeader) -> GGUFConfig:
    """Map ``<arch>.*`` metadata (block_count, embedding_length, attention.head_count, ...) to HF keys.

    Tied embeddings follow from the tensors (no ``output.weight`` → the output reuses ``token_embd``); the
    vocabulary size from ``token_embd.weight``'s shape, else ``tokenizer.ggml.tokens``.
    """
    arch = header.architecture
    if arch is None:
        raise WeightHeaderError("the GGUF file has no general.architecture", "it is not a model GGUF")
    meta = header.metadata
    config: dict[str, Any] = {}
    sources: dict[str, str] = {}
    derived: dict[str, str] = {}
    notes: list[str] = []
    model_type = GGUF_ARCH_TO_MODEL_TYPE.get(arch, arch)
    experts = meta.get(f"{arch}.expert_count")
    if arch == "llama" and isinstance(experts, int) and experts > 0:
        model_type = "mixtral"  # llama.cpp stores Mixtral as arch 'llama' with experts
    config["model_type"] = model_type
    sources["model_type"] = "general.architecture"
    for suffix, hf_key in _GGUF_ARCH_KEYS:
        key = f"{arch}.{suffix}"
        if key not in meta or hf_key in config:
            continue
        value = meta[key]
        if isinstance(value, list | GGUFArray):
            notes.append(f"{key} varies per layer: not mapped to {hf_key}")
            continue
        if isinstance(value, float):
            value = float(f"{value:.7g}")  # float32 metadata: drop the binary noise (1e-05, not 9.99999e-06)
        config[hf_key] = value
        sources[hf_key] = key
    if model_type == "mixtral" and "num_experts" in config:
        config["num_local_experts"] = config.pop("num_experts")
        sources["num_local_experts"] = sources.pop("num_experts")
    _rope_extras(arch, meta, config, sources, derived)
    tensors = {t.name: t for t in header.tensors}
    embed = tensors.get("token_embd.weight")
    if embed is not None and len(embed.shape) == 2:
        config["vocab_size"] = embed.shape[1]
        sources.pop("vocab_size", None)
        derived["vocab_size"] = "rows of the GGUF tensor token_embd.weight"
    elif "vocab_size" not in config and isinstance(meta.get("tokenizer.ggml.tokens"), list | GGUFArray):
        config["vocab_size"] = len(meta["tokenizer.ggml.tokens"])
        derived["vocab_size"] = "length of the GGUF metadata array tokenizer.ggml.tokens"
    if embed is not None:
        tied = "output.weight" not in tensors
        config["tie_word_embeddings"] = tied
        derived["tie_word_embeddings"] = (
            "the GGUF file has no output.weight tensor: the output reuses token_embd"
            if tied
            else "the GGUF file has its own output.weight tensor"
        )
    name = meta.get("general.name")
    if isinstance(name, str) and name.strip():
        config["_name_or_path"] = name.strip()
    return GGUFConfig(config, sources, derived, tuple(notes))


def _rope_extras(
    arch: str, meta: Mapping[str, Any], config: dict[str, Any], sources: dict[str, str], derived: dict[str, str]
) -> None:
    heads = config.get("num_attention_heads")
    hidden = config.get("hidden_size")
    head_dim = config.get("head_dim")
    if head_dim is None and isinstance(heads, int) and isinstance(hidden, int) and heads > 0:
        head_dim = hidden // heads
    elif head_dim is not None and isinstance(heads, int) and isinstance(hidden, int) and head_dim * heads == hidden:
        # key_length equal to hidden/heads is the default: leave it out so the resolver derives it.
        del config["head_dim"], sources["head_dim"]
    rope_dims = meta.get(f"{arch}.rope.dimension_count")
    if isinstance(rope_dims, int) and isinstance(head_dim, int) and 0 < rope_dims < head_dim:
        config["partial_rotary_factor"] = rope_dims / head_dim
        derived["partial_rotary_factor"] = f"GGUF {arch}.rope.dimension_count ({rope_dims}) / head dim ({head_dim})"
    scaling = meta.get(f"{arch}.rope.scaling.type")
    if isinstance(scaling, str) and scaling not in ("", "none"):
        rope_scaling: dict[str, Any] = {"rope_type": scaling, "type": scaling}
        factor = meta.get(f"{arch}.rope.scaling.factor")
        if isinstance(factor, int | float):
            rope_scaling["factor"] = float(f"{factor:.7g}")
        original = meta.get(f"{arch}.rope.scaling.original_context_length")
        if isinstance(original, int):
            rope_scaling["original_max_position_embeddings"] = original
        config["rope_scaling"] = rope_scaling
        sources["rope_scaling"] = f"{arch}.rope.scaling.type"
