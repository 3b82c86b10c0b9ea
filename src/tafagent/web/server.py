"""Serve the built site on 127.0.0.1 with the right MIME types and security headers."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path
from typing import ClassVar

from tafagent.web.build import content_security_policy

MIME = {
    ".wasm": "application/wasm",
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".json": "application/json",
    ".whl": "application/zip",
    ".zip": "application/zip",
    ".css": "text/css",
    ".html": "text/html; charset=utf-8",
}


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Static files only; no directory listings; CSP and no-sniff on every response."""

    hub_endpoint = "https://huggingface.co"
    extensions_map: ClassVar[dict[str, str]] = {**http.server.SimpleHTTPRequestHandler.extensions_map, **MIME}

    def end_headers(self) -> None:
        # The header adds frame-ancestors, which a <meta> CSP cannot carry.
        self.send_header(
            "Content-Security-Policy", content_security_policy(self.hub_endpoint) + "; frame-ancestors 'none'"
        )
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def list_directory(self, path):
        self.send_error(404, "Not found")
        return None

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet: the CLI prints the URL once


def make_server(
    directory: Path, port: int = 8000, hub_endpoint: str = "https://huggingface.co", host: str = "127.0.0.1"
) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(
        type("Handler", (SiteHandler,), {"hub_endpoint": hub_endpoint}), directory=str(directory)
    )
    return http.server.ThreadingHTTPServer((host, port), handler)


def serve_in_thread(directory: Path, port: int = 0, hub_endpoint: str = "https://huggingface.co"):
    """Start a server on a free port in a daemon thread (for tests and benchmarks); returns (server, url)."""
    server = make_server(directory, port, hub_endpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"
