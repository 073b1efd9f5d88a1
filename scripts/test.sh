#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs what it needs, then runs every test.
#
#   scripts/test.sh
#
# 1. Rust: unit, fixture (snapshot), property, real-example, CLI and runner tests
#    (`cargo test --workspace`).
# 2. Python, in target/test-venv: differential tests against the platforms' own packages
#    (tests/python), end-to-end LSP tests through pytest-lsp (tests/e2e), editor tests: headless
#    Neovim and the VS Code extension's .vsix (tests/editors).
# 3. The Python SDK, built as a wheel and tested as installed (python/scripts/test.sh).
#
# Installs: Debian's neovim (apt, when `nvim` is missing and we are root), the pinned Python
# packages of tests/requirements.txt, uv (exported as PLUGSMITH_UV for the runner's tests), the
# extension's npm packages (npm ci, in the .vsix test).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n== %s\n' "$*"; }

if ! command -v nvim >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing neovim (Debian package) for the headless editor test"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq neovim >/dev/null
  else
    echo "warning: nvim is missing and cannot be installed here; the Neovim test will skip" >&2
  fi
fi

venv=target/test-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
say "installing the Python test packages"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt
# uv, so the runner's requirement environments are built by both installers (the runner test
# `folder_plugin_with_requirements_built_by_uv` skips without it; the pip one always runs).
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check uv
export PLUGSMITH_UV="$PWD/$venv/bin/uv"

say "cargo test --workspace"
cargo build --workspace --bins --quiet
cargo test --workspace --quiet

say "pytest tests (differential, end-to-end LSP, editors)"
PLUGSMITH_BIN="$PWD/target/debug/plugsmith" PLUGSMITH_STRIP=1 \
  "$venv/bin/python" -m pytest tests -q -p no:cacheprovider

say "Python SDK (wheel built and installed)"
python/scripts/test.sh
