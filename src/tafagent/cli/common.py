"""Options shared by several subcommands: --set, --catalog, bounded typed numbers, checked output files."""

from __future__ import annotations

import argparse
import json
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tafagent.adapters.files import check_output_file, read_text_file
from tafagent.cli.output import safe_text, write_stdout
from tafagent.core.catalogs import Catalogs, default_catalogs
from tafagent.core.errors import ConfigError, UsageError
from tafagent.core.jsonsafe import JSONInputError, parse_bounded_json
from tafagent.core.numbers import parse_number
from tafagent.core.spec.limits import MAX_BATCH, MAX_POSITIONS, MAX_TP  # --batch, --context, --tp

MAX_CATALOG_BYTES = 16 * 1024 * 1024  # a catalog is a few KB of JSON rows
MAX_SHOWN_CHARS = 40  # of a bad value quoted in an error line

# Upper bounds of the integer flags: far above any real use, low enough that no computation explodes.
MAX_PROMPTS = 100_000  # prompts per seed (--prompts); the reference uses 80
MAX_CURVE_QUERIES = 10_000  # query rows of the fast curve estimator (--curve-queries)
MAX_SEED = 2**32 - 1  # numpy's seed range (--seeds)
MAX_PORT = 65_535
MAX_LLM_TIMEOUT_S = 3600.0  # one hour (--llm-timeout)


def output_language(args: argparse.Namespace, default: str | None = "en") -> str | None:
    """The language of a command's text: ``--lang``, else the ``TAF_LANG`` environment variable, else ``default``
    (English; ``ask`` passes None to answer in the question's language). An unknown TAF_LANG is one usage line."""
    from tafagent.core.messages import LANGUAGES

    if getattr(args, "lang", None):
        return str(args.lang)
    env = os.environ.get("TAF_LANG", "").strip()
    if not env:
        return default
    code = language_code(env)
    if code not in LANGUAGES:
        raise UsageError(f"TAF_LANG={shown(env)} is not a language of taf", f"set it to one of {', '.join(LANGUAGES)}")
    return code


def language_code(locale: str) -> str:
    """The language part of a locale name: ``fr_FR.UTF-8`` → fr, ``zh-CN`` → zh (not checked against LANGUAGES)."""
    return locale.strip().lower().replace("_", "-").split("-")[0].split(".")[0]


def shown(text: str) -> str:
    """``text`` quoted for an error line, cut to about 40 characters (a 5,000-digit value stays readable)."""
    cut = text if len(text) <= MAX_SHOWN_CHARS else text[: MAX_SHOWN_CHARS - 1] + "…"
    return repr(cut)


def _ascii_number(text: str) -> float:
    """parse_number at the CLI edge, ASCII only; may return ±∞ (1e400, a 5,000-digit value) for the caller
    to refuse with its own range.

    ASCII is checked here rather than in core's parse_number: the core also reads '１２', which ``ask`` wants
    for questions typed on a CJK keyboard, but a flag is a number only in ASCII digits.
    """
    if not text.isascii():
        raise argparse.ArgumentTypeError(f"not a number: {shown(text)} (use ASCII digits 0-9)")
    try:
        return parse_number(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {shown(text)}") from None


def number(text: str) -> float:
    """argparse type: '32k', '8e9', '5,000' → a finite float (usage error otherwise)."""
    value = _ascii_number(text)
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {shown(text)} (e.g. 5000 or 1.5e9)")
    return value


def bounded_number(maximum: float, example: str) -> Callable[[str], float]:
    """argparse type factory: a finite number in (0, ``maximum``]; the error gives ``example`` as the fix."""

    def parse(text: str) -> float:
        value = _ascii_number(text)
        if not 0 < value <= maximum:  # also refuses ±∞
            raise argparse.ArgumentTypeError(
                f"expected a number > 0 and at most {maximum:,g}, got {shown(text)} (e.g. {example})"
            )
        return value

    parse.__name__ = "number"
    return parse


def whole_number(minimum: int, maximum: int, example: str) -> Callable[[str], int]:
    """argparse type factory: a whole number in [``minimum``, ``maximum``] ('32k', '1e4' and '5,000' are
    whole numbers); the error names the range and gives ``example`` as the fix. argparse adds the flag."""
    expected = "a positive whole number" if minimum == 1 else f"a whole number >= {minimum:,}"

    def parse(text: str) -> int:
        value = _ascii_number(text)
        if not minimum <= value <= maximum or value != int(value):  # the range first: int(∞) overflows
            raise argparse.ArgumentTypeError(
                f"expected {expected} up to {maximum:,}, got {shown(text)} (e.g. {example})"
            )
        return int(value)

    parse.__name__ = "whole number"
    return parse


def port_number(text: str) -> int:
    """argparse type: a TCP port 0–65535 written in ASCII digits (0 lets the OS pick a free one)."""
    digits = text.strip()
    if not (digits.isascii() and digits.isdigit() and len(digits) <= len(str(MAX_PORT))) or int(digits) > MAX_PORT:
        raise argparse.ArgumentTypeError(
            f"expected a port from 0 to {MAX_PORT}, got {shown(text)} (e.g. --port 8000; 0 picks a free one)"
        )
    return int(digits)


# The integer flags, each with its documented maximum (the --help of every flag states it).
token_count = whole_number(1, MAX_POSITIONS, "32k")  # --context, --t-eval, --N: the core's position limit
batch_size = whole_number(1, MAX_BATCH, "--batch 8")
gpu_count = whole_number(1, MAX_TP, "--tp 8")
prompt_count = whole_number(1, MAX_PROMPTS, "--prompts 80")
query_count = whole_number(1, MAX_CURVE_QUERIES, "--curve-queries 4")
min_distance = whole_number(0, MAX_POSITIONS, "--fit-min-distance 30")
llm_timeout = bounded_number(MAX_LLM_TIMEOUT_S, "--llm-timeout 30")


def parse_sets(items: list[str] | None) -> dict[str, str]:
    """``--set name=value`` pairs → dict (values stay strings; recipes coerce and validate them)."""
    out: dict[str, str] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--set expects name=value, got {shown(item)}", "e.g. --set T_eval=32000")
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
        data: Any = parse_bounded_json(text)
    except JSONInputError as error:
        raise ConfigError(f"catalog '{path}' {error.problem}: it cannot be a catalog", "fix the file") from None
    except RecursionError:
        raise ConfigError(f"catalog '{path}' is nested too deeply to be a catalog", "fix the file") from None
    except json.JSONDecodeError as error:
        raise ConfigError(
            f"catalog '{path}' is not valid JSON (line {error.lineno}: {error.msg})", "fix the file"
        ) from error
    return catalogs.with_overrides(data, origin=str(path))


def write_or_print(text: str, output: Path | None) -> None:
    """``text`` to the file ``output`` (vetted first, see check_output_file), or to stdout when it is None."""
    if output is None:
        write_stdout(text)
        return
    check_output_file(output, "-o", example="report.md")
    try:
        output.write_text(safe_text(text), encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot write '{output}': {error.strerror or error}", "check the path") from error
