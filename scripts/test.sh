#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs what it needs, then runs every test.
#   scripts/test.sh
# Rust: unit, fixture, property, real-example and CLI tests (cargo test --workspace).
# Python: differential tests against the platforms' own packages and the end-to-end LSP tests
# (pytest-lsp driving `plugsmith server`), in a virtual environment under target/.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/test-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt

cargo build --workspace --bins --quiet
cargo test --workspace --quiet 2>&1 | tee target/cargo-test.log
PLUGSMITH_BIN="$PWD/target/debug/plugsmith" "$venv/bin/python" -m pytest tests -q -p no:cacheprovider
