"""One conversation with the Hub about one repo: the library, the settings, the reference and the deadline.

Every request helper of the adapter (download, range read, retry, error translation) takes this one
value instead of four loose arguments.
"""

from __future__ import annotations

from dataclasses import dataclass

from tafagent.adapters.hub.deadline import HubDeadline
from tafagent.adapters.hub.library import HubLibrary
from tafagent.adapters.hub.reference import HubRef
from tafagent.adapters.hub.settings import HubSettings


@dataclass(frozen=True)
class HubSession:
    """The library, the settings, the repo reference and the deadline of one :func:`load_hub_spec` call."""

    lib: HubLibrary
    settings: HubSettings
    ref: HubRef
    deadline: HubDeadline

    @property
    def token_arg(self) -> str | bool:
        """The ``token=`` argument for the library: a string sends that token; False sends none.

        Never None: the library's implicit lookup reads paths frozen at import time.
        """
        return self.settings.token or False
