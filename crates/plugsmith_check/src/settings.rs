//! Configuration, the way users of ruff expect it: `[tool.plugsmith]` in `pyproject.toml`, or
//! the top level of `plugsmith.toml`.
//!
//! ```toml
//! [tool.plugsmith]
//! select = ["KIL", "PAN001"]          # codes or prefixes; "ALL" is every rule (the default)
//! ignore = ["PAN010"]                 # the longer prefix wins when both match
//! platforms = ["kili", "panoptes"]    # only detect these (default: all five)
//! exclude = ["build", "**/.venv"]     # paths the front end does not walk
//!
//! [tool.plugsmith.per-file-ignores]
//! "legacy/*.panoptes-plugin" = ["PAN011"]
//!
//! [tool.plugsmith.platform-overrides]  # this path is a plugin of that platform, and of no other
//! "handlers/review.py" = "kili"
//! ```
//!
//! Paths and globs are relative to the folder of the configuration file. Parsing is pure: the
//! front end finds and reads the file.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;

/// A configuration file that cannot be used, with the file's name and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Options {
    select: Option<Vec<String>>,
    #[serde(default)]
    ignore: Vec<String>,
    platforms: Option<Vec<String>>,
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default)]
    per_file_ignores: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    platform_overrides: BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
struct PyProject {
    tool: Option<Tool>,
}

#[derive(Debug, Default, Deserialize)]
struct Tool {
    plugsmith: Option<Options>,
}

/// Resolved settings. `Settings::default()` selects every rule of every platform.
#[derive(Debug, Clone)]
pub struct Settings {
    base: PathBuf,
    select: Vec<String>,
    ignore: Vec<String>,
    platforms: Option<Vec<String>>,
    exclude: GlobSet,
    exclude_patterns: Vec<String>,
    per_file_ignores: Vec<(GlobSet, Vec<String>)>,
    platform_overrides: Vec<(PathBuf, String)>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            base: PathBuf::new(),
            select: vec!["ALL".to_string()],
            ignore: Vec::new(),
            platforms: None,
            exclude: GlobSet::empty(),
            exclude_patterns: Vec::new(),
            per_file_ignores: Vec::new(),
            platform_overrides: Vec::new(),
        }
    }
}

impl Settings {
    /// Settings from a `pyproject.toml` (`[tool.plugsmith]`; `None` when the table is absent)
    /// or a `plugsmith.toml` (top level), found in folder `base`.
    ///
    /// # Errors
    /// [`ConfigError`] for invalid TOML, unknown keys, unknown codes or platforms, bad globs.
    pub fn from_toml(
        text: &str,
        file_name: &str,
        base: &Path,
    ) -> Result<Option<Settings>, ConfigError> {
        let error = |message: String| ConfigError {
            message: format!("{}: {message}", base.join(file_name).display()),
        };
        let options = if file_name == "pyproject.toml" {
            let project: PyProject = toml::from_str(text).map_err(|e| error(e.to_string()))?;
            match project.tool.and_then(|tool| tool.plugsmith) {
                Some(options) => options,
                None => return Ok(None),
            }
        } else {
            toml::from_str(text).map_err(|e| error(e.to_string()))?
        };
        Settings::from_options(options, base)
            .map(Some)
            .map_err(error)
    }

    fn from_options(options: Options, base: &Path) -> Result<Settings, String> {
        let select = options.select.unwrap_or_else(|| vec!["ALL".to_string()]);
        for selector in select
            .iter()
            .chain(&options.ignore)
            .chain(options.per_file_ignores.values().flatten())
        {
            check_selector(selector)?;
        }
        for name in options
            .platforms
            .iter()
            .flatten()
            .chain(options.platform_overrides.values())
        {
            if crate::platform(name).is_none() {
                return Err(format!(
                    "unknown platform `{name}` (expected kili, panoptes, supervisely, flowdapt or archihub)"
                ));
            }
        }
        let mut per_file_ignores = Vec::new();
        for (pattern, codes) in options.per_file_ignores {
            per_file_ignores.push((glob_set(std::slice::from_ref(&pattern))?, codes));
        }
        Ok(Settings {
            base: base.to_path_buf(),
            select,
            ignore: options.ignore,
            platforms: options.platforms,
            exclude: glob_set(&options.exclude)?,
            exclude_patterns: options.exclude,
            per_file_ignores,
            platform_overrides: options
                .platform_overrides
                .into_iter()
                .map(|(path, name)| (plugsmith_core::workspace::normalize(&base.join(path)), name))
                .collect(),
        })
    }

    /// Adds command-line `--select` / `--ignore` on top (command line wins: a `--select`
    /// replaces the file's selection).
    pub fn with_command_line(
        mut self,
        select: Option<Vec<String>>,
        ignore: Vec<String>,
    ) -> Result<Settings, ConfigError> {
        for selector in select.iter().flatten().chain(&ignore) {
            check_selector(selector).map_err(|message| ConfigError { message })?;
        }
        if let Some(select) = select {
            self.select = select;
        }
        self.ignore.extend(ignore);
        Ok(self)
    }

    /// The same settings, based at `base` (for defaults: relative globs resolve there).
    pub fn with_base(mut self, base: &Path) -> Settings {
        self.base = base.to_path_buf();
        self
    }

    /// The folder the configuration came from.
    pub fn base(&self) -> &Path {
        &self.base
    }

    /// Whether `code` is reported for `path`.
    pub fn enabled(&self, code: &str, path: &Path) -> bool {
        let selected = longest_match(&self.select, code);
        let ignored = longest_match(&self.ignore, code);
        let on = match (selected, ignored) {
            (Some(selected), Some(ignored)) => selected > ignored,
            (Some(_), None) => true,
            _ => false,
        };
        on && !self.ignored_for_file(code, path)
    }

    fn ignored_for_file(&self, code: &str, path: &Path) -> bool {
        let relative = path.strip_prefix(&self.base).unwrap_or(path);
        self.per_file_ignores
            .iter()
            .any(|(globs, codes)| globs.is_match(relative) && longest_match(codes, code).is_some())
    }

    /// Whether plugins of `platform` are detected.
    pub fn platform_enabled(&self, platform: &str) -> bool {
        self.platforms
            .as_ref()
            .is_none_or(|names| names.iter().any(|name| name == platform))
    }

    /// `(path, platform)` pairs: the path is a plugin of that platform only.
    pub fn platform_overrides(&self) -> impl Iterator<Item = (&Path, &str)> {
        self.platform_overrides
            .iter()
            .map(|(path, name)| (path.as_path(), name.as_str()))
    }

    /// Whether the front end should skip `path` when walking.
    pub fn excluded(&self, path: &Path) -> bool {
        let relative = path.strip_prefix(&self.base).unwrap_or(path);
        self.exclude.is_match(relative)
    }

    /// The `exclude` patterns as written.
    pub fn exclude_patterns(&self) -> &[String] {
        &self.exclude_patterns
    }
}

/// The length of the longest selector in `selectors` that selects `code` (`ALL` counts as 0).
fn longest_match(selectors: &[String], code: &str) -> Option<usize> {
    selectors
        .iter()
        .filter_map(|selector| {
            if selector.eq_ignore_ascii_case("ALL") {
                Some(0)
            } else if code.len() >= selector.len()
                && code[..selector.len()].eq_ignore_ascii_case(selector)
            {
                Some(selector.len())
            } else {
                None
            }
        })
        .max()
}

/// A selector is `ALL` or a prefix of at least one known code.
fn check_selector(selector: &str) -> Result<(), String> {
    if selector.eq_ignore_ascii_case("ALL") {
        return Ok(());
    }
    let known = crate::all_rules().iter().any(|rule| {
        rule.code.len() >= selector.len()
            && rule.code[..selector.len()].eq_ignore_ascii_case(selector)
    });
    // A family and up to three digits (`KIL0`, `PAN01`): a code the catalog may not have yet.
    let in_family = match (selector.get(..3), selector.get(3..)) {
        (Some(family), Some(digits)) => {
            ["PLG", "KIL", "PAN", "SLY", "FDT", "ARC"]
                .iter()
                .any(|known| known.eq_ignore_ascii_case(family))
                && digits.len() <= 3
                && digits.bytes().all(|b| b.is_ascii_digit())
        }
        _ => false,
    };
    if known || in_family {
        Ok(())
    } else {
        Err(format!(
            "unknown rule selector `{selector}` (expected a code like KIL001, a prefix like KIL, or ALL)"
        ))
    }
}

fn glob_set(patterns: &[String]) -> Result<GlobSet, String> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let glob = Glob::new(pattern).map_err(|e| format!("invalid glob `{pattern}`: {e}"))?;
        builder.add(glob);
        // `dir` also means everything below it, as in ruff's `exclude`.
        if !pattern.contains('*') {
            let below = format!("{}/**", pattern.trim_end_matches('/'));
            builder.add(Glob::new(&below).map_err(|e| format!("invalid glob `{pattern}`: {e}"))?);
        }
    }
    builder.build().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(text: &str) -> Settings {
        Settings::from_toml(text, "plugsmith.toml", Path::new("/p"))
            .unwrap()
            .unwrap()
    }

    #[test]
    fn longer_selector_wins() {
        let s = settings("select = [\"PLG\"]\nignore = [\"PLG00\"]\n");
        assert!(!s.enabled("PLG001", Path::new("/p/a.py")));
        let s = settings("select = [\"PLG001\"]\nignore = [\"PLG\"]\n");
        assert!(s.enabled("PLG001", Path::new("/p/a.py")));
        assert!(!s.enabled("PLG002", Path::new("/p/a.py")));
    }

    #[test]
    fn per_file_ignores_are_relative_to_the_config() {
        let s = settings("[per-file-ignores]\n\"legacy/*.py\" = [\"PLG001\"]\n");
        assert!(!s.enabled("PLG001", Path::new("/p/legacy/a.py")));
        assert!(s.enabled("PLG001", Path::new("/p/new/a.py")));
    }

    #[test]
    fn pyproject_without_table_is_none() {
        let none = Settings::from_toml(
            "[project]\nname = \"x\"\n",
            "pyproject.toml",
            Path::new("/p"),
        )
        .unwrap();
        assert!(none.is_none());
    }

    #[test]
    fn unknown_keys_and_codes_are_errors() {
        assert!(Settings::from_toml("selcet = []\n", "plugsmith.toml", Path::new("/p")).is_err());
        assert!(
            Settings::from_toml("select = [\"XYZ1\"]\n", "plugsmith.toml", Path::new("/p"))
                .is_err()
        );
        assert!(
            Settings::from_toml(
                "platforms = [\"jira\"]\n",
                "plugsmith.toml",
                Path::new("/p")
            )
            .is_err()
        );
    }

    #[test]
    fn selectors_with_multibyte_characters_are_errors_not_panics() {
        assert!(check_selector("KIé1").is_err());
        assert!(check_selector("é").is_err());
        assert!(check_selector("kil0").is_ok());
        assert!(check_selector("PAN9").is_ok());
        assert!(check_selector("PAN0001").is_err());
    }

    #[test]
    fn exclude_matches_folders_and_below() {
        let s = settings("exclude = [\"build\"]\n");
        assert!(s.excluded(Path::new("/p/build/x.py")));
        assert!(!s.excluded(Path::new("/p/src/x.py")));
    }
}
