//! FDT005: stage `target` strings resolved like `import_from_string`
//! (`flowdapt/lib/utils/misc.py`, flowdapt@6d83f04; `research/platforms.md` 4.2): strip spaces,
//! `rsplit(".", 1)` into module and attribute, `import_module(module)`, `getattr(attribute)`.
//! Only one attribute level: `pkg.mod.Class.method` looks for a module `pkg.mod.Class`.

use std::path::{Path, PathBuf};

use plugsmith_core::common::syntax_error_diagnostics;
use plugsmith_core::{Diagnostic, Files, TextRange, TextSize};

use crate::FDT005;
use crate::modules::{Binding, binding, find_module, is_identifier, module_exists};
use crate::resources::Stage;
use crate::stage_function;

/// Where the user modules of a Flowdapt server live: not in the workspace.
const USER_MODULES: &str = "user_modules";

/// FDT005 (and FDT007 on the functions found) for every stage; returns the module files the
/// targets resolved to (for PLG001).
pub fn check(
    files: &Files<'_>,
    path: &Path,
    roots: &[PathBuf],
    stages: &[Stage<'_>],
    out: &mut Vec<Diagnostic>,
) -> Vec<PathBuf> {
    let mut modules = Vec::new();
    for stage in stages {
        let Some((target, range)) = stage.target else {
            continue;
        };
        if let Some((module, definition)) = check_target(files, path, roots, target, range, out) {
            if let Some(definition) = definition {
                let stage_name = stage.name.map(|(name, _)| name);
                stage_function::check(files, &module, definition, stage_name, (path, range), out);
            }
            modules.push(module);
        }
    }
    modules
}

fn check_target(
    files: &Files<'_>,
    path: &Path,
    roots: &[PathBuf],
    target: &str,
    range: TextRange,
    out: &mut Vec<Diagnostic>,
) -> Option<(PathBuf, Option<TextRange>)> {
    let trimmed = target.trim();
    let Some((module, attribute)) = trimmed.rsplit_once('.') else {
        out.push(Diagnostic::new(
            &FDT005,
            path,
            range,
            format!(
                "target `{trimmed}` is not `module.attribute`: the run fails with \
                 ImportError \"{trimmed} isn't a valid module path\""
            ),
        ));
        return None;
    };
    if module.split('.').next() == Some(USER_MODULES) {
        // Resolved in the server's app folder (`~/.flowdapt/user_modules`), not here.
        return None;
    }
    if !module.split('.').all(is_identifier) || !is_identifier(attribute) {
        out.push(Diagnostic::new(
            &FDT005,
            path,
            range,
            format!(
                "target `{trimmed}` is not a dotted Python name: the run fails with \
                 ModuleNotFoundError"
            ),
        ));
        return None;
    }
    let Some(found) = find_module(files, roots, module) else {
        if module_exists(files, roots, module) {
            // A namespace package folder: importable, but it has no attributes of its own
            // unless they are submodules.
            let sub = format!("{module}.{attribute}");
            if find_module(files, roots, &sub).is_none() {
                out.push(Diagnostic::new(
                    &FDT005,
                    path,
                    range,
                    format!(
                        "`{module}` is a namespace package (no `__init__.py`) without `{attribute}`: \
                         the run fails with ImportError \"does not have a `{attribute}` attribute\""
                    ),
                ));
            }
            return None;
        }
        out.push(missing_module(files, path, roots, module, attribute, range));
        return None;
    };
    let file = files.python(&found.path).ok()?;
    let mut definition = None;
    match binding(&file, attribute) {
        Binding::Defined(range) => definition = Some(range),
        Binding::Unknown => {}
        Binding::Missing => {
            out.push(
                Diagnostic::new(
                    &FDT005,
                    path,
                    range,
                    format!(
                        "module `{module}` has no top-level `{attribute}`: the run fails with \
                         ImportError \"Module {module} does not have a `{attribute}` attribute\""
                    ),
                )
                .with_related(
                    &found.path,
                    first_line(&file.text),
                    format!("module `{module}`"),
                ),
            );
        }
    }
    Some((found.path, definition))
}

/// The module is not a file of the workspace: say which part is missing, and catch the
/// two-level `module.Class.method` form.
fn missing_module(
    files: &Files<'_>,
    path: &Path,
    roots: &[PathBuf],
    module: &str,
    attribute: &str,
    range: TextRange,
) -> Diagnostic {
    if let Some((outer, class)) = module.rsplit_once('.')
        && let Some(found) = find_module(files, roots, outer)
        && let Ok(file) = files.python(&found.path)
        && let Binding::Defined(definition) = binding(&file, class)
    {
        return Diagnostic::new(
            &FDT005,
            path,
            range,
            format!(
                "target `{module}.{attribute}` has two attribute levels: Flowdapt imports the \
                 module `{module}` (ModuleNotFoundError) and resolves only one attribute; expose \
                 `{attribute}` as a top-level function of `{outer}`"
            ),
        )
        .with_related(
            &found.path,
            definition,
            format!("`{class}` is defined here"),
        );
    }
    // The longest existing prefix, to name what is missing.
    let parts: Vec<&str> = module.split('.').collect();
    let mut existing = None;
    for len in (1..parts.len()).rev() {
        let prefix = parts[..len].join(".");
        if module_exists(files, roots, &prefix) {
            existing = Some(prefix);
            break;
        }
    }
    let detail = match existing {
        Some(prefix) => format!(
            "`{prefix}` exists but has no module `{}`",
            parts[prefix.split('.').count()]
        ),
        None => format!("no `{}` package or module in the workspace", parts[0]),
    };
    Diagnostic::new(
        &FDT005,
        path,
        range,
        format!(
            "module `{module}` not found ({detail}): the run fails with ModuleNotFoundError \
             when Flowdapt imports the stage"
        ),
    )
}

fn first_line(text: &str) -> TextRange {
    let len = text.find('\n').unwrap_or(text.len());
    let len = if len == 0 {
        text.chars().next().map_or(0, char::len_utf8)
    } else {
        len
    };
    TextRange::at(TextSize::new(0), TextSize::new(len as u32))
}

/// PLG001 for the Python files the plugin owns.
pub fn syntax_errors(files: &Files<'_>, paths: &[PathBuf], out: &mut Vec<Diagnostic>) {
    for path in paths {
        if let Ok(file) = files.python(path) {
            out.extend(syntax_error_diagnostics(
                path,
                &file,
                "Python cannot import this module, so Flowdapt cannot load the plugin package \
                 or run the stages it holds",
            ));
        }
    }
}
