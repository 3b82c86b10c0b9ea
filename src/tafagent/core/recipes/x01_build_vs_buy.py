"""X-1 Custom Training vs API: train your own model or pay a frontier API?   (spec §3.2)

Chain: Chinchilla D → training FLOPs → training cost → self-hosted $/Mtok → API blended price →
break-even volume. Deliberate fixes: an unknown GPU or API is an error naming the parameter instead of
a KeyError or a silent $2/$8 fallback; a GPU without a price needs ``gpu_usd_per_hour``; zero monthly
volume is "never breaks even" instead of a ZeroDivisionError (spec §9.2 item 5).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from tafagent.core.audit import ConfidenceCheck, RecipeResult, Step, law_step
from tafagent.core.errors import ParameterError
from tafagent.core.evidence import Evidence, EvidenceNote
from tafagent.core.laws.constants import (
    CHINCHILLA_EVIDENCE,
    PRICE_EVIDENCE,
)
from tafagent.core.laws.economics import (
    break_even_volume,
    chinchilla_optimal_tokens,
    inference_cost_per_token,
    training_cost,
    training_flops,
    weights_bytes_uniform,
)
from tafagent.core.messages import Msg
from tafagent.core.recipes.base import Param, Recipe, RecipeContext
from tafagent.core.recipes.common import D_TOKENS

N_PARAMS = Param(
    "N_params",
    "float",
    "parameters of the model to train (e.g. 8e9)",
    8e9,
    minimum=1,
    maximum=1e15,
    aliases=("n_params",),
    from_model="n_params",
)
GPU = Param("gpu", "str", "training GPU from the catalog", "H100 SXM", choices="gpu")
N_GPUS = Param("n_gpus", "int", "GPUs used for training", 8, minimum=1, maximum=1_000_000)
MFU = Param("mfu", "float", "model FLOPs utilisation", 0.45, minimum=0.01, maximum=1)
API_MODEL = Param("api_model", "str", "API to compare against, from the catalog", "GPT-4o", choices="api")
MONTHLY = Param(
    "monthly_tokens_M", "float", "monthly token volume, in millions", 10.0, minimum=0, maximum=1e12, unit="Mtok/month"
)
BYTES_PER_WEIGHT = Param(
    "bytes_per_weight",
    "float",
    "bytes per weight when self-hosting (BF16 = 2)",
    2.0,
    minimum=0.1,
    maximum=8,
    unit="bytes",
)
GPU_PRICE = Param(
    "gpu_usd_per_hour",
    "float",
    "override the GPU price per GPU-hour",
    None,
    optional=True,
    minimum=0.001,
    maximum=1e4,
    unit="USD/h",
)
API_IN = Param(
    "api_input_usd_per_Mtok",
    "float",
    "override the API input price",
    None,
    optional=True,
    minimum=0,
    maximum=1e4,
    unit="USD/Mtok",
)
API_OUT = Param(
    "api_output_usd_per_Mtok",
    "float",
    "override the API output price",
    None,
    optional=True,
    minimum=0,
    maximum=1e4,
    unit="USD/Mtok",
)


def gpu_price(ctx: RecipeContext, gpu_name: str) -> tuple[float, str]:
    """The price per GPU-hour and where it came from; never a zero or missing price."""
    override = ctx.values.get("gpu_usd_per_hour")
    gpu = ctx.catalogs.gpu(gpu_name)
    if override is not None:
        return override, "user override"
    if gpu.usd_per_hour is None:
        raise ParameterError(
            f"GPU '{gpu.name}' has no rental price in the catalog",
            "set gpu_usd_per_hour=<USD per GPU-hour> (or pick a priced GPU)",
            field="gpu_usd_per_hour",
        )
    return gpu.usd_per_hour, f"{gpu.price_source}, as of {gpu.price_as_of}"


def compute(ctx: RecipeContext) -> RecipeResult:
    n_params, gpu_name, n_gpus, mfu = ctx["N_params"], ctx["gpu"], ctx["n_gpus"], ctx["mfu"]
    monthly, api_name = ctx["monthly_tokens_M"], ctx["api_model"]
    gpu = ctx.catalogs.gpu(gpu_name)
    price, price_origin = gpu_price(ctx, gpu_name)

    chain: list[Step] = []
    d_tokens = ctx["D_tokens"] if ctx["D_tokens"] is not None else chinchilla_optimal_tokens(n_params)
    chain.append(
        law_step(
            1,
            "chinchilla_tokens",
            {"N_params": n_params},
            d_tokens,
            f"recommended D = {d_tokens:.2e} tokens" + (" (given)" if ctx["D_tokens"] is not None else ""),
            evidence=CHINCHILLA_EVIDENCE if ctx["D_tokens"] is None else EvidenceNote(Evidence.EXACT, "given"),
        )
    )
    flops = training_flops(n_params, d_tokens)
    chain.append(
        law_step(2, "training_flops", {"N": n_params, "D": d_tokens}, flops, f"{flops:.2e} FLOPs total", unit="FLOP")
    )
    cost = training_cost(n_params, d_tokens, gpu, n_gpus, mfu, price)
    chain.append(
        Step(
            3,
            "§20.11",
            "Training cost",
            "hours = C / (peak·MFU·n_gpus) / 3600; USD = hours·$/h·n_gpus",
            {"gpu": gpu.name, "n_gpus": n_gpus, "mfu": mfu, "usd_per_gpu_hour": price},
            cost,
            "USD",
            f"${cost['USD']:,.0f} over {cost['days']:.1f} days ({price_origin})",
            EvidenceNote(Evidence.DERIVED, f"6ND at {mfu:.0%} MFU; price: {price_origin}"),
        )
    )
    model_GB = weights_bytes_uniform(n_params, ctx["bytes_per_weight"]) / 1e9
    inference = inference_cost_per_token(model_GB, gpu, price)
    chain.append(
        law_step(
            4,
            "decode_roofline",
            {"model_GB": model_GB, "gpu": gpu.name},
            inference,
            f"${inference['USD_per_Mtok']:.2f} per million tokens (single user, decode ceiling)",
        )
    )

    if ctx["api_input_usd_per_Mtok"] is not None and ctx["api_output_usd_per_Mtok"] is not None:
        api_in, api_out, api_origin = ctx["api_input_usd_per_Mtok"], ctx["api_output_usd_per_Mtok"], "user override"
    else:
        api = ctx.catalogs.api(api_name)
        api_in, api_out = api.input_usd_per_Mtok, api.output_usd_per_Mtok
        api_origin = f"{api.source}, as of {api.as_of}"
    blend = (api_in + api_out) / 2.0
    chain.append(
        Step(
            5,
            "§24.X",
            f"{api_name} blended price",
            "(input + output) / 2 USD/Mtok",
            {"api_model": api_name, "input": api_in, "output": api_out},
            blend,
            "USD/Mtok",
            f"${blend:.2f}/Mtok blended ({api_origin})",
            PRICE_EVIDENCE,
        )
    )
    be = break_even_volume(cost["USD"], inference["USD_per_Mtok"], blend)
    months = None
    if be.get("error"):
        be_interp = be["error"]
    else:
        months = be["Mtok_breakeven"] / monthly if monthly > 0 else None
        if months is not None and not math.isfinite(months):
            months = None  # a volume so small the quotient overflows is zero volume for this purpose
        when = f"{months:.1f} months" if months is not None else "never at zero volume"
        be_interp = f"break-even at {be['Mtok_breakeven']:,.0f} Mtok ({when} at {monthly:g} M/mo)"
    chain.append(
        Step(
            6,
            "§24.3",
            "Break-even tokens",
            "training$ / (api − self) = Mtok",
            {"training_cost": cost["USD"], "self_usd_per_Mtok": inference["USD_per_Mtok"], "api_usd_per_Mtok": blend},
            be,
            "Mtok",
            be_interp,
            EvidenceNote(Evidence.DERIVED, "self-hosted cost at the decode ceiling (a lower bound on real cost)"),
        )
    )

    checks = [
        ConfidenceCheck("prices", "ok", f"GPU: {price_origin}; API: {api_origin}"),
        ConfidenceCheck(
            "self-hosting cost", "warn", "decode-ceiling throughput at batch 1; real engines reach ~70-80%"
        ),
    ]
    if be.get("error"):
        verdict, reason = "NO", Msg("x1.never.reason")
        mitigation = Msg("x1.never.mitigation", api=api_name)
    elif months is None:
        verdict = "NO (API)"
        reason = Msg("x1.zero_volume.reason")
        mitigation = Msg("x1.use_api.mitigation", api=api_name)
    elif monthly >= be["Mtok_breakeven"]:
        verdict = "YES (custom)"
        reason = Msg("x1.custom.reason", monthly=monthly, months=months)
        mitigation = Msg("x1.custom.mitigation", gpu=gpu.name, n_gpus=n_gpus)
    else:
        verdict = "NO (API)"
        reason = Msg("x1.api.reason", months=months, monthly=monthly)
        mitigation = Msg("x1.api.mitigation", api=api_name)
    return ctx.result(chain, verdict, reason, mitigation, ["x1_decode_ceiling_cost"], checks)


def card_params(card: Mapping[str, Any]) -> dict[str, Any]:
    """What the TAF Card passes to this recipe (its options by name)."""
    return {"api_model": card["api_model"], "monthly_tokens_M": card["monthly_tokens_M"]}


RECIPE = Recipe(
    id="X-1",
    name="Custom Training vs API",
    description="Build or buy: train your own model for a domain workload, or pay a frontier API?",
    category="build-vs-buy",
    sections=("§17", "§19", "§20", "§24"),
    params=(N_PARAMS, D_TOKENS, GPU, N_GPUS, MFU, API_MODEL, MONTHLY, BYTES_PER_WEIGHT, GPU_PRICE, API_IN, API_OUT),
    compute=compute,
    order=1,
    card_rank=3,
    card_params=card_params,
    reference_result_name="Custom training vs API",
    examples=("Should I train a custom 7B model or pay for GPT-4o at 50M tokens a month?",),
)
