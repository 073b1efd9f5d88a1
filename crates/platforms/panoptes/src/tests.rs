use std::path::Path;

use plugsmith_core::Workspace;
use plugsmith_core::workspace::MemoryFileSystem;

use super::*;

fn check_files(files: &[(&str, &str)]) -> Vec<(String, String, String)> {
    let mut fs = MemoryFileSystem::new();
    for (path, text) in files {
        fs.insert(*path, *text);
    }
    let text_of = |p: &Path| {
        files
            .iter()
            .find(|(path, _)| Path::new(path) == p)
            .map(|(_, t)| t.to_string())
            .unwrap_or_default()
    };
    let ws = Workspace::from_memory(fs);
    let view = ws.files();
    let mut out = Vec::new();
    for plugin in PLATFORM.detect(&view) {
        for d in PLATFORM.check(&plugin, &view) {
            let text = text_of(&d.path);
            let slice = text
                .get(std::ops::Range::<usize>::from(d.range))
                .unwrap_or("?");
            out.push((d.code.to_string(), slice.to_string(), d.message));
        }
    }
    out
}

const VALID: &str = "[Core]\nName = Test\nModule = plugin_polling_test\n\n[Documentation]\nAuthor = me\n\n[main]\nexecute_frequency = 60\nresource_filter = resource_class = \"network\"\n";

const MODULE: &str = "from yahoo_panoptes.polling.polling_plugin import PanoptesPollingPlugin\n\nclass PluginPollingTest(PanoptesPollingPlugin):\n    def run(self, context):\n        return None\n";

#[test]
fn valid_plugin_has_no_diagnostic() {
    let found = check_files(&[
        ("plugins/polling/test/test.panoptes-plugin", VALID),
        ("plugins/polling/test/plugin_polling_test.py", MODULE),
    ]);
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn mixin_order_matters() {
    let module = "from yahoo_panoptes.polling.polling_plugin import PanoptesPollingPlugin\nfrom yahoo_panoptes.framework.plugins.base_snmp_plugin import PanoptesSNMPBasePlugin\n\nclass A(PanoptesSNMPBasePlugin, PanoptesPollingPlugin):\n    pass\n";
    let found = check_files(&[
        ("plugins/polling/test/test.panoptes-plugin", VALID),
        ("plugins/polling/test/plugin_polling_test.py", module),
    ]);
    assert!(found.is_empty(), "{found:?}");
    let module = module.replace(
        "A(PanoptesSNMPBasePlugin, PanoptesPollingPlugin)",
        "A(PanoptesPollingPlugin, PanoptesSNMPBasePlugin)",
    );
    let found = check_files(&[
        ("plugins/polling/test/test.panoptes-plugin", VALID),
        ("plugins/polling/test/plugin_polling_test.py", &module),
    ]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "PAN008");
}

#[test]
fn detects_ini_only_with_core_module() {
    let found = check_files(&[
        ("setup.ini", "[tool]\nx = 1\n"),
        ("p/plugin.ini", VALID),
        ("p/plugin_polling_test.py", MODULE),
    ]);
    let codes: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(codes, ["PAN011"], "{found:?}");
}

#[test]
fn python_int_follows_python() {
    use crate::info::python_int;
    assert_eq!(python_int(" 60 "), Some(60));
    assert_eq!(python_int("1_000"), Some(1000));
    assert_eq!(python_int("-5"), Some(-5));
    assert_eq!(python_int("60s"), None);
    assert_eq!(python_int("1__0"), None);
    assert_eq!(python_int(""), None);
}
