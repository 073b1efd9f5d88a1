//! How fast tree-sitter-python parses a file, and how fast the PLG001 scan runs over it.
//!
//!     cargo run --release -p plugsmith_core --example parse_speed -- FILE [ROUNDS]
use std::sync::Arc;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: parse_speed FILE [ROUNDS]");
    let rounds: u32 = args.next().and_then(|r| r.parse().ok()).unwrap_or(200);
    let text: Arc<str> = Arc::from(std::fs::read_to_string(&path).expect("readable file"));
    let start = Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(plugsmith_core::syntax::python::parse(text.clone()));
    }
    let parse = start.elapsed() / rounds;
    let file = plugsmith_core::syntax::python::parse(text.clone());
    let start = Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(plugsmith_core::syntax::python::syntax_errors(&file));
    }
    let scan = start.elapsed() / rounds;
    let lines = text.lines().count();
    println!(
        "{lines} lines, {} bytes: parse {parse:?}, syntax-error scan {scan:?} ({:.1} MB/s parse)",
        text.len(),
        text.len() as f64 / parse.as_secs_f64() / 1e6
    );
}
