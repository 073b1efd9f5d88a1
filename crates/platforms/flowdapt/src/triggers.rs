//! FDT008: a trigger rule whose `run_workflow` action names a workflow that no workflow file of
//! the project defines (`flowdapt/triggers/resources/triggers/actions.py run_workflow`,
//! flowdapt@6d83f04; `research/platforms.md` 4.3 and 4.5).
//!
//! The action looks the workflow up by `metadata.name` when the trigger fires, not when the rule
//! is applied: a misspelt or missing name is only seen as a failed action in the server's log.
//! "The project" is the folder of the nearest `pyproject.toml`/`setup.py`/`setup.cfg` at or above
//! the trigger file, else the whole workspace.

use std::path::{Path, PathBuf};

use plugsmith_core::syntax::value::Node;
use plugsmith_core::{Diagnostic, Edit, Files, TextRange, TextSize};

use crate::FDT008;
use crate::modules::project_folder;
use crate::resources::{self, Kind, Resource, Shape};
use crate::suggest::closest;

/// The built-in action that runs a workflow by name.
const RUN_WORKFLOW: &str = "run_workflow";

/// How many defined names the message lists before "...".
const LISTED: usize = 8;

/// A workflow name defined by a resource file.
struct Defined {
    name: String,
    path: PathBuf,
    range: TextRange,
}

/// FDT008 for one trigger rule.
pub fn check(files: &Files<'_>, path: &Path, resource: &Resource, out: &mut Vec<Diagnostic>) {
    if !matches!(resource.shape, Shape::Resource(Kind::TriggerRule)) {
        return;
    }
    let Some((wanted, range)) = run_workflow_name(&resource.root) else {
        return;
    };
    let folder = path.parent().unwrap_or(Path::new(""));
    let project = project_folder(files, folder);
    let scope = project.clone().unwrap_or_default();
    let defined = workflows_under(files, &scope, path);
    if defined.iter().any(|d| d.name == wanted) {
        return;
    }
    let place = match &project {
        None => "the workspace".to_string(),
        Some(root) if root.as_os_str().is_empty() => "this project".to_string(),
        Some(root) => format!("this project (`{}`)", root.display()),
    };
    let mut names: Vec<&str> = defined.iter().map(|d| d.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let known = if names.is_empty() {
        "it defines none".to_string()
    } else {
        let mut listed: Vec<String> = names
            .iter()
            .take(LISTED)
            .map(|n| format!("`{n}`"))
            .collect();
        if names.len() > LISTED {
            listed.push("...".to_string());
        }
        format!("it defines {}", listed.join(", "))
    };
    let suggestion = closest(wanted, &names);
    let hint = suggestion.map_or(String::new(), |s| format!("; did you mean `{s}`?"));
    let mut diagnostic = Diagnostic::new(
        &FDT008,
        path,
        range,
        format!(
            "the `run_workflow` action runs the workflow `{wanted}`, which no workflow of {place} \
             defines ({known}): when the trigger fires, the action finds no workflow `{wanted}` \
             and nothing runs, unless one of that name is applied from elsewhere{hint}"
        ),
    );
    if let Some(suggestion) = suggestion
        && let Some(found) = defined.iter().find(|d| d.name == suggestion)
    {
        let quoted = files.read(path).ok().is_some_and(|text| {
            text.get(usize::from(range.start())..usize::from(range.end()))
                .is_some_and(|source| {
                    source.len() == wanted.len() + 2
                        && (source.starts_with('"') || source.starts_with('\''))
                })
        });
        let inner = if quoted {
            TextRange::new(
                range.start() + TextSize::new(1),
                range.end() - TextSize::new(1),
            )
        } else {
            range
        };
        diagnostic = diagnostic
            .with_related(
                &found.path,
                found.range,
                format!("workflow `{suggestion}` is defined here"),
            )
            .with_fix(
                format!("Replace with `{suggestion}`"),
                vec![Edit {
                    range: inner,
                    new_text: suggestion.to_string(),
                }],
            );
    }
    out.push(diagnostic);
}

/// `spec.action.parameters.workflow` (or the `params` alias) when `spec.action.target` is
/// `run_workflow`, with the value's range.
fn run_workflow_name(root: &Node) -> Option<(&str, TextRange)> {
    let action = root.get("spec")?.value.get("action")?;
    let target = action.value.get("target")?.value.as_str()?;
    if target.trim() != RUN_WORKFLOW {
        return None;
    }
    let parameters = action
        .value
        .get("parameters")
        .or_else(|| action.value.get("params"))?;
    let workflow = parameters.value.get("workflow")?;
    let name = workflow.value.as_str()?.trim();
    (!name.is_empty()).then_some((name, workflow.value.range))
}

/// Every workflow name defined by a resource file under `scope` (all of the workspace when it
/// is empty), except `own`. The legacy flat form counts by its top-level `name`: it is
/// reported by FDT003 already, and its fix keeps the name.
fn workflows_under(files: &Files<'_>, scope: &Path, own: &Path) -> Vec<Defined> {
    let mut defined = Vec::new();
    for candidate in files.files_under(scope) {
        if candidate == own || !resources::has_resource_extension(&candidate) {
            continue;
        }
        let Ok(Some(resource)) = resources::read(files, &candidate) else {
            continue;
        };
        let name = match resource.shape {
            Shape::Resource(Kind::Workflow) | Shape::BadKind | Shape::MissingKind => resource
                .root
                .get("metadata")
                .and_then(|metadata| metadata.value.get("name")),
            Shape::Legacy => resource.root.get("name"),
            Shape::Resource(_) => None,
        };
        let is_workflow = match resource.shape {
            Shape::Resource(Kind::Workflow) => true,
            Shape::Resource(_) => false,
            Shape::BadKind | Shape::MissingKind | Shape::Legacy => {
                !resources::stages(&resource).is_empty()
            }
        };
        if let Some(member) = name
            && is_workflow
            && let Some(text) = member.value.as_str()
        {
            defined.push(Defined {
                name: text.trim().to_string(),
                path: candidate.clone(),
                range: member.value.range,
            });
        }
    }
    defined
}
