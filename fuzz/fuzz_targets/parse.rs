//! Lexer + parser on arbitrary bytes: never panics, every span lies inside the source, and
//! rendering the diagnostics works.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nmodl_syntax::{parse, render, SourceFile};

fuzz_target!(|data: &[u8]| {
    let source = SourceFile::from_bytes("fuzz.mod", data);
    let result = parse(&source.text);
    for d in &result.diagnostics {
        assert!(d.span.start <= d.span.end && d.span.end as usize <= source.text.len());
    }
    let _ = render(&source, &result.diagnostics, false);
});
