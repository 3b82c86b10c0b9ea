"""``ask(question)``: route, validate, run the recipe, and answer in plain words.

Never raises for any text: a question that cannot be routed, a model that cannot be resolved, or a
value out of range gives an :class:`AskResult` whose ``why`` or ``error`` says so (in one line, with a
hint), as the CLI contract requires. The numbers come from the recipe's audit chain only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from tafagent.core.ask.assist import (
    Assistant,
    parse_json_object,
    rephrase_prompt,
    routing_prompt,
    validate_choice,
    validate_rephrase,
)
from tafagent.core.ask.declared import get_declared, recipe_ids, spec_of
from tafagent.core.ask.reading import Note
from tafagent.core.ask.router import Route, route
from tafagent.core.ask.summary import fmt_number, render_note, strings, summarize
from tafagent.core.audit import RecipeResult
from tafagent.core.catalogs import Catalogs, default_catalogs
from tafagent.core.errors import LLMReplyError, TafError
from tafagent.core.messages import LANGUAGES
from tafagent.core.recipes.registry import run_declared
from tafagent.core.spec.model_spec import ModelSpec
from tafagent.core.spec.presets import find_preset

ModelLoader = Callable[[str], ModelSpec]

# Parameters whose default values are shown as counts ("8 billion") in `assumed`.
_COUNT_PARAMS = ("N_params", "n_params", "target_tokens_per_day")


@dataclass(frozen=True)
class AskResult:
    """The answer to one question (``to_dict()`` is the ``taf ask --json`` shape of DESIGN.md)."""

    question: str
    language: str  # language of the answer (and of `assumed`, `why`)
    recipe_id: str | None
    params: dict[str, Any]  # the recipe's inputs, typed
    param_sources: dict[str, str]  # question | preset | model | default | llm
    model: str | None  # preset id, Hub id, or None
    why: str | None  # why it could not route
    suggestions: tuple[dict[str, str], ...]  # likeliest recipes: recipe_id, name, reason
    assumed: tuple[str, ...]  # what was read or defaulted, in plain words
    result: RecipeResult | None
    answer: str  # the plain-language summary
    error: str | None = None  # why the routed recipe could not run
    route: Route | None = None

    @property
    def ok(self) -> bool:
        return self.result is not None and self.error is None

    def to_dict(self) -> dict[str, Any]:
        if self.recipe_id is None:
            return {
                "question": self.question,
                "recipe_id": None,
                "why": self.why,
                "suggestions": list(self.suggestions),
                "language": self.language,
                "assumed": list(self.assumed),
            }
        out: dict[str, Any] = {
            "question": self.question,
            "recipe_id": self.recipe_id,
            "params": dict(self.params),
            "param_sources": dict(self.param_sources),
            "result": self.result.to_dict() if self.result is not None else None,
            "model": self.model,
            "language": self.language,
            "assumed": list(self.assumed),
            "answer": self.answer,
        }
        if self.error is not None:
            out["error"] = self.error
        return out


def ask(
    question: str,
    *,
    model_loader: ModelLoader | None = None,
    catalogs: Catalogs | None = None,
    language: str | None = None,
    assistant: Assistant | None = None,
) -> AskResult:
    """Route ``question``, run the recipe (a preset's ModelSpec, or ``model_loader(hub_id)``) and answer.

    ``language`` (en/es/fr/zh) sets the answer's language; by default, the question's. ``assistant``
    (optional) may break a routing tie and rephrase the answer; its replies are validated first.
    """
    catalogs = catalogs or default_catalogs()
    text = question if isinstance(question, str) else str(question)
    routed = route(text, catalogs=catalogs)
    lang = language if language in LANGUAGES else routed.language
    if routed.recipe_id is None and assistant is not None:
        routed = _tie_break(text, routed, assistant, catalogs, list(routed.notes))
    notes = list(routed.notes)
    if routed.recipe_id is None:
        return _unrouted(text, routed, lang, notes)
    if routed.error is not None:
        return _failed(text, routed, lang, notes, routed.error)
    try:
        spec = _spec(routed, model_loader)
        result = run_declared(get_declared(routed.recipe_id), routed.params, model=spec, catalogs=catalogs)
    except TafError as exc:
        return _failed(text, routed, lang, notes, exc.one_line())
    sources = _sources(result, routed)
    notes += _default_notes(result, sources, lang)
    answer = _answer(result, routed, sources, lang)
    if assistant is not None and answer:
        try:
            reply = assistant.complete(rephrase_prompt(lang), answer)
            answer = validate_rephrase(answer, reply)
            notes.append(Note("llm_rephrased"))
        except Exception as exc:  # any assistant failure leaves the deterministic answer in place
            notes.append(Note("llm_rejected", {"reason": _reason_text(exc)}))
    return AskResult(
        question=text,
        language=lang,
        recipe_id=result.recipe_id,
        params=dict(result.inputs),
        param_sources=sources,
        model=routed.model,
        why=None,
        suggestions=(),
        assumed=tuple(render_note(n.key, n.values, lang) for n in notes),
        result=result,
        answer=answer,
        route=routed,
    )


def _unrouted(text: str, routed: Route, lang: str, notes: list[Note]) -> AskResult:
    """No recipe leads clearly: why, and the likeliest recipes."""
    return AskResult(
        question=text,
        language=lang,
        recipe_id=None,
        params={},
        param_sources={},
        model=routed.model,
        why=render_note(routed.why.key, routed.why.values, lang, "why") if routed.why else None,
        suggestions=tuple(_suggestion(s.recipe_id, s.reason, lang) for s in routed.suggestions),
        assumed=tuple(render_note(n.key, n.values, lang) for n in notes),
        result=None,
        answer="",
        route=routed,
    )


def _failed(text: str, routed: Route, lang: str, notes: list[Note], message: str) -> AskResult:
    """Routed, but the recipe cannot run: a model that cannot be resolved, a value out of range."""
    return AskResult(
        question=text,
        language=lang,
        recipe_id=routed.recipe_id,
        params=dict(routed.params),
        param_sources={k: routed.param_origin.get(k, "question") for k in routed.params},
        model=routed.model,
        why=None,
        suggestions=(),
        assumed=tuple(render_note(n.key, n.values, lang) for n in notes),
        result=None,
        answer="",
        error=message,
        route=routed,
    )


def _answer(result: RecipeResult, routed: Route, sources: dict[str, str], lang: str) -> str:
    """The plain-language summary; it says so when the model (θ) or the model size was a default."""
    spec = spec_of(result.recipe_id)
    no_model = routed.model is None
    default_model = spec.needs_theta and no_model and sources.get("theta") == "default"
    default_size = spec.default_size_note and no_model and sources.get(spec.size_param) == "default"
    model = None if result.recipe_id == "compare" else routed.model  # a comparison names its models itself
    return summarize(result, lang, model=model, default_model=default_model, default_size=default_size)


def _spec(routed: Route, model_loader: ModelLoader | None) -> ModelSpec | None:
    if routed.model is None:
        return None
    if routed.model_is_preset:
        preset = find_preset(routed.model)
        if preset is not None:
            return preset.spec()
    if model_loader is None:
        raise TafError(
            f"the model '{routed.model}' must be loaded from the Hugging Face Hub",
            "pass model_loader= (the CLI's `taf ask` does), or name an embedded preset",
        )
    return model_loader(routed.model)


def _sources(result: RecipeResult, routed: Route) -> dict[str, str]:
    """The recipe's input sources in ask's vocabulary: question, preset, model, default, llm."""
    out: dict[str, str] = {}
    for name, source in result.input_sources.items():
        if source == "user":
            out[name] = routed.param_origin.get(name, "question")
        elif source.startswith("model"):
            out[name] = "preset" if routed.model_is_preset else "model"
        else:
            out[name] = "default"
    return out


def _default_notes(result: RecipeResult, sources: dict[str, str], lang: str) -> list[Note]:
    """The defaults the recipe declares worth announcing (the others are in the parameter table)."""
    spec = spec_of(result.recipe_id)
    if spec.defaults_matter_with is not None and result.inputs.get(spec.defaults_matter_with) is None:
        return []
    notes = []
    for name in spec.announced_defaults:
        source, value = sources.get(name), result.inputs.get(name)
        if source == "default":
            shown = value
            if isinstance(value, (int, float)) and not isinstance(value, bool) and name in _COUNT_PARAMS:
                shown = fmt_number(value, "count", lang)
            notes.append(Note(f"default.{name}", {"value": shown} if value is not None else {}))
        elif source in ("preset", "model") and name == "T_eval":
            notes.append(Note("model.T_eval", {"value": value}))
    return notes


def _suggestion(recipe_id: str, reason: Note, lang: str) -> dict[str, str]:
    return {
        "recipe_id": recipe_id,
        "name": strings(lang)["recipes"].get(recipe_id, get_declared(recipe_id).name),
        "reason": render_note(reason.key, reason.values, lang, "reasons"),
    }


def _tie_break(question: str, routed: Route, assistant: Assistant, catalogs: Catalogs, notes: list[Note]) -> Route:
    """Ask the assistant to choose among the candidates; a valid choice re-routes with that recipe."""
    tie = routed.why is not None and routed.why.key == "why.tie"
    candidates = [s.recipe_id for s in routed.suggestions] if tie else list(recipe_ids())
    try:
        reply = assistant.complete(routing_prompt(candidates), question, json_mode=True)
        rid, llm_params = validate_choice(parse_json_object(reply), candidates)
    except Exception as exc:  # the deterministic "cannot route" answer stands
        return replace(routed, notes=(*notes, Note("llm_rejected", {"reason": _reason_text(exc)})))
    forced = route(question, catalogs=catalogs, recipe_id=rid)
    params = dict(forced.params)
    origin = dict(forced.param_origin)
    extra = [Note("llm_recipe")]
    for name, value in llm_params.items():
        if name not in params:  # what the question states always wins over the LLM's reading
            params[name] = value
            origin[name] = "llm"
            extra.append(Note("llm_param", {"param": name, "value": value}))
    return replace(forced, params=params, param_origin=origin, notes=(*forced.notes, *extra))


def _reason_text(exc: BaseException) -> str:
    if isinstance(exc, TafError):
        return exc.message
    return f"{type(exc).__name__}: {exc}"[:200]


__all__ = ["AskResult", "LLMReplyError", "ModelLoader", "ask"]
