"""End-to-end tests of `plugsmith server` through pytest-lsp (a real LSP client over stdio).

The server binary comes from `PLUGSMITH_BIN` (default: `target/debug/plugsmith` of this
repository). Each test gets a fresh workspace under a temporary folder, built from text that
triggers rules of three platforms, and a client replaying the recorded capabilities of VS Code
1.65 (UTF-16, dynamic file-watcher registration) or Neovim 0.11 (offers UTF-8).
"""

from __future__ import annotations

import asyncio
import json
import os
import pathlib
import sys
from dataclasses import dataclass, field
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

REPO = pathlib.Path(__file__).resolve().parents[2]
PLUGSMITH_BIN = os.environ.get("PLUGSMITH_BIN", str(REPO / "target" / "debug" / "plugsmith"))
SERVER_COMMAND = [PLUGSMITH_BIN, "server", "--stdio"]

# How long to wait for the server before a test fails (debug builds on a busy 2-core box).
TIMEOUT = float(os.environ.get("PLUGSMITH_E2E_TIMEOUT", "60"))

PROFILES = ["visual-studio-code", "neovim"]

# --- The workspace -------------------------------------------------------------------------

KILI_MAIN = """\
from kili.plugins import PluginCore


class PluginHandler(PluginCore):
    def on_submit(self, label, asset_id):
        pass
"""

# A helper module of a Kili folder plugin with a syntax error (PLG001 on line 1).
KILI_HELPERS_BROKEN = "def helper(x)\n    return x\n"
KILI_HELPERS_FIXED = "def helper(x):\n    return x\n"

# A Panoptes info file whose Module does not exist yet (PAN007).
PANOPTES_INFO = """\
[Core]
Name = x
Module = missing_module

[Documentation]
Author = Example Org
Version = 0.1
Website = https://example.org
Description = Example plugin

[main]
execute_frequency = 60
resource_filter = resource_class = "network"
"""

PANOPTES_MODULE = """\
from yahoo_panoptes.framework.metrics import PanoptesMetricsGroupSet
from yahoo_panoptes.polling.polling_plugin import PanoptesPollingPlugin


class PluginPollingExample(PanoptesPollingPlugin):
    def run(self, context):
        return PanoptesMetricsGroupSet()
"""

# A Supervisely plugin_info.json: `title` is a number, `type` a typo (with a fix), `run_mode`
# unknown. The `type` line starts with non-ASCII text so that its columns differ between
# UTF-8 and UTF-16 (😀 is 4 bytes, 2 UTF-16 units; é is 2 bytes, 1 unit).
SLY_INFO = (
    "{\n"
    '\t"title": 42,\n'
    '\t"description": "Imports é 😀 datasets", "type": "imprt",\n'
    '\t"run_mode": "general"\n'
    "}\n"
)
SLY_TYPE_LINE = SLY_INFO.splitlines()[2]

# The base image's tag is pinned (SLY008: the stock `FROM base-py:${TAG}` needs a base image
# published under the plugin's own tag).
SLY_DOCKERFILE = """\
ARG REGISTRY
ARG BASE_TAG=6.1.4
FROM ${REGISTRY}/base-py:${BASE_TAG}
WORKDIR /workdir/src
"""

SLY_MAIN = """\
import supervisely_lib as sly


def main():
    sly.report_import_finished()


if __name__ == "__main__":
    sly.main_wrapper("IMPORT_MY_FORMAT", main)
"""


# A Flowdapt package whose workflow names a stage that exists (`fetch`) and one that does not
# (`models.predict`: FDT005 with a related location in models.py).
FDT_PYPROJECT = """\
[project]
name = "my_plugin"
version = "0.1.0"

[project.entry-points."flowdapt.plugins"]
my_plugin = "my_plugin"
"""
FDT_STAGES = "def fetch():\n    return []\n"
FDT_MODELS = "def fit():\n    return None\n"
FDT_WORKFLOW = """\
kind: workflow
metadata:
  name: wf
spec:
  stages:
    - name: fetch
      target: my_plugin.stages.fetch
    - name: predict
      target: my_plugin.models.predict
"""


def build_workspace(root: pathlib.Path) -> pathlib.Path:
    files = {
        "fdt/pyproject.toml": FDT_PYPROJECT,
        "fdt/my_plugin/__init__.py": "",
        "fdt/my_plugin/stages.py": FDT_STAGES,
        "fdt/my_plugin/models.py": FDT_MODELS,
        "fdt/workflows/wf.yaml": FDT_WORKFLOW,
        "kili_plugin/main.py": KILI_MAIN,
        "kili_plugin/helpers.py": KILI_HELPERS_BROKEN,
        "pan/x.panoptes-plugin": PANOPTES_INFO,
        "sly/plugin_info.json": SLY_INFO,
        "sly/Dockerfile": SLY_DOCKERFILE,
        "sly/VERSION": "import-my-format:1.0.0\n",
        "sly/README.md": "# My format import\n\nConverts datasets.\n",
        "sly/LICENSE": "MIT License\n",
        "sly/src/main.py": SLY_MAIN,
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
    return root


# --- Position helpers ----------------------------------------------------------------------


def column(line: str, byte_or_char_index: int, encoding: str) -> int:
    """The LSP column of the character at Python index `byte_or_char_index` of `line`."""
    prefix = line[:byte_or_char_index]
    if encoding == "utf-8":
        return len(prefix.encode("utf-8"))
    if encoding == "utf-16":
        return len(prefix.encode("utf-16-le")) // 2
    return len(prefix)


def lsp_range(line_no: int, line: str, start: int, end: int, encoding: str) -> types.Range:
    return types.Range(
        start=types.Position(line=line_no, character=column(line, start, encoding)),
        end=types.Position(line=line_no, character=column(line, end, encoding)),
    )


# --- The client ----------------------------------------------------------------------------


@dataclass
class Published:
    uri: str
    version: int | None
    diagnostics: list[types.Diagnostic]


@dataclass
class Recorder:
    """Everything the server sent that the tests look at."""

    published: list[Published] = field(default_factory=list)
    registrations: list[types.Registration] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)


def make_client() -> LanguageClient:
    client = LanguageClient()
    recorder = Recorder()
    client.recorder = recorder  # type: ignore[attr-defined]
    features = dict(DEFAULT_CLIENT_FEATURES)

    def publish(ls: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
        ls.diagnostics[params.uri] = params.diagnostics
        recorder.published.append(
            Published(params.uri, params.version, list(params.diagnostics))
        )
        recorder.changed.set()

    def register(ls: LanguageClient, params: types.RegistrationParams) -> None:
        recorder.registrations.extend(params.registrations)
        recorder.changed.set()

    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = publish
    features[types.CLIENT_REGISTER_CAPABILITY] = register
    register_lsp_features(client, features)
    return client


async def wait_until(client: LanguageClient, predicate, what: str = "condition") -> Any:
    """Waits until `predicate()` is truthy (re-evaluated after every message of interest)."""
    recorder: Recorder = client.recorder  # type: ignore[attr-defined]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT
    while True:
        value = predicate()
        if value:
            return value
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise AssertionError(f"timed out waiting for {what}; published: {recorder.published}")
        recorder.changed.clear()
        try:
            await asyncio.wait_for(recorder.changed.wait(), timeout=remaining)
        except asyncio.TimeoutError:
            pass


def codes(diagnostics) -> list[str]:
    return sorted(str(d.code) for d in diagnostics)


@pytest.fixture
def workspace(tmp_path: pathlib.Path) -> pathlib.Path:
    return build_workspace(tmp_path / "ws")


@pytest.fixture
def init_options() -> dict | None:
    return None


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER_COMMAND, client_factory=make_client),
    params=PROFILES,
)
async def client(request, lsp_client: LanguageClient, workspace: pathlib.Path, init_options):
    uri = workspace.as_uri()
    result = await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(request.param),
            root_uri=uri,
            workspace_folders=[types.WorkspaceFolder(uri=uri, name="ws")],
            initialization_options=init_options,
        )
    )
    lsp_client.profile = request.param  # type: ignore[attr-defined]
    lsp_client.init_result = result  # type: ignore[attr-defined]
    lsp_client.workspace = workspace  # type: ignore[attr-defined]
    yield
    server = lsp_client._server
    if server is not None and server.returncode is None:
        await lsp_client.shutdown_session()


# --- A raw stdio client for input no real client sends -------------------------------------


class RawServer:
    """`plugsmith server` over stdio with hand-made frames."""

    def __init__(self, process: asyncio.subprocess.Process):
        self.process = process
        self.next_id = 100
        self.notifications: list[dict] = []

    @classmethod
    async def start(cls) -> "RawServer":
        process = await asyncio.create_subprocess_exec(
            *SERVER_COMMAND,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=sys.stderr.fileno() if hasattr(sys.stderr, "fileno") else None,
        )
        return cls(process)

    async def write(self, raw: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(raw)
        await self.process.stdin.drain()

    async def send(self, message: dict) -> None:
        body = json.dumps(message).encode("utf-8")
        await self.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    async def request(self, method: str, params: Any = None) -> dict:
        self.next_id += 1
        request_id = self.next_id
        message = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        await self.send(message)
        return await self.response(request_id)

    async def notify(self, method: str, params: Any = None) -> None:
        message = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        await self.send(message)

    async def read(self) -> dict:
        assert self.process.stdout is not None
        length = None
        while True:
            line = await asyncio.wait_for(self.process.stdout.readline(), TIMEOUT)
            if not line:
                raise EOFError("the server closed stdout")
            line = line.strip()
            if not line:
                break
            name, _, value = line.decode("ascii").partition(":")
            if name.lower() == "content-length":
                length = int(value)
        assert length is not None
        body = await asyncio.wait_for(self.process.stdout.readexactly(length), TIMEOUT)
        return json.loads(body)

    async def response(self, request_id: Any) -> dict:
        """Reads messages until the response to `request_id` (notifications are kept)."""
        while True:
            message = await self.read()
            if "method" not in message and message.get("id") == request_id:
                return message
            if "method" in message and "id" not in message:
                self.notifications.append(message)

    async def diagnostics(self, uri: str, version: int | None) -> list[dict]:
        """Waits for diagnostics of `uri` at `version`."""

        def matches(message: dict) -> bool:
            params = message.get("params") or {}
            return (
                message.get("method") == "textDocument/publishDiagnostics"
                and params.get("uri") == uri
                and params.get("version") == version
            )

        while True:
            for message in self.notifications:
                if matches(message):
                    self.notifications.remove(message)
                    return message["params"]["diagnostics"]
            message = await self.read()
            if "method" in message and "id" not in message:
                self.notifications.append(message)

    async def close(self) -> int:
        try:
            await self.request("shutdown")
            await self.notify("exit")
        finally:
            if self.process.stdin is not None:
                self.process.stdin.close()
        return await asyncio.wait_for(self.process.wait(), TIMEOUT)
