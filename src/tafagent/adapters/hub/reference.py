"""A Hub repo reference: ``org/name[@revision]`` parsed into a repo id and the revision asked for.

The revision is checked here, before any request: huggingface_hub writes ``refs/<revision>`` into the Hub
cache, so a value such as ``../../x`` must never reach it (:func:`revision_problem` holds the rules).
"""

from __future__ import annotations

from dataclasses import dataclass

from tafagent.core.errors import ModelNotFoundError, UsageError
from tafagent.core.spec.config_text import REPO_ID, revision_problem

SHOWN_REVISION_CHARS = 40  # a rejected value is quoted up to this length, with its control characters escaped


@dataclass(frozen=True)
class HubRef:
    """A repo id and the revision asked for (None = the default branch)."""

    repo_id: str
    revision: str | None

    @property
    def label(self) -> str:
        return self.repo_id if self.revision is None else f"{self.repo_id}@{self.revision}"


def parse_hub_ref(model: str, revision: str | None = None) -> HubRef:
    """``org/name[@revision]``; a revision both in the name and in ``revision`` must agree, and be a valid ref."""
    text = model.strip()
    name, sep, in_name = text.partition("@")
    name = name.strip().strip("/")
    if not REPO_ID.match(name):
        raise ModelNotFoundError(f"'{text}' is not a Hub id", "a Hub id looks like org/name or org/name@revision")
    rev = in_name.strip() if sep else None
    if sep and not rev:
        raise UsageError(f"'{text}' ends with '@' but names no revision", "write org/name@main or drop the '@'")
    if revision is not None and revision.strip():
        if rev is not None and rev != revision.strip():
            raise UsageError(
                f"two revisions given for {name}: '@{rev}' and --revision {revision.strip()}", "give one of them"
            )
        rev = revision.strip()
    if rev is not None:
        check_revision(rev)
    return HubRef(name, rev)


def check_revision(revision: str) -> None:
    """A UsageError naming the (shortened) value when ``revision`` cannot be a branch, tag or commit."""
    problem = revision_problem(revision)
    if problem is not None:
        raise UsageError(
            f"revision '{shown_value(revision)}' is not a valid branch, tag or commit: {problem}",
            "give a branch, a tag, refs/pr/N or a 40-character commit sha (e.g. --revision main)",
        )


def shown_value(value: str) -> str:
    """``value`` for a one-line message: control characters escaped, cut to SHOWN_REVISION_CHARS."""
    escaped = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in value)
    return escaped if len(escaped) <= SHOWN_REVISION_CHARS else escaped[: SHOWN_REVISION_CHARS - 1] + "…"
