//! `plugsmith run` is the runner library's command (`plugsmith_runner::RunArgs`,
//! `run_command`): its flags reach it, and the skeletons of `plugsmith init` run with their
//! sample inputs.

use std::process::{Command, Stdio};

mod common;
use common::{plugsmith, stdout};

#[test]
fn run_takes_the_runner_flags() {
    let dir = tempfile::tempdir().unwrap();
    let output = plugsmith(dir.path(), &["run", "--help"]);
    assert_eq!(output.status.code(), Some(0));
    let help = stdout(&output);
    for flag in [
        "--label",
        "--resource",
        "--body",
        "--input",
        "--config",
        "--timeout",
        "--memory",
    ] {
        assert!(help.contains(flag), "{flag} missing from:\n{help}");
    }
    assert_eq!(plugsmith(dir.path(), &["run"]).status.code(), Some(2));
}

#[test]
fn a_missing_plugin_is_a_runner_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = plugsmith(dir.path(), &["run", "nope", "--output-format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(report["status"], "runner_error");
}

/// Runs each skeleton (but Supervisely's, which needs `supervisely_lib`) with its sample input
/// in the interpreter on PATH, without building an environment. Skipped without `python3`.
#[test]
fn skeletons_run_with_their_samples() {
    let python_found = Command::new("python3")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !python_found {
        eprintln!("skipped: no python3 on PATH");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    for (platform, flag, sample) in [
        ("kili", "--label", "samples/label.json"),
        ("panoptes", "--resource", "samples/resource.json"),
        ("flowdapt", "--input", "samples/input.json"),
        ("archihub", "--body", "samples/body.json"),
    ] {
        let output = plugsmith(dir.path(), &["init", "--platform", platform, platform]);
        assert_eq!(output.status.code(), Some(0));
        let plugin = dir.path().join(platform);
        let output = plugsmith(
            &plugin,
            &[
                "run",
                ".",
                flag,
                sample,
                "--no-install",
                "--output-format",
                "json",
                "--cache-dir",
                cache.to_str().unwrap(),
            ],
        );
        let report: serde_json::Value = serde_json::from_str(&stdout(&output))
            .unwrap_or_else(|error| panic!("{platform}: {error}: {}", stdout(&output)));
        assert_eq!(report["platform"], platform, "{report:#}");
        assert_eq!(report["status"], "ok", "{platform}: {report:#}");
        assert_eq!(output.status.code(), Some(0));
    }
}
