//! `--output-format sarif` and `--output-format github` from real processes. The SARIF log is
//! validated against the SARIF 2.1.0 JSON schema vendored in `tests/data/` (see its README).

use std::fs;

use serde_json::Value;

mod common;
use common::{code, plugsmith, stdout};

const SARIF_SCHEMA: &str = include_str!("data/sarif-2.1.0-rtm.5.json");

/// The `language` pattern of the rtm.5 schema (`run` and `toolComponent`), with a stray `]`: ECMA-262 reads it as a
/// literal, but the draft-04 meta-schema's `format: regex` check (which `jsonschema` always
/// applies to a schema and cannot be turned off) rejects it.
const STRAY_BRACKET_PATTERN: &str = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#;
/// What that pattern means (a language code like `en` or `en-US`), as later SARIF schemas
/// write it. plugsmith never emits `language`.
const LANGUAGE_PATTERN: &str = r#""^[a-zA-Z]{2}(-[a-zA-Z]{2})?$""#;

/// Every schema error in `instance`, as text.
fn schema_errors(instance: &Value) -> Vec<String> {
    assert_eq!(SARIF_SCHEMA.matches(STRAY_BRACKET_PATTERN).count(), 2);
    let schema: Value =
        serde_json::from_str(&SARIF_SCHEMA.replace(STRAY_BRACKET_PATTERN, LANGUAGE_PATTERN))
            .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    validator
        .iter_errors(instance)
        .map(|error| format!("{error} at {}", error.instance_path()))
        .collect()
}

/// The five skeletons, each broken so that it reports something: errors, warnings, a fix
/// (Panoptes' `exequte_frequency` typo), a file name with a space and non-ASCII text.
fn broken_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for platform in ["kili", "panoptes", "supervisely", "flowdapt", "archihub"] {
        let output = plugsmith(dir.path(), &["init", "--platform", platform, platform]);
        assert_eq!(
            code(&output),
            0,
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let edit = |file: &str, from: &str, to: &str| {
        let path = dir.path().join(file);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{from} not in {file}");
        fs::write(&path, text.replacen(from, to, 1)).unwrap();
    };
    edit("kili/main.py", "def on_submit", "async def on_submit");
    edit(
        "panoptes/panoptes.panoptes-plugin",
        "execute_frequency = 60",
        "exequte_frequency = 60",
    );
    edit("supervisely/VERSION", "supervisely:0.1.0", "supervisely");
    edit(
        "flowdapt/workflows/flowdapt.yaml",
        "flowdapt.stages.summarise",
        "flowdapt.stages.summarize",
    );
    edit(
        "archihub/__init__.py",
        "name='archihub.bulk'",
        "name='FUNCNAME'",
    );
    // A second Kili plugin in a folder whose name needs percent-encoding.
    fs::create_dir(dir.path().join("with space")).unwrap();
    fs::write(
        dir.path().join("with space/plugin.py"),
        "from kili.plugins import PluginCore\n\nclass PluginHandler(PluginCore):\n    def on_submit(self, label=\"é😀\", asset_id=None)\n        pass\n",
    )
    .unwrap();
    dir
}

#[test]
fn the_vendored_schema_rejects_what_sarif_forbids() {
    // Guards against a schema that accepts anything (wrong file, failed $ref resolution).
    assert!(!schema_errors(&serde_json::json!({})).is_empty());
    let bad_level = serde_json::json!({
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": { "name": "x" } },
            "results": [{ "message": { "text": "m" }, "level": "info" }]
        }]
    });
    assert!(!schema_errors(&bad_level).is_empty());
    let bad_column_kind = serde_json::json!({
        "version": "2.1.0",
        "runs": [{ "tool": { "driver": { "name": "x" } }, "columnKind": "characters" }]
    });
    assert!(!schema_errors(&bad_column_kind).is_empty());
}

#[test]
fn sarif_validates_against_the_schema() {
    let dir = broken_workspace();
    let output = plugsmith(dir.path(), &["check", "--output-format", "sarif"]);
    assert_eq!(
        code(&output),
        1,
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let log: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let errors = schema_errors(&log);
    assert!(errors.is_empty(), "{errors:#?}");

    let run = &log["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let results = run["results"].as_array().unwrap();
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let mut fired: Vec<&str> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    fired.sort_unstable();
    fired.dedup();
    let described: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(fired, described, "one descriptor per rule that fired");
    for code in ["KIL005", "PAN004", "SLY002", "FDT005", "ARC007", "PLG001"] {
        assert!(fired.contains(&code), "{code} missing: {fired:?}");
    }
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let uri = location["artifactLocation"]["uri"].as_str().unwrap();
        assert!(!uri.starts_with('/') && !uri.contains(' '), "{uri}");
        assert!(location["region"]["startLine"].as_u64().unwrap() >= 1);
    }
    assert!(results.iter().any(
        |r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            == "with%20space/plugin.py"
    ));
    assert!(
        results.iter().any(|r| r["fixes"].is_array()),
        "the PAN004 typo comes with a fix"
    );

    // Same findings and exit status as the JSON format.
    let json = plugsmith(dir.path(), &["check", "--output-format", "json"]);
    assert_eq!(code(&json), code(&output));
    let diagnostics: Value = serde_json::from_str(&stdout(&json)).unwrap();
    let diagnostics = diagnostics.as_array().unwrap();
    assert_eq!(diagnostics.len(), results.len());
    for (diagnostic, result) in diagnostics.iter().zip(results) {
        let region = &result["locations"][0]["physicalLocation"]["region"];
        assert_eq!(diagnostic["location"]["row"], region["startLine"]);
        assert_eq!(diagnostic["location"]["column"], region["startColumn"]);
        assert_eq!(diagnostic["end_location"]["column"], region["endColumn"]);
        assert_eq!(diagnostic["message"], result["message"]["text"]);
    }
}

#[test]
fn sarif_of_a_clean_workspace_validates_too() {
    let dir = tempfile::tempdir().unwrap();
    let output = plugsmith(dir.path(), &["check", "--output-format", "sarif"]);
    assert_eq!(code(&output), 0);
    let log: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(schema_errors(&log), Vec::<String>::new());
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn github_annotations_one_per_diagnostic() {
    let dir = broken_workspace();
    let output = plugsmith(dir.path(), &["check", "--output-format", "github"]);
    assert_eq!(code(&output), 1);
    let json = plugsmith(dir.path(), &["check", "--output-format", "json"]);
    let diagnostics: Value = serde_json::from_str(&stdout(&json)).unwrap();
    let diagnostics = diagnostics.as_array().unwrap();
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), diagnostics.len(), "{text}");
    for (line, diagnostic) in lines.iter().zip(diagnostics) {
        let command = match diagnostic["severity"].as_str().unwrap() {
            "error" => "error",
            "warning" => "warning",
            _ => "notice",
        };
        let filename = diagnostic["filename"]
            .as_str()
            .unwrap()
            .replace('%', "%25")
            .replace(':', "%3A")
            .replace(',', "%2C");
        let expected = format!(
            "::{command} file={filename},line={},col={},endLine={},endColumn={},title={}::",
            diagnostic["location"]["row"],
            diagnostic["location"]["column"],
            diagnostic["end_location"]["row"],
            diagnostic["end_location"]["column"],
            diagnostic["code"].as_str().unwrap(),
        );
        assert!(line.starts_with(&expected), "{line}\n{expected}");
    }
    assert!(text.contains("file=with space/plugin.py,"), "{text}");
}
