"""Recipe-side use of the context evidence ladder (core.recipes.context_evidence): inputs from a recipe's
context, the audit step that shows every rung, and the verdict, reason and checks of X-2 (X-19 reuses the step)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from tafagent.core.audit import ConfidenceCheck, JoinedMsg, RecipeResult, Step
from tafagent.core.evidence import Evidence, EvidenceNote
from tafagent.core.gamma_source import choose_gammas
from tafagent.core.messages import Msg
from tafagent.core.recipes.base import Caveat, RecipeContext
from tafagent.core.recipes.context_evidence import LadderDecision, LadderInputs, ceiling_from, length_series
from tafagent.core.spec.context_facts import context_facts

Status = Literal["ok", "warn", "miss"]

__all__ = ["ladder_inputs", "ladder_result", "ladder_step", "measured_gamma", "usable_tokens"]

_RUNG_EVIDENCE = {
    "measurement": EvidenceNote(Evidence.DERIVED, "a published or shipped long-context score of this model"),
    "context_facts": EvidenceNote(Evidence.EXACT, "the model's trained or validly extended context length"),
    "measured_gamma": EvidenceNote(Evidence.EXPLORATORY, "horizon of a measured γ (`taf validate --law niah_ceiling`)"),
    "closed_form": EvidenceNote(Evidence.EXPLORATORY, "closed-form horizon (D-NEW-1: d_horizon ≡ T without δ terms)"),
}
_RUNG_CHECK: dict[str, Status] = {
    "measurement": "ok",
    "context_facts": "ok",
    "measured_gamma": "warn",
    "closed_form": "miss",
}


def measured_gamma(ctx: RecipeContext) -> tuple[float | None, str]:
    """(γ, where it comes from): the γ passed in (by the user, the card or `taf recipe`), else — unless the
    closed form is asked for — the shipped panel's measurement of this exact model (core.gamma_source)."""
    given = ctx["gamma_obs"]
    if given is not None:
        label = ctx.values.get("gamma_source") or "γ you gave"
        return given, str(label)
    if ctx.values.get("closed_form") or ctx.model is None:
        return None, ""
    choice = choose_gammas(ctx.model)["text"]
    return (None, "") if choice is None else (choice.value, choice.label)


def usable_tokens(ctx: RecipeContext) -> tuple[int | None, str]:
    """The longest trained (or validly extended) length and where it comes from; a default T_train is no fact."""
    source = ctx.sources.get("T_train", "default")
    if source == "default":
        return None, ""
    if ctx.model is not None and source.startswith("model"):
        facts = context_facts(ctx.model)  # rope scaling, sliding windows and the published training length
        # trained, or extended as a model card or paper documents; a RoPE extension in the config alone is not a
        # trained length (it is `untuned_extension`, weighed by the ladder as degradation)
        known = [t for t in (facts.trained_tokens, facts.validated_tokens) if t is not None]
        if known:
            return max(known), _short(facts.validated_source or facts.trained_source)
    return int(ctx["T_train"]), "T_train you gave" if source == "user" else f"T_train ({source})"


def untuned_extension(ctx: RecipeContext, usable: int | None) -> int | None:
    """The config's RoPE extension when it reaches past the usable length and nothing documents it."""
    if ctx.model is None or not ctx.sources.get("T_train", "default").startswith("model"):
        return None
    facts = context_facts(ctx.model)
    extended = facts.extended_tokens
    if extended is None or facts.validated_tokens is not None or (usable is not None and extended <= usable):
        return None
    return extended


def _short(source: str) -> str:
    """The first clause of a citation (the full one is in `taf spec`): 'Jiang et al. 2023, Mistral 7B, ...' → its
    authors and year."""
    for mark in (" (", ", ", " and "):
        source = source.split(mark, 1)[0]
    return source


def ladder_inputs(ctx: RecipeContext, gamma: float | None, label: str, closed_ceiling: float | None) -> LadderInputs:
    """Everything the ladder weighs for this recipe call. Measurements are of the model at its own θ, so a θ
    the user overrides (an NTK extension) leaves them out."""
    model = ctx.model
    native_theta = model is None or ctx.sources.get("theta", "").startswith("model") or ctx["theta"] == model.rope_theta
    series = length_series(model.model_id) if model is not None and native_theta else ()
    usable, usable_source = usable_tokens(ctx)
    return LadderInputs(
        untuned_extension_tokens=untuned_extension(ctx, usable),
        T_eval=int(ctx["T_eval"]),
        usable_tokens=usable,
        usable_source=usable_source,
        series=series,
        measured_gamma=gamma,
        measured_label=label,
        measured_ceiling=ceiling_from(ctx["theta"], gamma),
        closed_form_ceiling=closed_ceiling,
    )


def ladder_step(n: int, decision: LadderDecision) -> Step:
    """The audit line of the ladder: which rung decided, and what every rung found."""
    found = JoinedMsg(
        *(
            Msg("step.ladder.item", rung=Msg(f"x2.rung_name.{r.key}"), finding=r.finding)
            if r.verdict is None
            else Msg(
                "step.ladder.item_verdict",
                rung=Msg(f"x2.rung_name.{r.key}"),
                finding=r.finding,
                verdict=Msg(f"verdict.{r.verdict}"),
            )
            for r in decision.rungs
        )
    )
    return Step(
        n,
        "§26",
        "Evidence ladder",
        "measurement > context length > measured γ > closed form (first that decides)",
        {"rungs": [r.key for r in decision.rungs]},
        decision.verdict,
        "",
        "",
        _RUNG_EVIDENCE[decision.rung_key],
        interpretation_msg=Msg("step.ladder", rung=Msg(f"x2.rung_name.{decision.rung_key}"), found=found),
    )


def ladder_result(
    ctx: RecipeContext,
    chain: list[Step],
    decision: LadderDecision,
    chain_caveats: Sequence[Caveat],
    checks: list[ConfidenceCheck],
    gamma_label: str,
    ntk_advice: Msg,
) -> RecipeResult:
    """X-2's result from the ladder: the reason names the deciding rung (and the training context when past it)."""
    caveats: list[Caveat] = list(chain_caveats)
    rung = decision.decided_by
    reason = Msg("x2.ladder.reason", rung=Msg(f"x2.rung_name.{rung.key}"), finding=rung.finding)
    if decision.beyond_training:
        reason = Msg("x2.ladder.beyond_reason", reason=reason)
        caveats = [c for c in caveats if c != "x2_beyond_T_train"]
        caveats.insert(0, Msg("x2.caveat.beyond"))
    if decision.verdict == "YES":
        mitigation = Msg("none.required")
    elif decision.beyond_training:
        mitigation = Msg("x2.beyond.mitigation", ntk=ntk_advice)
    else:
        shorten = decision.verdict == "DEGRADED" or ntk_advice.key == "empty"
        mitigation = Msg("x2.degraded.mitigation") if shorten else ntk_advice
    checks = list(checks)
    rung_name = Msg(f"x2.rung_name.{rung.key}")
    checks.insert(0, ConfidenceCheck("evidence", _RUNG_CHECK[rung.key], rung_name.text(), rung_name))
    if gamma_label:
        checks.insert(1, ConfidenceCheck("measured γ", "ok", gamma_label))
    elif rung.key in ("measurement", "context_facts"):  # missing, but not what decided
        checks.insert(1, ConfidenceCheck("measured γ", "warn", "", Msg("x2.check.no_gamma")))
    else:
        checks.insert(1, ConfidenceCheck("measured γ", "miss", "", Msg("x2.check.no_gamma")))
    for concern in decision.concerns:
        checks.append(ConfidenceCheck("agreement", "warn", concern.text(), concern))
        caveats.append(concern)
    return ctx.result(chain, decision.verdict, reason, mitigation, caveats, checks)
