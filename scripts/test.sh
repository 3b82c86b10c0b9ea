#!/usr/bin/env bash
# Install everything the test-suite needs (idempotent) and run it.
# torch is pinned to 2.13.0 first: that CPU wheel is on the machines' disk, a plain `torch` would pull a
# multi-GB CUDA build.
# The browser-app tests need the npm packages of package.json (Pyodide, Chart.js) and Debian's Chromium;
# both are installed here when missing. Where they cannot be, those tests skip and say why.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install --quiet --disable-pip-version-check "torch==2.13.0"
python -m pip install --quiet --disable-pip-version-check -e ".[all,test]"

if command -v npm >/dev/null 2>&1; then
    if [ ! -f node_modules/pyodide/pyodide.asm.wasm ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
        npm ci --no-audit --no-fund --loglevel=error
    fi
else
    echo "note: npm not found; the browser-app tests will be skipped" >&2
fi

if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1; then
    sudo=""
    if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo="sudo"; fi
    { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium; } >/dev/null 2>&1 \
        || echo "note: could not install Debian's chromium; the browser-app tests will be skipped" >&2
fi

python -m pytest "$@"
