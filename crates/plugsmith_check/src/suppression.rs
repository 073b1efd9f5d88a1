//! Inline suppression: `plugsmith: ignore[KIL011, PAN010]` (or `plugsmith: ignore` for every
//! code) in a comment.
//!
//! - At the end of the line where the diagnostic starts (Python, YAML, TOML: `# ...`).
//! - Alone on the line just above it, as a comment line (`#`, `;` or `//`). This is the form
//!   for INI files, whose parser (Python's `configparser`) has no inline comments.

use std::path::Path;

use plugsmith_core::common::PLG005;
use plugsmith_core::{Diagnostic, Files, TextRange, TextSize};

const MARKER: &str = "plugsmith: ignore";

/// Whether an inline comment suppresses `diagnostic`.
pub fn is_suppressed(files: &Files<'_>, diagnostic: &Diagnostic) -> bool {
    let Ok(text) = files.read(&diagnostic.path) else {
        return false;
    };
    let start = (u32::from(diagnostic.range.start()) as usize).min(text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let line = &text[line_start..line_end];
    if let Some(comment) = comment_part(line)
        && suppresses(comment, diagnostic.code)
    {
        return true;
    }
    if line_start == 0 {
        return false;
    }
    let previous_start = text[..line_start - 1].rfind('\n').map_or(0, |i| i + 1);
    let previous = text[previous_start..line_start - 1].trim();
    let is_comment_line =
        previous.starts_with('#') || previous.starts_with(';') || previous.starts_with("//");
    is_comment_line && suppresses(previous, diagnostic.code)
}

/// The part of a line from its first `#` on (good enough for a marker search: a marker inside
/// a string literal is not a realistic case).
fn comment_part(line: &str) -> Option<&str> {
    line.find('#').map(|i| &line[i..])
}

fn suppresses(comment: &str, code: &str) -> bool {
    let Some(at) = comment.find(MARKER) else {
        return false;
    };
    let rest = &comment[at + MARKER.len()..];
    let Some(list) = rest.strip_prefix('[') else {
        // A bare `plugsmith: ignore` suppresses everything on the line.
        return !rest.starts_with('-');
    };
    let Some(end) = list.find(']') else {
        return false;
    };
    list[..end]
        .split(',')
        .map(str::trim)
        .any(|listed| listed.eq_ignore_ascii_case(code))
}

/// PLG005 for every code in a `plugsmith: ignore[...]` comment of `text` that `known` does not
/// know, pointing at the code.
pub fn unknown_codes(path: &Path, text: &str, known: impl Fn(&str) -> bool) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find(MARKER) {
        let list_start = from + at + MARKER.len();
        from = list_start;
        let Some(list) = text[list_start..].strip_prefix('[') else {
            continue;
        };
        let line_end = list.find('\n').unwrap_or(list.len());
        let Some(end) = list[..line_end].find(']') else {
            continue;
        };
        let mut offset = list_start + 1;
        for item in list[..end].split(',') {
            let code = item.trim();
            let code_start = offset + (item.len() - item.trim_start().len());
            offset += item.len() + 1;
            if code.is_empty() || known(code) {
                continue;
            }
            let range = TextRange::at(
                TextSize::new(code_start as u32),
                TextSize::new(code.len() as u32),
            );
            found.push(Diagnostic::new(
                &PLG005,
                path,
                range,
                format!(
                    "`{code}` is not a plugsmith rule code, so this comment suppresses nothing \
                     for it (`plugsmith rule --all` lists the codes)"
                ),
            ));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use plugsmith_core::workspace::MemoryFileSystem;
    use plugsmith_core::{Diagnostic, Severity, TextRange, TextSize, Workspace};

    fn suppressed(text: &str, needle: &str, code: &'static str) -> bool {
        let mut fs = MemoryFileSystem::new();
        fs.insert("f.ini", text);
        let ws = Workspace::from_memory(fs);
        let start = text.find(needle).unwrap() as u32;
        let diagnostic = Diagnostic {
            code,
            severity: Severity::Error,
            path: "f.ini".into(),
            range: TextRange::at(TextSize::new(start), TextSize::new(needle.len() as u32)),
            message: String::new(),
            related: vec![],
            fix: None,
        };
        is_suppressed(&ws.files(), &diagnostic)
    }

    #[test]
    fn unknown_codes_point_at_the_code() {
        let text = "x = 1  # plugsmith: ignore[PAN003, KIL05 , nope]\n# plugsmith: ignore\n";
        let found = unknown_codes(Path::new("f.py"), text, |code| code == "PAN003");
        let codes: Vec<&str> = found.iter().map(|d| &text[d.range]).collect();
        assert_eq!(codes, ["KIL05", "nope"]);
    }

    #[test]
    fn same_line_and_line_above() {
        assert!(suppressed(
            "x = 1  # plugsmith: ignore[PAN003]\n",
            "x",
            "PAN003"
        ));
        assert!(!suppressed(
            "x = 1  # plugsmith: ignore[PAN004]\n",
            "x",
            "PAN003"
        ));
        assert!(suppressed(
            "[a]\n; plugsmith: ignore[pan003, PAN004]\nx = 5%\n",
            "x",
            "PAN003"
        ));
        assert!(suppressed("# plugsmith: ignore\nx = 5%\n", "x", "PAN010"));
        assert!(!suppressed(
            "# plugsmith: ignore\ny = 1\nx = 5%\n",
            "x",
            "PAN003"
        ));
    }
}
