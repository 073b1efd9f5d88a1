//! Python projects that declare `flowdapt.plugins` entry points: `pyproject.toml` (PEP 621
//! `[project.entry-points."flowdapt.plugins"]`, Poetry `[tool.poetry.plugins."flowdapt.plugins"]`),
//! `setup.py` (`setup(entry_points={'flowdapt.plugins': [...]})`, read with tree-sitter, never
//! run) and `setup.cfg` (`[options.entry_points]`, read with the configparser-exact INI reader).
//!
//! Flowdapt itself iterates `importlib.metadata.entry_points(group="flowdapt.plugins")` at server
//! start (`flowdapt/lib/plugins/interface.py`, flowdapt@6d83f04; `research/platforms.md` 4.1).

use std::path::{Path, PathBuf};

use plugsmith_core::common::parse_error_diagnostic;
use plugsmith_core::syntax::ini;
use plugsmith_core::syntax::python::{PythonFile, range_of};
use plugsmith_core::{Diagnostic, Files, TextRange, TextSize};
use tree_sitter::Node as TsNode;

/// The entry-point group Flowdapt loads.
pub const GROUP: &str = "flowdapt.plugins";

/// The project manifests that can declare entry points, in the order they are preferred.
pub const MANIFESTS: [&str; 3] = ["pyproject.toml", "setup.py", "setup.cfg"];

/// One `name = "value"` entry point of the `flowdapt.plugins` group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryPoint {
    /// The entry point's name (Flowdapt ignores it: plugins are keyed by distribution name).
    pub name: String,
    /// The object reference: `module`, `package.module` or `module:attr`, as written (trimmed).
    pub value: String,
    /// The value as written, quotes included when the format has them.
    pub range: TextRange,
    /// Where the unquoted value starts inside the file (for fixes).
    pub inner: TextRange,
}

impl EntryPoint {
    /// The module part (`entrypoint.module`): before any `:`, trimmed.
    pub fn module(&self) -> &str {
        self.value.split(':').next().unwrap_or("").trim()
    }
}

/// A project manifest that declares the `flowdapt.plugins` group.
#[derive(Clone, Debug)]
pub struct Project {
    /// The folder that holds the manifest.
    pub root: PathBuf,
    /// `pyproject.toml`, `setup.py` or `setup.cfg`.
    pub manifest: PathBuf,
    /// The distribution name and where it is written, when the manifest gives it literally.
    pub dist_name: Option<(String, TextRange)>,
    pub entry_points: Vec<EntryPoint>,
    /// Where the group itself is named (for diagnostics about the group as a whole).
    pub group_range: TextRange,
}

/// What reading one manifest gave.
pub enum Manifest {
    /// It declares the group.
    Declares(Project),
    /// It does not (or is not a project manifest at all).
    No,
    /// It does not parse: the PLG002 diagnostic.
    Broken(Diagnostic),
}

/// Whether a manifest is a template (cookiecutter/Jinja): not checked until rendered.
pub fn is_template(text: &str) -> bool {
    text.contains("{{ cookiecutter") || text.contains("{{cookiecutter") || text.contains("{%")
}

/// Reads a project manifest. Cheap prefilter first: no `flowdapt.plugins` text, no project.
pub fn read(files: &Files<'_>, path: &Path) -> Manifest {
    let Ok(text) = files.read(path) else {
        return Manifest::No;
    };
    if !text.contains(GROUP) || is_template(&text) {
        return Manifest::No;
    }
    let root = path.parent().unwrap_or(Path::new("")).to_path_buf();
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let project = match name {
        "pyproject.toml" => match pyproject(&text) {
            Ok(project) => project,
            Err((range, message)) => {
                return Manifest::Broken(parse_error_diagnostic(
                    path,
                    range,
                    "TOML",
                    &message,
                    "pip cannot build or install the package, so Flowdapt never sees its entry points",
                ));
            }
        },
        "setup.py" => match files.python(path) {
            Ok(file) => setup_py(&file),
            Err(_) => None,
        },
        "setup.cfg" => setup_cfg(&text),
        _ => None,
    };
    match project {
        Some((dist_name, entry_points, group_range)) => Manifest::Declares(Project {
            root,
            manifest: path.to_path_buf(),
            dist_name,
            entry_points,
            group_range,
        }),
        None => Manifest::No,
    }
}

type Parsed = (Option<(String, TextRange)>, Vec<EntryPoint>, TextRange);

fn range(span: Option<std::ops::Range<usize>>) -> Option<TextRange> {
    let span = span?;
    Some(TextRange::new(
        TextSize::new(span.start as u32),
        TextSize::new(span.end.max(span.start) as u32),
    ))
}

/// A TOML string value's range with and without its quotes.
fn string_ranges(text: &str, whole: TextRange) -> TextRange {
    let source = text
        .get(usize::from(whole.start())..usize::from(whole.end()))
        .unwrap_or("");
    let quote_len = if source.starts_with("\"\"\"") || source.starts_with("'''") {
        3
    } else if source.starts_with('"') || source.starts_with('\'') {
        1
    } else {
        0
    };
    if source.len() >= 2 * quote_len as usize && quote_len > 0 {
        TextRange::new(
            whole.start() + TextSize::new(quote_len as u32),
            whole.end() - TextSize::new(quote_len as u32),
        )
    } else {
        whole
    }
}

fn pyproject(text: &str) -> Result<Option<Parsed>, (TextRange, String)> {
    let document = toml_edit::Document::parse(text).map_err(|error| {
        let span = error.span().unwrap_or(0..0);
        let start = span.start.min(text.len());
        let end = span.end.min(text.len()).max(start);
        let message = error.message().trim().to_string();
        (non_empty(text, start, end), message)
    })?;
    let root = document.as_table();
    let pep621 = root
        .get("project")
        .and_then(|p| p.as_table_like())
        .and_then(|p| p.get("entry-points"))
        .and_then(|e| e.as_table_like())
        .and_then(|e| e.get_key_value(GROUP));
    let poetry = root
        .get("tool")
        .and_then(|t| t.as_table_like())
        .and_then(|t| t.get("poetry"))
        .and_then(|p| p.as_table_like())
        .and_then(|p| p.get("plugins"))
        .and_then(|p| p.as_table_like())
        .and_then(|p| p.get_key_value(GROUP));
    let Some((group_key, group)) = pep621.or(poetry) else {
        return Ok(None);
    };
    let group_range = range(group_key.span()).unwrap_or_default();
    let mut entry_points = Vec::new();
    if let Some(table) = group.as_table_like() {
        for (name, _) in table.iter() {
            let Some((key, item)) = table.get_key_value(name) else {
                continue;
            };
            let (Some(value), Some(whole)) = (item.as_str(), range(item.span())) else {
                continue;
            };
            entry_points.push(EntryPoint {
                name: key.get().to_string(),
                value: value.trim().to_string(),
                range: whole,
                inner: string_ranges(text, whole),
            });
        }
    }
    let name_item = root
        .get("project")
        .and_then(|p| p.as_table_like())
        .and_then(|p| p.get_key_value("name"))
        .or_else(|| {
            root.get("tool")
                .and_then(|t| t.as_table_like())
                .and_then(|t| t.get("poetry"))
                .and_then(|p| p.as_table_like())
                .and_then(|p| p.get_key_value("name"))
        });
    let dist_name = name_item.and_then(|(_, item)| {
        let name = item.as_str()?;
        Some((name.to_string(), range(item.span())?))
    });
    Ok(Some((dist_name, entry_points, group_range)))
}

/// `setup(name="...", entry_points={"flowdapt.plugins": ["a = a", ...]})` as literals.
fn setup_py(file: &PythonFile) -> Option<Parsed> {
    let call = find_setup_call(file, file.root())?;
    let arguments = call.child_by_field_name("arguments")?;
    let mut dist_name = None;
    let mut found = None;
    let mut cursor = arguments.walk();
    for argument in arguments.named_children(&mut cursor) {
        if argument.kind() != "keyword_argument" {
            continue;
        }
        let (Some(name), Some(value)) = (
            argument.child_by_field_name("name"),
            argument.child_by_field_name("value"),
        ) else {
            continue;
        };
        match file.text_of(name) {
            "name" => {
                if let Some(text) = string_literal(file, value) {
                    dist_name = Some((text, range_of(value)));
                }
            }
            "entry_points" => found = entry_points_dict(file, value),
            _ => {}
        }
    }
    let (group_range, entry_points) = found?;
    Some((dist_name, entry_points, group_range))
}

fn find_setup_call<'t>(file: &PythonFile, node: TsNode<'t>) -> Option<TsNode<'t>> {
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        if node.kind() == "call"
            && let Some(function) = node.child_by_field_name("function")
        {
            let name = file.text_of(function);
            if name == "setup" || name.ends_with(".setup") {
                return Some(node);
            }
        }
        let mut cursor = node.walk();
        let children: Vec<TsNode<'t>> = node.named_children(&mut cursor).collect();
        stack.extend(children.into_iter().rev());
    }
    None
}

/// The text of a plain (non-f, non-concatenated) string literal.
fn string_literal(file: &PythonFile, node: TsNode<'_>) -> Option<String> {
    if node.kind() != "string" {
        return None;
    }
    let mut text = String::new();
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        match child.kind() {
            "string_start" => {
                let prefix = file.text_of(child).to_ascii_lowercase();
                if prefix.contains('f') {
                    return None;
                }
            }
            "string_content" => text.push_str(file.text_of(child)),
            "string_end" => {}
            _ => return None,
        }
    }
    Some(text)
}

/// The inner range of a string literal (without prefix and quotes).
fn string_inner(node: TsNode<'_>) -> TextRange {
    let mut start = node.start_byte();
    let mut end = node.end_byte();
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        match child.kind() {
            "string_start" => start = child.end_byte(),
            "string_end" => end = child.start_byte(),
            _ => {}
        }
    }
    TextRange::new(
        TextSize::new(start as u32),
        TextSize::new(end.max(start) as u32),
    )
}

fn entry_points_dict(file: &PythonFile, node: TsNode<'_>) -> Option<(TextRange, Vec<EntryPoint>)> {
    if node.kind() != "dictionary" {
        return None;
    }
    let mut cursor = node.walk();
    for pair in node.named_children(&mut cursor) {
        if pair.kind() != "pair" {
            continue;
        }
        let (Some(key), Some(value)) = (
            pair.child_by_field_name("key"),
            pair.child_by_field_name("value"),
        ) else {
            continue;
        };
        if string_literal(file, key).as_deref() != Some(GROUP) {
            continue;
        }
        let mut entry_points = Vec::new();
        let items: Vec<TsNode<'_>> = match value.kind() {
            "list" | "tuple" => {
                let mut inner = value.walk();
                value.named_children(&mut inner).collect()
            }
            "string" => vec![value],
            _ => Vec::new(),
        };
        for item in items {
            let Some(spec) = string_literal(file, item) else {
                continue;
            };
            let inner = string_inner(item);
            if let Some(entry) = entry_from_spec(&spec, inner, range_of(item)) {
                entry_points.push(entry);
            }
        }
        return Some((range_of(key), entry_points));
    }
    None
}

/// `name = value` inside one string (setup.py, setup.cfg): ranges of the value part.
fn entry_from_spec(spec: &str, inner: TextRange, _whole: TextRange) -> Option<EntryPoint> {
    let eq = spec.find('=')?;
    let name = spec[..eq].trim();
    let raw_value = &spec[eq + 1..];
    let value = raw_value.trim();
    if value.is_empty() {
        return None;
    }
    // Only correct when the literal has no escapes; escapes in an entry point are unheard of.
    let leading = raw_value.len() - raw_value.trim_start().len();
    let start = u32::from(inner.start()) as usize + eq + 1 + leading;
    let value_range = TextRange::at(
        TextSize::new(start as u32),
        TextSize::new(value.len() as u32),
    );
    if value_range.end() > inner.end() {
        return None;
    }
    Some(EntryPoint {
        name: name.to_string(),
        value: value.to_string(),
        range: value_range,
        inner: value_range,
    })
}

fn setup_cfg(text: &str) -> Option<Parsed> {
    let document = ini::parse(text);
    let dist_name = document.get("metadata", "name").and_then(|option| {
        let range = option.value.range()?;
        Some((option.value.text.trim().to_string(), range))
    });
    let option = document.get("options.entry_points", GROUP)?;
    let mut entry_points = Vec::new();
    let value = &option.value;
    let mut offset = 0usize;
    for line in value.text.split('\n') {
        let line_start = offset;
        offset += line.len() + 1;
        let Some(eq) = line.find('=') else {
            continue;
        };
        let name = line[..eq].trim();
        let raw = &line[eq + 1..];
        let trimmed = raw.trim();
        if trimmed.is_empty() || name.is_empty() {
            continue;
        }
        let start = line_start + eq + 1 + (raw.len() - raw.trim_start().len());
        let Some(range) = value.source_range(start, start + trimmed.len()) else {
            continue;
        };
        entry_points.push(EntryPoint {
            name: name.to_string(),
            value: trimmed.to_string(),
            range,
            inner: range,
        });
    }
    Some((dist_name, entry_points, option.key))
}

/// At least one character, inside the text.
pub fn non_empty(text: &str, start: usize, end: usize) -> TextRange {
    let mut start = start.min(text.len());
    while start > 0 && !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = end.min(text.len()).max(start);
    while end > start && !text.is_char_boundary(end) {
        end -= 1;
    }
    if end > start {
        return TextRange::new(TextSize::new(start as u32), TextSize::new(end as u32));
    }
    if let Some(ch) = text[start..].chars().next() {
        return TextRange::at(
            TextSize::new(start as u32),
            TextSize::new(ch.len_utf8() as u32),
        );
    }
    match text.chars().next_back() {
        Some(ch) => TextRange::at(
            TextSize::new((text.len() - ch.len_utf8()) as u32),
            TextSize::new(ch.len_utf8() as u32),
        ),
        None => TextRange::empty(TextSize::new(0)),
    }
}

/// PEP 503 normalisation: runs of `-`, `_`, `.` are one `-`, lower case. This is how
/// `importlib.metadata.version()` matches a name to an installed distribution.
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut separator = false;
    for ch in name.trim().chars() {
        if matches!(ch, '-' | '_' | '.') {
            separator = true;
            continue;
        }
        if separator && !out.is_empty() {
            out.push('-');
        }
        separator = false;
        out.extend(ch.to_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_like_importlib() {
        assert_eq!(normalize_name("My.Package__x"), "my-package-x");
        assert_eq!(
            normalize_name("flowdapt_nowcast_plugin"),
            "flowdapt-nowcast-plugin"
        );
    }

    #[test]
    fn reads_pep621_and_poetry_groups() {
        let text = "[project]\nname = \"my-pkg\"\n[project.entry-points.\"flowdapt.plugins\"]\nmy_pkg = \"my_pkg.stages\"\n";
        let (name, entries, _) = pyproject(text).unwrap().unwrap();
        assert_eq!(name.unwrap().0, "my-pkg");
        assert_eq!(entries[0].value, "my_pkg.stages");
        assert_eq!(&text[entries[0].range], "\"my_pkg.stages\"");
        assert_eq!(&text[entries[0].inner], "my_pkg.stages");
        let poetry =
            "[tool.poetry]\nname = \"x\"\n[tool.poetry.plugins.\"flowdapt.plugins\"]\nx = 'x'\n";
        let (name, entries, _) = pyproject(poetry).unwrap().unwrap();
        assert_eq!(name.unwrap().0, "x");
        assert_eq!(&poetry[entries[0].inner], "x");
    }

    #[test]
    fn reads_setup_cfg() {
        let text = "[metadata]\nname = my_pkg\n\n[options.entry_points]\nflowdapt.plugins =\n    my_pkg = my_pkg.stages\n";
        let (name, entries, _) = setup_cfg(text).unwrap();
        assert_eq!(name.unwrap().0, "my_pkg");
        assert_eq!(&text[entries[0].range], "my_pkg.stages");
    }
}
