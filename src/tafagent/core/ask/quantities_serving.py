"""Serving numbers that are not token counts: a batch size written as such, and a latency target.

* Batch: ``batch size 16``, ``batch of 8``, ``un batch de 8``, ``taille de lot de 4``, ``lote de 4``,
  ``批量 4``, ``批大小为 8`` → kind ``users``, qualifier ``batch`` (the concurrent sequences, as
  ``concurrent_users`` and ``batch`` read them).
* Latency: ``50 ms per token``, ``moins de 50 ms par token``, ``menos de 50 ms por token``,
  ``每个 token 50 毫秒以内``, ``TTFT under 0.5 s`` → kind ``latency_ms`` (value in milliseconds); qualifier
  ``per_token`` (time per output token, TPOT) or ``first_token`` (TTFT), else None; hint ``max`` when the
  number is written as an upper bound (under, moins de, menos de, 以内). Seconds are read only next to a
  latency word, so "2 s" elsewhere is not taken for a latency.
"""

from __future__ import annotations

import re

from tafagent.core.ask.numerals import to_float
from tafagent.core.ask.quantity import Claims, Quantity, signed

_BATCH = re.compile(
    r"(?<![a-z])(?:batch[\s_-]?size|batch(?:es)?|taille\s+de\s+(?:batch|lot)|tamano\s+de\s+lote|lotes?"
    r"|(?<!a )lots?|批量大小|批大小|批次大小|批量|批次|bs(?=\s*[=:]))"
    r"\s*(?:of|=|:|de|du|is|es|est|为|是|：)?\s*(?P<num>-?\d+)(?![\d.,]*\s*(?:[kmbt]|tokens?)(?![a-z]))(?![\d.,])"
)
_MS = r"ms|msec|millisecond(?:e)?s?|milisegundos?|毫秒"
_SECONDS = r"s|sec|seconds?|secondes?|segundos?|秒"
_LATENCY = re.compile(
    r"(?<![\d.,])(?P<num>\d+(?:[.,]\d+)?)\s*(?:(?P<ms>" + _MS + r")|(?P<s>" + _SECONDS + r"))(?![a-z])"
)
_LATENCY_WORDS = re.compile(
    r"latenc\w*|ttft|tpot|first token|primer token|premier token|首\s*token|首字|延迟|时延|响应时间"
    r"|(?:per|por|par|each|cada|chaque)\s+(?:output\s+)?(?:tokens?|jetons?)|每个?\s*(?:token|词元)"
)
_PER_TOKEN_AFTER = re.compile(r"\s*(?:(?:per|por|par|a|each|cada|chaque|/)\s*(?:output\s+)?(?:tokens?|jetons?|tok)"
                              r"(?![a-z])|每个?\s*(?:token|词元))")  # fmt: skip
_PER_TOKEN_BEFORE = re.compile(r"(?:tpot|inter-?token|每个?\s*(?:输出\s*)?(?:token|词元))[^\d]{0,12}$")
_FIRST_TOKEN_NEAR = re.compile(r"ttft|time to first token|first token|primer token|premier token|首\s*token|首字")
_BOUND_BEFORE = re.compile(
    r"(?:under|below|less than|at most|within|max(?:imum)?|<|≤|menos de|por debajo de|como maximo|moins de"
    r"|sous|au plus|en dessous de|inferieure? a|不超过|低于|小于|少于)\s*$"
)
_BOUND_AFTER = re.compile(r"\s*(?:以内|以下|之内|or less|max(?![a-z])|maximum|como maximo|au maximum|maximum)")


def batch_sizes(masked: str, claims: Claims) -> None:
    """A batch size written as one: kind ``users``, qualifier ``batch``."""
    for match in _BATCH.finditer(masked):
        if claims.free(match.span()):
            value = signed(masked, match, "num", float(match.group("num")))
            claims.claim(Quantity("users", value, match.span(), match.group(0), qualifier="batch"))


def latencies(masked: str, lang: str, claims: Claims) -> None:
    """A latency in milliseconds (seconds × 1000), with per_token / first_token and a ``max`` hint."""
    for match in _LATENCY.finditer(masked):
        if not claims.free(match.span()):
            continue
        before, after = masked[max(0, match.start() - 30) : match.start()], masked[match.end() : match.end() + 30]
        if match.group("s") and not (_LATENCY_WORDS.search(before) or _LATENCY_WORDS.match(after.strip())):
            continue  # "2 s" with no latency word near is not read as a latency
        end = match.end()
        per_token = _PER_TOKEN_AFTER.match(after)
        if per_token:
            end += per_token.end()
        if per_token or _PER_TOKEN_BEFORE.search(before):
            qualifier: str | None = "per_token"
        elif _FIRST_TOKEN_NEAR.search(before) or _FIRST_TOKEN_NEAR.match(after.strip()):
            qualifier = "first_token"
        else:
            qualifier = None
        value = to_float(match.group("num"), lang, decimal_dot=True) * (1.0 if match.group("ms") else 1000.0)
        value = signed(masked, match, "num", value)
        bound = _BOUND_BEFORE.search(before) or _BOUND_AFTER.match(masked[end : end + 20])
        span = (match.start(), end)
        claims.claim(
            Quantity(
                "latency_ms", value, span, masked[span[0] : span[1]], qualifier=qualifier, hint="max" if bound else ""
            )
        )
