//! Kili plugins: detection and rules (`RULES.md`, section on Kili; evidence in
//! `research/platforms.md` 1.1, 1.2 and 1.6).
//!
//! The rules follow the current SDK, kili 26.2.4 (`kili/services/plugins/upload.py`,
//! `events.py`, `model.py`): what its upload checks reject, and what a handler must look like
//! for Kili's call to bind. Everything is read from the source (tree-sitter), never run.
//!
//! - [`detect`]: which files and folders are Kili plugins.
//! - [`handlers`]: the `PluginHandler` class as the upload scan sees it.
//! - [`signature`]: Python's argument binding for KIL006.
//! - [`events`]: `@on_kili_event` subscriptions (KIL013) and the `kili_events` catalog.
//! - [`check`]: the rules, per plugin.

use std::path::Path;

use plugsmith_core::{Diagnostic, Files, Platform, Plugin, Rule, Severity};

mod check;
pub mod detect;
pub mod events;
pub mod handlers;
pub mod legacy_style;
mod py;
pub mod signature;

/// The Kili platform.
pub struct KiliPlatform;

/// The value registered in `plugsmith_check`.
pub static PLATFORM: KiliPlatform = KiliPlatform;

impl Platform for KiliPlatform {
    fn name(&self) -> &'static str {
        detect::NAME
    }

    fn rules(&self) -> &'static [&'static Rule] {
        RULES
    }

    fn detect(&self, files: &Files<'_>) -> Vec<Plugin> {
        detect::detect(files)
    }

    fn plugin_at(&self, path: &Path, files: &Files<'_>) -> Option<Plugin> {
        detect::plugin_at(path, files)
    }

    fn check(&self, plugin: &Plugin, files: &Files<'_>) -> Vec<Diagnostic> {
        check::check(plugin, files)
    }
}

macro_rules! rule {
    ($(#[$doc:meta])* $id:ident, $name:literal, $severity:ident, $core:literal, $summary:literal) => {
        $(#[$doc])*
        pub static $id: Rule = Rule {
            code: stringify!($id),
            name: $name,
            severity: Severity::$severity,
            core: $core,
            summary: $summary,
            doc: include_str!(concat!("../rules/", stringify!($id), ".md")),
        };
    };
}

rule!(
    /// No top-level `class PluginHandler` in the entry file (upload error).
    KIL001, "missing-plugin-handler", Error, true,
    "No top-level `class PluginHandler` in the plugin's entry file"
);
rule!(
    /// Folder plugin without `main.py` at its root (upload error).
    KIL002, "missing-main-py", Error, true,
    "Folder plugin without `main.py` at its root"
);
rule!(
    /// `PluginHandler` does not subclass `PluginCore`.
    KIL003, "handler-not-plugin-core", Warning, true,
    "`PluginHandler` does not subclass `PluginCore`"
);
rule!(
    /// `PluginHandler` has no handler (upload error since kili 26.2).
    KIL004, "no-handler", Error, true,
    "`PluginHandler` defines no handler, no `@on_kili_event` method and no `on_event`"
);
rule!(
    /// A legacy handler is `async def`: the upload scan ignores it.
    KIL005, "async-handler", Error, true,
    "A legacy handler (or `on_event`) is `async def`: the upload ignores it and it never runs"
);
rule!(
    /// A legacy handler's signature cannot take Kili's call.
    KIL006, "handler-signature", Error, true,
    "Legacy handler signature cannot accept the platform's positional call"
);
rule!(
    /// `on_event` together with legacy handlers (upload error).
    KIL007, "on-event-with-handlers", Error, true,
    "`on_event` together with legacy handlers: the upload fails with or without an event matcher"
);
rule!(
    /// `PluginHandler.__init__` without `super().__init__(...)`.
    KIL008, "init-without-super", Error, true,
    "`PluginHandler.__init__` overridden without calling `super().__init__(...)`"
);
rule!(
    /// `class PluginHandler` not at the module top level.
    KIL009, "nested-plugin-handler", Warning, true,
    "`class PluginHandler` is not at module top level: the upload scan does not see it"
);
rule!(
    /// The plugin's code reads a file that the upload does not send.
    KIL010, "unuploaded-data-file", Warning, false,
    "The plugin reads a file other than `.py` / `requirements.txt`: the upload does not send it"
);
rule!(
    /// `print(...)` inside a handler: its output is not kept on premise.
    KIL011, "print-in-handler", Info, false,
    "`print(...)` inside a handler: output is not kept on premise; log with `self.logger`"
);
rule!(
    /// The 2022 function-style plugin (`def onSubmit(label, projectId, assetId)`, no class).
    KIL012, "function-style-plugin", Warning, false,
    "Old function-style plugin (`def onSubmit(label, projectId, assetId)` without a class)"
);
rule!(
    /// `@on_kili_event` misused (upload error).
    KIL013, "on-kili-event-misuse", Error, true,
    "`@on_kili_event` misused: decorator, signature or event annotation the upload rejects"
);
rule!(
    /// `@on_kili_event` methods together with legacy handlers or `on_event` (upload error).
    KIL014, "mixed-handler-styles", Error, true,
    "`@on_kili_event` methods together with legacy handlers or `on_event`"
);
rule!(
    /// `on_event` without `@on_kili_event` methods: deprecated.
    KIL015, "deprecated-on-event", Warning, true,
    "`on_event` is deprecated: it needs an event matcher and receives the whole event"
);
rule!(
    /// `on_project_updated` is no longer a handler.
    KIL016, "on-project-updated", Warning, true,
    "`on_project_updated` is no longer a handler (kili 26.2) and is never called"
);

rule!(
    /// `@on_kili_event` methods in a `PluginHandler` with a base other than `PluginCore`.
    KIL017, "inherited-event-methods", Warning, false,
    "`PluginHandler` with `@on_kili_event` methods inherits from a base other than `PluginCore`: inherited decorated methods are not subscribed"
);

/// Every Kili rule this crate reports.
pub static RULES: &[&Rule] = &[
    &KIL001, &KIL002, &KIL003, &KIL004, &KIL005, &KIL006, &KIL007, &KIL008, &KIL009, &KIL010,
    &KIL011, &KIL013, &KIL014, &KIL015, &KIL016, &KIL017,
];
