//! The server's state.
//!
//! Two halves:
//! - [`Shared`]: what the LSP handlers touch synchronously (open documents with versions, the
//!   file system overlay, the negotiated encoding, the diagnostics last published). Locks are
//!   held for a few instructions and never across an `.await`.
//! - [`Session`]: the analysis, owned by one blocking task (`spawn_blocking`). It holds the
//!   workspace of every root folder, the checked plugins (plugin → [`CheckedPlugin`]) and
//!   the reverse index (path → plugins whose check looked at it). Handlers send it [`Task`]s;
//!   it re-checks exactly the plugins a change can affect and publishes the differences.
//!
//! A result is published only if the text it was computed on is still the document's
//! current text (the overlay shares the document's `Arc<str>`, so this is a pointer
//! comparison made right before publishing): a newer version's task is already queued.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex, MutexGuard};

use line_index::LineIndex;
use plugsmith_check::{CheckedPlugin, Settings};
use plugsmith_core::workspace::normalize;
use plugsmith_core::{Diagnostic, FileSystem, Plugin, TextChange, Workspace};
use plugsmith_disk::DiskFileSystem;
use serde_json::Value;
use tower_lsp_server::ls_types::{self as lsp, Uri};

use crate::code_lens;
use crate::convert::{self, RelatedFile};
use crate::document::Document;
use crate::position::{LineText, PositionEncoding};

/// Locks a mutex, recovering from poisoning (a panicked holder leaves plain data behind).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// State shared by the handlers and the analysis.
#[derive(Default)]
pub struct Shared {
    /// Open documents by normalised path.
    pub documents: Mutex<HashMap<PathBuf, Document>>,
    /// The disk under an overlay of the open documents' text.
    pub file_system: Arc<DiskFileSystem>,
    /// Negotiated at `initialize`.
    pub encoding: Mutex<PositionEncoding>,
    /// What the client was last sent, per path (for code actions whose client drops `data`).
    pub published: Mutex<HashMap<PathBuf, Vec<lsp::Diagnostic>>>,
}

/// Settings an editor passes (`initializationOptions`, `workspace/didChangeConfiguration`),
/// applied on top of the configuration files like `--select` / `--ignore`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EditorOptions {
    /// Replaces the file's `select` when given.
    pub select: Option<Vec<String>>,
    /// Added to the file's `ignore`.
    pub ignore: Vec<String>,
}

impl EditorOptions {
    /// Reads `{"select": [...], "ignore": [...]}`, also when wrapped as `{"plugsmith": {...}}`
    /// (VS Code sends the section). `None` when the value holds no plugsmith settings.
    pub fn from_json(value: &Value) -> Option<EditorOptions> {
        let object = match value.get("plugsmith") {
            Some(inner @ Value::Object(_)) => inner,
            _ if value.get("select").is_some() || value.get("ignore").is_some() => value,
            _ => return None,
        };
        let strings = |key: &str| -> Option<Vec<String>> {
            Some(
                object
                    .get(key)?
                    .as_array()?
                    .iter()
                    .filter_map(|item| item.as_str().map(str::to_string))
                    .collect(),
            )
        };
        Some(EditorOptions {
            select: strings("select"),
            ignore: strings("ignore").unwrap_or_default(),
        })
    }
}

/// What happened to a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileEvent {
    /// `textDocument/didOpen`.
    Opened,
    /// `textDocument/didChange`, with the changes in bytes (for incremental re-parsing).
    Edited(Vec<TextChange>),
    /// `textDocument/didSave`.
    Saved,
    /// `textDocument/didClose`.
    Closed,
    /// `workspace/didChangeWatchedFiles`: created.
    Created,
    /// `workspace/didChangeWatchedFiles`: changed.
    Changed,
    /// `workspace/didChangeWatchedFiles`: deleted.
    Deleted,
}

/// Work for the analysis.
#[derive(Debug)]
pub enum Task {
    /// After `initialized`: scan the root folders and check everything.
    Start {
        /// The workspace folders (or the root URI's folder).
        roots: Vec<PathBuf>,
        /// `initializationOptions`.
        options: EditorOptions,
    },
    /// New editor options: re-read settings and re-check everything.
    Configure(EditorOptions),
    /// Root folders added or removed.
    Folders {
        /// New root folders.
        added: Vec<PathBuf>,
        /// Root folders no longer open.
        removed: Vec<PathBuf>,
    },
    /// One file changed.
    File(PathBuf, FileEvent),
    /// `textDocument/codeLens`: the lenses of a file, answered once the batch it arrived in
    /// has been handled (so they reflect the edits queued before it).
    CodeLens(PathBuf, CodeLensReply),
}

/// Where the lenses of a [`Task::CodeLens`] go.
pub type CodeLensReply = tokio::sync::oneshot::Sender<Vec<lsp::CodeLens>>;

/// Where results go: the LSP client in production, a recorder in tests.
pub trait Publish: Send {
    /// `textDocument/publishDiagnostics`.
    fn publish(&self, uri: Uri, diagnostics: Vec<lsp::Diagnostic>, version: Option<i32>);
    /// A message worth showing in the client's log (configuration errors).
    fn log(&self, message: String);
}

/// One root folder (or the files outside every root folder), with its own settings.
struct Root {
    /// `None` for the loose files opened outside every root folder.
    path: Option<PathBuf>,
    settings: Settings,
    workspace: Workspace,
    plugins: BTreeMap<Plugin, CheckedPlugin>,
    /// path → plugins whose check looked at that path.
    by_input: HashMap<PathBuf, BTreeSet<Plugin>>,
    /// How many plugin checks ran (for tests of incrementality).
    checks: usize,
}

impl Root {
    /// Reads the settings and walks the folder (nothing is checked yet).
    fn scan(
        path: Option<PathBuf>,
        options: &EditorOptions,
        file_system: &Arc<DiskFileSystem>,
        nested: &[PathBuf],
        out: &dyn Publish,
    ) -> Root {
        let file_settings = match &path {
            Some(path) => plugsmith_disk::find_settings(path).unwrap_or_else(|error| {
                out.log(format!("plugsmith: {error}; using the default settings"));
                Settings::default().with_base(path)
            }),
            None => Settings::default(),
        };
        let settings = match file_settings
            .clone()
            .with_command_line(options.select.clone(), options.ignore.clone())
        {
            Ok(settings) => settings,
            Err(error) => {
                out.log(format!(
                    "plugsmith: editor settings: {error}; using the configuration files only"
                ));
                file_settings
            }
        };
        let files: Vec<PathBuf> = match &path {
            Some(path) => {
                let walk = plugsmith_disk::walk(std::slice::from_ref(path), &settings);
                for (failed, error) in &walk.errors {
                    eprintln!("plugsmith: cannot walk {}: {error}", failed.display());
                }
                walk.files
                    .into_iter()
                    .map(|file| normalize(&file))
                    .filter(|file| !nested.iter().any(|inner| file.starts_with(inner)))
                    .collect()
            }
            None => Vec::new(),
        };
        let file_system: Arc<dyn FileSystem> = file_system.clone();
        Root {
            path,
            settings,
            workspace: Workspace::new(files, file_system),
            plugins: BTreeMap::new(),
            by_input: HashMap::new(),
            checks: 0,
        }
    }

    fn contains(&self, path: &Path) -> bool {
        self.workspace.files().is_file(path)
    }

    /// Re-runs detection, drops plugins no longer found, and checks the new ones and the
    /// ones `changed` can affect (a changed path among their inputs or under their root).
    /// `everything` re-checks every plugin.
    fn refresh(&mut self, changed: &BTreeSet<PathBuf>, everything: bool) {
        let detected: BTreeSet<Plugin> = guard("detection", || {
            plugsmith_check::detect(&self.workspace, &self.settings)
        })
        .unwrap_or_default()
        .into_iter()
        .collect();
        let mut stale: BTreeSet<Plugin> = changed
            .iter()
            .filter_map(|path| self.by_input.get(path))
            .flatten()
            .cloned()
            .collect();
        for plugin in self.plugins.keys() {
            if changed.iter().any(|path| path.starts_with(&plugin.root)) {
                stale.insert(plugin.clone());
            }
        }
        let gone: Vec<Plugin> = self
            .plugins
            .keys()
            .filter(|plugin| !detected.contains(plugin))
            .cloned()
            .collect();
        for plugin in gone {
            self.forget(&plugin);
        }
        for plugin in detected {
            if everything || stale.contains(&plugin) || !self.plugins.contains_key(&plugin) {
                self.checks += 1;
                let checked = guard("check", || {
                    plugsmith_check::check_plugin(&self.workspace, &self.settings, &plugin)
                })
                .unwrap_or_else(|| CheckedPlugin {
                    // Re-checked when anything under its root changes.
                    inputs: BTreeSet::from([plugin.root.clone()]),
                    plugin: plugin.clone(),
                    diagnostics: Vec::new(),
                });
                self.forget(&plugin);
                for input in &checked.inputs {
                    self.by_input
                        .entry(input.clone())
                        .or_default()
                        .insert(plugin.clone());
                }
                self.plugins.insert(plugin, checked);
            }
        }
    }

    /// Removes a plugin and its reverse-index entries.
    fn forget(&mut self, plugin: &Plugin) {
        if let Some(old) = self.plugins.remove(plugin) {
            for input in &old.inputs {
                if let Some(plugins) = self.by_input.get_mut(input) {
                    plugins.remove(plugin);
                    if plugins.is_empty() {
                        self.by_input.remove(input);
                    }
                }
            }
        }
    }
}

/// Hands the pages freed by dropped syntax trees back to the operating system. glibc keeps
/// freed memory in its per-thread arenas otherwise, and a server that scanned a large
/// workspace would stay at its peak for good.
fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` only returns free heap pages to the kernel; it has no
    // preconditions and may be called from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Runs `f`, turning a panic (a bug in a rule) into `None` so that the server lives on.
fn guard<T>(what: &str, f: impl FnOnce() -> T) -> Option<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(value) => Some(value),
        Err(_) => {
            eprintln!("plugsmith: internal error during {what}; results are incomplete");
            None
        }
    }
}

/// A file's text and line index.
type TextAndIndex = (Arc<str>, Arc<LineIndex>);

/// What the client currently shows for a path.
struct Published {
    uri: Uri,
    diagnostics: Vec<Diagnostic>,
}

/// The analysis state; see the module documentation.
pub struct Session {
    shared: Arc<Shared>,
    out: Box<dyn Publish>,
    options: EditorOptions,
    folders: Vec<PathBuf>,
    /// One per root folder, longest path first (the owner of a path is the first match).
    roots: Vec<Root>,
    loose: Root,
    published: HashMap<PathBuf, Published>,
    /// The documents edited last, most recent first: their syntax trees stay cached so the
    /// next keystroke re-parses incrementally. At most [`EDITED_KEPT`].
    edited: VecDeque<PathBuf>,
}

/// How many recently edited documents keep their syntax trees between batches. Typing
/// happens in a handful of files; an open file nobody types in is re-parsed in full when a
/// change elsewhere makes its plugin re-checked, which is rare and cheap enough.
const EDITED_KEPT: usize = 8;

impl Session {
    /// A session publishing through `out`; nothing is scanned before [`Task::Start`].
    pub fn new(shared: Arc<Shared>, out: Box<dyn Publish>) -> Self {
        let loose = Root::scan(
            None,
            &EditorOptions::default(),
            &shared.file_system,
            &[],
            &*out,
        );
        Session {
            shared,
            out,
            options: EditorOptions::default(),
            folders: Vec::new(),
            roots: Vec::new(),
            loose,
            published: HashMap::new(),
            edited: VecDeque::new(),
        }
    }

    /// Handles tasks until every sender is gone. Tasks queued while a batch was being
    /// handled are handled together (a burst of keystrokes costs one re-check).
    pub fn run(mut self, tasks: Receiver<Task>) {
        while let Ok(first) = tasks.recv() {
            let mut batch = vec![first];
            batch.extend(tasks.try_iter());
            self.handle(batch);
        }
    }

    /// Handles one batch of tasks: update the workspaces, re-check, publish.
    pub fn handle(&mut self, batch: Vec<Task>) {
        let mut rescan = false;
        let mut changed: BTreeSet<PathBuf> = BTreeSet::new();
        let mut rescan_roots: BTreeSet<Option<PathBuf>> = BTreeSet::new();
        let mut lens_requests: Vec<(PathBuf, CodeLensReply)> = Vec::new();
        for task in batch {
            match task {
                Task::Start { roots, options } => {
                    self.options = options;
                    self.folders = roots.iter().map(|root| normalize(root)).collect();
                    rescan = true;
                }
                Task::Configure(options) => {
                    self.options = options;
                    rescan = true;
                }
                Task::Folders { added, removed } => {
                    let removed: Vec<PathBuf> = removed.iter().map(|p| normalize(p)).collect();
                    self.folders.retain(|folder| !removed.contains(folder));
                    for folder in added {
                        let folder = normalize(&folder);
                        if !self.folders.contains(&folder) {
                            self.folders.push(folder);
                        }
                    }
                    rescan = true;
                }
                Task::File(path, event) => {
                    let path = normalize(&path);
                    if matches!(event, FileEvent::Edited(_)) {
                        self.edited.retain(|edited| *edited != path);
                        self.edited.push_front(path.clone());
                        self.edited.truncate(EDITED_KEPT);
                    }
                    let (relevant, rescan_root) = self.apply(&path, event);
                    if let Some(root) = rescan_root {
                        rescan_roots.insert(root);
                    }
                    if relevant {
                        changed.insert(path);
                    }
                }
                Task::CodeLens(path, reply) => lens_requests.push((normalize(&path), reply)),
            }
        }
        if rescan {
            self.rescan_all();
        } else {
            let options = self.options.clone();
            let folders = self.folders.clone();
            for root in self
                .roots
                .iter_mut()
                .chain(std::iter::once(&mut self.loose))
            {
                if rescan_roots.contains(&root.path) {
                    let nested = nested_in(&folders, root.path.as_deref());
                    *root = Root::scan(
                        root.path.clone(),
                        &options,
                        &self.shared.file_system,
                        &nested,
                        &*self.out,
                    );
                    add_open_documents(root, &self.shared, &folders);
                    root.refresh(&BTreeSet::new(), true);
                } else if changed
                    .iter()
                    .any(|path| owner_of(&folders, path) == root.path)
                {
                    root.refresh(&changed, false);
                }
            }
        }
        for (path, error) in self.shared.file_system.take_errors() {
            eprintln!("plugsmith: {}: {error}", path.display());
        }
        self.publish(&changed);
        for (path, reply) in lens_requests {
            // The requester may have gone (cancelled): nothing to do then.
            let _ = reply.send(self.code_lenses(&path));
        }
        self.trim_caches();
    }

    /// Keeps the texts and syntax trees of the documents being typed in only (their parses
    /// are edited incrementally on the next keystroke); everything else is read and parsed
    /// again when a check needs it (open documents from the editor's overlay). This is what
    /// keeps the server's memory flat with many open documents in a large workspace.
    fn trim_caches(&self) {
        let documents = lock(&self.shared.documents);
        let keep =
            |path: &Path| documents.contains_key(path) && self.edited.iter().any(|e| e == path);
        for root in self.roots.iter().chain(std::iter::once(&self.loose)) {
            root.workspace.retain_cached(keep);
        }
        plugsmith_check::release_memory();
        release_free_memory();
    }

    /// The code lenses of `path`, from the plugins whose check read it or whose root holds it,
    /// over the owning workspace's text and trees.
    pub fn code_lenses(&self, path: &Path) -> Vec<lsp::CodeLens> {
        let owner = owner_of(&self.folders, path);
        let root = self
            .roots
            .iter()
            .find(|root| root.path == owner)
            .unwrap_or(&self.loose);
        let plugins: Vec<&CheckedPlugin> = root
            .plugins
            .values()
            .filter(|checked| {
                checked.inputs.contains(path) || path.starts_with(&checked.plugin.root)
            })
            .collect();
        if plugins.is_empty() {
            return Vec::new();
        }
        let files = root.workspace.files();
        let lenses =
            guard("code lenses", || code_lens::lenses(&files, path, &plugins)).unwrap_or_default();
        if lenses.is_empty() {
            return Vec::new();
        }
        let Ok(text) = files.read(path) else {
            return Vec::new();
        };
        let index = LineIndex::new(&text);
        let line_text = LineText::new(&text, &index);
        let encoding = *lock(&self.shared.encoding);
        lenses
            .into_iter()
            .map(|lens| lsp::CodeLens {
                range: line_text.range(lens.range, encoding),
                command: Some(lens.command()),
                data: None,
            })
            .collect()
    }

    /// Re-reads settings, walks every root and checks everything.
    fn rescan_all(&mut self) {
        let mut folders = self.folders.clone();
        folders.sort_by_key(|folder| std::cmp::Reverse(folder.as_os_str().len()));
        self.roots = folders
            .iter()
            .map(|folder| {
                let nested = nested_in(&folders, Some(folder));
                Root::scan(
                    Some(folder.clone()),
                    &self.options,
                    &self.shared.file_system,
                    &nested,
                    &*self.out,
                )
            })
            .collect();
        self.loose = Root::scan(
            None,
            &self.options,
            &self.shared.file_system,
            &[],
            &*self.out,
        );
        for root in self
            .roots
            .iter_mut()
            .chain(std::iter::once(&mut self.loose))
        {
            add_open_documents(root, &self.shared, &folders);
            root.refresh(&BTreeSet::new(), true);
        }
    }

    /// How many plugin checks ran since the last rescan of the roots.
    pub fn checks(&self) -> usize {
        self.roots
            .iter()
            .chain(std::iter::once(&self.loose))
            .map(|root| root.checks)
            .sum()
    }

    fn root_mut(&mut self, path: &Path) -> &mut Root {
        let owner = owner_of(&self.folders, path);
        match self.roots.iter_mut().find(|root| root.path == owner) {
            Some(root) => root,
            None => &mut self.loose,
        }
    }

    /// Updates the owning workspace's file set and caches for one event. Returns whether the
    /// workspace changed (events about files it does not track, such as build output, change
    /// nothing), and the root to rescan when the event touches its configuration.
    fn apply(&mut self, path: &Path, event: FileEvent) -> (bool, Option<Option<PathBuf>>) {
        let is_open = lock(&self.shared.documents).contains_key(path);
        let root = self.root_mut(path);
        let known = root.contains(path);
        let mut relevant = true;
        match event {
            // A known file's cached parse is edited, so the next parse is incremental.
            FileEvent::Edited(ref changes) if known => root.workspace.change(path, changes),
            FileEvent::Opened | FileEvent::Edited(_) | FileEvent::Saved => {
                root.workspace.insert(path)
            }
            FileEvent::Closed => {
                if path.is_file() {
                    root.workspace.forget(path);
                } else {
                    root.workspace.remove(path);
                }
            }
            FileEvent::Created => {
                if path.is_dir() {
                    let walk = plugsmith_disk::walk(&[path.to_path_buf()], &root.settings);
                    for file in walk.files {
                        root.workspace.insert(&normalize(&file));
                    }
                } else if !ignored(path, &root.settings) || is_open {
                    root.workspace.insert(path);
                } else {
                    relevant = false;
                }
            }
            FileEvent::Changed => {
                if known {
                    root.workspace.forget(path);
                } else {
                    relevant = false;
                }
            }
            FileEvent::Deleted => {
                if is_open {
                    // The editor still has the text; the buffer stays checkable.
                    root.workspace.forget(path);
                } else {
                    let below = root.workspace.files().files_under(path);
                    for file in below {
                        root.workspace.remove(&file);
                    }
                    root.workspace.remove(path);
                }
            }
        }
        let config = matches!(
            path.file_name().and_then(|name| name.to_str()),
            Some("plugsmith.toml" | "pyproject.toml")
        );
        let on_disk = !matches!(event, FileEvent::Opened | FileEvent::Edited(_));
        let rescan = (config && on_disk && root.path.is_some()).then(|| root.path.clone());
        (relevant, rescan)
    }

    /// Publishes what changed: every file whose diagnostics differ from what the client
    /// shows, and every file named in `touched` that is open or has diagnostics (its positions
    /// may have moved, or its version did).
    fn publish(&mut self, touched: &BTreeSet<PathBuf>) {
        let mut current: BTreeMap<PathBuf, Vec<Diagnostic>> = BTreeMap::new();
        for root in self.roots.iter().chain(std::iter::once(&self.loose)) {
            for checked in root.plugins.values() {
                for diagnostic in &checked.diagnostics {
                    current
                        .entry(normalize(&diagnostic.path))
                        .or_default()
                        .push(diagnostic.clone());
                }
            }
        }
        for diagnostics in current.values_mut() {
            diagnostics.sort_by(|a, b| {
                (a.range.start(), a.range.end(), a.code, &a.message).cmp(&(
                    b.range.start(),
                    b.range.end(),
                    b.code,
                    &b.message,
                ))
            });
            diagnostics.dedup();
        }
        let mut paths: BTreeSet<PathBuf> = current.keys().cloned().collect();
        paths.extend(self.published.keys().cloned());
        paths.extend(touched.iter().cloned());
        let encoding = *lock(&self.shared.encoding);
        for path in paths {
            let new = current.remove(&path).unwrap_or_default();
            let old = self.published.get(&path);
            let open = lock(&self.shared.documents).get(&path).cloned();
            let old_diagnostics = old.map_or(&[][..], |old| &old.diagnostics[..]);
            let must = touched.contains(&path)
                && (open.is_some() || !old_diagnostics.is_empty() || !new.is_empty());
            if !must && old_diagnostics == new.as_slice() {
                continue;
            }
            self.publish_file(&path, new, open, encoding);
        }
    }

    fn publish_file(
        &mut self,
        path: &Path,
        diagnostics: Vec<Diagnostic>,
        open: Option<Document>,
        encoding: PositionEncoding,
    ) {
        let folders = self.folders.clone();
        let text = {
            let root = self.root_mut(path);
            root.workspace
                .files()
                .read(path)
                .unwrap_or_else(|_| Arc::from(""))
        };
        let (uri, version, index) = match &open {
            Some(document) => {
                if !Arc::ptr_eq(document.text(), &text) && **document.text() != *text {
                    // A newer version is being edited; its own task publishes it.
                    return;
                }
                (
                    document.uri.clone(),
                    Some(document.version),
                    document.index().clone(),
                )
            }
            None => match convert::path_to_uri(path) {
                Some(uri) => (uri, None, Arc::new(LineIndex::new(&text))),
                None => return,
            },
        };
        let line_text = LineText::new(&text, &index);
        let mut related_cache: HashMap<PathBuf, Option<TextAndIndex>> = HashMap::new();
        let shared = self.shared.clone();
        let roots = &self.roots;
        let loose = &self.loose;
        let mut related = |other: &Path| -> Option<RelatedFile> {
            let other = normalize(other);
            let uri = match lock(&shared.documents).get(&other) {
                Some(document) => document.uri.clone(),
                None => convert::path_to_uri(&other)?,
            };
            let (text, index) = related_cache
                .entry(other.clone())
                .or_insert_with(|| {
                    let owner = owner_of(&folders, &other);
                    let root = roots
                        .iter()
                        .find(|root| root.path == owner)
                        .unwrap_or(loose);
                    let text = root.workspace.files().read(&other).ok()?;
                    let index = Arc::new(LineIndex::new(&text));
                    Some((text, index))
                })
                .clone()?;
            Some(RelatedFile { uri, text, index })
        };
        let lsp_diagnostics: Vec<lsp::Diagnostic> = diagnostics
            .iter()
            .map(|diagnostic| {
                convert::to_lsp(diagnostic, line_text, encoding, version, &mut related)
            })
            .collect();
        if let Some(old) = self.published.get(path)
            && old.uri != uri
            && !old.diagnostics.is_empty()
        {
            self.out.publish(old.uri.clone(), Vec::new(), None);
        }
        lock(&self.shared.published).insert(path.to_path_buf(), lsp_diagnostics.clone());
        self.out.publish(uri.clone(), lsp_diagnostics, version);
        if diagnostics.is_empty() {
            self.published.remove(path);
            lock(&self.shared.published).remove(path);
        } else {
            self.published
                .insert(path.to_path_buf(), Published { uri, diagnostics });
        }
    }
}

/// The root folder owning `path`: the longest folder containing it (`None`: loose).
fn owner_of(folders: &[PathBuf], path: &Path) -> Option<PathBuf> {
    folders
        .iter()
        .filter(|folder| path.starts_with(folder))
        .max_by_key(|folder| folder.as_os_str().len())
        .cloned()
}

/// The folders strictly inside `root` (their files belong to them, not to `root`).
fn nested_in(folders: &[PathBuf], root: Option<&Path>) -> Vec<PathBuf> {
    match root {
        Some(root) => folders
            .iter()
            .filter(|folder| folder.as_path() != root && folder.starts_with(root))
            .cloned()
            .collect(),
        None => Vec::new(),
    }
}

/// Puts the open documents a root owns into its workspace (they may be ignored on disk or
/// not saved yet).
fn add_open_documents(root: &mut Root, shared: &Shared, folders: &[PathBuf]) {
    let paths: Vec<PathBuf> = lock(&shared.documents).keys().cloned().collect();
    for path in paths {
        if owner_of(folders, &path) == root.path && !root.contains(&path) {
            root.workspace.insert(&path);
        }
    }
}

/// Paths a file watcher reports that the walk would not have taken.
fn ignored(path: &Path, settings: &Settings) -> bool {
    settings.excluded(path)
        || path.components().any(|component| {
            plugsmith_disk::DEFAULT_EXCLUDES
                .iter()
                .any(|exclude| component.as_os_str() == *exclude)
        })
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::sync::mpsc::{Sender, channel};

    use super::*;

    /// One publish: URI, codes, version.
    type Sent = (String, Vec<String>, Option<i32>);

    struct Recorder(Mutex<Sender<Sent>>);

    impl Publish for Recorder {
        fn publish(&self, uri: Uri, diagnostics: Vec<lsp::Diagnostic>, version: Option<i32>) {
            let codes = diagnostics
                .iter()
                .map(|d| match &d.code {
                    Some(lsp::NumberOrString::String(code)) => code.clone(),
                    _ => String::new(),
                })
                .collect();
            let _ = lock(&self.0).send((uri.as_str().to_string(), codes, version));
        }

        fn log(&self, _: String) {}
    }

    const INFO: &str = "[Core]\nName = x\nModule = missing_module\n\n[Documentation]\nAuthor = A\nVersion = 0.1\nWebsite = https://example.org\nDescription = D\n\n[main]\nexecute_frequency = 60\nresource_filter = resource_class = \"network\"\n";
    const MODULE: &str = "from yahoo_panoptes.polling.polling_plugin import PanoptesPollingPlugin\n\n\nclass P(PanoptesPollingPlugin):\n    def run(self, context):\n        return None\n";
    const KILI: &str = "from kili.plugins import PluginCore\n\n\nclass PluginHandler(PluginCore):\n    def on_submit(self, label, asset_id):\n        pass\n";

    fn session() -> (tempfile::TempDir, Session, std::sync::mpsc::Receiver<Sent>) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for (name, text) in [
            ("pan/x.panoptes-plugin", INFO),
            ("kili_a/main.py", KILI),
            ("kili_a/helpers.py", "def f(x)\n    return x\n"),
            ("kili_b/main.py", KILI),
        ] {
            let path = root.join(name);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
        let (sender, receiver) = channel();
        let mut session = Session::new(
            Arc::new(Shared::default()),
            Box::new(Recorder(Mutex::new(sender))),
        );
        session.handle(vec![Task::Start {
            roots: vec![root.to_path_buf()],
            options: EditorOptions::default(),
        }]);
        (dir, session, receiver)
    }

    fn codes_for(receiver: &std::sync::mpsc::Receiver<Sent>, suffix: &str) -> Vec<Vec<String>> {
        receiver
            .try_iter()
            .filter(|(uri, _, _)| uri.ends_with(suffix))
            .map(|(_, codes, _)| codes)
            .collect()
    }

    #[test]
    fn a_change_rechecks_only_the_plugins_that_read_it() {
        let (dir, mut session, receiver) = session();
        let plugins: usize = session.roots.iter().map(|root| root.plugins.len()).sum();
        assert!(plugins >= 3, "expected three plugins, found {plugins}");
        assert_eq!(session.checks(), plugins);
        assert_eq!(
            codes_for(&receiver, "x.panoptes-plugin"),
            vec![vec!["PAN007"]]
        );

        // A file of one Kili plugin: that plugin only.
        let helpers = dir.path().join("kili_a/helpers.py");
        fs::write(&helpers, "def f(x):\n    return x\n").unwrap();
        session.handle(vec![Task::File(helpers, FileEvent::Changed)]);
        assert_eq!(session.checks(), plugins + 1);
        assert_eq!(
            codes_for(&receiver, "helpers.py"),
            vec![Vec::<String>::new()]
        );

        // Creating the module the Panoptes info file names: only the Panoptes plugin, whose
        // check probed that path, and PAN007 is cleared.
        let module = dir.path().join("pan/missing_module.py");
        fs::write(&module, MODULE).unwrap();
        session.handle(vec![Task::File(module.clone(), FileEvent::Created)]);
        assert_eq!(session.checks(), plugins + 2);
        assert_eq!(
            codes_for(&receiver, "x.panoptes-plugin"),
            vec![Vec::<String>::new()]
        );

        // A file nobody reads: nothing re-checked, nothing published.
        let readme = dir.path().join("notes.txt");
        fs::write(&readme, "hello\n").unwrap();
        session.handle(vec![Task::File(readme, FileEvent::Created)]);
        assert_eq!(session.checks(), plugins + 2);
        assert_eq!(receiver.try_iter().count(), 0);

        // Build output the walk skips: not even detection runs.
        let built = dir.path().join("target/debug/out.py");
        fs::create_dir_all(built.parent().unwrap()).unwrap();
        fs::write(&built, "x = (\n").unwrap();
        session.handle(vec![Task::File(built, FileEvent::Created)]);
        assert_eq!(session.checks(), plugins + 2);
        assert_eq!(receiver.try_iter().count(), 0);

        // Deleting the module brings PAN007 back.
        fs::remove_file(&module).unwrap();
        session.handle(vec![Task::File(module, FileEvent::Deleted)]);
        assert_eq!(
            codes_for(&receiver, "x.panoptes-plugin"),
            vec![vec!["PAN007".to_string()]]
        );
    }

    /// The lenses of `path` (line, title, argument), asked in one batch after `before`.
    fn lenses_after(
        session: &mut Session,
        before: Vec<Task>,
        path: &Path,
    ) -> Vec<(u32, String, serde_json::Value)> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let mut batch = before;
        batch.push(Task::CodeLens(path.to_path_buf(), reply));
        session.handle(batch);
        answer
            .blocking_recv()
            .unwrap()
            .into_iter()
            .map(|lens| {
                let command = lens.command.unwrap();
                assert_eq!(command.command, crate::run::RUN_COMMAND);
                let argument = command.arguments.unwrap().remove(0);
                (lens.range.start.line, command.title, argument)
            })
            .collect()
    }

    fn lenses_of(session: &mut Session, path: &Path) -> Vec<(u32, String, serde_json::Value)> {
        lenses_after(session, Vec::new(), path)
    }

    #[test]
    fn code_lenses_come_from_the_checked_plugins_after_the_batch() {
        let (dir, mut session, _receiver) = session();
        let main = normalize(&dir.path().join("kili_a/main.py"));
        let lenses = lenses_of(&mut session, &main);
        assert_eq!(lenses.len(), 1);
        assert_eq!(lenses[0].0, 4);
        assert_eq!(lenses[0].1, "Run on_submit locally");
        assert_eq!(
            lenses[0].2,
            serde_json::json!({
                "path": normalize(&dir.path().join("kili_a")).display().to_string(),
                "event": "submit",
                "platform": "kili",
            })
        );
        assert!(lenses_of(&mut session, &dir.path().join("kili_a/helpers.py")).is_empty());
        assert_eq!(
            lenses_of(&mut session, &dir.path().join("pan/x.panoptes-plugin"))
                .into_iter()
                .map(|(line, title, _)| (line, title))
                .collect::<Vec<_>>(),
            vec![(0, "Run plugin locally".to_string())]
        );

        // An edit queued before the request is what the lenses see.
        let path = main.clone();
        let uri = convert::path_to_uri(&path).unwrap();
        let text = format!("# moved\n\n{KILI}");
        let document = Document::new(uri, 2, text);
        session
            .shared
            .file_system
            .open(path.clone(), document.text().clone());
        lock(&session.shared.documents).insert(path.clone(), document);
        let lenses = lenses_after(
            &mut session,
            vec![Task::File(path.clone(), FileEvent::Opened)],
            &path,
        );
        assert_eq!(lenses[0].0, 6);
    }

    #[test]
    fn open_documents_publish_their_version_and_stale_text_is_not_published() {
        let (dir, mut session, receiver) = session();
        let _ = receiver.try_iter().count();
        let path = normalize(&dir.path().join("kili_a/helpers.py"));
        let uri = convert::path_to_uri(&path).unwrap();
        let document = Document::new(uri, 3, "def f(x):\n    pass\n".to_string());
        session
            .shared
            .file_system
            .open(path.clone(), document.text().clone());
        lock(&session.shared.documents).insert(path.clone(), document);
        session.handle(vec![Task::File(path.clone(), FileEvent::Opened)]);
        let published: Vec<_> = receiver.try_iter().collect();
        assert_eq!(published.len(), 1);
        assert_eq!(published[0].1, Vec::<String>::new());
        assert_eq!(published[0].2, Some(3));

        // The editor moves on to version 4 while version 3's check result is about to be
        // published: simulate it by changing the document after the overlay was read.
        let newer = Document::new(
            convert::path_to_uri(&path).unwrap(),
            4,
            "def f(x)\n".to_string(),
        );
        session.handle(vec![Task::File(
            path.clone(),
            FileEvent::Edited(Vec::new()),
        )]);
        let _ = receiver.try_iter().count();
        lock(&session.shared.documents).insert(path.clone(), newer.clone());
        // Version 3's text is still what the workspace checked: publishing now would be stale.
        session.publish(&BTreeSet::from([path.clone()]));
        assert_eq!(receiver.try_iter().count(), 0);
        // Once the overlay has version 4 and the task for it runs, version 4 is published.
        session
            .shared
            .file_system
            .open(path.clone(), newer.text().clone());
        session.handle(vec![Task::File(path, FileEvent::Edited(Vec::new()))]);
        let published: Vec<_> = receiver.try_iter().collect();
        assert_eq!(published.len(), 1);
        assert_eq!(published[0].1, vec!["PLG001".to_string()]);
        assert_eq!(published[0].2, Some(4));
    }
}
