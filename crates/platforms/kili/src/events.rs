//! `@on_kili_event` subscriptions read from the source, as the upload reads them
//! (`kili/services/plugins/upload.py`, kili 26.2.4: `_run_before`, `_ImportedNames`,
//! `_event_patterns`; research/platforms.md 1.6).
//!
//! Only names bound before the `class PluginHandler` line count: those of the module body and
//! of its `if`/`try`/`with`/`for`/`while` blocks, not those under `if TYPE_CHECKING:`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, LazyLock};

use plugsmith_core::TextRange;
use plugsmith_core::syntax::python::{self, PythonFile};
use serde::Deserialize;
use tree_sitter::Node;

use crate::detect::imported_name;
use crate::py;

/// The name of the decorator.
pub const DECORATOR: &str = "on_kili_event";
const DECORATOR_MODULES: &[&str] = &["kili.plugins", "kili.services.plugins.events"];
const TYPING_MODULES: &[&str] = &["typing", "typing_extensions"];

/// One `kili_events` model or family, from `data/kili-events.json`.
#[derive(Debug, Deserialize)]
pub struct Entry {
    /// Whether Kili sends it (or, for a family, any event of it) to plugins.
    pub reaches_plugins: bool,
}

/// The `kili_events` catalog (kili-events 26.2.1): 79 models, 58 families.
#[derive(Debug, Default, Deserialize)]
pub struct Catalog {
    pub models: BTreeMap<String, Entry>,
    pub families: BTreeMap<String, Entry>,
}

/// The embedded catalog, parsed once. An unparsable embedded file is a build defect that the
/// unit tests catch; it degrades to an empty catalog rather than a panic.
pub static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../data/kili-events.json")).unwrap_or_default()
});

/// What the module binds, when the class is defined, to the decorator, `kili_events` names,
/// `Union`, and module-level aliases (`_ImportedNames`).
#[derive(Debug, Default)]
pub struct ImportedNames<'t> {
    /// Decorator spellings that mean `@on_kili_event` (`on_kili_event`, `plugins.on_kili_event`).
    pub decorators: HashSet<String>,
    /// Local name → `kili_events` name.
    events: HashMap<String, String>,
    /// Local names of the `kili_events` module.
    event_modules: HashSet<String>,
    /// `from kili_events import *` seen.
    star_events: bool,
    /// Spellings of `typing.Union`.
    unions: HashSet<String>,
    /// Module-level `Name = <expression>`.
    aliases: HashMap<String, Node<'t>>,
    /// `kili_events` names imported only under `if TYPE_CHECKING:`.
    type_checking_only: HashSet<String>,
}

impl<'t> ImportedNames<'t> {
    /// Reads the statements that run before `class_row` (0-based row of the `class` line).
    pub fn read(file: &'t PythonFile, class_row: usize) -> Self {
        let mut names = ImportedNames::default();
        let mut run = Vec::new();
        run_before(file, py::statements(file.root()), class_row, &mut run);
        for statement in run {
            names.read_statement(file, statement);
        }
        names
    }

    fn read_statement(&mut self, file: &'t PythonFile, statement: Node<'t>) {
        match statement.kind() {
            "if_statement" if is_type_checking(file, statement) => {
                let keep = |node: Node<'_>| node.kind() == "import_from_statement";
                let descend = |node: Node<'_>| !node.kind().ends_with("expression");
                for import in py::find_descendants(statement, &keep, &descend) {
                    if is_events_module(&module_name(file, import)) {
                        let locals = imports(file, import).into_iter().map(|(_, local)| local);
                        self.type_checking_only.extend(locals);
                    }
                }
            }
            "import_from_statement" => self.read_import_from(file, statement),
            "import_statement" => self.read_import(file, statement),
            "expression_statement" => {
                if let Some(assignment) = py::named_children(statement).first()
                    && assignment.kind() == "assignment"
                {
                    self.read_alias(file, *assignment);
                }
            }
            _ => {}
        }
    }

    fn read_alias(&mut self, file: &PythonFile, assignment: Node<'t>) {
        let (Some(target), Some(value)) = (
            assignment.child_by_field_name("left"),
            assignment.child_by_field_name("right"),
        ) else {
            return;
        };
        if target.kind() == "identifier" && value.kind() != "assignment" {
            let name = file.text_of(target).to_string();
            self.events.remove(&name);
            self.aliases.insert(name, value);
        }
    }

    fn read_import_from(&mut self, file: &PythonFile, import: Node<'_>) {
        let module = module_name(file, import);
        for (name, local) in imports(file, import) {
            if DECORATOR_MODULES.contains(&module.as_str()) && (name == DECORATOR || name == "*") {
                let spelling = if name == "*" {
                    DECORATOR.to_string()
                } else {
                    local
                };
                self.decorators.insert(spelling);
            } else if module == "kili_events" && name == "*" {
                self.star_events = true;
            } else if module == "kili" && name == "plugins" {
                self.decorators.insert(format!("{local}.{DECORATOR}"));
            } else if is_events_module(&module) && name != "*" {
                self.aliases.remove(&local);
                self.events.insert(local, name);
            } else if TYPING_MODULES.contains(&module.as_str()) && name == "Union" {
                self.unions.insert(local);
            }
        }
    }

    fn read_import(&mut self, file: &PythonFile, import: Node<'_>) {
        for (name, local) in imports(file, import) {
            if DECORATOR_MODULES.contains(&name.as_str()) {
                self.decorators.insert(format!("{local}.{DECORATOR}"));
            } else if name == "kili_events" {
                self.event_modules.insert(local);
            } else if TYPING_MODULES.contains(&name.as_str()) {
                self.unions.insert(format!("{local}.Union"));
            }
        }
    }

    /// Whether a `decorator` node means `@on_kili_event` (with or without a call).
    pub fn is_on_kili_event(&self, file: &PythonFile, decorator: Node<'_>) -> bool {
        let Some(expression) = py::decorator_expression(decorator) else {
            return false;
        };
        let target = if expression.kind() == "call" {
            expression.child_by_field_name("function")
        } else {
            Some(expression)
        };
        target.is_some_and(|target| self.decorators.contains(&py::compact_text(file, target)))
    }
}

/// `_run_before`: the statements that run on import up to `class_row`, in order.
fn run_before<'t>(
    file: &'t PythonFile,
    statements: Vec<Node<'t>>,
    class_row: usize,
    out: &mut Vec<Node<'t>>,
) {
    for statement in statements {
        if statement.start_position().row >= class_row {
            return;
        }
        out.push(statement);
        for block in inner_blocks(file, statement) {
            run_before(file, py::statements(block), class_row, out);
        }
    }
}

/// The blocks of a compound statement that run on import (`body`, `orelse`, `finalbody`,
/// handlers): none for definitions, no `if TYPE_CHECKING:` body.
fn inner_blocks<'t>(file: &PythonFile, statement: Node<'t>) -> Vec<Node<'t>> {
    let mut blocks = Vec::new();
    match statement.kind() {
        "if_statement" | "elif_clause" => {
            if !is_type_checking(file, statement) {
                blocks.extend(statement.child_by_field_name("consequence"));
            }
            for alternative in py::field_children(statement, "alternative") {
                if alternative.kind() == "elif_clause" {
                    blocks.extend(inner_blocks(file, alternative));
                } else {
                    blocks.extend(alternative.child_by_field_name("body"));
                }
            }
        }
        "for_statement" | "while_statement" | "with_statement" => {
            blocks.extend(statement.child_by_field_name("body"));
            for alternative in py::field_children(statement, "alternative") {
                blocks.extend(alternative.child_by_field_name("body"));
            }
        }
        "try_statement" => {
            // `body + orelse + finalbody`, then the handlers' bodies, as `_run_before` does.
            blocks.extend(statement.child_by_field_name("body"));
            let clauses = py::named_children(statement);
            let block_of = |clause: &Node<'t>| {
                py::named_children(*clause)
                    .into_iter()
                    .filter(|n| n.kind() == "block")
                    .collect::<Vec<_>>()
            };
            for kind in ["else_clause", "finally_clause"] {
                for clause in clauses.iter().filter(|c| c.kind() == kind) {
                    if kind == "else_clause" {
                        blocks.extend(clause.child_by_field_name("body"));
                    } else {
                        blocks.extend(block_of(clause));
                    }
                }
            }
            for clause in clauses
                .iter()
                .filter(|c| matches!(c.kind(), "except_clause" | "except_group_clause"))
            {
                blocks.extend(block_of(clause));
            }
        }
        _ => {}
    }
    blocks
}

/// `if TYPE_CHECKING:` / `if typing.TYPE_CHECKING:` (also as an `elif`).
fn is_type_checking(file: &PythonFile, statement: Node<'_>) -> bool {
    statement
        .child_by_field_name("condition")
        .is_some_and(|condition| {
            matches!(
                py::compact_text(file, condition).as_str(),
                "TYPE_CHECKING" | "typing.TYPE_CHECKING"
            )
        })
}

fn is_events_module(module: &str) -> bool {
    module == "kili_events" || module.starts_with("kili_events.")
}

/// The module of `from X import ...` as `ast.ImportFrom.module` gives it: the dotted name
/// without the leading dots of a relative import (`""` for `from . import x`).
fn module_name(file: &PythonFile, import: Node<'_>) -> String {
    let Some(module) = import.child_by_field_name("module_name") else {
        return String::new();
    };
    py::compact_text(file, module)
        .trim_start_matches('.')
        .to_string()
}

/// `(imported name, local name)` of every name an import binds; `("*", "*")` for a wildcard.
fn imports(file: &PythonFile, import: Node<'_>) -> Vec<(String, String)> {
    if py::named_children(import)
        .iter()
        .any(|child| child.kind() == "wildcard_import")
    {
        return vec![("*".to_string(), "*".to_string())];
    }
    py::field_children(import, "name")
        .into_iter()
        .map(|node| {
            let name = imported_name(file, node);
            let local = node
                .child_by_field_name("alias")
                .filter(|_| node.kind() == "aliased_import")
                .map_or_else(|| name.clone(), |alias| file.text_of(alias).to_string());
            (name, local)
        })
        .collect()
}

/// A problem with (a part of) an event annotation, at a range of the plugin file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnotationProblem {
    pub range: TextRange,
    pub message: String,
    /// Where the offending part is defined, when the annotation reached it through an alias.
    pub defined_at: Option<TextRange>,
}

/// Where an annotation expression lives: the plugin file, or a string annotation parsed on
/// its own, `base` bytes into the plugin file.
#[derive(Clone, Copy)]
struct Place<'a> {
    file: &'a PythonFile,
    base: usize,
}

impl Place<'_> {
    fn range(&self, node: Node<'_>) -> TextRange {
        let start = self.base + node.start_byte();
        let end = self.base + node.end_byte();
        TextRange::new(py::offset(start), py::offset(end.max(start)))
    }
}

/// Every problem with the annotation of an `@on_kili_event` method's event parameter
/// (`event_names` + `_event_patterns`): parts that are no `kili_events` name, names imported
/// under `if TYPE_CHECKING:` only, unknown names, events Kili never sends to plugins.
pub fn annotation_problems(
    names: &ImportedNames<'_>,
    file: &PythonFile,
    annotation: Node<'_>,
) -> Vec<AnnotationProblem> {
    let mut problems = Vec::new();
    let place = Place { file, base: 0 };
    let mut walk = Walk {
        names,
        main: file,
        problems: &mut problems,
    };
    walk.annotation(place, annotation, &mut Vec::new(), None);
    problems
}

struct Walk<'n, 'a> {
    names: &'n ImportedNames<'a>,
    main: &'a PythonFile,
    problems: &'n mut Vec<AnnotationProblem>,
}

impl Walk<'_, '_> {
    /// `anchor`: the range in the method's annotation that led here through an alias.
    fn annotation(
        &mut self,
        place: Place<'_>,
        node: Node<'_>,
        followed: &mut Vec<String>,
        anchor: Option<TextRange>,
    ) {
        let node = unwrap_parentheses(node);
        if node.kind() == "string" {
            return self.string(place, node, followed, anchor);
        }
        if let Some(parts) = self.union_parts(place, node) {
            for part in parts {
                self.annotation(place, part, followed, anchor);
            }
            return;
        }
        let text = place.file.text_of(node);
        if node.kind() == "identifier"
            && let Some(value) = self.names.aliases.get(text)
            && !followed.iter().any(|name| name == text)
        {
            followed.push(text.to_string());
            let here = anchor.unwrap_or_else(|| place.range(node));
            let main = Place {
                file: self.main,
                base: 0,
            };
            self.annotation(main, *value, followed, Some(here));
            followed.pop();
            return;
        }
        self.name(place, node, anchor);
    }

    fn name(&mut self, place: Place<'_>, node: Node<'_>, anchor: Option<TextRange>) {
        let unparsed = collapse_whitespace(place.file.text_of(node));
        let message = match self.event_name(place.file, node) {
            Some(name) => check_event_name(&name),
            None if self.names.type_checking_only.contains(&unparsed) => Some(format!(
                "'{unparsed}' is imported under `if TYPE_CHECKING:` only, so it is not bound when \
                 the methods are decorated: import it at the top of the file."
            )),
            None => Some(format!(
                "'{unparsed}' is not a kili_events name, so the events it stands for cannot be \
                 read from the plugin's code. Annotate the event with models or families \
                 imported from kili_events (AssetSkippedEvent, AssetWorkflowEvent), or a union \
                 of them (AssetWorkflowEvent | LabelWorkflowEvent)."
            )),
        };
        if let Some(message) = message {
            let range = place.range(node);
            self.problems.push(AnnotationProblem {
                range: anchor.unwrap_or(range),
                message,
                defined_at: anchor.map(|_| range),
            });
        }
    }

    /// `_event_name`: the `kili_events` name a name or `module.attribute` refers to.
    fn event_name(&self, file: &PythonFile, node: Node<'_>) -> Option<String> {
        match node.kind() {
            "identifier" => {
                let text = file.text_of(node);
                self.names
                    .events
                    .get(text)
                    .cloned()
                    .or_else(|| self.names.star_events.then(|| text.to_string()))
            }
            "attribute" => {
                let object = node.child_by_field_name("object")?;
                let attribute = node.child_by_field_name("attribute")?;
                (object.kind() == "identifier"
                    && self.names.event_modules.contains(file.text_of(object)))
                .then(|| file.text_of(attribute).to_string())
            }
            _ => None,
        }
    }

    /// `A | B`, or `Union[A, B]` with a `Union` spelling the module bound.
    fn union_parts<'t>(&self, place: Place<'_>, node: Node<'t>) -> Option<Vec<Node<'t>>> {
        match node.kind() {
            "binary_operator" => {
                let operator = node.child_by_field_name("operator")?;
                if operator.kind() != "|" {
                    return None;
                }
                Some(vec![
                    node.child_by_field_name("left")?,
                    node.child_by_field_name("right")?,
                ])
            }
            "generic_type" => {
                let children = py::named_children(node);
                let (value, rest) = children.split_first()?;
                if !self
                    .names
                    .unions
                    .contains(&py::compact_text(place.file, *value))
                {
                    return None;
                }
                let parameters = rest.iter().find(|n| n.kind() == "type_parameter")?;
                let members = py::named_children(*parameters);
                match members.as_slice() {
                    [single] if unwrap_parentheses(*single).kind() == "tuple" => {
                        Some(py::named_children(unwrap_parentheses(*single)))
                    }
                    _ => Some(members),
                }
            }
            "subscript" => {
                let value = node.child_by_field_name("value")?;
                if !self
                    .names
                    .unions
                    .contains(&py::compact_text(place.file, value))
                {
                    return None;
                }
                let members = py::field_children(node, "subscript");
                match members.as_slice() {
                    [single] if unwrap_parentheses(*single).kind() == "tuple" => {
                        Some(py::named_children(unwrap_parentheses(*single)))
                    }
                    _ => Some(members),
                }
            }
            _ => None,
        }
    }

    /// A string annotation: its content parsed as an expression (`ast.parse(mode="eval")`).
    fn string(
        &mut self,
        place: Place<'_>,
        node: Node<'_>,
        followed: &mut Vec<String>,
        anchor: Option<TextRange>,
    ) {
        let children = py::named_children(node);
        let contents: Vec<Node<'_>> = children
            .iter()
            .copied()
            .filter(|child| !matches!(child.kind(), "string_start" | "string_end"))
            .collect();
        let simple = match contents.as_slice() {
            [] => None,
            [content] if content.kind() == "string_content" => Some(*content),
            _ => None,
        };
        let parsed = simple.map(|content| {
            let text: Arc<str> = Arc::from(place.file.text_of(content));
            (python::parse(text), place.base + content.start_byte())
        });
        let expression = parsed.as_ref().and_then(|(sub, base)| {
            let statements = py::statements(sub.root());
            let ok = !sub.root().has_error() && statements.len() == 1;
            let statement = statements.first().copied().filter(|_| ok)?;
            let expression = py::named_children(statement).first().copied();
            expression
                .filter(|_| statement.kind() == "expression_statement")
                .map(|e| (sub, *base, e))
        });
        match expression {
            Some((sub, base, expression)) => {
                let inner = Place { file: sub, base };
                self.annotation(inner, expression, followed, anchor);
            }
            None => self.problems.push(AnnotationProblem {
                range: anchor.unwrap_or_else(|| place.range(node)),
                message: format!(
                    "the string annotation {} is not an expression made of kili_events names.",
                    collapse_whitespace(place.file.text_of(node))
                ),
                defined_at: anchor.map(|_| place.range(node)),
            }),
        }
    }
}

/// The expression inside parentheses and `type` wrappers.
fn unwrap_parentheses(mut node: Node<'_>) -> Node<'_> {
    while matches!(node.kind(), "parenthesized_expression" | "type") {
        match py::named_children(node).first() {
            Some(inner) => node = *inner,
            None => break,
        }
    }
    node
}

fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `_event_patterns` on one name: `None` when Kili sends it to plugins.
pub fn check_event_name(name: &str) -> Option<String> {
    if name == "AnyEvent" {
        return None;
    }
    let entry = CATALOG
        .families
        .get(name)
        .or_else(|| CATALOG.models.get(name));
    match entry {
        Some(entry) if entry.reaches_plugins => None,
        Some(_) => Some(format!(
            "Kili never sends {name} to plugins: system events, and events of no project, do \
             not reach them."
        )),
        None => Some(format!(
            "'{name}' is not a kili_events model or family of events: annotate the event with \
             models (AssetSkippedEvent) or families (AssetWorkflowEvent)."
        )),
    }
}

/// A parameter's annotation expression (inside its `type` node).
pub fn annotation_of(parameter: Node<'_>) -> Option<Node<'_>> {
    let ty = parameter.child_by_field_name("type")?;
    Some(unwrap_parentheses(ty))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_is_complete() {
        assert_eq!(CATALOG.models.len(), 79);
        assert_eq!(CATALOG.families.len(), 58);
        let reach =
            |map: &BTreeMap<String, Entry>| map.values().filter(|e| e.reaches_plugins).count();
        assert_eq!(reach(&CATALOG.models), 62);
        assert_eq!(reach(&CATALOG.families), 40);
    }

    #[test]
    fn names_reaching_plugins() {
        assert_eq!(check_event_name("AssetSkippedEvent"), None);
        assert_eq!(check_event_name("AnyEvent"), None);
        assert!(
            check_event_name("AssetStorageIntegrationCreatedEvent")
                .unwrap()
                .starts_with("Kili never sends")
        );
        assert!(
            check_event_name("KiliEvent")
                .unwrap()
                .contains("not a kili_events model")
        );
    }
}
