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

Fault injection: :meth:`HubServer.fail` (the next N matching requests get a status) and
:meth:`HubServer.delay` (sleep before answering). Every request is recorded for assertions.
"""

from __future__ import annotations

import hashlib
import json
import math
import struct
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote, unquote, urlsplit


# =============================================================================================
# Repos and files
# =============================================================================================
@dataclass
class RepoFile:
    """A file in a fixture repo. ``virtual_size`` serves ``data`` followed by zeros up to that size."""

    data: bytes
    lfs: bool = False
    virtual_size: int | None = None

    @property
    def size(self) -> int:
        return self.virtual_size if self.virtual_size is not None else len(self.data)

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

    def delay(self, pattern: str, seconds: float, times: int = 1_000_000) -> None:
        """Requests whose path contains ``pattern`` wait ``seconds`` before they are answered."""
        with self._lock:
            self._faults.append(_Fault(pattern, times, delay_s=seconds))

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
        try:
            fault = self.hub._take_fault(method, self.path)
            if fault is not None and fault.delay_s and self.hub._stopping.wait(fault.delay_s):
                return
            if fault is not None and fault.status is not None:
                self._send(fault.status, b'{"error": "Internal Error - We\'re working hard to fix this"}', method)
                return
            self.route(method)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

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
            self.wfile.write(body)
            self._record.body_bytes += len(body)

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
        self.send_header("Content-Length", str(end - start + 1))
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
            piece = f.read(offset, min(end, offset + chunk - 1))
            self.wfile.write(piece)
            self._record.body_bytes += len(piece)


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
                "X-Linked-Size": str(f.size),
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


# =============================================================================================
# Fixture builders (independent of tafagent's parsers: sizes written from the format specs)
# =============================================================================================
SAFETENSORS_ITEM_BYTES = {"F32": 4, "F16": 2, "BF16": 2, "I32": 4, "U32": 4, "I8": 1, "U8": 1, "F8_E4M3": 1, "I64": 8}


def safetensors_bytes(
    tensors: Sequence[tuple[str, str, Sequence[int]]], metadata: dict[str, str] | None = None
) -> bytes:
    """A valid safetensors file: 8-byte length, JSON header padded with spaces to 8 bytes, packed data."""
    header: dict[str, Any] = {"__metadata__": metadata or {"format": "pt"}}
    offset = 0
    data = bytearray()
    for name, dtype, shape in tensors:
        n_bytes = math.prod(shape) * SAFETENSORS_ITEM_BYTES[dtype]
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + n_bytes]}
        # Distinct non-zero filler so that a parser reading data as header would notice.
        data += bytes([len(name) % 251 + 1]) * n_bytes
        offset += n_bytes
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + bytes(data)


def safetensors_data_bytes(tensors: Iterable[tuple[str, str, Sequence[int]]]) -> int:
    return sum(math.prod(shape) * SAFETENSORS_ITEM_BYTES[dtype] for _, dtype, shape in tensors)


# (block size, bytes per block) from ggml-common.h, written out here independently of tafagent.
GGML_BLOCKS = {0: (1, 4), 1: (1, 2), 8: (32, 34), 12: (256, 144), 14: (256, 210), 30: (1, 2)}
GGML = {"F32": 0, "F16": 1, "Q8_0": 8, "Q4_K": 12, "Q6_K": 14, "BF16": 30}
_GGUF_TYPES = {"u8": 0, "i8": 1, "u16": 2, "i16": 3, "u32": 4, "i32": 5, "f32": 6, "bool": 7, "str": 8, "u64": 10}
_GGUF_FORMATS = {
    "u8": "B",
    "i8": "b",
    "u16": "H",
    "i16": "h",
    "u32": "I",
    "i32": "i",
    "f32": "f",
    "bool": "?",
    "u64": "Q",
}


def _gguf_string(text: str) -> bytes:
    raw = text.encode()
    return struct.pack("<Q", len(raw)) + raw


def _gguf_value(kind: str, value: Any) -> bytes:
    if kind == "str":
        return _gguf_string(value)
    if kind.startswith("arr:"):
        item = kind[4:]
        body = b"".join(_gguf_value(item, v) for v in value)
        return struct.pack("<IQ", _GGUF_TYPES[item], len(value)) + body
    return struct.pack("<" + _GGUF_FORMATS[kind], value)


def gguf_tensor_bytes(shape: Sequence[int], type_name: str) -> int:
    block, size = GGML_BLOCKS[GGML[type_name]]
    return math.prod(shape) // block * size


def gguf_bytes(
    metadata: Sequence[tuple[str, str, Any]],
    tensors: Sequence[tuple[str, Sequence[int], str]],
    *,
    alignment: int = 32,
    with_data: bool = True,
) -> tuple[bytes, int]:
    """A GGUF v3 file (or only its header and the data size): ``metadata`` as (key, kind, value) with kinds
    u32/f32/str/arr:str/..., ``tensors`` as (name, ggml-order shape, type name)."""
    out = bytearray(b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(metadata)))
    for key, kind, value in metadata:
        type_id = 9 if kind.startswith("arr:") else _GGUF_TYPES[kind]
        out += _gguf_string(key) + struct.pack("<I", type_id) + _gguf_value(kind, value)
    offset = 0
    offsets = []
    for name, shape, type_name in tensors:
        offsets.append(offset)
        out += _gguf_string(name) + struct.pack("<I", len(shape)) + struct.pack(f"<{len(shape)}Q", *shape)
        out += struct.pack("<IQ", GGML[type_name], offset)
        offset += gguf_tensor_bytes(shape, type_name)
        offset += -offset % alignment
    out += bytes(-len(out) % alignment)
    data_size = offset
    if with_data:
        data = bytearray(data_size)
        for (_, shape, type_name), start in zip(tensors, offsets, strict=True):
            data[start : start + gguf_tensor_bytes(shape, type_name)] = b"\x11" * gguf_tensor_bytes(shape, type_name)
        out += data
    return bytes(out), data_size


# =============================================================================================
# Fixture models
# =============================================================================================
TINY_LLAMA: dict[str, Any] = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "vocab_size": 256,
    "max_position_embeddings": 2048,
    "rope_theta": 500000.0,
    "rms_norm_eps": 1e-5,
    "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
}


def llama_tensors(config: dict[str, Any], dtype: str = "BF16", prefix: str = "") -> list[tuple[str, str, list[int]]]:
    """The tensors transformers' LlamaForCausalLM saves for ``config`` (names, dtype, shapes)."""
    h, f, v = config["hidden_size"], config["intermediate_size"], config["vocab_size"]
    d = h // config["num_attention_heads"]
    kv = config["num_key_value_heads"] * d
    out = [(f"{prefix}model.embed_tokens.weight", dtype, [v, h])]
    for i in range(config["num_hidden_layers"]):
        p = f"{prefix}model.layers.{i}."
        out += [
            (p + "self_attn.q_proj.weight", dtype, [h, h]),
            (p + "self_attn.k_proj.weight", dtype, [kv, h]),
            (p + "self_attn.v_proj.weight", dtype, [kv, h]),
            (p + "self_attn.o_proj.weight", dtype, [h, h]),
            (p + "mlp.gate_proj.weight", dtype, [f, h]),
            (p + "mlp.up_proj.weight", dtype, [f, h]),
            (p + "mlp.down_proj.weight", dtype, [h, f]),
            (p + "input_layernorm.weight", dtype, [h]),
            (p + "post_attention_layernorm.weight", dtype, [h]),
        ]
    out.append((f"{prefix}model.norm.weight", dtype, [h]))
    if not config.get("tie_word_embeddings"):
        out.append((f"{prefix}lm_head.weight", dtype, [v, h]))
    return out


def gptq_tensors(config: dict[str, Any], bits: int, group_size: int) -> list[tuple[str, str, list[int]]]:
    """AutoGPTQ's layout: linear layers as int32 qweight [in·bits/32, out], qzeros [in/g, out·bits/32],
    fp16 scales [in/g, out] and int32 g_idx [in]; embeddings, norms and lm_head stay fp16."""
    out = []
    for name, dtype, shape in llama_tensors(config, "F16"):
        linear = ".layers." in name and name.endswith("_proj.weight")
        if not linear:
            out.append((name, dtype, shape))
            continue
        stem = name.removesuffix(".weight")
        out_features, in_features = shape
        out += [
            (f"{stem}.qweight", "I32", [in_features * bits // 32, out_features]),
            (f"{stem}.qzeros", "I32", [in_features // group_size, out_features * bits // 32]),
            (f"{stem}.scales", "F16", [in_features // group_size, out_features]),
            (f"{stem}.g_idx", "I32", [in_features]),
        ]
    return out


TINY_GGUF_DIMS = {"d": 256, "layers": 2, "heads": 4, "kv": 2, "ff": 512, "vocab": 512}


def tiny_gguf(n_merges: int = 0) -> tuple[bytes, list[tuple[str, list[int], str]]]:
    """A small llama GGUF with F32, F16, Q8_0, Q4_K and Q6_K tensors (and a rope_freqs buffer)."""
    d, layers, heads, kv, ff, vocab = (TINY_GGUF_DIMS[k] for k in ("d", "layers", "heads", "kv", "ff", "vocab"))
    head_dim = d // heads
    tensors: list[tuple[str, list[int], str]] = [("token_embd.weight", [d, vocab], "Q4_K")]
    for i in range(layers):
        p = f"blk.{i}."
        tensors += [
            (p + "attn_norm.weight", [d], "F32"),
            (p + "attn_q.weight", [d, d], "Q4_K"),
            (p + "attn_k.weight", [d, kv * head_dim], "Q4_K"),
            (p + "attn_v.weight", [d, kv * head_dim], "Q6_K"),
            (p + "attn_output.weight", [d, d], "F16" if i == 1 else "Q4_K"),
            (p + "ffn_norm.weight", [d], "F32"),
            (p + "ffn_gate.weight", [d, ff], "Q4_K"),
            (p + "ffn_up.weight", [d, ff], "Q4_K"),
            (p + "ffn_down.weight", [ff, d], "Q6_K"),
        ]
    tensors += [("output_norm.weight", [d], "F32"), ("output.weight", [d, vocab], "Q8_0")]
    tensors.append(("rope_freqs.weight", [head_dim // 2], "F32"))
    metadata: list[tuple[str, str, Any]] = [
        ("general.architecture", "str", "llama"),
        ("general.name", "str", "Tiny GGUF Llama"),
        ("general.file_type", "u32", 15),
        ("llama.block_count", "u32", layers),
        ("llama.context_length", "u32", 4096),
        ("llama.embedding_length", "u32", d),
        ("llama.feed_forward_length", "u32", ff),
        ("llama.attention.head_count", "u32", heads),
        ("llama.attention.head_count_kv", "u32", kv),
        ("llama.rope.freq_base", "f32", 500000.0),
        ("llama.rope.dimension_count", "u32", head_dim),
        ("llama.attention.layer_norm_rms_epsilon", "f32", 1e-5),
        ("tokenizer.ggml.model", "str", "gpt2"),
        ("tokenizer.ggml.tokens", "arr:str", [f"tok{i}" for i in range(vocab)]),
        ("tokenizer.ggml.token_type", "arr:i32", [1] * vocab),
    ]
    if n_merges:
        metadata.append(("tokenizer.ggml.merges", "arr:str", [f"merge-{i:07d} x" for i in range(n_merges)]))
    data, _ = gguf_bytes(metadata, tensors)
    return data, tensors


def llama3_8b_q4_k_m_header() -> tuple[bytes, int, list[tuple[str, list[int], str]]]:
    """The header of a Llama-3-8B GGUF with llama.cpp's Q4_K_M type mix (data size returned, not built).

    Q4_K_M: Q4_K everywhere except output.weight (Q6_K) and attn_v / ffn_down in the layers that
    ``use_more_bits(i, n)`` picks (the first and last eighth, and every third in between), which get Q6_K.
    """
    n, d, ff, vocab, kv = 32, 4096, 14336, 128256, 1024

    def more_bits(i: int) -> bool:
        return i < n // 8 or i >= 7 * n // 8 or (i - n // 8) % 3 == 2

    tensors: list[tuple[str, list[int], str]] = [("token_embd.weight", [d, vocab], "Q4_K")]
    for i in range(n):
        p = f"blk.{i}."
        tensors += [
            (p + "attn_norm.weight", [d], "F32"),
            (p + "attn_q.weight", [d, d], "Q4_K"),
            (p + "attn_k.weight", [d, kv], "Q4_K"),
            (p + "attn_v.weight", [d, kv], "Q6_K" if more_bits(i) else "Q4_K"),
            (p + "attn_output.weight", [d, d], "Q4_K"),
            (p + "ffn_norm.weight", [d], "F32"),
            (p + "ffn_gate.weight", [d, ff], "Q4_K"),
            (p + "ffn_up.weight", [d, ff], "Q4_K"),
            (p + "ffn_down.weight", [ff, d], "Q6_K" if more_bits(i) else "Q4_K"),
        ]
    tensors += [("output_norm.weight", [d], "F32"), ("output.weight", [d, vocab], "Q6_K")]
    metadata: list[tuple[str, str, Any]] = [
        ("general.architecture", "str", "llama"),
        ("general.name", "str", "Meta-Llama-3-8B"),
        ("general.file_type", "u32", 15),
        ("llama.block_count", "u32", n),
        ("llama.context_length", "u32", 8192),
        ("llama.embedding_length", "u32", d),
        ("llama.feed_forward_length", "u32", ff),
        ("llama.attention.head_count", "u32", 32),
        ("llama.attention.head_count_kv", "u32", 8),
        ("llama.rope.freq_base", "f32", 500000.0),
        ("llama.rope.dimension_count", "u32", 128),
        ("llama.attention.layer_norm_rms_epsilon", "f32", 1e-5),
        ("llama.vocab_size", "u32", vocab),
        ("tokenizer.ggml.model", "str", "gpt2"),
        ("tokenizer.ggml.tokens", "arr:str", [f"token-{i}" for i in range(vocab)]),
    ]
    header, data_size = gguf_bytes(metadata, tensors, with_data=False)
    return header, data_size, tensors
