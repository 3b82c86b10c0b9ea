"""Two or three named models on one recipe, as an answer ("Llama-3-8B or Mistral-7B for 32k retrieval?"):
:func:`tafagent.core.compare.compare`'s rows, one step per model, with each row's verdict."""

from __future__ import annotations

from tafagent.core.audit import ConfidenceCheck, RecipeResult, Step
from tafagent.core.compare import compare
from tafagent.core.errors import ParameterError
from tafagent.core.evidence import Evidence, EvidenceNote
from tafagent.core.messages import Msg
from tafagent.core.recipes.ask_spec import AskSpec
from tafagent.core.recipes.base import Param, Recipe, RecipeContext
from tafagent.core.spec.model_spec import ModelSpec
from tafagent.core.spec.presets import find_preset

MODELS = Param("models", "str", "two or three embedded models, comma-separated", None, optional=True)
RECIPE = Param("recipe", "str", "the recipe to compare them on", "X-2")
T_EVAL = Param("T_eval", "int", "context length for the long-context recipes", None, optional=True, minimum=1,
               maximum=2**31, unit="tokens")  # fmt: skip
DAILY = Param("target_tokens_per_day", "float", "daily token volume for X-5", None, optional=True, minimum=1,
              maximum=1e15, unit="tokens/day")  # fmt: skip


def _specs(models: str | None) -> list[ModelSpec]:
    names = [m.strip() for m in (models or "").split(",") if m.strip()]
    specs = []
    for name in names:
        preset = find_preset(name)
        if preset is None:
            raise ParameterError(
                f"'{name}' is not an embedded model", "compare Hub models with `taf compare A B`", field="models"
            )
        specs.append(preset.spec())
    if not 2 <= len(specs) <= 3:
        raise ParameterError("compare needs two or three models", "name two or three models", field="models")
    return specs


def compute(ctx: RecipeContext) -> RecipeResult:
    specs = _specs(ctx["models"])
    shared = {k: ctx[k] for k in ("T_eval", "target_tokens_per_day") if ctx[k] is not None}
    comparison = compare(specs, ctx["recipe"], shared, ctx.catalogs)
    chain = [
        Step(
            n,
            result.chain[-1].section if result.chain else "",
            spec.model_id,
            f"{comparison.recipe_id} on {spec.model_id}",
            dict(comparison.shared_params),
            {"verdict": result.verdict, "reason": result.reason},
            "",
            evidence=result.chain[-1].evidence
            if result.chain
            else EvidenceNote(Evidence.DERIVED, "the recipe's verdict"),
            interpretation_msg=Msg(
                "cap.step.x2_after",
                verdict=Msg(f"verdict.{result.verdict}"),
                reason=result.reason_msg if result.reason_msg is not None else result.reason,
            ),
        )
        for n, (spec, result) in enumerate(comparison.rows, 1)
    ]
    rows = [Msg("compare.row", model=spec.model_id, verdict=Msg(f"verdict.{r.verdict}")) for spec, r in comparison.rows]
    listing = Msg(
        "compare.rows3" if len(rows) == 3 else "compare.rows2", **{f"r{i}": row for i, row in enumerate(rows)}
    )
    reason = Msg("compare.reason", recipe=Msg(f"recipe.{comparison.recipe_id}"), rows=listing)
    action = Msg("compare.action", command="taf compare " + " ".join(s.model_id for s in specs))
    checks = [
        ConfidenceCheck(
            spec.model_id,
            "ok",
            f"{result.verdict} ({result.confidence.band})",
            note_msg=Msg(
                "cap.check.verdict_band",
                verdict=Msg(f"verdict.{result.verdict}"),
                band=Msg(f"card.band.{result.confidence.band}"),
            ),
        )
        for spec, result in comparison.rows
    ]
    return ctx.result(chain, "COMPARED", reason, action, [], checks)


ASK = AskSpec(
    cues={
        "en": ((r"compare\w*|comparison|versus|\bvs\.?|which (?:is|one)|better|or\b", 1.5),),
        "es": ((r"compar\w*|frente a|cual es mejor|\bo\b", 1.5),),
        "fr": ((r"compar\w*|lequel|meilleur|\bou\b", 1.5),),
        "zh": ((r"比较|对比|哪个|还是|和.*相比", 1.5),),
    },
    signals={},
    readers=("compare_models", "length", "daily_volume"),
)

CAPABILITY = Recipe(
    id="compare",
    name="Compare models",
    description="Two or three named models on one recipe",
    category="compare",
    sections=(),
    params=(MODELS, RECIPE, T_EVAL, DAILY),
    compute=compute,
    examples=("Compare Llama-3-8B and Mistral-7B for 32k retrieval",),
    ask=ASK,
)
