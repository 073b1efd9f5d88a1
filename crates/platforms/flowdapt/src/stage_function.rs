//! FDT007: a stage function with a parameter named `context`
//! (`flowdapt/compute/resources/workflow/stage.py`, flowdapt@6d83f04; `research/platforms.md` 4.3).
//!
//! When a stage is built from its definition, Flowdapt takes `inspect.signature` of the target
//! and raises `ValueError("Stage `<name>` cannot have the following parameters: ['context']")`
//! if any parameter (`*context` and `**context` included) is named `context`: the name is
//! reserved for the run context. This happens when the workflow runs, not when it is applied.

use std::path::Path;

use plugsmith_core::syntax::python::{PythonFile, range_of};
use plugsmith_core::{Diagnostic, Files, TextRange};
use tree_sitter::Node as TsNode;

use crate::FDT007;

/// The parameter names Flowdapt reserves (`_internal_params`).
const RESERVED: &str = "context";

/// FDT007 for the function whose name is at `definition` in `module`, targeted by the stage
/// `stage_name` at `target` (workflow file, target string range).
pub fn check(
    files: &Files<'_>,
    module: &Path,
    definition: TextRange,
    stage_name: Option<&str>,
    target: (&Path, TextRange),
    out: &mut Vec<Diagnostic>,
) {
    let Ok(file) = files.python(module) else {
        return;
    };
    let Some(function) = function_at(&file, definition) else {
        return;
    };
    let Some(parameter) = reserved_parameter(&file, function) else {
        return;
    };
    let function_name = function
        .child_by_field_name("name")
        .map_or("?", |name| file.text_of(name));
    let stage = stage_name.unwrap_or(function_name);
    out.push(
        Diagnostic::new(
            &FDT007,
            module,
            parameter,
            format!(
                "stage function `{function_name}` has a parameter named `{RESERVED}`, which \
                 Flowdapt reserves: the run fails with \"Stage `{stage}` cannot have the \
                 following parameters: ['{RESERVED}']\"; rename the parameter, and reach the run \
                 context with `get_run_context()`"
            ),
        )
        .with_related(
            target.0,
            target.1,
            format!("stage `{stage}` runs this function"),
        ),
    );
}

/// The `def` whose name is at `name`: a plain or decorated function (not a class, an import or
/// an assignment, whose signature we cannot read here).
fn function_at<'t>(file: &'t PythonFile, name: TextRange) -> Option<TsNode<'t>> {
    let start = usize::from(name.start());
    let end = usize::from(name.end());
    let node = file.root().descendant_for_byte_range(start, end)?;
    let function = node.parent()?;
    let is_name = function
        .child_by_field_name("name")
        .is_some_and(|n| n.id() == node.id());
    (function.kind() == "function_definition" && is_name).then_some(function)
}

/// The range of the first parameter named `context`, whatever its form.
fn reserved_parameter(file: &PythonFile, function: TsNode<'_>) -> Option<TextRange> {
    let parameters = function.child_by_field_name("parameters")?;
    let mut cursor = parameters.walk();
    for parameter in parameters.named_children(&mut cursor) {
        if let Some(name) = parameter_name(parameter)
            && file.text_of(name) == RESERVED
        {
            return Some(range_of(name));
        }
    }
    None
}

/// The identifier a parameter binds: `x`, `x: T`, `x=1`, `x: T = 1`, `*x`, `**x`, `*x: T`.
fn parameter_name(parameter: TsNode<'_>) -> Option<TsNode<'_>> {
    match parameter.kind() {
        "identifier" => Some(parameter),
        "default_parameter" | "typed_default_parameter" => parameter
            .child_by_field_name("name")
            .and_then(parameter_name),
        "typed_parameter" | "list_splat_pattern" | "dictionary_splat_pattern" => {
            let mut cursor = parameter.walk();
            let first = parameter.named_children(&mut cursor).next();
            first.and_then(parameter_name)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plugsmith_core::syntax::python;
    use std::sync::Arc;

    fn reserved(source: &str) -> Option<String> {
        let file = python::parse(Arc::from(source));
        let root = file.root();
        let mut cursor = root.walk();
        let function = root
            .named_children(&mut cursor)
            .find(|n| n.kind() == "function_definition")?;
        let range = reserved_parameter(&file, function)?;
        Some(source[range].to_string())
    }

    #[test]
    fn finds_context_in_every_parameter_form() {
        for source in [
            "def f(context): ...\n",
            "def f(a, context: dict): ...\n",
            "def f(a, context=None): ...\n",
            "def f(a, *, context: dict = {}): ...\n",
            "def f(*context): ...\n",
            "def f(**context): ...\n",
            "def f(a, /, context): ...\n",
        ] {
            assert_eq!(reserved(source).as_deref(), Some("context"), "{source}");
        }
        for source in [
            "def f(ctx, contexts): ...\n",
            "def f(a=context): ...\n",
            "def f(): ...\n",
        ] {
            assert_eq!(reserved(source), None, "{source}");
        }
    }
}
