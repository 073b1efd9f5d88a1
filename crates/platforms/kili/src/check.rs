//! The Kili rules for one plugin.
//!
//! Order follows the upload (`PluginUploader._retrieve_plugin_src`, `_check_handlers`,
//! `_create_zip`): `main.py` present (KIL002), the handler class (KIL001, KIL009), how the
//! plugin receives events (KIL004, KIL007, KIL013-KIL015), then what only fails at run time
//! (KIL003, KIL005, KIL006, KIL008, KIL011, KIL016, KIL017) and the files the zip leaves out
//! (KIL010). Every `.py` file is compiled (PLG001).

use std::path::{Path, PathBuf};

use plugsmith_core::common::syntax_error_diagnostics;
use plugsmith_core::syntax::python::PythonFile;
use plugsmith_core::{Diagnostic, Files, Plugin};

use crate::detect::is_python;
use crate::{KIL001, KIL002, KIL009, KIL012, py};

mod assets;
mod class;
mod prints;

/// Every diagnostic of one Kili plugin.
pub fn check(plugin: &Plugin, files: &Files<'_>) -> Vec<Diagnostic> {
    let single = files.is_file(&plugin.root);
    let (entry, sources) = if single {
        (plugin.root.clone(), vec![plugin.root.clone()])
    } else {
        let sources = files
            .files_under(&plugin.root)
            .into_iter()
            .filter(|path| is_python(path))
            .collect();
        (plugin.root.join("main.py"), sources)
    };
    let mut diagnostics = syntax_errors(&sources, files, single);
    if !single && !files.is_file(&entry) {
        diagnostics.extend(missing_main(plugin, files));
        return diagnostics;
    }
    let Ok(file) = files.python(&entry) else {
        return diagnostics;
    };
    // The upload parses the entry with `ast.parse` before anything else: with a syntax error
    // it stops there, and a tree with errors would only give guesses.
    if file.root().has_error() {
        return diagnostics;
    }
    diagnostics.extend(check_entry(&entry, &file, single));
    diagnostics.extend(assets::kil010(&plugin.root, &sources, single, files));
    diagnostics
}

/// PLG001 for every source the upload compiles.
fn syntax_errors(sources: &[PathBuf], files: &Files<'_>, single: bool) -> Vec<Diagnostic> {
    let consequence = if single {
        "Kili compiles the plugin file at upload: the upload fails"
    } else {
        "Kili compiles every .py file of a folder plugin at upload: the upload fails"
    };
    sources
        .iter()
        .filter_map(|path| files.python(path).ok().map(|file| (path, file)))
        .flat_map(|(path, file)| syntax_error_diagnostics(path, &file, consequence))
        .collect()
}

/// KIL002, on the first line of a file of the folder (a diagnostic needs a file).
fn missing_main(plugin: &Plugin, files: &Files<'_>) -> Option<Diagnostic> {
    let candidates = files.files_under(&plugin.root);
    let texts: Vec<(PathBuf, std::sync::Arc<str>)> = candidates
        .into_iter()
        .filter_map(|path| files.read(&path).ok().map(|text| (path, text)))
        .collect();
    let (path, text) = texts
        .iter()
        .find(|(path, text)| is_python(path) && !text.trim().is_empty())
        .or_else(|| texts.iter().find(|(_, text)| !text.trim().is_empty()))
        .or_else(|| texts.first())?;
    let message = format!(
        "No main.py file in the provided folder: `{}`. The upload fails before anything is sent: \
         Kili starts a folder plugin from `main.py`, which defines `class PluginHandler`.",
        display(&plugin.root)
    );
    Some(Diagnostic::new(
        &KIL002,
        path,
        py::first_text_line(text),
        message,
    ))
}

fn display(path: &Path) -> String {
    // The folder's own name: the diagnostic's location already says where it is.
    path.file_name().map_or_else(
        || ".".to_string(),
        |name| name.to_string_lossy().to_string(),
    )
}

/// The rules on the entry file (`main.py`, or the single file).
fn check_entry(path: &Path, file: &PythonFile, single: bool) -> Vec<Diagnostic> {
    match crate::handlers::top_level_handler(file) {
        Some(class) => class::check_class(path, file, class),
        None => missing_handler(path, file, single),
    }
}

/// KIL001 at the first line, and KIL009 for every `class PluginHandler` that is nested.
fn missing_handler(path: &Path, file: &PythonFile, single: bool) -> Vec<Diagnostic> {
    let where_ = if single { "plugin" } else { "main.py" };
    let nested = crate::handlers::nested_handlers(file);
    let mut kil001 = Diagnostic::new(
        &KIL001,
        path,
        py::first_text_line(&file.text),
        format!(
            "PluginHandler class is not present in your {where_} file. The upload fails: Kili \
             reads only a `class PluginHandler` defined at the top level of the module."
        ),
    );
    let mut diagnostics = Vec::new();
    for (class, container) in nested {
        let name = py::name_range(file, class);
        kil001 = kil001.with_related(path, name, "`class PluginHandler` is nested here");
        diagnostics.push(Diagnostic::new(
            &KIL009,
            path,
            name,
            format!(
                "`class PluginHandler` is inside {container}: Kili's upload scan reads only the \
                 top level of the module, so it does not see this class and the upload fails \
                 (\"PluginHandler class is not present in your {where_} file.\"). Define it at \
                 the top level."
            ),
        ));
    }
    for (function, method) in crate::legacy_style::old_handlers(file) {
        let name = py::name_range(file, function);
        let old = py::name_of(file, function);
        kil001 = kil001.with_related(path, name, "a 2022 function-style handler");
        diagnostics.push(Diagnostic::new(
            &KIL012,
            path,
            name,
            format!(
                "`def {old}(label, projectId, assetId)` is the 2022 function-style plugin: Kili \
                 no longer calls top-level functions, the upload reads only the methods of a \
                 top-level `class PluginHandler(PluginCore)`. Move it into that class as \
                 `def {method}(self, label, asset_id)` (the project id is `self.project_id`, \
                 the Kili client `self.kili`)."
            ),
        ));
    }
    diagnostics.push(kil001);
    diagnostics
}
