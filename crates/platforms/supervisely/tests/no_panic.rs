//! Property tests: random and mutated `VERSION` texts and JSON manifests never make the
//! Supervisely checks panic, and every range they report lies inside its file, on character
//! boundaries.

use std::path::Path;

use plugsmith_core::workspace::MemoryFileSystem;
use plugsmith_core::{FileSystem, Platform, TextRange, Workspace};
use plugsmith_supervisely::{PLATFORM, dockerfile, version};
use proptest::prelude::*;

const INFO: &str = "{\n\t\"title\": \"Images\",\n\t\"description\": \"Import images\",\n\t\"type\": \"import\",\n\t\"run_mode\": \"general_plugin\"\n}\n";
const CONFIGS: &str = "[\n  {\"title\": \"train\", \"type\": \"train\", \"config\": {\"lr\": 0.001}},\n  {\"title\": \"settings\", \"type\": \"import\", \"config\": {}}\n]\n";

fn inside(text: &str, range: TextRange) -> bool {
    let (start, end) = (usize::from(range.start()), usize::from(range.end()));
    start <= end && end <= text.len() && text.is_char_boundary(start) && text.is_char_boundary(end)
}

/// `text` with `edits` applied: (position, replacement) pairs, at character boundaries.
fn mutate(text: &str, edits: &[(usize, Option<char>)]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for &(at, replacement) in edits {
        if chars.is_empty() {
            break;
        }
        let at = at % chars.len();
        match replacement {
            Some(ch) => chars.insert(at, ch),
            None => {
                chars.remove(at);
            }
        }
    }
    chars.into_iter().collect()
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i32>().prop_map(serde_json::Value::from),
        prop::sample::select(vec![
            "import",
            "architecture",
            "custom",
            "dtl",
            "python",
            "agent",
            "train",
            "inference",
            "deploy",
            "general_plugin",
            "imprt",
            "",
            "é\u{1F600}",
        ])
        .prop_map(|s| serde_json::Value::String(s.to_string())),
        "\\PC{0,8}".prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(serde_json::Value::Array),
            prop::collection::vec(
                (
                    prop::sample::select(vec![
                        "title",
                        "description",
                        "type",
                        "run_mode",
                        "config",
                        "x"
                    ]),
                    inner
                ),
                0..5
            )
            .prop_map(|members| {
                serde_json::Value::Object(
                    members
                        .into_iter()
                        .map(|(key, value)| (key.to_string(), value))
                        .collect(),
                )
            }),
        ]
    })
}

fn check(info: &str, configs: &str, version_text: &str, with_main: bool) {
    let mut fs = MemoryFileSystem::new();
    fs.insert("p/plugin_info.json", info);
    fs.insert("p/predefined_run_configs.json", configs);
    fs.insert("p/VERSION", version_text);
    fs.insert("p/Dockerfile", "FROM python\n");
    if with_main {
        fs.insert("p/src/main.py", "def main(:\n");
    }
    let workspace = Workspace::from_memory(fs.clone());
    let files = workspace.files();
    for plugin in PLATFORM.detect(&files) {
        for diagnostic in PLATFORM.check(&plugin, &files) {
            let text = fs.read(&diagnostic.path).unwrap_or_default();
            assert!(inside(&text, diagnostic.range), "{diagnostic:?}");
            for related in &diagnostic.related {
                let text = fs.read(&related.path).unwrap_or_default();
                assert!(inside(&text, related.range), "{related:?}");
            }
            for edit in diagnostic.fix.iter().flat_map(|fix| &fix.edits) {
                assert!(inside(&text, edit.range), "{edit:?}");
            }
        }
    }
    let _ = PLATFORM.plugin_at(Path::new("p"), &files);
    let _ = PLATFORM.plugin_at(Path::new("p/VERSION"), &files);
}

proptest! {
    #[test]
    fn version_text_never_panics(text in "[a-zA-Z0-9:/._ \\-\r\n+é]{0,40}") {
        for problem in version::problems(&text) {
            prop_assert!(inside(&text, problem.range), "{problem:?}");
            prop_assert!(!problem.range.is_empty() || text.is_empty(), "{problem:?}");
            for edit in problem.fix.iter().flat_map(|(_, edits)| edits) {
                prop_assert!(inside(&text, edit.range));
            }
        }
    }

    #[test]
    fn any_version_text_never_panics(text in "\\PC{0,300}") {
        for problem in version::problems(&text) {
            prop_assert!(inside(&text, problem.range), "{problem:?}");
        }
    }

    #[test]
    fn random_json_manifests_never_panic(
        info in json_value(),
        configs in json_value(),
        version_text in "[a-z:A-Z0-9/.\r\n]{0,20}",
        with_main in any::<bool>(),
    ) {
        check(&info.to_string(), &configs.to_string(), &version_text, with_main);
    }

    #[test]
    fn mutated_manifests_never_panic(
        info_edits in prop::collection::vec((any::<usize>(), prop::option::of(any::<char>())), 0..6),
        config_edits in prop::collection::vec((any::<usize>(), prop::option::of(any::<char>())), 0..6),
        version_edits in prop::collection::vec((any::<usize>(), prop::option::of(any::<char>())), 0..4),
    ) {
        check(
            &mutate(INFO, &info_edits),
            &mutate(CONFIGS, &config_edits),
            &mutate("import-images:6.1.4\n", &version_edits),
            true,
        );
    }

    #[test]
    fn arbitrary_text_manifests_never_panic(info in "\\PC{0,60}", configs in "\\PC{0,60}") {
        check(&info, &configs, "", false);
    }

    #[test]
    fn dockerfile_text_never_panics(text in "(ARG |FROM |TAG|\\$|\\{|\\}|:|/|@|=|-|\\\\|\r|\n| |\t|é|x){0,60}") {
        for range in dockerfile::tag_references(&text) {
            prop_assert!(inside(&text, range) && !range.is_empty(), "{text:?} {range:?}");
        }
    }

    #[test]
    fn mutated_dockerfiles_never_panic(
        edits in prop::collection::vec((any::<usize>(), prop::option::of(prop::sample::select(
            vec!['$', '{', '}', ':', '/', '@', '\\', '\n', '\r', ' ', 'é', '\u{1F600}'],
        ))), 0..8),
        any_text in "\\PC{0,120}",
    ) {
        let stock = "ARG REGISTRY\nARG TAG\nFROM ${REGISTRY}/base-py:${TAG:-${X}} AS b\nFROM b\n";
        for text in [mutate(stock, &edits), any_text] {
            for range in dockerfile::tag_references(&text) {
                prop_assert!(inside(&text, range) && !range.is_empty(), "{text:?} {range:?}");
            }
        }
    }
}
