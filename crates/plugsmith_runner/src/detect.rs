//! Which platform a plugin is for: the checker's own detection (so `plugsmith run` and
//! `plugsmith check` agree on what a plugin is), and the few file look-ups the harnesses need
//! (Panoptes info file, Flowdapt workflows, `execute_frequency`).

use std::fs;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Kili,
    Panoptes,
    Supervisely,
    Flowdapt,
    #[value(name = "archihub")]
    ArchiHub,
}

impl Platform {
    /// The platform for a checker platform name (`kili`, ..., `archihub`).
    pub fn from_name(name: &str) -> Option<Platform> {
        [
            Platform::Kili,
            Platform::Panoptes,
            Platform::Supervisely,
            Platform::Flowdapt,
            Platform::ArchiHub,
        ]
        .into_iter()
        .find(|p| p.name() == name)
    }

    /// The lower-case name used in reports and configuration.
    pub fn name(self) -> &'static str {
        match self {
            Platform::Kili => "kili",
            Platform::Panoptes => "panoptes",
            Platform::Supervisely => "supervisely",
            Platform::Flowdapt => "flowdapt",
            Platform::ArchiHub => "archihub",
        }
    }
}

fn read_small(p: &Path) -> String {
    match fs::metadata(p) {
        Ok(m) if m.len() < 4 << 20 => fs::read_to_string(p).unwrap_or_default(),
        _ => String::new(),
    }
}

pub fn panoptes_info_file(dir: &Path) -> Option<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "panoptes-plugin"))
        .collect();
    v.sort();
    v.into_iter().next()
}

fn is_workflow(p: &Path) -> bool {
    let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
    if !matches!(ext, "yaml" | "yml" | "json") {
        return false;
    }
    let t = read_small(p);
    t.lines().any(|l| {
        let l = l.trim().trim_matches(|c| c == '"' || c == '\'' || c == ',');
        l.starts_with("kind") && l.contains("workflow")
    })
}

/// Detects the platform of a plugin file or folder as `plugsmith check` does: the checker's
/// detection ([`plugsmith_check::detect`]) over the files below `path` (walked as the check
/// walks them, with the nearest configuration's excludes and `platform-overrides`). `--platform`
/// is the run's own override and skips this.
///
/// A folder must be a plugin's root (or hold its root file, as Panoptes' info file); a file
/// must be a plugin's root (single-file plugin, lone
/// manifest) or its entry, or lie inside a plugin folder (then the innermost one counts). Two
/// platforms claiming the same plugin is an error asking for `--platform`.
pub fn detect(path: &Path) -> Result<Platform, String> {
    if !path.exists() {
        return Err(format!("{} does not exist", path.display()));
    }
    let found = if path.is_file() {
        // The file alone first (single-file plugins, lone manifests), then its folder.
        let alone = plugins_at(path, path);
        if alone.is_empty() {
            match path.parent() {
                Some(dir) => plugins_at(dir, path),
                None => alone,
            }
        } else {
            alone
        }
    } else {
        plugins_at(path, path)
    };
    let mut names: Vec<&'static str> = found.iter().map(|p| p.platform).collect();
    names.sort();
    names.dedup();
    match names.as_slice() {
        [] => Err(format!(
            "plugsmith check finds no plugin at {}: pass --platform",
            path.display()
        )),
        [one] => Platform::from_name(one).ok_or_else(|| {
            format!(
                "{} is a {one} plugin, which plugsmith run does not know",
                path.display()
            )
        }),
        many => Err(format!(
            "{} is detected as a plugin of several platforms ({}): pass --platform",
            path.display(),
            many.join(", ")
        )),
    }
}

/// The plugins the checker detects walking `walk_root` that `target` is (root or entry);
/// failing that, for a folder, those rooted at a file directly in it (Panoptes' info file),
/// and for a file, the innermost plugin folder containing it.
fn plugins_at(walk_root: &Path, target: &Path) -> Vec<plugsmith_core::Plugin> {
    let settings = plugsmith_disk::find_settings(if walk_root.is_dir() {
        walk_root
    } else {
        walk_root.parent().unwrap_or(walk_root)
    })
    .unwrap_or_default();
    let walk = plugsmith_disk::walk(&[walk_root.to_path_buf()], &settings);
    let disk = std::sync::Arc::new(plugsmith_disk::DiskFileSystem::new());
    let workspace = plugsmith_core::Workspace::new(walk.files, disk);
    let plugins = plugsmith_check::detect(&workspace, &settings);
    let exact: Vec<_> = plugins
        .iter()
        .filter(|p| p.root == target || p.entry.as_deref() == Some(target))
        .cloned()
        .collect();
    if !exact.is_empty() {
        return exact;
    }
    if target.is_dir() {
        // A plugin rooted at a file directly in the folder (Panoptes' info file, a lone
        // manifest) is that folder's plugin.
        return plugins
            .into_iter()
            .filter(|p| p.root.is_file() && p.root.parent() == Some(target))
            .collect();
    }
    let innermost = plugins
        .iter()
        .filter(|p| target.starts_with(&p.root) && p.root != target)
        .map(|p| p.root.components().count())
        .max();
    plugins
        .into_iter()
        .filter(|p| Some(p.root.components().count()) == innermost && target.starts_with(&p.root))
        .collect()
}

/// Workflow resource files at the top of a folder or in `workflows/`.
pub fn workflow_files(dir: &Path) -> impl Iterator<Item = PathBuf> {
    let mut v = Vec::new();
    for d in [dir.to_path_buf(), dir.join("workflows")] {
        if let Ok(rd) = fs::read_dir(&d) {
            v.extend(rd.flatten().map(|e| e.path()).filter(|p| is_workflow(p)));
        }
    }
    v.sort();
    v.into_iter()
}

/// `[main] execute_frequency` of a Panoptes info file, read as `getint` does (else None).
pub fn panoptes_execute_frequency(info: &Path) -> Option<i64> {
    let text = read_small(info);
    let mut section = String::new();
    for line in text.lines() {
        let l = line.trim();
        if l.starts_with('[') && l.ends_with(']') {
            section = l[1..l.len() - 1].trim().to_string();
            continue;
        }
        if section != "main" || l.starts_with('#') || l.starts_with(';') {
            continue;
        }
        let Some((k, v)) = l.split_once(['=', ':']) else {
            continue;
        };
        if k.trim().eq_ignore_ascii_case("execute_frequency") {
            return v.trim().parse::<i64>().ok();
        }
    }
    None
}
