"""How to measure γ (``taf diagnose``, ``taf sweep``), as an answer: the commands to run, for a named model or
for your own checkpoint, and how a measurement then enters every verdict (``--diagnosis``).

Nothing is measured here (the core has no PyTorch); the answer is the exact command lines, which the CLI
parses (a test runs each through ``taf``'s own argument parser).
"""

from __future__ import annotations

import shlex

from tafagent.core.audit import ConfidenceCheck, RecipeResult, Step
from tafagent.core.evidence import Evidence, EvidenceNote
from tafagent.core.messages import Msg
from tafagent.core.recipes.ask_spec import AskSpec
from tafagent.core.recipes.base import Param, Recipe, RecipeContext

SCOPE = Param(
    "scope",
    "str",
    "one model, a sweep over a list of models (local GPUs or a Ray cluster), or per-layer/per-head γ",
    "one",
    options=("one", "sweep", "per_head"),
)
DISTANCE = Param(
    "max_distance", "int", "the longest distance to measure (long context needs a GPU)", None, optional=True,
    minimum=16, maximum=2**21, unit="tokens",
)  # fmt: skip
YOUR_MODEL = "./my-model"  # a placeholder the answer says to replace


def commands(model: str, scope: str, max_distance: int | None) -> list[str]:
    """The command lines of the answer, shell-quoted."""
    target = shlex.quote(model)
    stem = model.rstrip("/").split("/")[-1] or "model"
    out = shlex.quote(f"{stem}.diagnosis.json")
    if scope == "sweep":
        return [
            "pip install 'tafagent[diagnose,sweep]'",
            f"printf '%s\\n' {target} > models.txt",
            "taf sweep models.txt --out sweep-results --corpus both --ray auto",
            "taf validate --panel sweep-results",
        ]
    measure = f"taf diagnose {target} --fast --out {out}"
    if max_distance is not None:
        measure += f" --distances 10,100,1000,{max_distance}"
    if scope == "per_head":
        measure += " --per-head"
    return ["pip install 'tafagent[diagnose]'", measure, f"taf profile {target} --diagnosis {out}"]


def compute(ctx: RecipeContext) -> RecipeResult:
    model = ctx.model.model_id if ctx.model is not None else YOUR_MODEL
    lines = commands(model, ctx["scope"], ctx["max_distance"])
    step = Step(
        1,
        "§33",
        "Commands",
        "taf diagnose → a diagnosis file → taf profile --diagnosis",
        {"model": model, "scope": ctx["scope"]},
        lines,
        "",
        " && ".join(lines[1:]),
        EvidenceNote(Evidence.EXACT, "the tool's own command line"),
    )
    taf_lines = [line for line in lines if line.startswith("taf ")]
    reason = Msg(f"diagnose.{ctx['scope']}.reason", model=model, command=taf_lines[0])
    action = Msg("diagnose.sweep.action" if ctx["scope"] == "sweep" else "diagnose.action", command=taf_lines[-1])
    checks = [
        ConfidenceCheck(
            "measurement",
            "ok",
            "a measured γ outranks the closed form in every verdict",
            note_msg=Msg("cap.check.measurement"),
        )
    ]
    return ctx.result([step], "HOW-TO", reason, action, [], checks)


# How-to questions ("how do I measure γ?"); a question that reports a measured γ asks for its interpretation
# so a γ value written in the question weighs against this answer.
ASK = AskSpec(
    cues={
        "en": (
            (r"measur(?:e|ing)\b|diagnos(?:e|ing|is)\b", 3.0),
            (r"taf diagnose", 2.0),
            (r"attention decay|decay exponent|gamma|γ", 1.5),
            (r"my own (?:checkpoint|model)|my checkpoint|per[- ]head|gamma field|sweep", 1.5),
            (r"cluster|ray\b|many models|list of models", 1.0),
        ),
        "es": ((r"medir|mido|diagnosticar", 3.0), (r"decaimiento", 1.5), (r"por cabeza|varios modelos", 1.0)),
        "fr": ((r"mesurer|diagnostiquer", 3.0), (r"decroissance", 1.5), (r"par tete|plusieurs modeles", 1.0)),
        "zh": ((r"怎么测|如何测|测量|测定|诊断|测一下", 3.0), (r"衰减", 1.5), (r"每个注意力头|集群|多个模型", 1.0)),
    },
    signals={"model": 0.3, "gamma": -4.0, "gamma_random": -4.0, "gamma_text_and_random": -4.0, "delta_gamma": -4.0},
    readers=("diagnose_scope",),
)


CAPABILITY = Recipe(
    id="diagnose",
    name="Measure γ",
    description="How to measure a model's attention decay γ and use it in every verdict",
    category="measurement",
    sections=("§33",),
    params=(SCOPE, DISTANCE),
    compute=compute,
    examples=("How do I measure γ for my own checkpoint?",),
    ask=ASK,
)
