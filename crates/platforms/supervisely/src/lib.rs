//! Supervisely legacy plugins: detection and rules (`RULES.md`, section on Supervisely;
//! evidence in `research/platforms.md` section 3, supervisely@eec5cffb).
//!
//! A plugin is a folder that `build_plugin.sh REGISTRY MODULE_PATH` turns into a Docker image:
//! `plugin_info.json`, `VERSION`, `Dockerfile`, `src/main.py` (or `src/train.py` and
//! `src/inference.py` for neural networks), optional `predefined_run_configs.json` and
//! `README.md`.
//!
//! - [`version`]: the `VERSION` file as the build script splits it (SLY002).
//! - [`manifest`]: `plugin_info.json` (SLY001) and `predefined_run_configs.json` (SLY005)
//!   against the bundled schemas; PLG002 when they do not parse.
//! - [`docs`]: `README.md` (SLY006) and `LICENSE` (SLY007).
//! - [`dockerfile`]: a base image tagged with the plugin's own tag (SLY008).
//! - [`layout`]: `Dockerfile` (SLY003), entrypoints by type (SLY004), run-configuration modes
//!   (SLY005), PLG001 for `src/**/*.py`.

pub mod dockerfile;
pub mod docs;
pub mod layout;
pub mod manifest;
pub mod version;

use std::path::{Path, PathBuf};

use plugsmith_core::workspace::normalize;
use plugsmith_core::{Diagnostic, Files, Platform, Plugin, Rule, Severity, TextRange};

use crate::layout::Entrypoints;

/// The manifest every Supervisely plugin folder holds.
pub const PLUGIN_INFO: &str = "plugin_info.json";
/// Optional ready-made task configurations.
pub const RUN_CONFIGS: &str = "predefined_run_configs.json";

/// SLY001: `plugin_info.json` missing, or not valid against its schema.
pub static SLY001: Rule = Rule {
    code: "SLY001",
    name: "invalid-plugin-info",
    severity: Severity::Error,
    core: true,
    summary: "plugin_info.json missing, or not valid against schemas/supervisely.plugin_info.schema.json",
    doc: include_str!("../rules/SLY001.md"),
};

/// SLY002: `VERSION` missing or not one line `<image>:<tag>` that docker accepts.
pub static SLY002: Rule = Rule {
    code: "SLY002",
    name: "invalid-version-file",
    severity: Severity::Error,
    core: true,
    summary: "VERSION missing or malformed: one line `<image>:<tag>`, exactly one `:`, valid image name and Docker tag, no CR",
    doc: include_str!("../rules/SLY002.md"),
};

/// SLY003: no `Dockerfile` in the plugin folder.
pub static SLY003: Rule = Rule {
    code: "SLY003",
    name: "missing-dockerfile",
    severity: Severity::Error,
    core: true,
    summary: "Dockerfile missing from the plugin folder",
    doc: include_str!("../rules/SLY003.md"),
};

/// SLY004: the entrypoint(s) the plugin's type needs are missing.
pub static SLY004: Rule = Rule {
    code: "SLY004",
    name: "missing-entrypoint",
    severity: Severity::Error,
    core: true,
    summary: "Entrypoint missing for the plugin type: src/main.py (import, custom, dtl, python); src/train.py and src/inference.py (architecture)",
    doc: include_str!("../rules/SLY004.md"),
};

/// SLY005: `predefined_run_configs.json` invalid, or a configuration for a mode the plugin lacks.
pub static SLY005: Rule = Rule {
    code: "SLY005",
    name: "invalid-run-configs",
    severity: Severity::Error,
    core: true,
    summary: "predefined_run_configs.json not valid against its schema, or a `type` the plugin has no entrypoint for",
    doc: include_str!("../rules/SLY005.md"),
};

/// SLY006: no `README.md`, so the image's `README` label (the plugin page) is empty.
pub static SLY006: Rule = Rule {
    code: "SLY006",
    name: "missing-readme",
    severity: Severity::Warning,
    core: false,
    summary: "README.md missing: build_plugin.sh puts it in the image's README label, shown on the plugin page",
    doc: include_str!("../rules/SLY006.md"),
};

/// SLY007: no licence file in the plugin folder.
pub static SLY007: Rule = Rule {
    code: "SLY007",
    name: "missing-license",
    severity: Severity::Info,
    core: false,
    summary: "LICENSE missing from the plugin folder (listed by the tutorial's layout; nothing reads it)",
    doc: include_str!("../rules/SLY007.md"),
};

/// SLY008: the `Dockerfile`'s base image is tagged `${TAG}`, the plugin's own tag.
pub static SLY008: Rule = Rule {
    code: "SLY008",
    name: "base-image-tagged-with-plugin-tag",
    severity: Severity::Warning,
    core: false,
    summary: "Dockerfile `FROM <base>:${TAG}`: the base image must be published under the plugin's own VERSION tag",
    doc: include_str!("../rules/SLY008.md"),
};

/// Every Supervisely rule.
pub static RULES: &[&Rule] = &[
    &SLY001, &SLY002, &SLY003, &SLY004, &SLY005, &SLY006, &SLY007, &SLY008,
];

/// The Supervisely platform.
pub struct SuperviselyPlatform;

/// The value registered in `plugsmith_check`.
pub static PLATFORM: SuperviselyPlatform = SuperviselyPlatform;

const NAME: &str = "supervisely";

impl Platform for SuperviselyPlatform {
    fn name(&self) -> &'static str {
        NAME
    }

    fn rules(&self) -> &'static [&'static Rule] {
        RULES
    }

    /// A folder holding `plugin_info.json` together with `VERSION`, `Dockerfile` or `src/`.
    fn detect(&self, files: &Files<'_>) -> Vec<Plugin> {
        let mut plugins = Vec::new();
        for path in files.all() {
            if path.file_name().is_none_or(|name| name != PLUGIN_INFO) {
                continue;
            }
            let root = path.parent().unwrap_or(Path::new("")).to_path_buf();
            if files.is_file(&root.join("VERSION"))
                || files.is_file(&root.join("Dockerfile"))
                || files.is_dir(&root.join("src"))
            {
                plugins.push(Plugin::new(NAME, root, Some(path.to_path_buf())));
            }
        }
        plugins
    }

    /// A folder (its `plugin_info.json`, if any, is the entry; SLY001 reports it missing), or
    /// a `plugin_info.json` file (its folder is the plugin).
    fn plugin_at(&self, path: &Path, files: &Files<'_>) -> Option<Plugin> {
        let path = normalize(path);
        if files.is_file(&path) {
            if path.file_name().is_none_or(|name| name != PLUGIN_INFO) {
                return None;
            }
            let root = path.parent().unwrap_or(Path::new("")).to_path_buf();
            return Some(Plugin::new(NAME, root, Some(path)));
        }
        if !files.is_dir(&path) {
            return None;
        }
        let info = path.join(PLUGIN_INFO);
        let entry = files.is_file(&info).then_some(info);
        Some(Plugin::new(NAME, path, entry))
    }

    fn check(&self, plugin: &Plugin, files: &Files<'_>) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let root = plugin.root.as_path();
        let info = plugin
            .entry
            .clone()
            .unwrap_or_else(|| root.join(PLUGIN_INFO));
        let plugin_type = if files.is_file(&info) {
            manifest::check_plugin_info(files, &info, &mut out)
        } else {
            out.push(missing_plugin_info(files, root));
            None
        };
        let info_anchor = layout::anchor(files, root, &[PLUGIN_INFO, "VERSION", "Dockerfile"]);
        check_version(files, root, &info_anchor, &mut out);
        layout::check_dockerfile(files, root, &info_anchor, &mut out);
        check_base_image(files, root, &mut out);
        let entrypoints = Entrypoints::probe(files, root);
        if let Some(plugin_type) = &plugin_type {
            layout::check_entrypoints(plugin_type, &entrypoints, &mut out);
        }
        let configs = root.join(RUN_CONFIGS);
        if files.is_file(&configs) {
            manifest::check_run_configs(
                files,
                &configs,
                plugin_type.as_ref(),
                &entrypoints,
                &mut out,
            );
        }
        docs::check_readme(files, root, &info_anchor, &mut out);
        docs::check_license(files, root, &info_anchor, &mut out);
        layout::check_python(files, root, &mut out);
        out
    }
}

/// SLY001 for a plugin folder without `plugin_info.json`: points at the start of `VERSION`,
/// else `Dockerfile`, else the first file of the folder.
fn missing_plugin_info(files: &Files<'_>, root: &Path) -> Diagnostic {
    let (path, range) = layout::anchor(files, root, &["VERSION", "Dockerfile"]);
    Diagnostic::new(
        &SLY001,
        path,
        range,
        format!(
            "`{}` has no `plugin_info.json`: build_plugin.sh gives the image an empty `INFO` \
             label and the agent falls back to `{{}}`, so the plugin has no title, description \
             or type",
            shown_dir(root)
        ),
    )
}

/// SLY002 for `root/VERSION`: missing (pointing at `anchor`), or every problem of its text.
fn check_version(
    files: &Files<'_>,
    root: &Path,
    anchor: &(PathBuf, TextRange),
    out: &mut Vec<Diagnostic>,
) {
    let path = root.join("VERSION");
    let text = if files.is_file(&path) {
        match files.read(&path) {
            Ok(text) => Some(text),
            Err(error) => {
                out.push(Diagnostic::new(
                    &SLY002,
                    &path,
                    TextRange::empty(0.into()),
                    format!(
                        "`VERSION` cannot be read ({error}): build_plugin.sh needs one plain line \
                         `<image>:<tag>` in it"
                    ),
                ));
                return;
            }
        }
    } else {
        None
    };
    let Some(text) = text else {
        out.push(Diagnostic::new(
            &SLY002,
            &anchor.0,
            anchor.1,
            "the plugin has no `VERSION` file: build_plugin.sh reads the image name and tag with \
             `$(cat VERSION)`, both come out empty and `docker build` rejects the image reference \
             (invalid reference format); add one line `<image>:<tag>`, e.g. \
             `import-my-format:1.0.0`",
        ));
        return;
    };
    for problem in version::problems(&text) {
        let mut diagnostic = Diagnostic::new(&SLY002, &path, problem.range, problem.message);
        if let Some((title, edits)) = problem.fix {
            diagnostic = diagnostic.with_fix(title, edits);
        }
        out.push(diagnostic);
    }
}

/// SLY008 for every `${TAG}` in the tag of a `FROM` image of `root/Dockerfile`; the message
/// names the plugin's tag when `VERSION` is valid.
fn check_base_image(files: &Files<'_>, root: &Path, out: &mut Vec<Diagnostic>) {
    let path = root.join("Dockerfile");
    if !files.is_file(&path) {
        return;
    }
    let Ok(text) = files.read(&path) else {
        return;
    };
    let references = dockerfile::tag_references(&text);
    if references.is_empty() {
        return;
    }
    let plugin_tag = files
        .read(&root.join("VERSION"))
        .ok()
        .filter(|version| version::problems(version).is_empty())
        .and_then(|version| {
            let value = version.trim_end_matches('\n');
            value.split_once(':').map(|(_, tag)| tag.to_string())
        });
    let tag = plugin_tag.map_or_else(
        || "the plugin's own tag from `VERSION`".to_string(),
        |tag| format!("the plugin's own tag from `VERSION` (`{tag}`)"),
    );
    for range in references {
        out.push(Diagnostic::new(
            &SLY008,
            &path,
            range,
            format!(
                "the base image is tagged with `TAG`, which build_plugin.sh sets to {tag}: \
                 `docker build` pulls the base image under that tag and fails (manifest unknown) \
                 unless it was published under that very tag, so every new version of the plugin \
                 needs a base image of the same version; pin the base image with an argument of \
                 its own (`ARG BASE_TAG=<a tag the registry has>`, `FROM …:${{BASE_TAG}}`)"
            ),
        ));
    }
}

fn shown_dir(root: &Path) -> String {
    // The folder's own name: the diagnostic's location already says where it is.
    root.file_name().map_or_else(
        || ".".to_string(),
        |name| name.to_string_lossy().to_string(),
    )
}
