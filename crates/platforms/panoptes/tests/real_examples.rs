//! Every real Panoptes info file of `../shared/real-examples/panoptes` is checked (skipped with a
//! message when the folder is absent): no panic, and the three templates with a bare `%`
//! (`research/platforms.md` 2.5 item 1) get PAN003.

use std::fs;
use std::path::{Path, PathBuf};

use plugsmith_core::Platform;
use plugsmith_core::Workspace;
use plugsmith_core::workspace::MemoryFileSystem;

fn walk(dir: &Path, base: &Path, fs_: &mut MemoryFileSystem) {
    for entry in fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, base, fs_);
        } else if let Ok(text) = fs::read_to_string(&path) {
            fs_.insert(path.strip_prefix(base).unwrap(), text);
        }
    }
}

#[test]
fn real_examples() {
    let root: PathBuf =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../../shared/real-examples/panoptes");
    if !root.is_dir() {
        eprintln!("{} absent: skipping", root.display());
        return;
    }
    let mut memory = MemoryFileSystem::new();
    walk(&root, &root, &mut memory);
    let workspace = Workspace::from_memory(memory);
    let files = workspace.files();
    let plugins = plugsmith_panoptes::PLATFORM.detect(&files);
    let mut pan003 = Vec::new();
    for plugin in &plugins {
        for d in plugsmith_panoptes::PLATFORM.check(plugin, &files) {
            eprintln!("{}: {} {}", d.path.display(), d.code, d.message);
            if d.code == "PAN003" {
                pan003.push(d.path.file_name().unwrap().to_string_lossy().to_string());
            }
        }
    }
    eprintln!("{} plugins", plugins.len());
    assert!(plugins.len() >= 33, "{}", plugins.len());
    pan003.sort();
    assert_eq!(
        pan003,
        [
            "plugin_enrichment_cienaws_device_metrics.panoptes-plugin.example",
            "plugin_polling_asr_device_metrics.panoptes-plugin.example",
            "plugin_polling_cienaws_device_metrics.panoptes-plugin.example",
        ]
    );
}
