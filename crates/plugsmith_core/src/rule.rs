//! Rule catalog entries. Codes are public interface (`RULES.md`): never reuse or renumber one.

use crate::diagnostic::Severity;

/// One rule of the catalog.
///
/// Each platform crate declares its rules as `static`s and keeps one Markdown document per rule
/// next to its code (`rules/CODE.md`: what, why, example, fix), embedded with `include_str!` and
/// printed by `plugsmith rule CODE`.
#[derive(Debug)]
pub struct Rule {
    /// Stable code, e.g. `"KIL001"`.
    pub code: &'static str,
    /// Short kebab-case name, e.g. `"missing-plugin-handler"`.
    pub name: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// Part of the first complete checker (`core` in `RULES.md`).
    pub core: bool,
    /// One line: what triggers it.
    pub summary: &'static str,
    /// The rule document (Markdown).
    pub doc: &'static str,
}

impl Rule {
    /// Where the rule's documentation lives online (`codeDescription.href`, JSON `url`).
    pub fn url(&self) -> String {
        rule_url(self.code)
    }
}

/// The documentation address of a rule code.
pub fn rule_url(code: &str) -> String {
    format!("https://plugsmith.dev/rules/{code}")
}
