//! `--output-format concise`: one line per diagnostic, `path:row:col: CODE message`, as ruff's
//! concise format (rows and columns 1-based, columns in characters).

use std::fmt::Write as _;

use plugsmith_core::Diagnostic;

use super::{PathStyle, Sources};

/// One line per diagnostic, each ending with a line break. A diagnostic whose file text is
/// unknown is printed at `1:1`.
pub fn render(diagnostics: &[Diagnostic], sources: &Sources, paths: &PathStyle) -> String {
    let mut out = String::new();
    for diagnostic in diagnostics {
        let (row, column) = sources.get(&diagnostic.path).map_or((1, 1), |source| {
            let position = source.position(diagnostic.range.start());
            (position.row, position.column)
        });
        let _ = writeln!(
            out,
            "{}:{row}:{column}: {} {}",
            paths.display(&diagnostic.path),
            diagnostic.code,
            one_line(&diagnostic.message),
        );
    }
    out
}

/// A message on one line: line breaks become spaces.
fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tests::sample;

    #[test]
    fn one_line_per_diagnostic() {
        let (diagnostics, sources) = sample();
        let out = render(&diagnostics, &sources, &PathStyle::relative_to("/work"));
        assert_eq!(
            out,
            "p/plugin.py:3:12: KIL007 `labl` is not defined\n\
             p/plugin_info.json:2:3: PLG003 Unknown key `nom`\n\
             p/plugin_info.json:2:10: PLG002 Non-ASCII value\n"
        );
    }

    #[test]
    fn unknown_text_and_multiline_messages() {
        let (mut diagnostics, _) = sample();
        diagnostics.truncate(1);
        diagnostics[0].message = "first\nsecond".to_string();
        let out = render(&diagnostics, &Sources::new(), &PathStyle::relative_to("/x"));
        assert_eq!(out, "/work/p/plugin.py:1:1: KIL007 first second\n");
    }
}
