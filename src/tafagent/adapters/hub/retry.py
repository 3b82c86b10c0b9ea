"""Bounded retries of transient Hub failures: timeouts, connection errors, HTTP 408/429/5xx.

``TAF_HUB_ATTEMPTS`` (default 3) bounds the attempts; the wait doubles from ``TAF_HUB_BACKOFF_S``
(default 1.0 s) and never exceeds ``MAX_BACKOFF_S``. A failure that outlives the attempts is raised as
:class:`RetriesExhausted`, so that the caller can fall back to the Hub cache.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from tafagent.adapters.hub.library import HubLibrary
from tafagent.adapters.hub.session import HubSession

T = TypeVar("T")

MAX_BACKOFF_S = 8.0
TRANSIENT_STATUS = frozenset({408, 429, 500, 502, 503, 504})


class RetriesExhausted(Exception):
    """A transient failure that outlived the bounded retries."""

    def __init__(self, error: BaseException, attempts: int) -> None:
        super().__init__(str(error))
        self.error = error
        self.attempts = attempts


def with_retries(session: HubSession, call: Callable[[], T]) -> T:
    """Run ``call``; retry transient failures with exponential backoff; raise RetriesExhausted when they persist."""
    attempts = session.settings.attempts
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except Exception as error:
            if not is_transient(session.lib, error):
                raise
            if attempt == attempts:
                raise RetriesExhausted(error, attempts) from None
            time.sleep(min(session.settings.backoff_s * 2 ** (attempt - 1), MAX_BACKOFF_S))
    raise AssertionError("unreachable")  # pragma: no cover


def is_transient(lib: HubLibrary, error: BaseException) -> bool:
    """A failure that may pass on a retry: a timeout, a lost connection, or HTTP 408/429/5xx."""
    t = lib.transport
    if isinstance(error, t.TimeoutException | t.NetworkError | t.RemoteProtocolError):
        return True
    if isinstance(error, lib.error("HfHubHTTPError")):
        response = getattr(error, "response", None)
        return response is not None and response.status_code in TRANSIENT_STATUS
    return False


def library_errors(lib: HubLibrary) -> tuple[type[BaseException], ...]:
    """The failures of a request that the library or the HTTP layer may raise (not our own TafErrors)."""
    t = lib.transport
    return (lib.error("HfHubHTTPError"), t.HTTPError, t.StreamError, OSError)
