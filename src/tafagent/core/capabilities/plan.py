"""The serving plan as an answer ("how many H100s for Llama-70B at 100M tokens/day?"): what
:func:`tafagent.core.memory.planner.plan_serving` finds — the same search as ``taf plan`` — laid out as steps:
the target, the best plan (or the closest and what would change it), the runners-up and the launch command."""

from __future__ import annotations

from typing import Any

from tafagent.core.audit import ConfidenceCheck, RecipeResult, Step
from tafagent.core.capabilities.memory import CONTEXT, KV_DTYPE, model_required
from tafagent.core.evidence import Evidence, EvidenceNote
from tafagent.core.memory.planner import ServingPlanResult, plan_row, plan_serving
from tafagent.core.messages import Msg
from tafagent.core.recipes.ask_spec import AskSpec
from tafagent.core.recipes.base import Param, Recipe, RecipeContext

DAILY = Param("tokens_per_day", "float", "tokens to serve per day", None, optional=True, minimum=1, maximum=1e15,
              unit="tokens/day")  # fmt: skip
CONCURRENCY = Param("concurrency", "int", "sequences in flight at once", None, optional=True, minimum=1,
                    maximum=1_000_000)  # fmt: skip
LATENCY = Param("max_ms_per_token", "float", "slowest acceptable decode step", None, optional=True, minimum=0.01,
                maximum=1e6, unit="ms")  # fmt: skip
GPU = Param("gpu", "str", "one GPU from the catalog (empty: every GPU)", None, optional=True, choices="gpu")
ENGINE = Param("engine", "str", "serving engine", "vllm", options=("vllm", "sglang", "llama.cpp", "transformers"))
WEIGHTS_DTYPE = Param("weights_dtype", "str", "weights storage format (empty: the checkpoint's)", None, optional=True)


def run_planner(ctx: RecipeContext, concurrency: int | None) -> ServingPlanResult:
    """The planner on the context's model with the question's target (shared by the plan and launch answers)."""
    model_required(ctx)
    assert ctx.model is not None
    return plan_serving(
        ctx.model,
        ctx["context"],
        concurrency=concurrency,
        tokens_per_day=ctx.values.get("tokens_per_day"),
        max_ms_per_token=ctx.values.get("max_ms_per_token"),
        gpus=[ctx["gpu"]] if ctx["gpu"] else None,
        engine=ctx["engine"],
        weights_dtype=ctx.values.get("weights_dtype"),
        kv_dtype=ctx["kv_dtype"],
        gpu_catalog=ctx.catalogs,
    )


def plan_facts(result: ServingPlanResult, tokens_per_day: float | None) -> dict[str, Any]:
    plan = result.best or result.closest
    if plan is None:
        return {"model": result.model}
    row = plan_row(plan, tokens_per_day)
    return {
        "model": result.model,
        "plan": plan.label(),
        "n_gpus": plan.n_gpus,
        "engine": result.engine,
        "max_seqs": plan.max_seqs,
        "usd_per_mtok": row["USD_per_Mtok"] if row["USD_per_Mtok"] is not None else 0.0,
        "usd_per_hour": plan.usd_per_hour or 0.0,
        "change": plan.change or plan.why,
    }


def compute(ctx: RecipeContext) -> RecipeResult:
    concurrency = ctx["concurrency"]
    if concurrency is None and ctx["tokens_per_day"] is None:
        concurrency = 1  # no target given: one sequence in flight (the answer says so in its inputs)
    result = run_planner(ctx, concurrency)
    chain = plan_steps(result, ctx["tokens_per_day"])
    facts = plan_facts(result, ctx["tokens_per_day"])
    if result.met:
        reason, action = Msg("plan.met.reason", **facts), Msg("plan.met.action", **facts)
    elif result.closest is not None:
        reason, action = Msg("plan.unmet.reason", **facts), Msg("plan.unmet.action", **facts)
    else:
        reason, action = Msg("plan.none.reason", **facts), Msg("plan.none.action", **facts)
    checks = [
        ConfidenceCheck(
            "speed",
            "warn",
            "decode speed from the fitted speed model, sized at its slow end",
            note_msg=Msg("cap.check.speed"),
        )
    ]
    return ctx.result(chain, "YES" if result.met else "NO", reason, action, [], checks)


def plan_steps(result: ServingPlanResult, tokens_per_day: float | None) -> list[Step]:
    plan = result.best or result.closest
    steps = [
        Step(
            1,
            "§20",
            "Target",
            "tokens/day ÷ 86,400 = tokens/s; or the sequences in flight",
            {"context": result.target.context, "engine": result.engine},
            result.target.to_dict(),
            "",
            evidence=EvidenceNote(Evidence.EXACT, "the question's target"),
            interpretation_msg=Msg("cap.step.target", target=result.target.describe(), engine=result.engine),
        )
    ]
    if plan is not None:
        row = plan_row(plan, tokens_per_day)
        steps.append(
            Step(
                2,
                "§20",
                "Best plan" if result.met else "Closest plan",
                "cheapest GPU × TP × replicas × sequences that fits and meets the target ($/Mtok)",
                {"gpu": plan.gpu, "tp": plan.tp, "replicas": plan.replicas, "max_seqs": plan.max_seqs},
                row,
                "USD/Mtok",
                "",
                evidence=EvidenceNote(Evidence.FITTED, "memory engine + fitted speed model (slow end)"),
                interpretation_msg=Msg(
                    "cap.step.plan",
                    label=plan.label(),
                    seqs=plan.max_seqs,
                    price=(
                        Msg("cap.price", usd_per_mtok=row["USD_per_Mtok"])
                        if row["USD_per_Mtok"] is not None
                        else Msg("cap.no_price")
                    ),
                    gap="" if result.met else f" — {plan.change or plan.why}",
                ),
            )
        )
    for n, runner in enumerate(result.runners_up[:3], len(steps) + 1):
        steps.append(
            Step(
                n,
                "§20",
                "",
                "why it lost",
                {"gpu": runner.gpu, "tp": runner.tp},
                plan_row(runner, tokens_per_day),
                "",
                runner.why,
                EvidenceNote(Evidence.FITTED, "memory engine + fitted speed model"),
                name_msg=Msg("cap.step.runner_up", label=runner.label()),
            )
        )
    if plan is not None and plan.launch:
        lines = [str(c.get("text", "")) for c in plan.launch]
        steps.append(
            Step(
                len(steps) + 1,
                "§20",
                "Launch",
                "the engine's own flags",
                {"engine": result.engine},
                plan.launch,
                "",
                " | ".join(lines),
                EvidenceNote(Evidence.EXACT, "checked against the engine's argument parser"),
            )
        )
    return steps


# Sizing a deployment for a target ("how many H100s for 100M tokens/day?"); choosing among GPUs ("which GPU is
# cheapest?") is X-5's question, which runs the same planner. The planner needs a model: a bare size is X-5's.
ASK = AskSpec(
    cues={
        "en": (
            (
                r"how many (?!tokens|users|layers|parameters|sequences|requests|gb\b|gib\b|gigabytes)",
                4.0,
            ),  # GPU names are blanked out
            (r"serv(?:e|es|ed|ing)|deploy\w*|host\w*|provision\w*|size a", 2.5),
            (r"plan\b|planning|deployment|per million tokens|\$/mtok|cost per", 2.0),
            (r"gpu count|number of gpus", 3.0),
            (r"vram|memory|memoria|memoire|显存|内存", -3.0),  # "how much memory to serve ..." is memory's question
        ),
        "es": (
            (r"cuant[ao]s (?!tokens|usuarios|capas|parametros)", 4.0),
            (r"servir|desplegar|despliegue|alojar", 2.5),
            (r"por millon de tokens|cuesta\w*.{0,40}servir", 3.0),
        ),
        "fr": (
            (r"combien de (?!tokens|memoire|utilisateurs|couches|parametres)", 4.0),
            (r"deploiement|dimensionner|heberger", 2.5),
            (r"par million de tokens|cout\w*.{0,40}servir", 3.0),
        ),
        "zh": (
            (r"几张|多少张|几块|多少块", 4.0),
            (r"部署|上线|提供服务|方案", 2.5),
            (r"每百万 ?token|成本", 3.0),
        ),
    },
    signals={"daily_volume": 2.5, "users": 2.0, "model": 0.5, "gpu": 0.5, "size_without_model": -6.0},
    readers=("context", "daily_tokens", "concurrency", "latency", "gpu_plan", "engine", "kv_dtype", "weights_dtype"),
)


CAPABILITY = Recipe(
    id="plan",
    name="Serving plan",
    description="The cheapest GPUs, tensor parallelism, replicas and launch command that meet a serving target",
    category="serving",
    sections=("§20",),
    params=(CONTEXT, DAILY, CONCURRENCY, LATENCY, GPU, ENGINE, KV_DTYPE, WEIGHTS_DTYPE),
    compute=compute,
    examples=("How many H100s do I need to serve Llama-70B at 100M tokens/day?",),
    ask=ASK,
)
