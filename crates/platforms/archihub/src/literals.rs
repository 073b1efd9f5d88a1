//! Python literal tokens (strings, integers, floats) decoded the way CPython's tokenizer does,
//! from their source text. Never panics: a malformed token decodes to something, the syntax
//! checker (PLG001) reports the file anyway.

/// A decoded string token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StrToken {
    /// The prefix letters, lower-cased (`""`, `"r"`, `"b"`, `"rb"`, `"f"`, `"u"`, ...).
    pub prefix: String,
    /// The decoded body (bytes literals keep their characters as written, escapes decoded to
    /// code points).
    pub value: String,
}

impl StrToken {
    /// An f-string (or a 3.14 t-string): `ast.JoinedStr`/`ast.TemplateStr`, never a constant.
    pub fn is_formatted(&self) -> bool {
        self.prefix.contains('f') || self.prefix.contains('t')
    }

    /// A `b'...'` literal.
    pub fn is_bytes(&self) -> bool {
        self.prefix.contains('b')
    }
}

/// Decodes one string token such as `r'a\d'`, `"""x"""`, `b"\x00"`.
pub fn decode_string(text: &str) -> StrToken {
    let prefix_len = text
        .char_indices()
        .find(|(_, ch)| {
            !matches!(
                ch,
                'r' | 'R' | 'b' | 'B' | 'u' | 'U' | 'f' | 'F' | 't' | 'T'
            )
        })
        .map_or(text.len(), |(index, _)| index);
    let prefix = text.get(..prefix_len).unwrap_or("").to_ascii_lowercase();
    let rest = text.get(prefix_len..).unwrap_or("");
    let quote = ["\"\"\"", "'''", "\"", "'"]
        .into_iter()
        .find(|quote| rest.starts_with(quote))
        .unwrap_or("");
    let body = rest.strip_prefix(quote).unwrap_or(rest);
    let body = if !quote.is_empty() && body.len() >= quote.len() && body.ends_with(quote) {
        body.get(..body.len() - quote.len()).unwrap_or(body)
    } else {
        body
    };
    let value = if prefix.contains('r') {
        body.to_string()
    } else {
        unescape(body, prefix.contains('b'))
    };
    StrToken { prefix, value }
}

fn unescape(body: &str, bytes: bool) -> String {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(ch) = chars.next() {
        if ch != '\\' {
            out.push(ch);
            continue;
        }
        let Some(next) = chars.next() else {
            out.push('\\');
            break;
        };
        match next {
            '\n' => {}
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
            }
            '\\' => out.push('\\'),
            '\'' => out.push('\''),
            '"' => out.push('"'),
            'a' => out.push('\u{7}'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\u{b}'),
            '0'..='7' => {
                let mut value = next.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match chars.peek().and_then(|c| c.to_digit(8)) {
                        Some(digit) => {
                            value = value * 8 + digit;
                            chars.next();
                        }
                        None => break,
                    }
                }
                out.push(char::from_u32(value).unwrap_or('\u{fffd}'));
            }
            'x' => push_hex(&mut out, &mut chars, 2, 'x'),
            'u' if !bytes => push_hex(&mut out, &mut chars, 4, 'u'),
            'U' if !bytes => push_hex(&mut out, &mut chars, 8, 'U'),
            other => {
                // Unknown escapes (`\d`, `\N{...}` which needs the Unicode name table) stay
                // as written, backslash included.
                out.push('\\');
                out.push(other);
            }
        }
    }
    out
}

fn push_hex(
    out: &mut String,
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    digits: usize,
    letter: char,
) {
    let mut taken = String::new();
    for _ in 0..digits {
        match chars.peek() {
            Some(c) if c.is_ascii_hexdigit() => {
                taken.push(*c);
                chars.next();
            }
            _ => break,
        }
    }
    match u32::from_str_radix(&taken, 16) {
        Ok(value) if taken.len() == digits => {
            out.push(char::from_u32(value).unwrap_or('\u{fffd}'));
        }
        _ => {
            out.push('\\');
            out.push(letter);
            out.push_str(&taken);
        }
    }
}

/// A decoded number token.
#[derive(Clone, Debug, PartialEq)]
pub enum NumberToken {
    Int(i128),
    /// An integer too large for `i128`, as its decimal digits (or the token when not decimal).
    BigInt(String),
    Float(f64),
    /// `1j`, `2.5J`: a complex constant, kept as written.
    Complex(String),
}

/// Decodes an `integer` or `float` token: `0x1F`, `1_000`, `1e3`, `.5`, `3j`.
pub fn decode_number(text: &str) -> NumberToken {
    let clean: String = text.chars().filter(|ch| *ch != '_').collect();
    if clean.ends_with(['j', 'J']) {
        return NumberToken::Complex(text.to_string());
    }
    let clean = clean.trim_end_matches(['l', 'L']);
    let lower = clean.to_ascii_lowercase();
    let radix = [("0x", 16), ("0o", 8), ("0b", 2)]
        .into_iter()
        .find(|(prefix, _)| lower.starts_with(prefix));
    if let Some((prefix, radix)) = radix {
        let digits = lower.get(prefix.len()..).unwrap_or("");
        return match i128::from_str_radix(digits, radix) {
            Ok(value) => NumberToken::Int(value),
            Err(_) => NumberToken::BigInt(text.to_string()),
        };
    }
    if lower.chars().all(|ch| ch.is_ascii_digit()) && !lower.is_empty() {
        return match lower.parse::<i128>() {
            Ok(value) => NumberToken::Int(value),
            Err(_) => NumberToken::BigInt(lower.to_string()),
        };
    }
    match lower.parse::<f64>() {
        Ok(value) => NumberToken::Float(value),
        Err(_) => NumberToken::BigInt(text.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_decode_like_cpython() {
        assert_eq!(decode_string("'a\\nb'").value, "a\nb");
        assert_eq!(decode_string("r'a\\nb'").value, "a\\nb");
        assert_eq!(decode_string("\"\"\"x\"y\"\"\"").value, "x\"y");
        assert_eq!(decode_string("'\\u00e9\\x41\\101'").value, "éAA");
        assert_eq!(decode_string("'\\d'").value, "\\d");
        assert!(decode_string("F'x'").is_formatted());
        assert!(decode_string("Rb'x'").is_bytes());
        assert_eq!(decode_string("'").value, "");
        assert_eq!(decode_string("'\\").value, "\\");
    }

    #[test]
    fn numbers_decode() {
        assert_eq!(decode_number("1_000"), NumberToken::Int(1000));
        assert_eq!(decode_number("0x1F"), NumberToken::Int(31));
        assert_eq!(decode_number("1e3"), NumberToken::Float(1000.0));
        assert_eq!(decode_number(".5"), NumberToken::Float(0.5));
        assert!(matches!(decode_number("3j"), NumberToken::Complex(_)));
        assert!(matches!(
            decode_number("1000000000000000000000000000000000000000000"),
            NumberToken::BigInt(_)
        ));
    }
}
