//! Every real Panoptes info file of `../shared/real-examples/panoptes` is checked (skipped with a
//! message when the folder is absent): no panic, the three templates with a bare `%`
//! (`research/platforms.md` 2.5 item 1) get PAN003, the six files with a `/home/panoptes...`
//! `Module` get PAN015 (2.5 item 6), the three templates with a quoted value get PAN012 (2.5
//! item 8) and the two test configurations with quoted `[transforms]` get PAN016 (2.2).

use std::collections::BTreeMap;
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
    let mut by_code: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for plugin in &plugins {
        for d in plugsmith_panoptes::PLATFORM.check(plugin, &files) {
            eprintln!("{}: {} {}", d.path.display(), d.code, d.message);
            by_code
                .entry(d.code)
                .or_default()
                .push(d.path.display().to_string());
        }
    }
    eprintln!("{} plugins", plugins.len());
    assert!(plugins.len() >= 33, "{}", plugins.len());
    let mut paths = |code: &str, file_names: bool| {
        let mut found: Vec<String> = by_code
            .remove(code)
            .unwrap_or_default()
            .into_iter()
            .map(|path| {
                if file_names {
                    path.rsplit('/').next().unwrap_or_default().to_string()
                } else {
                    path
                }
            })
            .collect();
        found.sort();
        found.dedup();
        found
    };
    assert_eq!(
        paths("PAN015", false),
        [
            "panoptes_docker/resources/panoptes/plugins/discovery/plugin_discovery_from_json_file.panoptes-plugin",
            "panoptes_docker/resources/panoptes/plugins/enrichment/plugin_enrichment_interface.panoptes-plugin",
            "panoptes_docker/resources/panoptes/plugins/polling/interface/plugin_polling_device_interface_metrics.panoptes-plugin",
            "yahoo-panoptes/examples/plugins/discovery/plugin_discovery_from_json_file.panoptes-plugin",
            "yahoo-panoptes/examples/plugins/enrichment/plugin_enrichment_interface.panoptes-plugin",
            "yahoo-panoptes/examples/plugins/polling/plugin_polling_device_interface_metrics.panoptes-plugin",
        ]
    );
    assert_eq!(
        paths("PAN012", true),
        [
            "plugin_enrichment_cisco_asa_device_metrics.panoptes-plugin.example",
            "plugin_enrichment_functional_metrics_juniper_srx.panoptes-plugin.example",
            "plugin_polling_asr_device_metrics.panoptes-plugin.example",
        ]
    );
    assert_eq!(
        paths("PAN016", true),
        [
            "test_panoptes_polling_plugin_conf.ini",
            "test_panoptes_polling_plugin_conf_diff_transform_callback.ini",
        ]
    );
    for code in ["PAN013", "PAN014"] {
        assert_eq!(paths(code, true), Vec::<String>::new(), "{code}");
    }
    assert_eq!(
        paths("PAN003", true),
        [
            "plugin_enrichment_cienaws_device_metrics.panoptes-plugin.example",
            "plugin_polling_asr_device_metrics.panoptes-plugin.example",
            "plugin_polling_cienaws_device_metrics.panoptes-plugin.example",
        ]
    );
}
