"""The project's own errors.

Every expected failure (bad config, unknown model, bad argument) is a :class:`TafError` carrying a
one-line message and a hint that tells the user how to fix it. Interfaces print ``message (hint)`` and
exit with :attr:`TafError.exit_code`; they never show a traceback for these.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # messages imports the number formatting, which raises these errors
    from tafagent.core.messages import Msg


class TafError(Exception):
    """Base class for every error the user can act on.

    ``message`` and ``hint`` are English; :meth:`in_words` attaches their catalog messages (``cli.error.*``), so
    the command line can print them in the user's language (``--lang`` / ``TAF_LANG``)."""

    exit_code = 1
    message_msg: Msg | None = None
    hint_msg: Msg | None = None

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def in_words(self, message: Msg | None, hint: Msg | None = None) -> Any:
        """This error with the translatable forms of its message and hint (returns ``self``, to ``raise``)."""
        self.message_msg, self.hint_msg = message, hint
        return self

    def one_line(self, lang: str = "en") -> str:
        """The message and its hint on a single line (newlines folded), in ``lang`` where they have messages."""
        message = self.message_msg.text(lang) if self.message_msg is not None and lang != "en" else self.message
        hint = self.hint_msg.text(lang) if self.hint_msg is not None and lang != "en" else self.hint
        text = message if not hint else f"{message} — {hint}"
        return " ".join(text.split())


class ConfigError(TafError):
    """A model config that is missing a field, has a wrong type or an impossible value."""

    def __init__(self, message: str, hint: str | None = None, *, field: str | None = None) -> None:
        super().__init__(message, hint)
        self.field = field


class UnsupportedModelError(ConfigError):
    """A config that is valid but is not a decoder language model (vision-only, encoder-only, ...)."""


class ModelNotFoundError(TafError):
    """A MODEL argument that is neither a preset, a local config nor a reachable Hub id."""

    def __init__(self, message: str, hint: str | None = None, *, suggestions: list[str] | None = None) -> None:
        super().__init__(message, hint)
        self.suggestions = list(suggestions or [])


class UsageError(TafError):
    """A command-line argument that is malformed (exit code 2, like argparse)."""

    exit_code = 2


class DependencyError(TafError):
    """An optional dependency (an extra such as ``[hub]`` or ``[diagnose]``) is not installed."""


class DiagnosticInputError(TafError, ValueError):
    """An input outside a diagnostic's domain; ``parameter`` names the offending argument."""

    def __init__(self, parameter: str, message: str, hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.parameter = parameter


class WeightHeaderError(TafError):
    """A checkpoint header that is not a valid safetensors or GGUF header."""


class HeaderTruncatedError(WeightHeaderError):
    """The bytes given end inside the header; ``needed_bytes`` is the prefix length the parser needs next."""

    def __init__(self, needed_bytes: int, origin: str) -> None:
        super().__init__(f"{origin}: the header needs at least {needed_bytes:,} bytes", "read more of the file")
        self.needed_bytes = needed_bytes


class ParameterError(ConfigError):
    """A recipe parameter with a wrong type or a value outside its domain."""


class LLMReplyError(TafError):
    """An LLM reply that failed validation; the deterministic answer is used instead."""
