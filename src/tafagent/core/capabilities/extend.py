"""Context extension as an answer ("how do I extend Llama-3-8B to 32k?", "what YaRN factor for 128K?"):
:func:`tafagent.core.extend.plan_extension`'s block, flags, memory and X-2 verdict, laid out as steps.

Context targets are written in binary thousands by model cards and configs (32K = 32,768); ``taf ask`` reads
"32k" as 32,000, so a round decimal target that is a power of two in thousands is taken as the binary length
(32,000 → 32,768) and the step says so.
"""

from __future__ import annotations

from tafagent.core.audit import ConfidenceCheck, RecipeResult, Step
from tafagent.core.capabilities.memory import model_required
from tafagent.core.evidence import Evidence, EvidenceNote
from tafagent.core.extend import METHODS, ExtensionPlan, extended_spec, plan_extension
from tafagent.core.extend.plan import literature_msg
from tafagent.core.messages import Msg
from tafagent.core.recipes.ask_spec import AskSpec
from tafagent.core.recipes.base import Param, Recipe, RecipeContext
from tafagent.core.recipes.registry import run_recipe
from tafagent.core.render.format import GIB

TO = Param("to", "int", "the context length to reach", None, optional=True, minimum=1, maximum=2**31, unit="tokens")
METHOD = Param("method", "str", "the RoPE scaling method", "yarn", options=METHODS)


def binary_target(tokens: int) -> int:
    """32,000 → 32,768 (a decimal 'K' that means a power-of-two length); any other length unchanged."""
    thousands, rest = divmod(tokens, 1000)
    if rest == 0 and thousands > 0 and thousands & (thousands - 1) == 0:
        return thousands * 1024
    return tokens


def compute(ctx: RecipeContext) -> RecipeResult:
    model_required(ctx)
    assert ctx.model is not None
    if ctx["to"] is None:
        from tafagent.core.errors import ParameterError

        raise ParameterError("extend needs a target length", "say the length to reach, e.g. 'to 32k'", field="to")
    target = binary_target(ctx["to"])
    plan = plan_extension(ctx.model, target, ctx["method"])
    after = run_recipe("X-2", {"T_eval": target}, model=extended_spec(ctx.model, plan.block))
    untuned = run_recipe("X-2", {"T_eval": target}, model=ctx.model)
    chain = _steps(plan, ctx["to"], target, after)
    reason = Msg(
        "extend.reason",
        method=plan.block.method,
        factor=plan.block.factor,
        base=plan.block.base_tokens,
        target=target,
        verdict=Msg(f"verdict.{after.verdict}"),
        untuned=Msg(f"verdict.{untuned.verdict}"),
    )
    action = Msg("extend.action", command=plan.vllm.text)
    # the literature's note on running it untuned, in the user's language (serving.lit.<method>.without_fine_tuning)
    untuned_note = literature_msg(plan.block.method, "without_fine_tuning")
    checks = [ConfidenceCheck("without fine-tuning", "warn", str(plan.literature.without_fine_tuning), untuned_note)]
    # X-2's caveats keep their messages, so the extension's answer shows them in the user's language
    caveats = [(c, after.caveat_msgs[c]) if c in after.caveat_msgs else c for c in after.caveats]
    return ctx.result(chain, after.verdict, reason, action, caveats, checks)


def _steps(plan: ExtensionPlan, written: int, target: int, after: RecipeResult) -> list[Step]:
    block = plan.block
    read_as = Msg("cap.read_as", written=written, target=target) if written != target else ""
    memory = plan.memory
    commands = [plan.vllm.text] + ([plan.llama_cpp.text] if plan.llama_cpp else [])
    return [
        Step(
            1,
            "§26.4",
            "Scaling block",
            "factor = target / trained length",
            {"method": block.method, "base_tokens": block.base_tokens, "target_tokens": target},
            block.to_dict(),
            "",
            evidence=EvidenceNote(Evidence.EXACT, "the transformers rope schema of the installed version"),
            interpretation_msg=Msg(
                "cap.step.block",
                method=block.method,
                factor=f"{block.factor:g}",
                base_tokens=block.base_tokens,
                source=plan.base_source,
                read_as=read_as,
            ),
        ),
        Step(
            2,
            "§26.4",
            "Engine flags",
            "vLLM --hf-overrides / llama.cpp --rope-scaling",
            {},
            commands,
            "",
            " | ".join(commands),
            EvidenceNote(Evidence.EXACT, "the engines' argument parsers"),
        ),
        Step(
            3,
            "§19.1",
            "Memory at the new length",
            "weights + one sequence's KV cache at the target",
            {"engine": memory["engine"], "batch": 1},
            memory["total_bytes"],
            "bytes",
            "",
            evidence=EvidenceNote(Evidence.EXACT, "the memory engine (vLLM paging)"),
            law="kv_cache",
            interpretation_msg=Msg(
                "cap.step.memory_at",
                gib=memory["total_bytes"] / GIB,
                tokens=target,
                kv_gib=memory["kv_bytes"] / GIB,
            ),
        ),
        Step(
            4,
            "§26.5",
            "X-2 at the new length",
            "the long-context verdict on the patched config (not fine-tuned)",
            {"T_eval": target},
            {"verdict": after.verdict, "reason": after.reason},
            "",
            evidence=after.chain[-1].evidence if after.chain else EvidenceNote(Evidence.DERIVED, "X-2"),
            interpretation_msg=Msg(
                "cap.step.x2_after",
                verdict=Msg(f"verdict.{after.verdict}"),
                reason=after.reason_msg if after.reason_msg is not None else after.reason,
            ),
        ),
    ]


ASK = AskSpec(
    cues={
        "en": (
            (r"extend\w*|extnd|exend|extension|stretch\w*|expand\w*|increase the context", 4.5),
            (r"yarn|rope[_ ]?scaling|longrope|ntk|position interpolation|linear scaling|llama3[- ]style", 3.0),
            (r"factor|config|settings|how (?:do|can) (?:i|we)|how to", 1.0),
            # whether to extend at all is X-2's question (does it work at that length?)
            (
                r"or extend|extend (?:it )?first|before extending|should i extend|do i need to extend|"
                r"conviene extender|hace falta extender|faut-il etendre|dois-je etendre|要不要扩展|需要扩展吗",
                -4.5,
            ),
        ),
        "es": (
            (r"extiendo|ampliar|alargar|llevar\b.{0,30}\ba \d", 4.5),
            (r"escalado|factor\b", 1.0),
        ),
        "fr": (
            (r"etendre|etends|allonger|porter\b.{0,30}\ba \d|amener\b.{0,30}\ba \d", 4.5),
            (r"facteur|mise a l'echelle", 1.0),
        ),
        "zh": ((r"扩展|延长|拉长|扩充", 4.5), (r"因子|插值|缩放", 1.0)),
    },
    signals={"length": 0.5, "model": 0.5},
    readers=("extend_target",),
)

CAPABILITY = Recipe(
    id="extend",
    name="Extend the context",
    description="The rope_scaling block, engine flags, memory and verdict for a longer context",
    category="long-context",
    sections=("§26",),
    params=(TO, METHOD),
    compute=compute,
    examples=("How do I extend Llama-3-8B to 32k context?",),
    ask=ASK,
)
