//! "Did you mean" for keys and names.

/// The one candidate `word` most likely means, if there is exactly one close enough: same
/// letters ignoring case, `-` and `_` (`dependsOn` → `depends_on`), a known alias, or an edit
/// distance of at most a quarter of the length (at least 1, at most 3).
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let squash = |s: &str| -> String {
        s.chars()
            .filter(|c| !matches!(c, '-' | '_' | ' '))
            .flat_map(char::to_lowercase)
            .collect()
    };
    let squashed = squash(word);
    let same: Vec<&'a str> = candidates
        .iter()
        .copied()
        .filter(|candidate| squash(candidate) == squashed)
        .collect();
    if same.len() == 1 {
        return same.first().copied();
    }
    if let Some(alias) = alias(&squashed)
        && let Some(found) = candidates.iter().copied().find(|c| *c == alias)
    {
        return Some(found);
    }
    let limit = (word.chars().count() / 4).clamp(1, 3);
    let mut best: Option<(&'a str, usize)> = None;
    let mut tie = false;
    for candidate in candidates {
        let distance = edit_distance(&squashed, &squash(candidate));
        if distance > limit {
            continue;
        }
        match best {
            Some((_, d)) if distance > d => {}
            Some((_, d)) if distance == d => tie = true,
            _ => {
                best = Some((candidate, distance));
                tie = false;
            }
        }
    }
    if tie { None } else { best.map(|(c, _)| c) }
}

fn alias(squashed: &str) -> Option<&'static str> {
    Some(match squashed {
        "params" | "args" | "arguments" => "parameters",
        "dependencies" | "deps" | "needs" | "after" => "depends_on",
        "func" | "function" | "callable" | "entrypoint" => "target",
        "option" | "config" => "options",
        "resource" => "resources",
        "label" | "labels" | "tags" => "annotations",
        "apiversion" => "version",
        _ => return None,
    })
}

/// Damerau–Levenshtein distance (optimal string alignment), on characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for i in 0..=a.len() {
        d[i * width] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut value = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                value = value.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = value;
        }
    }
    d[a.len() * width + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let keys = [
            "name",
            "target",
            "type",
            "depends_on",
            "resources",
            "options",
        ];
        assert_eq!(closest("dependsOn", &keys), Some("depends_on"));
        assert_eq!(closest("depends-on", &keys), Some("depends_on"));
        assert_eq!(closest("resource", &keys), Some("resources"));
        assert_eq!(closest("taget", &keys), Some("target"));
        assert_eq!(closest("banana", &keys), None);
        assert_eq!(
            closest("params", &["target", "parameters"]),
            Some("parameters")
        );
    }
}
