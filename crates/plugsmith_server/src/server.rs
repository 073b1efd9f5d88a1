//! The `LanguageServer` implementation: thin handlers over [`crate::session`].
//!
//! tower-lsp-server runs handlers concurrently, so every handler applies its state change
//! synchronously before its first `.await` (text edits in particular), never holds a lock
//! across an `.await`, and never awaits a request to the client (the watcher registration
//! is spawned). Checking happens in the analysis task, never here; code lenses are computed
//! there too (the handler awaits the answer, holding nothing), and a plugin runs only on
//! `workspace/executeCommand` `plugsmith.runPlugin`, on a blocking thread ([`crate::run`]).

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};

use plugsmith_core::workspace::normalize;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::LSPAny;
use tower_lsp_server::ls_types::{
    CodeActionKind, CodeActionOptions, CodeActionParams, CodeActionProviderCapability,
    CodeActionResponse, CodeLens, CodeLensOptions, CodeLensParams, DidChangeConfigurationParams,
    DidChangeTextDocumentParams, DidChangeWatchedFilesParams,
    DidChangeWatchedFilesRegistrationOptions, DidChangeWorkspaceFoldersParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DidSaveTextDocumentParams,
    ExecuteCommandOptions, ExecuteCommandParams, FileChangeType, FileSystemWatcher, GlobPattern,
    InitializeParams, InitializeResult, InitializedParams, MessageType, OneOf, Registration,
    SaveOptions, ServerCapabilities, ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Uri, WorkDoneProgressOptions,
    WorkspaceFoldersServerCapabilities, WorkspaceServerCapabilities,
};
use tower_lsp_server::{Client, LanguageServer};

use crate::code_action;
use crate::document::Document;
use crate::position::PositionEncoding;
use crate::run::{self, RUN_COMMAND, RunContext, Runs};
use crate::session::{EditorOptions, FileEvent, Publish, Session, Shared, Task, lock};

/// The server: shared state, and the queue into the analysis task.
pub struct Backend {
    client: Client,
    shared: Arc<Shared>,
    tasks: Sender<Task>,
    receiver: Mutex<Option<Receiver<Task>>>,
    start: Mutex<Option<Task>>,
    watch_files: AtomicBool,
    /// The client supports `window/workDoneProgress/create`.
    work_done_progress: AtomicBool,
    runs: Arc<Runs>,
}

impl Backend {
    /// A server talking to `client`.
    pub fn new(client: Client) -> Self {
        let (tasks, receiver) = channel();
        Backend {
            client,
            shared: Arc::new(Shared::default()),
            tasks,
            receiver: Mutex::new(Some(receiver)),
            start: Mutex::new(None),
            watch_files: AtomicBool::new(false),
            work_done_progress: AtomicBool::new(false),
            runs: Arc::new(Runs::default()),
        }
    }

    fn send(&self, task: Task) {
        // Fails only when the analysis task is gone (shutting down).
        let _ = self.tasks.send(task);
    }

    fn encoding(&self) -> PositionEncoding {
        *lock(&self.shared.encoding)
    }
}

/// A `file:` URI's normalised path; other schemes (`untitled:`, ...) are not checked.
fn file_path(uri: &Uri) -> Option<PathBuf> {
    if !uri.scheme().as_str().eq_ignore_ascii_case("file") {
        return None;
    }
    let path = uri.to_file_path()?;
    path.is_absolute().then(|| normalize(&path))
}

/// Publishes through the client from the analysis task (a blocking thread).
struct ClientPublisher {
    client: Client,
    runtime: tokio::runtime::Handle,
}

impl Publish for ClientPublisher {
    fn publish(
        &self,
        uri: Uri,
        diagnostics: Vec<tower_lsp_server::ls_types::Diagnostic>,
        version: Option<i32>,
    ) {
        self.runtime
            .block_on(self.client.publish_diagnostics(uri, diagnostics, version));
    }

    fn log(&self, message: String) {
        eprintln!("{message}");
        self.runtime
            .block_on(self.client.log_message(MessageType::WARNING, message));
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let encoding = PositionEncoding::negotiate(
            params
                .capabilities
                .general
                .as_ref()
                .and_then(|general| general.position_encodings.as_deref()),
        );
        *lock(&self.shared.encoding) = encoding;
        let watch = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|workspace| workspace.did_change_watched_files.as_ref())
            .and_then(|watched| watched.dynamic_registration)
            .unwrap_or(false);
        self.watch_files.store(watch, Ordering::Relaxed);
        let progress = params
            .capabilities
            .window
            .as_ref()
            .and_then(|window| window.work_done_progress)
            .unwrap_or(false);
        self.work_done_progress.store(progress, Ordering::Relaxed);
        let mut roots: Vec<PathBuf> = params
            .workspace_folders
            .iter()
            .flatten()
            .filter_map(|folder| file_path(&folder.uri))
            .collect();
        #[allow(deprecated)]
        if roots.is_empty()
            && let Some(root) = params.root_uri.as_ref().and_then(file_path)
        {
            roots.push(root);
        }
        let options = params
            .initialization_options
            .as_ref()
            .and_then(EditorOptions::from_json)
            .unwrap_or_default();
        *lock(&self.start) = Some(Task::Start { roots, options });
        if let Some(receiver) = lock(&self.receiver).take() {
            let shared = self.shared.clone();
            let publisher = ClientPublisher {
                client: self.client.clone(),
                runtime: tokio::runtime::Handle::current(),
            };
            // The analysis owns its state on a blocking thread, off the handler path.
            tokio::task::spawn_blocking(move || {
                Session::new(shared, Box::new(publisher)).run(receiver);
            });
        }
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(encoding.kind()),
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                            include_text: Some(false),
                        })),
                        ..TextDocumentSyncOptions::default()
                    },
                )),
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                        resolve_provider: Some(false),
                        work_done_progress_options: WorkDoneProgressOptions::default(),
                    },
                )),
                code_lens_provider: Some(CodeLensOptions {
                    resolve_provider: Some(false),
                }),
                execute_command_provider: Some(ExecuteCommandOptions {
                    commands: vec![RUN_COMMAND.to_string()],
                    work_done_progress_options: WorkDoneProgressOptions {
                        work_done_progress: Some(true),
                    },
                }),
                workspace: Some(WorkspaceServerCapabilities {
                    workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                        supported: Some(true),
                        change_notifications: Some(OneOf::Left(true)),
                    }),
                    file_operations: None,
                }),
                ..ServerCapabilities::default()
            },
            server_info: Some(ServerInfo {
                name: "plugsmith".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        if let Some(start) = lock(&self.start).take() {
            self.send(start);
        }
        if self.watch_files.load(Ordering::Relaxed) {
            let client = self.client.clone();
            // Never awaited here: a request to the client inside a handler can deadlock.
            tokio::spawn(async move {
                let options = DidChangeWatchedFilesRegistrationOptions {
                    watchers: vec![FileSystemWatcher {
                        glob_pattern: GlobPattern::String("**/*".to_string()),
                        kind: None,
                    }],
                };
                let registration = Registration {
                    id: "plugsmith-watched-files".to_string(),
                    method: "workspace/didChangeWatchedFiles".to_string(),
                    register_options: serde_json::to_value(options).ok(),
                };
                if let Err(error) = client.register_capability(vec![registration]).await {
                    eprintln!("plugsmith: the client refused the file watcher: {error}");
                }
            });
        }
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let document = params.text_document;
        let Some(path) = file_path(&document.uri) else {
            return;
        };
        let document = Document::new(document.uri, document.version, document.text);
        self.shared
            .file_system
            .open(path.clone(), document.text().clone());
        lock(&self.shared.documents).insert(path.clone(), document);
        self.send(Task::File(path, FileEvent::Opened));
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let Some(path) = file_path(&params.text_document.uri) else {
            return;
        };
        let encoding = self.encoding();
        let changes;
        {
            let mut documents = lock(&self.shared.documents);
            let Some(document) = documents.get_mut(&path) else {
                return;
            };
            changes = document.apply_changes(
                params.content_changes,
                params.text_document.version,
                encoding,
            );
            self.shared
                .file_system
                .open(path.clone(), document.text().clone());
        }
        self.send(Task::File(path, FileEvent::Edited(changes)));
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        if let Some(path) = file_path(&params.text_document.uri) {
            self.send(Task::File(path, FileEvent::Saved));
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let Some(path) = file_path(&params.text_document.uri) else {
            return;
        };
        lock(&self.shared.documents).remove(&path);
        self.shared.file_system.close(&path);
        self.send(Task::File(path, FileEvent::Closed));
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        if let Some(options) = EditorOptions::from_json(&params.settings) {
            self.send(Task::Configure(options));
        }
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        let paths = |folders: &[tower_lsp_server::ls_types::WorkspaceFolder]| -> Vec<PathBuf> {
            folders
                .iter()
                .filter_map(|folder| file_path(&folder.uri))
                .collect()
        };
        self.send(Task::Folders {
            added: paths(&params.event.added),
            removed: paths(&params.event.removed),
        });
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        for change in params.changes {
            let Some(path) = file_path(&change.uri) else {
                continue;
            };
            let event = match change.typ {
                FileChangeType::CREATED => FileEvent::Created,
                FileChangeType::DELETED => FileEvent::Deleted,
                _ => FileEvent::Changed,
            };
            self.send(Task::File(path, event));
        }
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let Some(path) = file_path(&params.text_document.uri) else {
            return Ok(None);
        };
        let version = lock(&self.shared.documents)
            .get(&path)
            .map(|document| document.version);
        let published = lock(&self.shared.published)
            .get(&path)
            .cloned()
            .unwrap_or_default();
        let actions = code_action::quick_fixes(&params, version, &published);
        Ok((!actions.is_empty()).then_some(actions))
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let Some(path) = file_path(&params.text_document.uri) else {
            return Ok(None);
        };
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.send(Task::CodeLens(path, reply));
        // Dropped unanswered only when the analysis is gone (shutting down).
        Ok(answer.await.ok().filter(|lenses| !lenses.is_empty()))
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        if params.command != RUN_COMMAND {
            return Err(tower_lsp_server::jsonrpc::Error::invalid_params(format!(
                "unknown command `{}` (this server has {RUN_COMMAND})",
                params.command
            )));
        }
        let context = RunContext {
            client: self.client.clone(),
            work_done_progress: self.work_done_progress.load(Ordering::Relaxed),
            runs: self.runs.clone(),
        };
        run::execute(
            context,
            &params.arguments,
            params.work_done_progress_params.work_done_token,
        )
        .await
    }
}
