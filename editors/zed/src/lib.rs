//! Zed extension for plugsmith: finds the `plugsmith` binary and starts `plugsmith server`.
//!
//! Lookup: `lsp.plugsmith.binary.path` in Zed's settings, else `plugsmith` on the worktree's
//! PATH (`worktree.which`). `lsp.plugsmith.initialization_options` (e.g.
//! `{"select": ["KIL"], "ignore": ["PAN010"]}`) is passed to the server as is.

use zed_extension_api::{self as zed, serde_json, settings::LspSettings, LanguageServerId, Result};

const BINARY: &str = "plugsmith";

struct PlugsmithExtension;

impl zed::Extension for PlugsmithExtension {
    fn new() -> Self {
        PlugsmithExtension
    }

    fn language_server_command(
        &mut self,
        language_server_id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<zed::Command> {
        let binary = LspSettings::for_worktree(language_server_id.as_ref(), worktree)
            .ok()
            .and_then(|settings| settings.binary);
        let configured_path = binary.as_ref().and_then(|b| b.path.clone());
        let command = configured_path
            .or_else(|| worktree.which(BINARY))
            .ok_or_else(|| {
                "plugsmith was not found on PATH: install it (cargo install --path crates/plugsmith, \
                 or a release binary) or set lsp.plugsmith.binary.path in Zed's settings"
                    .to_string()
            })?;
        let args = binary
            .as_ref()
            .and_then(|b| b.arguments.clone())
            .unwrap_or_else(|| vec!["server".to_string()]);
        let mut env = worktree.shell_env();
        if let Some(extra) = binary.and_then(|b| b.env) {
            env.extend(extra);
        }
        Ok(zed::Command { command, args, env })
    }

    fn language_server_initialization_options(
        &mut self,
        language_server_id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<Option<serde_json::Value>> {
        Ok(LspSettings::for_worktree(language_server_id.as_ref(), worktree)
            .ok()
            .and_then(|settings| settings.initialization_options))
    }

    fn language_server_workspace_configuration(
        &mut self,
        language_server_id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<Option<serde_json::Value>> {
        Ok(LspSettings::for_worktree(language_server_id.as_ref(), worktree)
            .ok()
            .and_then(|settings| settings.settings))
    }
}

zed::register_extension!(PlugsmithExtension);
