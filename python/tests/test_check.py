"""plugsmith.check() on the repository's fixtures, from the installed package."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

import plugsmith
from conftest import FIXTURES, PLUGINS, as_tuples, cli_path, snapshot_diagnostics

# A few cases across platforms and configuration features; their expected.snap files are the
# checker's own accepted output (crates/plugsmith_check/tests/fixtures.rs).
SNAPSHOT_CASES = [
    "kili/kil005_async_handler",
    "kili/kil006_signature",
    "panoptes/pan004_typo_with_fix",
    "panoptes/pan002_duplicate_option",
    "supervisely/sly002_crlf",
    "archihub/arc002_schema",
    "common/config_select_ignore",
    "common/inline_suppression",
    "common/platform_override",
    "common/plg003_requirements",
]


@pytest.mark.parametrize("case", SNAPSHOT_CASES)
def test_check_matches_the_fixture_snapshot(case: str) -> None:
    folder = FIXTURES / case
    expected = snapshot_diagnostics(folder)
    got = as_tuples(plugsmith.check([folder]), folder)
    assert got == expected


def test_codes_match_the_snapshot_when_checking_from_inside_the_case(monkeypatch) -> None:
    folder = FIXTURES / "kili/kil005_async_handler"
    monkeypatch.chdir(folder)
    codes = [d.code for d in plugsmith.check()]
    assert codes == [d[5] for d in snapshot_diagnostics(folder)]
    assert codes[:2] == ["KIL004", "KIL005"]


def _cases() -> list[Path]:
    return sorted(p.parent for p in FIXTURES.glob("*/*/expected.snap"))


@pytest.mark.parametrize("case", _cases(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_check_agrees_with_the_cli_on_every_fixture(case: Path) -> None:
    """The SDK and `plugsmith check --output-format json` walk, configure and convert alike."""
    cli = subprocess.run(
        [cli_path(), "check", "--output-format", "json", str(case)],
        capture_output=True,
        text=True,
        cwd=case,
        timeout=120,
    )
    if cli.returncode == 2:
        with pytest.raises(plugsmith.PlugsmithError):
            plugsmith.check([case])
        return
    assert cli.returncode in (0, 1), cli.stderr
    expected = [
        (
            os.path.normpath(item["filename"]),
            item["location"]["row"],
            item["location"]["column"],
            item["end_location"]["row"],
            item["end_location"]["column"],
            item["code"],
            item["severity"],
            item["message"],
            item["url"],
            (item["fix"] or {}).get("title"),
        )
        for item in json.loads(cli.stdout)
    ]
    got = [
        (
            os.path.relpath(d.path, case),
            d.line,
            d.column,
            d.end_line,
            d.end_column,
            d.code,
            d.severity,
            d.message,
            d.url,
            d.fix,
        )
        for d in plugsmith.check([case])
    ]
    assert got == expected


def test_diagnostic_fields_and_repr(monkeypatch) -> None:
    folder = FIXTURES / "kili/kil005_async_handler"
    monkeypatch.chdir(folder)
    diagnostics = plugsmith.check(["plugin.py"])
    first = diagnostics[0]
    assert isinstance(first, plugsmith.Diagnostic)
    assert (first.code, first.severity, first.line, first.column) == ("KIL005", "error", 5, 5)
    assert first.path == str(folder / "plugin.py")
    assert first.url == "https://plugsmith.dev/rules/KIL005"
    assert first.fix == "Make `on_submit` a plain `def`"
    assert re.fullmatch(
        r"<Diagnostic KIL005 error plugin\.py:5:5 `async def on_submit`: .{10,80}\.\.\.>",
        repr(first),
    ), repr(first)
    assert str(first).startswith("plugin.py:5:5: KIL005 `async def on_submit`: ")
    assert first.to_dict()["end_column"] == first.end_column
    assert first == plugsmith.check([folder / "plugin.py"])[0]
    with pytest.raises(AttributeError):
        first.code = "X"  # frozen


def test_paths_may_be_a_str_a_path_or_a_list() -> None:
    folder = FIXTURES / "kili/kil005_async_handler"
    expected = plugsmith.check([str(folder)])
    assert plugsmith.check(str(folder)) == expected
    assert plugsmith.check(folder) == expected
    assert plugsmith.check((folder / "async_only.py", folder / "plugin.py")) == expected
    with pytest.raises(TypeError):
        plugsmith.check(42)


def test_select_and_ignore() -> None:
    folder = FIXTURES / "kili/kil005_async_handler"
    assert {d.code for d in plugsmith.check([folder], select=["KIL004"])} == {"KIL004"}
    assert {d.code for d in plugsmith.check([folder], select="KIL004, KIL005")} == {
        "KIL004",
        "KIL005",
    }
    assert {d.code for d in plugsmith.check([folder], ignore="KIL005")} == {"KIL004"}


def test_invalid_configuration_raises_config_error(tmp_path: Path) -> None:
    (tmp_path / "plugsmith.toml").write_text("selcet = ['KIL']\n")
    with pytest.raises(plugsmith.ConfigError, match="plugsmith.toml") as raised:
        plugsmith.check([tmp_path])
    assert isinstance(raised.value, plugsmith.PlugsmithError)
    (tmp_path / "plugsmith.toml").write_text("select = [\n")
    with pytest.raises(plugsmith.ConfigError):
        plugsmith.check([tmp_path])


def test_pyproject_tool_table_is_read(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.plugsmith]\nplatforms = ['nope']\n")
    with pytest.raises(plugsmith.ConfigError, match="unknown platform"):
        plugsmith.check([tmp_path])


def test_unknown_selector_raises_config_error() -> None:
    with pytest.raises(plugsmith.ConfigError, match="selector"):
        plugsmith.check([FIXTURES / "kili/kil005_async_handler"], select=["NOPE999"])


def test_missing_path_raises_plugsmith_error(tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    with pytest.raises(plugsmith.PlugsmithError) as raised:
        plugsmith.check([missing])
    assert not isinstance(raised.value, plugsmith.ConfigError)
    assert raised.value.errors[0][0] == str(missing)
    assert raised.value.diagnostics == []


def test_unreadable_file_keeps_the_rest(tmp_path: Path) -> None:
    plugin = tmp_path / "plugin"
    shutil.copytree(FIXTURES / "kili/kil005_async_handler", plugin)
    (plugin / "broken.py").write_bytes(b"from kili.plugins import PluginCore\n\xff\xfe\n")
    try:
        found = plugsmith.check([plugin])
    except plugsmith.PlugsmithError as error:
        assert "broken.py" in str(error)
        assert [d.code for d in error.diagnostics][:2] == ["KIL004", "KIL005"]
    else:  # the detector never read the file: nothing to report
        assert [d.code for d in found][:2] == ["KIL004", "KIL005"]


def test_the_sdk_test_plugin_is_clean() -> None:
    assert [d for d in plugsmith.check([PLUGINS / "kili_triage"]) if d.severity == "error"] == []


def test_threads_can_check_at_once() -> None:
    folder = FIXTURES / "kili/kil005_async_handler"
    expected = plugsmith.check([folder])
    results: list = []
    threads = [
        threading.Thread(target=lambda: results.append(plugsmith.check([folder])))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 8


def test_examples_have_diagnostics() -> None:
    examples = FIXTURES.parent / "examples"
    diagnostics = plugsmith.check([examples])
    assert diagnostics
    assert {d.severity for d in diagnostics} <= {"error", "warning", "info"}
    assert all(d.line >= 1 and d.column >= 1 for d in diagnostics)
