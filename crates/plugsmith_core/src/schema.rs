//! JSON Schema validation that reports the exact key or value.
//!
//! Schemas are bundled (never fetched: `jsonschema` is built without its HTTP resolver). A
//! document is any [`Node`] tree (JSON, YAML, TOML, a Python dict literal); errors are mapped
//! back to ranges the way VS Code's JSON service does it: a missing property points at the
//! parent's key, an unexpected property at that key, `anyOf`/`oneOf` keep only the branch that
//! came closest, everything else points at the offending value.

use jsonschema::error::ValidationErrorKind;
use jsonschema::paths::LocationSegment;
use jsonschema::{ValidationError, Validator};
use text_size::{TextRange, TextSize};

use crate::syntax::value::{Node, PathSegment};

/// A compiled, bundled schema.
pub struct Schema {
    validator: Validator,
}

/// What kind of schema violation an error is, for rules that word their own messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SchemaErrorKind {
    /// A required property is missing (the range is the parent's key).
    Missing { property: String },
    /// A property the schema does not allow (the range is the key).
    Unexpected { property: String },
    /// A value outside an enumeration; `allowed` as JSON texts.
    NotAllowed { allowed: Vec<String> },
    /// A value of the wrong JSON type; `expected` as the schema names it.
    WrongType { expected: String },
    /// Anything else (pattern, length, ...).
    Other,
}

/// One violation, located.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaError {
    /// Where to point.
    pub range: TextRange,
    /// The instance path of the offending value (for a missing property: of the parent).
    pub path: Vec<PathSegment>,
    /// E.g. "`type` must be one of \"import\", \"custom\"; found \"impotr\"".
    pub message: String,
    pub kind: SchemaErrorKind,
}

impl Schema {
    /// Compiles a bundled schema.
    ///
    /// # Errors
    /// The compiler's message when `source` is not a valid JSON Schema (a build defect of
    /// ours; every bundled schema is compiled by a test).
    pub fn compile(source: &str) -> Result<Schema, String> {
        let schema: serde_json::Value =
            serde_json::from_str(source).map_err(|error| error.to_string())?;
        let validator = jsonschema::validator_for(&schema).map_err(|error| error.to_string())?;
        Ok(Schema { validator })
    }

    /// Every violation in `document`, located, in source order.
    pub fn validate(&self, document: &Node) -> Vec<SchemaError> {
        let instance = document.to_json();
        let mut errors = Vec::new();
        for error in self.validator.iter_errors(&instance) {
            locate(document, &error, &mut errors);
        }
        errors.sort_by_key(|error| (error.range.start(), error.range.end()));
        errors.dedup();
        errors
    }
}

fn locate(document: &Node, error: &ValidationError<'_>, out: &mut Vec<SchemaError>) {
    let path = instance_path(error);
    match error.kind() {
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            if let Some(best) = closest_branch(context, &path) {
                for inner in best {
                    locate(document, inner, out);
                }
                return;
            }
        }
        ValidationErrorKind::AdditionalProperties { unexpected }
        | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
            for property in unexpected {
                let mut child = path.clone();
                child.push(PathSegment::Key(property.clone()));
                let range = document.lookup(&child).map_or_else(
                    || point(document, &path),
                    |found| found.key_or_value_range(),
                );
                out.push(SchemaError {
                    range,
                    message: format!("unknown key `{property}`{}", where_(&path)),
                    path: child,
                    kind: SchemaErrorKind::Unexpected {
                        property: property.clone(),
                    },
                });
            }
            return;
        }
        _ => {}
    }
    let (message, kind) = describe(document, &path, error);
    out.push(SchemaError {
        range: range_for(document, &path, &kind),
        path,
        message,
        kind,
    });
}

/// The branch of an `anyOf`/`oneOf` the author most likely meant: one whose type matches the
/// value (no type error at the value itself), then the one with the fewest errors, then the
/// first.
fn closest_branch<'e>(
    context: &'e [Vec<ValidationError<'static>>],
    at: &[PathSegment],
) -> Option<&'e [ValidationError<'static>]> {
    let wrong_type = |branch: &[ValidationError<'static>]| {
        branch.iter().any(|error| {
            matches!(error.kind(), ValidationErrorKind::Type { .. }) && instance_path(error) == at
        })
    };
    context
        .iter()
        .filter(|branch| !branch.is_empty())
        .min_by_key(|branch| (wrong_type(branch), branch.len()))
        .map(Vec::as_slice)
}

fn instance_path(error: &ValidationError<'_>) -> Vec<PathSegment> {
    error
        .instance_path()
        .into_iter()
        .map(|segment| match segment {
            LocationSegment::Property(key) => PathSegment::Key(key.to_string()),
            LocationSegment::Index(index) => PathSegment::Index(index),
        })
        .collect()
}

fn range_for(document: &Node, path: &[PathSegment], kind: &SchemaErrorKind) -> TextRange {
    let Some(found) = document.lookup(path) else {
        return point(document, path);
    };
    match kind {
        // A missing property: the key of the object that lacks it, or its opening brace.
        SchemaErrorKind::Missing { .. } => found
            .member
            .map_or_else(|| first_char(found.node.range), |member| member.key_range),
        _ => found.node.range,
    }
}

/// The deepest node on `path` that exists, as a fallback location.
fn point(document: &Node, path: &[PathSegment]) -> TextRange {
    (0..=path.len())
        .rev()
        .find_map(|len| document.lookup(&path[..len]))
        .map_or_else(
            || first_char(document.range),
            |found| found.key_or_value_range(),
        )
}

fn first_char(range: TextRange) -> TextRange {
    let len = if range.is_empty() { 0 } else { 1 };
    TextRange::at(range.start(), TextSize::new(len))
}

/// How a path is named in messages: `settings.settings_bulk[0].type`.
pub fn display_path(path: &[PathSegment]) -> String {
    let mut out = String::new();
    for segment in path {
        match segment {
            PathSegment::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            PathSegment::Index(index) => out.push_str(&format!("[{index}]")),
        }
    }
    out
}

fn where_(path: &[PathSegment]) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!(" in `{}`", display_path(path))
    }
}

fn describe(
    document: &Node,
    path: &[PathSegment],
    error: &ValidationError<'_>,
) -> (String, SchemaErrorKind) {
    let subject = if path.is_empty() {
        "the document".to_string()
    } else {
        format!("`{}`", display_path(path))
    };
    let found = document
        .lookup(path)
        .map(|found| short_json(&found.node.to_json()))
        .unwrap_or_default();
    match error.kind() {
        ValidationErrorKind::Required { property } => {
            let property = property
                .as_str()
                .map_or_else(|| property.to_string(), str::to_string);
            (
                format!("missing required key `{property}`{}", where_(path)),
                SchemaErrorKind::Missing { property },
            )
        }
        ValidationErrorKind::Enum { options } => {
            let allowed: Vec<String> = options
                .as_array()
                .map(|items| items.iter().map(|item| item.to_string()).collect())
                .unwrap_or_default();
            (
                format!(
                    "{subject} must be one of {}; found {found}",
                    allowed.join(", ")
                ),
                SchemaErrorKind::NotAllowed { allowed },
            )
        }
        ValidationErrorKind::Constant { expected_value } => {
            let allowed = vec![expected_value.to_string()];
            (
                format!("{subject} must be {}; found {found}", allowed[0]),
                SchemaErrorKind::NotAllowed { allowed },
            )
        }
        ValidationErrorKind::Type { kind } => {
            let expected = type_names(kind);
            let actual = document
                .lookup(path)
                .map_or("value", |found| found.node.type_name());
            (
                format!("{subject} must be {expected}; found {actual} {found}"),
                SchemaErrorKind::WrongType { expected },
            )
        }
        ValidationErrorKind::Pattern { pattern } => (
            format!("{subject} must match `{pattern}`; found {found}"),
            SchemaErrorKind::Other,
        ),
        ValidationErrorKind::MinItems { limit } => (
            format!("{subject} must have at least {limit} item(s)"),
            SchemaErrorKind::Other,
        ),
        ValidationErrorKind::MinLength { limit } => (
            format!("{subject} must be at least {limit} character(s) long"),
            SchemaErrorKind::Other,
        ),
        _ => (format!("{subject}: {error}"), SchemaErrorKind::Other),
    }
}

fn type_names(kind: &jsonschema::error::TypeKind) -> String {
    use jsonschema::error::TypeKind;
    let name = |t: &jsonschema::JsonType| match t.to_string().as_str() {
        "object" => "an object".to_string(),
        "array" => "a list".to_string(),
        "integer" => "an integer".to_string(),
        other => format!("a {other}"),
    };
    match kind {
        TypeKind::Single(t) => name(t),
        TypeKind::Multiple(types) => {
            let names: Vec<String> = types.iter().map(|t| name(&t)).collect();
            names.join(" or ")
        }
    }
}

/// A value as JSON, cut to 60 characters.
fn short_json(value: &serde_json::Value) -> String {
    let text = value.to_string();
    if text.chars().count() <= 60 {
        return text;
    }
    let cut: String = text.chars().take(57).collect();
    format!("{cut}...")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::json;

    const SCHEMA: &str = r#"{
        "type": "object",
        "required": ["title", "type"],
        "additionalProperties": false,
        "properties": {
            "title": {"type": "string"},
            "type": {"enum": ["import", "custom"]},
            "meta": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
            "id": {"anyOf": [{"type": "string"}, {"type": "object", "required": ["x"]}]}
        }
    }"#;

    fn errors(text: &str) -> Vec<(String, String)> {
        let schema = Schema::compile(SCHEMA).unwrap();
        let document = json::parse(text).unwrap();
        schema
            .validate(&document)
            .into_iter()
            .map(|e| (text[e.range].to_string(), e.message))
            .collect()
    }

    #[test]
    fn missing_property_points_at_the_parent_key() {
        let found = errors(r#"{"title": "t", "type": "import", "meta": {}}"#);
        assert_eq!(
            found,
            vec![(
                "\"meta\"".into(),
                "missing required key `name` in `meta`".into()
            )]
        );
    }

    #[test]
    fn missing_at_the_root_points_at_the_brace() {
        let found = errors(r#"{"title": "t"}"#);
        assert_eq!(found[0].0, "{");
        assert!(found[0].1.contains("`type`"));
    }

    #[test]
    fn unexpected_property_points_at_its_key() {
        let found = errors(r#"{"title": "t", "type": "import", "tittle": 1}"#);
        assert_eq!(
            found,
            vec![("\"tittle\"".into(), "unknown key `tittle`".into())]
        );
    }

    #[test]
    fn enum_points_at_the_value() {
        let found = errors(r#"{"title": "t", "type": "impotr"}"#);
        assert_eq!(found[0].0, "\"impotr\"");
        assert!(
            found[0].1.contains("\"import\", \"custom\""),
            "{}",
            found[0].1
        );
    }

    #[test]
    fn any_of_keeps_the_closest_branch() {
        let found = errors(r#"{"title": "t", "type": "import", "id": {"y": 1}}"#);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "\"id\"");
    }
}
