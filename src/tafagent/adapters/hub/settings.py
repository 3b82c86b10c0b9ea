"""Where and how to reach the Hub: endpoint, cache, offline mode, token, time and retry bounds, from the environment.

The environment is read at call time and passed to huggingface_hub explicitly, because the library freezes
its own copies at import. The token's origin is kept (never the token itself in a message) so that an
access error can say which token was refused.

Time is bounded twice: ``HF_HUB_ETAG_TIMEOUT`` for each request (connect, and each wait for bytes), and
``TAF_HUB_DEADLINE_S`` for everything one MODEL costs (model info, config, index, headers, retries and
backoff), enforced by :mod:`tafagent.adapters.hub.guard`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tafagent.core.errors import UsageError
from tafagent.core.messages import Msg

DEFAULT_ENDPOINT = "https://huggingface.co"
DEFAULT_TIMEOUT_S = 10.0
DEFAULT_ATTEMPTS = 3
DEFAULT_BACKOFF_S = 1.0
DEFAULT_DEADLINE_S = 60.0  # 3 tries of a 10 s request with backoff take 33 s: room for config, index and headers


@dataclass(frozen=True)
class HubSettings:
    """Where and how to reach the Hub, read from the environment at call time."""

    endpoint: str
    cache_dir: Path
    offline: bool
    token: str | None = field(repr=False)
    token_origin: str
    timeout_s: float  # per request (HF_HUB_ETAG_TIMEOUT)
    attempts: int
    backoff_s: float
    deadline_s: float  # per MODEL: everything the adapter does for it (TAF_HUB_DEADLINE_S)

    @classmethod
    def from_env(cls, token: str | None = None, environ: Mapping[str, str] | None = None) -> HubSettings:
        """Settings from ``environ`` (default ``os.environ``); an explicit ``token`` wins over ``HF_TOKEN``."""
        env = os.environ if environ is None else environ
        endpoint = (env.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).strip().rstrip("/")
        default_home = Path(env.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "huggingface"
        home = Path(env.get("HF_HOME") or default_home).expanduser()
        cache = Path(env.get("HF_HUB_CACHE") or env.get("HUGGINGFACE_HUB_CACHE") or home / "hub").expanduser()
        offline = _truthy(env.get("HF_HUB_OFFLINE")) or _truthy(env.get("TRANSFORMERS_OFFLINE"))
        found, origin = _find_token(token, env, home)
        attempts = int(_env_number(env, "TAF_HUB_ATTEMPTS", DEFAULT_ATTEMPTS))
        deadline_s = _env_number(env, "TAF_HUB_DEADLINE_S", DEFAULT_DEADLINE_S)
        if deadline_s <= 0:
            raise UsageError(
                f"environment variable TAF_HUB_DEADLINE_S={env.get('TAF_HUB_DEADLINE_S')!r} must be a number > 0",
                "unset TAF_HUB_DEADLINE_S (default 60 s per model) or fix it",
            )
        return cls(
            endpoint=endpoint,
            cache_dir=cache,
            offline=offline,
            token=found,
            token_origin=origin,
            timeout_s=_env_number(env, "HF_HUB_ETAG_TIMEOUT", DEFAULT_TIMEOUT_S),
            attempts=max(1, attempts),
            backoff_s=max(0.0, _env_number(env, "TAF_HUB_BACKOFF_S", DEFAULT_BACKOFF_S)),
            deadline_s=deadline_s,
        )

    @property
    def endpoint_label(self) -> str:
        return "the Hugging Face Hub" if self.endpoint == DEFAULT_ENDPOINT else f"the Hub at {self.endpoint}"

    def endpoint_msg(self) -> Msg:
        """:attr:`endpoint_label` as a message, for errors in other languages."""
        if self.endpoint == DEFAULT_ENDPOINT:
            return Msg("cli.error.endpoint.default")
        return Msg("cli.error.endpoint.at", endpoint=self.endpoint)


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def _env_number(env: Mapping[str, str], name: str, default: float) -> float:
    text = env.get(name)
    if text is None or not text.strip():
        return default
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"environment variable {name}={text!r} is not a number", f"unset {name} or fix it") from None
    if value != value or value < 0:
        raise UsageError(f"environment variable {name}={text!r} must be a number ≥ 0", f"unset {name} or fix it")
    return value


def _find_token(explicit: str | None, env: Mapping[str, str], home: Path) -> tuple[str | None, str]:
    """--token, then HF_TOKEN, HUGGING_FACE_HUB_TOKEN, then the saved login (HF_TOKEN_PATH or HF_HOME/token)."""
    if explicit is not None and explicit.strip():
        return explicit.strip(), "--token"
    for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"):
        value = env.get(name, "").strip()
        if value:
            return value, name
    path = Path(env.get("HF_TOKEN_PATH") or home / "token").expanduser()
    try:
        saved = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        saved = ""
    return (saved, f"the saved login ({path})") if saved else (None, "none")
