//! The interpreter on small programs: output, echo, errors with places, no panics.

use rsnrn_hoc::interp::Output;
use rsnrn_hoc::{Flow, Interp};

/// Runs `text` as a file named t.hoc; returns what it printed and the error report if any.
fn run(text: &str) -> (String, Option<String>) {
    let text = text.to_string();
    // Deep hoc recursion needs a large stack, as rsnrniv gives it.
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            let mut hoc = Interp::new("rsnrniv").expect("built-in mechanisms compile");
            hoc.out = Output::Buffer(Vec::new());
            let r = hoc.run_string("t.hoc", &text);
            let report = match r {
                Err(Flow::Error(e)) => Some(hoc.render_error(&e)),
                _ => None,
            };
            let Output::Buffer(b) = &hoc.out else {
                unreachable!("set above")
            };
            (String::from_utf8_lossy(b).into_owned(), report)
        })
        .expect("spawning")
        .join()
        .expect("the interpreter does not panic")
}

#[test]
fn top_level_echo_follows_neuron() {
    let (out, err) = run("1+2\nx = 3\nx\n{x}\n(x = 4)\nstrdef s\ns = \"txt\"\ns\nfunc f() { return 2 }\nproc p() {}\nf()\np()\n");
    assert_eq!(err, None);
    assert_eq!(out, "\t3 \n\t3 \n\t4 \ntxt\n\t2 \n");
}

#[test]
fn print_and_precedence() {
    let (out, _) = run("print -2^2, 2^3^2, -7%3, 7/2, 1/3\nprint \"a\", 1, \"b\"\nprint 0.1+0.2 == 0.3, 1e-12 == 0, 3 > 2 > 1\n");
    assert_eq!(out, "-4 512 2 3.5 0.33333333 \na1 b\n1 1 0 \n");
}

#[test]
fn templates_sections_and_stdrun() {
    let (out, err) = run(r#"
begintemplate Cell
  public soma, n
  create soma
  proc init() { n = $1  soma { L = 20  diam = 20  insert pas } }
endtemplate Cell
objref c
c = new Cell(7)
print c, c.n
forall print secname(), " ", L
{ load_file("stdrun.hoc") }
tstop = 1
c.soma { v_init = -70 }
run()
printf("%.3f\n", t)
"#);
    assert_eq!(err, None);
    // printf at top level echoes the number of characters it wrote.
    assert_eq!(out, "Cell[0] 7 \nCell[0].soma 20 \n1.000\n\t6 \n");
}

#[test]
fn errors_have_a_place_and_never_panic() {
    let cases = [
        ("x = (1 +\n", 1),
        ("proc p() {\n  print 1\n", 2),
        ("begintemplate A\npublic x\n", 2),
        ("double a[3]\na[3] = 1\n", 2),
        ("objref v\n", 1),
        ("y = 0\nz = 1/y\n", 2),
        ("q = sqrt()\n", 1),
        ("print $1\n", 1),
        ("objref o\no.size()\n", 2),
        ("x = 1\naccess x\n", 2),
        ("a = 1  b = 2\n", 1),
        ("x = \"s\"\n", 1),
        ("o = new NoSuchThing()\n", 1),
        (
            "func down() { return down($1+1) }\nprint \"s\"\nx = down(0)\n",
            3,
        ),
        ("proc bad() {\n  nosuch($1)\n}\nbad(1)\n", 4),
        ("create s\nnseg = 0\n", 2),
        ("x = log(-1)\n", 1),
        ("}\n", 1),
        ("print \"unterminated\n", 1),
        ("for i = 0, 3 {\n", 1),
        ("if (1) \n print 2\n", 1),
        ("v = new Vector(3)\n", 1),
    ];
    for (text, line) in cases {
        let (_, err) = run(text);
        let report = err.unwrap_or_else(|| panic!("no error for {text:?}"));
        assert!(
            report.contains(&format!("line {line}\n")) || report.contains(&format!("line {line} ")),
            "the report for {text:?} does not name line {line}:\n{report}"
        );
    }
}
