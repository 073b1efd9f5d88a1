//! Every real Supervisely file in `../shared/real-examples/supervisely` (54 `plugin_info.json`,
//! 20 `predefined_run_configs.json`, 54 `VERSION`, from supervisely@eec5cffb) parses, passes its
//! schema and the VERSION rules, unless its README row says it is invalid. Skipped with a
//! message when the folder is absent.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use plugsmith_core::Platform;
use plugsmith_core::Workspace;
use plugsmith_core::syntax::json;
use plugsmith_core::workspace::MemoryFileSystem;
use plugsmith_supervisely::{PLATFORM, manifest, version};

fn examples_root() -> Option<PathBuf> {
    let root =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../../shared/real-examples/supervisely");
    if root.is_dir() {
        Some(root)
    } else {
        eprintln!(
            "skipped: {} is absent (the shared research folder is not checked out here)",
            root.display()
        );
        None
    }
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Paths (relative to the examples folder) whose README note calls them invalid.
fn invalid_per_readme(root: &Path) -> BTreeSet<String> {
    let readme = fs::read_to_string(root.join("README.md")).unwrap_or_default();
    readme
        .lines()
        .filter_map(|line| {
            let mut cells = line.split('|').map(str::trim).skip(1);
            let file = cells.next()?.trim_matches('`');
            let note = cells.next()?.to_lowercase();
            let invalid = note.contains("invalid") || note.contains("not valid");
            invalid.then(|| file.to_string())
        })
        .collect()
}

#[test]
fn real_examples_parse_and_validate() {
    let Some(root) = examples_root() else {
        return;
    };
    let invalid = invalid_per_readme(&root);
    let mut all = Vec::new();
    files_under(&root, &mut all);
    let (mut infos, mut configs, mut versions) = (0, 0, 0);
    let mut failures = Vec::new();
    for path in &all {
        let relative = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .to_string();
        let text = fs::read_to_string(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let problems: Vec<String> = match name.as_str() {
            "plugin_info.json" | "predefined_run_configs.json" => {
                let schema = if name == "plugin_info.json" {
                    infos += 1;
                    manifest::plugin_info_schema()
                } else {
                    configs += 1;
                    manifest::run_configs_schema()
                };
                match json::parse(&text) {
                    Ok(document) => schema
                        .expect("bundled schema compiles")
                        .validate(&document)
                        .into_iter()
                        .map(|error| error.message)
                        .collect(),
                    Err(error) => vec![format!("parse error: {}", error.message)],
                }
            }
            "VERSION" => {
                versions += 1;
                version::problems(&text)
                    .into_iter()
                    .map(|problem| problem.message)
                    .collect()
            }
            _ => continue,
        };
        if !problems.is_empty() && !invalid.contains(&relative) {
            failures.push(format!("{relative}: {problems:?}"));
        }
    }
    assert_eq!(
        (infos, configs, versions),
        (54, 20, 54),
        "file counts (plugin_info.json, predefined_run_configs.json, VERSION)"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Each real plugin folder, checked as a whole (without its Dockerfile and sources, which were
/// not copied): detected, and no SLY001, SLY002 or PLG002. SLY006 (no `README.md`: the copies
/// leave it out) and SLY007 (no `LICENSE`: no stock plugin has one) are true of every copy, and
/// point at the first line of `plugin_info.json`.
#[test]
fn real_plugin_folders_have_valid_manifests() {
    let Some(root) = examples_root() else {
        return;
    };
    let mut all = Vec::new();
    files_under(&root, &mut all);
    let folders: BTreeSet<PathBuf> = all
        .iter()
        .filter(|path| path.ends_with("plugin_info.json"))
        .filter_map(|path| path.parent().map(Path::to_path_buf))
        .collect();
    assert_eq!(folders.len(), 54);
    let mut failures = Vec::new();
    for folder in &folders {
        let mut fs_ = MemoryFileSystem::new();
        for name in ["plugin_info.json", "predefined_run_configs.json", "VERSION"] {
            if let Ok(text) = fs::read_to_string(folder.join(name)) {
                fs_.insert(name, text);
            }
        }
        let workspace = Workspace::from_memory(fs_);
        let files = workspace.files();
        let plugins = PLATFORM.detect(&files);
        assert_eq!(plugins.len(), 1, "{}", folder.display());
        let diagnostics = PLATFORM.check(&plugins[0], &files);
        for code in ["SLY006", "SLY007"] {
            let found = diagnostics.iter().filter(|d| d.code == code).count();
            let at_info = diagnostics
                .iter()
                .filter(|d| d.code == code)
                .all(|d| d.path == Path::new("plugin_info.json") && d.range.start() == 0.into());
            if found != 1 || !at_info {
                failures.push(format!(
                    "{}: {code} expected once at plugin_info.json 1:1",
                    folder.display()
                ));
            }
        }
        for diagnostic in diagnostics {
            if ["SLY001", "SLY002", "PLG002"].contains(&diagnostic.code) {
                failures.push(format!(
                    "{}: {} {}",
                    folder.display(),
                    diagnostic.code,
                    diagnostic.message
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
