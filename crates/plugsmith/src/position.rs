//! Byte offsets to what people read: 1-based rows and 1-based columns counted in characters
//! (Unicode scalar values), as ruff prints them.
//!
//! Diagnostics carry byte ranges into a file's text. Every conversion here clamps: an offset past
//! the end becomes the end, an offset inside a multi-byte character moves back to the start of
//! that character. A bad range from a rule never panics the CLI.

use std::ops::Range;

use line_index::LineIndex;
use plugsmith_core::{TextRange, TextSize};
use serde::Serialize;

/// A 1-based row and a 1-based column in characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Position {
    /// Line number, from 1.
    pub row: usize,
    /// Character (not byte) on that line, from 1.
    pub column: usize,
}

/// A file's text with its line index, ready to convert offsets.
pub struct SourceText {
    text: std::sync::Arc<str>,
    index: LineIndex,
}

impl SourceText {
    /// Indexes `text`.
    pub fn new(text: std::sync::Arc<str>) -> Self {
        let index = LineIndex::new(&text);
        SourceText { text, index }
    }

    /// The whole text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// `offset` moved into the text and back onto a character boundary.
    pub fn clamp(&self, offset: TextSize) -> usize {
        let mut offset = usize::from(offset).min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }

    /// `range` as a clamped byte range (start never after end).
    pub fn clamp_range(&self, range: TextRange) -> Range<usize> {
        let start = self.clamp(range.start());
        let end = self.clamp(range.end()).max(start);
        start..end
    }

    /// The row and character column of a byte offset.
    pub fn position(&self, offset: TextSize) -> Position {
        let offset = self.clamp(offset);
        let line_col = self
            .index
            .try_line_col(text_size(offset))
            .unwrap_or(line_index::LineCol { line: 0, col: 0 });
        let line_start = offset - line_col.col as usize;
        let column = self.text[line_start..offset].chars().count() + 1;
        Position {
            row: line_col.line as usize + 1,
            column,
        }
    }

    /// The positions of the start and end of `range`.
    pub fn range(&self, range: TextRange) -> (Position, Position) {
        (self.position(range.start()), self.position(range.end()))
    }

    /// The 0-based line of a (clamped) byte offset.
    fn line_of(&self, offset: usize) -> u32 {
        self.index
            .try_line_col(text_size(offset))
            .map_or(0, |line_col| line_col.line)
    }

    /// The smallest run of whole lines covering every range, without the last line's line
    /// break: `(byte range of the lines, 1-based row of the first line)`. Renderers show this
    /// window instead of the whole file, so that many diagnostics in a long file stay cheap.
    pub fn window(&self, ranges: &[Range<usize>]) -> (Range<usize>, usize) {
        let start = ranges.iter().map(|r| r.start).min().unwrap_or(0);
        let end = ranges.iter().map(|r| r.end).max().unwrap_or(0).max(start);
        let first_line = self.line_of(start);
        // A range that ends just after a line break ends on that line, not the next.
        let last_line = if end > start {
            let mut before_end = end - 1;
            while !self.text.is_char_boundary(before_end) {
                before_end -= 1;
            }
            self.line_of(before_end)
        } else {
            first_line
        };
        let window_start = self
            .index
            .line(first_line)
            .map_or(0, |line| usize::from(line.start()));
        let window_end = self
            .index
            .line(last_line)
            .map_or(self.text.len(), |line| usize::from(line.end()))
            .max(end);
        let line_text = &self.text[window_start..window_end];
        let trimmed = line_text
            .strip_suffix("\r\n")
            .or_else(|| line_text.strip_suffix('\n'))
            .unwrap_or(line_text);
        // Keep a range that ends after the line break (it underlines the break itself).
        let window_end = (window_start + trimmed.len()).max(end);
        (window_start..window_end, first_line as usize + 1)
    }
}

fn text_size(offset: usize) -> TextSize {
    TextSize::new(u32::try_from(offset).unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(text: &str) -> SourceText {
        SourceText::new(text.into())
    }

    fn at(row: usize, column: usize) -> Position {
        Position { row, column }
    }

    #[test]
    fn rows_and_columns_are_one_based() {
        let s = source("ab\ncd\n");
        assert_eq!(s.position(0.into()), at(1, 1));
        assert_eq!(s.position(1.into()), at(1, 2));
        assert_eq!(s.position(2.into()), at(1, 3));
        assert_eq!(s.position(3.into()), at(2, 1));
        assert_eq!(s.position(6.into()), at(3, 1));
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        // "é" is 2 bytes, "日" 3, "😀" 4 (2 UTF-16 units): each is one column.
        let s = source("x = \"é日😀\" + y\n");
        let y = s.text().find('y').unwrap();
        assert_eq!(y, 18);
        assert_eq!(s.position(TextSize::new(y as u32)), at(1, 13));
        let second = source("é\n日本 z");
        let z = second.text().find('z').unwrap();
        assert_eq!(second.position(TextSize::new(z as u32)), at(2, 4));
    }

    #[test]
    fn offsets_are_clamped_never_panic() {
        let s = source("é\n");
        // Inside "é": back to its start.
        assert_eq!(s.position(1.into()), at(1, 1));
        // Past the end: the end.
        assert_eq!(s.position(100.into()), at(2, 1));
        assert_eq!(s.clamp_range(TextRange::new(1.into(), 100.into())), 0..3);
        let empty = source("");
        assert_eq!(empty.position(5.into()), at(1, 1));
    }

    #[test]
    #[allow(clippy::single_range_in_vec_init)]
    fn crlf_line_breaks() {
        let s = source("a\r\nbc\r\n");
        assert_eq!(s.position(4.into()), at(2, 2));
        assert_eq!(s.window(&[3..5]), (3..5, 2));
    }

    #[test]
    #[allow(clippy::single_range_in_vec_init)]
    fn window_covers_whole_lines() {
        let s = source("one\ntwo\nthree\nfour\n");
        assert_eq!(s.window(&[5..6]), (4..7, 2));
        assert_eq!(s.window(&[5..6, 9..10]), (4..13, 2));
        // A range ending on a line break keeps it.
        assert_eq!(s.window(&[4..8]), (4..8, 2));
        // An empty range at the very end.
        assert_eq!(s.window(&[19..19]), (19..19, 5));
    }
}
