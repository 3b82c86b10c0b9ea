"""Optional dependencies of the measurement adapter, imported on demand with a clear error."""

from __future__ import annotations

from types import ModuleType

from tafagent.core.errors import DependencyError
from tafagent.core.messages import Msg

DIAGNOSE_HINT = "pip install 'tafagent[diagnose]'"


def require_torch() -> ModuleType:
    """``torch``, or a DependencyError naming the ``[diagnose]`` extra."""
    try:
        import torch
    except ImportError as error:
        raise DependencyError(f"`taf diagnose` needs PyTorch ({error.name} is not installed)", DIAGNOSE_HINT).in_words(
            Msg("cli.error.needs_dependency", command="taf diagnose", package="PyTorch", module=str(error.name))
        ) from None
    return torch


def require_transformers() -> ModuleType:
    """``transformers``, or a DependencyError naming the ``[diagnose]`` extra."""
    require_torch()
    try:
        import transformers
    except ImportError as error:
        raise DependencyError(
            f"`taf diagnose` needs transformers ({error.name} is not installed)", DIAGNOSE_HINT
        ).in_words(
            Msg("cli.error.needs_dependency", command="taf diagnose", package="transformers", module=str(error.name))
        ) from None
    return transformers


def require_diagnose_extra() -> None:
    """Check the whole ``[diagnose]`` extra up front, numpy first (torch imports it), then torch, then
    transformers (which prints its own warning when imported without torch)."""
    require_numpy()
    require_transformers()


def require_numpy() -> ModuleType:
    """``numpy``, or a DependencyError naming the ``[diagnose]`` extra."""
    try:
        import numpy
    except ImportError:
        raise DependencyError("`taf diagnose` needs numpy", DIAGNOSE_HINT) from None
    return numpy
