//! The registered platforms and the rule catalog built from them.

use plugsmith_core::{Platform, Rule};

/// Every platform, in the order their plugins are detected.
pub fn platforms() -> [&'static dyn Platform; 5] {
    [
        &plugsmith_kili::PLATFORM,
        &plugsmith_panoptes::PLATFORM,
        &plugsmith_supervisely::PLATFORM,
        &plugsmith_flowdapt::PLATFORM,
        &plugsmith_archihub::PLATFORM,
    ]
}

/// The platform called `name` (`kili`, `panoptes`, ...).
pub fn platform(name: &str) -> Option<&'static dyn Platform> {
    platforms()
        .into_iter()
        .find(|platform| platform.name() == name)
}

/// Every rule: the common `PLG` rules, then each platform's, sorted by code.
pub fn all_rules() -> Vec<&'static Rule> {
    let mut rules: Vec<&'static Rule> = plugsmith_core::common::RULES.to_vec();
    for platform in platforms() {
        rules.extend_from_slice(platform.rules());
    }
    rules.sort_by_key(|rule| rule.code);
    rules.dedup_by_key(|rule| rule.code);
    rules
}

/// The rule with `code` (case-insensitive).
pub fn find_rule(code: &str) -> Option<&'static Rule> {
    all_rules()
        .into_iter()
        .find(|rule| rule.code.eq_ignore_ascii_case(code))
}
