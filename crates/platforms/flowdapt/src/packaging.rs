//! FDT009: a Python project whose workflows run stages from its own package, but whose manifest
//! declares no `flowdapt.plugins` entry point (`research/platforms.md` 4.1 and 4.5).
//!
//! Targets are imported with plain `import_module` (`flowdapt/lib/utils/misc.py`), so they work
//! wherever the package happens to be installed; but only entry points make a plugin
//! (`flowdapt/lib/plugins/interface.py load_plugins`): without one the package is not listed by
//! `flowctl get plugins`, and the Ray and Dask executors (`compute/executor/{ray,dask}/executor.py`)
//! do not ship its code, requirements or data files to remote workers. The real
//! `flowdapt-cryptocast-plugin` is in this state.

use std::path::{Path, PathBuf};

use plugsmith_core::{Diagnostic, Edit, Files, TextRange, TextSize};

use crate::FDT009;
use crate::modules::{is_identifier, module_exists, project_folder};
use crate::project::{self, GROUP, MANIFESTS, Manifest, normalize_name};
use crate::resources::Stage;

/// Where a manifest's project table is, and what an entry point looks like there.
struct Table {
    range: TextRange,
    /// The dotted table that holds the group: `project.entry-points` or `tool.poetry.plugins`.
    entry_table: &'static str,
    dist_name: Option<String>,
}

/// FDT009 for one workflow file checked on its own (outside any declaring project).
pub fn check(files: &Files<'_>, path: &Path, stages: &[Stage<'_>], out: &mut Vec<Diagnostic>) {
    let Some(root) = project_folder(files, path.parent().unwrap_or(Path::new(""))) else {
        return;
    };
    let manifests: Vec<PathBuf> = MANIFESTS
        .iter()
        .map(|name| root.join(name))
        .filter(|manifest| files.is_file(manifest))
        .collect();
    let mut plain = Vec::new();
    for manifest in &manifests {
        let Ok(text) = files.read(manifest) else {
            return;
        };
        // A template, a declaring (or broken) manifest, or one that names the group in a way
        // we do not read (a computed `entry_points=`): not this rule's business.
        if project::is_template(&text)
            || text.contains(GROUP)
            || !matches!(project::read(files, manifest), Manifest::No)
        {
            return;
        }
        plain.push((manifest, text));
    }
    let Some((manifest, text)) = plain.into_iter().next() else {
        return;
    };
    let packages = own_packages(files, &root, stages);
    let Some(package) = packages.first() else {
        return;
    };
    let table = if manifest.file_name().is_some_and(|n| n == "pyproject.toml") {
        match pyproject_table(&text) {
            Ok(table) => table,
            // Unparseable TOML: pip fails first; nothing to say about entry points.
            Err(()) => return,
        }
    } else {
        None
    };
    let range = table
        .as_ref()
        .map_or_else(|| first_line(&text), |table| table.range);
    let listed = packages
        .iter()
        .map(|p| format!("`{p}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let suggestion = match &table {
        Some(table) => format!(
            "declare `[{}.\"{GROUP}\"]` with `{package} = \"{package}\"`",
            table.entry_table
        ),
        None => format!("declare the `{GROUP}` entry point `{package} = {package}`"),
    };
    let mut diagnostic = Diagnostic::new(
        &FDT009,
        manifest,
        range,
        format!(
            "this project declares no `{GROUP}` entry point, yet its workflows run stages from its \
             package {listed}: the targets import only where the package happens to be installed, \
             Flowdapt does not load it as a plugin (not listed by `flowctl get plugins`) and the \
             Ray and Dask executors do not ship its code, requirements or data files to remote \
             workers; {suggestion}"
        ),
    );
    if let Some(table) = &table
        && packages.len() == 1
        && table
            .dist_name
            .as_deref()
            .is_some_and(|dist| normalize_name(dist) == normalize_name(package))
    {
        let end = TextSize::new(text.len() as u32);
        let separator = if text.ends_with('\n') { "" } else { "\n" };
        diagnostic = diagnostic.with_fix(
            format!("Declare the `{GROUP}` entry point `{package}`"),
            vec![Edit {
                range: TextRange::empty(end),
                new_text: format!(
                    "{separator}\n[{}.\"{GROUP}\"]\n{package} = \"{package}\"\n",
                    table.entry_table
                ),
            }],
        );
    }
    out.push(diagnostic);
}

/// The top-level packages (or modules) of the project, at its root or under `src/`, that the
/// stages' targets import, sorted.
fn own_packages(files: &Files<'_>, root: &Path, stages: &[Stage<'_>]) -> Vec<String> {
    let roots = [root.to_path_buf(), root.join("src")];
    let mut packages: Vec<String> = Vec::new();
    for stage in stages {
        let Some((target, _)) = stage.target else {
            continue;
        };
        let Some((module, _)) = target.trim().rsplit_once('.') else {
            continue;
        };
        let top = module.split('.').next().unwrap_or(module);
        if is_identifier(top)
            && !packages.iter().any(|p| p == top)
            && module_exists(files, &roots, top)
        {
            packages.push(top.to_string());
        }
    }
    packages.sort();
    packages
}

/// The `[project]` table header (PEP 621), else `[tool.poetry]`, with the distribution name.
/// `Ok(None)` when the file has neither; `Err` when it is not TOML.
fn pyproject_table(text: &str) -> Result<Option<Table>, ()> {
    let document = toml_edit::Document::parse(text).map_err(|_| ())?;
    let root = document.as_table();
    let name_in = |table: Option<&dyn toml_edit::TableLike>| {
        table
            .and_then(|t| t.get("name"))
            .and_then(|n| n.as_str())
            .map(str::to_string)
    };
    let pep621 = root.get("project").and_then(|p| p.as_table_like());
    let poetry = root
        .get("tool")
        .and_then(|t| t.as_table_like())
        .and_then(|t| t.get("poetry"))
        .and_then(|p| p.as_table_like());
    let (header, entry_table, dist_name) = if pep621.is_some() {
        ("[project]", "project.entry-points", name_in(pep621))
    } else if poetry.is_some() {
        ("[tool.poetry]", "tool.poetry.plugins", name_in(poetry))
    } else {
        return Ok(None);
    };
    let range = header_range(text, header).unwrap_or_else(|| first_line(text));
    Ok(Some(Table {
        range,
        entry_table,
        dist_name,
    }))
}

/// The range of a table header line written exactly as `header` (spaces around it allowed).
fn header_range(text: &str, header: &str) -> Option<TextRange> {
    let mut offset = 0usize;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if trimmed.trim_end() == header {
            let start = offset + indent;
            return Some(TextRange::at(
                TextSize::new(start as u32),
                TextSize::new(header.len() as u32),
            ));
        }
        offset += line.len();
    }
    None
}

/// The file's first line (at least one character, when the file has any).
fn first_line(text: &str) -> TextRange {
    let line = text.lines().next().unwrap_or("");
    project::non_empty(text, 0, line.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_project_table() {
        let text = "[build-system]\nrequires = []\n\n[tool.poetry]\nname = \"x\"\n";
        let table = pyproject_table(text).unwrap().unwrap();
        assert_eq!(&text[table.range], "[tool.poetry]");
        assert_eq!(table.dist_name.as_deref(), Some("x"));
        assert!(pyproject_table("[tool.black]\n").unwrap().is_none());
        assert!(pyproject_table("[[[").is_err());
    }
}
