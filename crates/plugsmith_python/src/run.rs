//! `run(path, *, event=None, label=None, ...) -> RunReport`: runs a plugin under its platform's
//! production limits through the runner library (`plugsmith_runner::run`), as `plugsmith run`
//! does, and returns the report as typed Python objects.

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use clap::ValueEnum;
use plugsmith_runner::detect::Platform;
use plugsmith_runner::env::Installer;
use plugsmith_runner::limits::BackendPref;
use plugsmith_runner::report::{self, Report, Status};
use plugsmith_runner::{CancelToken, OutputFormat, RunArgs};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyString};

use crate::RunnerError;
use crate::check::shorten;
use crate::json;

/// Wall-clock durations of a run, in milliseconds.
#[pyclass(module = "plugsmith", name = "Durations", frozen, get_all)]
#[derive(Clone, Debug)]
pub struct Durations {
    /// Spawn to result (or to the kill).
    pub total_ms: f64,
    /// Interpreter start-up.
    pub startup_ms: Option<f64>,
    /// Importing the plugin and constructing its handler.
    pub import_ms: Option<f64>,
    /// The handler call itself.
    pub call_ms: Option<f64>,
    /// Building the requirements environment (outside the limits), when it was built.
    pub install_ms: Option<f64>,
}

#[pymethods]
impl Durations {
    fn __repr__(&self) -> String {
        let ms = |v: Option<f64>| v.map_or("None".to_string(), |v| format!("{v:.1}"));
        format!(
            "Durations(total_ms={:.1}, startup_ms={}, import_ms={}, call_ms={}, install_ms={})",
            self.total_ms,
            ms(self.startup_ms),
            ms(self.import_ms),
            ms(self.call_ms),
            ms(self.install_ms)
        )
    }
}

/// Memory of a run: the limit, the peak, and how the limit was enforced.
#[pyclass(module = "plugsmith", name = "Memory", frozen, get_all)]
#[derive(Clone, Debug)]
pub struct Memory {
    /// `None` when unlimited.
    pub limit_bytes: Option<u64>,
    /// Peak of the whole process tree (cgroup), or the polled RSS peak.
    pub peak_bytes: Option<u64>,
    /// `ru_maxrss` of the main process.
    pub peak_rss_main_bytes: Option<u64>,
    pub oom_kills: u64,
    /// `cgroup-v2`, `cgroup-v1` or `rlimit`.
    pub backend: String,
    pub enforcement: String,
    /// True when the figures come from polling rather than the kernel.
    pub approximate: bool,
}

#[pymethods]
impl Memory {
    fn __repr__(&self) -> String {
        let mib = |v: Option<u64>| {
            v.map_or("None".to_string(), |v| {
                format!("{:.1} MiB", v as f64 / 1024.0 / 1024.0)
            })
        };
        format!(
            "Memory(limit={}, peak={}{}, backend={:?}, oom_kills={})",
            mib(self.limit_bytes),
            if self.approximate { "~" } else { "" },
            mib(self.peak_bytes),
            self.backend,
            self.oom_kills
        )
    }
}

/// The limits a run had.
#[pyclass(module = "plugsmith", name = "Limits", frozen, get_all)]
#[derive(Clone, Debug)]
pub struct Limits {
    pub timeout_s: Option<f64>,
    pub soft_timeout_s: Option<f64>,
    /// Where the defaults come from, e.g. "Kili production: 512 MB, 60 s per handler call".
    pub profile: String,
}

#[pymethods]
impl Limits {
    fn __repr__(&self) -> String {
        let seconds = |v: Option<f64>| v.map_or("None".to_string(), |v| format!("{v}"));
        format!(
            "Limits(timeout_s={}, soft_timeout_s={}, profile={:?})",
            seconds(self.timeout_s),
            seconds(self.soft_timeout_s),
            self.profile
        )
    }
}

/// One traceback frame.
#[pyclass(module = "plugsmith", name = "Frame", frozen, get_all)]
#[derive(Clone, Debug)]
pub struct Frame {
    pub file: String,
    pub line: Option<u64>,
    pub function: String,
    pub code: Option<String>,
    /// True for the plugin's own files.
    pub in_plugin: bool,
}

#[pymethods]
impl Frame {
    fn __repr__(&self) -> String {
        format!(
            "<Frame {}:{} in {}>",
            self.file,
            self.line.map_or("?".to_string(), |l| l.to_string()),
            self.function
        )
    }
}

impl From<&report::Frame> for Frame {
    fn from(frame: &report::Frame) -> Frame {
        Frame {
            file: frame.file.clone(),
            line: frame.line,
            function: frame.function.clone(),
            code: frame.code.clone(),
            in_plugin: frame.in_plugin,
        }
    }
}

/// The exception a plugin raised (the plugin's, not plugsmith's: it is data, not raised).
#[pyclass(module = "plugsmith", name = "RunException", frozen, get_all)]
#[derive(Clone, Debug)]
pub struct RunException {
    /// The exception's class name, e.g. `"KeyError"`.
    #[pyo3(name = "type")]
    pub type_name: String,
    pub module: String,
    pub message: String,
    /// The formatted traceback, as Python prints it.
    pub traceback: String,
    pub frames: Vec<Frame>,
    /// The innermost frame in the plugin's own files.
    pub location: Option<Frame>,
    /// `"import"` (loading the plugin, constructing the handler) or `"call"`.
    pub phase: String,
}

#[pymethods]
impl RunException {
    fn __repr__(&self) -> String {
        let at = self.location.as_ref().map_or(String::new(), |frame| {
            format!(
                " at {}:{}",
                frame.file,
                frame.line.map_or("?".to_string(), |l| l.to_string())
            )
        });
        format!(
            "<RunException {}: {} ({}){at}>",
            self.type_name,
            shorten(&self.message, 60),
            self.phase
        )
    }

    fn __str__(&self) -> String {
        format!("{}: {}", self.type_name, self.message)
    }
}

/// What happened when a plugin ran.
#[pyclass(module = "plugsmith", name = "RunReport", frozen)]
pub struct RunReport {
    /// `"ok"`, `"handler_error"`, `"timeout"`, `"memory_limit_exceeded"`, `"crashed"` or
    /// `"runner_error"`.
    #[pyo3(get)]
    pub status: String,
    /// In production's words where it has them (`Task timed out after 60.00 seconds`).
    #[pyo3(get)]
    pub message: String,
    #[pyo3(get)]
    pub platform: String,
    #[pyo3(get)]
    pub plugin: String,
    /// The event or entry that was run.
    #[pyo3(get)]
    pub entry: String,
    /// The method or function called.
    #[pyo3(get)]
    pub handler: Option<String>,
    #[pyo3(get)]
    pub durations: Durations,
    #[pyo3(get)]
    pub limits: Limits,
    #[pyo3(get)]
    pub memory: Memory,
    #[pyo3(get)]
    pub exit_code: Option<i32>,
    #[pyo3(get)]
    pub exit_signal: Option<i32>,
    /// What the handler returned, as JSON-like Python objects.
    #[pyo3(get)]
    pub return_value: Py<PyAny>,
    #[pyo3(get)]
    pub exception: Option<RunException>,
    /// Calls recorded on the fake platform client, in order: dicts with `method`, `args`,
    /// `kwargs` and more.
    #[pyo3(get)]
    pub calls: Py<PyAny>,
    #[pyo3(get)]
    pub calls_truncated: bool,
    /// Log records: dicts with `level`, `logger`, `message` (and `file`, `line`).
    #[pyo3(get)]
    pub logs: Py<PyAny>,
    #[pyo3(get)]
    pub logs_truncated: bool,
    #[pyo3(get)]
    pub stdout: String,
    #[pyo3(get)]
    pub stderr: String,
    #[pyo3(get)]
    pub stdout_truncated: bool,
    #[pyo3(get)]
    pub stderr_truncated: bool,
    /// Where the plugin was when it was stopped (timeouts, crashes).
    #[pyo3(get)]
    pub stack_dump: Option<String>,
    /// Platform-specific details (Panoptes result type, ArchiHub record updates, ...).
    #[pyo3(get)]
    pub details: Py<PyAny>,
    #[pyo3(get)]
    pub warnings: Vec<String>,
    /// The whole report as `plugsmith run --output-format json` prints it.
    json: serde_json::Value,
    text: String,
    ok: bool,
}

#[pymethods]
impl RunReport {
    /// True when the status is `"ok"`.
    #[getter]
    fn ok(&self) -> bool {
        self.ok
    }

    /// The whole report as a `dict`, the JSON of `plugsmith run --output-format json`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json::to_python(py, &self.json)
    }

    /// The whole report as JSON text.
    fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.json).unwrap_or_default()
    }

    fn __bool__(&self) -> bool {
        self.ok
    }

    /// The text report of `plugsmith run` (ends with the one-line `REPORT`).
    fn __str__(&self) -> String {
        self.text.clone()
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let mut parts = vec![
            self.status.clone(),
            self.platform.clone(),
            self.plugin.clone(),
        ];
        if !self.entry.is_empty() {
            parts.push(self.entry.clone());
        }
        parts.push(format!("{:.1} ms", self.durations.total_ms));
        if let Some(peak) = self.memory.peak_bytes {
            parts.push(format!(
                "peak {}{:.1} MiB",
                if self.memory.approximate { "~" } else { "" },
                peak as f64 / 1024.0 / 1024.0
            ));
        }
        let calls = self.calls.bind(py).len().unwrap_or(0);
        parts.push(format!("{calls} call{}", if calls == 1 { "" } else { "s" }));
        if let Some(exception) = &self.exception {
            parts.push(format!(
                "{}: {}",
                exception.type_name,
                shorten(&exception.message, 40)
            ));
        } else if self.status != "ok" && !self.message.is_empty() {
            parts.push(shorten(&self.message, 60));
        }
        format!("<RunReport {}>", parts.join(" "))
    }
}

impl RunReport {
    fn new(py: Python<'_>, report: &Report) -> PyResult<RunReport> {
        let value = serde_json::to_value(report).unwrap_or(serde_json::Value::Null);
        let field = |name: &str| value.get(name).cloned().unwrap_or_default();
        let return_value = json::to_python(py, &report.return_value.clone().unwrap_or_default())?;
        Ok(RunReport {
            status: report.status.as_str().to_string(),
            message: report.message.clone(),
            platform: report.platform.clone(),
            plugin: report.plugin.clone(),
            entry: report.entry.clone(),
            handler: report.handler.clone(),
            durations: Durations {
                total_ms: report.durations.total_ms,
                startup_ms: report.durations.startup_ms,
                import_ms: report.durations.import_ms,
                call_ms: report.durations.call_ms,
                install_ms: report.durations.install_ms,
            },
            limits: Limits {
                timeout_s: report.limits.timeout_s,
                soft_timeout_s: report.limits.soft_timeout_s,
                profile: report.limits.profile.clone(),
            },
            memory: Memory {
                limit_bytes: report.memory.limit_bytes,
                peak_bytes: report.memory.peak_bytes,
                peak_rss_main_bytes: report.memory.peak_rss_main_bytes,
                oom_kills: report.memory.oom_kills,
                backend: report.memory.backend.clone(),
                enforcement: report.memory.enforcement.clone(),
                approximate: report.memory.approximate,
            },
            exit_code: report.exit.code,
            exit_signal: report.exit.signal,
            return_value: return_value.unbind(),
            exception: report.exception.as_ref().map(|e| RunException {
                type_name: e.type_name.clone(),
                module: e.module.clone(),
                message: e.message.clone(),
                traceback: e.traceback.clone(),
                frames: e.frames.iter().map(Frame::from).collect(),
                location: e.location.as_ref().map(Frame::from),
                phase: e.phase.clone(),
            }),
            calls: json::to_python(py, &field("calls"))?.unbind(),
            calls_truncated: report.calls_truncated,
            logs: json::to_python(py, &field("logs"))?.unbind(),
            logs_truncated: report.logs_truncated,
            stdout: report.stdout.text.clone(),
            stderr: report.stderr.text.clone(),
            stdout_truncated: report.stdout.truncated,
            stderr_truncated: report.stderr.truncated,
            stack_dump: report.stack_dump.clone(),
            details: json::to_python(py, &report.details)?.unbind(),
            warnings: report.warnings.clone(),
            text: report.render_text(),
            ok: report.status == Status::Ok,
            json: value,
        })
    }
}

/// Runs the plugin at `path` (a file or a folder) under its platform's production limits and
/// returns the report. Options are the ones of `plugsmith run`; the JSON inputs (`label`,
/// `payload`, `responses`, `resource`, `records`, `body`, `input`, `config`) take a path to a
/// file or the value itself (a dict or list, written to a temporary JSON file). The interpreter
/// is `python`, else `$PLUGSMITH_PYTHON`, else this one (`sys.executable`).
///
/// Raises `RunnerError` (report in its `report` attribute) when the runner could not run the
/// plugin; a plugin that fails, times out or runs out of memory is a report, not an exception.
/// Ctrl-C (KeyboardInterrupt) stops the run: the plugin and everything it started are killed,
/// then the KeyboardInterrupt propagates with the `cancelled` report in its `report` attribute.
#[pyfunction]
#[pyo3(signature = (
    path, *, platform=None, event=None, label=None, asset_id=None, project_id=None,
    payload=None, responses=None, resource=None, records=None, body=None, user=None,
    target=None, workflow=None, input=None, config=None, memory=None, timeout=None,
    soft_timeout=None, python=None, no_install=false, installer=None, cache_dir=None,
    limits_backend=None, max_output=None
))]
#[allow(clippy::too_many_arguments)]
pub fn run(
    py: Python<'_>,
    path: PathBuf,
    platform: Option<&str>,
    event: Option<String>,
    label: Option<&Bound<'_, PyAny>>,
    asset_id: Option<String>,
    project_id: Option<String>,
    payload: Option<&Bound<'_, PyAny>>,
    responses: Option<&Bound<'_, PyAny>>,
    resource: Option<&Bound<'_, PyAny>>,
    records: Option<&Bound<'_, PyAny>>,
    body: Option<&Bound<'_, PyAny>>,
    user: Option<String>,
    target: Option<String>,
    workflow: Option<PathBuf>,
    input: Option<&Bound<'_, PyAny>>,
    config: Option<&Bound<'_, PyAny>>,
    memory: Option<&Bound<'_, PyAny>>,
    timeout: Option<&Bound<'_, PyAny>>,
    soft_timeout: Option<&Bound<'_, PyAny>>,
    python: Option<PathBuf>,
    no_install: bool,
    installer: Option<&str>,
    cache_dir: Option<PathBuf>,
    limits_backend: Option<&str>,
    max_output: Option<usize>,
) -> PyResult<RunReport> {
    let mut args = RunArgs::new(path);
    args.output_format = OutputFormat::Json;
    args.platform = platform
        .map(|name| value_enum::<Platform>(name, "platform"))
        .transpose()?;
    args.event = event;
    args.asset_id = asset_id;
    args.project_id = project_id;
    if let Some(user) = user {
        args.user = user;
    }
    args.target = target;
    args.workflow = workflow;
    // Temporary JSON files live until the run is over.
    let mut inputs = Inputs::default();
    args.label = inputs.file(label, "label")?;
    args.payload = inputs.file(payload, "payload")?;
    args.responses = inputs.file(responses, "responses")?;
    args.resource = inputs.file(resource, "resource")?;
    args.records = inputs.file(records, "records")?;
    args.body = inputs.file(body, "body")?;
    args.input = inputs.file(input, "input")?;
    args.config = inputs.file(config, "config")?;
    args.memory = memory.map(|v| limit(v, "memory", "")).transpose()?;
    args.timeout = timeout.map(|v| limit(v, "timeout", "s")).transpose()?;
    args.soft_timeout = soft_timeout
        .map(|v| limit(v, "soft_timeout", "s"))
        .transpose()?;
    args.python = match python {
        Some(python) => Some(python),
        None if std::env::var_os("PLUGSMITH_PYTHON").is_some() => None,
        None => py
            .import("sys")?
            .getattr("executable")?
            .extract::<Option<String>>()?
            .filter(|executable| !executable.is_empty())
            .map(PathBuf::from),
    };
    args.no_install = no_install;
    if let Some(installer) = installer {
        args.installer = value_enum::<Installer>(installer, "installer")?;
    }
    args.cache_dir = cache_dir;
    if let Some(backend) = limits_backend {
        args.limits_backend = value_enum::<BackendPref>(backend, "limits_backend")?;
    }
    if let Some(max_output) = max_output {
        args.max_output = max_output;
    }

    let report = run_interruptible(py, args);
    drop(inputs);
    let report = match report {
        Ok(report) => RunReport::new(py, &report)?,
        Err((interrupt, report)) => {
            // The interrupt propagates; the cancelled run's report rides along on it.
            if let Some(report) = report
                && let Ok(report) = RunReport::new(py, &report)
            {
                let _ = interrupt.value(py).setattr("report", report);
            }
            return Err(interrupt);
        }
    };
    if report.status == Status::RunnerError.as_str() {
        let error = RunnerError::new_err(if report.message.is_empty() {
            "the runner could not run the plugin".to_string()
        } else {
            report.message.clone()
        });
        error.value(py).setattr("report", report)?;
        return Err(error);
    }
    Ok(report)
}

/// How often the thread waiting for a run looks for Python signals (Ctrl-C).
const SIGNAL_POLL: Duration = Duration::from_millis(100);

/// Runs in a helper thread while the calling thread waits detached from the interpreter in
/// [`SIGNAL_POLL`] slices, attached between them only to run Python's signal handlers
/// (`check_signals`). When a handler raises (KeyboardInterrupt on Ctrl-C), the run is
/// cancelled (the plugin's whole process tree killed, as on a timeout), waited for, and the
/// exception is returned with the cancelled run's report.
fn run_interruptible(
    py: Python<'_>,
    args: RunArgs,
) -> Result<Report, (PyErr, Option<Box<Report>>)> {
    let cancel = CancelToken::new();
    let (tx, mut rx) = mpsc::channel::<Report>();
    let token = cancel.clone();
    let worker = std::thread::Builder::new()
        .name("plugsmith-run".into())
        .spawn(move || {
            let _ = tx.send(plugsmith_runner::run_with_cancel(&args, &token));
        })
        .map_err(|error| {
            (
                RunnerError::new_err(format!("cannot start the run's thread: {error}")),
                None,
            )
        })?;
    loop {
        let (back, received) = py.detach(move || {
            let received = rx.recv_timeout(SIGNAL_POLL);
            (rx, received)
        });
        rx = back;
        match received {
            Ok(report) => {
                let _ = py.detach(move || worker.join());
                return Ok(report);
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let _ = py.detach(move || worker.join());
                return Err((
                    RunnerError::new_err("the runner stopped without a report (a plugsmith bug)"),
                    None,
                ));
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        if let Err(interrupt) = py.check_signals() {
            cancel.cancel();
            let report = py.detach(move || {
                let report = rx.recv().ok().map(Box::new);
                let _ = worker.join();
                report
            });
            return Err((interrupt, report));
        }
    }
}

/// A clap value (`kili`, `cgroup-v2`, ...), case-insensitive, or a `ValueError` listing them.
fn value_enum<T: ValueEnum>(text: &str, what: &str) -> PyResult<T> {
    T::from_str(text.trim(), true).map_err(|_| {
        let names: Vec<String> = T::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_string()))
            .collect();
        PyValueError::new_err(format!(
            "invalid {what} {text:?} (expected one of: {})",
            names.join(", ")
        ))
    })
}

/// A limit as the runner parses it: a string (`"512MiB"`, `"60s"`, `"none"`) or a number
/// (bytes for memory, seconds for durations).
fn limit(value: &Bound<'_, PyAny>, what: &str, unit: &str) -> PyResult<String> {
    if value.is_instance_of::<PyBool>() {
        return Err(PyTypeError::new_err(format!(
            "{what} takes a str or a number, not a bool"
        )));
    }
    if value.is_instance_of::<PyString>() {
        let text: String = value.extract()?;
        return Ok(text);
    }
    if value.is_instance_of::<PyInt>() {
        let number: i128 = value.extract()?;
        if number <= 0 {
            return Err(PyValueError::new_err(format!(
                "{what} must be positive (use \"none\" for no limit)"
            )));
        }
        return Ok(format!("{number}{unit}"));
    }
    if value.is_instance_of::<PyFloat>() {
        let number: f64 = value.extract()?;
        if !number.is_finite() || number <= 0.0 {
            return Err(PyValueError::new_err(format!(
                "{what} must be a positive finite number (use \"none\" for no limit)"
            )));
        }
        return Ok(format!("{number}{unit}"));
    }
    Err(PyTypeError::new_err(format!(
        "{what} takes a str (e.g. \"512MiB\", \"60s\", \"none\") or a number"
    )))
}

/// JSON inputs given as values, written to temporary files for the runner.
#[derive(Default)]
struct Inputs {
    files: Vec<tempfile::NamedTempFile>,
}

impl Inputs {
    /// A path (`str` or `os.PathLike`) as it is; any other value as a temporary JSON file.
    fn file(&mut self, value: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Option<PathBuf>> {
        let Some(value) = value else {
            return Ok(None);
        };
        if value.is_instance_of::<PyString>() || value.hasattr("__fspath__")? {
            return Ok(Some(value.extract()?));
        }
        let text = json::dumps(value).map_err(|error| {
            PyTypeError::new_err(format!(
                "{what} takes a path or a JSON-serialisable value: {error}"
            ))
        })?;
        let mut file = tempfile::Builder::new()
            .prefix(&format!("plugsmith-{what}-"))
            .suffix(".json")
            .tempfile()
            .map_err(|error| {
                RunnerError::new_err(format!("cannot write a temporary {what} file: {error}"))
            })?;
        std::io::Write::write_all(&mut file, text.as_bytes()).map_err(|error| {
            RunnerError::new_err(format!("cannot write a temporary {what} file: {error}"))
        })?;
        let path = file.path().to_path_buf();
        self.files.push(file);
        Ok(Some(path))
    }
}
