//! The common rules (`PLG`), reported by every platform for the files it owns, and the
//! helpers that produce them.

use std::path::Path;

use crate::diagnostic::{Diagnostic, Severity};
use crate::rule::Rule;
use crate::syntax::python::{self, PythonFile};
use text_size::TextRange;

/// PLG001: a Python file of a plugin does not compile.
pub static PLG001: Rule = Rule {
    code: "PLG001",
    name: "python-syntax-error",
    severity: Severity::Error,
    core: true,
    summary: "Python syntax error in a file that belongs to a plugin (merge-conflict markers included)",
    doc: include_str!("../rules/PLG001.md"),
};

/// PLG002: a manifest (JSON, YAML, TOML, INI) does not parse.
pub static PLG002: Rule = Rule {
    code: "PLG002",
    name: "manifest-parse-error",
    severity: Severity::Error,
    core: true,
    summary: "A manifest (JSON, YAML, TOML, INI) cannot be parsed",
    doc: include_str!("../rules/PLG002.md"),
};

/// PLG003: a `requirements.txt` line is neither a PEP 508 requirement nor a pip option.
pub static PLG003: Rule = Rule {
    code: "PLG003",
    name: "invalid-requirement",
    severity: Severity::Warning,
    core: true,
    summary: "requirements.txt line is not a valid PEP 508 requirement or pip option",
    doc: include_str!("../rules/PLG003.md"),
};

/// PLG004: a module the plugin imports is provided by nothing production installs
/// (reported by `plugsmith_check` for plugins installed from a `requirements.txt`).
pub static PLG004: Rule = Rule {
    code: "PLG004",
    name: "unlisted-import",
    severity: Severity::Warning,
    core: false,
    summary: "Imported module is in neither the plugin, its requirements.txt, the standard library, nor the platform's preinstalled packages",
    doc: include_str!("../rules/PLG004.md"),
};

/// PLG005: a `plugsmith: ignore[...]` comment names a code that no rule has.
pub static PLG005: Rule = Rule {
    code: "PLG005",
    name: "unknown-suppressed-code",
    severity: Severity::Info,
    core: false,
    summary: "`# plugsmith: ignore[...]` names an unknown code (it suppresses nothing)",
    doc: include_str!("../rules/PLG005.md"),
};

/// The common rules.
pub static RULES: &[&Rule] = &[&PLG001, &PLG002, &PLG003, &PLG004, &PLG005];

/// PLG001 diagnostics for a parsed Python file. `consequence` says what the platform does
/// with a file that does not compile, e.g. "Kili compiles every .py file at upload: the upload
/// fails". One diagnostic per line with an error.
pub fn syntax_error_diagnostics(
    path: &Path,
    file: &PythonFile,
    consequence: &str,
) -> Vec<Diagnostic> {
    python::syntax_errors(file)
        .into_iter()
        .map(|error| {
            Diagnostic::new(
                &PLG001,
                path,
                error.range,
                format!("SyntaxError: {}. {consequence}", error.message),
            )
        })
        .collect()
}

/// PLG003 diagnostics for a `requirements.txt`, one per line pip would refuse.
pub fn requirements_diagnostics(path: &Path, text: &str) -> Vec<Diagnostic> {
    crate::syntax::requirements::check(text)
        .into_iter()
        .map(|error| {
            Diagnostic::new(
                &PLG003,
                path,
                error.range,
                format!(
                    "{}. `pip install -r` stops at this line, so the plugin's requirements \
                     are not installed and its build fails",
                    error.message
                ),
            )
        })
        .collect()
}

/// A PLG002 diagnostic for a manifest that does not parse: `format` names the file kind
/// ("JSON", "YAML", "INI", "TOML"), `consequence` what the platform does with it.
pub fn parse_error_diagnostic(
    path: &Path,
    range: TextRange,
    format: &str,
    error: &str,
    consequence: &str,
) -> Diagnostic {
    Diagnostic::new(
        &PLG002,
        path,
        range,
        format!("{format} parse error: {error}. {consequence}"),
    )
}
