//! PLG004: modules a plugin imports that nothing installs.
//!
//! Runs once for every plugin whose platform installs the plugin's dependencies from a
//! `requirements.txt` at the plugin's root (Kili folder plugins, ArchiHub plugins), and only
//! when that file exists. A module is known when it is in the plugin (a `.py` file or a folder
//! next to the importing file or at the plugin's root, or the plugin's own folder name), in the
//! standard library ([`crate::stdlib`]), provided by a requirement (through
//! [`provided_modules`]), or in the platform's preinstalled set ([`preinstalled`]).
//!
//! The rule errs towards silence: a `requirements.txt` whose full set cannot be known (`-r`,
//! `-e`, URL or path lines, lines pip refuses) makes it stand down, imports guarded by `try:`
//! (an optional dependency) or by `if TYPE_CHECKING:` / `sys.version_info` / `sys.platform`
//! conditions are skipped, and well-known dependencies of common requirements count as
//! provided.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use plugsmith_core::common::PLG004;
use plugsmith_core::syntax::python::{self, Node, PythonFile};
use plugsmith_core::{Diagnostic, Files, Plugin, TextRange};

/// One absolute import of a top-level module: its name, the range of that name, and whether
/// the import runs when the module is imported (not inside a function).
struct Import {
    module: String,
    range: TextRange,
    at_module_level: bool,
}

/// Distribution (PEP 503-normalised) → modules it provides, where the name differs from the
/// distribution's (the rule `foo-bar` → `foo_bar` covers the rest).
const DISTRIBUTION_MODULES: &[(&str, &[&str])] = &[
    ("beautifulsoup4", &["bs4"]),
    ("ffmpeg-python", &["ffmpeg"]),
    (
        "google-api-python-client",
        &["googleapiclient", "apiclient"],
    ),
    ("ipython", &["IPython"]),
    ("msgraph-sdk", &["msgraph"]),
    ("opencv-contrib-python", &["cv2"]),
    ("opencv-contrib-python-headless", &["cv2"]),
    ("opencv-python", &["cv2"]),
    ("opencv-python-headless", &["cv2"]),
    ("openai-whisper", &["whisper"]),
    ("pillow", &["PIL"]),
    ("protobuf", &["google"]),
    ("pycryptodome", &["Crypto"]),
    ("pycryptodomex", &["Cryptodome"]),
    ("pyjwt", &["jwt"]),
    ("pymongo", &["pymongo", "bson", "gridfs"]),
    ("pymupdf", &["fitz", "pymupdf"]),
    ("pyopenssl", &["OpenSSL"]),
    ("pypdf2", &["PyPDF2"]),
    ("pyserial", &["serial"]),
    ("python-dateutil", &["dateutil"]),
    ("python-docx", &["docx"]),
    ("python-dotenv", &["dotenv"]),
    ("python-magic", &["magic"]),
    ("python-pptx", &["pptx"]),
    ("python-telegram-bot", &["telegram"]),
    ("pytube", &["pytube"]),
    ("pyyaml", &["yaml", "_yaml"]),
    ("scikit-image", &["skimage"]),
    ("scikit-learn", &["sklearn"]),
    ("stringgenerator", &["strgen"]),
    ("websocket-client", &["websocket"]),
];

/// Distribution → modules its own dependencies install, for the common requirements of
/// plugins: importing them works even though requirements.txt does not list them. Deliberately
/// partial; what it misses can only make the rule report less, never more.
const BRINGS: &[(&str, &[&str])] = &[
    (
        "flask",
        &[
            "werkzeug",
            "jinja2",
            "itsdangerous",
            "click",
            "markupsafe",
            "blinker",
        ],
    ),
    (
        "layoutparser",
        &[
            "numpy",
            "cv2",
            "pandas",
            "PIL",
            "yaml",
            "scipy",
            "iopath",
            "pdfplumber",
            "pdf2image",
        ],
    ),
    (
        "matplotlib",
        &["numpy", "PIL", "dateutil", "pyparsing", "packaging"],
    ),
    (
        "openai",
        &[
            "httpx",
            "pydantic",
            "anyio",
            "distro",
            "tqdm",
            "typing_extensions",
            "jiter",
        ],
    ),
    (
        "openai-whisper",
        &[
            "numpy",
            "torch",
            "tqdm",
            "tiktoken",
            "numba",
            "more_itertools",
        ],
    ),
    ("opencv-python", &["numpy"]),
    ("opencv-python-headless", &["numpy"]),
    ("pandas", &["numpy", "dateutil", "pytz", "tzdata", "six"]),
    ("pdf2image", &["PIL"]),
    ("pdfplumber", &["pdfminer", "PIL", "pypdfium2"]),
    ("pytesseract", &["PIL", "packaging"]),
    (
        "requests",
        &["urllib3", "idna", "certifi", "charset_normalizer"],
    ),
    (
        "scikit-learn",
        &["numpy", "scipy", "joblib", "threadpoolctl"],
    ),
    (
        "spacy",
        &[
            "numpy",
            "requests",
            "pydantic",
            "tqdm",
            "jinja2",
            "thinc",
            "packaging",
        ],
    ),
    (
        "torch",
        &[
            "numpy",
            "filelock",
            "typing_extensions",
            "sympy",
            "networkx",
            "jinja2",
            "fsspec",
        ],
    ),
    ("torchvision", &["torch", "numpy", "PIL"]),
    (
        "trafilatura",
        &[
            "lxml",
            "urllib3",
            "certifi",
            "charset_normalizer",
            "courlan",
            "htmldate",
            "justext",
        ],
    ),
    (
        "transformers",
        &[
            "numpy",
            "huggingface_hub",
            "tokenizers",
            "safetensors",
            "regex",
            "requests",
            "tqdm",
            "yaml",
            "filelock",
            "packaging",
        ],
    ),
];

/// Kili (`docs/sdk/plugins.md`, platforms.md 1.3): the on-premise preinstalled packages
/// (numpy, pandas, scikit-learn, opencv-python-headless, Pillow, requests, uuid, kili), the
/// event package (`kili_events`), and the modules of kili's own required dependencies
/// (kili's `pyproject.toml`), which every runtime that runs a plugin has.
const KILI_PREINSTALLED: &[&str] = &[
    "PIL",
    "certifi",
    "charset_normalizer",
    "click",
    "cuid",
    "cv2",
    "dateutil",
    "filelock",
    "gql",
    "graphql",
    "idna",
    "joblib",
    "kili",
    "kili_events",
    "kili_formats",
    "numpy",
    "pandas",
    "pyparsing",
    "pyrate_limiter",
    "pytz",
    "requests",
    "scipy",
    "six",
    "sklearn",
    "tenacity",
    "threadpoolctl",
    "tqdm",
    "typeguard",
    "typing_extensions",
    "tzdata",
    "urllib3",
    "uuid",
    "websocket",
];

/// ArchiHub (platforms.md 5.1, 5.4): every plugin runs inside the backend (`app`), whose
/// requirements are installed in the same image (`requirements.txt` of archihub-backend:
/// Flask and its extensions, Celery, pymongo, Pillow, opencv-python, numpy, pandas,
/// python-dotenv, python-magic, ffmpeg-python, redis, openpyxl ...) with their dependencies.
const ARCHIHUB_PREINSTALLED: &[&str] = &[
    "PIL",
    "app",
    "bcrypt",
    "billiard",
    "blinker",
    "bson",
    "celery",
    "certifi",
    "charset_normalizer",
    "click",
    "cryptography",
    "cv2",
    "dateutil",
    "dotenv",
    "ffmpeg",
    "ffprobe3",
    "flasgger",
    "flask",
    "flask_babel",
    "flask_cors",
    "flask_jwt_extended",
    "flask_restful",
    "gridfs",
    "idna",
    "itsdangerous",
    "jinja2",
    "jsonschema",
    "jwt",
    "kombu",
    "magic",
    "markupsafe",
    "numpy",
    "openpyxl",
    "pandas",
    "pydantic",
    "pymongo",
    "pytz",
    "redis",
    "requests",
    "six",
    "strgen",
    "urllib3",
    "vine",
    "werkzeug",
    "yaml",
];

/// The modules a platform provides to every plugin, or `None` when PLG004 does not run for
/// the platform: Panoptes, Supervisely and Flowdapt plugins have no per-plugin
/// `requirements.txt` that production installs (Panoptes and Supervisely run in an image the
/// operator builds, Flowdapt plugins are packages with their own `pyproject.toml`).
pub(crate) fn preinstalled(platform: &str) -> Option<&'static [&'static str]> {
    match platform {
        "kili" => Some(KILI_PREINSTALLED),
        "archihub" => Some(ARCHIHUB_PREINSTALLED),
        _ => None,
    }
}

/// What production does when the module is missing, in the platform's words.
fn consequence(platform: &str, at_module_level: bool) -> &'static str {
    match (platform, at_module_level) {
        ("kili", true) => {
            "Kili's build installs only requirements.txt, so importing the plugin fails with \
             ModuleNotFoundError at run time"
        }
        ("kili", false) => {
            "Kili's build installs only requirements.txt, so this import fails with \
             ModuleNotFoundError when the handler runs"
        }
        ("archihub", true) => {
            "ArchiHub installs only the core's and the plugins' requirements.txt, and imports \
             every active plugin at start without try/except: the app does not start"
        }
        (_, _) => {
            "the platform installs only the requirements it is given, so this import fails with \
             ModuleNotFoundError when the code runs"
        }
    }
}

/// PLG004 for one plugin: at most one diagnostic per module per file, at its first import.
pub(crate) fn check(plugin: &Plugin, files: &Files<'_>) -> Vec<Diagnostic> {
    let Some(preinstalled) = preinstalled(plugin.platform) else {
        return Vec::new();
    };
    let requirements_path = plugin.root.join("requirements.txt");
    let Ok(text) = files.read(&requirements_path) else {
        return Vec::new();
    };
    let Some(distributions) = plugsmith_core::syntax::requirements::names(&text) else {
        return Vec::new();
    };
    let provided: BTreeSet<String> = distributions
        .iter()
        .flat_map(|name| provided_modules(name))
        .map(|module| module.to_lowercase())
        .collect();
    let known = |module: &str| {
        let lower = module.to_lowercase();
        crate::stdlib::MODULES.binary_search(&module).is_ok()
            || preinstalled
                .iter()
                .any(|name| name.eq_ignore_ascii_case(module))
            || provided.contains(&lower)
    };
    let mut diagnostics = Vec::new();
    for path in plugin_python_files(plugin, files) {
        let Ok(file) = files.python(&path) else {
            continue;
        };
        let mut reported = BTreeSet::new();
        for import in imports(&file) {
            if known(&import.module)
                || is_local(plugin, files, &path, &import.module)
                || !reported.insert(import.module.clone())
            {
                continue;
            }
            diagnostics.push(Diagnostic::new(
                &PLG004,
                &path,
                import.range,
                format!(
                    "`{}` is imported, but no requirement in requirements.txt provides it (nor \
                     the standard library, nor the {} preinstalled packages). {} unless another \
                     requirement happens to install it",
                    import.module,
                    platform_title(plugin.platform),
                    consequence(plugin.platform, import.at_module_level),
                ),
            ));
        }
    }
    diagnostics
}

fn platform_title(platform: &str) -> &'static str {
    match platform {
        "kili" => "Kili",
        "archihub" => "ArchiHub",
        _ => "platform's",
    }
}

/// The Python files of a folder plugin that production may run (a single-file plugin is its
/// own root file). Tests (`test`/`tests` folders, `test_*.py`, `*_test.py`, `conftest.py`),
/// `setup.py`, virtual environments, `site-packages` and hidden folders are left out: their
/// imports are the developer's, not production's.
fn plugin_python_files(plugin: &Plugin, files: &Files<'_>) -> Vec<PathBuf> {
    if files.is_file(&plugin.root) {
        return vec![plugin.root.clone()];
    }
    files
        .files_under(&plugin.root)
        .into_iter()
        .filter(|path| path.extension().is_some_and(|ext| ext == "py"))
        .filter(|path| {
            let relative = path.strip_prefix(&plugin.root).unwrap_or(path);
            !is_development_file(relative)
        })
        .collect()
}

/// Whether a path (relative to the plugin's root) is a test, a build script or inside an
/// environment or hidden folder.
fn is_development_file(relative: &Path) -> bool {
    let name = relative
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or("");
    let development_name = name.starts_with("test_")
        || name.ends_with("_test.py")
        || name == "conftest.py"
        || name == "setup.py";
    let development_folder = relative
        .parent()
        .into_iter()
        .flat_map(Path::components)
        .filter_map(|component| component.as_os_str().to_str())
        .any(|folder| {
            folder.starts_with('.')
                || matches!(
                    folder,
                    "test"
                        | "tests"
                        | "venv"
                        | "env"
                        | "site-packages"
                        | "node_modules"
                        | "__pycache__"
                        | "build"
                        | "dist"
                )
        });
    development_name || development_folder
}

/// Whether `module` exists inside the plugin: as `module.py` or a folder `module/` in the
/// importing file's folder or any folder up to the plugin's root, or as the root's own name.
fn is_local(plugin: &Plugin, files: &Files<'_>, importer: &Path, module: &str) -> bool {
    if plugin.root.file_name().is_some_and(|name| name == module) {
        return true;
    }
    let mut folder = importer.parent();
    while let Some(dir) = folder {
        if files.is_file(&dir.join(format!("{module}.py"))) || files.is_dir(&dir.join(module)) {
            return true;
        }
        if dir == plugin.root || !dir.starts_with(&plugin.root) {
            break;
        }
        folder = dir.parent();
    }
    false
}

/// The modules a distribution (PEP 508 name, any case) makes importable: its own name with
/// `-`/`.` as `_`, that name without a `python-`/`py-` prefix or a `-python`/`-sdk` suffix,
/// the first part of a dotted or dashed name (namespace packages: `pyannote.audio`,
/// `google-cloud-storage`), the documented exceptions and the well-known dependencies.
pub(crate) fn provided_modules(distribution: &str) -> Vec<String> {
    let normalized = normalize(distribution);
    let mut modules = vec![normalized.replace('-', "_")];
    for prefix in ["python-", "py-"] {
        if let Some(rest) = normalized.strip_prefix(prefix) {
            modules.push(rest.replace('-', "_"));
        }
    }
    for suffix in ["-python", "-sdk"] {
        if let Some(rest) = normalized.strip_suffix(suffix) {
            modules.push(rest.replace('-', "_"));
        }
    }
    if let Some(first) = normalized.split('-').next() {
        modules.push(first.to_string());
    }
    for table in [DISTRIBUTION_MODULES, BRINGS] {
        for (name, provided) in table {
            if *name == normalized {
                modules.extend(provided.iter().map(|module| (*module).to_string()));
            }
        }
    }
    modules
}

/// PEP 503 normalisation: lower case, runs of `-`, `_`, `.` become one `-`.
fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut separator = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            separator = true;
            continue;
        }
        if separator && !out.is_empty() {
            out.push('-');
        }
        separator = false;
        out.extend(c.to_lowercase());
    }
    out
}

/// Every absolute import that always runs (see the module doc for what is skipped), in order.
fn imports(file: &PythonFile) -> Vec<Import> {
    let mut found = Vec::new();
    // An explicit stack: user files may nest deeply.
    let mut stack = vec![(file.root(), false)];
    while let Some((node, in_function)) = stack.pop() {
        match node.kind() {
            "import_statement" => {
                let mut cursor = node.walk();
                for name in node.children_by_field_name("name", &mut cursor) {
                    let dotted = if name.kind() == "aliased_import" {
                        name.child_by_field_name("name")
                    } else {
                        Some(name)
                    };
                    if let Some(import) = dotted.and_then(|d| first_module(file, d, in_function)) {
                        found.push(import);
                    }
                }
                continue;
            }
            "import_from_statement" => {
                if let Some(module) = node.child_by_field_name("module_name")
                    && module.kind() == "dotted_name"
                    && let Some(import) = first_module(file, module, in_function)
                {
                    found.push(import);
                }
                continue;
            }
            "try_statement" => continue,
            "if_statement" if is_guard(file, node) => continue,
            _ => {}
        }
        let in_function = in_function || node.kind() == "function_definition";
        let mut cursor = node.walk();
        let children: Vec<Node<'_>> = node.children(&mut cursor).collect();
        for child in children.into_iter().rev() {
            stack.push((child, in_function));
        }
    }
    found.sort_by_key(|import| import.range.start());
    found
}

/// The first identifier of a `dotted_name` as an [`Import`].
fn first_module(file: &PythonFile, dotted: Node<'_>, in_function: bool) -> Option<Import> {
    let first = dotted.named_child(0).filter(|n| n.kind() == "identifier")?;
    let module = file.text_of(first);
    if module.is_empty() || first.has_error() || dotted.has_error() {
        return None;
    }
    Some(Import {
        module: module.to_string(),
        range: python::range_of(first),
        at_module_level: !in_function,
    })
}

/// An `if` whose imports may legitimately be absent: `TYPE_CHECKING`, Python version or
/// operating system conditions.
fn is_guard(file: &PythonFile, node: Node<'_>) -> bool {
    node.child_by_field_name("condition")
        .map(|condition| file.text_of(condition))
        .is_some_and(|text| {
            text.contains("TYPE_CHECKING")
                || text.contains("version_info")
                || text.contains("platform")
                || text.contains("os.name")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaves_out_development_files() {
        for path in [
            "tests/a.py",
            "test_a.py",
            "x/conftest.py",
            ".venv/lib/y.py",
            "setup.py",
        ] {
            assert!(is_development_file(Path::new(path)), "{path}");
        }
        for path in ["main.py", "sub/helpers.py", "testing.py"] {
            assert!(!is_development_file(Path::new(path)), "{path}");
        }
    }

    #[test]
    fn normalizes_like_pep_503() {
        assert_eq!(normalize("Friendly_Bard..x"), "friendly-bard-x");
        assert_eq!(normalize("PyYAML"), "pyyaml");
    }

    #[test]
    fn maps_distributions_to_modules() {
        let has = |dist: &str, module: &str| provided_modules(dist).iter().any(|m| m == module);
        assert!(has("PyYAML", "yaml"));
        assert!(has("opencv-python-headless", "cv2"));
        assert!(has("python-docx", "docx"));
        assert!(has("typing-extensions", "typing_extensions"));
        assert!(has("pyannote.audio", "pyannote"));
        assert!(!has("numpy", "yaml"));
    }

    #[test]
    fn stdlib_is_sorted() {
        assert!(crate::stdlib::MODULES.windows(2).all(|w| w[0] < w[1]));
        assert!(crate::stdlib::MODULES.binary_search(&"json").is_ok());
    }

    /// The embedded list equals the running interpreter's, when it is the same version.
    #[test]
    fn stdlib_matches_python() {
        let Ok(output) = std::process::Command::new("python3")
            .args([
                "-c",
                "import sys; print(f'{sys.version_info[0]}.{sys.version_info[1]}'); \
                 print('\\n'.join(sorted(sys.stdlib_module_names)))",
            ])
            .output()
        else {
            return;
        };
        let text = String::from_utf8_lossy(&output.stdout);
        let mut lines = text.lines();
        if lines.next() != Some(crate::stdlib::VERSION) {
            return;
        }
        assert_eq!(lines.collect::<Vec<_>>(), crate::stdlib::MODULES.to_vec());
    }

    #[test]
    fn finds_the_imports_that_always_run() {
        let text = "import os, yaml.x as y\nfrom a.b import c\nfrom . import d\nfrom .e import f\n\
                    try:\n    import g\nexcept ImportError:\n    g = None\n\
                    if TYPE_CHECKING:\n    import h\ndef k():\n    import i\n";
        let file = python::parse(text.into());
        let found: Vec<(String, bool)> = imports(&file)
            .into_iter()
            .map(|i| (i.module, i.at_module_level))
            .collect();
        let expected = [("os", true), ("yaml", true), ("a", true), ("i", false)];
        assert_eq!(
            found,
            expected.map(|(m, top)| (m.to_string(), top)).to_vec()
        );
    }
}
