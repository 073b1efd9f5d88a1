//! YAML text to the span-carrying [`Node`] tree, with the scalar types that Python's PyYAML
//! `yaml.safe_load` gives (YAML 1.1 resolution), because that is what the platforms read YAML
//! with: Flowdapt's `flowctl apply` loads resource files through `python-manifest`'s
//! `YAMLSerializer.loads`, which is `yaml.safe_load` (`manifest/serializers/yamls.py`), and
//! pydantic then validates the resulting dicts.
//!
//! Parsing is done by `saphyr` (span-carrying [`MarkedYaml`] nodes); scalar *resolution* is
//! redone here the PyYAML way, because saphyr follows the YAML 1.2 core schema:
//!
//! | plain scalar | PyYAML / here | YAML 1.2 |
//! |---|---|---|
//! | `yes`, `No`, `ON`, `off` | boolean | string |
//! | `0o17` | string | 15 |
//! | `017`, `0b11`, `1_000`, `1:30` (sexagesimal) | 15, 3, 1000, 90 | string |
//! | `1e5` (no dot, no sign) | string | 100000.0 |
//! | `2024-01-02` | a date (kept here as the string) | string |
//!
//! Quoted and block scalars are always strings. Merge keys (`<<: *base`) are applied as PyYAML
//! does (explicit keys win). Non-string keys become their source text (`1: x` has key `"1"`).
//!
//! Differences from PyYAML that remain, all reported as a [`YamlError`] rather than a wrong tree:
//! - a duplicate key in one mapping is an error at the second key ([`YamlErrorKind::DuplicateKey`]);
//!   PyYAML keeps the last value silently, which is itself worth a diagnostic;
//! - more than one document: [`parse`] rejects it like `safe_load` ("expected a single document
//!   in the stream"); [`parse_documents`] returns every document;
//! - a collection with an application tag (`!Ref {...}`) is an error, as `safe_load` raises
//!   "could not determine a constructor"; application tags on scalars are ignored;
//! - alias expansion is bounded (saphyr's budget against "billion laughs"), an error beyond it.

use saphyr::{LoadableYamlNode, MarkedYaml, Marker, Scalar, ScanError, YamlData};
use text_size::{TextRange, TextSize};

use super::value::{Member, Node, Value};

/// Why a YAML text could not be turned into a tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlError {
    /// Where: never empty when the text is not, always inside the text.
    pub range: TextRange,
    /// The parser's words, e.g. "mapping values are not allowed in this context".
    pub message: String,
    pub kind: YamlErrorKind,
}

/// What kind of failure a [`YamlError`] is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum YamlErrorKind {
    /// The text is not YAML.
    Syntax,
    /// A key appears twice in one mapping (PyYAML would keep the last value).
    DuplicateKey { key: String },
    /// A second document in a file read as one document.
    MultipleDocuments,
    /// Something PyYAML's safe loader refuses to construct: an application tag on a
    /// collection, a collection used as a key, a merge key that does not merge mappings.
    Construct,
}

/// Parses a YAML file as `yaml.safe_load` does: one document (an empty file is `null`).
///
/// # Errors
/// [`YamlError`] at the offending place; a second document is an error at its start.
pub fn parse(text: &str) -> Result<Node, YamlError> {
    let offsets = Offsets::new(text);
    let documents = load(text, &offsets)?;
    let mut converted = Vec::with_capacity(documents.len());
    for document in &documents {
        converted.push(Converter::new(text, &offsets).node(document, 0)?);
    }
    match converted.len() {
        0 => Ok(Node::new(Value::Null, TextRange::empty(TextSize::new(0)))),
        1 => Ok(converted.swap_remove(0)),
        _ => {
            let start = converted[1].range.start();
            let at = second_document_marker(text, start);
            Err(YamlError {
                range: at,
                message: "expected a single document in the stream, but found another document"
                    .to_string(),
                kind: YamlErrorKind::MultipleDocuments,
            })
        }
    }
}

/// Parses every document of a YAML stream (`yaml.safe_load_all`).
///
/// # Errors
/// [`YamlError`] at the first offending place.
pub fn parse_documents(text: &str) -> Result<Vec<Node>, YamlError> {
    let offsets = Offsets::new(text);
    let documents = load(text, &offsets)?;
    documents
        .iter()
        .map(|document| Converter::new(text, &offsets).node(document, 0))
        .collect()
}

fn load<'t>(text: &'t str, offsets: &Offsets) -> Result<Vec<MarkedYaml<'t>>, YamlError> {
    MarkedYaml::load_from_str(text).map_err(|error| scan_error(text, offsets, &error))
}

fn scan_error(text: &str, offsets: &Offsets, error: &ScanError) -> YamlError {
    let start = offsets.byte(error.marker().index());
    let info = error.info().to_string();
    if info == "duplicated key in mapping" {
        let range = token_at(text, start);
        let key = text
            .get(range.start().into()..range.end().into())
            .unwrap_or("");
        return YamlError {
            range,
            message: format!("duplicate key `{key}` in the same mapping"),
            kind: YamlErrorKind::DuplicateKey {
                key: key.to_string(),
            },
        };
    }
    YamlError {
        range: non_empty(text, start, start),
        message: info,
        kind: YamlErrorKind::Syntax,
    }
}

/// The `---` that opens a second document, or the first character of its content.
fn second_document_marker(text: &str, content_start: TextSize) -> TextRange {
    let before = text.get(..usize::from(content_start)).unwrap_or("");
    match before.rfind("---") {
        Some(at) if at > 0 || before.get(..3) == Some("---") => {
            // A document start marker that begins a line.
            let line_start = before[..at].ends_with('\n') || at == 0;
            if line_start {
                return TextRange::at(TextSize::new(at as u32), TextSize::new(3));
            }
            non_empty(text, content_start.into(), content_start.into())
        }
        _ => non_empty(text, content_start.into(), content_start.into()),
    }
}

/// Character index → byte offset (saphyr's markers count characters).
struct Offsets {
    /// `None` when the text is ASCII (indices are byte offsets).
    table: Option<Vec<u32>>,
    len: usize,
}

impl Offsets {
    fn new(text: &str) -> Self {
        let table = if text.is_ascii() {
            None
        } else {
            let mut table: Vec<u32> = text.char_indices().map(|(at, _)| at as u32).collect();
            table.push(text.len() as u32);
            Some(table)
        };
        Offsets {
            table,
            len: text.len(),
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        match &self.table {
            None => char_index.min(self.len),
            Some(table) => table
                .get(char_index)
                .map_or(self.len, |&offset| offset as usize),
        }
    }

    fn marker(&self, marker: &Marker) -> usize {
        self.byte(marker.index())
    }
}

/// The maximal run of non-separator characters at `start` (a plain key), at least one char.
fn token_at(text: &str, start: usize) -> TextRange {
    let rest = text.get(start..).unwrap_or("");
    let first = rest.chars().next();
    let len = match first {
        Some(quote @ ('"' | '\'')) => rest[1..]
            .find(quote)
            .map_or(rest.len(), |end| end + 2)
            .min(rest.find('\n').unwrap_or(rest.len()).max(1)),
        _ => {
            let line = rest.split('\n').next().unwrap_or("");
            let end = line
                .find(": ")
                .or_else(|| line.trim_end().strip_suffix(':').map(|key| key.len()));
            end.unwrap_or(line.trim_end().len())
        }
    };
    non_empty(text, start, start + len)
}

/// An error range that an editor can show: at least one character, inside the text. An error
/// at a line end or at the end of the file points at the last visible character before it.
fn non_empty(text: &str, start: usize, end: usize) -> TextRange {
    let start = floor_char_boundary(text, start.min(text.len()));
    let end = floor_char_boundary(text, end.min(text.len())).max(start);
    if end > start {
        return TextRange::new(TextSize::new(start as u32), TextSize::new(end as u32));
    }
    let here = text[start..].chars().next();
    if let Some(ch) = here.filter(|ch| !ch.is_whitespace()) {
        return TextRange::at(
            TextSize::new(start as u32),
            TextSize::new(ch.len_utf8() as u32),
        );
    }
    let before = text[..start].trim_end();
    if let Some(ch) = before.chars().next_back() {
        return TextRange::at(
            TextSize::new((before.len() - ch.len_utf8()) as u32),
            TextSize::new(ch.len_utf8() as u32),
        );
    }
    match here.or_else(|| text.chars().next()) {
        Some(ch) => {
            let at = if here.is_some() { start } else { 0 };
            TextRange::at(
                TextSize::new(at as u32),
                TextSize::new(ch.len_utf8() as u32),
            )
        }
        None => TextRange::empty(TextSize::new(0)),
    }
}

fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Deep nesting is bounded so that conversion cannot overflow the stack.
const MAX_DEPTH: usize = 512;

struct Converter<'t, 'o> {
    text: &'t str,
    offsets: &'o Offsets,
}

impl<'t, 'o> Converter<'t, 'o> {
    fn new(text: &'t str, offsets: &'o Offsets) -> Self {
        Converter { text, offsets }
    }

    fn error(&self, range: TextRange, message: impl Into<String>) -> YamlError {
        YamlError {
            range: non_empty(self.text, range.start().into(), range.end().into()),
            message: message.into(),
            kind: YamlErrorKind::Construct,
        }
    }

    /// The byte range of a node: scalars exactly, collections trimmed of trailing blanks and
    /// comments.
    fn range(&self, node: &MarkedYaml<'_>) -> TextRange {
        let start = self.offsets.marker(&node.span.start);
        let end = self.offsets.marker(&node.span.end).max(start);
        let end = match &node.data {
            YamlData::Sequence(_) | YamlData::Mapping(_) | YamlData::Tagged(..) => {
                // A flow collection's end marker is at its closing bracket.
                let bytes = self.text.as_bytes();
                let closer = match bytes.get(start) {
                    Some(b'[') => Some(b']'),
                    Some(b'{') => Some(b'}'),
                    _ => None,
                };
                if closer.is_some() && bytes.get(end) == closer.as_ref() {
                    end + 1
                } else {
                    start + trim_trailing(self.text.get(start..end).unwrap_or(""))
                }
            }
            _ => end,
        };
        TextRange::new(TextSize::new(start as u32), TextSize::new(end as u32))
    }

    fn node(&self, node: &MarkedYaml<'_>, depth: usize) -> Result<Node, YamlError> {
        let range = self.range(node);
        if depth > MAX_DEPTH {
            return Err(self.error(range, "the document is nested too deeply"));
        }
        let value = match &node.data {
            YamlData::Value(scalar) => self.scalar(scalar, range),
            YamlData::Representation(text, _, _) => Value::String(text.to_string()),
            YamlData::Sequence(items) => Value::Array(
                items
                    .iter()
                    .map(|item| self.node(item, depth + 1))
                    .collect::<Result<_, _>>()?,
            ),
            YamlData::Mapping(mapping) => Value::Object(self.members(mapping, depth)?),
            YamlData::Tagged(tag, inner) => {
                if tag.handle == "!!" || tag.handle == "tag:yaml.org,2002:" {
                    return self.node(inner, depth + 1);
                }
                return Err(self.error(
                    range,
                    format!(
                        "could not determine a constructor for the tag '{}{}'",
                        tag.handle, tag.suffix
                    ),
                ));
            }
            // An unknown alias is a scan error; an empty document or a failed typed scalar
            // (`!!int abc`) ends up here.
            YamlData::Alias(_) | YamlData::BadValue => Value::Null,
        };
        Ok(Node::new(value, range))
    }

    fn members(
        &self,
        mapping: &saphyr::AnnotatedMapping<'_, MarkedYaml<'_>>,
        depth: usize,
    ) -> Result<Vec<Member>, YamlError> {
        let mut merged: Vec<Member> = Vec::new();
        let mut members: Vec<Member> = Vec::with_capacity(mapping.len());
        for (key, value) in mapping {
            let key_range = self.range(key);
            let value = self.node(value, depth + 1)?;
            let key_text = match &key.data {
                YamlData::Value(Scalar::String(text)) => {
                    if text == "<<" && self.is_plain(key_range) {
                        self.merge(&value, &mut merged)?;
                        continue;
                    }
                    text.to_string()
                }
                YamlData::Value(Scalar::Null) => "null".to_string(),
                YamlData::Value(_) | YamlData::Representation(..) => self
                    .text
                    .get(key_range.start().into()..key_range.end().into())
                    .unwrap_or("")
                    .trim()
                    .to_string(),
                YamlData::Tagged(_, inner) => match &inner.data {
                    YamlData::Value(Scalar::String(text)) => text.to_string(),
                    _ => return Err(self.error(key_range, "found unhashable key")),
                },
                _ => return Err(self.error(key_range, "found unhashable key")),
            };
            members.push(Member {
                key: key_text,
                key_range,
                value,
            });
        }
        if merged.is_empty() {
            return Ok(members);
        }
        // Merged members come first so that explicit keys (later) win, as in PyYAML.
        merged.extend(members);
        Ok(merged)
    }

    /// `<<: *base` or `<<: [*a, *b]` (earlier mappings in the list win).
    fn merge(&self, value: &Node, out: &mut Vec<Member>) -> Result<(), YamlError> {
        match &value.value {
            Value::Object(members) => {
                out.extend(members.iter().cloned());
                Ok(())
            }
            Value::Array(items) => {
                for item in items.iter().rev() {
                    match &item.value {
                        Value::Object(members) => out.extend(members.iter().cloned()),
                        _ => {
                            return Err(self.error(
                                item.range,
                                "expected a mapping for merging, but found another value",
                            ));
                        }
                    }
                }
                Ok(())
            }
            _ => Err(self.error(
                value.range,
                "expected a mapping or list of mappings for merging",
            )),
        }
    }

    fn source(&self, range: TextRange) -> &'t str {
        self.text
            .get(range.start().into()..range.end().into())
            .unwrap_or("")
    }

    /// Whether the scalar at `range` is written plain (not quoted, not a block scalar).
    fn is_plain(&self, range: TextRange) -> bool {
        !matches!(
            self.source(range).chars().next(),
            Some('"' | '\'' | '|' | '>')
        )
    }

    fn scalar(&self, scalar: &Scalar<'_>, range: TextRange) -> Value {
        match scalar {
            Scalar::String(text) => {
                if self.is_plain(range) {
                    resolve_plain(text)
                } else {
                    Value::String(text.to_string())
                }
            }
            // saphyr resolved these with the YAML 1.2 core schema: resolve the source text
            // again, the YAML 1.1 way (a quoted scalar is always a string, so this is plain).
            Scalar::Null | Scalar::Boolean(_) | Scalar::Integer(_) | Scalar::FloatingPoint(_) => {
                let source = self.source(range).trim();
                if source.is_empty() {
                    return Value::Null;
                }
                resolve_plain(source)
            }
        }
    }
}

/// Length of `text` without trailing whitespace and `#` comment lines.
fn trim_trailing(text: &str) -> usize {
    let mut end = text.len();
    loop {
        let trimmed = text[..end].trim_end();
        end = trimmed.len();
        // A trailing comment line: drop it when it is the whole last line.
        let line_start = trimmed.rfind('\n').map_or(0, |at| at + 1);
        let line = &trimmed[line_start..];
        if line.trim_start().starts_with('#') && line_start > 0 {
            end = line_start;
            continue;
        }
        return end;
    }
}

/// Resolves a plain scalar as PyYAML's `Resolver` (YAML 1.1 implicit types) and
/// `SafeConstructor` do.
pub fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Value::Bool(true);
        }
        "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Value::Bool(false);
        }
        _ => {}
    }
    if let Some(value) = resolve_int(text) {
        return value;
    }
    if let Some(value) = resolve_float(text) {
        return value;
    }
    Value::String(text.to_string())
}

fn split_sign(text: &str) -> (bool, &str) {
    match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    }
}

fn all(text: &str, pred: impl Fn(u8) -> bool) -> bool {
    !text.is_empty() && text.bytes().all(pred)
}

/// `[-+]?0b[0-1_]+ | [-+]?0[0-7_]+ | [-+]?(0|[1-9][0-9_]*) | [-+]?0x[0-9a-fA-F_]+ |
/// [-+]?[1-9][0-9_]*(:[0-5]?[0-9])+`
fn resolve_int(text: &str) -> Option<Value> {
    let (negative, body) = split_sign(text);
    let digits = |s: &str, radix: u32| -> Option<i128> {
        let cleaned: String = s.chars().filter(|&c| c != '_').collect();
        if cleaned.is_empty() {
            // PyYAML: `0b_` matches the pattern, then int('') fails: a ValueError in safe_load.
            // Keep it as the text rather than invent a number.
            return None;
        }
        i128::from_str_radix(&cleaned, radix).ok()
    };
    let magnitude = if let Some(rest) = body.strip_prefix("0b") {
        if !all(rest, |b| matches!(b, b'0' | b'1' | b'_')) {
            return None;
        }
        digits(rest, 2)?
    } else if let Some(rest) = body.strip_prefix("0x") {
        if !all(rest, |b| b.is_ascii_hexdigit() || b == b'_') {
            return None;
        }
        digits(rest, 16)?
    } else if body == "0" {
        0
    } else if let Some(rest) = body.strip_prefix('0') {
        if !all(rest, |b| matches!(b, b'0'..=b'7' | b'_')) {
            return None;
        }
        digits(rest, 8)?
    } else if body.contains(':') {
        sexagesimal_int(body)?
    } else {
        let first = *body.as_bytes().first()?;
        if !(b'1'..=b'9').contains(&first) || !all(body, |b| b.is_ascii_digit() || b == b'_') {
            return None;
        }
        digits(body, 10)?
    };
    let value = if negative { -magnitude } else { magnitude };
    Some(integer(value))
}

fn integer(value: i128) -> Value {
    if let Ok(small) = i64::try_from(value) {
        return Value::Number(small.into());
    }
    if let Ok(unsigned) = u64::try_from(value) {
        return Value::Number(unsigned.into());
    }
    serde_json::Number::from_f64(value as f64).map_or(Value::Null, Value::Number)
}

/// `[1-9][0-9_]*(:[0-5]?[0-9])+` → base 60.
fn sexagesimal_int(body: &str) -> Option<i128> {
    let mut parts = body.split(':');
    let head = parts.next()?;
    let first = *head.as_bytes().first()?;
    if !(b'1'..=b'9').contains(&first) || !all(head, |b| b.is_ascii_digit() || b == b'_') {
        return None;
    }
    let mut value: i128 = head.replace('_', "").parse().ok()?;
    for part in parts {
        if !sexagesimal_digit_group(part) {
            return None;
        }
        value = value.checked_mul(60)?.checked_add(part.parse().ok()?)?;
    }
    Some(value)
}

/// `[0-5]?[0-9]`
fn sexagesimal_digit_group(part: &str) -> bool {
    let bytes = part.as_bytes();
    match bytes {
        [d] => d.is_ascii_digit(),
        [a, b] => (b'0'..=b'5').contains(a) && b.is_ascii_digit(),
        _ => false,
    }
}

/// `[-+]?([0-9][0-9_]*)\.[0-9_]*([eE][-+][0-9]+)? | \.[0-9_]+([eE][-+][0-9]+)? |
/// [-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]* | [-+]?\.(inf|Inf|INF) | \.(nan|NaN|NAN)`
fn resolve_float(text: &str) -> Option<Value> {
    if matches!(text, ".nan" | ".NaN" | ".NAN") {
        // JSON has no NaN: pydantic would see float('nan'); null is the closest JSON value.
        return Some(Value::Null);
    }
    let (negative, body) = split_sign(text);
    if matches!(body, ".inf" | ".Inf" | ".INF") {
        return Some(Value::Null);
    }
    let value = if body.contains(':') {
        sexagesimal_float(body)?
    } else {
        if text.starts_with('.') {
            // The second form allows no sign.
        } else if body.starts_with('.') {
            return None;
        }
        let (mantissa, exponent) = match body.find(['e', 'E']) {
            Some(at) => (&body[..at], Some(&body[at + 1..])),
            None => (body, None),
        };
        let dot = mantissa.find('.')?;
        let (int_part, frac_part) = (&mantissa[..dot], &mantissa[dot + 1..]);
        let int_ok = int_part.is_empty() && !frac_part.is_empty()
            || (int_part.as_bytes().first().is_some_and(u8::is_ascii_digit)
                && int_part.bytes().all(|b| b.is_ascii_digit() || b == b'_'));
        if !int_ok || !frac_part.bytes().all(|b| b.is_ascii_digit() || b == b'_') {
            return None;
        }
        if int_part.is_empty() && !frac_part.bytes().any(|b| b.is_ascii_digit()) {
            return None;
        }
        if let Some(exponent) = exponent {
            let (sign, digits) = (exponent.as_bytes().first()?, exponent.get(1..)?);
            if !matches!(sign, b'+' | b'-') || !all(digits, |b| b.is_ascii_digit()) {
                return None;
            }
        }
        let cleaned: String = body.chars().filter(|&c| c != '_').collect();
        let cleaned = if cleaned.ends_with('.') {
            format!("{cleaned}0")
        } else {
            cleaned
        };
        let cleaned = cleaned.replace(".e", ".0e").replace(".E", ".0E");
        cleaned.parse::<f64>().ok()?
    };
    let value = if negative { -value } else { value };
    Some(serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number))
}

/// `[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*` → base 60 with a fraction.
fn sexagesimal_float(body: &str) -> Option<f64> {
    let dot = body.rfind('.')?;
    let (whole, frac) = (&body[..dot], &body[dot + 1..]);
    if !frac.bytes().all(|b| b.is_ascii_digit() || b == b'_') {
        return None;
    }
    let mut parts = whole.split(':');
    let head = parts.next()?;
    if !head.as_bytes().first().is_some_and(u8::is_ascii_digit)
        || !head.bytes().all(|b| b.is_ascii_digit() || b == b'_')
    {
        return None;
    }
    let mut value: f64 = head.replace('_', "").parse().ok()?;
    let mut groups = 0;
    for part in parts {
        if !sexagesimal_digit_group(part) {
            return None;
        }
        value = value * 60.0 + part.parse::<f64>().ok()?;
        groups += 1;
    }
    if groups == 0 {
        return None;
    }
    let frac: String = frac.chars().filter(|&c| c != '_').collect();
    let frac: f64 = if frac.is_empty() {
        0.0
    } else {
        format!("0.{frac}").parse().ok()?
    };
    Some(value + frac)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::value::PathSegment;

    fn slice(text: &str, range: TextRange) -> &str {
        &text[range]
    }

    #[test]
    fn keeps_key_and_value_ranges() {
        let text = "kind: workflow\nmetadata:\n  name: x\nspec:\n  stages:\n    - name: a\n      depends_on: [b, c]\n";
        let node = parse(text).unwrap();
        let kind = node.get("kind").unwrap();
        assert_eq!(slice(text, kind.key_range), "kind");
        assert_eq!(slice(text, kind.value.range), "workflow");
        let depends = node
            .lookup(&[
                PathSegment::Key("spec".into()),
                PathSegment::Key("stages".into()),
                PathSegment::Index(0),
                PathSegment::Key("depends_on".into()),
            ])
            .unwrap();
        assert_eq!(slice(text, depends.node.range), "[b, c]");
        assert_eq!(slice(text, depends.member.unwrap().key_range), "depends_on");
        let stage = node
            .lookup(&[
                PathSegment::Key("spec".into()),
                PathSegment::Key("stages".into()),
                PathSegment::Index(0),
            ])
            .unwrap();
        assert!(slice(text, stage.node.range).starts_with("name: a"));
        assert!(slice(text, stage.node.range).ends_with("[b, c]"));
    }

    #[test]
    fn quoted_values_keep_their_quotes_in_the_range() {
        let text = "name: \"my_workflow\"\nother: 'x'\n";
        let node = parse(text).unwrap();
        assert_eq!(
            slice(text, node.get("name").unwrap().value.range),
            "\"my_workflow\""
        );
        assert_eq!(
            node.get("name").unwrap().value.as_str(),
            Some("my_workflow")
        );
        assert_eq!(slice(text, node.get("other").unwrap().value.range), "'x'");
    }

    #[test]
    fn non_ascii_ranges_are_bytes() {
        let text = "title: été\nname: x\n";
        let node = parse(text).unwrap();
        assert_eq!(slice(text, node.get("title").unwrap().value.range), "été");
        assert_eq!(slice(text, node.get("name").unwrap().key_range), "name");
    }

    #[test]
    fn pyyaml_scalar_resolution() {
        let cases: &[(&str, serde_json::Value)] = &[
            ("yes", serde_json::json!(true)),
            ("Off", serde_json::json!(false)),
            ("y", serde_json::json!("y")),
            ("~", serde_json::Value::Null),
            ("", serde_json::Value::Null),
            ("017", serde_json::json!(15)),
            ("0o17", serde_json::json!("0o17")),
            ("0x1F", serde_json::json!(31)),
            ("0b101", serde_json::json!(5)),
            ("1_000", serde_json::json!(1000)),
            ("1:30", serde_json::json!(90)),
            ("-12", serde_json::json!(-12)),
            ("1.5", serde_json::json!(1.5)),
            ("1.", serde_json::json!(1.0)),
            (".5", serde_json::json!(0.5)),
            ("1e5", serde_json::json!("1e5")),
            ("1.0e5", serde_json::json!("1.0e5")),
            ("1.0e+5", serde_json::json!(100000.0)),
            ("8GB", serde_json::json!("8GB")),
            ("v1alpha1", serde_json::json!("v1alpha1")),
            ("*/5 * * * *", serde_json::json!("*/5 * * * *")),
        ];
        for (text, expected) in cases {
            let node = Node::new(resolve_plain(text), TextRange::default());
            assert_eq!(&node.to_json(), expected, "{text:?}");
        }
    }

    #[test]
    fn typed_plain_scalars_in_documents() {
        let text = "a: yes\nb: 0o17\nc: '017'\nd: 017\ne: 1.0e5\nf:\ng: 12\n";
        let node = parse(text).unwrap();
        assert_eq!(
            node.to_json(),
            serde_json::json!({"a": true, "b": "0o17", "c": "017", "d": 15, "e": "1.0e5", "f": null, "g": 12})
        );
        assert_eq!(slice(text, node.get("g").unwrap().value.range), "12");
    }

    #[test]
    fn duplicate_keys_are_an_error_at_the_second_key() {
        let text = "name: a\nstages: []\nname: b\n";
        let error = parse(text).unwrap_err();
        assert_eq!(
            error.kind,
            YamlErrorKind::DuplicateKey { key: "name".into() }
        );
        assert_eq!(slice(text, error.range), "name");
        assert_eq!(u32::from(error.range.start()), 19);
    }

    #[test]
    fn several_documents() {
        let text = "a: 1\n---\nb: 2\n";
        let error = parse(text).unwrap_err();
        assert_eq!(error.kind, YamlErrorKind::MultipleDocuments);
        assert_eq!(slice(text, error.range), "---");
        assert_eq!(parse_documents(text).unwrap().len(), 2);
        // A leading `---` is one document.
        assert!(parse("---\na: 1\n").is_ok());
    }

    #[test]
    fn empty_and_comment_only_files_are_null() {
        assert_eq!(parse("").unwrap().value, Value::Null);
        assert_eq!(parse("# nothing\n").unwrap().value, Value::Null);
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let text = "base: &b {cpus: 1, memory: 8GB}\nstage:\n  <<: *b\n  cpus: 2\nother: *b\n";
        let node = parse(text).unwrap();
        assert_eq!(
            node.to_json(),
            serde_json::json!({
                "base": {"cpus": 1, "memory": "8GB"},
                "stage": {"cpus": 2, "memory": "8GB"},
                "other": {"cpus": 1, "memory": "8GB"},
            })
        );
        assert_eq!(slice(text, node.get("other").unwrap().value.range), "*b");
    }

    #[test]
    fn syntax_error_has_a_non_empty_range_on_the_right_line() {
        let text = "kind: workflow\nmetadata:\n  name: x\n  bad: [1, 2\n";
        let error = parse(text).unwrap_err();
        assert_eq!(error.kind, YamlErrorKind::Syntax);
        assert!(!error.range.is_empty());
        assert!(u32::from(error.range.end()) as usize <= text.len());
    }

    #[test]
    fn application_tag_on_a_collection_is_refused() {
        let error = parse("a: !Ref {x: 1}\n").unwrap_err();
        assert_eq!(error.kind, YamlErrorKind::Construct);
        assert!(error.message.contains("!Ref"), "{}", error.message);
    }

    #[test]
    fn alias_bomb_is_an_error_not_a_hang() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let prev = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        assert!(parse(&text).is_err());
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        const SAMPLE: &str = "kind: workflow\nmetadata:\n  name: wf\n  annotations: {group: x}\nspec:\n  stages:\n    - name: a\n      target: pkg.stages.a\n      depends_on: [b]\n      resources: &r\n        cpus: 0.5\n    - name: \"b\"\n      target: 'pkg.stages.b'\n      resources: *r\n      options:\n        <<: *r\n      description: |\n        été\n";

        fn check_ranges(text: &str, node: &Node) {
            let len = text.len() as u32;
            assert!(u32::from(node.range.end()) <= len);
            assert!(text.is_char_boundary(node.range.start().into()));
            assert!(text.is_char_boundary(node.range.end().into()));
            match &node.value {
                Value::Array(items) => items.iter().for_each(|item| check_ranges(text, item)),
                Value::Object(members) => members.iter().for_each(|member| {
                    assert!(u32::from(member.key_range.end()) <= len);
                    check_ranges(text, &member.value);
                }),
                _ => {}
            }
        }

        fn check(text: &str) {
            match parse(text) {
                Ok(node) => check_ranges(text, &node),
                Err(error) => {
                    assert!(u32::from(error.range.end()) as usize <= text.len());
                    assert!(!error.range.is_empty() || text.is_empty());
                    assert!(text.is_char_boundary(error.range.start().into()));
                    assert!(text.is_char_boundary(error.range.end().into()));
                }
            }
            let _ = parse_documents(text);
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            #[test]
            fn random_text_never_panics(text in "\\PC{0,200}") {
                check(&text);
            }

            #[test]
            fn yamlish_text_never_panics(text in "[ a-z0-9:\\-\\[\\]{},&*!|>'\"#\n\t?%@`é<]{0,160}") {
                check(&text);
            }

            #[test]
            fn mutated_sample_never_panics(
                at in 0usize..SAMPLE.len(),
                cut in 0usize..20,
                insert in "[ \n:\\-\\[\\]{}&*!|>'\"#?,é]{0,4}",
            ) {
                let mut text = SAMPLE.to_string();
                let mut start = at.min(text.len());
                while !text.is_char_boundary(start) { start -= 1; }
                let mut end = (start + cut).min(text.len());
                while !text.is_char_boundary(end) { end -= 1; }
                text.replace_range(start..end, &insert);
                check(&text);
            }

            #[test]
            fn resolve_plain_never_panics(text in "[-+0-9._:eEoxb a-fA-F]{0,24}") {
                let _ = resolve_plain(&text);
            }
        }
    }
}

#[cfg(test)]
mod depth {
    /// Deeply nested flow collections: an error (PyYAML would hit Python's recursion limit),
    /// never a stack overflow.
    #[test]
    fn deep_flow_nesting_is_an_error_not_a_crash() {
        let text = format!("a: {}1{}\n", "[".repeat(100_000), "]".repeat(100_000));
        assert!(super::parse(&text).is_err());
        let ok = format!("a: {}1{}\n", "[".repeat(100), "]".repeat(100));
        assert!(super::parse(&ok).is_ok());
    }
}
