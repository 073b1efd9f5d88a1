//! `requirements.txt`, line by line, the way `pip install -r` reads it
//! (pip `_internal/req/req_file.py`): `#` comments (at line start, or after whitespace),
//! backslash line continuations, pip options, PEP 508 requirements (through `pep508_rs`), and
//! URL or path requirements.

use std::str::FromStr;

use pep508_rs::Requirement;
use text_size::{TextRange, TextSize};

/// A line pip would refuse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequirementError {
    /// The offending part of the line (bytes in the file).
    pub range: TextRange,
    pub message: String,
}

/// Options pip accepts in a requirements file, with whether they take a value.
const OPTIONS: &[(&str, bool)] = &[
    ("-r", true),
    ("--requirement", true),
    ("-c", true),
    ("--constraint", true),
    ("-e", true),
    ("--editable", true),
    ("-i", true),
    ("--index-url", true),
    ("--extra-index-url", true),
    ("--no-index", false),
    ("-f", true),
    ("--find-links", true),
    ("--no-binary", true),
    ("--only-binary", true),
    ("--prefer-binary", false),
    ("--pre", false),
    ("--trusted-host", true),
    ("--use-feature", true),
    ("--require-hashes", false),
    ("--config-settings", true),
    ("--global-option", true),
    ("--hash", true),
];

/// Every line pip would refuse, in order.
pub fn check(text: &str) -> Vec<RequirementError> {
    logical_lines(text)
        .into_iter()
        .filter_map(|(offset, line)| check_line(offset, &line))
        .collect()
}

/// The distribution names a `requirements.txt` installs (as written; extras and versions
/// dropped), in order; `None` when the file's full set cannot be known from the text: a line
/// that includes another file or installs from a path or URL without a name (`-r`, `-e`,
/// `./pkg`, `git+https://...`), or a line pip would refuse. Options that do not add packages
/// (`-i`, `--hash`, `-c` ...) are ignored; `name @ url` gives `name`.
pub fn names(text: &str) -> Option<Vec<String>> {
    let mut names = Vec::new();
    for (_, line) in logical_lines(text) {
        let trimmed = strip_comment(&line).trim();
        if trimmed.is_empty() {
            continue;
        }
        if trimmed.starts_with('-') {
            let option = first_word(trimmed);
            let includes = ["-r", "--requirement", "-e", "--editable"]
                .iter()
                .any(|known| option == *known || (known.len() == 2 && option.starts_with(known)));
            if includes || check_option(trimmed).is_some() {
                return None;
            }
            continue;
        }
        let requirement = trimmed
            .find(" --")
            .or_else(|| trimmed.find("\t--"))
            .map_or(trimmed, |i| trimmed[..i].trim_end());
        if is_url_or_path(requirement) {
            return None;
        }
        if name_end_error(requirement).is_some() {
            return None;
        }
        let parsed = Requirement::<pep508_rs::VerbatimUrl>::from_str(requirement).ok()?;
        names.push(parsed.name.to_string());
    }
    Some(names)
}

/// Joins backslash continuations; returns each logical line with the byte offset of its start.
/// Continued lines are only joined when the joined text keeps byte positions meaningful: the
/// offset of the first physical line is kept, which is where errors are reported.
fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut lines = Vec::new();
    let mut current: Option<(usize, String)> = None;
    let mut offset = 0;
    for physical in text.split_inclusive('\n') {
        let content = physical.trim_end_matches(['\n', '\r']);
        let (start, mut joined) = current.take().unwrap_or((offset, String::new()));
        if let Some(head) = content.strip_suffix('\\') {
            joined.push_str(head);
            current = Some((start, joined));
        } else {
            joined.push_str(content);
            lines.push((start, joined));
        }
        offset += physical.len();
    }
    if let Some(rest) = current {
        lines.push(rest);
    }
    lines
}

fn strip_comment(line: &str) -> &str {
    if line.trim_start().starts_with('#') {
        return "";
    }
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'#' && i > 0 && bytes[i - 1].is_ascii_whitespace() {
            return &line[..i];
        }
    }
    line
}

fn check_line(offset: usize, line: &str) -> Option<RequirementError> {
    let content = strip_comment(line);
    let trimmed = content.trim();
    if trimmed.is_empty() {
        return None;
    }
    let lead = content.len() - content.trim_start().len();
    let at = |start: usize, len: usize| {
        TextRange::at(
            TextSize::new((offset + lead + start) as u32),
            TextSize::new(len.max(1) as u32),
        )
    };
    if trimmed.starts_with('-') {
        return check_option(trimmed).map(|message| RequirementError {
            range: at(0, first_word(trimmed).len()),
            message,
        });
    }
    // Per-requirement options (`--hash=...`) follow the requirement.
    let requirement = trimmed
        .find(" --")
        .or_else(|| trimmed.find("\t--"))
        .map_or(trimmed, |i| trimmed[..i].trim_end());
    if is_url_or_path(requirement) {
        return None;
    }
    if let Some((start, message)) = name_end_error(requirement) {
        return Some(RequirementError {
            range: at(start, 1),
            message,
        });
    }
    match Requirement::<pep508_rs::VerbatimUrl>::from_str(requirement) {
        Ok(_) => None,
        Err(error) => {
            // An error at the end of the line ("expected operator") points at its last character.
            let last = requirement.char_indices().next_back().map_or(0, |(i, _)| i);
            let (start, len) = if error.start >= requirement.len() {
                (last, requirement.len() - last)
            } else {
                (
                    error.start,
                    error.len.clamp(1, requirement.len() - error.start),
                )
            };
            Some(RequirementError {
                range: at(start, len),
                message: error.message.to_string(),
            })
        }
    }
}

/// pep508_rs 0.9 panics (`PackageName` validation) on a name that ends in `.`, `-` or `_`
/// followed by more text (`a-!`, `a- >= 1`): report that name the way pep508 reports it at the
/// end of the input. The offset of the offending character in `requirement`, and the message.
fn name_end_error(requirement: &str) -> Option<(usize, String)> {
    let lead = requirement.len() - requirement.trim_start().len();
    let rest = &requirement[lead..];
    if !rest.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return None;
    }
    let len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
        .unwrap_or(rest.len());
    if len == rest.len() {
        return None;
    }
    let last = rest[..len].chars().next_back()?;
    matches!(last, '.' | '-' | '_').then(|| {
        (
            lead + len - 1,
            format!("Package name must end with an alphanumeric character, not '{last}'"),
        )
    })
}

fn first_word(text: &str) -> &str {
    text.split(|c: char| c.is_whitespace() || c == '=')
        .next()
        .unwrap_or(text)
}

fn check_option(line: &str) -> Option<String> {
    let name = first_word(line);
    let Some((_, takes_value)) = OPTIONS.iter().find(|(option, _)| *option == name) else {
        return Some(format!(
            "pip does not know the option `{name}` in a requirements file"
        ));
    };
    let rest = line[name.len()..].trim_start_matches('=').trim();
    let short_glued = name.len() == 2 && line.len() > 2 && !line[2..].starts_with([' ', '\t', '=']);
    if *takes_value && rest.is_empty() && !short_glued {
        return Some(format!("option `{name}` needs a value"));
    }
    None
}

/// pip also accepts URLs, archive and local paths (`./pkg`, `/abs/x.whl`, `git+https://...`).
fn is_url_or_path(requirement: &str) -> bool {
    let first = requirement.split_whitespace().next().unwrap_or("");
    first.contains("://")
        || first.starts_with('.')
        || first.starts_with('/')
        || first.starts_with('~')
        || first.ends_with(".whl")
        || first.ends_with(".tar.gz")
        || first.ends_with(".zip")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Vec<(String, String)> {
        check(text)
            .into_iter()
            .map(|e| (text[e.range].to_string(), e.message))
            .collect()
    }

    #[test]
    fn names_of_requirements() {
        let text = "# c\nnumpy==1.26.*\nPyYAML >= 6  # yaml\n-i https://x\nopenai-whisper @ git+https://github.com/openai/whisper.git\nrequests[socks]; python_version >= '3.8'\n";
        assert_eq!(
            names(text),
            Some(vec![
                "numpy".to_string(),
                "pyyaml".to_string(),
                "openai-whisper".to_string(),
                "requests".to_string()
            ])
        );
        assert_eq!(errors("a-!\nb_ >= 1\n").len(), 2);
        for unknown in [
            "-r other.txt\n",
            "-e .\n",
            "./pkg\n",
            "git+https://x/y.git\n",
            "pandas >= 2,\n",
            "-rother.txt\n",
        ] {
            assert_eq!(names(unknown), None, "{unknown:?}");
        }
    }

    #[test]
    fn accepts_what_pip_accepts() {
        let text = "# comment\nnumpy==1.26.*\npandas >= 2  # trailing\n-r other.txt\n--extra-index-url https://x\n\
                    ./local/pkg\ngit+https://github.com/x/y.git#egg=y\nrequests[socks]; python_version >= '3.8'\n\
                    flask \\\n  >=2\nsix==1.16 --hash=sha256:abc\n-e .\n";
        assert_eq!(errors(text), vec![]);
    }

    #[test]
    fn reports_the_offending_part() {
        let found = errors("numpy\npandas >= 2,\n--frobnicate\n-r\n");
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(
            found[0].0.starts_with(",") || found[0].0.contains(','),
            "{found:?}"
        );
        assert_eq!(found[1].0, "--frobnicate");
        assert_eq!(found[2].0, "-r");
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn never_panics(text in "(\\PC|[-=<>~!@#;,\\[\\]\\\\ \t\r\n.])*") {
                let _ = check(&text);
                let _ = names(&text);
            }
        }
    }
}
