//! The 2022 function-style plugin (`RULES.md` KIL012; research/platforms.md 1.4): top-level
//! functions `onSubmit(label, projectId, assetId)` / `onReview(label, projectId, assetId)` and
//! a global `kili`, from the first plugin tutorial. The current upload only reads a
//! `class PluginHandler` (`check_file_contains_handler`, kili 26.2.4).

use plugsmith_core::syntax::python::PythonFile;
use tree_sitter::Node;

use crate::py;

/// The old handler names, with the method that replaces each.
pub const OLD_HANDLERS: &[(&str, &str)] = &[("onSubmit", "on_submit"), ("onReview", "on_review")];

/// The parameters of the old handlers, in order.
const OLD_PARAMETERS: &[&str] = &["label", "projectId", "assetId"];

/// A cheap text test before the tree is read.
pub fn may_have_old_handlers(text: &str) -> bool {
    text.contains("projectId") && OLD_HANDLERS.iter().any(|(name, _)| text.contains(name))
}

/// The top-level `def onSubmit(label, projectId, assetId)` / `def onReview(...)` of the module,
/// with the method name that replaces each.
pub fn old_handlers(file: &PythonFile) -> Vec<(Node<'_>, &'static str)> {
    if !may_have_old_handlers(&file.text) {
        return Vec::new();
    }
    py::statements(file.root())
        .into_iter()
        .map(py::definition)
        .filter(|node| node.kind() == "function_definition")
        .filter_map(|function| {
            let name = py::name_of(file, function);
            let (_, method) = OLD_HANDLERS.iter().find(|(old, _)| *old == name)?;
            old_parameters(file, function).then_some((function, *method))
        })
        .collect()
}

/// Whether the parameters are exactly `label, projectId, assetId` (annotations and defaults
/// allowed).
fn old_parameters(file: &PythonFile, function: Node<'_>) -> bool {
    let Some(parameters) = function.child_by_field_name("parameters") else {
        return false;
    };
    let names: Vec<&str> = py::named_children(parameters)
        .into_iter()
        .filter(|p| p.kind() != "comment")
        .map(|p| parameter_name(file, p))
        .collect();
    names == OLD_PARAMETERS
}

fn parameter_name<'f>(file: &'f PythonFile, parameter: Node<'_>) -> &'f str {
    match parameter.kind() {
        "identifier" => file.text_of(parameter),
        "default_parameter" | "typed_default_parameter" => parameter
            .child_by_field_name("name")
            .map_or("", |name| file.text_of(name)),
        "typed_parameter" => py::named_children(parameter)
            .first()
            .filter(|inner| inner.kind() == "identifier")
            .map_or("", |inner| file.text_of(*inner)),
        _ => "",
    }
}
