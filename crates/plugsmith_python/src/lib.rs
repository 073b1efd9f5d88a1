//! `plugsmith._plugsmith`: plugsmith's Python SDK, a pyo3 extension module.
//!
//! * [`check`](check::check): walk + configuration discovery + check, as `plugsmith check`
//!   does, returning typed `Diagnostic` objects.
//! * [`run`](run::run): run a plugin under its platform's production limits through the
//!   runner library, returning a typed `RunReport`.
//!
//! This is the only crate of the workspace that links Python (research/ecosystem.md 1.3-C): the
//! CLI and the language server stay pure Rust. The GIL is released while Rust works
//! (`py.detach`), and user input never panics: bad arguments raise `TypeError`/`ValueError`,
//! configuration problems `ConfigError`, unreadable paths `PlugsmithError`, runs that could not
//! start `RunnerError`.

mod check;
mod json;
mod run;

use pyo3::create_exception;
use pyo3::prelude::*;

create_exception!(
    plugsmith,
    PlugsmithError,
    pyo3::exceptions::PyException,
    "Base class of plugsmith's errors; raised as such when a path or file cannot be read."
);
create_exception!(
    plugsmith,
    ConfigError,
    PlugsmithError,
    "An invalid configuration: plugsmith.toml, [tool.plugsmith] in pyproject.toml, or a bad rule selector."
);
create_exception!(
    plugsmith,
    RunnerError,
    PlugsmithError,
    "The runner could not run the plugin (no interpreter, no plugin found, bad option, failed environment build). The report is in the `report` attribute."
);

/// The module `plugsmith._plugsmith`.
#[pymodule]
fn _plugsmith(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("PlugsmithError", py.get_type::<PlugsmithError>())?;
    m.add("ConfigError", py.get_type::<ConfigError>())?;
    m.add("RunnerError", py.get_type::<RunnerError>())?;
    m.add_function(wrap_pyfunction!(check::check, m)?)?;
    m.add_class::<check::Diagnostic>()?;
    m.add_function(wrap_pyfunction!(run::run, m)?)?;
    m.add_class::<run::RunReport>()?;
    m.add_class::<run::Durations>()?;
    m.add_class::<run::Memory>()?;
    m.add_class::<run::Limits>()?;
    m.add_class::<run::RunException>()?;
    m.add_class::<run::Frame>()?;
    Ok(())
}
