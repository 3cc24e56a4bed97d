//! Trace files as the reference scenarios write them: a header line of blank-separated column
//! names, then one row per sample with every value in hoc's `%.9g` format.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::Path;

/// C's `printf("%.{precision}g", value)`: `precision` significant digits (0 counts as 1),
/// exponent form when the decimal exponent is < −4 or >= precision, trailing zeros and a
/// trailing decimal point removed, exponent with sign and at least two digits.
pub fn format_g(value: f64, precision: usize) -> String {
    crate::cformat::fmt_g(value, precision, false, false)
}

/// Writes `header` and then row i = `columns[0][i] columns[1][i] ...` in `%.9g`, like the
/// scenarios' hoc `write_table`. All columns must have the same length.
pub fn write_table(path: impl AsRef<Path>, header: &str, columns: &[&[f64]]) -> io::Result<()> {
    let rows = columns.first().map_or(0, |c| c.len());
    if let Some(c) = columns.iter().find(|c| c.len() != rows) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("columns differ in length ({} and {} rows)", rows, c.len()),
        ));
    }
    let mut w = BufWriter::new(File::create(path)?);
    writeln!(w, "{header}")?;
    for i in 0..rows {
        for (j, c) in columns.iter().enumerate() {
            if j > 0 {
                w.write_all(b" ")?;
            }
            w.write_all(format_g(c[i], 9).as_bytes())?;
        }
        w.write_all(b"\n")?;
    }
    w.flush()
}

/// A trace file read back: column names and one vector per column.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub names: Vec<String>,
    pub columns: Vec<Vec<f64>>,
}

impl Table {
    /// The column called `name`.
    pub fn column(&self, name: &str) -> Option<&[f64]> {
        let k = self.names.iter().position(|n| n == name)?;
        Some(&self.columns[k])
    }
}

/// Reads a trace file (lines starting with `#` are comments).
pub fn read_table(path: impl AsRef<Path>) -> io::Result<Table> {
    let bad = |msg: String| io::Error::new(io::ErrorKind::InvalidData, msg);
    let reader = BufReader::new(File::open(path)?);
    let mut names: Option<Vec<String>> = None;
    let mut columns: Vec<Vec<f64>> = Vec::new();
    for (lineno, line) in reader.lines().enumerate() {
        let line = line?;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match &names {
            None => {
                let n: Vec<String> = line.split_whitespace().map(str::to_string).collect();
                columns = vec![Vec::new(); n.len()];
                names = Some(n);
            }
            Some(n) => {
                let mut count = 0;
                for (k, field) in line.split_whitespace().enumerate() {
                    let v: f64 = field.parse().map_err(|_| {
                        bad(format!("line {}: {field} is not a number", lineno + 1))
                    })?;
                    if k < n.len() {
                        columns[k].push(v);
                    }
                    count += 1;
                }
                if count != n.len() {
                    return Err(bad(format!(
                        "line {} has {count} values for {} columns",
                        lineno + 1,
                        n.len()
                    )));
                }
            }
        }
    }
    Ok(Table {
        names: names.unwrap_or_default(),
        columns,
    })
}

#[cfg(test)]
mod tests {
    use super::format_g;

    #[test]
    fn matches_hoc_printf() {
        // Values as they appear in the reference traces.
        let cases: &[(f64, &str)] = &[
            (-0.001220057177, "-0.00122005718"),
            (0.05293248529, "0.0529324853"),
            (-69.99375781, "-69.9937578"),
            (0.0, "0"),
            (-70.0, "-70"),
            (0.1, "0.1"),
            (0.025, "0.025"),
            (50.00000000000281, "50"),
            (5e-5, "5e-05"),
            (1.234567891e-5, "1.23456789e-05"),
            (-0.00321, "-0.00321"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (123456789.0, "123456789"),
            (1234567890.0, "1.23456789e+09"),
            (999999999.5, "1e+09"),
            (1e100, "1e+100"),
            (2.5e-300, "2.5e-300"),
            (-0.0, "-0"),
            (f64::INFINITY, "inf"),
            (f64::NAN, "nan"),
            (12.5, "12.5"),
            (132.4579341637009, "132.457934"),
            (0.000099999999996, "0.0001"),
        ];
        for &(v, want) in cases {
            assert_eq!(format_g(v, 9), want, "formatting {v:e}");
        }
        assert_eq!(format_g(2.6, 0), "3");
        assert_eq!(format_g(0.5, 1), "0.5");
        assert_eq!(format_g(100000.0, 6), "100000");
        assert_eq!(format_g(1000000.0, 6), "1e+06");
    }
}
