"""Deterministic question → recipe + typed parameters, with no model weights and no network.

``route(question)`` reads the names (presets, Hub ids, GPUs, APIs) and the quantities in the question,
scores the eight recipes on weighted intent cues (four languages) plus what the quantities suggest
(money → X-3, tokens per day → X-5, an API → X-1, γ on text and random → X-23, ...), and routes when
one recipe leads clearly (score ≥ ``MIN_SCORE`` and ahead by ≥ ``MIN_MARGIN``). Otherwise it says why
and offers the likeliest two or three. Parameters are converted to each recipe's unit and validated
with the registry's own :func:`coerce` before anything runs; every reading that is a convention
(32K = 32,000, a month = 30 days, € treated as $) is reported as a :class:`Note`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tafagent.core.ask import lexicon
from tafagent.core.ask.lexicon import Entity
from tafagent.core.ask.quantities import Quantity, extract, per_day, per_month
from tafagent.core.ask.text import detect_language, mask, prepare
from tafagent.core.catalogs import Catalogs, default_catalogs
from tafagent.core.errors import TafError
from tafagent.core.recipes import get_recipe
from tafagent.core.recipes.base import coerce

MIN_SCORE = 2.0  # below this no recipe is recognised
MIN_MARGIN = 1.0  # the leader must be this far ahead of the runner-up
ARCHITECTURE_RECIPES = ("X-2", "X-19", "X-21", "X-22")  # need θ: a model or an explicit θ
RECIPE_ORDER = ("X-1", "X-2", "X-3", "X-5", "X-19", "X-21", "X-22", "X-23")
_SIZE_PARAM = {"X-1": "N_params", "X-3": "N_params", "X-5": "N_params"}  # the others name it n_params


def size_param(recipe_id: str) -> str:
    """The name of ``recipe_id``'s model-size parameter (N_params or n_params)."""
    return _SIZE_PARAM.get(recipe_id, "n_params")


@dataclass(frozen=True)
class Note:
    """Something the router read or assumed, rendered in the answer's language (``ask_<lang>.json``)."""

    key: str
    values: dict[str, Any] = field(default_factory=dict)


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


@dataclass
class _Reading:
    """Everything recognised in one question."""

    models: list[Entity]
    unknown_models: list[Entity]
    gpus: list[Entity]
    unknown_gpus: list[Entity]
    apis: list[Entity]
    quantities: list[Quantity]

    def of(self, kind: str) -> list[Quantity]:
        return [q for q in self.quantities if q.kind == kind]


def read(question: str, catalogs: Catalogs) -> tuple[Any, str, _Reading, str]:
    """(prepared text, language, reading, masked text): the recognition step shared by route()."""
    prep = prepare(question)
    language = detect_language(prep.text, prep.low)
    taken: list[tuple[int, int]] = []
    hubs = lexicon.find_hub_ids(prep.text, taken)
    taken += [e.span for e in hubs]
    presets = lexicon.find_presets(prep.low, taken)
    taken += [e.span for e in presets]
    apis = lexicon.find_apis(prep.low, taken, catalogs)
    taken += [e.span for e in apis]
    gpus = lexicon.find_gpus(prep.low, taken, catalogs)
    taken += [e.span for e in gpus]
    mentions = lexicon.find_model_mentions(prep.low, taken)
    taken += [e.span for e in mentions]
    models = sorted([*hubs, *presets, *(m for m in mentions if m.kind == "preset")], key=lambda e: e.span)
    masked = mask(prep.low, taken)
    quantities = extract(masked, language, [g.span for g in gpus if g.kind == "gpu"])
    reading = _Reading(
        models=models,
        unknown_models=[m for m in mentions if m.kind == "unknown_model"],
        gpus=[g for g in gpus if g.kind == "gpu"],
        unknown_gpus=[g for g in gpus if g.kind == "unknown_gpu"],
        apis=apis,
        quantities=quantities,
    )
    return prep, language, reading, masked


# ---- intent --------------------------------------------------------------------------------------------
def score(masked: str, reading: _Reading) -> tuple[dict[str, float], dict[str, list[str]]]:
    """Cue scores plus what the recognised quantities and names point at."""
    scores, hits = lexicon.score_cues(masked)

    def add(rid: str, weight: float, why: str) -> None:
        scores[rid] = scores.get(rid, 0.0) + weight
        hits.setdefault(rid, []).append(why)

    kinds = {q.kind for q in reading.quantities}
    gammas = reading.of("gamma")
    qualifiers = {g.qualifier for g in gammas}
    if "length" in kinds:
        length_text = reading.of("length")[0].text
        add("X-2", 1.5, length_text)
        add("X-19", 0.5, length_text)
        add("X-5", 0.5, length_text)
    if reading.models or reading.unknown_models:
        add("X-2", 1.0 if "length" in kinds else 0.3, (reading.models or reading.unknown_models)[0].text)
        add("X-19", 0.2, (reading.models or reading.unknown_models)[0].text)
    for q in reading.of("money"):
        add("X-3", 3.0, q.text)
        add("X-1", 0.5, q.text)
        break
    for q in reading.of("gpu_price"):
        add("X-3", 0.5, q.text)
        add("X-1", 0.5, q.text)
        break
    for q in reading.of("volume"):
        if q.period in ("day", "hour", "second"):
            add("X-5", 2.5, q.text)
            add("X-1", 0.5, q.text)
        elif q.period in ("month", "year", "week"):
            add("X-1", 2.0, q.text)
            add("X-5", 1.0, q.text)
        break
    if reading.apis:
        api = max(reading.apis, key=lambda e: e.strength)
        add("X-1", 3.0 * api.strength, api.text)
    if reading.gpus or reading.unknown_gpus:
        gpu = (reading.gpus or reading.unknown_gpus)[0].text
        add("X-5", 1.0, gpu)
        add("X-3", 0.75, gpu)
        add("X-1", 0.25, gpu)
    if "text" in qualifiers and "random" in qualifiers:
        add("X-23", 3.5, "γ_text + γ_random")
    elif "random" in qualifiers:
        add("X-21", 3.0, "γ_random")
    elif gammas:
        for rid, weight in (("X-22", 1.5), ("X-2", 0.5), ("X-19", 0.5), ("X-21", 0.5)):
            add(rid, weight, gammas[0].text)
    if reading.of("delta_gamma"):
        add("X-23", 3.0, reading.of("delta_gamma")[0].text)
    if reading.of("users"):
        add("X-5", 1.5, reading.of("users")[0].text)
    if reading.of("kv_mass"):
        add("X-19", 2.0, reading.of("kv_mass")[0].text)
    for q in reading.of("precision"):
        if q.qualifier == "kv":
            add("X-19", 0.5, q.text)
            add("X-2", 0.5, q.text)
        else:
            add("X-5", 1.0, q.text)
        break
    if reading.of("theta"):
        add("X-2", 1.0, reading.of("theta")[0].text)
        add("X-19", 0.5, reading.of("theta")[0].text)
        add("X-21", 0.5, reading.of("theta")[0].text)
    if reading.of("t_train"):
        add("X-19", 0.5, reading.of("t_train")[0].text)
        add("X-2", 0.5, reading.of("t_train")[0].text)
    if reading.of("params") and not reading.models:
        for rid in ("X-1", "X-3", "X-5", "X-23"):
            add(rid, 0.3, reading.of("params")[0].text)
    if reading.of("memory"):
        add("X-5", 1.0, reading.of("memory")[0].text)
    for q in reading.of("tokens"):
        if q.qualifier == "train":
            add("X-22", 0.5, q.text)
            add("X-1", 0.5, q.text)
        break
    if reading.of("mfu") or reading.of("gpus"):
        add("X-3", 0.5, (reading.of("mfu") or reading.of("gpus"))[0].text)
        add("X-1", 0.5, (reading.of("mfu") or reading.of("gpus"))[0].text)
    return scores, hits


def route(question: str, *, catalogs: Catalogs | None = None, recipe_id: str | None = None) -> Route:
    """Route one question (pure and deterministic). ``recipe_id`` forces the recipe (e.g. an LLM tie-break)."""
    catalogs = catalogs or default_catalogs()
    prep, language, reading, masked = read(question, catalogs)
    scores, hits = score(masked, reading)
    ranked = sorted(RECIPE_ORDER, key=lambda rid: (-scores.get(rid, 0.0), RECIPE_ORDER.index(rid)))
    notes: list[Note] = [Note("truncated")] if prep.truncated else []
    model, model_is_preset = _model(reading, notes)
    common: dict[str, Any] = {
        "question": question,
        "language": language,
        "model": model,
        "model_is_preset": model_is_preset,
        "scores": {rid: round(scores.get(rid, 0.0), 3) for rid in RECIPE_ORDER},
        "entities": (*reading.models, *reading.unknown_models, *reading.gpus, *reading.unknown_gpus, *reading.apis),
        "quantities": tuple(reading.quantities),
    }
    if recipe_id is None:
        top, second = scores.get(ranked[0], 0.0), scores.get(ranked[1], 0.0)
        if top < MIN_SCORE or top - second < MIN_MARGIN:
            why = _why_not(reading, ranked, scores, top)
            suggestions = tuple(
                Suggestion(rid, _reason(rid, hits.get(rid, [])), round(scores.get(rid, 0.0), 3))
                for rid in _likeliest(ranked, scores, top)
            )
            return Route(recipe_id=None, params={}, notes=tuple(notes), why=why, suggestions=suggestions, **common)
        recipe_id = ranked[0]
    recipe_id = get_recipe(recipe_id).id
    params, error = _assign(recipe_id, reading, model, notes)
    params, error = _validate(recipe_id, params, error or _overflow_error(recipe_id, reading))
    return Route(
        recipe_id=recipe_id,
        params=params,
        notes=tuple(notes),
        error=error,
        param_origin=dict.fromkeys(params, "question"),
        **common,
    )


def _likeliest(ranked: list[str], scores: dict[str, float], top: float) -> list[str]:
    picked = [rid for rid in ranked if scores.get(rid, 0.0) > 0 and scores[rid] >= top - 2.5][:3]
    for rid in ("X-2", "X-5", "X-1"):  # what people ask most, when nothing matched
        if len(picked) >= 2:
            break
        if rid not in picked:
            picked.append(rid)
    return picked


def _why_not(reading: _Reading, ranked: list[str], scores: dict[str, float], top: float) -> Note:
    if top < MIN_SCORE:
        named = reading.models or reading.unknown_models
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
def _model(reading: _Reading, notes: list[Note]) -> tuple[str | None, bool]:
    distinct = list(dict.fromkeys(e.value for e in reading.models))
    if not distinct:
        return None, False
    first = next(e for e in reading.models if e.value == distinct[0])
    if first.loose:
        notes.append(Note("loose_model", {"text": first.text, "model": first.value}))
    if len(distinct) > 1:
        notes.append(Note("several_models", {"model": distinct[0], "others": distinct[1:]}))
    return first.value, first.kind == "preset"


# ---- parameters ----------------------------------------------------------------------------------------
def _assign(rid: str, r: _Reading, model: str | None, notes: list[Note]) -> tuple[dict[str, Any], str | None]:
    """The recipe's parameters read from the question, in the recipe's units, with notes on conversions."""
    params: dict[str, Any] = {}
    error: str | None = None
    unknown = r.unknown_models[0] if r.unknown_models and model is None else None

    # model identity and size
    if rid in ARCHITECTURE_RECIPES and model is None and not r.of("theta"):
        if unknown is not None:
            error = _unknown_model_error(unknown)
        elif r.apis:
            error = (
                f"'{r.apis[0].value}' is an API model whose architecture is not public, so {rid} cannot compute it "
                "— name an open model: a preset (see `taf presets`) or a Hub id (org/name)"
            )
        else:
            notes.append(Note("no_model", {"recipe": rid}))
    size = _size(r, unknown, notes)
    if size is not None:
        params[size_param(rid)] = size
    elif rid == "X-23" and model is None and unknown is not None and error is None:
        error = _unknown_model_error(unknown)
    if rid == "X-5" and model is None and unknown is not None:
        notes.append(Note("unknown_model_arch", {"text": unknown.text}))

    # lengths
    if rid in ("X-2", "X-19", "X-5", "X-21", "X-22"):
        length = _length(r, notes)
        if length is not None:
            params["T_eval"] = length
    if rid in ARCHITECTURE_RECIPES:
        _architecture(params, r, model is not None)

    if rid == "X-1":
        _x1(params, r, notes)
    elif rid == "X-3":
        _x3(params, r, notes)
    elif rid == "X-5":
        _x5(params, r, notes)
    elif rid in ("X-2", "X-19"):
        _gamma_obs(params, r, notes, "gamma_obs")
        for q in r.of("precision"):
            if q.qualifier == "kv":
                params["bytes_per_element"] = q.value
                break
        if rid == "X-19":
            kv_mass = r.of("kv_mass") or [q for q in r.of("percent") if 0 < q.value <= 100]
            if kv_mass:
                value = kv_mass[0].value
                params["kv_mass_fraction"] = value / 100.0 if value > 1 else value
    elif rid == "X-21":
        randoms = [g for g in r.of("gamma") if g.qualifier == "random"]
        plain = [g for g in r.of("gamma") if g.qualifier in (None, "obs")]
        if randoms:
            params["gamma_random_obs"] = randoms[0].value
        elif plain:
            params["gamma_random_obs"] = plain[0].value
            notes.append(Note("gamma_as_random", {"value": plain[0].value}))
    elif rid == "X-22":
        _gamma_obs(params, r, notes, "gamma_obs")
        train = [q for q in r.of("tokens") if q.qualifier == "train" or q.value >= 1e9]
        if train:
            params["D_tokens"] = train[0].value
    elif rid == "X-23":
        texts = [g for g in r.of("gamma") if g.qualifier == "text"]
        randoms = [g for g in r.of("gamma") if g.qualifier == "random"]
        if texts:
            params["gamma_text"] = texts[0].value
        if randoms:
            params["gamma_random"] = randoms[0].value
        if r.of("delta_gamma") and not (texts and randoms):
            notes.append(Note("delta_needs_both", {"value": r.of("delta_gamma")[0].value}))
        plain = [g for g in r.of("gamma") if g.qualifier in (None, "obs")]
        if plain and not (texts and randoms):
            notes.append(Note("gamma_unlabelled", {"value": plain[0].value}))
    if r.apis and rid != "X-1" and error is None and model is not None:
        notes.append(Note("api_not_input", {"api": r.apis[0].value, "recipe": rid}))
    return params, error


def _overflow_error(rid: str, r: _Reading) -> str | None:
    """A number too large to compute with ('1e400') is an error, never silently replaced by a default."""
    overflows = r.of("overflow")
    if not overflows:
        return None
    text = overflows[0].text.strip()
    shown = text if len(text) <= 40 else text[:32] + "…"
    return (
        f"the number '{shown}' in the question is too large to compute with — write it as an "
        f"ordinary figure within the parameter's range (`taf recipe --list` shows the ranges of {rid})"
    )


def _unknown_model_error(entity: Entity) -> str:
    hint = f"did you mean {', '.join(entity.suggestions)}? " if entity.suggestions else ""
    return (
        f"'{entity.text}' is not an embedded preset — {hint}name a preset (see `taf presets`) or give its Hub id "
        "(org/name) so its config can be loaded"
    )


def _size(r: _Reading, unknown: Entity | None, notes: list[Note]) -> float | None:
    sizes = r.of("params")
    if sizes:
        return sizes[0].value
    if unknown is not None and unknown.size is not None:
        notes.append(Note("size_from_name", {"text": unknown.text, "value": unknown.size}))
        return unknown.size
    return None


def _length(r: _Reading, notes: list[Note]) -> int | None:
    lengths = r.of("length")
    if not lengths:
        bare = [q for q in r.of("bare") if q.hint == "at" and 256 <= q.value <= 2**34 and q.value == int(q.value)]
        if not bare:
            return None
        lengths = bare
        notes.append(Note("bare_length", {"text": bare[0].text, "value": int(bare[0].value)}))
    chosen = max(lengths, key=lambda q: q.value)
    if len({q.value for q in lengths}) > 1:
        notes.append(Note("several_lengths", {"value": int(chosen.value)}))
    if chosen.scaled:
        notes.append(Note("k_decimal", {"text": chosen.text, "value": round(chosen.value)}))
    return round(chosen.value)  # finite (extract() keeps overflows apart); the registry checks the range


def _architecture(params: dict[str, Any], r: _Reading, has_model: bool) -> None:
    for kind, name in (
        ("theta", "theta"),
        ("t_train", "T_train"),
        ("layers", "n_layers"),
        ("heads", "n_attention_heads"),
        ("kv_heads", "n_kv_heads"),
        ("d_head", "d_head"),
    ):
        found = r.of(kind)
        if found:
            params[name] = found[0].value
    if r.of("swa") and not has_model:
        params["has_SWA"] = True


def _gamma_obs(params: dict[str, Any], r: _Reading, notes: list[Note], name: str) -> None:
    gammas = [g for g in r.of("gamma") if g.qualifier in (None, "obs", "text")]
    if gammas:
        params[name] = gammas[0].value
    elif r.of("gamma"):
        notes.append(Note("gamma_random_ignored", {"value": r.of("gamma")[0].value}))


def _money(q: Quantity, notes: list[Note]) -> float:
    if q.currency is None:
        notes.append(Note("no_currency", {"value": q.value}))
    elif q.currency != "USD":
        notes.append(Note("fx", {"text": q.text, "value": q.value, "currency": q.currency}))
    return q.value


def _volume(r: _Reading) -> Quantity | None:
    volumes = r.of("volume")
    if volumes:
        return volumes[0]
    counts = [q for q in r.of("tokens") if q.qualifier != "train"]
    counts += [q for q in r.of("bare") if q.scaled and q.value >= 1e6]
    return counts[0] if counts else None


def _gpu(params: dict[str, Any], r: _Reading, notes: list[Note]) -> None:
    if r.gpus:
        params["gpu"] = r.gpus[0].value
        if len({g.value for g in r.gpus}) > 1:
            notes.append(Note("several_gpus", {"gpu": r.gpus[0].value}))
    elif r.unknown_gpus:
        notes.append(Note("unknown_gpu", {"text": r.unknown_gpus[0].text}))
    if r.of("gpus"):
        params["n_gpus"] = int(r.of("gpus")[0].value)
    if r.of("mfu"):
        params["mfu"] = r.of("mfu")[0].value
    for q in r.of("gpu_price"):
        params["gpu_usd_per_hour"] = _money(q, notes)
        break


def _x1(params: dict[str, Any], r: _Reading, notes: list[Note]) -> None:
    _gpu(params, r, notes)
    if r.apis:
        api = max(r.apis, key=lambda e: e.strength)
        params["api_model"] = api.value
        if api.loose:
            notes.append(Note("loose_api", {"text": api.text, "api": api.value}))
    volume = _volume(r)
    if volume is not None:
        period = volume.period or "month"
        params["monthly_tokens_M"] = per_month(volume.value, period) / 1e6
        if volume.period is None:
            notes.append(Note("no_period_month", {"text": volume.text}))
        elif volume.period != "month":
            notes.append(Note("to_month", {"text": volume.text, "value": params["monthly_tokens_M"]}))
    train = [q for q in r.of("tokens") if q.qualifier == "train"]
    if train:
        params["D_tokens"] = train[0].value
    for q in r.of("precision"):
        if q.qualifier != "kv":
            params["bytes_per_weight"] = q.value
            break
    for q in r.of("money"):
        notes.append(Note("money_not_input", {"text": q.text}))
        break


def _x3(params: dict[str, Any], r: _Reading, notes: list[Note]) -> None:
    _gpu(params, r, notes)
    budgets = [q for q in r.of("money") if q.period is None] or r.of("money")
    if budgets:
        params["USD_budget"] = _money(budgets[0], notes)
        if budgets[0].period is not None:
            notes.append(Note("budget_period", {"text": budgets[0].text}))


def _x5(params: dict[str, Any], r: _Reading, notes: list[Note]) -> None:
    volume = _volume(r)
    if volume is not None:
        period = volume.period or "day"
        params["target_tokens_per_day"] = per_day(volume.value, period)
        if volume.period is None:
            notes.append(Note("no_period_day", {"text": volume.text}))
        elif volume.period != "day":
            notes.append(Note("to_day", {"text": volume.text, "value": params["target_tokens_per_day"]}))
    users = r.of("users")
    if users:
        params["concurrent_users"] = int(users[0].value)
        if users[0].qualifier == "plain":
            notes.append(Note("users_concurrent", {"value": int(users[0].value)}))
    for q in r.of("precision"):
        params["bytes_per_weight"] = q.value
        break
    for kind, name in (("layers", "n_layers"), ("kv_heads", "n_kv_heads"), ("d_head", "d_head")):
        if r.of(kind):
            params[name] = r.of(kind)[0].value
    if r.gpus:
        notes.append(Note("gpu_ranked", {"gpu": r.gpus[0].value}))


def _validate(rid: str, params: dict[str, Any], error: str | None) -> tuple[dict[str, Any], str | None]:
    """Coerce and range-check every value with the registry's Param (a bad value is reported, not run)."""
    recipe = get_recipe(rid)
    clean: dict[str, Any] = {}
    for name, value in params.items():
        param = recipe.param(name)
        if param is None or param.unused:
            continue
        try:
            clean[param.name] = coerce(param, value, rid)
        except TafError as exc:
            error = error or exc.one_line()
    return clean, error
