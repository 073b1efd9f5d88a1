//! Archihub plugins: detection and rules (`RULES.md`, section on Archihub; evidence in
//! `research/platforms.md`).
//!
//! Skeleton: detection and rules are being written; nothing is reported yet.

use std::path::Path;

use plugsmith_core::{Diagnostic, Files, Platform, Plugin, Rule};

/// The Archihub platform.
pub struct ArchihubPlatform;

/// The value registered in `plugsmith_check`.
pub static PLATFORM: ArchihubPlatform = ArchihubPlatform;

impl Platform for ArchihubPlatform {
    fn name(&self) -> &'static str {
        "archihub"
    }

    fn rules(&self) -> &'static [&'static Rule] {
        &[]
    }

    fn detect(&self, _files: &Files<'_>) -> Vec<Plugin> {
        Vec::new()
    }

    fn plugin_at(&self, _path: &Path, _files: &Files<'_>) -> Option<Plugin> {
        None
    }

    fn check(&self, _plugin: &Plugin, _files: &Files<'_>) -> Vec<Diagnostic> {
        Vec::new()
    }
}
