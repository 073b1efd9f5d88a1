//! The rules on the `PluginHandler` class the upload reads.

use std::path::Path;

use plugsmith_core::syntax::python::{PythonFile, range_of};
use plugsmith_core::{Diagnostic, Edit, TextRange};
use tree_sitter::Node;

use crate::events::{self, ImportedNames};
use crate::handlers::{self, HANDLER_CLASS, LEGACY_HANDLERS, Method, ON_EVENT_ARGS};
use crate::{
    KIL003, KIL004, KIL005, KIL006, KIL007, KIL008, KIL013, KIL014, KIL015, KIL016, KIL017, py,
    signature,
};

const EXAMPLE: &str = "def on_skip(self, event: AssetSkippedEvent)";

/// The class and its methods, sorted by role.
struct Handler<'f> {
    path: &'f Path,
    file: &'f PythonFile,
    class: Node<'f>,
    /// Sync methods named like a legacy handler (decorated or not: the upload counts them).
    legacy: Vec<Method<'f>>,
    /// Methods decorated with `@on_kili_event`.
    decorated: Vec<Method<'f>>,
    /// A sync `on_event`.
    on_event: Option<Method<'f>>,
    names: ImportedNames<'f>,
}

/// Every rule on the class `class` of `file`.
pub fn check_class(path: &Path, file: &PythonFile, class: Node<'_>) -> Vec<Diagnostic> {
    let methods = handlers::methods(class);
    let names = ImportedNames::read(file, class.start_position().row);
    let is_legacy = |m: &Method<'_>| LEGACY_HANDLERS.iter().any(|(n, _)| *n == m.name(file));
    let handler = Handler {
        path,
        file,
        class,
        legacy: methods
            .iter()
            .filter(|m| !m.is_async() && is_legacy(m))
            .copied()
            .collect(),
        decorated: methods
            .iter()
            .filter(|m| {
                m.decorators()
                    .iter()
                    .any(|d| names.is_on_kili_event(file, *d))
            })
            .copied()
            .collect(),
        on_event: methods
            .iter()
            .find(|m| !m.is_async() && m.name(file) == "on_event")
            .copied(),
        names,
    };
    let mut out = Vec::new();
    handler.how_events_arrive(&mut out);
    for method in &handler.decorated {
        handler.kil013(method, &mut out);
    }
    handler.kil003(&mut out);
    handler.kil017(&mut out);
    for method in &methods {
        handler.method_rules(method, &mut out);
    }
    handler.kil011(&mut out);
    out
}

impl Handler<'_> {
    fn diagnostic(
        &self,
        rule: &plugsmith_core::Rule,
        range: TextRange,
        message: String,
    ) -> Diagnostic {
        Diagnostic::new(rule, self.path, range, message)
    }

    fn name_range(&self, method: &Method<'_>) -> TextRange {
        py::name_range(self.file, method.function)
    }

    /// `_check_handlers`: KIL004, KIL007, KIL014, KIL015.
    fn how_events_arrive(&self, out: &mut Vec<Diagnostic>) {
        if let Some(first) = self.decorated.first() {
            let related = self.name_range(first);
            for legacy in &self.legacy {
                out.push(
                    self.diagnostic(&KIL014, self.name_range(legacy), format!(
                        "A plugin either implements on_submit, on_review, on_custom_interface_click \
                         and on_send_back_to_queue, or subscribes to events with @on_kili_event: \
                         not both. The upload fails: remove `{}` or the @on_kili_event methods.",
                        legacy.name(self.file)
                    ))
                    .with_related(self.path, related, "subscribes with @on_kili_event"),
                );
            }
            if let Some(on_event) = &self.on_event {
                out.push(
                    self.diagnostic(
                        &KIL014,
                        self.name_range(on_event),
                        "on_event would stop the events reaching the methods decorated with \
                         @on_kili_event: remove it from PluginHandler. The upload fails."
                            .to_string(),
                    )
                    .with_related(
                        self.path,
                        related,
                        "subscribes with @on_kili_event",
                    ),
                );
            }
            return;
        }
        match (&self.on_event, self.legacy.first()) {
            (Some(on_event), Some(legacy)) => out.push(
                self.diagnostic(&KIL007, self.name_range(on_event), format!(
                    "`on_event` together with `{}`: the upload fails without an event matcher \
                     (\"Event matcher is required for plugins with on_event method.\") and with \
                     one (\"Cannot have both handler types and event matcher.\"). Keep one style.",
                    legacy.name(self.file)
                ))
                .with_related(self.path, self.name_range(legacy), "legacy handler"),
            ),
            (Some(on_event), None) => out.push(self.diagnostic(
                &KIL015,
                self.name_range(on_event),
                "Overriding on_event is deprecated: decorate methods with @on_kili_event to \
                 receive typed events. on_event now receives the whole event: the fields it read \
                 are under payload['payload']. The upload also needs `event_matcher` (\"Event \
                 matcher is required for plugins with on_event method.\")."
                    .to_string(),
            )),
            (None, None) => out.push(self.diagnostic(
                &KIL004,
                py::name_range(self.file, self.class),
                "PluginHandler has no handler, so the plugin would never run: define on_submit, \
                 on_review, on_custom_interface_click or on_send_back_to_queue, or methods \
                 decorated with @on_kili_event, in the PluginHandler class of the plugin file."
                    .to_string(),
            )),
            (None, Some(_)) => {}
        }
    }

    /// KIL003: the class does not derive from `PluginCore` (when that can be told).
    fn kil003(&self, out: &mut Vec<Diagnostic>) {
        if handlers::derives_from_plugin_core(self.file, self.class) != Some(false) {
            return;
        }
        out.push(
            self.diagnostic(
                &KIL003,
                py::name_range(self.file, self.class),
                "`PluginHandler` does not subclass `PluginCore` (`from kili.plugins import \
             PluginCore`): `self.kili`, `self.project_id` and `self.logger` will not exist, and \
             Kili cannot construct it with `(kili, project_id)`."
                    .to_string(),
            ),
        );
    }

    /// KIL017: `@on_kili_event` methods in a class with a base other than `PluginCore`
    /// (`find_event_subscriptions` logs a warning at upload).
    fn kil017(&self, out: &mut Vec<Diagnostic>) {
        if self.decorated.is_empty() {
            return;
        }
        let bases = handlers::bases(self.class);
        let Some(first) = bases.iter().find(|base| {
            py::compact_text(self.file, **base).rsplit('.').next() != Some("PluginCore")
        }) else {
            return;
        };
        let listed: Vec<&str> = bases.iter().map(|b| self.file.text_of(*b)).collect();
        let mut diagnostic = self.diagnostic(
            &KIL017,
            range_of(*first),
            format!(
                "PluginHandler inherits from {}: the upload reads the @on_kili_event methods of \
                 PluginHandler only, so the events of inherited ones are not sent. Define them \
                 on PluginHandler (the upload prints this warning and goes on).",
                listed.join(", ")
            ),
        );
        for (base, method) in self.inherited_decorated(&bases) {
            diagnostic = diagnostic.with_related(
                self.path,
                py::name_range(self.file, method),
                format!(
                    "`{}` is decorated with @on_kili_event in `{base}`: never subscribed",
                    py::name_of(self.file, method)
                ),
            );
        }
        out.push(diagnostic);
    }

    /// The `@on_kili_event` methods of the module's own classes among `bases` (and their
    /// bases), with the name of the class that defines each.
    fn inherited_decorated(&self, bases: &[Node<'_>]) -> Vec<(String, Node<'_>)> {
        let mut found = Vec::new();
        let mut queue: Vec<String> = bases
            .iter()
            .filter(|b| b.kind() == "identifier")
            .map(|b| self.file.text_of(*b).to_string())
            .collect();
        let mut seen = std::collections::HashSet::new();
        while let Some(name) = queue.pop() {
            if name == HANDLER_CLASS || !seen.insert(name.clone()) || seen.len() > 32 {
                continue;
            }
            let Some(class) = handlers::top_level_class(self.file, &name) else {
                continue;
            };
            for method in handlers::methods(class) {
                let decorated = method
                    .decorators()
                    .iter()
                    .any(|d| self.names.is_on_kili_event(self.file, *d));
                if decorated {
                    found.push((name.clone(), method.function));
                }
            }
            queue.extend(
                handlers::bases(class)
                    .into_iter()
                    .filter(|b| b.kind() == "identifier")
                    .map(|b| self.file.text_of(b).to_string()),
            );
        }
        found
    }

    /// KIL011 in every handler: legacy handlers, `@on_kili_event` methods, `on_event`.
    fn kil011(&self, out: &mut Vec<Diagnostic>) {
        let logger = handlers::derives_from_plugin_core(self.file, self.class) == Some(true);
        let handlers = self
            .legacy
            .iter()
            .chain(self.decorated.iter().filter(|m| !m.is_async()))
            .chain(self.on_event.iter());
        let mut seen = std::collections::HashSet::new();
        for method in handlers.filter(|m| seen.insert(m.function.id())) {
            out.extend(super::prints::kil011(self.path, self.file, method, logger));
        }
    }

    /// KIL005, KIL006, KIL008, KIL016 on one method.
    fn method_rules(&self, method: &Method<'_>, out: &mut Vec<Diagnostic>) {
        let name = method.name(self.file);
        let decorated = self
            .decorated
            .iter()
            .any(|d| d.function.id() == method.function.id());
        let call = LEGACY_HANDLERS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, args)| *args)
            .or((name == "on_event").then_some(ON_EVENT_ARGS));
        match (call, method.is_async(), decorated) {
            (Some(_), true, false) => out.push(self.kil005(method, name)),
            (Some(args), false, false) => out.extend(self.kil006(method, name, args)),
            _ => {}
        }
        if name == "on_project_updated" {
            out.push(
                self.diagnostic(
                    &KIL016,
                    self.name_range(method),
                    "`on_project_updated` is no longer a handler (kili 26.2): the upload does not \
                 register it and Kili never calls it. Subscribe to project events with \
                 @on_kili_event (e.g. `def on_settings(self, event: ProjectSettingsUpdatedEvent)`)."
                        .to_string(),
                ),
            );
        }
        if name == "__init__" {
            out.extend(self.kil008(method));
        }
    }

    fn kil005(&self, method: &Method<'_>, name: &str) -> Diagnostic {
        let scan = if name == "on_event" {
            "on_event"
        } else {
            "handler"
        };
        let diagnostic = self.diagnostic(
            &KIL005,
            py::async_name_range(method.function),
            format!(
                "`async def {name}`: Kili's upload scan only counts plain `def` methods, so this \
                 {scan} is not registered and never runs (a coroutine would never be awaited \
                 anyway). Make it a plain `def`."
            ),
        );
        // Dropping `async` is only certain when the body awaits nothing.
        let awaits = method
            .function
            .child_by_field_name("body")
            .is_none_or(|body| {
                let text = self.file.text_of(body);
                text.contains("await") || text.contains("async")
            });
        let keyword = method.function.child(0).filter(|k| k.kind() == "async");
        let def = method.function.child(1).filter(|d| d.kind() == "def");
        match (keyword, def, awaits) {
            (Some(keyword), Some(def), false) => diagnostic.with_fix(
                format!("Make `{name}` a plain `def`"),
                vec![Edit {
                    range: TextRange::new(
                        py::offset(keyword.start_byte()),
                        py::offset(def.start_byte()),
                    ),
                    new_text: String::new(),
                }],
            ),
            _ => diagnostic,
        }
    }

    /// KIL006: Kili's positional call does not bind.
    fn kil006(&self, method: &Method<'_>, name: &str, args: &[&str]) -> Option<Diagnostic> {
        let decorators: Vec<String> = method
            .decorators()
            .iter()
            .filter_map(|d| py::decorator_expression(*d))
            .map(|e| py::compact_text(self.file, e))
            .collect();
        let bound_self = match decorators.as_slice() {
            [] => true,
            [only] if only == "classmethod" => true,
            [only] if only == "staticmethod" => false,
            // Another decorator may change the signature: nothing certain to say.
            _ => return None,
        };
        let parameters = method.function.child_by_field_name("parameters")?;
        let signature = signature::read(self.file, parameters);
        let given = args.len() + usize::from(bound_self);
        let qualname = format!("{HANDLER_CLASS}.{name}");
        let error = signature.bind_error(&qualname, given)?;
        let call = args.join(", ");
        let expected = if bound_self {
            format!("self, {call}")
        } else {
            call.clone()
        };
        Some(self.diagnostic(
            &KIL006,
            range_of(parameters),
            format!(
                "Kili calls `{name}({call})`, and this signature cannot take it: TypeError: \
                 {error}. The handler fails on every run; use `def {name}({expected})`."
            ),
        ))
    }

    /// KIL008: `__init__` without `super().__init__(...)` / `PluginCore.__init__(self, ...)`.
    fn kil008(&self, method: &Method<'_>) -> Option<Diagnostic> {
        let bases: Vec<String> = handlers::bases(self.class)
            .into_iter()
            .map(|b| py::compact_text(self.file, b))
            .filter(|b| b != "object")
            .collect();
        if bases.is_empty() {
            return None;
        }
        let body = method.function.child_by_field_name("body")?;
        let keep = |node: Node<'_>| node.kind() == "call" && self.is_super_init(node, &bases);
        let descend = |_: Node<'_>| true;
        if !py::find_descendants(body, &keep, &descend).is_empty() {
            return None;
        }
        Some(
            self.diagnostic(
                &KIL008,
                self.name_range(method),
                "`PluginHandler.__init__` does not call `super().__init__(kili, project_id)`: \
             `self.kili`, `self.project_id` and `self.logger` are never set, and the first \
             handler that uses them fails with AttributeError. PluginCore's docstring: a custom \
             `__init__` must call `super().__init__()`."
                    .to_string(),
            ),
        )
    }

    /// `super().__init__(...)`, `super(X, self).__init__(...)`, `Base.__init__(self, ...)`.
    fn is_super_init(&self, call: Node<'_>, bases: &[String]) -> bool {
        let Some(function) = call.child_by_field_name("function") else {
            return false;
        };
        let (Some(object), Some(attribute)) = (
            function.child_by_field_name("object"),
            function.child_by_field_name("attribute"),
        ) else {
            return false;
        };
        if function.kind() != "attribute" || self.file.text_of(attribute) != "__init__" {
            return false;
        }
        let object_text = py::compact_text(self.file, object);
        let is_super = object.kind() == "call"
            && object
                .child_by_field_name("function")
                .is_some_and(|f| self.file.text_of(f) == "super");
        is_super
            || object_text.rsplit('.').next() == Some("PluginCore")
            || bases.contains(&object_text)
    }

    /// KIL013 on one `@on_kili_event` method (`find_event_subscriptions`, `_method_patterns`).
    fn kil013(&self, method: &Method<'_>, out: &mut Vec<Diagnostic>) {
        let name = method.name(self.file);
        let prefix = format!("{HANDLER_CLASS}.{name}");
        let decorators = method.decorators();
        let Some(decorator) = decorators
            .iter()
            .find(|d| self.names.is_on_kili_event(self.file, **d))
        else {
            return;
        };
        let mut push = |range: TextRange, message: String| {
            out.push(self.diagnostic(&KIL013, range, format!("{prefix}: {message}")));
        };
        if decorators.len() > 1 {
            push(
                range_of(*decorator),
                "@on_kili_event is the only decorator of the method it marks — Kili calls it \
                 with the event, nothing else."
                    .to_string(),
            );
        }
        if py::decorator_expression(*decorator).is_some_and(|e| e.kind() == "call") {
            push(
                range_of(*decorator),
                format!(
                    "@on_kili_event takes no arguments: annotate the event parameter with the \
                     events to receive, e.g. `{EXAMPLE}`."
                ),
            );
        }
        if method.is_async() {
            push(
                py::async_name_range(method.function),
                "@on_kili_event decorates plain methods, and this one is async: a plugin would \
                 never await it."
                    .to_string(),
            );
        }
        let Some(parameters) = method.function.child_by_field_name("parameters") else {
            return;
        };
        let signature = signature::read(self.file, parameters);
        let extra = signature.var_positional || signature.var_keyword;
        let keyword_only = py::named_children(parameters)
            .iter()
            .any(|p| p.kind() == "keyword_separator");
        if signature.positional.len() != 2 || extra || keyword_only {
            push(
                range_of(parameters),
                format!("it takes self and the event, e.g. `{EXAMPLE}`."),
            );
        }
        let Some(event) = positional_parameter(parameters, 1) else {
            return;
        };
        let Some(annotation) = events::annotation_of(event) else {
            if matches!(event.kind(), "identifier" | "default_parameter") {
                push(
                    range_of(event),
                    format!(
                        "annotate the event parameter with the events to receive, e.g. \
                         `{EXAMPLE}`."
                    ),
                );
            }
            return;
        };
        for problem in events::annotation_problems(&self.names, self.file, annotation) {
            let mut diagnostic = self.diagnostic(
                &KIL013,
                problem.range,
                format!("{prefix}: {}", problem.message),
            );
            if let Some(defined) = problem.defined_at {
                diagnostic = diagnostic.with_related(self.path, defined, "defined here");
            }
            out.push(diagnostic);
        }
    }
}

/// The `index`-th positional parameter node (plain, typed or with a default).
fn positional_parameter(parameters: Node<'_>, index: usize) -> Option<Node<'_>> {
    py::named_children(parameters)
        .into_iter()
        .take_while(|p| !is_star(*p))
        .filter(|p| match p.kind() {
            "identifier" | "default_parameter" | "typed_default_parameter" => true,
            "typed_parameter" => py::named_children(*p)
                .first()
                .is_some_and(|inner| inner.kind() == "identifier"),
            _ => false,
        })
        .nth(index)
}

/// `*`, `*args` or `*args: T`: what follows is keyword-only.
fn is_star(parameter: Node<'_>) -> bool {
    match parameter.kind() {
        "keyword_separator" | "list_splat_pattern" => true,
        "typed_parameter" => py::named_children(parameter)
            .first()
            .is_some_and(|inner| inner.kind() == "list_splat_pattern"),
        _ => false,
    }
}
