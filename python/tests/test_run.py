"""plugsmith.run() and the plugsmith_run pytest fixture, on a small Kili plugin."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

import plugsmith
from conftest import PLUGINS

ACCEPT = {"jsonResponse": {"CLASSIFICATION_JOB": {"categories": [{"name": "OK"}]}}}
REJECT = {"jsonResponse": {"CLASSIFICATION_JOB": {"categories": [{"name": "REJECT"}]}}}


@pytest.fixture
def options(cache_dir: Path) -> dict:
    return {"cache_dir": cache_dir}


def test_fixture_runs_a_plugin_folder_relative_to_the_test(plugsmith_run, options) -> None:
    report = plugsmith_run("plugins/kili_triage", event="submit", label=REJECT, asset_id="a1", **options)
    assert report.status == "ok", report
    assert report.ok and bool(report)
    assert report.platform == "kili"
    assert report.handler == "on_submit"
    assert report.return_value == {"decision": "sent back", "asset": "a1"}
    assert report.calls[0]["method"] == "send_back_to_queue"
    assert report.calls[0]["kwargs"] == {"asset_ids": ["a1"]}
    assert report.logs[0]["message"] == "rejecting a1"
    assert report.exception is None


def test_production_limits_and_measurements(plugsmith_run, options) -> None:
    report = plugsmith_run(PLUGINS / "kili_triage", event="submit", label=ACCEPT, asset_id="a2", **options)
    assert report.status == "ok", report
    assert report.stdout == "accepted a2\n"
    assert report.memory.limit_bytes == 512 * 1024 * 1024
    assert report.limits.timeout_s == 60.0
    assert report.memory.peak_bytes and report.memory.peak_bytes > 0
    assert report.durations.total_ms > 0
    assert report.durations.call_ms is not None
    assert report.to_dict()["status"] == "ok"
    assert json.loads(report.to_json())["return_value"] == {"decision": "accepted", "asset": "a2"}
    assert repr(report).startswith("<RunReport ok kili kili_triage submit ")
    assert "0 calls" in repr(report)
    assert str(report).rstrip().splitlines()[-1].startswith("REPORT Plugin: kili_triage")


def test_a_failing_handler_is_a_report_not_an_exception(plugsmith_run, options) -> None:
    report = plugsmith_run(PLUGINS / "kili_triage", event="review", label=ACCEPT, asset_id="a3", **options)
    assert report.status == "handler_error"
    assert not report
    exception = report.exception
    assert exception is not None
    assert (exception.type, exception.phase) == ("RuntimeError", "call")
    assert exception.message == "review of a3 is not supported"
    assert exception.location is not None
    assert exception.location.file.endswith("main.py")
    assert exception.location.in_plugin
    assert "RuntimeError" in repr(report)


def test_label_from_a_file_and_overridden_limits(tmp_path: Path, options) -> None:
    label = tmp_path / "label.json"
    label.write_text(json.dumps(ACCEPT))
    report = plugsmith.run(
        PLUGINS / "kili_triage", event="submit", label=label, memory="256MiB", timeout=5, **options
    )
    assert report.status == "ok", report
    assert report.memory.limit_bytes == 256 * 1024 * 1024
    assert report.limits.timeout_s == 5.0


def test_runner_errors_raise(tmp_path: Path, options) -> None:
    with pytest.raises(plugsmith.RunnerError) as raised:
        plugsmith.run(tmp_path / "missing", **options)
    assert isinstance(raised.value, plugsmith.PlugsmithError)
    assert raised.value.report.status == "runner_error"
    with pytest.raises(plugsmith.RunnerError, match="memory"):
        plugsmith.run(PLUGINS / "kili_triage", memory="lots", **options)


def test_bad_arguments_raise_python_errors(options) -> None:
    with pytest.raises(ValueError, match="platform"):
        plugsmith.run(PLUGINS / "kili_triage", platform="wordpress", **options)
    with pytest.raises(TypeError):
        plugsmith.run(PLUGINS / "kili_triage", memory=True, **options)
    with pytest.raises(TypeError):
        plugsmith.run(PLUGINS / "kili_triage", lable={}, **options)
    with pytest.raises(TypeError, match="label"):
        plugsmith.run(PLUGINS / "kili_triage", label={"x": object()}, **options)


def test_the_plugin_is_registered_for_plugin_authors(pytester: pytest.Pytester, cache_dir: Path) -> None:
    """A plugin author's project: no conftest, the fixture comes from the pytest11 entry point."""
    plugin = pytester.mkdir("my_plugin")
    (plugin / "main.py").write_text((PLUGINS / "kili_triage/main.py").read_text())
    pytester.makepyfile(
        test_my_plugin=textwrap.dedent(
            f"""
            LABEL = {ACCEPT!r}

            def test_submit(plugsmith_run):
                report = plugsmith_run("my_plugin/", event="submit", label=LABEL)
                assert report.status == "ok"

            def test_review(plugsmith_run):
                report = plugsmith_run("my_plugin/", event="review", label=LABEL)
                assert report.status == "ok"
            """
        )
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", f"--plugsmith-cache-dir={cache_dir}")
    result.assert_outcomes(passed=1, failed=1)
    # The failing test shows what the plugin did.
    result.stdout.fnmatch_lines(["*plugsmith run 1*", "*status: handler_error*", "*REPORT Plugin: my_plugin*"])
