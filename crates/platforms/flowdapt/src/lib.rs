//! Flowdapt plugins: detection and rules (`RULES.md`, section on Flowdapt; evidence in
//! `research/platforms.md`).
//!
//! Skeleton: detection and rules are being written; nothing is reported yet.

use std::path::Path;

use plugsmith_core::{Diagnostic, Files, Platform, Plugin, Rule};

/// The Flowdapt platform.
pub struct FlowdaptPlatform;

/// The value registered in `plugsmith_check`.
pub static PLATFORM: FlowdaptPlatform = FlowdaptPlatform;

impl Platform for FlowdaptPlatform {
    fn name(&self) -> &'static str {
        "flowdapt"
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
