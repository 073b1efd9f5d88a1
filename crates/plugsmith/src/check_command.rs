//! `plugsmith check`: find the files, read the configuration, check, print, pick the exit status.

use std::collections::BTreeSet;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use plugsmith_check::Settings;
use plugsmith_core::workspace::normalize;
use plugsmith_core::{Diagnostic, Severity, Workspace};
use plugsmith_disk::DiskFileSystem;

use crate::ExitStatus;
use crate::cli::{CheckArgs, OutputFormat};
use crate::render::{self, PathStyle, Sources};

/// Runs the check. Diagnostics go to `out`; unreadable paths, unreadable files and
/// configuration errors go to `err` as `error: path: reason`, and everything else is still
/// checked.
///
/// # Errors
/// Only when writing to `out` fails for another reason than a closed pipe.
pub fn run(
    args: &CheckArgs,
    color: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let cwd = match std::env::current_dir() {
        Ok(cwd) => cwd,
        Err(error) => {
            crate::report_error(err, &format!("cannot read the current folder: {error}"));
            return Ok(ExitStatus::Error);
        }
    };
    let paths = match absolute_paths(&args.paths, &cwd) {
        Ok(paths) => paths,
        Err((path, error)) => {
            crate::report_error(err, &format!("{}: {error}", path.display()));
            return Ok(ExitStatus::Error);
        }
    };
    let path_style = PathStyle::relative_to(&cwd);

    let settings = match load_settings(args, &paths, &cwd) {
        Ok(settings) => settings,
        Err(message) => {
            crate::report_error(err, &message);
            return Ok(ExitStatus::Error);
        }
    };

    let walk = plugsmith_disk::walk(&paths, &settings);
    let mut io_errors = !walk.errors.is_empty();
    for (path, reason) in &walk.errors {
        crate::report_error(err, &format!("{}: {reason}", path_style.display(path)));
    }

    let disk = Arc::new(DiskFileSystem::new());
    let workspace = Workspace::new(walk.files, disk.clone());
    let report = plugsmith_check::check(&workspace, &settings);
    let diagnostics = report.diagnostics();

    let mut read_errors = disk.take_errors();
    read_errors.sort_by(|a, b| a.0.cmp(&b.0));
    read_errors.dedup_by(|a, b| a.0 == b.0);
    io_errors |= !read_errors.is_empty();
    for (path, error) in &read_errors {
        crate::report_error(err, &format!("{}: {error}", path_style.display(path)));
    }

    if report.plugins.is_empty() && !io_errors {
        let _ = writeln!(
            err,
            "{}: no plugins found (looked for Kili, Panoptes, Supervisely, Flowdapt and ArchiHub plugins)",
            crate::styled_label("warning", crate::WARNING_STYLE),
        );
    }

    let sources = sources(&workspace, &diagnostics);
    let text = match args.output_format {
        OutputFormat::Full => {
            let mut text = render::full::render(&diagnostics, &sources, &path_style, color);
            text.push_str(&render::summary(&diagnostics));
            text.push('\n');
            text
        }
        OutputFormat::Concise => {
            let mut text = render::concise::render(&diagnostics, &sources, &path_style);
            text.push_str(&render::summary(&diagnostics));
            text.push('\n');
            text
        }
        OutputFormat::Json => render::json::render(&diagnostics, &sources, &path_style),
        OutputFormat::Sarif => render::sarif::render(&diagnostics, &sources, &path_style),
        OutputFormat::Github => render::github::render(&diagnostics, &sources, &path_style),
    };
    let status = exit_status(&diagnostics, io_errors, args.exit_zero);
    // The process ends right after this: freeing every cached syntax tree one by one would
    // only cost time (about 5% of a large check), so the workspace and report are left to the
    // operating system.
    std::mem::forget(report);
    std::mem::forget(workspace);
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        // `plugsmith check | head`: the reader has seen enough; the findings still stand.
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Ok(status),
        Err(error) => Err(error),
        Ok(()) => Ok(status),
    }
}

/// The exit status: 2 when a path or file could not be read (whatever was found), else 1 when
/// a diagnostic is at error level (unless `--exit-zero`), else 0. Warnings and infos never
/// fail a check.
pub fn exit_status(diagnostics: &[Diagnostic], io_errors: bool, exit_zero: bool) -> ExitStatus {
    if io_errors {
        ExitStatus::Error
    } else if !exit_zero
        && diagnostics
            .iter()
            .any(|diagnostic| diagnostic.severity == Severity::Error)
    {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    }
}

/// Every path made absolute (against the working folder, no symlink resolution) and
/// normalised; the working folder when none is given.
fn absolute_paths(paths: &[PathBuf], cwd: &Path) -> Result<Vec<PathBuf>, (PathBuf, io::Error)> {
    if paths.is_empty() {
        return Ok(vec![cwd.to_path_buf()]);
    }
    paths
        .iter()
        .map(|path| {
            std::path::absolute(path)
                .map(|absolute| normalize(&absolute))
                .map_err(|error| (path.clone(), error))
        })
        .collect()
}

/// `--config FILE`, or the nearest configuration above the first path, plus `--select` and
/// `--ignore`.
fn load_settings(args: &CheckArgs, paths: &[PathBuf], cwd: &Path) -> Result<Settings, String> {
    let settings = match &args.config {
        Some(file) => {
            let file = std::path::absolute(file)
                .map(|absolute| normalize(&absolute))
                .map_err(|error| format!("{}: {error}", file.display()))?;
            plugsmith_disk::read_settings(&file)
        }
        None => {
            let first = paths.first().map_or(cwd, PathBuf::as_path);
            let start = if first.is_dir() {
                first
            } else {
                first.parent().unwrap_or(cwd)
            };
            plugsmith_disk::find_settings(start)
        }
    }
    .map_err(|error| error.to_string())?;
    let select = args.select.as_ref().map(|codes| selectors(codes));
    settings
        .with_command_line(select, selectors(&args.ignore))
        .map_err(|error| format!("invalid rule selector: {error}"))
}

/// Command-line selectors without surrounding spaces or empty entries (`--select "KIL, PAN,"`).
fn selectors(codes: &[String]) -> Vec<String> {
    codes
        .iter()
        .map(|code| code.trim().to_string())
        .filter(|code| !code.is_empty())
        .collect()
}

/// The texts of every file a diagnostic or a related location points into, from the
/// workspace's cache (no file is read twice, and none outside the checked set is read).
fn sources(workspace: &Workspace, diagnostics: &[Diagnostic]) -> Sources {
    let files = workspace.files();
    let paths: BTreeSet<&Path> = diagnostics
        .iter()
        .flat_map(|diagnostic| {
            std::iter::once(diagnostic.path.as_path()).chain(
                diagnostic
                    .related
                    .iter()
                    .map(|related| related.path.as_path()),
            )
        })
        .collect();
    let mut sources = Sources::new();
    for path in paths {
        if let Ok(text) = files.read(path) {
            sources.insert(path, text);
        }
    }
    sources
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tests::sample;

    #[test]
    fn exit_status_by_severity_and_errors() {
        let (diagnostics, _) = sample();
        let warnings: Vec<Diagnostic> = diagnostics
            .iter()
            .filter(|d| d.severity != Severity::Error)
            .cloned()
            .collect();
        assert_eq!(exit_status(&[], false, false), ExitStatus::Success);
        assert_eq!(exit_status(&warnings, false, false), ExitStatus::Success);
        assert_eq!(exit_status(&diagnostics, false, false), ExitStatus::Failure);
        assert_eq!(exit_status(&diagnostics, false, true), ExitStatus::Success);
        assert_eq!(exit_status(&[], true, false), ExitStatus::Error);
        assert_eq!(exit_status(&diagnostics, true, true), ExitStatus::Error);
    }

    #[test]
    fn paths_are_absolute_and_normalised() {
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(absolute_paths(&[], &cwd).unwrap(), vec![cwd.clone()]);
        let paths = absolute_paths(&[PathBuf::from("a/../b/./c")], &cwd).unwrap();
        assert_eq!(paths, vec![cwd.join("b/c")]);
    }

    #[test]
    fn selectors_are_trimmed() {
        let codes = vec![" KIL".to_string(), String::new(), "PAN001 ".to_string()];
        assert_eq!(selectors(&codes), vec!["KIL", "PAN001"]);
    }
}
