//! The skeletons, compiled in: for each platform a table of (path in the new folder, contents)
//! read from `crates/plugsmith/templates/<platform>/`.
//!
//! Text templates end in `.tmpl` (so that checking this repository never mistakes them for
//! plugins) and may use `{{module}}`, `{{dist}}`, `{{class}}` and `{{slug}}` (see
//! [`super::names::Names`]), in their contents and in their output paths; `{{folder}}` (the
//! folder name as typed) is only used in prose (README, comments). Sample inputs and the image
//! are copied as they are.

use crate::cli::InitPlatform;

/// What a file of a skeleton holds.
#[derive(Clone, Copy, Debug)]
pub enum Contents {
    /// Text with placeholders.
    Template(&'static str),
    /// Bytes copied as they are.
    Verbatim(&'static [u8]),
}

/// One file of a skeleton.
#[derive(Clone, Copy, Debug)]
pub struct Template {
    /// The path in the new folder, `/`-separated, with placeholders.
    pub path: &'static str,
    /// Its contents.
    pub contents: Contents,
    /// The template's own path under `templates/` (tests check that every file there is used).
    #[cfg_attr(not(test), allow(dead_code))]
    pub source: &'static str,
}

macro_rules! template {
    ($path:literal, $source:literal) => {
        Template {
            path: $path,
            contents: Contents::Template(include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/templates/",
                $source
            ))),
            source: $source,
        }
    };
}

macro_rules! verbatim {
    ($path:literal, $source:literal) => {
        Template {
            path: $path,
            contents: Contents::Verbatim(include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/templates/",
                $source
            ))),
            source: $source,
        }
    };
}

const KILI: &[Template] = &[
    template!("main.py", "kili/main.py.tmpl"),
    template!("requirements.txt", "kili/requirements.txt.tmpl"),
    template!("README.md", "kili/README.md.tmpl"),
    verbatim!("samples/label.json", "kili/samples/label.json"),
];

const PANOPTES: &[Template] = &[
    template!(
        "{{module}}.panoptes-plugin",
        "panoptes/plugin.panoptes-plugin.tmpl"
    ),
    template!("{{module}}.py", "panoptes/plugin.py.tmpl"),
    template!("README.md", "panoptes/README.md.tmpl"),
    verbatim!("samples/resource.json", "panoptes/samples/resource.json"),
];

const SUPERVISELY: &[Template] = &[
    template!("plugin_info.json", "supervisely/plugin_info.json.tmpl"),
    template!(
        "predefined_run_configs.json",
        "supervisely/predefined_run_configs.json.tmpl"
    ),
    template!("VERSION", "supervisely/VERSION.tmpl"),
    template!("Dockerfile", "supervisely/Dockerfile.tmpl"),
    template!("src/main.py", "supervisely/src/main.py.tmpl"),
    template!("README.md", "supervisely/README.md.tmpl"),
    template!("LICENSE", "supervisely/LICENSE.tmpl"),
    verbatim!("samples/config.json", "supervisely/samples/config.json"),
];

const FLOWDAPT: &[Template] = &[
    template!("pyproject.toml", "flowdapt/pyproject.toml.tmpl"),
    template!(
        "{{module}}/__init__.py",
        "flowdapt/package/__init__.py.tmpl"
    ),
    template!("{{module}}/stages.py", "flowdapt/package/stages.py.tmpl"),
    template!(
        "workflows/{{module}}.yaml",
        "flowdapt/workflows/workflow.yaml.tmpl"
    ),
    template!("README.md", "flowdapt/README.md.tmpl"),
    verbatim!("samples/input.json", "flowdapt/samples/input.json"),
];

const ARCHIHUB: &[Template] = &[
    template!("__init__.py", "archihub/__init__.py.tmpl"),
    verbatim!("static/image.png", "archihub/static/image.png"),
    template!("README.md", "archihub/README.md.tmpl"),
    verbatim!("samples/body.json", "archihub/samples/body.json"),
];

/// The files of a platform's skeleton.
pub fn for_platform(platform: InitPlatform) -> &'static [Template] {
    match platform {
        InitPlatform::Kili => KILI,
        InitPlatform::Panoptes => PANOPTES,
        InitPlatform::Supervisely => SUPERVISELY,
        InitPlatform::Flowdapt => FLOWDAPT,
        InitPlatform::Archihub => ARCHIHUB,
    }
}

/// Every platform.
#[cfg(test)]
pub const PLATFORMS: [InitPlatform; 5] = [
    InitPlatform::Kili,
    InitPlatform::Panoptes,
    InitPlatform::Supervisely,
    InitPlatform::Flowdapt,
    InitPlatform::Archihub,
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::path::Path;

    fn files_under(dir: &Path, root: &Path, out: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files_under(&path, root, out);
            } else {
                let relative = path.strip_prefix(root).unwrap();
                out.insert(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }

    #[test]
    fn every_template_file_is_in_a_table_once() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut on_disk = BTreeSet::new();
        files_under(&root, &root, &mut on_disk);
        let mut listed = BTreeSet::new();
        for platform in PLATFORMS {
            for template in for_platform(platform) {
                assert!(
                    listed.insert(template.source.to_string()),
                    "{}",
                    template.source
                );
            }
        }
        assert_eq!(on_disk, listed);
    }

    #[test]
    fn text_templates_end_in_tmpl_and_use_known_placeholders() {
        let names = super::super::names::Names::new("x").unwrap();
        for platform in PLATFORMS {
            for template in for_platform(platform) {
                match template.contents {
                    Contents::Template(text) => {
                        assert!(template.source.ends_with(".tmpl"), "{}", template.source);
                        let done = names.substitute(text);
                        assert!(!done.contains("{{"), "{}", template.source);
                    }
                    Contents::Verbatim(_) => {
                        assert!(!template.source.ends_with(".tmpl"), "{}", template.source);
                    }
                }
            }
        }
    }

    #[test]
    fn every_skeleton_has_a_readme_and_a_sample() {
        for platform in PLATFORMS {
            let paths: Vec<&str> = for_platform(platform).iter().map(|t| t.path).collect();
            assert!(paths.contains(&"README.md"), "{platform:?}");
            assert!(
                paths.iter().any(|p| p.starts_with("samples/")),
                "{platform:?}"
            );
        }
    }
}
