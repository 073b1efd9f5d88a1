//! The fixture walker: every `fixtures/<platform>/<case>/` folder is a workspace checked with
//! all platforms (so detection is tested too), honouring a `plugsmith.toml` in the case. The
//! diagnostics (code, severity, range, message, related locations, fix) are compared with the
//! case's `expected.snap` (insta; `INSTA_UPDATE=always` or `cargo insta review` to accept).

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use line_index::{LineIndex, TextSize as LineTextSize};
use plugsmith_check::{Settings, all_rules, check};
use plugsmith_core::workspace::MemoryFileSystem;
use plugsmith_core::{FileSystem, TextRange, Workspace};

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// Every file of a case folder, by path relative to it, except the snapshot itself.
fn load_case(dir: &Path) -> MemoryFileSystem {
    let mut fs = MemoryFileSystem::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if path.is_dir() {
                stack.push(path);
            } else if !name.ends_with(".snap") && !name.ends_with(".snap.new") {
                let bytes = fs::read(&path).unwrap();
                let text = String::from_utf8_lossy(&bytes).to_string();
                fs.insert(path.strip_prefix(dir).unwrap(), text);
            }
        }
    }
    fs
}

/// `line:column-line:column`, 1-based, columns in characters.
fn position(fs: &MemoryFileSystem, path: &Path, range: TextRange) -> String {
    let text = fs.read(path).unwrap();
    let index = LineIndex::new(&text);
    let at = |offset: u32| {
        let line_col = index.line_col(LineTextSize::new(offset));
        let line_start = offset as usize - line_col.col as usize;
        let column = text[line_start..offset as usize].chars().count() + 1;
        format!("{}:{}", line_col.line + 1, column)
    };
    format!("{}-{}", at(range.start().into()), at(range.end().into()))
}

/// The snapshot text of one case.
fn render(dir: &Path) -> String {
    let fs = load_case(dir);
    let settings = match fs::read_to_string(dir.join("plugsmith.toml")) {
        Ok(text) => Settings::from_toml(&text, "plugsmith.toml", Path::new(""))
            .unwrap()
            .unwrap_or_default(),
        Err(_) => Settings::default(),
    };
    let workspace = Workspace::from_memory(fs.clone());
    let report = check(&workspace, &settings);
    let mut out = String::new();
    for checked in &report.plugins {
        let entry = checked
            .plugin
            .entry
            .as_ref()
            .map(|e| e.display().to_string())
            .unwrap_or_default();
        writeln!(
            out,
            "plugin {} {} {}",
            checked.plugin.platform,
            checked.plugin.root.display(),
            entry
        )
        .unwrap();
    }
    for diagnostic in report.diagnostics() {
        let at = position(&fs, &diagnostic.path, diagnostic.range);
        writeln!(
            out,
            "{}:{} {} {}: {}",
            diagnostic.path.display(),
            at,
            diagnostic.code,
            diagnostic.severity.as_str(),
            diagnostic.message
        )
        .unwrap();
        for related in &diagnostic.related {
            let at = position(&fs, &related.path, related.range);
            writeln!(
                out,
                "    related {}:{}: {}",
                related.path.display(),
                at,
                related.message
            )
            .unwrap();
        }
        if let Some(fix) = &diagnostic.fix {
            writeln!(out, "    fix: {}", fix.title).unwrap();
            for edit in &fix.edits {
                let at = position(&fs, &diagnostic.path, edit.range);
                writeln!(out, "        {at} -> {:?}", edit.new_text).unwrap();
            }
        }
    }
    if out.is_empty() {
        out.push_str("(no plugin, no diagnostic)\n");
    }
    out
}

fn cases(platform: &str) -> Vec<PathBuf> {
    let dir = fixtures_root().join(platform);
    let mut cases: Vec<PathBuf> = match fs::read_dir(&dir) {
        Ok(entries) => entries
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .collect(),
        Err(_) => Vec::new(),
    };
    cases.sort();
    cases
}

fn walk(platform: &str) {
    for case in cases(platform) {
        let snapshot = render(&case);
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(&case);
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        settings.set_description(format!(
            "fixtures/{platform}/{}",
            case.file_name().unwrap().to_string_lossy()
        ));
        settings.bind(|| insta::assert_snapshot!("expected", snapshot));
    }
}

#[test]
fn kili() {
    walk("kili");
}

#[test]
fn panoptes() {
    walk("panoptes");
}

#[test]
fn supervisely() {
    walk("supervisely");
}

#[test]
fn flowdapt() {
    walk("flowdapt");
}

#[test]
fn archihub() {
    walk("archihub");
}

/// Cases that mix platforms, configuration and suppression.
#[test]
fn common() {
    walk("common");
}

/// Every core rule fires in at least one fixture snapshot.
#[test]
fn every_core_rule_has_a_firing_fixture() {
    let mut snapshots = String::new();
    for platform in [
        "common",
        "kili",
        "panoptes",
        "supervisely",
        "flowdapt",
        "archihub",
    ] {
        for case in cases(platform) {
            snapshots.push_str(&fs::read_to_string(case.join("expected.snap")).unwrap_or_default());
        }
    }
    let missing: Vec<&str> = all_rules()
        .into_iter()
        .filter(|rule| rule.core && !snapshots.contains(&format!(" {} ", rule.code)))
        .map(|rule| rule.code)
        .collect();
    assert!(
        missing.is_empty(),
        "core rules without a firing fixture: {missing:?}"
    );
}
