"""The layer rule (DESIGN.md): the core is standard-library only and never pulls heavy libraries."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import tafagent

HEAVY = ("torch", "transformers", "huggingface_hub", "numpy", "rich", "matplotlib")
CORE = Path(tafagent.__file__).parent / "core"


def test_importing_core_and_package_leaves_heavy_libraries_unloaded() -> None:
    code = (
        "import sys, tafagent, tafagent.core, tafagent.core.presets, tafagent.core.config_resolver\n"
        "import tafagent.adapters.model_source\n"
        "tafagent.core.presets.get_preset('llama-3-8b').spec()\n"
        f"loaded = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"heavy modules loaded by the core: {result.stdout}"


def test_core_modules_import_only_the_standard_library() -> None:
    offenders = []
    for path in CORE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top != "__future__":
                    offenders.append(f"{path.name}: {name}")
    assert not offenders, offenders


def test_core_does_no_printing() -> None:
    for path in CORE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", None) == "print"]
        assert not calls, f"{path.name} prints"
