#!/usr/bin/env bash
# Builds the platform-specific VS Code extension with the plugsmith binary inside.
#
#   PLUGSMITH_BIN=target/release/plugsmith editors/vscode/scripts/package.sh [OUT.vsix]
#
# PLUGSMITH_BIN    the binary to bundle (default: <repo>/target/release/plugsmith)
# PLUGSMITH_STRIP  1 = strip the bundled copy (use with debug builds)
# VSCE_TARGET      VS Code target (default linux-x64; must match the binary)
# OUT.vsix         default editors/vscode/plugsmith-$VSCE_TARGET.vsix
#
# Needs node >= 20 and npm; network access only to the npm registry (for `npm ci`, skipped
# when node_modules already matches package-lock.json). Prints the path of the .vsix last.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
repo="$(cd "$here/../.." && pwd)"
target="${VSCE_TARGET:-linux-x64}"
out="${1:-$here/plugsmith-$target.vsix}"
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac

bin="${PLUGSMITH_BIN:-$repo/target/release/plugsmith}"
case "$bin" in /*) ;; *) bin="$PWD/$bin" ;; esac
if [ ! -x "$bin" ]; then
  echo "package.sh: $bin is not an executable; build it (cargo build --release -p plugsmith) or set PLUGSMITH_BIN" >&2
  exit 1
fi
export PLUGSMITH_BIN="$bin"

cd "$here"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] \
   || [ "${PLUGSMITH_NPM_CI:-0}" = 1 ]; then
  npm ci --no-audit --no-fund
fi
npm run build
npm run bundle-binary
# vsce runs `vscode:prepublish` (build + bundle-binary) again; both are no-ops by now.
npx vsce package --target "$target" --no-dependencies -o "$out"
echo "$out"
