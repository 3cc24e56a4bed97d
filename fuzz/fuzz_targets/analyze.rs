//! Parser + semantic analysis on arbitrary bytes. The input may INCLUDE "a.inc", whose text
//! is the input itself (so include cycles and errors in included text are exercised). Never
//! panics; an accepted file's IR validates and round-trips through serde; diagnostics render.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nmodl_sema::{analyze_with, IncludedFile, Options};
use nmodl_syntax::{parse, render, SourceFile};

fuzz_target!(|data: &[u8]| {
    let source = SourceFile::from_bytes("fuzz.mod", data);
    let parsed = parse(&source.text);
    let text = source.text.clone();
    let mut resolver = move |name: &str| -> Result<IncludedFile, String> {
        if name == "a.inc" {
            Ok(IncludedFile {
                name: name.to_string(),
                text: text.clone(),
            })
        } else {
            Err(format!("no file {name}"))
        }
    };
    let analysis = analyze_with(
        &parsed.file,
        Options {
            include: Some(&mut resolver),
            default_name: Some("fuzz".into()),
        },
    );
    for d in &analysis.diagnostics {
        assert!(d.span.start <= d.span.end && d.span.end as usize <= source.text.len());
    }
    let _ = render(&source, &analysis.diagnostics, false);
    if let Some(mech) = &analysis.mechanism {
        assert!(nmodl_ir::validate(mech).is_ok());
        let back = nmodl_ir::Mechanism::from_json(&mech.to_json()).expect("IR round-trips");
        assert_eq!(&back, mech);
    }
});
