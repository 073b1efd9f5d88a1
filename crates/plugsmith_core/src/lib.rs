//! plugsmith's analysis core.
//!
//! Everything here is pure: no IO, no LSP types, no panics on user input. Front ends (the CLI,
//! the language server, the Python SDK) hand the core a [`Workspace`] backed by their own
//! [`FileSystem`], and get [`Diagnostic`]s with byte ranges back.
//!
//! - [`diagnostic`]: what a check reports.
//! - [`rule`]: the rule catalog entries (codes are public interface, see `RULES.md`).
//! - [`workspace`]: the file set, cached parses, and per-plugin dependency tracking.
//! - [`platform`]: the small interface each platform implements (detect, check).
//! - [`syntax`]: span-keeping parsers and the [`syntax::value`] tree every manifest becomes.
//! - [`schema`]: JSON Schema validation that reports the exact key or value.

pub mod common;
pub mod diagnostic;
pub mod platform;
pub mod rule;
pub mod schema;
pub mod syntax;
pub mod workspace;

pub use diagnostic::{Diagnostic, Edit, Fix, Related, Severity};
pub use platform::{Platform, Plugin};
pub use rule::Rule;
pub use text_size::{TextRange, TextSize};
pub use workspace::{FileError, FileSystem, Files, TextChange, Workspace};
