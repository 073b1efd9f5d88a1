//! The Panoptes rule catalog entries (`RULES.md`, Panoptes section).

use plugsmith_core::{Rule, Severity};

macro_rules! rule {
    ($ident:ident, $code:literal, $name:literal, $severity:ident, $summary:literal) => {
        rule!($ident, $code, $name, $severity, $summary, true);
    };
    ($ident:ident, $code:literal, $name:literal, $severity:ident, $summary:literal, $core:literal) => {
        #[doc = $summary]
        pub static $ident: Rule = Rule {
            code: $code,
            name: $name,
            severity: Severity::$severity,
            core: $core,
            summary: $summary,
            doc: include_str!(concat!("../rules/", $code, ".md")),
        };
    };
}

rule!(
    PAN001,
    "PAN001",
    "missing-core-section",
    Error,
    "Missing `[Core]` section, or `Name` / `Module` in it: yapsy silently skips the plugin"
);
rule!(
    PAN002,
    "PAN002",
    "configparser-strict-error",
    Error,
    "INI error under Python configparser strict rules: duplicate section or option, line outside a section, bad continuation"
);
rule!(
    PAN003,
    "PAN003",
    "bare-percent-in-value",
    Error,
    "Bare `%` (or a bad `%(name)s` reference) in a value: configparser raises when the value is read"
);
rule!(
    PAN004,
    "PAN004",
    "invalid-execute-frequency",
    Error,
    "`[main] execute_frequency` missing, not an integer, or <= 0: the scheduler skips the plugin"
);
rule!(
    PAN005,
    "PAN005",
    "missing-resource-filter",
    Error,
    "Polling or enrichment plugin without `[main] resource_filter`, or with an empty one"
);
rule!(
    PAN006,
    "PAN006",
    "invalid-resource-filter",
    Error,
    "`resource_filter` does not parse under the Panoptes resource DSL"
);
rule!(
    PAN007,
    "PAN007",
    "module-not-found",
    Error,
    "`Module` does not resolve relative to the info file's folder"
);
rule!(
    PAN008,
    "PAN008",
    "no-plugin-class",
    Error,
    "The module has no plugin class of the category, or the class lacks `run(self, context)`"
);
rule!(
    PAN009,
    "PAN009",
    "ambiguous-plugin-class",
    Warning,
    "Several eligible classes are visible in the module: yapsy instantiates the alphabetically first"
);
rule!(
    PAN010,
    "PAN010",
    "missing-documentation-section",
    Warning,
    "`[Documentation]` section missing (the Panoptes docs call it mandatory)"
);
rule!(
    PAN011,
    "PAN011",
    "info-file-not-loaded",
    Warning,
    "File name does not end in `.panoptes-plugin`: Panoptes never loads it"
);

rule!(
    PAN012,
    "PAN012",
    "quoted-value",
    Warning,
    "A value wrapped in quotes keeps them: `namespace = \"metrics\"` gives the plugin `\"metrics\"`",
    false
);
rule!(
    PAN013,
    "PAN013",
    "enrichment-in-discovery-plugin",
    Warning,
    "Discovery plugin with an `[enrichment]` section: the agent cannot set up its context and it never runs",
    false
);
rule!(
    PAN014,
    "PAN014",
    "forbidden-name",
    Error,
    "`[Core] Name` contains `;;`: yapsy silently skips the plugin",
    false
);
rule!(
    PAN015,
    "PAN015",
    "absolute-module-path",
    Warning,
    "`Module` is an absolute path: the plugin only loads on a machine with that layout",
    false
);
rule!(
    PAN016,
    "PAN016",
    "invalid-transform",
    Warning,
    "`[transforms]` value not `rate:<group>:<metrics>`, quoted, or a second transform for a group",
    false
);

/// Every Panoptes rule.
pub static RULES: &[&Rule] = &[
    &PAN001, &PAN002, &PAN003, &PAN004, &PAN005, &PAN006, &PAN007, &PAN008, &PAN009, &PAN010,
    &PAN011, &PAN012, &PAN013, &PAN014, &PAN015, &PAN016,
];
