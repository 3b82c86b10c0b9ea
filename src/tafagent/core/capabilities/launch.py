"""The launch command as an answer ("what vllm flags for Llama-3.1-8B at 32k on an H100?", "-ngl for my 4090"):
the planner sizes the deployment on the GPU and engine named (one sequence unless more are asked for), and the
answer is its launch command — ``vllm serve``, SGLang, ``llama-server`` or Ollama — with the plan behind it."""

from __future__ import annotations

from tafagent.core.audit import ConfidenceCheck, RecipeResult
from tafagent.core.capabilities.memory import CONTEXT, KV_DTYPE
from tafagent.core.capabilities.plan import WEIGHTS_DTYPE, plan_facts, plan_steps, run_planner
from tafagent.core.memory.planner import ServingPlanResult
from tafagent.core.memory.planner_search import ServingPlan
from tafagent.core.messages import Msg
from tafagent.core.recipes.ask_spec import AskSpec
from tafagent.core.recipes.base import Param, Recipe, RecipeContext

GPU = Param("gpu", "str", "the GPU to launch on (empty: the cheapest that fits)", None, optional=True, choices="gpu")
ENGINE = Param("engine", "str", "serving engine", "vllm", options=("vllm", "sglang", "llama.cpp", "ollama"))
CONCURRENCY = Param("concurrency", "int", "sequences in flight at once", 1, minimum=1, maximum=1_000_000)
TP = Param("tp", "int", "tensor-parallel GPUs asked for (empty: the planner's choice)", None, optional=True, minimum=1,
           maximum=64)  # fmt: skip


def compute(ctx: RecipeContext) -> RecipeResult:
    # Ollama runs llama.cpp: the planner sizes it with llama.cpp's memory and speed rules.
    engine = "llama.cpp" if ctx["engine"] == "ollama" else ctx["engine"]
    result = run_planner(_with_engine(ctx, engine), ctx["concurrency"])
    chain = plan_steps(result, None)
    plan = _asked_plan(result, ctx["tp"]) or result.best or result.closest
    commands = [c for c in (plan.launch if plan else []) if c.get("engine") in (ctx["engine"], engine)]
    wanted = [c for c in commands if c.get("engine") == ctx["engine"]] or commands
    facts = plan_facts(result, None) | {"command": str(wanted[0].get("text", "")) if wanted else ""}
    checks = [ConfidenceCheck("flags", "ok", str(wanted[0].get("checked_against", ""))) if wanted else
              ConfidenceCheck("flags", "miss", "no plan fits, so no command")]  # fmt: skip
    if not wanted:
        return ctx.result(chain, "NO", Msg("plan.none.reason", **facts), Msg("plan.none.action", **facts), [], checks)
    key = "launch.reason" if result.met else "launch.unmet.reason"
    return ctx.result(chain, "COMMAND", Msg(key, **facts), Msg("launch.action", **facts), [], checks)


def _asked_plan(result: ServingPlanResult, tp: int | None) -> ServingPlan | None:
    """The plan on exactly ``tp`` GPUs when the question asks for that many (one replica), if any fits."""
    if tp is None:
        return None
    plans = [p for p in (result.best, *result.runners_up, result.closest) if p is not None]
    return next((p for p in plans if p.tp == tp and p.replicas <= 1 and p.launch), None)


def _with_engine(ctx: RecipeContext, engine: str) -> RecipeContext:
    from dataclasses import replace

    values = dict(ctx.values) | {"engine": engine, "tokens_per_day": None, "max_ms_per_token": None}
    return replace(ctx, values=values)


ASK = AskSpec(
    cues={
        "en": (
            (r"flags?|command|launch|arguments|args\b|cli options|serve command|how (?:do i|to) (?:run|start)", 3.5),
            (r"vl?lm|sglang|llama\.?cpp|llama-server|ollama|ollma|gguf", 3.0),
            (r"-ngl|ngl\b|num_ctx|num_gpu|max-model-len|gpu-memory-utilization|tensor-parallel-size", 2.0),
            (r"--[a-z-]+", 1.5),
        ),
        "es": ((r"comando|parametros|banderas|opciones", 3.5),),
        "fr": ((r"commande|parametres|options de lancement", 3.5),),
        "zh": ((r"命令|参数|怎么设|设多少|启动", 3.5),),
    },
    signals={"model": 0.5, "gpu": 0.5},
    readers=("context", "gpu_fit", "engine", "concurrency", "kv_dtype", "weights_dtype"),
)

CAPABILITY = Recipe(
    id="launch",
    name="Launch command",
    description="The vLLM, SGLang, llama.cpp or Ollama command for a model on a GPU",
    category="serving",
    sections=("§20",),
    params=(CONTEXT, GPU, TP, ENGINE, CONCURRENCY, KV_DTYPE, WEIGHTS_DTYPE),
    compute=compute,
    examples=("What vllm flags should I use for Llama-3.1-8B at 32k context on an H100?",),
    ask=ASK,
)
