"""Weight-file headers over HTTP range requests: safetensors and GGUF, a few KB per file, no weights.

The bytes come from the same ``/resolve/`` URLs as the config, through the library's HTTP session (so its
headers, token handling and redirects to the CDN apply); the pure :mod:`tafagent.core.spec.safetensors_header`
and :mod:`tafagent.core.spec.gguf_header` parse them. A first read of a fixed size holds most headers; a longer
header costs one more request (safetensors, whose length prefix says how much) or a doubling read (GGUF,
whose parser says how much more).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from tafagent.adapters.hub.retry import with_retries
from tafagent.adapters.hub.session import HubSession
from tafagent.core.errors import HeaderTruncatedError, WeightHeaderError
from tafagent.core.spec.gguf_header import GGUFHeader, parse_gguf_header
from tafagent.core.spec.safetensors_header import SafetensorsHeader, parse_safetensors_header, safetensors_header_length

T = TypeVar("T")

SAFETENSORS_FIRST_READ_BYTES = 64 * 1024  # most headers fit: one request per file
GGUF_FIRST_READ_BYTES = 1 << 20
MAX_GGUF_HEADER_BYTES = 256 << 20  # metadata with a 256k-token vocabulary and merges is ~10 MB
HEADER_WORKERS = 8
HTTP_RANGE_NOT_SATISFIABLE = 416


def read_range(session: HubSession, filename: str, sha: str, start: int, length: int) -> bytes:
    """Bytes [start, start+length) of a repo file via ``/resolve/`` (shorter at the end of the file)."""
    lib, settings = session.lib, session.settings
    url = lib.hub.hf_hub_url(session.ref.repo_id, filename, revision=sha, endpoint=settings.endpoint)
    headers = lib.hub.utils.build_hf_headers(
        token=session.token_arg,
        headers={"Range": f"bytes={start}-{start + length - 1}", "Accept-Encoding": "identity"},
    )

    def call() -> bytes:
        http = lib.hub.utils.get_session()
        with http.stream("GET", url, headers=headers, timeout=settings.timeout_s, follow_redirects=True) as response:
            if response.status_code == HTTP_RANGE_NOT_SATISFIABLE:
                return b""  # the range starts at or after the end of the file
            if response.status_code >= 400:
                response.read()
                lib.hub.utils.hf_raise_for_status(response)
            # A server that ignores Range answers 200 with the whole file: skip to `start`, stop at `length`.
            skip = start if response.status_code == 200 else 0
            out = bytearray()
            for chunk in response.iter_bytes():
                if skip:
                    cut = min(skip, len(chunk))
                    chunk, skip = chunk[cut:], skip - cut
                out += chunk
                if len(out) >= length:
                    break
            return bytes(out[:length])

    return with_retries(session, call)


def read_safetensors_header(session: HubSession, filename: str, sha: str) -> SafetensorsHeader:
    """The JSON header of a safetensors file: its 8-byte length prefix, then the header itself."""
    origin = f"{session.ref.repo_id}/{filename}"
    data = read_range(session, filename, sha, 0, SAFETENSORS_FIRST_READ_BYTES)
    length = safetensors_header_length(data, origin)
    if len(data) < 8 + length:
        data += read_range(session, filename, sha, len(data), 8 + length - len(data))
    return parse_safetensors_header(data, origin)


def read_gguf_header(session: HubSession, filename: str, sha: str) -> tuple[GGUFHeader, bytes]:
    """The parsed GGUF header and its raw bytes (up to the tensor data), read in growing ranges."""
    origin = f"{session.ref.repo_id}/{filename}"
    data = read_range(session, filename, sha, 0, GGUF_FIRST_READ_BYTES)
    at_end = len(data) < GGUF_FIRST_READ_BYTES
    while True:
        try:
            header = parse_gguf_header(data, origin)
            return header, data[: header.data_offset]
        except HeaderTruncatedError as short:
            if at_end:
                raise WeightHeaderError(f"{origin} ends inside its header", "the file is truncated") from None
            target = max(short.needed_bytes, 2 * len(data))
            if target > MAX_GGUF_HEADER_BYTES:
                raise WeightHeaderError(
                    f"{origin}: the GGUF header is larger than {MAX_GGUF_HEADER_BYTES >> 20} MiB",
                    "the file is corrupt or not a model GGUF",
                ) from None
            more = read_range(session, filename, sha, len(data), target - len(data))
            at_end = len(more) < target - len(data)
            data += more


def read_each(names: tuple[str, ...], read: Callable[[str], T]) -> dict[str, T]:
    """``read`` of every name, in parallel threads (at most HEADER_WORKERS) when there are several.

    Each task runs in a copy of the caller's context, so the MODEL's deadline (a context variable of the
    guard) covers the reads in the threads too. The first failure is raised once every task has ended.
    """
    if len(names) == 1:
        return {names[0]: read(names[0])}
    with ThreadPoolExecutor(max_workers=min(HEADER_WORKERS, len(names))) as pool:
        futures = [pool.submit(contextvars.copy_context().run, read, name) for name in names]
        results = [future.result() for future in futures]
    return dict(zip(names, results, strict=True))
