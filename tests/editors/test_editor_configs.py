"""The editor configurations under editors/ are well-formed and agree with each other: every one
starts `plugsmith server` and covers the same kinds of files."""

from __future__ import annotations

import json
import pathlib
import re

import pytest



def _toml():
    """tomllib (Python 3.11+); the TOML checks are skipped on 3.10."""
    return pytest.importorskip("tomllib", reason="tomllib needs Python 3.11+")
REPO = pathlib.Path(__file__).resolve().parents[2]
EDITORS = REPO / "editors"


def test_helix_languages_toml() -> None:
    tomllib = _toml()
    config = tomllib.loads((EDITORS / "helix" / "languages.toml").read_text())
    server = config["language-server"]["plugsmith"]
    assert server["command"] == "plugsmith" and server["args"] == ["server"]
    assert isinstance(server["config"]["ignore"], list)
    languages = {lang["name"]: lang for lang in config["language"]}
    for name in ("python", "json", "yaml", "toml", "panoptes-plugin", "plugsmith-text"):
        assert "plugsmith" in languages[name]["language-servers"], name
    assert {"glob": "*.panoptes-plugin"} in languages["panoptes-plugin"]["file-types"]
    assert languages["panoptes-plugin"]["grammar"] == "ini"
    assert (EDITORS / "helix" / "runtime" / "queries" / "panoptes-plugin" / "highlights.scm").read_text().startswith("; inherits: ini")


def test_zed_extension() -> None:
    tomllib = _toml()
    manifest = tomllib.loads((EDITORS / "zed" / "extension.toml").read_text())
    assert manifest["id"] == "plugsmith" and manifest["schema_version"] == 1
    assert {"Python", "JSON", "YAML", "TOML", "INI"} <= set(manifest["language_servers"]["plugsmith"]["languages"])
    cargo = tomllib.loads((EDITORS / "zed" / "Cargo.toml").read_text())
    assert cargo["lib"]["crate-type"] == ["cdylib"]
    assert cargo["dependencies"]["zed_extension_api"].startswith("0.7")
    assert "workspace" in cargo, "must not join the repository's Cargo workspace"
    source = (EDITORS / "zed" / "src" / "lib.rs").read_text()
    assert 'worktree.which(BINARY)' in source and 'const BINARY: &str = "plugsmith"' in source
    assert '"server".to_string()' in source
    assert "register_extension!" in source


def _balanced(text: str) -> bool:
    """Parentheses balance outside strings, comments and character literals (elisp)."""
    depth, i = 0, 0
    while i < len(text):
        c = text[i]
        if c == ";":
            i = text.find("\n", i)
            if i < 0:
                break
        elif c == '"':
            i += 1
            while text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif c == "?" and text[i + 1] == "\\":
            i += 2
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth < 0:
                return False
        i += 1
    return depth == 0


def test_emacs_eglot_entry() -> None:
    source = (EDITORS / "emacs" / "plugsmith-eglot.el").read_text()
    assert _balanced(source)
    assert "(add-to-list 'eglot-server-programs" in source
    assert '\'("plugsmith" "server")' in source
    for mode in ("python-mode", "json-mode", "yaml-mode", "conf-mode"):
        assert re.search(rf"\b{mode}\b", source), mode
    assert ":initializationOptions" in source
    assert source.rstrip().endswith(";;; plugsmith-eglot.el ends here")


def test_neovim_config_matches_the_others() -> None:
    source = (EDITORS / "neovim" / "lsp" / "plugsmith.lua").read_text()
    assert "cmd = { 'plugsmith', 'server' }" in source
    for filetype in ("python", "json", "yaml", "toml", "dosini"):
        assert f"'{filetype}'" in source, filetype
    assert "cmd = { 'plugsmith', 'server' }" in (EDITORS / "neovim" / "lspconfig.lua").read_text()


def test_vscode_manifest_and_ignore_files() -> None:
    manifest = json.loads((EDITORS / "vscode" / "package.json").read_text())
    assert manifest["engines"]["vscode"] == "^1.82.0"
    assert manifest["dependencies"]["vscode-languageclient"] == "^9.0.1"
    assert manifest["devDependencies"]["@vscode/vsce"].lstrip("~^").startswith("3.9")
    assert (EDITORS / "vscode" / "package-lock.json").is_file()
    ignored = (EDITORS / "vscode" / ".vscodeignore").read_text().split()
    assert "src/**" in ignored and "node_modules/**" in ignored
    gitignored = (EDITORS / "vscode" / ".gitignore").read_text().split()
    assert {"node_modules/", "dist/", "*.vsix"} <= set(gitignored)


def test_readmes_are_short() -> None:
    for readme in EDITORS.glob("*/README.md"):
        assert len(readme.read_text().split()) < 450, f"{readme} is too long to follow in two minutes"
