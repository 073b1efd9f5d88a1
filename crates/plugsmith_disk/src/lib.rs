//! The disk side of plugsmith, shared by the CLI and the language server: a [`DiskFileSystem`]
//! (with an overlay of unsaved editor buffers), a walker that finds the files to check, and
//! configuration discovery. The analysis crates never touch the disk; this crate does.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use plugsmith_check::{ConfigError, Settings};
use plugsmith_core::{FileError, FileSystem};

/// Files larger than this are not read (a diagnostic-sized manifest or module is far smaller);
/// the check reports them as too large instead of stalling on them. 16 MiB.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Folders never walked, as in ruff's default `exclude`: tool caches, virtual environments,
/// build output and version-control metadata.
pub const DEFAULT_EXCLUDES: &[&str] = &[
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".git-rewrite",
    ".hg",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pytype",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    "__pypackages__",
    "__pycache__",
    "_build",
    "buck-out",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
    "target",
];

/// The real file system, under an overlay of documents open in an editor (their unsaved text
/// wins over the disk). Read errors are remembered so that front ends can report them.
#[derive(Default)]
pub struct DiskFileSystem {
    overlay: RwLock<HashMap<PathBuf, Arc<str>>>,
    errors: Mutex<Vec<(PathBuf, FileError)>>,
}

impl DiskFileSystem {
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the editor's text for `path` (opened or changed document).
    pub fn open(&self, path: PathBuf, text: Arc<str>) {
        write(&self.overlay).insert(path, text);
    }

    /// Drops the editor's text for `path` (closed document): the disk is read again.
    pub fn close(&self, path: &Path) {
        write(&self.overlay).remove(path);
    }

    /// The editor's text for `path`, if the document is open.
    pub fn open_text(&self, path: &Path) -> Option<Arc<str>> {
        self.overlay
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(path)
            .cloned()
    }

    /// Read errors met so far (not found is not an error here: rules probe for files).
    pub fn take_errors(&self) -> Vec<(PathBuf, FileError)> {
        std::mem::take(&mut *self.errors.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl FileSystem for DiskFileSystem {
    fn read(&self, path: &Path) -> Result<Arc<str>, FileError> {
        if let Some(text) = self.open_text(path) {
            return Ok(text);
        }
        let result = read_text(path);
        if let Err(error) = &result
            && *error != FileError::NotFound
        {
            self.errors
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push((path.to_path_buf(), error.clone()));
        }
        result
    }
}

/// Reads a file as UTF-8 text, refusing files over [`MAX_FILE_BYTES`]. A byte-order mark is
/// kept: the platforms' readers (`json.loads`, `configparser`) choke on it too.
pub fn read_text(path: &Path) -> Result<Arc<str>, FileError> {
    let metadata = fs::metadata(path).map_err(io_error)?;
    if metadata.len() > MAX_FILE_BYTES {
        return Err(FileError::TooLarge {
            bytes: metadata.len(),
        });
    }
    let bytes = fs::read(path).map_err(io_error)?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Arc::from(text)),
        Err(error) => Err(FileError::NotUtf8 {
            valid_up_to: error.utf8_error().valid_up_to(),
        }),
    }
}

fn io_error(error: io::Error) -> FileError {
    match error.kind() {
        io::ErrorKind::NotFound => FileError::NotFound,
        _ => FileError::Io(error.to_string()),
    }
}

/// What a walk found: the files, and the paths it could not walk (with the reason).
#[derive(Debug, Default)]
pub struct Walk {
    pub files: Vec<PathBuf>,
    pub errors: Vec<(PathBuf, String)>,
}

/// Every file under `paths` (files given directly are kept as they are), respecting
/// `.gitignore` and friends, the [`DEFAULT_EXCLUDES`] and the settings' `exclude`.
pub fn walk(paths: &[PathBuf], settings: &Settings) -> Walk {
    let mut walk = Walk::default();
    for root in paths {
        match fs::metadata(root) {
            Err(error) => walk.errors.push((root.clone(), error.to_string())),
            Ok(metadata) if metadata.is_file() => walk.files.push(root.clone()),
            Ok(_) => walk_dir(root, settings, &mut walk),
        }
    }
    walk.files.sort();
    walk.files.dedup();
    walk
}

fn walk_dir(root: &Path, settings: &Settings, walk: &mut Walk) {
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .parents(true)
        .git_ignore(true)
        .git_global(false)
        .git_exclude(true)
        .require_git(false)
        .filter_entry(|entry| {
            let name = entry.file_name().to_string_lossy();
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            !(is_dir && entry.depth() > 0 && DEFAULT_EXCLUDES.contains(&name.as_ref()))
        })
        .build();
    for entry in walker {
        match entry {
            Ok(entry) => {
                let path = entry.path();
                if entry.file_type().is_some_and(|t| t.is_file()) && !settings.excluded(path) {
                    walk.files.push(path.to_path_buf());
                }
            }
            Err(error) => {
                let path = error_path(&error).unwrap_or_else(|| root.to_path_buf());
                walk.errors.push((path, error.to_string()));
            }
        }
    }
}

fn error_path(error: &ignore::Error) -> Option<PathBuf> {
    match error {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        _ => None,
    }
}

/// The settings for a check started in `start` (a folder): the nearest `plugsmith.toml`, or
/// `pyproject.toml` with a `[tool.plugsmith]` table, in `start` or its ancestors; defaults
/// (based at `start`) when there is none.
///
/// # Errors
/// [`ConfigError`] when the configuration file found is invalid or unreadable.
pub fn find_settings(start: &Path) -> Result<Settings, ConfigError> {
    for dir in start.ancestors() {
        for name in ["plugsmith.toml", "pyproject.toml"] {
            let candidate = dir.join(name);
            if !candidate.is_file() {
                continue;
            }
            let text = fs::read_to_string(&candidate).map_err(|error| ConfigError {
                message: format!("{}: {error}", candidate.display()),
            })?;
            if let Some(settings) = Settings::from_toml(&text, name, dir)? {
                return Ok(settings);
            }
        }
    }
    Ok(Settings::default().with_base(start))
}

/// Reads one explicit configuration file (`--config FILE`).
///
/// # Errors
/// [`ConfigError`] when it is unreadable or invalid.
pub fn read_settings(file: &Path) -> Result<Settings, ConfigError> {
    let text = fs::read_to_string(file).map_err(|error| ConfigError {
        message: format!("{}: {error}", file.display()),
    })?;
    let name = file
        .file_name()
        .map(|name| name.to_string_lossy().to_string())
        .unwrap_or_default();
    let base = file.parent().unwrap_or(Path::new(""));
    Ok(Settings::from_toml(&text, &name, base)?
        .unwrap_or_else(|| Settings::default().with_base(base)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk_skips_default_excludes_and_gitignored_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join(".venv/lib")).unwrap();
        fs::create_dir_all(root.join("plugin")).unwrap();
        fs::write(root.join(".venv/lib/x.py"), "x = 1\n").unwrap();
        fs::write(root.join("plugin/main.py"), "x = 1\n").unwrap();
        fs::write(root.join("plugin/skip.py"), "x = 1\n").unwrap();
        fs::write(root.join(".gitignore"), "skip.py\n").unwrap();
        let found = walk(&[root.to_path_buf()], &Settings::default());
        let names: Vec<String> = found
            .files
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().display().to_string())
            .collect();
        assert_eq!(names, vec![".gitignore", "plugin/main.py"]);
        let missing = walk(&[root.join("nope")], &Settings::default());
        assert_eq!(missing.errors.len(), 1);
    }

    #[test]
    fn overlay_wins_and_bad_bytes_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        fs::write(&path, b"\xff\xfe{}").unwrap();
        let disk = DiskFileSystem::new();
        assert!(matches!(
            disk.read(&path),
            Err(FileError::NotUtf8 { valid_up_to: 0 })
        ));
        assert_eq!(disk.take_errors().len(), 1);
        disk.open(path.clone(), Arc::from("{}"));
        assert_eq!(&*disk.read(&path).unwrap(), "{}");
    }

    #[test]
    fn settings_come_from_the_nearest_config() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("a/b")).unwrap();
        fs::write(
            dir.path().join("pyproject.toml"),
            "[tool.plugsmith]\nignore = [\"PLG003\"]\n",
        )
        .unwrap();
        let settings = find_settings(&dir.path().join("a/b")).unwrap();
        assert_eq!(settings.base(), dir.path());
        assert!(!settings.enabled("PLG003", &dir.path().join("a/x.txt")));
        fs::write(dir.path().join("a/plugsmith.toml"), "selcet = 1\n").unwrap();
        assert!(find_settings(&dir.path().join("a/b")).is_err());
    }
}
