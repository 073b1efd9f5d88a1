"""Headless Neovim as the LSP client of `plugsmith server`: the diagnostics Neovim shows for
fixture files are the ones the fixture's `expected.snap` lists (same codes on the same lines).

Driver: tests/editors/nvim_diagnostics.lua (works with Neovim 0.7 through 0.11+; Debian 12's
`apt-get install -y neovim` gives 0.7.2). The server is `$PLUGSMITH_BIN server --stdio`
(default target/debug/plugsmith). Skipped when `nvim` is not installed.
"""

from __future__ import annotations

import collections
import json
import os
import pathlib
import re
import shutil
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
DRIVER = pathlib.Path(__file__).resolve().parent / "nvim_diagnostics.lua"
FIXTURES = REPO / "fixtures"
PLUGSMITH_BIN = pathlib.Path(os.environ.get("PLUGSMITH_BIN", str(REPO / "target" / "debug" / "plugsmith")))
# Per wait inside Neovim (debug builds on a busy 2-core machine), and for the whole run.
TIMEOUT_MS = int(float(os.environ.get("PLUGSMITH_E2E_TIMEOUT", "60")) * 1000)

# `path:line:col-line:col CODE severity: message` (1-based lines, columns in characters).
DIAGNOSTIC = re.compile(r"^(?P<path>\S+):(?P<line>\d+):(?P<col>\d+)-(?P<end_line>\d+):(?P<end_col>\d+) (?P<code>[A-Z]+\d+) (?P<severity>\w+): ")
PLUGIN = re.compile(r"^plugin (?P<platform>\S+) (?:(?P<root>\S*) )?(?P<file>\S+)$")

CASES = [
    "panoptes/pan003_bare_percent",  # .panoptes-plugin (INI)
    "kili/kil005_async_handler",  # Python, two plugins
    "kili/kil006_signature",  # Python, a plugin without diagnostics (binds.py)
    "supervisely/sly001_schema",  # JSON
    "supervisely/sly002_uppercase",  # VERSION (plain text)
    "archihub/arc002_schema",  # Python, many diagnostics
]

pytestmark = [
    pytest.mark.skipif(shutil.which("nvim") is None, reason="`nvim` is not installed (Debian: apt-get install -y neovim)"),
    pytest.mark.skipif(
        not PLUGSMITH_BIN.is_file(),
        reason=f"{PLUGSMITH_BIN} does not exist: build it with `cargo build -p plugsmith` or set PLUGSMITH_BIN",
    ),
]


class Snapshot:
    """The diagnostics and plugin files of a fixture's expected.snap."""

    def __init__(self, text: str) -> None:
        self.diagnostics: list[dict] = []
        self.plugin_files: list[str] = []
        for line in text.splitlines():
            if match := DIAGNOSTIC.match(line):
                entry = match.groupdict()
                for key in ("line", "col", "end_line", "end_col"):
                    entry[key] = int(entry[key])
                self.diagnostics.append(entry)
            elif match := PLUGIN.match(line):
                self.plugin_files.append(match["file"])

    @property
    def files_with_diagnostics(self) -> list[str]:
        return sorted({d["path"] for d in self.diagnostics})

    @property
    def counts(self) -> dict[str, int]:
        """How many diagnostics each file has."""
        return dict(collections.Counter(d["path"] for d in self.diagnostics))

    @property
    def files(self) -> list[str]:
        return sorted(set(self.plugin_files) | set(self.files_with_diagnostics))


def run_neovim(
    workspace: pathlib.Path,
    files: list[str],
    expect: dict[str, int],
    init_options: dict | None = None,
    edit: dict | None = None,
    config: pathlib.Path | None = None,
) -> dict:
    out = workspace.parent / f"{workspace.name}-nvim.json"
    env = dict(
        os.environ,
        PLUGSMITH_BIN=str(PLUGSMITH_BIN),
        PLUGSMITH_ROOT=str(workspace),
        PLUGSMITH_EXPECT=",".join(f"{workspace / f}={n}" for f, n in expect.items()),
        PLUGSMITH_OUT=str(out),
        PLUGSMITH_TIMEOUT_MS=str(TIMEOUT_MS),
    )
    if init_options is not None:
        env["PLUGSMITH_INIT_OPTIONS"] = json.dumps(init_options)
    if config is not None:
        env["PLUGSMITH_CONFIG"] = str(config)
    if edit is not None:
        env["PLUGSMITH_EDIT"] = json.dumps({**edit, "file": str(workspace / edit["file"])})
    result = subprocess.run(
        ["nvim", "--headless", "--clean", "-c", f"luafile {DRIVER}", "--", *(str(workspace / f) for f in files)],
        cwd=workspace,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=3 * TIMEOUT_MS / 1000 + 60,
    )
    assert out.is_file(), f"Neovim wrote no report (exit {result.returncode}):\n{result.stdout}\n{result.stderr}"
    report = json.loads(out.read_text())
    assert "error" not in report, report["error"]
    assert result.returncode == 0, result.stderr
    assert report["timeouts"] == [], f"no diagnostics in time for {report['timeouts']}"

    def relative(diagnostics: dict) -> dict:
        return {str(pathlib.Path(f).relative_to(workspace)): ds for f, ds in diagnostics.items()}

    report["diagnostics"] = relative(report["diagnostics"])
    if "after" in report:
        report["after"] = relative(report["after"])
    return report


def shown(report_diagnostics: dict) -> collections.Counter:
    return collections.Counter(
        (path, d["line"], d["code"]) for path, ds in report_diagnostics.items() for d in ds
    )


@pytest.fixture
def workspace(request: pytest.FixtureRequest, tmp_path: pathlib.Path) -> pathlib.Path:
    """A copy of the fixture case (the server sees only it, and nothing is written into fixtures/)."""
    case = request.param
    target = tmp_path / case.replace("/", "__")
    shutil.copytree(FIXTURES / case, target)
    return target


@pytest.mark.parametrize("workspace", CASES, indirect=True, ids=CASES)
def test_neovim_shows_the_expected_diagnostics(workspace: pathlib.Path) -> None:
    snapshot = Snapshot((workspace / "expected.snap").read_text())
    assert snapshot.diagnostics, "the case must list diagnostics"
    expected = collections.Counter((d["path"], d["line"], d["code"]) for d in snapshot.diagnostics)
    report = run_neovim(workspace, snapshot.files, expect=snapshot.counts)

    assert shown(report["diagnostics"]) == expected

    # Columns too, where the line is ASCII (Neovim reports byte columns, the snapshot characters).
    for d in snapshot.diagnostics:
        source_line = (workspace / d["path"]).read_text().splitlines()[d["line"] - 1]
        if source_line.isascii():
            cols = {(x["col"], x["code"]) for x in report["diagnostics"][d["path"]] if x["line"] == d["line"]}
            assert (d["col"], d["code"]) in cols, (d, cols)
    for ds in report["diagnostics"].values():
        for d in ds:
            assert d["source"] == "plugsmith" or d["source"] is None
            assert d["message"]


@pytest.mark.parametrize("workspace", ["panoptes/pan003_bare_percent"], indirect=True)
def test_neovim_edit_clears_the_fixed_diagnostic(workspace: pathlib.Path) -> None:
    """didChange: escaping the bare `%` on line 13 removes that PAN003; line 14's stays."""
    path = "plugins/polling/asr/plugin_polling_example.panoptes-plugin"
    line13 = (workspace / path).read_text().splitlines()[12]
    assert line13.endswith('"asr%"'), line13
    report = run_neovim(
        workspace,
        [path],
        expect={path: 2},
        edit={"file": path, "line": 13, "text": line13.replace('"asr%"', '"asr%%"'), "count": 1},
    )
    assert shown(report["diagnostics"]) == collections.Counter({(path, 13, "PAN003"): 1, (path, 14, "PAN003"): 1})
    assert shown(report["after"]) == collections.Counter({(path, 14, "PAN003"): 1})


@pytest.mark.parametrize("workspace", ["kili/kil006_signature"], indirect=True)
def test_neovim_initialization_options_ignore(workspace: pathlib.Path) -> None:
    """`{"ignore": [...]}` in initializationOptions (what the editor configs send) is honoured."""
    report = run_neovim(workspace, ["no_self.py"], expect={"no_self.py": 2}, init_options={"ignore": ["KIL007"]})
    codes = {d["code"] for d in report["diagnostics"]["no_self.py"]}
    assert codes == {"KIL006"}


@pytest.mark.parametrize("workspace", ["kili/kil005_async_handler"], indirect=True)
def test_neovim_with_the_shipped_config(workspace: pathlib.Path) -> None:
    """editors/neovim/lsp/plugsmith.lua: its command (`plugsmith server`) and init_options work."""
    config = REPO / "editors" / "neovim" / "lsp" / "plugsmith.lua"
    snapshot = Snapshot((workspace / "expected.snap").read_text())
    report = run_neovim(workspace, ["plugin.py"], expect={"plugin.py": snapshot.counts["plugin.py"]}, config=config)
    assert report["cmd"] == [str(PLUGSMITH_BIN), "server"]
    expected = collections.Counter((d["path"], d["line"], d["code"]) for d in snapshot.diagnostics if d["path"] == "plugin.py")
    assert expected and shown(report["diagnostics"]) == expected


def test_neovim_lspconfig_snippet_compiles() -> None:
    snippet = REPO / "editors" / "neovim" / "lspconfig.lua"
    result = subprocess.run(
        ["nvim", "--headless", "--clean", "-c", f"lua assert(loadfile('{snippet}'))", "-c", "qa!"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


def test_snapshot_parser() -> None:
    snapshot = Snapshot(
        "---\nsource: x\n---\n"
        "plugin kili async_only.py async_only.py\n"
        "plugin supervisely  plugin_info.json\n"
        "async_only.py:4:7-4:20 KIL004 error: PluginHandler has no handler: a:b 1:2-3:4\n"
        "    related no_self.py:5:9-5:18: legacy handler\n"
        "plugin_info.json:2:11-2:13 SLY001 warning: `title` must be a string\n"
    )
    assert [(d["path"], d["line"], d["col"], d["code"]) for d in snapshot.diagnostics] == [
        ("async_only.py", 4, 7, "KIL004"),
        ("plugin_info.json", 2, 11, "SLY001"),
    ]
    assert snapshot.files == ["async_only.py", "plugin_info.json"]
