//! KIL011: `print(...)` inside a handler. On premise Kili keeps only what the plugin logs with
//! `self.logger`; `print` output is not saved (`docs/sdk/plugins.md`, research/platforms.md 1.3).

use plugsmith_core::syntax::python::{PythonFile, range_of};
use plugsmith_core::{Diagnostic, Edit};
use tree_sitter::Node;

use crate::handlers::Method;
use crate::{KIL011, py};

const PRINT: &str = "print";
const LOGGER_CALL: &str = "self.logger.info";

/// KIL011 for every call of the builtin `print` in the body of `method` (a handler).
///
/// `logger_certain` says whether the class is known to derive from `PluginCore`, the only case
/// where `self.logger` exists and the `Fix` may use it.
pub fn kil011(
    path: &std::path::Path,
    file: &PythonFile,
    method: &Method<'_>,
    logger_certain: bool,
) -> Vec<Diagnostic> {
    if binds_print(file) {
        return Vec::new();
    }
    let Some(body) = method.function.child_by_field_name("body") else {
        return Vec::new();
    };
    let name = method.name(file);
    let self_first = first_parameter(method.function).is_some_and(|p| file.text_of(p) == "self");
    let keep = |node: Node<'_>| {
        node.kind() == "call"
            && node
                .child_by_field_name("function")
                .is_some_and(|f| f.kind() == "identifier" && file.text_of(f) == PRINT)
    };
    // Nested classes are not run by the handler; nested functions and lambdas usually are.
    let descend = |node: Node<'_>| node.kind() != "class_definition";
    py::find_descendants(body, &keep, &descend)
        .into_iter()
        .filter_map(|call| {
            let function = call.child_by_field_name("function")?;
            let diagnostic = Diagnostic::new(
                &KIL011,
                path,
                range_of(function),
                format!(
                    "`print` in the handler `{name}`: on premise Kili keeps only what the plugin \
                     logs with `self.logger` (what `kili.get_plugin_logs` returns), so this \
                     output is lost. Log with `self.logger.info(...)`."
                ),
            );
            let certain = logger_certain
                && self_first
                && single_argument(call)
                && !nested(call, method.function);
            Some(if certain {
                diagnostic.with_fix(
                    format!("Replace `print` with `{LOGGER_CALL}`"),
                    vec![Edit {
                        range: range_of(function),
                        new_text: LOGGER_CALL.to_string(),
                    }],
                )
            } else {
                diagnostic
            })
        })
        .collect()
}

/// `print(x)`: one positional argument, no keyword, no unpacking (`print(a, b)` joins with
/// spaces where `logger.info(a, b)` would format `a % b`).
fn single_argument(call: Node<'_>) -> bool {
    let Some(arguments) = call.child_by_field_name("arguments") else {
        return false;
    };
    let args: Vec<Node<'_>> = py::named_children(arguments)
        .into_iter()
        .filter(|a| a.kind() != "comment")
        .collect();
    matches!(args.as_slice(), [only] if !matches!(
        only.kind(),
        "keyword_argument" | "list_splat" | "dictionary_splat" | "parenthesized_list_splat"
    ))
}

/// Whether the call sits in a function or lambda nested in `handler` (where `self` may be
/// another name).
fn nested(call: Node<'_>, handler: Node<'_>) -> bool {
    let mut current = call.parent();
    while let Some(node) = current {
        if node.id() == handler.id() {
            return false;
        }
        if matches!(node.kind(), "lambda" | "function_definition") {
            return true;
        }
        current = node.parent();
    }
    true
}

fn first_parameter(function: Node<'_>) -> Option<Node<'_>> {
    let parameters = function.child_by_field_name("parameters")?;
    py::named_children(parameters)
        .into_iter()
        .find(|p| p.kind() != "comment")
        .filter(|p| p.kind() == "identifier")
}

/// Whether the module binds the name `print` anywhere (an import, an assignment, a `def`, a
/// parameter): then `print` may not be the builtin, and nothing certain can be said.
fn binds_print(file: &PythonFile) -> bool {
    if !file.text.contains("print") {
        return false;
    }
    let keep = |node: Node<'_>| node.kind() == "identifier" && file.text_of(node) == PRINT;
    let descend = |_: Node<'_>| true;
    py::find_descendants(file.root(), &keep, &descend)
        .into_iter()
        .any(is_binding)
}

fn is_binding(identifier: Node<'_>) -> bool {
    let Some(parent) = identifier.parent() else {
        return false;
    };
    let is_field = |field: &str| {
        parent
            .child_by_field_name(field)
            .is_some_and(|n| n.id() == identifier.id())
    };
    match parent.kind() {
        "assignment" | "augmented_assignment" | "for_statement" | "for_in_clause" => {
            is_field("left")
        }
        "function_definition" | "class_definition" => is_field("name"),
        "aliased_import" => is_field("alias"),
        "dotted_name" => parent
            .parent()
            .is_some_and(|g| g.kind() == "import_from_statement"),
        "parameters"
        | "lambda_parameters"
        | "default_parameter"
        | "typed_parameter"
        | "typed_default_parameter"
        | "as_pattern_target"
        | "pattern_list"
        | "tuple_pattern"
        | "global_statement"
        | "nonlocal_statement" => true,
        "named_expression" => is_field("name"),
        _ => false,
    }
}
