//! Byte offsets ↔ LSP positions, in the negotiated encoding.
//!
//! The core reports byte ranges; LSP positions are `(line, character)` where `character`
//! counts UTF-16 code units by default, or UTF-8 bytes / UTF-32 code points when negotiated
//! (`positionEncoding`, LSP 3.17). Lines and wide characters come from [`line_index`].
//!
//! Every conversion is total: positions a client sends past the end of a line or of the
//! document are clamped to it, positions inside a multi-byte character or a surrogate pair
//! snap to the start of that character, and a position between `\r` and `\n` snaps before
//! the `\r`. Nothing here panics on any input.

use line_index::{LineCol, LineIndex, TextRange, TextSize, WideEncoding, WideLineCol};
use tower_lsp_server::ls_types::{Position, PositionEncodingKind, Range};

/// What an LSP `character` counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PositionEncoding {
    /// UTF-8 code units (bytes).
    Utf8,
    /// UTF-16 code units: the protocol's default, the only one every client supports.
    #[default]
    Utf16,
    /// Unicode code points.
    Utf32,
}

impl PositionEncoding {
    /// The encoding to use given what the client offers in `general.positionEncodings`:
    /// UTF-8 when offered (no conversion at all), else UTF-16 when offered or when nothing
    /// is offered (the default every server must support), else UTF-32.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Self {
        let Some(offered) = offered.filter(|offered| !offered.is_empty()) else {
            return PositionEncoding::Utf16;
        };
        let has = |kind: &PositionEncodingKind| offered.iter().any(|o| o == kind);
        if has(&PositionEncodingKind::UTF8) {
            PositionEncoding::Utf8
        } else if has(&PositionEncodingKind::UTF16) {
            PositionEncoding::Utf16
        } else if has(&PositionEncodingKind::UTF32) {
            PositionEncoding::Utf32
        } else {
            PositionEncoding::Utf16
        }
    }

    /// The value of `positionEncoding` in the server capabilities.
    pub fn kind(self) -> PositionEncodingKind {
        match self {
            PositionEncoding::Utf8 => PositionEncodingKind::UTF8,
            PositionEncoding::Utf16 => PositionEncodingKind::UTF16,
            PositionEncoding::Utf32 => PositionEncodingKind::UTF32,
        }
    }

    fn wide(self) -> Option<WideEncoding> {
        match self {
            PositionEncoding::Utf8 => None,
            PositionEncoding::Utf16 => Some(WideEncoding::Utf16),
            PositionEncoding::Utf32 => Some(WideEncoding::Utf32),
        }
    }
}

/// A text with its line index: everything a conversion needs.
#[derive(Clone, Copy, Debug)]
pub struct LineText<'a> {
    /// The document text.
    pub text: &'a str,
    /// `LineIndex::new(text)`.
    pub index: &'a LineIndex,
}

impl<'a> LineText<'a> {
    /// Pairs `text` with its index (which must have been built from `text`).
    pub fn new(text: &'a str, index: &'a LineIndex) -> Self {
        LineText { text, index }
    }

    fn len(&self) -> usize {
        self.text.len()
    }

    /// `offset` clamped to the text, moved down to a character boundary and out of the middle
    /// of a `\r\n` pair.
    fn snap(&self, offset: usize) -> usize {
        let mut offset = floor_char_boundary(self.text, offset.min(self.len()));
        let bytes = self.text.as_bytes();
        if offset > 0
            && offset < bytes.len()
            && bytes[offset - 1] == b'\r'
            && bytes[offset] == b'\n'
        {
            offset -= 1;
        }
        offset
    }

    /// The LSP position of a byte offset (clamped into the text).
    pub fn position(&self, offset: TextSize, encoding: PositionEncoding) -> Position {
        let offset = self.snap(usize::from(offset));
        let line_col = self
            .index
            .try_line_col(TextSize::new(offset as u32))
            .unwrap_or_else(|| self.index.line_col(self.index.len()));
        let character = match encoding.wide() {
            None => line_col.col,
            Some(wide) => match self.index.to_wide(wide, line_col) {
                Some(wide) => wide.col,
                None => {
                    let start = offset - line_col.col as usize;
                    wide.measure(&self.text[start..offset]) as u32
                }
            },
        };
        Position::new(line_col.line, character)
    }

    /// The byte offset of an LSP position. Out-of-range lines give the end of the text,
    /// out-of-range characters the end of the line (before its line break).
    pub fn offset(&self, position: Position, encoding: PositionEncoding) -> TextSize {
        let Some(line) = self.index.line(position.line) else {
            return TextSize::new(self.len() as u32);
        };
        let start = usize::from(line.start());
        // The line's range includes its line break (when it has one): stop before it.
        let mut end = usize::from(line.end()).min(self.len());
        let bytes = self.text.as_bytes();
        if end > start && bytes[end - 1] == b'\n' {
            end -= 1;
        }
        if end > start && bytes[end - 1] == b'\r' {
            end -= 1;
        }
        let col = match encoding.wide() {
            None => position.character as usize,
            Some(wide) => self
                .index
                .to_utf8(
                    wide,
                    WideLineCol {
                        line: position.line,
                        col: position.character,
                    },
                )
                .map_or(usize::MAX, |LineCol { col, .. }| col as usize),
        };
        let offset = start.saturating_add(col).min(end);
        TextSize::new(self.snap(offset) as u32)
    }

    /// The LSP range of a byte range (clamped; as is, possibly empty).
    pub fn range(&self, range: TextRange, encoding: PositionEncoding) -> Range {
        Range::new(
            self.position(range.start(), encoding),
            self.position(range.end(), encoding),
        )
    }

    /// The byte range of an LSP range; a reversed range is put in order.
    pub fn text_range(&self, range: Range, encoding: PositionEncoding) -> TextRange {
        let start = self.offset(range.start, encoding);
        let end = self.offset(range.end, encoding);
        TextRange::new(start.min(end), start.max(end))
    }

    /// A range to show a diagnostic on: `range` clamped into the text and, when empty, widened
    /// to one visible character (the one at the offset, else the one before it on the line,
    /// else the line break of an empty line, else the last visible character of the text).
    /// Editors disagree on where an empty range at the end of a file is (research 1.3-G).
    pub fn visible_range(&self, range: TextRange) -> TextRange {
        let start = self.snap(usize::from(range.start()));
        let end = self.snap(usize::from(range.end()));
        let (start, end) = (start.min(end), start.max(end));
        if start < end {
            return to_range(start, end);
        }
        let is_break = |c: char| c == '\n' || c == '\r';
        if let Some(c) = self.text[start..].chars().next()
            && !is_break(c)
        {
            return to_range(start, start + c.len_utf8());
        }
        if let Some(c) = self.text[..start].chars().next_back()
            && !is_break(c)
        {
            return to_range(start - c.len_utf8(), start);
        }
        if start < self.len() {
            let width = if self.text[start..].starts_with("\r\n") {
                2
            } else {
                1
            };
            return to_range(start, start + width);
        }
        // The end of a text that ends with line breaks: its last visible character.
        match self.text.char_indices().rev().find(|(_, c)| !is_break(*c)) {
            Some((at, c)) => to_range(at, at + c.len_utf8()),
            None => {
                let width = if self.text.starts_with("\r\n") {
                    2
                } else {
                    usize::from(!self.text.is_empty())
                };
                to_range(0, width)
            }
        }
    }
}

fn to_range(start: usize, end: usize) -> TextRange {
    TextRange::new(TextSize::new(start as u32), TextSize::new(end as u32))
}

/// The largest character boundary at or below `offset` (which must be `<= text.len()`).
fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    use PositionEncoding::{Utf8, Utf16, Utf32};

    fn pos(line: u32, character: u32) -> Position {
        Position::new(line, character)
    }

    fn at(offset: u32) -> TextSize {
        TextSize::new(offset)
    }

    /// Checks `offset → position → offset` for every character boundary, in every encoding.
    fn round_trips(text: &str) {
        let index = LineIndex::new(text);
        let lt = LineText::new(text, &index);
        for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
            if offset > 0 && text[..offset].ends_with('\r') && text[offset..].starts_with('\n') {
                continue;
            }
            for encoding in [Utf8, Utf16, Utf32] {
                let position = lt.position(at(offset as u32), encoding);
                assert_eq!(
                    lt.offset(position, encoding),
                    at(offset as u32),
                    "{text:?} offset {offset} {encoding:?} -> {position:?}"
                );
            }
        }
    }

    #[test]
    fn negotiation_prefers_utf8_and_defaults_to_utf16() {
        assert_eq!(PositionEncoding::negotiate(None), Utf16);
        assert_eq!(PositionEncoding::negotiate(Some(&[])), Utf16);
        let neovim = [
            PositionEncodingKind::UTF8,
            PositionEncodingKind::UTF16,
            PositionEncodingKind::UTF32,
        ];
        assert_eq!(PositionEncoding::negotiate(Some(&neovim)), Utf8);
        let emacs = [
            PositionEncodingKind::UTF32,
            PositionEncodingKind::UTF8,
            PositionEncodingKind::UTF16,
        ];
        assert_eq!(PositionEncoding::negotiate(Some(&emacs)), Utf8);
        assert_eq!(
            PositionEncoding::negotiate(Some(&[PositionEncodingKind::UTF16])),
            Utf16
        );
        assert_eq!(
            PositionEncoding::negotiate(Some(&[PositionEncodingKind::UTF32])),
            Utf32
        );
        assert_eq!(
            PositionEncoding::negotiate(Some(&[PositionEncodingKind::new("utf-7")])),
            Utf16
        );
    }

    #[test]
    fn multi_byte_characters() {
        // é is 2 bytes / 1 UTF-16 unit; 中 is 3 bytes / 1 unit.
        let text = "é中x\ny";
        let index = LineIndex::new(text);
        let lt = LineText::new(text, &index);
        let x = text.find('x').unwrap() as u32;
        assert_eq!(lt.position(at(x), Utf16), pos(0, 2));
        assert_eq!(lt.position(at(x), Utf32), pos(0, 2));
        assert_eq!(lt.position(at(x), Utf8), pos(0, 5));
        assert_eq!(lt.offset(pos(0, 2), Utf16), at(x));
        assert_eq!(lt.offset(pos(0, 5), Utf8), at(x));
        assert_eq!(lt.offset(pos(1, 0), Utf16), at(x + 2));
        round_trips(text);
    }

    #[test]
    fn surrogate_pairs() {
        // 😀 is 4 bytes, 2 UTF-16 units, 1 code point.
        let text = "a😀b";
        let index = LineIndex::new(text);
        let lt = LineText::new(text, &index);
        assert_eq!(lt.position(at(5), Utf16), pos(0, 3));
        assert_eq!(lt.position(at(5), Utf32), pos(0, 2));
        assert_eq!(lt.position(at(5), Utf8), pos(0, 5));
        assert_eq!(lt.offset(pos(0, 3), Utf16), at(5));
        assert_eq!(lt.offset(pos(0, 2), Utf32), at(5));
        // Inside the pair (UTF-16) or inside the bytes (UTF-8): the start of the character.
        assert_eq!(lt.offset(pos(0, 2), Utf16), at(1));
        assert_eq!(lt.offset(pos(0, 3), Utf8), at(1));
        // An offset inside the character (from a careless rule) snaps down too.
        assert_eq!(lt.position(at(3), Utf16), pos(0, 1));
        round_trips(text);
        round_trips("😀😀\n😀x😀\n");
    }

    #[test]
    fn crlf_line_breaks() {
        let text = "ab\r\ncd\r\n";
        let index = LineIndex::new(text);
        let lt = LineText::new(text, &index);
        assert_eq!(lt.position(at(4), Utf16), pos(1, 0));
        assert_eq!(lt.position(at(2), Utf16), pos(0, 2));
        // Between \r and \n: before the \r.
        assert_eq!(lt.position(at(3), Utf16), pos(0, 2));
        // Past the end of a line: the end of its content, not its \r.
        assert_eq!(lt.offset(pos(0, 99), Utf16), at(2));
        assert_eq!(lt.offset(pos(1, 2), Utf16), at(6));
        assert_eq!(lt.offset(pos(2, 0), Utf16), at(8));
        round_trips(text);
    }

    #[test]
    fn out_of_range_positions_clamp() {
        let text = "one\ntwo";
        let index = LineIndex::new(text);
        let lt = LineText::new(text, &index);
        assert_eq!(lt.offset(pos(0, 100), Utf16), at(3));
        assert_eq!(lt.offset(pos(1, u32::MAX), Utf16), at(7));
        assert_eq!(lt.offset(pos(1, u32::MAX), Utf8), at(7));
        assert_eq!(lt.offset(pos(50, 0), Utf16), at(7));
        assert_eq!(lt.offset(pos(u32::MAX, u32::MAX), Utf32), at(7));
        assert_eq!(lt.position(at(1000), Utf16), pos(1, 3));
        // Reversed ranges are put in order.
        let range = Range::new(pos(1, 1), pos(0, 1));
        assert_eq!(lt.text_range(range, Utf16), TextRange::new(at(1), at(5)));
        let empty = "";
        let index = LineIndex::new(empty);
        let lt = LineText::new(empty, &index);
        assert_eq!(lt.offset(pos(3, 3), Utf16), at(0));
        assert_eq!(lt.position(at(3), Utf16), pos(0, 0));
    }

    #[test]
    fn visible_ranges_are_non_empty_and_inside() {
        let text = "ab\n\nc\n";
        let index = LineIndex::new(text);
        let lt = LineText::new(text, &index);
        let range = |s: u32, e: u32| TextRange::new(at(s), at(e));
        // Non-empty ranges stay.
        assert_eq!(lt.visible_range(range(0, 2)), range(0, 2));
        // Empty at a character: that character.
        assert_eq!(lt.visible_range(range(1, 1)), range(1, 2));
        // Empty at the end of a line: the character before.
        assert_eq!(lt.visible_range(range(2, 2)), range(1, 2));
        // Empty line: its line break.
        assert_eq!(lt.visible_range(range(3, 3)), range(3, 4));
        // End of file after a final newline: the last visible character.
        assert_eq!(lt.visible_range(range(6, 6)), range(4, 5));
        // Out of range: clamped, then widened.
        assert_eq!(lt.visible_range(range(60, 90)), range(4, 5));
        let crlf = "x\r\n\r\n";
        let index = LineIndex::new(crlf);
        let lt = LineText::new(crlf, &index);
        assert_eq!(lt.visible_range(range(3, 3)), range(3, 5));
        let blank = "\n\n";
        let index = LineIndex::new(blank);
        let lt = LineText::new(blank, &index);
        assert_eq!(lt.visible_range(range(2, 2)), range(0, 1));
        let empty = "";
        let index = LineIndex::new(empty);
        let lt = LineText::new(empty, &index);
        assert_eq!(lt.visible_range(range(0, 0)), range(0, 0));
    }
}
