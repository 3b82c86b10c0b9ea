"""Bounds on config values: no real model goes beyond them, so a value outside one is a typo or hostile input.

The resolver rejects such values with an error naming the field; other parts of the core (the memory engine's
context bound, for one) share the same limits so that every entry point refuses the same absurd sizes.
"""

from __future__ import annotations

MAX_LAYERS = 100_000
MAX_WIDTH = 10_000_000
MAX_HEADS = 100_000
MAX_VOCAB = 100_000_000
MAX_POSITIONS = 2**34
# Serving sizes (taf memory / plan, the browser's Fit & plan): far above any server or deployment, low enough that
# no product of them explodes (vLLM's largest tensor-parallel groups are 64-way across nodes).
MAX_BATCH = 1_000_000
MAX_TP = 1024
# Routed experts per MoE layer: the most in a released model is 512 (Qwen3-Next; DeepSeek-V3 has 256).
MAX_EXPERTS = 1024
# RoPE base θ: real models use 10,000 (most) up to 1e6-1e8 (Qwen, long-context variants). Below 1 the rotary
# frequencies θ^(-2i/d) grow with i instead of falling and γ_Padé is pinned at −1: a typo, not a model.
MIN_THETA = 1.0
MAX_THETA = 1e13
