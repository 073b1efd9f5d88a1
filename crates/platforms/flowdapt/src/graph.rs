//! FDT006: the stage graph of one workflow (`flowdapt/compute/resources/workflow/graph.py`,
//! `utils.py topological_sort_grouped`, flowdapt@6d83f04; `research/platforms.md` 4.3).
//!
//! Stages are keyed by name (a duplicate silently replaces the earlier stage), a stage's
//! dependency on itself is discarded, and an unknown name or a cycle makes the run fail with
//! `AssertionError: Problematic stage dependency` when it starts.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use plugsmith_core::{Diagnostic, Edit, TextRange};

use crate::FDT006;
use crate::resources::Stage;
use crate::suggest::closest;

/// FDT006 for one workflow's stages.
pub fn check(path: &Path, stages: &[Stage<'_>], out: &mut Vec<Diagnostic>) {
    // Duplicates, first occurrence kept for related information.
    let mut first: HashMap<&str, TextRange> = HashMap::new();
    for stage in stages {
        let Some((name, range)) = stage.name else {
            continue;
        };
        match first.get(name) {
            Some(&earlier) => out.push(
                Diagnostic::new(
                    &FDT006,
                    path,
                    range,
                    format!(
                        "duplicate stage name `{name}`: Flowdapt keys stages by name, so this \
                         stage silently replaces the earlier one"
                    ),
                )
                .with_related(path, earlier, format!("first stage named `{name}`")),
            ),
            None => {
                first.insert(name, range);
            }
        }
    }
    let names: Vec<&str> = {
        let mut names: Vec<&str> = first.keys().copied().collect();
        names.sort_unstable();
        names
    };
    // Unknown names.
    for stage in stages {
        for &(dependency, range) in &stage.depends_on {
            if first.contains_key(dependency) {
                continue;
            }
            let suggestion = closest(dependency, &names);
            let hint = suggestion.map_or(String::new(), |s| format!("; did you mean `{s}`?"));
            let mut diagnostic = Diagnostic::new(
                &FDT006,
                path,
                range,
                format!(
                    "`depends_on` names `{dependency}`, which is not a stage of this workflow: the \
                     run fails with \"Problematic stage dependency\"{hint}"
                ),
            );
            if let Some(suggestion) = suggestion {
                let source_len = u32::from(range.len()) as usize;
                let inner = if source_len == dependency.len() + 2 {
                    TextRange::new(
                        range.start() + plugsmith_core::TextSize::new(1),
                        range.end() - plugsmith_core::TextSize::new(1),
                    )
                } else {
                    range
                };
                diagnostic = diagnostic.with_fix(
                    format!("Replace with `{suggestion}`"),
                    vec![Edit {
                        range: inner,
                        new_text: suggestion.to_string(),
                    }],
                );
            }
            out.push(diagnostic);
        }
    }
    cycles(path, stages, out);
}

/// Reports each dependency cycle once, at the `depends_on` entry that closes it, with every
/// stage of the cycle as related information.
fn cycles(path: &Path, stages: &[Stage<'_>], out: &mut Vec<Diagnostic>) {
    // The graph Flowdapt builds: the last stage of a name wins, self-dependencies dropped.
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, stage) in stages.iter().enumerate() {
        if let Some((name, _)) = stage.name {
            index.insert(name, i);
        }
    }
    let mut order: Vec<usize> = index.values().copied().collect();
    order.sort_unstable();
    let edges = |i: usize| -> Vec<(usize, TextRange)> {
        let own = stages[i].name.map(|(n, _)| n);
        stages[i]
            .depends_on
            .iter()
            .filter(|(dep, _)| Some(*dep) != own)
            .filter_map(|(dep, range)| index.get(dep).map(|&j| (j, *range)))
            .collect()
    };
    let mut state = vec![0u8; stages.len()]; // 0 new, 1 on stack, 2 done
    let mut seen: BTreeSet<Vec<usize>> = BTreeSet::new();
    for &start in &order {
        if state[start] != 0 {
            continue;
        }
        // Iterative DFS: (node, next edge index), with the path on `stack`.
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        state[start] = 1;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            let node_edges = edges(node);
            if *next >= node_edges.len() {
                state[node] = 2;
                stack.pop();
                continue;
            }
            let (target, range) = node_edges[*next];
            *next += 1;
            match state[target] {
                0 => {
                    state[target] = 1;
                    stack.push((target, 0));
                }
                1 => {
                    let from = stack.iter().position(|&(n, _)| n == target).unwrap_or(0);
                    let cycle: Vec<usize> = stack[from..].iter().map(|&(n, _)| n).collect();
                    let mut key = cycle.clone();
                    key.sort_unstable();
                    if seen.insert(key) {
                        out.push(cycle_diagnostic(path, stages, &cycle, range));
                    }
                }
                _ => {}
            }
        }
    }
}

fn cycle_diagnostic(
    path: &Path,
    stages: &[Stage<'_>],
    cycle: &[usize],
    range: TextRange,
) -> Diagnostic {
    let name = |i: usize| stages[i].name.map_or("?", |(n, _)| n);
    // `cycle` follows dependency edges: a depends on b depends on ... depends on a.
    let mut chain: Vec<&str> = cycle.iter().map(|&i| name(i)).collect();
    chain.push(name(cycle[0]));
    let mut diagnostic = Diagnostic::new(
        &FDT006,
        path,
        range,
        format!(
            "dependency cycle: {} (each depends on the next): the run fails with \
             \"Problematic stage dependency\"",
            chain
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(" → ")
        ),
    );
    for &i in cycle {
        if let Some((n, r)) = stages[i].name {
            diagnostic = diagnostic.with_related(path, r, format!("stage `{n}` is in the cycle"));
        }
    }
    diagnostic
}
