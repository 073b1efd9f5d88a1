//! Small helpers over tree-sitter-python trees (grammar 0.25 node kinds).

use plugsmith_core::syntax::python::{PythonFile, range_of};
use plugsmith_core::{TextRange, TextSize};
use tree_sitter::Node;

/// The named children of `node`, in source order.
pub fn named_children(node: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor).collect()
}

/// Every child (named or not) of `node` with field `field`.
pub fn field_children<'t>(node: Node<'t>, field: &str) -> Vec<Node<'t>> {
    let mut cursor = node.walk();
    node.children_by_field_name(field, &mut cursor).collect()
}

/// The definition under `node`: `node` itself, or the `definition` of a `decorated_definition`.
pub fn definition(node: Node<'_>) -> Node<'_> {
    if node.kind() == "decorated_definition" {
        node.child_by_field_name("definition").unwrap_or(node)
    } else {
        node
    }
}

/// The decorators of a definition whose `decorated_definition` is `node` (none otherwise).
pub fn decorators(node: Node<'_>) -> Vec<Node<'_>> {
    if node.kind() != "decorated_definition" {
        return Vec::new();
    }
    named_children(node)
        .into_iter()
        .filter(|child| child.kind() == "decorator")
        .collect()
}

/// The expression of a `decorator` (what follows `@`).
pub fn decorator_expression(decorator: Node<'_>) -> Option<Node<'_>> {
    named_children(decorator)
        .into_iter()
        .find(|child| child.kind() != "comment")
}

/// Whether a `function_definition` is `async def`.
pub fn is_async(function: Node<'_>) -> bool {
    function
        .child(0)
        .is_some_and(|first| first.kind() == "async")
}

/// The name of a definition, as text.
pub fn name_of<'f>(file: &'f PythonFile, definition: Node<'_>) -> &'f str {
    definition
        .child_by_field_name("name")
        .map_or("", |name| file.text_of(name))
}

/// The range of a definition's name (the definition's first line when it has none).
pub fn name_range(file: &PythonFile, definition: Node<'_>) -> TextRange {
    definition
        .child_by_field_name("name")
        .map_or_else(|| first_line(file, definition), range_of)
}

/// From the `async` keyword to the end of the name of an `async def`.
pub fn async_name_range(function: Node<'_>) -> TextRange {
    let start = function.start_byte();
    let end = function
        .child_by_field_name("name")
        .map_or(function.end_byte(), |name| name.end_byte());
    TextRange::new(offset(start), offset(end.max(start)))
}

/// The source of `node` with every whitespace character removed (`kili . plugins` and
/// `kili.plugins` compare equal, as `ast.unparse` makes them).
pub fn compact_text(file: &PythonFile, node: Node<'_>) -> String {
    file.text_of(node)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\\')
        .collect()
}

/// The statements of a `block` or `module`, skipping comments.
pub fn statements(block: Node<'_>) -> Vec<Node<'_>> {
    named_children(block)
        .into_iter()
        .filter(|child| child.kind() != "comment")
        .collect()
}

/// The part of `node` on its first line, trimmed; never empty when the node is not.
pub fn first_line(file: &PythonFile, node: Node<'_>) -> TextRange {
    line_range_at(&file.text, node.start_byte(), node.end_byte())
}

/// The first line of the file that holds more than whitespace, trimmed; an empty range at 0
/// for a blank file.
pub fn first_text_line(text: &str) -> TextRange {
    let mut start = 0usize;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end();
        let indent = content.len() - content.trim_start().len();
        if !content.trim_start().is_empty() {
            return TextRange::new(offset(start + indent), offset(start + content.len()));
        }
        start += line.len();
    }
    TextRange::empty(TextSize::new(0))
}

fn line_range_at(text: &str, start: usize, end: usize) -> TextRange {
    let end = end.min(text.len());
    let slice = text.get(start..end).unwrap_or("");
    let first = slice.split('\n').next().unwrap_or("").trim_end();
    let len = if first.is_empty() {
        slice.chars().next().map_or(0, char::len_utf8)
    } else {
        first.len()
    };
    TextRange::at(offset(start), offset(len))
}

/// A byte offset as a `TextSize` (files larger than 4 GiB are not read by the front ends).
pub fn offset(bytes: usize) -> TextSize {
    TextSize::new(u32::try_from(bytes).unwrap_or(u32::MAX))
}

/// Every descendant of `node` (depth-first, `node` excluded) that `keep` accepts, without
/// descending into nodes that `descend` refuses.
pub fn find_descendants<'t>(
    node: Node<'t>,
    keep: &dyn Fn(Node<'t>) -> bool,
    descend: &dyn Fn(Node<'t>) -> bool,
) -> Vec<Node<'t>> {
    let mut found = Vec::new();
    let mut stack: Vec<Node<'t>> = named_children(node).into_iter().rev().collect();
    while let Some(current) = stack.pop() {
        if keep(current) {
            found.push(current);
        }
        if descend(current) {
            stack.extend(named_children(current).into_iter().rev());
        }
    }
    found
}
