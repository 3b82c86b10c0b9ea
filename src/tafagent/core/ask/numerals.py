"""How a number is written in a question: digit grouping, decimal commas, scale suffixes and words,
Chinese numerals, and a leading currency sign.

Conventions (reported in ``assumed`` by the router whenever they matter):

* Scale suffixes are decimal: ``32K`` = 32,000 tokens (as in the reference's own examples, "32K" →
  ``T_eval = 32000``), ``1M`` = 1,000,000, ``7B`` = 7·10⁹, ``15T`` = 15·10¹²; words too (``50 million``,
  ``mil millones``, ``milliards``, ``万``, ``亿``). Write 32768 for the power of two.
* ``32,000`` uses a thousands comma in every language; ``0,85`` and ``1,5`` are decimal commas;
  ``5.000`` is five thousand in Spanish and French questions, 5.0 in English ones; ``5 000`` groups
  thousands in French and Spanish.
"""

from __future__ import annotations

import math
import re

_NUM_EN = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:\.\d{3}){2,}|\d+(?:[.,]\d+)?)(?:e[+-]?\d+)?"
_NUM_SPACE = (  # French and Spanish also group thousands with (no-break) spaces: "5 000"
    r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:\.\d{3}){2,}|\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:,\d+)?|"
    r"\d+(?:[.,]\d+)?)(?:e[+-]?\d+)?"
)
_SUFFIX = (
    r"(?:(?P<suf>bn|mm|k|m|b|t)(?![a-z])"
    r"|\s?(?P<sufw>grand|mil\s+millones|milliards?|billions?|millones"
    r"|millon|millions?|thousands?|trillions?|mille|mil)(?![a-z])"
    r"|\s?(?P<sufc>万亿|十亿|百万|千万|万|亿|千))?"
)
SCALE = {
    "grand": 1e3, "k": 1e3, "m": 1e6, "mm": 1e6, "b": 1e9, "bn": 1e9, "t": 1e12,
    "thousand": 1e3, "thousands": 1e3, "mil": 1e3, "mille": 1e3,
    "million": 1e6, "millions": 1e6, "millon": 1e6, "millones": 1e6,
    "billion": 1e9, "billions": 1e9, "milliard": 1e9, "milliards": 1e9, "mil millones": 1e9,
    "trillion": 1e12, "trillions": 1e12,
    "千": 1e3, "万": 1e4, "百万": 1e6, "千万": 1e7, "亿": 1e8, "十亿": 1e9, "万亿": 1e12,
}  # fmt: skip
_CURRENCY_PREFIX = r"(?P<cur>us\$|\$|€|£|¥|usd\s?|eur\s?)?"
_CN_NUM = r"(?P<cn>[零〇一二两三四五六七八九十百千万亿]*[十百千万亿][零〇一二两三四五六七八九十百千万亿]*)"
_WORD_NUM = (
    r"(?P<wn>a|an|one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|fifty|a hundred|one hundred|"
    r"hundred|half a|un|una|une|dos|deux|tres|trois|cinco|cinq|diez|dix|veinte|vingt|cincuenta|cinquante|cien|cent)"
    r"\s+(?P<wsuf>thousand|million|billion|trillion|millon|millones|million|millions|milliard|milliards|mil millones)"
    r"(?![a-z])"
)
_WORD_VALUES = {
    "a": 1, "an": 1, "one": 1, "un": 1, "una": 1, "une": 1, "half a": 0.5, "two": 2, "dos": 2, "deux": 2,
    "three": 3, "tres": 3, "trois": 3, "four": 4, "five": 5, "cinco": 5, "cinq": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "diez": 10, "dix": 10, "twenty": 20, "veinte": 20, "vingt": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "cincuenta": 50, "cinquante": 50, "hundred": 100, "a hundred": 100,
    "one hundred": 100, "cien": 100, "cent": 100,
}  # fmt: skip


def _number_regex(num: str) -> re.Pattern[str]:
    return re.compile(
        r"(?<![a-z0-9_])(?<!\d[.,])" + _CURRENCY_PREFIX + r"\s?(?P<num>" + num + r")" + _SUFFIX + r"(?![0-9])"
        "|" + _CN_NUM + "|(?<![a-z])" + _WORD_NUM
    )


_NUMBER = {"en": _number_regex(_NUM_EN), "space": _number_regex(_NUM_SPACE)}


def number_pattern(lang: str) -> re.Pattern[str]:
    """Any written number (a currency sign, the digits or words, a scale); es/fr also group with spaces."""
    return _NUMBER["space" if lang in ("es", "fr") else "en"]


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
        head, *groups = mantissa.split(",")
        thousands = head not in ("0", "") and all(len(g) == 3 for g in groups)
        mantissa = mantissa.replace(",", "") if thousands else mantissa.replace(",", ".")
    elif mantissa.count(".") > 1:
        mantissa = mantissa.replace(".", "")
    elif "." in mantissa and not decimal_dot and lang in ("es", "fr"):
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
        return _WORD_VALUES[match.group("wn")] * SCALE[suffix], True, suffix
    scale, suffix = _scale_of(match)
    return to_float(match.group("num"), lang) * scale, bool(suffix), suffix
