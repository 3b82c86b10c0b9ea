"""Question text preparation: Unicode normalisation, a length-preserving folded copy, language detection.

The router matches on ``low``: the NFKC text lower-cased with accents removed, character for character,
so a span found in ``low`` is the same span in ``text`` (Hub ids keep their case from ``text``).
Masking replaces recognised spans (model, GPU and API names) by spaces so that the numbers inside
them (``RTX 4090``, ``Llama-3-8B``) are never read as quantities.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from tafagent.core.messages import LANGUAGES

MAX_QUESTION_CHARS = 2000  # longer input is cut: a question, not a document


@dataclass(frozen=True)
class Prepared:
    """The question as the router reads it."""

    text: str  # NFKC, whitespace collapsed, original case
    low: str  # same length as ``text``: lower case, accents removed
    truncated: bool


def _fold_char(char: str) -> str:
    lower = char.lower()
    if len(lower) != 1:
        return char
    decomposed = unicodedata.normalize("NFKD", lower)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    return base if len(base) == 1 else lower


def fold(text: str) -> str:
    """Lower case without accents, one output character per input character (``Compresión`` → ``compresion``)."""
    return "".join(_fold_char(c) for c in text)


def prepare(question: str) -> Prepared:
    text = unicodedata.normalize("NFKC", question if isinstance(question, str) else str(question))
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u2212", "-").replace("\u00d7", "x")
    text = "".join(" " if (unicodedata.category(c)[0] == "C" and c not in "\t\n") else c for c in text)
    text = re.sub(r"\s+", " ", text).strip()
    truncated = len(text) > MAX_QUESTION_CHARS
    text = text[:MAX_QUESTION_CHARS]
    return Prepared(text, fold(text), truncated)


def overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    """Whether ``span`` shares a character with any of the ``taken`` spans."""
    return any(span[0] < end and start < span[1] for start, end in taken)


def mask(low: str, spans: list[tuple[int, int]]) -> str:
    """``low`` with every span replaced by spaces (same length)."""
    chars = list(low)
    for start, end in spans:
        for i in range(start, min(end, len(chars))):
            chars[i] = " "
    return "".join(chars)


# Language detection: CJK characters mean Chinese; otherwise weighted function words and spellings.
_CJK = re.compile(r"[\u3400-\u9fff]")
_WORDS: dict[str, tuple[tuple[str, float], ...]] = {
    "es": (
        (r"\b(el|los|las|del|una|unos|para|con|pero|como|cual|cuanto|cuanta|cuantos|puedo|debo|deberia)\b", 1.0),
        (r"\b(que|es|en|mi|al|por|se|lo|mas|usar|tengo|quiero|sirve|conviene|seria|mejor|hay|esta)\b", 0.5),
        (r"\b(modelo|contexto|presupuesto|entrenar|entrenamiento|tarjeta|memoria|servir|mes|dia|tokens al)\b", 1.0),
        (r"[¿¡ñ]|cion\b|ciones\b", 1.5),
    ),
    "fr": (
        (r"\b(le|les|des|du|une|pour|avec|mais|quel|quelle|quels|combien|est-ce|puis-je|dois-je|faut-il)\b", 1.0),
        (r"\b(je|j'|mon|ma|mes|est|sur|dans|ou|au|aux|ce|cette|c'est|qu'|d'|l'|il|vaut|mieux|faut)", 0.5),
        (r"\b(modele|contexte|entrainer|entrainement|carte|memoire|servir|mois|jour|budget de)\b", 1.0),
        (r"[çœ]|\b(etre|peut|tient|coute|jetons)\b", 1.0),
    ),
    "en": (
        (r"\b(the|is|are|should|can|could|would|will|what|which|how|my|our|does|do|with|for|of|and|or)\b", 0.6),
        (r"\b(model|context|budget|train|training|serve|cheaper|per|day|month|handle|need|much)\b", 0.8),
        (r"\b(i|i'm|we|it|to|at|on|a|an)\b", 0.3),
    ),
}
_COMPILED = {lang: tuple((re.compile(p), w) for p, w in rules) for lang, rules in _WORDS.items()}
_WORDED = tuple(lang for lang in LANGUAGES if lang in _WORDS)  # told apart by their words


def detect_language(text: str, low: str) -> str:
    """'zh' when the question has CJK characters, else the best-scoring of es/fr/en (ties → en)."""
    if len(_CJK.findall(text)) >= 2:
        return "zh"
    # accents are a strong hint before folding removes them
    scores = dict.fromkeys(_WORDED, 0.0)
    scores["es"] += 1.5 * len(re.findall(r"[áíóúñ¿¡]", text.lower()))
    scores["fr"] += 1.5 * len(re.findall(r"[èêàùâîôûçœë]", text.lower()))
    for lang, rules in _COMPILED.items():
        for pattern, weight in rules:
            scores[lang] += weight * len(pattern.findall(low))
    best = max(_WORDED, key=lambda lang: (scores[lang], lang == "en"))
    return best if scores[best] > scores["en"] + 0.5 or best == "en" else "en"
