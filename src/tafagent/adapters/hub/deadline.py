"""The one deadline of a MODEL: ``TAF_HUB_DEADLINE_S`` for everything the adapter asks the Hub for it.

It starts when :func:`~tafagent.adapters.hub.loader.load_hub_spec` starts and covers model info, config.json,
the safetensors index, quantize_config.json, the weight headers, every retry and every backoff wait. Each
request's timeout is the smaller of ``HF_HUB_ETAG_TIMEOUT`` and the time left, so no request outlives it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

MIN_REQUEST_TIMEOUT_S = 0.01  # httpx reads a timeout of 0 as "do not wait at all"


@dataclass(frozen=True)
class HubDeadline:
    """When the time for one MODEL runs out (monotonic clock), its budget and the per-request timeout."""

    budget_s: float
    timeout_s: float
    ends_at: float

    @classmethod
    def start(cls, budget_s: float, timeout_s: float) -> HubDeadline:
        """A deadline ``budget_s`` from now, for requests of at most ``timeout_s`` each."""
        return cls(budget_s, timeout_s, time.monotonic() + budget_s)

    def remaining_s(self) -> float:
        return self.ends_at - time.monotonic()

    @property
    def expired(self) -> bool:
        return self.remaining_s() <= 0

    def request_timeout_s(self) -> float:
        """The timeout for a request sent now: HF_HUB_ETAG_TIMEOUT, cut to the time left."""
        return max(MIN_REQUEST_TIMEOUT_S, min(self.timeout_s, self.remaining_s()))


class DeadlineExceeded(Exception):
    """The deadline ran out: before a request was sent (``sent`` False) or while its answer was arriving."""

    def __init__(self, method: str, url: str, *, sent: bool) -> None:
        when = "while receiving the answer to" if sent else "before sending"
        super().__init__(f"the deadline ran out {when} {method} {url}")
        self.method = method
        self.url = url
        self.sent = sent
