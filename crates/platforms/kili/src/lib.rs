//! Kili plugins: detection and rules (`RULES.md`, section on Kili; evidence in
//! `research/platforms.md`).
//!
//! Skeleton: detection and rules are being written; nothing is reported yet.

use std::path::Path;

use plugsmith_core::{Diagnostic, Files, Platform, Plugin, Rule};

/// The Kili platform.
pub struct KiliPlatform;

/// The value registered in `plugsmith_check`.
pub static PLATFORM: KiliPlatform = KiliPlatform;

impl Platform for KiliPlatform {
    fn name(&self) -> &'static str {
        "kili"
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
