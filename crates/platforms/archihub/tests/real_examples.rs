//! The real ArchiHub examples (`../shared/real-examples/archihub`, see its README): every
//! `plugin_info.derived.json` (the dict as ArchiHub's evaluator produced it) is validated
//! against the bundled schema, and the README's expectations are asserted:
//! - plugins the README describes as valid have no schema error;
//! - the defects it lists that the schema covers are reported: ocrProcessing's `select` without
//!   `options` (`settings.settings_blocks[0]`) and inventoryMaker's empty field object in
//!   `settings_lunch` (missing `type`; ARC002 makes it a warning because `type` has no `lunch`);
//! - defects the schema does not cover are reported by their own rules: duplicate button ids in
//!   nerExtraction and documentSegment (ARC005).
//!
//! Not covered by the schema, by design: SPSitesHandler's selects with `options: []` (filled at
//! run time by its `get_settings`, accepted), massiveUpdater's `file` field without `name` (it has
//! an `id`; the README's "warning" is not a core rule), nerExtraction's `taggenerate` callback
//! without a route (ARC006 needs the Python source, which is not in the folder).

use std::fs;
use std::path::{Path, PathBuf};

use plugsmith_archihub::Context;
use plugsmith_archihub::info_rules::{self, SCHEMA};
use plugsmith_archihub::layout_rules;
use plugsmith_core::schema::display_path;
use plugsmith_core::syntax::json;

fn examples_root() -> Option<PathBuf> {
    let root =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../../shared/real-examples/archihub");
    root.is_dir().then_some(root)
}

fn derived_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            derived_files(&path, out);
        } else if path
            .file_name()
            .is_some_and(|name| name.to_string_lossy().ends_with("plugin_info.derived.json"))
        {
            out.push(path);
        }
    }
}

/// The schema errors each example is expected to have (instance paths), by folder name.
fn expected_errors(name: &str) -> Vec<&'static str> {
    match name {
        "ocrProcessing" => vec!["settings.settings_blocks[0]"],
        "inventoryMaker" => vec!["settings.settings_lunch[0]"],
        _ => Vec::new(),
    }
}

fn example_name(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    let parent = relative.parent().unwrap_or(Path::new(""));
    if relative
        .to_string_lossy()
        .ends_with("Plugin.plugin_info.derived.json")
    {
        return "template".to_string();
    }
    parent
        .file_name()
        .map(|name| name.to_string_lossy().to_string())
        .unwrap_or_default()
}

#[test]
fn derived_plugin_infos_match_the_readme() {
    let Some(root) = examples_root() else {
        eprintln!("skipped: ../shared/real-examples/archihub not found");
        return;
    };
    let schema = SCHEMA.as_ref().expect("bundled schema compiles");
    let mut files = Vec::new();
    derived_files(&root, &mut files);
    files.sort();
    assert!(
        files.len() >= 16,
        "expected the 16 derived files, found {}",
        files.len()
    );
    let mut failures = Vec::new();
    for path in &files {
        let name = example_name(&root, path);
        let text = fs::read_to_string(path).unwrap();
        let document = json::parse(&text).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
        let found: Vec<String> = schema
            .validate(&document)
            .iter()
            .map(|error| display_path(&error.path))
            .collect();
        let expected = expected_errors(&name);
        if found != expected {
            failures.push(format!("{name}: expected {expected:?}, found {found:?}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn unused_lists_are_warnings_and_duplicate_ids_are_reported() {
    let Some(root) = examples_root() else {
        eprintln!("skipped: ../shared/real-examples/archihub not found");
        return;
    };
    let file = plugsmith_archihub::parse("");
    let context = Context {
        path: Path::new("__init__.py"),
        file: &file,
        slug: None,
    };
    let load = |relative: &str| {
        let text = fs::read_to_string(root.join(relative)).unwrap();
        json::parse(&text).unwrap()
    };
    let inventory = load("archihub-backend/app/plugins/inventoryMaker/plugin_info.derived.json");
    let diagnostics = info_rules::arc002(&context, &inventory);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(diagnostics[0].severity, plugsmith_core::Severity::Warning);

    for (relative, duplicates) in [
        ("nerExtraction/plugin_info.derived.json", 1),
        ("documentSegment/plugin_info.derived.json", 1),
        ("titleModifier/plugin_info.derived.json", 0),
    ] {
        let info = load(relative);
        let found = info_rules::arc005(&context, &info);
        assert_eq!(found.len(), duplicates, "{relative}: {found:?}");
        assert!(info_rules::arc004(&context, &info).is_empty(), "{relative}");
    }
}

/// ARC010 on the real `requirements.txt` files: byte-exact copies, CRLF kept. The README
/// lists the CRLF ones; every file ends with a newline; the empty backend ones have no finding.
#[test]
fn requirements_line_endings_match_the_readme() {
    let Some(root) = examples_root() else {
        eprintln!("skipped: ../shared/real-examples/archihub not found");
        return;
    };
    let crlf = [
        "documentSegment",
        "nerExtraction",
        "ocrProcessing",
        "telegramIntegration",
        "transcribeWhisperX",
        "videoDownloader",
        "webArticleDownload",
    ];
    let lf = [
        "SPSitesHandler",
        "titleModifier",
        "archihub-backend/app/plugins/filesProcessing",
        "archihub-backend/app/plugins/inventoryMaker",
        "archihub-backend/app/plugins/liquidText",
        "archihub-backend/app/plugins/massiveUpdater",
        "archihub-backend/app/plugins/scheduleSystemTasks",
    ];
    for folder in crlf.iter().chain(lf.iter()) {
        let path = root.join(folder).join("requirements.txt");
        let bytes = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let text = String::from_utf8(bytes).unwrap();
        let found = layout_rules::arc010(Path::new("requirements.txt"), &text);
        if crlf.contains(folder) {
            assert_eq!(found.len(), 1, "{folder}: {found:?}");
            assert!(found[0].message.contains("CRLF"), "{folder}: {found:?}");
        } else {
            assert!(found.is_empty(), "{folder}: {found:?}");
        }
    }
    // transcribeWhisperX: both lines end in CRLF, reported at the first requirement.
    let text = fs::read_to_string(root.join("transcribeWhisperX/requirements.txt")).unwrap();
    let found = layout_rules::arc010(Path::new("requirements.txt"), &text);
    assert!(
        found[0].message.starts_with("2 lines end in CRLF"),
        "{found:?}"
    );
    assert_eq!(u32::from(found[0].range.start()), 0);
}
