//! `check(paths, select=None, ignore=None, config=None) -> list[Diagnostic]`: what
//! `plugsmith check` does (absolute paths, the nearest configuration, the walk, the check), with
//! typed results instead of printed ones.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use line_index::{LineIndex, TextSize};
use plugsmith_check::Settings;
use plugsmith_core::workspace::normalize;
use plugsmith_core::{Diagnostic as CoreDiagnostic, Workspace};
use plugsmith_disk::DiskFileSystem;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};

use crate::{ConfigError, PlugsmithError};

/// One finding, positions 1-based with columns counted in characters (as `plugsmith check`
/// prints them).
#[pyclass(module = "plugsmith", name = "Diagnostic", frozen, get_all, eq)]
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    /// Rule code, e.g. `"KIL005"`.
    pub code: String,
    /// `"error"`, `"warning"` or `"info"`.
    pub severity: String,
    pub message: String,
    /// Absolute path of the file.
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    /// The rule's documentation.
    pub url: String,
    /// The title of the fix an editor offers, or `None`.
    pub fix: Option<String>,
}

#[pymethods]
impl Diagnostic {
    fn __repr__(&self) -> String {
        format!(
            "<Diagnostic {} {} {}:{}:{} {}>",
            self.code,
            self.severity,
            display_path(&self.path),
            self.line,
            self.column,
            shorten(&self.message, 60)
        )
    }

    /// `path:line:column: CODE message`, the `concise` line of `plugsmith check`.
    fn __str__(&self) -> String {
        format!(
            "{}:{}:{}: {} {}",
            display_path(&self.path),
            self.line,
            self.column,
            self.code,
            self.message
        )
    }

    /// The diagnostic as a plain `dict` (the fields above).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        dict.set_item("code", &self.code)?;
        dict.set_item("severity", &self.severity)?;
        dict.set_item("message", &self.message)?;
        dict.set_item("path", &self.path)?;
        dict.set_item("line", self.line)?;
        dict.set_item("column", self.column)?;
        dict.set_item("end_line", self.end_line)?;
        dict.set_item("end_column", self.end_column)?;
        dict.set_item("url", &self.url)?;
        dict.set_item("fix", &self.fix)?;
        Ok(dict)
    }
}

/// `path` relative to the working folder when it is under it.
fn display_path(path: &str) -> String {
    let path = Path::new(path);
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .filter(|relative| !relative.as_os_str().is_empty())
        .unwrap_or_else(|| path.to_path_buf())
        .display()
        .to_string()
}

/// The first `max` characters of the first line of `text`, with `...` when cut.
pub fn shorten(text: &str, max: usize) -> String {
    let line = text.lines().next().unwrap_or("");
    if line.chars().count() <= max && line.len() == text.len() {
        return line.to_string();
    }
    let cut: String = line.chars().take(max).collect();
    format!("{}...", cut.trim_end())
}

/// Checks the plugins under `paths` (files or folders; a single path or a list; the working
/// folder when none) and returns their diagnostics sorted by path and position.
#[pyfunction]
#[pyo3(signature = (paths=None, select=None, ignore=None, config=None))]
pub fn check(
    py: Python<'_>,
    paths: Option<&Bound<'_, PyAny>>,
    select: Option<&Bound<'_, PyAny>>,
    ignore: Option<&Bound<'_, PyAny>>,
    config: Option<PathBuf>,
) -> PyResult<Vec<Diagnostic>> {
    let paths = path_list(paths)?;
    let select = select.map(selectors).transpose()?;
    let ignore = ignore.map(selectors).transpose()?.unwrap_or_default();
    match py.detach(move || run_check(&paths, select, ignore, config.as_deref())) {
        Ok(diagnostics) => Ok(diagnostics),
        Err(Failure::Config(message)) => Err(ConfigError::new_err(message)),
        Err(Failure::Io {
            errors,
            diagnostics,
        }) => {
            let message = errors
                .iter()
                .map(|(path, reason)| format!("{}: {reason}", path.display()))
                .collect::<Vec<_>>()
                .join("; ");
            let error = PlugsmithError::new_err(message);
            let value = error.value(py);
            let pairs: Vec<(String, String)> = errors
                .iter()
                .map(|(path, reason)| (path.display().to_string(), reason.clone()))
                .collect();
            value.setattr("errors", pairs)?;
            value.setattr("diagnostics", diagnostics)?;
            Err(error)
        }
    }
}

/// `None` (the working folder), one `str`/`os.PathLike`, or an iterable of them.
fn path_list(paths: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<PathBuf>> {
    let Some(paths) = paths else {
        return Ok(Vec::new());
    };
    if paths.is_instance_of::<PyString>() || paths.hasattr("__fspath__")? {
        return Ok(vec![paths.extract()?]);
    }
    let mut list = Vec::new();
    for item in paths.try_iter().map_err(|_| {
        PyTypeError::new_err("paths must be a str, an os.PathLike or a list of them")
    })? {
        list.push(item?.extract::<PathBuf>()?);
    }
    Ok(list)
}

/// One selector (`"KIL"`, or several separated by commas) or a list of them, trimmed.
fn selectors(value: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    let raw: Vec<String> = if value.is_instance_of::<PyString>() {
        let text: String = value.extract()?;
        text.split(',').map(str::to_string).collect()
    } else if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        value.extract()?
    } else {
        let mut items = Vec::new();
        for item in value.try_iter().map_err(|_| {
            PyTypeError::new_err(
                "select and ignore take a str or a list of str (rule codes or prefixes)",
            )
        })? {
            items.push(item?.extract::<String>()?);
        }
        items
    };
    Ok(raw
        .iter()
        .map(|code| code.trim().to_string())
        .filter(|code| !code.is_empty())
        .collect())
}

enum Failure {
    Config(String),
    Io {
        errors: Vec<(PathBuf, String)>,
        diagnostics: Vec<Diagnostic>,
    },
}

/// The check without the GIL.
fn run_check(
    paths: &[PathBuf],
    select: Option<Vec<String>>,
    ignore: Vec<String>,
    config: Option<&Path>,
) -> Result<Vec<Diagnostic>, Failure> {
    let cwd = std::env::current_dir().map_err(|error| Failure::Io {
        errors: vec![(PathBuf::from("."), error.to_string())],
        diagnostics: Vec::new(),
    })?;
    let paths: Vec<PathBuf> = if paths.is_empty() {
        vec![cwd.clone()]
    } else {
        paths.iter().map(|path| absolute(path, &cwd)).collect()
    };

    let settings = load_settings(&paths, &cwd, config)?
        .with_command_line(select, ignore)
        .map_err(|error| Failure::Config(format!("invalid rule selector: {error}")))?;

    let walk = plugsmith_disk::walk(&paths, &settings);
    let disk = Arc::new(DiskFileSystem::new());
    let workspace = Workspace::new(walk.files, disk.clone());
    let report = plugsmith_check::check(&workspace, &settings);
    let diagnostics = convert(&workspace, &report.diagnostics());

    let mut errors = walk.errors;
    let mut read_errors: Vec<(PathBuf, String)> = disk
        .take_errors()
        .into_iter()
        .map(|(path, error)| (path, error.to_string()))
        .collect();
    read_errors.sort_by(|a, b| a.0.cmp(&b.0));
    read_errors.dedup_by(|a, b| a.0 == b.0);
    errors.extend(read_errors);
    if errors.is_empty() {
        Ok(diagnostics)
    } else {
        Err(Failure::Io {
            errors,
            diagnostics,
        })
    }
}

/// `path` made absolute against `cwd` (no symlink resolution) and normalised, like the CLI.
fn absolute(path: &Path, cwd: &Path) -> PathBuf {
    normalize(&cwd.join(path))
}

/// `config`, or the nearest configuration above the first path (its folder for a file).
fn load_settings(
    paths: &[PathBuf],
    cwd: &Path,
    config: Option<&Path>,
) -> Result<Settings, Failure> {
    let result = match config {
        Some(file) => plugsmith_disk::read_settings(&absolute(file, cwd)),
        None => {
            let first = paths.first().map_or(cwd, PathBuf::as_path);
            let start = if first.is_dir() {
                first
            } else {
                first.parent().unwrap_or(cwd)
            };
            plugsmith_disk::find_settings(start)
        }
    };
    result.map_err(|error| Failure::Config(error.to_string()))
}

/// Core diagnostics (byte ranges) to Python ones (1-based lines, character columns). Offsets are
/// clamped into the text and onto character boundaries: a bad range never panics.
fn convert(workspace: &Workspace, diagnostics: &[CoreDiagnostic]) -> Vec<Diagnostic> {
    let files = workspace.files();
    let mut sources: HashMap<PathBuf, Option<(Arc<str>, LineIndex)>> = HashMap::new();
    diagnostics
        .iter()
        .map(|diagnostic| {
            let source = sources.entry(diagnostic.path.clone()).or_insert_with(|| {
                files.read(&diagnostic.path).ok().map(|text| {
                    let index = LineIndex::new(&text);
                    (text, index)
                })
            });
            let (start, end) = match source {
                Some((text, index)) => (
                    position(text, index, diagnostic.range.start().into()),
                    position(text, index, diagnostic.range.end().into()),
                ),
                None => ((1, 1), (1, 1)),
            };
            Diagnostic {
                code: diagnostic.code.to_string(),
                severity: diagnostic.severity.as_str().to_string(),
                message: diagnostic.message.clone(),
                path: diagnostic.path.display().to_string(),
                line: start.0,
                column: start.1,
                end_line: end.0,
                end_column: end.1,
                url: plugsmith_core::rule::rule_url(diagnostic.code),
                fix: diagnostic.fix.as_ref().map(|fix| fix.title.clone()),
            }
        })
        .collect()
}

/// The 1-based line and 1-based character column of byte `offset`.
fn position(text: &str, index: &LineIndex, offset: u32) -> (usize, usize) {
    let mut offset = (offset as usize).min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let size = TextSize::new(u32::try_from(offset).unwrap_or(u32::MAX));
    let line_col = index
        .try_line_col(size)
        .unwrap_or(line_index::LineCol { line: 0, col: 0 });
    let line_start = offset.saturating_sub(line_col.col as usize);
    let column = text
        .get(line_start..offset)
        .map_or(0, |before| before.chars().count())
        + 1;
    (line_col.line as usize + 1, column)
}
