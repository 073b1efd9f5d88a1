//! `textDocument/codeAction`: quick fixes from the fixes carried in diagnostics' `data`.

use std::collections::HashMap;

use tower_lsp_server::ls_types::{
    self as lsp, CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, WorkspaceEdit,
};

use crate::convert::{self, SOURCE};

/// The quick fixes for the plugsmith diagnostics in `params.context`.
///
/// `current_version` is the document's version now (`None` when it is not open): fixes
/// computed for another version are dropped, their ranges would be wrong. `published` is
/// what the server last published for the document, used to find the fix when a client
/// does not send `data` back.
pub fn quick_fixes(
    params: &CodeActionParams,
    current_version: Option<i32>,
    published: &[lsp::Diagnostic],
) -> Vec<CodeActionOrCommand> {
    if let Some(only) = &params.context.only
        && !only.iter().any(|kind| {
            let kind = kind.as_str();
            kind.is_empty()
                || CodeActionKind::QUICKFIX.as_str() == kind
                || CodeActionKind::QUICKFIX
                    .as_str()
                    .starts_with(&format!("{kind}."))
        })
    {
        return Vec::new();
    }
    let mut actions = Vec::new();
    for diagnostic in &params.context.diagnostics {
        if diagnostic.source.as_deref() != Some(SOURCE) {
            continue;
        }
        let data = diagnostic.data.clone().or_else(|| {
            published
                .iter()
                .find(|known| {
                    known.range == diagnostic.range
                        && known.code == diagnostic.code
                        && known.message == diagnostic.message
                })
                .and_then(|known| known.data.clone())
        });
        let Some(fix) = data.as_ref().and_then(convert::fix_from_data) else {
            continue;
        };
        if let (Some(computed), Some(current)) = (fix.version, current_version)
            && computed != current
        {
            continue;
        }
        let edit = WorkspaceEdit {
            changes: Some(HashMap::from([(
                params.text_document.uri.clone(),
                fix.edits,
            )])),
            ..WorkspaceEdit::default()
        };
        actions.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: fix.title,
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![diagnostic.clone()]),
            edit: Some(edit),
            is_preferred: Some(true),
            ..CodeAction::default()
        }));
    }
    actions
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use serde_json::json;
    use tower_lsp_server::ls_types::{
        CodeActionContext, NumberOrString, PartialResultParams, Position, Range,
        TextDocumentIdentifier, Uri, WorkDoneProgressParams,
    };

    use super::*;

    fn diagnostic(data: Option<serde_json::Value>) -> lsp::Diagnostic {
        lsp::Diagnostic {
            range: Range::new(Position::new(0, 0), Position::new(0, 3)),
            code: Some(NumberOrString::String("TST001".into())),
            source: Some("plugsmith".into()),
            message: "m".into(),
            data,
            ..lsp::Diagnostic::default()
        }
    }

    fn params(
        diagnostics: Vec<lsp::Diagnostic>,
        only: Option<Vec<CodeActionKind>>,
    ) -> CodeActionParams {
        CodeActionParams {
            text_document: TextDocumentIdentifier {
                uri: Uri::from_str("file:///p/a.py").unwrap(),
            },
            range: Range::new(Position::new(0, 0), Position::new(0, 3)),
            context: CodeActionContext {
                diagnostics,
                only,
                trigger_kind: None,
            },
            work_done_progress_params: WorkDoneProgressParams::default(),
            partial_result_params: PartialResultParams::default(),
        }
    }

    fn data(version: Option<i32>) -> serde_json::Value {
        json!({
            "fix": {"title": "Fix it", "edits": [{
                "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 3}},
                "newText": "new",
            }]},
            "version": version,
        })
    }

    #[test]
    fn fixes_become_quick_fixes() {
        let actions = quick_fixes(
            &params(vec![diagnostic(Some(data(Some(2))))], None),
            Some(2),
            &[],
        );
        assert_eq!(actions.len(), 1);
        let CodeActionOrCommand::CodeAction(action) = &actions[0] else {
            panic!("expected a code action");
        };
        assert_eq!(action.title, "Fix it");
        assert_eq!(action.kind, Some(CodeActionKind::QUICKFIX));
        let changes = action.edit.as_ref().unwrap().changes.as_ref().unwrap();
        let edits = &changes[&Uri::from_str("file:///p/a.py").unwrap()];
        assert_eq!(edits[0].new_text, "new");
    }

    #[test]
    fn stale_foreign_and_filtered_diagnostics_give_nothing() {
        // Computed for version 1, the document is at version 2.
        assert!(
            quick_fixes(
                &params(vec![diagnostic(Some(data(Some(1))))], None),
                Some(2),
                &[]
            )
            .is_empty()
        );
        // Not ours.
        let mut other = diagnostic(Some(data(None)));
        other.source = Some("ruff".into());
        assert!(quick_fixes(&params(vec![other], None), None, &[]).is_empty());
        // Only source actions asked for.
        let only = Some(vec![CodeActionKind::SOURCE]);
        assert!(
            quick_fixes(&params(vec![diagnostic(Some(data(None)))], only), None, &[]).is_empty()
        );
        // No fix at all.
        assert!(quick_fixes(&params(vec![diagnostic(None)], None), None, &[]).is_empty());
    }

    #[test]
    fn data_dropped_by_the_client_is_found_again() {
        let known = diagnostic(Some(data(None)));
        let actions = quick_fixes(&params(vec![diagnostic(None)], None), None, &[known]);
        assert_eq!(actions.len(), 1);
    }
}
