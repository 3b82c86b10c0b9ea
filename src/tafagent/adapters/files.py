"""Reading a user's text file (config.json, a catalog, a diagnosis, a corpus) with one-line errors.

Reads at most ``limit`` + 1 bytes, so a device file (``/dev/zero``, where ``stat`` says 0 bytes) or a weights
file passed by mistake cannot exhaust memory; decodes UTF-8 with an optional byte-order mark (editors on
Windows write one, and the Hub adapter already accepted it).
"""

from __future__ import annotations

from pathlib import Path

from tafagent.core.errors import ConfigError


def read_text_file(path: Path, what: str, limit: int, hint: str) -> str:
    """The text of ``path``; missing, unreadable, oversized or non-UTF-8 files are ConfigErrors naming ``what``
    (e.g. "catalog") and ending with ``hint`` (the fix)."""
    path = Path(path).expanduser()
    if path.is_dir():
        raise ConfigError(f"{what} '{path}' is a directory, not a file", hint)
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except FileNotFoundError:
        raise ConfigError(f"{what} '{path}' does not exist", hint) from None
    except OSError as error:
        raise ConfigError(f"cannot read {what} '{path}': {error.strerror or error}", hint) from None
    if len(data) > limit:
        raise ConfigError(f"{what} '{path}' is larger than {limit:,} bytes", hint)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ConfigError(f"{what} '{path}' is not UTF-8 text (byte {error.start})", hint) from None
