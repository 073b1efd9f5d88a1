//! An open document: its URI as the client spells it, its version, its text and line index.

use std::sync::Arc;

use line_index::LineIndex;
use plugsmith_core::{TextChange, TextRange, TextSize};
use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};

use crate::position::{LineText, PositionEncoding};

/// A document the editor has open. The text is shared (`Arc`) with the file system overlay,
/// so the analysis can tell whether the text it checked is still the current version.
#[derive(Clone, Debug)]
pub struct Document {
    /// The URI exactly as the client sent it (diagnostics are published under it).
    pub uri: Uri,
    /// The client's version number of the current text.
    pub version: i32,
    text: Arc<str>,
    index: Arc<LineIndex>,
}

impl Document {
    /// A document as opened by `textDocument/didOpen`.
    pub fn new(uri: Uri, version: i32, text: String) -> Self {
        let index = Arc::new(LineIndex::new(&text));
        Document {
            uri,
            version,
            text: Arc::from(text),
            index,
        }
    }

    /// The current text.
    pub fn text(&self) -> &Arc<str> {
        &self.text
    }

    /// The line index of the current text.
    pub fn index(&self) -> &Arc<LineIndex> {
        &self.index
    }

    /// The text with its index, for position conversion.
    pub fn line_text(&self) -> LineText<'_> {
        LineText::new(&self.text, &self.index)
    }

    /// Applies `textDocument/didChange` content changes in order (each range refers to the
    /// text left by the previous change) and sets the new version. A change without a range
    /// replaces the whole text. Ranges are clamped into the text, never rejected.
    ///
    /// Returns the same changes in bytes (each in the coordinates of the text before it), for
    /// the workspace to re-parse incrementally.
    pub fn apply_changes(
        &mut self,
        changes: Vec<TextDocumentContentChangeEvent>,
        version: i32,
        encoding: PositionEncoding,
    ) -> Vec<TextChange> {
        let mut text: Option<String> = None;
        let mut index_current = true;
        let mut byte_changes = Vec::with_capacity(changes.len());
        for change in changes {
            match change.range {
                None => {
                    let old_len = text.as_ref().map_or(self.text.len(), String::len);
                    byte_changes.push(TextChange {
                        range: TextRange::up_to(TextSize::new(old_len as u32)),
                        new_text: change.text.clone(),
                    });
                    text = Some(change.text);
                    index_current = false;
                }
                Some(range) => {
                    let current = text.get_or_insert_with(|| self.text.to_string());
                    if !index_current {
                        self.index = Arc::new(LineIndex::new(current));
                    }
                    let byte_range =
                        LineText::new(current, &self.index).text_range(range, encoding);
                    current.replace_range(
                        usize::from(byte_range.start())..usize::from(byte_range.end()),
                        &change.text,
                    );
                    byte_changes.push(TextChange {
                        range: byte_range,
                        new_text: change.text,
                    });
                    index_current = false;
                }
            }
        }
        if let Some(text) = text {
            if !index_current {
                self.index = Arc::new(LineIndex::new(&text));
            }
            self.text = Arc::from(text);
        }
        self.version = version;
        byte_changes
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use tower_lsp_server::ls_types::{Position, Range};

    use super::*;

    fn change(
        range: Option<((u32, u32), (u32, u32))>,
        text: &str,
    ) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: range.map(|((l0, c0), (l1, c1))| {
                Range::new(Position::new(l0, c0), Position::new(l1, c1))
            }),
            range_length: None,
            text: text.to_string(),
        }
    }

    fn doc(text: &str) -> Document {
        Document::new(
            Uri::from_str("file:///x/a.py").unwrap(),
            1,
            text.to_string(),
        )
    }

    #[test]
    fn incremental_edits_apply_in_order() {
        let mut d = doc("hello\nworld\n");
        d.apply_changes(
            vec![
                // "hello" -> "help"
                change(Some(((0, 3), (0, 5))), "p"),
                // refers to the text after the first change: insert at the start of line 2
                change(Some(((1, 0), (1, 0))), "big "),
                // delete across the line break
                change(Some(((0, 4), (1, 0))), " "),
            ],
            2,
            PositionEncoding::Utf16,
        );
        assert_eq!(&**d.text(), "help big world\n");
        assert_eq!(d.version, 2);
        // The index follows the text.
        assert_eq!(
            d.line_text().position(5.into(), PositionEncoding::Utf16),
            Position::new(0, 5)
        );
        assert_eq!(d.index().line(1).map(|r| u32::from(r.start())), Some(15));
    }

    #[test]
    fn utf16_ranges_after_surrogate_pairs() {
        let mut d = doc("x = '😀'\n");
        // UTF-16: 😀 is columns 5..7; replace the closing quote at 7..8.
        d.apply_changes(
            vec![change(Some(((0, 7), (0, 8))), "\"")],
            2,
            PositionEncoding::Utf16,
        );
        assert_eq!(&**d.text(), "x = '😀\"\n");
        // UTF-8: the same character is bytes 5..9.
        let mut d = doc("x = '😀'\n");
        d.apply_changes(
            vec![change(Some(((0, 9), (0, 10))), "\"")],
            2,
            PositionEncoding::Utf8,
        );
        assert_eq!(&**d.text(), "x = '😀\"\n");
    }

    #[test]
    fn full_and_mixed_changes() {
        let mut d = doc("a\r\nb\r\n");
        d.apply_changes(vec![change(None, "new\ntext")], 5, PositionEncoding::Utf16);
        assert_eq!(&**d.text(), "new\ntext");
        d.apply_changes(
            vec![
                change(None, "one\r\ntwo\r\n"),
                change(Some(((1, 0), (1, 3))), "2"),
            ],
            6,
            PositionEncoding::Utf16,
        );
        assert_eq!(&**d.text(), "one\r\n2\r\n");
        // Past the end of a CRLF line: before the \r.
        d.apply_changes(
            vec![change(Some(((0, 50), (0, 60))), "!")],
            7,
            PositionEncoding::Utf16,
        );
        assert_eq!(&**d.text(), "one!\r\n2\r\n");
    }

    #[test]
    fn out_of_range_edits_clamp() {
        let mut d = doc("abc");
        d.apply_changes(
            vec![change(Some(((9, 9), (10, 0))), "\nend")],
            2,
            PositionEncoding::Utf16,
        );
        assert_eq!(&**d.text(), "abc\nend");
        d.apply_changes(
            vec![change(Some(((1, 3), (0, 1))), "")],
            3,
            PositionEncoding::Utf16,
        );
        assert_eq!(&**d.text(), "a");
    }
}
