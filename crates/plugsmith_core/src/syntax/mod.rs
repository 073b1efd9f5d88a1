//! Span-keeping syntax layers. Every parser keeps byte ranges so that a diagnostic can point
//! at the exact key, value or token.
//!
//! - [`python`]: tree-sitter-python trees, syntax errors (PLG001).
//! - [`value`]: the one span-carrying value tree that JSON, YAML, TOML and Python dict
//!   literals all become, so one schema validator serves every manifest format.
//! - [`json`]: JSON text to [`value::Value`].

pub mod ini;
pub mod json;
pub mod python;
pub mod requirements;
pub mod value;
pub mod yaml;
