"""The sentences of a serving plan in a language: the headline (best or closest plan, $/Mtok, evidence), the target,
why each runner-up lost, the notes and the launch commands' notes. Shared by ``taf plan`` and the browser app."""

from __future__ import annotations

from typing import Any

from tafagent.core.launch import command_note_texts
from tafagent.core.memory.planner import ServingPlanResult
from tafagent.core.messages import Msg, tr


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
