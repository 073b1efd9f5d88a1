//! The `Dockerfile`'s base image (SLY008): a `FROM` whose tag is the build argument `TAG`.
//!
//! Evidence (`research/platforms.md` 3.1 and 3.4, supervisely@eec5cffb): `build_plugin.sh` runs
//! `docker build --build-arg TAG=<tag> ...` with the tag of the plugin's own `VERSION`, and the
//! stock Dockerfiles do `ARG TAG` / `FROM ${REGISTRY}/base-<x>:${TAG}`: the base image is pulled
//! under the plugin's tag, so a plugin version without a base image of the same tag does not build.
//!
//! [`tag_references`] is pure text analysis (byte ranges into the file): `FROM` lines only (the
//! image on the instruction's first line), the `TAG` argument declared by an `ARG` before the
//! first `FROM` (the only arguments a `FROM` can use), `$TAG`, `${TAG}` and `${TAG:-…}` /
//! `${TAG:+…}` in the tag part of the image reference (after the last `:` outside `${…}`, past
//! the last `/`).

use plugsmith_core::{TextRange, TextSize};

/// The build argument `build_plugin.sh` sets to the plugin's tag.
pub const TAG_ARG: &str = "TAG";

/// Every `$TAG` / `${TAG…}` in the tag part of a `FROM` image, when `ARG TAG` is declared before
/// the first `FROM`. Byte ranges of the references (`${TAG}`), in source order.
pub fn tag_references(text: &str) -> Vec<TextRange> {
    let mut out = Vec::new();
    let mut declared = false;
    let mut seen_from = false;
    let mut offset = 0usize;
    let mut continued = false;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let was_continued = continued;
        continued = body.trim_end().ends_with('\\');
        if was_continued {
            continue;
        }
        let trimmed = body.trim_start();
        let indent = body.len() - trimmed.len();
        let mut words = trimmed.split([' ', '\t']);
        let instruction = words.next().unwrap_or("");
        if instruction.eq_ignore_ascii_case("ARG") && !seen_from {
            declared |= words.any(|word| word.split('=').next() == Some(TAG_ARG));
        } else if instruction.eq_ignore_ascii_case("FROM") {
            seen_from = true;
            if declared && let Some((at, image)) = from_image(trimmed, instruction.len()) {
                let image_start = start + indent + at;
                out.extend(
                    references_in_tag(image)
                        .into_iter()
                        .map(|(from, to)| range(image_start + from, image_start + to)),
                );
            }
        }
    }
    out
}

/// The image word of a `FROM` instruction (`line` starts at `FROM`, `skip` = its length): its
/// byte offset in `line` and its text; options (`--platform=…`) are skipped.
fn from_image(line: &str, skip: usize) -> Option<(usize, &str)> {
    let rest = line.get(skip..)?;
    let mut at = skip;
    for word in rest.split([' ', '\t']) {
        if word.is_empty() {
            at += 1;
            continue;
        }
        if word == "\\" {
            return None;
        }
        if !word.starts_with("--") {
            return Some((at, word));
        }
        at += word.len() + 1;
    }
    None
}

/// `(start, end)` byte offsets, in `image`, of the references to `TAG` in its tag part.
fn references_in_tag(image: &str) -> Vec<(usize, usize)> {
    let bytes = image.as_bytes();
    let (mut depth, mut colon, mut slash) = (0usize, None, None);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 1;
            }
            b'}' if depth > 0 => depth -= 1,
            b':' if depth == 0 => colon = Some(i),
            b'/' if depth == 0 => slash = Some(i),
            b'@' if depth == 0 => break,
            _ => {}
        }
        i += 1;
    }
    let Some(colon) = colon.filter(|colon| slash.is_none_or(|slash| *colon > slash)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut i = colon + 1;
    while i < bytes.len() {
        if bytes[i] != b'$' {
            i += 1;
            continue;
        }
        if let Some(end) = reference_end(image, i) {
            out.push((i, end));
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

/// The end of a reference to `TAG` starting at the `$` at `at`, if it is one.
fn reference_end(image: &str, at: usize) -> Option<usize> {
    let rest = image.get(at + 1..)?;
    if let Some(inner) = rest.strip_prefix('{') {
        let name = inner.strip_prefix(TAG_ARG)?;
        if !(name.starts_with('}') || name.starts_with(":-") || name.starts_with(":+")) {
            return None;
        }
        // The closing brace, past any nested `${…}` of a default.
        let mut depth = 1usize;
        for (index, ch) in inner.char_indices() {
            match ch {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(at + 2 + index + 1);
                    }
                }
                _ => {}
            }
        }
        return None;
    }
    let after = rest.strip_prefix(TAG_ARG)?;
    let word_goes_on = after
        .chars()
        .next()
        .is_some_and(|ch| ch.is_ascii_alphanumeric() || ch == '_');
    (!word_goes_on).then_some(at + 1 + TAG_ARG.len())
}

fn range(start: usize, end: usize) -> TextRange {
    TextRange::new(TextSize::new(start as u32), TextSize::new(end as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        tag_references(text)
            .into_iter()
            .map(|range| &text[usize::from(range.start())..usize::from(range.end())])
            .collect()
    }

    #[test]
    fn stock_dockerfile() {
        let text = "ARG REGISTRY\nARG TAG\nFROM ${REGISTRY}/base-py:${TAG}\n\nARG MODULE_PATH\n";
        assert_eq!(found(text), ["${TAG}"]);
        let at = tag_references(text)[0];
        assert_eq!(usize::from(at.start()), text.find("${TAG}").unwrap());
    }

    #[test]
    fn forms_of_the_reference() {
        assert_eq!(
            found("ARG TAG=1.0\nfrom --platform=linux/amd64 base:$TAG AS b\n"),
            ["$TAG"]
        );
        assert_eq!(
            found("ARG TAG\nFROM base:${TAG:-6.1.4}\n"),
            ["${TAG:-6.1.4}"]
        );
        assert_eq!(found("ARG TAG\r\nFROM base:v${TAG}-cuda\r\n"), ["${TAG}"]);
        assert_eq!(
            found("ARG TAG\nFROM base:a\nFROM other:${TAG}\n"),
            ["${TAG}"]
        );
    }

    #[test]
    fn not_the_plugin_tag() {
        // Pinned, another argument, a name that only starts with TAG, the name part, no ARG
        // before the first FROM, a registry port, a digest.
        for text in [
            "ARG BASE_TAG=6.1.4\nFROM ${REGISTRY}/base-py:${BASE_TAG}\n",
            "ARG TAG\nFROM base:${TAGS}\n",
            "ARG TAG\nFROM base:$TAG_X\n",
            "ARG TAG\nFROM base-${TAG}:1.0\n",
            "FROM base:1.0\nARG TAG\nFROM base:${TAG}\n",
            "ARG TAG\nFROM host:${TAG}/base\n",
            "ARG TAG\nFROM base@sha256:${TAG}\n",
            "ARG TAG\n# FROM base:${TAG}\n",
            "ARG TAG\nRUN echo \\\nFROM base:${TAG}\n",
            "ARG TAG\nFROM \\\n  base:${TAG}\n",
            "",
            "FROM",
            "ARG TAG\nFROM base:${TAG",
        ] {
            assert!(found(text).is_empty(), "{text:?}");
        }
    }
}
