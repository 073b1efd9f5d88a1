//! Diagnostics: what every rule reports.
//!
//! Ranges are byte offsets into the file's text (`TextRange`, half-open). Front ends convert
//! them: the CLI to 1-based rows and character columns, the server to LSP positions.

use std::path::PathBuf;

use text_size::TextRange;

use crate::rule::Rule;

/// How bad a finding is. Ordered: `Info < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Worth knowing; nothing breaks.
    Info,
    /// It works, but not as the author expects, or it breaks later.
    Warning,
    /// The platform rejects, skips or crashes on it.
    Error,
}

impl Severity {
    /// `"error" | "warning" | "info"`, as in the JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// Another place that explains a diagnostic (the definition a target points at, the first of
/// two duplicates, ...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    /// The file, as the workspace names it.
    pub path: PathBuf,
    /// Byte range in that file.
    pub range: TextRange,
    pub message: String,
}

/// One text replacement: `range` (bytes, in the diagnostic's file) becomes `new_text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub range: TextRange,
    pub new_text: String,
}

/// A fix the user may accept: a title for the code action and the edits, all in the
/// diagnostic's own file. A fix is only ever applied through an edit the user accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// What the code action says, e.g. "Rename `exequte_frequency` to `execute_frequency`".
    pub title: String,
    pub edits: Vec<Edit>,
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable rule code from `RULES.md`, e.g. `"KIL001"`.
    pub code: &'static str,
    pub severity: Severity,
    /// The file, as the workspace names it.
    pub path: PathBuf,
    /// Byte range in the file: the narrowest honest span (the key, the value, the `def` line).
    pub range: TextRange,
    /// What is wrong and what the platform will do about it.
    pub message: String,
    pub related: Vec<Related>,
    pub fix: Option<Fix>,
}

impl Diagnostic {
    /// A diagnostic of `rule` with the rule's default severity.
    pub fn new(
        rule: &Rule,
        path: impl Into<PathBuf>,
        range: TextRange,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            code: rule.code,
            severity: rule.severity,
            path: path.into(),
            range,
            message: message.into(),
            related: Vec::new(),
            fix: None,
        }
    }

    /// Overrides the rule's default severity (e.g. PAN011 is information on a shipped template).
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Adds a related location.
    pub fn with_related(
        mut self,
        path: impl Into<PathBuf>,
        range: TextRange,
        message: impl Into<String>,
    ) -> Self {
        self.related.push(Related {
            path: path.into(),
            range,
            message: message.into(),
        });
        self
    }

    /// Attaches a fix.
    pub fn with_fix(mut self, title: impl Into<String>, edits: Vec<Edit>) -> Self {
        self.fix = Some(Fix {
            title: title.into(),
            edits,
        });
        self
    }
}
