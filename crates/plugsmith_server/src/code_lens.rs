//! Code lenses that run a plugin: "Run on_submit locally" above each entry point.
//!
//! Computed from what the analysis already holds (the workspace's cached tree-sitter trees,
//! the detected plugins and the paths their checks read); pure, no IO of its own, and nothing
//! is run: a lens only carries the arguments of [`crate::run::RUN_COMMAND`], executed when the
//! user clicks it.
//!
//! | platform    | file                                   | lens on                               |
//! |-------------|----------------------------------------|---------------------------------------|
//! | Kili        | the entry file (`main.py`, single file) | `PluginHandler`'s legacy handlers and `@on_kili_event` methods |
//! | Panoptes    | the `.panoptes-plugin` info file        | its first line                        |
//! | Panoptes    | the module the info file names          | `run` of each top-level class         |
//! | ArchiHub    | a Python file of the package            | `ExtendedPluginClass.bulk`            |
//! | Flowdapt    | each workflow file (`kind: workflow`)   | its first line (`--workflow`)         |
//! | Supervisely | `src/main.py`, `src/train.py`, `src/inference.py` | the first line (the mode)   |
//!
//! Kili events: a legacy handler runs its event (`on_submit` → `submit`). An `@on_kili_event`
//! method runs the subject given to the decorator as a string, else the first concrete
//! `kili_events` model of its event parameter's annotation (`AssetSkippedEvent` →
//! `asset.skipped`; for a family such as `AssetEvent` or `AnyEvent`, the first model of the
//! runner's catalog matching its pattern that reaches plugins). When none is found the lens
//! carries no event and the runner picks its default (the first legacy handler, else the first
//! decorated method's annotation).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use plugsmith_check::CheckedPlugin;
use plugsmith_core::syntax::python::PythonFile;
use plugsmith_core::syntax::yaml;
use plugsmith_core::{Files, TextRange, TextSize};
use serde_json::{Map, Value};
use tree_sitter::Node;

use crate::run::RUN_COMMAND;

/// Kili's legacy handlers and the runner's event for each.
pub const KILI_HANDLERS: &[(&str, &str)] = &[
    ("on_submit", "submit"),
    ("on_review", "review"),
    ("on_custom_interface_click", "custom_interface_click"),
    ("on_send_back_to_queue", "send_back_to_queue"),
];

/// Supervisely's scripts (`src/<mode>.py`) and their titles.
const SUPERVISELY_MODES: &[(&str, &str)] = &[
    ("main", "Run plugin locally"),
    ("train", "Run train locally"),
    ("inference", "Run inference locally"),
];

/// One lens: where, its title, and the single argument of [`RUN_COMMAND`].
#[derive(Clone, Debug, PartialEq)]
pub struct Lens {
    /// Byte range in the file, on one line (the definition's first line).
    pub range: TextRange,
    /// "Run on_submit locally".
    pub title: String,
    /// `{path, event?, workflow?, platform}`.
    pub argument: Value,
}

impl Lens {
    /// The command the lens runs.
    pub fn command(&self) -> tower_lsp_server::ls_types::Command {
        tower_lsp_server::ls_types::Command {
            title: self.title.clone(),
            command: RUN_COMMAND.to_string(),
            arguments: Some(vec![self.argument.clone()]),
        }
    }
}

/// The argument object of a lens.
fn argument(platform: &str, path: &Path, event: Option<&str>, workflow: Option<&Path>) -> Value {
    let mut object = Map::new();
    object.insert("path".into(), Value::from(path.display().to_string()));
    if let Some(event) = event {
        object.insert("event".into(), Value::from(event));
    }
    if let Some(workflow) = workflow {
        object.insert(
            "workflow".into(),
            Value::from(workflow.display().to_string()),
        );
    }
    object.insert("platform".into(), Value::from(platform));
    Value::Object(object)
}

/// The lenses of `path` given the plugins whose check read it or whose root contains it.
pub fn lenses(files: &Files<'_>, path: &Path, plugins: &[&CheckedPlugin]) -> Vec<Lens> {
    let mut out: Vec<Lens> = Vec::new();
    let is_python = path.extension().is_some_and(|ext| ext == "py");
    // A workflow inside a Flowdapt project runs with the project's root on the path: prefer
    // the project over the workflow file's own plugin.
    let flowdapt_project = plugins
        .iter()
        .filter(|checked| checked.plugin.platform == "flowdapt" && checked.plugin.root != path)
        .map(|checked| &checked.plugin.root)
        .filter(|root| path.starts_with(root))
        .max_by_key(|root| root.as_os_str().len());
    for checked in plugins {
        let plugin = &checked.plugin;
        let is_entry = plugin.entry.as_deref() == Some(path);
        match plugin.platform {
            "kili" if is_entry && is_python => {
                if let Ok(file) = files.python(path) {
                    out.extend(kili(&file, &plugin.root));
                }
            }
            "panoptes" if is_entry => {
                if let Ok(text) = files.read(path) {
                    out.push(Lens {
                        range: first_line(&text),
                        title: "Run plugin locally".into(),
                        argument: argument("panoptes", &plugin.root, None, None),
                    });
                }
            }
            "panoptes" if is_python && checked.inputs.contains(path) => {
                if let Ok(file) = files.python(path) {
                    out.extend(panoptes_module(&file, &plugin.root));
                }
            }
            "archihub" if is_python && path.starts_with(&plugin.root) => {
                if let Ok(file) = files.python(path) {
                    out.extend(archihub(&file, &plugin.root));
                }
            }
            "flowdapt" if is_yaml(path) => {
                let Ok(text) = files.read(path) else {
                    continue;
                };
                if !is_workflow(&text) {
                    continue;
                }
                let (run_path, workflow) = match flowdapt_project {
                    Some(project) => (project.as_path(), Some(path)),
                    None => (path, None),
                };
                out.push(Lens {
                    range: first_line(&text),
                    title: "Run workflow locally".into(),
                    argument: argument("flowdapt", run_path, None, workflow),
                });
            }
            "supervisely" if is_python => {
                if let Some(lens) = supervisely(files, path, &plugin.root) {
                    out.push(lens);
                }
            }
            _ => {}
        }
    }
    out.sort_by(|a, b| {
        (a.range.start(), &a.title, a.argument.to_string()).cmp(&(
            b.range.start(),
            &b.title,
            b.argument.to_string(),
        ))
    });
    out.dedup_by(|a, b| a.range == b.range && a.title == b.title);
    out
}

fn is_yaml(path: &Path) -> bool {
    path.extension()
        .and_then(|ext| ext.to_str())
        .is_some_and(|ext| matches!(ext, "yaml" | "yml" | "json"))
}

/// Whether a resource file's first document is a Flowdapt workflow (`kind: workflow`).
pub fn is_workflow(text: &str) -> bool {
    let Ok(documents) = yaml::parse_documents(text) else {
        return false;
    };
    documents.first().is_some_and(|document| {
        document
            .get("kind")
            .and_then(|kind| kind.value.as_str())
            .is_some_and(|kind| kind.eq_ignore_ascii_case("workflow"))
    })
}

/// The first line of a text (without its line break), where file-wide lenses go.
pub fn first_line(text: &str) -> TextRange {
    let end = text.find(['\r', '\n']).unwrap_or(text.len());
    TextRange::new(TextSize::new(0), offset(end))
}

fn offset(bytes: usize) -> TextSize {
    TextSize::new(u32::try_from(bytes).unwrap_or(u32::MAX))
}

/// The first line of a definition, decorators included (a lens shows above its range's
/// line: above the decorators, not between them and the `def`).
fn definition_line(file: &PythonFile, node: Node<'_>) -> TextRange {
    let start = node.start_byte();
    let rest = file.text.get(start..).unwrap_or("");
    let end = start + rest.find(['\r', '\n']).unwrap_or(rest.len());
    TextRange::new(offset(start), offset(end))
}

/// A class or function body statement unwrapped from its decorators: (definition, outer node).
fn definition(node: Node<'_>) -> Option<(Node<'_>, Node<'_>)> {
    match node.kind() {
        "function_definition" | "class_definition" => Some((node, node)),
        "decorated_definition" => node
            .child_by_field_name("definition")
            .map(|inner| (inner, node)),
        _ => None,
    }
}

fn named_children(node: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor).collect()
}

fn name<'f>(file: &'f PythonFile, definition: Node<'_>) -> &'f str {
    definition
        .child_by_field_name("name")
        .map_or("", |name| file.text_of(name))
}

/// Top-level classes (also under `if`/`try`, as the module body runs them): (class, outer).
fn top_level_classes(file: &PythonFile) -> Vec<(Node<'_>, Node<'_>)> {
    let mut out = Vec::new();
    collect_classes(file.root(), &mut out, 0);
    out
}

fn collect_classes<'t>(block: Node<'t>, out: &mut Vec<(Node<'t>, Node<'t>)>, depth: usize) {
    if depth > 8 {
        return;
    }
    for statement in named_children(block) {
        match statement.kind() {
            "if_statement" | "try_statement" | "with_statement" | "else_clause" | "elif_clause"
            | "except_clause" | "finally_clause" | "block" => {
                collect_classes(statement, out, depth + 1);
            }
            _ => {
                if let Some((inner, outer)) = definition(statement)
                    && inner.kind() == "class_definition"
                {
                    out.push((inner, outer));
                }
            }
        }
    }
}

/// The methods of a class: (function_definition, outer node with decorators).
fn methods(class: Node<'_>) -> Vec<(Node<'_>, Node<'_>)> {
    let Some(body) = class.child_by_field_name("body") else {
        return Vec::new();
    };
    named_children(body)
        .into_iter()
        .filter_map(definition)
        .filter(|(inner, _)| inner.kind() == "function_definition")
        .collect()
}

/// Kili: lenses on `PluginHandler`'s handlers; `root` is what the runner is given.
pub fn kili(file: &PythonFile, root: &Path) -> Vec<Lens> {
    let mut out = Vec::new();
    for (class, _) in top_level_classes(file) {
        if name(file, class) != "PluginHandler" {
            continue;
        }
        for (method, outer) in methods(class) {
            let method_name = name(file, method);
            let range = definition_line(file, outer);
            if let Some((handler, event)) = KILI_HANDLERS.iter().find(|(h, _)| *h == method_name) {
                out.push(Lens {
                    range,
                    title: format!("Run {handler} locally"),
                    argument: argument("kili", root, Some(event), None),
                });
                continue;
            }
            let Some(decorator) = kili_event_decorator(file, outer) else {
                continue;
            };
            let subject =
                decorator_subject(file, decorator).or_else(|| annotation_subject(file, method));
            let title = match &subject {
                Some(subject) => format!("Run {method_name} locally ({subject})"),
                None => format!("Run {method_name} locally"),
            };
            out.push(Lens {
                range,
                title,
                argument: argument("kili", root, subject.as_deref(), None),
            });
        }
    }
    out
}

/// The `@on_kili_event` / `@on_kili_event(...)` / `@x.on_kili_event` decorator of a method.
fn kili_event_decorator<'t>(file: &PythonFile, outer: Node<'t>) -> Option<Node<'t>> {
    if outer.kind() != "decorated_definition" {
        return None;
    }
    named_children(outer)
        .into_iter()
        .filter(|child| child.kind() == "decorator")
        .find_map(|decorator| {
            let expression = named_children(decorator).into_iter().next()?;
            let callee = if expression.kind() == "call" {
                expression.child_by_field_name("function")?
            } else {
                expression
            };
            let text = file.text_of(callee);
            let last = text.rsplit('.').next().unwrap_or(text).trim();
            (last == "on_kili_event").then_some(expression)
        })
}

/// `@on_kili_event("asset.skipped")` or `@on_kili_event(event="asset.skipped")`.
fn decorator_subject(file: &PythonFile, expression: Node<'_>) -> Option<String> {
    if expression.kind() != "call" {
        return None;
    }
    let arguments = expression.child_by_field_name("arguments")?;
    named_children(arguments).into_iter().find_map(|argument| {
        let value = match argument.kind() {
            "keyword_argument" => argument.child_by_field_name("value")?,
            _ => argument,
        };
        string_value(file, value).filter(|s| !s.is_empty())
    })
}

/// The text of a plain string literal (no f-string, no concatenation).
fn string_value(file: &PythonFile, node: Node<'_>) -> Option<String> {
    if node.kind() != "string" {
        return None;
    }
    let mut content = String::new();
    for child in named_children(node) {
        match child.kind() {
            "string_start" | "string_end" => {}
            "string_content" => content.push_str(file.text_of(child)),
            _ => return None,
        }
    }
    Some(content)
}

/// The subject of the first concrete `kili_events` model named in the annotation of the
/// method's event parameter (the first parameter after `self`).
fn annotation_subject(file: &PythonFile, method: Node<'_>) -> Option<String> {
    let parameters = method.child_by_field_name("parameters")?;
    let parameter = named_children(parameters).into_iter().nth(1)?;
    let annotation = parameter.child_by_field_name("type")?;
    let mut names = Vec::new();
    annotation_names(file, annotation, &mut names, 0);
    names.iter().find_map(|name| subject_of(name))
}

/// Every model-like name in an annotation, in source order: identifiers, the last part of
/// dotted names, and names inside string annotations.
fn annotation_names(file: &PythonFile, node: Node<'_>, out: &mut Vec<String>, depth: usize) {
    if depth > 32 {
        return;
    }
    match node.kind() {
        "identifier" => out.push(file.text_of(node).to_string()),
        "attribute" => {
            if let Some(attribute) = node.child_by_field_name("attribute") {
                out.push(file.text_of(attribute).to_string());
            }
        }
        "string" => {
            if let Some(text) = string_value(file, node) {
                out.extend(
                    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                        .filter(|word| !word.is_empty())
                        .map(str::to_string),
                );
            }
        }
        _ => {
            for child in named_children(node) {
                annotation_names(file, child, out, depth + 1);
            }
        }
    }
}

/// The runner's `kili_events` catalog.
struct Catalog {
    /// Model → subject.
    models: BTreeMap<String, String>,
    /// (subject, reaches plugins), in catalog order.
    subjects: Vec<(String, bool)>,
    /// Family → pattern (`AnyEvent` → `*`).
    families: BTreeMap<String, String>,
}

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    let value: Value = serde_json::from_str(plugsmith_runner::KILI_EVENTS).unwrap_or(Value::Null);
    let mut catalog = Catalog {
        models: BTreeMap::new(),
        subjects: Vec::new(),
        families: BTreeMap::from([("AnyEvent".to_string(), "*".to_string())]),
    };
    if let Some(models) = value.get("models").and_then(Value::as_object) {
        for (model, entry) in models {
            if let Some(subject) = entry.get("subject").and_then(Value::as_str) {
                let reaches = entry
                    .get("reaches_plugins")
                    .and_then(Value::as_bool)
                    .unwrap_or(true);
                catalog.models.insert(model.clone(), subject.to_string());
                catalog.subjects.push((subject.to_string(), reaches));
            }
        }
    }
    if let Some(families) = value.get("families").and_then(Value::as_object) {
        for (family, entry) in families {
            if let Some(pattern) = entry.get("pattern").and_then(Value::as_str) {
                catalog.families.insert(family.clone(), pattern.to_string());
            }
        }
    }
    catalog
});

/// The subject a model name stands for; for a family, its first matching subject that
/// reaches plugins.
fn subject_of(name: &str) -> Option<String> {
    let catalog = &*CATALOG;
    if let Some(subject) = catalog.models.get(name) {
        return Some(subject.clone());
    }
    let pattern = catalog.families.get(name)?;
    catalog
        .subjects
        .iter()
        .find(|(subject, reaches)| *reaches && glob(pattern, subject))
        .map(|(subject, _)| subject.clone())
}

/// `fnmatch` with `*` only (the catalog's patterns): `*` matches any run of characters.
fn glob(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let Some(first) = parts.next() else {
        return text.is_empty();
    };
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    if parts.is_empty() {
        return rest.is_empty();
    }
    for (index, part) in parts.iter().enumerate() {
        if index == parts.len() - 1 {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// Panoptes: a lens on `run` of each top-level class of the plugin's module; `info` is the
/// info file the runner is given.
pub fn panoptes_module(file: &PythonFile, info: &Path) -> Vec<Lens> {
    top_level_classes(file)
        .into_iter()
        .flat_map(|(class, _)| methods(class))
        .filter(|(method, _)| name(file, *method) == "run")
        .map(|(_, outer)| Lens {
            range: definition_line(file, outer),
            title: "Run plugin locally".into(),
            argument: argument("panoptes", info, None, None),
        })
        .collect()
}

/// ArchiHub: a lens on `ExtendedPluginClass.bulk` (the task the runner runs by default).
pub fn archihub(file: &PythonFile, root: &Path) -> Vec<Lens> {
    top_level_classes(file)
        .into_iter()
        .filter(|(class, _)| name(file, *class) == "ExtendedPluginClass")
        .flat_map(|(class, _)| methods(class))
        .filter(|(method, _)| name(file, *method) == "bulk")
        .map(|(_, outer)| Lens {
            range: definition_line(file, outer),
            title: "Run bulk locally".into(),
            argument: argument("archihub", root, Some("bulk"), None),
        })
        .collect()
}

/// Supervisely: the first line of `<root>/src/<mode>.py`.
fn supervisely(files: &Files<'_>, path: &Path, root: &Path) -> Option<Lens> {
    let (mode, title) = SUPERVISELY_MODES
        .iter()
        .find(|(mode, _)| path == supervisely_script(root, mode))?;
    let text = files.read(path).ok()?;
    Some(Lens {
        range: first_line(&text),
        title: (*title).to_string(),
        argument: argument("supervisely", root, Some(mode), None),
    })
}

fn supervisely_script(root: &Path, mode: &str) -> PathBuf {
    root.join("src").join(format!("{mode}.py"))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::sync::Arc;

    use plugsmith_core::syntax::python;
    use plugsmith_core::workspace::MemoryFileSystem;
    use plugsmith_core::{Plugin, Workspace};

    use super::*;

    fn parse(text: &str) -> PythonFile {
        python::parse(Arc::from(text))
    }

    fn line_of(text: &str, lens: &Lens) -> usize {
        text[..usize::from(lens.range.start())]
            .matches('\n')
            .count()
    }

    fn range_text<'t>(text: &'t str, lens: &Lens) -> &'t str {
        &text[usize::from(lens.range.start())..usize::from(lens.range.end())]
    }

    const KILI: &str = "\
from kili.plugins import PluginCore, on_kili_event
from kili_events import AssetEvent, AssetSkippedEvent, LabelWorkflowValidatedEvent
from typing import Union


class Helper:
    def on_submit(self, label, asset_id):
        pass


class PluginHandler(PluginCore):
    def on_submit(self, label, asset_id):
        self.kili.send_back_to_queue(asset_ids=[asset_id])

    async def on_review(self, label, asset_id):
        pass

    def on_send_back_to_queue(self, asset_id):
        pass

    def helper(self):
        pass

    @on_kili_event
    def skipped(self, event: AssetSkippedEvent):
        pass

    @on_kili_event
    def either(self, event: Union[\"LabelWorkflowValidatedEvent\", AssetSkippedEvent]):
        pass

    @on_kili_event
    def family(self, event: kili_events.AssetEvent):
        pass

    @on_kili_event(\"asset.skipped\")
    def by_name(self, event):
        pass

    @on_kili_event
    def untyped(self, event):
        pass
";

    #[test]
    fn kili_lenses_on_legacy_handlers_and_event_methods() {
        let file = parse(KILI);
        let lenses = kili(&file, Path::new("/ws/kili"));
        let summary: Vec<(usize, String, Value)> = lenses
            .iter()
            .map(|lens| {
                (
                    line_of(KILI, lens),
                    lens.title.clone(),
                    lens.argument.clone(),
                )
            })
            .collect();
        let arg = |event: Option<&str>| {
            let mut object = serde_json::json!({"path": "/ws/kili"});
            if let Some(event) = event {
                object["event"] = Value::from(event);
            }
            object["platform"] = Value::from("kili");
            object
        };
        let first_family_subject = CATALOG
            .subjects
            .iter()
            .find(|(subject, reaches)| *reaches && subject.starts_with("asset."))
            .map(|(subject, _)| subject.clone())
            .unwrap();
        assert_eq!(
            summary,
            vec![
                (11, "Run on_submit locally".into(), arg(Some("submit"))),
                (14, "Run on_review locally".into(), arg(Some("review"))),
                (
                    17,
                    "Run on_send_back_to_queue locally".into(),
                    arg(Some("send_back_to_queue"))
                ),
                (
                    23,
                    "Run skipped locally (asset.skipped)".into(),
                    arg(Some("asset.skipped"))
                ),
                (
                    27,
                    "Run either locally (label.workflow.validated)".into(),
                    arg(Some("label.workflow.validated"))
                ),
                (
                    31,
                    format!("Run family locally ({first_family_subject})"),
                    arg(Some(&first_family_subject))
                ),
                (
                    35,
                    "Run by_name locally (asset.skipped)".into(),
                    arg(Some("asset.skipped"))
                ),
                (39, "Run untyped locally".into(), arg(None)),
            ]
        );
        // A lens spans its definition's first line, decorators first.
        assert_eq!(
            range_text(KILI, &lenses[0]),
            "def on_submit(self, label, asset_id):"
        );
        assert_eq!(range_text(KILI, &lenses[3]), "@on_kili_event");
    }

    #[test]
    fn kili_without_plugin_handler_or_with_broken_code_has_no_lenses() {
        assert!(
            kili(
                &parse("class Other:\n    def on_submit(self): pass\n"),
                Path::new("/p")
            )
            .is_empty()
        );
        assert!(kili(&parse("class PluginHandler(\n"), Path::new("/p")).is_empty());
        assert!(kili(&parse(""), Path::new("/p")).is_empty());
        // Under `if`/`try` the class is still defined at import.
        let text = "try:\n    import x\nexcept ImportError:\n    pass\nif True:\n    class PluginHandler:\n        def on_review(self, l, a): pass\n";
        let lenses = kili(&parse(text), Path::new("/p"));
        assert_eq!(lenses.len(), 1);
        assert_eq!(line_of(text, &lenses[0]), 6);
    }

    #[test]
    fn catalog_subjects_and_globs() {
        assert_eq!(
            subject_of("AssetSkippedEvent").as_deref(),
            Some("asset.skipped")
        );
        assert!(subject_of("AnyEvent").is_some());
        assert_eq!(subject_of("NotAnEvent"), None);
        assert!(glob("asset.*", "asset.skipped"));
        assert!(glob("*", "x"));
        assert!(glob("a.*.c", "a.b.c"));
        assert!(!glob("asset.*", "label.created"));
        assert!(!glob("asset", "asset.x"));
    }

    #[test]
    fn panoptes_and_archihub_lenses() {
        let module = "\
from yahoo_panoptes.polling.polling_plugin import PanoptesPollingPlugin


class P(PanoptesPollingPlugin):
    def helper(self):
        pass

    def run(self, context):
        return None
";
        let lenses = panoptes_module(&parse(module), Path::new("/ws/pan/x.panoptes-plugin"));
        assert_eq!(lenses.len(), 1);
        assert_eq!(line_of(module, &lenses[0]), 7);
        assert_eq!(lenses[0].title, "Run plugin locally");
        assert_eq!(
            lenses[0].argument,
            serde_json::json!({"path": "/ws/pan/x.panoptes-plugin", "platform": "panoptes"})
        );

        let package = "\
from app.utils.PluginClass import PluginClass

plugin_info = {'name': 'x'}


class ExtendedPluginClass(PluginClass):
    @shared_task(ignore_result=False, name='x.bulk')
    def bulk(body, user):
        return 'ok'

    def other(body, user):
        pass
";
        let lenses = archihub(&parse(package), Path::new("/ws/app/plugins/x"));
        assert_eq!(lenses.len(), 1);
        assert_eq!(line_of(package, &lenses[0]), 6);
        assert_eq!(lenses[0].title, "Run bulk locally");
        assert_eq!(
            lenses[0].argument,
            serde_json::json!({"path": "/ws/app/plugins/x", "event": "bulk", "platform": "archihub"})
        );
    }

    #[test]
    fn workflows_are_recognised_by_kind() {
        assert!(is_workflow("kind: workflow\nmetadata:\n  name: wf\n"));
        assert!(is_workflow("{\"kind\": \"workflow\"}"));
        assert!(!is_workflow("kind: config\n"));
        assert!(!is_workflow("stages: [build]\n"));
        assert!(!is_workflow(":\n  - ["));
        assert_eq!(
            first_line("kind: workflow\r\nx: 1\n"),
            TextRange::new(0.into(), 14.into())
        );
        assert_eq!(first_line(""), TextRange::new(0.into(), 0.into()));
    }

    fn checked(plugin: Plugin, inputs: &[&str]) -> CheckedPlugin {
        CheckedPlugin {
            inputs: inputs.iter().map(PathBuf::from).collect::<BTreeSet<_>>(),
            plugin,
            diagnostics: Vec::new(),
        }
    }

    #[test]
    fn lenses_per_file_of_each_platform() {
        let mut fs = MemoryFileSystem::new();
        fs.insert("/ws/kili/main.py", KILI);
        fs.insert(
            "/ws/kili/helpers.py",
            "class PluginHandler:\n    def on_submit(self, l, a): pass\n",
        );
        fs.insert(
            "/ws/pan/x.panoptes-plugin",
            "[Core]\nName = x\nModule = mod\n",
        );
        fs.insert(
            "/ws/pan/mod.py",
            "class P:\n    def run(self, context):\n        pass\n",
        );
        fs.insert("/ws/fdt/pyproject.toml", "[project]\nname = 'p'\n");
        fs.insert(
            "/ws/fdt/workflows/wf.yaml",
            "kind: workflow\nmetadata:\n  name: wf\n",
        );
        fs.insert("/ws/fdt/workflows/cfg.yaml", "kind: config\n");
        fs.insert("/ws/lone.yaml", "kind: workflow\nspec: {}\n");
        fs.insert("/ws/sly/plugin_info.json", "{}");
        fs.insert("/ws/sly/src/main.py", "import supervisely as sly\n");
        fs.insert("/ws/sly/src/util.py", "x = 1\n");
        let workspace = Workspace::from_memory(fs);
        let files = workspace.files();
        let kili = checked(
            Plugin::new("kili", "/ws/kili", Some("/ws/kili/main.py".into())),
            &["/ws/kili/main.py", "/ws/kili/helpers.py"],
        );
        let pan = checked(
            Plugin::new(
                "panoptes",
                "/ws/pan/x.panoptes-plugin",
                Some("/ws/pan/x.panoptes-plugin".into()),
            ),
            &["/ws/pan/x.panoptes-plugin", "/ws/pan/mod.py"],
        );
        let fdt = checked(
            Plugin::new("flowdapt", "/ws/fdt", Some("/ws/fdt/pyproject.toml".into())),
            &["/ws/fdt/pyproject.toml", "/ws/fdt/workflows/wf.yaml"],
        );
        let fdt_file = checked(
            Plugin::new(
                "flowdapt",
                "/ws/fdt/workflows/wf.yaml",
                Some("/ws/fdt/workflows/wf.yaml".into()),
            ),
            &["/ws/fdt/workflows/wf.yaml"],
        );
        let lone = checked(
            Plugin::new("flowdapt", "/ws/lone.yaml", Some("/ws/lone.yaml".into())),
            &["/ws/lone.yaml"],
        );
        let sly = checked(
            Plugin::new(
                "supervisely",
                "/ws/sly",
                Some("/ws/sly/plugin_info.json".into()),
            ),
            &["/ws/sly/plugin_info.json"],
        );
        let titles = |path: &str, plugins: &[&CheckedPlugin]| -> Vec<(String, Value)> {
            lenses(&files, Path::new(path), plugins)
                .into_iter()
                .map(|lens| (lens.title, lens.argument))
                .collect()
        };

        assert_eq!(titles("/ws/kili/main.py", &[&kili]).len(), 8);
        // Only the entry file's PluginHandler is what Kili runs.
        assert!(titles("/ws/kili/helpers.py", &[&kili]).is_empty());

        assert_eq!(
            titles("/ws/pan/x.panoptes-plugin", &[&pan]),
            vec![(
                "Run plugin locally".into(),
                serde_json::json!({"path": "/ws/pan/x.panoptes-plugin", "platform": "panoptes"})
            )]
        );
        assert_eq!(titles("/ws/pan/mod.py", &[&pan]).len(), 1);

        // A workflow of a project runs with the project as PATH and the file as --workflow,
        // once even though it is also a plugin of its own.
        assert_eq!(
            titles("/ws/fdt/workflows/wf.yaml", &[&fdt, &fdt_file]),
            vec![(
                "Run workflow locally".into(),
                serde_json::json!({"path": "/ws/fdt", "workflow": "/ws/fdt/workflows/wf.yaml", "platform": "flowdapt"})
            )]
        );
        assert!(titles("/ws/fdt/workflows/cfg.yaml", &[&fdt]).is_empty());
        assert_eq!(
            titles("/ws/lone.yaml", &[&lone]),
            vec![(
                "Run workflow locally".into(),
                serde_json::json!({"path": "/ws/lone.yaml", "platform": "flowdapt"})
            )]
        );

        assert_eq!(
            titles("/ws/sly/src/main.py", &[&sly]),
            vec![(
                "Run plugin locally".into(),
                serde_json::json!({"path": "/ws/sly", "event": "main", "platform": "supervisely"})
            )]
        );
        assert!(titles("/ws/sly/src/util.py", &[&sly]).is_empty());
        assert!(titles("/ws/nothing.py", &[]).is_empty());
    }
}
