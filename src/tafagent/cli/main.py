"""Entry point of the ``taf`` command: argument parsing and the one error boundary."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from tafagent._version import __version__
from tafagent.cli import (
    cmd_ask,
    cmd_compare,
    cmd_diagnose,
    cmd_extend,
    cmd_memory,
    cmd_plan,
    cmd_presets,
    cmd_profile,
    cmd_recipe,
    cmd_spec,
    cmd_sweep,
    cmd_validate,
    cmd_web,
)
from tafagent.cli.output import write_stderr
from tafagent.core.errors import TafError
from tafagent.core.messages import LANGUAGES

COMMANDS = (
    cmd_presets,
    cmd_spec,
    cmd_profile,
    cmd_compare,
    cmd_recipe,
    cmd_ask,
    cmd_memory,
    cmd_plan,
    cmd_extend,
    cmd_diagnose,
    cmd_sweep,
    cmd_validate,
    cmd_web,
)


_COMMAND_LINE: list[str] = []  # the arguments being parsed: a usage error reads its --lang from them


class _Parser(argparse.ArgumentParser):
    """argparse with one-line usage errors (exit code 2), in the user's language, instead of a usage dump."""

    def error(self, message: str) -> None:  # type: ignore[override]
        from tafagent.cli.usage_errors import usage_language, usage_line

        write_stderr(usage_line(self.prog, message, usage_language(_COMMAND_LINE)) + "\n")
        raise SystemExit(2)


def common_options() -> argparse.ArgumentParser:
    """The options every subcommand takes: ``--json`` and ``--lang``."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="machine-readable JSON on stdout (nothing else)")
    common.add_argument(
        "--lang",
        choices=LANGUAGES,
        help="language of the text output (default: the TAF_LANG environment variable, else English; `ask`: "
        "else the question's); JSON keeps English keys and adds the localised text",
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="taf",
        description="Will this transformer LLM work for you? Audited, deterministic answers from the model's "
        "architecture (and, with `taf diagnose`, from measurement).",
    )
    parser.add_argument("--version", action="version", version=f"tafagent {__version__}")
    common = common_options()
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for command in COMMANDS:
        command.register(subparsers, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    _COMMAND_LINE[:] = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.run(args))
    except TafError as error:
        write_stderr(f"taf: error: {error.one_line(_error_language(args))}\n")
        return error.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("taf: interrupted\n")
        return 130
    except BrokenPipeError:  # e.g. `taf presets | head`
        return 0


def _error_language(args: argparse.Namespace) -> str:
    """The language an error is written in: ``--lang``, else TAF_LANG, else English (an invalid TAF_LANG is
    itself the error being reported, so it falls back to English)."""
    from tafagent.cli.common import output_language

    try:
        return output_language(args) or "en"
    except TafError:
        return "en"


if __name__ == "__main__":
    raise SystemExit(main())
