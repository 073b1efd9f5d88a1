//! The module an info file names: resolution (PAN007, PAN015), syntax (PLG001), and the class yapsy
//! instantiates (PAN008, PAN009).
//!
//! yapsy (`PluginManager.loadPlugins`) walks `dir(module)` in sorted order and instantiates
//! the first attribute that is a subclass of the category class and not the category class
//! itself; imported names count. Instantiation fails when `run` (an `abc.abstractmethod` of
//! every Panoptes category class) is still abstract in the class's MRO.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use plugsmith_core::common::syntax_error_diagnostics;
use plugsmith_core::syntax::ini::{IniDocument, IniOption};
use plugsmith_core::syntax::python::{self, PythonFile};
use plugsmith_core::workspace::normalize;
use plugsmith_core::{Diagnostic, Files, TextRange};
use tree_sitter::Node;

use crate::info::Category;
use crate::rules::*;

/// The Panoptes framework classes a plugin can derive from: name, bases, whether it
/// implements `run` (`panoptes_base_plugin.py`, `polling_plugin.py`, `enrichment_plugin.py`,
/// `discovery_plugin.py`, `base_snmp_plugin.py`).
const FRAMEWORK: &[(&str, &[&str], bool)] = &[
    ("PanoptesBasePlugin", &[], false),
    ("PanoptesPollingPlugin", &["PanoptesBasePlugin"], false),
    (
        "PanoptesEnrichmentPlugin",
        &["PanoptesPollingPlugin"],
        false,
    ),
    ("PanoptesDiscoveryPlugin", &["PanoptesBasePlugin"], false),
    ("PanoptesSNMPBasePlugin", &["PanoptesBasePlugin"], true),
    (
        "PanoptesSNMPBaseEnrichmentPlugin",
        &["PanoptesSNMPBasePlugin"],
        true,
    ),
];

const SKIPS: &str = "yapsy skips this plugin";

/// What a name of a module namespace is bound to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Binding {
    Class(usize),
    /// Possibly a class we cannot see.
    Unknown,
    /// Certainly not a plugin class (a function, a constant, a module, a builtin).
    Other,
}

/// A base class: a known class or one we cannot see.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Elem {
    Class(usize),
    Unknown(usize),
}

#[derive(Clone, Debug)]
struct RunDef {
    path: PathBuf,
    range: TextRange,
    abstract_: bool,
    signature: Option<String>,
}

#[derive(Clone, Debug)]
struct ClassNode {
    name: String,
    framework_run: Option<bool>,
    bases: Vec<Elem>,
    run: Option<RunDef>,
}

/// A name bound in the module, and where (for related locations).
#[derive(Clone, Debug)]
struct Bound {
    binding: Binding,
    site: Option<TextRange>,
}

type Namespace = BTreeMap<String, Bound>;

struct Analyzer<'f, 'a> {
    files: &'f Files<'a>,
    classes: Vec<ClassNode>,
    framework: HashMap<&'static str, usize>,
    modules: HashMap<PathBuf, Option<Namespace>>,
    unknowns: usize,
}

/// How `run` resolves in a class's MRO.
enum Run {
    Concrete(Option<RunDef>),
    /// Abstract, in the named class.
    Abstract(String),
    Maybe,
}

impl<'f, 'a> Analyzer<'f, 'a> {
    fn new(files: &'f Files<'a>) -> Self {
        let mut analyzer = Analyzer {
            files,
            classes: Vec::new(),
            framework: HashMap::new(),
            modules: HashMap::new(),
            unknowns: 0,
        };
        for (name, bases, run) in FRAMEWORK {
            let bases = bases
                .iter()
                .filter_map(|b| analyzer.framework.get(b).map(|&i| Elem::Class(i)))
                .collect();
            analyzer.framework.insert(name, analyzer.classes.len());
            analyzer.classes.push(ClassNode {
                name: (*name).to_string(),
                framework_run: Some(*run),
                bases,
                run: None,
            });
        }
        analyzer
    }

    fn unknown(&mut self) -> Elem {
        self.unknowns += 1;
        Elem::Unknown(self.unknowns)
    }

    /// The namespace of a module file, `None` while it is being read (an import cycle) or
    /// when it cannot be read.
    fn namespace(&mut self, path: &Path, depth: usize) -> Option<Namespace> {
        if let Some(done) = self.modules.get(path) {
            return done.clone();
        }
        if depth > 4 {
            return None;
        }
        self.modules.insert(path.to_path_buf(), None);
        let file = self.files.python(path).ok()?;
        let mut namespace = Namespace::new();
        self.block(&file, path, file.root(), &mut namespace, depth);
        self.modules
            .insert(path.to_path_buf(), Some(namespace.clone()));
        Some(namespace)
    }

    fn block(
        &mut self,
        file: &Arc<PythonFile>,
        path: &Path,
        node: Node<'_>,
        ns: &mut Namespace,
        depth: usize,
    ) {
        let mut cursor = node.walk();
        let children: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
        for child in children {
            self.statement(file, path, child, ns, depth);
        }
    }

    fn statement(
        &mut self,
        file: &Arc<PythonFile>,
        path: &Path,
        node: Node<'_>,
        ns: &mut Namespace,
        depth: usize,
    ) {
        let other = |site| Bound {
            binding: Binding::Other,
            site,
        };
        match node.kind() {
            "if_statement" | "elif_clause" | "else_clause" | "try_statement" | "except_clause"
            | "finally_clause" | "with_statement" | "block" => {
                self.block(file, path, node, ns, depth);
            }
            "decorated_definition" => {
                if let Some(definition) = node.child_by_field_name("definition") {
                    self.statement(file, path, definition, ns, depth);
                }
            }
            "class_definition" => self.class(file, path, node, ns),
            "function_definition" => {
                if let Some(name) = node.child_by_field_name("name") {
                    let site = Some(python::range_of(name));
                    ns.insert(file.text_of(name).to_string(), other(site));
                }
            }
            "import_statement" => {
                let mut cursor = node.walk();
                for name in node.children_by_field_name("name", &mut cursor) {
                    let bound = match name.kind() {
                        "aliased_import" => name.child_by_field_name("alias"),
                        _ => Some(name),
                    };
                    if let Some(bound) = bound {
                        let text = file.text_of(bound);
                        let first = text.split('.').next().unwrap_or(text).trim();
                        ns.insert(first.to_string(), other(Some(python::range_of(bound))));
                    }
                }
            }
            "import_from_statement" => self.import_from(file, path, node, ns, depth),
            "expression_statement" => {
                let Some(assignment) = node.named_child(0) else {
                    return;
                };
                if assignment.kind() != "assignment" {
                    return;
                }
                let (Some(left), right) = (
                    assignment.child_by_field_name("left"),
                    assignment.child_by_field_name("right"),
                ) else {
                    return;
                };
                if left.kind() != "identifier" {
                    return;
                }
                let binding = match right {
                    Some(r) if r.kind() == "identifier" => ns
                        .get(file.text_of(r))
                        .map_or(Binding::Other, |b| b.binding),
                    _ => Binding::Other,
                };
                ns.insert(
                    file.text_of(left).to_string(),
                    Bound {
                        binding,
                        site: Some(python::range_of(left)),
                    },
                );
            }
            _ => {}
        }
    }

    fn import_from(
        &mut self,
        file: &Arc<PythonFile>,
        path: &Path,
        node: Node<'_>,
        ns: &mut Namespace,
        depth: usize,
    ) {
        let Some(module) = node.child_by_field_name("module_name") else {
            return;
        };
        let module_text: String = file.text_of(module).split_whitespace().collect();
        let resolved = resolve_import(self.files, path, &module_text);
        let target_ns = resolved
            .as_ref()
            .and_then(|target| self.namespace(target, depth + 1));
        let mut wildcard = false;
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            if child.kind() == "wildcard_import" {
                wildcard = true;
            }
        }
        if wildcard {
            match &target_ns {
                Some(target) => {
                    for (name, bound) in target {
                        if !name.starts_with('_') {
                            ns.insert(
                                name.clone(),
                                Bound {
                                    binding: bound.binding,
                                    site: Some(python::range_of(node)),
                                },
                            );
                        }
                    }
                }
                None => {
                    ns.insert(
                        "*".to_string(),
                        Bound {
                            binding: Binding::Unknown,
                            site: Some(python::range_of(node)),
                        },
                    );
                }
            }
            return;
        }
        let mut cursor = node.walk();
        let names: Vec<Node<'_>> = node.children_by_field_name("name", &mut cursor).collect();
        for name in names {
            let (imported, bound) = match name.kind() {
                "aliased_import" => (
                    name.child_by_field_name("name"),
                    name.child_by_field_name("alias"),
                ),
                _ => (Some(name), Some(name)),
            };
            let (Some(imported), Some(bound)) = (imported, bound) else {
                continue;
            };
            let imported = file.text_of(imported).trim();
            let binding = if let Some(&id) = self.framework.get(imported) {
                Binding::Class(id)
            } else if let Some(found) = target_ns.as_ref().and_then(|t| t.get(imported)) {
                found.binding
            } else if resolved.is_some() || module_text.starts_with("yahoo_panoptes.framework") {
                // A submodule, or a name of a module we read that does not bind it.
                Binding::Other
            } else if module_text.starts_with('.')
                || module_text.starts_with("yahoo_panoptes")
                || imported.contains("Plugin")
            {
                Binding::Unknown
            } else {
                Binding::Other
            };
            ns.insert(
                file.text_of(bound).trim().to_string(),
                Bound {
                    binding,
                    site: Some(python::range_of(bound)),
                },
            );
        }
    }

    fn class(&mut self, file: &Arc<PythonFile>, path: &Path, node: Node<'_>, ns: &mut Namespace) {
        let Some(name_node) = node.child_by_field_name("name") else {
            return;
        };
        let name = file.text_of(name_node).to_string();
        let mut bases = Vec::new();
        if let Some(arguments) = node.child_by_field_name("superclasses") {
            let mut cursor = arguments.walk();
            let args: Vec<Node<'_>> = arguments.named_children(&mut cursor).collect();
            for arg in args {
                self.base(file, arg, ns, &mut bases);
            }
        }
        let run = node
            .child_by_field_name("body")
            .and_then(|body| run_def(file, path, body));
        let id = self.classes.len();
        self.classes.push(ClassNode {
            name: name.clone(),
            framework_run: None,
            bases,
            run,
        });
        ns.insert(
            name,
            Bound {
                binding: Binding::Class(id),
                site: Some(python::range_of(name_node)),
            },
        );
    }

    fn base(&mut self, file: &PythonFile, arg: Node<'_>, ns: &Namespace, bases: &mut Vec<Elem>) {
        match arg.kind() {
            "identifier" => match ns.get(file.text_of(arg)).map(|b| b.binding) {
                Some(Binding::Class(id)) => bases.push(Elem::Class(id)),
                Some(Binding::Other) => {}
                Some(Binding::Unknown) => bases.push(self.unknown()),
                None => match self.framework.get(file.text_of(arg)) {
                    Some(&id) => bases.push(Elem::Class(id)),
                    // `object` and other builtins.
                    None if file.text_of(arg) == "object" => {}
                    None => bases.push(self.unknown()),
                },
            },
            "attribute" => {
                let last = arg
                    .child_by_field_name("attribute")
                    .map(|a| file.text_of(a))
                    .unwrap_or("");
                match self.framework.get(last) {
                    Some(&id) => bases.push(Elem::Class(id)),
                    None => bases.push(self.unknown()),
                }
            }
            "call" => {
                let function = arg
                    .child_by_field_name("function")
                    .map(|f| file.text_of(f))
                    .unwrap_or("");
                if function.ends_with("with_metaclass") {
                    if let Some(arguments) = arg.child_by_field_name("arguments") {
                        let mut cursor = arguments.walk();
                        let inner: Vec<Node<'_>> =
                            arguments.named_children(&mut cursor).skip(1).collect();
                        for base in inner {
                            self.base(file, base, ns, bases);
                        }
                    }
                } else {
                    bases.push(self.unknown());
                }
            }
            "keyword_argument" | "comment" => {}
            _ => bases.push(self.unknown()),
        }
    }

    /// C3 linearization; `None` when it fails or recursion is too deep.
    fn mro(&self, elem: Elem, depth: usize) -> Option<Vec<Elem>> {
        let Elem::Class(id) = elem else {
            return Some(vec![elem]);
        };
        if depth > 50 {
            return None;
        }
        let class = self.classes.get(id)?;
        let mut sequences: Vec<Vec<Elem>> = Vec::new();
        for base in &class.bases {
            sequences.push(self.mro(*base, depth + 1)?);
        }
        sequences.push(class.bases.clone());
        let mut out = vec![elem];
        loop {
            sequences.retain(|s| !s.is_empty());
            if sequences.is_empty() {
                return Some(out);
            }
            let head = sequences.iter().find_map(|s| {
                let candidate = s[0];
                let in_tail = sequences.iter().any(|t| t[1..].contains(&candidate));
                (!in_tail).then_some(candidate)
            })?;
            out.push(head);
            for s in &mut sequences {
                if s.first() == Some(&head) {
                    s.remove(0);
                }
            }
        }
    }

    /// Whether `id` is a subclass of `target`: `Some(true)`, `Some(false)`, `None` unknown.
    fn subclass_of(&self, id: usize, target: usize) -> Option<bool> {
        let mut stack = vec![id];
        let mut seen = HashSet::new();
        let mut unknown = false;
        while let Some(current) = stack.pop() {
            if current == target {
                return Some(true);
            }
            if !seen.insert(current) {
                continue;
            }
            for base in self.classes.get(current).map_or(&[][..], |c| &c.bases) {
                match base {
                    Elem::Class(b) => stack.push(*b),
                    Elem::Unknown(_) => unknown = true,
                }
            }
        }
        if unknown { None } else { Some(false) }
    }

    fn run(&self, id: usize) -> Run {
        let Some(mro) = self.mro(Elem::Class(id), 0) else {
            return Run::Maybe;
        };
        for elem in mro {
            let Elem::Class(i) = elem else {
                return Run::Maybe;
            };
            let Some(class) = self.classes.get(i) else {
                return Run::Maybe;
            };
            if let Some(concrete) = class.framework_run {
                return if concrete {
                    Run::Concrete(None)
                } else {
                    Run::Abstract(class.name.clone())
                };
            }
            if let Some(run) = &class.run {
                return if run.abstract_ {
                    Run::Abstract(class.name.clone())
                } else {
                    Run::Concrete(Some(run.clone()))
                };
            }
        }
        Run::Abstract(String::new())
    }
}

/// The last `run` defined in a class body.
fn run_def(file: &PythonFile, path: &Path, body: Node<'_>) -> Option<RunDef> {
    let mut found = None;
    let mut cursor = body.walk();
    for statement in body.named_children(&mut cursor) {
        let (function, decorators) = match statement.kind() {
            "function_definition" => (statement, String::new()),
            "decorated_definition" => {
                let Some(definition) = statement.child_by_field_name("definition") else {
                    continue;
                };
                let mut decorators = String::new();
                let mut inner = statement.walk();
                for child in statement.named_children(&mut inner) {
                    if child.kind() == "decorator" {
                        decorators.push_str(file.text_of(child));
                    }
                }
                (definition, decorators)
            }
            _ => continue,
        };
        let Some(name) = function.child_by_field_name("name") else {
            continue;
        };
        if function.kind() != "function_definition" || file.text_of(name) != "run" {
            continue;
        }
        let static_like = decorators.contains("staticmethod") || decorators.contains("classmethod");
        let signature = if static_like {
            None
        } else {
            function
                .child_by_field_name("parameters")
                .and_then(|p| signature_problem(file, p))
        };
        found = Some(RunDef {
            path: path.to_path_buf(),
            range: python::range_of(name),
            abstract_: decorators.contains("abstractmethod"),
            signature,
        });
    }
    found
}

/// Why `run(self, ...)` cannot be called as `plugin.run(context)`.
fn signature_problem(file: &PythonFile, parameters: Node<'_>) -> Option<String> {
    let mut positional = 0usize;
    let mut required = 0usize;
    let mut star_args = false;
    let mut keyword_only = false;
    let mut required_keyword: Vec<String> = Vec::new();
    let mut cursor = parameters.walk();
    for param in parameters.named_children(&mut cursor) {
        let is_default = matches!(
            param.kind(),
            "default_parameter" | "typed_default_parameter"
        );
        match param.kind() {
            "identifier" | "typed_parameter" | "default_parameter" | "typed_default_parameter" => {
                if keyword_only {
                    if !is_default {
                        required_keyword.push(file.text_of(param).to_string());
                    }
                } else {
                    positional += 1;
                    if !is_default {
                        required += 1;
                    }
                }
            }
            "list_splat_pattern" => {
                star_args = true;
                keyword_only = true;
            }
            "keyword_separator" => keyword_only = true,
            _ => {}
        }
    }
    if positional == 0 && !star_args {
        return Some("it takes no parameters at all (not even `self`)".to_string());
    }
    let after_self = positional.saturating_sub(1);
    let required_after_self = required.saturating_sub(1);
    if after_self == 0 && !star_args {
        return Some("it takes only `self`, so the call raises `TypeError`".to_string());
    }
    if required_after_self > 1 {
        return Some(format!(
            "it requires {required_after_self} arguments after `self`, so the call raises `TypeError`"
        ));
    }
    if let Some(name) = required_keyword.first() {
        return Some(format!(
            "it requires the keyword-only argument `{name}`, so the call raises `TypeError`"
        ));
    }
    None
}

/// `from <module_text> import ...` seen from `from_file`: the module file in the workspace.
fn resolve_import(files: &Files<'_>, from_file: &Path, module_text: &str) -> Option<PathBuf> {
    let level = module_text.chars().take_while(|c| *c == '.').count();
    let rest = &module_text[level..];
    let parts: Vec<&str> = rest.split('.').filter(|p| !p.is_empty()).collect();
    let dir = from_file.parent().unwrap_or(Path::new(""));
    let probe = |base: &Path| -> Option<PathBuf> {
        let mut target = base.to_path_buf();
        for part in &parts {
            target.push(part);
        }
        if parts.is_empty() {
            let init = target.join("__init__.py");
            return files.is_file(&init).then_some(init);
        }
        let file = target.with_extension("py");
        if files.is_file(&file) {
            return Some(file);
        }
        let init = target.join("__init__.py");
        files.is_file(&init).then_some(init)
    };
    if level > 0 {
        let mut base = dir.to_path_buf();
        for _ in 1..level {
            base = base.parent()?.to_path_buf();
        }
        return probe(&base);
    }
    dir.ancestors().take(8).find_map(probe)
}

/// Where `Module` points, as yapsy's `PluginFileLocator` resolves it.
enum Resolved {
    File(PathBuf),
    /// A diagnostic was reported (or the module cannot be checked).
    Reported,
}

fn resolve_module(
    info: &Path,
    module: &str,
    range: TextRange,
    files: &Files<'_>,
    out: &mut Vec<Diagnostic>,
) -> Resolved {
    if Path::new(module).is_absolute() {
        out.push(absolute_module(info, module, range, files));
        return Resolved::Reported;
    }
    let dir = info.parent().unwrap_or(Path::new(""));
    let candidate = normalize(&dir.join(module));
    if files.is_dir(&candidate) {
        let init = candidate.join("__init__.py");
        if files.is_file(&init) {
            return Resolved::File(init);
        }
        out.push(Diagnostic::new(
            &PAN007,
            info,
            range,
            format!(
                "`Module` names the folder `{module}/`, which has no `__init__.py`: the import fails and {SKIPS}"
            ),
        ));
        return Resolved::Reported;
    }
    if module.ends_with(".py") && files.is_file(&candidate) {
        return Resolved::File(candidate);
    }
    let mut with_py = candidate.clone().into_os_string();
    with_py.push(".py");
    let with_py = PathBuf::from(with_py);
    if files.is_file(&with_py) {
        return Resolved::File(with_py);
    }
    out.push(Diagnostic::new(
        &PAN007,
        info,
        range,
        format!(
            "`Module = {module}` resolves to nothing: neither `{module}.py` nor a package folder `{module}/` exists next to this info file; yapsy logs \"cannot find the file or directory module\" and skips this plugin"
        ),
    ));
    Resolved::Reported
}

/// PAN015: an absolute `Module`. yapsy's `os.path.join(dir, Module)` keeps an absolute path as
/// it is, so the module is found only where that path exists; the workspace cannot tell, and
/// the module checks are skipped. When a file of the same name sits next to the info file, the
/// message names the relative `Module` that would load it.
fn absolute_module(info: &Path, module: &str, range: TextRange, files: &Files<'_>) -> Diagnostic {
    let dir = info.parent().unwrap_or(Path::new(""));
    let base = Path::new(module)
        .file_name()
        .map(|name| name.to_string_lossy().to_string())
        .unwrap_or_default();
    let local = (!base.is_empty())
        .then(|| {
            let stem = base.strip_suffix(".py").unwrap_or(&base).to_string();
            let candidates = [
                dir.join(format!("{stem}.py")),
                dir.join(&stem).join("__init__.py"),
            ];
            candidates
                .iter()
                .any(|candidate| files.is_file(candidate))
                .then_some(stem)
        })
        .flatten();
    let hint = match local {
        Some(stem) => {
            format!("; `{stem}` is next to this file: `Module = {stem}` loads it on every machine")
        }
        None => "; give the path relative to this file's folder".to_string(),
    };
    Diagnostic::new(
        &PAN015,
        info,
        range,
        format!(
            "`Module` is the absolute path `{module}`: yapsy uses it as it is, so this plugin loads only on a machine where that file exists (elsewhere yapsy logs \"cannot find the file or directory module\" and skips it), and plugsmith cannot check the module{hint}"
        ),
    )
}

/// PAN007, PLG001, PAN008, PAN009 for the module of an info file. Returns the category the
/// module's classes suggest (used when the path says nothing).
pub(crate) fn check(
    info: &Path,
    module_option: &IniOption,
    doc: &IniDocument,
    category: Option<Category>,
    files: &Files<'_>,
    out: &mut Vec<Diagnostic>,
) -> Option<Category> {
    let Some(Ok(module)) = doc.interpolate("Core", "module") else {
        return None;
    };
    let range = module_option.value.range().unwrap_or(module_option.key);
    let module = module.text;
    let Resolved::File(path) = resolve_module(info, &module, range, files, out) else {
        return None;
    };
    if !importable(&path, files, out) {
        return None;
    }
    let mut analyzer = Analyzer::new(files);
    let namespace = analyzer.namespace(&path, 0)?;
    let Some(category) = category.or_else(|| infer_category(&analyzer, &namespace)) else {
        report_no_category(info, range, &path, &analyzer, &namespace, out);
        return None;
    };
    let target = *analyzer.framework.get(category.class())?;
    let site = ModuleSite {
        info,
        range,
        path: &path,
    };
    check_plugin_class(&site, category, target, &analyzer, &namespace, out);
    Some(category)
}

/// Where the module diagnostics go: the info file's `Module` value, and the module file
/// (for related locations and messages).
struct ModuleSite<'p> {
    info: &'p Path,
    range: TextRange,
    path: &'p Path,
}

/// Whether the module file can be read and parses; reports its syntax errors (PLG001).
fn importable(path: &Path, files: &Files<'_>, out: &mut Vec<Diagnostic>) -> bool {
    let Ok(file) = files.python(path) else {
        return false;
    };
    let errors = syntax_error_diagnostics(
        path,
        &file,
        "yapsy cannot import the module and skips this plugin",
    );
    if errors.is_empty() {
        return true;
    }
    out.extend(errors);
    false
}

/// The first category (enrichment, polling, discovery) whose framework class some class of
/// the namespace certainly derives from.
fn infer_category(analyzer: &Analyzer<'_, '_>, namespace: &Namespace) -> Option<Category> {
    [Category::Enrichment, Category::Polling, Category::Discovery]
        .into_iter()
        .find(|c| {
            let target = analyzer.framework.get(c.class()).copied();
            namespace.values().any(|b| match (b.binding, target) {
                (Binding::Class(id), Some(t)) => {
                    id != t && analyzer.subclass_of(id, t) == Some(true)
                }
                _ => false,
            })
        })
}

/// The names of a namespace sorted as `dir(module)`, split by whether yapsy could pick them.
struct Candidates<'n> {
    /// Certain subclasses of the category class: name, class, binding site.
    eligible: Vec<(&'n String, usize, Option<TextRange>)>,
    /// Names that may or may not be subclasses.
    uncertain: Vec<&'n String>,
}

fn candidates<'n>(
    analyzer: &Analyzer<'_, '_>,
    namespace: &'n Namespace,
    target: usize,
) -> Candidates<'n> {
    let mut eligible = Vec::new();
    let mut uncertain = Vec::new();
    for (name, bound) in namespace {
        match bound.binding {
            Binding::Class(id) if id != target => match analyzer.subclass_of(id, target) {
                Some(true) => eligible.push((name, id, bound.site)),
                Some(false) => {}
                None => uncertain.push(name),
            },
            Binding::Class(_) | Binding::Other => {}
            Binding::Unknown => uncertain.push(name),
        }
    }
    Candidates {
        eligible,
        uncertain,
    }
}

/// PAN008, PAN009 for the class yapsy picks from the module namespace, when it is certain.
fn check_plugin_class(
    site: &ModuleSite<'_>,
    category: Category,
    target: usize,
    analyzer: &Analyzer<'_, '_>,
    namespace: &Namespace,
    out: &mut Vec<Diagnostic>,
) {
    let Candidates {
        eligible,
        uncertain,
    } = candidates(analyzer, namespace, target);
    let Some(&(pick, pick_id, pick_site)) = eligible.first() else {
        if uncertain.is_empty() {
            out.push(no_plugin_class(site, category));
        }
        return;
    };
    if uncertain.iter().any(|name| *name < pick) {
        return;
    }
    if eligible.len() > 1 {
        out.push(several_eligible(site, category, &eligible, pick));
    }
    let pick_site = pick_site.unwrap_or_default();
    match analyzer.run(pick_id) {
        Run::Maybe | Run::Concrete(None) => {}
        Run::Concrete(Some(run)) => {
            if let Some(problem) = &run.signature {
                out.push(bad_run_signature(site, pick, &run, problem));
            }
        }
        Run::Abstract(from) => {
            out.push(abstract_run(
                site, analyzer, pick, pick_id, pick_site, &from,
            ));
        }
    }
}

/// PAN008: no class of the module derives from the category class.
fn no_plugin_class(site: &ModuleSite<'_>, category: Category) -> Diagnostic {
    Diagnostic::new(
        &PAN008,
        site.info,
        site.range,
        format!(
            "no class in `{}` derives from `{}` (a {} plugin): yapsy finds no plugin class and skips this plugin",
            file_name(site.path),
            category.class(),
            category.name()
        ),
    )
}

/// PAN009: several eligible classes; yapsy instantiates `pick`, the alphabetically first.
fn several_eligible(
    site: &ModuleSite<'_>,
    category: Category,
    eligible: &[(&String, usize, Option<TextRange>)],
    pick: &String,
) -> Diagnostic {
    let names: Vec<String> = eligible.iter().map(|(n, _, _)| format!("`{n}`")).collect();
    let mut diagnostic = Diagnostic::new(
        &PAN009,
        site.info,
        site.range,
        format!(
            "{} eligible {} plugin classes are visible in `{}` ({}): yapsy instantiates the alphabetically first, `{pick}`, and ignores the others",
            eligible.len(),
            category.name(),
            file_name(site.path),
            names.join(", ")
        ),
    );
    for (name, _, name_site) in eligible {
        let message = if *name == pick {
            format!("`{name}` is picked (first in `dir(module)`)")
        } else {
            format!("`{name}` is never instantiated")
        };
        diagnostic = diagnostic.with_related(site.path, name_site.unwrap_or_default(), message);
    }
    diagnostic
}

/// PAN008: the picked class's `run` cannot be called as `run(context)`.
fn bad_run_signature(site: &ModuleSite<'_>, pick: &str, run: &RunDef, problem: &str) -> Diagnostic {
    Diagnostic::new(
        &PAN008,
        site.info,
        site.range,
        format!(
            "`{pick}.run` cannot be called as `run(context)`: {problem}; Panoptes logs the error on every run"
        ),
    )
    .with_related(&run.path, run.range, "`run` is defined here")
}

/// PAN008: `run` of the picked class resolves to an abstract method (defined in `from`, empty
/// when nothing defines it); names the misordered mix-in when there is one.
fn abstract_run(
    site: &ModuleSite<'_>,
    analyzer: &Analyzer<'_, '_>,
    pick: &str,
    pick_id: usize,
    pick_site: TextRange,
    from: &str,
) -> Diagnostic {
    let has_mixin = ["PanoptesSNMPBasePlugin", "PanoptesSNMPBaseEnrichmentPlugin"]
        .iter()
        .filter_map(|name| analyzer.framework.get(name))
        .any(|&mixin| analyzer.subclass_of(pick_id, mixin) == Some(true));
    let why = if from.is_empty() || from == pick || !has_mixin {
        format!("`{pick}` does not implement `run(self, context)`")
    } else {
        format!(
            "`{pick}` does not implement `run(self, context)`: `run` resolves to the abstract `{from}.run` (a mix-in such as `PanoptesSNMPBasePlugin` must come before `{from}` in the bases)"
        )
    };
    Diagnostic::new(
        &PAN008,
        site.info,
        site.range,
        format!("{why}: instantiating it fails and {SKIPS}"),
    )
    .with_related(
        site.path,
        pick_site,
        format!("`{pick}` is the class yapsy picks"),
    )
}

fn report_no_category(
    info: &Path,
    range: TextRange,
    path: &Path,
    analyzer: &Analyzer<'_, '_>,
    namespace: &Namespace,
    out: &mut Vec<Diagnostic>,
) {
    let uncertain = namespace.values().any(|b| match b.binding {
        Binding::Unknown => true,
        Binding::Class(id) => FRAMEWORK.iter().any(|(name, _, _)| {
            analyzer
                .framework
                .get(name)
                .is_some_and(|&t| analyzer.subclass_of(id, t).is_none())
        }),
        Binding::Other => false,
    });
    if !uncertain {
        out.push(Diagnostic::new(
            &PAN008,
            info,
            range,
            format!(
                "no class in `{}` derives from `PanoptesPollingPlugin`, `PanoptesEnrichmentPlugin` or `PanoptesDiscoveryPlugin`: yapsy finds no plugin class and skips this plugin",
                file_name(path)
            ),
        ));
    }
}

/// The module's file name for messages (the folder is the info file's own, or shown by the
/// related location), never a machine-specific absolute path.
fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |name| name.to_string_lossy().to_string(),
    )
}
