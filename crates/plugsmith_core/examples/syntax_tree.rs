//! Prints the tree-sitter tree of a Python file and its syntax errors (a debugging aid).
//!
//!     cargo run -p plugsmith_core --example syntax_tree -- FILE
use std::sync::Arc;

fn main() {
    let path = std::env::args().nth(1).expect("usage: syntax_tree FILE");
    let text: Arc<str> = Arc::from(std::fs::read_to_string(path).expect("readable file"));
    let file = plugsmith_core::syntax::python::parse(text.clone());
    println!("{}", file.root().to_sexp());
    for error in plugsmith_core::syntax::python::syntax_errors(&file) {
        println!(
            "{:?} {:?}: {}",
            error.range, &text[error.range], error.message
        );
    }
}
