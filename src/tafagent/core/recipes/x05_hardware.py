"""X-5 Hardware Selection: the cheapest way to serve the model at the required volume (spec §3.4).

Chain: weights memory → KV per request → total → serving plan ranked by $/Mtok.

Two throughput models:

* ``calibrated`` (default): the serving planner (core/memory/planner.py): every catalog GPU × tensor-parallel
  size (≤ 8, splitting the heads) × replicas × sequences per replica, under the engine's exact memory budget
  and per-layer KV, sized at the slow end of the fitted decode range (core/memory/speed.py); YES with the
  cheapest plan that meets ``target_tokens_per_day`` with at least ``concurrent_users`` sequences in flight
  (and ``max_ms_per_token`` when given), NO with the closest plan and what would change it. Deliberate fix
  (issue 14): the earlier version ranked single GPUs at batch = concurrent_users, so 70B at 100M tokens/day
  read "45 × MI300X" and a larger concurrency flipped the verdict to NO;
* ``reference``: TAF Agent v0.5.3 exactly (weights = N·bytes, KV on every layer, tok/s = bandwidth /
  weights, VRAM ≥ total), kept so results compare one to one.

Deliberate fix (both): GPUs without a catalog price are listed (after the priced ones) but never ranked as
"cheapest" (the reference's owner card at $0.00/h won every small model, spec §9.2 item 4).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from tafagent.core.audit import ConfidenceCheck, EnglishKept, RecipeResult, Step
from tafagent.core.evidence import Evidence, EvidenceNote
from tafagent.core.laws.constants import DECODE_ROOFLINE_EVIDENCE
from tafagent.core.laws.economics import decode_tokens_per_s_ceiling, weights_bytes_uniform
from tafagent.core.manual import spec_from_reference_inputs
from tafagent.core.memory.activations import vllm_activation_peak_bytes
from tafagent.core.memory.kv import KVPlan, kv_plan
from tafagent.core.memory.planner import MAX_TP_PER_NODE, SIZING_NOTE, ServingPlanResult, plan_row, plan_serving
from tafagent.core.memory.planner_search import ServingPlan
from tafagent.core.memory.speed_fit import ENGINES, fitted
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
USERS = Param(
    "concurrent_users",
    "int",
    "sequences in flight at once (a lower bound: the plan may batch more)",
    1,
    minimum=1,
    maximum=10_000_000,
    aliases=("concurrency",),
)
MAX_MS = Param(
    "max_ms_per_token",
    "float",
    "longest decode step per generated token (optional latency bound)",
    None,
    optional=True,
    minimum=0.001,
    maximum=1e6,
    unit="ms",
)


ENGINE = Param(
    "engine",
    "str",
    "serving engine whose memory and speed rules apply",
    "vllm",
    options=("vllm", "sglang", "transformers", "llama.cpp"),
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
    """The serving planner (core/memory/planner.py) on X-5's inputs: GPU × tensor parallel × replicas ×
    sequences per replica, exact memory of the engine, speed at the slow end of the fitted range."""
    T_eval, users = ctx["T_eval"], ctx["concurrent_users"]
    spec = _spec_for_memory(ctx)
    weights = _weights(ctx, spec)
    plan = kv_plan(spec, ctx["engine"], _kv_dtype(ctx))
    kv_seq = plan.bytes_per_sequence(T_eval)
    result = plan_serving(
        spec,
        T_eval,
        concurrency=users,
        tokens_per_day=ctx["target_tokens_per_day"],
        max_ms_per_token=ctx["max_ms_per_token"],
        gpus=None,
        engine=ctx["engine"],
        kv_dtype=_kv_dtype(ctx),
        gpu_catalog=ctx.catalogs,
        weights=weights,
        launch=ctx.model is not None,  # a stand-in built from X-5's inputs has no checkpoint to launch
    )
    chosen = result.best or result.closest
    rows = [plan_row(p, ctx["target_tokens_per_day"]) for p in ([chosen] if chosen else []) + list(result.runners_up)]
    chain = [
        _weights_step(spec, weights),
        _kv_per_request_step(plan, T_eval, kv_seq),
        _total_memory_step(spec, plan, weights, kv_seq, users),
        _plan_step(result, rows),
    ]
    fit = fitted(plan.engine.name if plan.engine.name in ENGINES else "vllm", "decode")
    mape = Msg("confidence.note.no_loo") if fit.mape_loo is None else Msg("confidence.note.loo", mape=fit.mape_loo)
    checks = [
        ConfidenceCheck(
            "memory model", "ok", "", Msg("confidence.note.exact_kv", engine=engine_version_msg(plan.engine.version))
        ),
        ConfidenceCheck("throughput", "warn", "", Msg("confidence.note.slow_end", mape=mape, n=fit.n)),
    ]
    caveats = ["x5_throughput_range"]
    if ctx.model is None:
        caveats.append("x5_uniform_layers_assumed")
    verdict, reason, mitigation = _plan_verdict(ctx, result)
    return ctx.result(chain, verdict, reason, mitigation, caveats, checks)


def _plan_step(result: ServingPlanResult, rows: list[dict[str, Any]]) -> Step:
    """Step 4: the chosen plan (best, else closest) first, then the runners-up with why they lost."""
    chosen = result.best or result.closest
    if chosen is None:
        summary = Msg("step.x5.plan.none")
    else:
        state = (
            Msg("step.x5.plan.met")
            if result.met
            else Msg(
                "step.x5.plan.unmet",
                change=EnglishKept(chosen.change, _unmet_mitigation(chosen, result.target.context)),
            )
        )
        summary = Msg("step.x5.plan", plan=chosen.label(), state=state, others=len(result.runners_up))
    decode = (chosen.evidence.get("decode") if chosen else None) or {}
    return Step(
        4,
        "§20",
        "Serving plan",
        "GPU × TP (splits the heads) × replicas × sequences/replica that fit the engine's budget and meet the "
        "target at the slow end of the speed range; rank by $/h × GPUs ÷ tokens/h",
        result.target.to_dict() | {"engine": result.engine},
        rows[:6],
        "",
        "",
        EvidenceNote(
            Evidence.FITTED,
            "memory exact (engine rules); decode speed fitted, " + SIZING_NOTE,
            n=decode.get("n") if isinstance(decode.get("n"), int) else None,
            statistic=str(decode.get("statistic", "")) or None,
        ),
        breakdown={"plan": None if chosen is None else chosen.to_dict(), "met": result.met},
        interpretation_msg=summary,
    )


def _plan_verdict(ctx: RecipeContext, result: ServingPlanResult) -> tuple[str, Msg, Msg]:
    """YES with the best plan (priced or not), NO with the closest plan and what would change it."""
    users, T_eval, engine = ctx["concurrent_users"], ctx["T_eval"], result.engine
    chosen = result.best or result.closest
    if chosen is None:
        reason = Msg("x5.none_fits.reason", users=users, T_eval=T_eval, engine=engine)
        return "NO", reason, Msg("x5.none_fits.quantise")
    low, high = chosen.tok_s_range or [0.0, 0.0]
    if not result.met:
        reason = Msg(
            "x5.unmet.reason", users=users, T_eval=T_eval, target=ctx["target_tokens_per_day"], plan=chosen.label()
        )
        return "NO", reason, _unmet_mitigation(chosen, T_eval)
    if chosen.usd_per_mtok is None:
        return "YES", Msg("x5.unpriced.reason", gpu=chosen.label(), low=low, high=high), Msg("x5.unpriced.mitigation")
    reason = Msg(
        "x5.plan.reason",
        plan=chosen.label(),
        n_gpus=chosen.n_gpus,
        max_seqs=chosen.max_seqs,
        usd=chosen.usd_per_mtok,
        usd_per_hour=chosen.usd_per_hour,
        low=low,
        high=high,
        coverage=plan_row(chosen, ctx["target_tokens_per_day"])["users_supported"],
    )
    command = next((c["text"] for c in chosen.launch if "text" in c), None)
    if command is None:
        return "YES", reason, Msg("x5.plan.provision", plan=chosen.label(), engine=engine)
    return "YES", reason, Msg("x5.plan.mitigation", plan=chosen.label(), command=command)


def _unmet_mitigation(closest: ServingPlan, T_eval: int) -> Msg:
    """What would make the closest plan meet the target: a looser latency, fewer tokens, or more memory."""
    if closest.status == "too_slow":
        ms = (closest.step_ms_range or [0.0, 0.0])[1]
        return Msg("x5.unmet.latency", ms=ms, plan=closest.label())
    if closest.status == "too_many_replicas":
        return Msg("x5.unmet.replicas", replicas=closest.replicas, plan=closest.label())
    memory = closest.memory_per_gpu or {}
    short = (memory.get("kv_bytes_per_sequence", 0) - memory.get("kv_available_bytes", 0)) / GIB
    return Msg("x5.unmet.memory", gib=short, plan=closest.label(), T_eval=T_eval, max_tp=MAX_TP_PER_NODE)


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
        "",
        weights.evidence,
        interpretation_msg=Msg(
            "step.x5.weights", GB=weights.n_bytes / 1e9, GiB=weights.n_bytes / GIB, bits=weights.bits_per_weight
        ),
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
        "",
        EvidenceNote(Evidence.EXACT, "per-layer KV rules of the engine (tested against transformers' cache)"),
        breakdown={"layers": plan.breakdown(T_eval)},
        interpretation_msg=Msg("step.x5.kv", GB=kv_seq / 1e9, engine=engine_version_msg(plan.engine.version)),
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
        "",
        EvidenceNote(Evidence.EXACT, "sum"),
        interpretation_msg=Msg("step.x5.total", GB=need / 1e9, note=_activation_msg(activation_note)),
    )


def engine_version_msg(version: str) -> Msg:
    """An engine's version note ("vLLM v1 engine (kv_cache_interface.py, 2026 main)") in the reader's language:
    the engine's own words stay in English text (JSON), its description is translated."""
    match = re.fullmatch(r"(.+?) engine \((.*)\)", version)
    if match is None:
        return Msg("step.origin.other", origin=version)
    return EnglishKept(version, Msg("step.x5.engine_version", engine=match[1], source=match[2]))


def _activation_msg(note: str) -> Msg:
    """The activation-peak note of core.memory.activations, translatable (its English text kept as is)."""
    match = re.fullmatch(r"(\S+) GiB measured for (\S+) models \((.*)\)", note)
    if note == "prefill peak":
        return Msg("step.x5.prefill_peak")
    if match is None:
        return Msg("step.origin.other", origin=note)
    return EnglishKept(note, Msg("step.x5.activation", gib=float(match[1]), family=match[2], source=match[3]))


def _rank(candidates: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """(ranked, number unpriced): priced GPUs cheapest $/Mtok first, then unpriced ones fastest first.

    The first entry is always the recipe's choice (the cheapest priced GPU, else the fastest unpriced
    one), so whoever reads the "Eligible GPUs" step names the same GPU as the verdict.
    """
    priced = sorted((c for c in candidates if c["USD_per_Mtok"] is not None), key=lambda c: c["USD_per_Mtok"])
    unpriced = sorted((c for c in candidates if c["USD_per_Mtok"] is None), key=lambda c: -c["tok_per_sec"])
    return priced + unpriced, len(unpriced)


def _eligible_summary(n_fit: int, ranked: list[dict[str, Any]], n_unpriced: int) -> Msg:
    """The "Eligible GPUs" step's interpretation: how many fit and which one the recipe chose."""
    best = ranked[0] if ranked else None
    return Msg(
        "step.x5.eligible",
        n=n_fit,
        best=best["gpu"] if best else Msg("step.x5.none"),
        unpriced=Msg("step.x5.unpriced", n=n_unpriced) if n_unpriced else Msg("empty"),
    )


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
            "",
            EvidenceNote(Evidence.EXACT, "N × bytes per weight"),
            interpretation_msg=Msg("step.x5.ref.weights", GB=weights_GB),
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
            "",
            EvidenceNote(Evidence.EXACT, "sum"),
            interpretation_msg=Msg("step.x5.ref.total", GB=total_GB, users=users),
        ),
        Step(
            4,
            "§20",
            f"Eligible GPUs (≥{total_GB:.0f}GB)",
            "filter by VRAM, rank by $/Mtok at the decode ceiling",
            {"min_VRAM_GB": total_GB},
            ranked[:5],
            "",
            "",
            DECODE_ROOFLINE_EVIDENCE,
            name_msg=Msg("step.x5.eligible_name", GB=total_GB),
            interpretation_msg=_eligible_summary(len(candidates), ranked, n_unpriced),
        ),
    ]
    checks = [
        ConfidenceCheck("throughput model", "warn", "", Msg("confidence.note.ref_decode_ceiling")),
        ConfidenceCheck("KV model", "warn", "", Msg("confidence.note.uniform_kv")),
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
        MAX_MS,
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
