"""The layer rule (DESIGN.md): core → standard library only; adapters → core; interfaces → both; no circles.

Relative imports are resolved before they are checked, so `from ..adapters import x` in the core fails too.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import tafagent

HEAVY = ("torch", "transformers", "huggingface_hub", "numpy", "rich", "matplotlib")
PACKAGE = Path(tafagent.__file__).parent
CORE = PACKAGE / "core"
# Which first-level parts of the package each layer may import (module level or inside functions).
ALLOWED = {
    "core": {"core"},
    "adapters": {"core", "adapters", "_version"},
    "cli": {"core", "adapters", "cli", "web", "_version"},  # `taf web` builds and serves the web app
    "web": {"core", "adapters", "web", "_version"},
}


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, *, module_level_only: bool = False) -> list[str]:
    """Every module ``path`` imports, relative imports made absolute."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if module_level_only else list(ast.walk(tree))
    found: list[str] = []
    for node in nodes:
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            # `from pkg import sub` imports pkg.sub when sub is a module
            found += [module] + [f"{module}.{alias.name}" for alias in node.names]
    return found


def _sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_importing_core_and_package_leaves_heavy_libraries_unloaded() -> None:
    code = (
        "import sys, tafagent, tafagent.core, tafagent.core.spec.presets, tafagent.core.spec.resolve\n"
        "tafagent.core.spec.presets.get_preset('llama-3-8b').spec()\n"
        f"loaded = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "loaded += [m for m in sys.modules if m.startswith('tafagent.adapters')]\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"the core loaded: {result.stdout}"


def test_importing_the_package_root_is_light() -> None:
    code = "import sys, tafagent\nprint(','.join(m for m in sys.modules if m.startswith('tafagent.')))\n"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert set(filter(None, result.stdout.strip().split(","))) <= {"tafagent._version", "tafagent.api"}, result.stdout


def test_core_modules_import_only_the_standard_library() -> None:
    offenders = []
    for path in CORE.rglob("*.py"):
        for name in _imports(path):
            top = name.split(".")[0]
            if top == "tafagent":
                if name.split(".")[1:2] != ["core"]:
                    offenders.append(f"{path.relative_to(PACKAGE)}: {name}")
            elif top not in sys.stdlib_module_names and top != "__future__":
                offenders.append(f"{path.relative_to(PACKAGE)}: {name}")
    assert not offenders, offenders


def test_no_layer_imports_upward() -> None:
    offenders = []
    for path in _sources():
        rel = path.relative_to(PACKAGE)
        layer = rel.parts[0] if len(rel.parts) > 1 else None
        if layer not in ALLOWED:
            continue
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] == "tafagent" and len(parts) > 1 and parts[1] not in ALLOWED[layer]:
                offenders.append(f"{rel}: {name}")
    assert not offenders, offenders


def test_no_import_circles_at_module_level() -> None:
    known = {_module_name(p): p for p in _sources()}
    graph = {
        name: {m for m in _imports(path, module_level_only=True) if m in known and m != name}
        for name, path in known.items()
    }
    # a package's __init__ importing its own submodules is not a circle; a submodule importing its parent is
    for name in graph:
        graph[name] = {m for m in graph[name] if not m.startswith(name + ".")}
    state: dict[str, int] = {}
    circles: list[str] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                circles.append(" → ".join([*trail[trail.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    assert not circles, circles


def test_core_does_no_printing() -> None:
    for path in CORE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", None) == "print"]
        assert not calls, f"{path.name} prints"
