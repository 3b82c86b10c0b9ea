"""A local stand-in for the Hugging Face Hub and its LFS CDN on 127.0.0.1, plus fixture-file builders.

It answers the endpoints ``huggingface_hub`` 2.x calls, the way huggingface.co answers them:

* ``GET /api/models/{repo}`` and ``/api/models/{repo}/revision/{rev}`` → model info JSON (``id``, ``sha``,
  ``siblings``, ``gated``, ``private``); a private repo without a valid token answers 401 ``RepoNotFound``.
* ``HEAD``/``GET /{repo}/resolve/{rev}/{path}`` → the file with ``X-Repo-Commit``, ``ETag``,
  ``Content-Length``, ``Accept-Ranges``; ``Range: bytes=a-b`` → 206 with ``Content-Range``. LFS files answer
  302 to the CDN (another port, so another origin) with ``X-Linked-Etag``/``X-Linked-Size``, like the Hub.
* ``GET /{repo}/raw/{rev}/{path}`` → for an LFS file the *pointer text* (the trap a client must avoid).
* Errors carry ``X-Error-Code`` (``RepoNotFound``, ``RevisionNotFound``, ``EntryNotFound``, ``GatedRepo``) and
  ``X-Error-Message``; gated repos answer 401 without a token and 403 with a token that has no access.
* A renamed repo answers 307 to its new name. The CDN rejects requests that carry ``Authorization``.

Fault injection: :meth:`HubServer.fail` (the next N matching requests get a status),
:meth:`HubServer.delay` (sleep before answering), :meth:`HubServer.answer` (a fixed body instead of the real
one, e.g. malformed model info) and :meth:`HubServer.dribble` (the answer trickles out a few bytes at a
time). A :class:`RepoFile` with ``declared_size`` lies about its size (HEAD claims it; GET sends the real
bytes without a Content-Length). Every request is recorded for assertions; :func:`isolate_hub_env` gives a
test a clean Hub environment.

Fixture files (safetensors, GGUF) and fixture models live in tests/hub_fixtures.py.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import pytest

HUB_ENV_CLEARED = (
    "HF_TOKEN",
    "HUGGING_FACE_HUB_TOKEN",
    "HF_TOKEN_PATH",
    "HF_HUB_OFFLINE",
    "TRANSFORMERS_OFFLINE",
    "HF_HUB_CACHE",
    "HUGGINGFACE_HUB_CACHE",
    "HF_HUB_ETAG_TIMEOUT",
    "XDG_CACHE_HOME",
    "TAF_HUB_ATTEMPTS",
    "TAF_HUB_DEADLINE_S",
)


def isolate_hub_env(monkeypatch: pytest.MonkeyPatch, hf_home: Path) -> None:
    """A clean Hub environment: ``hf_home`` as HF_HOME, no token, online, fast retries."""
    constants = pytest.importorskip("huggingface_hub.constants")
    for name in HUB_ENV_CLEARED:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_HOME", str(hf_home))
    monkeypatch.setenv("TAF_HUB_BACKOFF_S", "0.01")
    # huggingface_hub froze these at import: keep its agent-registry fetch off the real Hub and its own
    # offline switch off (the adapter reads HF_HUB_OFFLINE itself, at call time).
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_TELEMETRY", True)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(hf_home / "hub"))  # for direct library calls
    monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(hf_home / "token"))


# =============================================================================================
# Repos and files
# =============================================================================================
@dataclass
class RepoFile:
    """A file in a fixture repo. ``virtual_size`` serves ``data`` followed by zeros up to that size;
    ``declared_size`` is the size the server claims (a lie when it differs)."""

    data: bytes
    lfs: bool = False
    virtual_size: int | None = None
    declared_size: int | None = None

    @property
    def size(self) -> int:
        return self.virtual_size if self.virtual_size is not None else len(self.data)

    @property
    def announced_size(self) -> int:
        return self.declared_size if self.declared_size is not None else self.size

    def read(self, start: int, end: int) -> bytes:
        """Bytes [start, end] (inclusive), zeros past ``data``."""
        head = self.data[start : end + 1]
        return head + bytes(end + 1 - start - len(head))

    @property
    def sha256(self) -> str:
        digest = hashlib.sha256(self.data)
        if self.virtual_size is not None:
            digest.update(f"+zeros-to-{self.virtual_size}".encode())  # a fixture id for virtual files
        return digest.hexdigest()

    @property
    def git_sha1(self) -> str:
        body = self.pointer_text() if self.lfs else self.data
        return hashlib.sha1(b"blob %d\0" % len(body) + body).hexdigest()

    def pointer_text(self) -> bytes:
        return f"version https://git-lfs.github.com/spec/v1\noid sha256:{self.sha256}\nsize {self.size}\n".encode()


@dataclass
class Repo:
    """A fixture model repo: files per revision ('main' first), access rules."""

    repo_id: str
    revisions: dict[str, dict[str, RepoFile]]
    gated: bool = False
    private: bool = False
    tokens: frozenset[str] = frozenset()

    @classmethod
    def of(cls, repo_id: str, files: dict[str, RepoFile | bytes | dict[str, Any]], **kwargs: Any) -> Repo:
        return cls(repo_id, {"main": {name: as_file(content) for name, content in files.items()}}, **kwargs)

    def sha(self, revision: str) -> str:
        files = self.revisions[revision]
        text = self.repo_id + "@" + revision + "".join(f"{n}:{f.sha256}" for n, f in sorted(files.items()))
        return hashlib.sha1(text.encode()).hexdigest()

    def resolve(self, revision: str) -> tuple[str, dict[str, RepoFile]] | None:
        if revision in self.revisions:
            return self.sha(revision), self.revisions[revision]
        for name in self.revisions:
            if self.sha(name) == revision:
                return revision, self.revisions[name]
        return None


def as_file(content: RepoFile | bytes | dict[str, Any]) -> RepoFile:
    if isinstance(content, RepoFile):
        return content
    if isinstance(content, dict):
        return RepoFile(json.dumps(content, indent=2).encode())
    return RepoFile(content)


DRIBBLE_BYTES = 8


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    server: str  # "hub" or "cdn"
    body_bytes: int = 0


@dataclass
class _Fault:
    pattern: str
    remaining: int
    status: int | None = None
    delay_s: float = 0.0
    method: str | None = None
    body: bytes | None = None
    dribble_s: float = 0.0  # seconds between pieces of DRIBBLE_BYTES


@dataclass
class HubServer:
    """The fake Hub (and CDN). Use as a context manager; ``endpoint`` is the value for ``HF_ENDPOINT``."""

    repos: dict[str, Repo] = field(default_factory=dict)
    renamed: dict[str, str] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._faults: list[_Fault] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._servers: list[ThreadingHTTPServer] = []

    # ---- setup ---------------------------------------------------------------------------------
    def add(self, *repos: Repo) -> HubServer:
        for repo in repos:
            self.repos[repo.repo_id] = repo
        return self

    def rename(self, old: str, new: str) -> None:
        self.renamed[old] = new

    def fail(self, pattern: str, status: int = 500, times: int = 1, method: str | None = None) -> None:
        """The next ``times`` requests whose path contains ``pattern`` answer ``status``."""
        with self._lock:
            self._faults.append(_Fault(pattern, times, status=status, method=method))

    def delay(self, pattern: str, seconds: float, times: int = 1_000_000, method: str | None = None) -> None:
        """Requests whose path contains ``pattern`` wait ``seconds`` before they are answered."""
        with self._lock:
            self._faults.append(_Fault(pattern, times, delay_s=seconds, method=method))

    def answer(self, pattern: str, body: bytes, status: int = 200, times: int = 1_000_000) -> None:
        """Requests whose path contains ``pattern`` get ``body`` (JSON content type) instead of the real answer."""
        with self._lock:
            self._faults.append(_Fault(pattern, times, status=status, body=body))

    def dribble(self, pattern: str, every_s: float, times: int = 1_000_000) -> None:
        """Answers to requests whose path contains ``pattern`` trickle out DRIBBLE_BYTES every ``every_s``."""
        with self._lock:
            self._faults.append(_Fault(pattern, times, dribble_s=every_s))

    # ---- lifecycle -------------------------------------------------------------------------------
    def __enter__(self) -> HubServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        self._hub = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self, "hub"))
        self._cdn = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self, "cdn"))
        for server in (self._hub, self._cdn):
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
            self._servers.append(server)

    def stop(self) -> None:
        self._stopping.set()
        for server in self._servers:
            server.shutdown()
            server.server_close()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._hub.server_address[1]}"

    @property
    def cdn(self) -> str:
        return f"http://127.0.0.1:{self._cdn.server_address[1]}"

    # ---- inspection ------------------------------------------------------------------------------
    def paths(self, method: str | None = None, server: str = "hub") -> list[str]:
        return [r.path for r in self.requests if r.server == server and (method is None or r.method == method)]

    def bytes_served(self, pattern: str = "") -> int:
        return sum(r.body_bytes for r in self.requests if pattern in r.path)

    def lfs_file(self, sha256: str) -> RepoFile | None:
        for repo in self.repos.values():
            for files in repo.revisions.values():
                for f in files.values():
                    if f.lfs and f.sha256 == sha256:
                        return f
        return None

    def _take_fault(self, method: str, path: str) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.remaining > 0 and fault.pattern in path and fault.method in (None, method):
                    fault.remaining -= 1
                    return fault
        return None


def _handler(state: HubServer, role: str) -> type[BaseHTTPRequestHandler]:
    class Handler(_HubHandler if role == "hub" else _CdnHandler):  # type: ignore[misc, valid-type]
        hub = state

    return Handler


class _BaseHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    hub: HubServer
    role = "hub"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def end_headers(self) -> None:
        # Like huggingface.co: readable from any origin (the browser app fetches configs directly).
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Expose-Headers", "X-Error-Code, X-Error-Message, X-Repo-Commit, ETag")
        super().end_headers()

    def do_GET(self) -> None:
        self._serve("GET")

    def do_HEAD(self) -> None:
        self._serve("HEAD")

    def _serve(self, method: str) -> None:
        record = Recorded(method, self.path, {k.lower(): v for k, v in self.headers.items()}, self.role)
        self.hub.requests.append(record)
        self._record = record
        self._dribble_s = 0.0
        try:
            fault = self.hub._take_fault(method, self.path)
            if fault is not None and fault.delay_s and self.hub._stopping.wait(fault.delay_s):
                return
            self._dribble_s = fault.dribble_s if fault is not None else 0.0
            if fault is not None and fault.status is not None:
                default = b'{"error": "Internal Error - We\'re working hard to fix this"}'
                self._send(fault.status, default if fault.body is None else fault.body, method)
                return
            self.route(method)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _write(self, data: bytes) -> None:
        """The body bytes, all at once or (dribbling) DRIBBLE_BYTES at a time until the server stops."""
        if not self._dribble_s:
            self.wfile.write(data)
            self._record.body_bytes += len(data)
            return
        for start in range(0, len(data), DRIBBLE_BYTES):
            if self.hub._stopping.wait(self._dribble_s):
                return
            self.wfile.write(data[start : start + DRIBBLE_BYTES])
            self._record.body_bytes += len(data[start : start + DRIBBLE_BYTES])

    def route(self, method: str) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _send(
        self,
        status: int,
        body: bytes,
        method: str,
        headers: dict[str, str] | None = None,
        content_type: str = "application/json",
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if method != "HEAD":
            self._write(body)

    def _error(self, status: int, code: str, message: str, method: str, extra: dict[str, str] | None = None) -> None:
        headers = {"X-Error-Code": code, "X-Error-Message": message, **(extra or {})}
        self._send(status, json.dumps({"error": message}).encode(), method, headers)

    def _send_file(self, f: RepoFile, method: str, headers: dict[str, str]) -> None:
        size = f.size
        status, start, end = 200, 0, size - 1
        range_header = self.headers.get("Range")
        if range_header:
            parsed = _parse_range(range_header, size)
            if parsed is None:
                self._send(416, b"", method, {"Content-Range": f"bytes */{size}"})
                return
            status, (start, end) = 206, parsed
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        if method == "HEAD" or f.declared_size is None:
            length = f.announced_size if method == "HEAD" and not range_header else end - start + 1
            self.send_header("Content-Length", str(length))
        else:  # a server that lies about the size: the real bytes, delimited by closing the connection
            self.send_header("Connection", "close")
            self.close_connection = True
        self.send_header("Accept-Ranges", "bytes")
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if method == "HEAD":
            return
        chunk = 1 << 20
        for offset in range(start, end + 1, chunk):
            self._write(f.read(offset, min(end, offset + chunk - 1)))


class _HubHandler(_BaseHandler):
    role = "hub"

    def route(self, method: str) -> None:
        parts = [unquote(p) for p in urlsplit(self.path).path.split("/")[1:]]
        if len(parts) >= 4 and parts[0] == "api" and parts[1] == "models":
            repo_id = f"{parts[2]}/{parts[3]}"
            revision = parts[5] if len(parts) >= 6 and parts[4] == "revision" else "main"
            self._api(method, repo_id, revision, parts)
        elif len(parts) >= 5 and parts[2] in ("resolve", "raw"):
            self._file(method, f"{parts[0]}/{parts[1]}", parts[2], parts[3], "/".join(parts[4:]), parts)
        else:
            self._send(404, b'{"error": "not found"}', method)

    def _token(self) -> str | None:
        auth = self.headers.get("Authorization", "")
        return auth[7:] if auth.lower().startswith("bearer ") else None

    def _repo(self, method: str, repo_id: str, parts: list[str]) -> Repo | None:
        if repo_id in self.hub.renamed:
            index = 2 if parts[0] == "api" else 0
            moved = list(parts)
            moved[index : index + 2] = self.hub.renamed[repo_id].split("/")
            query = urlsplit(self.path).query
            location = "/" + "/".join(quote(p, safe="") for p in moved) + (f"?{query}" if query else "")
            self._send(307, b"", method, {"Location": location})
            return None
        repo = self.hub.repos.get(repo_id)
        if repo is None or (repo.private and self._token() not in repo.tokens):
            status = 401 if self._token() is None else 404
            self._error(status, "RepoNotFound", "Repository not found", method)
            return None
        return repo

    def _api(self, method: str, repo_id: str, revision: str, parts: list[str]) -> None:
        repo = self._repo(method, repo_id, parts)
        if repo is None:
            return
        resolved = repo.resolve(revision)
        if resolved is None:
            self._error(404, "RevisionNotFound", f"Invalid rev id: {revision}", method)
            return
        sha, files = resolved
        info = {
            "_id": hashlib.md5(repo.repo_id.encode()).hexdigest()[:24],
            "id": repo.repo_id,
            "modelId": repo.repo_id,
            "sha": sha,
            "private": repo.private,
            "gated": "manual" if repo.gated else False,
            "disabled": False,
            "downloads": 0,
            "likes": 0,
            "tags": [],
            "library_name": "transformers",
            "lastModified": "2025-01-01T00:00:00.000Z",
            "siblings": [{"rfilename": name} for name in sorted(files)],
        }
        self._send(200, json.dumps(info).encode(), method)

    def _file(self, method: str, repo_id: str, kind: str, revision: str, filename: str, parts: list[str]) -> None:
        repo = self._repo(method, repo_id, parts)
        if repo is None:
            return
        resolved = repo.resolve(revision)
        if resolved is None:
            self._error(404, "RevisionNotFound", f"Invalid rev id: {revision}", method)
            return
        sha, files = resolved
        if repo.gated and self._token() not in repo.tokens:
            if self._token() is None:
                message = (
                    f"Access to model {repo_id} is restricted. You must have access to it and be authenticated "
                    "to access it. Please log in."
                )
                self._error(401, "GatedRepo", message, method)
            else:
                message = f"Access to model {repo_id} is restricted and you are not in the authorized list."
                self._error(403, "GatedRepo", message, method)
            return
        f = files.get(filename)
        if f is None:
            self._error(404, "EntryNotFound", "Entry not found", method, {"X-Repo-Commit": sha})
            return
        if kind == "raw":
            body = f.pointer_text() if f.lfs else f.read(0, f.size - 1)
            self._send(200, body, method, {"X-Repo-Commit": sha}, content_type="text/plain")
            return
        if f.lfs:
            headers = {
                "Location": f"{self.hub.cdn}/blobs/{f.sha256}",
                "X-Repo-Commit": sha,
                "X-Linked-Etag": f'"{f.sha256}"',
                "X-Linked-Size": str(f.announced_size),
                "ETag": f'"{f.git_sha1}"',
            }
            self._send(302, b"", method, headers, content_type="text/plain")
            return
        self._send_file(f, method, {"X-Repo-Commit": sha, "ETag": f'"{f.git_sha1}"'})


class _CdnHandler(_BaseHandler):
    role = "cdn"

    def route(self, method: str) -> None:
        if "authorization" in {k.lower() for k in self.headers}:
            # Signed CDN URLs carry their own credentials: S3 refuses a second auth mechanism.
            self._send(400, b"Only one auth mechanism allowed", method, content_type="text/plain")
            return
        parts = urlsplit(self.path).path.split("/")
        f = self.hub.lfs_file(parts[-1]) if len(parts) == 3 and parts[1] == "blobs" else None
        if f is None:
            self._send(404, b"NoSuchKey", method, content_type="text/plain")
            return
        self._send_file(f, method, {"ETag": f'"{f.sha256}"'})


def _parse_range(header: str, size: int) -> tuple[int, int] | None:
    """``bytes=a-b``, ``bytes=a-`` or ``bytes=-n`` clipped to the file; None when unsatisfiable."""
    spec = header.strip().removeprefix("bytes=")
    first, _, last = spec.partition("-")
    if not first:
        n = int(last)
        return (max(0, size - n), size - 1) if n > 0 and size > 0 else None
    start = int(first)
    end = int(last) if last else size - 1
    if start >= size or end < start:
        return None
    return start, min(end, size - 1)
