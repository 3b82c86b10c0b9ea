"""§17 pre-training viability, §19 inference economics, §20 hardware cost, §24 API break-even.

These are the reference's closed forms (spec §2.5–§2.8): Chinchilla-optimal data, 6·N·D training
FLOPs, 16 bytes/parameter training memory, capability tiers, the uniform KV-cache formula, weights
memory, the memory-bound decode ceiling, cost per run, cost per token and the break-even volume.
Units are in the names; "GB" is 10⁹ bytes.
"""

from __future__ import annotations

import math
from typing import Any

from tafagent.core.catalogs import GPU
from tafagent.core.laws.constants import CHINCHILLA_TOKENS_PER_PARAM


def chinchilla_optimal_tokens(n_params: float, ratio: float = CHINCHILLA_TOKENS_PER_PARAM) -> float:
    """D = ratio·N, ratio = 20 tokens per parameter   (§17.30)."""
    return ratio * n_params


def chinchilla_optimal_params(flops: float) -> float:
    """N* = √(C/120): with C = 6·N·D and D = 20·N, C = 120·N²   (§17.30)."""
    return math.sqrt(flops / (6.0 * CHINCHILLA_TOKENS_PER_PARAM))


def training_flops(n_params: float, n_tokens: float, flops_per_param_token: float = 6.0) -> float:
    """C = 6·N·D for pretraining or full fine-tuning (§17.10); C = 4·N·D for LoRA (see LORA_FLOPS_PER_PARAM_TOKEN)."""
    return flops_per_param_token * n_params * n_tokens


def training_memory_16n_bytes(n_params: float) -> float:
    """16 bytes per parameter for mixed-precision AdamW (weights, grads, fp32 master and moments)   (§17.20)."""
    return 16.0 * n_params


EMERGENCE_TIERS: tuple[tuple[float, str, str], ...] = (
    (1e11, "above 100B", "strong reasoning expected"),
    (1e10, "above 10B", "most emergent capabilities present"),
    (1e9, "above 1B", "basic instruction following, not strong reasoning"),
    (1e8, "above 100M", "useful for narrow tasks, no emergence"),
    (0.0, "below 100M", "domain-specific tasks only"),
)


def emergent_threshold(n_params: float) -> str:
    """Capability tier by size, "<prefix> — <description>"   (§17.60, Wei et al. 2022)."""
    for threshold, prefix, description in EMERGENCE_TIERS:
        if n_params >= threshold:
            return f"{prefix} — {description}"
    return f"{EMERGENCE_TIERS[-1][1]} — {EMERGENCE_TIERS[-1][2]}"


def kv_cache_bytes_uniform(
    n_layers: int, n_kv_heads: int, d_head: int, seq_len: float, bytes_per_element: float = 2.0
) -> float:
    """bytes = 2 (K and V) · L · n_kv · d_head · seq · B, every layer full attention   (§19.1).

    This is the reference's formula; the exact per-layer-type KV (sliding windows, MLA, SSM state)
    is the memory module's job.
    """
    return 2.0 * n_layers * n_kv_heads * d_head * seq_len * bytes_per_element


def weights_bytes_uniform(n_params: float, bytes_per_weight: float = 2.0) -> float:
    """bytes = N · bytes per weight, every parameter at one width (BF16 = 2, INT8 = 1, INT4 = 0.5)   (§19).

    This is the reference's formula; weights by storage format (group scales, unquantised embeddings,
    checkpoint headers) are the memory module's job.
    """
    return n_params * bytes_per_weight


def decode_tokens_per_s_ceiling(weights_GB: float, hbm_GB_per_s: float, batch: int = 1) -> float:
    """Memory-bound decode ceiling: tokens/s = bandwidth / weights bytes × batch   (§19.9).

    An upper bound: every decode step reads all weights once; KV reads and kernel overheads are
    ignored, and measured engines reach about 70–80 % of it.
    """
    return hbm_GB_per_s / weights_GB * batch


def training_cost(
    n_params: float,
    n_tokens: float,
    gpu: GPU,
    n_gpus: int,
    mfu: float,
    usd_per_hour: float | None,
    flops_per_param_token: float = 6.0,
) -> dict[str, Any]:
    """Time and money for one run: hours = k·N·D / (peak·MFU·n_gpus) / 3600 (k = 6, LoRA 4); USD = hours·$/h·n_gpus
    (§20.11)."""
    flops = training_flops(n_params, n_tokens, flops_per_param_token)
    seconds = flops / (gpu.bf16_tflops * 1e12 * mfu * n_gpus)
    hours = seconds / 3600.0
    usd = None if usd_per_hour is None else hours * usd_per_hour * n_gpus
    return {
        "total_FLOPs": flops,
        "hours": hours,
        "days": hours / 24.0,
        "USD": usd,
        "gpu": gpu.name,
        "n_gpus": n_gpus,
        "mfu": mfu,
        "usd_per_gpu_hour": usd_per_hour,
    }


def inference_cost_per_token(weights_GB: float, gpu: GPU, usd_per_hour: float | None, batch: int = 1) -> dict[str, Any]:
    """Self-hosted $/Mtok at the decode ceiling: (10⁶ / tok/s) / 3600 · $/h   (§19.9, §20.12)."""
    tok_per_s = decode_tokens_per_s_ceiling(weights_GB, gpu.hbm_GB_per_s, batch)
    usd_per_mtok = None if usd_per_hour is None else (1e6 / tok_per_s) / 3600.0 * usd_per_hour
    return {"tok_per_sec": tok_per_s, "USD_per_Mtok": usd_per_mtok, "gpu": gpu.name, "batch": batch}


NEVER_BREAKS_EVEN = "self-hosting costs at least as much per token as the API, so the training cost is never recovered"


def break_even_volume(training_usd: float, self_usd_per_Mtok: float, api_usd_per_Mtok: float) -> dict[str, Any]:
    """Mtok to recover the training cost: training$ / (api − self) $/Mtok   (§24.3).

    ``error`` is set (and the volume is None) when self-hosting is not cheaper per token.
    """
    savings = api_usd_per_Mtok - self_usd_per_Mtok
    if savings <= 0:
        return {
            "savings_per_Mtok": savings,
            "Mtok_breakeven": None,
            "tokens_breakeven": None,
            "error": NEVER_BREAKS_EVEN,
        }
    mtok = training_usd / savings
    return {"savings_per_Mtok": savings, "Mtok_breakeven": mtok, "tokens_breakeven": mtok * 1e6}
