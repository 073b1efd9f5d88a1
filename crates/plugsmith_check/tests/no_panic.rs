//! Property tests over the whole check: random and mutated plugin files of every platform, in
//! every layout the detectors look for, never make the checker panic, and every diagnostic it
//! returns has a range inside its file, on character boundaries.

use std::fs;
use std::path::{Path, PathBuf};

use plugsmith_check::{Settings, check};
use plugsmith_core::workspace::MemoryFileSystem;
use plugsmith_core::{FileSystem, Workspace};
use proptest::prelude::*;

/// Real fixture files to mutate: (path inside a case, text).
fn seeds() -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let mut seeds = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if !path.to_string_lossy().ends_with(".snap")
                && let Ok(text) = fs::read_to_string(&path)
            {
                // Keep the path below `fixtures/<platform>/<case>/`.
                let inner: PathBuf = path
                    .strip_prefix(&root)
                    .unwrap()
                    .components()
                    .skip(2)
                    .collect();
                seeds.push((inner, text));
            }
        }
    }
    seeds.sort();
    seeds
}

/// Names every detector looks for, so random text lands where it is parsed.
const NAMES: &[&str] = &[
    "main.py",
    "plugin.py",
    "pkg/__init__.py",
    "pkg/stages.py",
    "app/plugins/demo/__init__.py",
    "x.panoptes-plugin",
    "x.panoptes-plugin.example",
    "info.ini",
    "plugin_info.json",
    "predefined_run_configs.json",
    "VERSION",
    "Dockerfile",
    "src/main.py",
    "workflows/w.yaml",
    "w.json",
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    "requirements.txt",
];

#[derive(Debug, Clone)]
enum Mutation {
    Insert(usize, String),
    Delete(usize, usize),
    Truncate(usize),
    Duplicate(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), "[\\PC\n\t:=\\[\\]{}()\"'%#;,.-]{0,8}")
            .prop_map(|(at, s)| Mutation::Insert(at, s)),
        (any::<usize>(), 0usize..40).prop_map(|(at, n)| Mutation::Delete(at, n)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), 0usize..60).prop_map(|(at, n)| Mutation::Duplicate(at, n)),
    ]
}

fn boundary(text: &str, at: usize) -> usize {
    let mut at = at % (text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn apply(text: &str, mutation: &Mutation) -> String {
    let mut out = text.to_string();
    match mutation {
        Mutation::Insert(at, s) => out.insert_str(boundary(text, *at), s),
        Mutation::Delete(at, n) => {
            let start = boundary(text, *at);
            let end = boundary(text, start + n).max(start);
            out.replace_range(start..end, "");
        }
        Mutation::Truncate(at) => out.truncate(boundary(text, *at)),
        Mutation::Duplicate(at, n) => {
            let start = boundary(text, *at);
            let end = boundary(text, start + n).max(start);
            let piece = text[start..end].to_string();
            out.insert_str(end, &piece);
        }
    }
    out
}

fn check_no_panic(files: Vec<(PathBuf, String)>) -> Result<(), TestCaseError> {
    let mut fs = MemoryFileSystem::new();
    for (path, text) in &files {
        fs.insert(path.clone(), text.clone());
    }
    let workspace = Workspace::from_memory(fs.clone());
    let report = check(&workspace, &Settings::default());
    for diagnostic in report.diagnostics() {
        let text = fs
            .read(&diagnostic.path)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let start = u32::from(diagnostic.range.start()) as usize;
        let end = u32::from(diagnostic.range.end()) as usize;
        prop_assert!(
            end <= text.len(),
            "{diagnostic:?} beyond the end of {} bytes",
            text.len()
        );
        prop_assert!(
            text.is_char_boundary(start) && text.is_char_boundary(end),
            "{diagnostic:?} not on character boundaries"
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Fixture files, each mutated a few times, at their own paths and at other detectors' paths.
    #[test]
    fn mutated_fixtures_never_panic(
        picks in prop::collection::vec((any::<usize>(), any::<usize>(), prop::collection::vec(mutation(), 0..4)), 1..6)
    ) {
        let seeds = seeds();
        prop_assume!(!seeds.is_empty());
        let files = picks
            .iter()
            .map(|(seed, name, mutations)| {
                let (path, text) = &seeds[seed % seeds.len()];
                let text = mutations.iter().fold(text.clone(), |t, m| apply(&t, m));
                // Half the time keep the seed's own path, else a detector's favourite name.
                let path = if name % 2 == 0 { path.clone() } else { PathBuf::from(NAMES[name % NAMES.len()]) };
                (path, text)
            })
            .collect();
        check_no_panic(files)?;
    }

    /// Random text at every detector's favourite path.
    #[test]
    fn random_text_never_panics(
        texts in prop::collection::vec((0usize..NAMES.len(), "\\PC{0,200}"), 1..8)
    ) {
        let files = texts
            .into_iter()
            .map(|(name, text)| (PathBuf::from(NAMES[name]), text))
            .collect();
        check_no_panic(files)?;
    }
}
