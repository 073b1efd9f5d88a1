//! Python's argument binding for a `def`, judged against the call Kili makes (KIL006).
//!
//! Kili calls a legacy handler positionally (`PluginCore` hooks in
//! `kili/services/plugins/model.py`: `on_submit(self, label, asset_id)`,
//! `on_send_back_to_queue(self, asset_id)`, `on_event(self, payload)`). The binding errors are
//! CPython's `TypeError` messages.

use plugsmith_core::syntax::python::PythonFile;
use tree_sitter::Node;

use crate::py;

/// The parameters of a `def`, as binding sees them.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Signature {
    /// Positional(-or-keyword) parameters, in order: name and whether it has a default.
    pub positional: Vec<(String, bool)>,
    /// `*args` present.
    pub var_positional: bool,
    /// `**kwargs` present.
    pub var_keyword: bool,
    /// Keyword-only parameters without a default.
    pub required_keyword_only: Vec<String>,
}

/// Reads the `parameters` node of a `def`.
pub fn read(file: &PythonFile, parameters: Node<'_>) -> Signature {
    let mut signature = Signature::default();
    let mut keyword_only = false;
    for parameter in py::named_children(parameters) {
        let (kind, name, has_default) = describe(file, parameter);
        match kind {
            "identifier" if keyword_only && !has_default => {
                signature.required_keyword_only.push(name);
            }
            "identifier" if !keyword_only => signature.positional.push((name, has_default)),
            "list_splat_pattern" => {
                signature.var_positional = true;
                keyword_only = true;
            }
            "keyword_separator" => keyword_only = true,
            "dictionary_splat_pattern" => signature.var_keyword = true,
            _ => {}
        }
    }
    signature
}

/// `(kind, name, has_default)` of one parameter; `kind` is `identifier` for a named one.
fn describe(file: &PythonFile, parameter: Node<'_>) -> (&'static str, String, bool) {
    match parameter.kind() {
        "identifier" => ("identifier", file.text_of(parameter).to_string(), false),
        "default_parameter" | "typed_default_parameter" => {
            let name = parameter
                .child_by_field_name("name")
                .map(|name| file.text_of(name).to_string())
                .unwrap_or_default();
            ("identifier", name, true)
        }
        "typed_parameter" => match py::named_children(parameter).first() {
            Some(inner) if inner.kind() != "type" => describe(file, *inner),
            _ => ("", String::new(), false),
        },
        "list_splat_pattern" => ("list_splat_pattern", String::new(), false),
        "dictionary_splat_pattern" => ("dictionary_splat_pattern", String::new(), false),
        "keyword_separator" => ("keyword_separator", String::new(), false),
        _ => ("", String::new(), false),
    }
}

impl Signature {
    /// The `TypeError` CPython raises when `qualname` is called with `given` positional
    /// arguments (the bound `self` included), or `None` when the call binds.
    pub fn bind_error(&self, qualname: &str, given: usize) -> Option<String> {
        let total = self.positional.len();
        if given > total && !self.var_positional {
            let required = self.positional.iter().filter(|(_, d)| !d).count();
            let takes = if required == total {
                plural(total, "positional argument")
            } else {
                format!("from {required} to {total} positional arguments")
            };
            let were = if given == 1 { "was" } else { "were" };
            return Some(format!(
                "{qualname}() takes {takes} but {given} {were} given"
            ));
        }
        let missing: Vec<&str> = self
            .positional
            .iter()
            .skip(given)
            .filter(|(_, has_default)| !has_default)
            .map(|(name, _)| name.as_str())
            .collect();
        if !missing.is_empty() {
            return Some(missing_message(qualname, "positional", &missing));
        }
        if !self.required_keyword_only.is_empty() {
            let names: Vec<&str> = self
                .required_keyword_only
                .iter()
                .map(String::as_str)
                .collect();
            return Some(missing_message(qualname, "keyword-only", &names));
        }
        None
    }
}

fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// CPython: `f() missing 2 required positional arguments: 'a' and 'b'`.
fn missing_message(qualname: &str, kind: &str, names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|name| format!("'{name}'")).collect();
    let list = match quoted.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) if rest.len() == 1 => format!("{} and {last}", rest.join(", ")),
        Some((last, rest)) => format!("{}, and {last}", rest.join(", ")),
        None => String::new(),
    };
    format!(
        "{qualname}() missing {} required {kind} argument{}: {list}",
        names.len(),
        if names.len() == 1 { "" } else { "s" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use plugsmith_core::syntax::python;
    use std::sync::Arc;

    fn bind(def: &str, given: usize) -> Option<String> {
        let file = python::parse(Arc::from(def));
        let function = file.root().named_child(0).unwrap();
        let parameters = function.child_by_field_name("parameters").unwrap();
        read(&file, parameters).bind_error("C.f", given)
    }

    #[test]
    fn binds_like_cpython() {
        assert_eq!(bind("def f(self, label, asset_id): pass", 3), None);
        assert_eq!(bind("def f(self, *args): pass", 3), None);
        assert_eq!(bind("def f(self, a, b, c=1, **kw): pass", 3), None);
        assert_eq!(bind("def f(self, a, b, *, c=1): pass", 3), None);
        assert_eq!(bind("def f(self, a: dict, b: str = '', /): pass", 3), None);
        assert_eq!(
            bind("def f(self, label): pass", 3).unwrap(),
            "C.f() takes 2 positional arguments but 3 were given"
        );
        assert_eq!(
            bind("def f(self, a=1): pass", 3).unwrap(),
            "C.f() takes from 1 to 2 positional arguments but 3 were given"
        );
        assert_eq!(
            bind("def f(self, a, b, c, d): pass", 3).unwrap(),
            "C.f() missing 2 required positional arguments: 'c' and 'd'"
        );
        assert_eq!(
            bind("def f(self, a, b, *, c): pass", 3).unwrap(),
            "C.f() missing 1 required keyword-only argument: 'c'"
        );
        assert_eq!(
            bind("def f(self, a, b, *args: int, c): pass", 3).unwrap(),
            "C.f() missing 1 required keyword-only argument: 'c'"
        );
        assert_eq!(
            bind("def f(): pass", 1).unwrap(),
            "C.f() takes 0 positional arguments but 1 was given"
        );
    }
}
