//! `--output-format sarif`: a SARIF 2.1.0 log with one run.
//!
//! - `tool.driver`: `plugsmith`, its version, `informationUri`, and a `rules` entry (id, name,
//!   short description, help URI, default level) for every rule that fired, in code order;
//!   results point at them with `ruleId` and `ruleIndex`.
//! - Locations: `artifactLocation.uri` relative to the working folder with `uriBaseId`
//!   `%SRCROOT%` (defined in `originalUriBaseIds` as the working folder's `file:` URI); a file
//!   outside the working folder gets an absolute `file:` URI. Regions have 1-based lines and
//!   columns; SARIF's default column unit is the UTF-16 code unit, so the run sets
//!   `columnKind: unicodeCodePoints` and columns count characters, as in every other format.
//!   A file whose text could not be read gets no region.
//! - `relatedLocations` (with ids and messages) and `fixes` (`artifactChanges` with
//!   `replacements`) when the diagnostic has them.
//! - Levels: error → `error`, warning → `warning`, info → `note`.

use std::path::{Component, Path};

use plugsmith_core::{Diagnostic, Severity, TextRange};
use serde_json::{Map, Value, json};

use super::{PathStyle, Sources};

/// The `$schema` of the log (the SARIF 2.1.0 schema as SchemaStore publishes it).
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// Where the tool is documented.
pub const INFORMATION_URI: &str = "https://plugsmith.dev";
/// The base every relative `artifactLocation.uri` is resolved against.
pub const SRCROOT: &str = "%SRCROOT%";

/// The SARIF level of a severity.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The diagnostics as a pretty-printed SARIF 2.1.0 log, with a final line break.
pub fn render(diagnostics: &[Diagnostic], sources: &Sources, paths: &PathStyle) -> String {
    let mut codes: Vec<&str> = diagnostics.iter().map(|d| d.code).collect();
    codes.sort_unstable();
    codes.dedup();
    let rules: Vec<Value> = codes.iter().map(|code| rule_descriptor(code)).collect();
    let results: Vec<Value> = diagnostics
        .iter()
        .map(|diagnostic| {
            let index = codes.binary_search(&diagnostic.code).unwrap_or(0);
            result(diagnostic, index, sources, paths)
        })
        .collect();
    let log = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "plugsmith",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": INFORMATION_URI,
                    "rules": rules,
                }
            },
            "originalUriBaseIds": {
                SRCROOT: { "uri": directory_uri(paths.base()) }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    // Serialising a `Value` cannot fail.
    let mut out = serde_json::to_string_pretty(&log).unwrap_or_else(|_| "{}".to_string());
    out.push('\n');
    out
}

/// The `reportingDescriptor` of a rule; an unknown code gets its id and help URI only.
fn rule_descriptor(code: &str) -> Value {
    let mut descriptor = Map::new();
    descriptor.insert("id".into(), code.into());
    if let Some(rule) = plugsmith_check::find_rule(code) {
        descriptor.insert("name".into(), rule.name.into());
        descriptor.insert("shortDescription".into(), json!({ "text": rule.summary }));
        descriptor.insert(
            "helpUri".into(),
            plugsmith_core::rule::rule_url(rule.code).into(),
        );
        descriptor.insert(
            "defaultConfiguration".into(),
            json!({ "level": level(rule.severity) }),
        );
    } else {
        descriptor.insert(
            "helpUri".into(),
            plugsmith_core::rule::rule_url(code).into(),
        );
    }
    Value::Object(descriptor)
}

fn result(
    diagnostic: &Diagnostic,
    rule_index: usize,
    sources: &Sources,
    paths: &PathStyle,
) -> Value {
    let mut result = Map::new();
    result.insert("ruleId".into(), diagnostic.code.into());
    result.insert("ruleIndex".into(), rule_index.into());
    result.insert("level".into(), level(diagnostic.severity).into());
    result.insert("message".into(), json!({ "text": diagnostic.message }));
    result.insert(
        "locations".into(),
        json!([{ "physicalLocation": physical_location(&diagnostic.path, diagnostic.range, sources, paths) }]),
    );
    if !diagnostic.related.is_empty() {
        let related: Vec<Value> = diagnostic
            .related
            .iter()
            .enumerate()
            .map(|(id, related)| {
                json!({
                    "id": id,
                    "physicalLocation": physical_location(&related.path, related.range, sources, paths),
                    "message": { "text": related.message },
                })
            })
            .collect();
        result.insert("relatedLocations".into(), related.into());
    }
    if let Some(fix) = &diagnostic.fix {
        let replacements: Vec<Value> = fix
            .edits
            .iter()
            .map(|edit| {
                let mut replacement = Map::new();
                replacement.insert(
                    "deletedRegion".into(),
                    region(&diagnostic.path, edit.range, sources)
                        .unwrap_or_else(|| byte_region(edit.range)),
                );
                replacement.insert("insertedContent".into(), json!({ "text": edit.new_text }));
                Value::Object(replacement)
            })
            .collect();
        result.insert(
            "fixes".into(),
            json!([{
                "description": { "text": fix.title },
                "artifactChanges": [{
                    "artifactLocation": artifact_location(&diagnostic.path, paths),
                    "replacements": replacements,
                }],
            }]),
        );
    }
    Value::Object(result)
}

fn physical_location(path: &Path, range: TextRange, sources: &Sources, paths: &PathStyle) -> Value {
    let mut location = Map::new();
    location.insert("artifactLocation".into(), artifact_location(path, paths));
    if let Some(region) = region(path, range, sources) {
        location.insert("region".into(), region);
    }
    Value::Object(location)
}

/// A relative URI with `uriBaseId` for a file inside the working folder, an absolute `file:`
/// URI otherwise.
fn artifact_location(path: &Path, paths: &PathStyle) -> Value {
    match paths.relative(path) {
        Some(relative) => json!({ "uri": relative_uri(relative), "uriBaseId": SRCROOT }),
        None => json!({ "uri": file_uri(path) }),
    }
}

/// Lines and character columns of `range`, when the file's text is known.
fn region(path: &Path, range: TextRange, sources: &Sources) -> Option<Value> {
    let source = sources.get(path)?;
    let (start, end) = source.range(range);
    Some(json!({
        "startLine": start.row,
        "startColumn": start.column,
        "endLine": end.row,
        "endColumn": end.column,
    }))
}

/// A region in bytes, for a fix whose file text is unknown (SARIF allows byte offsets).
fn byte_region(range: TextRange) -> Value {
    json!({
        "byteOffset": u32::from(range.start()),
        "byteLength": u32::from(range.len()),
    })
}

/// `a/b c.py` → `a/b%20c.py`: path components joined with `/`, each percent-encoded.
fn relative_uri(relative: &Path) -> String {
    relative
        .components()
        .filter_map(|component| match component {
            Component::Normal(part) => Some(encode(&part.to_string_lossy())),
            Component::ParentDir => Some("..".to_string()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// `file:` URI of an absolute path (`file:///C:/x` on Windows).
fn file_uri(path: &Path) -> String {
    let mut uri = String::from("file://");
    for component in path.components() {
        match component {
            Component::Prefix(prefix) => {
                uri.push('/');
                uri.push_str(&prefix.as_os_str().to_string_lossy().replace('\\', "/"));
            }
            Component::Normal(part) => {
                uri.push('/');
                uri.push_str(&encode(&part.to_string_lossy()));
            }
            Component::ParentDir => uri.push_str("/.."),
            Component::RootDir | Component::CurDir => {}
        }
    }
    if uri == "file://" {
        uri.push('/');
    }
    uri
}

/// The `file:` URI of a folder, ending with `/` as SARIF requires for base URIs.
fn directory_uri(path: &Path) -> String {
    let mut uri = file_uri(path);
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn encode(part: &str) -> String {
    let mut out = String::with_capacity(part.len());
    for byte in part.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tests::sample;

    fn log() -> Value {
        let (diagnostics, sources) = sample();
        let out = render(&diagnostics, &sources, &PathStyle::relative_to("/work"));
        serde_json::from_str(&out).unwrap()
    }

    #[test]
    fn one_run_with_the_rules_that_fired() {
        let log = log();
        assert_eq!(log["version"], "2.1.0");
        let runs = log["runs"].as_array().unwrap();
        assert_eq!(runs.len(), 1);
        let run = &runs[0];
        assert_eq!(run["columnKind"], "unicodeCodePoints");
        assert_eq!(run["originalUriBaseIds"][SRCROOT]["uri"], "file:///work/");
        let driver = &run["tool"]["driver"];
        assert_eq!(driver["name"], "plugsmith");
        assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
        let ids: Vec<&str> = driver["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|rule| rule["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["KIL007", "PLG002", "PLG003"]);
        let kil007 = &driver["rules"][0];
        assert_eq!(kil007["helpUri"], "https://plugsmith.dev/rules/KIL007");
        assert_eq!(kil007["defaultConfiguration"]["level"], "error");
        assert!(kil007["shortDescription"]["text"].is_string());
        assert_eq!(run["results"][1]["ruleIndex"], 2);
    }

    #[test]
    fn results_have_character_columns_related_locations_and_fixes() {
        let log = log();
        let results = log["runs"][0]["results"].as_array().unwrap();
        let levels: Vec<&str> = results
            .iter()
            .map(|r| r["level"].as_str().unwrap())
            .collect();
        assert_eq!(levels, ["error", "warning", "note"]);
        let first = &results[0];
        let location = &first["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], "p/plugin.py");
        assert_eq!(location["artifactLocation"]["uriBaseId"], SRCROOT);
        assert_eq!(
            location["region"],
            json!({ "startLine": 3, "startColumn": 12, "endLine": 3, "endColumn": 16 })
        );
        assert_eq!(
            first["relatedLocations"][0]["message"]["text"],
            "did you mean this parameter?"
        );
        let change = &first["fixes"][0]["artifactChanges"][0];
        assert_eq!(
            change["replacements"][0]["insertedContent"]["text"],
            "label"
        );
        assert_eq!(
            change["replacements"][0]["deletedRegion"]["startColumn"],
            12
        );
        // `"é"` on line 2 of the manifest: columns count characters, not UTF-16 units or bytes.
        let note = &results[2]["locations"][0]["physicalLocation"]["region"];
        assert_eq!(note["startColumn"], 10);
        assert_eq!(note["endColumn"], 13);
    }

    #[test]
    fn files_outside_the_working_folder_and_unknown_text() {
        let (mut diagnostics, _) = sample();
        diagnostics.truncate(1);
        let out = render(
            &diagnostics,
            &Sources::new(),
            &PathStyle::relative_to("/else where"),
        );
        let log: Value = serde_json::from_str(&out).unwrap();
        let run = &log["runs"][0];
        assert_eq!(
            run["originalUriBaseIds"][SRCROOT]["uri"],
            "file:///else%20where/"
        );
        let location = &run["results"][0]["locations"][0]["physicalLocation"];
        assert_eq!(
            location["artifactLocation"],
            json!({ "uri": "file:///work/p/plugin.py" })
        );
        assert!(location.get("region").is_none());
        let deleted = &run["results"][0]["fixes"][0]["artifactChanges"][0]["replacements"][0]["deletedRegion"];
        assert!(deleted["byteOffset"].is_u64());
    }

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(relative_uri(Path::new("a b/c#d.py")), "a%20b/c%23d.py");
        assert_eq!(relative_uri(Path::new("é.py")), "%C3%A9.py");
        assert_eq!(file_uri(Path::new("/")), "file:///");
        assert_eq!(directory_uri(Path::new("/x")), "file:///x/");
    }

    #[test]
    fn related_locations_and_fixes_validate_against_the_schema() {
        // See tests/formats.rs and tests/data/README.md: the vendored schema's two `language`
        // patterns have a stray `]` that the meta-schema check rejects.
        let schema = include_str!("../../tests/data/sarif-2.1.0-rtm.5.json").replace(
            r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#,
            r#""^[a-zA-Z]{2}(-[a-zA-Z]{2})?$""#,
        );
        let schema: Value = serde_json::from_str(&schema).unwrap();
        let validator = jsonschema::validator_for(&schema).unwrap();
        let log = log();
        assert!(log["runs"][0]["results"][0]["relatedLocations"].is_array());
        assert!(log["runs"][0]["results"][0]["fixes"].is_array());
        let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:#?}");
        // Unknown text: no region, byte-offset fix regions.
        let (diagnostics, _) = sample();
        let out = render(
            &diagnostics,
            &Sources::new(),
            &PathStyle::relative_to("/else"),
        );
        let log: Value = serde_json::from_str(&out).unwrap();
        let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }

    #[test]
    fn empty_log_still_has_a_run() {
        let out = render(&[], &Sources::new(), &PathStyle::relative_to("/"));
        let log: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(log["runs"][0]["results"], json!([]));
        assert_eq!(log["runs"][0]["tool"]["driver"]["rules"], json!([]));
        assert_eq!(
            log["runs"][0]["originalUriBaseIds"][SRCROOT]["uri"],
            "file:///"
        );
    }
}
