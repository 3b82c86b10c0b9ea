"""The optional LLM assist over the OpenAI-compatible protocol, against a real HTTP server on 127.0.0.1.

The server answers the way llama.cpp / Ollama / vLLM do (``POST /v1/chat/completions``); each test
scripts its replies: a good routing choice, bad JSON, an unknown recipe, an out-of-range parameter,
a rephrase that invents a number, a good rephrase, a slow server, HTTP errors and a malformed envelope.
Every bad reply must leave the deterministic answer in place, with a note saying why.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tafagent.adapters.errors import LLMError
from tafagent.adapters.llm import OpenAICompatibleClient, chat_completions_url
from tafagent.core.ask import ask, numbers_in, route
from tafagent.core.ask.assist import parse_json_object, validate_choice, validate_rephrase
from tafagent.core.errors import LLMReplyError

TIE = "Is Llama 3 8B worth it at 32k and 10M tokens/day?"  # the rule-based router is undecided here
ROUTED = "Will Meta-Llama-3-8B handle 32000-token NIAH retrieval reliably?"

Reply = Callable[[dict[str, Any]], tuple[int, Any]]


class _Server:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.replies: list[Reply] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                outer.requests.append({"path": self.path, "body": body})
                reply = outer.replies.pop(0) if outer.replies else _chat("{}")
                status, payload = reply(body)
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _chat(content: str) -> Reply:
    def reply(_body: dict[str, Any]) -> tuple[int, Any]:
        return 200, {
            "id": "x",
            "object": "chat.completion",
            "choices": [{"message": {"role": "assistant", "content": content}}],
        }

    return reply


def _slow(seconds: float) -> Reply:
    def reply(_body: dict[str, Any]) -> tuple[int, Any]:
        time.sleep(seconds)
        return 200, {"choices": [{"message": {"content": "{}"}}]}

    return reply


@pytest.fixture
def server() -> Iterator[_Server]:
    s = _Server()
    yield s
    s.close()


def _client(server: _Server, timeout_s: float = 5.0) -> OpenAICompatibleClient:
    return OpenAICompatibleClient(server.url, model="test-model", timeout_s=timeout_s)


def test_the_tie_question_is_really_undecided() -> None:
    r = route(TIE)
    assert r.recipe_id is None and r.why is not None and r.why.key == "why.tie"
    assert {s.recipe_id for s in r.suggestions} >= {"X-2", "X-5"}


def test_good_routing_reply_breaks_the_tie(server: _Server) -> None:
    server.replies = [_chat('{"recipe_id": "X-5", "params": {"concurrent_users": 4}}'), _chat("not used")]
    result = ask(TIE, assistant=_client(server))
    assert result.recipe_id == "X-5" and result.ok
    assert result.params["target_tokens_per_day"] == 1e7  # read from the question, not the LLM
    assert result.param_sources["target_tokens_per_day"] == "question"
    assert result.params["concurrent_users"] == 4 and result.param_sources["concurrent_users"] == "llm"
    assert any("LLM" in a for a in result.assumed)
    request = server.requests[0]
    assert request["path"] == "/v1/chat/completions"
    body = request["body"]
    assert body["model"] == "test-model" and body["temperature"] == 0.0
    assert body["response_format"] == {"type": "json_object"}
    assert body["messages"][1] == {"role": "user", "content": TIE}
    assert "X-5" in body["messages"][0]["content"] and "target_tokens_per_day" in body["messages"][0]["content"]


@pytest.mark.parametrize(
    "content",
    [
        "I think you want the hardware recipe.",  # not JSON
        '{"recipe_id": "X-99", "params": {}}',  # unknown recipe
        '{"recipe_id": "X-23", "params": {}}',  # a real recipe, but not among the candidates
        '{"recipe_id": "X-5", "params": {"concurrent_users": -3}}',  # out of range
        '{"recipe_id": "X-5", "params": {"flux_capacitor": 1}}',  # not a parameter
        '{"recipe_id": null, "params": {}}',  # no recipe fits
        '["X-5"]',  # JSON, but not an object
    ],
)
def test_bad_routing_replies_leave_the_question_unrouted(server: _Server, content: str) -> None:
    server.replies = [_chat(content)]
    result = ask(TIE, assistant=_client(server))
    assert result.recipe_id is None and result.why
    assert any("LLM" in a for a in result.assumed)
    assert json.dumps(result.to_dict())


def test_reply_inside_a_code_fence_is_accepted() -> None:
    assert parse_json_object('Sure!\n```json\n{"recipe_id": "X-2"}\n```') == {"recipe_id": "X-2"}


def test_rephrase_with_an_invented_number_is_rejected(server: _Server) -> None:
    deterministic = ask(ROUTED).answer
    server.replies = [_chat("Good news: Llama-3-8B handles 32,000 tokens with a 99% success rate (§26.2).")]
    result = ask(ROUTED, assistant=_client(server))
    assert result.answer == deterministic
    assert any("99" in a for a in result.assumed)


def test_a_faithful_rephrase_is_used(server: _Server) -> None:
    deterministic = ask(ROUTED).answer
    kept = " ".join(numbers_in(deterministic)[:3])
    rephrased = f"In short: yes. The key figures are {kept}, all from the audit chain."
    server.replies = [_chat(rephrased)]
    result = ask(ROUTED, assistant=_client(server))
    assert result.answer == rephrased
    assert result.answer != deterministic
    rephrase_request = server.requests[0]["body"]
    assert "response_format" not in rephrase_request
    assert rephrase_request["messages"][1]["content"] == deterministic


def test_timeout_is_an_llm_error_and_ask_falls_back(server: _Server) -> None:
    server.replies = [_slow(2.0)]
    with pytest.raises(LLMError, match="did not answer within"):
        _client(server, timeout_s=0.3).complete("s", "u")
    server.replies = [_slow(2.0)]
    result = ask(ROUTED, assistant=_client(server, timeout_s=0.3))
    assert result.ok and result.answer == ask(ROUTED).answer
    assert any("did not answer" in a for a in result.assumed)


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (lambda _b: (500, {"error": "boom"}), "HTTP 500"),
        (lambda _b: (404, {"error": "no"}), "HTTP 404"),
        (lambda _b: (200, b"<html>not json</html>"), "OpenAI-style"),
        (lambda _b: (200, {"choices": []}), "OpenAI-style"),
        (lambda _b: (200, {"choices": [{"message": {"content": None}}]}), "no text"),
    ],
)
def test_http_failures_are_llm_errors(server: _Server, reply: Reply, message: str) -> None:
    server.replies = [reply]
    with pytest.raises(LLMError, match=message):
        _client(server).complete("system", "user")


def test_unreachable_server_is_an_llm_error() -> None:
    s = _Server()
    url = s.url
    s.close()
    with pytest.raises(LLMError, match="cannot reach"):
        OpenAICompatibleClient(url, timeout_s=2.0).complete("s", "u")
    result = ask(ROUTED, assistant=OpenAICompatibleClient(url, timeout_s=2.0))
    assert result.ok


@pytest.mark.parametrize(
    ("url", "endpoint"),
    [
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/v1/chat/completions"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080/v1/chat/completions"),
        ("http://localhost:11434/v1", "http://localhost:11434/v1/chat/completions"),
        ("https://h/v1/chat/completions", "https://h/v1/chat/completions"),
    ],
)
def test_endpoint_urls(url: str, endpoint: str) -> None:
    assert chat_completions_url(url) == endpoint


def test_non_http_url_is_refused() -> None:
    with pytest.raises(LLMError):
        chat_completions_url("ftp://x")


def test_validation_functions_directly() -> None:
    rid, params = validate_choice({"recipe_id": "x5", "params": {"tokens_per_day": "1e7"}}, ["X-5"])
    assert (rid, params) == ("X-5", {"target_tokens_per_day": 1e7})
    with pytest.raises(LLMReplyError):
        validate_choice({"recipe_id": "X-5", "params": {"T_eval": 1.5}}, ["X-5"])  # not a whole number
    assert validate_rephrase("K = 74.62 and z = +1.39.", "z is 1.39 while K is 74.62.")
    with pytest.raises(LLMReplyError):
        validate_rephrase("K = 74.62.", "K = 74.6.")
    with pytest.raises(LLMReplyError):
        validate_rephrase("K = 74.62.", "   ")


@pytest.mark.parametrize("url", ["http://h:abc", "http://[::1", "http://h:99999", "http://:8080", "http://"])
def test_malformed_urls_are_llm_errors_before_any_request(url: str) -> None:
    with pytest.raises(LLMError):
        chat_completions_url(url)
    with pytest.raises(LLMError):
        OpenAICompatibleClient(url, timeout_s=1.0).complete("s", "u")


def _raw_server(answer: bytes) -> tuple[socket.socket, threading.Thread]:
    """A TCP server on 127.0.0.1 that reads one request and writes ``answer`` verbatim (not HTTP)."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.settimeout(5.0)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                data += chunk
            conn.sendall(answer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return listener, thread


@pytest.mark.parametrize(
    "answer",
    [
        b"garbage that is not a status line\r\n\r\n",  # http.client.BadStatusLine
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",  # IncompleteRead (bad chunk size)
    ],
)
def test_a_server_that_does_not_speak_http_is_an_llm_error(answer: bytes) -> None:
    listener, thread = _raw_server(answer)
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        with pytest.raises(LLMError, match="did not answer over HTTP"):
            OpenAICompatibleClient(url, timeout_s=5.0).complete("s", "u")
    finally:
        thread.join(timeout=5.0)
        listener.close()
