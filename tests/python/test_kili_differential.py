"""Differential test: plugsmith's Kili rules against the kili SDK's own upload checks.

For every case under ``fixtures/kili/``, the plugins in it (found the way ``RULES.md`` detects
them, re-implemented here with ``ast`` so that the test does not trust plugsmith's detection)
go through the SDK's offline upload checks (kili 26.2.4, ``kili/services/plugins/upload.py``):

- ``check_file_contains_handler(path)``: the top-level ``PluginHandler`` and the handlers the
  upload registers. plugsmith's KIL001 must agree with "no handler class", and its KIL005 with
  "a method named like a handler is in the class, and the upload did not register it".
- ``PluginUploader(...)._retrieve_plugin_src()`` then ``_parse_script`` on every source (what
  ``_create_zip`` does before any network call): when the SDK rejects the plugin, plugsmith
  must report a diagnostic carrying the SDK's message (PLG001 for a ``SyntaxError``); when the
  SDK accepts it, plugsmith must report none of the upload-time errors.

Nothing here touches the network: ``kili=None`` and ``http_client=None`` are never used by
these methods.

Setup: ``pip install kili==26.2.4 kili-events pytest`` and ``cargo build -p plugsmith``. The
binary is ``$PLUGSMITH_BIN`` (default ``target/debug/plugsmith``); the test is skipped when it
or the SDK is missing.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from plugsmith_binary import plugsmith_bin

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures" / "kili"

upload = pytest.importorskip(
    "kili.services.plugins.upload",
    reason="the kili SDK is not installed (pip install kili==26.2.4 kili-events)",
)

# The errors the upload raises before sending anything (KIL007 and KIL015 fail without an
# event matcher, which this test never passes).
UPLOAD_ERRORS = {"PLG001", "KIL001", "KIL002", "KIL004", "KIL007", "KIL013", "KIL014"}
HANDLER_NAMES = set(upload.POSSIBLE_HANDLERS) | {"on_event"}


@dataclass
class Finding:
    path: Path
    code: str
    severity: str
    message: str
    row: int


def run_plugsmith(case: Path) -> list[Finding]:
    """plugsmith's diagnostics for one case, checked from inside the case folder."""
    result = subprocess.run(
        [str(plugsmith_bin()), "check", "--output-format", "json", "."],
        cwd=case,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode in (0, 1), f"plugsmith failed on {case}: {result.stderr}"
    return [
        Finding(
            path=(case / item["filename"]).resolve(),
            code=item["code"],
            severity=item["severity"],
            message=item["message"],
            row=item["location"]["row"],
        )
        for item in json.loads(result.stdout or "[]")
    ]


def looks_like_kili(path: Path) -> bool:
    """RULES.md detection: a top-level `class PluginHandler`, or an import from kili.plugins."""
    try:
        module = ast.parse(path.read_text(encoding="utf-8"))
    except (SyntaxError, UnicodeDecodeError):
        # plugsmith detects the plugin from the tree-sitter tree; the SDK's verdict on a
        # file that does not parse is a SyntaxError, compared below through PLG001.
        text = path.read_text(encoding="utf-8", errors="replace")
        return "PluginHandler" in text or "kili.plugins" in text
    if any(isinstance(n, ast.ClassDef) and n.name == "PluginHandler" for n in module.body):
        return True
    for node in ast.walk(module):
        if isinstance(node, ast.ImportFrom):
            name = node.module or ""
            if name == "kili" and any(alias.name == "plugins" for alias in node.names):
                return True
            if name.startswith(("kili.plugins", "kili.services.plugins")):
                return True
        if isinstance(node, ast.Import) and any(
            alias.name.startswith(("kili.plugins", "kili.services.plugins")) for alias in node.names
        ):
            return True
    return False


@dataclass
class Plugin:
    path: Path
    folder: bool
    sources: list[Path] = field(default_factory=list)

    @property
    def entry(self) -> Path:
        return self.path / "main.py" if self.folder else self.path

    def owns(self, path: Path) -> bool:
        return path == self.path or (self.folder and self.path in path.parents)


def plugins_of(case: Path) -> list[Plugin]:
    sources = sorted(p.resolve() for p in case.rglob("*.py"))
    folders = [p.parent for p in sources if p.name == "main.py" and looks_like_kili(p)]
    config = case / "plugsmith.toml"
    if config.is_file():
        overrides = tomllib.loads(config.read_text()).get("platform-overrides", {})
        folders += [
            (case / path).resolve()
            for path, platform in overrides.items()
            if platform == "kili" and (case / path).is_dir()
        ]
    plugins = [Plugin(folder, True) for folder in sorted(set(folders))]
    plugins += [
        Plugin(path, False)
        for path in sources
        if not any(folder in path.parents for folder in folders) and looks_like_kili(path)
    ]
    return plugins


def sdk_upload_error(plugin: Plugin) -> tuple[str | None, Path | None]:
    """The error the upload raises before any network call: (message, file of a SyntaxError)."""
    uploader = upload.PluginUploader(
        kili=None,
        plugin_path=str(plugin.path),
        plugin_name=None,
        verbose=False,
        http_client=None,
        event_matcher=None,
    )
    try:
        sources = uploader._retrieve_plugin_src()  # noqa: SLF001 - the SDK's offline checks
    except SyntaxError:
        return "SyntaxError", plugin.entry
    except (ValueError, FileNotFoundError) as error:
        return str(error), None
    for source in sources:
        try:
            upload.PluginUploader._parse_script(source)  # noqa: SLF001
        except SyntaxError:
            return "SyntaxError", Path(source).resolve()
    return None, None


def handler_class(entry: Path) -> ast.ClassDef | None:
    module = ast.parse(entry.read_text(encoding="utf-8"))
    return next(
        (n for n in module.body if isinstance(n, ast.ClassDef) and n.name == "PluginHandler"),
        None,
    )


def sdk_ignored_handler_rows(entry: Path) -> set[int]:
    """Rows of methods named like a handler that the upload scan does not register."""
    contains, handlers, has_on_event = upload.check_file_contains_handler(entry)
    if not contains:
        return set()
    registered = {name for name, camel in upload.POSSIBLE_HANDLERS.items() if camel in (handlers or [])}
    if has_on_event:
        registered.add("on_event")
    class_node = handler_class(entry)
    assert class_node is not None
    rows = set()
    for method in class_node.body:
        if not isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        decorated = any("on_kili_event" in ast.unparse(d) for d in method.decorator_list)
        if method.name in HANDLER_NAMES and not decorated:
            registered_here = method.name in registered and isinstance(method, ast.FunctionDef)
            if not registered_here:
                rows.add(method.lineno)
    return rows


CASES = sorted(p for p in FIXTURES.iterdir() if p.is_dir()) if FIXTURES.is_dir() else []


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_plugsmith_agrees_with_the_kili_sdk(case: Path, tmp_path: Path) -> None:
    findings = run_plugsmith(case)
    for plugin in plugins_of(case):
        mine = [f for f in findings if plugin.owns(f.path)]
        where = f"{case.name}: {plugin.path.relative_to(case.resolve())}"
        check_kil001(plugin, mine, where)
        check_kil005(plugin, mine, where)
        check_upload(plugin, mine, where)
        check_kil013_per_method(plugin, mine, where, tmp_path)


def check_kil013_per_method(plugin: Plugin, mine: list[Finding], where: str, tmp: Path) -> None:
    """The SDK stops at the first bad @on_kili_event method: judge each one on its own.

    For each decorated method, a copy of the entry file keeps its decorators and blanks those
    of the other decorated methods (line numbers unchanged); `find_event_subscriptions` on the
    copy must fail with a message plugsmith reports for that method, or succeed while plugsmith
    reports no KIL013 for it.
    """
    if not plugin.entry.is_file():
        return
    text = plugin.entry.read_text(encoding="utf-8")
    try:
        class_node = handler_class(plugin.entry)
    except SyntaxError:
        return
    if class_node is None:
        return
    methods = [
        m
        for m in class_node.body
        if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))
        and any("on_kili_event" in ast.unparse(d) for d in m.decorator_list)
    ]
    lines = text.splitlines(keepends=True)
    for method in methods:
        variant = list(lines)
        for other in methods:
            if other is method:
                continue
            for decorator in other.decorator_list:
                for row in range(decorator.lineno - 1, decorator.end_lineno or decorator.lineno):
                    variant[row] = "\n"
        copy = tmp / f"{method.name}.py"
        copy.write_text("".join(variant), encoding="utf-8")
        try:
            upload.find_event_subscriptions(copy)
            error = None
        except ValueError as raised:
            error = str(raised)
        prefix = f"PluginHandler.{method.name}:"
        reported = [f.message for f in mine if f.code == "KIL013" and f.message.startswith(prefix)]
        if error is None:
            assert not reported, f"{where}: the SDK accepts {method.name}, plugsmith: {reported}"
        else:
            assert error in reported, f"{where}: the SDK says {error!r}, plugsmith: {reported}"


def check_kil001(plugin: Plugin, mine: list[Finding], where: str) -> None:
    if not plugin.entry.is_file():
        return
    try:
        contains, _, _ = upload.check_file_contains_handler(plugin.entry)
    except SyntaxError:
        assert not any(f.code == "KIL001" for f in mine), f"{where}: KIL001 on a SyntaxError"
        return
    reported = any(f.code == "KIL001" and f.path == plugin.entry for f in mine)
    assert reported == (not contains), f"{where}: SDK handler class present={contains}"


def check_kil005(plugin: Plugin, mine: list[Finding], where: str) -> None:
    if not plugin.entry.is_file():
        return
    try:
        expected = sdk_ignored_handler_rows(plugin.entry)
    except SyntaxError:
        expected = set()
    reported = {f.row for f in mine if f.code == "KIL005" and f.path == plugin.entry}
    assert reported == expected, f"{where}: KIL005 rows {reported}, SDK ignores rows {expected}"


def check_upload(plugin: Plugin, mine: list[Finding], where: str) -> None:
    error, syntax_file = sdk_upload_error(plugin)
    if error is None:
        blocking = [f for f in mine if f.code in UPLOAD_ERRORS]
        assert not blocking, f"{where}: the SDK accepts the upload, plugsmith says {blocking}"
    elif error == "SyntaxError":
        assert any(f.code == "PLG001" and f.path == syntax_file for f in mine), (
            f"{where}: the SDK fails to compile {syntax_file}, plugsmith has no PLG001 there"
        )
    else:
        expected = error.split(": /")[0]  # "No main.py file in the provided folder: <abs path>"
        assert any(expected in f.message for f in mine), (
            f"{where}: the SDK says {error!r}; plugsmith says {[f.message for f in mine]}"
        )
