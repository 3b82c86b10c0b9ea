"""The sentences of a serving plan in a language: the headline (best or closest plan, $/Mtok, evidence), the target,
why each runner-up lost, the notes and the launch commands' notes. Shared by ``taf plan`` and the browser app."""

from __future__ import annotations

from typing import Any

from tafagent.core.launch import command_note_texts
from tafagent.core.memory.planner import ServingPlanResult
from tafagent.core.memory.planner_search import ServingPlan
from tafagent.core.messages import Msg, tr
from tafagent.core.render.format import GIB, localise_number


def plan_texts(result: ServingPlanResult, lang: str) -> dict[str, Any]:
    """The plan's texts in ``lang`` (the JSON's "localized"): headline, why each runner-up lost, notes."""
    chosen = result.best or result.closest
    return {
        "headline": headline(result, lang),
        "target": result.target.describe(lang),
        "change": chosen.change_text(lang) if chosen is not None and chosen.change else "",
        "runners_up_why": [p.why_text(lang) for p in result.runners_up],
        "notes": result.note_texts(lang),
        "launch_notes": [command_note_texts(c, lang) for c in (chosen.launch if chosen else [])],
    }


def headline(result: ServingPlanResult, lang: str = "en") -> str:
    """The best (or closest) plan in one sentence: GPUs, TP, replicas, sequences, $/Mtok, evidence."""
    plan = result.best or result.closest
    if plan is None:
        return tr("serving.plan.headline.none", lang, model=result.model, engine=result.engine)
    target = result.target.describe(lang)
    lead = Msg("serving.plan.headline.best") if result.met else Msg("serving.plan.headline.closest", target=target)
    speed = plan.tok_s_range or [0.0, 0.0]
    cost = (
        Msg("serving.plan.unpriced")
        if plan.usd_per_mtok is None
        else Msg("serving.plan.cost", usd=plan.usd_per_mtok, usd_h=plan.usd_per_hour or 0)
    )
    mape = (plan.evidence.get("decode") or {}).get("statistic", "")
    sentence = tr(
        "serving.plan.headline",
        lang,
        lead=lead,
        model=result.model,
        engine=result.engine,
        label=plan.label(lang),
        n_gpus=plan.n_gpus,
        seqs=plan.max_seqs,
        low=speed[0],
        high=speed[1],
        cost=cost,
        mape=mape,
    )
    if not result.met and plan.change:
        sentence += tr("serving.plan.to_meet", lang, change=plan.change_text(lang))
    return sentence


def _number(value: float, spec: str, lang: str) -> str:
    """``value`` written with ``spec`` in ``lang``'s marks (one number format per page)."""
    return localise_number(format(value, spec), lang)


RUNNER_UP_JUSTIFY = ("left", "right", "right", "right", "right", "right", "right", "left")


def runners_up_table(plans: tuple[ServingPlan, ...], lang: str = "en") -> dict[str, Any]:
    """One row per runner-up: the plan, sequences, memory per GPU (weights + KV used), decode tok/s, ms per step,
    $/h, $/Mtok, and why it lost; ``justify`` per column for a terminal."""
    columns = [
        tr("serving.plan.col.plan", lang),
        tr("serving.plan.col.seqs", lang),
        tr("serving.plan.col.memory", lang),
        "tok/s",
        "ms/step",
        "$/h",
        "$/Mtok",
        tr("serving.plan.col.why", lang),
    ]
    rows = []
    for p in plans:
        memory = p.memory_per_gpu or {}
        used = (
            f"{_number(memory['weights_bytes_per_gpu'] / GIB, '.1f', lang)} + "
            f"{_number(memory['kv_used_bytes'] / GIB, '.1f', lang)} GiB"
            if memory and p.max_seqs
            else ""
        )
        speed = (
            f"{_number(p.tok_s_range[0], ',.0f', lang)}–{_number(p.tok_s_range[1], ',.0f', lang)}"
            if p.tok_s_range
            else ""
        )
        step = (
            f"{_number(p.step_ms_range[0], '.1f', lang)}–{_number(p.step_ms_range[1], '.1f', lang)}"
            if p.step_ms_range
            else ""
        )
        rows.append(
            [
                p.label(lang),
                str(p.max_seqs or ""),
                used,
                speed,
                step,
                "" if p.usd_per_hour is None else _number(p.usd_per_hour, ".2f", lang),
                "" if p.usd_per_mtok is None else _number(p.usd_per_mtok, ".2f", lang),
                p.why_text(lang),
            ]
        )
    return {
        "title": tr("serving.plan.runners_up", lang),
        "columns": columns,
        "justify": list(RUNNER_UP_JUSTIFY),
        "rows": rows,
    }
