//! `--output-format full` (the default): each diagnostic as rustc and ruff show them, rendered
//! by `annotate-snippets`.
//!
//! ```text
//! error[KIL007]: `labl` is not defined
//!  --> p/plugin.py:3:12
//!   |
//! 2 | def on_submit(self, label):
//!   |                     ----- did you mean this parameter?
//! 3 |     return labl
//!   |            ^^^^
//!   |
//! help: Replace `labl` with `label`
//! ```
//!
//! Related locations in the same file are secondary annotations; in another file they are
//! `note:`s with their own snippet. A fix adds `help: <title>` and the suggested change.

use std::ops::Range;

use annotate_snippets::renderer::DecorStyle;
use annotate_snippets::{AnnotationKind, Group, Level, Origin, Patch, Renderer, Snippet};
use plugsmith_core::{Diagnostic, Severity};

use super::{PathStyle, Sources};
use crate::position::SourceText;

/// Every diagnostic, each followed by a blank line. `color` adds ANSI styles (and links from
/// the code to the rule's documentation); decide it from the terminal, never force it on pipes.
pub fn render(
    diagnostics: &[Diagnostic],
    sources: &Sources,
    paths: &PathStyle,
    color: bool,
) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    }
    .decor_style(DecorStyle::Ascii);
    let mut out = String::new();
    for diagnostic in diagnostics {
        out.push_str(&render_one(&renderer, diagnostic, sources, paths, color));
        out.push_str("\n\n");
    }
    out
}

fn level(severity: Severity) -> Level<'static> {
    match severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    }
}

fn render_one(
    renderer: &Renderer,
    diagnostic: &Diagnostic,
    sources: &Sources,
    paths: &PathStyle,
    color: bool,
) -> String {
    let path = paths.display(&diagnostic.path);
    let mut title = level(diagnostic.severity)
        .primary_title(diagnostic.message.as_str())
        .id(diagnostic.code);
    if color {
        title = title.id_url(plugsmith_core::rule::rule_url(diagnostic.code));
    }
    let mut group = Group::with_title(title);
    let mut notes: Vec<Group<'_>> = Vec::new();
    let source = sources.get(&diagnostic.path);

    match source {
        Some(source) => {
            let primary = source.clamp_range(diagnostic.range);
            let mut context: Vec<(Range<usize>, &str)> = Vec::new();
            for related in &diagnostic.related {
                if related.path == diagnostic.path {
                    context.push((source.clamp_range(related.range), &related.message));
                }
            }
            let mut ranges = vec![primary.clone()];
            ranges.extend(context.iter().map(|(range, _)| range.clone()));
            let (window, first_row) = source.window(&ranges);
            let mut snippet = Snippet::source(&source.text()[window.clone()])
                .line_start(first_row)
                .path(path.clone())
                .annotation(AnnotationKind::Primary.span(shift(&primary, &window)));
            for (range, message) in context {
                snippet = snippet.annotation(
                    AnnotationKind::Context
                        .span(shift(&range, &window))
                        .label(message),
                );
            }
            group = group.element(snippet);
        }
        None => group = group.element(Origin::path(path.clone())),
    }

    for related in &diagnostic.related {
        if related.path == diagnostic.path {
            continue;
        }
        let related_path = paths.display(&related.path);
        let note = Level::NOTE.secondary_title(related.message.as_str());
        match sources.get(&related.path) {
            Some(other) => {
                let range = other.clamp_range(related.range);
                let (window, first_row) = other.window(std::slice::from_ref(&range));
                notes.push(
                    note.element(
                        Snippet::source(&other.text()[window.clone()])
                            .line_start(first_row)
                            .path(related_path)
                            .annotation(AnnotationKind::Context.span(shift(&range, &window))),
                    ),
                );
            }
            None => notes.push(note.element(Origin::path(related_path))),
        }
    }

    if let Some(fix) = &diagnostic.fix {
        let help = Level::HELP.secondary_title(fix.title.as_str());
        notes.push(match source {
            Some(source) if !fix.edits.is_empty() => help.element(patch(source, fix, &path)),
            _ => Group::with_title(help),
        });
    }

    let mut report = vec![group];
    report.extend(notes);
    renderer.render(&report)
}

/// The fix's edits as a suggested change on the lines they touch.
fn patch<'a>(
    source: &'a SourceText,
    fix: &'a plugsmith_core::Fix,
    path: &str,
) -> Snippet<'a, Patch<'a>> {
    let mut ranges: Vec<Range<usize>> = fix
        .edits
        .iter()
        .map(|edit| source.clamp_range(edit.range))
        .collect();
    let (window, first_row) = source.window(&ranges);
    let mut snippet = Snippet::source(&source.text()[window.clone()])
        .line_start(first_row)
        .path(path.to_string());
    // Patches must not overlap; a rule that produced overlapping edits gets its first ones shown.
    let mut edits: Vec<(Range<usize>, &str)> = ranges
        .drain(..)
        .zip(fix.edits.iter().map(|edit| edit.new_text.as_str()))
        .collect();
    edits.sort_by_key(|(range, _)| (range.start, range.end));
    let mut last_end = 0;
    for (range, text) in edits {
        if range.start < last_end {
            continue;
        }
        last_end = range.end;
        snippet = snippet.patch(Patch::new(shift(&range, &window), text));
    }
    snippet
}

/// `range` (bytes in the file) relative to the start of `window`.
fn shift(range: &Range<usize>, window: &Range<usize>) -> Range<usize> {
    let start = range.start.saturating_sub(window.start);
    let end = range.end.saturating_sub(window.start).max(start);
    start..end
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tests::sample;
    use plugsmith_core::TextRange;
    use std::path::PathBuf;
    use std::sync::Arc;

    #[test]
    fn snippets_related_notes_and_help() {
        let (diagnostics, sources) = sample();
        let out = render(
            &diagnostics,
            &sources,
            &PathStyle::relative_to("/work"),
            false,
        );
        insta::assert_snapshot!(out);
    }

    #[test]
    fn color_only_when_asked() {
        let (diagnostics, sources) = sample();
        let plain = render(
            &diagnostics,
            &sources,
            &PathStyle::relative_to("/work"),
            false,
        );
        assert!(!plain.contains('\x1b'));
        let styled = render(
            &diagnostics,
            &sources,
            &PathStyle::relative_to("/work"),
            true,
        );
        assert!(styled.contains('\x1b'));
    }

    #[test]
    fn odd_ranges_and_missing_text_do_not_panic() {
        let path = PathBuf::from("/w/a.py");
        let mut sources = Sources::new();
        sources.insert(&path, Arc::from("é\nx"));
        let base = Diagnostic {
            code: "PLG001",
            severity: Severity::Error,
            path: path.clone(),
            range: TextRange::new(1.into(), 99.into()),
            message: "m".to_string(),
            related: Vec::new(),
            fix: None,
        };
        let empty_at_end = Diagnostic {
            range: TextRange::new(4.into(), 4.into()),
            ..base.clone()
        };
        let elsewhere = Diagnostic {
            path: PathBuf::from("/w/unread.py"),
            ..base.clone()
        }
        .with_fix("Do it", Vec::new());
        let style = PathStyle::relative_to("/w");
        for diagnostic in [base, empty_at_end, elsewhere] {
            let out = render(&[diagnostic], &sources, &style, false);
            assert!(out.starts_with("error[PLG001]: m\n"), "{out}");
        }
        let missing = render(
            &[Diagnostic {
                path: PathBuf::from("/w/unread.py"),
                range: TextRange::default(),
                code: "PLG001",
                severity: Severity::Info,
                message: "m".to_string(),
                related: Vec::new(),
                fix: None,
            }],
            &sources,
            &style,
            false,
        );
        assert!(missing.contains("unread.py"), "{missing}");
    }
}
