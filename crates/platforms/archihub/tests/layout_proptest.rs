//! ARC010 on arbitrary `requirements.txt` text: no panic, every range non-empty (or the
//! insertion point at the end of the text) and inside the text, on char boundaries.

use std::path::Path;

use plugsmith_archihub::layout_rules::arc010;
use proptest::prelude::*;

proptest! {
    #[test]
    fn arc010_ranges_stay_inside_the_text(text in "(\\PC|\r|\n|\r\n|#| ){0,80}") {
        for diagnostic in arc010(Path::new("requirements.txt"), &text) {
            let start = usize::from(diagnostic.range.start());
            let end = usize::from(diagnostic.range.end());
            prop_assert!(start < end && end <= text.len(), "{diagnostic:?}");
            prop_assert!(text.is_char_boundary(start) && text.is_char_boundary(end));
            if let Some(fix) = &diagnostic.fix {
                for edit in &fix.edits {
                    prop_assert!(usize::from(edit.range.end()) <= text.len());
                }
            }
        }
    }
}
