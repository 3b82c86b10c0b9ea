"""The package version, read once from the installed distribution (one source: pyproject.toml)."""

from __future__ import annotations

from importlib import metadata

try:
    __version__ = metadata.version("tafagent")
except metadata.PackageNotFoundError:  # a source tree run without `pip install` (e.g. Pyodide's unpacked wheel)
    __version__ = "0.0.0+unknown"
