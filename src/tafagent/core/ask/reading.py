"""What one question says: its language, the names and quantities recognised in it, and the Notes that
record every reading which is a convention (32K = 32,000, a month = 30 days, € treated as $).

Names are found first, most specific first (Hub ids, presets, APIs, GPUs, loose model mentions), and
blanked out, so that the numbers inside them (``RTX 4090``, ``Llama-3-8B``) are never read as quantities.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tafagent.core.ask import lexicon
from tafagent.core.ask.lexicon import Entity
from tafagent.core.ask.quantities import Quantity, extract
from tafagent.core.ask.text import Prepared, detect_language, mask, prepare
from tafagent.core.catalogs import Catalogs


@dataclass(frozen=True)
class Note:
    """Something the router read or assumed, rendered in the answer's language (``ask_<lang>.json``)."""

    key: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Reading:
    """Everything recognised in one question."""

    prepared: Prepared
    language: str
    masked: str  # the folded question with every recognised name blanked out
    models: list[Entity]  # presets and Hub ids, in question order
    unknown_models: list[Entity]
    gpus: list[Entity]
    unknown_gpus: list[Entity]
    apis: list[Entity]
    quantities: list[Quantity]

    def of(self, kind: str) -> list[Quantity]:
        return [q for q in self.quantities if q.kind == kind]

    @property
    def named_models(self) -> list[Entity]:
        """The models named, known ones first (the router's "is a model named?")."""
        return self.models or self.unknown_models


def read(question: str, catalogs: Catalogs) -> Reading:
    """Prepare the question, detect its language, find the names, then the quantities in what is left."""
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
    masked = mask(prep.low, taken)
    return Reading(
        prepared=prep,
        language=language,
        masked=masked,
        models=sorted([*hubs, *presets, *(m for m in mentions if m.kind == "preset")], key=lambda e: e.span),
        unknown_models=[m for m in mentions if m.kind == "unknown_model"],
        gpus=[g for g in gpus if g.kind == "gpu"],
        unknown_gpus=[g for g in gpus if g.kind == "unknown_gpu"],
        apis=apis,
        quantities=extract(masked, language, [g.span for g in gpus if g.kind == "gpu"]),
    )
