"""One candidate of the serving planner: a GPU type at one tensor-parallel size, sized for a target.

For GPU g at tensor-parallel size tp the planner asks, in this order (each answer can end the candidate):

1. does tp split the heads (``memory.parallel``, vLLM's rule)?  Else ``tp_invalid``.
2. can tp > 1 be timed (the catalog names a GPU-to-GPU link)?  Else ``untimed``. llama.cpp splits layers, not
   tensors, over its GPUs: its memory is split tp ways but its step is timed as on one GPU (no link needed).
3. how many ``context``-token sequences fit per replica: the same budget as ``taf memory``
   (``serving.memory_budget``: usable × utilisation − weights/tp − activation peak − overhead) divided by the
   exact per-GPU KV of one sequence (``kv.kv_plan``, the engine's paging) — closed form, ``serving.max_batch``;
   capped at :data:`MAX_SEQS_PER_REPLICA`.  None fits → ``does_not_fit``.
4. with ``max_ms_per_token``: the largest batch whose slow-end decode step (``speed.decode_throughput``
   step_seconds_range[1]) is within it (bisection; the step grows with the batch).  Not even one → ``too_slow``.
5. replicas = max(⌈concurrency / seqs⌉, ⌈tokens/s ÷ slow-end tokens/s of one replica⌉).

Sizing uses the low end of the speed range (the slow end of the step time), so a plan meets its target even
when the engine runs as slowly as the fitted law's leave-one-out error allows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from tafagent.core.catalogs import GPU
from tafagent.core.memory.kv import KVPlan, kv_plan
from tafagent.core.memory.parallel import tensor_parallel_problem
from tafagent.core.memory.serving import MemoryBudget, max_batch, memory_budget
from tafagent.core.memory.speed import decode_throughput, prefill_seconds
from tafagent.core.memory.weights import WeightsEstimate
from tafagent.core.messages import Msg, tr
from tafagent.core.render.format import GIB
from tafagent.core.spec.model_spec import ModelSpec

SECONDS_PER_DAY = 86_400
# vLLM's default max_num_seqs (SchedulerConfig, 256 on most GPUs): beyond it the engine queues, so the planner
# does not count on more sequences in flight per replica without saying so.
MAX_SEQS_PER_REPLICA = 256
MAX_REPLICAS = 100_000  # a target beyond 100,000 replicas is reported as unmet rather than planned
# Engines whose activation peak grows with the batch (prefill of every sequence at once): re-budgeted.
_BATCH_DEPENDENT = ("transformers", "llama.cpp")
# llama-server splits layers over its GPUs (--split-mode layer): a token visits them one after another, so a
# step takes as long as on one GPU holding every layer; memory is split, speed is timed at tp = 1.
_LAYER_SPLIT = ("llama.cpp",)


@dataclass(frozen=True)
class PlanTarget:
    """What a plan must meet: sequences of ``context`` tokens, at least ``concurrency`` in flight, at least
    ``tokens_per_s`` generated (tokens/day ÷ 86,400), each decode step within ``max_ms_per_token``."""

    context: int
    concurrency: int = 1
    tokens_per_s: float | None = None
    max_ms_per_token: float | None = None

    def describe(self, lang: str = "en") -> str:
        """'8 sequences of 4,096 tokens, 100,000,000 tokens/day, ≤ 40 ms/token' (what is asked, in words)."""
        words = [tr("serving.plan.target.sequences", lang, concurrency=self.concurrency, context=self.context)]
        if self.tokens_per_s is not None:
            words.append(tr("serving.plan.target.per_day", lang, tokens=self.tokens_per_s * SECONDS_PER_DAY))
        if self.max_ms_per_token is not None:
            words.append(tr("serving.plan.target.ms", lang, ms=f"{self.max_ms_per_token:g}"))
        return tr("card.list_sep", lang).join(words)

    def to_dict(self) -> dict[str, Any]:
        return {
            "context": self.context,
            "concurrency": self.concurrency,
            "tokens_per_day": None if self.tokens_per_s is None else self.tokens_per_s * SECONDS_PER_DAY,
            "tokens_per_s": self.tokens_per_s,
            "max_ms_per_token": self.max_ms_per_token,
        }


@dataclass(frozen=True)
class ServingPlan:
    """One GPU type × tensor-parallel size, sized: ``replicas`` copies of ``tp`` GPUs, each running at most
    ``max_seqs`` sequences. ``status``: ok | does_not_fit | too_slow | tp_invalid | untimed | too_many_replicas;
    ``why`` says it in words. Speeds are aggregate decode tokens/s over all replicas at ``max_seqs`` each."""

    gpu: str
    tp: int
    status: str
    why: str = ""
    replicas: int = 0
    max_seqs: int = 0
    usd_per_gpu_hour: float | None = None
    usd_per_hour: float | None = None
    usd_per_mtok: float | None = None  # at the served load (the target's tokens, else the concurrency's)
    usd_per_mtok_full_load_range: list[float] | None = None  # [fast end, slow end] at max_seqs per replica
    tok_s_range: list[float] | None = None  # all replicas at max_seqs each
    served_tok_s: float | None = None  # slow end, at the load the target puts on the plan
    ceiling_tok_s: float | None = None  # bandwidth/compute ceiling, all replicas at max_seqs each
    ceiling_tok_s_per_sequence: float | None = None
    step_ms_range: list[float] | None = None  # one decode step at max_seqs
    prefill_s_range: list[float] | None = None  # one prompt of ``context`` tokens, alone
    bound: str = ""
    memory_per_gpu: dict[str, Any] | None = None
    change: str = ""  # for an unmet closest plan: what would make it meet the target
    launch: list[dict[str, Any]] = field(default_factory=list)
    evidence: dict[str, Any] = field(default_factory=dict)
    # ``why`` and ``change`` as messages, for other languages (not in to_dict: the JSON keeps the English text)
    why_msg: Msg | None = field(default=None, compare=False)
    change_msg: Msg | None = field(default=None, compare=False)

    def why_text(self, lang: str = "en") -> str:
        """Why the plan is not (or not the best) plan, in ``lang``."""
        return self.why_msg.text(lang) if self.why_msg is not None else self.why

    def change_text(self, lang: str = "en") -> str:
        """What would make this closest plan meet the target, in ``lang``."""
        return self.change_msg.text(lang) if self.change_msg is not None else self.change

    @property
    def n_gpus(self) -> int:
        return self.tp * max(1, self.replicas)

    @property
    def meets(self) -> bool:
        return self.status == "ok"

    def label(self, lang: str = "en") -> str:
        """'4 × H100 SXM (TP 4)', '3 × H100 SXM (3 replicas)', '2 × (4 × H100 SXM, TP 4)' (replicas × group)."""
        replicas = max(1, self.replicas)
        if replicas == 1:
            return f"{self.tp} × {self.gpu}" + (f" (TP {self.tp})" if self.tp > 1 else "")
        if self.tp == 1:
            return tr("serving.plan.label_replicas", lang, replicas=replicas, gpu=self.gpu)
        return f"{replicas} × ({self.tp} × {self.gpu}, TP {self.tp})"

    def to_dict(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in self.__dataclass_fields__ if not k.endswith("_msg")}
        out["n_gpus"] = self.n_gpus
        out["label"] = self.label()
        return out


@dataclass(frozen=True)
class SearchInputs:
    """Everything a candidate needs that does not change across GPUs and sizes."""

    spec: ModelSpec
    weights: WeightsEstimate
    engine: str
    kv_dtype: str
    target: PlanTarget
    max_seqs_cap: int = MAX_SEQS_PER_REPLICA


def evaluate(inputs: SearchInputs, gpu: GPU, tp: int) -> ServingPlan:
    """The sized plan of ``gpu`` at ``tp``, or why it cannot be one (module docstring, steps 1-5)."""
    spec, target = inputs.spec, inputs.target
    problem = tensor_parallel_problem(spec, tp)
    if problem is not None:
        return ServingPlan(gpu.name, tp, "tp_invalid", f"TP {tp} invalid: {problem}")  # the parser's own words
    if tp > 1 and not gpu.link_GB_per_s and inputs.engine not in _LAYER_SPLIT:
        untimed = Msg("serving.plan.why.untimed")
        return ServingPlan(gpu.name, tp, "untimed", untimed.text(), why_msg=untimed)
    plan = kv_plan(spec, inputs.engine, inputs.kv_dtype, tp)
    budget, seqs = _fitting_sequences(inputs, gpu, tp, plan)
    memory = _memory_dict(budget, plan, target.context, max(seqs, 1))
    if seqs == 0:
        why = _no_fit_why(budget, plan, target.context)
        return ServingPlan(gpu.name, tp, "does_not_fit", why.text(), memory_per_gpu=memory, why_msg=why)
    cap = min(seqs, inputs.max_seqs_cap)
    if target.max_ms_per_token is not None:
        fastest = _decode(inputs, gpu, tp, plan, 1)
        slow_ms = fastest["step_seconds_range"][1] * 1e3
        if slow_ms > target.max_ms_per_token:
            why_msg = Msg("serving.plan.why.too_slow", ms=slow_ms, limit=f"{target.max_ms_per_token:g}")
            return _sized(inputs, gpu, tp, plan, 1, memory, "too_slow", why_msg, fastest)
        cap = _latency_cap(inputs, gpu, tp, plan, cap)
    memory = _memory_dict(budget, plan, target.context, cap)
    return _sized(inputs, gpu, tp, plan, cap, memory, "ok", None, _decode(inputs, gpu, tp, plan, cap))


def _fitting_sequences(inputs: SearchInputs, gpu: GPU, tp: int, plan: KVPlan) -> tuple[MemoryBudget, int]:
    """(budget, sequences of ``context`` tokens whose KV fits per replica). Engines whose activation peak
    grows with the batch are re-budgeted at the batch found until it stops shrinking (≤ 4 rounds)."""
    context = inputs.target.context
    budget = memory_budget(inputs.spec, gpu, inputs.weights, inputs.engine, tp, None, context, 1)
    seqs = max_batch(plan, budget.kv_available_bytes, context)
    if inputs.engine not in _BATCH_DEPENDENT:
        return budget, seqs
    for _ in range(4):
        batch = min(max(seqs, 1), inputs.max_seqs_cap)
        again = memory_budget(inputs.spec, gpu, inputs.weights, inputs.engine, tp, None, context, batch)
        fit = max_batch(plan, again.kv_available_bytes, context)
        budget, done = again, fit >= batch
        seqs = min(fit, batch) if done else fit
        if done or fit == 0:
            break
    return budget, seqs


def _latency_cap(inputs: SearchInputs, gpu: GPU, tp: int, plan: KVPlan, cap: int) -> int:
    """Largest batch ≤ ``cap`` whose slow-end decode step is within max_ms_per_token (batch 1 is)."""
    limit_s = (inputs.target.max_ms_per_token or 0.0) / 1e3
    lo, hi = 1, cap
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if _decode(inputs, gpu, tp, plan, mid)["step_seconds_range"][1] <= limit_s:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _speed_tp(inputs: SearchInputs, tp: int) -> int:
    """The tensor-parallel size the speed model times: 1 for a layer-split engine (``_LAYER_SPLIT``)."""
    return 1 if inputs.engine in _LAYER_SPLIT else tp


def _decode(inputs: SearchInputs, gpu: GPU, tp: int, plan: KVPlan, batch: int) -> dict[str, Any]:
    if inputs.engine in _LAYER_SPLIT and tp > 1:
        plan = kv_plan(inputs.spec, inputs.engine, inputs.kv_dtype, 1)  # every layer's KV, read in turn
    return decode_throughput(
        inputs.spec,
        gpu,
        inputs.weights,
        plan,
        inputs.target.context,
        batch,
        tp=_speed_tp(inputs, tp),
        engine=inputs.engine,
    )


def _replicas(target: PlanTarget, seqs: int, replica_low_tok_s: float) -> int:
    """⌈concurrency / seqs⌉ and ⌈tokens/s ÷ one replica's slow-end tokens/s⌉, whichever is larger."""
    by_concurrency = math.ceil(target.concurrency / seqs)
    by_volume = 1 if target.tokens_per_s is None else math.ceil(target.tokens_per_s / replica_low_tok_s)
    return max(1, by_concurrency, by_volume)


def _sized(
    inputs: SearchInputs,
    gpu: GPU,
    tp: int,
    plan: KVPlan,
    seqs: int,
    memory: dict[str, Any],
    status: str,
    why_msg: Msg | None,
    decode: dict[str, Any],
) -> ServingPlan:
    """The plan of ``seqs`` sequences per replica: replicas, speeds, prices (module docstring, step 5)."""
    target = inputs.target
    low, high = decode["expected_tok_s_range"]
    replicas = _replicas(target, seqs, low)
    if replicas > MAX_REPLICAS and status == "ok":
        status = "too_many_replicas"
        why_msg = Msg("serving.plan.why.too_many_replicas", replicas=replicas, most=MAX_REPLICAS)
    served = _served_tok_s(inputs, gpu, tp, plan, replicas, seqs, low)
    price = gpu.usd_per_hour
    usd_h = None if price is None else price * tp * replicas
    prefill = prefill_seconds(inputs.spec, gpu, target.context, 1, tp=_speed_tp(inputs, tp), engine=inputs.engine)
    return ServingPlan(
        gpu.name,
        tp,
        status,
        "" if why_msg is None else why_msg.text(),
        why_msg=why_msg,
        replicas=replicas,
        max_seqs=seqs,
        usd_per_gpu_hour=price,
        usd_per_hour=usd_h,
        usd_per_mtok=None if usd_h is None else usd_h / (served * 3600 / 1e6),
        usd_per_mtok_full_load_range=None
        if usd_h is None
        else [usd_h / (replicas * high * 3600 / 1e6), usd_h / (replicas * low * 3600 / 1e6)],
        tok_s_range=[replicas * low, replicas * high],
        served_tok_s=served,
        ceiling_tok_s=replicas * float(decode["ceiling_tok_s"]),
        ceiling_tok_s_per_sequence=float(decode["ceiling_tok_s_per_sequence"]),
        step_ms_range=[s * 1e3 for s in decode["step_seconds_range"]],
        prefill_s_range=list(prefill["expected_seconds_range"]),
        bound=decode["bound"],
        memory_per_gpu=memory,
        evidence={"memory": _MEMORY_EVIDENCE, "decode": decode["evidence"], "prefill": prefill["evidence"]},
    )


_MEMORY_EVIDENCE = {"label": "exact", "source": "the engine's memory budget and per-layer KV rules (taf memory)"}


def _served_tok_s(
    inputs: SearchInputs, gpu: GPU, tp: int, plan: KVPlan, replicas: int, seqs: int, replica_low: float
) -> float:
    """Slow-end tokens/s the plan is paid for: the target's volume when one is set, else the concurrency's
    sequences spread over the replicas (⌈C / replicas⌉ each, one more speed evaluation when that is < seqs)."""
    target = inputs.target
    if target.tokens_per_s is not None:
        return target.tokens_per_s
    per_replica = math.ceil(target.concurrency / replicas)
    if per_replica >= seqs:
        return replicas * replica_low
    return replicas * float(_decode(inputs, gpu, tp, plan, per_replica)["expected_tok_s_range"][0])


def _memory_dict(budget: MemoryBudget, plan: KVPlan, context: int, seqs: int) -> dict[str, Any]:
    """Per GPU: the budget's parts and the KV the plan's sequences use."""
    per_sequence = plan.bytes_per_sequence(context)
    out = budget.to_dict()
    out.pop("gpu", None)
    out.pop("engine", None)
    out["kv_bytes_per_sequence"] = per_sequence
    out["kv_used_bytes"] = per_sequence * seqs
    out["sequences"] = seqs
    return out


def _no_fit_why(budget: MemoryBudget, plan: KVPlan, context: int) -> Msg:
    """'does not fit: weights 70.6 GiB/GPU + 4.4 GiB reserved leave −3.0 GiB; one 4,096-token sequence needs 1.3'"""
    return Msg(
        "serving.plan.why.does_not_fit",
        weights=budget.weights_bytes_per_gpu / GIB,
        reserved=(budget.activation_bytes + budget.overhead_bytes) / GIB,
        kv=budget.kv_available_bytes / GIB,
        budget=budget.budget_bytes / GIB,
        context=context,
        sequence=plan.bytes_per_sequence(context) / GIB,
    )
