"""`taf web` from a normal install, and a build that fails or is interrupted.

Measured (issue 18): after ``pip install .`` `taf web` said "needs the tafagent source checkout", and a failed
build left a partial folder that blocked the next one. Here the package is installed for real (``pip install
--no-deps --target``, no network) and run from a folder that is no checkout; the npm packages are found in the
current folder, or fetched by a stand-in ``npm`` on PATH (a real program that writes what ``npm install`` would).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from support.npm_stand_in import stand_in_node_modules
from tafagent.core.errors import DependencyError, UsageError
from tafagent.web import build

ROOT = Path(__file__).resolve().parents[2]


def test_the_pinned_npm_versions_are_package_jsons() -> None:
    package = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    assert {name: package["dependencies"][name] for name in build.NPM_PACKAGES} == build.NPM_PACKAGES


def test_the_wheel_is_the_running_package_and_reproducible(tmp_path: Path) -> None:
    first = build.build_wheel(tmp_path / "a")
    second = build.build_wheel(tmp_path / "b")
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as wheel:
        names = wheel.namelist()
        assert "tafagent/web/bridge.py" in names and "tafagent/core/data/gpus.json" in names
        assert not any("__pycache__" in n or n.startswith("tafagent/web/static/") for n in names)
        record = wheel.read(next(n for n in names if n.endswith("/RECORD"))).decode()
        assert all(n in record for n in names)
    assert first.stat().st_size < 2_000_000


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This project installed as a user would (no editable link back to the checkout)."""
    target = tmp_path_factory.mktemp("site-packages")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    assert not (target / "tafagent" / "web" / "build.py").is_symlink()
    return target


def _taf(installed: Path, cwd: Path, *argv: str, path: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(installed), "TAF_WEB_CACHE": str(cwd / "cache")}
    if path is not None:
        env["PATH"] = path
    return subprocess.run(
        [sys.executable, "-m", "tafagent", "web", "--build-only", "--json", *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.slow
def test_taf_web_builds_from_a_normal_install(installed: Path, tmp_path: Path) -> None:
    modules = build.find_node_modules()  # the checkout's npm packages, as a user's `npm install` would give
    (tmp_path / "node_modules").symlink_to(modules, target_is_directory=True)
    result = _taf(installed, tmp_path)
    assert result.returncode == 0, result.stderr
    site = Path(json.loads(result.stdout)["site"])
    assert site == tmp_path / "cache" / "web-site"  # the user's cache, not the current folder
    assert (site / "index.html").is_file() and (site / "vendor" / "pyodide" / "pyodide.asm.wasm").is_file()
    assert build.build_problem(site) is None
    wheel = next((site / "wheels").glob("tafagent-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        assert "tafagent/web/bridge.py" in archive.namelist()


@pytest.mark.slow
def test_taf_web_fetches_the_npm_packages_once_with_a_message(installed: Path, tmp_path: Path) -> None:
    modules = build.find_node_modules()
    tools = tmp_path / "bin"
    tools.mkdir()
    log = tmp_path / "npm.log"
    # a stand-in npm: records its arguments and links the packages where `npm install --prefix P` puts them
    (tools / "npm").write_text(
        f"""#!{sys.executable}
import os, sys
open({str(log)!r}, "a").write(" ".join(sys.argv[1:]) + "\\n")
prefix = sys.argv[sys.argv.index("--prefix") + 1]
os.makedirs(os.path.join(prefix, "node_modules"), exist_ok=True)
for name in ("pyodide", "chart.js"):
    os.symlink(os.path.join({str(modules)!r}, name), os.path.join(prefix, "node_modules", name))
""",
        encoding="utf-8",
    )
    (tools / "npm").chmod(0o755)
    path = f"{tools}{os.pathsep}{os.environ['PATH']}"
    first = _taf(installed, tmp_path, "--dir", str(tmp_path / "one"), path=path)
    assert first.returncode == 0, first.stderr
    assert "fetching pyodide@0.29.5, chart.js@4.4.7 from the npm registry" in first.stderr
    second = _taf(installed, tmp_path, "--dir", str(tmp_path / "two"), path=path)
    assert second.returncode == 0 and "fetching" not in second.stderr  # once: the cache has them now
    assert log.read_text().count("install") == 1


def test_no_npm_is_one_clear_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build, "project_root", lambda: None)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TAF_WEB_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("PATH", str(tmp_path))  # no npm on it
    with pytest.raises(DependencyError) as error:
        build.find_node_modules(fetch=True)
    assert "npm is not installed" in error.value.one_line() and "Node.js" in error.value.one_line()


def test_a_failed_build_into_a_new_folder_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    modules = stand_in_node_modules(tmp_path)

    def failing_wheel(out_dir: Path) -> Path:
        raise UsageError("the disk is full", "free some space")

    monkeypatch.setattr(build, "build_wheel", failing_wheel)
    site = tmp_path / "site"
    with pytest.raises(UsageError):
        build.build_site(site, node_modules=modules)
    assert not site.exists()


def test_an_interrupted_build_does_not_block_the_next(tmp_path: Path) -> None:
    modules = stand_in_node_modules(tmp_path)
    site = tmp_path / "site"
    leftover = site / f"{build.STAGING_PREFIX}abc123"
    (leftover / "vendor").mkdir(parents=True)
    (leftover / "vendor" / "chart.umd.js").write_text("half-written", encoding="utf-8")
    build.build_site(site, node_modules=modules)
    assert not leftover.exists() and build.build_problem(site) is None
