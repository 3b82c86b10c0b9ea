"""A Hub repo reference: ``org/name[@revision]`` parsed into a repo id and the revision asked for."""

from __future__ import annotations

from dataclasses import dataclass

from tafagent.core.errors import ModelNotFoundError, UsageError
from tafagent.core.spec.config_text import REPO_ID


@dataclass(frozen=True)
class HubRef:
    """A repo id and the revision asked for (None = the default branch)."""

    repo_id: str
    revision: str | None

    @property
    def label(self) -> str:
        return self.repo_id if self.revision is None else f"{self.repo_id}@{self.revision}"


def parse_hub_ref(model: str, revision: str | None = None) -> HubRef:
    """``org/name[@revision]``; a revision both in the name and in ``revision`` must agree."""
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
    return HubRef(name, rev)
