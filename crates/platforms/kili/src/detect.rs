//! Which files and folders are Kili plugins (`RULES.md`, Kili: detection).
//!
//! A Kili plugin is a `.py` file, or a folder whose `main.py`, that defines a top-level
//! `class PluginHandler` or imports from `kili.plugins` (also `kili.services.plugins`, and
//! `from kili import plugins`), or that defines the 2022 top-level handlers
//! `def onSubmit(label, projectId, assetId)` / `onReview(...)` (KIL012 says why they no longer
//! work). A `main.py` that qualifies makes its folder a folder plugin
//! (root = the folder, entry = `main.py`): the SDK uploads every `**/*.py` below it, so no file
//! under a folder plugin is also a single-file plugin.

use std::path::{Path, PathBuf};

use plugsmith_core::syntax::python::PythonFile;
use plugsmith_core::{Files, Plugin};
use tree_sitter::Node;

use crate::handlers;
use crate::py;

/// The platform name, as [`Plugin::platform`] carries it.
pub const NAME: &str = "kili";

/// Every Kili plugin among the workspace files, in path order.
pub fn detect(files: &Files<'_>) -> Vec<Plugin> {
    let sources: Vec<&Path> = files.all().filter(|path| is_python(path)).collect();
    let folders: Vec<PathBuf> = sources
        .iter()
        .filter(|path| path.file_name().is_some_and(|name| name == "main.py"))
        .filter(|path| looks_like_kili(files, path))
        .filter_map(|path| path.parent().map(Path::to_path_buf))
        .collect();
    let mut plugins: Vec<Plugin> = folders
        .iter()
        .map(|folder| Plugin::new(NAME, folder.clone(), Some(folder.join("main.py"))))
        .collect();
    // A set, looked up by each file's ancestors: linear in the number of files.
    let folder_set: std::collections::HashSet<&Path> =
        folders.iter().map(PathBuf::as_path).collect();
    for path in sources {
        let owned = path
            .ancestors()
            .skip(1)
            .any(|folder| folder_set.contains(folder));
        if !owned && looks_like_kili(files, path) {
            plugins.push(Plugin::new(NAME, path, Some(path.to_path_buf())));
        }
    }
    plugins.sort();
    plugins
}

/// The plugin at `path` when configuration says it is a Kili plugin: a folder is a folder
/// plugin (entry `main.py`, even when missing: KIL002 reports that), a `.py` file a
/// single-file plugin.
pub fn plugin_at(path: &Path, files: &Files<'_>) -> Option<Plugin> {
    if files.is_file(path) {
        return is_python(path).then(|| Plugin::new(NAME, path, Some(path.to_path_buf())));
    }
    if files.is_dir(path) {
        return Some(Plugin::new(NAME, path, Some(path.join("main.py"))));
    }
    None
}

/// Whether `path` names a Python source (`*.py`).
pub fn is_python(path: &Path) -> bool {
    path.extension().is_some_and(|ext| ext == "py")
}

/// A cheap text test first (most Python files never mention either word), then the tree.
fn looks_like_kili(files: &Files<'_>, path: &Path) -> bool {
    let Ok(text) = files.read(path) else {
        return false;
    };
    let handler = text.contains("PluginHandler");
    let kili = text.contains("kili") && text.contains("plugins");
    let old_style = crate::legacy_style::may_have_old_handlers(&text);
    if !handler && !kili && !old_style {
        return false;
    }
    let Ok(file) = files.python(path) else {
        return false;
    };
    if file.root().has_error() {
        // A file that does not parse is still the plugin its author meant: judge its lines
        // (and let PLG001 say why the upload fails).
        return text_looks_like_kili(&text);
    }
    (handler && handlers::top_level_handler(&file).is_some())
        || (kili && imports_kili(&file))
        || (old_style && !crate::legacy_style::old_handlers(&file).is_empty())
}

/// The detection on lines of text, for files whose tree has syntax errors.
fn text_looks_like_kili(text: &str) -> bool {
    text.lines().any(|line| {
        let line = line.trim_end();
        line.starts_with("class PluginHandler")
            || [
                "from kili.plugins",
                "from kili.services.plugins",
                "import kili.plugins",
            ]
            .iter()
            .any(|start| line.trim_start().starts_with(start))
            || line.trim_start().starts_with("from kili import plugins")
    })
}

/// Whether the module imports from `kili.plugins` (or `kili.services.plugins`) anywhere
/// outside expressions.
fn imports_kili(file: &PythonFile) -> bool {
    let keep = |node: Node<'_>| matches!(node.kind(), "import_statement" | "import_from_statement");
    let descend = |node: Node<'_>| is_statement_container(node.kind());
    py::find_descendants(file.root(), &keep, &descend)
        .into_iter()
        .any(|import| is_kili_import(file, import))
}

fn is_statement_container(kind: &str) -> bool {
    matches!(
        kind,
        "block"
            | "if_statement"
            | "elif_clause"
            | "else_clause"
            | "try_statement"
            | "except_clause"
            | "finally_clause"
            | "with_statement"
            | "for_statement"
            | "while_statement"
            | "function_definition"
            | "class_definition"
            | "decorated_definition"
    )
}

fn is_kili_import(file: &PythonFile, import: Node<'_>) -> bool {
    let plugin_module = |name: &str| {
        ["kili.plugins", "kili.services.plugins"]
            .iter()
            .any(|module| name == *module || name.starts_with(&format!("{module}.")))
    };
    if import.kind() == "import_from_statement" {
        let module = import
            .child_by_field_name("module_name")
            .map(|node| py::compact_text(file, node))
            .unwrap_or_default();
        if module == "kili" {
            return py::field_children(import, "name")
                .into_iter()
                .any(|name| imported_name(file, name) == "plugins");
        }
        return plugin_module(&module);
    }
    py::field_children(import, "name")
        .into_iter()
        .any(|name| plugin_module(&imported_name(file, name)))
}

/// The imported (not the local) name of a `dotted_name` or `aliased_import`.
pub fn imported_name(file: &PythonFile, node: Node<'_>) -> String {
    let name = if node.kind() == "aliased_import" {
        node.child_by_field_name("name")
    } else {
        Some(node)
    };
    name.map(|name| py::compact_text(file, name))
        .unwrap_or_default()
}
