"""`plugsmith server` driven by pytest-lsp with the VS Code and Neovim capability profiles.

Every test in the first part runs once per profile (the `client` fixture is parametrized):
VS Code 1.65 offers no position encoding (UTF-16), Neovim 0.11 offers UTF-8 first.
"""

from __future__ import annotations

import asyncio
import pathlib

import pytest
from lsprotocol import types

from conftest import (
    FDT_STAGES,
    KILI_HELPERS_BROKEN,
    KILI_HELPERS_FIXED,
    PANOPTES_MODULE,
    SLY_INFO,
    SLY_TYPE_LINE,
    TIMEOUT,
    RawServer,
    build_workspace,
    codes,
    lsp_range,
    wait_until,
)
from pytest_lsp import LanguageClient

RULE_URL = "https://plugsmith.dev/rules/"


def encoding_of(client: LanguageClient) -> str:
    return {"visual-studio-code": "utf-16", "neovim": "utf-8"}[client.profile]


def uri(client: LanguageClient, name: str) -> str:
    return (client.workspace / name).as_uri()


def published_for(client: LanguageClient, file_uri: str):
    return [p for p in client.recorder.published if p.uri == file_uri]


def open_document(client: LanguageClient, name: str, text: str, version: int = 1, language: str = "plaintext"):
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri(client, name), language_id=language, version=version, text=text
            )
        )
    )


def change(client: LanguageClient, name: str, version: int, *changes):
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri(client, name), version=version),
            content_changes=list(changes),
        )
    )


def whole(text: str):
    return types.TextDocumentContentChangeWholeDocument(text=text)


def ranged(line: int, start: int, end_line: int, end: int, text: str):
    return types.TextDocumentContentChangePartial(
        range=types.Range(
            start=types.Position(line=line, character=start),
            end=types.Position(line=end_line, character=end),
        ),
        text=text,
    )


async def wait_for_version(client: LanguageClient, name: str, version: int):
    file_uri = uri(client, name)
    return await wait_until(
        client,
        lambda: next((p for p in published_for(client, file_uri) if p.version == version), None),
        f"diagnostics of {name} at version {version}",
    )


# --- initialize ----------------------------------------------------------------------------


async def test_initialize_negotiates_encoding_and_capabilities(client: LanguageClient):
    capabilities = client.init_result.capabilities
    assert capabilities.position_encoding == encoding_of(client)
    sync = capabilities.text_document_sync
    assert sync.open_close is True
    assert sync.change == types.TextDocumentSyncKind.Incremental
    assert sync.save is not None
    assert list(capabilities.code_action_provider.code_action_kinds) == [types.CodeActionKind.QuickFix]
    assert client.init_result.server_info.name == "plugsmith"
    if client.profile == "visual-studio-code":
        # VS Code registers watchers dynamically: the server asks for every file.
        registration = await wait_until(
            client, lambda: client.recorder.registrations, "the file-watcher registration"
        )
        assert registration[0].method == "workspace/didChangeWatchedFiles"
        assert registration[0].register_options["watchers"][0]["globPattern"] == "**/*"
    else:
        # Neovim 0.11 does not support dynamic registration of file watchers: none asked.
        await asyncio.sleep(0.5)
        assert client.recorder.registrations == []


# --- the workspace scan --------------------------------------------------------------------


async def test_workspace_scan_reports_closed_files_with_exact_ranges(client: LanguageClient):
    """Nothing is open: the scan at start checks every plugin of the folder."""
    encoding = encoding_of(client)
    helpers, info, sly = (
        uri(client, "kili_plugin/helpers.py"),
        uri(client, "pan/x.panoptes-plugin"),
        uri(client, "sly/plugin_info.json"),
    )
    await wait_until(
        client,
        lambda: all(client.diagnostics.get(u) for u in (helpers, info, sly)),
        "diagnostics of the three plugins",
    )

    (plg001,) = client.diagnostics[helpers]
    assert plg001.code == "PLG001"
    assert plg001.range == lsp_range(0, "def helper(x)", 0, 13, encoding)
    assert plg001.severity == types.DiagnosticSeverity.Error
    assert plg001.source == "plugsmith"
    assert plg001.code_description.href == RULE_URL + "PLG001"
    assert "SyntaxError" in plg001.message

    (pan007,) = client.diagnostics[info]
    assert pan007.code == "PAN007"
    line = "Module = missing_module"
    assert pan007.range == lsp_range(2, line, 9, 23, encoding)
    assert "missing_module" in pan007.message

    title, typ, run_mode = sorted(client.diagnostics[sly], key=lambda d: d.range.start.line)
    assert [title.code, typ.code, run_mode.code] == ["SLY001"] * 3
    assert title.range == lsp_range(1, '\t"title": 42,', 10, 12, encoding)
    start = SLY_TYPE_LINE.index('"imprt"')
    # The one line whose columns depend on the encoding.
    assert typ.range == lsp_range(2, SLY_TYPE_LINE, start, start + 7, encoding)
    expected_char = {"utf-16": 49, "utf-8": 52}[encoding]
    assert typ.range.start.character == expected_char
    assert run_mode.range == lsp_range(3, '\t"run_mode": "general"', 13, 22, encoding)
    # Closed files are published without a version.
    assert all(p.version is None for p in published_for(client, sly))
    # Files without diagnostics are not published at start.
    assert published_for(client, uri(client, "kili_plugin/main.py")) == []


# --- editing -------------------------------------------------------------------------------


async def test_edits_update_diagnostics_and_versions(client: LanguageClient):
    name = "kili_plugin/helpers.py"
    open_document(client, name, KILI_HELPERS_BROKEN, version=1, language="python")
    first = await wait_for_version(client, name, 1)
    assert codes(first.diagnostics) == ["PLG001"]

    # Incremental: insert the missing colon after `def helper(x)`.
    change(client, name, 2, ranged(0, 13, 0, 13, ":"))
    second = await wait_for_version(client, name, 2)
    assert second.diagnostics == []

    # Full text: break it again, on line 2 this time.
    change(client, name, 3, whole("def helper(x):\n    return (x\n"))
    third = await wait_for_version(client, name, 3)
    assert codes(third.diagnostics) == ["PLG001"]
    assert third.diagnostics[0].range.start.line == 1

    # Several changes in one notification, each relative to the previous one.
    change(
        client,
        name,
        4,
        ranged(1, 12, 1, 13, "x)"),  # `return (x` -> `return (x)`
        ranged(0, 4, 0, 10, "aide"),  # `helper` -> `aide`
    )
    fourth = await wait_for_version(client, name, 4)
    assert fourth.diagnostics == []

    # Save and close: the closed file is checked from disk again (still broken there).
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri(client, name)))
    )
    file_uri = uri(client, name)
    closed = await wait_until(
        client,
        lambda: next((p for p in published_for(client, file_uri)[4:] if p.version is None), None),
        "diagnostics after close",
    )
    assert codes(closed.diagnostics) == ["PLG001"]


async def test_never_publishes_results_of_an_older_version(client: LanguageClient):
    """Even versions are broken, odd ones are fine: every publish must match its version."""
    name = "kili_plugin/helpers.py"
    file_uri = uri(client, name)
    open_document(client, name, KILI_HELPERS_FIXED, version=1, language="python")
    for version in range(2, 41):
        change(client, name, version, whole(KILI_HELPERS_BROKEN if version % 2 == 0 else KILI_HELPERS_FIXED))
    last = await wait_for_version(client, name, 40)
    assert codes(last.diagnostics) == ["PLG001"]
    versioned = [p for p in published_for(client, file_uri) if p.version is not None]
    assert versioned, "nothing published for the open document"
    for publish in versioned:
        expected = ["PLG001"] if publish.version % 2 == 0 else []
        assert codes(publish.diagnostics) == expected, f"version {publish.version}"
    versions = [p.version for p in versioned]
    assert versions == sorted(versions)


# --- cross-file updates --------------------------------------------------------------------


async def test_creating_the_module_on_disk_clears_pan007(client: LanguageClient):
    info = uri(client, "pan/x.panoptes-plugin")
    await wait_until(client, lambda: codes(client.diagnostics.get(info, [])) == ["PAN007"], "PAN007")

    module = client.workspace / "pan" / "missing_module.py"
    module.write_text(PANOPTES_MODULE)
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=module.as_uri(), type=types.FileChangeType.Created)]
        )
    )
    await wait_until(client, lambda: info in client.diagnostics and not client.diagnostics[info], "PAN007 cleared")
    # The info file is not open: the clearing is published without a version.
    assert published_for(client, info)[-1].version is None

    module.unlink()
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=module.as_uri(), type=types.FileChangeType.Deleted)]
        )
    )
    await wait_until(client, lambda: codes(client.diagnostics.get(info, [])) == ["PAN007"], "PAN007 back")


async def test_an_unsaved_module_buffer_clears_pan007(client: LanguageClient):
    """A module that exists only in the editor counts: the overlay is part of the workspace."""
    info = uri(client, "pan/x.panoptes-plugin")
    await wait_until(client, lambda: codes(client.diagnostics.get(info, [])) == ["PAN007"], "PAN007")
    open_document(client, "pan/missing_module.py", PANOPTES_MODULE, language="python")
    await wait_until(client, lambda: not client.diagnostics[info], "PAN007 cleared")
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=uri(client, "pan/missing_module.py"))
        )
    )
    await wait_until(client, lambda: codes(client.diagnostics.get(info, [])) == ["PAN007"], "PAN007 back")


async def test_editing_the_info_file_rechecks_its_module_reference(client: LanguageClient):
    name = "pan/x.panoptes-plugin"
    info = uri(client, name)
    (client.workspace / "pan" / "real_module.py").write_text(PANOPTES_MODULE)
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[
                types.FileEvent(
                    uri=(client.workspace / "pan" / "real_module.py").as_uri(),
                    type=types.FileChangeType.Created,
                )
            ]
        )
    )
    open_document(client, name, (client.workspace / name).read_text(), version=1)
    opened = await wait_for_version(client, name, 1)
    assert codes(opened.diagnostics) == ["PAN007"]
    # `Module = missing_module` -> `Module = real_module` (line 2, columns 9..23).
    change(client, name, 2, ranged(2, 9, 2, 23, "real_module"))
    fixed = await wait_for_version(client, name, 2)
    assert fixed.diagnostics == []
    assert len(client.diagnostics[info]) == 0


async def test_editing_stages_py_updates_the_workflow(client: LanguageClient):
    """The workflow YAML is closed; the Python module it names is edited."""
    encoding = encoding_of(client)
    wf = uri(client, "fdt/workflows/wf.yaml")
    await wait_until(client, lambda: client.diagnostics.get(wf), "FDT005")
    (predict,) = client.diagnostics[wf]
    assert predict.code == "FDT005"
    line = "      target: my_plugin.models.predict"
    assert predict.range == lsp_range(8, line, 14, 38, encoding)
    (related,) = predict.related_information
    assert related.location.uri == uri(client, "fdt/my_plugin/models.py")
    assert related.location.range == lsp_range(0, "def fit():", 0, 10, encoding)

    name = "fdt/my_plugin/stages.py"
    open_document(client, name, FDT_STAGES, version=1, language="python")
    await wait_for_version(client, name, 1)
    # Rename `fetch` to `fetch_all`: the workflow's first stage no longer resolves.
    change(client, name, 2, ranged(0, 4, 0, 9, "fetch_all"))
    await wait_until(
        client,
        lambda: len(client.diagnostics[wf]) == 2,
        "FDT005 for the renamed stage",
    )
    fetch = next(d for d in client.diagnostics[wf] if d.range.start.line == 6)
    assert fetch.code == "FDT005"
    assert fetch.range == lsp_range(6, "      target: my_plugin.stages.fetch", 14, 36, encoding)
    assert published_for(client, wf)[-1].version is None
    # And back.
    change(client, name, 3, ranged(0, 4, 0, 13, "fetch"))
    await wait_until(client, lambda: len(client.diagnostics[wf]) == 1, "only FDT005 predict")


# --- quick fixes ---------------------------------------------------------------------------


async def test_quick_fix_for_a_typo_in_plugin_info(client: LanguageClient):
    encoding = encoding_of(client)
    name = "sly/plugin_info.json"
    open_document(client, name, SLY_INFO, version=1, language="json")
    published = await wait_for_version(client, name, 1)
    assert codes(published.diagnostics) == ["SLY001"] * 3
    typ = next(d for d in published.diagnostics if d.range.start.line == 2)
    assert typ.data is not None

    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri(client, name)),
            range=typ.range,
            context=types.CodeActionContext(diagnostics=[typ]),
        )
    )
    assert actions is not None and len(actions) == 1
    action = actions[0]
    assert action.kind == types.CodeActionKind.QuickFix
    assert action.title == "Replace `imprt` with `import`"
    (edit,) = action.edit.changes[uri(client, name)]
    start = SLY_TYPE_LINE.index('"imprt"')
    assert edit.range == lsp_range(2, SLY_TYPE_LINE, start, start + 7, encoding)
    assert edit.new_text == '"import"'

    # Apply the edit as the editor would: the diagnostic goes, the two others stay.
    change(client, name, 2, types.TextDocumentContentChangePartial(range=edit.range, text=edit.new_text))
    after = await wait_for_version(client, name, 2)
    assert codes(after.diagnostics) == ["SLY001"] * 2
    assert {d.range.start.line for d in after.diagnostics} == {1, 3}

    # The diagnostic of version 1 no longer fixes anything: its ranges are stale.
    stale = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri(client, name)),
            range=typ.range,
            context=types.CodeActionContext(diagnostics=[typ]),
        )
    )
    assert not stale


# --- configuration -------------------------------------------------------------------------


async def test_did_change_configuration_ignores_rules(client: LanguageClient):
    sly = uri(client, "sly/plugin_info.json")
    info = uri(client, "pan/x.panoptes-plugin")
    await wait_until(client, lambda: client.diagnostics.get(sly) and client.diagnostics.get(info), "diagnostics")
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"plugsmith": {"ignore": ["SLY"]}})
    )
    await wait_until(client, lambda: len(client.diagnostics[sly]) == 0, "SLY001 cleared")
    assert codes(client.diagnostics[info]) == ["PAN007"]
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"plugsmith": {}})
    )
    await wait_until(client, lambda: len(client.diagnostics[sly]) == 3, "SLY001 back")


async def test_a_new_configuration_file_is_read(client: LanguageClient):
    info = uri(client, "pan/x.panoptes-plugin")
    sly = uri(client, "sly/plugin_info.json")
    await wait_until(client, lambda: client.diagnostics.get(info) and client.diagnostics.get(sly), "the scan")
    config = client.workspace / "plugsmith.toml"
    config.write_text('ignore = ["PAN007"]\n')
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=config.as_uri(), type=types.FileChangeType.Created)]
        )
    )
    await wait_until(client, lambda: len(client.diagnostics[info]) == 0, "PAN007 ignored")
    assert codes(client.diagnostics[sly]) == ["SLY001"] * 3


async def test_workspace_folders_come_and_go(client: LanguageClient):
    files = [uri(client, n) for n in ("kili_plugin/helpers.py", "pan/x.panoptes-plugin", "sly/plugin_info.json")]
    await wait_until(client, lambda: all(client.diagnostics.get(u) for u in files), "the scan")
    folder = types.WorkspaceFolder(uri=client.workspace.as_uri(), name="ws")
    client.workspace_did_change_workspace_folders(
        types.DidChangeWorkspaceFoldersParams(event=types.WorkspaceFoldersChangeEvent(added=[], removed=[folder]))
    )
    await wait_until(client, lambda: all(len(client.diagnostics[u]) == 0 for u in files), "everything cleared")
    client.workspace_did_change_workspace_folders(
        types.DidChangeWorkspaceFoldersParams(event=types.WorkspaceFoldersChangeEvent(added=[folder], removed=[]))
    )
    await wait_until(client, lambda: all(client.diagnostics.get(u) for u in files), "everything back")


@pytest.mark.parametrize("init_options", [{"select": ["PAN"]}])
async def test_initialization_options_select_rules(client: LanguageClient, init_options):
    assert init_options == {"select": ["PAN"]}
    info = uri(client, "pan/x.panoptes-plugin")
    await wait_until(client, lambda: client.diagnostics.get(info), "PAN007")
    # Give the scan's other files a chance to show up if they (wrongly) were going to.
    await asyncio.sleep(0.5)
    assert set(client.diagnostics) == {info}
    assert codes(client.diagnostics[info]) == ["PAN007"]


# --- shutdown ------------------------------------------------------------------------------


async def test_shutdown_and_exit(client: LanguageClient):
    info = uri(client, "pan/x.panoptes-plugin")
    await wait_until(client, lambda: client.diagnostics.get(info), "the scan")
    await client.shutdown_session()
    assert client._server.returncode == 0


# --- robustness (a raw client: no real client sends these) ---------------------------------


async def _initialize(server: RawServer, root: pathlib.Path) -> dict:
    response = await server.request(
        "initialize",
        {
            "processId": None,
            "rootUri": root.as_uri(),
            "capabilities": {},
            "workspaceFolders": [{"uri": root.as_uri(), "name": "ws"}],
        },
    )
    await server.notify("initialized", {})
    return response


async def test_malformed_messages_do_not_stop_the_server(tmp_path: pathlib.Path):
    root = build_workspace(tmp_path / "ws")
    server = await RawServer.start()
    try:
        # Before initialize: broken JSON, then a valid request.
        await server.write(b"Content-Length: 9\r\n\r\n{not json")
        error = await server.read()
        assert error["id"] is None and error["error"]["code"] == -32700
        response = await _initialize(server, root)
        assert response["result"]["capabilities"]["positionEncoding"] == "utf-16"

        # Not JSON-RPC (wrong version; no method), with an id: an invalid-request error for it.
        await server.send({"jsonrpc": "1.0", "id": 7, "method": "x"})
        error = await server.response(7)
        assert error["error"]["code"] == -32600
        # A header without Content-Length, garbage bytes, invalid UTF-8 in a body.
        await server.write(b"X-Nonsense: 1\r\n\r\n")
        await server.write(b"Content-Length: 4\r\n\r\n\xff\xfe\xfd\xfc")
        # Deep nesting in a message body.
        deep = b"[" * 200_000 + b"]" * 200_000
        await server.write(b"Content-Length: %d\r\n\r\n" % len(deep) + deep)
        # Valid JSON-RPC with params of the wrong shape.
        await server.notify("textDocument/didOpen", {"textDocument": 42})
        answer = await server.request("textDocument/codeAction", {"wrong": True})
        assert "error" in answer
        # Still answering.
        answer = await server.request(
            "textDocument/codeAction",
            {
                "textDocument": {"uri": (root / "sly" / "plugin_info.json").as_uri()},
                "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
                "context": {"diagnostics": []},
            },
        )
        assert answer.get("result", "missing") is None
        assert await server.close() == 0
    finally:
        if server.process.returncode is None:
            server.process.kill()


async def test_huge_and_deeply_nested_documents(tmp_path: pathlib.Path):
    root = build_workspace(tmp_path / "ws")
    server = await RawServer.start()
    try:
        await _initialize(server, root)
        # A 10 MB Python module of a Kili plugin, and a 10 MB plugin_info.json.
        big_python = "x = 1  # " + "é" * 60 + "\n"
        big_python = big_python * (10_000_000 // len(big_python.encode()))
        for name, text in [
            ("kili_plugin/big.py", big_python),
            ("sly/plugin_info.json", '{"title": "' + "a" * 10_000_000 + '"}'),
            ("kili_plugin/deep.py", "x = " + "(" * 50_000 + ")" * 50_000 + "\n"),
            ("sly/plugin_info.json", "[" * 100_000 + "]" * 100_000),
        ]:
            await server.notify(
                "textDocument/didOpen",
                {
                    "textDocument": {
                        "uri": (root / name).as_uri(),
                        "languageId": "plaintext",
                        "version": 1,
                        "text": text,
                    }
                },
            )
            # Out-of-range edits are clamped, not fatal.
            await server.notify(
                "textDocument/didChange",
                {
                    "textDocument": {"uri": (root / name).as_uri(), "version": 2},
                    "contentChanges": [
                        {
                            "range": {
                                "start": {"line": 10**9, "character": 10**9},
                                "end": {"line": 0, "character": 2**31 - 1},
                            },
                            "text": "\n",
                        }
                    ],
                },
            )
            # The server answers while it checks.
            answer = await server.request(
                "textDocument/codeAction",
                {
                    "textDocument": {"uri": (root / name).as_uri()},
                    "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}},
                    "context": {"diagnostics": []},
                },
            )
            assert "result" in answer, answer
            # And it checked the document: diagnostics for version 2 arrive (nothing crashed).
            diagnostics = await server.diagnostics((root / name).as_uri(), 2)
            assert isinstance(diagnostics, list)
        assert await server.close() == 0
    finally:
        if server.process.returncode is None:
            server.process.kill()


async def test_invalid_utf8_on_disk(tmp_path: pathlib.Path):
    root = build_workspace(tmp_path / "ws")
    (root / "kili_plugin" / "latin1.py").write_bytes(b"# caf\xe9\nx = 1\n")
    (root / "pan" / "bad.panoptes-plugin").write_bytes(b"[Core]\nName = \xff\xfe\n")
    (root / "sly" / "plugin_info.json").write_bytes(b'{"title": "\xc3\x28"}')
    server = await RawServer.start()
    try:
        await _initialize(server, root)
        # Open one of them as the editor would (it decoded the bytes somehow).
        await server.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": (root / "kili_plugin" / "latin1.py").as_uri(),
                    "languageId": "python",
                    "version": 1,
                    "text": "# café\nx = 1\n",
                }
            },
        )
        # The open buffer is checked, and the scan went on past the unreadable files.
        assert await server.diagnostics((root / "kili_plugin" / "latin1.py").as_uri(), 1) == []
        pan007 = await server.diagnostics((root / "pan" / "x.panoptes-plugin").as_uri(), None)
        assert [d["code"] for d in pan007] == ["PAN007"]
        assert await server.close() == 0
    finally:
        if server.process.returncode is None:
            server.process.kill()


async def test_closing_stdin_ends_the_server(tmp_path: pathlib.Path):
    server = await RawServer.start()
    await _initialize(server, build_workspace(tmp_path / "ws"))
    server.process.stdin.close()
    assert await asyncio.wait_for(server.process.wait(), TIMEOUT) == 0
