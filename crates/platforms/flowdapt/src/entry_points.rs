//! FDT001 and FDT002: the `flowdapt.plugins` entry points of one project
//! (`flowdapt/lib/plugins/interface.py load_plugins`, flowdapt@6d83f04;
//! `research/platforms.md` 4.1).
//!
//! At server start Flowdapt builds, for every entry point of the group,
//! `Plugin(name=dist.metadata["name"], metadata={..., version: importlib.metadata.version(entrypoint.module)},
//! module=entrypoint.load())`, without a `try`: one failing entry point stops the server.

use std::path::PathBuf;

use plugsmith_core::{Diagnostic, Edit, Files};

use crate::modules::{is_identifier, module_exists};
use crate::project::{EntryPoint, Project, normalize_name};
use crate::{FDT001, FDT002};

/// FDT001 and FDT002 for every entry point of `project`; returns the package folders or module
/// files the entry points load (their Python files belong to the plugin).
pub fn check(files: &Files<'_>, project: &Project, out: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    let roots = [project.root.clone(), project.root.join("src")];
    let mut owned = Vec::new();
    for entry in &project.entry_points {
        check_name(files, project, &roots, entry, out);
        let module = entry.module();
        if module.split('.').all(is_identifier) && module_exists(files, &roots, module) {
            let top = module.split('.').next().unwrap_or(module);
            for root in &roots {
                let package = root.join(top);
                if files.is_dir(&package) {
                    owned.push(package);
                } else {
                    let file = root.join(format!("{top}.py"));
                    if files.is_file(&file) {
                        owned.push(file);
                    }
                }
            }
        } else {
            out.push(missing(project, entry));
        }
    }
    owned
}

/// FDT001: `version(entrypoint.module)` must find the distribution.
fn check_name(
    files: &Files<'_>,
    project: &Project,
    roots: &[PathBuf],
    entry: &EntryPoint,
    out: &mut Vec<Diagnostic>,
) {
    let Some((dist, _)) = &project.dist_name else {
        return;
    };
    let module = entry.module();
    if normalize_name(module) == normalize_name(dist) {
        return;
    }
    let first = module.split('.').next().unwrap_or(module);
    let dotted = module.contains('.');
    let what = if dotted {
        format!(
            "entry point `{}` names the dotted module path `{module}`",
            entry.name
        )
    } else {
        format!(
            "entry point `{}` names the module `{module}`, which does not match the distribution \
             name `{dist}`",
            entry.name
        )
    };
    let message = format!(
        "{what}: Flowdapt calls `importlib.metadata.version(\"{module}\")`, which raises \
         PackageNotFoundError and aborts the server start; the entry point must be the package \
         named like the distribution (`-`, `_`, `.` and case do not matter)"
    );
    let mut diagnostic = Diagnostic::new(&FDT001, &project.manifest, entry.range, message);
    // The right package, when it is certain: the top-level package of a dotted path that
    // already matches, or the one package of the project named like the distribution.
    let replacement = if dotted && normalize_name(first) == normalize_name(dist) {
        Some(first.to_string())
    } else {
        package_named_like(files, roots, dist)
    };
    if let Some(replacement) = replacement
        && !entry.value.contains(':')
    {
        diagnostic = diagnostic.with_fix(
            format!("Point the entry point at `{replacement}`"),
            vec![Edit {
                range: entry.inner,
                new_text: replacement,
            }],
        );
    }
    out.push(diagnostic);
}

/// The project's top-level package (or module) whose name normalises to `dist`, if exactly
/// one spelling exists.
fn package_named_like(files: &Files<'_>, roots: &[PathBuf], dist: &str) -> Option<String> {
    let wanted = normalize_name(dist);
    let mut found: Vec<String> = Vec::new();
    for root in roots {
        for child in files.children(root) {
            let Some(name) = child.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            let stem = name.strip_suffix(".py").unwrap_or(name);
            if is_identifier(stem)
                && normalize_name(stem) == wanted
                && (files.is_file(&child.join("__init__.py")) || name.ends_with(".py"))
                && !found.iter().any(|f| f == stem)
            {
                found.push(stem.to_string());
            }
        }
    }
    (found.len() == 1).then(|| found.remove(0))
}

/// FDT002: the module is not in the project.
fn missing(project: &Project, entry: &EntryPoint) -> Diagnostic {
    let module = entry.module();
    let as_path = module.replace('.', "/");
    Diagnostic::new(
        &FDT002,
        &project.manifest,
        entry.range,
        format!(
            "entry-point module `{module}` is not in the project (no `{as_path}.py` or \
             `{as_path}/` next to the manifest or under `src/`): `entrypoint.load()` raises \
             ModuleNotFoundError and Flowdapt does not start"
        ),
    )
}
