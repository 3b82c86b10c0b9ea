"""How a number is written in a question: digit grouping, decimal commas, scale suffixes and words,
Chinese numerals, and a leading currency sign.

The per-language rules are data, ``core/data/i18n/numbers_<lang>.json`` (one file per language, read once):
the magnitude words and their multipliers (``mil millones`` = 10⁹, ``milliard``, ``万`` = 10⁴, ``亿`` = 10⁸),
the abbreviations read only after digits (``Md``, ``Mrd.``, ``grand``), the counting words (``two``, ``deux``)
that may stand before a magnitude, and whether ``.`` and spaces group thousands. The number regex accepts the
words of *every* language (questions mix them: "Combien pour 1B tokens ?"); the grouping rules are the
question's language's.

Conventions (reported in ``assumed`` by the router whenever they matter):

* Scale suffixes are decimal: ``32K`` = 32,000 tokens (as in the reference's own examples, "32K" →
  ``T_eval = 32000``), ``1M`` = 1,000,000, ``7B`` = 7·10⁹, ``15T`` = 15·10¹²; words too (``50 million``,
  ``mil millones``, ``milliards``, ``1,5 Mrd.``, ``万``, ``亿``). Write 32768 for the power of two.
* ``32,000`` uses a thousands comma in every language; ``0,85`` and ``1,5`` are decimal commas;
  ``5.000`` is five thousand in Spanish and French questions, 5.0 in English ones; ``5 000`` groups
  thousands in French and Spanish.
"""

from __future__ import annotations

import functools
import json
import math
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

from tafagent.core.ask.text import fold
from tafagent.core.messages import LANGUAGES


@dataclass(frozen=True)
class NumberRules:
    """One language's ``numbers_<lang>.json``, its words folded (lower case, no accents) as questions are."""

    lang: str
    dot_groups_thousands: bool  # '5.000' = 5000 (es, fr)
    space_groups_thousands: bool  # '5 000' = 5000 (es, fr)
    suffixes: dict[str, float]  # written right after the digits: 32k, 7b, 1.5bn
    magnitudes: dict[str, float]  # words: thousand, mil millones, milliard, 万
    after_digits_only: dict[str, float]  # abbreviations read only after digits: md, mrd., grand
    standalone: dict[str, float]  # magnitudes that are a number on their own: 'mil millones de tokens'
    counting_words: dict[str, float]  # 'two' in 'two million'
    every: tuple[str, ...]  # 'per', 'cada', 'par' before a period word
    periods: dict[str, dict[str, tuple[str, ...]]]  # day → units, abbreviations, adverbs, before, after_tokens


def _folded(words: dict[str, Any]) -> dict[str, float]:
    return {re.sub(r"\s+", " ", fold(k)): float(v) for k, v in words.items()}


@functools.cache
def number_rules(lang: str) -> NumberRules:
    """The rules of ``lang`` (English for a language without a file), read once."""
    lang = lang if lang in LANGUAGES else "en"
    path = resources.files("tafagent.core").joinpath(f"data/i18n/numbers_{lang}.json")
    raw = json.loads(path.read_text(encoding="utf-8"))
    periods = {
        period: {part: tuple(fold(w) for w in words) for part, words in parts.items()}
        for period, parts in raw["periods"].items()
    }
    return NumberRules(
        lang=lang,
        dot_groups_thousands=bool(raw["dot_groups_thousands"]),
        space_groups_thousands=bool(raw["space_groups_thousands"]),
        suffixes=_folded(raw["suffixes"]),
        magnitudes=_folded(raw["magnitudes"]),
        after_digits_only=_folded(raw["after_digits_only"]),
        standalone=_folded(raw["standalone"]),
        counting_words=_folded(raw["counting_words"]),
        every=tuple(fold(w) for w in raw["every"]),
        periods=periods,
    )


def _merged(table: str) -> dict[str, float]:
    """One table of every language, merged; a word with two values would be a silent wrong number."""
    merged: dict[str, float] = {}
    for lang in LANGUAGES:
        for word, value in getattr(number_rules(lang), table).items():
            if merged.setdefault(word, value) != value:
                raise ValueError(
                    f"numbers_{lang}.json: {word!r} = {value:g} but another language says {merged[word]:g}"
                )
    return merged


def _alternation(words: list[str] | dict[str, float]) -> str:
    """A regex alternation of literal words, longest first ('mil millones' before 'mil'), spaces as ``\\s+``."""
    ordered = sorted(words, key=lambda w: (-len(w), w))
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ordered)


def _is_cjk(word: str) -> bool:
    return all("\u4e00" <= char <= "\u9fff" for char in word)


def _scales() -> dict[str, float]:
    scale: dict[str, float] = {}
    for table in ("suffixes", "magnitudes", "after_digits_only"):
        for word, value in _merged(table).items():
            if scale.setdefault(word, value) != value:
                raise ValueError(f"numbers_*.json: {word!r} has two multipliers")
    return scale


SCALE = _scales()  # every suffix, magnitude word and abbreviation of every language → its multiplier
_WORD_SCALES = {w: v for w, v in {**_merged("magnitudes"), **_merged("after_digits_only")}.items() if not _is_cjk(w)}
_CJK_SCALES = {w: v for w, v in _merged("magnitudes").items() if _is_cjk(w)}
_LETTER_MAGNITUDES = {w: v for w, v in _merged("magnitudes").items() if not _is_cjk(w)}
_COUNTING = _merged("counting_words")
_STANDALONE = _merged("standalone")

_NUM_EN = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:\.\d{3}){2,}|\d+(?:[.,]\d+)?)(?:e[+-]?\d+)?"
_NUM_SPACE = (  # French and Spanish also group thousands with (no-break) spaces: "5 000"
    r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:\.\d{3}){2,}|\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:,\d+)?|"
    r"\d+(?:[.,]\d+)?)(?:e[+-]?\d+)?"
)
_SUFFIX = (
    r"(?:(?P<suf>" + _alternation(_merged("suffixes")) + r")(?![a-z])"
    r"|\s?(?P<sufw>" + _alternation(_WORD_SCALES) + r")(?![a-z])"
    r"|\s?(?P<sufc>" + _alternation(_CJK_SCALES) + r"))?"
)
_CURRENCY_PREFIX = r"(?P<cur>us\$|\$|€|£|¥|usd\s?|eur\s?)?"
_CN_NUM = r"(?P<cn>[零〇一二两三四五六七八九十百千万亿]*[十百千万亿][零〇一二两三四五六七八九十百千万亿]*)"
# 'two million', 'cien mil', 'un milliard': a counting word, then a magnitude word (abbreviations need digits)
_WORD_NUM = r"(?P<wn>" + _alternation(_COUNTING) + r")\s+(?P<wsuf>" + _alternation(_LETTER_MAGNITUDES) + r")(?![a-z])"
# 'mil millones de tokens': a magnitude that is a number with no count before it
_STANDALONE_NUM = r"|(?<![a-z])(?P<sw>" + _alternation(_STANDALONE) + r")(?![a-z])" if _STANDALONE else ""


@functools.cache
def _number_regex(space_groups: bool) -> re.Pattern[str]:
    num = _NUM_SPACE if space_groups else _NUM_EN
    return re.compile(
        r"(?<![a-z0-9_])(?<!\d[.,])" + _CURRENCY_PREFIX + r"\s?(?P<num>" + num + r")" + _SUFFIX + r"(?![0-9])"
        "|" + _CN_NUM + "|(?<![a-z])" + _WORD_NUM + _STANDALONE_NUM
    )


def number_pattern(lang: str) -> re.Pattern[str]:
    """Any written number (a currency sign, the digits or words, a scale); es/fr also group with spaces."""
    return _number_regex(number_rules(lang).space_groups_thousands)


def to_float(text: str, lang: str = "en", *, decimal_dot: bool = False) -> float:
    """'32,000' → 32000; '0,85' → 0.85; '5.000' → 5000 in es/fr (5.0 in en); '5 000' → 5000.

    ``decimal_dot`` marks a small decimal (γ, MFU, a percentage): then '.' and ',' are both decimal
    marks ('1,045' → 1.045, as a Spanish or French γ is written).
    """
    s = re.sub(r"[ \u00a0\u202f]", "", text)
    mantissa, _, exponent = s.partition("e")
    if "," in mantissa and "." in mantissa:
        mantissa = mantissa.replace(",", "") if mantissa.index(",") < mantissa.index(".") else _swap(mantissa)
    elif "," in mantissa and decimal_dot and mantissa.count(",") == 1:
        mantissa = mantissa.replace(",", ".")
    elif "," in mantissa:
        # a comma groups thousands in every language when every group has three digits ('32,000'), else it is
        # a decimal comma ('1,5'): English questions write '1,5' when pasted from a European report
        head, *groups = mantissa.split(",")
        thousands = head not in ("0", "") and all(len(g) == 3 for g in groups)
        mantissa = mantissa.replace(",", "") if thousands else mantissa.replace(",", ".")
    elif mantissa.count(".") > 1:
        mantissa = mantissa.replace(".", "")
    elif "." in mantissa and not decimal_dot and number_rules(lang).dot_groups_thousands:
        head, tail = mantissa.split(".")
        if len(tail) == 3 and head not in ("0", ""):
            mantissa = head + tail
    value = float(mantissa)  # a 400-digit literal saturates to inf
    if not exponent or not math.isfinite(value):
        return value
    # float() of the rebuilt literal saturates to inf / 0.0 ('1e400', '0E400') where value * 10**exponent
    # would raise OverflowError; extract() keeps an infinite value as an "overflow" quantity, and the
    # router reports it as an error naming the number (never a silent default)
    return float(f"{value!r}e{int(exponent)}")


def _swap(s: str) -> str:
    return s.replace(".", "").replace(",", ".")


def parse_cn(text: str) -> float:
    """Chinese numerals with multipliers: 五千 → 5000, 三万二千 → 32000, 一亿五千万 → 1.5e8, 十亿 → 1e9."""
    digits = {
        "零": 0,
        "〇": 0,
        "一": 1,
        "二": 2,
        "两": 2,
        "三": 3,
        "四": 4,
        "五": 5,
        "六": 6,
        "七": 7,
        "八": 8,
        "九": 9,
    }
    units = {"十": 10, "百": 100, "千": 1000}
    total = section = number = 0.0
    for char in text:
        if char in digits:
            number = digits[char]
        elif char in units:
            section += (number or 1) * units[char]
            number = 0
        elif char == "万":
            section = (section + number) * 1e4
            number = 0
        elif char == "亿":
            total = (total + section + number) * 1e8
            section = number = 0
    return total + section + number


def _scale_of(match: re.Match[str]) -> tuple[float, str]:
    for group in ("suf", "sufw", "sufc"):
        suffix = match.group(group)
        if suffix:
            return SCALE[re.sub(r"\s+", " ", suffix)], suffix
    return 1.0, ""


def number_at(match: re.Match[str], lang: str) -> tuple[float, bool, str]:
    """(value, scaled, suffix) of a match of the number regex."""
    if match.group("cn"):
        return parse_cn(match.group("cn")), True, match.group("cn")
    if match.group("wn"):
        suffix = re.sub(r"\s+", " ", match.group("wsuf"))
        return _COUNTING[re.sub(r"\s+", " ", match.group("wn"))] * SCALE[suffix], True, suffix
    if match.groupdict().get("sw"):
        suffix = re.sub(r"\s+", " ", match.group("sw"))
        return _STANDALONE[suffix], True, suffix
    scale, suffix = _scale_of(match)
    return to_float(match.group("num"), lang) * scale, bool(suffix), suffix
