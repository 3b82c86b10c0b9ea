"""What the Hub says about a repo at a revision: canonical id, commit sha, file list, gating.

One ``GET /api/models/{repo}[/revision/{rev}]`` (the request ``HfApi.model_info`` sends), through the
library's HTTP session, headers and error classes, with a size cap, under the MODEL's deadline and retries.
The answer is read here rather than by ``ModelInfo``: a server that answers in the wrong shape (not JSON, a
``siblings`` that is no list, entries without ``rfilename``, a sha that is no commit id) must give one line
naming the endpoint, not the library's ``KeyError`` text; and the sha becomes a path in the Hub cache.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from tafagent.adapters.errors import HubError
from tafagent.adapters.hub.guard import BodyTooLarge, body_cap
from tafagent.adapters.hub.retry import with_retries
from tafagent.adapters.hub.session import HubSession
from tafagent.core.jsonsafe import JSONInputError, parse_bounded_json

MAX_MODEL_INFO_BYTES = 32 << 20  # a repo with 10,000 files answers ~1 MB
_COMMIT_SHA = re.compile(r"[0-9a-f]{40}")
_JSON_TYPE = {dict: "an object", list: "an array", str: "a string", int: "a number", float: "a number"}


@dataclass(frozen=True)
class RepoListing:
    """A repo at a revision: the id the Hub calls it (after a rename), its commit, its files, its gating."""

    repo_id: str
    sha: str | None
    files: tuple[str, ...]
    gated: Any = None


class MalformedModelInfo(ValueError):
    """The model info answer is not shaped like the Hub's; the message says how."""


def fetch_listing(session: HubSession) -> RepoListing:
    """The model info of the session's repo and revision; a malformed answer is a one-line HubError.

    Library errors (not found, gated, transport) propagate untranslated; RetriesExhausted when transient
    failures persist or the deadline runs out.
    """
    lib, settings, ref = session.lib, session.settings, session.ref
    lib.hub.utils.validate_repo_id(ref.repo_id)  # the check HfApi.model_info makes (HFValidationError)
    url = f"{settings.endpoint}/api/models/{ref.repo_id}"
    if ref.revision is not None:
        url += f"/revision/{quote(ref.revision, safe='')}"
    headers = lib.hub.utils.build_hf_headers(token=session.token_arg)

    def call() -> bytes:
        response = lib.hub.utils.get_session().get(
            url, headers=headers, timeout=settings.timeout_s, follow_redirects=True
        )
        lib.hub.utils.hf_raise_for_status(response)
        return bytes(response.content)

    what = f"GET /api/models/{ref.repo_id}"
    try:
        with body_cap(MAX_MODEL_INFO_BYTES):
            raw = with_retries(session, call)
        return parse_model_info(raw, ref.repo_id)
    except (MalformedModelInfo, BodyTooLarge) as bad:
        shape = str(bad) if isinstance(bad, MalformedModelInfo) else f"over {MAX_MODEL_INFO_BYTES >> 20} MiB of it"
        raise HubError(
            f"{settings.endpoint_label} answered {what} with something that is not a Hub model record ({shape})",
            "check that HF_ENDPOINT points to a Hugging Face Hub (or a mirror of one), then retry",
        ) from None


def parse_model_info(raw: bytes, asked_repo_id: str) -> RepoListing:
    """The fields this adapter uses from a model info answer; MalformedModelInfo says what is wrong."""
    try:
        data = parse_bounded_json(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, JSONInputError, RecursionError):
        raise MalformedModelInfo("text that is not JSON") from None
    if not isinstance(data, dict):
        raise MalformedModelInfo(f"{_json_type(data)} instead of an object")
    repo_id = data.get("id", asked_repo_id)
    if not isinstance(repo_id, str) or not repo_id:
        raise MalformedModelInfo(f"an 'id' that is {_json_type(repo_id)}, not a repo id")
    sha = data.get("sha")
    if sha is not None and not (isinstance(sha, str) and _COMMIT_SHA.fullmatch(sha)):
        raise MalformedModelInfo("a 'sha' that is not a 40-hex commit id")
    gated = data.get("gated")
    return RepoListing(
        repo_id, sha, _file_names(data.get("siblings")), gated if isinstance(gated, str | bool) else None
    )


def _file_names(siblings: Any) -> tuple[str, ...]:
    """``siblings`` → the repo's file names: a list of objects, each with a ``rfilename`` string."""
    if not isinstance(siblings, list):
        raise MalformedModelInfo(f"a 'siblings' file list that is {_json_type(siblings)}, not an array")
    names = []
    for i, entry in enumerate(siblings):
        name = entry.get("rfilename") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name:
            raise MalformedModelInfo(f"file entry {i} of 'siblings' without a 'rfilename' string")
        names.append(name)
    return tuple(names)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return _JSON_TYPE.get(type(value), type(value).__name__)
