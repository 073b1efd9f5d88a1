//! Finding Python modules and their top-level names the way `import_module` + `getattr` would
//! (`flowdapt/lib/utils/misc.py import_from_string`, `research/platforms.md` 4.2), without
//! running anything: modules are files of the workspace, attributes are top-level bindings
//! read with tree-sitter.

use std::path::{Path, PathBuf};

use plugsmith_core::syntax::python::{PythonFile, range_of};
use plugsmith_core::{Files, TextRange};
use tree_sitter::Node as TsNode;

use crate::project::MANIFESTS;

/// The folders a dotted module is looked up under, most specific first: the nearest project
/// (a folder holding `pyproject.toml`, `setup.py` or `setup.cfg`) at or above `start`, its
/// `src/`, and the workspace root.
pub fn search_roots(files: &Files<'_>, start: &Path) -> Vec<PathBuf> {
    let mut roots = Vec::new();
    if let Some(dir) = project_folder(files, start) {
        roots.push(dir.join("src"));
        roots.insert(0, dir);
    }
    let workspace = PathBuf::new();
    if !roots.contains(&workspace) {
        roots.push(workspace);
    }
    roots
}

/// The nearest folder at or above `start` that holds a `pyproject.toml`, `setup.py` or
/// `setup.cfg` (whether or not it declares the entry point).
pub fn project_folder(files: &Files<'_>, start: &Path) -> Option<PathBuf> {
    let mut folder = Some(start);
    while let Some(dir) = folder {
        if MANIFESTS.iter().any(|name| files.is_file(&dir.join(name))) {
            return Some(dir.to_path_buf());
        }
        folder = dir.parent();
    }
    None
}

/// A module file found for a dotted name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleFile {
    /// `a/b.py` or `a/b/__init__.py`.
    pub path: PathBuf,
}

/// The file of module `dotted` under the first root that has it: `a/b.py`, else
/// `a/b/__init__.py`. Every probe is recorded, so creating the module re-checks the plugin.
/// A folder without `__init__.py` is a namespace package: it exists, but has no file.
pub fn find_module(files: &Files<'_>, roots: &[PathBuf], dotted: &str) -> Option<ModuleFile> {
    let parts: Vec<&str> = dotted.split('.').collect();
    if parts.iter().any(|part| !is_identifier(part)) {
        return None;
    }
    for root in roots {
        let mut base = root.clone();
        for part in &parts {
            base.push(part);
        }
        let file = base.with_extension("py");
        if files.is_file(&file) {
            return Some(ModuleFile { path: file });
        }
        let init = base.join("__init__.py");
        if files.is_file(&init) {
            return Some(ModuleFile { path: init });
        }
    }
    None
}

/// Whether module `dotted` exists as a file or a (namespace) package folder under a root.
pub fn module_exists(files: &Files<'_>, roots: &[PathBuf], dotted: &str) -> bool {
    if find_module(files, roots, dotted).is_some() {
        return true;
    }
    roots.iter().any(|root| {
        let mut base = root.clone();
        for part in dotted.split('.') {
            base.push(part);
        }
        files.is_dir(&base)
    })
}

/// A Python identifier (ASCII letters, digits, `_`, or any non-ASCII letter), not empty, not
/// starting with a digit.
pub fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if first == '_' || first.is_alphabetic() => {}
        _ => return false,
    }
    chars.all(|c| c == '_' || c.is_alphanumeric())
}

/// What a module says about a top-level name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Binding {
    /// Bound at top level: the name's range (the `def`/`class` name, the assigned name, the
    /// imported name).
    Defined(TextRange),
    /// The module can bind names we cannot see (`from x import *`, a module `__getattr__`).
    Unknown,
    /// Not bound.
    Missing,
}

/// Looks `name` up among the module's top-level bindings (also inside top-level `if`, `try`,
/// `with` and `for` blocks, which run at import; never inside functions or classes).
pub fn binding(file: &PythonFile, name: &str) -> Binding {
    let mut unknown = false;
    let mut found = None;
    scan_block(file, file.root(), name, &mut found, &mut unknown);
    match found {
        Some(range) => Binding::Defined(range),
        None if unknown => Binding::Unknown,
        None => Binding::Missing,
    }
}

fn scan_block(
    file: &PythonFile,
    block: TsNode<'_>,
    name: &str,
    found: &mut Option<TextRange>,
    unknown: &mut bool,
) {
    let mut cursor = block.walk();
    for statement in block.named_children(&mut cursor) {
        if found.is_some() {
            return;
        }
        statement_binds(file, statement, name, found, unknown);
    }
}

fn statement_binds(
    file: &PythonFile,
    statement: TsNode<'_>,
    name: &str,
    found: &mut Option<TextRange>,
    unknown: &mut bool,
) {
    match statement.kind() {
        "function_definition" | "class_definition" => {
            if let Some(def_name) = statement.child_by_field_name("name") {
                if file.text_of(def_name) == name {
                    *found = Some(range_of(def_name));
                } else if file.text_of(def_name) == "__getattr__"
                    && statement.kind() == "function_definition"
                {
                    *unknown = true;
                }
            }
        }
        "decorated_definition" => {
            if let Some(definition) = statement.child_by_field_name("definition") {
                statement_binds(file, definition, name, found, unknown);
            }
        }
        "expression_statement" => {
            let mut cursor = statement.walk();
            for child in statement.named_children(&mut cursor) {
                assignment_binds(file, child, name, found);
            }
        }
        "import_statement" => {
            let mut cursor = statement.walk();
            for imported in statement.children_by_field_name("name", &mut cursor) {
                let bound = match imported.kind() {
                    "aliased_import" => imported.child_by_field_name("alias"),
                    // `import a.b` binds `a`.
                    _ => imported.named_child(0),
                };
                if let Some(bound) = bound
                    && file.text_of(bound) == name
                {
                    *found = Some(range_of(bound));
                }
            }
        }
        "import_from_statement" => {
            let mut wildcard = false;
            let mut cursor = statement.walk();
            for child in statement.named_children(&mut cursor) {
                if child.kind() == "wildcard_import" {
                    wildcard = true;
                }
            }
            if wildcard {
                *unknown = true;
            }
            let mut cursor = statement.walk();
            for imported in statement.children_by_field_name("name", &mut cursor) {
                let bound = match imported.kind() {
                    "aliased_import" => imported.child_by_field_name("alias"),
                    _ => {
                        // `from x import a` binds `a` (a dotted_name with one identifier).
                        let count = imported.named_child_count();
                        imported.named_child(count.saturating_sub(1) as u32)
                    }
                };
                if let Some(bound) = bound
                    && file.text_of(bound) == name
                {
                    *found = Some(range_of(bound));
                }
            }
        }
        "if_statement" | "try_statement" | "with_statement" | "for_statement"
        | "while_statement" => {
            let mut cursor = statement.walk();
            for child in statement.named_children(&mut cursor) {
                match child.kind() {
                    "block" => scan_block(file, child, name, found, unknown),
                    "elif_clause" | "else_clause" | "except_clause" | "finally_clause" => {
                        let mut inner = child.walk();
                        for part in child.named_children(&mut inner) {
                            if part.kind() == "block" {
                                scan_block(file, part, name, found, unknown);
                            }
                        }
                    }
                    _ => {}
                }
                if found.is_some() {
                    return;
                }
            }
        }
        _ => {}
    }
}

fn assignment_binds(
    file: &PythonFile,
    node: TsNode<'_>,
    name: &str,
    found: &mut Option<TextRange>,
) {
    if node.kind() != "assignment" {
        return;
    }
    if let Some(left) = node.child_by_field_name("left") {
        target_binds(file, left, name, found);
    }
    // `a = b = f` nests the second assignment as the right side.
    if let Some(right) = node.child_by_field_name("right") {
        assignment_binds(file, right, name, found);
    }
}

fn target_binds(file: &PythonFile, target: TsNode<'_>, name: &str, found: &mut Option<TextRange>) {
    match target.kind() {
        "identifier" if file.text_of(target) == name => {
            *found = Some(range_of(target));
        }
        "pattern_list" | "tuple_pattern" | "list_pattern" => {
            let mut cursor = target.walk();
            for child in target.named_children(&mut cursor) {
                target_binds(file, child, name, found);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plugsmith_core::syntax::python;
    use std::sync::Arc;

    fn bind(source: &str, name: &str) -> Binding {
        let file = python::parse(Arc::from(source));
        binding(&file, name)
    }

    #[test]
    fn finds_top_level_bindings() {
        let source = "import os.path\nimport numpy as np\nfrom x import y as z, w\n@dec\ndef f():\n    def inner(): pass\nclass C: pass\na, b = 1, 2\nif True:\n    g = 1\nelse:\n    h = 2\ntry:\n    import k\nexcept ImportError:\n    k = None\n";
        for name in ["os", "np", "z", "w", "f", "C", "a", "b", "g", "h", "k"] {
            assert!(matches!(bind(source, name), Binding::Defined(_)), "{name}");
        }
        for name in ["inner", "path", "y", "numpy"] {
            assert_eq!(bind(source, name), Binding::Missing, "{name}");
        }
        assert_eq!(bind("from x import *\n", "q"), Binding::Unknown);
        assert_eq!(bind("def __getattr__(n): ...\n", "q"), Binding::Unknown);
    }
}
