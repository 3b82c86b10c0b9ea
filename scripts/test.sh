#!/usr/bin/env bash
# Install everything the test-suite needs (idempotent) and run it.
# torch is pinned to 2.13.0 first: that CPU wheel is on the machines' disk, a plain `torch` would pull a
# multi-GB CUDA build.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install --quiet --disable-pip-version-check "torch==2.13.0"
python -m pip install --quiet --disable-pip-version-check -e ".[all,test]"
python -m pytest "$@"
