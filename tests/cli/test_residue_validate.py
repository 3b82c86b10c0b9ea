"""Residue check of `taf validate` (issue 17): the report and each law's full view in ES, FR and ZH hold no phrase
of three or more words of the English rendering.

Left out, and why (they stay English, as the README's language section says): the notes under a law and a
comparison (generated sentences that quote the panel's own files), each failing case's detail and its predicted /
observed words (values of the data: "retrieves", "post-IH"), the falsification dashboard's claim and evidence
cells (the reference's claims and a generated sentence per claim), and the constants' "how" cell. Everything else
— headings, column names, law and comparison titles, formulas written in words, hit rules, statistics, support and
evidence words, status words — is checked. Tables are drawn on a wide console so that each row is one line.
"""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from support.residue import english_residue
from tafagent.cli import cmd_validate
from tafagent.cli.main import build_parser

LANGS = ("es", "fr", "zh")
# the columns each table keeps English, by the header that names the table's last column: the per-law table's
# worst failures; the constants' names (identifiers) and how each was got; the dashboard's claim and evidence
_KEPT_COLUMNS = {"worst_failures": (6,), "how": (0, 6), "evidence": (1, 5)}


def _render(argv: list[str], lang: str) -> str:
    from tafagent.core.messages import tr

    buffer = io.StringIO()
    original = cmd_validate.console
    cmd_validate.console = lambda: Console(file=buffer, width=6000, color_system=None)
    try:
        args = build_parser().parse_args(["validate", *argv, "--lang", lang])
        args.run(args)
    finally:
        cmd_validate.console = original
    last_header = {tr(f"laws.validate.col.{name}", lang): name for name in _KEPT_COLUMNS}
    drop: tuple[int, ...] = ()
    kept: list[str] = []
    for line in buffer.getvalue().splitlines():
        if line.startswith("  "):  # a note, or a failing case with its detail
            continue
        if "┃" in line:  # a header row: which table follows
            names = [c.strip() for c in line.split("┃")[1:-1]]
            drop = _KEPT_COLUMNS.get(last_header.get(names[-1], ""), ()) if names else ()
        elif "│" in line:
            cells = line.split("│")[1:-1]
            line = "│".join(c for i, c in enumerate(cells) if i not in drop)
        kept.append(line)
    return "\n".join(kept)


@pytest.mark.parametrize("lang", LANGS)
def test_validate_report_has_no_english_left(lang: str) -> None:
    assert english_residue(_render([], "en"), _render([], lang)) == []


@pytest.mark.parametrize("law", cmd_validate.HELP_LAW_KEYS)
@pytest.mark.parametrize("lang", LANGS)
def test_validate_law_view_has_no_english_left(law: str, lang: str) -> None:
    assert english_residue(_render(["--law", law], "en"), _render(["--law", law], lang)) == []


def test_english_report_is_unchanged_by_the_catalogs() -> None:
    """English renders from the same messages: every law and comparison title, rule and formula is its own
    English text (``laws.text.<English>`` maps to itself)."""
    from tafagent.core.messages import catalog
    from tafagent.core.validation import validate

    english = catalog("en")
    for law in validate().laws:
        for text in (
            law.title,
            law.formula,
            *(c.title for c in law.comparisons),
            *(c.hit_rule for c in law.comparisons),
        ):
            assert english.get(f"laws.text.{text}", text) == text
