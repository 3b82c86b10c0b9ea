"""Period words of token volumes and money (``/day``, ``al mes``, ``par jour``, ``每月``) and the conversions
between periods.

The words are data (the ``periods`` and ``every`` entries of ``core/data/i18n/numbers_<lang>.json``); the
patterns accept the words of every language, as the number patterns do. A word ending in ``*`` is a stem
(``mensuel*`` reads mensuel, mensuelle, mensuels).
"""

from __future__ import annotations

import functools
import re

from tafagent.core.ask.numerals import number_rules
from tafagent.core.messages import LANGUAGES

PERIODS = ("day", "week", "month", "year", "hour", "second")  # the order the patterns are tried in
_NEAR = r"[^\d;,.!?]{0,14}$"  # a period word just before the number, same clause


def _words(period: str, part: str) -> list[str]:
    found: dict[str, None] = {}
    for lang in LANGUAGES:
        found.update(dict.fromkeys(number_rules(lang).periods.get(period, {}).get(part, ())))
    return list(found)


def _alternation(words: list[str]) -> str:
    ordered = sorted(words, key=lambda w: (-len(w), w))
    return "|".join(re.escape(w).replace(r"\ ", r"\s+").replace(r"\*", r"\w*") for w in ordered)


def _latin(words: list[str]) -> list[str]:
    return [w for w in words if w.isascii()]


def _after_regex(period: str) -> str:
    """``/day``, ``/天``, ``per day``, ``cada mes``, ``daily``, ``每天``: a period word after a number."""
    every = sorted({w for lang in LANGUAGES for w in number_rules(lang).every}, key=lambda w: (-len(w), w))
    units = _words(period, "units")
    slashed = _latin(units + _words(period, "abbreviations"))
    cjk = [w for w in units if not w.isascii()]
    options = [r"/\s*(?:" + _alternation(slashed) + r")(?![a-z])"]
    if cjk:
        options.append(r"/\s*(?:" + _alternation(cjk) + r")")
    options.append(r"(?:" + _alternation(every) + r")\s+(?:" + _alternation(_latin(units)) + r")(?![a-z])")
    adverbs = _words(period, "adverbs")
    if adverbs:
        options.append(_alternation(adverbs))
    return r"\s*(?:" + "|".join(options) + ")"


@functools.cache
def period_after_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """(period, pattern matching a period word right after a number), in :data:`PERIODS` order."""
    return tuple((period, re.compile(_after_regex(period))) for period in PERIODS)


@functools.cache
def _after_tokens_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """``万 token 每天`` reads 天 alone after a token word: only there is a bare 天/日/月 a period."""
    found = [(p, _words(p, "after_tokens")) for p in PERIODS]
    return tuple((p, re.compile(r"\s*(?:" + _alternation(words) + ")")) for p, words in found if words)


@functools.cache
def _before_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    found = [(p, _words(p, "before")) for p in PERIODS]
    return tuple((p, re.compile(r"(?:" + _alternation(words) + ")" + _NEAR)) for p, words in found if words)


def period_after(text: str, *, tokens: bool) -> str | None:
    """The period written at the start of ``text`` (what follows a number or its token word)."""
    for period, pattern in period_after_patterns():
        if pattern.match(text):
            return period
    if tokens:
        for period, pattern in _after_tokens_patterns():
            if pattern.match(text):
                return period
    return None


def period_before(text: str) -> str | None:
    """The period written shortly before a number, in the same clause (``每天 5 亿``, ``daily 2M``)."""
    for period, pattern in _before_patterns():
        if pattern.search(text):
            return period
    return None


DAYS_PER = {"day": 1.0, "week": 7.0, "month": 30.0, "year": 365.0, "hour": 1 / 24, "second": 1 / 86400}


def per_day(value: float, period: str) -> float:
    """Tokens per day from a volume in ``period`` (a month counts 30 days, a year 365)."""
    return value / DAYS_PER[period]


def per_month(value: float, period: str) -> float:
    """Tokens per month from a volume in ``period`` (a year is 12 months; shorter periods count 30 days)."""
    if period == "year":
        return value / 12.0
    return per_day(value, period) * 30.0
