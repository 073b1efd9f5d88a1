//! Rules on calls anywhere in the plugin's `__init__.py`: validation results thrown away
//! (ARC009) and Celery queues no default worker consumes (ARC008).
//!
//! Sources: `app/utils/PluginClass.py` (`validate_fields`, `validate_roles`),
//! `app/__init__.py` and `start_celery.sh` (workers and queues), archihub-backend@e7766f5;
//! `research/platforms.md` 5.2, 5.4, 5.5.

use plugsmith_core::Diagnostic;
use plugsmith_core::syntax::python::{PythonFile, range_of};
use tree_sitter::Node as TsNode;

use crate::Context;
use crate::literals::decode_string;
use crate::rules::{ARC008, ARC009};

/// The queue a plain Celery worker consumes.
const DEFAULT_QUEUE: &str = "celery";

/// The queues ArchiHub's `start_celery.sh` serves with `-Q high,medium,low`.
const PRIORITY_QUEUES: [&str; 3] = ["low", "medium", "high"];

/// Every node of the file, in source order (bounded by the tree; no recursion).
fn nodes(file: &PythonFile) -> Vec<TsNode<'_>> {
    let mut found = Vec::new();
    let mut stack = vec![file.root()];
    while let Some(node) = stack.pop() {
        found.push(node);
        let mut cursor = node.walk();
        let children: Vec<TsNode<'_>> = node.named_children(&mut cursor).collect();
        stack.extend(children.into_iter().rev());
    }
    found
}

/// ARC009: `x.validate_fields(...)` / `x.validate_roles(...)` as a bare expression statement.
pub fn arc009(context: &Context<'_>) -> Vec<Diagnostic> {
    let file = context.file;
    nodes(file)
        .into_iter()
        .filter(|node| node.kind() == "expression_statement" && node.named_child_count() == 1)
        .filter_map(|statement| statement.named_child(0))
        .filter(|call| call.kind() == "call")
        .filter_map(|call| {
            let function = call.child_by_field_name("function")?;
            if function.kind() != "attribute" {
                return None;
            }
            let method = file.text_of(function.child_by_field_name("attribute")?);
            let what = match method {
                "validate_fields" => {
                    "a missing `post_type`, a missing required field or an empty required file"
                }
                "validate_roles" => "a user without the required role",
                _ => return None,
            };
            Some(Diagnostic::new(
                &ARC009,
                context.path,
                range_of(call),
                format!(
                    "the return value of `{method}(...)` is ignored: `{method}` does not raise, \
                     it returns the error response for the route to return, so as a bare \
                     statement it validates nothing and the route goes on with {what}; write \
                     `error = {}` and `if error: return error`",
                    file.text_of(call)
                ),
            ))
        })
        .collect()
}

/// ARC008: `queue='<name>'` keyword arguments whose queue is not Celery's default.
pub fn arc008(context: &Context<'_>) -> Vec<Diagnostic> {
    let file = context.file;
    nodes(file)
        .into_iter()
        .filter(|node| node.kind() == "keyword_argument")
        .filter(|argument| {
            argument
                .child_by_field_name("name")
                .is_some_and(|name| file.text_of(name) == "queue")
        })
        .filter_map(|argument| argument.child_by_field_name("value"))
        .filter(|value| value.kind() == "string")
        .filter_map(|value| {
            let token = decode_string(file.text_of(value));
            if token.is_formatted() || token.is_bytes() || token.value == DEFAULT_QUEUE {
                return None;
            }
            let queue = token.value;
            let message = if PRIORITY_QUEUES.contains(&queue.as_str()) {
                format!(
                    "the task is sent to the `{queue}` queue, which only a Celery worker started \
                     with `-Q high,medium,low` consumes (`CELERY_QUEUES` in ArchiHub's \
                     start_celery.sh); a plain worker only consumes `celery`, so without such a \
                     worker the task stays queued and never runs"
                )
            } else {
                format!(
                    "the task is sent to the custom queue `{queue}`: ArchiHub's workers consume \
                     `celery` and, when started with `-Q`, `high`, `medium` and `low`; no \
                     worker consumes `{queue}` unless you run one with `-Q {queue}`, so the \
                     task stays queued and never runs"
                )
            };
            Some(Diagnostic::new(
                &ARC008,
                context.path,
                range_of(value),
                message,
            ))
        })
        .collect()
}
