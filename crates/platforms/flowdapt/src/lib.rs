//! Flowdapt plugins: detection and rules (`RULES.md`, section on Flowdapt; evidence in
//! `research/platforms.md` section 4, flowdapt@6d83f04 / flowdapt 0.1.52 and flowctl 0.1.4).
//!
//! What a plugin is here:
//! - a **project**: the folder of a `pyproject.toml`, `setup.py` or `setup.cfg` that declares
//!   the `flowdapt.plugins` entry-point group (entry: that manifest). It owns every resource
//!   file below it (except those of a nested project), the Python files of the packages its
//!   entry points load and the modules its stage targets resolve to;
//! - a **lone resource file**: a `.yaml`/`.yml`/`.json` file whose top level is a Flowdapt
//!   resource (`kind: workflow | config | trigger_rule`, or the legacy flat `name` + `stages`
//!   form, or `metadata` + `spec` without `kind`) outside any such project (root and entry: the
//!   file). Projects without the entry point (like flowdapt-cryptocast-plugin) are checked
//!   this way, file by file.
//!
//! Cookiecutter/Jinja templates (`{{ cookiecutter.x }}`, `{% ... %}`) are not checked: they are
//! not YAML/TOML until rendered.
//!
//! - [`project`]: manifests and their entry points (toml_edit, tree-sitter, INI reader).
//! - [`entry_points`]: FDT001, FDT002.
//! - [`resources`]: PLG002, FDT003, FDT004 (bundled schemas `schemas/flowdapt.*.schema.json`).
//! - [`graph`]: FDT006. [`targets`]: FDT005 and PLG001. [`modules`]: module lookup.
//! - [`stage_function`]: FDT007. [`triggers`]: FDT008. [`packaging`]: FDT009.

pub mod entry_points;
pub mod graph;
pub mod modules;
pub mod packaging;
pub mod project;
pub mod resources;
pub mod stage_function;
pub mod suggest;
pub mod targets;
pub mod triggers;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use plugsmith_core::workspace::normalize;
use plugsmith_core::{Diagnostic, Files, Platform, Plugin, Rule, Severity, TextRange, TextSize};

use crate::project::{MANIFESTS, Manifest};

/// FDT001: entry-point module does not normalise to the distribution name.
pub static FDT001: Rule = Rule {
    code: "FDT001",
    name: "entry-point-not-distribution",
    severity: Severity::Error,
    core: true,
    summary: "Entry point in `flowdapt.plugins` whose module does not normalise to the distribution name, or is a dotted path: PackageNotFoundError aborts server start",
    doc: include_str!("../rules/FDT001.md"),
};

/// FDT002: entry-point module not found in the project.
pub static FDT002: Rule = Rule {
    code: "FDT002",
    name: "entry-point-module-missing",
    severity: Severity::Error,
    core: true,
    summary: "Entry-point module not found in the project",
    doc: include_str!("../rules/FDT002.md"),
};

/// FDT003: resource file invalid against its schema.
pub static FDT003: Rule = Rule {
    code: "FDT003",
    name: "invalid-resource",
    severity: Severity::Error,
    core: true,
    summary: "Resource file invalid against schemas/flowdapt.*.schema.json (kind, version, metadata.name, stage name/target/type, depends_on list, legacy flat format)",
    doc: include_str!("../rules/FDT003.md"),
};

/// FDT004: unknown key, silently ignored by Flowdapt.
pub static FDT004: Rule = Rule {
    code: "FDT004",
    name: "unknown-resource-key",
    severity: Severity::Warning,
    core: true,
    summary: "Unknown key in a resource (silently ignored by Flowdapt), with a did-you-mean",
    doc: include_str!("../rules/FDT004.md"),
};

/// FDT005: stage target does not resolve.
pub static FDT005: Rule = Rule {
    code: "FDT005",
    name: "unresolved-stage-target",
    severity: Severity::Error,
    core: true,
    summary: "Stage `target` does not resolve: module not found in the workspace, attribute missing, or more than one attribute level",
    doc: include_str!("../rules/FDT005.md"),
};

/// FDT006: stage graph errors.
pub static FDT006: Rule = Rule {
    code: "FDT006",
    name: "invalid-stage-graph",
    severity: Severity::Error,
    core: true,
    summary: "`depends_on` names an unknown stage; dependency cycle; duplicate stage name",
    doc: include_str!("../rules/FDT006.md"),
};

/// FDT007: a stage function has a parameter named `context`.
pub static FDT007: Rule = Rule {
    code: "FDT007",
    name: "reserved-context-parameter",
    severity: Severity::Error,
    core: false,
    summary: "Stage function has a parameter named `context`: the run fails with \"Stage `x` cannot have the following parameters: ['context']\"",
    doc: include_str!("../rules/FDT007.md"),
};

/// FDT008: a trigger rule runs a workflow the project does not define.
pub static FDT008: Rule = Rule {
    code: "FDT008",
    name: "unknown-trigger-workflow",
    severity: Severity::Warning,
    core: false,
    summary: "Trigger rule's `run_workflow` action names a workflow that no workflow of the project (or workspace) defines",
    doc: include_str!("../rules/FDT008.md"),
};

/// FDT009: a package with workflows but no `flowdapt.plugins` entry point.
pub static FDT009: Rule = Rule {
    code: "FDT009",
    name: "missing-plugin-entry-point",
    severity: Severity::Warning,
    core: false,
    summary: "Project whose workflows run stages from its own package but declares no `flowdapt.plugins` entry point: not a plugin, not shipped to remote workers",
    doc: include_str!("../rules/FDT009.md"),
};

/// Every Flowdapt rule.
pub static RULES: &[&Rule] = &[
    &FDT001, &FDT002, &FDT003, &FDT004, &FDT005, &FDT006, &FDT007, &FDT008, &FDT009,
];

/// The Flowdapt platform.
pub struct FlowdaptPlatform;

/// The value registered in `plugsmith_check`.
pub static PLATFORM: FlowdaptPlatform = FlowdaptPlatform;

const NAME: &str = "flowdapt";

fn is_manifest(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| MANIFESTS.contains(&n))
}

fn folder_of(path: &Path) -> PathBuf {
    path.parent().unwrap_or(Path::new("")).to_path_buf()
}

/// The declaring (or broken) manifests among `paths`, as (project root, manifest).
fn declaring_projects<'p>(
    files: &Files<'_>,
    paths: impl Iterator<Item = &'p Path>,
) -> Vec<(PathBuf, PathBuf)> {
    let mut found: Vec<(PathBuf, PathBuf)> = Vec::new();
    for path in paths {
        if !is_manifest(path) {
            continue;
        }
        if matches!(
            project::read(files, path),
            Manifest::Declares(_) | Manifest::Broken(_)
        ) {
            let root = folder_of(path);
            if !found.iter().any(|(r, _)| *r == root) {
                found.push((root, path.to_path_buf()));
            }
        }
    }
    found
}

impl Platform for FlowdaptPlatform {
    fn name(&self) -> &'static str {
        NAME
    }

    fn rules(&self) -> &'static [&'static Rule] {
        RULES
    }

    fn detect(&self, files: &Files<'_>) -> Vec<Plugin> {
        let mut projects = declaring_projects(files, files.all());
        // Prefer pyproject.toml over setup.py over setup.cfg as the entry.
        projects.sort_by_key(|(root, manifest)| {
            let rank = MANIFESTS
                .iter()
                .position(|m| manifest.file_name().is_some_and(|n| n == *m))
                .unwrap_or(MANIFESTS.len());
            (root.clone(), rank)
        });
        projects.dedup_by(|a, b| a.0 == b.0);
        let mut plugins: Vec<Plugin> = projects
            .iter()
            .map(|(root, manifest)| Plugin::new(NAME, root.clone(), Some(manifest.clone())))
            .collect();
        // A set, looked up by each file's ancestors: linear in the number of files.
        let roots: std::collections::HashSet<&Path> =
            projects.iter().map(|(root, _)| root.as_path()).collect();
        for path in files.all() {
            if !resources::has_resource_extension(path)
                || path
                    .ancestors()
                    .skip(1)
                    .any(|folder| roots.contains(folder))
            {
                continue;
            }
            if resources::is_resource(files, path) {
                plugins.push(Plugin::new(NAME, path, Some(path.to_path_buf())));
            }
        }
        plugins
    }

    fn plugin_at(&self, path: &Path, files: &Files<'_>) -> Option<Plugin> {
        let path = normalize(path);
        if files.is_file(&path) {
            if is_manifest(&path) {
                return Some(Plugin::new(NAME, folder_of(&path), Some(path)));
            }
            if resources::has_resource_extension(&path) {
                return Some(Plugin::new(NAME, path.clone(), Some(path)));
            }
            return None;
        }
        if !files.is_dir(&path) {
            return None;
        }
        let entry = MANIFESTS
            .iter()
            .map(|m| path.join(m))
            .find(|m| files.is_file(m));
        Some(Plugin::new(NAME, path, entry))
    }

    fn check(&self, plugin: &Plugin, files: &Files<'_>) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let mut python: BTreeSet<PathBuf> = BTreeSet::new();
        if plugin.entry.as_deref() == Some(plugin.root.as_path()) {
            check_resource_file(files, &plugin.root, true, &mut out, &mut python);
        } else {
            check_project(files, &plugin.root, &mut out, &mut python);
        }
        let python: Vec<PathBuf> = python.into_iter().collect();
        targets::syntax_errors(files, &python, &mut out);
        for diagnostic in &mut out {
            if diagnostic.range.is_empty()
                && let Ok(text) = files.read(&diagnostic.path)
            {
                diagnostic.range = widen(&text, diagnostic.range);
            }
        }
        out
    }
}

fn check_project(
    files: &Files<'_>,
    root: &Path,
    out: &mut Vec<Diagnostic>,
    python: &mut BTreeSet<PathBuf>,
) {
    for name in MANIFESTS {
        let manifest = root.join(name);
        if !files.is_file(&manifest) {
            continue;
        }
        match project::read(files, &manifest) {
            Manifest::Declares(project) => {
                for owned in entry_points::check(files, &project, out) {
                    if owned.extension().is_some_and(|e| e == "py") {
                        python.insert(owned);
                    } else {
                        python.extend(
                            files
                                .files_under(&owned)
                                .into_iter()
                                .filter(|p| p.extension().is_some_and(|e| e == "py")),
                        );
                    }
                }
            }
            Manifest::Broken(diagnostic) => out.push(diagnostic),
            Manifest::No => {}
        }
    }
    let below = files.files_under(root);
    let nested: Vec<PathBuf> = declaring_projects(
        files,
        below
            .iter()
            .map(PathBuf::as_path)
            .filter(|p| folder_of(p) != root),
    )
    .into_iter()
    .map(|(r, _)| r)
    .collect();
    for path in &below {
        if resources::has_resource_extension(path) && !nested.iter().any(|n| path.starts_with(n)) {
            check_resource_file(files, path, false, out, python);
        }
    }
}

/// `lone`: the file is checked on its own, outside any project that declares the entry point.
fn check_resource_file(
    files: &Files<'_>,
    path: &Path,
    lone: bool,
    out: &mut Vec<Diagnostic>,
    python: &mut BTreeSet<PathBuf>,
) {
    let resource = match resources::read(files, path) {
        Ok(Some(resource)) => resource,
        Ok(None) => return,
        Err(diagnostic) => {
            out.push(*diagnostic);
            return;
        }
    };
    resources::check(path, &resource, out);
    triggers::check(files, path, &resource, out);
    let stages = resources::stages(&resource);
    if stages.is_empty() {
        return;
    }
    graph::check(path, &stages, out);
    if lone {
        packaging::check(files, path, &stages, out);
    }
    let roots = modules::search_roots(files, &folder_of(path));
    python.extend(targets::check(files, path, &roots, &stages, out));
}

/// A visible range for an empty one (an implicit `null`, as in `metadata:` with nothing after
/// it): the key before the `:`, else the last visible character before, else the first after.
fn widen(text: &str, range: TextRange) -> TextRange {
    let mut at = usize::from(range.start()).min(text.len());
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    let before = text[..at].trim_end();
    if let Some(key_end) = before.strip_suffix(':').map(str::len) {
        let key = before[..key_end].trim_end();
        let start = key
            .rfind(|c: char| c.is_whitespace() || c == '{' || c == ',')
            .map_or(0, |i| i + 1);
        if start < key.len() {
            return TextRange::new(TextSize::new(start as u32), TextSize::new(key.len() as u32));
        }
    }
    if let Some(ch) = before.chars().next_back() {
        return TextRange::at(
            TextSize::new((before.len() - ch.len_utf8()) as u32),
            TextSize::new(ch.len_utf8() as u32),
        );
    }
    match text[at..].chars().next() {
        Some(ch) => TextRange::at(
            TextSize::new(at as u32),
            TextSize::new(ch.len_utf8() as u32),
        ),
        None => range,
    }
}
