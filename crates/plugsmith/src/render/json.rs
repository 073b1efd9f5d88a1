//! `--output-format json`: a pretty-printed array, one object per diagnostic.
//!
//! ```json
//! {
//!   "filename": "p/plugin.py",
//!   "code": "KIL007",
//!   "severity": "error",
//!   "message": "...",
//!   "location": { "row": 3, "column": 12 },
//!   "end_location": { "row": 3, "column": 16 },
//!   "url": "https://plugsmith.dev/rules/KIL007",
//!   "fix": { "title": "...", "edits": [{ "content": "label", "location": ..., "end_location": ... }] },
//!   "related": [{ "filename": "...", "message": "...", "location": ..., "end_location": ... }]
//! }
//! ```
//!
//! Rows and columns are 1-based, columns count characters. A location is `null` when the file's
//! text could not be read (a related file outside the checked set).

use std::path::Path;

use plugsmith_core::{Diagnostic, TextRange};
use serde::Serialize;

use super::{PathStyle, Sources};
use crate::position::Position;

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    filename: String,
    code: &'a str,
    severity: &'a str,
    message: &'a str,
    location: Option<Position>,
    end_location: Option<Position>,
    url: String,
    fix: Option<JsonFix<'a>>,
    related: Vec<JsonRelated<'a>>,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    title: &'a str,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    content: &'a str,
    location: Option<Position>,
    end_location: Option<Position>,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    filename: String,
    message: &'a str,
    location: Option<Position>,
    end_location: Option<Position>,
}

/// The diagnostics as a pretty-printed JSON array, with a final line break.
pub fn render(diagnostics: &[Diagnostic], sources: &Sources, paths: &PathStyle) -> String {
    let span = |path: &Path, range: TextRange| -> (Option<Position>, Option<Position>) {
        match sources.get(path) {
            Some(source) => {
                let (start, end) = source.range(range);
                (Some(start), Some(end))
            }
            None => (None, None),
        }
    };
    let objects: Vec<JsonDiagnostic<'_>> = diagnostics
        .iter()
        .map(|diagnostic| {
            let (location, end_location) = span(&diagnostic.path, diagnostic.range);
            JsonDiagnostic {
                filename: paths.display(&diagnostic.path),
                code: diagnostic.code,
                severity: diagnostic.severity.as_str(),
                message: &diagnostic.message,
                location,
                end_location,
                url: plugsmith_core::rule::rule_url(diagnostic.code),
                fix: diagnostic.fix.as_ref().map(|fix| JsonFix {
                    title: &fix.title,
                    edits: fix
                        .edits
                        .iter()
                        .map(|edit| {
                            let (location, end_location) = span(&diagnostic.path, edit.range);
                            JsonEdit {
                                content: &edit.new_text,
                                location,
                                end_location,
                            }
                        })
                        .collect(),
                }),
                related: diagnostic
                    .related
                    .iter()
                    .map(|related| {
                        let (location, end_location) = span(&related.path, related.range);
                        JsonRelated {
                            filename: paths.display(&related.path),
                            message: &related.message,
                            location,
                            end_location,
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    // Serialising plain structs of strings and numbers cannot fail.
    let mut out = serde_json::to_string_pretty(&objects).unwrap_or_else(|_| "[]".to_string());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tests::sample;

    #[test]
    fn empty_is_an_empty_array() {
        assert_eq!(
            render(&[], &Sources::new(), &PathStyle::relative_to("/")),
            "[]\n"
        );
    }

    #[test]
    fn objects_with_locations_fixes_and_related() {
        let (diagnostics, sources) = sample();
        let out = render(&diagnostics, &sources, &PathStyle::relative_to("/work"));
        insta::assert_snapshot!(out);
    }

    #[test]
    fn unknown_text_gives_null_locations() {
        let (mut diagnostics, _) = sample();
        diagnostics.truncate(1);
        let out = render(
            &diagnostics,
            &Sources::new(),
            &PathStyle::relative_to("/work"),
        );
        let value: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert!(value[0]["location"].is_null());
        assert!(value[0]["fix"]["edits"][0]["end_location"].is_null());
        assert_eq!(value[0]["related"][0]["filename"], "p/plugin.py");
    }
}
