//! The workspace: which files exist, their text, and cached parses. No IO happens here: text
//! comes from a [`FileSystem`] the front end provides (the disk for the CLI, the disk under an
//! overlay of open documents for the server).
//!
//! Platform rules see the workspace through [`Files`], a view that records every path a check
//! looked at (read, probed for existence, listed). The server uses those recorded inputs to
//! re-check exactly the plugins that depend on a changed, created or deleted file.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::syntax::python::{self, PythonFile};

/// Why a file's text could not be had.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileError {
    /// Not in the workspace or gone from disk.
    NotFound,
    /// The bytes are not UTF-8 (`valid_up_to` bytes were).
    NotUtf8 { valid_up_to: usize },
    /// Larger than the front end is willing to read (`bytes` long).
    TooLarge { bytes: u64 },
    /// Any other IO error, with the operating system's message.
    Io(String),
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileError::NotFound => write!(f, "file not found"),
            FileError::NotUtf8 { valid_up_to } => {
                write!(
                    f,
                    "not valid UTF-8 (first invalid byte at offset {valid_up_to})"
                )
            }
            FileError::TooLarge { bytes } => write!(f, "file too large to check ({bytes} bytes)"),
            FileError::Io(message) => write!(f, "{message}"),
        }
    }
}

impl std::error::Error for FileError {}

/// Where file text comes from. Implemented by front ends; the core never touches the disk.
pub trait FileSystem: Send + Sync {
    /// The whole text of `path`.
    ///
    /// # Errors
    /// [`FileError`] when the file is missing, unreadable, too large or not UTF-8.
    fn read(&self, path: &Path) -> Result<Arc<str>, FileError>;
}

/// A file system held in memory: path → text. Used by tests, fixtures and the property tests.
#[derive(Default, Debug, Clone)]
pub struct MemoryFileSystem {
    files: HashMap<PathBuf, Arc<str>>,
}

impl MemoryFileSystem {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces a file.
    pub fn insert(&mut self, path: impl Into<PathBuf>, text: impl Into<Arc<str>>) {
        self.files.insert(path.into(), text.into());
    }

    /// Every path held.
    pub fn paths(&self) -> impl Iterator<Item = &PathBuf> {
        self.files.keys()
    }
}

impl FileSystem for MemoryFileSystem {
    fn read(&self, path: &Path) -> Result<Arc<str>, FileError> {
        self.files.get(path).cloned().ok_or(FileError::NotFound)
    }
}

/// The file set being checked, with cached texts and Python parses.
///
/// `Workspace` is `Sync`: plugins are checked in parallel, each through its own [`Files`].
pub struct Workspace {
    files: BTreeSet<PathBuf>,
    file_system: Arc<dyn FileSystem>,
    texts: Mutex<HashMap<PathBuf, Result<Arc<str>, FileError>>>,
    python: Mutex<HashMap<PathBuf, Arc<PythonFile>>>,
    /// Trees of changed files, already adjusted for the changes, with the text they expect:
    /// the next parse of that exact text reuses them (incremental parsing).
    edited: Mutex<HashMap<PathBuf, (String, python::Tree)>>,
}

/// One change to a file's text: the byte `range` of the text before it becomes `new_text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextChange {
    pub range: text_size::TextRange,
    pub new_text: String,
}

impl Workspace {
    /// A workspace over `files` (paths as the front end names them: all relative to the same
    /// place, or all absolute), reading text from `file_system`.
    pub fn new(files: impl IntoIterator<Item = PathBuf>, file_system: Arc<dyn FileSystem>) -> Self {
        Workspace {
            files: files.into_iter().map(|path| normalize(&path)).collect(),
            file_system,
            texts: Mutex::default(),
            python: Mutex::default(),
            edited: Mutex::default(),
        }
    }

    /// A workspace over every file of a [`MemoryFileSystem`].
    pub fn from_memory(file_system: MemoryFileSystem) -> Self {
        let files: Vec<PathBuf> = file_system.paths().cloned().collect();
        Workspace::new(files, Arc::new(file_system))
    }

    /// Every file, in path order.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(PathBuf::as_path)
    }

    /// Adds a file to the set (created on disk, or opened in the editor) and forgets its cache.
    pub fn insert(&mut self, path: &Path) {
        let path = normalize(path);
        self.forget(&path);
        self.files.insert(path);
    }

    /// Removes a file from the set (deleted on disk) and forgets its cache.
    pub fn remove(&mut self, path: &Path) {
        let path = normalize(path);
        self.forget(&path);
        self.files.remove(&path);
    }

    /// Forgets the cached text and parse of `path` (its content changed).
    pub fn forget(&self, path: &Path) {
        let path = normalize(path);
        lock(&self.texts).remove(&path);
        lock(&self.python).remove(&path);
        lock(&self.edited).remove(&path);
    }

    /// The text of `path` changed by `changes`, applied in order (each in the coordinates of
    /// the text the previous one left). Forgets the cached text; keeps the cached parse, edited,
    /// so that the next parse is incremental. The front end's [`FileSystem`] must return the
    /// changed text from now on; if it returns anything else, the file is parsed afresh.
    pub fn change(&self, path: &Path, changes: &[TextChange]) {
        let path = normalize(path);
        lock(&self.texts).remove(&path);
        let previous = lock(&self.python).remove(&path);
        let base = match previous {
            Some(file) => Some((file.text.to_string(), file.tree.clone())),
            None => lock(&self.edited).remove(&path),
        };
        let Some((mut text, mut tree)) = base else {
            return;
        };
        for change in changes {
            text = python::edit_tree(&mut tree, &text, change.range, &change.new_text);
        }
        lock(&self.edited).insert(path, (text, tree));
    }

    /// Drops the cached text and parse of every file for which `keep` is false. A long-lived
    /// front end (the language server) keeps only what it will need again soon (the open
    /// documents, whose parses are edited incrementally); the rest is read again on demand.
    pub fn retain_cached(&self, keep: impl Fn(&Path) -> bool) {
        lock(&self.texts).retain(|path, _| keep(path));
        lock(&self.python).retain(|path, _| keep(path));
        lock(&self.edited).retain(|path, _| keep(path));
    }

    /// The text of `path` if a check already read it (no IO, nothing recorded): for passes over
    /// what the rules looked at, such as the suppression-comment scan, which must not read
    /// files the rules only probed (a binary `static/image.png` is not text).
    pub fn cached_text(&self, path: &Path) -> Option<Arc<str>> {
        match lock(&self.texts).get(&normalize(path)) {
            Some(Ok(text)) => Some(text.clone()),
            _ => None,
        }
    }

    /// A view that records what it is asked about; see [`Files`].
    pub fn files(&self) -> Files<'_> {
        Files {
            workspace: self,
            inputs: RefCell::default(),
        }
    }

    fn contains_file(&self, path: &Path) -> bool {
        self.files.contains(path)
    }

    fn contains_dir(&self, path: &Path) -> bool {
        self.files_under(path).next().is_some()
    }

    /// Files strictly below `dir`, in path order.
    fn files_under<'a>(&'a self, dir: &'a Path) -> impl Iterator<Item = &'a Path> + 'a {
        self.files
            .range::<Path, _>((std::ops::Bound::Excluded(dir), std::ops::Bound::Unbounded))
            .map(PathBuf::as_path)
            .take_while(move |path| path.starts_with(dir))
    }

    fn read(&self, path: &Path) -> Result<Arc<str>, FileError> {
        if let Some(cached) = lock(&self.texts).get(path) {
            return cached.clone();
        }
        let result = if self.contains_file(path) {
            self.file_system.read(path)
        } else {
            Err(FileError::NotFound)
        };
        lock(&self.texts).insert(path.to_path_buf(), result.clone());
        result
    }

    fn python(&self, path: &Path) -> Result<Arc<PythonFile>, FileError> {
        if let Some(cached) = lock(&self.python).get(path) {
            return Ok(cached.clone());
        }
        let text = self.read(path)?;
        let edited = lock(&self.edited).remove(path);
        let old = edited
            .filter(|(expected, _)| *expected == *text)
            .map(|(_, tree)| tree);
        let parsed = Arc::new(python::parse_incrementally(text, old.as_ref()));
        lock(&self.python).insert(path.to_path_buf(), parsed.clone());
        Ok(parsed)
    }
}

/// A poisoned cache lock only means another check panicked; the cache itself is still sound.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A recording view of the [`Workspace`] for one detection or one plugin check.
///
/// Every path passed to a query is recorded as an input, whether it exists or not: a check that
/// looked for `plugin.py` and did not find it depends on `plugin.py` being created.
pub struct Files<'a> {
    workspace: &'a Workspace,
    inputs: RefCell<BTreeSet<PathBuf>>,
}

impl<'a> Files<'a> {
    fn record(&self, path: &Path) -> PathBuf {
        let path = normalize(path);
        self.inputs.borrow_mut().insert(path.clone());
        path
    }

    /// Whether `path` is a file or a folder of the workspace.
    pub fn exists(&self, path: &Path) -> bool {
        let path = self.record(path);
        self.workspace.contains_file(&path) || self.workspace.contains_dir(&path)
    }

    /// Whether `path` is a file of the workspace.
    pub fn is_file(&self, path: &Path) -> bool {
        let path = self.record(path);
        self.workspace.contains_file(&path)
    }

    /// Whether `path` is a folder holding at least one workspace file.
    pub fn is_dir(&self, path: &Path) -> bool {
        let path = self.record(path);
        self.workspace.contains_dir(&path)
    }

    /// Direct children of `dir` (files and folders), in path order.
    pub fn children(&self, dir: &Path) -> Vec<PathBuf> {
        let dir = self.record(dir);
        let mut children: Vec<PathBuf> = Vec::new();
        for path in self.workspace.files_under(&dir) {
            let Ok(rest) = path.strip_prefix(&dir) else {
                continue;
            };
            let Some(first) = rest.components().next() else {
                continue;
            };
            let child = dir.join(first);
            if children.last() != Some(&child) {
                children.push(child);
            }
        }
        children
    }

    /// Every file below `dir`, at any depth, in path order.
    pub fn files_under(&self, dir: &Path) -> Vec<PathBuf> {
        let dir = self.record(dir);
        self.workspace
            .files_under(&dir)
            .map(Path::to_path_buf)
            .collect()
    }

    /// Every file of the workspace, unrecorded: detection scans names, and records the files
    /// it then reads.
    pub fn all(&self) -> impl Iterator<Item = &'a Path> {
        self.workspace.paths()
    }

    /// The text of a file.
    ///
    /// # Errors
    /// [`FileError`] as the front end's [`FileSystem`] reports it; `NotFound` outside the set.
    pub fn read(&self, path: &Path) -> Result<Arc<str>, FileError> {
        let path = self.record(path);
        self.workspace.read(&path)
    }

    /// The parsed Python file (tree-sitter tree and text), cached across checks.
    ///
    /// # Errors
    /// As [`Files::read`].
    pub fn python(&self, path: &Path) -> Result<Arc<PythonFile>, FileError> {
        let path = self.record(path);
        self.workspace.python(&path)
    }

    /// The paths this view was asked about so far.
    pub fn inputs(&self) -> BTreeSet<PathBuf> {
        self.inputs.borrow().clone()
    }

    /// The paths this view was asked about.
    pub fn into_inputs(self) -> BTreeSet<PathBuf> {
        self.inputs.into_inner()
    }
}

/// Lexically normalises a path: drops `.` components and folds `dir/..`. No IO, symlinks
/// are not followed (the workspace is a set of names).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                match out.components().next_back() {
                    Some(Component::Normal(_)) => {
                        out.pop();
                    }
                    // `/..` is `/`.
                    Some(Component::RootDir | Component::Prefix(_)) => {}
                    _ => out.push(".."),
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workspace(paths: &[&str]) -> Workspace {
        let mut fs = MemoryFileSystem::new();
        for path in paths {
            fs.insert(*path, format!("# {path}\n"));
        }
        Workspace::from_memory(fs)
    }

    #[test]
    fn children_lists_files_and_folders_once() {
        let ws = workspace(&["p/a.py", "p/sub/b.py", "p/sub/c.py", "p-x/d.py", "q.py"]);
        let files = ws.files();
        assert_eq!(
            files.children(Path::new("p")),
            vec![PathBuf::from("p/a.py"), PathBuf::from("p/sub")]
        );
        assert!(files.is_dir(Path::new("p/sub")));
        assert!(!files.is_dir(Path::new("p/a.py")));
        assert!(files.is_file(Path::new("p/a.py")));
        assert_eq!(files.files_under(Path::new("p")).len(), 3);
    }

    #[test]
    fn records_missing_paths_as_inputs() {
        let ws = workspace(&["p/a.py"]);
        let files = ws.files();
        assert!(!files.exists(Path::new("p/./module.py")));
        assert!(files.read(Path::new("p/a.py")).is_ok());
        let inputs = files.into_inputs();
        assert!(inputs.contains(Path::new("p/module.py")));
        assert!(inputs.contains(Path::new("p/a.py")));
    }

    /// A file system whose one file can be rewritten, like an editor buffer.
    struct Buffer(Mutex<Arc<str>>);

    impl FileSystem for Buffer {
        fn read(&self, _path: &Path) -> Result<Arc<str>, FileError> {
            Ok(self.0.lock().unwrap().clone())
        }
    }

    #[test]
    fn changed_python_is_reparsed_from_the_edited_tree() {
        let buffer = Arc::new(Buffer(Mutex::new(Arc::from("def f():\n    return 1\n"))));
        let ws = Workspace::new([PathBuf::from("m.py")], buffer.clone());
        assert!(
            !ws.files()
                .python(Path::new("m.py"))
                .unwrap()
                .root()
                .has_error()
        );
        let at = text_size::TextSize::new(20);
        ws.change(
            Path::new("m.py"),
            &[TextChange {
                range: text_size::TextRange::empty(at),
                new_text: " +".to_string(),
            }],
        );
        *buffer.0.lock().unwrap() = Arc::from("def f():\n    return 1 +\n");
        let file = ws.files().python(Path::new("m.py")).unwrap();
        assert_eq!(&*file.text, "def f():\n    return 1 +\n");
        assert!(file.root().has_error());
    }

    #[test]
    fn normalize_folds_parent_components() {
        assert_eq!(normalize(Path::new("a/b/../c/./d")), PathBuf::from("a/c/d"));
        assert_eq!(normalize(Path::new("../x")), PathBuf::from("../x"));
        assert_eq!(normalize(Path::new("/a/../../b")), PathBuf::from("/b"));
    }
}
