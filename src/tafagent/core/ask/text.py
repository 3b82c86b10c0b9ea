"""Question text preparation: Unicode normalisation, a length-preserving folded copy, language detection.

The router matches on ``low``: the NFKC text lower-cased with accents removed, character for character,
so a span found in ``low`` is the same span in ``text`` (Hub ids keep their case from ``text``).
Masking replaces recognised spans (model, GPU and API names) by spaces so that the numbers inside
them (``RTX 4090``, ``Llama-3-8B``) are never read as quantities.

Digits, as the later readers see them, are ASCII only:

* NFKC folds full-width digits (``３２ｋ``, what a Chinese or Japanese keyboard types) to ``32k``. The CLI
  takes ASCII digits only, because a flag is machine input; a question is prose typed on whatever keyboard
  the user has, and refusing ``３２ｋ`` in a Chinese question would refuse the way it is normally written.
* Decimal digits of other scripts (``٣٢``, ``३२``), which NFKC keeps, are mapped to their ASCII values one
  character for one: the readers mix ``\\d`` (any script) with ``[0-9]`` (ASCII), and a digit that passes
  one and not the other would split a number silently.
* NFKC also turns a superscript exponent into plain digits (``10⁶`` → ``106``, a silent wrong number), so
  an exponent after a digit is first written as ``^6``, and ``10^6``, ``1.5×10^6`` and ``2^15`` are then
  written as the number they denote (``1e6``, ``1.5e6``, ``32768``).
* Invisible format characters (Unicode category Cf: zero-width space, zero-width joiner, soft hyphen, BOM,
  bidi marks) are dropped where they touch a digit, so ``3\\u200b2k`` reads as the ``32k`` it displays
  as; elsewhere they become a space (the word break they stand for). A Cf character is never allowed to
  split a number into two.
"""

from __future__ import annotations

import math
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


_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_SUPERSCRIPT_EXPONENT = re.compile(r"(?<=\d)[⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+")  # '10⁶', '10⁻³'; a 'T²' stays for NFKC
# 10^6, 1.5x10^6 (× is x by now), 2^15; a mantissa only before a power of ten
_POWER = re.compile(
    r"(?<![0-9A-Za-z_.^])(?:(?P<mant>\d+(?:[.,]\d+)?)\s*[xX*·]\s*(?=10\s*\^))?(?P<base>\d{1,4})\s*\^\s*(?P<exp>[-+]?\d{1,6})"
    r"(?![\d.^])"
)
MAX_POWER_DIGITS = 400  # 2^N longer than this is written as its order of magnitude: too large to compute anyway


def _caret_exponent(match: re.Match[str]) -> str:
    return "^" + match.group().translate(_SUPERSCRIPTS)


def _power_text(match: re.Match[str]) -> str:
    """A power written out as one number the readers know: ``1.5e6`` for 1.5×10⁶, ``32768`` for 2^15."""
    base, exponent = int(match.group("base")), int(match.group("exp"))
    if base == 10:
        return f"{match.group('mant') or '1'}e{exponent}"
    if base < 2 or exponent < 0:
        return match.group()  # 1^n, 0^n and 2^-3 are not how anyone writes a length, a count or money
    digits = exponent * math.log10(base)
    return str(base**exponent) if digits <= MAX_POWER_DIGITS else f"1e{math.ceil(digits)}"


def _ascii_digits(text: str) -> str:
    """Decimal digits of every script as ASCII 0-9, one character for one (NFKC already folded full-width)."""
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() and not c.isascii() else c for c in text)


def _without_controls(text: str) -> str:
    """Format characters (Cf) touching a digit dropped, other ones and control characters as spaces."""
    out: list[str] = []
    i = 0
    while i < len(text):
        category = unicodedata.category(text[i])
        if category[0] != "C" or text[i] in "\t\n":
            out.append(text[i])
        elif category != "Cf":
            out.append(" ")
        else:  # a run of invisible characters: gone next to a digit, else one word break
            end = i
            while end + 1 < len(text) and unicodedata.category(text[end + 1]) == "Cf":
                end += 1
            after = text[end + 1] if end + 1 < len(text) else ""
            if not ((out and out[-1].isdigit()) or after.isdigit()):
                out.append(" ")
            i = end
        i += 1
    return "".join(out)


def prepare(question: str) -> Prepared:
    text = _SUPERSCRIPT_EXPONENT.sub(_caret_exponent, question if isinstance(question, str) else str(question))
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u2212", "-").replace("\u00d7", "x")
    text = _POWER.sub(_power_text, _without_controls(_ascii_digits(text)))
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
