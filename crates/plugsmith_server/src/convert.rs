//! Core diagnostics → LSP diagnostics.
//!
//! The fix travels inside the diagnostic (`data`, as ruff does): its edits are converted to
//! LSP ranges here, against the same text the diagnostic was computed on, together with the
//! document version, so that `textDocument/codeAction` needs no analysis of its own.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

use line_index::LineIndex;

use plugsmith_core::rule::rule_url;
use plugsmith_core::{Diagnostic, Fix, Severity};
use serde_json::{Value, json};
use tower_lsp_server::ls_types::{
    self as lsp, CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity, Location,
    NumberOrString, Uri,
};

use crate::position::{LineText, PositionEncoding};

/// `source` of every diagnostic this server publishes.
pub const SOURCE: &str = "plugsmith";

/// The LSP severity of a core severity.
pub fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

/// The `file://` URI of a path (`None` for a relative path that does not exist).
pub fn path_to_uri(path: &Path) -> Option<Uri> {
    Uri::from_file_path(path)
}

/// Another file a diagnostic points at: its URI and text.
pub struct RelatedFile {
    /// Its URI (the client's spelling when it is open).
    pub uri: Uri,
    /// Its text, as the check read it.
    pub text: Arc<str>,
    /// The line index of `text`.
    pub index: Arc<LineIndex>,
}

/// Converts one diagnostic of the file whose text is `text`. `related` gives the URI and
/// text of another file, for related locations (locations in files it cannot give are left
/// out). `version` is the document version `text` belongs to (`None` for a closed file).
pub fn to_lsp(
    diagnostic: &Diagnostic,
    text: LineText<'_>,
    encoding: PositionEncoding,
    version: Option<i32>,
    related: &mut dyn FnMut(&Path) -> Option<RelatedFile>,
) -> lsp::Diagnostic {
    let range = text.range(text.visible_range(diagnostic.range), encoding);
    let related_information: Vec<DiagnosticRelatedInformation> = diagnostic
        .related
        .iter()
        .filter_map(|item| {
            let file = related(&item.path)?;
            let other = LineText::new(&file.text, &file.index);
            let range = other.range(other.visible_range(item.range), encoding);
            Some(DiagnosticRelatedInformation {
                location: Location {
                    uri: file.uri,
                    range,
                },
                message: item.message.clone(),
            })
        })
        .collect();
    lsp::Diagnostic {
        range,
        severity: Some(severity(diagnostic.severity)),
        code: Some(NumberOrString::String(diagnostic.code.to_string())),
        code_description: Uri::from_str(&rule_url(diagnostic.code))
            .ok()
            .map(|href| CodeDescription { href }),
        source: Some(SOURCE.to_string()),
        message: diagnostic.message.clone(),
        related_information: (!related_information.is_empty()).then_some(related_information),
        tags: None,
        data: diagnostic
            .fix
            .as_ref()
            .map(|fix| fix_data(fix, text, encoding, version)),
    }
}

/// The `data` of a diagnostic with a fix.
fn fix_data(
    fix: &Fix,
    text: LineText<'_>,
    encoding: PositionEncoding,
    version: Option<i32>,
) -> Value {
    let edits: Vec<lsp::TextEdit> = fix
        .edits
        .iter()
        .map(|edit| lsp::TextEdit {
            range: text.range(edit.range, encoding),
            new_text: edit.new_text.clone(),
        })
        .collect();
    json!({
        "fix": {"title": fix.title, "edits": edits},
        "version": version,
    })
}

/// A fix read back from a diagnostic's `data`.
#[derive(Debug, Clone, PartialEq)]
pub struct FixData {
    /// The code action's title.
    pub title: String,
    /// The edits, in the diagnostic's document.
    pub edits: Vec<lsp::TextEdit>,
    /// The document version the edits were computed for.
    pub version: Option<i32>,
}

/// Reads the fix back from `data` (`None` when there is none or it is not ours).
pub fn fix_from_data(data: &Value) -> Option<FixData> {
    let fix = data.get("fix")?;
    let title = fix.get("title")?.as_str()?.to_string();
    let edits: Vec<lsp::TextEdit> = serde_json::from_value(fix.get("edits")?.clone()).ok()?;
    let version = data
        .get("version")
        .and_then(Value::as_i64)
        .and_then(|v| i32::try_from(v).ok());
    Some(FixData {
        title,
        edits,
        version,
    })
}

#[cfg(test)]
mod tests {
    use line_index::{TextRange, TextSize};
    use plugsmith_core::{Edit, Rule};

    use super::*;

    static RULE: Rule = Rule {
        code: "TST001",
        name: "test",
        severity: Severity::Info,
        core: false,
        summary: "",
        doc: "",
    };

    fn range(start: u32, end: u32) -> TextRange {
        TextRange::new(TextSize::new(start), TextSize::new(end))
    }

    #[test]
    fn converts_every_field() {
        let text = "a = 'é'\nb = 1\n";
        let index = LineIndex::new(text);
        let lt = LineText::new(text, &index);
        let other_text = "x\ny\n";
        let other_index = LineIndex::new(other_text);
        let diagnostic = Diagnostic::new(&RULE, "/p/a.py", range(14, 14), "msg")
            .with_related("/p/b.json", range(2, 3), "defined here")
            .with_related("/gone", range(0, 1), "skipped")
            .with_fix(
                "Replace",
                vec![Edit {
                    range: range(4, 8),
                    new_text: "2".into(),
                }],
            );
        let mut related = |path: &Path| {
            (path == Path::new("/p/b.json")).then(|| RelatedFile {
                uri: Uri::from_str("file:///p/b.json").unwrap(),
                text: Arc::from(other_text),
                index: Arc::new(other_index.clone()),
            })
        };
        let lsp = to_lsp(
            &diagnostic,
            lt,
            PositionEncoding::Utf16,
            Some(3),
            &mut related,
        );
        // Empty range at the end of line 1: widened to the character before it.
        assert_eq!(
            lsp.range,
            lsp::Range::new(lsp::Position::new(1, 4), lsp::Position::new(1, 5))
        );
        assert_eq!(lsp.severity, Some(DiagnosticSeverity::INFORMATION));
        assert_eq!(lsp.code, Some(NumberOrString::String("TST001".into())));
        assert_eq!(
            lsp.code_description.unwrap().href.as_str(),
            "https://plugsmith.dev/rules/TST001"
        );
        assert_eq!(lsp.source.as_deref(), Some("plugsmith"));
        let related = lsp.related_information.unwrap();
        assert_eq!(related.len(), 1);
        assert_eq!(
            related[0].location.range,
            lsp::Range::new(lsp::Position::new(1, 0), lsp::Position::new(1, 1))
        );
        let fix = fix_from_data(&lsp.data.unwrap()).unwrap();
        assert_eq!(fix.title, "Replace");
        assert_eq!(fix.version, Some(3));
        // Bytes 4..8 are `'é'`: UTF-16 columns 4..7.
        assert_eq!(
            fix.edits[0].range,
            lsp::Range::new(lsp::Position::new(0, 4), lsp::Position::new(0, 7))
        );
        assert_eq!(severity(Severity::Error), DiagnosticSeverity::ERROR);
        assert_eq!(severity(Severity::Warning), DiagnosticSeverity::WARNING);
        assert!(fix_from_data(&json!({"other": 1})).is_none());
    }
}
