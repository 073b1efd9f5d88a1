//! The plugin folder's layout: `Dockerfile` (SLY003), the entrypoints for the plugin's type
//! (SLY004), which run configurations those entrypoints allow (SLY005), and the Python sources
//! under `src/` (PLG001).
//!
//! Evidence (`research/platforms.md` 3.1-3.2, supervisely@eec5cffb): `build_plugin.sh` builds
//! with `docker build -f MODULE_PATH/Dockerfile` and sets the `MODES` label to those of `main
//! train inference deploy deploy_smart` whose `MODULE_PATH/src/<mode>.py` exists *on the host*;
//! the agent runs `python -u /workdir/src/main.py` for import/custom/dtl/python tasks and
//! `train.py` / `inference.py` / `deploy.py` / `deploy_smart.py` for neural networks
//! (`agent/src/worker/task_dockerized.py`, `task_train.py`, `task_inference.py`,
//! `task_inference_rpc.py`).

use std::path::{Path, PathBuf};

use plugsmith_core::common::syntax_error_diagnostics;
use plugsmith_core::{Diagnostic, Files, Severity, TextRange, TextSize};

use crate::manifest::PluginType;
use crate::{SLY003, SLY004};

/// The modes `build_plugin.sh` looks for, in its order: mode name = `src/<mode>.py`.
pub const MODES: [&str; 5] = ["main", "train", "inference", "deploy", "deploy_smart"];

/// Plugin types whose entrypoint is `src/main.py`.
const MAIN_TYPES: [&str; 4] = ["import", "custom", "dtl", "python"];
/// Modes of an `architecture` plugin.
const NN_MODES: [&str; 4] = ["train", "inference", "deploy", "deploy_smart"];

/// Which `src/<mode>.py` files the plugin has (the `MODES` label `build_plugin.sh` writes).
#[derive(Clone, Debug, Default)]
pub struct Entrypoints {
    present: Vec<&'static str>,
}

impl Entrypoints {
    /// Probes `root/src/<mode>.py` for every mode.
    pub fn probe(files: &Files<'_>, root: &Path) -> Self {
        let src = root.join("src");
        let present = MODES
            .into_iter()
            .filter(|mode| files.is_file(&src.join(format!("{mode}.py"))))
            .collect();
        Entrypoints { present }
    }

    /// Whether `src/<mode>.py` exists (`mode` as in [`MODES`]).
    pub fn has(&self, mode: &str) -> bool {
        self.present.contains(&mode)
    }
}

/// A place to point at when the offending thing is a missing file: the first line of the first
/// non-empty file among `candidates`, then of any file in the plugin folder; an empty range at
/// the start of the first candidate when every file is empty.
pub fn anchor(files: &Files<'_>, root: &Path, candidates: &[&str]) -> (PathBuf, TextRange) {
    let named = candidates.iter().map(|name| root.join(name));
    for path in named.chain(files.files_under(root)) {
        if let Ok(text) = files.read(&path)
            && let Some(range) = first_line(&text)
        {
            return (path, range);
        }
    }
    let fallback = candidates
        .first()
        .map_or_else(|| root.to_path_buf(), |name| root.join(name));
    (fallback, TextRange::empty(TextSize::new(0)))
}

/// The first line without its line break, or its first character when the line is blank;
/// `None` for an empty text.
fn first_line(text: &str) -> Option<TextRange> {
    let line = text.split('\n').next().unwrap_or("").trim_end_matches('\r');
    let len = if line.is_empty() {
        text.chars().next()?.len_utf8()
    } else {
        line.len()
    };
    Some(TextRange::new(TextSize::new(0), TextSize::new(len as u32)))
}

/// SLY003: `root/Dockerfile` is missing. Points at `anchor`; mentions a `Dockerfile` found
/// elsewhere in the folder (e.g. `docker/Dockerfile`, as in the stock `plugins/import/aberystwyth`).
pub fn check_dockerfile(
    files: &Files<'_>,
    root: &Path,
    anchor: &(PathBuf, TextRange),
    out: &mut Vec<Diagnostic>,
) {
    if files.is_file(&root.join("Dockerfile")) {
        return;
    }
    // One folder down (`docker/Dockerfile`), and not another plugin's own Dockerfile.
    let elsewhere = files.files_under(root).into_iter().find(|path| {
        path.file_name().is_some_and(|name| name == "Dockerfile")
            && path
                .strip_prefix(root)
                .is_ok_and(|relative| relative.components().count() == 2)
            && path
                .parent()
                .is_some_and(|folder| !files.is_file(&folder.join(crate::PLUGIN_INFO)))
    });
    let mut message = "the plugin has no `Dockerfile`: build_plugin.sh runs `docker build -f \
                       <plugin dir>/Dockerfile`, which fails, so no image is built"
        .to_string();
    if let Some(other) = &elsewhere {
        message.push_str(&format!(
            " (`{}` is not used: the script only looks at the plugin folder itself)",
            other.strip_prefix(root).unwrap_or(other).display()
        ));
    }
    let mut diagnostic = Diagnostic::new(&SLY003, &anchor.0, anchor.1, message);
    if let Some(other) = elsewhere
        && let Ok(text) = files.read(&other)
        && let Some(range) = first_line(&text)
    {
        diagnostic = diagnostic.with_related(
            other,
            range,
            "a Dockerfile build_plugin.sh does not use; move it to the plugin folder",
        );
    }
    out.push(diagnostic);
}

/// SLY004: the entrypoints the plugin's type needs. `agent` is the Supervisely agent's own
/// image (started by its Dockerfile, not as a task), so it needs none.
pub fn check_entrypoints(
    plugin_type: &PluginType,
    entrypoints: &Entrypoints,
    out: &mut Vec<Diagnostic>,
) {
    let kind = plugin_type.value.as_str();
    let at =
        |message: String| Diagnostic::new(&SLY004, &plugin_type.path, plugin_type.range, message);
    if MAIN_TYPES.contains(&kind) {
        if !entrypoints.has("main") {
            out.push(at(format!(
                "`{kind}` plugin without `src/main.py`: the agent runs every task of it with \
                 `python -u /workdir/src/main.py`, which fails (\"can't open file\"), and \
                 build_plugin.sh leaves `main` out of the image's `MODES` label"
            )));
        }
        return;
    }
    if kind != "architecture" {
        return;
    }
    if !NN_MODES.iter().any(|mode| entrypoints.has(mode)) {
        out.push(at(
            "`architecture` plugin without `src/train.py`, `src/inference.py`, `src/deploy.py` \
             or `src/deploy_smart.py`: build_plugin.sh builds the `MODES` label from the \
             `src/<mode>.py` files present in the plugin folder on the host (sources the \
             Dockerfile copies from elsewhere do not count), so it is empty and the plugin can \
             neither train nor infer"
                .to_string(),
        ));
        return;
    }
    for (mode, task) in [("train", "trained"), ("inference", "used for inference")] {
        if !entrypoints.has(mode) {
            out.push(
                at(format!(
                    "`architecture` plugin without `src/{mode}.py`: the image's `MODES` label \
                     has no `{mode}`, so the network cannot be {task} on Supervisely"
                ))
                .with_severity(Severity::Warning),
            );
        }
    }
}

/// Why a run configuration of `config_type` cannot run on this plugin (SLY005), if it cannot.
pub fn run_config_mismatch(
    config_type: &str,
    plugin_type: Option<&PluginType>,
    entrypoints: &Entrypoints,
) -> Option<String> {
    let kind = plugin_type.map(|plugin_type| plugin_type.value.as_str());
    if kind == Some("agent") {
        return None;
    }
    let mode = if MAIN_TYPES.contains(&config_type) {
        "main"
    } else if NN_MODES.contains(&config_type) {
        config_type
    } else {
        return Some(format!(
            "run configuration type `{}` is not a mode of any Supervisely plugin: use the \
             plugin's type (import, custom, dtl, python: `src/main.py`) or, for an \
             `architecture` plugin, `train` or `inference`",
            crate::version::shown(config_type)
        ));
    };
    match kind {
        Some(kind) if MAIN_TYPES.contains(&kind) && config_type != kind => {
            return Some(format!(
                "run configuration type `{config_type}` on {} `{kind}` plugin: such a plugin \
                 runs `{kind}` tasks only (`src/main.py`), so this configuration matches no mode \
                 of the plugin; use `\"type\": \"{kind}\"`",
                article(kind)
            ));
        }
        Some("architecture") if mode == "main" => {
            return Some(format!(
                "run configuration type `{config_type}` on an `architecture` plugin: its modes \
                 are `train` and `inference` (`src/train.py`, `src/inference.py`), so this \
                 configuration matches no mode of the plugin"
            ));
        }
        _ => {}
    }
    if entrypoints.has(mode) {
        return None;
    }
    Some(format!(
        "run configuration of type `{config_type}` but the plugin has no `src/{mode}.py`: \
         build_plugin.sh leaves `{mode}` out of the image's `MODES` label, so this configuration \
         cannot be run"
    ))
}

/// PLG001 for every `.py` file under `root/src`.
pub fn check_python(files: &Files<'_>, root: &Path, out: &mut Vec<Diagnostic>) {
    for path in files.files_under(&root.join("src")) {
        if path.extension().is_none_or(|extension| extension != "py") {
            continue;
        }
        let Ok(file) = files.python(&path) else {
            continue;
        };
        out.extend(syntax_error_diagnostics(
            &path,
            &file,
            "The task container runs this code with `python -u`: Python stops on the \
             SyntaxError, the container exits non-zero and the task fails",
        ));
    }
}

/// `a` or `an` before a word (the plugin types all start with a plain vowel or consonant).
fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}
