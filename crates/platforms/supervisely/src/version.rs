//! The `VERSION` file (SLY002), read the way `build_plugin.sh` reads it
//! (`help/tutorials/01_create_new_plugin/build_plugin.sh`, supervisely@eec5cffb;
//! `research/platforms.md` 3.1):
//!
//! - `V=$(cat MODULE_PATH/VERSION)`: trailing `\n`s are stripped, a Windows `\r` is kept;
//! - image name = `${V%:*}` (before the **last** `:`), tag = `${V#*:}` (after the **first** `:`);
//! - the image is built as `REGISTRY/<name>:<tag>`: the registry is the script's first argument,
//!   so every `/`-separated part of the name is a Docker *path component* (lowercase letters and
//!   digits separated by `.`, `_`, `__` or runs of `-`, as in docker's `distribution/reference`
//!   grammar), and the tag must match `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
//!
//! [`problems`] is pure text analysis (byte ranges into the file), so it is property-tested on
//! its own and reused by the real-examples test.

use plugsmith_core::{Edit, TextRange, TextSize};

/// One thing wrong with a `VERSION` text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionProblem {
    /// Byte range in the file; empty only for an empty file.
    pub range: TextRange,
    /// What is wrong and what `build_plugin.sh` / docker will do.
    pub message: String,
    /// A certain fix: its title and edits in the `VERSION` file.
    pub fix: Option<(String, Vec<Edit>)>,
}

/// Longest name docker accepts (`distribution/reference`: `NameTotalLengthMax`).
const NAME_MAX: usize = 255;
/// Longest tag docker accepts.
const TAG_MAX: usize = 128;

/// Every problem of a `VERSION` file's text, in source order. An empty result means
/// `build_plugin.sh` gets a valid `<image>:<tag>` from it.
pub fn problems(text: &str) -> Vec<VersionProblem> {
    let mut out = Vec::new();
    // `$(cat VERSION)`: trailing newlines go, everything else stays.
    let value = text.trim_end_matches('\n');
    if value.is_empty() {
        out.push(problem(
            first_char(text),
            "`VERSION` is empty: build_plugin.sh reads the image name and tag with \
             `$(cat VERSION)`, both come out empty and `docker build` rejects the image \
             reference `REGISTRY/:` (invalid reference format); write one line `<image>:<tag>`, \
             e.g. `import-my-format:1.0.0`"
                .to_string(),
        ));
        return out;
    }
    let script_tag = shown(value.split_once(':').map_or(value, |(_, tag)| tag));
    if let Some(cr) = value.find('\r') {
        let edits = text
            .match_indices('\r')
            .map(|(at, _)| Edit {
                range: range(at, at + 1),
                new_text: String::new(),
            })
            .collect();
        out.push(VersionProblem {
            range: range(cr, cr + 1),
            message: format!(
                "`VERSION` holds a carriage return (`\\r`, a Windows line ending): \
                 `$(cat VERSION)` strips the newline but keeps the `\\r`, so build_plugin.sh \
                 uses the tag `{script_tag}`, which docker rejects (invalid reference format); \
                 save the file with LF line endings"
            ),
            fix: Some(("Remove the carriage return".to_string(), edits)),
        });
    }
    let first_end = value.find('\n').unwrap_or(value.len());
    if first_end < value.len() {
        let lines = value.split('\n').count();
        out.push(problem(
            range(first_end + 1, value.len()),
            format!(
                "`VERSION` has {lines} lines: build_plugin.sh uses the whole text \
                 (`$(cat VERSION)`), so the tag becomes `{script_tag}`, which docker rejects \
                 (invalid reference format); keep the single line `<image>:<tag>`"
            ),
        ));
    }
    let line = value[..first_end].trim_end_matches('\r');
    if !line.is_empty() {
        reference(line, &mut out);
    }
    out.sort_by_key(|problem| (problem.range.start(), problem.range.end()));
    out
}

/// Checks the first line (without its `\r`), `<name>:<tag>`, at offset 0 of the file.
fn reference(line: &str, out: &mut Vec<VersionProblem>) {
    let colons: Vec<usize> = line.match_indices(':').map(|(at, _)| at).collect();
    match colons.as_slice() {
        [] => out.push(problem(
            range(0, line.len()),
            format!(
                "`VERSION` has no `:` between image name and tag: build_plugin.sh takes the name \
                 before the last `:` and the tag after the first, so without one both are the \
                 whole text (`{0}:{0}`) and the stock Dockerfile looks for the base image tag \
                 `{0}`; write `<image>:<tag>`, e.g. `{0}:1.0.0`",
                shown(line)
            ),
        )),
        [colon] => {
            name(line, *colon, out);
            tag(line, *colon, out);
        }
        [first, .., last] => too_many_colons(line, *first, *last, colons.len(), out),
    }
}

fn too_many_colons(
    line: &str,
    first: usize,
    last: usize,
    count: usize,
    out: &mut Vec<VersionProblem>,
) {
    let script_name = shown(&line[..last]);
    let script_tag = shown(&line[first + 1..]);
    let head = &line[..first];
    let port_len = line[first + 1..]
        .bytes()
        .take_while(u8::is_ascii_digit)
        .count();
    let is_port = !head.is_empty()
        && !head.contains('/')
        && port_len > 0
        && line[first + 1 + port_len..].starts_with('/');
    if is_port {
        out.push(problem(
            range(first, first + 1 + port_len),
            format!(
                "`VERSION` names a registry with a port (`{}`): the port needs a second `:`, and \
                 build_plugin.sh takes the tag after the first `:`, so the tag becomes \
                 `{script_tag}`, which docker rejects; leave the registry out of `VERSION` \
                 (build_plugin.sh puts its REGISTRY argument in front of the name: \
                 `build_plugin.sh {} <plugin dir>`)",
                shown(&line[..first + 1 + port_len]),
                shown(&line[..first + 1 + port_len]),
            ),
        ));
    } else {
        out.push(problem(
            range(
                line[first + 1..]
                    .find(':')
                    .map_or(last, |at| first + 1 + at),
                last + 1,
            ),
            format!(
                "`VERSION` has {count} `:` (exactly one separates image name and tag): \
                 build_plugin.sh takes the name before the last `:` (`{script_name}`) and the \
                 tag after the first, so the tag becomes `{script_tag}`, which docker rejects"
            ),
        ));
    }
}

/// The image name, `line[..colon]`: `/`-separated docker path components.
fn name(line: &str, colon: usize, out: &mut Vec<VersionProblem>) {
    let name = &line[..colon];
    if name.is_empty() {
        out.push(problem(
            range(colon, colon + 1),
            "`VERSION` has no image name before `:`: build_plugin.sh builds `REGISTRY/:<tag>`, \
             which docker rejects (invalid reference format)"
                .to_string(),
        ));
        return;
    }
    let before = out.len();
    let mut start = 0;
    for part in name.split('/') {
        let end = start + part.len();
        if part.is_empty() {
            // The `/` that opens or closes the empty component.
            let slash = if end < colon {
                end
            } else {
                start.saturating_sub(1)
            };
            out.push(problem(
                range(slash, slash + 1),
                format!(
                    "the image name `{}` in `VERSION` has an empty path component (a leading, \
                     trailing or doubled `/`): docker rejects the reference (invalid reference \
                     format)",
                    shown(name)
                ),
            ));
        } else if !is_path_component(part) {
            out.push(component_problem(part, start, end));
        }
        start = end + 1;
    }
    // Valid components are ASCII, so `NAME_MAX` is a character boundary here.
    if out.len() == before && name.len() > NAME_MAX {
        out.push(problem(
            range(NAME_MAX, colon),
            format!(
                "the image name in `VERSION` is {} characters long: docker rejects names longer \
                 than {NAME_MAX} (and build_plugin.sh still puts the registry in front)",
                name.len()
            ),
        ));
    }
}

fn component_problem(part: &str, start: usize, end: usize) -> VersionProblem {
    let lower = part.to_ascii_lowercase();
    if is_path_component(&lower) {
        return VersionProblem {
            range: range(start, end),
            message: format!(
                "`{}` in the image name of `VERSION` has upper-case letters: docker rejects it \
                 (\"invalid reference format: repository name must be lowercase\") and \
                 build_plugin.sh builds no image",
                shown(part)
            ),
            fix: Some((
                format!("Lower-case `{}` to `{lower}`", shown(part)),
                vec![Edit {
                    range: range(start, end),
                    new_text: lower,
                }],
            )),
        };
    }
    problem(
        range(start, end),
        format!(
            "`{}` is not a valid path component of a docker image name: lowercase letters and \
             digits, separated by one `.`, `_`, `__` or `-`s, and starting and ending with a \
             letter or digit; `docker build` fails with \"invalid reference format\"",
            shown(part)
        ),
    )
}

/// docker's path component: `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`.
pub fn is_path_component(part: &str) -> bool {
    let bytes = part.as_bytes();
    let alnum = |byte: u8| byte.is_ascii_lowercase() || byte.is_ascii_digit();
    let run = |at: &mut usize| {
        let start = *at;
        while bytes.get(*at).copied().is_some_and(alnum) {
            *at += 1;
        }
        *at > start
    };
    let mut at = 0;
    if !run(&mut at) {
        return false;
    }
    while let Some(&byte) = bytes.get(at) {
        match byte {
            b'.' => at += 1,
            b'_' => {
                at += 1;
                if bytes.get(at) == Some(&b'_') {
                    at += 1;
                }
            }
            b'-' => {
                while bytes.get(at) == Some(&b'-') {
                    at += 1;
                }
            }
            _ => return false,
        }
        if !run(&mut at) {
            return false;
        }
    }
    true
}

/// The tag, `line[colon + 1..]`: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
fn tag(line: &str, colon: usize, out: &mut Vec<VersionProblem>) {
    let start = colon + 1;
    let tag = &line[start..];
    if tag.is_empty() {
        out.push(problem(
            range(colon, colon + 1),
            format!(
                "`VERSION` has no tag after `:`: build_plugin.sh builds `REGISTRY/{}:`, which \
                 docker rejects (invalid reference format); write a tag, e.g. `{}:1.0.0`",
                shown(&line[..colon]),
                shown(&line[..colon]),
            ),
        ));
        return;
    }
    let bad = tag.char_indices().find(|&(index, ch)| {
        let word = ch.is_ascii_alphanumeric() || ch == '_';
        if index == 0 {
            !word
        } else {
            !(word || ch == '.' || ch == '-')
        }
    });
    if let Some((index, ch)) = bad {
        let what = if index == 0 && (ch == '.' || ch == '-') {
            format!("a Docker tag cannot start with `{ch}`")
        } else {
            format!(
                "`{}` is not allowed in a Docker tag",
                shown(&ch.to_string())
            )
        };
        out.push(problem(
            range(start + index, start + index + ch.len_utf8()),
            format!(
                "the tag `{}` in `VERSION` is not valid: {what} (`[A-Za-z0-9_][A-Za-z0-9_.-]{{0,127}}`); \
                 `docker build` fails with \"invalid reference format\"",
                shown(tag)
            ),
        ));
    } else if tag.len() > TAG_MAX {
        out.push(problem(
            range(start + TAG_MAX, line.len()),
            format!(
                "the tag in `VERSION` is {} characters long: docker accepts at most {TAG_MAX}",
                tag.len()
            ),
        ));
    }
}

fn problem(range: TextRange, message: String) -> VersionProblem {
    VersionProblem {
        range,
        message,
        fix: None,
    }
}

fn range(start: usize, end: usize) -> TextRange {
    TextRange::new(TextSize::new(start as u32), TextSize::new(end as u32))
}

/// The first character of `text`, or an empty range at 0 for an empty text.
fn first_char(text: &str) -> TextRange {
    let len = text.chars().next().map_or(0, char::len_utf8);
    range(0, len)
}

/// Text as a message shows it: control characters escaped, cut to 60 characters.
pub(crate) fn shown(text: &str) -> String {
    let mut out = String::new();
    for (count, ch) in text.chars().enumerate() {
        if count == 60 {
            out.push_str("...");
            break;
        }
        match ch {
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '`' => out.push('\''),
            ch if ch.is_control() => out.push_str(&ch.escape_unicode().to_string()),
            ch => out.push(ch),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(String, String)> {
        problems(text)
            .into_iter()
            .map(|p| (text[p.range].to_string(), p.message))
            .collect()
    }

    #[test]
    fn valid_versions() {
        for text in [
            "import-images:6.1.4\n",
            "nn-unet-v2:6.0.25",
            "some/prefix/nn-icnet:4.0.0\n\n",
            "a__b/c--d.e_f:latest\n",
            "x:_tag-1.2",
        ] {
            assert!(problems(text).is_empty(), "{text:?}: {:?}", problems(text));
        }
    }

    #[test]
    fn carriage_return_is_kept_and_reported_with_a_fix() {
        let text = "import-images:6.1.4\r\n";
        let all = problems(text);
        assert_eq!(all.len(), 1, "{all:?}");
        assert_eq!(&text[all[0].range], "\r");
        assert!(all[0].message.contains("`6.1.4\\r`"), "{}", all[0].message);
        assert!(all[0].fix.is_some());
    }

    #[test]
    fn registry_port_points_at_the_port() {
        let found = found("host:5000/img:1.0\n");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, ":5000");
        assert!(found[0].1.contains("`5000/img:1.0`"), "{}", found[0].1);
    }

    #[test]
    fn extra_colon_points_at_the_second_colon() {
        let found = found("img:1.0:beta");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, ":");
        assert!(found[0].1.contains("`1.0:beta`"), "{}", found[0].1);
    }

    #[test]
    fn no_colon_points_at_the_line() {
        let found = found("my-plugin\n");
        assert_eq!(found[0].0, "my-plugin");
    }

    #[test]
    fn multi_line_points_at_the_extra_lines() {
        let found = found("img:1.0\nimg:2.0\n");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "img:2.0");
    }

    #[test]
    fn name_and_tag_errors_point_at_the_part() {
        assert_eq!(found("My-Plugin:1.0")[0].0, "My-Plugin");
        assert_eq!(found("a//b:1.0")[0].0, "/");
        assert_eq!(found("a_-b:1.0")[0].0, "a_-b");
        assert_eq!(found("img:1.0+build")[0].0, "+");
        assert_eq!(found("img:.1")[0].0, ".");
        assert_eq!(found("img:")[0].0, ":");
        assert_eq!(found(":1.0")[0].0, ":");
        assert_eq!(found("img:1.0 ")[0].0, " ");
    }

    #[test]
    fn long_name_points_past_the_limit() {
        let text = format!("{}:1.0", "a".repeat(300));
        let all = problems(&text);
        assert_eq!(all.len(), 1, "{all:?}");
        assert_eq!(all[0].range, range(255, 300));
    }

    #[test]
    fn empty_file() {
        assert_eq!(problems("").len(), 1);
        assert_eq!(problems("").first().map(|p| p.range.len()), Some(0.into()));
        assert_eq!(found("\n\n")[0].0, "\n");
    }
}
