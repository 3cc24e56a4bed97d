//! Morphology against NEURON 9.0.2: replays the operations of tests/data/geometry/reference.txt
//! (3-D points, nseg changes, L and diam assignments on shaped sections, connections, define_shape,
//! distance) through the Rust API and checks every query line against NEURON's answer, which
//! tests/data/geometry/make_reference.py recorded.

use std::collections::HashMap;

use rsnrn::runtime::{CableModel, SectionId};

/// Areas, diameters, resistances, lengths, distances and 3-D points: relative agreement
/// required.
const REL_TOL: f64 = 1e-9;

/// 3-D points that `define_shape` computes are single precision; one case (a child in the first
/// half of a section that hangs by its 1 end) still rounds its angle to the neighbouring float,
/// which moves its points by about one float ulp. Such points are accepted within this relative
/// (or, near 0, absolute in um) tolerance, and the test counts them.
const FLOAT_ULP_TOL: f64 = 2.5e-7;
const FLOAT_NEAR_ULP_CASES: usize = 2;

fn close(ours: f64, neuron: f64) -> bool {
    ours == neuron || (ours - neuron).abs() <= REL_TOL * neuron.abs().max(1e-12)
}

fn close_float(ours: f64, neuron: f64) -> bool {
    (ours - neuron).abs() <= FLOAT_ULP_TOL * neuron.abs().max(4.0)
}

struct Replay {
    model: CableModel,
    secs: HashMap<String, SectionId>,
    checked: usize,
    failures: Vec<String>,
    near_float: Vec<String>,
    /// Largest relative difference seen per query kind (for the report).
    worst: HashMap<String, f64>,
}

fn num(w: &str) -> f64 {
    w.parse()
        .unwrap_or_else(|_| panic!("bad number {w:?} in reference.txt"))
}

impl Replay {
    fn sec(&self, name: &str) -> SectionId {
        *self
            .secs
            .get(name)
            .unwrap_or_else(|| panic!("unknown section {name} in reference.txt"))
    }

    fn op(&mut self, w: &[&str]) {
        let m = &mut self.model;
        let r = match w[0] {
            "case" => {
                self.model = CableModel::new();
                self.secs.clear();
                Ok(())
            }
            "define_shape" => m.define_shape(),
            "create" => {
                let id = m.create_section(w[1]).expect("create");
                self.secs.insert(w[1].to_string(), id);
                Ok(())
            }
            _ => {
                let s = self.sec(w[1]);
                let m = &mut self.model;
                match w[0] {
                    "L" => m.set_length(s, num(w[2])),
                    "diam" => m.set_diam(s, num(w[2])),
                    "Ra" => m.set_ra(s, num(w[2])),
                    "nseg" => m.set_nseg(s, num(w[2]) as i64),
                    "diamx" => m.set_range(s, num(w[2]), "diam", num(w[3])),
                    "connect" => {
                        let p = self.sec(w[3]);
                        self.model.connect(s, num(w[2]), p, num(w[4]))
                    }
                    "pt3dadd" => m.pt3dadd(s, num(w[2]), num(w[3]), num(w[4]), num(w[5])),
                    "pt3dinsert" | "pt3dchange" => {
                        let i = num(w[2]) as usize;
                        let [x, y, z, d] = [3, 4, 5, 6].map(|k| num(w[k]));
                        if w[0] == "pt3dinsert" {
                            m.pt3dinsert(s, i, x, y, z, d)
                        } else {
                            m.pt3dchange(s, i, x, y, z, d)
                        }
                    }
                    "pt3dremove" => m.pt3dremove(s, num(w[2]) as usize),

                    "pt3dchanged" => m.pt3dchange_diam(s, num(w[2]) as usize, num(w[3])),
                    "pt3dclear" => m.pt3dclear(s),
                    "origin" => m.set_distance_origin(s, num(w[2])),
                    other => panic!("unknown operation {other} in reference.txt"),
                }
            }
        };
        r.unwrap_or_else(|e| panic!("{}: {e}", w.join(" ")));
    }

    /// Our answer to a query, as numbers or words.
    fn ask(&mut self, w: &[&str]) -> Vec<String> {
        let s = self.sec(w[1]);
        let m = &mut self.model;
        let f = |v: f64| vec![format!("{v:?}")];
        let r = match w[0] {
            "L" => m.length(s).map(f),
            "diam" => m.get_range(s, num(w[2]), "diam").map(f),
            "area" => m.area(s, num(w[2])).map(f),
            "ri" => m.ri(s, num(w[2])).map(f),
            "n3d" => m.n3d(s).map(|n| vec![n.to_string()]),
            "pt" => {
                let i = num(w[2]) as usize;
                (|| {
                    Ok(vec![
                        m.x3d(s, i)?,
                        m.y3d(s, i)?,
                        m.z3d(s, i)?,
                        m.diam3d(s, i)?,
                        m.arc3d(s, i)?,
                    ])
                })()
                .map(|v| v.iter().map(|x| format!("{x:?}")).collect())
            }
            "dist" => m.distance(s, num(w[2])).map(f),
            "dist2" => {
                let b = self.sec(w[3]);
                self.model
                    .distance_between((s, num(w[2])), (b, num(w[4])))
                    .map(f)
            }
            "children" => m.children(s).map(|c| {
                c.iter()
                    .map(|&c| m.section_name(c).unwrap().to_string())
                    .collect()
            }),
            "trueparent" => m.trueparent(s).map(|p| match p {
                None => vec!["none".to_string()],
                Some((p, x)) => vec![m.section_name(p).unwrap().to_string(), format!("{x:?}")],
            }),
            "root" => m
                .root_section(s)
                .map(|r| vec![m.section_name(r).unwrap().to_string()]),
            other => panic!("unknown query {other} in reference.txt"),
        };
        r.unwrap_or_else(|e| panic!("{}: {e}", w.join(" ")))
    }

    fn query(&mut self, line: &str, w: &[&str], want: &[&str]) {
        let got = self.ask(w);
        self.checked += 1;
        let agree = |close: fn(f64, f64) -> bool| {
            got.len() == want.len()
                && got
                    .iter()
                    .zip(want)
                    .all(|(g, n)| match (g.parse::<f64>(), n.parse::<f64>()) {
                        (Ok(g), Ok(n)) => close(g, n),
                        _ => g == n,
                    })
        };
        let report = format!("{line}\n      ours: {}", got.join(" "));
        for (g, n) in got.iter().zip(want) {
            if let (Ok(g), Ok(n)) = (g.parse::<f64>(), n.parse::<f64>()) {
                let rel = if g == n {
                    0.0
                } else {
                    (g - n).abs() / n.abs().max(1e-12)
                };
                let e = self.worst.entry(w[0].to_string()).or_insert(0.0);
                *e = e.max(rel);
            }
        }
        if agree(close) {
            return;
        }
        if w[0] == "pt" && agree(close_float) {
            self.near_float.push(report);
        } else {
            self.failures.push(report);
        }
    }
}

#[test]
fn morphology_matches_neuron() {
    let text = include_str!("data/geometry/reference.txt");
    let mut r = Replay {
        model: CableModel::new(),
        secs: HashMap::new(),
        checked: 0,
        failures: Vec::new(),
        near_float: Vec::new(),
        worst: HashMap::new(),
    };
    let mut case = String::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        if let Some(q) = line.strip_prefix("? ") {
            let (query, answer) = q
                .split_once(" = ")
                .unwrap_or_else(|| panic!("query without answer: {line}"));
            let w: Vec<&str> = query.split_whitespace().collect();
            let want: Vec<&str> = answer.split_whitespace().collect();
            r.query(&format!("[{case}] {line}"), &w, &want);
        } else {
            let w: Vec<&str> = line.split_whitespace().collect();
            if w[0] == "case" {
                case = w[1].to_string();
            }
            r.op(&w);
        }
    }
    assert!(r.checked > 2000, "only {} queries checked", r.checked);
    let mut worst: Vec<_> = r.worst.iter().collect();
    worst.sort_by(|a, b| a.0.cmp(b.0));
    println!(
        "{} queries; largest relative difference from NEURON per kind:",
        r.checked
    );
    for (kind, rel) in worst {
        println!("  {kind:<10} {rel:.2e}");
    }
    for p in &r.near_float {
        println!("within one float ulp only: {p}");
    }
    assert!(
        r.near_float.len() <= FLOAT_NEAR_ULP_CASES,
        "{} 3-D points agree only to float precision (expected at most {FLOAT_NEAR_ULP_CASES}):\n{}",
        r.near_float.len(),
        r.near_float.join("\n")
    );
    assert!(
        r.failures.is_empty(),
        "{} of {} queries differ from NEURON (relative tolerance {REL_TOL}):\n{}",
        r.failures.len(),
        r.checked,
        r.failures[..r.failures.len().min(40)].join("\n")
    );
}
