//! Rules on `plugin_info`: whether the listing can evaluate it (ARC001), its schema (ARC002),
//! `type` entries and their settings lists (ARC004), duplicate field ids (ARC005) and button
//! callbacks without a route (ARC006).
//!
//! Sources: `app/api/system/services.py` (listing, system settings/actions),
//! `app/utils/PluginClass.py` (`get_settings`: `GET /<slug>/settings/<type>`), the compiled
//! frontend of `getting-started` (field rendering); `research/platforms.md` 5.1, 5.2, 5.5.

use std::collections::HashMap;
use std::sync::LazyLock;

use plugsmith_core::schema::{Schema, SchemaError, SchemaErrorKind};
use plugsmith_core::syntax::value::{Node, PathSegment};
use plugsmith_core::{Diagnostic, Edit, Severity, TextRange};
use tree_sitter::Node as TsNode;

use crate::Context;
use crate::code_rules;
use crate::evaluator::{Blocker, Outcome, Skipped, Why};
use crate::rules::{ARC001, ARC002, ARC004, ARC005, ARC006};

/// The bundled schema source.
pub const SCHEMA_SOURCE: &str =
    include_str!("../../../../schemas/archihub.plugin_info.schema.json");

/// The compiled `plugin_info` schema. `None` only if the bundled schema does not compile (a
/// build defect a unit test rules out).
pub static SCHEMA: LazyLock<Option<Schema>> = LazyLock::new(|| Schema::compile(SCHEMA_SOURCE).ok());

/// The `type` entries and the settings list each one opens (`GET /<slug>/settings/<type>`
/// reads `settings['settings_' + type]`, and `type=settings` reads `settings['settings']`).
pub const TYPE_SETTINGS: [(&str, &str); 4] = [
    ("bulk", "settings_bulk"),
    ("settings", "settings"),
    ("lunch", "settings_lunch"),
    ("control", "settings_control"),
];

const EVALUABLE: &str = "ArchiHub lists plugins without importing them and only evaluates \
    constants, `_()`/`gettext()` with one argument, names bound by earlier top-level \
    assignments, lists, tuples, dicts and `*`/`**` spreads";

const NOT_FOUND: &str = "the listing logs \"plugin_info not found\" and skips the plugin";

/// ARC001: no `plugin_info` that the listing evaluates to a dict.
pub fn arc001(context: &Context<'_>, outcome: &Outcome) -> Vec<Diagnostic> {
    match outcome {
        Outcome::Dict { .. } | Outcome::GaveUp => Vec::new(),
        Outcome::NotDict {
            type_name,
            value,
            target,
        } => vec![not_dict(context, type_name, *value, *target)],
        Outcome::NotFound { skipped } if skipped.is_empty() => vec![not_found(context)],
        Outcome::NotFound { skipped } => {
            let tail = if skipped.len() > 1 {
                "no `plugin_info` assignment in the file is evaluable, so"
            } else {
                "so"
            };
            skipped
                .iter()
                .map(|skip| skipped_assignment(context, skip, tail))
                .collect()
        }
    }
}

/// `plugin_info` (`target`) evaluates to a `type_name` (`value`), not a dict.
fn not_dict(
    context: &Context<'_>,
    type_name: &str,
    value: TextRange,
    target: TextRange,
) -> Diagnostic {
    let path = context.path;
    Diagnostic::new(
        &ARC001,
        path,
        value,
        format!(
            "`plugin_info` evaluates to a `{type_name}`, not a dict: ArchiHub's \
             listing raises `ValueError('plugin_info must be a dictionary')` and the \
             plugin is not listed"
        ),
    )
    .with_related(path, target, "the `plugin_info` ArchiHub evaluates")
}

/// No `plugin_info` assignment at all: reported on the plugin class's name, else the first
/// line.
fn not_found(context: &Context<'_>) -> Diagnostic {
    let range = code_rules::find_class(context.file)
        .and_then(|class| class.child_by_field_name("name"))
        .map_or_else(
            || first_line(context),
            plugsmith_core::syntax::python::range_of,
        );
    Diagnostic::new(
        &ARC001,
        context.path,
        range,
        format!("no top-level `plugin_info = {{...}}` assignment: {NOT_FOUND}"),
    )
}

/// A `plugin_info` assignment the listing does not use; `tail` leads into [`NOT_FOUND`].
fn skipped_assignment(context: &Context<'_>, skip: &Skipped, tail: &str) -> Diagnostic {
    let reason = match &skip.why {
        Why::Unevaluable(blocker) => return unevaluable(context, skip.target, blocker, tail),
        Why::Annotated { annotation } => return annotated(context, skip.target, *annotation, tail),
        Why::Augmented => format!(
            "`plugin_info` is built by an augmented assignment, which ArchiHub's \
             listing ignores (it only evaluates plain `name = value` statements), \
             {tail} {NOT_FOUND}"
        ),
        Why::NotTopLevel { context: inside } => format!(
            "`plugin_info` is assigned inside {inside}: ArchiHub's listing only \
             evaluates the module's top-level statements, {tail} {NOT_FOUND}"
        ),
        Why::Unpacked => format!(
            "`plugin_info` is assigned by unpacking: ArchiHub's listing only \
             evaluates `plugin_info = value`, {tail} {NOT_FOUND}"
        ),
    };
    Diagnostic::new(&ARC001, context.path, skip.target, reason)
}

/// `plugin_info: T = ...`; the fix deletes the `: T` part (`annotation`).
fn annotated(
    context: &Context<'_>,
    target: TextRange,
    annotation: TextRange,
    tail: &str,
) -> Diagnostic {
    Diagnostic::new(
        &ARC001,
        context.path,
        target,
        format!(
            "`plugin_info` is an annotated assignment, which ArchiHub's listing \
             ignores (it only evaluates plain `name = value` statements), \
             {tail} {NOT_FOUND}"
        ),
    )
    .with_fix(
        "Remove the annotation",
        vec![Edit {
            range: annotation,
            new_text: String::new(),
        }],
    )
}

fn unevaluable(
    context: &Context<'_>,
    target: TextRange,
    blocker: &Blocker,
    tail: &str,
) -> Diagnostic {
    let path = context.path;
    let mut diagnostic = Diagnostic::new(
        &ARC001,
        path,
        blocker.range,
        format!(
            "ArchiHub cannot evaluate `plugin_info`: it uses {} ({EVALUABLE}); the assignment \
             is skipped, {tail} {NOT_FOUND}",
            blocker.what
        ),
    )
    .with_related(path, target, "this `plugin_info` assignment is skipped");
    let mut cause = blocker.cause.as_deref();
    while let Some(inner) = cause {
        diagnostic =
            diagnostic.with_related(path, inner.range, format!("not evaluable: {}", inner.what));
        cause = inner.cause.as_deref();
    }
    diagnostic
}

fn first_line(context: &Context<'_>) -> TextRange {
    let text = &context.file.text;
    let end = text.find('\n').unwrap_or(text.len());
    let end = if end == 0 {
        text.chars().next().map_or(0, char::len_utf8)
    } else {
        end
    };
    TextRange::new(0.into(), (end as u32).into())
}

/// ARC002: `plugin_info` against `schemas/archihub.plugin_info.schema.json`. Errors in a
/// settings list that no page shows (its `type` entry is absent) are warnings.
pub fn arc002(context: &Context<'_>, info: &Node) -> Vec<Diagnostic> {
    let Some(schema) = SCHEMA.as_ref() else {
        return Vec::new();
    };
    let types = type_entries(info);
    schema
        .validate(info)
        .into_iter()
        .map(|error| {
            let mut message = error.message.clone();
            let consequence = if is_nameless_file(info, &error) {
                message = message.replace("key `id`", "key `id` (or `name`)");
                "the file input takes its form key from `name` (other inputs from `id`): \
                 without either the upload never reaches the plugin"
                    .to_string()
            } else {
                consequence(&error)
            };
            if !consequence.is_empty() {
                message.push_str(": ");
                message.push_str(&consequence);
            }
            let unused = unused_list(&error.path, &types);
            let mut diagnostic = Diagnostic::new(&ARC002, context.path, error.range, message);
            if let Some((entry, list)) = unused {
                diagnostic.message.push_str(&format!(
                    " (no page shows `{list}` today: `type` has no `{entry}`)"
                ));
                diagnostic = diagnostic.with_severity(Severity::Warning);
            }
            diagnostic
        })
        .collect()
}

/// A `file` field with neither `id` nor `name`.
fn is_nameless_file(info: &Node, error: &SchemaError) -> bool {
    matches!(&error.kind, SchemaErrorKind::Missing { property } if property == "id")
        && info
            .lookup(&error.path)
            .and_then(|found| found.node.get("type"))
            .and_then(|member| member.value.as_str())
            == Some("file")
}

/// The `type` entry and list when `path` is inside a settings list whose `type` entry is
/// absent.
fn unused_list(path: &[PathSegment], types: &[String]) -> Option<(&'static str, &'static str)> {
    let (Some(PathSegment::Key(first)), Some(PathSegment::Key(list)), Some(_)) =
        (path.first(), path.get(1), path.get(2))
    else {
        return None;
    };
    if first != "settings" {
        return None;
    }
    TYPE_SETTINGS
        .into_iter()
        .find(|(_, key)| key == list)
        .filter(|(entry, _)| !types.iter().any(|t| t == entry))
}

fn type_entries(info: &Node) -> Vec<String> {
    info.get("type")
        .and_then(|member| member.value.as_array())
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn key_at(path: &[PathSegment], index: usize) -> Option<&str> {
    match path.get(index) {
        Some(PathSegment::Key(key)) => Some(key),
        _ => None,
    }
}

/// What ArchiHub does with the violation, in its words.
fn consequence(error: &SchemaError) -> String {
    let path = error.path.as_slice();
    let last_key = path.iter().rev().find_map(|segment| match segment {
        PathSegment::Key(key) => Some(key.as_str()),
        PathSegment::Index(_) => None,
    });
    let ends_in_index = matches!(path.last(), Some(PathSegment::Index(_)));
    let top = key_at(path, 0);
    match &error.kind {
        SchemaErrorKind::Missing { property } => match (path.len(), property.as_str()) {
            (0, "settings") => "the template's `__init__` requires `settings` (`TypeError` when \
                the plugin is registered), and without it `GET /<slug>/settings/<type>` fails \
                with 500"
                .to_string(),
            (0, property) => format!(
                "`ExtendedPluginClass(slug, __name__, **plugin_info)` raises `TypeError` \
                 (missing argument `{property}`): the plugin cannot be activated, and an active \
                 one stops the app at startup"
            ),
            (2, "placement") if top == Some("actions") => "`get_system_actions` reads \
                `action['placement']` of every active plugin: `KeyError`, \
                `POST /system/get-actions` returns 500"
                .to_string(),
            (2, "extraOpts") if top == Some("actions") => "the frontend reads \
                `action.extraOpts.length` unguarded: the page showing this action crashes \
                (use `'extraOpts': []`)"
                .to_string(),
            (_, "value" | "label") if last_key == Some("options") => {
                "each option needs `value` (what is stored) and `label` (what is shown)".to_string()
            }
            (_, "type") => "the frontend picks the input from `type`: this field is not \
                rendered"
                .to_string(),
            (_, "id") => "the form stores the value under `id`: without it the plugin never \
                receives this field's value"
                .to_string(),
            (_, "options") => "the frontend builds the choices from `options`: the field \
                offers nothing to choose (use `'options': []` if `get_settings` fills it at \
                run time)"
                .to_string(),
            (_, "fields") => "the frontend builds each entry of a `multiple` field from \
                `fields`"
                .to_string(),
            _ => String::new(),
        },
        _ => match (top, last_key) {
            (Some("type"), _) if path.len() == 2 => "the processing page only has the `bulk`, \
                `settings`, `lunch` and `control` tabs: this entry opens nothing"
                .to_string(),
            (Some("type"), _) => "the backend and the frontend read `type` as a list of tab \
                names"
                .to_string(),
            (Some("settings"), _) if path.len() == 1 => "`GET /<slug>/settings/<type>` indexes \
                it: the settings endpoint returns 500"
                .to_string(),
            (Some("settings"), _) if path.len() == 2 => "the frontend renders a form from a \
                list of field objects"
                .to_string(),
            (_, Some("type")) => "the frontend renders no input for this `type`: the field is \
                not shown and no value is collected"
                .to_string(),
            (_, Some("required")) => "`validate_fields` treats any truthy `required` as \
                required"
                .to_string(),
            (_, Some("extraOpts")) if !ends_in_index => "the frontend reads \
                `action.extraOpts.length` unguarded: the page showing this action crashes"
                .to_string(),
            (_, Some("callback")) => "the button POSTs to `/<slug>/<callback>`".to_string(),
            (Some("actions"), _) if path.len() <= 2 => "`get_system_actions` reads every \
                action's `placement` and the frontend its `extraOpts`"
                .to_string(),
            (Some("capabilities"), _) => "the beat schedule and `GET /system/get-settings` \
                read `capabilities` as a list of names"
                .to_string(),
            (Some("name" | "description"), _) if path.len() == 1 => {
                "the plugin list shows it, translated with gettext".to_string()
            }
            (Some("version"), _) if path.len() == 1 => "a number is shown as Python prints it \
                (`1.10` becomes `1.1`); write the version as a string"
                .to_string(),
            (Some("author"), _) if path.len() == 1 => {
                "the plugin list shows it as text".to_string()
            }
            _ if ends_in_index => "every entry of a field list is a field object".to_string(),
            _ => String::new(),
        },
    }
}

/// ARC004: a `type` entry whose settings list is missing: the processing page opens the tab
/// with `GET /<slug>/settings/<type>`, which indexes `settings['settings_' + type]` (`KeyError`
/// → 500). `settings` → `settings['settings']`, not in `RULES.md`'s list but read the same way
/// by `get_settings` (platforms.md 5.2).
pub fn arc004(context: &Context<'_>, info: &Node) -> Vec<Diagnostic> {
    let Some(settings) = info.get("settings").map(|member| &member.value) else {
        return Vec::new();
    };
    if settings.as_object().is_none() {
        return Vec::new();
    }
    let Some(types) = info.get("type").and_then(|member| member.value.as_array()) else {
        return Vec::new();
    };
    let mut diagnostics = Vec::new();
    for item in types {
        let Some(entry) = item.as_str() else {
            continue;
        };
        let Some((_, key)) = TYPE_SETTINGS.into_iter().find(|(name, _)| *name == entry) else {
            continue;
        };
        if settings.get(key).is_some() {
            continue;
        }
        diagnostics.push(Diagnostic::new(
            &ARC004,
            context.path,
            item.range,
            format!(
                "`type` has `{entry}` but `settings` has no `{key}`: when the processing page \
                 opens the `{entry}` tab, `GET /<slug>/settings/{entry}` raises `KeyError` and \
                 returns 500; add `'{key}': [...]` to `settings`"
            ),
        ));
    }
    diagnostics
}

/// Every list of field objects: the values of `settings`, the `fields` of `multiple` fields
/// (recursively) and every action's `extraOpts`, with the name to show.
fn field_lists(info: &Node) -> Vec<(String, &[Node])> {
    let mut lists: Vec<(String, &[Node])> = Vec::new();
    if let Some(members) = info.get("settings").and_then(|m| m.value.as_object()) {
        for member in members {
            if let Some(items) = member.value.as_array() {
                lists.push((format!("settings.{}", member.key), items));
            }
        }
    }
    if let Some(actions) = info.get("actions").and_then(|m| m.value.as_array()) {
        for (index, action) in actions.iter().enumerate() {
            if let Some(items) = action.get("extraOpts").and_then(|m| m.value.as_array()) {
                lists.push((format!("actions[{index}].extraOpts"), items));
            }
        }
    }
    let mut index = 0;
    while let Some((name, items)) = lists.get(index).cloned() {
        for (position, field) in items.iter().enumerate() {
            if let Some(nested) = field.get("fields").and_then(|m| m.value.as_array()) {
                lists.push((format!("{name}[{position}].fields"), nested));
            }
        }
        index += 1;
    }
    lists
}

/// ARC005: two fields of one list with the same `id`: the form keeps one value per id.
pub fn arc005(context: &Context<'_>, info: &Node) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for (name, items) in field_lists(info) {
        let mut seen: HashMap<&str, TextRange> = HashMap::new();
        for field in items {
            let Some(id) = field.get("id") else {
                continue;
            };
            let Some(text) = id.value.as_str() else {
                continue;
            };
            match seen.get(text) {
                Some(first) => diagnostics.push(
                    Diagnostic::new(
                        &ARC005,
                        context.path,
                        id.value.range,
                        format!(
                            "duplicate field id `{text}` in `{name}`: the form keeps one value \
                             per id, so these fields overwrite each other's value (and the \
                             plugin cannot tell them apart)"
                        ),
                    )
                    .with_related(
                        context.path,
                        *first,
                        "first field with this id",
                    ),
                ),
                None => {
                    seen.insert(text, id.value.range);
                }
            }
        }
    }
    diagnostics
}

/// ARC006: a button's `callback` that no route of the class serves: clicking it POSTs to
/// `/<slug>/<callback>` and Flask answers 404. Skipped when the routes are not all literal.
pub fn arc006(context: &Context<'_>, info: &Node, class: TsNode<'_>) -> Vec<Diagnostic> {
    let Some(routes) = code_rules::routes(context.file, class) else {
        return Vec::new();
    };
    let mut diagnostics = Vec::new();
    for (_, items) in field_lists(info) {
        for field in items {
            if field.get("type").and_then(|m| m.value.as_str()) != Some("button") {
                continue;
            }
            let Some(callback) = field.get("callback") else {
                continue;
            };
            let Some(text) = callback.value.as_str() else {
                continue;
            };
            if routes.matches(text) {
                continue;
            }
            let defined: Vec<String> = routes
                .rules
                .iter()
                .skip(3)
                .map(|rule| format!("`{rule}`"))
                .collect();
            let defined = if defined.is_empty() {
                "none".to_string()
            } else {
                defined.join(", ")
            };
            diagnostics.push(Diagnostic::new(
                &ARC006,
                context.path,
                callback.value.range,
                format!(
                    "button callback `{text}` has no route: clicking it POSTs to \
                     `/<slug>/{text}`, which `{}.add_routes` does not define (Flask answers \
                     404). Routes defined: {defined}",
                    code_rules::CLASS
                ),
            ));
        }
    }
    diagnostics
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_schema_compiles() {
        Schema::compile(SCHEMA_SOURCE).unwrap();
        assert!(SCHEMA.is_some());
    }
}
