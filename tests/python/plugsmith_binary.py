"""The `plugsmith` binary the differential tests compare against."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def plugsmith_bin() -> Path:
    """``$PLUGSMITH_BIN`` (default ``target/debug/plugsmith``); skips the test when it is missing."""
    binary = Path(os.environ.get("PLUGSMITH_BIN", REPO / "target" / "debug" / "plugsmith"))
    if not binary.is_absolute():
        binary = REPO / binary
    if not binary.is_file():
        pytest.skip(
            f"plugsmith binary not found at {binary}: run `cargo build -p plugsmith` or set"
            " PLUGSMITH_BIN"
        )
    return binary
