"""X-5 Hardware Selection: which single GPU serves the model at the required volume most cheaply?  (spec §3.4)

Chain: weights memory → KV per request → total → eligible GPUs ranked by $/Mtok.

Two throughput models:

* ``calibrated`` (default): weights by storage format, the exact per-layer KV of the chosen engine,
  the engine's memory budget (vLLM: gpu_memory_utilization, measured activation peak), and a decode
  range = ceiling (bandwidth / bytes read per step, KV of every sequence included, MoE experts touched
  by the batch) × efficiency fitted on published runs (core/memory/speed.py, data/throughput_calibration.json);
* ``reference``: TAF Agent v0.5.3 exactly (weights = N·bytes, KV on every layer, tok/s = bandwidth /
  weights, VRAM ≥ total), kept so results compare one to one.

Deliberate fix (both): GPUs without a catalog price are listed (after the priced ones, fastest first)
but never ranked as "cheapest" (the reference's owner card at $0.00/h won every small model, spec §9.2
item 4).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from tafagent.core.audit import ConfidenceCheck, RecipeResult, Step
from tafagent.core.evidence import Evidence, EvidenceNote
from tafagent.core.laws.constants import DECODE_ROOFLINE_EVIDENCE
from tafagent.core.laws.economics import decode_tokens_per_s_ceiling, weights_bytes_uniform
from tafagent.core.manual import spec_from_reference_inputs
from tafagent.core.memory.activations import vllm_activation_peak_bytes
from tafagent.core.memory.kv import KVPlan, kv_plan
from tafagent.core.memory.serving import TP_SIZES, fewest_gpus, max_batch, memory_budget
from tafagent.core.memory.speed import decode_throughput, efficiency_range
from tafagent.core.memory.weights import WeightsEstimate, weights_bytes
from tafagent.core.messages import Msg
from tafagent.core.recipes.base import Param, Recipe, RecipeContext
from tafagent.core.recipes.common import kv_step
from tafagent.core.recipes.hardware_ask import ASK
from tafagent.core.render.format import GIB
from tafagent.core.spec.model_spec import ModelSpec

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


ENGINE = Param(
    "engine", "str", "serving engine whose memory rules apply", "vllm", options=("vllm", "transformers", "llama.cpp")
)
WEIGHTS_DTYPE = Param(
    "weights_dtype",
    "str",
    "weights storage format (default: the model's own, else bytes_per_weight)",
    None,
    optional=True,
    options=(
        "stored",
        "bf16",
        "fp16",
        "fp32",
        "fp8",
        "int8",
        "nf4",
        "nf4-dq",
        "gptq",
        "awq",
        "gguf-q8_0",
        "gguf-q6_k",
        "gguf-q5_k_m",
        "gguf-q4_k_m",
        "gguf-q4_0",
        "gguf-q3_k_m",
        "gguf-q2_k",
    ),
)
KV_DTYPE = Param(
    "kv_dtype",
    "str",
    "KV cache dtype (default: the model's, else from bytes_per_weight)",
    None,
    optional=True,
    options=("auto", "bf16", "fp16", "fp32", "fp8", "int8", "q8_0", "q4_0"),
)
THROUGHPUT_MODEL = Param(
    "throughput_model",
    "str",
    "'calibrated' (exact memory, fitted efficiency range) or 'reference' (v0.5.3)",
    "calibrated",
    options=("calibrated", "reference"),
)


def compute(ctx: RecipeContext) -> RecipeResult:
    # the registry has already checked the value against the options and returns it canonical
    return compute_reference(ctx) if ctx["throughput_model"] == "reference" else compute_calibrated(ctx)


def _spec_for_memory(ctx: RecipeContext) -> ModelSpec:
    """The model's spec, or a uniform full-attention stand-in built from X-5's own inputs."""
    if ctx.model is not None:
        return ctx.model
    n_kv = max(1, ctx["n_kv_heads"])
    d_head = max(1, ctx["d_head"])
    spec = spec_from_reference_inputs(
        None, ctx["T_eval"], n_kv, n_kv, d_head, ctx["n_layers"], ctx["N_params"], model_id="<X-5 inputs>"
    )
    # Without a breakdown every parameter is treated as a quantisable linear weight (stated in the chain).
    return replace(spec, n_params_breakdown={"mlp": int(ctx["N_params"])})


def _weights(ctx: RecipeContext, spec: ModelSpec) -> WeightsEstimate:
    fmt = ctx["weights_dtype"]
    if fmt:
        return weights_bytes(spec, fmt)
    if ctx.model is not None and ctx.sources.get("bytes_per_weight") == "default":
        return weights_bytes(spec, "auto")
    b = ctx["bytes_per_weight"]
    n_bytes = math.ceil(ctx["N_params"] * b)
    return WeightsEstimate(
        f"{b:g} bytes/weight",
        n_bytes,
        8 * b,
        {"total": n_bytes},
        "N × bytes_per_weight",
        EvidenceNote(Evidence.EXACT, "N × bytes per weight (as given)"),
    )


def _kv_dtype(ctx: RecipeContext) -> str:
    if ctx["kv_dtype"]:
        return ctx["kv_dtype"]
    if ctx.model is not None and ctx.sources.get("bytes_per_weight") == "default":
        return "auto"
    b = ctx["bytes_per_weight"]
    return "fp32" if b >= 4 else "bf16" if b >= 2 else "fp8"


def compute_calibrated(ctx: RecipeContext) -> RecipeResult:
    """Exact memory of the chosen engine, decode rate = ceiling × efficiency fitted on published runs."""
    T_eval, users = ctx["T_eval"], ctx["concurrent_users"]
    spec = _spec_for_memory(ctx)
    weights = _weights(ctx, spec)
    plan = kv_plan(spec, ctx["engine"], _kv_dtype(ctx))
    if ctx.model is None and ctx["n_kv_heads"] == 0:
        plan = replace(plan, groups=())
    kv_seq = plan.bytes_per_sequence(T_eval)
    candidates = _calibrated_candidates(ctx, spec, weights, plan, kv_seq)
    ranked, n_unpriced = _rank(candidates)
    low_eff, high_eff, n_eff = efficiency_range("decode_efficiency")
    chain = [
        _weights_step(spec, weights),
        _kv_per_request_step(plan, T_eval, kv_seq),
        _total_memory_step(spec, plan, weights, kv_seq, users),
        Step(
            4,
            "§20",
            "Eligible GPUs",
            "fits the engine's KV budget; rank by $/Mtok at the calibrated decode rate = ceiling × efficiency",
            {"engine": plan.engine.name, "batch": users},
            ranked[:5],
            "",
            _eligible_summary(len(candidates), ranked, n_unpriced),
            EvidenceNote(
                Evidence.FITTED,
                "decode efficiency measured/ceiling on published runs",
                n=n_eff,
                statistic=f"{low_eff:.2f}–{high_eff:.2f}",
            ),
        ),
    ]
    checks = [
        ConfidenceCheck("memory model", "ok", f"exact per-layer KV, {plan.engine.version}"),
        ConfidenceCheck(
            "throughput", "warn", f"calibrated range ×{low_eff:.2f}–{high_eff:.2f} of the ceiling, n = {n_eff}"
        ),
    ]
    caveats = ["x5_throughput_range"]
    if ctx.model is None:
        caveats.append("x5_uniform_layers_assumed")
    verdict, reason, mitigation = _calibrated_verdict(ctx, spec, weights, plan, ranked[0] if ranked else None)
    return ctx.result(chain, verdict, reason, mitigation, caveats, checks)


def _weights_step(spec: ModelSpec, weights: WeightsEstimate) -> Step:
    """Step 1: the weights in their storage format."""
    return Step(
        1,
        "§19.X",
        "Model weights memory",
        weights.formula,
        {"N": spec.n_params, "format": weights.format},
        {
            "bytes": weights.n_bytes,
            "GB": weights.n_bytes / 1e9,
            "GiB": weights.n_bytes / GIB,
            "bits_per_weight": weights.bits_per_weight,
        },
        "bytes",
        f"{weights.n_bytes / 1e9:.2f} GB ({weights.n_bytes / GIB:.2f} GiB) at "
        f"{weights.bits_per_weight:.3g} bits per weight",
        weights.evidence,
    )


def _kv_per_request_step(plan: KVPlan, T_eval: int, kv_seq: int) -> Step:
    """Step 2: the exact KV cache of one request, layer group by layer group, under the engine's rules."""
    return Step(
        2,
        "§19.1",
        "KV cache (per request)",
        " + ".join(f"{g.n_layers} × [{g.formula}]" for g in plan.groups) or "no KV cache",
        {"T_eval": T_eval, "engine": plan.engine.name, "kv_dtype": plan.kv_dtype},
        {"bytes": kv_seq, "GB": kv_seq / 1e9, "GiB": kv_seq / GIB},
        "bytes",
        f"{kv_seq / 1e9:.3f} GB per concurrent request ({plan.engine.version})",
        EvidenceNote(Evidence.EXACT, "per-layer KV rules of the engine (tested against transformers' cache)"),
        breakdown={"layers": plan.breakdown(T_eval)},
    )


def _total_memory_step(spec: ModelSpec, plan: KVPlan, weights: WeightsEstimate, kv_seq: int, users: int) -> Step:
    """Step 3: weights + KV of every concurrent request; the engine's activation peak is named, not added."""
    activation_note = vllm_activation_peak_bytes(spec)[1] if plan.engine.name == "vllm" else "prefill peak"
    need = weights.n_bytes + kv_seq * users
    return Step(
        3,
        "§20.3",
        "Total GPU memory",
        "weights + KV · concurrent_users (+ engine activation/overhead)",
        {"weights_bytes": weights.n_bytes, "kv_bytes": kv_seq, "concurrent_users": users},
        {"bytes": need, "GB": need / 1e9},
        "bytes",
        f"{need / 1e9:.1f} GB before the engine's activation peak ({activation_note})",
        EvidenceNote(Evidence.EXACT, "sum"),
    )


def _calibrated_candidates(
    ctx: RecipeContext, spec: ModelSpec, weights: WeightsEstimate, plan: KVPlan, kv_seq: int
) -> list[dict[str, Any]]:
    """Every catalog GPU whose engine KV budget holds all concurrent requests, with its calibrated rates."""
    T_eval, target, users = ctx["T_eval"], ctx["target_tokens_per_day"], ctx["concurrent_users"]
    candidates: list[dict[str, Any]] = []
    for gpu in ctx.catalogs.gpus:
        budget = memory_budget(spec, gpu, weights, plan.engine.name, 1, None, T_eval, users)
        if budget.kv_available_bytes < kv_seq * users:
            continue
        tp = decode_throughput(spec, gpu, weights, plan, T_eval, users)
        low, high = tp["expected_tok_s_range"]
        mid = (low + high) / 2
        usd_day = None if gpu.usd_per_hour is None else gpu.usd_per_hour * 24
        candidates.append(
            {
                "gpu": gpu.name,
                "vram_GB": gpu.vram_GB,
                "bw_GB_s": gpu.hbm_GB_per_s,
                "tok_per_sec": mid,
                "tok_per_sec_range": [low, high],
                "ceiling_tok_per_sec": tp["ceiling_tok_s"],
                "tok_per_day": mid * 86400,
                "USD_per_day": usd_day,
                "USD_per_Mtok": None if usd_day is None else usd_day / (mid * 86400 / 1e6),
                "USD_per_Mtok_range": None
                if usd_day is None
                else [usd_day / (high * 86400 / 1e6), usd_day / (low * 86400 / 1e6)],
                "users_supported": mid * 86400 / target,
                "max_batch_at_T_eval": max_batch(plan, budget.kv_available_bytes, T_eval),
                "kv_available_GiB": budget.kv_available_bytes / GIB,
                "price_as_of": gpu.price_as_of,
            }
        )
    return candidates


def _calibrated_verdict(
    ctx: RecipeContext, spec: ModelSpec, weights: WeightsEstimate, plan: KVPlan, best: dict[str, Any] | None
) -> tuple[str, Msg, Msg]:
    """(verdict, reason, mitigation): no single GPU fits, the best is unpriced, or the cheapest priced one."""
    T_eval, users, engine = ctx["T_eval"], ctx["concurrent_users"], ctx["engine"]
    if best is None:
        fewest = _fewest_gpus(ctx, spec, weights, plan, T_eval, users)
        reason = Msg("x5.none_fits.reason", users=users, T_eval=T_eval, engine=engine)
        mitigation = (
            Msg("x5.none_fits.tp", n_gpus=fewest["n_gpus"], gpu=fewest["gpu"], usd_per_hour=fewest["usd_per_hour"])
            if fewest
            else Msg("x5.none_fits.quantise")
        )
        return "NO", reason, mitigation
    low, high = best["tok_per_sec_range"]
    if best["USD_per_Mtok"] is None:
        return "YES", Msg("x5.unpriced.reason", gpu=best["gpu"], low=low, high=high), Msg("x5.unpriced.mitigation")
    usd_low, usd_high = best["USD_per_Mtok_range"]
    reason = Msg(
        "x5.best.reason",
        gpu=best["gpu"],
        usd_low=usd_low,
        usd_high=usd_high,
        low=low,
        high=high,
        users=users,
        coverage=best["users_supported"],
    )
    return "YES", reason, _volume_mitigation(ctx, spec, weights, plan, best)


def _volume_mitigation(
    ctx: RecipeContext, spec: ModelSpec, weights: WeightsEstimate, plan: KVPlan, best: dict[str, Any]
) -> Msg:
    """How the chosen GPU reaches the daily target: as it is, with a larger batch, or with replicas."""
    low, high = best["tok_per_sec_range"]
    coverage = best["users_supported"]
    if coverage >= 1:
        return Msg("x5.best.mitigation", gpu=best["gpu"], engine=ctx["engine"], low=low, high=high)
    T_eval, target = ctx["T_eval"], ctx["target_tokens_per_day"]
    batch_needed = _batch_for_target(spec, ctx, weights, plan, best, T_eval, target)
    if batch_needed is not None:
        return Msg(
            "x5.batch.mitigation",
            gpu=best["gpu"],
            batch=batch_needed,
            target=target,
            max_batch=best["max_batch_at_T_eval"],
            T_eval=T_eval,
        )
    return Msg("x5.replicas.mitigation", replicas=math.ceil(1 / coverage), gpu=best["gpu"], coverage=coverage)


def _rank(candidates: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """(ranked, number unpriced): priced GPUs cheapest $/Mtok first, then unpriced ones fastest first.

    The first entry is always the recipe's choice (the cheapest priced GPU, else the fastest unpriced
    one), so whoever reads the "Eligible GPUs" step names the same GPU as the verdict.
    """
    priced = sorted((c for c in candidates if c["USD_per_Mtok"] is not None), key=lambda c: c["USD_per_Mtok"])
    unpriced = sorted((c for c in candidates if c["USD_per_Mtok"] is None), key=lambda c: -c["tok_per_sec"])
    return priced + unpriced, len(unpriced)


def _eligible_summary(n_fit: int, ranked: list[dict[str, Any]], n_unpriced: int) -> str:
    """The "Eligible GPUs" step's interpretation: how many fit and which one the recipe chose."""
    best = ranked[0] if ranked else None
    return f"{n_fit} GPUs fit; cheapest: {best['gpu'] if best else 'NONE'}" + (
        f" ({n_unpriced} without a price, not ranked)" if n_unpriced else ""
    )


def _batch_for_target(
    spec: ModelSpec,
    ctx: RecipeContext,
    weights: WeightsEstimate,
    plan: KVPlan,
    best: dict[str, Any],
    T_eval: int,
    target: float,
) -> int | None:
    """Smallest concurrency that reaches the daily target on the best GPU, within the batch that fits."""
    gpu = ctx.catalogs.gpu(best["gpu"])
    limit = best["max_batch_at_T_eval"]
    batch = max(1, ctx["concurrent_users"])
    while batch <= limit:
        tp = decode_throughput(spec, gpu, weights, plan, T_eval, batch)
        low, high = tp["expected_tok_s_range"]
        if (low + high) / 2 * 86400 >= target:
            return batch
        batch *= 2
    return None


def _fewest_gpus(
    ctx: RecipeContext, spec: ModelSpec, weights: WeightsEstimate, plan: KVPlan, T_eval: int, users: int
) -> dict[str, Any] | None:
    best: dict[str, Any] | None = None
    for gpu in ctx.catalogs.gpus:
        if gpu.usd_per_hour is None:
            continue
        fewest = fewest_gpus(spec, gpu, weights, plan.engine.name, plan.kv_dtype, T_eval, users, sizes=TP_SIZES[1:])
        if fewest is not None and (best is None or fewest["usd_per_hour"] < best["usd_per_hour"]):
            best = {"gpu": gpu.name, "n_gpus": fewest["n_gpus"], "usd_per_hour": fewest["usd_per_hour"]}
    return best


def compute_reference(ctx: RecipeContext) -> RecipeResult:
    """TAF Agent v0.5.3's X-5, unchanged apart from the unpriced-GPU fix."""
    n_params, T_eval, bytes_per = ctx["N_params"], ctx["T_eval"], ctx["bytes_per_weight"]
    users = ctx["concurrent_users"]

    weights_GB = weights_bytes_uniform(n_params, bytes_per) / 1e9
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
    kv_GB = kv.result["GB"]
    total_GB = weights_GB + kv_GB * users
    candidates = _reference_candidates(ctx, weights_GB, total_GB)
    ranked, n_unpriced = _rank(candidates)
    chain: list[Step] = [
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
        ),
        kv,
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
        ),
        Step(
            4,
            "§20",
            f"Eligible GPUs (≥{total_GB:.0f}GB)",
            "filter by VRAM, rank by $/Mtok at the decode ceiling",
            {"min_VRAM_GB": total_GB},
            ranked[:5],
            "",
            _eligible_summary(len(candidates), ranked, n_unpriced),
            DECODE_ROOFLINE_EVIDENCE,
        ),
    ]
    checks = [
        ConfidenceCheck("throughput model", "warn", "decode ceiling at batch 1; engines reach ~70-80%"),
        ConfidenceCheck("KV model", "warn", "uniform full-attention KV; see `taf memory` for exact per-layer KV"),
    ]
    caveats = ["x5_decode_ceiling", "x5_uniform_kv"]
    verdict, reason, mitigation = _reference_verdict(ranked[0] if ranked else None, total_GB)
    return ctx.result(chain, verdict, reason, mitigation, caveats, checks)


def _reference_candidates(ctx: RecipeContext, weights_GB: float, total_GB: float) -> list[dict[str, Any]]:
    """Every catalog GPU with VRAM ≥ the total, at the batch-1 decode ceiling (bandwidth / weights)."""
    target = ctx["target_tokens_per_day"]
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
    return candidates


def _reference_verdict(best: dict[str, Any] | None, total_GB: float) -> tuple[str, Msg, Msg]:
    """(verdict, reason, mitigation) of the reference path: nothing fits, the best is unpriced, or the cheapest."""
    if best is None:
        return "NO", Msg("x5.ref.none.reason", total_GB=total_GB), Msg("x5.ref.none.mitigation")
    if best["USD_per_Mtok"] is None:
        reason = Msg("x5.ref.unpriced.reason", gpu=best["gpu"], tok_s=best["tok_per_sec"])
        return "YES", reason, Msg("x5.unpriced.mitigation")
    reason = Msg(
        "x5.ref.best.reason", gpu=best["gpu"], usd=best["USD_per_Mtok"], users_supported=best["users_supported"]
    )
    return "YES", reason, Msg("x5.ref.best.mitigation", gpu=best["gpu"], tok_s=best["tok_per_sec"])


def card_params(card: Mapping[str, Any]) -> dict[str, Any]:
    """What the TAF Card passes to this recipe (its options by name)."""
    return {"T_eval": card["T_eval"], "target_tokens_per_day": card["target_tokens_per_day"]}


RECIPE = Recipe(
    id="X-5",
    name="Hardware Selection",
    description="Which GPU serves the model at the required daily volume most cheaply?",
    category="serving",
    sections=("§19", "§20"),
    params=(
        N_PARAMS,
        T_EVAL,
        N_LAYERS,
        KV_HEADS,
        D_HEAD,
        BYTES,
        TARGET,
        USERS,
        ENGINE,
        WEIGHTS_DTYPE,
        KV_DTYPE,
        THROUGHPUT_MODEL,
    ),
    compute=compute,
    order=5,
    card_rank=5,
    card_params=card_params,
    reference_result_name="Hardware selection for serving",
    examples=("Which GPU serves Llama-3-8B at 10 million tokens/day most cheaply?",),
    ask=ASK,
)
