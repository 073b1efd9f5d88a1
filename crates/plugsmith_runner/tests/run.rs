//! End-to-end runs with real processes (real Python, real cgroups where the machine has them).

use plugsmith_runner::env::{Installer, find_uv};
use plugsmith_runner::limits::BackendPref;
use plugsmith_runner::report::{Report, Status};
use plugsmith_runner::{CancelToken, RunArgs, run, run_with_cancel};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn plugin(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/plugins")
        .join(name)
}

fn args(name: &str) -> RunArgs {
    let mut a = RunArgs::new(plugin(name));
    // Keep interpreter probes and environments of the tests away from the user's cache.
    a.cache_dir = Some(std::env::temp_dir().join("plugsmith-runner-tests-cache"));
    a
}

fn show(r: &Report) -> String {
    r.render_text()
}

/// The hanging plugin wrote its own pid and its setsid grandchild's to `pid_file`: both must
/// be gone (within 2 s of the report, the time the kernel needs to reap them).
fn assert_all_dead(pid_file: &std::path::Path, what: &str) {
    let pids = std::fs::read_to_string(pid_file).expect("the plugin wrote its pids");
    let pids: Vec<i32> = pids
        .split_whitespace()
        .map(|p| p.parse().unwrap())
        .collect();
    assert_eq!(pids.len(), 2);
    let deadline = Instant::now() + Duration::from_secs(2);
    while pids.iter().any(|&p| pid_alive(p)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    for p in pids {
        assert!(!pid_alive(p), "process {p} survived {what}");
    }
}

fn pid_alive(pid: i32) -> bool {
    // A zombie is not a live process; anything else in /proc is.
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(s) => s
            .rsplit_once(')')
            .is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

#[test]
fn kili_plugin_holding_700_mib_exceeds_the_512_mib_limit() {
    let r = run(&args("kili_oom.py"));
    assert_eq!(r.status, Status::MemoryLimitExceeded, "{}", show(&r));
    assert_eq!(r.memory.limit_bytes, Some(512 << 20));
    assert!(r.message.contains("signal: killed"), "{}", r.message);
    if !r.memory.approximate {
        // Kernel-enforced: the decision comes from the cgroup's OOM counter.
        assert!(r.memory.oom_kills >= 1, "{}", show(&r));
        let peak = r.memory.peak_bytes.unwrap_or(0);
        assert!((500 << 20..=513 << 20).contains(&peak), "peak {peak}");
    }
    assert!(r.processes.survivors.is_empty());
}

#[test]
fn kili_plugin_under_rlimit_fallback_is_reported_as_approximate() {
    let mut a = args("kili_oom.py");
    a.limits_backend = BackendPref::Rlimit;
    let r = run(&a);
    assert_eq!(r.status, Status::MemoryLimitExceeded, "{}", show(&r));
    assert!(r.memory.approximate);
    assert_eq!(r.memory.backend, "rlimit");
}

fn hang_case(backend: BackendPref) {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("pids");
    let mut a = args("kili_hang");
    a.timeout = Some("2s".into());
    a.asset_id = Some(pid_file.display().to_string());
    a.limits_backend = backend;
    let t0 = Instant::now();
    let r = run(&a);
    let elapsed = t0.elapsed();
    assert_eq!(r.status, Status::Timeout, "{}", show(&r));
    assert_eq!(r.message, "Task timed out after 2.00 seconds");
    // Ends within a second of the deadline (measured from spawn by the runner, and overall).
    assert!(
        r.durations.total_ms >= 2000.0 && r.durations.total_ms < 3000.0,
        "{}",
        r.durations.total_ms
    );
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    // Where it hung: the faulthandler dump names the plugin's function.
    let stack = r.stack_dump.clone().unwrap_or_default();
    assert!(stack.contains("wait_forever"), "{}", show(&r));
    assert!(stack.contains("kili_hang/main.py"), "{stack}");
    // No process survives: the child and its setsid grandchild are gone.
    assert_all_dead(&pid_file, "the run");
    assert!(
        r.processes.survivors.is_empty(),
        "{:?}",
        r.processes.survivors
    );
}

#[test]
fn kili_hang_with_detached_grandchild_times_out_and_leaves_no_process() {
    hang_case(BackendPref::Auto);
}

#[test]
fn kili_hang_without_cgroup_still_kills_the_setsid_grandchild() {
    hang_case(BackendPref::Rlimit);
}

#[test]
fn exception_in_helper_module_points_at_its_file_and_line() {
    let r = run(&args("kili_helper_error"));
    assert_eq!(r.status, Status::HandlerError, "{}", show(&r));
    let e = r.exception.as_ref().unwrap();
    assert_eq!(e.type_name, "ZeroDivisionError");
    assert_eq!(e.phase, "call");
    let loc = e.location.as_ref().unwrap();
    assert!(
        loc.file.ends_with("kili_helper_error/helpers.py"),
        "{}",
        loc.file
    );
    assert_eq!(loc.line, Some(4));
    assert_eq!(loc.function, "score");
    // The traceback starts in the plugin, not in the harness.
    assert!(
        !e.traceback.contains("plugsmith_harness"),
        "{}",
        e.traceback
    );
    assert!(
        e.traceback.contains("helpers.py\", line 4"),
        "{}",
        e.traceback
    );
    assert!(r.report_line().starts_with("REPORT "));
    assert!(
        r.render_text()
            .trim_end()
            .lines()
            .last()
            .unwrap()
            .starts_with("REPORT ")
    );
    assert_eq!(r.exit_code(), 1);
}

#[test]
fn send_back_to_queue_is_recorded() {
    let mut a = args("kili_send_back.py");
    a.asset_id = Some("asset-42".into());
    let r = run(&a);
    assert_eq!(r.status, Status::Ok, "{}", show(&r));
    assert_eq!(r.exit_code(), 0);
    assert_eq!(r.handler.as_deref(), Some("on_submit"));
    assert_eq!(r.calls.len(), 1, "{:?}", r.calls);
    assert_eq!(r.calls[0]["method"], "send_back_to_queue");
    assert_eq!(
        r.calls[0]["kwargs"]["asset_ids"],
        serde_json::json!(["asset-42"])
    );
    assert_eq!(
        r.return_value,
        Some(serde_json::json!({"sent_back": "asset-42"}))
    );
    // print() goes to stdout, self.logger to the logs; the result never travels on stdout.
    assert_eq!(r.stdout.text, "submit asset-42\n");
    assert!(
        r.logs
            .iter()
            .any(|l| l.message == "sending asset-42 back to queue")
    );
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["status"], "ok");
    assert!(json["durations"]["call_ms"].is_number());
}

#[test]
fn kili_event_reaches_every_matching_method_even_after_a_failure() {
    let mut a = args("kili_events");
    a.event = Some("asset.skipped".into());
    let r = run(&a);
    assert_eq!(r.status, Status::HandlerError, "{}", show(&r));
    assert_eq!(r.handler.as_deref(), Some("on_event"));
    let e = r.exception.as_ref().unwrap();
    assert_eq!(e.type_name, "ValueError");
    // The failing method ran first (alphabetical), the AnyEvent one still ran, the label one did not.
    let methods: Vec<&str> = r
        .calls
        .iter()
        .filter_map(|c| c["method"].as_str())
        .collect();
    assert_eq!(methods, ["update_properties_in_assets"]);
}

fn folder_req_case(installer: Installer) {
    let cache = tempfile::tempdir().unwrap();
    let mut a = args("kili_folder_req");
    a.cache_dir = Some(cache.path().to_path_buf());
    a.event = Some("review".into());
    a.installer = installer;
    let cold = run(&a);
    assert_eq!(cold.status, Status::Ok, "{}", show(&cold));
    assert_eq!(cold.environment.venv_cached, Some(false));
    let used = cold.environment.installer.clone().unwrap_or_default();
    match installer {
        Installer::Uv => assert!(used.starts_with("uv ("), "{used}"),
        _ => assert!(used.starts_with("venv + pip"), "{used}"),
    }
    assert!(cold.durations.install_ms.is_some());
    let venv = cold.environment.venv.clone().unwrap();
    assert!(venv.starts_with(&cache.path().display().to_string()));
    let ret = cold.return_value.clone().unwrap();
    assert_eq!(ret["six"], "1.17.0");
    assert!(
        ret["six_file"].as_str().unwrap().starts_with(&venv),
        "{ret}"
    );
    // Relative import of a sub-folder without __init__.py.
    assert_eq!(ret["summary"], "clsample-label-0001 with 2 job(s)");
    assert_eq!(cold.calls[0]["method"], "add_to_review");

    let warm = run(&a);
    assert_eq!(warm.status, Status::Ok, "{}", show(&warm));
    assert_eq!(warm.environment.venv_cached, Some(true));
    assert_eq!(warm.environment.venv.as_deref(), Some(venv.as_str()));
    assert_eq!(warm.environment.installer.as_deref(), Some(used.as_str()));
    assert!(warm.durations.install_ms.is_none());
}

#[test]
fn folder_plugin_with_requirements_runs_in_its_own_cached_environment() {
    folder_req_case(Installer::Pip);
}

#[test]
fn folder_plugin_with_requirements_built_by_uv() {
    // CI (scripts/test.sh) installs uv into the test venv and exports PLUGSMITH_UV.
    let Some(uv) = find_uv() else {
        eprintln!(
            "skipped: no uv binary ($PLUGSMITH_UV unset or not executable, no uv on PATH, \
             ~/.local/bin or ~/.cargo/bin); scripts/test.sh installs one"
        );
        return;
    };
    eprintln!("uv: {}", uv.display());
    folder_req_case(Installer::Uv);
}

#[test]
fn installer_uv_without_uv_is_a_runner_error() {
    if find_uv().is_some() {
        // The error path needs a machine without uv; PLUGSMITH_UV cannot be unset per test
        // (the variable is process-wide and other tests read it concurrently).
        return;
    }
    let cache = tempfile::tempdir().unwrap();
    let mut a = args("kili_folder_req");
    a.cache_dir = Some(cache.path().to_path_buf());
    a.installer = Installer::Uv;
    let r = run(&a);
    assert_eq!(r.status, Status::RunnerError, "{}", show(&r));
    assert!(r.message.contains("--installer uv"), "{}", r.message);
}

#[test]
fn panoptes_polling_plugin_runs_with_context_and_type_checked_result() {
    let r = run(&args("panoptes_polling"));
    assert_eq!(r.status, Status::Ok, "{}", show(&r));
    // 1.25 × execute_frequency 60.
    assert_eq!(r.limits.timeout_s, Some(75.0));
    assert_eq!(r.memory.limit_bytes, None);
    assert_eq!(r.details["class"], "PluginPollingSample");
    assert_eq!(r.details["result_type"], "PanoptesMetricsGroupSet");
    let ret = r.return_value.unwrap();
    assert_eq!(ret["metrics_groups"][0]["metrics"]["cpu_utilization"], 42.5);
    assert_eq!(ret["metrics_groups"][0]["dimensions"]["model"], "AX3200");
    let methods: Vec<&str> = r
        .calls
        .iter()
        .filter_map(|c| c["method"].as_str())
        .collect();
    assert_eq!(methods, ["kv.get", "kv.set"]);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

#[test]
fn archihub_bulk_task_runs_inline_and_reports_record_updates() {
    let r = run(&args("archihub_tagger"));
    assert_eq!(r.status, Status::Ok, "{}", show(&r));
    assert_eq!(r.limits.timeout_s, Some(43_200.0));
    assert_eq!(r.limits.soft_timeout_s, Some(43_000.0));
    assert_eq!(
        r.return_value,
        Some(serde_json::json!("tagged 2 resources"))
    );
    let updates = r.details["record_updates"].as_array().unwrap();
    assert_eq!(updates.len(), 2);
    assert_eq!(
        updates[0]["update"]["$set"]["metadata.firstLevel.tags"],
        serde_json::json!(["carta", "de", "1910"])
    );
}

#[test]
fn flowdapt_workflow_stages_run_in_dependency_order() {
    let r = run(&args("flowdapt_weather"));
    assert_eq!(r.status, Status::Ok, "{}", show(&r));
    assert_eq!(r.entry, "weather_summary");
    assert_eq!(r.handler.as_deref(), Some("create_data -> summarize"));
    let ret = r.return_value.unwrap();
    assert_eq!(ret["n"], 100);
    assert_eq!(ret["workflow"], "weather_summary");
}

#[test]
fn supervisely_main_runs_in_a_task_dir_and_its_json_logs_are_parsed() {
    let r = run(&args("supervisely_import"));
    assert_eq!(r.status, Status::Ok, "{}", show(&r));
    assert_eq!(r.entry, "main");
    assert!(
        r.logs
            .iter()
            .any(|l| l.logger == "supervisely" && l.message.contains("event_type=import_applied"))
    );
    assert!(r.logs.iter().any(|l| l.logger == "cont_msg"));
    assert_eq!(
        r.details["results"],
        serde_json::json!(["plugsmith-sample-project/meta.json"])
    );
}

#[test]
fn user_input_errors_are_runner_errors_not_panics() {
    let mut a = args("kili_send_back.py");
    a.memory = Some("lots".into());
    assert_eq!(run(&a).status, Status::RunnerError);
    let mut a = args("kili_send_back.py");
    a.label = Some(plugin("does-not-exist.json"));
    assert_eq!(run(&a).status, Status::RunnerError);
    let a = args("no-such-plugin");
    assert_eq!(run(&a).status, Status::RunnerError);
    let mut a = args("kili_send_back.py");
    a.python = Some("/nonexistent/python".into());
    assert_eq!(run(&a).status, Status::RunnerError);
}

fn cancel_case(backend: BackendPref) {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("pids");
    let mut a = args("kili_hang");
    a.timeout = Some("none".into());
    a.asset_id = Some(pid_file.display().to_string());
    a.limits_backend = backend;
    let token = CancelToken::new();
    let canceller = {
        let token = token.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs(1));
            token.cancel();
            Instant::now()
        })
    };
    let r = run_with_cancel(&a, &token);
    let ended = Instant::now();
    let cancelled_at = canceller.join().unwrap();
    assert_eq!(r.status, Status::Cancelled, "{}", show(&r));
    assert_eq!(r.message, "Run cancelled");
    assert_eq!(r.status.as_str(), "cancelled");
    assert_eq!(r.exit_code(), 1);
    let took = ended.saturating_duration_since(cancelled_at);
    assert!(
        took < Duration::from_secs(1),
        "stopped {took:?} after the cancel"
    );
    // Same kill path as a timeout: where it was, and nothing left running.
    let stack = r.stack_dump.clone().unwrap_or_default();
    assert!(stack.contains("wait_forever"), "{}", show(&r));
    assert_all_dead(&pid_file, "the cancelled run");
    assert!(
        r.processes.survivors.is_empty(),
        "{:?} {}",
        r.processes.survivors,
        show(&r)
    );
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["status"], "cancelled");
}

#[test]
fn cancelled_run_stops_within_a_second_and_leaves_no_process() {
    cancel_case(BackendPref::Auto);
}

#[test]
fn cancelled_run_without_cgroup_stops_and_leaves_no_process() {
    cancel_case(BackendPref::Rlimit);
}

#[test]
fn a_token_cancelled_before_the_run_starts_nothing() {
    let token = CancelToken::new();
    token.cancel();
    let t0 = Instant::now();
    let r = run_with_cancel(&args("kili_send_back.py"), &token);
    assert_eq!(r.status, Status::Cancelled, "{}", show(&r));
    assert!(r.stdout.text.is_empty());
    assert!(t0.elapsed() < Duration::from_secs(1));
}

/// The platforms `plugsmith check` finds anywhere below `path`, as its front end walks it.
fn check_platforms(path: &Path) -> Vec<&'static str> {
    let settings = plugsmith_disk::find_settings(path).unwrap_or_default();
    let walk = plugsmith_disk::walk(&[path.to_path_buf()], &settings);
    let workspace = plugsmith_core::Workspace::new(
        walk.files,
        std::sync::Arc::new(plugsmith_disk::DiskFileSystem::new()),
    );
    let mut names: Vec<&'static str> = plugsmith_check::detect(&workspace, &settings)
        .into_iter()
        .map(|p| p.platform)
        .collect();
    names.sort();
    names.dedup();
    names
}

#[test]
fn run_and_check_agree_on_what_each_test_plugin_is() {
    for (name, platform) in [
        ("kili_events", "kili"),
        ("kili_send_back.py", "kili"),
        ("panoptes_polling", "panoptes"),
        (
            "panoptes_polling/plugin_polling_sample.panoptes-plugin",
            "panoptes",
        ),
        ("archihub_tagger", "archihub"),
        ("flowdapt_weather", "flowdapt"),
        ("supervisely_import", "supervisely"),
    ] {
        let path = plugin(name);
        assert_eq!(check_platforms(&path), [platform], "check on {name}");
        let detected = plugsmith_runner::detect::detect(&path).map(|p| p.name());
        assert_eq!(detected, Ok(platform), "run on {name}");
    }
    // A file inside a folder plugin is that plugin's.
    let helper = plugin("kili_helper_error/helpers.py");
    assert_eq!(
        plugsmith_runner::detect::detect(&helper).map(|p| p.name()),
        Ok("kili")
    );
    // `--platform` overrides detection, as platform-overrides do for check.
    let mut a = args("kili_send_back.py");
    a.platform = Some(plugsmith_runner::detect::Platform::Panoptes);
    assert_eq!(run(&a).platform, "panoptes");
}

/// The `plugsmith` binary, when built: `$PLUGSMITH_BIN`, else the workspace's target/debug.
fn plugsmith_bin() -> Option<PathBuf> {
    if let Some(bin) = std::env::var_os("PLUGSMITH_BIN") {
        return Some(PathBuf::from(bin));
    }
    let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/debug/plugsmith");
    bin.is_file().then_some(bin)
}

#[test]
fn run_and_check_agree_on_every_init_skeleton() {
    let Some(bin) = plugsmith_bin() else {
        eprintln!("skipped: no plugsmith binary (set PLUGSMITH_BIN or `cargo build -p plugsmith`)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for platform in ["kili", "panoptes", "supervisely", "flowdapt", "archihub"] {
        let target = dir.path().join(format!("{platform}_skeleton"));
        let out = std::process::Command::new(&bin)
            .args(["init", "--platform", platform])
            .arg(&target)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "plugsmith init --platform {platform}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            check_platforms(&target),
            [platform],
            "check on the {platform} skeleton"
        );
        let detected = plugsmith_runner::detect::detect(&target).map(|p| p.name());
        assert_eq!(detected, Ok(platform), "run on the {platform} skeleton");
    }
}
