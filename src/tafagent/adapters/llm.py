"""A client for any OpenAI-compatible chat endpoint (llama.cpp server, Ollama, vLLM, ...), standard library only.

It implements the core's :class:`tafagent.core.ask.Assistant` protocol: one ``POST {base}/v1/chat/completions``
per prompt at temperature 0, returning the reply's text. It does no validation of its own beyond the
HTTP envelope: the core checks every reply (recipe id, parameter types and ranges, numbers) before
anything runs. Every failure — refused connection, timeout, HTTP error, malformed envelope — is an
:class:`LLMError` (a :class:`TafError`), so ``taf ask`` falls back to its deterministic answer.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from tafagent.adapters.errors import LLMError
from tafagent.core.jsonsafe import JSONInputError, parse_bounded_json

DEFAULT_TIMEOUT_S = 30.0
MAX_REPLY_BYTES = 1_000_000


def chat_completions_url(url: str) -> str:
    """``http://host:8080`` / ``…/v1`` / ``…/v1/chat/completions`` → the chat-completions endpoint.

    A URL that is not http(s), has no host, or has a malformed host or port ('http://h:abc',
    'http://[::1') is an :class:`LLMError` here, before any request.
    """
    base = url.strip().rstrip("/")
    hint = "e.g. --llm-url http://127.0.0.1:8080"
    if not base.startswith(("http://", "https://")):
        raise LLMError(f"--llm-url must be an http(s) URL, got {url!r}", hint)
    try:
        parts = urlsplit(base)
        host, _port = parts.hostname, parts.port  # .port raises ValueError for 'h:abc' or 'h:99999'
    except ValueError as exc:
        raise LLMError(f"--llm-url is not a valid URL ({exc}), got {url!r}", hint) from None
    if not host:
        raise LLMError(f"--llm-url has no host, got {url!r}", hint)
    if base.endswith("/chat/completions"):
        return base
    if base.endswith("/v1"):
        return base + "/chat/completions"
    return base + "/v1/chat/completions"


@dataclass(frozen=True)
class OpenAICompatibleClient:
    """Chat completions over HTTP. ``model`` is sent as is (llama.cpp ignores it; Ollama needs a tag)."""

    url: str
    model: str = "default"
    timeout_s: float = DEFAULT_TIMEOUT_S
    max_tokens: int = 400
    api_key: str | None = None

    @property
    def endpoint(self) -> str:
        return chat_completions_url(self.url)

    def complete(self, system: str, user: str, *, json_mode: bool = False) -> str:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
            "temperature": 0.0,
            "max_tokens": self.max_tokens,
            "stream": False,
        }
        if json_mode:
            body["response_format"] = {"type": "json_object"}
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        endpoint = self.endpoint
        request = urllib.request.Request(
            endpoint, data=json.dumps(body).encode("utf-8"), headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                raw = response.read(MAX_REPLY_BYTES + 1)
        except urllib.error.HTTPError as exc:
            raise LLMError(
                f"the LLM at {endpoint} answered HTTP {exc.code}", "check --llm-url and the server log"
            ) from None
        except TimeoutError:  # socket.timeout is TimeoutError since Python 3.10
            raise LLMError(
                f"the LLM at {endpoint} did not answer within {self.timeout_s:g} s", "raise --llm-timeout"
            ) from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, TimeoutError):
                raise LLMError(
                    f"the LLM at {endpoint} did not answer within {self.timeout_s:g} s", "raise --llm-timeout"
                ) from None
            raise LLMError(f"cannot reach the LLM at {endpoint}: {reason}", "is the server running?") from None
        except OSError as exc:
            raise LLMError(f"cannot reach the LLM at {endpoint}: {exc}", "is the server running?") from None
        except (http.client.HTTPException, ValueError) as exc:  # a garbage status line or body framing
            detail = " ".join(str(exc).split())[:80]
            raise LLMError(
                f"the LLM at {endpoint} did not answer over HTTP ({type(exc).__name__}: {detail!r})",
                "check --llm-url: is it the server's HTTP address?",
            ) from None
        if len(raw) > MAX_REPLY_BYTES:
            raise LLMError(f"the LLM at {endpoint} sent more than {MAX_REPLY_BYTES:,} bytes", "lower max_tokens")
        return _content(raw, endpoint)


def _content(raw: bytes, endpoint: str) -> str:
    try:
        data = parse_bounded_json(raw.decode("utf-8"))
        content = data["choices"][0]["message"]["content"]
    except (UnicodeDecodeError, json.JSONDecodeError, JSONInputError, KeyError, IndexError, TypeError):
        raise LLMError(
            f"the LLM at {endpoint} did not send an OpenAI-style chat completion", "is it /v1/chat/completions?"
        ) from None
    if not isinstance(content, str):
        raise LLMError(f"the LLM at {endpoint} sent no text content", "check the server's model")
    return content


__all__ = ["LLMError", "OpenAICompatibleClient", "chat_completions_url"]
