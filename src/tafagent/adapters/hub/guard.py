"""The deadline, the per-request timeout and the size cap, enforced on every request sent for one MODEL.

:func:`guarded` adds two event hooks (public httpx API) to huggingface_hub's shared HTTP client, so they see
our own requests and the library's alike; they act only inside the context (``contextvars``) of a load:

* before a request: refuse it once the deadline has passed (:class:`DeadlineExceeded`); set its connect,
  read, write and pool timeouts to min(``HF_HUB_ETAG_TIMEOUT``, time left); add a ``trace`` callback that
  turns a transport failure (timeout, refused or lost connection) into :class:`HubTransportFailure`;
* on an answer: turn a transient status (408, 429, 5xx) into :class:`HubStatusFailure`; refuse a declared
  size over :func:`body_cap` (:class:`BodyTooLarge`); wrap the body so that each chunk checks the deadline
  (a server that dribbles bytes ends at the deadline) and the cap (a size that was not declared).

Why the conversions: huggingface_hub retries timeouts, network errors and 5xx answers itself (a HEAD up to
6 more times with waits of 1-8 s, a download 5 more times), which multiplied the bounded retries of
:mod:`tafagent.adapters.hub.retry`. Exceptions of these classes pass through its retry loops untouched, so
ours is the only retry loop: each request is sent at most ``TAF_HUB_ATTEMPTS`` times.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from tafagent.adapters.hub.deadline import DeadlineExceeded, HubDeadline
from tafagent.adapters.hub.library import HubLibrary

TRANSIENT_STATUS = frozenset({408, 429, 500, 502, 503, 504})
# httpcore's trace events whose failure is a transport failure (a suppressed WriteError is not: see below).
_TRANSPORT_STEPS = frozenset(
    {
        "connect_tcp",
        "connect_unix_socket",
        "start_tls",
        "send_request_headers",
        "send_request_body",
        "receive_response_headers",
        "receive_response_body",
    }
)


class HubTransportFailure(Exception):
    """No (complete) answer: ``kind`` "timeout" (nothing within ``timeout_s``) or "network" (connection failed)."""

    def __init__(self, kind: str, error: BaseException, *, timeout_s: float, method: str, url: str) -> None:
        super().__init__(f"{kind}: {type(error).__name__} on {method} {url}")
        self.kind = kind
        self.error = error
        self.timeout_s = timeout_s
        self.method = method
        self.url = url


class HubStatusFailure(Exception):
    """A transient HTTP status (408, 429, 5xx); ``response`` is the answer (its body unread)."""

    def __init__(self, response: Any) -> None:
        super().__init__(f"HTTP {response.status_code} on {response.request.method} {response.request.url}")
        self.response = response


class BodyTooLarge(Exception):
    """An answer larger than the cap of :func:`body_cap`: ``declared`` by its headers, else counted as it came."""

    def __init__(self, size_bytes: int, limit_bytes: int, url: str, *, declared: bool) -> None:
        super().__init__(f"{url} is {'' if declared else 'over '}{size_bytes:,} bytes (limit {limit_bytes:,})")
        self.size_bytes = size_bytes
        self.limit_bytes = limit_bytes
        self.url = url
        self.declared = declared


@dataclass(frozen=True)
class _Guard:
    deadline: HubDeadline
    stream_base: type  # the HTTP library's SyncByteStream, which a response body must remain


_ACTIVE: ContextVar[_Guard | None] = ContextVar("tafagent_hub_guard", default=None)
_BODY_CAP: ContextVar[int | None] = ContextVar("tafagent_hub_body_cap", default=None)
_INSTALL_LOCK = threading.Lock()


@contextmanager
def guarded(lib: HubLibrary, deadline: HubDeadline) -> Iterator[None]:
    """Enforce ``deadline`` on every request sent from this context (threads: run tasks in a copy of it)."""
    _install(lib)
    token = _ACTIVE.set(_Guard(deadline, lib.transport.SyncByteStream))
    try:
        yield
    finally:
        _ACTIVE.reset(token)


@contextmanager
def body_cap(limit_bytes: int) -> Iterator[None]:
    """Refuse answers larger than ``limit_bytes`` inside this block (config-sized files)."""
    token = _BODY_CAP.set(limit_bytes)
    try:
        yield
    finally:
        _BODY_CAP.reset(token)


def _install(lib: HubLibrary) -> None:
    """Add the hooks to the library's shared client once (they do nothing outside a guarded context)."""
    client = lib.hub.utils.get_session()
    with _INSTALL_LOCK:
        hooks = client.event_hooks
        if _before_request in hooks["request"]:
            return
        client.event_hooks = {
            "request": [*hooks["request"], _before_request],
            "response": [*hooks["response"], _on_response],
        }


def _before_request(request: Any) -> None:
    guard = _ACTIVE.get()
    if guard is None:
        return
    method, url = request.method, str(request.url)
    if guard.deadline.expired:
        raise DeadlineExceeded(method, url, sent=False)
    timeout_s = guard.deadline.request_timeout_s()
    request.extensions["timeout"] = dict.fromkeys(("connect", "read", "write", "pool"), timeout_s)
    request.extensions["trace"] = _failure_trace(method, url, timeout_s, request.extensions.get("trace"))


def _failure_trace(method: str, url: str, timeout_s: float, chained: Callable[..., Any] | None) -> Callable[..., None]:
    """httpcore's ``trace`` callback: a failed transport step raises HubTransportFailure in place of its error."""

    def trace(event: str, info: dict[str, Any]) -> None:
        if chained is not None:
            chained(event, info)
        step, _, outcome = event.rpartition(".")
        if outcome != "failed" or step.rpartition(".")[2] not in _TRANSPORT_STEPS:
            return
        error = info.get("exception")
        kind = _failure_kind(error)
        if error is not None and kind is not None:
            raise HubTransportFailure(kind, error, timeout_s=timeout_s, method=method, url=url)

    return trace


def _failure_kind(error: BaseException | None) -> str | None:
    """The kind of a transport error huggingface_hub would retry ("timeout" or "network"); None for the rest."""
    names = {cls.__name__ for cls in type(error).__mro__}
    if "TimeoutException" in names:
        return "timeout"
    # httpcore suppresses a WriteError while sending (the server may answer anyway): leave it alone.
    if "WriteError" not in names and names & {"NetworkError", "RemoteProtocolError"}:
        return "network"
    return None


def _on_response(response: Any) -> None:
    guard = _ACTIVE.get()
    if guard is None:
        return
    if response.status_code in TRANSIENT_STATUS:
        raise HubStatusFailure(response)
    url = str(response.request.url)
    cap = _BODY_CAP.get()
    declared = _declared_size(response)
    if cap is not None and declared is not None and declared > cap:
        raise BodyTooLarge(declared, cap, url, declared=True)
    response.stream = _guarded_stream(guard, response.stream, cap, response.request.method, url)


def _declared_size(response: Any) -> int | None:
    """The size an answer announces: the Hub's X-Linked-Size (LFS redirect), else Content-Length."""
    for name in ("X-Linked-Size", "Content-Length"):
        value = response.headers.get(name)
        if value is not None and value.strip().isdigit():
            return int(value)
    return None


def _guarded_stream(guard: _Guard, inner: Any, cap: int | None, method: str, url: str) -> Any:
    """``inner`` (a response body), checking the deadline and the size cap at every chunk."""

    class GuardedStream(guard.stream_base):  # type: ignore[name-defined]
        def __iter__(self) -> Iterator[bytes]:
            received = 0
            for chunk in inner:
                received += len(chunk)
                if cap is not None and received > cap:
                    raise BodyTooLarge(cap, cap, url, declared=False)
                if guard.deadline.expired:
                    raise DeadlineExceeded(method, url, sent=True)
                yield chunk

        def close(self) -> None:
            inner.close()

    return GuardedStream()
