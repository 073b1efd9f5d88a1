//! The real Flowdapt files in `../shared/real-examples/flowdapt` (see its README): the doc
//! snippets in the legacy flat format and the one with a scalar `depends_on` are reported, and
//! no valid file gets a parse or schema error.

use std::fs;
use std::path::{Path, PathBuf};

use plugsmith_core::workspace::MemoryFileSystem;
use plugsmith_core::{Diagnostic, Platform, Workspace};
use plugsmith_flowdapt::PLATFORM;

fn examples() -> Option<PathBuf> {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../../shared/real-examples/flowdapt");
    dir.is_dir().then_some(dir)
}

fn load(dir: &Path) -> MemoryFileSystem {
    let mut fs = MemoryFileSystem::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let text = String::from_utf8_lossy(&fs::read(&path).unwrap()).to_string();
                fs.insert(path.strip_prefix(dir).unwrap(), text);
            }
        }
    }
    fs
}

fn diagnostics() -> Option<Vec<Diagnostic>> {
    let Some(dir) = examples() else {
        eprintln!("skipped: ../shared/real-examples/flowdapt is absent");
        return None;
    };
    let workspace = Workspace::from_memory(load(&dir));
    let files = workspace.files();
    let mut out = Vec::new();
    for plugin in PLATFORM.detect(&files) {
        out.extend(PLATFORM.check(&plugin, &workspace.files()));
    }
    Some(out)
}

fn codes_for<'a>(all: &'a [Diagnostic], file: &str) -> Vec<&'a Diagnostic> {
    all.iter().filter(|d| d.path == Path::new(file)).collect()
}

#[test]
fn doc_snippets_that_break_the_schema_are_reported() {
    let Some(all) = diagnostics() else { return };
    for legacy in [
        "doc-snippets/plugins__index__block2.yaml",
        "doc-snippets/plugins__user_modules__block1.yaml",
    ] {
        let found = codes_for(&all, legacy);
        assert!(
            found
                .iter()
                .any(|d| d.code == "FDT003" && d.message.contains("legacy flat")),
            "{legacy}: {found:#?}"
        );
    }
    let scalar = codes_for(&all, "doc-snippets/workflows__stages__block4.yaml");
    assert!(
        scalar
            .iter()
            .any(|d| d.code == "FDT003" && d.message.contains("depends_on")),
        "{scalar:#?}"
    );
}

#[test]
fn valid_files_get_no_parse_or_schema_error() {
    let Some(all) = diagnostics() else { return };
    let broken = [
        "doc-snippets/plugins__index__block2.yaml",
        "doc-snippets/plugins__user_modules__block1.yaml",
        "doc-snippets/workflows__stages__block4.yaml",
    ];
    let wrong: Vec<&Diagnostic> = all
        .iter()
        .filter(|d| matches!(d.code, "PLG002" | "FDT003" | "FDT004"))
        .filter(|d| !broken.iter().any(|b| d.path == Path::new(b)))
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn every_resource_file_is_detected() {
    let Some(dir) = examples() else { return };
    let workspace = Workspace::from_memory(load(&dir));
    let plugins = PLATFORM.detect(&workspace.files());
    // nowcast is a project (Poetry entry point); cryptocast has none, so its 8 resource files
    // and the 8 doc snippets are checked one by one; the cookiecutter template is skipped.
    assert!(
        plugins
            .iter()
            .any(|p| p.root == Path::new("flowdapt-nowcast-plugin"))
    );
    let lone = plugins
        .iter()
        .filter(|p| p.entry.as_deref() == Some(p.root.as_path()))
        .count();
    assert_eq!(lone, 16, "{plugins:#?}");
}

/// Reads a real example's text, to check what a range covers.
fn text_of(file: &str) -> Option<String> {
    fs::read_to_string(examples()?.join(file)).ok()
}

#[test]
fn cryptocast_trigger_runs_a_workflow_it_does_not_define() {
    let Some(all) = diagnostics() else { return };
    let file =
        "flowdapt-cryptocast-plugin/flowdapt_cryptocast_plugin/triggers/trigger_predict.yaml";
    let found: Vec<&Diagnostic> = all.iter().filter(|d| d.code == "FDT008").collect();
    assert_eq!(found.len(), 1, "{found:#?}");
    let diagnostic = found[0];
    assert_eq!(diagnostic.path, Path::new(file));
    let text = text_of(file).unwrap();
    assert_eq!(&text[diagnostic.range], "predict");
    assert!(
        diagnostic.message.contains("`predict_all`")
            && diagnostic.message.contains("`predict_one`"),
        "{}",
        diagnostic.message
    );
}

#[test]
fn cryptocast_declares_no_entry_point() {
    let Some(all) = diagnostics() else { return };
    let file = "flowdapt-cryptocast-plugin/pyproject.toml";
    let found: Vec<&Diagnostic> = all.iter().filter(|d| d.code == "FDT009").collect();
    // Every workflow file of the project reports the same diagnostic; the checker keeps one.
    assert!(!found.is_empty());
    assert!(found.iter().all(|d| *d == found[0]), "{found:#?}");
    let diagnostic = found[0];
    assert_eq!(diagnostic.path, Path::new(file));
    let text = text_of(file).unwrap();
    assert_eq!(&text[diagnostic.range], "[tool.poetry]");
    assert!(
        diagnostic.message.contains("`flowdapt_cryptocast_plugin`")
            && diagnostic.message.contains("flowctl get plugins"),
        "{}",
        diagnostic.message
    );
    // The package is named like the distribution: the fix declares it.
    let fix = diagnostic.fix.as_ref().expect("a fix");
    assert!(fix.edits[0].new_text.contains(
        "[tool.poetry.plugins.\"flowdapt.plugins\"]\nflowdapt_cryptocast_plugin = \"flowdapt_cryptocast_plugin\""
    ));
}
