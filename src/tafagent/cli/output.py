"""Writing for every subcommand: strict JSON on stdout, rich tables for people, one-line messages on stderr.

Two kinds of text reach the terminal from outside the program and must never break it:

* rich markup in user text: a directory called ``run[/]``, a ``model_type`` of ``[link=…]`` or a ``--set``
  value with brackets would be parsed as markup (a MarkupError, or text silently swallowed). Every
  user-derived string goes through :func:`plain` before it is put into markup, a table cell or a title.
* undecodable bytes: Python turns non-UTF-8 bytes of argv and file names into lone surrogates
  (surrogateescape). Written as they are, they raise UnicodeEncodeError or put invalid UTF-8 into JSON.
  JSON gets them as ``\\udcXX`` escapes (valid JSON, valid UTF-8); text shows them as ``\\xNN``.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
from typing import Any

from tafagent.core.jsonsafe import json_safe

_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED_BYTES = range(0xDC80, 0xDD00)  # surrogateescape maps byte 0xNN (≥ 0x80) to U+DCNN


def _text_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code - 0xDC00:02x}" if code in _ESCAPED_BYTES else f"\\u{code:04x}"


def safe_text(text: str) -> str:
    """``text`` with every lone surrogate shown as a backslash escape (``\\xNN`` for an undecodable byte)."""
    return _SURROGATE.sub(_text_escape, text)


def plain(value: object) -> str:
    """``value`` as text that rich shows literally: markup escaped, undecodable bytes escaped."""
    from rich.markup import escape

    return escape(safe_text(str(value)))


def emit_json(payload: Any) -> None:
    """Write ``payload`` as strict JSON (no NaN/Infinity) to stdout, and nothing else; lone surrogates are
    written as JSON ``\\uXXXX`` escapes so the output is valid UTF-8."""
    text = json.dumps(json_safe(payload), indent=2, ensure_ascii=False, allow_nan=False)
    sys.stdout.write(_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n")


def write_stdout(text: str) -> None:
    """Plain text (Markdown, a report) on stdout, with undecodable bytes escaped."""
    _write(sys.stdout, text)


def write_stderr(line: str) -> None:
    """One message line on stderr, with undecodable bytes escaped."""
    _write(sys.stderr, line)


def _write(stream: Any, text: str) -> int:
    """Write ``text`` escaping what the stream's encoding cannot hold (lone surrogates, and for a non-UTF-8
    terminal anything outside its character set) instead of raising UnicodeEncodeError."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    safe = safe_text(text)
    with contextlib.suppress(LookupError):  # an encoding name Python does not know: write the text as it is
        safe = safe.encode(encoding, "backslashreplace").decode(encoding)
    return int(stream.write(safe) or 0)


class _SafeStdout:
    """``sys.stdout`` for rich, looked up at each write (tests swap it), written through :func:`_write`."""

    @property
    def encoding(self) -> str:
        return getattr(sys.stdout, "encoding", None) or "utf-8"

    def write(self, text: str) -> int:
        return _write(sys.stdout, text)

    def flush(self) -> None:
        sys.stdout.flush()

    def isatty(self) -> bool:
        return sys.stdout.isatty()

    def fileno(self) -> int:
        return sys.stdout.fileno()


def console() -> Any:
    """A rich Console on stdout; wide enough for tables when output is piped."""
    from rich.console import Console

    return Console(file=_SafeStdout(), width=None if sys.stdout.isatty() else 120, highlight=False, soft_wrap=False)
