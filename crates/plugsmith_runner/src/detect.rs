//! Light platform detection by files (no parsing beyond a substring look; the checker's full
//! detection lives in plugsmith_check and is not needed to pick a harness).

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

/// Detects the platform of a plugin file or folder.
pub fn detect(path: &Path) -> Result<Platform, String> {
    if path.is_file() {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.ends_with(".panoptes-plugin") {
            return Ok(Platform::Panoptes);
        }
        if is_workflow(path) {
            return Ok(Platform::Flowdapt);
        }
        if name == "plugin_info.json" {
            return Ok(Platform::Supervisely);
        }
        if name.ends_with(".py") {
            let t = read_small(path);
            if t.contains("plugin_info") && (t.contains("PluginClass") || t.contains("shared_task"))
            {
                return Ok(Platform::ArchiHub);
            }
            if t.contains("PluginHandler") || t.contains("kili") {
                return Ok(Platform::Kili);
            }
        }
        return Err(format!(
            "cannot tell which platform {} is for: pass --platform",
            path.display()
        ));
    }
    if !path.is_dir() {
        return Err(format!("{} does not exist", path.display()));
    }
    if panoptes_info_file(path).is_some() {
        return Ok(Platform::Panoptes);
    }
    let init = read_small(&path.join("__init__.py"));
    if init.contains("plugin_info")
        && (init.contains("PluginClass") || init.contains("shared_task"))
    {
        return Ok(Platform::ArchiHub);
    }
    let main = read_small(&path.join("main.py"));
    if main.contains("PluginHandler") {
        return Ok(Platform::Kili);
    }
    if path.join("plugin_info.json").is_file()
        || ["main", "train", "inference"]
            .iter()
            .any(|m| path.join("src").join(format!("{m}.py")).is_file())
    {
        return Ok(Platform::Supervisely);
    }
    let meta = read_small(&path.join("pyproject.toml")) + &read_small(&path.join("setup.py"));
    if meta.contains("flowdapt") || workflow_files(path).next().is_some() {
        return Ok(Platform::Flowdapt);
    }
    Err(format!(
        "cannot tell which platform {} is for: pass --platform",
        path.display()
    ))
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
