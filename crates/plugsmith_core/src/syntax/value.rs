//! The span-carrying value tree that every manifest format becomes (JSON, YAML, TOML, Python
//! dict literals), so that one schema validator and one pointer→range index serve them all.

use text_size::TextRange;

/// A value with the byte range of its source text.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    /// The whole value: `{...}`, `"text"`, `12`.
    pub range: TextRange,
}

/// One `key: value` member of an object, in source order (duplicates kept).
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub key: String,
    /// The key as written (with its quotes, if any).
    pub key_range: TextRange,
    pub value: Node,
}

/// A JSON-like value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<Node>),
    Object(Vec<Member>),
}

impl Node {
    pub fn new(value: Value, range: TextRange) -> Self {
        Node { value, range }
    }

    /// The member `key` of an object (the last one, as JSON parsers keep it).
    pub fn get(&self, key: &str) -> Option<&Member> {
        match &self.value {
            Value::Object(members) => members.iter().rev().find(|member| member.key == key),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(text) => Some(text),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    pub fn as_array(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The members, if this is an object.
    pub fn as_object(&self) -> Option<&[Member]> {
        match &self.value {
            Value::Object(members) => Some(members),
            _ => None,
        }
    }

    /// The plain JSON value (last duplicate key wins), for schema validation.
    pub fn to_json(&self) -> serde_json::Value {
        match &self.value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => serde_json::Value::Number(n.clone()),
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::Array(items) => {
                serde_json::Value::Array(items.iter().map(Node::to_json).collect())
            }
            Value::Object(members) => {
                let mut map = serde_json::Map::new();
                for member in members {
                    map.insert(member.key.clone(), member.value.to_json());
                }
                serde_json::Value::Object(map)
            }
        }
    }

    /// The node at a JSON-pointer-like path of property names and indices, with the member
    /// whose value it is (for its key range). `None` when the path leaves the tree.
    pub fn lookup<'a>(&'a self, path: &[PathSegment]) -> Option<Located<'a>> {
        let mut here = Located {
            node: self,
            member: None,
        };
        for segment in path {
            here = match (segment, &here.node.value) {
                (PathSegment::Key(key), Value::Object(_)) => {
                    let member = here.node.get(key)?;
                    Located {
                        node: &member.value,
                        member: Some(member),
                    }
                }
                (PathSegment::Index(index), Value::Array(items)) => Located {
                    node: items.get(*index)?,
                    member: None,
                },
                _ => return None,
            };
        }
        Some(here)
    }

    /// The name of the value's JSON type, as schema messages say it.
    pub fn type_name(&self) -> &'static str {
        match &self.value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }
}

/// A step into a value tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathSegment {
    Key(String),
    Index(usize),
}

/// A node found by [`Node::lookup`], with the member it is the value of (none for the root
/// and array elements).
#[derive(Clone, Copy, Debug)]
pub struct Located<'a> {
    pub node: &'a Node,
    pub member: Option<&'a Member>,
}

impl Located<'_> {
    /// The key when there is one, else the value: where "this property is wrong" points.
    pub fn key_or_value_range(&self) -> TextRange {
        self.member
            .map_or(self.node.range, |member| member.key_range)
    }
}
