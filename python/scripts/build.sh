#!/usr/bin/env bash
# Builds the plugsmith wheel: the pyo3 extension (crates/plugsmith_python) plus the native
# `plugsmith` CLI binary carried as package data (plugsmith/bin/plugsmith).
#
#   python/scripts/build.sh [--release] [--python PATH] [--out DIR]
#
# Default profile: dev (fast to build, for tests). --release for a wheel to ship or measure.
# maturin must be on PATH (or in the interpreter given with --python).
# Prints the path of the wheel on the last line.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"   # python/
root="$(cd "$here/.." && pwd)"             # the workspace

profile=dev
python="${PYTHON:-python3}"
out="$root/target/python-wheels"
while [ $# -gt 0 ]; do
  case "$1" in
    --release) profile=release ;;
    --python) python="$2"; shift ;;
    --out) out="$2"; shift ;;
    *) echo "usage: $0 [--release] [--python PATH] [--out DIR]" >&2; exit 2 ;;
  esac
  shift
done
# An absolute interpreter path: maturin runs from python/.
case "$python" in
  */*) python="$(cd "$(dirname "$python")" && pwd)/$(basename "$python")" ;;
  *) python="$(command -v "$python")" ;;
esac
target_dir="$(cd "$root" && cargo metadata --format-version 1 --no-deps \
  | "$python" -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
profile_dir=$([ "$profile" = dev ] && echo debug || echo release)

# 1. The CLI: a plain Rust binary, no libpython (research/ecosystem.md 4.3, option 1).
(cd "$root" && cargo build --profile "$profile" -p plugsmith --bin plugsmith)
mkdir -p "$here/plugsmith/bin"
rm -f "$here/plugsmith/bin/plugsmith"
cp "$target_dir/$profile_dir/plugsmith" "$here/plugsmith/bin/plugsmith"
# Debug info is for the developer, not the wheel (a dev binary is ~200 MB with it).
strip "$here/plugsmith/bin/plugsmith" 2>/dev/null || true
chmod 755 "$here/plugsmith/bin/plugsmith"

# 2. The wheel: extension module + Python package + the staged binary.
maturin=(maturin)
if ! command -v maturin >/dev/null 2>&1; then maturin=("$python" -m maturin); fi
mkdir -p "$out"
rm -f "$out"/plugsmith-*.whl
(cd "$here" && "${maturin[@]}" build --profile "$profile" --interpreter "$python" --out "$out" >&2)
ls "$out"/plugsmith-*.whl | tail -n 1
