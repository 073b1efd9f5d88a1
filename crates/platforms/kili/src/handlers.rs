//! The `PluginHandler` class as Kili's upload scan sees it
//! (`kili/services/plugins/upload.py`, `check_file_contains_handler`): the first top-level
//! `class PluginHandler` of the module body, and the methods defined directly in its body.

use plugsmith_core::syntax::python::PythonFile;
use tree_sitter::Node;

use crate::py;

/// The legacy handlers the upload recognises (kili 26.2: `POSSIBLE_HANDLERS`), with the
/// positional arguments Kili calls them with.
pub const LEGACY_HANDLERS: &[(&str, &[&str])] = &[
    ("on_submit", &["label", "asset_id"]),
    ("on_review", &["label", "asset_id"]),
    ("on_custom_interface_click", &["label", "asset_id"]),
    ("on_send_back_to_queue", &["asset_id"]),
];

/// The arguments Kili calls `on_event` with.
pub const ON_EVENT_ARGS: &[&str] = &["payload"];

/// The name of the class Kili looks for.
pub const HANDLER_CLASS: &str = "PluginHandler";

/// One method defined directly in the class body.
#[derive(Clone, Copy, Debug)]
pub struct Method<'t> {
    /// The statement: a `decorated_definition` or the `function_definition` itself.
    pub statement: Node<'t>,
    /// The `function_definition`.
    pub function: Node<'t>,
}

impl<'t> Method<'t> {
    pub fn name<'f>(&self, file: &'f PythonFile) -> &'f str {
        py::name_of(file, self.function)
    }

    pub fn is_async(&self) -> bool {
        py::is_async(self.function)
    }

    pub fn decorators(&self) -> Vec<Node<'t>> {
        py::decorators(self.statement)
    }
}

/// The first top-level `class PluginHandler` (decorated or not): the one the upload reads.
pub fn top_level_handler(file: &PythonFile) -> Option<Node<'_>> {
    py::statements(file.root())
        .into_iter()
        .map(py::definition)
        .find(|node| is_handler_class(file, *node))
}

/// Every `class PluginHandler` that is not at the top level of the module (inside `if`,
/// `try`, a function, ...), with the kind of the statement that holds it.
pub fn nested_handlers(file: &PythonFile) -> Vec<(Node<'_>, &'static str)> {
    let keep = |node: Node<'_>| is_handler_class(file, node);
    let descend = |node: Node<'_>| !node.kind().ends_with("expression") && node.kind() != "string";
    py::find_descendants(file.root(), &keep, &descend)
        .into_iter()
        .filter(|class| !is_top_level(*class))
        .map(|class| (class, container_of(class)))
        .collect()
}

fn is_handler_class(file: &PythonFile, node: Node<'_>) -> bool {
    node.kind() == "class_definition" && py::name_of(file, node) == HANDLER_CLASS
}

fn is_top_level(class: Node<'_>) -> bool {
    let parent = class.parent();
    let parent = match parent {
        Some(p) if p.kind() == "decorated_definition" => p.parent(),
        other => other,
    };
    parent.is_some_and(|p| p.kind() == "module")
}

/// Words for the statement that holds a nested class.
fn container_of(class: Node<'_>) -> &'static str {
    let mut current = class.parent();
    while let Some(node) = current {
        let words = match node.kind() {
            "if_statement" | "elif_clause" => "an `if` block",
            "try_statement" | "except_clause" | "finally_clause" => "a `try` block",
            "with_statement" => "a `with` block",
            "for_statement" | "while_statement" => "a loop",
            "function_definition" => "a function",
            "class_definition" => "another class",
            "module" => "a block",
            _ => "",
        };
        if !words.is_empty() {
            return words;
        }
        current = node.parent();
    }
    "a block"
}

/// The methods defined directly in the class body (not under `if`, not nested).
pub fn methods<'t>(class: Node<'t>) -> Vec<Method<'t>> {
    let Some(body) = class.child_by_field_name("body") else {
        return Vec::new();
    };
    py::statements(body)
        .into_iter()
        .filter_map(|statement| {
            let function = py::definition(statement);
            (function.kind() == "function_definition").then_some(Method {
                statement,
                function,
            })
        })
        .collect()
}

/// The base-class expressions of a class (keyword arguments such as `metaclass=` excluded).
pub fn bases<'t>(class: Node<'t>) -> Vec<Node<'t>> {
    class
        .child_by_field_name("superclasses")
        .map(py::named_children)
        .unwrap_or_default()
        .into_iter()
        .filter(|base| !matches!(base.kind(), "keyword_argument" | "comment"))
        .collect()
}

/// Whether the class derives from `PluginCore`: `Some(true)` through a base named
/// `PluginCore` (plain or dotted) or a class of the same module that does; `Some(false)` when
/// every base is known not to; `None` when a base comes from elsewhere.
pub fn derives_from_plugin_core(file: &PythonFile, class: Node<'_>) -> Option<bool> {
    derives(file, class, 0)
}

fn derives(file: &PythonFile, class: Node<'_>, depth: usize) -> Option<bool> {
    if depth > 16 {
        return None;
    }
    let mut unknown = false;
    for base in bases(class) {
        let text = py::compact_text(file, base);
        if text.rsplit('.').next() == Some("PluginCore") {
            return Some(true);
        }
        if text == "object" {
            continue;
        }
        let local = (base.kind() == "identifier")
            .then(|| top_level_class(file, &text))
            .flatten()
            .filter(|local| local.id() != class.id());
        match local.map(|local| derives(file, local, depth + 1)) {
            Some(Some(true)) => return Some(true),
            Some(Some(false)) => {}
            _ => unknown = true,
        }
    }
    if unknown { None } else { Some(false) }
}

/// The first top-level class of the module named `name`.
pub fn top_level_class<'f>(file: &'f PythonFile, name: &str) -> Option<Node<'f>> {
    py::statements(file.root())
        .into_iter()
        .map(py::definition)
        .find(|node| node.kind() == "class_definition" && py::name_of(file, *node) == name)
}
