//! plugsmith's checker: finds the plugins of every platform in a [`Workspace`], checks them,
//! applies configuration (select, ignore, per-file ignores, platform overrides) and inline
//! suppressions, and returns sorted diagnostics with the files each plugin depends on.
//!
//! Pure like the core: the front end builds the workspace and reads configuration files.

mod imports;
mod registry;
mod settings;
mod stdlib;
mod suppression;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::LazyLock;

use plugsmith_core::{Diagnostic, Plugin, Workspace};
use rayon::prelude::*;

pub use registry::{all_rules, find_rule, platform, platforms};
pub use settings::{ConfigError, Settings};

/// One checked plugin: its diagnostics after filtering, and every path the check looked at
/// (read, probed or listed). A change to any of those paths can change the diagnostics.
#[derive(Debug, Clone)]
pub struct CheckedPlugin {
    pub plugin: Plugin,
    pub inputs: BTreeSet<PathBuf>,
    pub diagnostics: Vec<Diagnostic>,
}

/// The result of checking a workspace.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Every plugin found, in path order.
    pub plugins: Vec<CheckedPlugin>,
}

impl Report {
    /// Every diagnostic, sorted by path, position and code, without duplicates (a file shared
    /// by two plugins is reported once).
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut all: Vec<Diagnostic> = self
            .plugins
            .iter()
            .flat_map(|checked| checked.diagnostics.iter().cloned())
            .collect();
        sort_and_dedup(&mut all);
        all
    }
}

/// The threads checks run on. Their stacks are large (256 MiB of address space, committed only
/// as used): rules walk syntax trees, and a user's file may nest deeply.
static POOL: LazyLock<rayon::ThreadPool> = LazyLock::new(|| {
    rayon::ThreadPoolBuilder::new()
        .thread_name(|index| format!("plugsmith-check-{index}"))
        .stack_size(256 << 20)
        .build()
        .unwrap_or_else(|_| {
            // Threads could not be made with that stack (an unusual limit): fall back to
            // rayon's defaults rather than fail.
            rayon::ThreadPoolBuilder::new()
                .build()
                .expect("a default thread pool can be built")
        })
});

/// Frees what the checking threads keep between checks (their parsers' buffers). A long-lived
/// front end calls it when a batch of work is done; the next check is as fast.
pub fn release_memory() {
    POOL.broadcast(|_| plugsmith_core::syntax::python::release_parser());
}

/// Finds every plugin of every platform, honouring platform overrides, in path order.
pub fn detect(workspace: &Workspace, settings: &Settings) -> Vec<Plugin> {
    POOL.install(|| detect_here(workspace, settings))
}

fn detect_here(workspace: &Workspace, settings: &Settings) -> Vec<Plugin> {
    // Platforms detect in parallel (detection parses candidate files, and the parses are
    // cached for the checks), each through its own view.
    let mut plugins: Vec<Plugin> = platforms()
        .par_iter()
        .filter(|platform| settings.platform_enabled(platform.name()))
        .flat_map_iter(|platform| platform.detect(&workspace.files()))
        .collect();
    let files = workspace.files();
    // An override makes the path one plugin of that platform: whatever was detected at or
    // below it (by any platform) gives way.
    for (path, name) in settings.platform_overrides() {
        plugins.retain(|plugin| !plugin.root.starts_with(path));
        if let Some(plugin) = registry::platform(name).and_then(|p| p.plugin_at(path, &files)) {
            plugins.push(plugin);
        }
    }
    plugins.sort();
    plugins.dedup();
    plugins
}

/// Checks one plugin: runs its platform's rules, then drops what configuration or an inline
/// `plugsmith: ignore[...]` comment suppresses.
pub fn check_plugin(workspace: &Workspace, settings: &Settings, plugin: &Plugin) -> CheckedPlugin {
    POOL.install(|| check_plugin_here(workspace, settings, plugin))
}

fn check_plugin_here(workspace: &Workspace, settings: &Settings, plugin: &Plugin) -> CheckedPlugin {
    let files = workspace.files();
    let mut diagnostics = match registry::platform(plugin.platform) {
        Some(platform) => platform.check(plugin, &files),
        None => Vec::new(),
    };
    diagnostics.extend(check_requirements(plugin, &files));
    diagnostics.extend(imports::check(plugin, &files));
    diagnostics.retain(|diagnostic| !suppression::is_suppressed(&files, diagnostic));
    diagnostics.extend(unknown_suppressed_codes(workspace, &files));
    diagnostics.retain(|diagnostic| settings.enabled(diagnostic.code, &diagnostic.path));
    sort_and_dedup(&mut diagnostics);
    CheckedPlugin {
        plugin: plugin.clone(),
        inputs: files.into_inputs(),
        diagnostics,
    }
}

/// PLG005 for the files this check read: codes in `plugsmith: ignore[...]` that no rule has.
fn unknown_suppressed_codes(
    workspace: &Workspace,
    files: &plugsmith_core::Files<'_>,
) -> Vec<Diagnostic> {
    let known = |code: &str| registry::find_rule(code).is_some();
    let inputs = files.inputs();
    inputs
        .iter()
        // Only texts the rules already read: no new reads (a probed binary file is not text).
        .filter_map(|path| workspace.cached_text(path).map(|text| (path, text)))
        .filter(|(_, text)| text.contains("plugsmith: ignore["))
        .flat_map(|(path, text)| suppression::unknown_codes(path, &text, known))
        .collect()
}

/// PLG003 for the plugin's `requirements.txt` (at its root folder), whatever the platform:
/// every platform that installs requirements does it with `pip install -r`.
fn check_requirements(plugin: &Plugin, files: &plugsmith_core::Files<'_>) -> Vec<Diagnostic> {
    let path = plugin.root.join("requirements.txt");
    match files.read(&path) {
        Ok(text) => plugsmith_core::common::requirements_diagnostics(&path, &text),
        Err(_) => Vec::new(),
    }
}

/// Detects and checks every plugin, in parallel.
pub fn check(workspace: &Workspace, settings: &Settings) -> Report {
    POOL.install(|| {
        let plugins = detect_here(workspace, settings);
        let plugins = plugins
            .par_iter()
            .map(|plugin| check_plugin_here(workspace, settings, plugin))
            .collect();
        Report { plugins }
    })
}

fn sort_and_dedup(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| {
        (&a.path, a.range.start(), a.range.end(), a.code, &a.message).cmp(&(
            &b.path,
            b.range.start(),
            b.range.end(),
            b.code,
            &b.message,
        ))
    });
    diagnostics.dedup();
}
