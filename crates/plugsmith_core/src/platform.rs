//! The one small interface every platform implements.
//!
//! A platform lives in its own crate (`crates/platforms/<name>`), exports one value that
//! implements [`Platform`], and is registered in `plugsmith_check`. Adding a sixth platform
//! touches its folder, its schemas and its fixtures, and that one registration line.

use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;
use crate::rule::Rule;
use crate::workspace::Files;

/// One plugin found in the workspace.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Plugin {
    /// The platform's name, as [`Platform::name`] gives it.
    pub platform: &'static str,
    /// The plugin's folder, or its file for a single-file plugin or a lone manifest.
    pub root: PathBuf,
    /// The file the platform starts from (`main.py`, the `.panoptes-plugin` info file,
    /// `plugin_info.json`, `pyproject.toml`, `__init__.py`), when there is one.
    pub entry: Option<PathBuf>,
}

impl Plugin {
    pub fn new(platform: &'static str, root: impl Into<PathBuf>, entry: Option<PathBuf>) -> Self {
        Plugin {
            platform,
            root: root.into(),
            entry,
        }
    }
}

/// What each platform provides. Implementations must not panic on any input, must not do IO
/// (everything goes through [`Files`]) and must not execute plugin code.
pub trait Platform: Send + Sync {
    /// Lower-case name used in configuration and output: `kili`, `panoptes`, `supervisely`,
    /// `flowdapt`, `archihub`.
    fn name(&self) -> &'static str;

    /// Every rule this platform reports (the common `PLG` rules are listed by the core).
    fn rules(&self) -> &'static [&'static Rule];

    /// Every plugin of this platform among the workspace files, by the detection rules of
    /// `RULES.md`.
    fn detect(&self, files: &Files<'_>) -> Vec<Plugin>;

    /// The plugin rooted at `path` (a folder or a file) when configuration says it belongs to
    /// this platform: no content heuristics. `None` when nothing there can be checked as such.
    fn plugin_at(&self, path: &Path, files: &Files<'_>) -> Option<Plugin>;

    /// Every diagnostic for one plugin, in any order (the caller sorts and filters).
    fn check(&self, plugin: &Plugin, files: &Files<'_>) -> Vec<Diagnostic>;
}
