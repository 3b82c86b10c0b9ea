"""npm's ``pyodide`` and ``chart.js`` packages as small stand-in files, for tests of the site build that never
load the page (folder handling, failed and interrupted builds)."""

from __future__ import annotations

from pathlib import Path

from tafagent.web import build


def stand_in_node_modules(folder: Path) -> Path:
    """``folder/node_modules`` holding every file `taf web` copies from the two packages, each a few bytes."""
    modules = folder / "node_modules"
    (modules / "pyodide").mkdir(parents=True, exist_ok=True)
    for name in build.PYODIDE_FILES:
        (modules / "pyodide" / name).write_text(name, encoding="utf-8")
    (modules / "pyodide" / "package.json").write_text('{"version": "0.0.1"}', encoding="utf-8")
    (modules / "chart.js" / "dist").mkdir(parents=True)
    (modules / "chart.js" / "dist" / "chart.umd.js").write_text("chart", encoding="utf-8")
    (modules / "chart.js" / "package.json").write_text('{"version": "0.0.2"}', encoding="utf-8")
    return modules
