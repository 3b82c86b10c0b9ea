"""The user's files: read a text file (config.json, a catalog, a diagnosis, a corpus) and vet an output path,
both with one-line errors.

Only regular files are read: a named pipe would block ``open`` forever and a device (``/dev/zero``) never
ends, so both are refused from ``stat`` before anything is opened; the file is then opened non-blocking and
checked again on its descriptor (it may have been swapped in between), and at most ``limit`` + 1 bytes are
read. Text is UTF-8 with an optional byte-order mark (editors on Windows write one). Output paths are vetted
before a command does any work, so a bad ``--out`` cannot lose a long measurement or hang on a pipe.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from tafagent.core.errors import ConfigError, UsageError

# ``os.O_NONBLOCK`` is POSIX only; where it is missing there are no FIFOs to block on either.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def user_path(path: str | Path) -> Path:
    """``path`` with a leading ``~`` or ``~user`` expanded; kept as typed when that user or home is unknown."""
    try:
        return Path(path).expanduser()
    except RuntimeError:  # "Could not determine home directory."
        return Path(path)


def path_stat(path: Path) -> os.stat_result | None:
    """``os.stat(path)``, or None when nothing is there (missing, a dangling link, a name too long for the
    file system, a non-directory in the middle). Other failures (permission denied) raise OSError."""
    try:
        return os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as error:
        if error.errno in (errno.ENAMETOOLONG, errno.ELOOP, errno.EINVAL):
            return None
        raise
    except ValueError:  # an embedded NUL character
        return None


def is_directory(path: Path) -> bool:
    """True for an existing directory; False for anything else, including names the OS refuses."""
    try:
        found = path_stat(path)
    except OSError:
        return False
    return found is not None and stat.S_ISDIR(found.st_mode)


def exists(path: Path) -> bool:
    """True when ``path`` names something (a file, a directory, a pipe); False also for unusable names."""
    try:
        return path_stat(path) is not None
    except OSError:
        return True  # it is there, we only may not look at it: reading it gives the precise error


def _kind(mode: int) -> str:
    """What a non-regular file is, in words."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _refuse_non_regular(path: Path, what: str, mode: int, hint: str) -> None:
    if not stat.S_ISREG(mode):
        raise ConfigError(f"{what} '{path}' is {_kind(mode)}, not a file", hint)


def read_text_file(path: Path, what: str, limit: int, hint: str) -> str:
    """The text of ``path``; missing, unreadable, non-regular, oversized or non-UTF-8 files are ConfigErrors
    naming ``what`` (e.g. "catalog") and ending with ``hint`` (the fix)."""
    path = user_path(path)
    data = _read_bytes(path, what, limit, hint)
    if len(data) > limit:
        raise ConfigError(f"{what} '{path}' is larger than {limit:,} bytes", hint)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ConfigError(f"{what} '{path}' is not UTF-8 text (byte {error.start})", hint) from None


def _read_bytes(path: Path, what: str, limit: int, hint: str) -> bytes:
    """At most ``limit`` + 1 bytes of the regular file ``path`` (never blocks on a pipe or a device)."""
    try:
        found = os.stat(path)
        _refuse_non_regular(path, what, found.st_mode, hint)
        if found.st_size > limit:
            raise ConfigError(f"{what} '{path}' is larger than {limit:,} bytes", hint)
        descriptor = os.open(path, _OPEN_FLAGS)
        with os.fdopen(descriptor, "rb") as handle:
            _refuse_non_regular(path, what, os.fstat(handle.fileno()).st_mode, hint)  # swapped since the stat
            return handle.read(limit + 1)
    except FileNotFoundError:
        raise ConfigError(f"{what} '{path}' does not exist", hint) from None
    except OSError as error:
        raise ConfigError(f"cannot read {what} '{path}': {error.strerror or error}", hint) from None
    except ValueError:  # an embedded NUL character
        raise ConfigError(f"{what} '{path}' is not a usable file name", hint) from None


def check_output_file(path: Path, flag: str, *, example: str, create_parents: bool = False) -> None:
    """UsageError (naming ``flag``) unless ``path`` can be written as a regular file: an existing target must
    be a writable regular file (not a directory, pipe or device), else its parent must be a writable
    directory. With ``create_parents`` (the writer makes missing folders) the nearest existing ancestor must
    be. Called before a command does any work, so nothing is computed for an output that cannot be written."""
    hint = f"give a file name in a writable folder, e.g. {flag} {example}"
    try:
        found = path_stat(path)
        if found is not None:
            if not stat.S_ISREG(found.st_mode):
                raise UsageError(f"{flag} '{path}' is {_kind(found.st_mode)}, not a file", hint)
            if not os.access(path, os.W_OK):
                raise UsageError(f"{flag} '{path}' is not writable", hint)
            return
        _check_output_folder(path, flag, hint, create_parents=create_parents)
    except OSError as error:
        raise UsageError(f"cannot write {flag} '{path}': {error.strerror or error}", hint) from None


def _check_output_folder(path: Path, flag: str, hint: str, *, create_parents: bool) -> None:
    """The folder a new output file goes into exists (or, with ``create_parents``, can be made) and is
    writable."""
    if len(os.fsencode(path.name)) > 255:  # NAME_MAX of every common file system
        raise UsageError(f"cannot write {flag} '{path}': file name too long", hint)
    folder = path.absolute().parent
    while create_parents and path_stat(folder) is None and folder != folder.parent:
        folder = folder.parent
    found = path_stat(folder)
    if found is None:
        raise UsageError(f"{flag} '{path}': folder '{folder}' does not exist", hint)
    if not stat.S_ISDIR(found.st_mode):
        raise UsageError(f"{flag} '{path}': '{folder}' is not a folder", hint)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"{flag} '{path}': folder '{folder}' is not writable", hint)
