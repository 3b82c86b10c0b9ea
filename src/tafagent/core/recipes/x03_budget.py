"""X-3 Budget Pre-flight: which model size can this dollar budget train?   (spec §3.3)

Chain: affordable GPU-hours → max FLOPs → Chinchilla-optimal N (= √(C/120)) → capability tier →
16N training memory; optionally, for a given model size, what training it costs.

Deliberate fixes: a GPU without a catalog price is an error naming ``gpu_usd_per_hour`` (the
reference divided by its $0.00 card, spec §9.2 item 4); memory counts the n_gpus being paid for
(ZeRO-3 shards the 16N bytes across them; with one GPU this is the reference's check); an optional
``N_params`` makes the answer model-aware, so Compare and the TAF Card differ per model (§9.2 item 3).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from tafagent.core.audit import ConfidenceCheck, RecipeResult, Step, law_step
from tafagent.core.catalogs import GPU as CatalogGPU
from tafagent.core.evidence import Evidence, EvidenceNote
from tafagent.core.laws.constants import (
    TRAINING_FLOPS_EVIDENCE,
)
from tafagent.core.laws.economics import (
    chinchilla_optimal_params,
    chinchilla_optimal_tokens,
    emergent_threshold,
    training_cost,
    training_memory_16n_bytes,
)
from tafagent.core.messages import Msg
from tafagent.core.recipes.ask_spec import AnswerDraft, AskSpec, find_step, step_value
from tafagent.core.recipes.base import Param, Recipe, RecipeContext
from tafagent.core.recipes.x01_build_vs_buy import GPU, GPU_PRICE, MFU, gpu_price, origin_msg

BUDGET = Param(
    "USD_budget",
    "float",
    "training budget in US dollars",
    5000.0,
    minimum=0.01,
    maximum=1e12,
    unit="USD",
    aliases=("budget", "usd_budget"),
)
N_GPUS = Param("n_gpus", "int", "GPUs rented in parallel", 1, minimum=1, maximum=1_000_000)
TARGET = Param(
    "N_params",
    "float",
    "optional: a model size to price (e.g. 7e9)",
    None,
    optional=True,
    minimum=1,
    maximum=1e15,
    aliases=("n_params",),
    from_model="n_params",
)


def compute(ctx: RecipeContext) -> RecipeResult:
    budget, gpu_name, mfu, n_gpus = ctx["USD_budget"], ctx["gpu"], ctx["mfu"], ctx["n_gpus"]
    gpu = ctx.catalogs.gpu(gpu_name)
    price, price_origin = gpu_price(ctx, gpu_name)

    hours = budget / (price * n_gpus)
    c_max = gpu.bf16_tflops * 1e12 * mfu * n_gpus * hours * 3600
    chain: list[Step] = [
        _hours_step(budget, gpu, n_gpus, price, price_origin, hours),
        Step(
            2,
            "§17.10",
            "Max training FLOPs",
            "peak · MFU · n_gpus · seconds",
            {"peak_TFLOPs": gpu.bf16_tflops, "MFU": mfu},
            c_max,
            "FLOP",
            "",
            TRAINING_FLOPS_EVIDENCE,
            interpretation_msg=Msg("step.x3.flops", flops=c_max),
        ),
    ]
    n_star = chinchilla_optimal_params(c_max)
    d_star = chinchilla_optimal_tokens(n_star)
    chain.append(
        law_step(
            3,
            "chinchilla_params",
            {"max_FLOPs": c_max},
            n_star,
            Msg("step.x3.n_star", N=n_star, D=d_star),
        )
    )
    tier = emergent_threshold(n_star)
    chain.append(law_step(4, "emergence", {"N": n_star}, tier, tier))
    mem_bytes = training_memory_16n_bytes(n_star)
    fits = mem_bytes / 1e9 / n_gpus <= gpu.vram_GB
    chain.append(_memory_step(n_star, mem_bytes, n_gpus, gpu, fits))
    if ctx["N_params"] is not None:
        chain.append(_target_step(ctx["N_params"], budget, gpu, n_gpus, mfu, price, c_max))

    checks = [
        ConfidenceCheck("price", "ok", price_origin, origin_msg(price_origin)),
        ConfidenceCheck("MFU assumption", "warn" if mfu > 0.5 else "ok", "", Msg("confidence.note.mfu", mfu=mfu)),
    ]
    if n_star < 1e8:
        verdict, reason, mitigation = "TINY-MODEL", Msg("x3.tiny.reason", n_star=n_star), Msg("x3.tiny.mitigation")
    elif not fits:
        needed = math.ceil(mem_bytes / 1e9 / gpu.vram_GB)
        verdict = "MEMORY-LIMITED"
        reason = Msg(
            "x3.memory.reason", n_star=n_star, mem_GB=mem_bytes / 1e9, n_gpus=n_gpus, gpu=gpu.name, vram_GB=gpu.vram_GB
        )
        mitigation = Msg("x3.memory.mitigation", needed=needed, gpu=gpu.name)
    else:
        verdict = "GO"
        reason = Msg(
            "x3.go.reason",
            budget=budget,
            n_star=n_star,
            d_star=d_star,
            days=hours / 24,
            tier=tier.split("—")[0].strip(),
        )
        mitigation = Msg("x3.go.mitigation")
    return ctx.result(chain, verdict, reason, mitigation, [], checks)


def _hours_step(budget: float, gpu: CatalogGPU, n_gpus: int, price: float, price_origin: str, hours: float) -> Step:
    """Step 1: the GPU-hours the budget rents, USD / ($/h · n_gpus)."""
    return Step(
        1,
        "§20.11",
        "Affordable GPU-hours",
        "USD / ($/h · n_gpus)",
        {"USD": budget, "gpu": gpu.name, "n_gpus": n_gpus, "usd_per_gpu_hour": price},
        hours,
        "hours",
        "",
        EvidenceNote(Evidence.EXACT, f"price: {price_origin}"),
        interpretation_msg=Msg(
            "step.x3.hours", hours=hours, n_gpus=n_gpus, gpu=gpu.name, days=hours / 24, origin=origin_msg(price_origin)
        ),
    )


def _memory_step(n_star: float, mem_bytes: float, n_gpus: int, gpu: CatalogGPU, fits: bool) -> Step:
    """Step 5: 16N bytes of training state (ZeRO-3 shards them over the n_gpus paid for)."""
    per_gpu_GB = mem_bytes / 1e9 / n_gpus
    shard = Msg("empty") if n_gpus == 1 else Msg("step.x3.memory.shard", GB=per_gpu_GB, n_gpus=n_gpus)
    return law_step(
        5,
        "training_memory_16n",
        {"N": n_star},
        {"bytes": int(mem_bytes), "GB": mem_bytes / 1e9},
        Msg(f"step.x3.memory.{'fits' if fits else 'exceeds'}", GB=mem_bytes / 1e9, shard=shard, vram=gpu.vram_GB),
    )


def _target_step(
    target: float, budget: float, gpu: CatalogGPU, n_gpus: int, mfu: float, price: float, c_max: float
) -> Step:
    """Step 6 (only with N_params): what training the given model Chinchilla-optimally costs."""
    target_tokens = chinchilla_optimal_tokens(target)
    target_usd = training_cost(target, target_tokens, gpu, n_gpus, mfu, price)["USD"]
    tokens_affordable = c_max / (6.0 * target)
    return Step(
        6,
        "§20.11",
        "This model, Chinchilla-optimal",
        "6·N·(20N) / (peak·MFU) → USD; C_max/(6N) tokens",
        {"N_params": target},
        {"USD": target_usd, "tokens_affordable": tokens_affordable, "budget_fraction": target_usd / budget},
        "USD",
        "",
        TRAINING_FLOPS_EVIDENCE,
        interpretation_msg=Msg(
            "step.x3.target",
            N=target,
            D=target_tokens,
            usd=target_usd,
            fraction=target_usd / budget,
            tokens=tokens_affordable,
            chinchilla=tokens_affordable / target_tokens,
        ),
    )


def card_params(card: Mapping[str, Any]) -> dict[str, Any]:
    """What the TAF Card passes to this recipe (its options by name)."""
    return {"USD_budget": card["USD_budget"]}


def _ask_answer(result: RecipeResult, draft: AnswerDraft) -> str:
    """``taf ask``'s answer variant: go, memory (the optimum does not fit) or tiny."""
    hours, n_star = find_step(result, "Affordable GPU-hours"), result.step_of_law("chinchilla_params")
    memory, target = result.step_of_law("training_memory_16n"), find_step(result, "This model, Chinchilla-optimal")
    draft.number("budget", result.inputs.get("USD_budget"), "usd")
    draft.number("hours", step_value(hours), "int")
    draft.number("N", step_value(n_star), "count")
    draft.number("mem_gb", step_value(memory, "GB"), "dec1")
    draft.text("gpu", str(result.inputs.get("gpu", "")))
    for name, step in (("hours_ref", hours), ("N_ref", n_star), ("mem_ref", memory), ("target_ref", target)):
        draft.ref(name, step)
    if target is not None:
        draft.number("target_N", result.inputs.get("N_params"), "count")
        draft.number("target_usd", step_value(target, "USD"), "usd")
        draft.support("X-3.target.support")
    variant = {"GO": "go", "MEMORY-LIMITED": "memory", "TINY-MODEL": "tiny"}.get(result.verdict, "go")
    if variant == "memory" and target is None:
        draft.support(None)
    return variant


# What `taf ask` needs: the words and quantities that point at this recipe, how the question fills
# its parameters, and how the answer reads its chain (see tafagent.core.recipes.ask_spec).
ASK = AskSpec(
    cues={
        "en": (
            (r"budget\w*", 2.5),
            (
                r"what (?:model |size |kind of model |sort of model )?"
                r"(?:can|could) (?:i|we) (?:afford|train|buy|build)",
                3.0,
            ),
            (r"how (?:big|large|many param\w*)(?: a| of a)?(?: model)? (?:can|could) (?:i|we) (?:train|afford)", 3.5),
            (
                r"afford\w*|buys?\b|pre-?flight|largest model|biggest model|compute[- ]optimal|chinchilla[- ]optimal",
                2.0,
            ),
            (r"spend\w*|to spend|gpu[- ]hours|training run", 1.0),
            (r"train\w*", 0.7),
        ),
        "es": (
            (r"presupuesto", 2.5),
            (r"que (?:modelo |tamano )?(?:puedo|podemos|podria) (?:entrenar|permitirme|costear)", 3.0),
            (r"permitir\w*|costear|modelo mas grande", 2.0),
            (r"gastar|invertir", 1.0),
            (r"entrenar|entrenamiento", 0.7),
        ),
        "fr": (
            (
                r"quel (?:modele|taille) (?:puis-je|pouvons-nous|peut-on) (?:entrainer|me permettre|m'offrir)|"
                r"que puis-je entrainer",
                3.0,
            ),
            (r"me permettre|m'offrir|nous permettre|plus grand modele", 2.0),
            (r"depenser|investir", 1.0),
            (r"entrainer|entrainement", 0.7),
        ),
        "zh": (
            (r"预算", 2.5),
            (r"能训练|可以训练|训练多大|能训多大|训得起|负担得起|能练", 3.0),
            (r"花费|花", 0.7),
            (r"训练", 0.7),
        ),
    },
    signals={"money": 3.0, "gpu_price": 0.5, "gpu": 0.75, "size_without_model": 0.3, "mfu_or_gpu_count": 0.5},
    readers=("gpu", "budget"),
    answer=_ask_answer,
    size_param="N_params",
    announced_defaults=("USD_budget", "gpu"),
)


RECIPE = Recipe(
    id="X-3",
    name="Budget Pre-flight",
    description="Which model size can a dollar budget train compute-optimally?",
    category="training-budget",
    sections=("§17", "§20"),
    params=(BUDGET, GPU, MFU, N_GPUS, GPU_PRICE, TARGET),
    compute=compute,
    order=3,
    card_rank=4,
    card_params=card_params,
    reference_result_name="Budget pre-flight",
    examples=("What can $5,000 train?",),
    ask=ASK,
)
