"""Library and network failures → one :class:`TafError` line with its fix (the HubError family and others).

The checks run in a fixed order, because the library's classes nest (a gated repo error is a repo-not-found
error, which is an HTTP error): the most specific meaning is tried first, the bare HTTP status and the
transport errors after, and anything unknown keeps its first line. A token is never shown, only its origin.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from tafagent.adapters.errors import HubAccessError, HubError, HubUnavailableError
from tafagent.adapters.hub.deadline import DeadlineExceeded
from tafagent.adapters.hub.files import CONFIG_FILE
from tafagent.adapters.hub.guard import BodyTooLarge, HubStatusFailure, HubTransportFailure
from tafagent.adapters.hub.retry import RetriesExhausted
from tafagent.adapters.hub.session import HubSession
from tafagent.adapters.hub.settings import DEFAULT_ENDPOINT
from tafagent.core.errors import ConfigError, ModelNotFoundError, TafError
from tafagent.core.messages import Msg
from tafagent.core.spec.presets import suggest_presets


def translate(
    error: BaseException,
    session: HubSession,
    *,
    filename: str = CONFIG_FILE,
    cache_checked: bool = False,
    fallback_error: BaseException | None = None,
) -> TafError:
    """One TafError line with the fix for any failure of the library or the network.

    ``cache_checked``: the Hub cache was searched and holds nothing for this repo (say so in the hint).
    ``fallback_error``: the failure that made the adapter fall back to the cache, if any (it explains a
    cold cache better than "offline mode"). Figures in the line are the real ones: the timeout the last
    request had, the tries actually sent, and the deadline when it was what ended them.
    """
    attempts, deadline_hit = 1, False
    if isinstance(error, RetriesExhausted):
        attempts, deadline_hit, error = error.attempts, error.deadline_hit, error.error
    if isinstance(error, TafError):
        return error
    named = _repo_error(error, session, filename) or _local_error(error, session, filename, fallback_error)
    if named is not None:
        return named
    cache_hint = _cache_hint(session, cache_checked)
    tries = _tries(attempts, deadline_hit, session)
    if isinstance(error, session.lib.error("HfHubHTTPError") | HubStatusFailure):
        return _http_status_error(error, session, tries, cache_hint)
    if isinstance(error, DeadlineExceeded):
        return _deadline_error(error, session, attempts, cache_hint)
    unreached = _transport_error(error, session, tries, cache_hint)
    if unreached is not None:
        return unreached
    return _other_error(error, session, filename, cache_hint)


def cold_cache_error(session: HubSession, filename: str, fallback_error: BaseException | None) -> TafError:
    """The cache was the only source and lacks ``filename``: why the Hub was not asked, and what to do."""
    ref, settings = session.ref, session.settings
    where = f"{ref.repo_id}@{ref.revision or 'main'}"
    if fallback_error is not None:
        reason = translate(fallback_error, session, cache_checked=True, fallback_error=fallback_error)
        return type(reason)(reason.message, reason.hint)
    return HubUnavailableError(
        f"offline mode (HF_HUB_OFFLINE) and {filename} of '{where}' is not in the Hub cache",
        f"unset HF_HUB_OFFLINE to download it, or pass a local config.json (searched {settings.cache_dir})",
    ).in_words(
        Msg("cli.error.hub_offline", filename=filename, where=where),
        Msg("cli.error.hub_offline.hint", cache=str(settings.cache_dir)),
    )


def _repo_error(error: BaseException, session: HubSession, filename: str) -> TafError | None:
    """The Hub's own answers about the repo: gated, no such revision, no such repo, no such file."""
    lib, repo = session.lib, session.ref.repo_id
    if isinstance(error, lib.error("GatedRepoError")):
        return _gated_error(session)
    if isinstance(error, lib.error("RevisionNotFoundError")):
        revision = session.ref.revision or "main"
        return ModelNotFoundError(
            f"'{repo}' has no revision '{revision}'",
            "give a branch, tag or full commit sha that exists (default: main)",
        ).in_words(
            Msg("cli.error.hub_no_revision", repo=repo, revision=revision), Msg("cli.error.hub_no_revision.hint")
        )
    if isinstance(error, lib.error("RepositoryNotFoundError")):
        suggestions = _suggestions(repo)
        hint = (f"did you mean {', '.join(suggestions)}? " if suggestions else "") + "check the spelling"
        hint += (
            "; if the repo is private, check that your token can read it"
            if session.settings.token
            else "; if the repo is private, set HF_TOKEN or pass --token"
        )
        hint_msg = Msg(
            "cli.error.hub_no_repo.hint_token" if session.settings.token else "cli.error.hub_no_repo.hint_no_token"
        )
        if suggestions:
            hint_msg = Msg("cli.error.did_you_mean", names=", ".join(suggestions), hint=hint_msg)
        endpoint = session.settings.endpoint_label
        return ModelNotFoundError(f"no model '{repo}' on {endpoint}", hint, suggestions=suggestions).in_words(
            Msg("cli.error.hub_no_repo", repo=repo, endpoint=session.settings.endpoint_msg()), hint_msg
        )
    if isinstance(error, lib.error("RemoteEntryNotFoundError")):
        return ConfigError(
            f"'{session.ref.label}' has no {filename}", "check the repo's files; or pass a local config.json"
        ).in_words(
            Msg("cli.error.hub_no_file", label=session.ref.label, filename=filename), Msg("cli.error.hub_no_file.hint")
        )
    return None


def _local_error(
    error: BaseException, session: HubSession, filename: str, fallback_error: BaseException | None
) -> TafError | None:
    """Failures decided on this side: offline mode, an invalid repo id, an answer over the size cap."""
    lib, ref = session.lib, session.ref
    if isinstance(error, lib.error("OfflineModeIsEnabled")):
        return cold_cache_error(session, filename, fallback_error)
    if isinstance(error, lib.error("HFValidationError")):
        return ModelNotFoundError(f"'{ref.label}' is not a valid Hub id", "a Hub id looks like org/name").in_words(
            Msg("cli.error.hub_invalid_id", label=ref.label), Msg("cli.error.hub_invalid_id.hint")
        )
    if isinstance(error, BodyTooLarge):
        size = f"{error.size_bytes:,} bytes" if error.declared else f"more than {error.size_bytes:,} bytes"
        return ConfigError(
            f"{ref.repo_id}/{filename} is {size}, far larger than a config file",
            f"check the repo; nothing over {error.limit_bytes:,} bytes is downloaded or kept in the Hub cache",
        )
    return None


def _tries(attempts: int, deadline_hit: bool, session: HubSession) -> str:
    """The tries phrase of a message: '3 tries', or '2 tries; the 60 s deadline ran out' when it ended them."""
    text = "1 try" if attempts == 1 else f"{attempts} tries"
    return f"{text}; the {seconds(session.settings.deadline_s)} s deadline ran out" if deadline_hit else text


def _deadline_error(error: DeadlineExceeded, session: HubSession, attempts: int, cache_hint: str) -> TafError:
    """The deadline itself ended the work: mid-answer (a slow or dribbling server) or before a request."""
    s = session.settings
    what = f"{error.method} {urlsplit(error.url).path}"
    tries = _tries(attempts, False, session)
    if error.sent:
        message = f"{s.endpoint_label} was still answering {what} when the {seconds(s.deadline_s)} s deadline ran out"
    else:
        message = f"the {seconds(s.deadline_s)} s deadline for '{session.ref.label}' ran out before {what}"
    return HubUnavailableError(
        f"{message} ({tries})", f"raise TAF_HUB_DEADLINE_S if the Hub is only slow; {cache_hint}"
    )


def _gated_error(session: HubSession) -> HubAccessError:
    """A gated repo: the licence page to accept, and whether the token we sent lacks access or none was sent."""
    s, repo = session.settings, session.ref.repo_id
    page = f"https://huggingface.co/{repo}" if s.endpoint == DEFAULT_ENDPOINT else f"{s.endpoint}/{repo}"
    if s.token:
        return HubAccessError(
            f"'{repo}' is a gated model and the token from {s.token_origin} has no access to it",
            f"accept the licence on {page} with that token's account, or use a token that has access",
        ).in_words(
            Msg("cli.error.hub_gated_token", repo=repo, origin=s.token_origin),
            Msg("cli.error.hub_gated_token.hint", page=page),
        )
    return HubAccessError(
        f"'{repo}' is a gated model: its files need an accepted licence and a token",
        f"accept the licence on {page}, then set HF_TOKEN or pass --token",
    ).in_words(Msg("cli.error.hub_gated", repo=repo), Msg("cli.error.hub_gated.hint", page=page))


def _cache_hint(session: HubSession, cache_checked: bool) -> str:
    """What to do when the Hub does not answer: retry, or use (or fill) the Hub cache."""
    ref, s = session.ref, session.settings
    if cache_checked:
        return (
            f"nothing is cached for {ref.repo_id}@{ref.revision or 'main'} in {s.cache_dir}: retry when the Hub "
            f"answers, or download {CONFIG_FILE} and pass its path"
        )
    return f"retry later, use a cached copy (HF_HUB_OFFLINE=1) or pass a local {CONFIG_FILE}"


def _http_status_error(error: BaseException, session: HubSession, tries: str, cache_hint: str) -> TafError:
    """An HTTP error the library did not name: rate limit, refused access, server failure or another status."""
    s, repo = session.settings, session.ref.repo_id
    response = getattr(error, "response", None)
    status = response.status_code if response is not None else 0
    if status == 429:
        return HubUnavailableError(
            f"{s.endpoint_label} is rate-limiting requests (HTTP 429, {tries})",
            "wait a minute and retry; a token (HF_TOKEN) raises the limit",
        )
    if status in (401, 403):
        return HubAccessError(
            f"{s.endpoint_label} refused access to '{repo}' (HTTP {status})",
            "set HF_TOKEN or pass --token with a token that can read it",
        )
    if status >= 500:
        return HubUnavailableError(f"{s.endpoint_label} failed with HTTP {status} for '{repo}' ({tries})", cache_hint)
    return HubError(f"{s.endpoint_label} answered HTTP {status} for '{repo}'", cache_hint)


def _transport_error(error: BaseException, session: HubSession, tries: str, cache_hint: str) -> TafError | None:
    """No HTTP answer at all: a timeout or a failed connection (None for any other failure)."""
    s, t = session.settings, session.lib.transport
    timeout_s, kind, cause = s.timeout_s, None, error
    if isinstance(error, HubTransportFailure):
        timeout_s, kind, cause = error.timeout_s, error.kind, error.error
    elif isinstance(error, t.TimeoutException):
        kind = "timeout"
    elif isinstance(error, t.NetworkError | t.RemoteProtocolError):
        kind = "network"
    if kind == "timeout":
        return HubUnavailableError(
            f"{s.endpoint_label} did not answer within {seconds(timeout_s)} s ({tries})",
            f"check your connection or raise HF_HUB_ETAG_TIMEOUT (per request) or TAF_HUB_DEADLINE_S "
            f"({seconds(s.deadline_s)} s per model); {cache_hint}",
        )
    if kind == "network":
        return HubUnavailableError(
            f"cannot reach {s.endpoint_label} ({type(cause).__name__})",
            f"check your connection; {cache_hint}",
        )
    return None


def _other_error(error: BaseException, session: HubSession, filename: str, cache_hint: str) -> TafError:
    """The rest: a file the library could not locate, a server that is no Hub, or an unknown failure."""
    lib, s, label = session.lib, session.settings, session.ref.label
    if isinstance(error, lib.error("LocalEntryNotFoundError")):
        # Online, the library could not locate the file and had no cached copy: a network problem.
        return HubUnavailableError(
            f"could not download {filename} of '{label}' from {s.endpoint_label}, and it is not cached",
            cache_hint,
        )
    if isinstance(error, lib.error("FileMetadataError")):
        return HubError(
            f"{s.endpoint} does not answer like a Hugging Face Hub", "check HF_ENDPOINT, proxy and certificates"
        )
    first_line = (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
    return HubError(f"reading '{label}' from {s.endpoint_label} failed: {first_line}", cache_hint)


def seconds(value_s: float) -> str:
    """A duration for a message: at most two decimals, no trailing zeros (0.44, 2.5, 60)."""
    return f"{round(value_s, 2):g}"


def _suggestions(repo_id: str) -> list[str]:
    """Did-you-mean names from the presets and aliases, for the full id and for its name part."""
    out: list[str] = []
    for name in (repo_id, repo_id.rsplit("/", 1)[-1]):
        for suggestion in suggest_presets(name):
            if suggestion not in out:
                out.append(suggestion)
    return out[:3]
