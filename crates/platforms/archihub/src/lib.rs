//! ArchiHub plugins: detection and rules (`RULES.md`, ArchiHub section; evidence in
//! `research/platforms.md` section 5, archihub-backend@e7766f5).
//!
//! A plugin is a folder (`app/plugins/<slug>/`, the folder name is the slug) whose
//! `__init__.py` assigns a top-level `plugin_info` or defines
//! `class ExtendedPluginClass(PluginClass)`. The backend lists plugins by *parsing* that file
//! with a restricted evaluator ([`evaluator`]), imports it when the plugin is active, and builds
//! `ExtendedPluginClass(slug, __name__, **plugin_info)`.
//!
//! Modules: [`evaluator`] (the listing's `plugin_info` evaluator, ARC001), [`info_rules`]
//! (schema and settings rules on the evaluated dict: ARC002, ARC004, ARC005, ARC006),
//! [`code_rules`] (the class and Celery tasks: ARC003, routes for ARC006, ARC007),
//! [`call_rules`] (calls anywhere in the file: ARC008 queues, ARC009 validation results),
//! ARC012 (`actions`/`capabilities` dropped by `__init__`) in [`code_rules`],
//! [`layout_rules`] (the folder's other files: ARC010 `requirements.txt`, ARC011 the image).

pub mod call_rules;
pub mod code_rules;
pub mod evaluator;
pub mod info_rules;
pub mod layout_rules;
pub mod literals;
pub mod rules;

use std::path::{Path, PathBuf};

use plugsmith_core::common::syntax_error_diagnostics;
use plugsmith_core::syntax::python::{self, PythonFile};
use plugsmith_core::{Diagnostic, Files, Platform, Plugin, Rule, TextRange};

pub use rules::{
    ARC001, ARC002, ARC003, ARC004, ARC005, ARC006, ARC007, ARC008, ARC009, ARC010, ARC011, ARC012,
};

/// The ArchiHub platform.
pub struct ArchihubPlatform;

/// The value registered in `plugsmith_check`.
pub static PLATFORM: ArchihubPlatform = ArchihubPlatform;

/// The entry file of every plugin folder.
const ENTRY: &str = "__init__.py";

/// The plugin's requirements, merged into the image's by `generateRequirements.sh`.
const REQUIREMENTS: &str = "requirements.txt";

/// What the listing does with an `__init__.py` that does not compile (PLG001 consequence).
const INIT_SYNTAX_CONSEQUENCE: &str = "ArchiHub parses every plugin's `__init__.py` to list \
    plugins and does not catch a SyntaxError per plugin: the whole plugin list fails (\"Error \
    while getting the plugins\"), and if this plugin is active the app does not start";

/// What happens with another `.py` file of the plugin that does not compile.
const MODULE_SYNTAX_CONSEQUENCE: &str = "The plugin's package fails to import when it is \
    activated, and ArchiHub registers active plugins at startup without try/except: the app \
    does not start";

impl Platform for ArchihubPlatform {
    fn name(&self) -> &'static str {
        "archihub"
    }

    fn rules(&self) -> &'static [&'static Rule] {
        rules::RULES
    }

    fn detect(&self, files: &Files<'_>) -> Vec<Plugin> {
        let mut plugins = Vec::new();
        for path in files.all() {
            if path.file_name().is_none_or(|name| name != ENTRY) {
                continue;
            }
            let Ok(text) = files.read(path) else {
                continue;
            };
            if !text.contains("plugin_info") && !text.contains("ExtendedPluginClass") {
                continue;
            }
            let Ok(file) = files.python(path) else {
                continue;
            };
            if is_archihub_entry(&file) {
                let root = path.parent().map(Path::to_path_buf).unwrap_or_default();
                plugins.push(Plugin::new("archihub", root, Some(path.to_path_buf())));
            }
        }
        plugins
    }

    fn plugin_at(&self, path: &Path, files: &Files<'_>) -> Option<Plugin> {
        let (root, entry) = if path.file_name().is_some_and(|name| name == ENTRY) {
            (
                path.parent().map(Path::to_path_buf).unwrap_or_default(),
                path.to_path_buf(),
            )
        } else {
            (path.to_path_buf(), path.join(ENTRY))
        };
        files
            .is_file(&entry)
            .then(|| Plugin::new("archihub", root, Some(entry)))
    }

    fn check(&self, plugin: &Plugin, files: &Files<'_>) -> Vec<Diagnostic> {
        let entry = plugin
            .entry
            .clone()
            .unwrap_or_else(|| plugin.root.join(ENTRY));
        let mut diagnostics = Vec::new();
        let mut entry_compiles = false;
        for path in python_files(plugin, &entry, files) {
            let Ok(file) = files.python(&path) else {
                continue;
            };
            let consequence = if path == entry {
                INIT_SYNTAX_CONSEQUENCE
            } else {
                MODULE_SYNTAX_CONSEQUENCE
            };
            let errors = syntax_error_diagnostics(&path, &file, consequence);
            if path == entry {
                entry_compiles = errors.is_empty();
            }
            diagnostics.extend(errors);
        }
        let requirements = plugin.root.join(REQUIREMENTS);
        if let Ok(text) = files.read(&requirements) {
            diagnostics.extend(layout_rules::arc010(&requirements, &text));
        }
        if !entry_compiles {
            return diagnostics;
        }
        let Ok(file) = files.python(&entry) else {
            return diagnostics;
        };
        let slug = slug_of(plugin);
        let context = Context {
            path: &entry,
            file: &file,
            slug: slug.as_deref(),
        };
        let outcome = evaluator::evaluate(&file);
        diagnostics.extend(check_entry(&context, &outcome));
        if let evaluator::Outcome::Dict { target, .. } = &outcome {
            diagnostics.extend(image_rule(plugin, &context, *target, files));
        }
        diagnostics
    }
}

/// What the rules of one plugin share: the entry file, parsed, and the slug when known.
pub struct Context<'a> {
    pub path: &'a Path,
    pub file: &'a PythonFile,
    /// The plugin folder's name; `None` when the plugin is the workspace root itself.
    pub slug: Option<&'a str>,
}

fn check_entry(context: &Context<'_>, outcome: &evaluator::Outcome) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    diagnostics.extend(info_rules::arc001(context, outcome));
    let class = code_rules::find_class(context.file);
    if let evaluator::Outcome::Dict { info, .. } = outcome {
        diagnostics.extend(info_rules::arc002(context, info));
        diagnostics.extend(info_rules::arc004(context, info));
        diagnostics.extend(info_rules::arc005(context, info));
        if let Some(class) = class {
            diagnostics.extend(info_rules::arc006(context, info, class));
        }
    }
    if let Some(class) = class {
        let info = match outcome {
            evaluator::Outcome::Dict { info, .. } => Some(info),
            _ => None,
        };
        diagnostics.extend(code_rules::arc003(context, class, info));
        if let Some(info) = info {
            diagnostics.extend(code_rules::arc012(context, class, info));
        }
    }
    diagnostics.extend(code_rules::arc007(context));
    diagnostics.extend(call_rules::arc009(context));
    diagnostics.extend(call_rules::arc008(context));
    diagnostics
}

/// ARC011 for a listed plugin (its `plugin_info` evaluates to a dict; `target` is the
/// `plugin_info` it is reported at) whose class does not override `get_image`.
fn image_rule(
    plugin: &Plugin,
    context: &Context<'_>,
    target: TextRange,
    files: &Files<'_>,
) -> Option<Diagnostic> {
    if code_rules::find_class(context.file)
        .is_some_and(|class| code_rules::defines_method(context.file, class, "get_image"))
    {
        return None;
    }
    // Listed through its folder, not probed by name: a probed path becomes an input of the
    // check, and inputs are scanned as text for `plugsmith: ignore` comments, which reports a
    // PNG as "not valid UTF-8". The folder is under the plugin root, so adding the image still
    // re-checks the plugin in the language server.
    let folder = plugin.root.join("static");
    let image = folder.join("image.png");
    let exists = files.children(&folder).contains(&image);
    layout_rules::arc011(context.path, target, exists)
}

/// Whether a parsed `__init__.py` is an ArchiHub plugin: a top-level `plugin_info` assignment
/// (plain, chained, unpacked, annotated or augmented: ARC001 explains the ones the listing
/// ignores) or a top-level `class ExtendedPluginClass(PluginClass)`. A file that does not
/// compile counts when its text names `plugin_info` or `ExtendedPluginClass` (the caller's
/// prefilter): its SyntaxError breaks ArchiHub's whole plugin listing (PLG001).
pub fn is_archihub_entry(file: &PythonFile) -> bool {
    let root = file.root();
    let mut cursor = root.walk();
    let found = root
        .named_children(&mut cursor)
        .any(|statement| match statement.kind() {
            "expression_statement" => {
                let mut inner = statement.walk();
                statement
                    .named_children(&mut inner)
                    .any(|child| assigns_plugin_info(file, child))
            }
            _ => code_rules::as_plugin_class(file, statement).is_some(),
        });
    found || !python::syntax_errors(file).is_empty()
}

/// Whether an (augmented) assignment statement binds `plugin_info` among its targets.
fn assigns_plugin_info(file: &PythonFile, statement: tree_sitter::Node<'_>) -> bool {
    let mut here = Some(statement);
    while let Some(node) = here {
        if !matches!(node.kind(), "assignment" | "augmented_assignment") {
            return false;
        }
        if node
            .child_by_field_name("left")
            .is_some_and(|left| names_plugin_info(file, left, 0))
        {
            return true;
        }
        here = node.child_by_field_name("right");
    }
    false
}

/// `plugin_info`, or a tuple/list target that contains it.
fn names_plugin_info(file: &PythonFile, target: tree_sitter::Node<'_>, depth: usize) -> bool {
    if depth > evaluator::MAX_DEPTH {
        return false;
    }
    match target.kind() {
        "identifier" => file.text_of(target) == "plugin_info",
        "pattern_list" | "tuple_pattern" | "list_pattern" => {
            let mut cursor = target.walk();
            target
                .named_children(&mut cursor)
                .any(|child| names_plugin_info(file, child, depth + 1))
        }
        _ => false,
    }
}

/// Every `.py` file of the plugin, the entry first.
fn python_files(plugin: &Plugin, entry: &Path, files: &Files<'_>) -> Vec<PathBuf> {
    let mut paths = vec![entry.to_path_buf()];
    if plugin.root != entry {
        paths.extend(
            files
                .files_under(&plugin.root)
                .into_iter()
                .filter(|path| path != entry && path.extension().is_some_and(|ext| ext == "py")),
        );
    }
    paths
}

/// The slug: the plugin folder's name (`app/plugins/<slug>/`).
fn slug_of(plugin: &Plugin) -> Option<String> {
    plugin
        .root
        .file_name()
        .map(|name| name.to_string_lossy().to_string())
        .filter(|name| !name.is_empty())
}

/// Parses Python source the way the checker does (for tests and tools).
pub fn parse(text: &str) -> PythonFile {
    python::parse(std::sync::Arc::from(text))
}
