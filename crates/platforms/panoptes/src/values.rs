//! Values as the plugin receives them: quotes that configparser keeps (PAN012) and the
//! `[transforms]` options the polling agent parses (PAN016).

use std::path::Path;

use plugsmith_core::syntax::ini::{self, IniDocument, IniOption, IniValue};
use plugsmith_core::{Diagnostic, Edit, TextRange, TextSize};

use crate::rules::*;

/// The quote character when `text` is one pair of matching quotes around text without that
/// quote (`"metrics"`, `''`), else `None`.
pub(crate) fn wrapping_quote(text: &str) -> Option<char> {
    let quote = text.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let inner = text.strip_prefix(quote)?.strip_suffix(quote)?;
    (!inner.contains(quote)).then_some(quote)
}

/// The edits deleting the first and the last character of a wrapped value.
fn unquote_edits(value: &IniValue) -> Option<Vec<Edit>> {
    let len = value.text.len();
    let open = value.source_offset(0)?;
    let close = value.source_offset(len.checked_sub(1)?)?;
    if close <= open {
        return None;
    }
    let one = TextSize::new(1);
    Some(vec![
        Edit {
            range: TextRange::at(open, one),
            new_text: String::new(),
        },
        Edit {
            range: TextRange::at(close, one),
            new_text: String::new(),
        },
    ])
}

fn with_unquote_fix(diagnostic: Diagnostic, option: &IniOption, inner: &str) -> Diagnostic {
    match unquote_edits(&option.value) {
        Some(edits) if inner.is_empty() => diagnostic.with_fix("Remove the quotes", edits),
        Some(edits) => diagnostic.with_fix(format!("Write the value as `{inner}`"), edits),
        None => diagnostic,
    }
}

/// The `(section, option)` pairs another rule owns.
fn owned_elsewhere(section: &str, option: &IniOption) -> bool {
    section == "transforms" || (section == "main" && option.name == "resource_filter")
}

/// PAN012: every option (each section's own, then `[DEFAULT]`'s) whose whole value is quoted.
pub(crate) fn quoted_values(path: &Path, doc: &IniDocument, out: &mut Vec<Diagnostic>) {
    let sections = doc.sections.iter().chain(std::iter::once(&doc.defaults));
    for section in sections {
        for option in &section.options {
            if owned_elsewhere(&section.name, option) {
                continue;
            }
            let text = option.value.text.as_str();
            let (Some(quote), Some(range)) = (wrapping_quote(text), option.value.range()) else {
                continue;
            };
            let inner = &text[1..text.len() - 1];
            let section_name = if section.name.is_empty() {
                ini::DEFAULT_SECTION
            } else {
                section.name.as_str()
            };
            let quotes = if quote == '"' { "double" } else { "single" };
            let meant = if inner.is_empty() {
                "an empty string".to_string()
            } else {
                format!("`{inner}`")
            };
            let diagnostic = Diagnostic::new(
                &PAN012,
                path,
                range,
                format!(
                    "the value of `{}` keeps its {quotes} quotes: configparser does not strip them, so the plugin reads `context.config['{section_name}']['{}']` as `{text}`, not {meant}",
                    option.name, option.name
                ),
            );
            out.push(with_unquote_fix(diagnostic, option, inner));
        }
    }
}

/// The source range of `value.text[start..end]` when the raw text is what Panoptes reads (no
/// interpolation changed it), else the whole value.
fn part_range(option: &IniOption, exact: bool, start: usize, end: usize) -> Option<TextRange> {
    let part = (exact && end > start)
        .then(|| option.value.source_range(start, end))
        .flatten();
    part.or_else(|| option.value.range())
}

/// PAN016: the `[transforms]` options (`_process_transforms` in `polling_plugin_agent.py`).
pub(crate) fn transforms(path: &Path, doc: &IniDocument, out: &mut Vec<Diagnostic>) {
    let Some(section) = doc.section("transforms") else {
        return;
    };
    let mut groups: Vec<KeptGroup<'_>> = Vec::new();
    for option in &section.options {
        let Some(Ok(value)) = doc.interpolate("transforms", &option.name) else {
            // Missing: impossible; an interpolation error is PAN003.
            continue;
        };
        let Some(whole) = option.value.range() else {
            continue;
        };
        let text = value.text.as_str();
        let transform = Transform {
            option,
            text,
            exact: text == option.value.text,
            whole,
        };
        match transform.diagnose(path, &groups) {
            Ok(group) => groups.push((group.to_string(), option.name.as_str(), option.key)),
            Err(diagnostic) => out.push(*diagnostic),
        }
    }
}

/// A metrics group type the polling agent transforms: the group, the option that sets it,
/// and that option's key.
type KeptGroup<'a> = (String, &'a str, TextRange);

/// One `[transforms]` option as the polling agent reads it.
struct Transform<'a> {
    option: &'a IniOption,
    /// The interpolated value.
    text: &'a str,
    /// Whether the interpolated value is the raw text (so parts map to source ranges).
    exact: bool,
    /// The whole value's range.
    whole: TextRange,
}

impl<'a> Transform<'a> {
    /// The metrics group type this transform sets, or the PAN016 diagnostic (boxed: it is
    /// large) of its first problem (`groups` are the group types set by the options before it).
    fn diagnose(&self, path: &Path, groups: &[KeptGroup<'_>]) -> Result<&'a str, Box<Diagnostic>> {
        let parts: Vec<&'a str> = self.text.split(':').collect();
        let [kind, group, metrics] = parts.as_slice() else {
            return Err(Box::new(self.wrong_part_count(path, parts.len())));
        };
        if wrapping_quote(self.text).is_some() {
            return Err(Box::new(self.quoted(path, kind, group)));
        }
        let group_start = kind.len() + 1;
        let metrics_start = group_start + group.len() + 1;
        if *kind != "rate" {
            return Err(Box::new(self.unknown_type(path, kind, group)));
        }
        if group.trim().is_empty() || group.trim() != *group {
            let range = self.part(group_start, group_start + group.len());
            return Err(Box::new(self.unstripped_group(path, range, group)));
        }
        if metrics.split(',').all(|m| m.trim().is_empty()) {
            let range = self.part(metrics_start.min(self.text.len()), self.text.len());
            return Err(Box::new(self.no_metrics(path, range, group)));
        }
        if let Some(kept) = groups.iter().find(|(g, _, _)| g.as_str() == *group) {
            let range = self.part(group_start, group_start + group.len());
            return Err(Box::new(self.duplicate_group(path, range, group, kept)));
        }
        Ok(group)
    }

    /// The source range of `text[start..end]`, or the whole value.
    fn part(&self, start: usize, end: usize) -> TextRange {
        part_range(self.option, self.exact, start, end).unwrap_or(self.whole)
    }

    fn pan016(&self, path: &Path, range: TextRange, message: String) -> Diagnostic {
        Diagnostic::new(&PAN016, path, range, message)
    }

    fn wrong_part_count(&self, path: &Path, count: usize) -> Diagnostic {
        let name = &self.option.name;
        self.pan016(
            path,
            self.whole,
            format!(
                "the transform `{name}` has {count} `:`-separated parts, not the three of `rate:<metrics group type>:<metric>,<metric>`: the polling agent's `value.split(':')` unpacking raises `ValueError` in the results callback, and none of this plugin's metrics are published"
            ),
        )
    }

    /// The whole value is quoted; the fix removes the quotes.
    fn quoted(&self, path: &Path, kind: &str, group: &str) -> Diagnostic {
        let name = &self.option.name;
        let inner = &self.text[1..self.text.len() - 1];
        let diagnostic = self.pan016(
            path,
            self.whole,
            format!(
                "the transform `{name}` is quoted: configparser keeps the quotes, so its type is `{kind}`, not `rate`; the polling agent logs \"no implementation for transform type\" and drops the `{group}` metrics groups from the output"
            ),
        );
        with_unquote_fix(diagnostic, self.option, inner)
    }

    fn unknown_type(&self, path: &Path, kind: &str, group: &str) -> Diagnostic {
        self.pan016(
            path,
            self.part(0, kind.len()),
            format!(
                "the transform type is `{kind}`: only `rate` is implemented (written exactly, no spaces); the polling agent logs \"no implementation for transform type\" and drops the `{}` metrics groups from the output",
                group.trim()
            ),
        )
    }

    fn unstripped_group(&self, path: &Path, range: TextRange, group: &str) -> Diagnostic {
        let name = &self.option.name;
        self.pan016(
            path,
            range,
            format!(
                "the metrics group type of `{name}` is `{group}`: Panoptes does not strip it, so it never equals a metrics group type and the transform never applies"
            ),
        )
    }

    fn no_metrics(&self, path: &Path, range: TextRange, group: &str) -> Diagnostic {
        let name = &self.option.name;
        self.pan016(
            path,
            range,
            format!(
                "the transform `{name}` names no metrics: write `rate:{group}:<metric>,<metric>`; as it is, it converts nothing"
            ),
        )
    }

    /// The group type is already set by `kept`, the transform the polling agent keeps.
    fn duplicate_group(
        &self,
        path: &Path,
        range: TextRange,
        group: &str,
        kept: &KeptGroup<'_>,
    ) -> Diagnostic {
        let name = &self.option.name;
        let (_, first, site) = kept;
        self.pan016(
            path,
            range,
            format!(
                "a transform for the metrics group type `{group}` is already set by `{first}`: the polling agent keeps only the first one per group type and ignores `{name}`; list all the metrics in one transform"
            ),
        )
        .with_related(path, *site, "the transform that is kept")
    }
}

#[cfg(test)]
mod tests {
    use super::{quoted_values, transforms, wrapping_quote};
    use plugsmith_core::syntax::ini;
    use proptest::prelude::*;
    use std::path::Path;

    proptest! {
        /// Random `[main]` / `[transforms]` values (quotes, colons, commas, spaces, `%`,
        /// continuation lines): no panic, every range and edit inside the text, on a char
        /// boundary, and the fix removes exactly the two quotes.
        #[test]
        fn never_panics(
            main in "([\"':,% a-zé]|\n  )*",
            transform in "([\"':,% a-z]|rate|\n  )*",
        ) {
            let text = format!("[main]\nx = {main}\n[transforms]\nt = {transform}\nu = {transform}\n");
            let doc = ini::parse(&text);
            let mut out = Vec::new();
            quoted_values(Path::new("p.panoptes-plugin"), &doc, &mut out);
            transforms(Path::new("p.panoptes-plugin"), &doc, &mut out);
            for d in &out {
                prop_assert!(!d.range.is_empty());
                prop_assert!(text.get(std::ops::Range::<usize>::from(d.range)).is_some());
                if let Some(fix) = &d.fix {
                    for edit in &fix.edits {
                        let removed = text.get(std::ops::Range::<usize>::from(edit.range));
                        prop_assert!(removed == Some("\"") || removed == Some("'"));
                    }
                }
            }
        }
    }

    #[test]
    fn only_whole_values_in_one_pair_of_quotes() {
        assert_eq!(wrapping_quote("\"metrics\""), Some('"'));
        assert_eq!(wrapping_quote("'x'"), Some('\''));
        assert_eq!(wrapping_quote("\"\""), Some('"'));
        assert_eq!(wrapping_quote("\""), None);
        assert_eq!(wrapping_quote("resource_class = \"network\""), None);
        assert_eq!(wrapping_quote("\"a\" AND \"b\""), None);
        assert_eq!(wrapping_quote("\"x'"), None);
        assert_eq!(wrapping_quote("metrics"), None);
        assert_eq!(wrapping_quote(""), None);
    }
}
