"""The platform-specific VS Code extension: built by editors/vscode/scripts/package.sh, inspected
as a zip.

`PLUGSMITH_VSIX=path.vsix` inspects an existing package. Otherwise the test packages one into a
temporary folder from `PLUGSMITH_BIN` (default target/debug/plugsmith, stripped on the way so the
package stays small); that needs node >= 20 and npm, and npm registry access the first time
(`npm ci` in editors/vscode).
"""

from __future__ import annotations

import json
import os
import re
import pathlib
import shutil
import stat
import subprocess
import zipfile

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
EXTENSION = REPO / "editors" / "vscode"
PLUGSMITH_BIN = pathlib.Path(
    os.environ.get("PLUGSMITH_BIN", str(REPO / "target" / "debug" / "plugsmith"))
)

COMMANDS = {"plugsmith.runPlugin", "plugsmith.restartServer", "plugsmith.showOutput"}
SETTINGS = {
    "plugsmith.server.path",
    "plugsmith.server.args",
    "plugsmith.trace.server",
    "plugsmith.select",
    "plugsmith.ignore",
}


@pytest.fixture(scope="module")
def vsix(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    given = os.environ.get("PLUGSMITH_VSIX")
    if given:
        return pathlib.Path(given)
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            pytest.skip(f"`{tool}` is not installed: cannot build the .vsix (install node >= 20 and npm, or set PLUGSMITH_VSIX)")
    if not PLUGSMITH_BIN.is_file():
        pytest.skip(f"{PLUGSMITH_BIN} does not exist: build it with `cargo build -p plugsmith` or set PLUGSMITH_BIN")
    out = tmp_path_factory.mktemp("vsix") / "plugsmith-linux-x64.vsix"
    env = dict(os.environ, PLUGSMITH_BIN=str(PLUGSMITH_BIN))
    if shutil.which("strip"):
        env["PLUGSMITH_STRIP"] = "1"
    result = subprocess.run(
        [str(EXTENSION / "scripts" / "package.sh"), str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, f"package.sh failed:\n{result.stdout}\n{result.stderr}"
    assert out.is_file(), result.stdout
    return out


@pytest.fixture(scope="module")
def archive(vsix: pathlib.Path):
    with zipfile.ZipFile(vsix) as zf:
        yield zf


@pytest.fixture(scope="module")
def manifest(archive: zipfile.ZipFile) -> dict:
    return json.loads(archive.read("extension/package.json"))


def test_contributes_the_commands(manifest: dict) -> None:
    commands = {c["command"]: c for c in manifest["contributes"]["commands"]}
    assert COMMANDS <= set(commands)
    assert commands["plugsmith.runPlugin"]["enablement"] == "isWorkspaceTrusted"


def test_contributes_the_settings(manifest: dict) -> None:
    properties = manifest["contributes"]["configuration"]["properties"]
    assert SETTINGS <= set(properties)
    assert properties["plugsmith.trace.server"]["enum"] == ["off", "messages", "verbose"]
    for key in ("plugsmith.server.args", "plugsmith.select", "plugsmith.ignore"):
        assert properties[key]["type"] == "array", key


def test_untrusted_workspaces_are_limited(manifest: dict) -> None:
    untrusted = manifest["capabilities"]["untrustedWorkspaces"]
    assert untrusted["supported"] == "limited"
    assert set(untrusted["restrictedConfigurations"]) == {"plugsmith.server.path", "plugsmith.server.args"}


def test_engine_main_and_panoptes_language(manifest: dict) -> None:
    assert manifest["engines"]["vscode"] == "^1.82.0"
    assert manifest["main"] == "./dist/extension.js"
    assert manifest["dependencies"]["vscode-languageclient"].startswith("^9.")
    languages = {lang["id"]: lang for lang in manifest["contributes"]["languages"]}
    assert ".panoptes-plugin" in languages["panoptes-plugin"]["extensions"]


def test_targets_linux_x64(archive: zipfile.ZipFile) -> None:
    vsixmanifest = archive.read("extension.vsixmanifest").decode()
    assert 'TargetPlatform="linux-x64"' in vsixmanifest


def test_bundles_the_executable_server(archive: zipfile.ZipFile, tmp_path: pathlib.Path) -> None:
    info = archive.getinfo("extension/bundled/bin/plugsmith")
    mode = info.external_attr >> 16
    assert stat.S_ISREG(mode) or mode & 0o170000 == 0, oct(mode)
    assert mode & 0o111 == 0o111, f"bundled binary is not executable: {oct(mode)}"
    assert info.file_size > 1_000_000
    # The bundled binary is a working plugsmith.
    binary = pathlib.Path(archive.extract(info, tmp_path))
    binary.chmod(mode & 0o777)
    version = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=60)
    assert version.stdout.startswith("plugsmith "), version


def test_ships_the_bundle_not_the_sources(archive: zipfile.ZipFile) -> None:
    names = archive.namelist()
    assert "extension/dist/extension.js" in names
    assert archive.getinfo("extension/dist/extension.js").file_size > 10_000
    unwanted = [
        n
        for n in names
        if n.startswith(("extension/src/", "extension/node_modules/", "extension/test/", "extension/out/"))
        or n.endswith((".ts", ".vsix"))
    ]
    assert unwanted == []


def test_bundle_does_not_inline_vscode(archive: zipfile.ZipFile) -> None:
    bundle = archive.read("extension/dist/extension.js").decode()
    assert 'require("vscode")' in bundle
    assert "plugsmith.runPlugin" in bundle


def test_extension_unit_tests(vsix: pathlib.Path) -> None:
    """The extension's own unit tests (node --test on the compiled TS): server lookup order,
    settings → initializationOptions, runPlugin arguments, the bundle loading."""
    if shutil.which("npm") is None or not (EXTENSION / "node_modules").is_dir():
        pytest.skip("editors/vscode/node_modules is missing: run `npm ci` in editors/vscode")
    result = subprocess.run(["npm", "test"], cwd=EXTENSION, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    assert re.search(r"^# fail 0$", result.stdout, re.M), result.stdout
