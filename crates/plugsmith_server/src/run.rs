//! `workspace/executeCommand` `plugsmith.runPlugin`: run a plugin with plugsmith_runner.
//!
//! The only place where the server executes workspace code, and only on this explicit request
//! (a click on a code lens, the editor's "Run Plugin Locally"). The run happens on a blocking
//! thread (`spawn_blocking`), never on the LSP tasks.
//!
//! Arguments: one object `{path, event?, input?, platform?, timeout?, memory?, workflow?}`:
//! - `path`: the plugin file or folder, absolute (or a `file:` URI);
//! - `event`: what to run (`submit`, `asset.skipped`, `bulk`, a Flowdapt stage, ...);
//! - `input`: a JSON file given to the platform's input option (Kili `--label`, Panoptes
//!   `--resource`, ArchiHub `--body`, Flowdapt `--input`, Supervisely `--config`);
//! - `platform`: `kili`, `panoptes`, `supervisely`, `flowdapt` or `archihub` (default:
//!   detected from the files, as `plugsmith run` does);
//! - `timeout`, `memory`: as `--timeout` / `--memory` (`"60s"`, `"512MiB"`, `"none"`; a number
//!   is seconds / bytes);
//! - `workflow`: Flowdapt's `--workflow FILE`.
//!
//! The result is the run report as `plugsmith run --output-format json` prints it. Malformed
//! arguments are a JSON-RPC `InvalidParams` error; everything the runner itself rejects (a path
//! that does not exist, an unknown platform for the files, a bad limit) is a report with status
//! `runner_error`.
//!
//! Cancelling the request (`$/cancelRequest`; tower-lsp-server then drops the request's future)
//! stops the run: the plugin gets the timeout's treatment (stack dump, whole process tree
//! killed) and the run slot is freed as soon as it has ended, within about a second.
//!
//! While it runs the client sees a work-done progress (the token the client gave, else one
//! created with `window/workDoneProgress/create` when it supports `window.workDoneProgress`);
//! afterwards the full text report goes to `window/logMessage` and a one-line outcome to
//! `window/showMessage`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use plugsmith_runner::detect::Platform;
use plugsmith_runner::report::{Report, Status};
use plugsmith_runner::{CancelToken, RunArgs};
use serde_json::Value;
use tokio::sync::oneshot;
use tower_lsp_server::Client;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::notification::Progress as ProgressNotification;
use tower_lsp_server::ls_types::{
    MessageType, NumberOrString, ProgressParams, ProgressParamsValue, ProgressToken, Uri,
    WorkDoneProgress, WorkDoneProgressBegin, WorkDoneProgressEnd,
};

/// The command's name, as the VS Code extension calls it.
pub const RUN_COMMAND: &str = "plugsmith.runPlugin";

/// Runs allowed at the same time: each holds one of tower-lsp-server's four concurrent
/// request slots for as long as it runs, and the other slots must stay free for edits.
pub const MAX_CONCURRENT_RUNS: usize = 2;

/// How long to wait for the client to accept a progress token before running without one.
const CREATE_PROGRESS_TIMEOUT: Duration = Duration::from_secs(5);

const KEYS: &[&str] = &[
    "path", "event", "input", "platform", "timeout", "memory", "workflow",
];

/// The command's argument, checked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunRequest {
    /// The plugin file or folder.
    pub path: PathBuf,
    /// `--event`.
    pub event: Option<String>,
    /// The sample input, given to the platform's input option.
    pub input: Option<PathBuf>,
    /// `--platform`.
    pub platform: Option<Platform>,
    /// `--timeout`.
    pub timeout: Option<String>,
    /// `--memory`.
    pub memory: Option<String>,
    /// `--workflow` (Flowdapt).
    pub workflow: Option<PathBuf>,
}

fn invalid(message: impl Into<String>) -> Error {
    Error::invalid_params(format!("{RUN_COMMAND}: {}", message.into()))
}

/// A platform name as `--platform` takes it.
pub fn parse_platform(name: &str) -> Option<Platform> {
    match name.trim().to_ascii_lowercase().as_str() {
        "kili" => Some(Platform::Kili),
        "panoptes" => Some(Platform::Panoptes),
        "supervisely" => Some(Platform::Supervisely),
        "flowdapt" => Some(Platform::Flowdapt),
        "archihub" => Some(Platform::ArchiHub),
        _ => None,
    }
}

/// An absolute path, or a `file:` URI.
fn parse_path(key: &str, text: &str) -> Result<PathBuf> {
    if text.trim().is_empty() {
        return Err(invalid(format!("`{key}` is empty")));
    }
    let path = if text.starts_with("file:") {
        let uri: Uri = text
            .parse()
            .map_err(|_| invalid(format!("`{key}` is not a valid URI: {text}")))?;
        uri.to_file_path()
            .map(|path| path.into_owned())
            .ok_or_else(|| invalid(format!("`{key}` is not a file URI: {text}")))?
    } else {
        PathBuf::from(text)
    };
    if !path.is_absolute() {
        return Err(invalid(format!(
            "`{key}` must be an absolute path or a file URI, not {text}"
        )));
    }
    Ok(path)
}

impl RunRequest {
    /// Reads `workspace/executeCommand`'s `arguments`: exactly one object.
    ///
    /// # Errors
    /// `InvalidParams` naming what is wrong.
    pub fn from_arguments(arguments: &[Value]) -> Result<RunRequest> {
        let [argument] = arguments else {
            return Err(invalid(format!(
                "expected one argument {{path, event?, input?, platform?, timeout?, memory?}}, got {}",
                arguments.len()
            )));
        };
        let Some(object) = argument.as_object() else {
            return Err(invalid(
                "the argument must be an object {path, event?, input?, ...}",
            ));
        };
        if let Some(unknown) = object.keys().find(|key| !KEYS.contains(&key.as_str())) {
            return Err(invalid(format!(
                "unknown argument `{unknown}` (expected {})",
                KEYS.join(", ")
            )));
        }
        let string = |key: &str| -> Result<Option<String>> {
            match object.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(text)) if text.is_empty() => Ok(None),
                Some(Value::String(text)) => Ok(Some(text.clone())),
                Some(other) => Err(invalid(format!("`{key}` must be a string, not {other}"))),
            }
        };
        // Limits: a string as on the command line, or a number of seconds / bytes.
        let limit = |key: &str, unit: &str| -> Result<Option<String>> {
            match object.get(key) {
                Some(Value::Number(number)) => Ok(Some(format!("{number}{unit}"))),
                _ => string(key),
            }
        };
        let path = match string("path")? {
            Some(path) => parse_path("path", &path)?,
            None => return Err(invalid("`path` is required (the plugin file or folder)")),
        };
        let platform = match string("platform")? {
            Some(name) => Some(parse_platform(&name).ok_or_else(|| {
                invalid(format!(
                    "unknown platform `{name}` (expected kili, panoptes, supervisely, flowdapt or archihub)"
                ))
            })?),
            None => None,
        };
        Ok(RunRequest {
            path,
            event: string("event")?,
            input: string("input")?
                .map(|input| parse_path("input", &input))
                .transpose()?,
            platform,
            timeout: limit("timeout", "s")?,
            memory: limit("memory", "")?,
            workflow: string("workflow")?
                .map(|workflow| parse_path("workflow", &workflow))
                .transpose()?,
        })
    }

    /// The runner's arguments. `input` goes to the option of the platform given, else of the
    /// platform detected from the files (which reads them: call this off the LSP tasks).
    pub fn to_run_args(&self) -> RunArgs {
        let mut args = RunArgs::new(&self.path);
        args.platform = self.platform;
        args.event = self.event.clone();
        args.timeout = self.timeout.clone();
        args.memory = self.memory.clone();
        args.workflow = self.workflow.clone();
        if let Some(input) = &self.input {
            let platform = self
                .platform
                .or_else(|| plugsmith_runner::detect::detect(&self.path).ok());
            match platform {
                Some(Platform::Kili) | None => args.label = Some(input.clone()),
                Some(Platform::Panoptes) => args.resource = Some(input.clone()),
                Some(Platform::ArchiHub) => args.body = Some(input.clone()),
                Some(Platform::Flowdapt) => args.input = Some(input.clone()),
                Some(Platform::Supervisely) => args.config = Some(input.clone()),
            }
        }
        args
    }

    /// What the progress shows: `main.py (submit)`.
    fn describe(&self) -> String {
        let name = plugin_label(&self.path);
        match &self.event {
            Some(event) => format!("{name} ({event})"),
            None => name,
        }
    }
}

fn plugin_label(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    match (name.as_str(), path.parent().and_then(Path::file_name)) {
        ("main.py" | "__init__.py", Some(parent)) => {
            format!("{}/{name}", parent.to_string_lossy())
        }
        _ => name,
    }
}

/// The one-line outcome: `on_submit: ok in 0.42 s`, `on_submit: Task timed out after 60.00
/// seconds`; and how to show it (Info when ok, Error when the runner could not run it,
/// Warning when the plugin failed).
pub fn summary(report: &Report) -> (MessageType, String) {
    let label = report
        .handler
        .as_deref()
        .filter(|handler| !handler.is_empty())
        .or(Some(report.entry.as_str()).filter(|entry| !entry.is_empty()))
        .or(Some(report.plugin.as_str()).filter(|plugin| !plugin.is_empty()))
        .unwrap_or("plugsmith run");
    match report.status {
        Status::Ok => (
            MessageType::INFO,
            format!("{label}: ok in {:.2} s", report.durations.total_ms / 1000.0),
        ),
        status => {
            let detail = if report.message.is_empty() {
                status.as_str().to_string()
            } else {
                report.message.clone()
            };
            let kind = if status == Status::RunnerError {
                MessageType::ERROR
            } else {
                MessageType::WARNING
            };
            (kind, format!("{label}: {detail}"))
        }
    }
}

/// Counts the runs in progress; see [`MAX_CONCURRENT_RUNS`].
#[derive(Debug, Default)]
pub struct Runs(AtomicUsize);

/// A slot among the runs in progress, given back on drop.
struct Slot(Arc<Runs>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.0.fetch_sub(1, Ordering::AcqRel);
    }
}

fn take_slot(runs: &Arc<Runs>) -> Option<Slot> {
    runs.0
        .fetch_update(Ordering::AcqRel, Ordering::Acquire, |running| {
            (running < MAX_CONCURRENT_RUNS).then_some(running + 1)
        })
        .ok()
        .map(|_| Slot(runs.clone()))
}

/// A work-done progress driven by its own task: the run never waits for the client to accept
/// the token, and `end` follows `begin` whatever the order of events. Dropping it (the
/// request was cancelled) ends the progress as cancelled.
struct RunProgress {
    finish: Option<oneshot::Sender<String>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

static NEXT_TOKEN: AtomicUsize = AtomicUsize::new(1);

impl RunProgress {
    /// `given`: the client's `workDoneToken`; else a token is created when `create` (the client
    /// supports `window.workDoneProgress`); else no progress at all.
    fn start(client: &Client, given: Option<ProgressToken>, create: bool, message: String) -> Self {
        if given.is_none() && !create {
            return RunProgress {
                finish: None,
                task: None,
            };
        }
        let (finish, finished) = oneshot::channel::<String>();
        let client = client.clone();
        let task = tokio::spawn(async move {
            let token = match given {
                Some(token) => token,
                None => {
                    let token = NumberOrString::String(format!(
                        "plugsmith-run-{}",
                        NEXT_TOKEN.fetch_add(1, Ordering::Relaxed)
                    ));
                    let created = tokio::time::timeout(
                        CREATE_PROGRESS_TIMEOUT,
                        client.create_work_done_progress(token.clone()),
                    )
                    .await;
                    if !matches!(created, Ok(Ok(()))) {
                        return;
                    }
                    token
                }
            };
            let send = |value: WorkDoneProgress| {
                client.send_notification::<ProgressNotification>(ProgressParams {
                    token: token.clone(),
                    value: ProgressParamsValue::WorkDone(value),
                })
            };
            send(WorkDoneProgress::Begin(WorkDoneProgressBegin {
                title: "plugsmith run".to_string(),
                cancellable: Some(false),
                message: Some(message),
                percentage: None,
            }))
            .await;
            let outcome = finished.await.unwrap_or_else(|_| "cancelled".to_string());
            send(WorkDoneProgress::End(WorkDoneProgressEnd {
                message: Some(outcome),
            }))
            .await;
        });
        RunProgress {
            finish: Some(finish),
            task: Some(task),
        }
    }

    /// Ends the progress with `outcome`, once its `begin` went out (bounded by the create
    /// timeout).
    async fn end(mut self, outcome: String) {
        if let Some(finish) = self.finish.take() {
            let _ = finish.send(outcome);
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

/// Cancels its token when dropped, unless disarmed: held across the await of the run, so a
/// request future dropped by tower-lsp-server (`$/cancelRequest`) stops the plugin.
struct CancelOnDrop(Option<CancelToken>);

impl CancelOnDrop {
    /// The run ended on its own: nothing to cancel.
    fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if let Some(token) = self.0.take() {
            token.cancel();
        }
    }
}

/// Everything the handler needs, cloned out of the backend.
pub struct RunContext {
    /// The LSP client.
    pub client: Client,
    /// Whether the client supports `window/workDoneProgress/create`.
    pub work_done_progress: bool,
    /// The runs in progress.
    pub runs: Arc<Runs>,
}

/// Executes `plugsmith.runPlugin`.
///
/// # Errors
/// `InvalidParams` for malformed arguments or when too many runs are in progress.
pub async fn execute(
    context: RunContext,
    arguments: &[Value],
    token: Option<ProgressToken>,
) -> Result<Option<Value>> {
    let request = RunRequest::from_arguments(arguments)?;
    let Some(slot) = take_slot(&context.runs) else {
        return Err(Error {
            // LSP `RequestFailed`.
            code: ErrorCode::ServerError(-32803),
            message: format!(
                "{RUN_COMMAND}: {MAX_CONCURRENT_RUNS} runs are already in progress; try again when one ends"
            )
            .into(),
            data: None,
        });
    };
    let client = &context.client;
    let progress = RunProgress::start(
        client,
        token,
        context.work_done_progress,
        request.describe(),
    );
    let blocking = request.clone();
    let cancel = CancelToken::new();
    let guard = CancelOnDrop(Some(cancel.clone()));
    let joined = tokio::task::spawn_blocking(move || {
        // The slot is held by the thread: a cancelled request still counts until the plugin
        // has been stopped.
        let _slot = slot;
        let args = blocking.to_run_args();
        plugsmith_runner::run_with_cancel(&args, &cancel)
    })
    .await;
    guard.disarm();
    let report = joined.unwrap_or_else(|error| {
        let what = if error.is_panic() {
            "the runner panicked (a plugsmith bug)"
        } else {
            "the run was cancelled"
        };
        Report::runner_error(
            "unknown",
            &request.path.display().to_string(),
            format!("internal error: {what}"),
        )
    });
    let (kind, message) = summary(&report);
    progress.end(message.clone()).await;
    client
        .log_message(MessageType::LOG, report.render_text())
        .await;
    client.show_message(kind, message).await;
    let value = serde_json::to_value(&report).map_err(|error| Error {
        code: ErrorCode::InternalError,
        message: format!("{RUN_COMMAND}: cannot serialise the report: {error}").into(),
        data: None,
    })?;
    Ok(Some(value))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn parse(value: Value) -> Result<RunRequest> {
        RunRequest::from_arguments(&[value])
    }

    fn message(result: Result<RunRequest>) -> String {
        result.unwrap_err().message.to_string()
    }

    #[test]
    fn arguments_are_read_with_defaults() {
        let request = parse(json!({"path": "/ws/kili", "event": "submit"})).unwrap();
        assert_eq!(
            request,
            RunRequest {
                path: "/ws/kili".into(),
                event: Some("submit".into()),
                ..RunRequest::default()
            }
        );
        let request = parse(json!({
            "path": "file:///ws/pan/x.panoptes-plugin",
            "event": "",
            "input": "/ws/resource.json",
            "platform": "Panoptes",
            "timeout": 2.5,
            "memory": "512MiB",
            "workflow": null,
        }))
        .unwrap();
        assert_eq!(request.path, PathBuf::from("/ws/pan/x.panoptes-plugin"));
        assert_eq!(request.event, None);
        assert_eq!(request.platform, Some(Platform::Panoptes));
        assert_eq!(request.timeout.as_deref(), Some("2.5s"));
        assert_eq!(request.memory.as_deref(), Some("512MiB"));
        let args = request.to_run_args();
        assert_eq!(args.resource, Some(PathBuf::from("/ws/resource.json")));
        assert_eq!(args.label, None);
        assert_eq!(args.timeout.as_deref(), Some("2.5s"));
        assert_eq!(args.platform, Some(Platform::Panoptes));
        let args = parse(json!({"path": "/ws/fdt", "input": "/i.json", "platform": "flowdapt", "workflow": "/ws/fdt/wf.yaml", "memory": 1000}))
            .unwrap()
            .to_run_args();
        assert_eq!(args.input, Some(PathBuf::from("/i.json")));
        assert_eq!(args.workflow, Some(PathBuf::from("/ws/fdt/wf.yaml")));
        assert_eq!(args.memory.as_deref(), Some("1000"));
        // No platform and nothing on disk to detect it from: Kili's label, the runner reports.
        let args = parse(json!({"path": "/nonexistent/plugsmith/x", "input": "/l.json"}))
            .unwrap()
            .to_run_args();
        assert_eq!(args.label, Some(PathBuf::from("/l.json")));
    }

    #[test]
    fn malformed_arguments_are_invalid_params_with_a_reason() {
        let error = RunRequest::from_arguments(&[]).unwrap_err();
        assert_eq!(
            error.code,
            tower_lsp_server::jsonrpc::ErrorCode::InvalidParams
        );
        assert!(
            error.message.contains("expected one argument"),
            "{}",
            error.message
        );
        assert!(message(parse(json!("/ws/kili"))).contains("must be an object"));
        assert!(message(parse(json!({"event": "submit"}))).contains("`path` is required"));
        assert!(message(parse(json!({"path": 3}))).contains("`path` must be a string"));
        assert!(message(parse(json!({"path": "kili/main.py"}))).contains("absolute"));
        assert!(
            message(parse(json!({"path": "/p", "platform": "jira"})))
                .contains("unknown platform `jira`")
        );
        assert!(
            message(parse(json!({"path": "/p", "timeot": "1s"})))
                .contains("unknown argument `timeot`")
        );
        assert!(
            message(parse(json!({"path": "/p", "input": "rel.json"})))
                .contains("`input` must be an absolute path")
        );
        assert!(
            message(parse(json!({"path": "/p", "event": ["a"]})))
                .contains("`event` must be a string")
        );
    }

    #[test]
    fn summaries_name_the_handler_and_the_outcome() {
        let mut report = Report::new("kili", "kili_plugin");
        report.status = Status::Ok;
        report.handler = Some("on_submit".into());
        report.entry = "submit".into();
        report.durations.total_ms = 420.0;
        assert_eq!(
            summary(&report),
            (MessageType::INFO, "on_submit: ok in 0.42 s".to_string())
        );
        report.status = Status::Timeout;
        report.message = "Task timed out after 60.00 seconds".into();
        assert_eq!(
            summary(&report),
            (
                MessageType::WARNING,
                "on_submit: Task timed out after 60.00 seconds".to_string()
            )
        );
        let report = Report::runner_error("unknown", "x", "/x: No such file or directory");
        assert_eq!(
            summary(&report),
            (
                MessageType::ERROR,
                "x: /x: No such file or directory".to_string()
            )
        );
    }

    #[test]
    fn at_most_two_runs_at_once() {
        let runs = Arc::new(Runs::default());
        let first = take_slot(&runs).unwrap();
        let second = take_slot(&runs).unwrap();
        assert!(take_slot(&runs).is_none());
        drop(first);
        assert!(take_slot(&runs).is_some());
        drop(second);
        assert_eq!(runs.0.load(Ordering::Acquire), 0);
    }

    #[test]
    fn a_dropped_request_cancels_its_run_and_a_finished_one_does_not() {
        let token = CancelToken::new();
        drop(CancelOnDrop(Some(token.clone())));
        assert!(token.is_cancelled());
        let token = CancelToken::new();
        CancelOnDrop(Some(token.clone())).disarm();
        assert!(!token.is_cancelled());
    }

    #[test]
    fn cancelled_runs_are_summarised_as_a_warning() {
        let mut report = Report::new("kili", "kili_plugin");
        report.status = Status::Cancelled;
        report.message = "Run cancelled".into();
        report.handler = Some("on_submit".into());
        assert_eq!(
            summary(&report),
            (MessageType::WARNING, "on_submit: Run cancelled".to_string())
        );
    }

    #[test]
    fn runner_errors_come_back_as_reports() {
        let request = parse(json!({"path": "/nonexistent/plugsmith/plugin"})).unwrap();
        let report = plugsmith_runner::run(&request.to_run_args());
        assert_eq!(report.status, Status::RunnerError);
        assert!(
            report.message.contains("/nonexistent/plugsmith/plugin"),
            "{}",
            report.message
        );
    }
}
