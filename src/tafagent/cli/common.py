"""Options shared by several subcommands: --set, --catalog, typed numbers."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

from tafagent.adapters.files import read_text_file
from tafagent.core.catalogs import Catalogs, default_catalogs
from tafagent.core.errors import ConfigError, UsageError
from tafagent.core.numbers import parse_number

MAX_CATALOG_BYTES = 16 * 1024 * 1024  # a catalog is a few KB of JSON rows


def number(text: str) -> float:
    """argparse type: '32k', '8e9', '5,000' → float (usage error otherwise)."""
    try:
        return parse_number(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None


def positive_int(text: str) -> int:
    value = number(text)
    if value != int(value) or value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return int(value)


def positive_number(text: str) -> float:
    """argparse type: a finite number > 0."""
    value = number(text)
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}")
    return value


def non_negative_int(text: str) -> int:
    """argparse type: a whole number ≥ 0."""
    value = number(text)
    if value != int(value) or value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}")
    return int(value)


def parse_sets(items: list[str] | None) -> dict[str, str]:
    """``--set name=value`` pairs → dict (values stay strings; recipes coerce and validate them)."""
    out: dict[str, str] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--set expects name=value, got {item!r}", "e.g. --set T_eval=32000")
        out[name.strip()] = value.strip()
    return out


def add_catalog_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--catalog",
        metavar="FILE",
        type=Path,
        help="JSON file overriding or adding GPU/API catalog rows (same shape as the built-in ones)",
    )


def load_catalogs(path: Path | None) -> Catalogs:
    catalogs = default_catalogs()
    if path is None:
        return catalogs
    text = read_text_file(path, "catalog", MAX_CATALOG_BYTES, "pass a JSON file of GPU/API rows")
    try:
        data: Any = json.loads(text)
    except RecursionError:
        raise ConfigError(f"catalog '{path}' is nested too deeply to be a catalog", "fix the file") from None
    except json.JSONDecodeError as error:
        raise ConfigError(
            f"catalog '{path}' is not valid JSON (line {error.lineno}: {error.msg})", "fix the file"
        ) from error
    return catalogs.with_overrides(data, origin=str(path))


def write_or_print(text: str, output: Path | None) -> None:
    if output is None:
        import sys

        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot write '{output}': {error.strerror or error}", "check the path") from error
