//! The JSON manifests: `plugin_info.json` (SLY001) and `predefined_run_configs.json` (SLY005),
//! with PLG002 when either does not parse.
//!
//! Both are read the way the platform reads them (`research/platforms.md` 3.1, 3.2):
//! `build_plugin.sh` base64-copies them unchecked into the image labels `INFO` and `CONFIGS`,
//! and the agent (`agent/src/worker/task_factory.py`) decodes `INFO` with `json.loads`, falling
//! back to `{}` on any failure, then picks the task class by `plugin_info.get("run_mode",
//! task_type)`.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use plugsmith_core::common::parse_error_diagnostic;
use plugsmith_core::schema::{Schema, SchemaError, SchemaErrorKind};
use plugsmith_core::syntax::json;
use plugsmith_core::syntax::value::{Node, PathSegment};
use plugsmith_core::{Diagnostic, Edit, Files, TextRange, TextSize};

use crate::layout::{self, Entrypoints};
use crate::{SLY001, SLY005};

/// `schemas/supervisely.plugin_info.schema.json`.
pub const PLUGIN_INFO_SCHEMA: &str =
    include_str!("../../../../schemas/supervisely.plugin_info.schema.json");
/// `schemas/supervisely.predefined_run_configs.schema.json`.
pub const RUN_CONFIGS_SCHEMA: &str =
    include_str!("../../../../schemas/supervisely.predefined_run_configs.schema.json");

static PLUGIN_INFO: LazyLock<Option<Schema>> =
    LazyLock::new(|| Schema::compile(PLUGIN_INFO_SCHEMA).ok());
static RUN_CONFIGS: LazyLock<Option<Schema>> =
    LazyLock::new(|| Schema::compile(RUN_CONFIGS_SCHEMA).ok());

/// The compiled `plugin_info.json` schema (`None` only if the bundled schema were broken,
/// which a unit test rules out).
pub fn plugin_info_schema() -> Option<&'static Schema> {
    PLUGIN_INFO.as_ref()
}

/// The compiled `predefined_run_configs.json` schema.
pub fn run_configs_schema() -> Option<&'static Schema> {
    RUN_CONFIGS.as_ref()
}

const INFO_UNREADABLE: &str = "build_plugin.sh copies the file unchecked into the image's `INFO` \
    label, and the agent, failing to decode it, falls back to `{}`: the plugin loses its title, \
    description, type and `run_mode`";
const CONFIGS_UNREADABLE: &str = "build_plugin.sh copies the file unchecked into the image's \
    `CONFIGS` label, and none of these run configurations can be read from it";

/// The plugin's `type`, when `plugin_info.json` gives one as a string.
#[derive(Clone, Debug)]
pub struct PluginType {
    /// The type as written (not necessarily one the schema allows).
    pub value: String,
    /// The string value, quotes included.
    pub range: TextRange,
    /// The `plugin_info.json` it comes from.
    pub path: PathBuf,
}

/// Reads a JSON manifest: PLG002 (pushed to `out`) when it cannot be read or parsed.
fn read_json(
    files: &Files<'_>,
    path: &Path,
    consequence: &str,
    out: &mut Vec<Diagnostic>,
) -> Option<Node> {
    let text = match files.read(path) {
        Ok(text) => text,
        Err(error) => {
            let empty = TextRange::empty(TextSize::new(0));
            out.push(parse_error_diagnostic(
                path,
                empty,
                "JSON",
                &format!("cannot read the file ({error})"),
                consequence,
            ));
            return None;
        }
    };
    match json::parse(&text) {
        Ok(node) => Some(node),
        Err(error) => {
            out.push(parse_error_diagnostic(
                path,
                error.range,
                "JSON",
                &error.message,
                consequence,
            ));
            None
        }
    }
}

/// SLY001 and PLG002 for `plugin_info.json` at `path` (which exists); the plugin's `type`.
pub fn check_plugin_info(
    files: &Files<'_>,
    path: &Path,
    out: &mut Vec<Diagnostic>,
) -> Option<PluginType> {
    let document = read_json(files, path, INFO_UNREADABLE, out)?;
    if let Some(schema) = plugin_info_schema() {
        for error in schema.validate(&document) {
            let message = format!("{}: {}", error.message, info_consequence(&error));
            let mut diagnostic = Diagnostic::new(&SLY001, path, error.range, message);
            if let Some((title, edits)) = typo_fix(&error) {
                diagnostic = diagnostic.with_fix(title, edits);
            }
            out.push(diagnostic);
        }
    }
    let member = document.get("type")?;
    Some(PluginType {
        value: member.value.as_str()?.to_string(),
        range: member.value.range,
        path: path.to_path_buf(),
    })
}

/// What the platform does with a `plugin_info.json` that breaks the schema at `error`.
fn info_consequence(error: &SchemaError) -> &'static str {
    let key = match (&error.kind, error.path.first()) {
        (SchemaErrorKind::Missing { property }, None) => property.as_str(),
        (_, Some(PathSegment::Key(key))) => key.as_str(),
        _ => "",
    };
    match key {
        "title" | "description" => {
            "the web interface shows the plugin by the `title` and `description` of its `INFO` label"
        }
        "type" => {
            "Supervisely decides from `type` which inputs, outputs and entrypoints the plugin has"
        }
        "run_mode" => {
            "the agent picks the task class by `plugin_info.get(\"run_mode\", task_type)`, so every \
             task of this plugin fails as \"unknown task type\""
        }
        _ if error.path.is_empty() => {
            "the agent reads it with `plugin_info.get(...)`, which fails on anything but an object"
        }
        _ => "the platform does not read this value as expected",
    }
}

/// A fix for an enumeration value one edit away from exactly one allowed value (`impotr`).
fn typo_fix(error: &SchemaError) -> Option<(String, Vec<Edit>)> {
    let SchemaErrorKind::NotAllowed { allowed } = &error.kind else {
        return None;
    };
    let found = error_value(error)?;
    let mut close = allowed
        .iter()
        .filter_map(|text| serde_like_string(text))
        .filter(|candidate| distance(candidate, &found) <= 2);
    let candidate = close.next()?;
    if close.next().is_some() {
        return None;
    }
    Some((
        format!("Replace `{found}` with `{candidate}`"),
        vec![Edit {
            range: error.range,
            new_text: format!("\"{candidate}\""),
        }],
    ))
}

/// The string value an enumeration error is about, from its message's `found "..."`.
fn error_value(error: &SchemaError) -> Option<String> {
    let (_, found) = error.message.rsplit_once("; found ")?;
    serde_like_string(found)
}

/// A JSON string literal without escapes, unquoted.
fn serde_like_string(text: &str) -> Option<String> {
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    if inner.contains('\\') || inner.contains('"') {
        return None;
    }
    Some(inner.to_string())
}

/// Levenshtein distance over characters (short strings only).
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != *cb);
            let insert = current[j] + 1;
            let delete = previous[j + 1] + 1;
            current.push(substitute.min(insert).min(delete));
        }
        previous = current;
    }
    previous.last().copied().unwrap_or(0)
}

/// SLY005 and PLG002 for `predefined_run_configs.json` at `path` (which exists).
pub fn check_run_configs(
    files: &Files<'_>,
    path: &Path,
    plugin_type: Option<&PluginType>,
    entrypoints: &Entrypoints,
    out: &mut Vec<Diagnostic>,
) {
    let Some(document) = read_json(files, path, CONFIGS_UNREADABLE, out) else {
        return;
    };
    if let Some(schema) = run_configs_schema() {
        for error in schema.validate(&document) {
            let consequence = if error.path.is_empty() {
                "build_plugin.sh stores the file unchecked in the image's `CONFIGS` label, where \
                 the platform expects a list of ready-made task configurations"
            } else {
                "the platform offers each entry as a ready-made task configuration of the \
                 plugin, and this one is not usable"
            };
            let message = format!("{}: {consequence}", error.message);
            out.push(Diagnostic::new(&SLY005, path, error.range, message));
        }
    }
    let Some(items) = document.as_array() else {
        return;
    };
    for item in items {
        let Some(member) = item.get("type") else {
            continue;
        };
        let Some(config_type) = member.value.as_str() else {
            continue;
        };
        let Some(message) = layout::run_config_mismatch(config_type, plugin_type, entrypoints)
        else {
            continue;
        };
        let mut diagnostic = Diagnostic::new(&SLY005, path, member.value.range, message);
        if let Some(plugin_type) = plugin_type {
            diagnostic = diagnostic.with_related(
                &plugin_type.path,
                plugin_type.range,
                format!("the plugin's type is `{}`", plugin_type.value),
            );
        }
        out.push(diagnostic);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_schemas_compile() {
        Schema::compile(PLUGIN_INFO_SCHEMA).expect("plugin_info schema compiles");
        Schema::compile(RUN_CONFIGS_SCHEMA).expect("run configs schema compiles");
        assert!(plugin_info_schema().is_some());
        assert!(run_configs_schema().is_some());
    }

    #[test]
    fn distance_counts_edits() {
        assert_eq!(distance("impotr", "import"), 2);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("dtl", "dtl"), 0);
    }

    #[test]
    fn type_typo_gets_a_fix() {
        let text = r#"{"title": "t", "description": "d", "type": "imprt"}"#;
        let document = json::parse(text).unwrap();
        let errors = plugin_info_schema().unwrap().validate(&document);
        assert_eq!(errors.len(), 1, "{errors:?}");
        let (title, edits) = typo_fix(&errors[0]).expect("a fix");
        assert_eq!(title, "Replace `imprt` with `import`");
        assert_eq!(&text[edits[0].range], "\"imprt\"");
    }
}
