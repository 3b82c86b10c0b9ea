"""What `taf ask` needs to know about X-5 (Hardware Selection): its cues, signals, readers and answer.

Kept next to ``x05_hardware.py`` (which declares ``ask=ASK``) only because that module is near the
project's 600-line limit; it belongs to the recipe, and nothing else imports it.
"""

from __future__ import annotations

from tafagent.core.audit import RecipeResult
from tafagent.core.recipes.ask_spec import AnswerDraft, AskSpec, find_step, step_value


def _ask_answer(result: RecipeResult, draft: AnswerDraft) -> str:
    """``taf ask``'s answer variant: yes (a priced plan), yes_unpriced or no.

    The calibrated recipe's "Serving plan" step ranks its choice first; ``gpu`` is the whole plan
    (replicas × GPUs, tensor parallel), so the answer names what to provision, not one card."""
    weights, total = find_step(result, "Model weights memory"), find_step(result, "Total GPU memory")
    eligible = find_step(result, "Serving plan") or find_step(result, "Eligible GPUs")
    draft.number("weights_gb", step_value(weights, "GB"), "dec1")
    draft.number("total_gb", step_value(total, "GB"), "dec1")
    draft.number("T_eval", result.inputs.get("T_eval"), "int")
    draft.number("target", result.inputs.get("target_tokens_per_day"), "count")
    for name, step in (("weights_ref", weights), ("total_ref", total), ("gpu_ref", eligible)):
        draft.ref(name, step)
    candidates = eligible.result if eligible is not None and isinstance(eligible.result, list) else []
    if result.verdict != "YES" or not candidates:
        return "no"
    best = candidates[0]  # the recipe ranks its choice first (cheapest priced plan, else the fastest unpriced)
    priced = best.get("USD_per_Mtok") is not None
    draft.text("gpu", str(best.get("plan") or best.get("gpu", "")))
    draft.number("usd_mtok", best.get("USD_per_Mtok"), "usd2")
    draft.number("tok_s", best.get("tok_per_sec"), "int")
    draft.number("users_x", best.get("users_supported"), "dec2")
    if priced and result.inputs.get("throughput_model") == "reference":
        draft.support("X-5.ceiling.support")  # v0.5.3's rate is the single-stream bandwidth ceiling
    return "yes" if priced else "yes_unpriced"


# What `taf ask` needs: the words and quantities that point at this recipe (choosing hardware; how much memory
# a model needs is the `memory` capability's question, how many GPUs a target takes the `plan` capability's),
# how the question fills its parameters, and how the answer reads its chain (see tafagent.core.recipes.ask_spec).
ASK = AskSpec(
    cues={
        "en": (
            (r"(?:which|what|best|right|cheapest|recommended) (?:gpu|card|hardware|accelerator|instance)s?", 3.5),
            (
                r"cheapest (?:way|option|setup) to (?:serve|host|run|deploy)|lowest[- ]cost (?:gpu|hardware|serving)",
                3.0,
            ),
            (r"serv(?:e|es|ed|ing)|deploy\w*|provision\w*|inference (?:server|hardware|cost)", 1.5),
            (r"host\w*|inference|throughput|tokens? per second|tok/s|latency", 1.5),
            (r"hardware", 1.5),
            (r"concurrent|simultaneous|users", 1.0),
            (r"gpus?", 1.0),
        ),
        "es": (
            (r"(?:que|cual|que tipo de) (?:gpu|tarjeta|hardware)|gpu mas barata|tarjeta mas barata", 3.5),
            (r"servir\w*|desplegar|despliegue|poner en produccion", 1.5),
            (r"alojar|inferencia|rendimiento|latencia", 1.5),
        ),
        "fr": (
            (r"(?:quel|quelle) (?:gpu|carte|materiel)|gpu le moins cher|carte la moins chere", 3.5),
            (r"servir|deployer|deploiement|mettre en production", 1.5),
            (r"heberger|inference|debit|latence", 1.5),
        ),
        "zh": (
            (r"哪个 ?gpu|哪款 ?gpu|哪张卡|什么 ?gpu|什么显卡|哪种 ?gpu|选什么卡|哪块|用什么卡|哪款显卡|哪个显卡", 3.5),
            (r"部署|上线|推理服务|提供服务", 1.5),
            (r"推理|吞吐|延迟", 1.5),
            (r"最便宜|硬件|显卡", 1.5),
            (r"并发|用户", 1.0),
        ),
    },
    signals={
        "length": 0.5,
        "daily_volume": 2.5,
        "monthly_volume": 1.0,
        "gpu": 1.0,
        "users": 1.5,
        "weight_precision": 1.0,
        "size_without_model": 0.3,
    },
    readers=(
        "unknown_model_architecture",
        "length",
        "daily_volume",
        "users",
        "weight_bytes_first",
        "kv_shape",
        "gpu_ranked",
    ),
    answer=_ask_answer,
    size_param="N_params",
    default_size_note=True,
    announced_defaults=("N_params", "T_eval", "target_tokens_per_day"),
    fallback_rank=2,
)
