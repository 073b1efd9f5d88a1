//! The three output formats of `plugsmith check`, as pure functions from diagnostics (and the
//! texts of the files they point into) to a string.
//!
//! - [`full`]: rustc/ruff-style snippets (`annotate-snippets`), the default.
//! - [`concise`]: one `path:row:col: CODE message` line per diagnostic.
//! - [`json`]: a pretty-printed JSON array for tools.
//! - [`sarif`]: a SARIF 2.1.0 log (code scanning, SARIF viewers).
//! - [`github`]: GitHub Actions workflow commands, one annotation per diagnostic.

pub mod concise;
pub mod full;
pub mod github;
pub mod json;
pub mod sarif;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use plugsmith_core::{Diagnostic, Severity};

use crate::position::SourceText;

/// The texts of the files diagnostics point into (their own files and related locations),
/// indexed for position conversion. A file missing here is rendered without a snippet.
#[derive(Default)]
pub struct Sources {
    files: HashMap<PathBuf, SourceText>,
}

impl Sources {
    /// No files.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the text of `path`.
    pub fn insert(&mut self, path: impl Into<PathBuf>, text: Arc<str>) {
        self.files.insert(path.into(), SourceText::new(text));
    }

    /// The indexed text of `path`, if known.
    pub fn get(&self, path: &Path) -> Option<&SourceText> {
        self.files.get(path)
    }
}

/// How paths are printed: relative to `cwd` when below it, as given otherwise.
#[derive(Clone, Debug)]
pub struct PathStyle {
    cwd: PathBuf,
}

impl PathStyle {
    /// Paths relative to `cwd` (an absolute folder).
    pub fn relative_to(cwd: impl Into<PathBuf>) -> Self {
        PathStyle { cwd: cwd.into() }
    }

    /// The folder paths are relative to.
    pub fn base(&self) -> &Path {
        &self.cwd
    }

    /// `path` relative to the working folder, when strictly inside it.
    pub fn relative<'a>(&self, path: &'a Path) -> Option<&'a Path> {
        path.strip_prefix(&self.cwd)
            .ok()
            .filter(|relative| !relative.as_os_str().is_empty())
    }

    /// `path` for people: relative to the working folder when inside it, with `/`
    /// separators as the platform prints them.
    pub fn display(&self, path: &Path) -> String {
        match self.relative(path) {
            Some(relative) => relative.display().to_string(),
            None => path.display().to_string(),
        }
    }
}

/// How many diagnostics of each severity, in how many files.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub files: usize,
}

impl Counts {
    /// Counts `diagnostics`.
    pub fn of(diagnostics: &[Diagnostic]) -> Self {
        let mut counts = Counts::default();
        let mut files: Vec<&Path> = Vec::new();
        for diagnostic in diagnostics {
            match diagnostic.severity {
                Severity::Error => counts.errors += 1,
                Severity::Warning => counts.warnings += 1,
                Severity::Info => counts.infos += 1,
            }
            files.push(&diagnostic.path);
        }
        files.sort();
        files.dedup();
        counts.files = files.len();
        counts
    }

    /// Every diagnostic, whatever its severity.
    pub fn total(&self) -> usize {
        self.errors + self.warnings + self.infos
    }
}

/// The last line of the `full` and `concise` outputs: `Found 3 errors, 1 warning in 2 files.`
/// or `All checks passed!`.
pub fn summary(diagnostics: &[Diagnostic]) -> String {
    let counts = Counts::of(diagnostics);
    if counts.total() == 0 {
        return "All checks passed!".to_string();
    }
    let mut parts: Vec<String> = Vec::new();
    if counts.errors > 0 {
        parts.push(plural(counts.errors, "error", "errors"));
    }
    if counts.warnings > 0 {
        parts.push(plural(counts.warnings, "warning", "warnings"));
    }
    if counts.infos > 0 {
        parts.push(plural(counts.infos, "info", "infos"));
    }
    let mut line = format!("Found {}", parts.join(", "));
    let _ = write!(line, " in {}.", plural(counts.files, "file", "files"));
    line
}

fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use plugsmith_core::{Edit, TextRange};

    /// Two files and four diagnostics covering every feature the renderers show: multi-byte
    /// text, a related location in the same file and in another, a fix, every severity.
    pub(crate) fn sample() -> (Vec<Diagnostic>, Sources) {
        let plugin = PathBuf::from("/work/p/plugin.py");
        let manifest = PathBuf::from("/work/p/plugin_info.json");
        let plugin_text = "# café ☕\ndef on_submit(self, label):\n    return labl\n";
        let manifest_text = "{\n  \"nom\": \"é\",\n  \"handler\": \"on_submit\"\n}\n";
        let mut sources = Sources::new();
        sources.insert(&plugin, Arc::from(plugin_text));
        sources.insert(&manifest, Arc::from(manifest_text));
        let at = |text: &str, needle: &str| -> TextRange {
            let start = text.find(needle).unwrap() as u32;
            TextRange::new(start.into(), (start + needle.len() as u32).into())
        };
        let diagnostics = vec![
            Diagnostic {
                code: "KIL007",
                severity: Severity::Error,
                path: plugin.clone(),
                range: at(plugin_text, "labl"),
                message: "`labl` is not defined".to_string(),
                related: vec![plugsmith_core::Related {
                    path: plugin.clone(),
                    range: at(plugin_text, "label"),
                    message: "did you mean this parameter?".to_string(),
                }],
                fix: Some(plugsmith_core::Fix {
                    title: "Replace `labl` with `label`".to_string(),
                    edits: vec![Edit {
                        range: at(plugin_text, "labl"),
                        new_text: "label".to_string(),
                    }],
                }),
            },
            Diagnostic {
                code: "PLG003",
                severity: Severity::Warning,
                path: manifest.clone(),
                range: at(manifest_text, "\"nom\""),
                message: "Unknown key `nom`".to_string(),
                related: vec![plugsmith_core::Related {
                    path: plugin.clone(),
                    range: at(plugin_text, "on_submit"),
                    message: "the handler is defined here".to_string(),
                }],
                fix: None,
            },
            Diagnostic {
                code: "PLG002",
                severity: Severity::Info,
                path: manifest.clone(),
                range: at(manifest_text, "\"é\""),
                message: "Non-ASCII value".to_string(),
                related: Vec::new(),
                fix: None,
            },
        ];
        (diagnostics, sources)
    }

    #[test]
    fn summary_lines() {
        let (diagnostics, _) = sample();
        assert_eq!(
            summary(&diagnostics),
            "Found 1 error, 1 warning, 1 info in 2 files."
        );
        assert_eq!(summary(&diagnostics[..1]), "Found 1 error in 1 file.");
        assert_eq!(summary(&[]), "All checks passed!");
    }

    #[test]
    fn paths_are_relative_to_the_working_folder() {
        let style = PathStyle::relative_to("/work");
        assert_eq!(style.display(Path::new("/work/p/a.py")), "p/a.py");
        assert_eq!(
            style.display(Path::new("/elsewhere/a.py")),
            "/elsewhere/a.py"
        );
        assert_eq!(style.display(Path::new("/work")), "/work");
    }
}
