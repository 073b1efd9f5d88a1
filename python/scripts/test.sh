#!/usr/bin/env bash
# Tests the Python SDK as users get it: builds the wheel (extension + CLI binary), installs it
# into a virtual environment under target/, and runs python/tests against the installed package.
#
#   python/scripts/test.sh [--release] [pytest args...]
#
# Default profile: dev (a release wheel takes minutes on 2 cores; use --release to measure).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"   # python/
root="$(cd "$here/.." && pwd)"

build_args=()
if [ "${1:-}" = "--release" ]; then build_args+=(--release); shift; fi

venv="$root/target/python-sdk-venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "maturin>=1.9.4,<2" pytest

wheel="$(PATH="$venv/bin:$PATH" "$here/scripts/build.sh" --python "$venv/bin/python" "${build_args[@]}" | tail -n 1)"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$wheel"

# From the workspace root and through the venv's own pytest (not `python -m pytest` in python/,
# which would put the source tree, without the extension, first on sys.path).
cd "$root"
PATH="$venv/bin:$PATH" "$venv/bin/pytest" python/tests -q -p no:cacheprovider "$@"
