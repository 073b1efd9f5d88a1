//! INI text as Python 3.11's `configparser.ConfigParser()` reads it, with byte spans.
//!
//! Panoptes (through yapsy) reads `.panoptes-plugin` files with a default `ConfigParser()`
//! (`research/platforms.md` 2.1), so this reader follows CPython's `Lib/configparser.py`
//! (`RawConfigParser._read`, `_join_multiline_values`, `BasicInterpolation`) line for line:
//!
//! - lines split on `\n`, `\r\n` and `\r` (text-mode files use universal newlines);
//! - full-line comments start with `#` or `;` after leading whitespace; no inline comments;
//! - a section header is `[name]` (everything between the first `[` and the **last** `]`,
//!   not trimmed, case-sensitive; text after the `]` is ignored, as `SECTCRE.match` does);
//! - an option line is split at its first `=` or `:`; the name is right-stripped and
//!   lower-cased (`optionxform`), the value stripped; a line with no delimiter is a
//!   `ParsingError` (no `allow_no_value`); an empty name is a `ParsingError` too, but the
//!   option is still stored under the name `""`, as CPython does;
//! - a line indented deeper than the line that started the current option continues its
//!   value (joined with `\n`); empty lines inside a value are kept (`empty_lines_in_values`)
//!   and trailing ones dropped (`rstrip`); comment lines inside a value are skipped;
//! - `strict=True`: a repeated section is `DuplicateSectionError`, a repeated option in a
//!   section (or across repeated `[DEFAULT]` sections) `DuplicateOptionError`; a repeated
//!   `[DEFAULT]` header itself is allowed;
//! - `[DEFAULT]` options are visible in every section;
//! - "whitespace" is Python's `str.isspace` (Rust's `char::is_whitespace` plus U+001C..U+001F).
//!
//! CPython stops at the first `MissingSectionHeaderError`, `DuplicateSectionError` or
//! `DuplicateOptionError` and collects every `ParsingError` line until the end of the file.
//! This reader keeps going after every error (a repeated section is merged, a repeated option
//! replaces the earlier value) so that an editor sees all of them; [`IniDocument::raised`]
//! says which exception Python would raise.
//!
//! Values are interpolated lazily, as `ConfigParser.get` does: [`IniDocument::interpolate`].

use std::collections::HashMap;

use text_size::{TextRange, TextSize};

/// The name of the defaults section.
pub const DEFAULT_SECTION: &str = "DEFAULT";

/// configparser's `MAX_INTERPOLATION_DEPTH`.
const MAX_INTERPOLATION_DEPTH: usize = 10;

/// Python's `str.isspace`.
pub fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

fn py_trim(s: &str) -> &str {
    s.trim_matches(is_py_space)
}

/// A parsed INI file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IniDocument {
    /// Sections in file order (a repeated section is merged into its first occurrence),
    /// without `[DEFAULT]`.
    pub sections: Vec<IniSection>,
    /// The `[DEFAULT]` section (empty, without header, when the file has none).
    pub defaults: IniSection,
    /// Every error, in file order.
    pub errors: Vec<IniError>,
}

/// One section.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IniSection {
    /// The name, exactly as between the brackets.
    pub name: String,
    /// The `[name]` of the first header, `None` for an absent `[DEFAULT]`.
    pub header: Option<TextRange>,
    /// The options, in file order (a repeated option keeps its first place).
    pub options: Vec<IniOption>,
}

/// One `name = value` option.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IniOption {
    /// Lower-cased name (`optionxform`).
    pub name: String,
    /// The name as written.
    pub key: TextRange,
    /// The `=` or `:`.
    pub delimiter: TextRange,
    /// 1-based line of the key.
    pub line: u32,
    pub value: IniValue,
}

/// A (possibly multi-line) raw value: the lines joined with `\n`, as configparser stores it
/// before interpolation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IniValue {
    /// The raw value text.
    pub text: String,
    /// Where each non-empty line of `text` comes from.
    pub pieces: Vec<ValuePiece>,
}

/// One line of a value: `text[offset..offset + range.len()]` is the source text at `range`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ValuePiece {
    pub offset: usize,
    pub range: TextRange,
}

impl IniValue {
    /// The source range from the first to the last character of the value; `None` when empty.
    pub fn range(&self) -> Option<TextRange> {
        let first = self.pieces.first()?;
        let last = self.pieces.last()?;
        Some(TextRange::new(first.range.start(), last.range.end()))
    }

    /// The source offset of byte `offset` of [`IniValue::text`] (the end of the value for
    /// offsets past it).
    pub fn source_offset(&self, offset: usize) -> Option<TextSize> {
        let mut best = None;
        for piece in &self.pieces {
            let len = usize::from(piece.range.len());
            if offset >= piece.offset && offset < piece.offset + len {
                let delta = u32::try_from(offset - piece.offset).ok()?;
                return Some(piece.range.start() + TextSize::new(delta));
            }
            if offset >= piece.offset + len {
                best = Some(piece.range.end());
            }
        }
        best
    }

    /// The source range of `text[start..end]`, clamped to one line and never empty when the
    /// value is not.
    pub fn source_range(&self, start: usize, end: usize) -> Option<TextRange> {
        let from = self.source_offset(start)?;
        let piece = self.pieces.iter().find(|piece| piece.range.contains(from));
        let Some(piece) = piece else {
            // Past the end: the last character.
            let last = self.pieces.last()?;
            let end = last.range.end();
            return Some(TextRange::new(
                end - TextSize::new(1).min(last.range.len()),
                end,
            ));
        };
        let wanted = u32::try_from(end.saturating_sub(start).max(1)).ok()?;
        let to = (from + TextSize::new(wanted)).min(piece.range.end());
        Some(TextRange::new(from, to.max(from)))
    }
}

/// Which configparser exception.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IniErrorKind {
    /// `MissingSectionHeaderError`: a line before any section header.
    MissingSectionHeader,
    /// `DuplicateSectionError`; `first` is the earlier header.
    DuplicateSection { first: TextRange },
    /// `DuplicateOptionError`; `first` is the earlier key.
    DuplicateOption { first: TextRange },
    /// One line of a `ParsingError`: not a header, not `name = value`, not a continuation.
    /// `indented` when the line starts with whitespace (it looks like a continuation line but
    /// there is no option to continue).
    Parsing { indented: bool },
}

impl IniErrorKind {
    /// The Python exception class name.
    pub fn python_name(&self) -> &'static str {
        match self {
            IniErrorKind::MissingSectionHeader => "MissingSectionHeaderError",
            IniErrorKind::DuplicateSection { .. } => "DuplicateSectionError",
            IniErrorKind::DuplicateOption { .. } => "DuplicateOptionError",
            IniErrorKind::Parsing { .. } => "ParsingError",
        }
    }

    /// Whether configparser stops reading here (everything but `ParsingError`).
    pub fn is_fatal(&self) -> bool {
        !matches!(self, IniErrorKind::Parsing { .. })
    }
}

/// An error while reading.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IniError {
    pub kind: IniErrorKind,
    /// 1-based line.
    pub line: u32,
    /// The offending part of the line (the header, the key, the whole stripped line).
    pub range: TextRange,
    /// configparser's words, e.g. "section 'Core' already exists".
    pub message: String,
}

/// What `ConfigParser.read_file` raises for a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Raised<'a> {
    /// The exception class name.
    pub class: &'static str,
    /// The errors it reports: one for a fatal error, every bad line for `ParsingError`.
    pub errors: Vec<&'a IniError>,
}

/// Which interpolation exception `get` raises.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InterpolationErrorKind {
    /// `InterpolationSyntaxError`: `%` not followed by `%` or `(name)s`.
    Syntax,
    /// `InterpolationMissingOptionError`: `%(name)s` names no option of the section or
    /// `[DEFAULT]`.
    MissingOption { name: String },
    /// `InterpolationDepthError`: references nested deeper than 10 (usually a cycle).
    Depth,
}

impl InterpolationErrorKind {
    /// The Python exception class name.
    pub fn python_name(&self) -> &'static str {
        match self {
            InterpolationErrorKind::Syntax => "InterpolationSyntaxError",
            InterpolationErrorKind::MissingOption { .. } => "InterpolationMissingOptionError",
            InterpolationErrorKind::Depth => "InterpolationDepthError",
        }
    }
}

/// An interpolation failure when reading one option.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InterpolationError {
    pub kind: InterpolationErrorKind,
    /// The section that holds the value with the offending text (`DEFAULT` for a default).
    pub section: String,
    /// The option whose value holds the offending text (may differ from the option read, when
    /// the bad text is in a referenced value).
    pub option: String,
    /// Byte range of the offending text in that value's [`IniValue::text`].
    pub at: (usize, usize),
    /// Source range of the offending text.
    pub range: TextRange,
}

/// An interpolated value, with the origin of each byte.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interpolated {
    pub text: String,
    /// For each byte of `text`, the byte of the raw value it comes from (text substituted for
    /// a `%(name)s` reference maps to the reference's `%`).
    pub origins: Vec<usize>,
}

impl IniSection {
    /// The option named `name` (already lower-cased), in this section only.
    pub fn option(&self, name: &str) -> Option<&IniOption> {
        self.options.iter().find(|option| option.name == name)
    }
}

impl IniDocument {
    /// The section named exactly `name` (`DEFAULT` gives the defaults).
    pub fn section(&self, name: &str) -> Option<&IniSection> {
        if name == DEFAULT_SECTION {
            return Some(&self.defaults);
        }
        self.sections.iter().find(|section| section.name == name)
    }

    /// `ConfigParser.has_option` + raw `get`: the option of `section` or, when the section
    /// exists, of `[DEFAULT]`. `option` is lower-cased first.
    pub fn get(&self, section: &str, option: &str) -> Option<&IniOption> {
        let option = option.to_lowercase();
        let found = self.section(section)?.option(&option);
        found.or_else(|| self.defaults.option(&option))
    }

    /// `ConfigParser.options(section)`: the section's options, then the defaults it does not
    /// override.
    pub fn options(&self, section: &str) -> Vec<&IniOption> {
        let Some(found) = self.section(section) else {
            return Vec::new();
        };
        let mut options: Vec<&IniOption> = found.options.iter().collect();
        if section != DEFAULT_SECTION {
            for default in &self.defaults.options {
                if found.option(&default.name).is_none() {
                    options.push(default);
                }
            }
        }
        options
    }

    /// The exception `read_file` raises, if any: the first fatal error, else a
    /// `ParsingError` with every bad line.
    pub fn raised(&self) -> Option<Raised<'_>> {
        let mut parsing = Vec::new();
        for error in &self.errors {
            if error.kind.is_fatal() {
                return Some(Raised {
                    class: error.kind.python_name(),
                    errors: vec![error],
                });
            }
            parsing.push(error);
        }
        if parsing.is_empty() {
            None
        } else {
            Some(Raised {
                class: "ParsingError",
                errors: parsing,
            })
        }
    }

    /// `ConfigParser.get(section, option)` with `BasicInterpolation`.
    ///
    /// Returns `None` when the option does not exist.
    pub fn interpolate(
        &self,
        section: &str,
        option: &str,
    ) -> Option<Result<Interpolated, InterpolationError>> {
        let found = self.get(section, option)?;
        let mut out = Interpolated {
            text: String::new(),
            origins: Vec::new(),
        };
        let result = self.interpolate_some(section, found, 0, &mut out, None, 1);
        Some(result.map(|()| out))
    }

    /// The owner section name of an option reached from `section` (the section or DEFAULT).
    fn owner(&self, section: &str, option: &IniOption) -> String {
        match self.section(section) {
            Some(found) if found.options.iter().any(|o| std::ptr::eq(o, option)) => {
                found.name.clone()
            }
            _ => DEFAULT_SECTION.to_string(),
        }
    }

    /// `BasicInterpolation._interpolate_some` over `value.text[from..]`. `origin` is the raw
    /// byte the whole text maps to when interpolating a referenced value (`None` at the top).
    fn interpolate_some(
        &self,
        section: &str,
        value_owner: &IniOption,
        from: usize,
        out: &mut Interpolated,
        origin: Option<usize>,
        depth: usize,
    ) -> Result<(), InterpolationError> {
        let text = value_owner.value.text.as_str();
        let error = |kind, start: usize, end: usize| {
            let range = value_owner
                .value
                .source_range(start, end)
                .or_else(|| value_owner.value.range())
                .unwrap_or(value_owner.key);
            InterpolationError {
                kind,
                section: self.owner(section, value_owner),
                option: value_owner.name.clone(),
                at: (start, end),
                range,
            }
        };
        if depth > MAX_INTERPOLATION_DEPTH {
            return Err(error(InterpolationErrorKind::Depth, from, text.len()));
        }
        let push = |out: &mut Interpolated, s: &str, at: usize| {
            out.text.push_str(s);
            for i in 0..s.len() {
                out.origins.push(origin.unwrap_or(at + i));
            }
        };
        let mut rest = from;
        while rest < text.len() {
            let Some(p) = text[rest..].find('%') else {
                push(out, &text[rest..], rest);
                return Ok(());
            };
            let percent = rest + p;
            push(out, &text[rest..percent], rest);
            let after = &text[percent + 1..];
            if after.starts_with('%') {
                push(out, "%", percent);
                rest = percent + 2;
            } else if let Some(inner) = after.strip_prefix('(') {
                let close = inner.find(')');
                let Some(close) = close.filter(|&c| c > 0 && inner[c + 1..].starts_with('s'))
                else {
                    return Err(error(InterpolationErrorKind::Syntax, percent, percent + 2));
                };
                let end = percent + 2 + close + 2;
                let var = inner[..close].to_lowercase();
                let referenced = self
                    .section(section)
                    .and_then(|s| s.option(&var))
                    .or_else(|| self.defaults.option(&var));
                let Some(referenced) = referenced else {
                    return Err(error(
                        InterpolationErrorKind::MissingOption { name: var },
                        percent,
                        end,
                    ));
                };
                let at = origin.unwrap_or(percent);
                if referenced.value.text.contains('%') {
                    let result =
                        self.interpolate_some(section, referenced, 0, out, Some(at), depth + 1);
                    if let Err(mut failure) = result {
                        if failure.kind == InterpolationErrorKind::Depth && depth == 1 {
                            // Point at the reference that starts the cycle.
                            failure = error(InterpolationErrorKind::Depth, percent, end);
                        }
                        return Err(failure);
                    }
                } else {
                    let s = referenced.value.text.as_str();
                    out.text.push_str(s);
                    out.origins.extend(std::iter::repeat_n(at, s.len()));
                }
                rest = end;
            } else {
                return Err(error(InterpolationErrorKind::Syntax, percent, percent + 1));
            }
        }
        Ok(())
    }
}

/// One physical line: byte offset of its start and its content without the line break.
struct Line<'a> {
    start: usize,
    content: &'a str,
}

/// Splits on `\r\n`, `\r` and `\n` (universal newlines).
fn lines(text: &str) -> Vec<Line<'_>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                out.push(Line {
                    start,
                    content: &text[start..i],
                });
                i += 1;
                start = i;
            }
            b'\r' => {
                out.push(Line {
                    start,
                    content: &text[start..i],
                });
                i += if bytes.get(i + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
                start = i;
            }
            _ => i += 1,
        }
    }
    if start < bytes.len() {
        out.push(Line {
            start,
            content: &text[start..],
        });
    }
    out
}

fn range(start: usize, end: usize) -> TextRange {
    let to_size = |n: usize| TextSize::new(u32::try_from(n).unwrap_or(u32::MAX));
    TextRange::new(to_size(start), to_size(end.max(start)))
}

/// Which section the reader is in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Current {
    None,
    Defaults,
    Section(usize),
}

struct Reader {
    doc: IniDocument,
    index: HashMap<String, usize>,
    /// `(section, option)` pairs seen (configparser's `elements_added`).
    added: HashMap<(String, String), TextRange>,
    current: Current,
    section_name: String,
    /// Index of the option being continued, in the current section; `None` also for the
    /// empty option name (falsy in Python).
    option: Option<usize>,
    indent_level: usize,
    missing_header_reported: bool,
}

impl Reader {
    fn section_mut(&mut self) -> Option<&mut IniSection> {
        match self.current {
            Current::None => None,
            Current::Defaults => Some(&mut self.doc.defaults),
            Current::Section(i) => self.doc.sections.get_mut(i),
        }
    }

    fn current_option_mut(&mut self) -> Option<&mut IniOption> {
        let i = self.option?;
        self.section_mut()?.options.get_mut(i)
    }

    fn line(&mut self, number: u32, line: &Line<'_>) {
        let trimmed_start = line.content.trim_start_matches(is_py_space);
        let s = line.content.len() - trimmed_start.len();
        let stripped = trimmed_start.trim_end_matches(is_py_space);
        let e = s + stripped.len();
        if stripped.starts_with('#') || stripped.starts_with(';') {
            return;
        }
        if stripped.is_empty() {
            if let Some(option) = self.current_option_mut() {
                option.value.text.push('\n');
            }
            return;
        }
        let at = line.start;
        let indent = line.content[..s].chars().count();
        if self.current != Current::None && self.option.is_some() && indent > self.indent_level {
            if let Some(option) = self.current_option_mut() {
                let value = &mut option.value;
                value.text.push('\n');
                value.pieces.push(ValuePiece {
                    offset: value.text.len(),
                    range: range(at + s, at + e),
                });
                value.text.push_str(stripped);
            }
            return;
        }
        self.indent_level = indent;
        if let Some(close) = stripped
            .rfind(']')
            .filter(|&c| c >= 2 && stripped.starts_with('['))
        {
            self.header(
                number,
                &stripped[1..close],
                range(at + s, at + s + close + 1),
            );
        } else if self.current == Current::None {
            if !self.missing_header_reported {
                self.missing_header_reported = true;
                self.doc.errors.push(IniError {
                    kind: IniErrorKind::MissingSectionHeader,
                    line: number,
                    range: range(at + s, at + e),
                    message: format!(
                        "File contains no section headers: line {number} comes before any `[section]`"
                    ),
                });
            }
        } else {
            self.option_line(number, at + s, stripped, s > 0);
        }
    }

    fn header(&mut self, number: u32, name: &str, header: TextRange) {
        self.option = None;
        self.section_name = name.to_string();
        if let Some(&i) = self.index.get(name) {
            let first = self
                .doc
                .sections
                .get(i)
                .and_then(|s| s.header)
                .unwrap_or(header);
            self.doc.errors.push(IniError {
                kind: IniErrorKind::DuplicateSection { first },
                line: number,
                range: header,
                message: format!("section '{name}' already exists"),
            });
            self.current = Current::Section(i);
        } else if name == DEFAULT_SECTION {
            if self.doc.defaults.header.is_none() {
                self.doc.defaults.header = Some(header);
            }
            self.current = Current::Defaults;
        } else {
            self.index.insert(name.to_string(), self.doc.sections.len());
            self.current = Current::Section(self.doc.sections.len());
            self.doc.sections.push(IniSection {
                name: name.to_string(),
                header: Some(header),
                options: Vec::new(),
            });
        }
    }

    fn option_line(&mut self, number: u32, start: usize, stripped: &str, indented: bool) {
        let whole = range(start, start + stripped.len());
        let Some(d) = stripped.find(['=', ':']) else {
            self.doc.errors.push(IniError {
                kind: IniErrorKind::Parsing { indented },
                line: number,
                range: whole,
                message: if indented {
                    "an indented line that continues no option: neither `[section]` nor `name = value`".to_string()
                } else {
                    "not `[section]` nor `name = value` (an option needs `=` or `:`)".to_string()
                },
            });
            return;
        };
        let name_raw = stripped[..d].trim_end_matches(is_py_space);
        let value_raw = py_trim(&stripped[d + 1..]);
        let value_start = start
            + d
            + 1
            + (stripped[d + 1..].len() - stripped[d + 1..].trim_start_matches(is_py_space).len());
        let key = range(start, start + name_raw.len());
        let delimiter = range(start + d, start + d + 1);
        if name_raw.is_empty() {
            self.doc.errors.push(IniError {
                kind: IniErrorKind::Parsing { indented },
                line: number,
                range: whole,
                message: "option without a name before the delimiter".to_string(),
            });
        }
        let name = name_raw.to_lowercase();
        let pair = (self.section_name.clone(), name.clone());
        if let Some(&first) = self.added.get(&pair) {
            self.doc.errors.push(IniError {
                kind: IniErrorKind::DuplicateOption { first },
                line: number,
                range: if name_raw.is_empty() { whole } else { key },
                message: format!(
                    "option '{name}' in section '{}' already exists",
                    self.section_name
                ),
            });
        } else {
            self.added
                .insert(pair, if name_raw.is_empty() { whole } else { key });
        }
        let mut value = IniValue::default();
        if !value_raw.is_empty() {
            value.pieces.push(ValuePiece {
                offset: 0,
                range: range(value_start, value_start + value_raw.len()),
            });
            value.text.push_str(value_raw);
        }
        let option = IniOption {
            name: name.clone(),
            key,
            delimiter,
            line: number,
            value,
        };
        let Some(section) = self.section_mut() else {
            return;
        };
        let index = match section.options.iter().position(|o| o.name == name) {
            Some(i) => {
                if let Some(slot) = section.options.get_mut(i) {
                    *slot = option;
                }
                i
            }
            None => {
                section.options.push(option);
                section.options.len() - 1
            }
        };
        self.option = if name.is_empty() { None } else { Some(index) };
    }
}

/// Reads an INI text as `ConfigParser().read_file` does (see the module documentation).
/// Never fails: errors are in [`IniDocument::errors`].
pub fn parse(text: &str) -> IniDocument {
    let mut reader = Reader {
        doc: IniDocument {
            defaults: IniSection {
                name: DEFAULT_SECTION.to_string(),
                header: None,
                options: Vec::new(),
            },
            ..IniDocument::default()
        },
        index: HashMap::new(),
        added: HashMap::new(),
        current: Current::None,
        section_name: String::new(),
        option: None,
        indent_level: 0,
        missing_header_reported: false,
    };
    for (i, line) in lines(text).iter().enumerate() {
        let number = u32::try_from(i + 1).unwrap_or(u32::MAX);
        reader.line(number, line);
    }
    let mut doc = reader.doc;
    // `_join_multiline_values`: `'\n'.join(lines).rstrip()`.
    let sections = doc
        .sections
        .iter_mut()
        .chain(std::iter::once(&mut doc.defaults));
    for section in sections {
        for option in &mut section.options {
            let trimmed = option.value.text.trim_end_matches(is_py_space).len();
            option.value.text.truncate(trimmed);
        }
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(doc: &IniDocument, section: &str, option: &str) -> String {
        doc.get(section, option).unwrap().value.text.clone()
    }

    #[test]
    fn reads_sections_options_and_continuations() {
        let text = "[Core]\nName = Test\nModule: plugin\n\n[main]\nkeys =\n    a = 1\n\n    b\n# c\n  d\n\n";
        let doc = parse(text);
        assert!(doc.errors.is_empty(), "{:?}", doc.errors);
        assert_eq!(value(&doc, "Core", "name"), "Test");
        assert_eq!(value(&doc, "Core", "MODULE"), "plugin");
        assert_eq!(value(&doc, "main", "keys"), "\na = 1\n\nb\nd");
        let keys = doc.get("main", "keys").unwrap();
        assert_eq!(
            &text[keys.value.range().unwrap()],
            "a = 1\n\n    b\n# c\n  d"
        );
        assert_eq!(&text[keys.key], "keys");
    }

    #[test]
    fn section_names_are_case_sensitive_and_untrimmed() {
        let doc = parse("[core]\nname = x\n[ Core ] trailing\na = 1\n");
        assert!(doc.section("Core").is_none());
        assert!(doc.section(" Core ").is_some());
        assert!(doc.errors.is_empty());
    }

    #[test]
    fn strict_duplicates() {
        let doc = parse("[a]\nx = 1\nX = 2\n[a]\n");
        let classes: Vec<_> = doc.errors.iter().map(|e| e.kind.python_name()).collect();
        assert_eq!(classes, ["DuplicateOptionError", "DuplicateSectionError"]);
        assert_eq!(doc.raised().unwrap().errors[0].line, 3);
        let doc = parse("[DEFAULT]\na = 1\n[DEFAULT]\nb = 2\n");
        assert!(doc.errors.is_empty());
    }

    #[test]
    fn parsing_and_header_errors() {
        let doc = parse("x = 1\n[s]\n");
        assert_eq!(doc.raised().unwrap().class, "MissingSectionHeaderError");
        let doc = parse("[s]\nflag\n= v\n");
        let raised = doc.raised().unwrap();
        assert_eq!(raised.class, "ParsingError");
        assert_eq!(
            raised.errors.iter().map(|e| e.line).collect::<Vec<_>>(),
            [2, 3]
        );
    }

    #[test]
    fn defaults_are_visible() {
        let doc = parse("[DEFAULT]\nbase = /x\n[s]\npath = %(base)s/y\n");
        let got = doc.interpolate("s", "path").unwrap().unwrap();
        assert_eq!(got.text, "/x/y");
    }

    #[test]
    fn interpolation_errors() {
        let text = "[s]\na = LIKE \"asr%\"\nb = 100%%\nc = %(missing)s\nd = %(d)s\ne = %(a)s\n";
        let doc = parse(text);
        let err = doc.interpolate("s", "a").unwrap().unwrap_err();
        assert_eq!(err.kind, InterpolationErrorKind::Syntax);
        assert_eq!(&text[err.range], "%");
        assert_eq!(doc.interpolate("s", "b").unwrap().unwrap().text, "100%");
        let err = doc.interpolate("s", "c").unwrap().unwrap_err();
        assert_eq!(&text[err.range], "%(missing)s");
        assert!(matches!(
            err.kind,
            InterpolationErrorKind::MissingOption { .. }
        ));
        let err = doc.interpolate("s", "d").unwrap().unwrap_err();
        assert_eq!(err.kind, InterpolationErrorKind::Depth);
        let err = doc.interpolate("s", "e").unwrap().unwrap_err();
        assert_eq!(err.option, "a");
    }

    #[test]
    fn universal_newlines() {
        let doc = parse("[s]\r\na = 1\rb = 2\r\n  c\n");
        assert_eq!(value(&doc, "s", "a"), "1");
        assert_eq!(value(&doc, "s", "b"), "2\nc");
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn never_panics(text in "(\\PC|[\\[\\]=:%()#; \t\r\n\u{1c}\u{a0}])*") {
                let doc = parse(&text);
                for section in doc.sections.iter().chain(std::iter::once(&doc.defaults)) {
                    for option in &section.options {
                        let _ = doc.interpolate(&section.name, &option.name);
                        prop_assert!(text.get(std::ops::Range::<usize>::from(option.key)).is_some());
                        if let Some(range) = option.value.range() {
                            prop_assert!(text.get(std::ops::Range::<usize>::from(range)).is_some());
                        }
                    }
                }
                for error in &doc.errors {
                    prop_assert!(text.get(std::ops::Range::<usize>::from(error.range)).is_some());
                }
            }
        }
    }
}
