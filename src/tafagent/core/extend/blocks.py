"""The RoPE scaling block for one method and factor, in the schemas transformers, vLLM and llama.cpp read.

transformers 5.24 (``modeling_rope_utils.py``) reads ``config.rope_parameters``: ``rope_type``, ``rope_theta``,
``factor`` and each method's own keys — yarn: ``original_max_position_embeddings`` (required), ``beta_fast``
(default 32), ``beta_slow`` (default 1), ``attention_factor`` (default 0.1·ln(factor) + 1); llama3:
``original_max_position_embeddings``, ``low_freq_factor``, ``high_freq_factor``; linear and dynamic: ``factor``
only. It converts a legacy ``rope_scaling`` key into ``rope_parameters`` on load
(``RotaryEmbeddingConfigMixin.convert_rope_params_to_dict``); transformers 4.x and vLLM's ``--hf-overrides`` read
``rope_scaling``. Dynamic NTK grows the base with the running length past ``max_position_embeddings``
(base·(factor·seq/max_pos − (factor − 1))^(d/(d−2))), so for it max positions must stay at the trained length.
"""

from __future__ import annotations

import json
import math
import shlex
from dataclasses import dataclass
from typing import Any

from tafagent.core.spec.model_spec import ModelSpec

TRANSFORMERS_SCHEMA = "transformers 5.24 modeling_rope_utils.py (RopeParameters, _validate_<type>_rope_parameters)"
# Meta's llama3 values (Llama 3.1 config.json; arXiv:2407.21783); YaRN's paper defaults (arXiv:2309.00071).
LLAMA3_LOW_FREQ_FACTOR = 1.0
LLAMA3_HIGH_FREQ_FACTOR = 4.0
YARN_BETA_FAST = 32.0
YARN_BETA_SLOW = 1.0
# Keys a method copies over from the model's own block of the same type (e.g. DeepSeek's mscale).
_KEPT_KEYS = {"yarn": ("beta_fast", "beta_slow", "mscale", "mscale_all_dim", "attention_factor", "truncate")}


@dataclass(frozen=True)
class RopeBlock:
    """The scaling block of one method: its transformers-5 form, its legacy form, and the config patch."""

    method: str
    factor: float
    base_tokens: int
    target_tokens: int
    rope_parameters: dict[str, Any]  # what transformers 5.24 reads
    rope_scaling: dict[str, Any]  # the legacy key (transformers 4.x, vLLM --hf-overrides)
    max_position_embeddings: int

    @property
    def config_patch(self) -> dict[str, Any]:
        """The keys to set in config.json (transformers 5 form)."""
        return {"rope_parameters": dict(self.rope_parameters), "max_position_embeddings": self.max_position_embeddings}

    @property
    def yarn_attention_factor(self) -> float | None:
        """YaRN's default attention temperature 0.1·ln(s) + 1 (arXiv:2309.00071 eq. 22), when the block sets none."""
        if self.method != "yarn" or "attention_factor" in self.rope_parameters:
            return None
        return 0.1 * math.log(self.factor) + 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "factor": self.factor,
            "original_max_position_embeddings": self.base_tokens,
            "target_tokens": self.target_tokens,
            "rope_parameters": dict(self.rope_parameters),
            "rope_scaling": dict(self.rope_scaling),
            "config_patch": self.config_patch,
            "schema": TRANSFORMERS_SCHEMA,
            "yarn_attention_factor": self.yarn_attention_factor,
        }


def rope_block(spec: ModelSpec, method: str, base_tokens: int, target_tokens: int) -> RopeBlock:
    """The block that scales ``spec``'s RoPE from ``base_tokens`` to ``target_tokens`` with ``method``.

    factor = target / base (exact ratio, so transformers' yarn check max_pos / original = factor holds)."""
    factor = target_tokens / base_tokens
    own: dict[str, Any] = {"factor": factor}
    if method in ("yarn", "llama3"):
        own["original_max_position_embeddings"] = base_tokens
    if method == "yarn":
        own.update(beta_fast=YARN_BETA_FAST, beta_slow=YARN_BETA_SLOW)
        old = spec.rope_scaling
        if old is not None and old.type == "yarn":
            own.update({k: old.params[k] for k in _KEPT_KEYS["yarn"] if k in old.params})
    if method == "llama3":
        own.update(low_freq_factor=LLAMA3_LOW_FREQ_FACTOR, high_freq_factor=LLAMA3_HIGH_FREQ_FACTOR)
    theta = spec.rope_theta
    params: dict[str, Any] = {"rope_type": method, "rope_theta": theta, **own}
    if spec.partial_rotary is not None and spec.partial_rotary != 1.0:
        params["partial_rotary_factor"] = spec.partial_rotary
    max_positions = base_tokens if method == "dynamic" else target_tokens
    return RopeBlock(method, factor, base_tokens, target_tokens, params, {"rope_type": method, **own}, max_positions)


@dataclass(frozen=True)
class EngineCommand:
    """How one engine is told to serve the extended model: argv, one shell line, and notes."""

    engine: str
    argv: tuple[str, ...]
    notes: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(shlex.quote(a) for a in self.argv)

    def to_dict(self) -> dict[str, Any]:
        return {"engine": self.engine, "argv": list(self.argv), "text": self.text, "notes": list(self.notes)}


def vllm_command(model_id: str, block: RopeBlock) -> EngineCommand:
    """``vllm serve MODEL --hf-overrides '{"rope_scaling": …, "max_position_embeddings": …}' --max-model-len L``."""
    overrides = {"rope_scaling": block.rope_scaling, "max_position_embeddings": block.max_position_embeddings}
    argv = (
        "vllm",
        "serve",
        model_id,
        "--hf-overrides",
        json.dumps(overrides, separators=(",", ":")),
        "--max-model-len",
        str(block.target_tokens),
    )
    notes = [
        "vLLM applies the rope_scaling it finds in the (overridden) config; no installed vLLM was checked here",
        "a vLLM built on transformers ≥ 5 also accepts the same block under 'rope_parameters'",
    ]
    return EngineCommand("vllm", argv, tuple(notes))


def llama_cpp_command(block: RopeBlock) -> EngineCommand | None:
    """llama.cpp flags (``--rope-scaling yarn --rope-scale F --yarn-orig-ctx N -c L``); None where it has none."""
    factor = f"{block.factor:g}"
    ctx = str(block.target_tokens)
    flags: tuple[str, ...]
    if block.method == "yarn":
        flags = ("--rope-scaling", "yarn", "--rope-scale", factor, "--yarn-orig-ctx", str(block.base_tokens))
        return EngineCommand("llama.cpp", ("llama-server", "-m", "MODEL.gguf", *flags, "-c", ctx), ())
    if block.method == "linear":
        flags = ("--rope-scaling", "linear", "--rope-scale", factor)
        return EngineCommand("llama.cpp", ("llama-server", "-m", "MODEL.gguf", *flags, "-c", ctx), ())
    return None


def llama_cpp_gap(method: str) -> str:
    """Why llama.cpp has no flags for ``method``."""
    if method == "llama3":
        return (
            "llama.cpp takes llama3 scaling from the GGUF (rope frequency factors written at conversion): "
            "convert the patched config with convert_hf_to_gguf.py; no runtime flag sets it"
        )
    return "llama.cpp has no dynamic NTK scaling; use --method yarn (or a static --rope-freq-base)"
