"""`plugsmith.runPlugin` from the editor: code lenses, then `workspace/executeCommand`.

Runs once per capability profile of conftest (VS Code 1.65 and Neovim 0.11, both of which
support `window.workDoneProgress`), on a workspace holding one small Kili plugin. The run
executes the plugin with python3 through plugsmith_runner: skipped when python3 is missing.
"""

from __future__ import annotations

import asyncio
import pathlib
import shutil

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from conftest import TIMEOUT

pytestmark = pytest.mark.skipif(
    shutil.which("python3") is None, reason="the runner needs python3 on PATH"
)

KILI_MAIN = """\
from kili.plugins import PluginCore


class PluginHandler(PluginCore):
    def on_submit(self, label, asset_id):
        self.kili.send_back_to_queue(asset_ids=[asset_id])
"""
ON_SUBMIT_LINE = 4


@pytest.fixture
def workspace(tmp_path: pathlib.Path) -> pathlib.Path:
    """Overrides conftest's workspace: one Kili folder plugin."""
    root = tmp_path / "ws"
    plugin = root / "kili_plugin"
    plugin.mkdir(parents=True)
    (plugin / "main.py").write_text(KILI_MAIN, encoding="utf-8")
    return root


async def eventually(predicate, what: str):
    """Polls `predicate` until it is truthy (notifications may trail the response)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT
    while True:
        value = predicate()
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def open_main(client: LanguageClient) -> str:
    main = client.workspace / "kili_plugin" / "main.py"
    uri = main.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="python", version=1, text=KILI_MAIN
            )
        )
    )
    return uri


async def execute(client: LanguageClient, argument) -> object:
    return await asyncio.wait_for(
        client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="plugsmith.runPlugin", arguments=[argument])
        ),
        TIMEOUT,
    )


async def test_capabilities_advertise_the_command_and_code_lenses(client: LanguageClient):
    capabilities = client.init_result.capabilities
    assert list(capabilities.execute_command_provider.commands) == ["plugsmith.runPlugin"]
    assert capabilities.code_lens_provider is not None


async def test_code_lens_then_run_on_submit(client: LanguageClient):
    uri = open_main(client)
    plugin = client.workspace / "kili_plugin"

    lenses = await asyncio.wait_for(
        client.text_document_code_lens_async(
            types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri))
        ),
        TIMEOUT,
    )
    assert lenses, "no code lens for the Kili plugin"
    [lens] = [lens for lens in lenses if lens.command.title == "Run on_submit locally"]
    assert lens.range.start.line == ON_SUBMIT_LINE
    assert lens.command.command == "plugsmith.runPlugin"
    [argument] = lens.command.arguments
    assert argument["event"] == "submit"
    assert pathlib.Path(argument["path"]) == plugin

    report = await execute(client, {"path": str(plugin), "event": "submit"})

    assert report["status"] == "ok", report
    assert report["plugin"] == "kili_plugin"
    assert report["entry"] == "submit"
    assert report["handler"] == "on_submit"
    assert isinstance(report["durations"]["total_ms"], (int, float))
    calls = [call for call in report["calls"] if call.get("method") == "send_back_to_queue"]
    assert len(calls) == 1, report["calls"]
    assert calls[0]["kwargs"]["asset_ids"], calls[0]

    # Work-done progress: created by the server (both profiles support it), begin ... end.
    def progress():
        for values in client.progress_reports.values():
            kinds = [value.kind for value in values]
            if kinds and kinds[0] == "begin" and kinds[-1] == "end":
                return values
        return None

    values = await eventually(progress, "progress begin/end")
    assert values[0].title == "plugsmith run"
    assert "submit" in values[0].message
    assert values[-1].message.startswith("on_submit: ok in ")

    shown = await eventually(
        lambda: [m for m in client.messages if m.message.startswith("on_submit: ok in ")],
        "the showMessage of the outcome",
    )
    assert shown[0].type == types.MessageType.Info
    logged = await eventually(
        lambda: [m for m in client.log_messages if "REPORT Plugin: kili_plugin" in m.message],
        "the text report in the log",
    )
    assert "status: ok" in logged[0].message


async def test_runner_errors_are_reports_and_bad_arguments_are_errors(client: LanguageClient):
    missing = client.workspace / "no_such_plugin"
    report = await execute(client, {"path": str(missing), "event": "submit"})
    assert report["status"] == "runner_error"
    assert "no_such_plugin" in report["message"]
    shown = await eventually(
        lambda: [m for m in client.messages if "no_such_plugin" in m.message],
        "the showMessage of the runner error",
    )
    assert shown[0].type == types.MessageType.Error

    with pytest.raises(Exception, match="`path` is required"):
        await execute(client, {"event": "submit"})
    with pytest.raises(Exception, match="unknown platform"):
        await execute(client, {"path": str(missing), "platform": "jira"})

    # The server is still serving.
    uri = open_main(client)
    lenses = await asyncio.wait_for(
        client.text_document_code_lens_async(
            types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri))
        ),
        TIMEOUT,
    )
    assert any(lens.command.title == "Run on_submit locally" for lens in lenses)
