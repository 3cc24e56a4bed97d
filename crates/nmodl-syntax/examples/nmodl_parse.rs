//! Debugging aid: `cargo run -p nmodl-syntax --example nmodl_parse -- [--tokens|--json] FILE...`
//! prints the diagnostics of each file, and with `--json` its syntax tree, with `--tokens` its
//! tokens.

use nmodl_syntax::{lex, parse, render, SourceFile};

fn main() {
    let mut json = false;
    let mut tokens = false;
    let mut status = 0;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--json" => json = true,
            "--tokens" => tokens = true,
            path => {
                let bytes = match std::fs::read(path) {
                    Ok(b) => b,
                    Err(e) => {
                        eprintln!("{path}: {e}");
                        status = 1;
                        continue;
                    }
                };
                let file = SourceFile::from_bytes(path, &bytes);
                if tokens {
                    for (l, t, r) in lex(&file.text).tokens {
                        println!("{l}..{r} {t:?}");
                    }
                }
                let result = parse(&file.text);
                if json {
                    println!("{}", serde_json::to_string_pretty(&result.file).unwrap());
                }
                eprint!("{}", render(&file, &result.diagnostics, false));
                if result.has_errors() {
                    status = 1;
                }
            }
        }
    }
    std::process::exit(status);
}
