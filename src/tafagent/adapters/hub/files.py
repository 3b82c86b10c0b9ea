"""Small repo files (``config.json``, the safetensors index, ``quantize_config.json``) through the Hub cache.

``hf_hub_download`` fetches them through ``/{repo}/resolve/{rev}/{file}`` into the Hub cache, so Git LFS files
resolve to their content (never to pointer text) and a warm cache works offline. The cached copy's path
names the commit it came from; its bytes are read with a size bound and parsed as one JSON object.

Size: a download is capped at ``MAX_CONFIG_BYTES`` before it starts (the size the HEAD declares) and while it
runs (the guard counts the bytes), so an over-limit file never lands in the cache; one that is there anyway
(a download path the guard does not see) is removed, link and blob, before it is refused.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from tafagent.adapters.errors import HubError
from tafagent.adapters.hub.guard import body_cap
from tafagent.adapters.hub.library import silent_tqdm
from tafagent.adapters.hub.retry import with_retries
from tafagent.adapters.hub.session import HubSession
from tafagent.core.errors import ConfigError
from tafagent.core.spec.config_text import MAX_CONFIG_BYTES, parse_config_text

CONFIG_FILE = "config.json"
LFS_POINTER_PREFIX = b"version https://git-lfs.github.com/spec/"


def download_file(session: HubSession, filename: str, *, revision: str | None, local_only: bool) -> str:
    """The cached path of repo file ``filename`` at ``revision`` (default: the ref's, else main).

    ``local_only``: the cache only, one try, no network. Otherwise the library's HEAD and GET are retried
    here, as one call (the guard keeps the library from retrying either itself), and the answer is capped
    at MAX_CONFIG_BYTES (:class:`BodyTooLarge`). Library errors propagate untranslated;
    :class:`RetriesExhausted` when transient failures persist or the deadline runs out.
    """
    lib, settings = session.lib, session.settings

    def call() -> str:
        with body_cap(MAX_CONFIG_BYTES):
            return str(
                lib.hub.hf_hub_download(
                    session.ref.repo_id,
                    filename,
                    revision=revision or session.ref.revision or "main",
                    cache_dir=str(settings.cache_dir),
                    token=session.token_arg,
                    local_files_only=local_only,
                    endpoint=settings.endpoint,
                    etag_timeout=session.deadline.request_timeout_s(),
                    tqdm_class=silent_tqdm(lib),
                )
            )

    if local_only:
        return call()
    path = with_retries(session, call)
    _refuse_over_limit(path, f"{session.ref.repo_id}/{filename}", settings.cache_dir)
    return path


def _refuse_over_limit(path: str, origin: str, cache_dir: Path) -> None:
    """A downloaded file over MAX_CONFIG_BYTES is removed from the cache (link and blob), then refused."""
    try:
        size = os.path.getsize(path)
    except OSError:
        return  # read_cached reports it
    if size <= MAX_CONFIG_BYTES:
        return
    link = Path(path)
    blob = link.resolve()
    link.unlink(missing_ok=True)
    if blob.is_relative_to(cache_dir.resolve()):
        blob.unlink(missing_ok=True)
    raise ConfigError(f"{origin} is {size:,} bytes, far larger than a config file", "check the repo")


def sha_from_cache_path(path: str) -> str | None:
    """The commit sha of a file in the Hub cache: ``…/snapshots/<sha>/<file>``."""
    parts = Path(path).parts
    for i, part in enumerate(parts[:-1]):
        if part == "snapshots" and re.fullmatch(r"[0-9a-f]{40}", parts[i + 1]):
            return parts[i + 1]
    return None


def read_cached(path: str, origin: str) -> bytes:
    """The bytes of a cached config-sized file; a file larger than MAX_CONFIG_BYTES is refused unread."""
    try:
        size = os.path.getsize(path)
        if size > MAX_CONFIG_BYTES:
            raise ConfigError(f"{origin} is {size:,} bytes, far larger than a config file", "check the repo")
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise HubError(f"cannot read the cached {origin}: {exc.strerror or exc}", "check HF_HOME") from exc


def parse_json_bytes(raw: bytes, origin: str) -> dict[str, Any]:
    """JSON object from bytes; LFS pointer text and malformed JSON get their own one-line errors."""
    if raw.startswith(LFS_POINTER_PREFIX):
        raise ConfigError(
            f"{origin} is a Git LFS pointer, not the file's content",
            "the repo committed the pointer itself; ask its owner to upload the real file, or pass a local config",
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{origin} is not UTF-8 text", "the repo's file is corrupt; pass a local config") from None
    return parse_config_text(text, origin)
