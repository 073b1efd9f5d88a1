//! Rules on the plugin's code: the `ExtendedPluginClass` constructor (ARC003), the routes its
//! `add_routes` defines (for ARC006), and Celery task names (ARC007).
//!
//! Sources: `app/utils/PluginClass.py`, `app/utils/templates/Plugin.py`,
//! `app/api/system/services.py` (archihub-backend@e7766f5; `research/platforms.md` 5.1, 5.3,
//! 5.4).

use std::collections::HashMap;

use plugsmith_core::syntax::python::{PythonFile, range_of};
use plugsmith_core::syntax::value::{Node, Value};
use plugsmith_core::{Diagnostic, Edit, TextRange, TextSize};
use tree_sitter::Node as TsNode;

use crate::Context;
use crate::literals::decode_string;
use crate::rules::{ARC003, ARC007, ARC012};

/// The class the backend instantiates.
pub const CLASS: &str = "ExtendedPluginClass";

/// `statement` as `class ExtendedPluginClass(...)` (possibly decorated), when it is one and
/// names `PluginClass` (or `something.PluginClass`) among its bases.
pub fn as_plugin_class<'t>(file: &PythonFile, statement: TsNode<'t>) -> Option<TsNode<'t>> {
    let class = match statement.kind() {
        "class_definition" => statement,
        "decorated_definition" => statement.child_by_field_name("definition")?,
        _ => return None,
    };
    if class.kind() != "class_definition" {
        return None;
    }
    let name = class.child_by_field_name("name")?;
    if file.text_of(name) != CLASS {
        return None;
    }
    let bases = class.child_by_field_name("superclasses")?;
    let mut cursor = bases.walk();
    let subclasses = bases.named_children(&mut cursor).any(|base| {
        let text = file.text_of(base);
        text == "PluginClass" || text.ends_with(".PluginClass")
    });
    subclasses.then_some(class)
}

/// The top-level `class ExtendedPluginClass(PluginClass)` of the file.
pub fn find_class(file: &PythonFile) -> Option<TsNode<'_>> {
    let root = file.root();
    let mut cursor = root.walk();
    root.named_children(&mut cursor)
        .filter_map(|statement| as_plugin_class(file, statement))
        .last()
}

/// The `def` nodes directly in a class body (decorated ones included), by name.
fn methods<'t>(file: &PythonFile, class: TsNode<'t>) -> Vec<(String, TsNode<'t>)> {
    let Some(body) = class.child_by_field_name("body") else {
        return Vec::new();
    };
    let mut cursor = body.walk();
    body.named_children(&mut cursor)
        .filter_map(|statement| {
            let function = match statement.kind() {
                "function_definition" => statement,
                "decorated_definition" => statement.child_by_field_name("definition")?,
                _ => return None,
            };
            let name = function.child_by_field_name("name")?;
            Some((file.text_of(name).to_string(), function))
        })
        .collect()
}

/// ARC003: `ExtendedPluginClass.__init__` must accept `**kwargs`, since `get_system_settings`
/// and `get_system_actions` call `ExtendedPluginClass(slug, __name__, **plugin_info,
/// isTask=True)` (since archihub-backend f6fb064, 2025-07).
pub fn arc003(context: &Context<'_>, class: TsNode<'_>, info: Option<&Node>) -> Vec<Diagnostic> {
    let file = context.file;
    let Some((_, init)) = methods(file, class)
        .into_iter()
        .rfind(|(name, _)| name == "__init__")
    else {
        return Vec::new();
    };
    let (Some(name), Some(parameters)) = (
        init.child_by_field_name("name"),
        init.child_by_field_name("parameters"),
    ) else {
        return Vec::new();
    };
    let signature = Signature::of(file, parameters);
    if signature.var_keyword {
        return Vec::new();
    }
    let mut unexpected: Vec<String> = Vec::new();
    if !signature.accepts("isTask") {
        unexpected.push("isTask".to_string());
    }
    let keys: Vec<String> = info
        .and_then(Node::as_object)
        .map(|members| members.iter().map(|member| member.key.clone()).collect())
        .unwrap_or_default();
    let extra: Vec<String> = keys
        .iter()
        .filter(|key| !signature.accepts(key))
        .map(|key| format!("`{key}`"))
        .collect();
    if unexpected.is_empty() && extra.is_empty() {
        return Vec::new();
    }
    let mut message = format!(
        "`{CLASS}.__init__` does not accept `**kwargs`: the backend builds \
         `{CLASS}(slug, __name__, **plugin_info, isTask=True)` for the system settings and \
         actions (`get_system_settings`, `get_system_actions`), which raises `TypeError: \
         __init__() got an unexpected keyword argument 'isTask'`"
    );
    if !extra.is_empty() {
        message.push_str(&format!(
            "; `plugin_info` keys {} are not parameters either, so registering the plugin at \
             startup raises `TypeError` too",
            extra.join(", ")
        ));
    }
    message
        .push_str(". Add `**kwargs` to the parameters (and pass them on to `super().__init__`).");
    let range = range_of(name);
    vec![
        Diagnostic::new(&ARC003, context.path, range, message)
            .with_fix("Add `**kwargs` to `__init__`", vec![signature.fix]),
    ]
}

/// What a parameter list accepts by keyword.
struct Signature {
    /// Names that can be passed by keyword (not positional-only, not `*args`).
    keywords: Vec<String>,
    /// `**kwargs` present.
    var_keyword: bool,
    /// The edit that appends `**kwargs`.
    fix: Edit,
}

impl Signature {
    fn of(file: &PythonFile, parameters: TsNode<'_>) -> Signature {
        let mut keywords = Vec::new();
        let mut var_keyword = false;
        let mut last_end = None;
        let mut cursor = parameters.walk();
        for parameter in parameters.named_children(&mut cursor) {
            if parameter.kind() == "comment" {
                continue;
            }
            last_end = Some(range_of(parameter).end());
            match parameter.kind() {
                "positional_separator" => keywords.clear(),
                "dictionary_splat_pattern" => var_keyword = true,
                "identifier" => keywords.push(file.text_of(parameter).to_string()),
                "typed_parameter" | "default_parameter" | "typed_default_parameter" => {
                    let first = parameter
                        .child_by_field_name("name")
                        .or_else(|| parameter.named_child(0));
                    match first {
                        Some(inner) if inner.kind() == "dictionary_splat_pattern" => {
                            var_keyword = true;
                        }
                        Some(inner) if inner.kind() == "identifier" => {
                            keywords.push(file.text_of(inner).to_string());
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        // The first two positional parameters after `self` receive `slug` and `__name__`.
        let fix = match last_end {
            Some(end) => Edit {
                range: TextRange::empty(end),
                new_text: ", **kwargs".to_string(),
            },
            None => Edit {
                range: TextRange::empty(range_of(parameters).start() + TextSize::new(1)),
                new_text: "**kwargs".to_string(),
            },
        };
        Signature {
            keywords,
            var_keyword,
            fix,
        }
    }

    fn accepts(&self, name: &str) -> bool {
        self.keywords.iter().any(|keyword| keyword == name)
    }
}

/// The routes the plugin's class defines, as Flask rules (`/bulk`, `/filedownload/<taskId>`),
/// plus those the base class registers (`/image`, `/settings`, `/settings/<type>`).
#[derive(Debug)]
pub struct Routes {
    pub rules: Vec<String>,
}

/// The class's routes: `@self.route('/x', ...)` decorators and `add_url_rule('/x', ...)` calls
/// anywhere in its body. `None` when a rule is not a string literal (the routes cannot be
/// known without running the code).
pub fn routes(file: &PythonFile, class: TsNode<'_>) -> Option<Routes> {
    let mut rules = vec![
        "/image".to_string(),
        "/settings".to_string(),
        "/settings/<type>".to_string(),
    ];
    let mut found: Vec<(usize, String)> = Vec::new();
    let mut stack = vec![class];
    while let Some(node) = stack.pop() {
        if node.kind() == "call"
            && let Some(function) = node.child_by_field_name("function")
            && function.kind() == "attribute"
            && let Some(attribute) = function.child_by_field_name("attribute")
            && matches!(file.text_of(attribute), "route" | "add_url_rule")
        {
            let first = node
                .child_by_field_name("arguments")
                .and_then(|arguments| arguments.named_child(0));
            match first {
                Some(rule) if rule.kind() == "string" => {
                    let token = decode_string(file.text_of(rule));
                    if token.is_formatted() {
                        return None;
                    }
                    found.push((rule.start_byte(), token.value));
                }
                _ => return None,
            }
        }
        let mut cursor = node.walk();
        stack.extend(node.named_children(&mut cursor));
    }
    found.sort();
    rules.extend(found.into_iter().map(|(_, rule)| rule));
    Some(Routes { rules })
}

impl Routes {
    /// Whether a POST to `/<slug>/<callback>` reaches one of the rules. `<x>` matches one
    /// segment, `<path:x>` the rest.
    pub fn matches(&self, callback: &str) -> bool {
        let wanted: Vec<&str> = callback.trim_matches('/').split('/').collect();
        self.rules.iter().any(|rule| {
            let parts: Vec<&str> = rule.trim_matches('/').split('/').collect();
            let mut index = 0;
            for part in &parts {
                if part.starts_with("<path:") {
                    return index < wanted.len();
                }
                let Some(segment) = wanted.get(index) else {
                    return false;
                };
                let variable = part.starts_with('<') && part.ends_with('>');
                if !variable && part != segment {
                    return false;
                }
                index += 1;
            }
            index == wanted.len()
        })
    }
}

/// ARC007: `@shared_task` names. Celery task names are global: the template's `'FUNCNAME'`
/// placeholder left in two plugins collides; ArchiHub's convention is `<slug>.<function>`.
pub fn arc007(context: &Context<'_>) -> Vec<Diagnostic> {
    let file = context.file;
    let mut diagnostics = Vec::new();
    let mut seen: HashMap<String, TextRange> = HashMap::new();
    for (decorator, function) in shared_tasks(file) {
        let task = Task::new(context, function);
        match name_argument(file, decorator) {
            NameArgument::Literal(value, name) => {
                diagnostics.extend(task.check_name(context, value, name, &mut seen));
            }
            NameArgument::Dynamic => {}
            NameArgument::Missing => diagnostics.push(task.missing_name(context, decorator)),
        }
    }
    diagnostics
}

/// A `@shared_task` function and the name ArchiHub's convention gives it.
struct Task<'t> {
    function_name: &'t str,
    /// `<slug>.<function>`, when the slug is known.
    expected: Option<String>,
}

impl<'t> Task<'t> {
    fn new(context: &Context<'t>, function: TsNode<'_>) -> Self {
        let function_name = function
            .child_by_field_name("name")
            .map_or("", |name| context.file.text_of(name));
        let expected = context.slug.map(|slug| format!("{slug}.{function_name}"));
        Task {
            function_name,
            expected,
        }
    }

    /// The convention, for messages.
    fn convention(&self) -> String {
        self.expected
            .as_ref()
            .map_or_else(|| "`<slug>.<function>`".to_string(), |e| format!("`{e}`"))
    }

    /// The decorator has no `name=`.
    fn missing_name(&self, context: &Context<'_>, decorator: TsNode<'_>) -> Diagnostic {
        let function_name = self.function_name;
        Diagnostic::new(
            &ARC007,
            context.path,
            range_of(decorator),
            format!(
                "`@shared_task` without `name=`: Celery names the task after the module \
                 (`app.plugins.{}.{function_name}`) instead of ArchiHub's \
                 `<slug>.<function>` convention; write `name={}`",
                context.slug.unwrap_or("<slug>"),
                self.expected
                    .as_ref()
                    .map_or_else(|| "'<slug>.<function>'".to_string(), |e| format!("'{e}'"))
            ),
        )
    }

    /// The literal `name=` (`value`, decoded as `name`): a name used twice (recorded in
    /// `seen`), the template placeholder, or a name off the convention.
    fn check_name(
        &self,
        context: &Context<'_>,
        value: TsNode<'_>,
        name: String,
        seen: &mut HashMap<String, TextRange>,
    ) -> Option<Diagnostic> {
        let range = range_of(value);
        if let Some(first) = seen.get(&name) {
            return Some(duplicate_task(context, range, &name, *first));
        }
        seen.insert(name.clone(), range);
        let placeholder = name == "FUNCNAME";
        let off_convention = match &self.expected {
            Some(expected) => name != *expected,
            None => !name.ends_with(&format!(".{}", self.function_name)),
        };
        if !placeholder && !off_convention {
            return None;
        }
        let convention = self.convention();
        let message = if placeholder {
            format!(
                "`@shared_task` name is still the template placeholder `'FUNCNAME'`: task \
                 names are global, so two plugins left unchanged register the same task and \
                 one runs the other's code; use {convention}"
            )
        } else {
            format!(
                "Celery task name `{name}` does not follow ArchiHub's {convention} \
                 convention: task names are global, an off-convention name can collide with \
                 another plugin's task"
            )
        };
        let diagnostic = Diagnostic::new(&ARC007, context.path, range, message);
        Some(self.with_rename_fix(context.file, diagnostic, value))
    }

    /// The fix writing the expected name in `value`'s quotes, when the slug is known.
    fn with_rename_fix(
        &self,
        file: &PythonFile,
        diagnostic: Diagnostic,
        value: TsNode<'_>,
    ) -> Diagnostic {
        let Some(expected) = &self.expected else {
            return diagnostic;
        };
        let quote = file
            .text_of(value)
            .chars()
            .rfind(|ch| *ch == '\'' || *ch == '"')
            .unwrap_or('\'');
        diagnostic.with_fix(
            format!("Name the task `{expected}`"),
            vec![Edit {
                range: range_of(value),
                new_text: format!("{quote}{expected}{quote}"),
            }],
        )
    }
}

/// ARC007: the task name `name` is already registered at `first`.
fn duplicate_task(
    context: &Context<'_>,
    range: TextRange,
    name: &str,
    first: TextRange,
) -> Diagnostic {
    Diagnostic::new(
        &ARC007,
        context.path,
        range,
        format!(
            "Celery task name `{name}` is used twice: task names are global, the \
             second registration replaces the first and its calls run the wrong \
             function"
        ),
    )
    .with_related(context.path, first, "first task with this name")
}

/// Every `@shared_task` / `@shared_task(...)` / `@celery.shared_task(...)` decorator with the
/// function it decorates, anywhere in the file.
fn shared_tasks(file: &PythonFile) -> Vec<(TsNode<'_>, TsNode<'_>)> {
    let mut found = Vec::new();
    let mut stack = vec![file.root()];
    while let Some(node) = stack.pop() {
        if node.kind() == "decorated_definition"
            && let Some(function) = node.child_by_field_name("definition")
            && function.kind() == "function_definition"
        {
            let mut cursor = node.walk();
            for decorator in node.named_children(&mut cursor) {
                if decorator.kind() != "decorator" {
                    continue;
                }
                let Some(expression) = decorator.named_child(0) else {
                    continue;
                };
                let callee = if expression.kind() == "call" {
                    expression.child_by_field_name("function")
                } else {
                    Some(expression)
                };
                let is_shared_task = callee.is_some_and(|callee| {
                    let text = file.text_of(callee);
                    text == "shared_task" || text.ends_with(".shared_task")
                });
                if is_shared_task {
                    found.push((decorator, function));
                }
            }
        }
        let mut cursor = node.walk();
        stack.extend(node.named_children(&mut cursor));
    }
    found.sort_by_key(|(decorator, _)| decorator.start_byte());
    found
}

/// The `name=` argument of a `@shared_task(...)` decorator.
enum NameArgument<'t> {
    /// No `name=` (or a bare `@shared_task`).
    Missing,
    /// A plain string literal: its node and value.
    Literal(TsNode<'t>, String),
    /// Computed (a variable, an f-string, ...): not judged.
    Dynamic,
}

fn name_argument<'t>(file: &PythonFile, decorator: TsNode<'t>) -> NameArgument<'t> {
    let Some(call) = decorator
        .named_child(0)
        .filter(|node| node.kind() == "call")
    else {
        return NameArgument::Missing;
    };
    let Some(arguments) = call.child_by_field_name("arguments") else {
        return NameArgument::Missing;
    };
    let mut cursor = arguments.walk();
    let mut found = NameArgument::Missing;
    for argument in arguments.named_children(&mut cursor) {
        match argument.kind() {
            "dictionary_splat" => found = NameArgument::Dynamic,
            "keyword_argument"
                if argument
                    .child_by_field_name("name")
                    .is_some_and(|name| file.text_of(name) == "name") =>
            {
                found = match argument.child_by_field_name("value") {
                    Some(value) if value.kind() == "string" => {
                        let token = decode_string(file.text_of(value));
                        if token.is_formatted() {
                            NameArgument::Dynamic
                        } else {
                            NameArgument::Literal(value, token.value)
                        }
                    }
                    _ => NameArgument::Dynamic,
                };
            }
            _ => {}
        }
    }
    found
}

/// Where `PluginClass.__init__(path, filePath, import_name, name, description, version, author,
/// type, settings=None, capabilities=None, actions=None, **kwargs)` takes each key
/// positionally (after `self`).
const FORWARDED: [(&str, usize); 2] = [("capabilities", 9), ("actions", 10)];

/// ARC012: `actions` / `capabilities` declared (non-empty) in `plugin_info` but not handed on
/// to `PluginClass.__init__`: passed as the literal `None`, captured by an `__init__`
/// parameter and not passed on, or collected in `**kwargs` that are not passed on.
pub fn arc012(context: &Context<'_>, class: TsNode<'_>, info: &Node) -> Vec<Diagnostic> {
    let Some(init) = InitForwarding::of(context.file, class) else {
        return Vec::new();
    };
    FORWARDED
        .into_iter()
        .filter(|(key, _)| declares(info, key))
        .filter_map(|(key, index)| init.diagnose(context, key, index))
        .collect()
}

/// Whether `plugin_info` declares `key` with a value that is not `null` nor `[]`.
fn declares(info: &Node, key: &str) -> bool {
    info.get(key)
        .is_some_and(|member| match &member.value.value {
            Value::Array(items) => !items.is_empty(),
            Value::Null => false,
            _ => true,
        })
}

/// The class's `__init__` and the `PluginClass.__init__` call in it.
struct InitForwarding<'t> {
    parameters: TsNode<'t>,
    signature: Signature,
    call: TsNode<'t>,
    /// Leading arguments that are not `PluginClass.__init__` parameters.
    skip: usize,
    /// Positional arguments of the call.
    positional: Vec<TsNode<'t>>,
    /// Keyword arguments of the call: name, value.
    keywords: Vec<(String, TsNode<'t>)>,
    /// The call passes `**something`.
    splat: bool,
}

impl<'t> InitForwarding<'t> {
    /// `None` when there is no `__init__`, no such call, or the call passes `*args` (the
    /// positions cannot be known).
    fn of(file: &PythonFile, class: TsNode<'t>) -> Option<Self> {
        let (_, init) = methods(file, class)
            .into_iter()
            .rfind(|(name, _)| name == "__init__")?;
        let parameters = init.child_by_field_name("parameters")?;
        let (call, skip) = super_init_call(file, init)?;
        let arguments = call.child_by_field_name("arguments")?;
        let mut forwarding = InitForwarding {
            parameters,
            signature: Signature::of(file, parameters),
            call,
            skip,
            positional: Vec::new(),
            keywords: Vec::new(),
            splat: false,
        };
        let mut cursor = arguments.walk();
        for argument in arguments.named_children(&mut cursor) {
            match argument.kind() {
                "keyword_argument" => {
                    if let (Some(name), Some(value)) = (
                        argument.child_by_field_name("name"),
                        argument.child_by_field_name("value"),
                    ) {
                        forwarding
                            .keywords
                            .push((file.text_of(name).to_string(), value));
                    }
                }
                "dictionary_splat" => forwarding.splat = true,
                "list_splat" => return None,
                "comment" => {}
                _ => forwarding.positional.push(argument),
            }
        }
        Some(forwarding)
    }

    /// The argument the call passes for `key` (by keyword, or at `index` after `self`).
    fn passed(&self, key: &str, index: usize) -> Option<TsNode<'t>> {
        self.keywords
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, value)| *value)
            .or_else(|| self.positional.get(index + self.skip).copied())
    }

    /// ARC012 for the declared `key`, which `PluginClass.__init__` takes at `index`.
    fn diagnose(&self, context: &Context<'_>, key: &str, index: usize) -> Option<Diagnostic> {
        match self.passed(key, index) {
            Some(value) if context.file.text_of(value) == "None" => {
                Some(self.passes_none(context, key, value))
            }
            Some(_) => None,
            None if self.signature.accepts(key) => Some(self.parameter_dropped(context, key)),
            None if self.signature.var_keyword && !self.splat => {
                Some(self.kwargs_dropped(context, key))
            }
            None => None,
        }
    }

    /// `key` is passed as the literal `None`; the fix passes the parameter when there is one.
    fn passes_none(&self, context: &Context<'_>, key: &str, value: TsNode<'_>) -> Diagnostic {
        let consequence = consequence(key);
        let diagnostic = Diagnostic::new(
            &ARC012,
            context.path,
            range_of(value),
            format!(
                "`plugin_info` declares `{key}` but `__init__` passes `None` as `{key}` \
                 to `PluginClass.__init__` (as ArchiHub's template does), so the plugin \
                 object has no {key}: {consequence}"
            ),
        );
        if !self.signature.accepts(key) {
            return diagnostic;
        }
        diagnostic.with_fix(
            format!("Pass the `{key}` parameter on"),
            vec![Edit {
                range: range_of(value),
                new_text: key.to_string(),
            }],
        )
    }

    /// `__init__` takes `key` as a parameter and does not pass it on.
    fn parameter_dropped(&self, context: &Context<'_>, key: &str) -> Diagnostic {
        let consequence = consequence(key);
        let range =
            parameter_range(context.file, self.parameters, key).unwrap_or(range_of(self.call));
        Diagnostic::new(
            &ARC012,
            context.path,
            range,
            format!(
                "`plugin_info` declares `{key}` and `__init__` takes it as a parameter \
                 but does not pass it on to `PluginClass.__init__`, whose default is \
                 `None`, so the plugin object has no {key}: {consequence}; pass \
                 `{key}={key}`"
            ),
        )
    }

    /// `__init__` collects `key` in `**kwargs` and does not pass them on.
    fn kwargs_dropped(&self, context: &Context<'_>, key: &str) -> Diagnostic {
        let consequence = consequence(key);
        let function = self.call.child_by_field_name("function");
        Diagnostic::new(
            &ARC012,
            context.path,
            range_of(function.unwrap_or(self.call)),
            format!(
                "`plugin_info` declares `{key}`, which `__init__` collects in `**kwargs` \
                 but does not pass on to `PluginClass.__init__` (default `None`), so \
                 the plugin object has no {key}: {consequence}; pass `**kwargs` on"
            ),
        )
    }
}

/// What ArchiHub does with a plugin object without `actions` / `capabilities`.
fn consequence(key: &str) -> &'static str {
    if key == "actions" {
        "`POST /system/get-actions` reads the actions from the plugin object, so these action \
         buttons never appear"
    } else {
        "`GET /system/get-settings` merges the capabilities of the plugin objects, so these are \
         not listed (the beat schedule reads `plugin_info` itself and is not affected)"
    }
}

/// The `super().__init__(...)` / `super(X, self).__init__(...)` / `PluginClass.__init__(self,
/// ...)` call directly in a statement of `init`'s body, with the number of leading arguments
/// that are not `PluginClass.__init__` parameters (`self` for the unbound form).
fn super_init_call<'t>(file: &PythonFile, init: TsNode<'t>) -> Option<(TsNode<'t>, usize)> {
    let body = init.child_by_field_name("body")?;
    let mut cursor = body.walk();
    let statements: Vec<TsNode<'t>> = body.named_children(&mut cursor).collect();
    statements.into_iter().find_map(|statement| {
        let call = statement
            .named_child(0)
            .filter(|_| statement.kind() == "expression_statement")
            .filter(|call| call.kind() == "call")?;
        let function = call.child_by_field_name("function")?;
        if function.kind() != "attribute"
            || function
                .child_by_field_name("attribute")
                .is_none_or(|attribute| file.text_of(attribute) != "__init__")
        {
            return None;
        }
        let object = function.child_by_field_name("object")?;
        let text = file.text_of(object);
        if text.starts_with("super(") {
            Some((call, 0))
        } else if text == "PluginClass" || text.ends_with(".PluginClass") {
            Some((call, 1))
        } else {
            None
        }
    })
}

/// The name of the parameter `name` in a parameter list.
fn parameter_range(file: &PythonFile, parameters: TsNode<'_>, name: &str) -> Option<TextRange> {
    let mut cursor = parameters.walk();
    let children: Vec<TsNode<'_>> = parameters.named_children(&mut cursor).collect();
    children.into_iter().find_map(|parameter| {
        let node = match parameter.kind() {
            "identifier" => parameter,
            _ => parameter
                .child_by_field_name("name")
                .or_else(|| parameter.named_child(0))?,
        };
        (node.kind() == "identifier" && file.text_of(node) == name).then(|| range_of(node))
    })
}

/// Whether the class body defines the method `name`.
pub fn defines_method(file: &PythonFile, class: TsNode<'_>, name: &str) -> bool {
    methods(file, class)
        .iter()
        .any(|(method, _)| method == name)
}
