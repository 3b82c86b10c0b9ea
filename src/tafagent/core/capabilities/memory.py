"""Memory and fit as an audited chain: what ``taf memory`` computes, for ``taf ask`` ("how much VRAM does
Llama-3-8B need for 32k context?", "will Mixtral fit on my 24 GB card?").

The numbers are :func:`tafagent.core.memory.report.memory_report`'s, unchanged, so an answer equals
``taf memory MODEL --context L --batch B [--gpu G] --json``; this module only lays them out as steps.
"""

from __future__ import annotations

from typing import Any

from tafagent.core.audit import ConfidenceCheck, RecipeResult, Step
from tafagent.core.evidence import Evidence, EvidenceNote
from tafagent.core.laws.constants import KV_EVIDENCE
from tafagent.core.memory.report import MemoryReport, context_warning, memory_report
from tafagent.core.memory.runtimes import runtime_data
from tafagent.core.messages import Msg
from tafagent.core.recipes.ask_spec import AskSpec
from tafagent.core.recipes.base import Param, Recipe, RecipeContext
from tafagent.core.render.format import GIB
from tafagent.core.spec.model_spec import ModelSpec

CONTEXT = Param(
    "context", "int", "tokens per sequence (prompt + output)", 4096, minimum=1, maximum=2**31, unit="tokens"
)
BATCH = Param("batch", "int", "concurrent sequences", 1, minimum=1, maximum=1_000_000)
GPU = Param("gpu", "str", "a GPU from the catalog (empty: memory only, no fit)", None, optional=True, choices="gpu")
TP = Param("tp", "int", "tensor-parallel GPUs", 1, minimum=1, maximum=64)
ENGINE = Param(
    "engine",
    "str",
    "whose memory rules apply",
    "transformers",
    options=("transformers", "vllm", "sglang", "llama.cpp"),
)
KV_DTYPE = Param("kv_dtype", "str", "KV-cache element type (auto = the model's dtype)", "auto")
WEIGHTS_DTYPE = Param("weights_dtype", "str", "weights storage format (auto = the checkpoint's)", "auto")


def model_required(ctx: RecipeContext) -> None:
    """Every capability but the how-to needs a model: one clear line when the question names none."""
    if ctx.model is None:
        from tafagent.core.errors import ParameterError

        raise ParameterError(
            f"{ctx.recipe.id} needs a model",
            "name a preset (`taf presets`), a Hub id (org/name) or a config.json",
            field="model",
        )


def compute(ctx: RecipeContext) -> RecipeResult:
    model_required(ctx)
    assert ctx.model is not None
    gpu = ctx.catalogs.gpu(ctx["gpu"]) if ctx["gpu"] else None
    report = memory_report(
        ctx.model,
        ctx["context"],
        ctx["batch"],
        weights_dtype=ctx["weights_dtype"],
        kv_dtype=ctx["kv_dtype"],
        engine=ctx["engine"],
        gpu=gpu,
        tp=ctx["tp"],
    )
    chain = _memory_steps(report)
    checks = [
        ConfidenceCheck(
            "memory model",
            "ok",
            "weights and KV within 0.5 % of what an H200 allocated",
            note_msg=Msg("cap.check.memory_model"),
        )
    ]
    context_note = context_warning(ctx.model, report.context)
    checks += [
        ConfidenceCheck(
            "warning", "warn", w, note_msg=_ContextWarning(ctx.model, report.context) if w == context_note else None
        )
        for w in report.warnings
    ]
    if gpu is None:
        reason = _past_limit(report, Msg("memory.estimate.reason", **_facts(report)), checks)
        return ctx.result(chain, "ESTIMATE", reason, Msg("memory.estimate.mitigation", **_facts(report)), [], checks)
    chain.append(_fit_step(report, len(chain) + 1))
    if report.fits:
        reason = _past_limit(report, Msg("memory.fits.reason", **_facts(report)), checks)
        return ctx.result(chain, "FITS", reason, Msg("memory.fits.mitigation", **_facts(report)), [], checks)
    reason = _past_limit(report, Msg("memory.no_fit.reason", **_facts(report)), checks)
    return ctx.result(chain, "DOES NOT FIT", reason, _rescue(report), [], checks)


class _ContextWarning(Msg):
    """The past-the-position-limit warning as a message: ``core.memory.report.context_warning`` in any language."""

    spec: ModelSpec
    context: int

    def __init__(self, spec: ModelSpec, context: int) -> None:
        super().__init__("serving.warning.context")
        object.__setattr__(self, "spec", spec)
        object.__setattr__(self, "context", context)

    def text(self, lang: str = "en") -> str:
        return context_warning(self.spec, self.context, lang) or ""


def _past_limit(report: MemoryReport, reason: Msg, checks: list[ConfidenceCheck]) -> Msg:
    """A context past the position limit is said in the answer itself (fitting in memory does not make it work)."""
    limit = report.positions.tokens
    if limit is None or report.context <= limit:
        return reason
    checks.append(
        ConfidenceCheck(
            "position limit",
            "miss",
            f"{report.context:,} > {limit:,} positions",
            note_msg=Msg("cap.check.position_limit", context=report.context, limit=limit),
        )
    )
    return Msg("memory.past_limit.reason", inner=reason, context=report.context, limit=limit)


def _gib(n_bytes: float) -> float:
    return n_bytes / GIB


def _facts(report: MemoryReport) -> dict[str, Any]:
    """The values the messages quote (GiB rounded by the templates; counts as integers)."""
    facts: dict[str, Any] = {
        "model": report.model_id,
        "context": report.context,
        "batch": report.batch,
        "engine": report.plan.engine.name,
        "total_gib": _gib(report.total_bytes),
        "weights_gib": _gib(report.weights.n_bytes),
        "kv_gib": _gib(report.kv_bytes),
    }
    if report.gpu is not None and report.budget is not None:
        facts |= {
            "gpu": report.gpu.name,
            "tp": report.plan.tp,
            "kv_free_gib": _gib(max(report.budget.kv_available_bytes, 0)),
            "short_gib": _gib(max(report.kv_bytes - report.budget.kv_available_bytes, 0)),
            "max_batch": report.max_batch or 0,
            "max_context": report.max_context or 0,
        }
    return facts


def _memory_steps(report: MemoryReport) -> list[Step]:
    """Weights, KV cache, activations and their total, each with its basis."""
    plan, weights = report.plan, report.weights
    activation_bytes = int(report.activation["total_bytes"])
    return [
        Step(
            1,
            "§19.2",
            "Weights",
            weights.formula,
            {"format": weights.format},
            weights.n_bytes,
            "bytes",
            "",
            weights.evidence,
            interpretation_msg=Msg("cap.step.weights", gib=_gib(weights.n_bytes), format=weights.format),
        ),
        Step(
            2,
            "§19.1",
            "KV cache",
            "Σ over layers of the tokens each keeps × 2·n_kv·d_head × bytes, × batch",
            {"context": report.context, "batch": report.batch, "kv_dtype": plan.kv_dtype, "engine": plan.engine.name},
            report.kv_bytes,
            "bytes",
            "",
            KV_EVIDENCE,
            law="kv_cache",
            interpretation_msg=Msg(
                "cap.step.kv",
                gib=_gib(report.kv_bytes),
                batch=report.batch,
                tokens=report.context,
                bytes_per_token=plan.bytes_per_token(),
            ),
        ),
        Step(
            3,
            "§19.3",
            "Activations (prefill peak)",
            str(report.activation.get("formula", "the prefill's live tensors above weights and KV")),
            {"context": report.context, "batch": report.batch},
            activation_bytes,
            "bytes",
            "",
            interpretation_msg=Msg("cap.step.activations", gib=_gib(activation_bytes)),
            evidence=EvidenceNote(Evidence.FITTED, "prefill peaks measured on an H200 (serving_calibration)"),
        ),
        Step(
            4,
            "§19",
            "Total memory",
            "weights + KV + activations (+ engine overhead)",
            {},
            report.total_bytes,
            "bytes",
            "",
            evidence=EvidenceNote(Evidence.DERIVED, "sum of the steps above"),
            interpretation_msg=Msg("cap.step.total", gib=_gib(report.total_bytes)),
        ),
    ]


def _fit_step(report: MemoryReport, number: int) -> Step:
    """Does the KV cache fit in what the GPU has left after weights, activations and the engine's share?"""
    assert report.gpu is not None and report.budget is not None
    budget = report.budget
    return Step(
        number,
        "§19.4",
        "Fit on the GPU",
        "KV needed ≤ usable × utilisation − weights/tp − activations − overhead",
        {"gpu": report.gpu.name, "tp": report.plan.tp, "engine": report.plan.engine.name},
        {
            "fits": report.fits,
            "kv_available_bytes": budget.kv_available_bytes,
            "max_context": report.max_context,
            "max_batch": report.max_batch,
            "min_gpus": report.min_gpus,
        },
        "",
        evidence=EvidenceNote(Evidence.DERIVED, runtime_data()["runtimes"][report.plan.engine.name]["version"]),
        interpretation_msg=Msg(
            "cap.step.fit",
            fits=Msg("cap.fits" if report.fits else "cap.does_not_fit"),
            gib=_gib(budget.kv_available_bytes),
            max_context=report.max_context or 0,
            batch=report.batch,
            max_batch=report.max_batch or 0,
        ),
    )


def _rescue(report: MemoryReport) -> Msg:
    """What would make it fit: the fewest GPUs, else the first rung of the rescue ladder that fits."""
    facts = _facts(report)
    if report.min_gpus is not None and report.min_gpus["n_gpus"] > report.plan.tp:
        return Msg("memory.no_fit.more_gpus", n_gpus=report.min_gpus["n_gpus"], **facts)
    rung = next((r for r in report.rescue if r.fits), None)
    if rung is not None:
        return Msg("memory.no_fit.rescue", change=rung.change, rescue_gib=_gib(rung.total_bytes_per_gpu), **facts)
    return Msg("memory.no_fit.plan", **facts)


ASK = AskSpec(
    cues={
        "en": (
            # not inside an engine flag ("--gpu-memory-utilization", "--mem-fraction-static": launch's question)
            (
                r"(?<![-_])(?:vram|gpu memory|memory|mem\b|memry|ram\b|footprint|"
                r"kv[- ]?cache (?:size|memory)|size of the kv)",
                4.0,
            ),
            (r"how (?:much|many gb)|how big|how many gigabytes", 1.0),
            (r"how much (?:vram|memory|gpu memory)|memory (?:do|does|would|will) .{0,30}need", 2.0),
            (r"fit\w*|enough|will .{0,40} run|run\b.{0,40}\bon\b|runs? on|work on (?:my|a|one)", 3.5),
            (r"max(?:imum)? (?:context|batch)|longest context|largest batch|biggest batch", 3.0),
            (r"\bgb\b|card\b", 1.0),
            # the flags or command of an engine, or measuring γ, are other capabilities' questions even when the
            # question says "run ... on my card"
            (r"flags?\b|command|comando|commande|命令|taf diagnose|diagnos\w*", -2.5),
        ),
        "es": (
            (r"memoria|(?:tamano|ocupa) (?:de )?la cache", 4.0),
            (r"ocupa\b|cabe\b|caben\b|cabria\b|entra\b", 3.0),
            (r"tarjeta", 1.0),
            (r"cuanta|cuanto", 1.0),
            (r"cuanta (?:memoria|vram)|memoria necesit", 2.0),
            (r"ejecutar\b.{0,40}\ben\b|correr\b.{0,40}\ben\b|puedo (?:ejecutar|correr)", 3.0),
            (r"contexto maximo|lote maximo", 3.0),
        ),
        "fr": (
            (r"memoire|taille du cache", 4.0),
            (r"tient\b|tenir\b|rentre\b", 3.0),
            (r"carte\b", 1.0),
            (r"combien", 1.0),
            (r"combien de (?:memoire|vram)|quelle memoire", 2.0),
            (r"faire tourner|tourner sur|executer\b.{0,40}\bsur\b", 3.0),
            (r"contexte max\w*|batch maximal", 3.0),
        ),
        "zh": (
            (r"显存|内存|缓存有多大|缓存大小", 4.0),
            (r"占用|放得下|放进|放不下|装得下|跑得动|能跑|能不能跑|跑.{0,20}吗", 3.0),
            (r"多少|多大", 1.0),
            (r"多少显存|多少内存|显存多少|需要多少", 2.0),
            (r"最长|最大批量|最大 batch", 3.0),
        ),
    },
    signals={"memory": 2.0, "gpu": 1.0, "model": 0.5, "length": 0.3, "kv_precision": 0.5, "size_without_model": -6.0},
    readers=("context", "batch", "gpu_fit", "kv_dtype", "weights_dtype"),
    fallback_rank=0,  # the field's most common question: offered first when nothing matched
)

CAPABILITY = Recipe(
    id="memory",
    name="Memory and fit",
    description="How much memory a model needs (weights, KV cache, activations) and whether it fits a GPU",
    category="memory",
    sections=("§19",),
    params=(CONTEXT, BATCH, GPU, TP, ENGINE, KV_DTYPE, WEIGHTS_DTYPE),
    compute=compute,
    examples=("How much VRAM does Llama-3-8B need for 32k context?", "Will Mixtral fit on my 24 GB card?"),
    ask=ASK,
)
