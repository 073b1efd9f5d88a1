//! plugsmith_runner: runs a plugin on the author's machine as production would, under the same
//! limits, with a fake platform client that records what the plugin does, and reports it.
//!
//! This is the only part of plugsmith that executes plugin code, and it does so only when
//! asked (`plugsmith run`).
//!
//! # Entry points
//! * [`RunArgs`]: the `clap::Args` of `plugsmith run PATH [...]`; flatten or use it as the
//!   subcommand's arguments.
//! * [`run_command`]`(args) -> ExitCode`: runs and prints the report (text or JSON) on stdout;
//!   exit code 0 when the status is `ok`, 1 otherwise. This is what the binary wires to
//!   `plugsmith run`.
//! * [`run`]`(&RunArgs) -> Report`: the same without printing (editor commands, tests).
//! * [`run_with_cancel`]`(&RunArgs, &CancelToken) -> Report`: a run that can be stopped from
//!   another thread ([`CancelToken::cancel`]); a cancelled run is stopped as a timed-out one
//!   (stack dump, whole tree killed) and reported with status `cancelled`.
//!
//! # How a run works
//! 1. Platform detection by `plugsmith check`'s own detection ([`detect::detect`]; `--platform`
//!    overrides), production limits per platform
//!    ([`profile`]): Kili 512 MiB / 60 s per handler call, Panoptes 1.25 × execute_frequency,
//!    ArchiHub Celery 43,200 s hard / 43,000 s soft, Supervisely and Flowdapt none.
//! 2. Requirements: a venv per plugin keyed by hash (see [`env`]), outside the limits, built
//!    by uv when found, else venv + pip (`--installer auto|uv|pip`).
//! 3. A Python harness per platform (shipped in the binary with `include_str!`) runs in the
//!    plugin's own interpreter (`python -I -u`), with results on a private pipe (fd 3), never
//!    stdout. It is written once to a content-addressed folder of the cache
//!    (`<cache>/harness/<sha256>/`) so its bytecode is reused; the per-run spec and the stack
//!    dump file live in a temp dir (when the cache is not writable the harness goes there too).
//! 4. Limits: a fresh cgroup per run ([`limits`]), a wall-clock deadline with a faulthandler
//!    stack dump before the kill, whole-tree kill (cgroup kill, process group, parent-death
//!    signal).
//! 5. A [`report::Report`]; its text form ends with a one-line `REPORT`.
//!
//! Bundled sample inputs are in `samples/` (see `samples/README.md`); they are compiled in, so
//! a first run needs no input file.

pub mod detect;
pub mod env;
pub mod exec;
pub mod limits;
pub mod report;
pub mod units;

use detect::Platform;
pub use exec::CancelToken;
use limits::{BackendPref, Sandbox};
use report::{ExceptionInfo, Frame, LogLine, Output, Report, Status};
use serde_json::{Value, json};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;
use units::Limit;

const HARNESS_COMMON: &str = include_str!("harness/common.py");
const HARNESS_KILI: &str = include_str!("harness/kili.py");
const HARNESS_PANOPTES: &str = include_str!("harness/panoptes.py");
const HARNESS_ARCHIHUB: &str = include_str!("harness/archihub.py");
const HARNESS_FLOWDAPT: &str = include_str!("harness/flowdapt.py");
const HARNESS_SUPERVISELY: &str = include_str!("harness/supervisely.py");
/// The `kili_events` catalog the Kili harness uses (`models`: class name → `subject`,
/// `families`: class name → `pattern`), e.g. for an editor to pick an event subject.
pub const KILI_EVENTS: &str = include_str!("harness/kili_events.json");

/// Bundled sample inputs (also on disk under `samples/`).
pub mod samples {
    pub const KILI_LABEL: &str = include_str!("../samples/kili/label.json");
    pub const KILI_EVENT_PAYLOAD: &str = include_str!("../samples/kili/event-payload.json");
    pub const PANOPTES_RESOURCE: &str = include_str!("../samples/panoptes/resource.json");
    pub const ARCHIHUB_BODY: &str = include_str!("../samples/archihub/body.json");
    pub const ARCHIHUB_RECORDS: &str = include_str!("../samples/archihub/records.json");
    pub const FLOWDAPT_INPUT: &str = include_str!("../samples/flowdapt/input.json");
    pub const SUPERVISELY_CONFIG: &str = include_str!("../samples/supervisely/task_config.json");
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

/// `plugsmith run PATH [...]`: execute a plugin under its platform's production limits.
#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// The plugin: a file or a folder.
    pub path: PathBuf,
    /// Platform (default: what `plugsmith check` detects the plugin as).
    #[arg(long, value_enum)]
    pub platform: Option<Platform>,
    /// What to run. Kili: submit, review, custom_interface_click, send_back_to_queue or an
    /// event subject such as asset.skipped (delivered to @on_kili_event methods). ArchiHub: the
    /// task (default bulk). Supervisely: main, train or inference. Flowdapt: a stage name.
    #[arg(long)]
    pub event: Option<String>,
    /// Kili: the label JSON passed to the handler (default: bundled sample).
    #[arg(long, value_name = "FILE")]
    pub label: Option<PathBuf>,
    /// Kili: the asset id passed to the handler.
    #[arg(long, value_name = "ID")]
    pub asset_id: Option<String>,
    /// Kili: the project id given to PluginHandler.
    #[arg(long, value_name = "ID")]
    pub project_id: Option<String>,
    /// Kili: the event payload (or whole event envelope) for an event subject.
    #[arg(long, value_name = "FILE")]
    pub payload: Option<PathBuf>,
    /// Kili: canned client responses, {"method": value | {"__sequence__": [...]} | {"__raise__": "msg"}}.
    #[arg(long, value_name = "FILE")]
    pub responses: Option<PathBuf>,
    /// Panoptes: the resource (context.data) as JSON.
    #[arg(long, value_name = "FILE")]
    pub resource: Option<PathBuf>,
    /// ArchiHub: records seeding the in-memory database, {"collection": [documents]}.
    #[arg(long, value_name = "FILE")]
    pub records: Option<PathBuf>,
    /// ArchiHub: the request body given to the task.
    #[arg(long, value_name = "FILE")]
    pub body: Option<PathBuf>,
    /// ArchiHub: the user given to the task.
    #[arg(long, value_name = "NAME", default_value = "admin")]
    pub user: String,
    /// Flowdapt: a single target `package.module.function` instead of a workflow's stages.
    #[arg(long, value_name = "TARGET")]
    pub target: Option<String>,
    /// Flowdapt: the workflow file (default: PATH when it is one, else the first in the folder).
    #[arg(long, value_name = "FILE")]
    pub workflow: Option<PathBuf>,
    /// Flowdapt: the workflow input (a JSON object).
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Supervisely: task_config.json; Flowdapt: config data exposed as get_run_context().config.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Memory limit, e.g. 512MiB, 1G, none (default: the platform's production limit).
    #[arg(long, value_name = "SIZE")]
    pub memory: Option<String>,
    /// Wall-clock limit, e.g. 60s, 500ms, none (default: the platform's production limit).
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<String>,
    /// Soft limit raising an exception in the plugin (Celery's soft_time_limit).
    #[arg(long, value_name = "DURATION")]
    pub soft_timeout: Option<String>,
    /// The Python interpreter (default: python3 on PATH, or $PLUGSMITH_PYTHON).
    #[arg(long, value_name = "PATH")]
    pub python: Option<PathBuf>,
    /// Do not build an environment from requirements.txt: run in the given interpreter.
    #[arg(long)]
    pub no_install: bool,
    /// What builds the requirements environment: uv when found (auto), uv, or venv + pip.
    #[arg(long, value_enum, default_value = "auto")]
    pub installer: env::Installer,
    #[arg(long, value_enum, default_value = "text")]
    pub output_format: OutputFormat,
    /// Cache for environments and interpreter probes (default ~/.cache/plugsmith).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// How limits are enforced (auto walks cgroup v2, cgroup v1, rlimit).
    #[arg(long, value_enum, default_value = "auto")]
    pub limits_backend: BackendPref,
    /// Bytes kept of stdout and of stderr each.
    #[arg(long, value_name = "BYTES", default_value_t = 256 * 1024)]
    pub max_output: usize,
}

impl RunArgs {
    /// Arguments for `path` with every option at its default.
    pub fn new(path: impl Into<PathBuf>) -> RunArgs {
        RunArgs {
            path: path.into(),
            platform: None,
            event: None,
            label: None,
            asset_id: None,
            project_id: None,
            payload: None,
            responses: None,
            resource: None,
            records: None,
            body: None,
            user: "admin".into(),
            target: None,
            workflow: None,
            input: None,
            config: None,
            memory: None,
            timeout: None,
            soft_timeout: None,
            python: None,
            no_install: false,
            installer: env::Installer::Auto,
            output_format: OutputFormat::Text,
            cache_dir: None,
            limits_backend: BackendPref::Auto,
            max_output: 256 * 1024,
        }
    }
}

/// Runs and prints the report on stdout. Exit code 0 when the status is `ok`, 1 otherwise.
pub fn run_command(args: RunArgs) -> ExitCode {
    let report = run(&args);
    let text = match args.output_format {
        OutputFormat::Json => {
            serde_json::to_string_pretty(&report)
                .unwrap_or_else(|e| format!("{{\"status\":\"runner_error\",\"message\":\"{e}\"}}"))
                + "\n"
        }
        OutputFormat::Text => report.render_text(),
    };
    use std::io::Write;
    let _ = std::io::stdout().write_all(text.as_bytes());
    ExitCode::from(report.exit_code())
}

/// Production limits of a platform.
#[derive(Debug, Clone)]
pub struct Profile {
    pub memory: Option<u64>,
    pub timeout: Option<Duration>,
    pub soft_timeout: Option<Duration>,
    pub description: String,
}

/// The default limits of `platform` for the plugin at `path`.
pub fn profile(platform: Platform, path: &Path, warnings: &mut Vec<String>) -> Profile {
    match platform {
        Platform::Kili => Profile {
            memory: Some(512 << 20),
            timeout: Some(Duration::from_secs(60)),
            soft_timeout: None,
            description: "Kili production: 512 MB RAM, 60 s per handler call".into(),
        },
        Platform::Panoptes => {
            let info = if path.is_dir() {
                detect::panoptes_info_file(path)
            } else {
                Some(path.to_path_buf())
            };
            let freq = info.as_deref().and_then(detect::panoptes_execute_frequency);
            match freq {
                Some(f) if f > 0 => Profile {
                    memory: None,
                    timeout: Some(Duration::from_secs_f64((f as f64 * 1.25).round())),
                    soft_timeout: None,
                    description: format!(
                        "Panoptes: Celery time_limit = round(1.25 × execute_frequency {f} s), no memory cap"
                    ),
                },
                _ => {
                    warnings.push(
                        "[main] execute_frequency is missing, not an integer or <= 0: Panoptes' \
                         schedulers would skip this plugin (\"invalid execution frequency\"); \
                         running without a time limit"
                            .into(),
                    );
                    Profile {
                        memory: None,
                        timeout: None,
                        soft_timeout: None,
                        description: "Panoptes: no valid execute_frequency, no limits".into(),
                    }
                }
            }
        }
        Platform::ArchiHub => Profile {
            memory: None,
            timeout: Some(Duration::from_secs(43_200)),
            soft_timeout: Some(Duration::from_secs(43_000)),
            description: "ArchiHub Celery: task_time_limit 43,200 s, task_soft_time_limit 43,000 s, no memory cap".into(),
        },
        Platform::Supervisely => Profile {
            memory: None,
            timeout: None,
            soft_timeout: None,
            description: "Supervisely: agent MEM_LIMIT unset by default, no time limit".into(),
        },
        Platform::Flowdapt => Profile {
            memory: None,
            timeout: None,
            soft_timeout: None,
            description: "Flowdapt: no per-stage time or memory limit (resources are scheduling labels)".into(),
        },
    }
}

fn read_json(path: &Path, what: &str) -> Result<Value, String> {
    let t = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {what} {}: {e}", path.display()))?;
    serde_json::from_str(&t)
        .map_err(|e| format!("{what} {} is not valid JSON: {e}", path.display()))
}

fn json_or_sample(path: &Option<PathBuf>, what: &str, sample: &str) -> Result<Value, String> {
    match path {
        Some(p) => read_json(p, what),
        None => Ok(serde_json::from_str(sample).unwrap_or(Value::Null)),
    }
}

fn yaml_to_json(y: &saphyr::Yaml) -> Value {
    use saphyr::{Scalar, Yaml};
    match y {
        Yaml::Value(s) => match s {
            Scalar::Null => Value::Null,
            Scalar::Boolean(b) => json!(b),
            Scalar::Integer(i) => json!(i),
            Scalar::FloatingPoint(f) => json!(f.into_inner()),
            Scalar::String(s) => json!(s.as_ref()),
        },
        Yaml::Representation(s, _, _) => json!(s.as_ref()),
        Yaml::Sequence(v) => Value::Array(v.iter().map(yaml_to_json).collect()),
        Yaml::Mapping(m) => {
            let mut o = serde_json::Map::new();
            for (k, v) in m {
                let key = match yaml_to_json(k) {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                o.insert(key, yaml_to_json(v));
            }
            Value::Object(o)
        }
        Yaml::Tagged(_, inner) => yaml_to_json(inner),
        _ => Value::Null,
    }
}

/// Reads a Flowdapt resource file (YAML or JSON).
pub fn read_workflow(path: &Path) -> Result<Value, String> {
    use saphyr::LoadableYamlNode;
    let t = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read workflow {}: {e}", path.display()))?;
    let docs = saphyr::Yaml::load_from_str(&t)
        .map_err(|e| format!("workflow {} is not valid YAML: {e}", path.display()))?;
    let doc = docs.first().map(yaml_to_json).unwrap_or(Value::Null);
    if doc.get("kind").and_then(Value::as_str) != Some("workflow") {
        return Err(format!(
            "{} is not a Flowdapt workflow (kind: workflow)",
            path.display()
        ));
    }
    Ok(doc)
}

fn opt_limit<T: Copy>(
    given: &Option<String>,
    parse: fn(&str) -> Result<Limit<T>, String>,
    default: Option<T>,
) -> Result<Option<T>, String> {
    match given {
        None => Ok(default),
        Some(s) => Ok(match parse(s)? {
            Limit::Default => default,
            Limit::Unlimited => None,
            Limit::Value(v) => Some(v),
        }),
    }
}

fn plugin_name(path: &Path) -> String {
    let p = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if (name == "main.py" || name == "__init__.py")
        && let Some(parent) = p.parent().and_then(|d| d.file_name())
    {
        return parent.to_string_lossy().into_owned();
    }
    name
}

/// Go's `exec.ExitError` wording, which Lambda keeps ("signal: killed").
fn signal_name(sig: i32) -> String {
    match sig {
        libc::SIGKILL => "killed".into(),
        libc::SIGSEGV => "segmentation fault".into(),
        libc::SIGABRT => "aborted".into(),
        libc::SIGBUS => "bus error".into(),
        libc::SIGFPE => "floating point exception".into(),
        libc::SIGILL => "illegal instruction".into(),
        libc::SIGTERM => "terminated".into(),
        libc::SIGINT => "interrupt".into(),
        s => format!("signal {s}"),
    }
}

struct Prepared {
    platform: Platform,
    root: PathBuf,
    cwd: PathBuf,
    spec: serde_json::Map<String, Value>,
    harness: &'static str,
    entry: String,
    env: Vec<(String, String)>,
    hard_requirements: Option<PathBuf>,
}

/// Builds the run spec of the platform's harness: what to call, with which inputs, from
/// which folder, and whether a `requirements.txt` needs an environment.
fn prepare(args: &RunArgs, platform: Platform, path: &Path) -> Result<Prepared, String> {
    let dir = if path.is_dir() {
        path.to_path_buf()
    } else {
        path.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let mut prep = Prepared {
        platform,
        root: dir.clone(),
        cwd: dir,
        spec: serde_json::Map::new(),
        harness: "",
        entry: args.event.clone().unwrap_or_default(),
        env: Vec::new(),
        hard_requirements: None,
    };
    prep.spec.insert("plugin_path".into(), json!(path));
    prep.harness = match platform {
        Platform::Kili => prepare_kili(args, path, &mut prep)?,
        Platform::Panoptes => prepare_panoptes(args, path, &mut prep)?,
        Platform::ArchiHub => prepare_archihub(args, &mut prep)?,
        Platform::Flowdapt => prepare_flowdapt(args, path, &mut prep)?,
        Platform::Supervisely => prepare_supervisely(args, &mut prep)?,
    };
    prep.spec.insert("plugin_root".into(), json!(prep.root));
    let req = prep.root.join("requirements.txt");
    prep.hard_requirements = req.is_file().then_some(req);
    Ok(prep)
}

/// Kili: the label, the event payload (a sample one for dotted event names), recorded responses.
fn prepare_kili(args: &RunArgs, path: &Path, prep: &mut Prepared) -> Result<&'static str, String> {
    if path.is_dir() && !path.join("main.py").is_file() {
        return Err(format!(
            "{} has no main.py (a Kili folder plugin needs one)",
            path.display()
        ));
    }
    let spec = &mut prep.spec;
    spec.insert(
        "label".into(),
        json_or_sample(&args.label, "label", samples::KILI_LABEL)?,
    );
    let payload = match &args.payload {
        Some(p) => read_json(p, "payload")?,
        None if args.event.as_deref().is_some_and(|e| e.contains('.')) => {
            serde_json::from_str(samples::KILI_EVENT_PAYLOAD).unwrap_or(Value::Null)
        }
        None => Value::Null,
    };
    spec.insert("payload".into(), payload);
    if let Some(r) = &args.responses {
        spec.insert("responses".into(), read_json(r, "responses")?);
    }
    spec.insert("asset_id".into(), json!(args.asset_id));
    spec.insert("project_id".into(), json!(args.project_id));
    spec.insert("event".into(), json!(args.event));
    spec.insert(
        "kili_events_catalog".into(),
        serde_json::from_str(KILI_EVENTS).unwrap_or(Value::Null),
    );
    Ok(HARNESS_KILI)
}

/// Panoptes: the `*.panoptes-plugin` info file and the resource; the entry defaults to `run`.
fn prepare_panoptes(
    args: &RunArgs,
    path: &Path,
    prep: &mut Prepared,
) -> Result<&'static str, String> {
    let info = if path.is_dir() {
        detect::panoptes_info_file(path)
            .ok_or_else(|| format!("{} has no *.panoptes-plugin info file", path.display()))?
    } else {
        path.to_path_buf()
    };
    prep.spec.insert("info_file".into(), json!(info));
    prep.spec.insert(
        "resource".into(),
        json_or_sample(&args.resource, "resource", samples::PANOPTES_RESOURCE)?,
    );
    if prep.entry.is_empty() {
        prep.entry = "run".into();
    }
    Ok(HARNESS_PANOPTES)
}

/// ArchiHub: a package folder run with records and a body; the task defaults to `bulk`.
fn prepare_archihub(args: &RunArgs, prep: &mut Prepared) -> Result<&'static str, String> {
    let pdir = prep.root.clone();
    if !pdir.join("__init__.py").is_file() {
        return Err(format!(
            "{} has no __init__.py (an ArchiHub plugin is a package folder)",
            pdir.display()
        ));
    }
    let spec = &mut prep.spec;
    spec.insert("plugin_dir".into(), json!(pdir));
    spec.insert(
        "records".into(),
        json_or_sample(&args.records, "records", samples::ARCHIHUB_RECORDS)?,
    );
    spec.insert(
        "body".into(),
        json_or_sample(&args.body, "body", samples::ARCHIHUB_BODY)?,
    );
    spec.insert("user".into(), json!(args.user));
    if prep.entry.is_empty() {
        prep.entry = "bulk".into();
    }
    spec.insert("task".into(), json!(prep.entry));
    prep.cwd = pdir;
    Ok(HARNESS_ARCHIHUB)
}

/// Flowdapt: a `--target` function, or a workflow file (given, the plugin itself, or the
/// first found) run whole or, with an entry, one stage of it.
fn prepare_flowdapt(
    args: &RunArgs,
    path: &Path,
    prep: &mut Prepared,
) -> Result<&'static str, String> {
    let workflow = match (&args.workflow, &args.target) {
        (Some(w), _) => Some(w.clone()),
        (None, Some(_)) => None,
        (None, None) if path.is_file() => Some(path.to_path_buf()),
        (None, None) => detect::workflow_files(path).next(),
    };
    let spec = &mut prep.spec;
    if let Some(t) = &args.target {
        spec.insert("target".into(), json!(t));
        prep.entry = t.clone();
    } else if let Some(w) = &workflow {
        let doc = read_workflow(w)?;
        if prep.entry.is_empty() {
            prep.entry = doc
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("workflow")
                .to_string();
        } else {
            spec.insert("only_stage".into(), json!(prep.entry));
        }
        spec.insert("workflow".into(), doc);
    } else {
        return Err(
            "no workflow file found: pass --workflow FILE or --target package.module.function"
                .into(),
        );
    }
    spec.insert(
        "input".into(),
        json_or_sample(&args.input, "input", samples::FLOWDAPT_INPUT)?,
    );
    if let Some(c) = &args.config {
        spec.insert("config".into(), read_json(c, "config")?);
    }
    Ok(HARNESS_FLOWDAPT)
}

/// Supervisely: `src/<mode>.py` (mode from the entry, else the first of main, train,
/// inference present) run from `src/` with the task config and the platform's environment.
fn prepare_supervisely(args: &RunArgs, prep: &mut Prepared) -> Result<&'static str, String> {
    let pdir = prep.root.clone();
    let mode = if prep.entry.is_empty() {
        ["main", "train", "inference"]
            .into_iter()
            .find(|m| pdir.join("src").join(format!("{m}.py")).is_file())
            .unwrap_or("main")
            .to_string()
    } else {
        prep.entry.clone()
    };
    let script = pdir.join("src").join(format!("{mode}.py"));
    if !script.is_file() {
        return Err(format!(
            "{} does not exist (Supervisely runs src/<mode>.py)",
            script.display()
        ));
    }
    prep.entry = mode;
    prep.spec.insert("script".into(), json!(script));
    prep.spec.insert(
        "config".into(),
        json_or_sample(&args.config, "task config", samples::SUPERVISELY_CONFIG)?,
    );
    prep.cwd = pdir.join("src");
    prep.env.push(("LOG_LEVEL".into(), "DEBUG".into()));
    prep.env.push(("LANG".into(), "C.UTF-8".into()));
    prep.env.push(("PYTHONUNBUFFERED".into(), "1".into()));
    Ok(HARNESS_SUPERVISELY)
}

/// Runs the plugin and returns the report (never panics on user input).
pub fn run(args: &RunArgs) -> Report {
    run_inner(args, None)
}

/// [`run`], stoppable from another thread through `cancel`: once cancelled, an environment
/// build in progress is stopped, a plugin not yet started is not started, and a running one
/// gets the timeout's treatment (stack dump, whole process tree killed); the report's status
/// is then `cancelled` ("Run cancelled"), with what the plugin did until then.
pub fn run_with_cancel(args: &RunArgs, cancel: &CancelToken) -> Report {
    run_inner(args, Some(cancel))
}

/// Marks `report` as cancelled.
fn set_cancelled(report: &mut Report) {
    report.status = Status::Cancelled;
    report.message = env::BUILD_CANCELLED.to_string();
}

fn run_inner(args: &RunArgs, cancel: Option<&CancelToken>) -> Report {
    let path = match std::fs::canonicalize(&args.path) {
        Ok(p) => p,
        Err(e) => {
            return Report::runner_error(
                "unknown",
                &args.path.display().to_string(),
                format!("{}: {e}", args.path.display()),
            );
        }
    };
    let name = plugin_name(&path);
    let platform = match args
        .platform
        .map(Ok)
        .unwrap_or_else(|| detect::detect(&path))
    {
        Ok(p) => p,
        Err(e) => return Report::runner_error("unknown", &name, e),
    };
    let mut report = Report::new(platform.name(), &name);
    let limits = match apply_limits(args, platform, &path, &mut report) {
        Ok(l) => l,
        Err(e) => return Report::runner_error(platform.name(), &name, e),
    };
    if let Err(why) = run_plugin(args, cancel, platform, &path, &limits, &mut report) {
        why.record(&mut report);
    }
    report
}

/// The limits of one run: the command line's, else the platform profile's.
struct RunLimits {
    memory: Option<u64>,
    timeout: Option<Duration>,
    soft_timeout: Option<Duration>,
}

/// Resolves the run's limits and records them (and the profile's warnings) in `report`.
fn apply_limits(
    args: &RunArgs,
    platform: Platform,
    path: &Path,
    report: &mut Report,
) -> Result<RunLimits, String> {
    let mut warnings = Vec::new();
    let prof = profile(platform, path, &mut warnings);
    let memory = opt_limit(&args.memory, units::parse_memory, prof.memory)?;
    let timeout = opt_limit(&args.timeout, units::parse_duration, prof.timeout)?;
    let soft_timeout = opt_limit(&args.soft_timeout, units::parse_duration, prof.soft_timeout)?;
    report.limits.timeout_s = timeout.map(|d| d.as_secs_f64());
    report.limits.soft_timeout_s = soft_timeout.map(|d| d.as_secs_f64());
    report.limits.profile = if args.memory.is_some() || args.timeout.is_some() {
        format!("{} (overridden on the command line)", prof.description)
    } else {
        prof.description.clone()
    };
    report.memory.limit_bytes = memory;
    report.warnings = warnings;
    Ok(RunLimits {
        memory,
        timeout,
        soft_timeout,
    })
}

/// Why a run ended before the plugin's outcome could be reported.
enum Stopped {
    /// A runner error, with its message.
    Failed(String),
    Cancelled,
}

impl Stopped {
    fn record(self, report: &mut Report) {
        match self {
            Stopped::Failed(message) => report.message = message,
            Stopped::Cancelled => set_cancelled(report),
        }
    }
}

fn check_cancel(cancel: Option<&CancelToken>) -> Result<(), Stopped> {
    match cancel.is_some_and(CancelToken::is_cancelled) {
        true => Err(Stopped::Cancelled),
        false => Ok(()),
    }
}

/// Prepares the run, sets up its interpreter, writes the harness, runs it in the sandbox and
/// fills `report` with the outcome.
fn run_plugin(
    args: &RunArgs,
    cancel: Option<&CancelToken>,
    platform: Platform,
    path: &Path,
    limits: &RunLimits,
    report: &mut Report,
) -> Result<(), Stopped> {
    let prep = prepare(args, platform, path).map_err(Stopped::Failed)?;
    report.entry = prep.entry.clone();
    check_cancel(cancel)?;
    let cache = env::cache_dir(args.cache_dir.as_deref());
    let python = python_env(args, &prep, &cache, cancel, report)?;
    check_cancel(cancel)?;
    // Held until the end: the stack dump is read back from it.
    let tmp = (tempfile::Builder::new().prefix("plugsmith-run-").tempdir())
        .map_err(|e| Stopped::Failed(format!("cannot create a temporary directory: {e}")))?;
    let stack_path = tmp.path().join("stack.txt");
    let argv = write_harness(&prep, &cache, tmp.path(), &stack_path)?;
    let sandbox = Sandbox::create(limits.memory, args.limits_backend);
    report.memory.backend = sandbox.backend.name().to_string();
    report.memory.enforcement = sandbox.enforcement();
    report.memory.approximate = sandbox.backend == limits::Backend::Rlimit;
    report.warnings.extend(sandbox.warnings.iter().cloned());
    let spec = exec_spec(args, &prep, python, argv, limits, cancel);
    let out = exec::execute(&spec, &sandbox);
    drop(sandbox);
    assemble(
        report,
        &prep,
        out,
        limits.timeout,
        &stack_path,
        limits.memory,
    );
    Ok(())
}

/// Resolves the interpreter and, for a `requirements.txt`, its environment (built outside
/// the limits); records both in `report` and returns the python to run.
fn python_env(
    args: &RunArgs,
    prep: &Prepared,
    cache: &Path,
    cancel: Option<&CancelToken>,
    report: &mut Report,
) -> Result<PathBuf, Stopped> {
    let base =
        env::resolve_python(args.python.as_deref(), &prep.root, cache).map_err(Stopped::Failed)?;
    report.environment.python = base.path.display().to_string();
    report.environment.python_version = base.version.clone();
    let Some(req) = &prep.hard_requirements else {
        return Ok(base.path);
    };
    if args.no_install {
        report.warnings.push(format!(
            "{} not installed (--no-install): running in {}",
            req.display(),
            base.path.display()
        ));
        return Ok(base.path);
    }
    match env::ensure_venv(&base, req, &prep.root, cache, args.installer, cancel) {
        Ok(v) => {
            report.environment.venv = Some(v.dir.display().to_string());
            report.environment.venv_cached = Some(v.cached);
            report.environment.installer = Some(v.installer.clone());
            if !v.cached {
                report.durations.install_ms = Some(v.build.as_secs_f64() * 1000.0);
            }
            Ok(v.python)
        }
        Err(e) if e == env::BUILD_CANCELLED => Err(Stopped::Cancelled),
        Err(e) => Err(Stopped::Failed(e)),
    }
}

/// Writes the run spec (and, when the cache is not writable, the harness) into `tmp`;
/// returns the interpreter's arguments that run them.
fn write_harness(
    prep: &Prepared,
    cache: &Path,
    tmp: &Path,
    stack_path: &Path,
) -> Result<Vec<OsString>, Stopped> {
    let spec_path = tmp.join("spec.json");
    let mut spec = prep.spec.clone();
    spec.insert("stack_file".into(), json!(stack_path));
    spec.insert("task_dir".into(), json!(tmp.join("sly_task_data")));
    std::fs::write(
        &spec_path,
        serde_json::to_vec(&Value::Object(spec)).unwrap_or_default(),
    )
    .map_err(|e| Stopped::Failed(format!("cannot write the run spec: {e}")))?;
    let harness_src = format!("{HARNESS_COMMON}\n{}", prep.harness);
    let harness = harness_args(cache, tmp, &harness_src)?;
    Ok(["-I".into(), "-u".into()]
        .into_iter()
        .chain(harness)
        .chain([spec_path.into_os_string()])
        .collect())
}

/// The harness is imported from a content-addressed folder in the cache so its bytecode is
/// compiled once; when the cache is not writable it runs as a script from the temp dir.
fn harness_args(cache: &Path, tmp: &Path, src: &str) -> Result<Vec<OsString>, Stopped> {
    match cached_harness(cache, src) {
        Some(dir) => {
            let dir_lit = serde_json::to_string(&dir.display().to_string()).unwrap_or_default();
            Ok(vec![
                "-c".into(),
                format!("import sys; sys.path.insert(0, {dir_lit}); import plugsmith_harness")
                    .into(),
            ])
        }
        None => {
            let harness_path = tmp.join("plugsmith_harness.py");
            std::fs::write(&harness_path, src)
                .map_err(|e| Stopped::Failed(format!("cannot write the harness: {e}")))?;
            Ok(vec![harness_path.into()])
        }
    }
}

/// What [`exec::execute`] runs: `python` with `argv`, the platform's environment plus
/// `PLUGSMITH_RUN=1`, from the plugin's working folder, under the run's deadlines.
fn exec_spec(
    args: &RunArgs,
    prep: &Prepared,
    python: PathBuf,
    argv: Vec<OsString>,
    limits: &RunLimits,
    cancel: Option<&CancelToken>,
) -> exec::ExecSpec {
    let mut env: Vec<(OsString, OsString)> =
        prep.env.iter().map(|(k, v)| (k.into(), v.into())).collect();
    env.push(("PLUGSMITH_RUN".into(), "1".into()));
    exec::ExecSpec {
        program: python,
        args: argv,
        env,
        cwd: prep.cwd.clone(),
        timeout: limits.timeout,
        soft_timeout: limits.soft_timeout,
        stack_grace: Duration::from_millis(300),
        output_cap: args.max_output,
        reader_deadline: Duration::from_secs(2),
        cancel: cancel.cloned(),
    }
}

/// Writes the harness once into `<cache>/harness/<sha256>/plugsmith_harness.py`.
fn cached_harness(cache: &Path, src: &str) -> Option<PathBuf> {
    use sha2::{Digest, Sha256};
    let key = env::hex(&Sha256::digest(src.as_bytes())[..12]);
    let dir = cache.join("harness").join(key);
    let file = dir.join("plugsmith_harness.py");
    if std::fs::metadata(&file).is_ok_and(|m| m.len() == src.len() as u64) {
        return Some(dir);
    }
    std::fs::create_dir_all(&dir).ok()?;
    let tmp = dir.join(format!(".plugsmith_harness.{}.tmp", std::process::id()));
    std::fs::write(&tmp, src).ok()?;
    std::fs::rename(&tmp, &file).ok()?;
    Some(dir)
}

fn at(out: &exec::ExecOutcome, phase: &str) -> Option<Duration> {
    out.messages
        .iter()
        .find(|m| {
            m.value.get("kind").and_then(Value::as_str) == Some("phase")
                && m.value.get("phase").and_then(Value::as_str) == Some(phase)
        })
        .map(|m| m.at)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn to_output(c: &exec::Captured) -> Output {
    Output {
        text: String::from_utf8_lossy(&c.data).into_owned(),
        bytes: c.total,
        truncated: c.truncated,
    }
}

const MAX_LIST: usize = 2000;

/// Fills `report` from the run's outcome: process facts, phase durations, what the harness
/// sent (logs, calls, details, the result), the stack dump, and finally status and message.
fn assemble(
    report: &mut Report,
    prep: &Prepared,
    out: exec::ExecOutcome,
    timeout: Option<Duration>,
    stack_path: &Path,
    memory: Option<u64>,
) {
    record_process(report, &out);
    if let Some(e) = &out.spawn_error {
        report.status = Status::RunnerError;
        report.message = e.clone();
        return;
    }
    let result_msg = out
        .messages
        .iter()
        .find(|m| m.value.get("kind").and_then(Value::as_str) == Some("result"));
    record_durations(report, &out, result_msg);
    let mut details = record_messages(report, &out.messages);
    if prep.platform == Platform::Supervisely {
        parse_supervisely_logs(report);
    }
    let stack = std::fs::read_to_string(stack_path).unwrap_or_default();
    if !stack.trim().is_empty() {
        report.stack_dump = Some(stack);
    }
    if let Some(r) = result_msg {
        record_result_extras(report, &r.value, &mut details);
    }
    if !details.is_empty() {
        report.details = Value::Object(details);
    }
    set_status(report, &out, result_msg, timeout, memory);
}

/// Exit, captured output, memory and process facts, and warnings about lost output.
fn record_process(report: &mut Report, out: &exec::ExecOutcome) {
    report.durations.total_ms = ms(out.wall);
    report.exit.code = out.exit_code;
    report.exit.signal = out.signal;
    report.stdout = to_output(&out.stdout);
    report.stderr = to_output(&out.stderr);
    report.memory.oom_kills = out.mem.oom_kills;
    report.memory.peak_bytes = out.mem.peak.or(out.polled_peak);
    report.memory.peak_rss_main_bytes = out.maxrss_main;
    report.processes.orphans_killed = out.orphans_killed;
    report.processes.survivors = out.survivors.clone();
    if out.readers_abandoned > 0 {
        report.warnings.push(format!("{} output stream(s) were still held open by a process outside the runner's reach; output may be incomplete", out.readers_abandoned));
    }
    if out.messages_dropped > 0 {
        report.warnings.push(format!(
            "{} harness messages dropped (too many or too large)",
            out.messages_dropped
        ));
    }
}

/// Start-up, import and call durations from the harness's phase messages; the call ends at
/// the result (or at the end of the run without one).
fn record_durations(
    report: &mut Report,
    out: &exec::ExecOutcome,
    result_msg: Option<&exec::Message>,
) {
    let started = at(out, "started");
    let import = at(out, "import").or(started);
    let imported = at(out, "imported");
    let call = at(out, "call").or(imported);
    let end = result_msg.map(|m| m.at).unwrap_or(out.wall);
    report.durations.startup_ms = started.map(ms);
    if let (Some(a), Some(b)) = (
        import,
        imported.or(if call.is_none() { Some(end) } else { None }),
    ) {
        report.durations.import_ms = Some(ms(b.saturating_sub(a)));
    }
    if let Some(c) = call {
        report.durations.call_ms = Some(ms(end.saturating_sub(c)));
    }
}

/// Records the harness's log, call, entry and warning messages; returns the details sent.
fn record_messages(
    report: &mut Report,
    messages: &[exec::Message],
) -> serde_json::Map<String, Value> {
    let mut details = serde_json::Map::new();
    for m in messages {
        match m.value.get("kind").and_then(Value::as_str) {
            Some("log") if report.logs.len() >= MAX_LIST => report.logs_truncated = true,
            Some("log") => report.logs.push(log_line(&m.value)),
            Some("call") if report.calls.len() >= MAX_LIST => report.calls_truncated = true,
            Some("call") => report.calls.push(client_call(m)),
            Some("entry") => {
                if let Some(e) = m.value.get("event").and_then(Value::as_str) {
                    report.entry = e.to_string();
                }
                if let Some(h) = m.value.get("handler").and_then(Value::as_str) {
                    report.handler = Some(h.to_string());
                }
            }
            Some("warning") => {
                if let Some(w) = m.value.get("message").and_then(Value::as_str) {
                    report.warnings.push(w.to_string());
                }
            }
            Some("detail") => {
                if let Some(o) = m.value.as_object() {
                    for (k, v) in o {
                        if k != "kind" {
                            details.insert(k.clone(), v.clone());
                        }
                    }
                }
            }
            _ => {}
        }
    }
    details
}

fn log_line(v: &Value) -> LogLine {
    let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    LogLine {
        level: s("level"),
        logger: s("logger"),
        message: s("message"),
        file: v.get("file").and_then(Value::as_str).map(str::to_string),
        line: v.get("line").and_then(Value::as_u64),
    }
}

/// A recorded client call without its `kind`, with the time it was made (`at_ms`).
fn client_call(m: &exec::Message) -> Value {
    let mut c = m.value.clone();
    if let Some(o) = c.as_object_mut() {
        o.remove("kind");
        o.insert("at_ms".into(), json!((ms(m.at) * 10.0).round() / 10.0));
    }
    c
}

/// The result's `extra` (handler and event, the rest as details) and the interpreter it
/// reports.
fn record_result_extras(
    report: &mut Report,
    v: &Value,
    details: &mut serde_json::Map<String, Value>,
) {
    if let Some(extra) = v.get("extra").and_then(Value::as_object) {
        for (k, val) in extra {
            if k == "handler" {
                report.handler = val.as_str().map(str::to_string);
            } else if k == "event" {
                if let Some(e) = val.as_str() {
                    report.entry = e.to_string();
                }
            } else if k != "system_exit_ok" {
                details.insert(k.clone(), val.clone());
            }
        }
    }
    if let Some(py) = v.get("python") {
        if let Some(e) = py.get("executable").and_then(Value::as_str) {
            report.environment.python = e.to_string();
        }
        report.environment.python_version = py
            .get("version")
            .and_then(Value::as_str)
            .map(str::to_string);
    }
}

/// Status and message, in order of precedence: cancelled, timed out, over the memory limit,
/// else what the harness's result says, else a crash.
fn set_status(
    report: &mut Report,
    out: &exec::ExecOutcome,
    result_msg: Option<&exec::Message>,
    timeout: Option<Duration>,
    memory: Option<u64>,
) {
    let killed = out.signal == Some(libc::SIGKILL);
    let limit_txt = memory.map_or("none".to_string(), units::fmt_bytes);
    if out.cancelled {
        set_cancelled(report);
        return;
    }
    if out.timed_out {
        set_timed_out(report, timeout, result_msg.is_some());
        return;
    }
    if (out.mem.oom_kills > 0 && killed && result_msg.is_none()) || out.polled_limit_exceeded {
        let peak_txt = (report.memory.peak_bytes).map_or("n/a".to_string(), units::fmt_bytes);
        report.status = Status::MemoryLimitExceeded;
        report.message = format!(
            "Runtime exited with error: signal: killed (memory limit of {limit_txt} exceeded; Max Memory Used {}{peak_txt})",
            if report.memory.approximate { "~" } else { "" }
        );
        return;
    }
    if out.mem.oom_kills > 0 {
        report.warnings.push(format!("{} process(es) of the plugin were OOM-killed by the {limit_txt} limit; the handler itself survived", out.mem.oom_kills));
    }
    match result_msg {
        Some(r) => set_result_status(report, &r.value, memory, &limit_txt),
        None => {
            report.status = Status::Crashed;
            report.message = match (out.exit_code, out.signal) {
                (_, Some(s)) => format!("Runtime exited with error: signal: {}", signal_name(s)),
                (Some(c), _) => format!("Runtime exited with error: exit status {c}"),
                _ => "Runtime exited without a result".into(),
            };
        }
    }
}

fn set_timed_out(report: &mut Report, timeout: Option<Duration>, has_result: bool) {
    report.status = Status::Timeout;
    report.message = format!(
        "Task timed out after {:.2} seconds",
        timeout.map_or(0.0, |t| t.as_secs_f64())
    );
    if !has_result && report.stack_dump.is_none() {
        report.warnings.push(
            "no stack dump: the interpreter did not respond to SIGUSR1 (blocked in native code?)"
                .into(),
        );
    }
}

/// Status from the harness's result message: ok, a handler error, or a harness error.
fn set_result_status(report: &mut Report, v: &Value, memory: Option<u64>, limit_txt: &str) {
    match v.get("status").and_then(Value::as_str) {
        Some("ok") => {
            report.status = Status::Ok;
            report.return_value = v.get("return").cloned();
            report.message = "Handler returned".into();
        }
        Some("handler_error") => set_handler_error(report, v, memory, limit_txt),
        _ => {
            report.status = Status::RunnerError;
            report.message = v
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("harness error")
                .to_string();
        }
    }
}

/// The handler raised: a handler error, or (under rlimits) the memory limit, where Python
/// raises MemoryError where production would SIGKILL.
fn set_handler_error(report: &mut Report, v: &Value, memory: Option<u64>, limit_txt: &str) {
    let e = v.get("exception").cloned().unwrap_or(Value::Null);
    let info = exception_info(&e);
    if report.memory.approximate && memory.is_some() && info.type_name == "MemoryError" {
        report.status = Status::MemoryLimitExceeded;
        report.message = format!(
            "MemoryError under RLIMIT_DATA {limit_txt} (approximate: production's kernel limit would SIGKILL the process)"
        );
    } else {
        report.status = Status::HandlerError;
        report.message = if info.message.is_empty() {
            info.type_name.clone()
        } else {
            format!("{}: {}", info.type_name, info.message)
        };
    }
    report.exception = Some(info);
}

fn exception_info(e: &Value) -> ExceptionInfo {
    let s = |k: &str| e.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let frames: Vec<Frame> = e
        .get("frames")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|f| Frame {
                    file: f
                        .get("file")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                    line: f.get("line").and_then(Value::as_u64),
                    function: f
                        .get("function")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                    code: f.get("code").and_then(Value::as_str).map(str::to_string),
                    in_plugin: f.get("in_plugin").and_then(Value::as_bool).unwrap_or(false),
                })
                .collect()
        })
        .unwrap_or_default();
    let location = frames.iter().rev().find(|f| f.in_plugin).cloned();
    ExceptionInfo {
        type_name: s("type"),
        module: s("module"),
        message: s("message"),
        traceback: s("traceback"),
        frames,
        location,
        phase: s("phase"),
    }
}

/// Supervisely's agent reads JSON log lines from stdout; other lines become `cont_msg`.
fn parse_supervisely_logs(report: &mut Report) {
    let mut logs = Vec::new();
    for line in report.stdout.text.lines() {
        let parsed: Option<Value> = serde_json::from_str(line.trim()).ok();
        match parsed {
            Some(Value::Object(o)) if o.contains_key("message") => {
                let mut msg = o
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                if let Some(ev) = o.get("event_type").and_then(Value::as_str) {
                    msg = format!("{msg} [event_type={ev}]");
                }
                logs.push(LogLine {
                    level: o
                        .get("level")
                        .and_then(Value::as_str)
                        .unwrap_or("info")
                        .to_string(),
                    logger: "supervisely".into(),
                    message: msg,
                    file: None,
                    line: None,
                });
            }
            _ if !line.trim().is_empty() => logs.push(LogLine {
                level: "info".into(),
                logger: "cont_msg".into(),
                message: line.to_string(),
                file: None,
                line: None,
            }),
            _ => {}
        }
    }
    let room = MAX_LIST.saturating_sub(report.logs.len());
    if logs.len() > room {
        report.logs_truncated = true;
    }
    report.logs.extend(logs.into_iter().take(room));
}
