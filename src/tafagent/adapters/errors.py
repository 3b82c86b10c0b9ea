"""Every error class of the adapters layer (the Hub, the LLM endpoint, the measurement).

Each is a :class:`TafError`: one line and a hint; the interfaces print it and exit with its code.
"""

from __future__ import annotations

from tafagent.core.errors import TafError


class LLMError(TafError):
    """The LLM endpoint could not be used (unreachable, slow, HTTP error, malformed answer)."""


class HubError(TafError):
    """The Hub could not answer (unexpected status, foreign server)."""


class HubAccessError(HubError):
    """A gated or private repo that the token (or its absence) does not open."""


class HubUnavailableError(HubError):
    """No answer: network down, timeouts or server errors after bounded retries, or offline with a cold cache."""


class MeasurementMemoryError(TafError):
    """The model or one forward pass does not fit in memory; the hint names the option that would."""
