//! The info file: INI errors (PLG002, PAN002), interpolation (PAN003), `[Core]` (PAN001),
//! `[main]` keys (PAN004, PAN005, PAN006), `[Documentation]` (PAN010), the file name (PAN011),
//! `;;` in `Name` (PAN014), `[enrichment]` in a discovery plugin (PAN013), then the module
//! (`module.rs`) and the values (`values.rs`: PAN012, PAN016).

use std::path::{Component, Path};

use plugsmith_core::common::parse_error_diagnostic;
use plugsmith_core::syntax::ini::{
    self, IniDocument, IniErrorKind, IniOption, InterpolationErrorKind,
};
use plugsmith_core::{Diagnostic, Edit, FileError, Files, Severity, TextRange, TextSize};

use crate::rules::*;
use crate::{InfoKind, info_kind};
use crate::{module, values};

/// What yapsy does with an info file it cannot read.
pub(crate) const SKIPPED: &str = "yapsy cannot read the file and silently skips this plugin";

/// A plugin category: which scheduler loads it and the class it must derive from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Category {
    Discovery,
    Polling,
    Enrichment,
}

impl Category {
    /// The category class yapsy tests with `issubclass`.
    pub(crate) fn class(self) -> &'static str {
        match self {
            Category::Discovery => "PanoptesDiscoveryPlugin",
            Category::Polling => "PanoptesPollingPlugin",
            Category::Enrichment => "PanoptesEnrichmentPlugin",
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Category::Discovery => "discovery",
            Category::Polling => "polling",
            Category::Enrichment => "enrichment",
        }
    }

    /// The nearest `polling` / `enrichment` / `discovery` folder of the path.
    fn from_path(path: &Path) -> Option<Category> {
        path.parent()?.components().rev().find_map(|c| match c {
            Component::Normal(name) => match name.to_str()? {
                "polling" => Some(Category::Polling),
                "enrichment" => Some(Category::Enrichment),
                "discovery" => Some(Category::Discovery),
                _ => None,
            },
            _ => None,
        })
    }
}

/// Every diagnostic of one info file and the module it names.
pub(crate) fn check(path: &Path, files: &Files<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let text = match files.read(path) {
        Ok(text) => text,
        Err(FileError::NotUtf8 { valid_up_to }) => {
            let at = TextSize::new(u32::try_from(valid_up_to).unwrap_or(0));
            out.push(parse_error_diagnostic(
                path,
                TextRange::at(at, TextSize::new(1)),
                "INI",
                "the file is not valid UTF-8",
                SKIPPED,
            ));
            return out;
        }
        Err(_) => return out,
    };
    let doc = ini::parse(&text);
    let anchor = anchor(&doc, &text);
    file_name(path, anchor, &mut out);
    if !doc.errors.is_empty() {
        ini_errors(path, &doc, &mut out);
        return out;
    }
    interpolation(path, &doc, &mut out);
    values::quoted_values(path, &doc, &mut out);
    values::transforms(path, &doc, &mut out);
    documentation(path, &doc, anchor, &mut out);
    execute_frequency(path, &doc, anchor, &mut out);
    let Some(module_option) = core(path, &doc, &text, anchor, &mut out) else {
        return out;
    };
    let path_category = Category::from_path(path);
    let found = module::check(path, module_option, &doc, path_category, files, &mut out);
    match path_category.or(found) {
        Some(Category::Polling | Category::Enrichment) => {
            resource_filter(path, &doc, anchor, true, &mut out);
        }
        Some(Category::Discovery) => enrichment_in_discovery(path, &doc, &mut out),
        None => resource_filter(path, &doc, anchor, false, &mut out),
    }
    out
}

/// PAN013: `PanoptesPluginWithEnrichmentRunner._get_context` builds an enrichment cache when
/// `plugin.config.get('enrichment')` is not empty; for discovery the data is `None` and the
/// cache's constructor fails (`framework/plugins/runner.py`, `framework/enrichment.py`).
fn enrichment_in_discovery(path: &Path, doc: &IniDocument, out: &mut Vec<Diagnostic>) {
    let Some(section) = doc.section("enrichment") else {
        return;
    };
    if doc.options("enrichment").is_empty() {
        return;
    }
    let Some(range) = section.header else {
        return;
    };
    out.push(Diagnostic::new(
        &PAN013,
        path,
        range,
        "a discovery plugin with an `[enrichment]` section never runs: the discovery agent has no resource to enrich (`plugin_data=None`), so building its `PanoptesEnrichmentCache` fails and the agent logs \"Could not setup context for plugin\" and skips every run",
    ));
}

/// PAN014: yapsy's `PLUGIN_NAME_FORBIDEN_STRING` (`;;`) in the stripped `Name`.
fn forbidden_name(path: &Path, doc: &IniDocument, name: &IniOption, out: &mut Vec<Diagnostic>) {
    let Some(Ok(value)) = doc.interpolate("Core", "name") else {
        return;
    };
    let Some(at) = value.text.find(";;") else {
        return;
    };
    let raw = |i: usize| value.origins.get(i).copied();
    let range = raw(at)
        .zip(raw(at + 1))
        .and_then(|(start, last)| name.value.source_range(start, last + 1))
        .or_else(|| name.value.range())
        .unwrap_or(name.key);
    out.push(Diagnostic::new(
        &PAN014,
        path,
        range,
        format!(
            "`Name = {}` contains `;;`, which yapsy forbids in plugin names: it logs at debug level only and silently skips this plugin",
            value.text.trim_matches(ini::is_py_space)
        ),
    ));
}

/// Where file-level findings go: `[Core]`, else the first header, else the first line.
fn anchor(doc: &IniDocument, text: &str) -> TextRange {
    if let Some(header) = doc.section("Core").and_then(|s| s.header) {
        return header;
    }
    if let Some(header) = doc.sections.iter().find_map(|s| s.header) {
        return header;
    }
    let start = text.len() - text.trim_start().len();
    let line = text[start..].lines().next().unwrap_or("").trim_end();
    let end = start + line.len();
    TextRange::new(size(start), size(end))
}

fn size(n: usize) -> TextSize {
    TextSize::new(u32::try_from(n).unwrap_or(u32::MAX))
}

/// PAN011: the name does not end in `.panoptes-plugin`.
fn file_name(path: &Path, anchor: TextRange, out: &mut Vec<Diagnostic>) {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    match info_kind(path) {
        Some(InfoKind::Template) => {
            let renamed = name.trim_end_matches(".example");
            out.push(
                Diagnostic::new(
                    &PAN011,
                    path,
                    anchor,
                    format!(
                        "`{name}` is a shipped template: Panoptes only loads files ending in `.panoptes-plugin`; copy it to `{renamed}` to use it"
                    ),
                )
                .with_severity(Severity::Info),
            );
        }
        Some(InfoKind::Ini) => out.push(Diagnostic::new(
            &PAN011,
            path,
            anchor,
            format!(
                "`{name}` does not end in `.panoptes-plugin`: yapsy never finds it and Panoptes never loads this plugin"
            ),
        )),
        _ => {}
    }
}

/// PLG002 / PAN002 for every INI error.
fn ini_errors(path: &Path, doc: &IniDocument, out: &mut Vec<Diagnostic>) {
    for error in &doc.errors {
        let class = error.kind.python_name();
        let diagnostic = match &error.kind {
            IniErrorKind::Parsing { indented: false } => parse_error_diagnostic(
                path,
                error.range,
                "INI",
                &format!("{} (configparser `ParsingError`, line {})", error.message, error.line),
                SKIPPED,
            ),
            IniErrorKind::Parsing { indented: true } => Diagnostic::new(
                &PAN002,
                path,
                error.range,
                format!(
                    "bad continuation line: {} (configparser `ParsingError`, line {}): {SKIPPED}",
                    error.message, error.line
                ),
            ),
            IniErrorKind::MissingSectionHeader => Diagnostic::new(
                &PAN002,
                path,
                error.range,
                format!(
                    "line outside any section: configparser raises `{class}` (every option must follow a `[section]` header): {SKIPPED}"
                ),
            ),
            IniErrorKind::DuplicateSection { first } => Diagnostic::new(
                &PAN002,
                path,
                error.range,
                format!("{}: configparser (strict) raises `{class}`: {SKIPPED}", error.message),
            )
            .with_related(path, *first, "first defined here"),
            IniErrorKind::DuplicateOption { first } => Diagnostic::new(
                &PAN002,
                path,
                error.range,
                format!(
                    "{} (option names are case-insensitive): configparser (strict) raises `{class}`: {SKIPPED}",
                    error.message
                ),
            )
            .with_related(path, *first, "first defined here"),
        };
        out.push(diagnostic);
    }
}

/// PAN003: every option of every section is read with `get` (`PanoptesPluginInfo.config`).
fn interpolation(path: &Path, doc: &IniDocument, out: &mut Vec<Diagnostic>) {
    let mut seen: Vec<TextRange> = Vec::new();
    let sections = doc.sections.iter().map(|s| s.name.as_str());
    for section in sections.chain(std::iter::once(ini::DEFAULT_SECTION)) {
        for option in doc.options(section) {
            let Some(Err(error)) = doc.interpolate(section, &option.name) else {
                continue;
            };
            if seen.contains(&error.range) {
                continue;
            }
            seen.push(error.range);
            let what = match &error.kind {
                InterpolationErrorKind::Syntax => {
                    "`%` must be followed by `%` or `(name)s`; write `%%` for a literal percent sign"
                        .to_string()
                }
                InterpolationErrorKind::MissingOption { name } => format!(
                    "`{name}` is not an option of `[{}]` or `[DEFAULT]`",
                    error.section
                ),
                InterpolationErrorKind::Depth => {
                    "the references nest deeper than 10 levels (a reference cycle?)".to_string()
                }
            };
            out.push(Diagnostic::new(
                &PAN003,
                path,
                error.range,
                format!(
                    "{what}: configparser raises `{}` when Panoptes reads `[{}] {}`, and the plugin's configuration cannot be read",
                    error.kind.python_name(),
                    error.section,
                    error.option
                ),
            ));
        }
    }
}

/// PAN001. Returns the `Module` option when `[Core]` is complete.
fn core<'d>(
    path: &Path,
    doc: &'d IniDocument,
    text: &str,
    anchor: TextRange,
    out: &mut Vec<Diagnostic>,
) -> Option<&'d IniOption> {
    let Some(core) = doc.section("Core") else {
        let similar = doc
            .sections
            .iter()
            .find(|s| s.name.trim().eq_ignore_ascii_case("core"));
        let message = match similar {
            Some(s) => format!(
                "no `[Core]` section (`[{}]` is not `[Core]`: section names are case-sensitive and not trimmed): yapsy silently skips this plugin",
                s.name
            ),
            None => {
                "no `[Core]` section with `Name` and `Module`: yapsy silently skips this plugin"
                    .to_string()
            }
        };
        let range = similar.and_then(|s| s.header).unwrap_or(anchor);
        out.push(Diagnostic::new(&PAN001, path, range, message));
        return None;
    };
    let header = core.header.unwrap_or(anchor);
    let name = doc.get("Core", "name");
    let module = doc.get("Core", "module");
    let missing: Vec<&str> = [("Name", name.is_none()), ("Module", module.is_none())]
        .into_iter()
        .filter_map(|(key, missing)| missing.then_some(key))
        .collect();
    if !missing.is_empty() {
        let keys = missing
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(" and ");
        out.push(Diagnostic::new(
            &PAN001,
            path,
            header,
            format!("`[Core]` has no {keys}: yapsy silently skips this plugin"),
        ));
        let _ = text;
        return None;
    }
    if let Some(name) = name {
        forbidden_name(path, doc, name, out);
    }
    module
}

/// PAN010.
fn documentation(path: &Path, doc: &IniDocument, anchor: TextRange, out: &mut Vec<Diagnostic>) {
    if doc.section("Documentation").is_none() {
        out.push(Diagnostic::new(
            &PAN010,
            path,
            anchor,
            "no `[Documentation]` section: the Panoptes documentation calls it mandatory (yapsy loads the plugin without it, with no author, version or description)",
        ));
    }
}

/// Python's `int()` on a string: optional sign, ASCII digits with single `_` between digits,
/// surrounding whitespace.
pub(crate) fn python_int(text: &str) -> Option<i128> {
    let s = text.trim_matches(ini::is_py_space);
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
        || !digits.chars().all(|c| c.is_ascii_digit() || c == '_')
    {
        return None;
    }
    let mut value: i128 = 0;
    for c in digits.chars().filter(char::is_ascii_digit) {
        value = value
            .saturating_mul(10)
            .saturating_add(i128::from(c as u8 - b'0'));
    }
    Some(if negative { -value } else { value })
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = if ca == *cb {
                previous
            } else {
                1 + previous.min(row[j]).min(row[j + 1])
            };
            previous = current;
        }
    }
    row[b.len()]
}

const FREQUENCY: &str = "execute_frequency";
const SCHEDULER_SKIPS: &str = "the scheduler skips this plugin: invalid execution frequency";

/// PAN004.
fn execute_frequency(path: &Path, doc: &IniDocument, anchor: TextRange, out: &mut Vec<Diagnostic>) {
    let main = doc.section("main");
    let Some(option) = doc.get("main", FREQUENCY) else {
        let typos: Vec<&IniOption> = main
            .map(|m| {
                m.options
                    .iter()
                    .filter(|o| edit_distance(&o.name, FREQUENCY) <= 2)
                    .collect()
            })
            .unwrap_or_default();
        let range = main.and_then(|m| m.header).unwrap_or(anchor);
        if let [typo] = typos.as_slice() {
            out.push(
                Diagnostic::new(
                    &PAN004,
                    path,
                    typo.key,
                    format!(
                        "`{}` is not `{FREQUENCY}`: Panoptes reads `[main] {FREQUENCY}` as 0 and {SCHEDULER_SKIPS}",
                        typo.name
                    ),
                )
                .with_fix(
                    format!("Rename `{}` to `{FREQUENCY}`", typo.name),
                    vec![Edit {
                        range: typo.key,
                        new_text: FREQUENCY.to_string(),
                    }],
                ),
            );
            return;
        }
        let elsewhere = doc
            .sections
            .iter()
            .find_map(|s| (s.name != "main").then(|| s.option(FREQUENCY)).flatten());
        let mut diagnostic = Diagnostic::new(
            &PAN004,
            path,
            range,
            format!("no `{FREQUENCY}` in `[main]`: Panoptes reads it as 0 and {SCHEDULER_SKIPS}"),
        );
        if let Some(other) = elsewhere {
            diagnostic = diagnostic.with_related(path, other.key, "set here, outside `[main]`");
        }
        out.push(diagnostic);
        return;
    };
    let range = option.value.range().unwrap_or(option.key);
    let Some(Ok(value)) = doc.interpolate("main", FREQUENCY) else {
        // The interpolation error is PAN003.
        return;
    };
    match python_int(&value.text) {
        None => out.push(Diagnostic::new(
            &PAN004,
            path,
            range,
            format!(
                "`{FREQUENCY}` is `{}`, not an integer (`getint` fails): Panoptes reads it as 0 and {SCHEDULER_SKIPS}",
                value.text
            ),
        )),
        Some(n) if n <= 0 => out.push(Diagnostic::new(
            &PAN004,
            path,
            range,
            format!(
                "`{FREQUENCY}` is {n}: it must be a positive number of seconds; {SCHEDULER_SKIPS}"
            ),
        )),
        Some(_) => {}
    }
}

/// PAN005 (when `required`) and PAN006.
fn resource_filter(
    path: &Path,
    doc: &IniDocument,
    anchor: TextRange,
    required: bool,
    out: &mut Vec<Diagnostic>,
) {
    let Some(option) = doc.get("main", "resource_filter") else {
        if required {
            let range = doc.section("main").and_then(|m| m.header).unwrap_or(anchor);
            out.push(Diagnostic::new(
                &PAN005,
                path,
                range,
                "no `resource_filter` in `[main]`: Panoptes raises `PanoptesPollingPluginConfigurationError` and the scheduler skips this plugin",
            ));
        }
        return;
    };
    let Some(Ok(value)) = doc.interpolate("main", "resource_filter") else {
        return;
    };
    if value.text.trim().is_empty() {
        if required {
            out.push(Diagnostic::new(
                &PAN005,
                path,
                option.key,
                "`resource_filter` is empty: the scheduler logs \"does not have any resource filter, skipping\" and skips this plugin",
            ));
        }
        return;
    }
    if let Err(error) = crate::dsl::parse(&value.text) {
        let raw = |i: usize| value.origins.get(i).copied();
        let start = raw(error.start).or_else(|| value.origins.last().copied());
        let end = raw(error.end.saturating_sub(1)).map(|e| e + 1);
        let range = start
            .and_then(|s| {
                option
                    .value
                    .source_range(s, end.unwrap_or(s + 1).max(s + 1))
            })
            .or_else(|| option.value.range())
            .unwrap_or(option.key);
        out.push(Diagnostic::new(
            &PAN006,
            path,
            range,
            format!(
                "`resource_filter` does not parse under the Panoptes resource DSL: {}: `PanoptesResourceDSL` raises `ParseException` and the scheduler skips this plugin",
                error.message
            ),
        ));
    }
}
