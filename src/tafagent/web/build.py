"""Build the static browser app: our static files, the Pyodide runtime and Chart.js from npm, our wheel.

The output folder is self-contained and deploys as-is to any static host::

    site/
      index.html  worker.js  style.css  i18n/ui_*.json (from tafagent/web/static)
      js/main.js  js/*.js  js/modes/*.js               (the page's ES modules, no bundler)
      site.json                                        (wheel name, version, Hub endpoint)
      wheels/tafagent-<version>-py3-none-any.whl       (pip wheel --no-deps of this project)
      vendor/pyodide/…                                 (npm package "pyodide")
      vendor/chart.umd.js                              (npm package "chart.js")

The Content-Security-Policy is written into index.html here, so it names exactly the Hub endpoint
the app may fetch configs from.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from importlib import resources
from pathlib import Path

from tafagent._version import __version__
from tafagent.core.errors import DependencyError, UsageError

DEFAULT_HUB_ENDPOINT = "https://huggingface.co"
PYODIDE_FILES = (
    "pyodide.js",
    "pyodide.mjs",
    "pyodide.asm.js",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
)
# Redirect targets of /resolve/ for config files (LFS and Xet storage) must be reachable too.
HUB_REDIRECT_HOSTS = ("https://*.huggingface.co", "https://*.hf.co")


def project_root() -> Path | None:
    """The source checkout this package runs from (it holds package.json), if any."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "package.json").is_file() and (parent / "pyproject.toml").is_file():
            return parent
    return None


def default_site_dir() -> Path:
    root = project_root()
    return (root / "build" / "site") if root else Path.cwd() / "tafagent-site"


def hub_origin(hub_endpoint: str) -> str:
    """``scheme://host[:port]`` of a Hub endpoint; anything that is not a plain http(s) URL is a one-line error
    (the value ends up in the page's CSP and in site.json)."""
    from urllib.parse import urlsplit

    parts = urlsplit(hub_endpoint.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise UsageError(
            f"--hub-endpoint must be an http(s) URL, got {hub_endpoint[:80]!r}", "e.g. https://huggingface.co"
        )
    if not all(c.isalnum() or c in "-._~/:[]@%" for c in parts.netloc + parts.path):
        raise UsageError(
            f"--hub-endpoint has unexpected characters: {hub_endpoint[:80]!r}", "e.g. https://hf-mirror.com"
        )
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(hub_endpoint: str) -> str:
    """Only what the page needs: its own files, WebAssembly compilation for Pyodide, and the Hub's origin
    (a mirror with a path prefix is allowed by its origin; the huggingface.co CDN hosts unless the Hub is local)."""
    from urllib.parse import urlsplit

    origin = hub_origin(hub_endpoint)
    local = urlsplit(origin).hostname in ("127.0.0.1", "localhost", "::1")
    hosts = " ".join(dict.fromkeys([origin, *(() if local else HUB_REDIRECT_HOSTS)]))
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' 'wasm-unsafe-eval'",
            f"connect-src 'self' {hosts}",
            "img-src 'self' data:",
            "style-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )


def source_fingerprint() -> str:
    """SHA-256 over every file of the installed tafagent package (code, data, static files): a built site
    whose fingerprint differs was built from other sources and is rebuilt by `taf web`."""
    import hashlib

    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def site_is_stale(site: Path, hub_endpoint: str) -> bool:
    """True when ``site`` is missing, was built for another Hub endpoint, or from other sources."""
    try:
        built = json.loads((site / "site.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return True
    return built.get("hub_endpoint") != hub_endpoint.rstrip("/") or built.get("source_sha256") != source_fingerprint()


def find_node_modules(explicit: Path | None = None) -> Path:
    candidates = [explicit] if explicit else []
    root = project_root()
    if root:
        candidates.append(root / "node_modules")
    candidates.append(Path.cwd() / "node_modules")
    for candidate in candidates:
        if (
            candidate
            and (candidate / "pyodide" / "pyodide.asm.wasm").is_file()
            and (candidate / "chart.js" / "dist" / "chart.umd.js").is_file()
        ):
            return candidate
    raise DependencyError(
        "the browser app needs the npm packages 'pyodide' and 'chart.js', which are not installed",
        "run `npm ci` in the tafagent source folder (package.json pins both), then `taf web` again",
    )


def build_wheel(out_dir: Path) -> Path:
    """`pip wheel --no-deps` of this project (the browser loads it with pyodide.unpackArchive)."""
    root = project_root()
    if root is None:
        raise DependencyError(
            "building the browser app needs the tafagent source checkout",
            "clone the repository and run `taf web` from it",
        )
    out_dir = out_dir.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("tafagent-*.whl"):
        old.unlink()
    # Build from a clean copy of the sources: setuptools' build/lib in the checkout may hold modules that were
    # deleted since, and the build must not write into the user's tree.
    with tempfile.TemporaryDirectory(prefix="tafagent-wheel-") as tmp:
        source = Path(tmp) / "tafagent"
        source.mkdir()
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(root / name, source / name)
        shutil.copytree(
            root / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
        )
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--no-deps",
                "--no-build-isolation",
                "--quiet",
                "-w",
                str(out_dir),
                str(source),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    wheels = sorted(out_dir.glob("tafagent-*.whl"))
    if result.returncode != 0 or not wheels:
        tail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        raise UsageError(f"building the tafagent wheel failed: {tail[0]}", "run `pip wheel --no-deps .` to see why")
    return wheels[-1]


def build_site(
    out: Path | None = None, *, hub_endpoint: str = DEFAULT_HUB_ENDPOINT, node_modules: Path | None = None
) -> Path:
    """Write the complete static site into ``out`` (replacing what was there) and return the folder."""
    out = (out or default_site_dir()).resolve()
    content_security_policy(hub_endpoint)  # validates the endpoint before anything is written
    modules = find_node_modules(node_modules)
    if out.exists():
        _check_replaceable(out)
        shutil.rmtree(out)
    static = resources.files("tafagent.web").joinpath("static")
    _copy_tree(static, out)
    html = (out / "index.html").read_text(encoding="utf-8")
    (out / "index.html").write_text(html.replace("__CSP__", content_security_policy(hub_endpoint)), encoding="utf-8")
    vendor = out / "vendor"
    (vendor / "pyodide").mkdir(parents=True)
    for name in PYODIDE_FILES:
        shutil.copy2(modules / "pyodide" / name, vendor / "pyodide" / name)
    shutil.copy2(modules / "chart.js" / "dist" / "chart.umd.js", vendor / "chart.umd.js")
    wheel = build_wheel(out / "wheels")
    site = {
        "version": __version__,
        "wheel": wheel.name,
        "hub_endpoint": hub_endpoint.rstrip("/"),
        "pyodide": json.loads((modules / "pyodide" / "package.json").read_text())["version"],
        "chart_js": json.loads((modules / "chart.js" / "package.json").read_text())["version"],
        "source_sha256": source_fingerprint(),
    }
    (out / "site.json").write_text(json.dumps(site, indent=2) + "\n", encoding="utf-8")
    return out


def _check_replaceable(folder: Path) -> None:
    """Only an empty folder or an earlier build (it holds site.json) may be replaced: `--dir .` must never
    delete a user's files."""
    if not folder.is_dir():
        raise UsageError(f"'{folder}' exists and is not a folder", "choose another --dir")
    if any(folder.iterdir()) and not (folder / "site.json").is_file():
        raise UsageError(
            f"'{folder}' is not empty and holds no earlier tafagent build (site.json)",
            "choose a new or empty folder for --dir",
        )


def _copy_tree(source, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for entry in source.iterdir():
        if entry.name.startswith(".") or entry.name == "__pycache__":
            continue
        if entry.is_dir():
            _copy_tree(entry, target / entry.name)
        else:
            (target / entry.name).write_bytes(entry.read_bytes())
