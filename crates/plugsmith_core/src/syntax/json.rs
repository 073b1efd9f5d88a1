//! JSON text to the span-carrying [`Node`] tree, strictly, as Python's `json.loads` reads it
//! (the Supervisely agent and Flowdapt's client both use it): no comments, no trailing commas,
//! no single quotes. `NaN`/`Infinity` are accepted, as Python accepts them.

use jsonc_parser::ast;
use jsonc_parser::common::Ranged;
use jsonc_parser::{CollectOptions, ParseOptions};
use text_size::{TextRange, TextSize};

use super::value::{Member, Node, Value};

/// Why a JSON text does not parse: the place and the parser's words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    pub range: TextRange,
    pub message: String,
}

/// Parses a JSON document.
///
/// # Errors
/// [`JsonError`] at the first offending token; an empty document is an error at offset 0.
pub fn parse(text: &str) -> Result<Node, JsonError> {
    let options = ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: true,
        allow_extended_string_escapes: false,
    };
    let parsed = jsonc_parser::parse_to_ast(text, &CollectOptions::default(), &options).map_err(
        |error| JsonError {
            range: non_empty(text, error.range().start, error.range().end),
            message: error.kind().to_string(),
        },
    )?;
    match parsed.value {
        Some(value) => Ok(convert(&value)),
        None => Err(JsonError {
            range: non_empty(text, 0, 0),
            message: "the file holds no JSON value".to_string(),
        }),
    }
}

fn convert(value: &ast::Value<'_>) -> Node {
    let range = to_range(value.range());
    let value = match value {
        ast::Value::StringLit(lit) => Value::String(lit.value.to_string()),
        ast::Value::NumberLit(lit) => number(lit.value),
        ast::Value::BooleanLit(lit) => Value::Bool(lit.value),
        ast::Value::NullKeyword(_) => Value::Null,
        ast::Value::Array(array) => Value::Array(array.elements.iter().map(convert).collect()),
        ast::Value::Object(object) => Value::Object(
            object
                .properties
                .iter()
                .map(|prop| Member {
                    key: prop.name.as_str().to_string(),
                    key_range: to_range(prop.name.range()),
                    value: convert(&prop.value),
                })
                .collect(),
        ),
    };
    Node::new(value, range)
}

/// A JSON number as serde_json holds it; non-finite numbers (Python's `NaN`) become null for
/// validation purposes.
fn number(text: &str) -> Value {
    serde_json::from_str::<serde_json::Number>(text)
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

fn to_range(range: jsonc_parser::common::Range) -> TextRange {
    TextRange::new(
        TextSize::new(range.start as u32),
        TextSize::new(range.end as u32),
    )
}

/// An error range that an editor can show: at least one character, inside the text.
fn non_empty(text: &str, start: usize, end: usize) -> TextRange {
    let start = start.min(text.len());
    let end = end.min(text.len()).max(start);
    if end > start {
        return TextRange::new(TextSize::new(start as u32), TextSize::new(end as u32));
    }
    match text[start..].chars().next() {
        Some(ch) => TextRange::at(
            TextSize::new(start as u32),
            TextSize::new(ch.len_utf8() as u32),
        ),
        None => match text.chars().next_back() {
            Some(ch) => TextRange::at(
                TextSize::new((text.len() - ch.len_utf8()) as u32),
                TextSize::new(ch.len_utf8() as u32),
            ),
            None => TextRange::empty(TextSize::new(0)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::value::PathSegment;

    #[test]
    fn keeps_key_and_value_ranges() {
        let text = r#"{"title": "x", "type": ["a", 1]}"#;
        let node = parse(text).unwrap();
        let member = node.get("type").unwrap();
        assert_eq!(&text[member.key_range], "\"type\"");
        assert_eq!(&text[member.value.range], "[\"a\", 1]");
        let second = node
            .lookup(&[PathSegment::Key("type".into()), PathSegment::Index(1)])
            .unwrap();
        assert_eq!(&text[second.node.range], "1");
    }

    #[test]
    fn trailing_comma_is_an_error_at_the_comma() {
        let text = "{\"a\": 1,}";
        let error = parse(text).unwrap_err();
        assert!(error.range.start() >= TextSize::new(7), "{error:?}");
    }

    #[test]
    fn empty_text_is_an_error() {
        assert!(parse("").is_err());
        assert!(parse("   \n").is_err());
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::parse;

    proptest! {
        /// Any text: a tree or an error, never a panic, and every range inside the text.
        #[test]
        fn any_text_parses_or_errs(text in "\\PC{0,120}|[\\[\\]{}\",:0-9a-z \\n]{0,80}") {
            match parse(&text) {
                Ok(node) => prop_assert!(u32::from(node.range.end()) as usize <= text.len()),
                Err(error) => prop_assert!(u32::from(error.range.end()) as usize <= text.len()),
            }
        }
    }
}

#[cfg(test)]
mod depth {
    /// Python's `json.loads` gives up past its recursion limit; so do we, without recursing.
    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
        let error = super::parse(&text).unwrap_err();
        assert!(error.message.contains("nest"), "{error:?}");
        let ok = format!("{}1{}", "[".repeat(500), "]".repeat(500));
        assert!(super::parse(&ok).is_ok());
    }
}
