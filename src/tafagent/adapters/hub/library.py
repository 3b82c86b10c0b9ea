"""The parts of huggingface_hub (and the HTTP library under it) that this adapter uses, imported on demand.

The import happens inside :func:`load_library` so that the core and the CLI start without the ``[hub]``
extra; error classes are looked up by name so that one missing from the installed version matches nothing.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from tafagent.core.errors import DependencyError


@dataclass(frozen=True)
class HubLibrary:
    """The parts of huggingface_hub (and its HTTP library) this adapter uses."""

    hub: ModuleType
    errors: ModuleType
    transport: ModuleType
    version: str

    def error(self, name: str) -> type[BaseException]:
        """An error class by name; one missing in this library version matches nothing."""
        found = getattr(self.errors, name, None)
        return found if isinstance(found, type) else _NeverRaised


class _NeverRaised(Exception):
    """Stands in for an error class that the installed huggingface_hub does not define."""


def load_library() -> HubLibrary:
    """Import huggingface_hub; a missing or too old library is a DependencyError naming the extra."""
    try:
        hub = importlib.import_module("huggingface_hub")
        errors = importlib.import_module("huggingface_hub.errors")
        utils = importlib.import_module("huggingface_hub.utils")
    except ImportError as exc:
        raise DependencyError(
            "reading Hub ids needs the huggingface_hub package", "pip install 'tafagent[hub]'"
        ) from exc
    # huggingface_hub ≥ 1.0 speaks httpx (2.x: httpx2); its session tells which module raises transport errors.
    transport = importlib.import_module(type(utils.get_session()).__module__.split(".")[0])
    if not hasattr(transport, "TimeoutException"):
        raise DependencyError(
            f"huggingface_hub {hub.__version__} is too old for tafagent", "pip install -U 'tafagent[hub]'"
        )
    return HubLibrary(hub, errors, transport, hub.__version__)


_QUIET_LOCK = threading.Lock()
_quiet_users = 0  # loads inside quiet_library now (in any thread)
_level_before_quiet = logging.NOTSET


@contextmanager
def quiet_library() -> Iterator[None]:
    """Keep huggingface_hub's warnings off stderr: failures reach the user as one TafError line.

    The logger level is process-wide and loads may overlap (threads): the first load in saves the level
    and sets ERROR, the last one out restores it, so no load ends another's quiet or leaves ERROR behind.
    """
    global _quiet_users, _level_before_quiet
    logger = logging.getLogger("huggingface_hub")
    with _QUIET_LOCK:
        if _quiet_users == 0:
            _level_before_quiet = logger.level
            logger.setLevel(logging.ERROR)
        _quiet_users += 1
    try:
        yield
    finally:
        with _QUIET_LOCK:
            _quiet_users -= 1
            if _quiet_users == 0:
                logger.setLevel(_level_before_quiet)


def silent_tqdm(lib: HubLibrary) -> type:
    """huggingface_hub's progress bar class, always disabled (config files are tiny; stdout stays clean)."""

    class _Silent(lib.hub.utils.tqdm):  # type: ignore[misc, name-defined]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["disable"] = True
            super().__init__(*args, **kwargs)

    return _Silent
