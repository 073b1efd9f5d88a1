//! Python sources through tree-sitter-python: parsing, node helpers and syntax errors.
//!
//! tree-sitter finds the structure; the rules judge it. tree-sitter-python is more lenient than
//! CPython in a few places (it accepts Python 2 `print` and `exec` statements), so
//! [`syntax_errors`] reports those too, as CPython 3 would reject them.

use std::cell::RefCell;
use std::sync::Arc;

use text_size::{TextRange, TextSize};
use tree_sitter::Parser;
pub use tree_sitter::{Node, Tree};

/// A parsed Python file: its text and the tree-sitter tree over it.
pub struct PythonFile {
    pub text: Arc<str>,
    pub tree: Tree,
}

impl PythonFile {
    /// The root `module` node.
    pub fn root(&self) -> Node<'_> {
        self.tree.root_node()
    }

    /// The source text of `node`.
    pub fn text_of(&self, node: Node<'_>) -> &str {
        self.text.get(node.byte_range()).unwrap_or("")
    }
}

impl std::fmt::Debug for PythonFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PythonFile")
            .field("bytes", &self.text.len())
            .finish_non_exhaustive()
    }
}

thread_local! {
    static PARSER: RefCell<Parser> = RefCell::new(new_parser());
}

/// Drops this thread's parser and its internal buffers (tree-sitter keeps the stacks it grew
/// for the largest file it parsed, megabytes after a workspace scan); the next parse on this
/// thread makes a fresh one. For long-lived front ends, between batches of work.
pub fn release_parser() {
    PARSER.with(|parser| *parser.borrow_mut() = new_parser());
}

/// The tree-sitter language of Python, checked against the runtime's ABI range.
pub fn language() -> tree_sitter::Language {
    tree_sitter_python::LANGUAGE.into()
}

fn new_parser() -> Parser {
    let mut parser = Parser::new();
    // The grammar is pinned together with the runtime in the workspace manifest, and a test
    // loads it; a mismatch here is a build defect, not user input.
    parser
        .set_language(&language())
        .expect("tree-sitter-python grammar ABI matches the tree-sitter runtime");
    parser
}

/// Parses Python source. Never fails: syntax errors become `ERROR`/`MISSING` nodes.
pub fn parse(text: Arc<str>) -> PythonFile {
    parse_incrementally(text, None)
}

/// Parses `text` reusing `old`, a tree of the previous text already adjusted with
/// [`Tree::edit`] for every change: tree-sitter then re-parses only what the edits touched
/// (a keystroke in a 2,000-line file costs a fraction of a full parse).
pub fn parse_incrementally(text: Arc<str>, old: Option<&Tree>) -> PythonFile {
    let tree = PARSER.with(|parser| {
        let mut parser = parser.borrow_mut();
        parser.reset();
        parser.parse(text.as_bytes(), old)
    });
    // `parse` only returns None without a language or after a cancellation/timeout, neither of
    // which this parser has; fall back to parsing an empty module rather than panic.
    let tree = tree.unwrap_or_else(|| {
        let mut parser = new_parser();
        parser
            .parse("", None)
            .expect("parsing the empty string always yields a tree")
    });
    PythonFile { text, tree }
}

/// Adjusts `tree` (a parse of `old_text`) for one change: the bytes `range` of `old_text`
/// replaced by `new_text`. Returns the text after the change.
pub fn edit_tree(tree: &mut Tree, old_text: &str, range: TextRange, new_text: &str) -> String {
    let start = (u32::from(range.start()) as usize).min(old_text.len());
    let old_end = (u32::from(range.end()) as usize).clamp(start, old_text.len());
    let mut text = String::with_capacity(old_text.len() + new_text.len());
    text.push_str(old_text.get(..start).unwrap_or(""));
    text.push_str(new_text);
    text.push_str(old_text.get(old_end..).unwrap_or(""));
    let new_end = start + new_text.len();
    tree.edit(&tree_sitter::InputEdit {
        start_byte: start,
        old_end_byte: old_end,
        new_end_byte: new_end,
        start_position: point_at(old_text, start),
        old_end_position: point_at(old_text, old_end),
        new_end_position: point_at(&text, new_end),
    });
    text
}

/// tree-sitter's row and byte column of a byte offset.
fn point_at(text: &str, offset: usize) -> tree_sitter::Point {
    let before = text.as_bytes().get(..offset).unwrap_or(text.as_bytes());
    let row = before.iter().filter(|&&b| b == b'\n').count();
    let column = before.iter().rev().take_while(|&&b| b != b'\n').count();
    tree_sitter::Point { row, column }
}

/// Byte range of a node.
pub fn range_of(node: Node<'_>) -> TextRange {
    TextRange::new(
        TextSize::new(node.start_byte() as u32),
        TextSize::new(node.end_byte() as u32),
    )
}

/// A Python syntax error: where, and CPython-style words for what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub range: TextRange,
    pub message: String,
}

/// Every syntax error of the file, in source order, at most one per line.
///
/// Merge-conflict markers get their own message. Zero-width `MISSING` nodes are widened to the
/// token before them so that editors show them on the right line.
pub fn syntax_errors(file: &PythonFile) -> Vec<SyntaxError> {
    let mut errors = conflict_markers(&file.text);
    errors.extend(too_deep(&file.text));
    // Python 2 statements parse cleanly, so they need a walk of their own; skip it when the
    // words cannot occur.
    let python2 = file.text.contains("print") || file.text.contains("exec");
    if file.root().has_error() || python2 {
        collect_errors(file, file.root(), python2, &mut errors);
    }
    errors.sort_by_key(|error| error.range.start());
    let mut last_line = None;
    errors.retain(|error| {
        let line = line_of(&file.text, error.range.start());
        let keep = last_line != Some(line);
        last_line = Some(line);
        keep
    });
    errors
}

fn line_of(text: &str, offset: TextSize) -> usize {
    let end = (u32::from(offset) as usize).min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

/// Walks the nodes that hold errors (and, when Python 2 statements may occur, every node),
/// with an explicit stack: trees of deeply nested code must not overflow the thread's stack.
fn collect_errors(file: &PythonFile, root: Node<'_>, python2: bool, errors: &mut Vec<SyntaxError>) {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if node.is_missing() {
            errors.push(SyntaxError {
                range: widen_missing(file, node),
                message: format!("invalid syntax: expected `{}`", node.kind()),
            });
            continue;
        }
        if node.is_error() {
            if let Some(error) = error_node(file, node, &mut stack) {
                errors.push(error);
            }
            continue;
        }
        if let Some(statement) = python2_statement(node.kind()) {
            errors.push(SyntaxError {
                range: first_line(file, node),
                message: format!(
                    "invalid syntax: `{statement}` is a function in Python 3, write `{statement}(...)`"
                ),
            });
        }
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            let descend = child.has_error() || (python2 && child.child_count() > 0);
            if descend || child.is_missing() {
                stack.push(child);
            }
        }
    }
}

fn python2_statement(kind: &str) -> Option<&'static str> {
    match kind {
        "print_statement" => Some("print"),
        "exec_statement" => Some("exec"),
        _ => None,
    }
}

/// An `ERROR` node. tree-sitter's recovery often wraps whole valid statements in it (a
/// missing `:` in a method can put the whole file under one `ERROR`), so the error is reported
/// where it really is: at the innermost nested errors if there are any (pushed on `stack` to
/// be walked), else at the first child that is not a complete statement (returned).
fn error_node<'t>(
    file: &PythonFile,
    node: Node<'t>,
    stack: &mut Vec<Node<'t>>,
) -> Option<SyntaxError> {
    let mut cursor = node.walk();
    let children: Vec<Node<'t>> = node.children(&mut cursor).collect();
    if children.iter().any(|child| child.has_error()) {
        stack.extend(children.into_iter().filter(|child| child.has_error()));
        return None;
    }
    let culprit = children
        .into_iter()
        .find(|child| !is_complete_statement(*child))
        .unwrap_or(node);
    Some(SyntaxError {
        range: rest_of_line(file, culprit.start_byte(), node.end_byte()),
        message: "invalid syntax".to_string(),
    })
}

fn is_complete_statement(node: Node<'_>) -> bool {
    let kind = node.kind();
    node.is_named()
        && !node.has_error()
        && (kind.ends_with("_statement")
            || kind.ends_with("_definition")
            || kind == "decorated_definition"
            || kind == "comment")
}

/// CPython's tokenizer refuses more than 200 nested brackets (`MAXLEVEL` in
/// `Parser/tokenizer.c`): "too many nested parentheses". Strings and comments are skipped.
fn too_deep(text: &str) -> Option<SyntaxError> {
    const MAX_LEVEL: usize = 200;
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            quote @ (b'\'' | b'"') => {
                let triple = bytes.get(i..i + 3) == Some(&[quote, quote, quote][..]);
                i += if triple { 3 } else { 1 };
                while i < bytes.len() {
                    if bytes[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if triple && bytes.get(i..i + 3) == Some(&[quote, quote, quote][..]) {
                        i += 2;
                        break;
                    }
                    if !triple && (bytes[i] == quote || bytes[i] == b'\n') {
                        break;
                    }
                    i += 1;
                }
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_LEVEL {
                    return Some(SyntaxError {
                        range: TextRange::at(TextSize::new(i as u32), TextSize::new(1)),
                        message: "too many nested parentheses".to_string(),
                    });
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// The part of `node` on its first line, trimmed, never empty when the node is not.
fn first_line(file: &PythonFile, node: Node<'_>) -> TextRange {
    rest_of_line(file, node.start_byte(), node.end_byte())
}

/// From `start` to the end of its line (at most to `end`), trimmed, never empty when the
/// slice is not.
fn rest_of_line(file: &PythonFile, start: usize, end: usize) -> TextRange {
    let start = start.min(file.text.len());
    let end = end.clamp(start, file.text.len());
    let slice = file.text.get(start..end).unwrap_or("");
    let first = slice.split('\n').next().unwrap_or("").trim_end();
    if first.is_empty() {
        return visible_near(&file.text, start);
    }
    TextRange::at(
        TextSize::new(start as u32),
        TextSize::new(first.len() as u32),
    )
}

/// A `MISSING` node has no width: point at the last character before it instead.
fn widen_missing(file: &PythonFile, node: Node<'_>) -> TextRange {
    visible_near(&file.text, node.start_byte())
}

/// One visible character for an error at `at` that has no text of its own (a zero-width node,
/// or one that starts at a line break): the last non-blank character before `at`, else the
/// first character from `at` on. Empty only for an empty file.
fn visible_near(text: &str, at: usize) -> TextRange {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let before = text[..at].trim_end();
    match before.chars().next_back() {
        Some(ch) => TextRange::at(
            TextSize::new((before.len() - ch.len_utf8()) as u32),
            TextSize::new(ch.len_utf8() as u32),
        ),
        None => {
            let len = text[at..].chars().next().map_or(0, char::len_utf8);
            TextRange::at(TextSize::new(at as u32), TextSize::new(len as u32))
        }
    }
}

/// Lines that start with a Git merge-conflict marker (`<<<<<<< `, `=======`, `>>>>>>> `).
fn conflict_markers(text: &str) -> Vec<SyntaxError> {
    let mut errors = Vec::new();
    let mut offset = 0usize;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let is_marker = content.starts_with("<<<<<<< ")
            || content == "<<<<<<<"
            || content == "======="
            || content.starts_with(">>>>>>> ")
            || content == ">>>>>>>";
        if is_marker {
            errors.push(SyntaxError {
                range: TextRange::at(
                    TextSize::new(offset as u32),
                    TextSize::new(content.len() as u32),
                ),
                message: "merge-conflict marker: the file is an unresolved Git merge".to_string(),
            });
        }
        offset += line.len();
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(source: &str) -> Vec<(String, String)> {
        let file = parse(Arc::from(source));
        syntax_errors(&file)
            .into_iter()
            .map(|e| (source[e.range].to_string(), e.message))
            .collect()
    }

    #[test]
    fn incremental_parse_matches_a_full_parse() {
        let old = "def f(x):\n    return x\n\nclass A:\n    pass\n";
        let mut file = parse(Arc::from(old));
        let at = old.find("return x").unwrap() as u32 + 7;
        let range = TextRange::new(TextSize::new(at), TextSize::new(at + 1));
        let new = edit_tree(&mut file.tree, old, range, "(x +");
        let incremental = parse_incrementally(Arc::from(new.as_str()), Some(&file.tree));
        let full = parse(Arc::from(new.as_str()));
        assert_eq!(incremental.root().to_sexp(), full.root().to_sexp());
        assert!(incremental.root().has_error());
    }

    #[test]
    fn deep_nesting_is_cpythons_error_and_no_stack_overflow() {
        let source = format!("x = {}1{}\n", "[".repeat(5000), "]".repeat(5000));
        let found = errors(&source);
        assert_eq!(found[0].1, "too many nested parentheses");
        let broken = format!("x = {}1\n", "{1: ".repeat(5000));
        assert!(!errors(&broken).is_empty());
        assert!(errors("s = '(((' # (((\nx = ([1])\n").is_empty());
    }

    /// Whatever the input, every error range is non-empty and inside the text.
    #[test]
    fn error_ranges_are_never_empty() {
        let sources = [
            "def f(:\n",
            "x = (\n",
            "class A:\n    def f(self)\n",
            "if x:\n#\n",
            "\n\n)\n",
            "def f():\n    return 1 +\n\n",
        ];
        for source in sources {
            let file = parse(Arc::from(source));
            for error in syntax_errors(&file) {
                assert!(!error.range.is_empty(), "{source:?}: {error:?}");
                assert!(u32::from(error.range.end()) as usize <= source.len());
            }
        }
    }

    #[test]
    fn grammar_loads_into_the_runtime() {
        let mut parser = Parser::new();
        parser.set_language(&language()).unwrap();
        assert!(parser.parse("x = 1\n", None).is_some());
    }

    #[test]
    fn valid_code_has_no_errors() {
        assert!(errors("def f(x):\n    return print(x)\n").is_empty());
    }

    #[test]
    fn missing_colon_is_reported_on_the_def_line() {
        let found = errors("def f(x)\n    pass\n");
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].0.starts_with("def f(x)"), "{found:?}");
    }

    #[test]
    fn error_wrapping_valid_statements_points_at_the_broken_one() {
        let source = "from kili.plugins import PluginCore\n\n\nclass PluginHandler(PluginCore):\n    def on_submit(self, label, asset_id)\n        pass\n";
        let found = errors(source);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "def on_submit(self, label, asset_id)");
    }

    #[test]
    fn unclosed_call_is_one_error() {
        let found = errors("x = f(1,\ny = 2\n");
        assert!(!found.is_empty());
    }

    #[test]
    fn conflict_markers_are_reported_on_their_lines() {
        let found = errors("a = 1\n<<<<<<< HEAD\nb = 2\n=======\nb = 3\n>>>>>>> main\n");
        assert_eq!(found[0].0, "<<<<<<< HEAD");
        assert!(found[0].1.contains("merge-conflict"));
        assert!(found.iter().any(|(text, _)| text == ">>>>>>> main"));
    }

    #[test]
    fn python2_print_is_an_error() {
        let found = errors("print \"hello\"\n");
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].1.contains("print"));
    }
}
