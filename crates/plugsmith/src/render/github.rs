//! `--output-format github`: one GitHub Actions workflow command per diagnostic, which GitHub
//! shows as an annotation on the file and line:
//!
//! ```text
//! ::error file=p/plugin.py,line=3,col=12,endLine=3,endColumn=16,title=KIL007::`labl` is not defined
//! ```
//!
//! Levels: error → `error`, warning → `warning`, info → `notice`. Rows and columns are 1-based,
//! columns count characters. A diagnostic whose file text is unknown is annotated on the file
//! only. As GitHub requires, `%`, CR and LF are escaped in the message, and also `:` and `,` in
//! property values.

use std::fmt::Write as _;

use plugsmith_core::{Diagnostic, Severity};

use super::{PathStyle, Sources};

/// The workflow command of a severity.
pub fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// One line per diagnostic, each ending with a line break.
pub fn render(diagnostics: &[Diagnostic], sources: &Sources, paths: &PathStyle) -> String {
    let mut out = String::new();
    for diagnostic in diagnostics {
        let mut properties = format!("file={}", escape_property(&paths.display(&diagnostic.path)));
        if let Some(source) = sources.get(&diagnostic.path) {
            let (start, end) = source.range(diagnostic.range);
            let _ = write!(
                properties,
                ",line={},col={},endLine={},endColumn={}",
                start.row, start.column, end.row, end.column
            );
        }
        let _ = write!(properties, ",title={}", escape_property(diagnostic.code));
        let _ = writeln!(
            out,
            "::{} {properties}::{}",
            command(diagnostic.severity),
            escape_data(&diagnostic.message)
        );
    }
    out
}

/// A message: `%`, CR and LF escaped (GitHub's `escapeData`).
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value: as a message, plus `:` and `,` (GitHub's `escapeProperty`).
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tests::sample;

    #[test]
    fn one_command_per_diagnostic() {
        let (diagnostics, sources) = sample();
        let out = render(&diagnostics, &sources, &PathStyle::relative_to("/work"));
        assert_eq!(
            out,
            "::error file=p/plugin.py,line=3,col=12,endLine=3,endColumn=16,title=KIL007::`labl` is not defined\n\
             ::warning file=p/plugin_info.json,line=2,col=3,endLine=2,endColumn=8,title=PLG003::Unknown key `nom`\n\
             ::notice file=p/plugin_info.json,line=2,col=10,endLine=2,endColumn=13,title=PLG002::Non-ASCII value\n"
        );
    }

    #[test]
    fn messages_and_properties_are_escaped() {
        let (mut diagnostics, _) = sample();
        diagnostics.truncate(1);
        diagnostics[0].message = "100% sure:\r\nline two, really".to_string();
        diagnostics[0].path = "/work/a,b:c%d\ne.py".into();
        let out = render(
            &diagnostics,
            &Sources::new(),
            &PathStyle::relative_to("/work"),
        );
        assert_eq!(
            out,
            "::error file=a%2Cb%3Ac%25d%0Ae.py,title=KIL007::100%25 sure:%0D%0Aline two, really\n"
        );
    }

    #[test]
    fn escaping_order_keeps_percent_escapes_unambiguous() {
        assert_eq!(escape_data("%0A"), "%250A");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
        assert_eq!(escape_data("a:b,c"), "a:b,c");
    }

    #[test]
    fn nothing_for_no_diagnostics() {
        assert_eq!(
            render(&[], &Sources::new(), &PathStyle::relative_to("/")),
            ""
        );
    }
}
