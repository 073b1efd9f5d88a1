//! The ArchiHub rule statics (`RULES.md`, ArchiHub section). Each embeds its document from
//! `rules/CODE.md`.

use plugsmith_core::{Rule, Severity};

/// ARC001: no `plugin_info` that the listing's restricted evaluator can evaluate to a dict.
pub static ARC001: Rule = Rule {
    code: "ARC001",
    name: "plugin-info-not-evaluable",
    severity: Severity::Error,
    core: true,
    summary: "No top-level `plugin_info` that ArchiHub's restricted evaluator can evaluate to a dict",
    doc: include_str!("../rules/ARC001.md"),
};

/// ARC002: `plugin_info` invalid against `schemas/archihub.plugin_info.schema.json`.
pub static ARC002: Rule = Rule {
    code: "ARC002",
    name: "invalid-plugin-info",
    severity: Severity::Error,
    core: true,
    summary: "`plugin_info` invalid against the ArchiHub plugin_info schema",
    doc: include_str!("../rules/ARC002.md"),
};

/// ARC003: `ExtendedPluginClass.__init__` does not accept `**kwargs`.
pub static ARC003: Rule = Rule {
    code: "ARC003",
    name: "init-without-kwargs",
    severity: Severity::Error,
    core: true,
    summary: "`ExtendedPluginClass.__init__` does not accept `**kwargs` (TypeError: the backend passes isTask=True)",
    doc: include_str!("../rules/ARC003.md"),
};

/// ARC004: a `type` entry without its settings list.
pub static ARC004: Rule = Rule {
    code: "ARC004",
    name: "type-without-settings",
    severity: Severity::Error,
    core: true,
    summary: "A `type` entry without its settings key: the settings endpoint returns 500",
    doc: include_str!("../rules/ARC004.md"),
};

/// ARC005: duplicate field `id` within one settings list.
pub static ARC005: Rule = Rule {
    code: "ARC005",
    name: "duplicate-field-id",
    severity: Severity::Warning,
    core: true,
    summary: "Duplicate field `id` within one settings list",
    doc: include_str!("../rules/ARC005.md"),
};

/// ARC006: a button `callback` without a matching route.
pub static ARC006: Rule = Rule {
    code: "ARC006",
    name: "button-callback-without-route",
    severity: Severity::Warning,
    core: true,
    summary: "Button `callback` with no matching route in `add_routes`",
    doc: include_str!("../rules/ARC006.md"),
};

/// ARC007: a `@shared_task` name that is missing, the template placeholder, off-convention or
/// duplicated.
pub static ARC007: Rule = Rule {
    code: "ARC007",
    name: "shared-task-name",
    severity: Severity::Warning,
    core: true,
    summary: "`@shared_task` name missing, still the template placeholder, not `<slug>.<function>`, or duplicated",
    doc: include_str!("../rules/ARC007.md"),
};

/// ARC008: `queue=` names a queue that no default worker consumes.
pub static ARC008: Rule = Rule {
    code: "ARC008",
    name: "queue-without-worker",
    severity: Severity::Warning,
    core: false,
    summary: "`queue=` names a queue no default worker consumes (`low`/`medium`/`high` need `-Q`, custom names their own worker)",
    doc: include_str!("../rules/ARC008.md"),
};

/// ARC009: the return value of `validate_fields` / `validate_roles` is ignored.
pub static ARC009: Rule = Rule {
    code: "ARC009",
    name: "validation-result-ignored",
    severity: Severity::Warning,
    core: false,
    summary: "Return value of `validate_fields` / `validate_roles` ignored: validation does nothing",
    doc: include_str!("../rules/ARC009.md"),
};

/// ARC010: `requirements.txt` without a final newline, or with CRLF lines.
pub static ARC010: Rule = Rule {
    code: "ARC010",
    name: "requirements-line-endings",
    severity: Severity::Warning,
    core: false,
    summary: "`requirements.txt` without a final newline, or with CRLF lines",
    doc: include_str!("../rules/ARC010.md"),
};

/// ARC011: `static/image.png` missing.
pub static ARC011: Rule = Rule {
    code: "ARC011",
    name: "missing-plugin-image",
    severity: Severity::Warning,
    core: false,
    summary: "`static/image.png` missing: `GET /<slug>/image` fails",
    doc: include_str!("../rules/ARC011.md"),
};

/// ARC012: `actions` / `capabilities` declared in `plugin_info` but dropped by `__init__`.
pub static ARC012: Rule = Rule {
    code: "ARC012",
    name: "actions-capabilities-dropped",
    severity: Severity::Warning,
    core: false,
    summary: "`actions`/`capabilities` declared in `plugin_info` but dropped by `__init__` (forwarded as `None`)",
    doc: include_str!("../rules/ARC012.md"),
};

/// Every ArchiHub rule.
pub static RULES: &[&Rule] = &[
    &ARC001, &ARC002, &ARC003, &ARC004, &ARC005, &ARC006, &ARC007, &ARC008, &ARC009, &ARC010,
    &ARC011, &ARC012,
];
