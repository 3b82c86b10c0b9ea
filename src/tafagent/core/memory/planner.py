"""The serving planner: the cheapest GPU type × tensor-parallel size × replicas × sequences per replica that
holds the model and meets a target (sequences in flight, tokens per day, milliseconds per token).

Each (GPU, TP) candidate is sized by ``planner_search.evaluate`` (memory as ``taf memory``, speed as
``memory.speed`` at the slow end of its range). Plans that meet the target are ranked by $/Mtok at the served
load: (GPU $/h from the catalog × GPUs) ÷ tokens per hour, the tokens being the target's volume when one is
set (then the ranking is the cheapest $/h that meets it) and otherwise what the required concurrency
generates. Unpriced GPUs come after the priced ones, fastest first. When no candidate meets the target the
result is ``met=False`` with the closest plan and what would change it.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from tafagent.core.catalogs import GPU, Catalogs, default_catalogs
from tafagent.core.errors import ConfigError, UsageError
from tafagent.core.launch import LaunchRequest, launch_commands
from tafagent.core.launch.request import note as launch_note
from tafagent.core.memory.parallel import valid_tp_sizes
from tafagent.core.memory.planner_search import (
    MAX_SEQS_PER_REPLICA,
    SECONDS_PER_DAY,
    PlanTarget,
    SearchInputs,
    ServingPlan,
    evaluate,
)
from tafagent.core.memory.report import position_limit
from tafagent.core.memory.runtimes import runtime_profile
from tafagent.core.memory.weights import WeightsEstimate, engine_weights_format, weights_bytes
from tafagent.core.messages import Msg
from tafagent.core.spec.model_spec import ModelSpec

# Tensor-parallel sizes tried: powers of two within one 8-GPU node (NVLink domain), plus every other size ≤ 8
# that splits the heads. A power of two that does not split them is reported (tp_invalid), not silently dropped.
MAX_TP_PER_NODE = 8
_POWER_OF_TWO_TP = (1, 2, 4, 8)
# Order of the reasons a candidate lost, for the runners-up (after the plans that met the target).
_STATUS_ORDER = ("ok", "too_slow", "too_many_replicas", "does_not_fit", "untimed", "tp_invalid")
SIZING_NOTE = (
    "sized at the slow end of the speed range (decode tokens/s low, step time high); prefill time is not "
    "subtracted from the decode throughput; every sequence is counted at the full context"
)


@dataclass(frozen=True)
class ServingPlanResult:
    """The planner's answer: ``best`` (None when nothing fits at all), ``runners_up`` (each with ``why``),
    ``met`` (``best`` meets the target), ``closest`` (when not met: the nearest plan and its ``change``)."""

    model: str
    engine: str
    target: PlanTarget
    best: ServingPlan | None
    runners_up: tuple[ServingPlan, ...]
    met: bool
    closest: ServingPlan | None
    notes: tuple[str, ...] = ()
    note_msgs: tuple[Msg, ...] = field(default=(), compare=False)  # ``notes`` as messages, for other languages

    def note_texts(self, lang: str = "en") -> list[str]:
        """The notes in ``lang``."""
        return [m.text(lang) for m in self.note_msgs] if self.note_msgs else list(self.notes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "engine": self.engine,
            "target": self.target.to_dict(),
            "met": self.met,
            "best": None if self.best is None else self.best.to_dict(),
            "closest": None if self.closest is None else self.closest.to_dict(),
            "runners_up": [p.to_dict() for p in self.runners_up],
            "notes": list(self.notes),
        }


def plan_serving(
    spec: ModelSpec,
    context: int,
    *,
    concurrency: int | None = None,
    tokens_per_day: float | None = None,
    max_ms_per_token: float | None = None,
    gpus: Sequence[str] | None = None,
    engine: str = "vllm",
    weights_dtype: str | None = None,
    kv_dtype: str = "auto",
    gpu_catalog: Catalogs | None = None,
    weights: WeightsEstimate | None = None,
    max_seqs_per_replica: int = MAX_SEQS_PER_REPLICA,
    launch: bool = True,
) -> ServingPlanResult:
    """Search GPU × TP (≤ 8, splitting the heads) × replicas × sequences per replica; see the module docstring.

    ``weights`` overrides ``weights_dtype`` (a caller with its own estimate, e.g. X-5 from N × bytes);
    ``launch=False`` leaves the launch command out (a stand-in model has no checkpoint to launch)."""
    target = _target(context, concurrency, tokens_per_day, max_ms_per_token)
    engine_name = runtime_profile(engine).name  # ConfigError with did-you-mean for an unknown engine
    catalogs = gpu_catalog or default_catalogs()
    chosen = resolve_gpus(catalogs, gpus)
    estimate = weights or weights_bytes(spec, engine_weights_format(spec, engine_name, weights_dtype or "auto"))
    inputs = SearchInputs(spec, estimate, engine_name, kv_dtype or "auto", target, max_seqs_per_replica)
    candidates = [evaluate(inputs, gpu, tp) for gpu in chosen for tp in tried_tp_sizes(spec)]
    ranked = rank(candidates)
    met = bool(ranked) and ranked[0].meets
    best = ranked[0] if met else None
    closest = None if met else closest_plan(candidates, target)
    chosen_plan = best or closest
    if chosen_plan is not None and launch:
        chosen_plan = with_launch(chosen_plan, spec, inputs, weights_dtype)
        best, closest = (chosen_plan, None) if met else (None, chosen_plan)
    shown = best or closest  # listed once, as the answer, not again among the runners-up
    key = None if shown is None else (shown.gpu, shown.tp)
    losers = tuple(_why_lost(p, best) for p in ranked if (p.gpu, p.tp) != key)
    note_msgs = (Msg("serving.plan.note.sizing"), *_context_notes(spec, context))
    notes = tuple(m.text() for m in note_msgs)
    return ServingPlanResult(spec.model_id, engine_name, target, best, losers, met, closest, notes, note_msgs)


def _context_notes(spec: ModelSpec, context: int) -> tuple[Msg, ...]:
    """A warning when ``context`` is past the model's position limit (as `taf memory` warns)."""
    limit = position_limit(spec)
    if limit.tokens is None or context <= limit.tokens:
        return ()
    return (
        Msg(
            "serving.plan.note.past_limit",
            context=context,
            model=spec.model_id,
            limit=limit.tokens,
            source=limit.source,
        ),
    )


def _target(
    context: int, concurrency: int | None, tokens_per_day: float | None, max_ms_per_token: float | None
) -> PlanTarget:
    """The checked target: a whole context ≥ 1, concurrency ≥ 1, tokens/day > 0, ms/token > 0."""
    if isinstance(context, bool) or not isinstance(context, int) or context < 1:
        raise UsageError(f"context must be a whole number of tokens ≥ 1, got {context!r}", "pass --context 4096")
    if concurrency is not None and (
        isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1
    ):
        raise UsageError(f"concurrency must be a whole number ≥ 1, got {concurrency!r}", "pass --concurrency 32")
    for name, value in (("tokens_per_day", tokens_per_day), ("max_ms_per_token", max_ms_per_token)):
        if value is not None and not (isinstance(value, (int, float)) and value > 0 and value < float("inf")):
            raise UsageError(f"{name} must be a positive number, got {value!r}", f"pass a positive {name}")
    return PlanTarget(
        context,
        concurrency or 1,
        None if tokens_per_day is None else float(tokens_per_day) / SECONDS_PER_DAY,
        None if max_ms_per_token is None else float(max_ms_per_token),
    )


def resolve_gpus(catalogs: Catalogs, names: Sequence[str] | None) -> tuple[GPU, ...]:
    """The catalog's GPUs named (None, [] or 'any' = all); ConfigError with the closest name otherwise."""
    if not names or any(n.strip().lower() == "any" for n in names):
        return tuple(catalogs.gpus)
    out: list[GPU] = []
    for name in names:
        gpu = catalog_gpu(catalogs, name)
        if gpu not in out:
            out.append(gpu)
    return tuple(out)


def catalog_gpu(catalogs: Catalogs, name: str) -> GPU:
    """One catalog GPU by name or alias; ConfigError with 'did you mean ...?' for a near miss."""
    try:
        return catalogs.gpu(name)
    except ConfigError as error:
        spellings = {s.lower(): g.name for g in catalogs.gpus for s in (g.name, *g.aliases)}
        close = difflib.get_close_matches(name.strip().lower(), list(spellings), n=1, cutoff=0.4)
        if not close:
            raise
        raise ConfigError(error.message, f"did you mean '{spellings[close[0]]}'? {error.hint}", field="gpu") from None


def tried_tp_sizes(spec: ModelSpec) -> tuple[int, ...]:
    """Powers of two ≤ 8 (invalid ones kept, to be reported) and every other size ≤ 8 that splits the heads."""
    return tuple(sorted(set(_POWER_OF_TWO_TP) | set(valid_tp_sizes(spec, MAX_TP_PER_NODE))))


def _rank_key(plan: ServingPlan) -> tuple[Any, ...]:
    status = _STATUS_ORDER.index(plan.status) if plan.status in _STATUS_ORDER else len(_STATUS_ORDER)
    speed = -(plan.tok_s_range[0] if plan.tok_s_range else 0.0)
    if plan.usd_per_mtok is None:  # unpriced: after the priced plans, fewest GPUs then fastest
        return (status, 1, 0.0, plan.n_gpus, speed, plan.gpu, plan.tp)
    return (status, 0, plan.usd_per_mtok, plan.n_gpus, speed, plan.gpu, plan.tp)


def rank(candidates: Sequence[ServingPlan]) -> list[ServingPlan]:
    """Plans meeting the target first (priced: by $/Mtok, then fewer GPUs, then faster; unpriced: fewer GPUs,
    then faster), then the
    others by reason: too slow, too many replicas, does not fit, untimed, TP invalid."""
    return sorted(candidates, key=_rank_key)


def closest_plan(candidates: Sequence[ServingPlan], target: PlanTarget) -> ServingPlan | None:
    """When nothing meets the target: the too-slow plan with the shortest step (and the ms/token it needs), else
    the plan needing too many replicas, else the does-not-fit plan missing the least KV memory per GPU."""
    slow = [p for p in candidates if p.status == "too_slow" and p.step_ms_range]
    if slow:
        p = min(slow, key=lambda c: (c.step_ms_range or [0.0, 0.0])[1])
        ms = (p.step_ms_range or [0.0, 0.0])[1]
        return _changed(p, Msg("serving.plan.change.slower", ms=ms, label=p.label()))
    many = [p for p in candidates if p.status == "too_many_replicas"]
    if many:
        p = min(many, key=lambda c: c.replicas)
        return _changed(p, Msg("serving.plan.change.volume"))
    tight = [p for p in candidates if p.status == "does_not_fit" and p.memory_per_gpu]
    if not tight:
        return None
    p = min(tight, key=_kv_deficit)
    change = Msg(
        "serving.plan.change.memory",
        short=_kv_deficit(p) / 2**30,
        tp=p.tp,
        gpu=p.gpu,
        context=target.context,
        most=MAX_TP_PER_NODE,
    )
    return _changed(p, change)


def _changed(plan: ServingPlan, change: Msg) -> ServingPlan:
    return replace(plan, change=change.text(), change_msg=change)


def _because(plan: ServingPlan, why: Msg) -> ServingPlan:
    return replace(plan, why=why.text(), why_msg=why)


def _kv_deficit(plan: ServingPlan) -> int:
    memory = plan.memory_per_gpu or {}
    return int(memory.get("kv_bytes_per_sequence", 0)) - int(memory.get("kv_available_bytes", 0))


def _why_lost(plan: ServingPlan, best: ServingPlan | None) -> ServingPlan:
    """A runner-up whose ``why`` says why it lost: its own reason, or cost against the best plan."""
    if plan.status != "ok":
        return plan
    if best is None or best.usd_per_mtok is None:
        return _because(plan, Msg("serving.plan.why.slower"))
    if plan.usd_per_mtok is None:
        return _because(plan, Msg("serving.plan.why.unpriced"))
    if abs(plan.usd_per_mtok - best.usd_per_mtok) <= 1e-9 * best.usd_per_mtok:
        return _because(plan, Msg("serving.plan.why.same_cost", usd_h=plan.usd_per_hour or 0))
    return _because(
        plan,
        Msg("serving.plan.why.cost", usd=plan.usd_per_mtok, usd_h=plan.usd_per_hour or 0, best=best.usd_per_mtok),
    )


def with_launch(plan: ServingPlan, spec: ModelSpec, inputs: SearchInputs, weights_dtype: str | None) -> ServingPlan:
    """``plan`` with the command(s) that start one replica (core.launch); an engine or format the launcher does
    not take becomes a note instead of commands."""
    if inputs.engine == "transformers":
        return replace(plan, launch=[_planner_note("planner_transformers")])
    request = LaunchRequest(
        model=spec.model_id,
        engine=inputs.engine,
        tensor_parallel_size=plan.tp,
        max_model_len=inputs.target.context,
        max_num_seqs=max(1, plan.max_seqs),
        kv_cache_dtype=inputs.kv_dtype,
        quantization=weights_dtype if weights_dtype not in (None, "auto") else None,
        n_layers=spec.n_layers or None,
    )
    try:
        commands = [c.to_dict() for c in launch_commands(request)]
    except (UsageError, ConfigError) as error:
        return replace(plan, launch=[_planner_note("planner_none", reason=error.message)])
    if plan.replicas > 1:
        commands.append(_planner_note("planner_replicas", replicas=plan.replicas))
    return replace(plan, launch=commands)


def _planner_note(name: str, **params: Any) -> dict[str, Any]:
    """A launch-list entry that is a note, not a command: English text plus its message for other languages."""
    message = launch_note(name, **params)
    return {"note": message.text(), "note_message": message.to_dict()}


def plan_row(plan: ServingPlan, tokens_per_day: float | None) -> dict[str, Any]:
    """One plan as a flat row (X-5's chain, tables): sizes, slow-end tokens/s (``tok_per_sec``), $/Mtok, the
    share of the daily target its capacity covers (``users_supported``), and why it lost."""
    low = plan.tok_s_range[0] if plan.tok_s_range else 0.0
    memory = plan.memory_per_gpu or {}
    return {
        "plan": plan.label(),
        "gpu": plan.gpu,
        "tp": plan.tp,
        "replicas": plan.replicas,
        "n_gpus": plan.n_gpus,
        "max_seqs": plan.max_seqs,
        "status": plan.status,
        "why": plan.why,
        "tok_per_sec": low if plan.tok_s_range else None,
        "tok_per_sec_range": plan.tok_s_range,
        "ceiling_tok_per_sec": plan.ceiling_tok_s,
        "ceiling_tok_per_sec_per_sequence": plan.ceiling_tok_s_per_sequence,
        "step_ms_range": plan.step_ms_range,
        "USD_per_hour": plan.usd_per_hour,
        "USD_per_Mtok": plan.usd_per_mtok,
        "USD_per_Mtok_full_load_range": plan.usd_per_mtok_full_load_range,
        "users_supported": low * SECONDS_PER_DAY / tokens_per_day if tokens_per_day and plan.tok_s_range else None,
        "kv_available_GiB": memory.get("kv_available_bytes", 0) / 2**30 if memory else None,
    }
