//! `plugsmith rule CODE` and `plugsmith rule --all`.

use std::fmt::Write as _;

use plugsmith_core::Rule;

/// The text for one rule: a short header (code, name, severity, core or not, documentation
/// address) and the rule's document.
pub fn describe(rule: &Rule) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Code:     {}", rule.code);
    let _ = writeln!(out, "Name:     {}", rule.name);
    let _ = writeln!(out, "Severity: {}", rule.severity.as_str());
    let _ = writeln!(
        out,
        "Core:     {}",
        if rule.core {
            "yes (part of the first complete checker)"
        } else {
            "no"
        }
    );
    let _ = writeln!(out, "URL:      {}", rule.url());
    out.push('\n');
    out.push_str(rule.doc.trim_end());
    out.push('\n');
    out
}

/// One aligned line per rule: code, severity, name, summary.
pub fn list(rules: &[&Rule]) -> String {
    let name_width = rules.iter().map(|rule| rule.name.len()).max().unwrap_or(0);
    let mut out = String::new();
    for rule in rules {
        let line = format!(
            "{:<6}  {:<7}  {:<name_width$}  {}",
            rule.code,
            rule.severity.as_str(),
            rule.name,
            rule.summary,
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The message for an unknown code, with up to five close matches (by code or by name).
pub fn unknown(query: &str, rules: &[&Rule]) -> String {
    let matches = close_matches(query, rules);
    let mut message = format!("unknown rule `{query}`");
    if matches.is_empty() {
        message.push_str(" (see `plugsmith rule --all` for every rule)");
    } else {
        let listed: Vec<String> = matches
            .iter()
            .map(|rule| format!("{} ({})", rule.code, rule.name))
            .collect();
        let _ = write!(message, "; did you mean {}?", listed.join(", "));
    }
    message
}

/// Rules whose code starts with `query` (a family like `KIL`), or whose code or name is within
/// a small edit distance of it; closest first, at most five.
pub fn close_matches<'r>(query: &str, rules: &[&'r Rule]) -> Vec<&'r Rule> {
    let upper = query.trim().to_ascii_uppercase();
    let lower = query.trim().to_ascii_lowercase();
    if upper.is_empty() {
        return Vec::new();
    }
    let mut scored: Vec<(usize, &'r Rule)> = rules
        .iter()
        .filter_map(|rule| {
            let by_code = edit_distance(&upper, rule.code);
            let by_name = edit_distance(&lower, rule.name);
            let prefix = upper.len() >= 3 && rule.code.starts_with(&upper);
            let score = if prefix {
                0
            } else if by_code <= 2 {
                by_code
            } else if by_name <= 3 || (lower.len() >= 4 && rule.name.contains(&lower)) {
                by_name.min(3)
            } else {
                return None;
            };
            Some((score, *rule))
        })
        .collect();
    scored.sort_by_key(|(score, rule)| (*score, rule.code));
    scored.into_iter().take(5).map(|(_, rule)| rule).collect()
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use plugsmith_core::Severity;

    static A: Rule = Rule {
        code: "KIL001",
        name: "missing-plugin-handler",
        severity: Severity::Error,
        core: true,
        summary: "No PluginHandler class",
        doc: "# KIL001 missing-plugin-handler\n\nText.\n",
    };
    static B: Rule = Rule {
        code: "KIL002",
        name: "bad-handler-signature",
        severity: Severity::Warning,
        core: false,
        summary: "A handler has the wrong parameters",
        doc: "# KIL002\n",
    };
    static C: Rule = Rule {
        code: "PAN001",
        name: "invalid-manifest",
        severity: Severity::Info,
        core: false,
        summary: "The manifest does not match the schema",
        doc: "# PAN001\n",
    };

    #[test]
    fn describe_has_header_and_doc() {
        assert_eq!(
            describe(&A),
            "Code:     KIL001\n\
             Name:     missing-plugin-handler\n\
             Severity: error\n\
             Core:     yes (part of the first complete checker)\n\
             URL:      https://plugsmith.dev/rules/KIL001\n\
             \n\
             # KIL001 missing-plugin-handler\n\nText.\n"
        );
    }

    #[test]
    fn list_is_aligned() {
        assert_eq!(
            list(&[&A, &B, &C]),
            "KIL001  error    missing-plugin-handler  No PluginHandler class\n\
             KIL002  warning  bad-handler-signature   A handler has the wrong parameters\n\
             PAN001  info     invalid-manifest        The manifest does not match the schema\n"
        );
    }

    #[test]
    fn close_matches_by_prefix_code_and_name() {
        let rules = [&A, &B, &C];
        let codes = |query: &str| -> Vec<&str> {
            close_matches(query, &rules)
                .iter()
                .map(|rule| rule.code)
                .collect()
        };
        assert_eq!(codes("KIL"), vec!["KIL001", "KIL002"]);
        assert_eq!(codes("kil01"), vec!["KIL001", "KIL002"]);
        assert_eq!(codes("PAN010"), vec!["PAN001"]);
        assert_eq!(codes("invalid-manifset"), vec!["PAN001"]);
        assert_eq!(codes("handler"), vec!["KIL001", "KIL002"]);
        assert!(codes("NOPE").is_empty());
        assert_eq!(
            unknown("NOPE", &rules),
            "unknown rule `NOPE` (see `plugsmith rule --all` for every rule)"
        );
        assert_eq!(
            unknown("PAN01", &rules),
            "unknown rule `PAN01`; did you mean PAN001 (invalid-manifest)?"
        );
    }

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }
}
