"""English left in a translated rendering: the check behind the residue tests (issue 17).

A translated output fails when it holds a run of three or more words that the English rendering of the same
command also holds. Words are runs of letters; anything else (a number, ``γ_Padé``, a model id with ``/``, a
flag ``--max-model-len``, punctuation) ends a run, so formulas, units, ids and numbers never count. Code in
backticks and URLs are blanked first. Raw codes (``x2_beyond_T_train``) are checked separately against the
codes the command produced, since config keys such as ``rope_scaling`` are legitimate text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_BLANKED = re.compile(r"`[^`\n]*`|https?://\S+|\[[a-z ]*\]")  # code, URLs, rich markup left in text
_TOKEN = re.compile(r"\S+")
_WORD = re.compile(r"^[(\"'“«]*([A-Za-z][a-z]*(?:['’][a-z]+)?)[)\"'”»]*$")  # one word, maybe quoted or bracketed
_ENDS_RUN = re.compile(r"[,.;:!?)»”]$")  # punctuation after a word ends the phrase it belongs to
MIN_WORDS = 3


def _runs(text: str) -> list[list[str]]:
    """Runs of consecutive words (lower-cased) on each line of ``text``."""
    runs: list[list[str]] = []
    for line in _BLANKED.sub(" | ", text).splitlines():
        current: list[str] = []
        for token in _TOKEN.findall(line):
            match = _WORD.match(token)
            if match is None:
                if len(current) >= MIN_WORDS:
                    runs.append(current)
                current = []
                continue
            current.append(match.group(1).lower())
            if _ENDS_RUN.search(token) or token[:1] in "(\"'“«":
                if len(current) >= MIN_WORDS:
                    runs.append(current)
                current = [] if _ENDS_RUN.search(token) else [current[-1]]
        if len(current) >= MIN_WORDS:
            runs.append(current)
    return runs


def _ngrams(runs: list[list[str]], n: int = MIN_WORDS) -> set[tuple[str, ...]]:
    return {tuple(run[i : i + n]) for run in runs for i in range(len(run) - n + 1)}


def english_residue(english: str, translated: str, allowed: Iterable[str] = ()) -> list[str]:
    """The phrases of ≥ 3 words of ``translated`` that ``english`` also has (sorted, each once).

    ``allowed``: phrases that are names in every language (a paper title, a product name), lower-case words."""
    shared = _ngrams(_runs(english)) & _ngrams(_runs(translated))
    allowed_grams = _ngrams([phrase.lower().split() for phrase in allowed])
    return sorted(" ".join(gram) for gram in shared - allowed_grams)


def raw_codes(text: str, codes: Iterable[str]) -> list[str]:
    """The codes of ``codes`` (caveat codes, verdict codes such as ``x2_beyond_T_train``) that ``text`` shows."""
    return sorted({code for code in codes if code and re.search(rf"(?<![\w]){re.escape(code)}(?![\w])", text)})
