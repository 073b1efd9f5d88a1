//! `plugsmith init`: real processes. Every skeleton must pass `plugsmith check` without a
//! single diagnostic, be detected as a plugin of its platform, and stop passing when broken.

use std::fs;
use std::path::Path;

mod common;
use common::{code, plugsmith, stderr, stdout};

const PLATFORMS: [&str; 5] = ["kili", "panoptes", "supervisely", "flowdapt", "archihub"];

fn init(cwd: &Path, platform: &str, name: &str) {
    let output = plugsmith(cwd, &["init", "--platform", platform, name]);
    assert_eq!(code(&output), 0, "{platform}: {}", stderr(&output));
    assert!(
        stderr(&output).is_empty(),
        "{platform}: {}",
        stderr(&output)
    );
    let out = stdout(&output);
    assert!(
        out.starts_with("Created a") || out.starts_with("Created an"),
        "{out}"
    );
    assert!(out.contains(&format!("plugsmith check {name}")), "{out}");
    assert!(out.contains(&format!("plugsmith run {name} --")), "{out}");
}

/// `plugsmith check --output-format json` on `path`: (exit code, diagnostics, stderr).
fn check(cwd: &Path, path: &str) -> (i32, Vec<serde_json::Value>, String) {
    let output = plugsmith(cwd, &["check", "--output-format", "json", path]);
    let value: serde_json::Value = serde_json::from_str(&stdout(&output))
        .unwrap_or_else(|error| panic!("{error}: {}", stdout(&output)));
    (
        code(&output),
        value.as_array().unwrap().clone(),
        stderr(&output),
    )
}

#[test]
fn every_skeleton_passes_check_without_a_diagnostic() {
    for platform in PLATFORMS {
        let dir = tempfile::tempdir().unwrap();
        let name = format!("my-{platform}-plugin").replace('-', "_");
        init(dir.path(), platform, &name);
        // From the parent folder and from inside the new folder.
        for (cwd, path) in [
            (dir.path().to_path_buf(), name.as_str()),
            (dir.path().join(&name), "."),
        ] {
            let output = plugsmith(&cwd, &["check", "--output-format", "json", path]);
            assert_eq!(code(&output), 0, "{platform}: {}", stderr(&output));
            assert_eq!(stdout(&output), "[]\n", "{platform}");
            // Detected as a plugin: no "no plugins found" warning, nothing at all on stderr.
            assert!(
                stderr(&output).is_empty(),
                "{platform}: {}",
                stderr(&output)
            );
        }
        // The concise format confirms it.
        let output = plugsmith(dir.path(), &["check", "--output-format", "concise", &name]);
        assert_eq!(stdout(&output), "All checks passed!\n", "{platform}");
    }
}

#[test]
fn all_skeletons_side_by_side_pass_together() {
    let dir = tempfile::tempdir().unwrap();
    for platform in PLATFORMS {
        init(dir.path(), platform, &format!("{platform}Plugin"));
    }
    let (status, diagnostics, err) = check(dir.path(), ".");
    assert_eq!(status, 0, "{err}");
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    assert!(err.is_empty(), "{err}");
}

#[test]
fn names_with_dashes_spaces_and_digits_give_valid_skeletons() {
    for platform in ["kili", "panoptes", "supervisely", "flowdapt"] {
        for name in ["weather-forecast", "Two Words", "3d boxes"] {
            let dir = tempfile::tempdir().unwrap();
            init(dir.path(), platform, name);
            let (status, diagnostics, err) = check(dir.path(), name);
            assert_eq!(status, 0, "{platform} {name}: {err}");
            assert!(
                diagnostics.is_empty(),
                "{platform} {name}: {diagnostics:#?}"
            );
        }
    }
}

#[test]
fn skeletons_are_real_plugins_checks_catch_breakage() {
    // One edit per platform that the platform would reject: the checker must see it, which
    // proves the skeleton is detected and checked, not skipped.
    let breakages: [(&str, &str, &str, &str, &str); 5] = [
        (
            "kili",
            "main.py",
            "def on_submit",
            "async def on_submit",
            "KIL005",
        ),
        (
            "panoptes",
            "broken.panoptes-plugin",
            "execute_frequency = 60",
            "exequte_frequency = 60",
            "PAN004",
        ),
        ("supervisely", "VERSION", "broken:0.1.0", "broken", "SLY002"),
        (
            "flowdapt",
            "workflows/broken.yaml",
            "broken.stages.summarise",
            "broken.stages.summarize",
            "FDT005",
        ),
        (
            "archihub",
            "__init__.py",
            "name='broken.bulk'",
            "name='FUNCNAME'",
            "ARC007",
        ),
    ];
    for (platform, file, from, to, expected) in breakages {
        let dir = tempfile::tempdir().unwrap();
        init(dir.path(), platform, "broken");
        let path = dir.path().join("broken").join(file);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{platform}: {from} not in {file}");
        fs::write(&path, text.replace(from, to)).unwrap();
        let (_, diagnostics, err) = check(dir.path(), "broken");
        let codes: Vec<&str> = diagnostics
            .iter()
            .map(|d| d["code"].as_str().unwrap())
            .collect();
        assert!(codes.contains(&expected), "{platform}: {codes:?} {err}");
    }
}

#[test]
fn refuses_to_overwrite_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path(), "kili", "taken");
    let main = dir.path().join("taken/main.py");
    fs::write(&main, "# mine\n").unwrap();
    for platform in PLATFORMS {
        let output = plugsmith(dir.path(), &["init", "--platform", platform, "taken"]);
        assert_eq!(code(&output), 2, "{platform}");
        let err = stderr(&output);
        assert!(err.starts_with("error: "), "{err}");
        assert!(err.contains("taken") && err.contains("not empty"), "{err}");
        assert!(stdout(&output).is_empty());
    }
    assert_eq!(fs::read_to_string(&main).unwrap(), "# mine\n");

    // A file of that name.
    fs::write(dir.path().join("file"), "x").unwrap();
    let output = plugsmith(dir.path(), &["init", "--platform", "flowdapt", "file"]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("not a folder"),
        "{}",
        stderr(&output)
    );

    // An empty folder is fine.
    fs::create_dir(dir.path().join("empty")).unwrap();
    let output = plugsmith(dir.path(), &["init", "--platform", "panoptes", "empty"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(dir.path().join("empty/empty.panoptes-plugin").is_file());
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["init", "x"][..],
        &["init", "--platform", "kili"],
        &["init", "--platform", "wordpress", "x"],
    ] {
        let output = plugsmith(dir.path(), args);
        assert_eq!(code(&output), 2, "{args:?}");
    }
    // Names a module cannot be made of, and ArchiHub slugs that are not identifiers.
    for (platform, name, hint) in [
        ("kili", "+++", "no ASCII letter or digit"),
        ("archihub", "files-export", "use `files_export`"),
    ] {
        let output = plugsmith(dir.path(), &["init", "--platform", platform, name]);
        assert_eq!(code(&output), 2, "{name}");
        assert!(stderr(&output).contains(hint), "{}", stderr(&output));
        assert!(!dir.path().join(name).exists());
    }
}

#[test]
fn samples_are_json_and_readmes_say_how_to_check_and_run() {
    let samples = [
        ("kili", "samples/label.json", "--label"),
        ("panoptes", "samples/resource.json", "--resource"),
        ("supervisely", "samples/config.json", "--config"),
        ("flowdapt", "samples/input.json", "--input"),
        ("archihub", "samples/body.json", "--body"),
    ];
    for (platform, sample, flag) in samples {
        let dir = tempfile::tempdir().unwrap();
        init(dir.path(), platform, "p");
        let text = fs::read_to_string(dir.path().join("p").join(sample)).unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert!(value.is_object(), "{platform}");
        let readme = fs::read_to_string(dir.path().join("p/README.md")).unwrap();
        assert!(readme.contains("plugsmith check ."), "{platform}");
        assert!(
            readme.contains(&format!("plugsmith run . {flag} {sample}")),
            "{platform}: {readme}"
        );
    }
}
