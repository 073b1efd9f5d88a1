//! KIL010: the plugin's code reads a file that the upload does not send.
//!
//! `PluginUploader._create_zip` (`kili/services/plugins/upload.py`, research/platforms.md 1.1)
//! zips every `**/*.py` of a folder plugin and its root `requirements.txt`, nothing else; a
//! single-file plugin is zipped alone, as `main.py`. A data file read with a relative path is
//! therefore missing in production, wherever the plugin runs from.

use std::path::{Path, PathBuf};

use plugsmith_core::syntax::python::{PythonFile, range_of};
use plugsmith_core::{Diagnostic, Files};
use tree_sitter::Node;

use crate::{KIL010, py};

/// Functions whose first argument is a path they read (matched on the dotted name as written).
const READERS: &[&str] = &[
    "np.load",
    "numpy.load",
    "np.loadtxt",
    "numpy.loadtxt",
    "np.genfromtxt",
    "numpy.genfromtxt",
    "cv2.imread",
    "Image.open",
    "PIL.Image.open",
    "joblib.load",
    "torch.load",
];
/// `pandas` readers, matched on the last part of the name after `pd.` / `pandas.`.
const PANDAS_READERS: &[&str] = &[
    "read_csv",
    "read_json",
    "read_excel",
    "read_parquet",
    "read_pickle",
    "read_table",
    "read_feather",
];
const PATH_CLASSES: &[&str] = &["Path", "pathlib.Path", "PurePath", "pathlib.PurePath"];

/// One literal path the code reads.
struct Read<'t> {
    literal: Node<'t>,
    path: String,
}

/// KIL010 for every source of the plugin (`root` is the folder, or the single file).
pub fn kil010(
    root: &Path,
    sources: &[PathBuf],
    single: bool,
    files: &Files<'_>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for source in sources {
        let Ok(file) = files.python(source) else {
            continue;
        };
        if file.root().has_error() || !mentions_a_reader(&file.text) {
            continue;
        }
        for read in reads(&file) {
            out.push(diagnostic(root, source, &read, single, files));
        }
    }
    out
}

fn mentions_a_reader(text: &str) -> bool {
    ["open", "read_", "load", "imread"]
        .iter()
        .any(|word| text.contains(word))
}

fn diagnostic(
    root: &Path,
    source: &Path,
    read: &Read<'_>,
    single: bool,
    files: &Files<'_>,
) -> Diagnostic {
    let name = &read.path;
    let folder = if single {
        source.parent().unwrap_or(Path::new(""))
    } else {
        root
    };
    let beside = source.parent().map(|dir| dir.join(name));
    let exists = files.exists(&folder.join(name)) || beside.is_some_and(|path| files.exists(&path));
    let upload = if single {
        "Kili uploads a single-file plugin alone (zipped as `main.py`)"
    } else {
        "Kili uploads only the `.py` files and `requirements.txt` of a folder plugin and drops \
         every other file"
    };
    let here = if exists {
        "it is here beside the code, but it is not uploaded, so"
    } else {
        "it is not in the plugin either, and"
    };
    let message = format!(
        "The plugin reads `{name}`: {upload}; {here} in production this read fails \
         (FileNotFoundError). Put the data in a `.py` module (e.g. a dict constant), or fetch \
         it at run time."
    );
    Diagnostic::new(&KIL010, source, range_of(read.literal), message)
}

/// Every read of a literal relative path in the module.
fn reads<'t>(file: &'t PythonFile) -> Vec<Read<'t>> {
    let keep = |node: Node<'_>| node.kind() == "call";
    let descend = |_: Node<'_>| true;
    py::find_descendants(file.root(), &keep, &descend)
        .into_iter()
        .filter_map(|call| read_of(file, call))
        .filter_map(|literal| {
            let path = literal_text(file, literal)?;
            is_dropped(&path).then_some(Read { literal, path })
        })
        .collect()
}

/// The string literal a call reads, if it reads one.
fn read_of<'t>(file: &PythonFile, call: Node<'t>) -> Option<Node<'t>> {
    let function = call.child_by_field_name("function")?;
    let arguments = call.child_by_field_name("arguments")?;
    let name = py::compact_text(file, function);
    let positional: Vec<Node<'t>> = py::named_children(arguments)
        .into_iter()
        .filter(|a| !matches!(a.kind(), "comment" | "keyword_argument"))
        .collect();
    match name.as_str() {
        "open" | "io.open" | "codecs.open" => {
            let mode = positional
                .get(1)
                .copied()
                .or_else(|| keyword(file, arguments, "mode"));
            (reads_mode(file, mode)).then_some(())?;
            path_literal(file, *positional.first()?)
        }
        _ if READERS.contains(&name.as_str()) || is_pandas_reader(&name) => {
            path_literal(file, *positional.first()?)
        }
        _ if function.kind() == "attribute" => {
            let method = function.child_by_field_name("attribute")?;
            let object = function.child_by_field_name("object")?;
            match file.text_of(method) {
                "read_text" | "read_bytes" => path_object_literal(file, object),
                "open" => {
                    let mode = positional
                        .first()
                        .copied()
                        .or_else(|| keyword(file, arguments, "mode"));
                    reads_mode(file, mode).then_some(())?;
                    path_object_literal(file, object)
                }
                _ => None,
            }
        }
        _ => None,
    }
}

fn is_pandas_reader(name: &str) -> bool {
    name.split_once('.').is_some_and(|(module, function)| {
        matches!(module, "pd" | "pandas") && PANDAS_READERS.contains(&function)
    })
}

/// The value of the keyword argument `name`.
fn keyword<'t>(file: &PythonFile, arguments: Node<'t>, name: &str) -> Option<Node<'t>> {
    py::named_children(arguments)
        .into_iter()
        .filter(|a| a.kind() == "keyword_argument")
        .find(|a| {
            a.child_by_field_name("name")
                .is_some_and(|n| file.text_of(n) == name)
        })
        .and_then(|a| a.child_by_field_name("value"))
}

/// Whether an `open` mode reads: no mode, or a literal mode that is not write-only.
fn reads_mode(file: &PythonFile, mode: Option<Node<'_>>) -> bool {
    let Some(mode) = mode else {
        return true;
    };
    literal_text(file, mode).is_some_and(|m| m.contains('+') || !m.contains(['w', 'a', 'x']))
}

/// The literal of a path expression: `"x"`, `Path("x")`, `<path> / "x"` (e.g.
/// `Path(__file__).parent / "x"`), `os.path.join(<dir of __file__>, "x")`.
fn path_literal<'t>(file: &PythonFile, node: Node<'t>) -> Option<Node<'t>> {
    match node.kind() {
        "string" => Some(node),
        "parenthesized_expression" => path_literal(file, *py::named_children(node).first()?),
        "call" => {
            let function = py::compact_text(file, node.child_by_field_name("function")?);
            let arguments = py::named_children(node.child_by_field_name("arguments")?);
            let literal = *arguments.last()?;
            if PATH_CLASSES.contains(&function.as_str()) && arguments.len() == 1 {
                return path_literal(file, literal);
            }
            let joined = function == "os.path.join" && arguments.len() == 2;
            let from_file = arguments
                .first()
                .is_some_and(|dir| file.text_of(*dir).contains("__file__"));
            (joined && from_file && literal.kind() == "string").then_some(literal)
        }
        "binary_operator" => {
            let operator = node.child_by_field_name("operator")?;
            let left = node.child_by_field_name("left")?;
            let right = node.child_by_field_name("right")?;
            let path_left =
                file.text_of(left).contains("__file__") && file.text_of(left).contains("Path");
            (file.text_of(operator) == "/" && path_left && right.kind() == "string")
                .then_some(right)
        }
        _ => None,
    }
}

/// The literal of the object of `.read_text()` / `.open()`: only a path expression, never a
/// plain string (`"x".open` is no path).
fn path_object_literal<'t>(file: &PythonFile, object: Node<'t>) -> Option<Node<'t>> {
    if object.kind() == "string" {
        return None;
    }
    path_literal(file, object)
}

/// The text of a plain string literal (no f-string, no escape, no implicit concatenation).
fn literal_text(file: &PythonFile, node: Node<'_>) -> Option<String> {
    if node.kind() != "string" {
        return None;
    }
    let mut text = String::new();
    for child in py::named_children(node) {
        match child.kind() {
            "string_start" => {
                if file.text_of(child).to_ascii_lowercase().contains('f') {
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

/// Whether the upload leaves a relative path out: not a `.py` file, not the root
/// `requirements.txt`; absolute paths, URLs and templates are not judged.
fn is_dropped(path: &str) -> bool {
    let trimmed = path.strip_prefix("./").unwrap_or(path);
    let judged = !trimmed.is_empty()
        && !trimmed.starts_with(['/', '\\', '~', '$'])
        && !trimmed.contains("://")
        && !trimmed.contains(['{', '}', '%', '*', '\n', '\0'])
        && trimmed.get(1..2) != Some(":")
        && trimmed != "."
        && trimmed != "..";
    judged && !trimmed.ends_with(".py") && trimmed != "requirements.txt" && !trimmed.ends_with('/')
}
