//! `plugsmith init --platform P NAME`: creates the folder NAME with a skeleton for the platform
//! that `plugsmith check` passes without a diagnostic, sample inputs for `plugsmith run`, and a
//! README saying how to check, run and ship it.
//!
//! NAME may exist only as an empty folder: nothing is ever overwritten. When writing fails half
//! way, what this command created is removed again.

pub mod names;
pub mod templates;

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::ExitStatus;
use crate::cli::{InitArgs, InitPlatform};
use names::Names;
use templates::{Contents, Template};

/// Creates the skeleton and prints what was created and what to do next on `out`; problems go
/// to `err` as `error: ...` with exit status 2.
///
/// # Errors
/// Only when writing to `out` fails (a closed pipe is the caller's to ignore).
pub fn run(args: &InitArgs, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<ExitStatus> {
    let plan = match plan(args.platform, &args.name) {
        Ok(plan) => plan,
        Err(message) => {
            crate::report_error(err, &message);
            return Ok(ExitStatus::Error);
        }
    };
    if let Err(message) = write(&args.name, &plan) {
        crate::report_error(err, &message);
        return Ok(ExitStatus::Error);
    }
    out.write_all(summary(args.platform, &args.name, &plan).as_bytes())?;
    out.flush()?;
    Ok(ExitStatus::Success)
}

/// The files to write: relative paths and contents, placeholders substituted.
pub fn plan(platform: InitPlatform, folder: &Path) -> Result<Vec<(PathBuf, Vec<u8>)>, String> {
    // `.` or `plugins/..` name the folder they resolve to.
    let resolved = std::path::absolute(folder)
        .map(|absolute| plugsmith_core::workspace::normalize(&absolute))
        .unwrap_or_else(|_| folder.to_path_buf());
    let name = resolved
        .file_name()
        .and_then(|name| name.to_str())
        .ok_or_else(|| {
            format!(
                "`{}` does not end with a folder name to create",
                folder.display()
            )
        })?;
    let names = Names::new(name)?;
    if platform == InitPlatform::Archihub && names.slug != name {
        return Err(format!(
            "ArchiHub uses the plugin's folder name as its slug (module `app.plugins.<slug>`, \
             URL `/<slug>`, task names `<slug>.<function>`), so `{name}` must be a Python \
             identifier: use `{}`",
            names.slug
        ));
    }
    check_target(folder)?;
    Ok(templates::for_platform(platform)
        .iter()
        .map(|template| render(template, &names))
        .collect())
}

fn render(template: &Template, names: &Names) -> (PathBuf, Vec<u8>) {
    let path: PathBuf = names.substitute(template.path).split('/').collect();
    let contents = match template.contents {
        Contents::Template(text) => names.substitute(text).into_bytes(),
        Contents::Verbatim(bytes) => bytes.to_vec(),
    };
    (path, contents)
}

/// The folder must not exist, or be an empty folder.
fn check_target(folder: &Path) -> Result<(), String> {
    match fs::symlink_metadata(folder) {
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(format!("{}: {error}", folder.display())),
        Ok(metadata) if !metadata.is_dir() => Err(format!(
            "{} already exists and is not a folder; choose another name",
            folder.display()
        )),
        Ok(_) => match fs::read_dir(folder).map(|mut entries| entries.next().is_some()) {
            Err(error) => Err(format!("{}: {error}", folder.display())),
            Ok(true) => Err(format!(
                "{} already exists and is not empty; choose another name or empty it \
                 (plugsmith init never overwrites files)",
                folder.display()
            )),
            Ok(false) => Ok(()),
        },
    }
}

/// Writes every file (never replacing one); on failure removes what it created.
fn write(folder: &Path, plan: &[(PathBuf, Vec<u8>)]) -> Result<(), String> {
    let mut created: Vec<PathBuf> = Vec::new();
    let result = write_all(folder, plan, &mut created);
    if result.is_err() {
        for path in created.iter().rev() {
            let _ = if path.is_dir() {
                fs::remove_dir(path)
            } else {
                fs::remove_file(path)
            };
        }
    }
    result
}

fn write_all(
    folder: &Path,
    plan: &[(PathBuf, Vec<u8>)],
    created: &mut Vec<PathBuf>,
) -> Result<(), String> {
    create_dirs(folder, created)?;
    for (relative, contents) in plan {
        let path = folder.join(relative);
        if let Some(parent) = path.parent() {
            create_dirs(parent, created)?;
        }
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|error| format!("{}: {error}", path.display()))?;
        created.push(path.clone());
        file.write_all(contents)
            .and_then(|()| file.flush())
            .map_err(|error| format!("{}: {error}", path.display()))?;
    }
    Ok(())
}

/// Creates `dir` and its missing parents, recording each one created.
fn create_dirs(dir: &Path, created: &mut Vec<PathBuf>) -> Result<(), String> {
    let mut missing = Vec::new();
    let mut current = Some(dir);
    while let Some(path) = current {
        if path.as_os_str().is_empty() || path.is_dir() {
            break;
        }
        missing.push(path.to_path_buf());
        current = path.parent();
    }
    for path in missing.into_iter().rev() {
        match fs::create_dir(&path) {
            Ok(()) => created.push(path),
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists && path.is_dir() => {}
            Err(error) => return Err(format!("{}: {error}", path.display())),
        }
    }
    Ok(())
}

/// What was created and the commands to try next.
fn summary(platform: InitPlatform, folder: &Path, plan: &[(PathBuf, Vec<u8>)]) -> String {
    let shown = folder.display();
    let (what, sample_flag, sample) = match platform {
        InitPlatform::Kili => ("a Kili plugin", "--label", "label.json"),
        InitPlatform::Panoptes => ("a Panoptes polling plugin", "--resource", "resource.json"),
        InitPlatform::Supervisely => ("a Supervisely import plugin", "--config", "config.json"),
        InitPlatform::Flowdapt => ("a Flowdapt plugin", "--input", "input.json"),
        InitPlatform::Archihub => ("an ArchiHub plugin", "--body", "body.json"),
    };
    let mut text = format!("Created {what} in {shown}:\n");
    let mut paths: Vec<String> = plan
        .iter()
        .map(|(path, _)| path.to_string_lossy().replace('\\', "/"))
        .collect();
    paths.sort();
    for path in paths {
        text.push_str(&format!("  {path}\n"));
    }
    let sample_path = folder.join("samples").join(sample);
    text.push_str(&format!(
        "\nNext:\n  plugsmith check {shown}\n  plugsmith run {shown} {sample_flag} {}\n\
         See {} for the rest.\n",
        sample_path.display(),
        folder.join("README.md").display(),
    ));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(platform: InitPlatform, name: &Path) -> InitArgs {
        InitArgs {
            platform,
            name: name.to_path_buf(),
        }
    }

    #[test]
    fn creates_every_file_and_says_what_next() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("my-plugin");
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let status = run(&args(InitPlatform::Flowdapt, &target), &mut out, &mut err).unwrap();
        assert_eq!(status, ExitStatus::Success);
        assert!(err.is_empty());
        for file in [
            "pyproject.toml",
            "my_plugin/__init__.py",
            "my_plugin/stages.py",
            "workflows/my_plugin.yaml",
            "samples/input.json",
        ] {
            assert!(target.join(file).is_file(), "{file}");
        }
        let toml = fs::read_to_string(target.join("pyproject.toml")).unwrap();
        assert!(toml.contains("name = \"my-plugin\""));
        assert!(toml.contains("my_plugin = \"my_plugin\""));
        let out = String::from_utf8(out).unwrap();
        assert!(out.starts_with("Created a Flowdapt plugin in "), "{out}");
        assert!(out.contains("  my_plugin/stages.py\n"), "{out}");
        assert!(out.contains("plugsmith run "), "{out}");
        assert!(out.contains("--input "), "{out}");
    }

    #[test]
    fn refuses_non_empty_folders_and_files() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("keep.txt"), "mine").unwrap();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let status = run(&args(InitPlatform::Kili, dir.path()), &mut out, &mut err).unwrap();
        assert_eq!(status, ExitStatus::Error);
        let message = String::from_utf8(err).unwrap();
        assert!(message.contains("is not empty"), "{message}");
        assert_eq!(
            fs::read_to_string(dir.path().join("keep.txt")).unwrap(),
            "mine"
        );
        assert!(!dir.path().join("main.py").exists());
        assert!(out.is_empty());

        let file = dir.path().join("keep.txt");
        let error = plan(InitPlatform::Kili, &file).unwrap_err();
        assert!(error.contains("is not a folder"), "{error}");
    }

    #[test]
    fn an_empty_existing_folder_is_fine() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("empty");
        fs::create_dir(&target).unwrap();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let status = run(&args(InitPlatform::Kili, &target), &mut out, &mut err).unwrap();
        assert_eq!(status, ExitStatus::Success);
        assert!(target.join("main.py").is_file());
    }

    #[test]
    fn dot_names_the_current_folder() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("weather");
        fs::create_dir(&target).unwrap();
        let plan = plan(InitPlatform::Panoptes, &target.join(".")).unwrap();
        assert!(
            plan.iter()
                .any(|(path, _)| path == Path::new("weather.panoptes-plugin"))
        );
    }

    #[test]
    fn archihub_needs_an_identifier() {
        let error = plan(InitPlatform::Archihub, Path::new("files-export")).unwrap_err();
        assert!(error.contains("use `files_export`"), "{error}");
        assert!(plan(InitPlatform::Archihub, Path::new("filesExport")).is_ok());
        assert!(plan(InitPlatform::Kili, Path::new("/")).is_err());
        assert!(plan(InitPlatform::Kili, Path::new("--")).is_err());
    }

    #[test]
    fn failures_remove_what_was_created() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("new/plugin");
        let plan = vec![
            (PathBuf::from("a/b.txt"), b"x".to_vec()),
            (PathBuf::from("a/b.txt"), b"again".to_vec()),
        ];
        let error = write(&target, &plan).unwrap_err();
        assert!(error.contains("b.txt"), "{error}");
        assert!(!dir.path().join("new").exists());
    }
}
