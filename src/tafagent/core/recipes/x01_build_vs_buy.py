"""X-1 Custom Training vs API: train your own model or pay a frontier API?   (spec §3.2)

Chain: training tokens → training FLOPs → training cost → self-hosted $/Mtok → API blended price →
break-even volume → payback time against ``payback_months``.

What is priced is a parameter (``training``): ``pretrain`` (from scratch, Chinchilla D = 20·N unless D is
given; the reference's only mode), ``full_finetune`` (6·N·D over the fine-tuning data) or ``lora``
(4·N·D); the answer names the mode it priced. Deliberate differences from v0.5.3: the custom model wins
when it pays back within ``payback_months`` (default 12), not only when one month's volume already covers
the training cost; an unknown GPU or API is an error naming the parameter instead of a KeyError or a
silent $2/$8 fallback; a GPU without a price needs ``gpu_usd_per_hour``; zero monthly volume is "never
breaks even" instead of a ZeroDivisionError (spec §9.2 item 5).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from tafagent.core.audit import ConfidenceCheck, RecipeResult, Step, law_step
from tafagent.core.catalogs import GPU as CatalogGPU
from tafagent.core.errors import ParameterError
from tafagent.core.evidence import Evidence, EvidenceNote
from tafagent.core.laws.constants import (
    CHINCHILLA_EVIDENCE,
    FINETUNE_DEFAULT_TOKENS,
    LORA_FLOPS_PER_PARAM_TOKEN,
    PAYBACK_MONTHS_DEFAULT,
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
from tafagent.core.recipes.ask_spec import AnswerDraft, AskSpec, find_step, step_value
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
TRAINING = Param(
    "training",
    "str",
    "what to price: pretrain (from scratch), full_finetune or lora (over D_tokens of fine-tuning data)",
    "pretrain",
    options=("pretrain", "full_finetune", "lora"),
    aliases=("training_mode", "mode"),
)
PAYBACK = Param(
    "payback_months",
    "float",
    "longest payback period you accept for the training cost",
    PAYBACK_MONTHS_DEFAULT,
    minimum=0,
    maximum=1200,
    exclusive_minimum=True,
    unit="months",
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

    mode = ctx["training"]
    d_tokens, tokens_step = _training_tokens(mode, n_params, ctx["D_tokens"])
    chain: list[Step] = [tokens_step]
    flops_per_param_token = LORA_FLOPS_PER_PARAM_TOKEN if mode == "lora" else 6.0
    flops = training_flops(n_params, d_tokens, flops_per_param_token)
    chain.append(
        law_step(
            2,
            "training_flops_lora" if mode == "lora" else "training_flops",
            {"N": n_params, "D": d_tokens, "mode": mode},
            flops,
            Msg("step.x1.flops", flops=flops, mode=Msg(f"x1.mode.{mode}")),
            unit="FLOP",
        )
    )
    cost = training_cost(n_params, d_tokens, gpu, n_gpus, mfu, price, flops_per_param_token)
    chain.append(_training_cost_step(cost, gpu, n_gpus, mfu, price, price_origin))
    model_GB = weights_bytes_uniform(n_params, ctx["bytes_per_weight"]) / 1e9
    inference = inference_cost_per_token(model_GB, gpu, price)
    chain.append(
        law_step(
            4,
            "decode_roofline",
            {"model_GB": model_GB, "gpu": gpu.name},
            inference,
            Msg("step.x1.self_inference", usd=inference["USD_per_Mtok"]),
        )
    )
    api_in, api_out, api_origin = _api_prices(ctx)
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
            "",
            PRICE_EVIDENCE,
            name_msg=Msg("step.x1.blended_name", api=api_name),
            interpretation_msg=Msg("step.x1.blended", usd=blend, origin=origin_msg(api_origin)),
        )
    )
    be = break_even_volume(cost["USD"], inference["USD_per_Mtok"], blend)
    months = _months_to_break_even(be, monthly)
    chain.append(_break_even_step(cost, inference, blend, be, months, monthly))
    chain.append(_payback_step(months, ctx["payback_months"]))

    checks = [
        ConfidenceCheck(
            "prices",
            "ok",
            f"GPU: {price_origin}; API: {api_origin}",
            Msg("confidence.note.prices", gpu=origin_msg(price_origin), api=origin_msg(api_origin)),
        ),
        ConfidenceCheck("self-hosting cost", "warn", "", Msg("confidence.note.decode_ceiling")),
    ]
    verdict, reason, mitigation = _verdict(ctx, gpu, be, months)
    return ctx.result(chain, verdict, reason, mitigation, ["x1_decode_ceiling_cost"], checks)


def origin_msg(origin: str) -> Msg:
    """Where a price came from, translatable: a user override, or a catalog source "as of" a date (the
    source's name stays as the catalog spells it)."""
    if origin == "user override":
        return Msg("step.origin.user")
    source, sep, date = origin.rpartition(", as of ")
    return Msg("step.origin.as_of", source=source, date=date) if sep else Msg("step.origin.other", origin=origin)


def _training_tokens(mode: str, n_params: float, given: float | None) -> tuple[float, Step]:
    """Step 1: the tokens trained on — given D; else Chinchilla's D ≈ 20·N to pretrain, or an assumed 10⁸ to
    fine-tune (fine-tuning data is a dataset size, not a scaling law)."""
    if given is not None:
        note, evidence = "given", EvidenceNote(Evidence.EXACT, "given")
    elif mode == "pretrain":
        given, note, evidence = chinchilla_optimal_tokens(n_params), "chinchilla", CHINCHILLA_EVIDENCE
    else:
        given, note = FINETUNE_DEFAULT_TOKENS, "assumed"
        evidence = EvidenceNote(Evidence.EXPLORATORY, "an assumed dataset size (public SFT mixtures are ~10⁷–10⁹)")
    if mode == "pretrain" and note != "given":
        step = law_step(1, "chinchilla_tokens", {"N_params": n_params}, given, Msg("step.x1.recommended_D", D=given))
        return given, step
    step = Step(
        1,
        "§17.30",
        "Training tokens",
        "D (tokens trained on)",
        {"N_params": n_params, "mode": mode},
        given,
        "tokens",
        "",
        evidence,
        interpretation_msg=Msg("step.x1.tokens", D=given, mode=Msg(f"x1.mode.{mode}"), note=Msg(f"step.x1.D.{note}")),
    )
    return given, step


def _payback_step(months: float | None, payback_months: float) -> Step:
    """Step 7: does the training cost pay back within the accepted horizon?"""
    pays_back = months is not None and months <= payback_months
    when = Msg("step.x1.never") if months is None else Msg("step.x1.months", months=months)
    return Step(
        7,
        "§24.3",
        "Payback",
        "months = break-even Mtok / monthly Mtok ≤ payback_months",
        {"months": months, "payback_months": payback_months},
        {"months": months, "pays_back": pays_back},
        "months",
        "",
        EvidenceNote(Evidence.DERIVED, "a decision rule; the horizon is a parameter (default 12 months)"),
        interpretation_msg=Msg("step.x1.payback", when=when, payback=payback_months),
    )


def _training_cost_step(
    cost: dict[str, Any], gpu: CatalogGPU, n_gpus: int, mfu: float, price: float, price_origin: str
) -> Step:
    """Step 3: GPU-hours and dollars of the training run (6ND FLOPs at the given MFU)."""
    return Step(
        3,
        "§20.11",
        "Training cost",
        "hours = C / (peak·MFU·n_gpus) / 3600; USD = hours·$/h·n_gpus",
        {"gpu": gpu.name, "n_gpus": n_gpus, "mfu": mfu, "usd_per_gpu_hour": price},
        cost,
        "USD",
        "",
        EvidenceNote(Evidence.DERIVED, f"6ND at {mfu:.0%} MFU; price: {price_origin}"),
        interpretation_msg=Msg("step.x1.cost", usd=cost["USD"], days=cost["days"], origin=origin_msg(price_origin)),
    )


def _api_prices(ctx: RecipeContext) -> tuple[float, float, str]:
    """(input, output USD/Mtok, where they came from): both user overrides, else the catalog's entry."""
    if ctx["api_input_usd_per_Mtok"] is not None and ctx["api_output_usd_per_Mtok"] is not None:
        return ctx["api_input_usd_per_Mtok"], ctx["api_output_usd_per_Mtok"], "user override"
    api = ctx.catalogs.api(ctx["api_model"])
    return api.input_usd_per_Mtok, api.output_usd_per_Mtok, f"{api.source}, as of {api.as_of}"


def _months_to_break_even(be: dict[str, Any], monthly: float) -> float | None:
    """Months until the break-even volume is reached; None when it never is (error, or zero volume)."""
    if be.get("error"):
        return None
    months = be["Mtok_breakeven"] / monthly if monthly > 0 else None
    if months is not None and not math.isfinite(months):
        return None  # a volume so small the quotient overflows is zero volume for this purpose
    return months


def _break_even_step(
    cost: dict[str, Any],
    inference: dict[str, Any],
    blend: float,
    be: dict[str, Any],
    months: float | None,
    monthly: float,
) -> Step:
    """Step 6: the volume at which training pays for itself against the API."""
    if be.get("error"):
        be_interp = Msg("step.x1.never_recovered")
    else:
        when = Msg("step.x1.months", months=months) if months is not None else Msg("step.x1.never_zero")
        be_interp = Msg("step.x1.break_even", mtok=be["Mtok_breakeven"], when=when, monthly=monthly)
    return Step(
        6,
        "§24.3",
        "Break-even tokens",
        "training$ / (api − self) = Mtok",
        {"training_cost": cost["USD"], "self_usd_per_Mtok": inference["USD_per_Mtok"], "api_usd_per_Mtok": blend},
        be,
        "Mtok",
        "",
        EvidenceNote(Evidence.DERIVED, "self-hosted cost at the decode ceiling (a lower bound on real cost)"),
        interpretation_msg=be_interp,
    )


def _verdict(ctx: RecipeContext, gpu: CatalogGPU, be: dict[str, Any], months: float | None) -> tuple[str, Msg, Msg]:
    """(verdict, reason, mitigation): never cheaper, no volume, custom pays back, or stay on the API."""
    api_name, monthly, payback = ctx["api_model"], ctx["monthly_tokens_M"], ctx["payback_months"]
    mode = Msg(f"x1.mode.{ctx['training']}")
    if be.get("error"):
        return "NO", Msg("x1.never.reason", mode=mode), Msg("x1.never.mitigation", api=api_name)
    if months is None:
        return "NO (API)", Msg("x1.zero_volume.reason", mode=mode), Msg("x1.use_api.mitigation", api=api_name)
    if months <= payback:
        reason = Msg("x1.custom.reason", monthly=monthly, months=months, payback=payback, mode=mode)
        return "YES (custom)", reason, Msg("x1.custom.mitigation", gpu=gpu.name, n_gpus=ctx["n_gpus"])
    reason = Msg("x1.api.reason", months=months, monthly=monthly, payback=payback, mode=mode)
    return "NO (API)", reason, Msg("x1.api.mitigation", api=api_name)


def card_params(card: Mapping[str, Any]) -> dict[str, Any]:
    """What the TAF Card passes to this recipe (its options by name)."""
    return {"api_model": card["api_model"], "monthly_tokens_M": card["monthly_tokens_M"]}


def _ask_answer(result: RecipeResult, draft: AnswerDraft) -> str:
    """``taf ask``'s answer variant: yes (train your own), api, api_zero (no volume given) or never."""
    cost, inference = find_step(result, "Training cost"), result.step_of_law("decode_roofline")
    api_step = find_step(result, f"{result.inputs.get('api_model')} blended price")
    breakeven = find_step(result, "Break-even tokens")
    draft.number("N", result.inputs.get("N_params"), "count")
    draft.number("train_usd", step_value(cost, "USD"), "usd")
    draft.number("self_mtok", step_value(inference, "USD_per_Mtok"), "usd2")
    draft.number("api_mtok", step_value(api_step), "usd2")
    draft.number("breakeven", step_value(breakeven, "Mtok_breakeven"), "int")
    draft.number("monthly", result.inputs.get("monthly_tokens_M"), "num")
    payback = find_step(result, "Payback")
    draft.number("months", step_value(payback, "months"), "num")
    draft.number("payback", result.inputs.get("payback_months"), "num")
    draft.text("mode", Msg(f"x1.mode.{result.inputs.get('training', 'pretrain')}").text(draft.lang))
    for name, step in (("train_ref", cost), ("self_ref", inference), ("api_ref", api_step), ("be_ref", breakeven)):
        draft.ref(name, step)
    draft.text("api", str(result.inputs.get("api_model", "")))
    draft.text("gpu", str(result.inputs.get("gpu", "")))
    if result.verdict == "YES (custom)":
        return "yes"
    if result.verdict == "NO (API)":
        return "api_zero" if not result.inputs.get("monthly_tokens_M") else "api"
    return "never"


# What `taf ask` needs: the words and quantities that point at this recipe, how the question fills
# its parameters, and how the answer reads its chain (see tafagent.core.recipes.ask_spec).
ASK = AskSpec(
    cues={
        "en": (
            (r"build (?:or|vs\.?|versus) buy|make (?:or|vs\.?) buy", 4.0),
            (
                r"(?:train|build|fine[- ]?tune) (?:my|our|your) own|(?:my|our) own (?:model|llm)|own model|in-house|"
                r"homegrown",
                2.5,
            ),
            (r"custom (?:model|llm|training|trained)|bespoke model|domain model|private model", 2.5),
            (r"break[- ]?even|pay (?:itself )?back|payback|recoup|amortiz\w*|roi\b|return on investment", 3.0),
            (r"api|apis", 1.5),
            (r"self[- ]?host\w*|host (?:it )?(?:ourselves|myself)|run (?:it )?ourselves", 1.5),
            (r"cheaper|less expensive|more economical|cost[- ]effective|worth (?:it|training)|save money", 1.5),
            (r"subscription|pay(?:ing)? (?:for|per)|per[- ]token (?:pricing|price|cost)", 1.0),
            (r"train\w*", 0.5),
        ),
        "es": (
            (r"construir o comprar|entrenar (?:mi|nuestro|un) (?:propio )?modelo|modelo propio|propio modelo", 2.5),
            (r"personalizad\w*|a medida", 2.0),
            (r"punto de equilibrio|amortiz\w*|recuperar la inversion|rentab\w*", 3.0),
            (r"mas barato|mas economico|sale mas a cuenta|compensa", 1.5),
            (r"entrenar", 0.5),
        ),
        "fr": (
            (r"entrainer (?:mon|notre|un) (?:propre )?modele|propre modele|modele maison|modele sur mesure", 2.5),
            (r"personnalise\w*|sur mesure", 2.0),
            (r"seuil de rentabilite|point mort|rentab\w*|amorti\w*", 3.0),
            (r"moins cher|plus economique|vaut(?:-il)? (?:mieux|le coup)", 1.5),
            (r"entrainer", 0.5),
        ),
        "zh": (
            (r"自己训练|自训练|自研|自建|私有化|定制模型|专属模型", 2.5),
            (r"盈亏平衡|回本|收回成本|投资回报", 3.0),
            (r"还是(?:用|调用|直接用|买)|调用api|用api", 2.0),
            (r"更便宜|更划算|划算|省钱|成本更低", 1.5),
            (r"训练", 0.5),
        ),
    },
    signals={
        "money": 0.5,
        "gpu_price": 0.5,
        "daily_volume": 0.5,
        "monthly_volume": 2.0,
        "api": 3.0,
        "gpu": 0.25,
        "size_without_model": 0.3,
        "training_tokens": 0.5,
        "mfu_or_gpu_count": 0.5,
    },
    readers=("gpu", "api", "monthly_volume", "training_tokens", "training_mode", "weight_bytes", "money_not_input"),
    answer=_ask_answer,
    size_param="N_params",
    default_size_note=True,
    announced_defaults=("N_params", "api_model", "monthly_tokens_M", "gpu", "n_gpus"),
    fallback_rank=3,
)


RECIPE = Recipe(
    id="X-1",
    name="Custom Training vs API",
    description="Build or buy: train your own model for a domain workload, or pay a frontier API?",
    category="build-vs-buy",
    sections=("§17", "§19", "§20", "§24"),
    params=(
        N_PARAMS,
        D_TOKENS,
        TRAINING,
        GPU,
        N_GPUS,
        MFU,
        API_MODEL,
        MONTHLY,
        PAYBACK,
        BYTES_PER_WEIGHT,
        GPU_PRICE,
        API_IN,
        API_OUT,
    ),
    compute=compute,
    order=1,
    card_rank=3,
    card_params=card_params,
    reference_result_name="Custom training vs API",
    examples=("Should I train a custom 7B model or pay for GPT-4o at 50M tokens a month?",),
    ask=ASK,
)
