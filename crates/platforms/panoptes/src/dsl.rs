//! The Panoptes resource DSL (`PanoptesResourceDSL._parse_query`,
//! `yahoo_panoptes/framework/resources.py`), re-implemented as the pyparsing grammar reads it:
//!
//! ```text
//! expression := condition (("AND" | "OR") condition)*  END
//! condition  := lval ("=" | "!=" | "eq" | "ne") quoted
//!             | lval ["NOT"] "LIKE" quoted
//!             | lval ["NOT"] "IN" "(" quoted ("," quoted)* ")"
//! lval       := one of the six resource fields (caseless literal, so a prefix match)
//!             | "resource_metadata" "." word      (caseless; word = [A-Za-z0-9_]+)
//! quoted     := '"' ( [^"\n\r\\] | '\' any-but-newline )* '"'
//! ```
//!
//! Keywords are caseless and must not touch identifier characters (`[A-Za-z0-9_$]`); operators
//! are caseless literals (`eq` matches the start of `equals`). Whitespace (space, tab, CR, LF)
//! may separate every token. Errors report the furthest position reached, as pyparsing does.

/// Why a filter does not parse: byte range of the offending token and what was expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DslError {
    pub start: usize,
    pub end: usize,
    pub message: String,
}

const FIELDS: [&str; 6] = [
    "resource_site",
    "resource_class",
    "resource_subclass",
    "resource_type",
    "resource_id",
    "resource_endpoint",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expected {
    Field,
    MetadataDot,
    MetadataWord,
    Operator,
    LikeOrIn,
    Quoted,
    Unterminated,
    OpenParen,
    CommaOrClose,
    AndOrEnd,
}

#[derive(Clone, Copy, Debug)]
struct Failure {
    pos: usize,
    expected: Expected,
}

type Step = Result<usize, Failure>;

struct Parser<'a> {
    s: &'a str,
}

fn fail(pos: usize, expected: Expected) -> Failure {
    Failure { pos, expected }
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '$'
}

fn furthest(a: Failure, b: Failure) -> Failure {
    if b.pos > a.pos { b } else { a }
}

impl Parser<'_> {
    fn skip(&self, mut pos: usize) -> usize {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.s.as_bytes().get(pos) {
            pos += 1;
        }
        pos
    }

    fn caseless(&self, pos: usize, literal: &str) -> Option<usize> {
        let end = pos + literal.len();
        let found = self.s.get(pos..end)?;
        found.eq_ignore_ascii_case(literal).then_some(end)
    }

    fn keyword(&self, pos: usize, word: &str) -> Option<usize> {
        let end = self.caseless(pos, word)?;
        let after = self.s[end..].chars().next().is_some_and(is_ident);
        let before = self.s[..pos].chars().next_back().is_some_and(is_ident);
        (!after && !before).then_some(end)
    }

    fn lval(&self, pos: usize) -> Step {
        let p = self.skip(pos);
        if let Some(end) = FIELDS.iter().find_map(|f| self.caseless(p, f)) {
            return Ok(end);
        }
        let Some(end) = self.caseless(p, "resource_metadata") else {
            return Err(fail(p, Expected::Field));
        };
        let dot = self.skip(end);
        if self.s.as_bytes().get(dot) != Some(&b'.') {
            return Err(fail(dot, Expected::MetadataDot));
        }
        let word = self.skip(dot + 1);
        let len = self.s[word..]
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        if len == 0 {
            return Err(fail(word, Expected::MetadataWord));
        }
        Ok(word + len)
    }

    fn quoted(&self, pos: usize) -> Step {
        let p = self.skip(pos);
        if self.s.as_bytes().get(p) != Some(&b'"') {
            return Err(fail(p, Expected::Quoted));
        }
        let mut chars = self.s[p + 1..].char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => return Ok(p + 1 + i + 1),
                '\n' | '\r' => break,
                '\\' => match chars.next() {
                    Some((_, '\n')) | None => break,
                    Some(_) => {}
                },
                _ => {}
            }
        }
        Err(fail(p, Expected::Unterminated))
    }

    fn operator(&self, l: usize) -> Step {
        let p = self.skip(l);
        let end = ["!=", "=", "eq", "ne"]
            .iter()
            .find_map(|op| self.caseless(p, op))
            .ok_or(fail(p, Expected::Operator))?;
        self.quoted(end)
    }

    /// `["NOT"] word`, the end of `word`.
    fn not_then(&self, l: usize, word: &str) -> Step {
        let mut p = self.skip(l);
        let mut negated = false;
        if let Some(end) = self.keyword(p, "NOT") {
            p = self.skip(end);
            negated = true;
        }
        self.keyword(p, word).ok_or(fail(
            p,
            if negated {
                Expected::LikeOrIn
            } else {
                Expected::Operator
            },
        ))
    }

    fn like(&self, l: usize) -> Step {
        let end = self.not_then(l, "LIKE")?;
        self.quoted(end)
    }

    fn in_list(&self, l: usize) -> Step {
        let end = self.not_then(l, "IN")?;
        let open = self.skip(end);
        if self.s.as_bytes().get(open) != Some(&b'(') {
            return Err(fail(open, Expected::OpenParen));
        }
        let mut pos = self.quoted(open + 1)?;
        loop {
            let p = self.skip(pos);
            match self.s.as_bytes().get(p) {
                Some(b',') => pos = self.quoted(p + 1)?,
                Some(b')') => return Ok(p + 1),
                _ => return Err(fail(p, Expected::CommaOrClose)),
            }
        }
    }

    fn condition(&self, pos: usize) -> Step {
        let l = self.lval(pos)?;
        let a = match self.operator(l) {
            Ok(end) => return Ok(end),
            Err(e) => e,
        };
        let b = match self.like(l) {
            Ok(end) => return Ok(end),
            Err(e) => e,
        };
        let c = match self.in_list(l) {
            Ok(end) => return Ok(end),
            Err(e) => e,
        };
        Err(furthest(furthest(a, b), c))
    }

    fn expression(&self) -> Step {
        let mut pos = self.condition(0)?;
        loop {
            let p = self.skip(pos);
            let joined = self.keyword(p, "AND").or_else(|| self.keyword(p, "OR"));
            match joined {
                Some(end) => pos = self.condition(end)?,
                None if p >= self.s.len() => return Ok(p),
                None => return Err(fail(p, Expected::AndOrEnd)),
            }
        }
    }
}

/// Parses a resource filter.
pub(crate) fn parse(filter: &str) -> Result<(), DslError> {
    let parser = Parser { s: filter };
    parser.expression().map(|_| ()).map_err(|failure| {
        let pos = failure.pos.min(filter.len());
        let token: &str = filter[pos..]
            .split(|c: char| c.is_whitespace())
            .next()
            .unwrap_or("");
        let token = if token.is_empty() {
            filter[pos..].chars().next().map_or("", |c| &filter[pos..pos + c.len_utf8()])
        } else {
            token
        };
        let found = if token.is_empty() {
            "the end of the filter".to_string()
        } else {
            format!("`{token}`")
        };
        let message = match failure.expected {
            Expected::Field if token.starts_with('(') => {
                "grouping with parentheses is not supported".to_string()
            }
            Expected::Field => format!(
                "expected a resource field (`resource_site`, `resource_class`, `resource_subclass`, `resource_type`, `resource_id`, `resource_endpoint` or `resource_metadata.<key>`), found {found}"
            ),
            Expected::MetadataDot | Expected::MetadataWord => {
                format!("expected `.<key>` after `resource_metadata`, found {found}")
            }
            Expected::Operator => format!(
                "expected an operator (`=`, `!=`, `eq`, `ne`, `LIKE`, `NOT LIKE`, `IN (...)`, `NOT IN (...)`), found {found}"
            ),
            Expected::LikeOrIn => format!("expected `LIKE` or `IN` after `NOT`, found {found}"),
            Expected::Quoted if token.starts_with('\'') => format!(
                "values must be double-quoted: single quotes do not parse (found {found})"
            ),
            Expected::Quoted => format!("expected a double-quoted value, found {found}"),
            Expected::Unterminated => {
                "unterminated double-quoted value (it must close on the same line)".to_string()
            }
            Expected::OpenParen => format!("expected `(` after `IN`, found {found}"),
            Expected::CommaOrClose => {
                format!("expected `,` or `)` in the `IN (...)` list, found {found}")
            }
            Expected::AndOrEnd if token.starts_with(')') || token.starts_with('(') => {
                "grouping with parentheses is not supported".to_string()
            }
            Expected::AndOrEnd => {
                format!("expected `AND`, `OR` or the end of the filter, found {found}")
            }
        };
        let end = match failure.expected {
            Expected::Unterminated => filter[pos..]
                .find(['\n', '\r'])
                .map_or(filter.len(), |i| pos + i),
            _ => pos + token.len(),
        };
        DslError {
            start: pos,
            end: end.max(pos),
            message,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::parse;
    use proptest::prelude::*;

    #[test]
    fn accepts_the_grammar() {
        for ok in [
            r#"resource_class = "network""#,
            r#"resource_class = "network" AND resource_type = "cisco" AND resource_metadata.model LIKE "asr%""#,
            r#"RESOURCE_SITE NOT IN ("dc1", "dc2") or resource_id != "x\"y""#,
            "resource_class eq \"a\"\nAND resource_endpoint ne \"b\"",
            r#"resource_metadata . os_name NOT LIKE "x""#,
        ] {
            assert_eq!(parse(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn rejects_with_the_offending_token() {
        let cases = [
            (
                r#"resource_class = 'network'"#,
                "'network'",
                "single quotes",
            ),
            (
                r#"(resource_class = "a")"#,
                "(resource_class",
                "parentheses",
            ),
            (
                r#"resource_klass = "a""#,
                "resource_klass",
                "resource field",
            ),
            (r#"resource_class == "a""#, "=", "double-quoted"),
            (
                r#"resource_class = "a" resource_id = "b""#,
                "resource_id",
                "AND",
            ),
            (r#"resource_class = "a"#, "\"a", "unterminated"),
            (r#"resource_class NOT = "a""#, "=", "LIKE"),
        ];
        for (filter, token, words) in cases {
            let error = parse(filter).unwrap_err();
            assert_eq!(&filter[error.start..error.end], token, "{filter}");
            assert!(error.message.contains(words), "{filter}: {}", error.message);
        }
    }

    proptest! {
        #[test]
        fn never_panics(filter in "(\\PC|[\"'()=!, \\\\\n]|resource_|AND |NOT |IN )*") {
            if let Err(error) = parse(&filter) {
                prop_assert!(filter.get(error.start..error.end).is_some());
            }
        }
    }
}
