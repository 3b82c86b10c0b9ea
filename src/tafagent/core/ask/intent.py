"""How strongly a question points at each recipe: the recipes' intent cues plus their signals.

Each askable recipe declares (``AskSpec``) weighted cue patterns per language and the weight each
*signal* adds: a signal is something recognised in the question (a length, money, a token volume per
day, an API, a γ on random tokens, ...), detected here once per question, in the fixed order of
:data:`DETECTORS`. A recipe's score is the sum of its matching cues (each counts once; every
language's cues are tried, whatever the question's language) and of its fired signals' weights.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import get_args

from tafagent.core.ask.declared import askable
from tafagent.core.ask.reading import Reading
from tafagent.core.errors import TafError
from tafagent.core.messages import LANGUAGES
from tafagent.core.recipes.ask_spec import AskSpec, Signal

Fired = tuple[str, float]  # (the words it fired on, strength: how surely; 1 except for loose API names)
Detector = Callable[[Reading], Fired | None]


def _first(kind: str) -> Detector:
    def detect(r: Reading) -> Fired | None:
        found = r.of(kind)
        return (found[0].text, 1.0) if found else None

    return detect


def _model(r: Reading) -> Fired | None:
    return (r.named_models[0].text, 1.0) if r.named_models else None


def _volume(periods: tuple[str, ...]) -> Detector:
    def detect(r: Reading) -> Fired | None:
        volumes = r.of("volume")
        return (volumes[0].text, 1.0) if volumes and volumes[0].period in periods else None

    return detect


def _api(r: Reading) -> Fired | None:
    if not r.apis:
        return None
    api = max(r.apis, key=lambda e: e.strength)
    return api.text, api.strength


def _gpu(r: Reading) -> Fired | None:
    named = r.gpus or r.unknown_gpus
    return (named[0].text, 1.0) if named else None


def _gamma_qualifiers(r: Reading) -> set[str | None]:
    return {g.qualifier for g in r.of("gamma")}


def _gamma(r: Reading) -> Fired | None:
    gammas = r.of("gamma")
    return (gammas[0].text, 1.0) if gammas and "random" not in _gamma_qualifiers(r) else None


def _precision(kv: bool) -> Detector:
    def detect(r: Reading) -> Fired | None:
        precisions = r.of("precision")  # the first one written decides
        return (precisions[0].text, 1.0) if precisions and (precisions[0].qualifier == "kv") == kv else None

    return detect


def _training_tokens(r: Reading) -> Fired | None:
    tokens = r.of("tokens")  # the first count of tokens decides
    return (tokens[0].text, 1.0) if tokens and tokens[0].qualifier == "train" else None


def _mfu_or_gpu_count(r: Reading) -> Fired | None:
    found = r.of("mfu") or r.of("gpus")
    return (found[0].text, 1.0) if found else None


DETECTORS: dict[Signal, Detector] = {
    "length": _first("length"),
    "model": _model,
    "model_with_length": lambda r: _model(r) if r.of("length") else None,
    "model_without_length": lambda r: None if r.of("length") else _model(r),
    "money": _first("money"),
    "gpu_price": _first("gpu_price"),
    "daily_volume": _volume(("day", "hour", "second")),
    "monthly_volume": _volume(("month", "year", "week")),
    "api": _api,
    "gpu": _gpu,
    "gamma_text_and_random": lambda r: (
        ("γ_text + γ_random", 1.0) if {"text", "random"} <= _gamma_qualifiers(r) else None
    ),
    "gamma_random": lambda r: ("γ_random", 1.0) if _gamma_qualifiers(r) & {"text", "random"} == {"random"} else None,
    "gamma": _gamma,
    "delta_gamma": _first("delta_gamma"),
    "users": _first("users"),
    "kv_mass": _first("kv_mass"),
    "kv_precision": _precision(kv=True),
    "weight_precision": _precision(kv=False),
    "theta": _first("theta"),
    "t_train": _first("t_train"),
    "size_without_model": lambda r: None if r.models else _first("params")(r),
    "memory": _first("memory"),
    "training_tokens": _training_tokens,
    "mfu_or_gpu_count": _mfu_or_gpu_count,
}
if tuple(DETECTORS) != get_args(Signal):  # one detector per Signal, in the order ask_spec.Signal lists them
    raise RuntimeError("ask/intent.py DETECTORS and recipes/ask_spec.py Signal disagree")


@dataclass(frozen=True)
class _Compiled:
    cues: tuple[tuple[str, tuple[tuple[re.Pattern[str], float], ...]], ...]  # recipe id → its cues
    weights: dict[Signal, tuple[tuple[str, float], ...]]  # signal → (recipe id, weight) of the recipes it helps


def _compile_cue(pattern: str) -> re.Pattern[str]:
    # an ASCII word cue starts at a word boundary ("ih" is not inside "high"); CJK cues match anywhere
    prefix = r"(?<![a-z0-9])" if pattern[:1].isascii() and pattern[:1].isalpha() else ""
    return re.compile(prefix + "(?:" + pattern + ")")


@cache
def _compiled(specs: tuple[tuple[str, AskSpec], ...]) -> _Compiled:
    cues = []
    weights: dict[Signal, list[tuple[str, float]]] = {signal: [] for signal in DETECTORS}
    for rid, spec in specs:
        unknown = sorted(set(spec.cues) - set(LANGUAGES)) + sorted(set(spec.signals) - set(DETECTORS))
        if unknown:
            raise TafError(
                f"recipe {rid} declares unknown languages or signals in its AskSpec: {', '.join(unknown)}",
                f"languages: {', '.join(LANGUAGES)}; signals: see tafagent.core.recipes.ask_spec.Signal",
            )
        patterns = [(_compile_cue(p), w) for lang in LANGUAGES for p, w in spec.cues.get(lang, ())]
        cues.append((rid, tuple(patterns)))
        for signal, weight in spec.signals.items():
            weights[signal].append((rid, weight))
    return _Compiled(tuple(cues), {signal: tuple(helped) for signal, helped in weights.items()})


def score(reading: Reading) -> tuple[dict[str, float], dict[str, list[str]]]:
    """Per recipe: its score, and the words that contributed (matched cues, then what the signals fired on)."""
    compiled = _compiled(askable())
    scores: dict[str, float] = {}
    hits: dict[str, list[str]] = {}
    for rid, cues in compiled.cues:
        total, words = 0.0, []
        for pattern, weight in cues:
            match = pattern.search(reading.masked)
            if match:
                total += weight
                words.append(match.group(0).strip())
        scores[rid], hits[rid] = total, words
    for signal, detect in DETECTORS.items():
        helped = compiled.weights[signal]
        fired = detect(reading) if helped else None
        if fired is None:
            continue
        text, strength = fired
        for rid, weight in helped:
            scores[rid] += weight * strength
            hits[rid].append(text)
    return scores, hits
