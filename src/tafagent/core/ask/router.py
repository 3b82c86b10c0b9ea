"""Deterministic question → recipe + typed parameters, with no model weights and no network.

``route(question)`` reads the names (presets, Hub ids, GPUs, APIs) and the quantities in the question
(:mod:`~tafagent.core.ask.reading`), scores every askable recipe on its own intent cues and signals
(:mod:`~tafagent.core.ask.intent`), and routes when one recipe leads clearly (score ≥ ``MIN_SCORE`` and
ahead by ≥ ``MIN_MARGIN``). Otherwise it says why and offers the likeliest two or three. Parameters are
read as the recipe declares and validated with the registry's own :func:`coerce` before anything runs
(:mod:`~tafagent.core.ask.parameters`); every reading that is a convention (32K = 32,000, a month =
30 days, € treated as $) is reported as a :class:`Note`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tafagent.core.ask.declared import askable, get_declared, is_capability, spec_of
from tafagent.core.ask.intent import score
from tafagent.core.ask.lexicon import Entity
from tafagent.core.ask.parameters import assign, overflow_error, validate
from tafagent.core.ask.quantities import Quantity
from tafagent.core.ask.reading import Note, Reading, read
from tafagent.core.catalogs import Catalogs, default_catalogs

MIN_SCORE = 2.0  # below this no recipe is recognised
MIN_MARGIN = 1.0  # the leader must be this far ahead of the runner-up
# capabilities whose question, asked of two models, is a comparison of X-5's serving plans
SERVING_CAPABILITIES = ("plan", "launch", "memory")


@dataclass(frozen=True)
class Suggestion:
    recipe_id: str
    reason: Note
    score: float


@dataclass(frozen=True)
class Route:
    """Where a question goes: a recipe and the parameters read from the question, or why not."""

    question: str
    language: str
    recipe_id: str | None
    params: dict[str, Any]  # typed, validated values taken from the question
    model: str | None  # preset id or Hub id
    model_is_preset: bool
    notes: tuple[Note, ...]
    why: Note | None = None
    suggestions: tuple[Suggestion, ...] = ()
    scores: dict[str, float] = field(default_factory=dict)
    error: str | None = None  # why the routed recipe cannot run (unknown model, value out of range)
    param_origin: dict[str, str] = field(default_factory=dict)  # param → "question" (or "llm")
    entities: tuple[Entity, ...] = ()
    quantities: tuple[Quantity, ...] = ()


def route(question: str, *, catalogs: Catalogs | None = None, recipe_id: str | None = None) -> Route:
    """Route one question (pure and deterministic). ``recipe_id`` forces the recipe (e.g. an LLM tie-break)."""
    catalogs = catalogs or default_catalogs()
    reading = read(question, catalogs)
    scores, hits = score(reading)
    order = [rid for rid, _spec in askable()]  # list order breaks ties
    ranked = sorted(order, key=lambda rid: (-scores.get(rid, 0.0), order.index(rid)))
    notes: list[Note] = [Note("truncated")] if reading.prepared.truncated else []
    model, model_is_preset = _model(reading, notes)
    common: dict[str, Any] = {
        "question": question,
        "language": reading.language,
        "model": model,
        "model_is_preset": model_is_preset,
        "scores": {rid: round(scores.get(rid, 0.0), 3) for rid in order},
        "entities": (*reading.models, *reading.unknown_models, *reading.gpus, *reading.unknown_gpus, *reading.apis),
        "quantities": tuple(reading.quantities),
    }
    comparison = _comparison(reading, hits, ranked) if recipe_id is None else None
    if comparison is not None:
        recipe_id, compared = "compare", comparison
    if recipe_id is None:
        top, second = scores.get(ranked[0], 0.0), scores.get(ranked[1], 0.0) if len(ranked) > 1 else 0.0
        if top < MIN_SCORE or top - second < MIN_MARGIN:
            why = _why_not(reading, ranked, scores, top)
            suggestions = tuple(
                Suggestion(rid, _reason(rid, hits.get(rid, [])), round(scores.get(rid, 0.0), 3))
                for rid in _likeliest(ranked, scores, top)
            )
            return Route(recipe_id=None, params={}, notes=tuple(notes), why=why, suggestions=suggestions, **common)
        recipe_id = ranked[0]
    recipe_id = get_declared(recipe_id).id
    params, error = assign(recipe_id, spec_of(recipe_id), reading, model, notes)
    if recipe_id == "compare" and comparison is not None:
        params["recipe"] = compared
    params, error = validate(recipe_id, params, error or overflow_error(recipe_id, reading))
    return Route(
        recipe_id=recipe_id,
        params=params,
        notes=tuple(notes),
        error=error,
        param_origin=dict.fromkeys(params, "question"),
        **common,
    )


def _comparison(reading: Reading, hits: dict[str, list[str]], ranked: list[str]) -> str | None:
    """Two or three embedded models named with a comparison word ("vs", "compare", "or", "哪个") make a
    comparison, on the recipe the rest of the question points at (X-2 when none does); None otherwise."""
    named = {e.value for e in reading.models if e.kind == "preset"}
    if not 2 <= len(named) <= 3 or not hits.get("compare"):
        return None
    leading = next((rid for rid in ranked if rid != "compare"), None)
    if leading in SERVING_CAPABILITIES and hits.get(leading):
        return "X-5"  # "which is cheaper to serve": serving cost, X-5's plan for each model
    recipes = [rid for rid in ranked if not is_capability(rid)]
    return recipes[0] if recipes and hits.get(recipes[0]) else "X-2"


def _likeliest(ranked: list[str], scores: dict[str, float], top: float) -> list[str]:
    picked = [rid for rid in ranked if scores.get(rid, 0.0) > 0 and scores[rid] >= top - 2.5][:3]
    for rid in _most_asked():  # when nothing matched
        if len(picked) >= 2:
            break
        if rid not in picked:
            picked.append(rid)
    return picked


def _most_asked() -> list[str]:
    """The recipes offered when nothing matched: those with an ``AskSpec.fallback_rank``, by rank."""
    ranked = [(spec.fallback_rank, rid) for rid, spec in askable() if spec.fallback_rank is not None]
    return [rid for _rank, rid in sorted(ranked)]


def _why_not(reading: Reading, ranked: list[str], scores: dict[str, float], top: float) -> Note:
    if top < MIN_SCORE:
        named = reading.named_models
        if named:
            return Note(
                "why.model_only", {"model": named[0].value if named[0].kind != "unknown_model" else named[0].text}
            )
        return Note("why.none")
    return Note("why.tie", {"a": ranked[0], "b": ranked[1]})


def _reason(rid: str, words: list[str]) -> Note:
    shown = [w for w in dict.fromkeys(words) if w][:3]
    if not shown:
        return Note(f"reason.default.{rid}")
    return Note("reason.cues", {"recipe": rid, "cues": shown})


# ---- model -------------------------------------------------------------------------------------------
def _model(reading: Reading, notes: list[Note]) -> tuple[str | None, bool]:
    distinct = list(dict.fromkeys(e.value for e in reading.models))
    if not distinct:
        return None, False
    first = next(e for e in reading.models if e.value == distinct[0])
    if first.chosen_from:
        notes.append(Note("family_model", {"text": first.text, "model": first.value, "others": first.chosen_from}))
    elif first.loose:
        notes.append(Note("loose_model", {"text": first.text, "model": first.value}))
    if len(distinct) > 1:
        notes.append(Note("several_models", {"model": distinct[0], "others": distinct[1:]}))
    return first.value, first.kind == "preset"
