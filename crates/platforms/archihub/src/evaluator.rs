//! ArchiHub's restricted `plugin_info` evaluator, re-implemented over tree-sitter-python.
//!
//! The backend lists plugins without importing them (`app/api/system/services.py`,
//! `get_plugin_info_from_file`, archihub-backend@e7766f5; `research/platforms.md` 5.1): it
//! parses `__init__.py` and walks the module's top-level statements in order. Only plain
//! `name = <expr>` statements (`ast.Assign`) count; annotated (`x: T = ...`) and augmented
//! (`x += ...`) assignments are ignored. An assignment's value is evaluable when it is built
//! from:
//! - constants (strings without an `f` prefix, numbers, `True`, `False`, `None`, `...`);
//! - `_("…")` / `gettext("…")` with exactly one positional argument (the call is replaced by
//!   its argument's value);
//! - names bound by earlier evaluable top-level assignments;
//! - lists and tuples (with `*spread`), dicts (with `**spread`).
//!
//! Anything else (f-strings, operators including unary `-`, other calls, attribute access,
//! subscripts, comprehensions, sets, ...) makes that one assignment unevaluable: it is skipped
//! and binds nothing (an earlier binding of the same name stays). The first evaluable
//! `plugin_info` assignment is the plugin's info and must be a dict.
//!
//! Decisions where the description is silent (the Python re-implementation in
//! `tests/python/test_archihub_evaluator.py` makes the same ones):
//! - chained assignments `a = b = {...}` bind every plain-name target; tuple, attribute and
//!   subscript targets bind nothing;
//! - the `_()` argument is itself evaluated (any evaluable expression);
//! - a `*spread` accepts lists, tuples, strings (characters) and dicts (keys), a `**spread`
//!   only dicts; anything else (a Python `TypeError`) makes the assignment unevaluable, as does
//!   an unhashable dict key (a list or dict);
//! - dict keys are compared as Python does (`1`, `1.0` and `True` are one key; the last value
//!   wins, the first key's position stays).
//!
//! Ranges: every value keeps the range of the source text that wrote it, so schema errors point
//! into the dict literal. A value reached through a name keeps its definition's ranges inside,
//! but its outermost node takes the range of the name where it is used (so "`settings` must be
//! an object" points at `settings: SETTINGS`, while an error inside `SETTINGS` points into its
//! own literal). Elements that come from a `*spread`/`**spread` keep the ranges of the literal
//! that wrote them. A `_("…")` value has the range of the whole call.
//!
//! Resources are bounded: a value nested deeper than [`MAX_DEPTH`] or larger than [`MAX_SIZE`]
//! nodes (names can double a value at every assignment) stops the evaluation with
//! [`Outcome::GaveUp`]: no verdict rather than a wrong one.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use plugsmith_core::TextRange;
use plugsmith_core::syntax::python::{PythonFile, range_of};
use plugsmith_core::syntax::value::{Member, Node, Value};
use tree_sitter::Node as TsNode;

use crate::literals::{NumberToken, decode_number, decode_string};

/// Deepest nesting of a value (or of the expression that builds it) the evaluator follows.
pub const MAX_DEPTH: usize = 64;
/// Most nodes one value may have.
pub const MAX_SIZE: usize = 100_000;

/// What ArchiHub's listing makes of a plugin's `__init__.py`.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// The first evaluable `plugin_info` is a dict: the plugin is listed with it.
    Dict {
        info: Node,
        /// The `plugin_info` target of the assignment that produced it.
        target: TextRange,
    },
    /// The first evaluable `plugin_info` is not a dict (`ValueError 'plugin_info must be a
    /// dictionary'`).
    NotDict {
        /// `list`, `str`, `int`, ... (Python type names).
        type_name: &'static str,
        value: TextRange,
        target: TextRange,
    },
    /// No evaluable `plugin_info` ("plugin_info not found": the plugin is skipped). `skipped`
    /// says why each `plugin_info` assignment in the file did not count, in source order.
    NotFound { skipped: Vec<Skipped> },
    /// The value grew past the resource bounds: no verdict.
    GaveUp,
}

/// A `plugin_info` assignment the listing does not use.
#[derive(Clone, Debug, PartialEq)]
pub struct Skipped {
    /// The `plugin_info` target (or the whole statement for annotated/augmented ones).
    pub target: TextRange,
    pub why: Why,
}

/// Why a `plugin_info` assignment is not used.
#[derive(Clone, Debug, PartialEq)]
pub enum Why {
    /// Its value uses something the evaluator does not understand.
    Unevaluable(Blocker),
    /// `plugin_info: T = ...`: `ast.AnnAssign`. `annotation` is the `: T` part to delete.
    Annotated { annotation: TextRange },
    /// `plugin_info += ...`, `|=`: `ast.AugAssign`.
    Augmented,
    /// Assigned inside a compound statement, function or class (`context` says which).
    NotTopLevel { context: &'static str },
    /// `plugin_info, x = ...`: unpacking, not a plain name target.
    Unpacked,
}

/// The sub-expression that made an assignment unevaluable.
#[derive(Clone, Debug, PartialEq)]
pub struct Blocker {
    pub range: TextRange,
    /// A noun phrase: "an f-string", "the `+` operator", "a call to `os.getenv`".
    pub what: String,
    /// When the blocker is a name whose own assignment was unevaluable: that assignment's
    /// blocker.
    pub cause: Option<Box<Blocker>>,
}

/// Evaluates `plugin_info` the way ArchiHub's plugin listing does. The file should parse
/// without syntax errors (a `SyntaxError` breaks the listing before any evaluation: PLG001);
/// error nodes are treated as unevaluable expressions.
pub fn evaluate(file: &PythonFile) -> Outcome {
    let mut state = State {
        file,
        env: HashMap::new(),
        failed: HashMap::new(),
        too_large: HashSet::new(),
    };
    let mut skipped = Vec::new();
    let root = file.root();
    let mut cursor = root.walk();
    for statement in root.named_children(&mut cursor) {
        if statement.kind() != "expression_statement" {
            continue;
        }
        let mut inner = statement.walk();
        for child in statement.named_children(&mut inner) {
            match child.kind() {
                "assignment" => {
                    if let Some(done) = state.assignment(child, &mut skipped) {
                        return done;
                    }
                }
                "augmented_assignment" => {
                    if let Some(left) = child.child_by_field_name("left")
                        && is_plugin_info(file, left)
                    {
                        let end = child
                            .child_by_field_name("operator")
                            .map_or(range_of(left).end(), |op| range_of(op).end());
                        skipped.push(Skipped {
                            target: TextRange::new(range_of(left).start(), end),
                            why: Why::Augmented,
                        });
                    }
                }
                _ => {}
            }
        }
    }
    skipped.extend(nested_assignments(file));
    skipped.sort_by_key(|skip| skip.target.start());
    Outcome::NotFound { skipped }
}

fn is_plugin_info(file: &PythonFile, node: TsNode<'_>) -> bool {
    node.kind() == "identifier" && file.text_of(node) == "plugin_info"
}

/// A Python value with the range of the text that wrote it.
#[derive(Clone, Debug)]
struct Val {
    kind: Kind,
    range: TextRange,
    size: usize,
    depth: usize,
}

/// One `key: value` pair of a dict.
type Entry = (Rc<Val>, Rc<Val>);

#[derive(Clone, Debug)]
enum Kind {
    None,
    Bool(bool),
    Int(i128),
    BigInt(String),
    Float(f64),
    Complex(String),
    Str(String),
    Bytes(String),
    Ellipsis,
    List(Vec<Rc<Val>>),
    Tuple(Vec<Rc<Val>>),
    Dict(Vec<Entry>),
}

impl Val {
    fn leaf(kind: Kind, range: TextRange) -> Rc<Val> {
        Rc::new(Val {
            kind,
            range,
            size: 1,
            depth: 1,
        })
    }

    fn type_name(&self) -> &'static str {
        match self.kind {
            Kind::None => "None",
            Kind::Bool(_) => "bool",
            Kind::Int(_) | Kind::BigInt(_) => "int",
            Kind::Float(_) => "float",
            Kind::Complex(_) => "complex",
            Kind::Str(_) => "str",
            Kind::Bytes(_) => "bytes",
            Kind::Ellipsis => "ellipsis",
            Kind::List(_) => "list",
            Kind::Tuple(_) => "tuple",
            Kind::Dict(_) => "dict",
        }
    }

    /// The value again, with its outermost range moved to `range`.
    fn at(self: &Rc<Val>, range: TextRange) -> Rc<Val> {
        let mut copy = (**self).clone();
        copy.range = range;
        Rc::new(copy)
    }

    /// Python's hash-equality class of a dict key; `None` when unhashable.
    fn key(&self) -> Option<String> {
        Some(match &self.kind {
            Kind::None => "None".to_string(),
            Kind::Bool(b) => format!("n:{}", i128::from(*b)),
            Kind::Int(i) => format!("n:{i}"),
            Kind::BigInt(text) => format!("big:{text}"),
            Kind::Float(f) => {
                if f.fract() == 0.0 && f.abs() < 1e30 {
                    format!("n:{}", *f as i128)
                } else {
                    format!("f:{}", f.to_bits())
                }
            }
            Kind::Complex(text) => format!("c:{text}"),
            Kind::Str(s) => format!("s:{s}"),
            Kind::Bytes(s) => format!("b:{s}"),
            Kind::Ellipsis => "...".to_string(),
            Kind::Tuple(items) => {
                let keys: Option<Vec<String>> = items.iter().map(|item| item.key()).collect();
                format!("t({})", keys?.join(","))
            }
            Kind::List(_) | Kind::Dict(_) => return None,
        })
    }
}

/// Why an expression could not be evaluated.
enum Fail {
    Blocked(Blocker),
    GaveUp,
}

type Eval = Result<Rc<Val>, Fail>;

fn blocked(node: TsNode<'_>, what: impl Into<String>) -> Fail {
    Fail::Blocked(Blocker {
        range: range_of(node),
        what: what.into(),
        cause: None,
    })
}

struct State<'f> {
    file: &'f PythonFile,
    /// Names bound by evaluable top-level assignments.
    env: HashMap<String, Rc<Val>>,
    /// Names whose assignments were unevaluable and that are not bound: why.
    failed: HashMap<String, Blocker>,
    /// Names whose values went past the resource bounds: using one gives up.
    too_large: HashSet<String>,
}

impl State<'_> {
    /// One top-level assignment statement. `Some` when it decides the outcome.
    fn assignment(&mut self, node: TsNode<'_>, skipped: &mut Vec<Skipped>) -> Option<Outcome> {
        if let Some(annotation) = node.child_by_field_name("type") {
            self.annotated(node, annotation, skipped);
            return None;
        }
        let (targets, value) = assignment_chain(node)?;
        let plugin_target = targets
            .iter()
            .copied()
            .find(|target| is_plugin_info(self.file, *target));
        self.skip_unpacked(&targets, skipped);
        match self.eval(value, 0) {
            Ok(val) => {
                self.bind(&targets, &val);
                let target = plugin_target?;
                Some(decided(&val, value, target))
            }
            Err(Fail::GaveUp) => {
                if plugin_target.is_some() {
                    return Some(Outcome::GaveUp);
                }
                self.mark_too_large(&targets);
                None
            }
            Err(Fail::Blocked(blocker)) => {
                self.mark_failed(&targets, &blocker);
                if let Some(target) = plugin_target {
                    skipped.push(Skipped {
                        target: range_of(target),
                        why: Why::Unevaluable(blocker),
                    });
                }
                None
            }
        }
    }

    /// An annotated assignment (`ast.AnnAssign`): skipped when it targets `plugin_info`;
    /// it binds nothing either way.
    fn annotated(&self, node: TsNode<'_>, annotation: TsNode<'_>, skipped: &mut Vec<Skipped>) {
        if let Some(left) = node.child_by_field_name("left")
            && is_plugin_info(self.file, left)
        {
            skipped.push(Skipped {
                target: range_of(left).cover(range_of(annotation)),
                why: Why::Annotated {
                    annotation: TextRange::new(range_of(left).end(), range_of(annotation).end()),
                },
            });
        }
    }

    /// Skips every unpacking target (`a, plugin_info = ...`) that mentions `plugin_info`.
    fn skip_unpacked(&self, targets: &[TsNode<'_>], skipped: &mut Vec<Skipped>) {
        for target in targets {
            if target.kind() != "identifier" && self.mentions_plugin_info(*target, 0) {
                skipped.push(Skipped {
                    target: range_of(*target),
                    why: Why::Unpacked,
                });
            }
        }
    }

    /// The names of the plain identifier targets.
    fn names(&self, targets: &[TsNode<'_>]) -> Vec<String> {
        targets
            .iter()
            .filter(|target| target.kind() == "identifier")
            .map(|target| self.file.text_of(*target).to_string())
            .collect()
    }

    /// Binds the identifier targets to `val`.
    fn bind(&mut self, targets: &[TsNode<'_>], val: &Rc<Val>) {
        for name in self.names(targets) {
            self.failed.remove(&name);
            self.too_large.remove(&name);
            self.env.insert(name, val.clone());
        }
    }

    /// The identifier targets' value went past the resource bounds.
    fn mark_too_large(&mut self, targets: &[TsNode<'_>]) {
        for name in self.names(targets) {
            self.env.remove(&name);
            self.failed.remove(&name);
            self.too_large.insert(name);
        }
    }

    /// The identifier targets not bound earlier are unevaluable because of `blocker`.
    fn mark_failed(&mut self, targets: &[TsNode<'_>], blocker: &Blocker) {
        for name in self.names(targets) {
            if !self.env.contains_key(&name) {
                self.failed.insert(name, blocker.clone());
            }
        }
    }

    fn mentions_plugin_info(&self, node: TsNode<'_>, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        if !matches!(
            node.kind(),
            "pattern_list" | "tuple_pattern" | "list_pattern"
        ) {
            return false;
        }
        let mut cursor = node.walk();
        node.named_children(&mut cursor).any(|child| {
            is_plugin_info(self.file, child) || self.mentions_plugin_info(child, depth + 1)
        })
    }

    fn eval(&self, node: TsNode<'_>, depth: usize) -> Eval {
        if depth > MAX_DEPTH {
            return Err(Fail::GaveUp);
        }
        let range = range_of(node);
        match node.kind() {
            "string" => self.string(node),
            "concatenated_string" => {
                let mut text = String::new();
                let mut bytes = false;
                for part in named_children(node) {
                    let value = self.string(part)?;
                    match &value.kind {
                        Kind::Str(s) => text.push_str(s),
                        Kind::Bytes(s) => {
                            bytes = true;
                            text.push_str(s);
                        }
                        _ => {}
                    }
                }
                Ok(Val::leaf(
                    if bytes {
                        Kind::Bytes(text)
                    } else {
                        Kind::Str(text)
                    },
                    range,
                ))
            }
            "integer" | "float" => Ok(Val::leaf(
                match decode_number(self.file.text_of(node)) {
                    NumberToken::Int(i) => Kind::Int(i),
                    NumberToken::BigInt(text) => Kind::BigInt(text),
                    NumberToken::Float(f) => Kind::Float(f),
                    NumberToken::Complex(text) => Kind::Complex(text),
                },
                range,
            )),
            "true" => Ok(Val::leaf(Kind::Bool(true), range)),
            "false" => Ok(Val::leaf(Kind::Bool(false), range)),
            "none" => Ok(Val::leaf(Kind::None, range)),
            "ellipsis" => Ok(Val::leaf(Kind::Ellipsis, range)),
            "identifier" => self.name(node),
            "parenthesized_expression" => match named_children(node).as_slice() {
                [inner] if inner.kind() != "list_splat" => self.eval(*inner, depth + 1),
                _ => Err(blocked(node, describe(self.file, node))),
            },
            "list" => Ok(compound(Kind::List(self.elements(node, depth)?), range)?),
            "tuple" | "expression_list" => {
                Ok(compound(Kind::Tuple(self.elements(node, depth)?), range)?)
            }
            "dictionary" => Ok(compound(Kind::Dict(self.entries(node, depth)?), range)?),
            "call" => self.call(node, depth),
            _ => Err(blocked(node, describe(self.file, node))),
        }
    }

    fn string(&self, node: TsNode<'_>) -> Eval {
        if node.kind() != "string" {
            return Err(blocked(node, describe(self.file, node)));
        }
        let token = decode_string(self.file.text_of(node));
        if token.is_formatted() {
            return Err(blocked(node, "an f-string"));
        }
        let kind = if token.is_bytes() {
            Kind::Bytes(token.value)
        } else {
            Kind::Str(token.value)
        };
        Ok(Val::leaf(kind, range_of(node)))
    }

    fn name(&self, node: TsNode<'_>) -> Eval {
        let name = self.file.text_of(node);
        if let Some(value) = self.env.get(name) {
            return Ok(value.at(range_of(node)));
        }
        if self.too_large.contains(name) {
            return Err(Fail::GaveUp);
        }
        if let Some(cause) = self.failed.get(name) {
            return Err(Fail::Blocked(Blocker {
                range: range_of(node),
                what: format!("`{name}`, whose own top-level assignment it cannot evaluate"),
                cause: Some(Box::new(cause.clone())),
            }));
        }
        Err(blocked(
            node,
            format!("the name `{name}`, which no earlier evaluable top-level assignment binds"),
        ))
    }

    fn elements(&self, node: TsNode<'_>, depth: usize) -> Result<Vec<Rc<Val>>, Fail> {
        let mut items = Vec::new();
        for child in named_children(node) {
            if child.kind() == "list_splat" {
                let Some(inner) = named_children(child).into_iter().next() else {
                    return Err(blocked(child, describe(self.file, child)));
                };
                let spread = self.eval(inner, depth + 1)?;
                match &spread.kind {
                    Kind::List(values) | Kind::Tuple(values) => {
                        items.extend(values.iter().cloned())
                    }
                    Kind::Dict(entries) => items.extend(entries.iter().map(|(key, _)| key.clone())),
                    Kind::Str(text) => items.extend(
                        text.chars()
                            .map(|ch| Val::leaf(Kind::Str(ch.to_string()), range_of(inner))),
                    ),
                    Kind::Bytes(text) => items.extend(text.chars().map(|ch| {
                        Val::leaf(Kind::Int(i128::from(u32::from(ch))), range_of(inner))
                    })),
                    _ => {
                        return Err(blocked(
                            child,
                            format!(
                                "a `*` spread of a `{}`, which is not iterable",
                                spread.type_name()
                            ),
                        ));
                    }
                }
            } else {
                items.push(self.eval(child, depth + 1)?);
            }
        }
        Ok(items)
    }

    fn entries(&self, node: TsNode<'_>, depth: usize) -> Result<Vec<Entry>, Fail> {
        let mut entries: Vec<Entry> = Vec::new();
        let mut keys: Vec<String> = Vec::new();
        let mut put = |entries: &mut Vec<Entry>, key: Rc<Val>, value: Rc<Val>, hash: String| {
            match keys.iter().position(|known| *known == hash) {
                Some(index) => {
                    if let Some(slot) = entries.get_mut(index) {
                        // Python keeps the first key object and position, and the last value;
                        // the range follows the text that wrote the winning value.
                        *slot = (slot.0.at(key.range), value);
                    }
                }
                None => {
                    keys.push(hash);
                    entries.push((key, value));
                }
            }
        };
        for child in named_children(node) {
            match child.kind() {
                "pair" => {
                    let (Some(key_node), Some(value_node)) = (
                        child.child_by_field_name("key"),
                        child.child_by_field_name("value"),
                    ) else {
                        return Err(blocked(child, describe(self.file, child)));
                    };
                    let key = self.eval(key_node, depth + 1)?;
                    let value = self.eval(value_node, depth + 1)?;
                    let Some(hash) = key.key() else {
                        return Err(blocked(
                            key_node,
                            format!("an unhashable `{}` dict key", key.type_name()),
                        ));
                    };
                    put(&mut entries, key, value, hash);
                }
                "dictionary_splat" => {
                    let Some(inner) = named_children(child).into_iter().next() else {
                        return Err(blocked(child, describe(self.file, child)));
                    };
                    let spread = self.eval(inner, depth + 1)?;
                    let Kind::Dict(spread_entries) = &spread.kind else {
                        return Err(blocked(
                            child,
                            format!(
                                "a `**` spread of a `{}`, which is not a dict",
                                spread.type_name()
                            ),
                        ));
                    };
                    for (key, value) in spread_entries {
                        if let Some(hash) = key.key() {
                            put(&mut entries, key.clone(), value.clone(), hash);
                        }
                    }
                }
                _ => return Err(blocked(child, describe(self.file, child))),
            }
        }
        Ok(entries)
    }

    fn call(&self, node: TsNode<'_>, depth: usize) -> Eval {
        let function = node.child_by_field_name("function");
        let name = function.map_or("", |f| self.file.text_of(f));
        let is_gettext = function.is_some_and(|f| f.kind() == "identifier")
            && (name == "_" || name == "gettext");
        if !is_gettext {
            let what = match function {
                Some(f) if f.kind() == "attribute" && name.chars().count() > 40 => {
                    let method = f
                        .child_by_field_name("attribute")
                        .map_or("", |a| self.file.text_of(a));
                    format!("a method call `.{method}()`")
                }
                _ => format!("a call to `{}`", short(name)),
            };
            return Err(blocked(node, what));
        }
        let arguments = node
            .child_by_field_name("arguments")
            .filter(|arguments| arguments.kind() == "argument_list");
        let args = arguments.map(named_children).unwrap_or_default();
        match args.as_slice() {
            [argument]
                if !matches!(
                    argument.kind(),
                    "keyword_argument" | "list_splat" | "dictionary_splat"
                ) =>
            {
                let value = self.eval(*argument, depth + 1)?;
                Ok(value.at(range_of(node)))
            }
            _ => Err(blocked(
                node,
                format!("`{name}()` without exactly one positional argument"),
            )),
        }
    }
}

/// `a = b = value`: the chain of targets, then the value. `None` when a link is annotated or
/// the value is missing.
fn assignment_chain(node: TsNode<'_>) -> Option<(Vec<TsNode<'_>>, TsNode<'_>)> {
    let mut targets = Vec::new();
    let mut here = node;
    loop {
        targets.extend(here.child_by_field_name("left"));
        match here.child_by_field_name("right") {
            Some(right) if right.kind() == "assignment" => {
                if right.child_by_field_name("type").is_some() {
                    return None;
                }
                here = right;
            }
            Some(right) => return Some((targets, right)),
            None => return None,
        }
    }
}

/// The outcome of evaluating `plugin_info` (`target`) to `val` from the expression `value`.
fn decided(val: &Rc<Val>, value: TsNode<'_>, target: TsNode<'_>) -> Outcome {
    match &val.kind {
        Kind::Dict(_) => Outcome::Dict {
            info: to_node(val),
            target: range_of(target),
        },
        _ => Outcome::NotDict {
            type_name: val.type_name(),
            value: range_of(value),
            target: range_of(target),
        },
    }
}

/// A list, tuple or dict value, with its size and depth checked against the bounds.
fn compound(kind: Kind, range: TextRange) -> Eval {
    let children: Vec<&Rc<Val>> = match &kind {
        Kind::List(items) | Kind::Tuple(items) => items.iter().collect(),
        Kind::Dict(entries) => entries.iter().flat_map(|(k, v)| [k, v]).collect(),
        _ => Vec::new(),
    };
    let size = children
        .iter()
        .fold(1usize, |total, child| total.saturating_add(child.size));
    let depth = 1 + children.iter().map(|child| child.depth).max().unwrap_or(0);
    if size > MAX_SIZE || depth > MAX_DEPTH {
        return Err(Fail::GaveUp);
    }
    Ok(Rc::new(Val {
        kind,
        range,
        size,
        depth,
    }))
}

/// Named children without comments.
fn named_children(node: TsNode<'_>) -> Vec<TsNode<'_>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|child| child.kind() != "comment")
        .collect()
}

fn short(text: &str) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= 40 {
        one_line
    } else {
        let cut: String = one_line.chars().take(37).collect();
        format!("{cut}...")
    }
}

/// A noun phrase for an expression the evaluator does not accept.
fn describe(file: &PythonFile, node: TsNode<'_>) -> String {
    let operator = || {
        node.child_by_field_name("operator")
            .map_or_else(String::new, |op| file.text_of(op).to_string())
    };
    match node.kind() {
        "binary_operator" | "boolean_operator" => format!("the `{}` operator", operator()),
        "unary_operator" => format!(
            "the unary `{}` operator (in Python's AST `-1` is an operation, not a constant)",
            operator()
        ),
        "not_operator" => "the `not` operator".to_string(),
        "comparison_operator" => "a comparison".to_string(),
        "attribute" => format!("attribute access `{}`", short(file.text_of(node))),
        "subscript" => format!("a subscript `{}`", short(file.text_of(node))),
        "conditional_expression" => "a conditional expression (`x if c else y`)".to_string(),
        "list_comprehension"
        | "dictionary_comprehension"
        | "set_comprehension"
        | "generator_expression" => "a comprehension".to_string(),
        "set" => "a set literal".to_string(),
        "lambda" => "a lambda".to_string(),
        "named_expression" => "an assignment expression (`:=`)".to_string(),
        "await" => "`await`".to_string(),
        "ERROR" => "a syntax error".to_string(),
        other => format!("this expression (`{}`)", other.replace('_', " ")),
    }
}

/// Statements that assign `plugin_info` below the module's top level (inside `if`, `try`,
/// functions, classes, ...): never evaluated by the listing.
fn nested_assignments(file: &PythonFile) -> Vec<Skipped> {
    let mut found = Vec::new();
    let root = file.root();
    // Iterative walk: user files may nest deeply.
    let mut stack: Vec<(TsNode<'_>, Option<&'static str>)> = Vec::new();
    let mut cursor = root.walk();
    for statement in root.named_children(&mut cursor) {
        if statement.kind() != "expression_statement" {
            stack.push((statement, None));
        }
    }
    while let Some((node, context)) = stack.pop() {
        let context = context.or(match node.kind() {
            "if_statement" => Some("an `if` block"),
            "try_statement" => Some("a `try` block"),
            "with_statement" => Some("a `with` block"),
            "for_statement" | "while_statement" => Some("a loop"),
            "function_definition" => Some("a function"),
            "class_definition" => Some("a class body"),
            "match_statement" => Some("a `match` block"),
            _ => None,
        });
        if node.kind() == "assignment"
            && let Some(context) = context
            && node
                .child_by_field_name("left")
                .is_some_and(|left| is_plugin_info(file, left))
        {
            found.push(Skipped {
                target: node
                    .child_by_field_name("left")
                    .map_or(range_of(node), range_of),
                why: Why::NotTopLevel { context },
            });
        }
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            stack.push((child, context));
        }
    }
    found
}

/// The value as the span-carrying tree schemas validate.
fn to_node(val: &Val) -> Node {
    let value = match &val.kind {
        Kind::None | Kind::Ellipsis => Value::Null,
        Kind::Bool(b) => Value::Bool(*b),
        Kind::Int(i) => int_value(*i),
        Kind::BigInt(text) => text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| Value::String(text.clone()), Value::Number),
        Kind::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
        Kind::Complex(text) => Value::String(text.clone()),
        Kind::Str(s) | Kind::Bytes(s) => Value::String(s.clone()),
        Kind::List(items) | Kind::Tuple(items) => {
            Value::Array(items.iter().map(|item| to_node(item)).collect())
        }
        Kind::Dict(entries) => Value::Object(
            entries
                .iter()
                .map(|(key, value)| Member {
                    key: key_text(key),
                    key_range: key.range,
                    value: to_node(value),
                })
                .collect(),
        ),
    };
    Node::new(value, val.range)
}

fn int_value(i: i128) -> Value {
    if let Ok(small) = i64::try_from(i) {
        Value::Number(small.into())
    } else if let Ok(big) = u64::try_from(i) {
        Value::Number(big.into())
    } else {
        serde_json::Number::from_f64(i as f64).map_or(Value::Null, Value::Number)
    }
}

/// A dict key as `json.dumps` would write it (non-JSON keys as Python would print them).
fn key_text(key: &Val) -> String {
    match &key.kind {
        Kind::Str(s) | Kind::Bytes(s) => s.clone(),
        Kind::None => "null".to_string(),
        Kind::Bool(b) => b.to_string(),
        Kind::Int(i) => i.to_string(),
        Kind::BigInt(text) | Kind::Complex(text) => text.clone(),
        Kind::Float(f) => format!("{f:?}"),
        Kind::Ellipsis => "Ellipsis".to_string(),
        Kind::List(_) | Kind::Tuple(_) | Kind::Dict(_) => format!("<{}>", key.type_name()),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use plugsmith_core::syntax::python::parse;

    use super::*;

    fn run(source: &str) -> Outcome {
        evaluate(&parse(Arc::from(source)))
    }

    fn info(source: &str) -> serde_json::Value {
        match run(source) {
            Outcome::Dict { info, .. } => info.to_json(),
            other => panic!("not a dict: {other:?}"),
        }
    }

    fn blocker(source: &str) -> (String, String) {
        match run(source) {
            Outcome::NotFound { skipped } => match &skipped[0].why {
                Why::Unevaluable(blocker) => {
                    (source[blocker.range].to_string(), blocker.what.clone())
                }
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn constants_names_and_spreads() {
        let value = info(
            "import os\nBASE = {'a': 1}\nITEMS = [1, 2]\nplugin_info = {**BASE, 'b': _('x'), \
             'c': [*ITEMS, 3], 'd': (True, None), 'e': 'a' 'b'}\n",
        );
        assert_eq!(
            value,
            serde_json::json!({"a": 1, "b": "x", "c": [1, 2, 3], "d": [true, null], "e": "ab"})
        );
    }

    #[test]
    fn first_evaluable_assignment_wins() {
        let value = info("plugin_info = {'a': f'{x}'}\nplugin_info = {'a': 2}\nplugin_info = 3\n");
        assert_eq!(value, serde_json::json!({"a": 2}));
    }

    #[test]
    fn blockers_name_the_sub_expression() {
        assert_eq!(blocker("plugin_info = {'a': f'x'}").1, "an f-string");
        assert_eq!(blocker("plugin_info = {'a': 'x' + 'y'}").0, "'x' + 'y'");
        assert!(
            blocker("plugin_info = {'a': os.environ}")
                .1
                .contains("attribute")
        );
        assert!(
            blocker("plugin_info = {'a': str(1)}")
                .1
                .contains("call to `str`")
        );
        assert!(blocker("plugin_info = {'a': -1}").1.contains("unary"));
        assert!(
            blocker("plugin_info = {'a': _('x', 'y')}")
                .1
                .contains("exactly one")
        );
        assert!(blocker("plugin_info = {'a': X}").1.contains("`X`"));
    }

    #[test]
    fn failed_names_carry_their_cause() {
        match run("X = f'a'\nplugin_info = {'a': X}\n") {
            Outcome::NotFound { skipped } => match &skipped[0].why {
                Why::Unevaluable(blocker) => {
                    assert!(blocker.what.contains("`X`"));
                    assert_eq!(blocker.cause.as_ref().unwrap().what, "an f-string");
                }
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn annotated_augmented_and_nested_are_skipped() {
        let Outcome::NotFound { skipped } =
            run("plugin_info: dict = {}\nplugin_info += {}\nif True:\n    plugin_info = {}\n")
        else {
            panic!()
        };
        assert!(matches!(skipped[0].why, Why::Annotated { .. }));
        assert!(matches!(skipped[1].why, Why::Augmented));
        assert!(matches!(skipped[2].why, Why::NotTopLevel { .. }));
    }

    #[test]
    fn not_a_dict() {
        assert!(matches!(
            run("plugin_info = ['a']"),
            Outcome::NotDict {
                type_name: "list",
                ..
            }
        ));
    }

    #[test]
    fn ranges_point_into_the_literal_and_names_at_their_use() {
        let source = "S = {'x': 1}\nplugin_info = {'settings': S, 'name': _('n')}\n";
        let Outcome::Dict { info, .. } = run(source) else {
            panic!()
        };
        let settings = info.get("settings").unwrap();
        assert_eq!(&source[settings.key_range], "'settings'");
        assert_eq!(&source[settings.value.range], "S");
        assert_eq!(&source[settings.value.get("x").unwrap().key_range], "'x'");
        assert_eq!(&source[info.get("name").unwrap().value.range], "_('n')");
    }

    #[test]
    fn doubling_values_give_up_instead_of_exploding() {
        let mut source = String::from("a0 = [1, 2]\n");
        for i in 1..40 {
            source.push_str(&format!("a{i} = [a{}, a{}]\n", i - 1, i - 1));
        }
        source.push_str("plugin_info = {'x': a39}\n");
        assert_eq!(run(&source), Outcome::GaveUp);
    }

    #[test]
    fn python_dict_key_equality() {
        assert_eq!(
            info("plugin_info = {1: 'a', True: 'b', 1.0: 'c'}"),
            serde_json::json!({"1": "c"})
        );
        assert!(blocker("plugin_info = {[1]: 2}").1.contains("unhashable"));
        assert_eq!(
            info("plugin_info = {(1, 2): 3}").as_object().unwrap().len(),
            1
        );
    }
}
