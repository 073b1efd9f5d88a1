//! Rules on the plugin folder's other files: `requirements.txt` line endings (ARC010) and the
//! plugin image `static/image.png` (ARC011).
//!
//! Sources: `generateRequirements.sh`, `Dockerfile`, `app/utils/PluginClass.py` (`get_image`)
//! (archihub-backend@e7766f5; `research/platforms.md` 5.1, 5.4).

use std::path::Path;

use plugsmith_core::{Diagnostic, Edit, TextRange, TextSize};

use crate::rules::{ARC010, ARC011};

/// ARC010 for the text of a plugin's `requirements.txt`: a missing final newline (with a fix
/// that adds it) and CRLF line endings (one diagnostic for the file, at the first CRLF requirement line,
/// with a fix that converts every CRLF to LF). An empty file has no line and no finding.
pub fn arc010(path: &Path, text: &str) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    if text.is_empty() {
        return diagnostics;
    }
    let crlf: Vec<usize> = text.match_indices("\r\n").map(|(at, _)| at).collect();
    let line_of = |at: usize| text[..at].rfind('\n').map_or(0, |start| start + 1);
    // Report at the first CRLF line that is a requirement (not blank, not a comment).
    let shown = crlf
        .iter()
        .copied()
        .find(|&at| {
            let line = text[line_of(at)..at].trim();
            !line.is_empty() && !line.starts_with('#')
        })
        .or_else(|| crlf.first().copied());
    if let Some(first) = shown {
        let line_start = line_of(first);
        let (start, end) = if line_start < first {
            (line_start, first)
        } else {
            (first, first + 1)
        };
        let lines = if crlf.len() == 1 {
            "1 line ends".to_string()
        } else {
            format!("{} lines end", crlf.len())
        };
        let edits = crlf
            .iter()
            .map(|&at| Edit {
                range: range(at, at + 1),
                new_text: String::new(),
            })
            .collect();
        diagnostics.push(
            Diagnostic::new(
                &ARC010,
                path,
                range(start, end),
                format!(
                    "{lines} in CRLF (Windows line endings): ArchiHub's generateRequirements.sh \
                     appends every plugin's `requirements.txt` to the main one and removes \
                     duplicate lines by exact text, so a CRLF line (`{}\\r`) is not deduplicated \
                     against the same requirement written with LF by the core or another plugin: \
                     both stay in the merged file; save the file with LF line endings",
                    &text[line_start..first]
                ),
            )
            .with_fix("Convert the line endings to LF", edits),
        );
    }
    if !text.ends_with('\n') {
        let last_start = text.rfind('\n').map_or(0, |at| at + 1);
        let content_end = if text.ends_with('\r') && text.len() - 1 > last_start {
            text.len() - 1
        } else {
            text.len()
        };
        let last = &text[last_start..content_end];
        diagnostics.push(
            Diagnostic::new(
                &ARC010,
                path,
                range(last_start, content_end),
                format!(
                    "`requirements.txt` does not end with a newline: ArchiHub's \
                     generateRequirements.sh appends every plugin's `requirements.txt` to the \
                     main one with `cat`; the current script adds the missing newline first, \
                     but older versions did not, and there the last line `{}` ran into the \
                     next plugin's first line, a requirement pip cannot install, which fails \
                     the image build",
                    last.trim_end_matches('\r')
                ),
            )
            .with_fix(
                "Add the final newline",
                vec![Edit {
                    range: range(text.len(), text.len()),
                    new_text: "\n".to_string(),
                }],
            ),
        );
    }
    diagnostics
}

/// ARC011: `static/image.png` is missing from the plugin folder. `anchor` is where to report
/// it in the entry file (the `plugin_info` target). Not reported when the class overrides
/// `get_image` (the route is then the plugin's own).
pub fn arc011(entry: &Path, anchor: TextRange, image_exists: bool) -> Option<Diagnostic> {
    if image_exists {
        return None;
    }
    Some(Diagnostic::new(
        &ARC011,
        entry,
        anchor,
        "the plugin folder has no `static/image.png`: ArchiHub's `GET /<slug>/image` \
         (`PluginClass.get_image`) sends `<plugin folder>/static/image.png` and answers 500 \
         (\"No such file or directory\") without it, so the plugin is shown without its image; \
         add a PNG at `static/image.png`",
    ))
}

fn range(start: usize, end: usize) -> TextRange {
    let at = |offset: usize| TextSize::new(u32::try_from(offset).unwrap_or(u32::MAX));
    TextRange::new(at(start), at(end))
}
