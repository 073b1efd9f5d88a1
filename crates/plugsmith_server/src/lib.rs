//! plugsmith's language server.
//!
//! [`run_stdio`] serves the Language Server Protocol over stdin/stdout (the binary's
//! `plugsmith server [--stdio]`). Layout, after ruff_server:
//!
//! - [`server`]: the `LanguageServer` handlers (thin; no analysis on the handler path).
//! - [`session`]: state: open documents with versions, the workspace of every root folder,
//!   checked plugins and the reverse index path → plugins; the analysis task.
//! - [`document`]: document text and incremental edits.
//! - [`position`]: byte offsets ↔ LSP positions in UTF-8, UTF-16 or UTF-32.
//! - [`convert`]: core diagnostics → LSP diagnostics (fix carried in `data`).
//! - [`code_action`]: quick fixes.
//! - [`code_lens`]: "Run on_submit locally" lenses above each plugin entry point.
//! - [`run`]: `workspace/executeCommand` `plugsmith.runPlugin` (plugsmith_runner).
//! - [`transport`]: stdio framing with a guard against malformed messages.
//!
//! The server never executes workspace code and never uses the network, except on the
//! client's explicit `plugsmith.runPlugin` request: that runs the plugin exactly as
//! `plugsmith run` would (its requirements environment included), off the LSP tasks. LSP
//! types stay inside this crate.

#![warn(missing_docs)]

pub mod code_action;
pub mod code_lens;
pub mod convert;
pub mod document;
pub mod position;
pub mod run;
pub mod server;
pub mod session;
pub mod transport;

use std::io;
use std::time::Duration;

use tower_lsp_server::{LspService, Server};

/// Stack size of the runtime's threads: parsers of deeply nested input recurse.
const THREAD_STACK_BYTES: usize = 64 * 1024 * 1024;

/// Serves the language server over stdin/stdout until the client sends `exit` or closes
/// stdin. Builds its own tokio runtime; logs go to stderr.
///
/// # Errors
/// When the runtime or the stdin reader thread cannot be created.
pub fn run_stdio() -> io::Result<()> {
    serve(io::stdin(), io::stdout())
}

/// Serves over any byte streams (the client's messages in `input`, the server's in `output`),
/// as [`run_stdio`] does over stdin/stdout.
///
/// # Errors
/// When the runtime or the reader thread cannot be created.
pub fn serve(
    input: impl io::Read + Send + 'static,
    output: impl io::Write + Send + 'static,
) -> io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_stack_size(THREAD_STACK_BYTES)
        .thread_name("plugsmith-server")
        .enable_all()
        .build()?;
    let output = transport::Output::new(output);
    let input = transport::spawn_input(input, output.clone())?;
    runtime.block_on(async move {
        let (service, socket) = LspService::new(server::Backend::new);
        Server::new(input, output, socket).serve(service).await;
    });
    // The analysis task ends when the service is dropped; do not wait long for a check
    // that is still running.
    runtime.shutdown_timeout(Duration::from_millis(500));
    Ok(())
}
