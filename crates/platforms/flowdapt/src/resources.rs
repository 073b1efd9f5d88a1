//! Resource files (`kind: workflow | config | trigger_rule`, YAML or JSON): parsing (PLG002),
//! schema validation (FDT003) and unknown keys (FDT004).
//!
//! Client side, `flowctl apply` (flowctl/resources.py `parse_resource_definition`) reads
//! `.yaml`/`.yml`/`.json` files with `yaml.safe_load` / `json.loads`, requires `kind` among
//! workflow, trigger_rule, config and an optional `version` of `v1alpha1`. Server side, the
//! pydantic DTOs (`flowdapt/compute/domain/dto/v1/*.py`, `triggers/domain/dto/v1/triggerrule.py`)
//! and models validate the rest and silently drop unknown keys (`research/platforms.md` 4.3).

use std::path::Path;
use std::sync::LazyLock;

use plugsmith_core::common::parse_error_diagnostic;
use plugsmith_core::schema::{Schema, SchemaError, SchemaErrorKind, display_path};
use plugsmith_core::syntax::value::{Node, PathSegment, Value};
use plugsmith_core::syntax::{json, yaml};
use plugsmith_core::{Diagnostic, Edit, Files, TextRange};

use crate::suggest::closest;
use crate::{FDT003, FDT004};

/// The three resource kinds `flowctl apply` accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Workflow,
    Config,
    TriggerRule,
}

impl Kind {
    fn parse(text: &str) -> Option<Kind> {
        match text {
            "workflow" => Some(Kind::Workflow),
            "config" => Some(Kind::Config),
            "trigger_rule" => Some(Kind::TriggerRule),
            _ => None,
        }
    }

    fn schema(self) -> &'static Schema {
        match self {
            Kind::Workflow => &WORKFLOW_SCHEMA,
            Kind::Config => &CONFIG_SCHEMA,
            Kind::TriggerRule => &TRIGGER_SCHEMA,
        }
    }
}

/// The bundled schemas' sources.
pub const WORKFLOW_SCHEMA_SOURCE: &str =
    include_str!("../../../../schemas/flowdapt.workflow.schema.json");
pub const CONFIG_SCHEMA_SOURCE: &str =
    include_str!("../../../../schemas/flowdapt.config.schema.json");
pub const TRIGGER_SCHEMA_SOURCE: &str =
    include_str!("../../../../schemas/flowdapt.trigger_rule.schema.json");

fn compile(source: &str) -> Schema {
    // Bundled and compiled by a unit test: a failure here is a build defect, not user input.
    Schema::compile(source).unwrap_or_else(|error| panic!("bundled Flowdapt schema: {error}"))
}

static WORKFLOW_SCHEMA: LazyLock<Schema> = LazyLock::new(|| compile(WORKFLOW_SCHEMA_SOURCE));
static CONFIG_SCHEMA: LazyLock<Schema> = LazyLock::new(|| compile(CONFIG_SCHEMA_SOURCE));
static TRIGGER_SCHEMA: LazyLock<Schema> = LazyLock::new(|| compile(TRIGGER_SCHEMA_SOURCE));

/// Whether the file name is one `flowctl apply` reads.
pub fn has_resource_extension(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

/// Cheap text test before parsing: a resource names `kind`, or (legacy) `stages`.
fn may_be_resource(text: &str) -> bool {
    text.contains("kind") || text.contains("stages")
}

/// Whether the text plainly claims to be a Flowdapt resource, so that a parse error is ours to
/// report: a top-level `kind: workflow|config|trigger_rule` line, or top-level `stages:`.
fn claims_flowdapt(text: &str) -> bool {
    text.lines().any(|line| {
        let line = line.trim_end();
        let yaml_kind = line
            .strip_prefix("kind:")
            .map(|rest| rest.trim().trim_matches(['"', '\'']))
            .is_some_and(|kind| Kind::parse(kind).is_some());
        let json_kind = ["\"workflow\"", "\"config\"", "\"trigger_rule\""]
            .iter()
            .any(|kind| line.contains("\"kind\"") && line.contains(kind));
        yaml_kind || json_kind
    }) || (text.lines().any(|line| line.trim_end() == "stages:") && text.contains("target:"))
}

/// What a file is to Flowdapt.
pub enum Shape {
    /// `kind` is one of the three.
    Resource(Kind),
    /// A `kind` that is not one of the three, on something with `spec.stages`/`metadata`.
    BadKind,
    /// No `kind`, but `metadata` and `spec`.
    MissingKind,
    /// The documentation's old flat form: top-level `stages` (and `name`), no `kind`.
    Legacy,
}

/// A parsed resource file.
pub struct Resource {
    pub root: Node,
    pub shape: Shape,
}

/// Reads one candidate file. `Ok(None)`: not a Flowdapt resource. `Err`: PLG002.
pub fn read(files: &Files<'_>, path: &Path) -> Result<Option<Resource>, Box<Diagnostic>> {
    if !has_resource_extension(path) {
        return Ok(None);
    }
    let Ok(text) = files.read(path) else {
        return Ok(None);
    };
    if !may_be_resource(&text) || crate::project::is_template(&text) {
        return Ok(None);
    }
    let is_json = path.extension().is_some_and(|e| e == "json");
    let parsed = if is_json {
        json::parse(&text).map_err(|e| (e.range, e.message, "JSON"))
    } else {
        yaml::parse(&text).map_err(|e| (e.range, e.message, "YAML"))
    };
    let root = match parsed {
        Ok(root) => root,
        Err((range, message, format)) => {
            if !claims_flowdapt(&text) {
                return Ok(None);
            }
            let reader = if is_json {
                "json.loads"
            } else {
                "yaml.safe_load"
            };
            return Err(Box::new(parse_error_diagnostic(
                path,
                range,
                format,
                &message,
                &format!("`flowctl apply` fails reading it ({reader})"),
            )));
        }
    };
    let shape = match classify(&root) {
        Some(shape) => shape,
        None => return Ok(None),
    };
    Ok(Some(Resource { root, shape }))
}

/// Alias for tests and detection: whether a path holds a Flowdapt resource (or a broken one).
pub fn is_resource(files: &Files<'_>, path: &Path) -> bool {
    !matches!(read(files, path), Ok(None))
}

fn classify(root: &Node) -> Option<Shape> {
    root.as_object()?;
    let has = |key: &str| root.get(key).is_some();
    if let Some(kind) = root.get("kind") {
        if let Some(kind) = kind.value.as_str().and_then(Kind::parse) {
            return Some(Shape::Resource(kind));
        }
        // Another tool's `kind` (`Deployment`) is not ours: only a workflow body or a near miss.
        let stages = root
            .get("spec")
            .is_some_and(|spec| spec.value.get("stages").is_some());
        let near_miss = kind
            .value
            .as_str()
            .and_then(|k| closest(k, &["workflow", "config", "trigger_rule"]))
            .is_some();
        return (stages || (near_miss && has("metadata") && has("spec"))).then_some(Shape::BadKind);
    }
    if has("metadata") && has("spec") {
        return Some(Shape::MissingKind);
    }
    // Top-level `stages` made of mappings with a `target` (a CI file's `stages: [build]` is not).
    let legacy = root
        .get("stages")
        .and_then(|stages| stages.value.as_array())
        .is_some_and(|items| items.iter().any(|item| item.get("target").is_some()));
    if legacy {
        return Some(Shape::Legacy);
    }
    None
}

/// FDT003 and FDT004 for one resource.
pub fn check(path: &Path, resource: &Resource, out: &mut Vec<Diagnostic>) {
    let root = &resource.root;
    match resource.shape {
        Shape::Legacy => {
            let stages = root.get("stages");
            let range = stages.map_or(root.range, |member| member.key_range);
            out.push(Diagnostic::new(
                &FDT003,
                path,
                range,
                "legacy flat workflow format (top-level `name`/`stages`, no `kind`): `flowctl apply` \
                 rejects it because `kind` is required; write `kind: workflow`, \
                 `metadata: {name: ...}` and `spec: {stages: [...]}`",
            ));
        }
        Shape::MissingKind => {
            let range = first_key(root).unwrap_or(root.range);
            out.push(Diagnostic::new(
                &FDT003,
                path,
                range,
                "missing required key `kind`: `flowctl apply` rejects the file; add `kind: workflow`, \
                 `kind: config` or `kind: trigger_rule`",
            ));
        }
        Shape::BadKind => {
            if let Some(kind) = root.get("kind") {
                let found = short(&kind.value);
                let mut diagnostic = Diagnostic::new(
                    &FDT003,
                    path,
                    kind.value.range,
                    format!(
                        "`kind` must be one of \"workflow\", \"config\", \"trigger_rule\"; found {found}: \
                         `flowctl apply` fails with \"Unknown resource kind\""
                    ),
                );
                if let Some(text) = kind.value.as_str()
                    && let Some(fix) = closest(text, &["workflow", "config", "trigger_rule"])
                {
                    diagnostic = diagnostic.with_fix(
                        format!("Replace with `{fix}`"),
                        vec![Edit {
                            range: kind.value.range,
                            new_text: fix.to_string(),
                        }],
                    );
                }
                out.push(diagnostic);
            }
        }
        Shape::Resource(kind) => {
            for error in kind.schema().validate(root) {
                out.push(schema_diagnostic(path, root, kind, &error));
            }
        }
    }
}

fn first_key(root: &Node) -> Option<TextRange> {
    root.as_object()?.first().map(|member| member.key_range)
}

fn short(node: &Node) -> String {
    let text = node.to_json().to_string();
    if text.chars().count() > 60 {
        format!("{}...", text.chars().take(57).collect::<String>())
    } else {
        text
    }
}

/// The keys Flowdapt reads in the object at `path`, for suggestions.
fn known_keys(kind: Kind, path: &[PathSegment]) -> &'static [&'static str] {
    use PathSegment::{Index, Key};
    let keys: Vec<&str> = path
        .iter()
        .map(|segment| match segment {
            Key(key) => key.as_str(),
            Index(_) => "[]",
        })
        .collect();
    match (kind, keys.as_slice()) {
        (_, []) => &["kind", "version", "metadata", "spec"],
        (_, ["metadata"]) => &["name", "annotations", "uid", "created_at", "updated_at"],
        (Kind::Workflow, ["spec"]) => &["stages"],
        (Kind::Workflow, ["spec", "stages", "[]"]) => &[
            "name",
            "target",
            "type",
            "description",
            "version",
            "depends_on",
            "options",
            "resources",
            "priority",
        ],
        (Kind::Config, ["spec"]) => &["selector", "data"],
        (Kind::Config, ["spec", "selector"]) => &["kind", "type", "value"],
        (Kind::TriggerRule, ["spec"]) => &["type", "rule", "action"],
        (Kind::TriggerRule, ["spec", "action"]) => &["target", "parameters"],
        _ => &[],
    }
}

fn consequence(path: &[PathSegment]) -> &'static str {
    match path.first() {
        Some(PathSegment::Key(key)) if key == "kind" || key == "version" => {
            "`flowctl apply` refuses the file"
        }
        Some(PathSegment::Key(key)) if key == "metadata" && path.len() <= 1 => {
            "`flowctl apply` cannot name the resource and the server rejects it"
        }
        _ => "the Flowdapt server rejects the resource (pydantic validation error)",
    }
}

fn schema_diagnostic(path: &Path, root: &Node, kind: Kind, error: &SchemaError) -> Diagnostic {
    if let SchemaErrorKind::Unexpected { property } = &error.kind {
        return unknown_key(path, root, kind, error, property);
    }
    let located = root.lookup(&error.path);
    // `depends_on: name` instead of a list: the most common slip (Flowdapt's own docs).
    if let (Some(PathSegment::Key(last)), Some(found)) = (error.path.last(), located)
        && last == "depends_on"
        && matches!(error.kind, SchemaErrorKind::WrongType { .. })
        && let Value::String(name) = &found.node.value
    {
        return Diagnostic::new(
            &FDT003,
            path,
            found.node.range,
            format!(
                "`{}` must be a list of stage names; found the string \"{name}\": the Flowdapt \
                 server rejects the workflow (pydantic: \"Input should be a valid list\")",
                display_path(&error.path)
            ),
        )
        .with_fix(
            format!("Write `[{name}]`"),
            vec![Edit {
                range: found.node.range,
                new_text: format!("[{name}]"),
            }],
        );
    }
    let mut diagnostic = Diagnostic::new(
        &FDT003,
        path,
        error.range,
        format!("{}: {}", error.message, consequence(&error.path)),
    );
    // A near miss among allowed values gets a fix (`type: parametrized`).
    if let (SchemaErrorKind::NotAllowed { allowed }, Some(found)) = (&error.kind, located)
        && let Some(text) = found.node.as_str()
    {
        let allowed: Vec<String> = allowed
            .iter()
            .filter_map(|a| serde_json::from_str::<String>(a).ok())
            .filter(|a| !a.is_empty())
            .collect();
        let refs: Vec<&str> = allowed.iter().map(String::as_str).collect();
        if let Some(fix) = closest(text, &refs) {
            diagnostic = diagnostic.with_fix(
                format!("Replace with `{fix}`"),
                vec![Edit {
                    range: found.node.range,
                    new_text: fix.to_string(),
                }],
            );
        }
    }
    let _ = kind;
    diagnostic
}

fn unknown_key(
    path: &Path,
    root: &Node,
    kind: Kind,
    error: &SchemaError,
    property: &str,
) -> Diagnostic {
    let parent = &error.path[..error.path.len().saturating_sub(1)];
    let place = if parent.is_empty() {
        "at the top level".to_string()
    } else {
        format!("in `{}`", display_path(parent))
    };
    let candidates = known_keys(kind, parent);
    let present: Vec<&str> = root
        .lookup(parent)
        .and_then(|found| found.node.as_object())
        .map(|members| members.iter().map(|m| m.key.as_str()).collect())
        .unwrap_or_default();
    let suggestion = closest(property, candidates).filter(|s| !present.contains(s));
    let hint = suggestion.map_or(String::new(), |s| format!("; did you mean `{s}`?"));
    let mut diagnostic = Diagnostic::new(
        &FDT004,
        path,
        error.range,
        format!("unknown key `{property}` {place}: Flowdapt ignores it silently{hint}"),
    );
    if let Some(suggestion) = suggestion {
        // Keep the key's quotes, if any.
        let source_len = u32::from(error.range.len()) as usize;
        let quoted = source_len == property.len() + 2;
        let range = if quoted {
            TextRange::new(
                error.range.start() + plugsmith_core::TextSize::new(1),
                error.range.end() - plugsmith_core::TextSize::new(1),
            )
        } else {
            error.range
        };
        diagnostic = diagnostic.with_fix(
            format!("Rename `{property}` to `{suggestion}`"),
            vec![Edit {
                range,
                new_text: suggestion.to_string(),
            }],
        );
    }
    diagnostic
}

/// One stage as the graph and target rules see it (leniently: whatever is usable).
pub struct Stage<'a> {
    pub node: &'a Node,
    pub name: Option<(&'a str, TextRange)>,
    pub target: Option<(&'a str, TextRange)>,
    /// `depends_on` items that are strings.
    pub depends_on: Vec<(&'a str, TextRange)>,
}

/// The stages of a workflow (or of a legacy flat file).
pub fn stages(resource: &Resource) -> Vec<Stage<'_>> {
    let list = match resource.shape {
        Shape::Resource(Kind::Workflow) | Shape::BadKind | Shape::MissingKind => resource
            .root
            .get("spec")
            .and_then(|spec| spec.value.get("stages")),
        Shape::Legacy => resource.root.get("stages"),
        Shape::Resource(_) => None,
    };
    let Some(items) = list.and_then(|member| member.value.as_array()) else {
        return Vec::new();
    };
    items
        .iter()
        .filter(|item| item.as_object().is_some())
        .map(|item| {
            let string = |key: &str| {
                item.get(key)
                    .and_then(|m| m.value.as_str().map(|s| (s, m.value.range)))
            };
            let depends_on = item
                .get("depends_on")
                .and_then(|m| m.value.as_array())
                .map(|deps| {
                    deps.iter()
                        .filter_map(|d| d.as_str().map(|s| (s, d.range)))
                        .collect()
                })
                .unwrap_or_default();
            Stage {
                node: item,
                name: string("name"),
                target: string("target"),
                depends_on,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_schemas_compile() {
        for source in [
            WORKFLOW_SCHEMA_SOURCE,
            CONFIG_SCHEMA_SOURCE,
            TRIGGER_SCHEMA_SOURCE,
        ] {
            assert!(Schema::compile(source).is_ok());
        }
    }
}
