//! Random and mutated Python sources through Kili detection and checks: no panic, and every
//! range lies inside its file, on character boundaries.

use std::path::{Path, PathBuf};

use plugsmith_core::workspace::MemoryFileSystem;
use plugsmith_core::{Platform, Workspace};
use plugsmith_kili::PLATFORM;
use proptest::prelude::*;

const SEEDS: &[&str] = &[
    include_str!("../../../../fixtures/kili/valid_on_kili_event/plugin.py"),
    include_str!("../../../../fixtures/kili/kil013_annotation/plugin.py"),
    include_str!("../../../../fixtures/kili/kil013_decorator/plugin.py"),
    include_str!("../../../../fixtures/kili/kil006_signature/too_few.py"),
    include_str!("../../../../fixtures/kili/kil009_nested_handler/plugin.py"),
    include_str!("../../../../fixtures/kili/valid_folder_plugin/my_plugin/main.py"),
    include_str!("../../../../fixtures/kili/kil010_data_files/reader/main.py"),
    include_str!("../../../../fixtures/kili/kil011_print/plugin.py"),
    include_str!("../../../../fixtures/kili/kil017_inherited_events/plugin.py"),
];

const TOKENS: &[&str] = &[
    "class PluginHandler(PluginCore):\n",
    "    @on_kili_event\n",
    "    async def on_submit(self, label, asset_id):\n        pass\n",
    "    def __init__(self, *a, **k):\n        pass\n",
    "def on_event(self, payload, /, *, x):\n",
    "from kili_events import *\n",
    "from kili.plugins import on_kili_event, PluginCore\n",
    "if TYPE_CHECKING:\n    from kili_events import X\n",
    "Alias = Alias | 'Alias'\n",
    "event: \"A | \\\"B\\\"\"",
    "Union[(A, B)]",
    "(",
    ")",
    ":",
    "\n",
    "    ",
    "é",
    "\"\"\"",
    "<<<<<<< HEAD\n",
    "open(\"data.json\")",
    "print(x)",
    "(Path(__file__).parent / \"x.csv\").read_text()",
];

/// A seed with random slices replaced by tokens or random text.
fn mutated() -> impl Strategy<Value = String> {
    (
        0..SEEDS.len(),
        prop::collection::vec(
            (
                any::<prop::sample::Index>(),
                0usize..40,
                0..TOKENS.len(),
                ".{0,8}",
            ),
            0..6,
        ),
    )
        .prop_map(|(seed, edits)| {
            let mut text = SEEDS[seed].to_string();
            for (at, len, token, noise) in edits {
                let start = floor_boundary(&text, at.index(text.len() + 1));
                let end = floor_boundary(&text, (start + len).min(text.len()));
                let insert = if len % 2 == 0 { TOKENS[token] } else { &noise };
                text.replace_range(start..end, insert);
            }
            text
        })
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn check_all(files: &[(&str, String)], forced: Option<&Path>) {
    let mut fs = MemoryFileSystem::new();
    for (path, text) in files {
        fs.insert(PathBuf::from(path), text.clone());
    }
    let workspace = Workspace::from_memory(fs);
    let view = workspace.files();
    let mut plugins = PLATFORM.detect(&view);
    plugins.extend(forced.and_then(|path| PLATFORM.plugin_at(path, &view)));
    for plugin in plugins {
        for diagnostic in PLATFORM.check(&plugin, &view) {
            let text = files
                .iter()
                .find(|(path, _)| Path::new(path) == diagnostic.path)
                .map(|(_, text)| text.as_str())
                .expect("diagnostics point at workspace files");
            let (start, end) = (
                u32::from(diagnostic.range.start()) as usize,
                u32::from(diagnostic.range.end()) as usize,
            );
            assert!(end <= text.len(), "{diagnostic:?}");
            assert!(text.is_char_boundary(start) && text.is_char_boundary(end));
            for related in &diagnostic.related {
                assert!(u32::from(related.range.end()) as usize <= text.len());
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn mutated_plugins_never_panic(text in mutated()) {
        check_all(&[("plugin.py", text.clone()), ("pkg/main.py", text)], None);
    }

    #[test]
    fn random_text_never_panics(text in "\\PC{0,200}") {
        let source = format!("from kili.plugins import PluginCore\n{text}");
        check_all(&[("plugin.py", source), ("pkg/other.py", text)], Some(Path::new("pkg")));
    }

    #[test]
    fn random_handler_bodies_never_panic(body in "[ a-z_():,*=@|\\[\\]\"'\\n.]{0,120}") {
        let source = format!(
            "from kili.plugins import PluginCore, on_kili_event\n\
             class PluginHandler(PluginCore):\n    @on_kili_event\n    def m({body}\n"
        );
        check_all(&[("plugin.py", source)], None);
    }
}
