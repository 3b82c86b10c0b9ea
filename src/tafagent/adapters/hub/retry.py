"""Bounded retries of transient Hub failures: timeouts, connection errors, HTTP 408/429/5xx.

``TAF_HUB_ATTEMPTS`` (default 3) bounds the attempts; the wait doubles from ``TAF_HUB_BACKOFF_S``
(default 1.0 s) and never exceeds ``MAX_BACKOFF_S``. This is the only retry loop: the guard
(:mod:`tafagent.adapters.hub.guard`) keeps huggingface_hub's own loops from retrying. The MODEL's deadline
stops the loop early: no wait that would outlast it, no request once it has passed. A failure that outlives
the attempts (or the deadline) is raised as :class:`RetriesExhausted`, so that the caller can fall back to
the Hub cache, and so that the message can give the tries actually made.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from tafagent.adapters.hub.deadline import DeadlineExceeded
from tafagent.adapters.hub.guard import TRANSIENT_STATUS, HubStatusFailure, HubTransportFailure
from tafagent.adapters.hub.library import HubLibrary
from tafagent.adapters.hub.session import HubSession

T = TypeVar("T")

MAX_BACKOFF_S = 8.0


class RetriesExhausted(Exception):
    """A transient failure that outlived the bounded retries, or the deadline (``deadline_hit``).

    ``attempts`` is the number of tries actually sent; ``error`` the last failure (a
    :class:`DeadlineExceeded` when the deadline ran out before any other failure).
    """

    def __init__(self, error: BaseException, attempts: int, *, deadline_hit: bool = False) -> None:
        super().__init__(str(error))
        self.error = error
        self.attempts = attempts
        self.deadline_hit = deadline_hit


def with_retries(session: HubSession, call: Callable[[], T]) -> T:
    """Run ``call``; retry transient failures with exponential backoff within the attempts and the deadline."""
    settings, deadline = session.settings, session.deadline
    last: BaseException | None = None
    for attempt in range(1, settings.attempts + 1):
        try:
            return call()
        except DeadlineExceeded as ran_out:
            # Cut off while an answer arrived: that try counts and is the failure to report. Refused before
            # sending: the previous failure (if any) is what the user needs to hear about.
            if ran_out.sent or last is None:
                raise RetriesExhausted(ran_out, attempt if ran_out.sent else attempt - 1, deadline_hit=True) from None
            raise RetriesExhausted(last, attempt - 1, deadline_hit=True) from None
        except Exception as error:
            if not is_transient(session.lib, error):
                raise
            last = error
            if attempt == settings.attempts:
                raise RetriesExhausted(error, attempt, deadline_hit=deadline.expired) from None
            wait_s = min(settings.backoff_s * 2 ** (attempt - 1), MAX_BACKOFF_S)
            if wait_s >= deadline.remaining_s():
                raise RetriesExhausted(error, attempt, deadline_hit=True) from None
            time.sleep(wait_s)
    raise AssertionError("unreachable")  # pragma: no cover


def is_transient(lib: HubLibrary, error: BaseException) -> bool:
    """A failure that may pass on a retry: a timeout, a lost connection, or HTTP 408/429/5xx."""
    if isinstance(error, HubTransportFailure | HubStatusFailure):
        return True
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
