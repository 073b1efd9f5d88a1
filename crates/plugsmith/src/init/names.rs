//! The names a skeleton needs, derived from the folder name: a Python module name, a
//! distribution / image name and a class name. Every derived name uses only ASCII letters,
//! digits, `_` and `-`, so it can go into Python, TOML, INI, YAML and JSON templates unquoted.

/// Names derived from the last component of the folder `plugsmith init` creates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Names {
    /// The folder name as given (`Weather Forecast`).
    pub folder: String,
    /// A Python module name (`weather_forecast`): lower case words joined with `_`, never a
    /// keyword, never starting with a digit.
    pub module: String,
    /// The distribution and image name (`weather-forecast`): the module with `-`, so the two
    /// normalise to the same distribution name.
    pub dist: String,
    /// A class name suffix (`WeatherForecast`).
    pub class: String,
    /// ArchiHub's slug: the folder name when it is already a Python identifier (`filesExport`),
    /// the module name otherwise.
    pub slug: String,
}

/// Python's hard keywords (a module or package cannot be named after them).
const KEYWORDS: &[&str] = &[
    "false", "none", "true", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

impl Names {
    /// The names for the folder `folder`.
    ///
    /// # Errors
    /// When the name holds no ASCII letter or digit to build a module name from.
    pub fn new(folder: &str) -> Result<Names, String> {
        let words = words(folder);
        if words.is_empty() {
            return Err(format!(
                "`{folder}` has no ASCII letter or digit to name the plugin's module after; \
                 choose a name like `my_plugin`"
            ));
        }
        let mut module = words.join("_");
        if module.starts_with(|c: char| c.is_ascii_digit()) {
            module.insert_str(0, "plugin_");
        }
        if KEYWORDS.contains(&module.as_str()) {
            module.push_str("_plugin");
        }
        let class = module
            .split('_')
            .map(|word| {
                let mut chars = word.chars();
                chars.next().map_or_else(String::new, |first| {
                    first.to_ascii_uppercase().to_string() + chars.as_str()
                })
            })
            .collect();
        let slug =
            if is_identifier(folder) && !KEYWORDS.contains(&folder.to_ascii_lowercase().as_str()) {
                folder.to_string()
            } else {
                module.clone()
            };
        Ok(Names {
            folder: folder.to_string(),
            dist: module.replace('_', "-"),
            module,
            class,
            slug,
        })
    }

    /// `template` with `{{module}}`, `{{dist}}`, `{{class}}`, `{{slug}}` and `{{folder}}`
    /// replaced (`{{folder}}` is the name as typed: for prose only).
    pub fn substitute(&self, template: &str) -> String {
        template
            .replace("{{folder}}", &self.folder)
            .replace("{{module}}", &self.module)
            .replace("{{dist}}", &self.dist)
            .replace("{{class}}", &self.class)
            .replace("{{slug}}", &self.slug)
    }
}

/// An ASCII Python identifier (`filesExport`, `_x1`).
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Lower-case ASCII words: split at anything but letters and digits, and where a lower-case
/// letter or digit is followed by an upper-case one (`filesExport` → `files`, `export`).
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && previous_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(folder: &str) -> Names {
        Names::new(folder).unwrap()
    }

    #[test]
    fn words_become_module_dist_and_class() {
        let n = names("Weather Forecast");
        assert_eq!(n.module, "weather_forecast");
        assert_eq!(n.dist, "weather-forecast");
        assert_eq!(n.class, "WeatherForecast");
        assert_eq!(n.slug, "weather_forecast");
        let n = names("filesExport");
        assert_eq!(n.module, "files_export");
        assert_eq!(n.class, "FilesExport");
        assert_eq!(n.slug, "filesExport");
        assert_eq!(names("my-plugin.v2").module, "my_plugin_v2");
        assert_eq!(names("HTTPCheck").module, "httpcheck");
    }

    #[test]
    fn digits_keywords_and_empty_names() {
        let n = names("3d-boxes");
        assert_eq!(n.module, "plugin_3d_boxes");
        assert_eq!(n.dist, "plugin-3d-boxes");
        assert_eq!(n.class, "Plugin3dBoxes");
        assert_eq!(names("class").module, "class_plugin");
        assert_eq!(names("class").slug, "class_plugin");
        assert_eq!(names("None").module, "none_plugin");
        assert!(Names::new("---").is_err());
        assert!(Names::new("日本").is_err());
    }

    #[test]
    fn substitution() {
        let n = names("my_plugin");
        assert_eq!(
            n.substitute("{{module}} {{dist}} {{class}} {{slug}} {{folder}} {{other}}"),
            "my_plugin my-plugin MyPlugin my_plugin my_plugin {{other}}"
        );
    }
}
