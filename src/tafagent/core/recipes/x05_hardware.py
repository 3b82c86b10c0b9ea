"""X-5 Hardware Selection: which single GPU serves the model at the required volume most cheaply?  (spec §3.4)

Chain: weights memory → KV per request → total → eligible GPUs ranked by $/Mtok at the decode ceiling.
Deliberate fix: GPUs without a catalog price are listed as eligible but never ranked as "cheapest"
(the reference's owner card at $0.00/h won every small model, spec §9.2 item 4).
"""

from __future__ import annotations

from typing import Any

from ..audit import ConfidenceCheck, RecipeResult, Step
from ..constants import DECODE_ROOFLINE_EVIDENCE
from ..economics import decode_tokens_per_s_ceiling, weights_bytes
from ..evidence import Evidence, EvidenceNote
from .base import Param, Recipe, RecipeContext
from .common import kv_step

N_PARAMS = Param(
    "N_params",
    "float",
    "parameters of the served model (e.g. 8e9)",
    8e9,
    minimum=1,
    maximum=1e15,
    aliases=("n_params",),
    from_model="n_params",
)
T_EVAL = Param(
    "T_eval", "int", "context per request", 4096, unit="tokens", minimum=1, maximum=2**34, aliases=("context", "L")
)
N_LAYERS = Param("n_layers", "int", "decoder layers", 32, minimum=1, maximum=100_000, from_model="n_layers")
KV_HEADS = Param(
    "n_kv_heads",
    "int",
    "key/value heads (0 for state-space models)",
    8,
    minimum=0,
    maximum=100_000,
    from_model="n_kv_heads",
)
D_HEAD = Param(
    "d_head", "int", "head size", 128, minimum=0, maximum=1_000_000, aliases=("head_dim",), from_model="d_head"
)
BYTES = Param(
    "bytes_per_weight",
    "float",
    "bytes per weight and KV element (BF16 = 2, INT8 = 1, INT4 = 0.5)",
    2.0,
    minimum=0.1,
    maximum=8,
    unit="bytes",
)
TARGET = Param(
    "target_tokens_per_day",
    "float",
    "tokens to serve per day",
    10_000_000.0,
    minimum=1,
    maximum=1e16,
    unit="tokens/day",
    aliases=("tokens_per_day",),
)
USERS = Param("concurrent_users", "int", "concurrent requests held in memory", 1, minimum=1, maximum=10_000_000)


def compute(ctx: RecipeContext) -> RecipeResult:
    n_params, T_eval, bytes_per = ctx["N_params"], ctx["T_eval"], ctx["bytes_per_weight"]
    target, users = ctx["target_tokens_per_day"], ctx["concurrent_users"]

    chain: list[Step] = []
    weights_GB = weights_bytes(n_params, bytes_per) / 1e9
    chain.append(
        Step(
            1,
            "§19.X",
            "Model weights memory",
            "N · bytes_per_weight",
            {"N": n_params, "bytes": bytes_per},
            {"GB": weights_GB, "bytes": round(weights_GB * 1e9)},
            "bytes",
            f"{weights_GB:.1f} GB for weights",
            EvidenceNote(Evidence.EXACT, "N × bytes per weight"),
        )
    )
    kv = kv_step(
        2,
        "KV cache (per request)",
        ctx["n_layers"],
        ctx["n_kv_heads"],
        ctx["d_head"],
        T_eval,
        bytes_per,
        "per concurrent request",
    )
    chain.append(kv)
    kv_GB = kv.result["GB"]
    total_GB = weights_GB + kv_GB * users
    chain.append(
        Step(
            3,
            "§20.3",
            "Total GPU memory",
            "weights + KV · concurrent_users",
            {"weights_GB": weights_GB, "kv_GB": kv_GB, "concurrent_users": users},
            {"GB": total_GB},
            "GB",
            f"{total_GB:.1f} GB for {users} concurrent users",
            EvidenceNote(Evidence.EXACT, "sum"),
        )
    )

    candidates: list[dict[str, Any]] = []
    for gpu in ctx.catalogs.gpus:
        if gpu.vram_GB < total_GB:
            continue
        tok_s = decode_tokens_per_s_ceiling(weights_GB, gpu.hbm_GB_per_s)
        tok_day = tok_s * 86400
        usd_day = None if gpu.usd_per_hour is None else gpu.usd_per_hour * 24
        candidates.append(
            {
                "gpu": gpu.name,
                "vram_GB": gpu.vram_GB,
                "bw_GB_s": gpu.hbm_GB_per_s,
                "tok_per_sec": tok_s,
                "tok_per_day": tok_day,
                "USD_per_day": usd_day,
                "USD_per_Mtok": None if usd_day is None else usd_day / (tok_day / 1e6),
                "users_supported": tok_day / target,
                "price_as_of": gpu.price_as_of,
            }
        )
    priced = sorted((c for c in candidates if c["USD_per_Mtok"] is not None), key=lambda c: c["USD_per_Mtok"])
    unpriced = [c for c in candidates if c["USD_per_Mtok"] is None]
    ranked = priced + unpriced
    best = priced[0] if priced else (max(unpriced, key=lambda c: c["tok_per_sec"]) if unpriced else None)
    chain.append(
        Step(
            4,
            "§20",
            f"Eligible GPUs (≥{total_GB:.0f}GB)",
            "filter by VRAM, rank by $/Mtok at the decode ceiling",
            {"min_VRAM_GB": total_GB},
            ranked[:5],
            "",
            f"{len(candidates)} GPUs fit; cheapest: {best['gpu'] if best else 'NONE'}"
            + (f" ({len(unpriced)} without a price, not ranked)" if unpriced else ""),
            DECODE_ROOFLINE_EVIDENCE,
        )
    )

    checks = [
        ConfidenceCheck("throughput model", "warn", "decode ceiling at batch 1; engines reach ~70-80%"),
        ConfidenceCheck("KV model", "warn", "uniform full-attention KV; see `taf memory` for exact per-layer KV"),
    ]
    caveats = ["x5_decode_ceiling", "x5_uniform_kv"]
    if best is None:
        verdict = "NO"
        reason = f"No single GPU in the catalog has ≥ {total_GB:.0f} GB."
        mitigation = "Use tensor parallelism (e.g. 2 × H100 = 160 GB) or INT8 weights (halves weight memory)."
    elif best["USD_per_Mtok"] is None:
        verdict = "YES"
        reason = (
            f"Only GPUs without a catalog price fit; the fastest is {best['gpu']} at {best['tok_per_sec']:.0f} tok/s."
        )
        mitigation = "Add its price with --catalog to compare costs."
    else:
        verdict = "YES"
        reason = (
            f"Best GPU: {best['gpu']} at ${best['USD_per_Mtok']:.2f}/Mtok; it supports "
            f"{best['users_supported']:.2f}× the daily target."
        )
        mitigation = f"Provision {best['gpu']}; expect up to {best['tok_per_sec']:.0f} tok/s decode (single stream)."
    return ctx.result(chain, verdict, reason, mitigation, caveats, checks)


RECIPE = Recipe(
    id="X-5",
    name="Hardware Selection",
    description="Which GPU serves the model at the required daily volume most cheaply?",
    category="serving",
    sections=("§19", "§20"),
    params=(N_PARAMS, T_EVAL, N_LAYERS, KV_HEADS, D_HEAD, BYTES, TARGET, USERS),
    compute=compute,
    reference_result_name="Hardware selection for serving",
    examples=("Which GPU serves Llama-3-8B at 10 million tokens/day most cheaply?",),
)
