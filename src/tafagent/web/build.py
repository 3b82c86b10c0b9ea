"""Build the static browser app: our static files, the Pyodide runtime and Chart.js from npm, our wheel.

The output folder is self-contained and deploys as-is to any static host::

    site/
      index.html  worker.js  style.css  i18n/ui_*.json (from tafagent/web/static)
      js/main.js  js/*.js  js/modes/*.js               (the page's ES modules, no bundler)
      site.json                                        (wheel name, version, Hub endpoint)
      wheels/tafagent-<version>-py3-none-any.whl       (the installed tafagent package, zipped as a wheel)
      vendor/pyodide/…                                 (npm package "pyodide")
      vendor/chart.umd.js                              (npm package "chart.js")
      boot.js                                          (starts the runtime's worker from the page's head)
      tafagent-build.json                              (the build marker: every file above with its SHA-256)

It works from a source checkout and from a plain ``pip install``: the wheel is the package that is running (the
same files the CLI imports, package data included), and the npm packages come from the checkout's
``node_modules`` (``npm ci``), a ``node_modules`` in the current folder, or — once, with a message — the npm
registry, fetched with ``npm install`` into the user's cache (``$TAF_WEB_CACHE``, else ``~/.cache/tafagent``;
``web-npm/``) at the versions package.json pins (:data:`NPM_PACKAGES`). Outside a checkout the site is built
in that cache too (``web-site/``), never in the current folder unless ``--dir`` says so.

`taf web --dir DIR` only ever deletes a folder it built itself: DIR must be missing, empty, or hold exactly the
files its marker lists, unchanged. Any other file (a user's folder that happens to hold a site.json, an earlier
build someone edited or added to) is refused with one line, and nothing is deleted. The build is written into
a fresh staging folder inside DIR and moved into place at the end, so a failed build leaves DIR as it was (a DIR
the failed build created is removed again, and a staging folder an interrupted build left behind is cleared by
the next one).

The Content-Security-Policy is written into index.html here, so it names exactly the Hub endpoint
the app may fetch configs from.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
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
BUILD_MARKER = "tafagent-build.json"  # {"tafagent_build": 1, "files": {relative path: sha256}}
STAGING_PREFIX = ".tafagent-staging-"
# The npm packages the page needs, at the versions package.json pins (a test keeps the two equal).
NPM_PACKAGES = {"pyodide": "0.29.5", "chart.js": "4.4.7"}
# What the browser never imports: the page's own static files (served beside the wheel) and compiled caches.
WHEEL_EXCLUDED_PARTS = ("__pycache__",)
WHEEL_EXCLUDED_PREFIX = "tafagent/web/static/"
WHEEL_TIMESTAMP = (2020, 1, 1, 0, 0, 0)  # fixed: the same sources give the same wheel, byte for byte


def project_root() -> Path | None:
    """The source checkout this package runs from (it holds package.json), if any."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "package.json").is_file() and (parent / "pyproject.toml").is_file():
            return parent
    return None


def cache_base() -> Path:
    """The user's cache folder for `taf web` (``$TAF_WEB_CACHE``, else ``~/.cache/tafagent``)."""
    return Path(os.environ.get("TAF_WEB_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "tafagent"))


def default_site_dir() -> Path:
    """build/site in a source checkout; else the user's cache (never the current folder, unasked)."""
    root = project_root()
    return (root / "build" / "site") if root else cache_base() / "web-site"


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
    """True when ``site`` is missing, is not exactly what a build wrote, was built for another Hub endpoint, or
    from other sources (then `taf web` rebuilds it, which refuses a folder it did not build)."""
    try:
        built = json.loads((site / "site.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return True
    if not isinstance(built, dict) or build_problem(site) is not None:
        return True
    return built.get("hub_endpoint") != hub_endpoint.rstrip("/") or built.get("source_sha256") != source_fingerprint()


def _has_npm_packages(folder: Path | None) -> bool:
    return bool(
        folder
        and (folder / "pyodide" / "pyodide.asm.wasm").is_file()
        and (folder / "chart.js" / "dist" / "chart.umd.js").is_file()
    )


def npm_cache_dir() -> Path:
    """Where `taf web` keeps the npm packages it fetched itself (one folder per pinned set of versions)."""
    tag = "-".join(f"{name}-{version}" for name, version in NPM_PACKAGES.items())
    return cache_base() / "web-npm" / tag


def find_node_modules(explicit: Path | None = None, *, fetch: bool = False) -> Path:
    """The ``node_modules`` folder holding the pinned npm packages: ``explicit``, the checkout's, the current
    folder's, or the user's cache; with ``fetch``, one ``npm install`` into the cache when none has them."""
    root = project_root()
    cache = npm_cache_dir() / "node_modules"
    candidates = (
        [explicit] if explicit else [root / "node_modules" if root else None, Path.cwd() / "node_modules", cache]
    )
    for candidate in candidates:
        if _has_npm_packages(candidate):
            return candidate  # type: ignore[return-value]
    if fetch and not explicit:
        return _fetch_npm_packages(cache.parent)
    raise DependencyError(
        "the browser app needs the npm packages 'pyodide' and 'chart.js', which are not installed",
        "run `npm ci` in the tafagent source folder (package.json pins both), or let `taf web` fetch them "
        "(it needs npm and the npm registry)",
    )


def _fetch_npm_packages(prefix: Path) -> Path:
    """``npm install`` of :data:`NPM_PACKAGES` into ``prefix`` (a folder of the user's cache), saying so first."""
    npm = shutil.which("npm")
    if npm is None:
        raise DependencyError(
            "the browser app needs the npm packages 'pyodide' and 'chart.js', and npm is not installed",
            "install Node.js (it brings npm), or run `npm ci` in a tafagent source checkout",
        )
    specs = [f"{name}@{version}" for name, version in NPM_PACKAGES.items()]
    sys.stderr.write(f"taf web: fetching {', '.join(specs)} from the npm registry into {prefix} (once)\n")
    prefix.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "--no-save", "--loglevel=error", *specs],
        capture_output=True,
        text=True,
        check=False,
    )
    modules = prefix / "node_modules"
    if result.returncode != 0 or not _has_npm_packages(modules):
        tail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        raise DependencyError(
            f"fetching {', '.join(specs)} with npm failed: {tail[0][:200]}",
            "check the network (or the npm registry setting), or run `npm ci` in a tafagent source checkout",
        )
    return modules


def _wheel_files() -> Iterator[tuple[str, Path]]:
    """(archive name, path) of every file of the running tafagent package the browser may import: its modules and
    package data, without the page's static files and compiled caches."""
    package = Path(__file__).resolve().parent.parent
    for path in sorted(package.rglob("*")):
        name = "tafagent/" + path.relative_to(package).as_posix()
        if (
            path.is_file()
            and path.suffix != ".pyc"
            and not any(part in WHEEL_EXCLUDED_PARTS for part in path.parts)
            and not name.startswith(WHEEL_EXCLUDED_PREFIX)
        ):
            yield name, path


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def build_wheel(out_dir: Path) -> Path:
    """The running tafagent package as a pure-Python wheel (the browser unpacks it with pyodide.unpackArchive).

    It is zipped from the installed files themselves, so a plain ``pip install`` builds the same site as a source
    checkout and nothing else (no pip, setuptools or network) is needed; timestamps are fixed, so equal sources
    give an equal wheel."""
    out_dir = out_dir.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("tafagent-*.whl"):
        old.unlink()
    wheel = out_dir / f"tafagent-{__version__}-py3-none-any.whl"
    dist_info = f"tafagent-{__version__}.dist-info"
    meta = {
        f"{dist_info}/METADATA": f"Metadata-Version: 2.1\nName: tafagent\nVersion: {__version__}\n",
        f"{dist_info}/WHEEL": "Wheel-Version: 1.0\nGenerator: tafagent.web.build\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
    }
    records: list[str] = []
    with zipfile.ZipFile(wheel, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:

        def add(name: str, data: bytes) -> None:
            info = zipfile.ZipInfo(name, date_time=WHEEL_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
            records.append(_record_line(name, data))

        for name, path in _wheel_files():
            add(name, path.read_bytes())
        for name, text in meta.items():
            add(name, text.encode())
        record = f"{dist_info}/RECORD"
        add(record, ("\n".join([*records, f"{record},,"]) + "\n").encode())
    return wheel


def build_site(
    out: Path | None = None, *, hub_endpoint: str = DEFAULT_HUB_ENDPOINT, node_modules: Path | None = None
) -> Path:
    """Write the complete static site into ``out`` and return the folder.

    ``out`` may be missing, empty, or an earlier build (replaced); any other folder is refused before anything
    is written (see the module docstring)."""
    out = (out or default_site_dir()).resolve()
    content_security_policy(hub_endpoint)  # validates the endpoint before anything is written
    modules = find_node_modules(node_modules, fetch=True)
    _clear_interrupted_builds(out)
    _check_replaceable(out)
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out))
    try:
        _write_site(staging, hub_endpoint, modules)
        files = _tree_hashes(staging)
        _check_replaceable(out, ignore=staging.name)  # again: the folder may have changed during the build
        _remove_earlier_build(out)
        for entry in sorted(staging.iterdir()):
            if (out / entry.name).exists() or (out / entry.name).is_symlink():
                raise UsageError(f"'{out / entry.name}' appeared during the build", "run `taf web` again")
            os.replace(entry, out / entry.name)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if created:  # a folder this call made: a failed build takes it away again (only if nothing else is in it)
            with contextlib.suppress(OSError):
                out.rmdir()
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # a folder this call created (mkdtemp), empty after the moves
    marker = {"tafagent_build": 1, "files": files}
    (out / BUILD_MARKER).write_text(json.dumps(marker, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return out


def _write_site(out: Path, hub_endpoint: str, modules: Path) -> None:
    """Our static files with the CSP filled in, the vendored npm files, the wheel and site.json, into ``out``."""
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


# ---------------------------------------------------------------------------------------------- the build marker
def _entries(folder: Path) -> Iterator[tuple[str, Path]]:
    """Every file and folder under ``folder`` as (relative ``/``-path, path), symbolic links listed, never followed."""
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in (*sorted(dirs), *sorted(files)):
            path = Path(root) / name
            yield path.relative_to(folder).as_posix(), path


def _tree_hashes(folder: Path) -> dict[str, str]:
    """SHA-256 of every regular file under ``folder``, by relative path."""
    return {
        relative: hashlib.sha256(path.read_bytes()).hexdigest()
        for relative, path in _entries(folder)
        if path.is_file() and not path.is_symlink()
    }


def _listed_files(folder: Path) -> dict[str, str] | None:
    """The files the build marker in ``folder`` lists, or None when it has no readable marker."""
    try:
        marker = json.loads((folder / BUILD_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = marker.get("files") if isinstance(marker, dict) else None
    if not isinstance(files, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items()):
        return None
    return files


def _folders_of(files: dict[str, str]) -> set[str]:
    return {parent.as_posix() for relative in files for parent in Path(relative).parents if parent != Path(".")}


def build_problem(folder: Path, *, ignore: str | None = None) -> str | None:
    """Why ``folder`` is not exactly an earlier build (None when it is): something in it the build did not
    write, or a file the build wrote that was changed or removed since. ``ignore``: a top-level entry to skip.

    The files found must be the files listed, path for path, so a marker can never name a file outside ``folder``."""
    listed = _listed_files(folder)
    if listed is None:
        return f"it has no {BUILD_MARKER} marker"
    files: dict[str, Path] = {}
    folders: set[str] = set()
    for relative, path in _entries(folder):
        if relative == BUILD_MARKER or (ignore is not None and relative.split("/")[0] == ignore):
            continue
        if path.is_symlink() or not (path.is_file() or path.is_dir()):
            return f"'{relative}' is not a plain file or folder"
        if path.is_dir():
            folders.add(relative)
        else:
            files[relative] = path
    extra = sorted((files.keys() - listed.keys()) | (folders - _folders_of(listed)))
    if extra:
        return f"'{extra[0]}' is not from the build"
    missing = sorted(listed.keys() - files.keys())
    if missing:
        return f"'{missing[0]}' was removed since the build"
    changed = next((r for r, path in files.items() if hashlib.sha256(path.read_bytes()).hexdigest() != listed[r]), None)
    return None if changed is None else f"'{changed}' was changed since the build"


def _clear_interrupted_builds(folder: Path) -> None:
    """Remove the staging folders an interrupted build (Ctrl-C, a killed process) left in ``folder``: they are
    named by this module, hold only what it was writing, and would otherwise make ``folder`` look like a user's."""
    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        if entry.name.startswith(STAGING_PREFIX) and entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)


def _check_replaceable(folder: Path, *, ignore: str | None = None) -> None:
    """Only a missing or empty folder, or exactly an earlier build, may be written: `--dir .` must never delete a
    user's files, and a site.json alone proves nothing."""
    if not folder.exists():
        return
    if not folder.is_dir():
        raise UsageError(f"'{folder}' exists and is not a folder", "choose another --dir")
    if not any(entry.name != ignore for entry in folder.iterdir()):
        return
    problem = build_problem(folder, ignore=ignore)
    if problem is not None:
        raise UsageError(
            f"'{folder}' is not empty and holds no earlier tafagent build ({problem}); nothing was deleted",
            "choose a new folder with --dir, or empty this one yourself",
        )


def _remove_earlier_build(folder: Path) -> None:
    """Delete exactly the files the marker lists, the marker, then the folders they leave empty (never rmtree: a
    file added meanwhile stays, and its folder with it)."""
    listed = _listed_files(folder) or {}
    for relative in listed:
        (folder / relative).unlink(missing_ok=True)
    (folder / BUILD_MARKER).unlink(missing_ok=True)
    for parent in sorted(_folders_of(listed), key=lambda p: p.count("/"), reverse=True):
        with contextlib.suppress(OSError):  # not empty: something that is not ours is in it
            (folder / parent).rmdir()


def _copy_tree(source, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for entry in source.iterdir():
        if entry.name.startswith(".") or entry.name == "__pycache__":
            continue
        if entry.is_dir():
            _copy_tree(entry, target / entry.name)
        else:
            (target / entry.name).write_bytes(entry.read_bytes())
