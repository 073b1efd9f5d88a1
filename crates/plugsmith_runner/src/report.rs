//! The run report: serde-serialised for `--output-format json`, rendered for text.

use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    HandlerError,
    Timeout,
    MemoryLimitExceeded,
    Crashed,
    RunnerError,
    /// Stopped from outside through a [`crate::CancelToken`] (editor request cancelled,
    /// Ctrl-C in the Python SDK).
    Cancelled,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::HandlerError => "handler_error",
            Status::Timeout => "timeout",
            Status::MemoryLimitExceeded => "memory_limit_exceeded",
            Status::Crashed => "crashed",
            Status::RunnerError => "runner_error",
            Status::Cancelled => "cancelled",
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Durations {
    /// Spawn to result (or to the kill), milliseconds.
    pub total_ms: f64,
    /// Spawn until the harness started (interpreter start-up).
    pub startup_ms: Option<f64>,
    /// Importing the plugin and constructing its handler object.
    pub import_ms: Option<f64>,
    /// The handler call itself.
    pub call_ms: Option<f64>,
    /// Building the requirements environment (outside the limits).
    pub install_ms: Option<f64>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Limits {
    pub timeout_s: Option<f64>,
    pub soft_timeout_s: Option<f64>,
    /// Where the defaults come from (e.g. "Kili production: 512 MB, 60 s per handler call").
    pub profile: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Memory {
    pub limit_bytes: Option<u64>,
    /// Peak of the run's fresh cgroup (whole tree), or the polled tree RSS peak.
    pub peak_bytes: Option<u64>,
    /// `ru_maxrss` of the main process (secondary figure).
    pub peak_rss_main_bytes: Option<u64>,
    pub oom_kills: u64,
    /// How the limit was enforced (`cgroup-v2`, `cgroup-v1`, `rlimit`).
    pub backend: String,
    pub enforcement: String,
    /// True when the figures come from polling rather than the kernel.
    pub approximate: bool,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Exit {
    pub code: Option<i32>,
    pub signal: Option<i32>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Output {
    pub text: String,
    pub bytes: u64,
    pub truncated: bool,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct LogLine {
    pub level: String,
    pub logger: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Frame {
    pub file: String,
    pub line: Option<u64>,
    pub function: String,
    pub code: Option<String>,
    pub in_plugin: bool,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ExceptionInfo {
    #[serde(rename = "type")]
    pub type_name: String,
    pub module: String,
    pub message: String,
    pub traceback: String,
    pub frames: Vec<Frame>,
    /// The innermost frame in the plugin's own files.
    pub location: Option<Frame>,
    /// `import` (loading the plugin, constructing the handler) or `call`.
    pub phase: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Processes {
    /// Processes the plugin left running after the main process ended (killed by the runner).
    pub orphans_killed: usize,
    /// Processes found alive after the final kill: always expected empty.
    pub survivors: Vec<i32>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Environment {
    pub python: String,
    pub python_version: Option<String>,
    /// The cached requirements environment, when one is used.
    pub venv: Option<String>,
    /// True when the environment was reused from the cache.
    pub venv_cached: Option<bool>,
    pub installer: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub status: Status,
    /// In production's words where it has them (`Task timed out after 60.00 seconds`).
    pub message: String,
    pub platform: String,
    pub plugin: String,
    /// The event or entry that was run.
    pub entry: String,
    /// The method or function called.
    pub handler: Option<String>,
    pub durations: Durations,
    pub limits: Limits,
    pub memory: Memory,
    pub exit: Exit,
    pub return_value: Option<Value>,
    pub exception: Option<ExceptionInfo>,
    /// Calls recorded on the fake platform client, in order.
    pub calls: Vec<Value>,
    pub calls_truncated: bool,
    pub logs: Vec<LogLine>,
    pub logs_truncated: bool,
    pub stdout: Output,
    pub stderr: Output,
    /// Where the plugin was when it was stopped (faulthandler dump), for timeouts and crashes.
    pub stack_dump: Option<String>,
    pub processes: Processes,
    pub environment: Environment,
    /// Platform-specific details (e.g. Panoptes result type, ArchiHub record updates).
    pub details: Value,
    pub warnings: Vec<String>,
}

impl Report {
    pub fn new(platform: &str, plugin: &str) -> Report {
        Report {
            status: Status::RunnerError,
            message: String::new(),
            platform: platform.to_string(),
            plugin: plugin.to_string(),
            entry: String::new(),
            handler: None,
            durations: Durations::default(),
            limits: Limits::default(),
            memory: Memory::default(),
            exit: Exit::default(),
            return_value: None,
            exception: None,
            calls: Vec::new(),
            calls_truncated: false,
            logs: Vec::new(),
            logs_truncated: false,
            stdout: Output::default(),
            stderr: Output::default(),
            stack_dump: None,
            processes: Processes::default(),
            environment: Environment::default(),
            details: Value::Null,
            warnings: Vec::new(),
        }
    }

    pub fn runner_error(platform: &str, plugin: &str, message: impl Into<String>) -> Report {
        let mut r = Report::new(platform, plugin);
        r.message = message.into();
        r
    }

    /// Process exit code of `plugsmith run`: 0 for ok, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        u8::from(self.status != Status::Ok)
    }

    /// The Lambda-style one-line summary that ends the text output.
    pub fn report_line(&self) -> String {
        let mb = |b: u64| format!("{} MB", b.div_ceil(1024 * 1024));
        let mut s = format!(
            "REPORT Plugin: {} Platform: {} Entry: {} Status: {} Duration: {:.2} ms",
            self.plugin,
            self.platform,
            if self.entry.is_empty() {
                "-"
            } else {
                &self.entry
            },
            self.status.as_str(),
            self.durations.total_ms
        );
        match self.limits.timeout_s {
            Some(t) => s.push_str(&format!(" Timeout: {t:.2} s")),
            None => s.push_str(" Timeout: none"),
        }
        match self.memory.limit_bytes {
            Some(l) => s.push_str(&format!(" Memory Size: {}", mb(l))),
            None => s.push_str(" Memory Size: unlimited"),
        }
        match self.memory.peak_bytes {
            Some(p) => s.push_str(&format!(
                " Max Memory Used: {}{}",
                if self.memory.approximate { "~" } else { "" },
                mb(p)
            )),
            None => s.push_str(" Max Memory Used: n/a"),
        }
        if self.memory.oom_kills > 0 {
            s.push_str(&format!(" (OOM kills: {})", self.memory.oom_kills));
        }
        if !self.memory.backend.is_empty() {
            s.push_str(&format!(" Enforcement: {}", self.memory.backend));
        }
        s
    }

    /// Human-readable rendering; the last line is the REPORT line.
    pub fn render_text(&self) -> String {
        let mut o = String::new();
        self.text_summary(&mut o);
        self.text_calls(&mut o);
        self.text_logs(&mut o);
        for (name, out) in [("stdout", &self.stdout), ("stderr", &self.stderr)] {
            text_output(&mut o, name, out);
        }
        if let Some(v) = &self.return_value
            && !v.is_null()
        {
            o.push_str(&format!("\nreturned: {v}\n"));
        }
        if let Some(e) = &self.exception {
            text_exception(&mut o, e);
        }
        if let Some(s) = &self.stack_dump {
            o.push_str("\nstack when stopped:\n");
            for line in s.lines() {
                o.push_str(&format!("  {line}\n"));
            }
        }
        self.text_details(&mut o);
        self.text_processes(&mut o);
        for w in &self.warnings {
            o.push_str(&format!("warning: {w}\n"));
        }
        o.push('\n');
        o.push_str(&self.report_line());
        o.push('\n');
        o
    }

    /// The head of the text report: what ran, its status, durations, memory, limits, python.
    fn text_summary(&self, o: &mut String) {
        o.push_str(&format!(
            "plugsmith run: {} ({}) {}\n",
            self.plugin, self.platform, self.entry
        ));
        if let Some(h) = &self.handler {
            o.push_str(&format!("handler: {h}\n"));
        }
        o.push_str(&format!("status: {}\n", self.status.as_str()));
        if !self.message.is_empty() {
            o.push_str(&format!("message: {}\n", self.message));
        }
        o.push_str(&self.text_durations());
        o.push_str(&self.text_memory());
        if !self.limits.profile.is_empty() {
            o.push_str(&format!("limits: {}\n", self.limits.profile));
        }
        o.push_str(&self.text_python());
    }

    /// The `durations:` line.
    fn text_durations(&self) -> String {
        let ms = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.1} ms"));
        format!(
            "durations: start-up {}, import {}, call {}, total {:.1} ms{}\n",
            ms(self.durations.startup_ms),
            ms(self.durations.import_ms),
            ms(self.durations.call_ms),
            self.durations.total_ms,
            self.durations.install_ms.map_or(String::new(), |v| format!(
                " (environment build {v:.0} ms, outside the limits)"
            ))
        )
    }

    /// The `memory:` line.
    fn text_memory(&self) -> String {
        format!(
            "memory: limit {}, peak {}{}, enforced by {}\n",
            self.memory
                .limit_bytes
                .map_or("none".to_string(), crate::units::fmt_bytes),
            if self.memory.approximate { "~" } else { "" },
            self.memory
                .peak_bytes
                .map_or("n/a".to_string(), crate::units::fmt_bytes),
            self.memory.enforcement
        )
    }

    /// The `python:` line: interpreter, version, and the requirements environment if any.
    fn text_python(&self) -> String {
        let env = &self.environment;
        let venv = env.venv.as_ref().map_or(String::new(), |v| {
            let how = if env.venv_cached == Some(true) {
                "cached"
            } else {
                "built"
            };
            format!(", environment {v} ({how})")
        });
        let version = (env.python_version.as_ref()).map_or(String::new(), |v| format!(" ({v})"));
        format!("python: {}{version}{venv}\n", env.python)
    }

    /// The recorded client calls, one `method(args, key=value)` per line.
    fn text_calls(&self, o: &mut String) {
        if self.calls.is_empty() {
            return;
        }
        o.push_str(&format!(
            "\nclient calls ({}{}):\n",
            self.calls.len(),
            if self.calls_truncated {
                ", truncated"
            } else {
                ""
            }
        ));
        for c in &self.calls {
            let m = c.get("method").and_then(Value::as_str).unwrap_or("?");
            let args = c.get("args").cloned().unwrap_or(Value::Null);
            let kwargs = c.get("kwargs").cloned().unwrap_or(Value::Null);
            let mut parts: Vec<String> = Vec::new();
            if let Value::Array(a) = &args {
                parts.extend(a.iter().map(|v| v.to_string()));
            }
            if let Value::Object(k) = &kwargs {
                parts.extend(k.iter().map(|(k, v)| format!("{k}={v}")));
            }
            o.push_str(&format!("  {m}({})\n", parts.join(", ")));
        }
    }

    /// The captured log records.
    fn text_logs(&self, o: &mut String) {
        if self.logs.is_empty() {
            return;
        }
        o.push_str(&format!(
            "\nlogs ({}{}):\n",
            self.logs.len(),
            if self.logs_truncated {
                ", truncated"
            } else {
                ""
            }
        ));
        for l in &self.logs {
            o.push_str(&format!("  {} {}: {}\n", l.level, l.logger, l.message));
        }
    }

    /// The platform details as JSON, cut at about 2000 bytes.
    fn text_details(&self, o: &mut String) {
        if self.details.is_null() {
            return;
        }
        let mut d = self.details.to_string();
        if d.len() > 2000 {
            let cut = (0..=2000)
                .rev()
                .find(|&i| d.is_char_boundary(i))
                .unwrap_or(0);
            d.truncate(cut);
            d.push_str("... (see --output-format json)");
        }
        o.push_str(&format!("\ndetails: {d}\n"));
    }

    /// Orphans the runner killed and processes that survived the run.
    fn text_processes(&self, o: &mut String) {
        if self.processes.orphans_killed > 0 {
            o.push_str(&format!(
                "\nprocesses left running after the handler ended, killed: {}\n",
                self.processes.orphans_killed
            ));
        }
        if !self.processes.survivors.is_empty() {
            o.push_str(&format!(
                "processes that survived the run: {:?}\n",
                self.processes.survivors
            ));
        }
    }
}

/// One captured stream, each line prefixed with `  | `; nothing when it is empty.
fn text_output(o: &mut String, name: &str, out: &Output) {
    if out.text.is_empty() {
        return;
    }
    o.push_str(&format!(
        "\n{name} ({} bytes{}):\n",
        out.bytes,
        if out.truncated { ", truncated" } else { "" }
    ));
    for line in out.text.lines() {
        o.push_str(&format!("  | {line}\n"));
    }
}

/// The exception: phase, type and message, where it was raised, and the traceback.
fn text_exception(o: &mut String, e: &ExceptionInfo) {
    o.push_str(&format!(
        "\nexception ({}): {}: {}\n",
        e.phase, e.type_name, e.message
    ));
    if let Some(l) = &e.location {
        o.push_str(&format!(
            "  at {}:{} in {}\n",
            l.file,
            l.line.unwrap_or(0),
            l.function
        ));
    }
    for line in e.traceback.lines() {
        o.push_str(&format!("  {line}\n"));
    }
}
