"""The package version: the one place it is written (pyproject.toml reads it from here, ``dynamic = ["version"]``).

A constant rather than ``importlib.metadata.version()``: that import costs ~35 ms in CPython and several times
more in the browser's Pyodide, on the way to the first card."""

from __future__ import annotations

__version__ = "0.1.0"
