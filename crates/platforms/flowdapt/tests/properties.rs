//! Random and mutated manifests through detection and every rule: no panic, ranges inside the
//! text and on character boundaries.

use plugsmith_core::workspace::MemoryFileSystem;
use plugsmith_core::{Platform, Workspace};
use plugsmith_flowdapt::PLATFORM;
use proptest::prelude::*;

const PYPROJECT: &str = "[project]\nname = \"my-plugin\"\n[project.entry-points.\"flowdapt.plugins\"]\nmy_plugin = \"my_plugin\"\n";
const SETUP_PY: &str = "from setuptools import setup\nsetup(name='my_plugin', entry_points={'flowdapt.plugins': ['my_plugin = my_plugin']})\n";
const WORKFLOW: &str = "kind: workflow\nmetadata:\n  name: wf\nspec:\n  stages:\n    - name: a\n      target: my_plugin.stages.a\n      depends_on: [b]\n    - name: b\n      target: my_plugin.stages.Klass.m\n      dependsOn: a\n      depends_on: [a]\n";
const STAGES: &str = "def a():\n    return 1\n\nclass Klass:\n    def m(self):\n        pass\n";

fn mutate(base: &str, at: usize, cut: usize, insert: &str) -> String {
    let mut text = base.to_string();
    let mut start = at.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (start + cut).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.replace_range(start..end, insert);
    text
}

fn run(pyproject: String, setup: String, workflow: String, stages: String) {
    let mut fs = MemoryFileSystem::new();
    fs.insert("p/pyproject.toml", pyproject);
    fs.insert("p/setup.py", setup);
    fs.insert("p/workflows/wf.yaml", workflow.clone());
    fs.insert("p/my_plugin/__init__.py", "");
    fs.insert("p/my_plugin/stages.py", stages);
    fs.insert("lone.json", workflow);
    let workspace = Workspace::from_memory(fs.clone());
    for plugin in PLATFORM.detect(&workspace.files()) {
        for diagnostic in PLATFORM.check(&plugin, &workspace.files()) {
            let text = plugsmith_core::FileSystem::read(&fs, &diagnostic.path).unwrap();
            let (start, end) = (
                usize::from(diagnostic.range.start()),
                usize::from(diagnostic.range.end()),
            );
            assert!(end <= text.len(), "{diagnostic:?}");
            assert!(text.is_char_boundary(start) && text.is_char_boundary(end));
            assert!(start < end || text.is_empty(), "{diagnostic:?}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn mutated_projects_never_panic(
        which in 0usize..4,
        at in 0usize..200,
        cut in 0usize..12,
        insert in "[ \n:\\-\\[\\]{}\"'=.#é(),*&]{0,5}",
    ) {
        let mut texts = [PYPROJECT.to_string(), SETUP_PY.to_string(), WORKFLOW.to_string(), STAGES.to_string()];
        texts[which] = mutate(&texts[which], at, cut, &insert);
        let [a, b, c, d] = texts;
        run(a, b, c, d);
    }

    #[test]
    fn random_workflows_never_panic(text in "(kind: workflow\n)?[ a-z_:\\-\\[\\]{}\n.'\"]{0,200}") {
        run(PYPROJECT.to_string(), SETUP_PY.to_string(), text, STAGES.to_string());
    }
}
