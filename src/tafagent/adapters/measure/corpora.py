"""Token sources for the measurement: random vocabulary ids or windows of natural text.

Both protocols draw prompts from a private ``random.Random(seed)``:

* **random** (spec §5.5 step 3): ``rng.randint(low, high)`` per token, with low = 1000 and
  high = min(vocab − 1, 49000) as in v0.5.3. Special-token ids are redrawn (the stream stays the
  reference's whenever none is hit). Deliberate fix for small vocabularies (v0.5.3 crashed when
  vocab − 1 < 1000, spec §9.2 item 12): when that range holds fewer than 1000 ids, the whole vocabulary
  minus special tokens is used.
* **text**: a window of consecutive tokens of a tokenized document, starting at ``rng.randrange``. The
  default document is the standard library's ``pydoc_data.topics`` (offline, ~465k characters of
  English technical prose); ``--text FILE`` replaces it.

Prompts carry no BOS token (as the reference's random prompts).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tafagent.adapters.files import read_text_file
from tafagent.core.errors import ConfigError

REFERENCE_LOW_ID = 1000
REFERENCE_HIGH_ID = 49000
MIN_REFERENCE_RANGE = 1000
MAX_TEXT_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class RandomTokens:
    """Uniform ids from [low, high] (inclusive) minus ``excluded`` (special tokens)."""

    low: int
    high: int
    excluded: frozenset[int] = field(default_factory=frozenset)
    name: str = "random"

    def describe(self) -> str:
        return f"random ids in [{self.low}, {self.high}] minus {len(self.excluded)} special id(s)"

    def draw(self, rng: random.Random, length: int) -> list[int]:
        """``length`` ids, one ``rng.randint`` each (redrawn while special), as spec §5.5 step 3."""
        out: list[int] = []
        for _ in range(length):
            token = rng.randint(self.low, self.high)
            while token in self.excluded:
                token = rng.randint(self.low, self.high)
            out.append(token)
        return out


@dataclass(frozen=True)
class TextTokens:
    """Windows of a tokenized document."""

    tokens: tuple[int, ...]
    source: str
    name: str = "text"

    def describe(self) -> str:
        return f"{len(self.tokens):,} tokens of {self.source}"

    def draw(self, rng: random.Random, length: int) -> list[int]:
        if length > len(self.tokens):
            raise ConfigError(
                f"the text corpus has {len(self.tokens):,} tokens, fewer than the {length:,} one prompt needs",
                "pass a longer --text FILE or smaller --distances",
            )
        start = rng.randrange(0, len(self.tokens) - length + 1)
        return list(self.tokens[start : start + length])


TokenSource = RandomTokens | TextTokens


def random_tokens(vocab_size: int, special_ids: Iterable[int]) -> RandomTokens:
    """The random corpus for a vocabulary of ``vocab_size`` ids (module docstring)."""
    if vocab_size < 2:
        raise ConfigError(f"vocabulary of {vocab_size} ids is too small to draw random prompts")
    excluded = frozenset(int(i) for i in special_ids if isinstance(i, int) and 0 <= i < vocab_size)
    high = min(vocab_size - 1, REFERENCE_HIGH_ID)
    if high - REFERENCE_LOW_ID + 1 >= MIN_REFERENCE_RANGE:
        return RandomTokens(REFERENCE_LOW_ID, high, excluded)
    if len(excluded) >= vocab_size:
        raise ConfigError("every vocabulary id is a special token: no random prompts can be drawn")
    return RandomTokens(0, vocab_size - 1, excluded)


def default_text() -> tuple[str, str]:
    """The offline default document: ``pydoc_data.topics`` (Python's own help texts), in sorted topic order."""
    from pydoc_data.topics import topics

    return "\n\n".join(topics[key] for key in sorted(topics)), "pydoc_data.topics (Python standard library)"


def read_text(path: Path) -> tuple[str, str]:
    """A UTF-8 text file (``--text``), with one-line errors."""
    return read_text_file(path, "text file", MAX_TEXT_BYTES, "pass a UTF-8 text file with --text"), str(path)


def text_tokens(tokenizer: Any, text: str, source: str, vocab_size: int) -> TextTokens:
    """Tokenize ``text`` without special tokens, in chunks (no "sequence too long" warnings)."""
    if tokenizer is None:
        raise ConfigError(
            "the text corpus needs the model's tokenizer, and none could be loaded",
            "use --corpus random, add the tokenizer files to the model directory, or pass --tokenizer DIR_OR_ID",
        )
    ids: list[int] = []
    chunk = 100_000
    start = 0
    while start < len(text):
        end = min(len(text), start + chunk)
        if end < len(text):  # cut on a line break (else a space) so no word straddles two chunks
            cut = text.rfind("\n", start, end)
            if cut <= start:
                cut = text.rfind(" ", start, end)
            if cut > start:
                end = cut
        ids.extend(tokenizer(text[start:end], add_special_tokens=False)["input_ids"])
        start = end
    bad = [i for i in ids if not 0 <= i < vocab_size]
    if bad:
        raise ConfigError(
            f"the tokenizer produced id {bad[0]} outside the model's vocabulary of {vocab_size}",
            "the tokenizer does not belong to this model",
        )
    if len(ids) < 2:
        raise ConfigError(f"the text corpus ({source}) is empty after tokenization", "pass a longer --text FILE")
    return TextTokens(tuple(ids), source)
