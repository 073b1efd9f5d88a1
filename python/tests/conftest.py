"""Tests of the installed plugsmith package (run by python/scripts/test.sh in a venv).

They import `plugsmith` from site-packages, never from the source tree: the point is to test
the wheel as users get it (extension module, CLI binary, entry points).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

import plugsmith

pytest_plugins = ["pytester"]

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"
PLUGINS = Path(__file__).resolve().parent / "plugins"

_DIAGNOSTIC = re.compile(
    r"^(?P<path>\S.*?):(?P<line>\d+):(?P<column>\d+)-(?P<end_line>\d+):(?P<end_column>\d+) "
    r"(?P<code>[A-Z]+\d+) (?P<severity>error|warning|info): (?P<message>.*)$"
)


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [f"plugsmith {plugsmith.__version__} from {Path(plugsmith.__file__).parent}"]


def snapshot_diagnostics(case: Path) -> list[tuple]:
    """(path, line, column, end_line, end_column, code, severity, message, fix title) of every
    diagnostic in the case's expected.snap, in order."""
    found: list[list] = []
    text = (case / "expected.snap").read_text(encoding="utf-8")
    body = text.split("\n---\n", 1)[1] if text.startswith("---\n") else text
    for line in body.splitlines():
        match = _DIAGNOSTIC.match(line)
        if match:
            g = match.groupdict()
            found.append(
                [
                    g["path"],
                    int(g["line"]),
                    int(g["column"]),
                    int(g["end_line"]),
                    int(g["end_column"]),
                    g["code"],
                    g["severity"],
                    g["message"],
                    None,
                ]
            )
        elif line.startswith("    fix: ") and found:
            found[-1][8] = line[len("    fix: ") :]
    return [tuple(d) for d in found]


def as_tuples(diagnostics: list[plugsmith.Diagnostic], base: Path) -> list[tuple]:
    return [
        (
            os.path.relpath(d.path, base),
            d.line,
            d.column,
            d.end_line,
            d.end_column,
            d.code,
            d.severity,
            d.message,
            d.fix,
        )
        for d in diagnostics
    ]


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The runner's cache (interpreter probes, requirement environments), kept per session."""
    return tmp_path_factory.mktemp("plugsmith-cache")


def cli_path() -> str:
    """The `plugsmith` console script this environment installed (else the one on PATH)."""
    import shutil
    import sysconfig

    script = Path(sysconfig.get_path("scripts")) / ("plugsmith.exe" if os.name == "nt" else "plugsmith")
    if script.is_file():
        return str(script)
    found = shutil.which("plugsmith")
    assert found, "the plugsmith command is not installed"
    return found
