"""One number read from a question (:class:`Quantity`), the claims that stop two readers reading the same
number, and the minus-sign rule they share.

A minus sign written right before a number makes it negative (``-32k``, ``of -$500``, ``n_layers=-4``), so
the recipe's own range check refuses it in one line instead of the sign being dropped and ``-32k`` running
as 32,000. A ``-`` after a letter, a digit or a closing mark is a hyphen or a range (``8k-32k``, ``gpt-4``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from tafagent.core.ask.text import overlaps as _overlaps


@dataclass(frozen=True)
class Quantity:
    """One number read from the question, with what it measures.

    ``kind``: length, params, money, gpu_price, api_price, volume, tokens, gamma, delta_gamma, theta, t_train,
    layers, heads, kv_heads, d_head, gpus, users, mfu, kv_mass, precision, percent, memory, swa, bare,
    latency_ms (a time in milliseconds, ``50 ms``/``0.2 s``/``50 毫秒``), overflow (a number too large to compute
    with; ``hint`` holds what it would have measured).

    ``qualifier`` by kind: gamma: text / random / obs; precision: kv; tokens: train; users: plain (not said to
    be simultaneous) or batch (a batch size written as such: ``batch size 16``, ``un batch de 8``,
    ``lote de 4``, ``批量 4``; still kind ``users``, the concurrent sequences); latency_ms: per_token (a
    per-token latency, TPOT: ``50 ms per token``) or first_token (TTFT); latency_ms's ``hint`` is ``max`` when
    written as a bound (``under``, ``moins de``, ``menos de``, ``以内``).
    """

    kind: str
    value: float
    span: tuple[int, int]
    text: str
    period: str | None = None  # volumes: day, week, month, year, hour, second
    currency: str | None = None  # money: USD, EUR, GBP, CNY, JPY; None when no currency was written
    qualifier: str | None = None  # see the class docstring
    scaled: bool = False  # written with a scale suffix (32K, 7B, 50 million)
    hint: str = ""  # the word that decided the kind (before = preceding word)


# a '-' after one of these is a hyphen or a range ('8k-32k', 'gpt-4', '(a)-b'), not a minus sign
_NOT_A_SIGN_AFTER = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_.-)]}%")


def minus_before(masked: str, start: int) -> bool:
    """Whether a minus sign is written right before the number at ``start``: ``-32k``, ``of -$500``, ``=-4``."""
    if start < 1 or masked[start - 1] != "-":
        return False
    return start < 2 or masked[start - 2] not in _NOT_A_SIGN_AFTER


def signed(masked: str, match: re.Match[str], group: str, value: float) -> float:
    """``value`` of the number in ``group``, negative when a minus sign is written right before it."""
    return -value if minus_before(masked, match.start(group)) else value


class Claims:
    """The quantities found so far; each reader claims its spans so the later ones skip them."""

    def __init__(self) -> None:
        self.found: list[Quantity] = []
        self.taken: list[tuple[int, int]] = []

    def free(self, span: tuple[int, int]) -> bool:
        return not _overlaps(span, self.taken)

    def claim(self, q: Quantity) -> None:
        self.taken.append(q.span)  # an unusable number still hides its span from the other readers
        if not math.isfinite(q.value):
            # '1e400' overflows: kept apart so the router reports it instead of running on a default
            q = replace(q, kind="overflow", hint=q.kind)
        self.found.append(q)
