"""argparse's usage errors in the user's language.

argparse writes its errors in English ("the following arguments are required: MODEL, --context"); the ``taf``
parser hands each one here, which recognises argparse's own templates (Python 3.11–3.13) and those of our
argument types (``cli.common``), and rewrites them with the catalog's ``cli.usage.*`` sentences. The names,
values and choices inside stay as typed (they are what the user must type). A message no pattern knows is
shown as argparse wrote it, so nothing is ever lost.

The language is the command line's ``--lang`` (argparse has not finished parsing when it fails, so it is read
from the arguments themselves), else ``TAF_LANG``, else English.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

from tafagent.cli.common import language_code
from tafagent.core.messages import LANGUAGES, tr
from tafagent.core.render.format import localise_number

_VALUE = r"(?P<value>.+?)"
_EXAMPLE = r" \(e\.g\. (?P<example>.+)\)"
# (pattern for the whole message, catalog key); the first that matches wins, so the specific come first.
PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), key)
    for pattern, key in (
        (r"the following arguments are required: (?P<names>.+)", "cli.usage.required"),
        (r"unrecognized arguments: (?P<names>.+)", "cli.usage.unrecognized"),
        (r"one of the arguments (?P<names>.+) is required", "cli.usage.one_required"),
        (r"ambiguous option: (?P<option>\S+) could match (?P<names>.+)", "cli.usage.ambiguous"),
        (
            rf"argument (?P<arg>\S+): invalid choice: {_VALUE} \(choose from (?P<choices>.+)\)",
            "cli.usage.invalid_choice",
        ),
        (r"argument (?P<arg>\S+): expected one argument", "cli.usage.expected_one"),
        (r"argument (?P<arg>\S+): expected at least one argument", "cli.usage.expected_some"),
        (r"argument (?P<arg>\S+): not allowed with argument (?P<other>\S+)", "cli.usage.not_allowed"),
        (rf"argument (?P<arg>\S+): not a number: {_VALUE}(?: \(use ASCII digits 0-9\))?", "cli.usage.not_a_number"),
        (rf"argument (?P<arg>\S+): expected a finite number, got {_VALUE}{_EXAMPLE}", "cli.usage.finite"),
        (
            rf"argument (?P<arg>\S+): expected a number > 0 and at most (?P<max>\S+), got {_VALUE}{_EXAMPLE}",
            "cli.usage.bounded",
        ),
        (
            rf"argument (?P<arg>\S+): expected a positive whole number up to (?P<max>\S+), got {_VALUE}{_EXAMPLE}",
            "cli.usage.whole",
        ),
        (
            rf"argument (?P<arg>\S+): expected a whole number >= (?P<min>\S+) up to (?P<max>\S+), got {_VALUE}"
            rf"{_EXAMPLE}",
            "cli.usage.whole_min",
        ),
        (rf"argument (?P<arg>\S+): invalid (?P<type>.+?) value: {_VALUE}", "cli.usage.invalid_value"),
    )
)
NUMBER_FIELDS = ("max", "min")  # written in the language's marks ("17 179 869 184")


def usage_language(argv: Sequence[str]) -> str:
    """``--lang X`` / ``--lang=X`` from the command line, else TAF_LANG (``fr_FR.UTF-8`` → fr), else English."""
    for i, item in enumerate(argv):
        value = (
            item.split("=", 1)[1]
            if item.startswith("--lang=")
            else argv[i + 1]
            if item == "--lang" and i + 1 < len(argv)
            else None
        )
        if value in LANGUAGES:
            return value
    code = language_code(os.environ.get("TAF_LANG", ""))  # an unknown one is English here: this line is the error
    return code if code in LANGUAGES else "en"


def usage_line(prog: str, message: str, lang: str) -> str:
    """``prog: error: <message> (see `prog --help`)`` with the message in ``lang`` where a pattern knows it."""
    text = message
    if lang != "en":
        for pattern, key in PATTERNS:
            match = pattern.fullmatch(message)
            if match:
                fields = {k: v for k, v in match.groupdict().items() if v is not None}
                for name in NUMBER_FIELDS:
                    if name in fields:
                        fields[name] = localise_number(fields[name], lang)
                text = tr(key, lang, **fields)
                break
    return tr("cli.usage.line", lang, prog=prog, message=text)
