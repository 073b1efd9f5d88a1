//! Differential test: Python's `configparser` (the oracle, `configparser_oracle.py`) and
//! `plugsmith_core::syntax::ini` must agree on every INI file of `fixtures/panoptes/**` and
//! `../shared/real-examples/panoptes/**`, and on a deterministic sample of generated texts:
//! the exception raised (class and lines), sections, lower-cased option names, raw values,
//! and, per option read with `get`, the interpolation exception.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use plugsmith_core::syntax::ini::{self, IniDocument};
use serde_json::{Map, Value, json};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..")
}

fn oracle_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/configparser_oracle.py")
}

fn python_available() -> bool {
    Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn ini_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            ini_files(&path, out);
        } else if name.contains(".panoptes-plugin") || name.ends_with(".ini") {
            out.push(path);
        }
    }
}

/// What our reader says, in the oracle's JSON shape.
fn ours(name: &str, text: &str) -> Value {
    let doc: IniDocument = ini::parse(text);
    let mut result =
        json!({"name": name, "error": null, "sections": {}, "defaults": {}, "interpolation": {}});
    if let Some(raised) = doc.raised() {
        let lines: Vec<u32> = raised.errors.iter().map(|e| e.line).collect();
        result["error"] = json!({"class": raised.class, "lines": lines});
        return result;
    }
    let mut sections = Map::new();
    let mut interpolation = Map::new();
    for section in &doc.sections {
        let options: Map<String, Value> = section
            .options
            .iter()
            .map(|o| (o.name.clone(), Value::String(o.value.text.clone())))
            .collect();
        sections.insert(section.name.clone(), Value::Object(options));
        for option in doc.options(&section.name) {
            let outcome = match doc.interpolate(&section.name, &option.name) {
                Some(Err(error)) => Value::String(error.kind.python_name().to_string()),
                _ => Value::Null,
            };
            interpolation.insert(format!("{}/{}", section.name, option.name), outcome);
        }
    }
    result["sections"] = Value::Object(sections);
    result["defaults"] = Value::Object(
        doc.defaults
            .options
            .iter()
            .map(|o| (o.name.clone(), Value::String(o.value.text.clone())))
            .collect(),
    );
    result["interpolation"] = Value::Object(interpolation);
    result
}

/// Runs the oracle over `(name, text)` pairs.
fn oracle(inputs: &[(String, String)]) -> Vec<Value> {
    let mut child = Command::new("python3")
        .arg(oracle_script())
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let payload = serde_json::to_vec(inputs).unwrap();
    child.stdin.take().unwrap().write_all(&payload).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "oracle failed");
    serde_json::from_slice(&output.stdout).unwrap()
}

fn compare(inputs: &[(String, String)]) -> (usize, Vec<String>) {
    let expected = oracle(inputs);
    assert_eq!(expected.len(), inputs.len());
    let mut classes: std::collections::BTreeMap<String, usize> = Default::default();
    for python in &expected {
        let class = python["error"]["class"]
            .as_str()
            .unwrap_or("no error")
            .to_string();
        *classes.entry(class).or_default() += 1;
        for outcome in python["interpolation"]
            .as_object()
            .into_iter()
            .flat_map(|m| m.values())
        {
            if let Some(class) = outcome.as_str() {
                *classes.entry(class.to_string()).or_default() += 1;
            }
        }
    }
    eprintln!("oracle outcomes: {classes:?}");
    let mut disagreements = Vec::new();
    for ((name, text), python) in inputs.iter().zip(&expected) {
        let rust = ours(name, text);
        if &rust != python {
            disagreements.push(format!(
                "{name}:\n  text: {text:?}\n  python: {python}\n  ours:   {rust}"
            ));
        }
    }
    (inputs.len(), disagreements)
}

#[test]
fn agrees_on_fixtures_and_real_examples() {
    if !python_available() {
        eprintln!("python3 not found: skipping the configparser differential test");
        return;
    }
    let mut files = Vec::new();
    ini_files(&repo().join("fixtures/panoptes"), &mut files);
    let shared = repo().join("../shared/real-examples/panoptes");
    if shared.is_dir() {
        ini_files(&shared, &mut files);
    } else {
        eprintln!(
            "{} absent: only the fixtures are compared",
            shared.display()
        );
    }
    files.sort();
    // Fixtures may hold files that are not UTF-8 on purpose; Python would not read them either.
    let inputs: Vec<(String, String)> = files
        .iter()
        .filter_map(|path| {
            let text = String::from_utf8(fs::read(path).ok()?).ok()?;
            Some((path.display().to_string(), text))
        })
        .collect();
    let (count, disagreements) = compare(&inputs);
    eprintln!("configparser differential: {count} files compared");
    assert!(count > 0);
    assert!(
        disagreements.is_empty(),
        "{} of {count} files disagree:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}

/// A small deterministic generator of INI-like texts built from the constructs that matter.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.next() % items.len()]
    }
}

fn generated(seed: u64) -> String {
    const LINES: &[&str] = &[
        "[Core]",
        "[core]",
        "[main]",
        "[DEFAULT]",
        "[ a b ]",
        "[x] tail",
        "[]",
        "[[x]]",
        "[x",
        "Name = Test",
        "name: other",
        "Module = plugin",
        "key = value",
        "KEY=v",
        "key2 :  v  ",
        "= nothing",
        ": nothing",
        "flag",
        "  indented = x",
        "    continued line",
        "\tcont",
        "  ",
        "",
        "# comment",
        "; comment",
        "   # indented comment",
        "a = 10%",
        "b = 10%%",
        "c = %(key)s",
        "d = %(missing)s",
        "e = %(e)s",
        "f = %(name)s and %(key2)s",
        "g = %",
        "h = %(",
        "i = %(x)d",
        "\u{a0}x = nbsp",
        "j = \u{1c}sep\u{1c}",
        "k = a=b:c",
        "execute_frequency = 60",
        "resource_filter = resource_class = \"a\" AND x LIKE \"y%%\"",
    ];
    const ENDS: &[&str] = &["\n", "\n", "\n", "\r\n", "\r"];
    let mut rng = Lcg(seed);
    let count = rng.next() % 12;
    let mut text = String::new();
    if !rng.next().is_multiple_of(4) {
        text.push_str("[s]\n");
    }
    for _ in 0..count {
        text.push_str(rng.pick(LINES));
        text.push_str(rng.pick(ENDS));
    }
    if rng.next().is_multiple_of(3) {
        text.push_str(rng.pick(LINES));
    }
    text
}

#[test]
fn agrees_on_generated_texts() {
    if !python_available() {
        eprintln!("python3 not found: skipping the configparser differential test");
        return;
    }
    let inputs: Vec<(String, String)> = (0..3000u64)
        .map(|seed| (format!("generated-{seed}"), generated(seed)))
        .collect();
    let (count, disagreements) = compare(&inputs);
    eprintln!("configparser differential: {count} generated texts compared");
    assert!(
        disagreements.is_empty(),
        "{} of {count} generated texts disagree:\n{}",
        disagreements.len(),
        disagreements
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
