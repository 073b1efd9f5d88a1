"""pytest plugin (entry point ``pytest11``): test plugins the way production runs them.

.. code-block:: python

    def test_submit_adds_a_comment(plugsmith_run):
        report = plugsmith_run("my_plugin/", event="submit", label={"jsonResponse": {}})
        assert report.status == "ok", report
        assert [call["method"] for call in report.calls] == ["create_comment"]

``plugsmith_run(path, **options)`` calls :func:`plugsmith.run` with the platform's production
limits (Kili: 512 MiB and 60 s per handler call, ...) unless ``memory=`` / ``timeout=`` say
otherwise, and returns the :class:`plugsmith.RunReport`. A relative ``path`` is looked up next to
the test file first, then in the working folder. The text report of every run is attached to the
test's output, so a failing test shows what the plugin did.

Options (``pytest --help``): ``--plugsmith-python`` (the interpreter plugins run in; default:
``$PLUGSMITH_PYTHON``, else the one running pytest) and ``--plugsmith-cache-dir`` (requirement
environments; default ``~/.cache/plugsmith``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Union

import pytest

import plugsmith

PathLike = Union[str, "os.PathLike[str]"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("plugsmith", "plugsmith: run plugins under production limits")
    group.addoption(
        "--plugsmith-python",
        default=None,
        metavar="PATH",
        help="Interpreter that plugsmith_run runs plugins in (default: $PLUGSMITH_PYTHON, "
        "else the interpreter running pytest).",
    )
    group.addoption(
        "--plugsmith-cache-dir",
        default=None,
        metavar="DIR",
        help="Cache for plugins' requirement environments (default: ~/.cache/plugsmith).",
    )


def _resolve(path: PathLike, test_dir: Path | None) -> Path:
    path = Path(os.fspath(path))
    if path.is_absolute():
        return path
    if test_dir is not None and (test_dir / path).exists():
        return test_dir / path
    return Path.cwd() / path


@pytest.fixture
def plugsmith_run(request: pytest.FixtureRequest) -> Callable[..., plugsmith.RunReport]:
    """Runs a plugin folder or file under production limits; returns the ``RunReport``."""
    config = request.config
    defaults: dict[str, Any] = {}
    python = config.getoption("--plugsmith-python", default=None)
    if python:
        defaults["python"] = python
    cache_dir = config.getoption("--plugsmith-cache-dir", default=None)
    if cache_dir:
        defaults["cache_dir"] = cache_dir
    test_path = getattr(request.node, "path", None)
    test_dir = Path(test_path).parent if test_path is not None else None
    runs = 0

    def run(path: PathLike, **options: Any) -> plugsmith.RunReport:
        nonlocal runs
        runs += 1
        resolved = _resolve(path, test_dir)
        try:
            report = plugsmith.run(resolved, **{**defaults, **options})
        except plugsmith.RunnerError as error:
            failed = getattr(error, "report", None)
            if failed is not None:
                request.node.add_report_section("call", f"plugsmith run {runs}", str(failed))
            raise
        request.node.add_report_section("call", f"plugsmith run {runs}", str(report))
        return report

    return run
