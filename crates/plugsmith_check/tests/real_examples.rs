//! `check` over `../shared/real-examples/` (real manifests from the platforms' public
//! repositories): the known defects that its READMEs list are reported, and no file they call
//! valid gets a parse or schema error.

use std::fs;
use std::path::{Path, PathBuf};

use plugsmith_check::{Settings, check};
use plugsmith_core::workspace::MemoryFileSystem;
use plugsmith_core::{Diagnostic, Workspace};

/// `<repo>/../shared/real-examples`, where CI lays `shared/` beside the checkout.
fn real_examples() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/real-examples");
    dir.is_dir().then_some(dir)
}

fn load(root: &Path) -> MemoryFileSystem {
    let mut fs = MemoryFileSystem::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(text) = fs::read_to_string(&path) {
                fs.insert(path.strip_prefix(root).unwrap(), text);
            }
        }
    }
    fs
}

fn diagnostics() -> Option<Vec<Diagnostic>> {
    let Some(root) = real_examples() else {
        eprintln!("skipped: ../shared/real-examples is not beside the checkout");
        return None;
    };
    let workspace = Workspace::from_memory(load(&root));
    Some(check(&workspace, &Settings::default()).diagnostics())
}

fn paths_with(diagnostics: &[Diagnostic], code: &str) -> Vec<String> {
    let mut paths: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.code == code)
        .map(|d| d.path.display().to_string())
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

/// The three shipped Panoptes templates with a bare `%` in `resource_filter`
/// (`InterpolationSyntaxError` when the value is read), and no other file.
#[test]
fn bare_percent_in_the_three_panoptes_templates() {
    let Some(diagnostics) = diagnostics() else {
        return;
    };
    assert_eq!(
        paths_with(&diagnostics, "PAN003"),
        vec![
            "panoptes/yahoo-panoptes/yahoo_panoptes/plugins/enrichment/generic/snmp/ciena/waveserver/plugin_enrichment_cienaws_device_metrics.panoptes-plugin.example",
            "panoptes/yahoo-panoptes/yahoo_panoptes/plugins/polling/asr/plugin_polling_asr_device_metrics.panoptes-plugin.example",
            "panoptes/yahoo-panoptes/yahoo_panoptes/plugins/polling/generic/snmp/plugin_polling_cienaws_device_metrics.panoptes-plugin.example",
        ]
    );
}

/// The Flowdapt doc snippets in the legacy flat format, and the one with a scalar
/// `depends_on`, are rejected as the platform rejects them.
#[test]
fn flowdapt_doc_snippets_with_schema_defects() {
    let Some(diagnostics) = diagnostics() else {
        return;
    };
    let schema_errors = paths_with(&diagnostics, "FDT003");
    for broken in [
        "flowdapt/doc-snippets/plugins__index__block2.yaml",
        "flowdapt/doc-snippets/plugins__user_modules__block1.yaml",
        "flowdapt/doc-snippets/workflows__stages__block4.yaml",
    ] {
        assert!(
            schema_errors.iter().any(|path| path == broken),
            "{broken} not reported; FDT003 on {schema_errors:?}"
        );
    }
    let scalar = diagnostics
        .iter()
        .find(|d| d.code == "FDT003" && d.path.ends_with("workflows__stages__block4.yaml"));
    assert!(
        scalar.is_some_and(|d| d.message.contains("depends_on")),
        "{scalar:?}"
    );
}

/// No file that the READMEs call valid gets a parse error or a schema error.
#[test]
fn valid_files_get_no_parse_or_schema_error() {
    let Some(diagnostics) = diagnostics() else {
        return;
    };
    let known_broken = [
        "plugin_enrichment_cienaws_device_metrics.panoptes-plugin.example",
        "plugin_polling_asr_device_metrics.panoptes-plugin.example",
        "plugin_polling_cienaws_device_metrics.panoptes-plugin.example",
        "plugins__index__block2.yaml",
        "plugins__user_modules__block1.yaml",
        "workflows__stages__block4.yaml",
    ];
    let parse_or_schema = [
        "PLG002", "PAN002", "PAN003", "FDT003", "SLY001", "SLY005", "ARC002",
    ];
    let unexpected: Vec<String> = diagnostics
        .iter()
        .filter(|d| parse_or_schema.contains(&d.code))
        // SLY005 also reports run configurations whose mode has no entry point; the copies here
        // hold the manifests only (no `src/`), so that part is not about the file itself.
        .filter(|d| !(d.code == "SLY005" && d.message.contains("but the plugin has no")))
        .filter(|d| {
            let name = d.path.file_name().unwrap_or_default().to_string_lossy();
            !known_broken.iter().any(|broken| name == *broken)
        })
        .map(|d| format!("{} {} {}", d.path.display(), d.code, d.message))
        .collect();
    assert!(unexpected.is_empty(), "{unexpected:#?}");
}
