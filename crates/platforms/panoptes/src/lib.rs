//! Panoptes plugins: detection and rules (`RULES.md`, section on Panoptes; evidence in
//! `research/platforms.md` section 2).
//!
//! A plugin is one info file: `*.panoptes-plugin`, a shipped `*.panoptes-plugin.example`
//! template, or an `*.ini` file with a `[Core]` section holding `Module`. The info file is read
//! with [`plugsmith_core::syntax::ini`] (Python `configparser` semantics, as yapsy reads it);
//! the module it names is resolved and read with tree-sitter. Nothing is executed.

use std::path::{Path, PathBuf};

use plugsmith_core::syntax::ini;
use plugsmith_core::{Diagnostic, Files, Platform, Plugin, Rule};

mod dsl;
mod info;
mod module;
pub mod rules;
mod values;

pub use rules::*;

/// The Panoptes platform.
pub struct PanoptesPlatform;

/// The value registered in `plugsmith_check`.
pub static PLATFORM: PanoptesPlatform = PanoptesPlatform;

/// What kind of info file a name is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum InfoKind {
    /// `*.panoptes-plugin`: loaded by Panoptes.
    Loaded,
    /// `*.panoptes-plugin.example`: a shipped template.
    Template,
    /// `*.ini`: only a plugin when it has `[Core]` with `Module`.
    Ini,
}

pub(crate) fn info_kind(path: &Path) -> Option<InfoKind> {
    let name = path.file_name()?.to_str()?;
    if name.ends_with(".panoptes-plugin") {
        Some(InfoKind::Loaded)
    } else if name.ends_with(".panoptes-plugin.example") {
        Some(InfoKind::Template)
    } else if name.ends_with(".ini") {
        Some(InfoKind::Ini)
    } else {
        None
    }
}

/// Whether an `.ini` file is a Panoptes info file: a cheap text prefilter, then `[Core]` with
/// `Module` (read leniently: a file with INI errors still counts, so that they get reported).
fn ini_is_info(path: &Path, files: &Files<'_>) -> bool {
    let Ok(text) = files.read(path) else {
        return false;
    };
    if !text.contains("[Core]") || !text.to_lowercase().contains("module") {
        return false;
    }
    ini::parse(&text).get("Core", "module").is_some()
}

fn is_plugin_file(path: &Path, files: &Files<'_>) -> bool {
    match info_kind(path) {
        Some(InfoKind::Loaded | InfoKind::Template) => true,
        Some(InfoKind::Ini) => ini_is_info(path, files),
        None => false,
    }
}

fn plugin(path: &Path) -> Plugin {
    Plugin::new("panoptes", path, Some(path.to_path_buf()))
}

impl Platform for PanoptesPlatform {
    fn name(&self) -> &'static str {
        "panoptes"
    }

    fn rules(&self) -> &'static [&'static Rule] {
        RULES
    }

    fn detect(&self, files: &Files<'_>) -> Vec<Plugin> {
        let candidates: Vec<PathBuf> = files
            .all()
            .filter(|path| info_kind(path).is_some())
            .map(Path::to_path_buf)
            .collect();
        candidates
            .iter()
            .filter(|path| is_plugin_file(path, files))
            .map(|path| plugin(path))
            .collect()
    }

    fn plugin_at(&self, path: &Path, files: &Files<'_>) -> Option<Plugin> {
        if files.is_file(path) {
            return info_kind(path).is_some().then(|| plugin(path));
        }
        // A folder: its first info file, loaded ones first.
        let children = files.children(path);
        let pick = |kind: InfoKind| {
            children
                .iter()
                .find(|child| info_kind(child) == Some(kind) && files.is_file(child))
        };
        pick(InfoKind::Loaded)
            .or_else(|| pick(InfoKind::Template))
            .or_else(|| pick(InfoKind::Ini))
            .map(|path| plugin(path))
    }

    fn check(&self, plugin: &Plugin, files: &Files<'_>) -> Vec<Diagnostic> {
        let path = plugin.entry.as_deref().unwrap_or(&plugin.root);
        info::check(path, files)
    }
}

#[cfg(test)]
mod tests;
