//! C `printf` formatting as hoc's printf/sprint/fprint, File.printf and NMODL's printf do it: every argument
//! is a double or a string; `%d %i %x %o %c` convert the double to an integer.

/// One printf argument.
#[derive(Debug, Clone)]
pub enum FmtArg {
    Num(f64),
    Str(String),
}

/// `%e` in C's style (`1.234560e+04`).
pub fn fmt_e(v: f64, prec: usize, upper: bool) -> String {
    if !v.is_finite() {
        return nonfinite(v, upper);
    }
    let s = format!("{v:.prec$e}");
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let sign = if exp < 0 { '-' } else { '+' };
    let e = if upper { 'E' } else { 'e' };
    format!("{mant}{e}{sign}{:02}", exp.abs())
}

fn nonfinite(v: f64, upper: bool) -> String {
    let s = if v.is_nan() {
        if v.is_sign_negative() {
            "-nan"
        } else {
            "nan"
        }
    } else if v > 0.0 {
        "inf"
    } else {
        "-inf"
    };
    if upper {
        s.to_uppercase()
    } else {
        s.to_string()
    }
}

/// `%.{prec}g` (with `alt` for `#`: keep trailing zeros).
pub fn fmt_g(v: f64, prec: usize, alt: bool, upper: bool) -> String {
    if !v.is_finite() {
        return nonfinite(v, upper);
    }
    let p = if prec == 0 { 1 } else { prec };
    if v == 0.0 {
        let mut s = if v.is_sign_negative() { "-0" } else { "0" }.to_string();
        if alt && p > 1 {
            s.push('.');
            s.push_str(&"0".repeat(p - 1));
        }
        return s;
    }
    // The exponent after rounding to p significant digits decides the style.
    let e_form = format!("{v:.prec$e}", prec = p - 1);
    let exp: i32 = e_form
        .split_once('e')
        .and_then(|(_, x)| x.parse().ok())
        .unwrap_or(0);
    let mut s = if exp < -4 || exp >= p as i32 {
        fmt_e(v, p - 1, upper)
    } else {
        let decimals = (p as i32 - 1 - exp).max(0) as usize;
        format!("{v:.decimals$}")
    };
    if !alt {
        // Strip trailing zeros of the fraction (and a bare point), keeping the exponent.
        let (body, exp_part) = match s.find(['e', 'E']) {
            Some(i) => (s[..i].to_string(), s[i..].to_string()),
            None => (s.clone(), String::new()),
        };
        if body.contains('.') {
            let trimmed = body.trim_end_matches('0').trim_end_matches('.');
            s = format!("{trimmed}{exp_part}");
        }
    }
    s
}

/// hoc's `print` / echo format for numbers: `%.8g`.
pub fn num8(v: f64) -> String {
    fmt_g(v, 8, false, false)
}

struct Spec {
    left: bool,
    plus: bool,
    space: bool,
    zero: bool,
    alt: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

fn pad(spec: &Spec, body: String, numeric: bool) -> String {
    let Some(w) = spec.width else { return body };
    let len = body.chars().count();
    if len >= w {
        return body;
    }
    let fill = w - len;
    if spec.left {
        format!("{body}{}", " ".repeat(fill))
    } else if spec.zero && numeric {
        // Zeros go after the sign (and 0x).
        let (sign, rest) = match body.chars().next() {
            Some(c @ ('-' | '+' | ' ')) => (c.to_string(), body[1..].to_string()),
            _ => (String::new(), body),
        };
        format!("{sign}{}{rest}", "0".repeat(fill))
    } else {
        format!("{}{body}", " ".repeat(fill))
    }
}

fn signed(spec: &Spec, s: String, negative: bool) -> String {
    if negative {
        s
    } else if spec.plus {
        format!("+{s}")
    } else if spec.space {
        format!(" {s}")
    } else {
        s
    }
}

/// Double to the integer C would see after hoc's conversion (truncation, saturating).
fn as_int(v: f64) -> i64 {
    if v.is_nan() {
        0
    } else {
        v as i64
    }
}

/// Formats `fmt` with `args`. Errors name what is wrong (too few arguments, a string for a
/// number conversion or the reverse).
pub fn sprintf(fmt: &str, args: &[FmtArg]) -> Result<String, String> {
    let mut out = String::new();
    let mut it = args.iter();
    let b = fmt.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c != b'%' {
            let start = i;
            while i < b.len() && b[i] != b'%' {
                i += 1;
            }
            out.push_str(&fmt[start..i]);
            continue;
        }
        i += 1;
        if i < b.len() && b[i] == b'%' {
            out.push('%');
            i += 1;
            continue;
        }
        let mut spec = Spec {
            left: false,
            plus: false,
            space: false,
            zero: false,
            alt: false,
            width: None,
            prec: None,
        };
        while i < b.len() {
            match b[i] {
                b'-' => spec.left = true,
                b'+' => spec.plus = true,
                b' ' => spec.space = true,
                b'0' => spec.zero = true,
                b'#' => spec.alt = true,
                _ => break,
            }
            i += 1;
        }
        let num = |i: &mut usize| -> Option<usize> {
            let s = *i;
            while *i < b.len() && b[*i].is_ascii_digit() {
                *i += 1;
            }
            (*i > s).then(|| fmt[s..*i].parse().unwrap_or(0))
        };
        if i < b.len() && b[i] == b'*' {
            i += 1;
            spec.width = match it.next() {
                Some(FmtArg::Num(n)) => Some(as_int(*n).max(0) as usize),
                _ => return Err("printf: * width needs a number argument".into()),
            };
        } else {
            spec.width = num(&mut i);
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            spec.prec = Some(num(&mut i).unwrap_or(0));
        }
        // Length modifiers are accepted and ignored (%ld, %lf, %lg).
        while i < b.len() && matches!(b[i], b'l' | b'h' | b'L' | b'q' | b'j' | b'z') {
            i += 1;
        }
        let Some(&conv) = b.get(i) else {
            out.push('%');
            break;
        };
        i += 1;
        let conv = conv as char;
        let arg = it.next();
        let number = |a: Option<&FmtArg>| -> Result<f64, String> {
            match a {
                Some(FmtArg::Num(n)) => Ok(*n),
                Some(FmtArg::Str(_)) => Err(format!(
                    "printf: a string argument for the number format %{conv}"
                )),
                None => Err(format!("printf: not enough arguments for %{conv}")),
            }
        };
        let piece = match conv {
            'd' | 'i' | 'u' => {
                let n = as_int(number(arg)?);
                let mut s = n.unsigned_abs().to_string();
                if let Some(p) = spec.prec {
                    while s.len() < p {
                        s.insert(0, '0');
                    }
                }
                if n < 0 {
                    s.insert(0, '-');
                }
                pad(&spec, signed(&spec, s, n < 0), spec.prec.is_none())
            }
            'x' | 'X' | 'o' => {
                let n = as_int(number(arg)?) as u64;
                let mut s = match conv {
                    'x' => format!("{n:x}"),
                    'X' => format!("{n:X}"),
                    _ => format!("{n:o}"),
                };
                if spec.alt && n != 0 {
                    s.insert_str(0, if conv == 'o' { "0" } else { "0x" });
                }
                pad(&spec, s, true)
            }
            'c' => {
                let n = as_int(number(arg)?);
                let ch = char::from_u32(n as u32).unwrap_or('?');
                pad(&spec, ch.to_string(), false)
            }
            'f' | 'F' => {
                let v = number(arg)?;
                let p = spec.prec.unwrap_or(6);
                let s = if v.is_finite() {
                    let mut s = format!("{v:.p$}");
                    if spec.alt && p == 0 {
                        s.push('.');
                    }
                    s
                } else {
                    nonfinite(v, conv == 'F')
                };
                let neg = s.starts_with('-');
                pad(&spec, signed(&spec, s, neg), v.is_finite())
            }
            'e' | 'E' => {
                let v = number(arg)?;
                let s = fmt_e(v, spec.prec.unwrap_or(6), conv == 'E');
                let neg = s.starts_with('-');
                pad(&spec, signed(&spec, s, neg), v.is_finite())
            }
            'g' | 'G' => {
                let v = number(arg)?;
                let s = fmt_g(v, spec.prec.unwrap_or(6), spec.alt, conv == 'G');
                let neg = s.starts_with('-');
                pad(&spec, signed(&spec, s, neg), v.is_finite())
            }
            's' => {
                let s = match arg {
                    Some(FmtArg::Str(s)) => s.clone(),
                    Some(FmtArg::Num(n)) => num8(*n),
                    None => return Err("printf: not enough arguments for %s".into()),
                };
                let s = match spec.prec {
                    Some(p) => s.chars().take(p).collect(),
                    None => s,
                };
                pad(&spec, s, false)
            }
            other => return Err(format!("printf: unknown conversion %{other}")),
        };
        out.push_str(&piece);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(fmt: &str, args: &[f64]) -> String {
        let a: Vec<FmtArg> = args.iter().map(|&x| FmtArg::Num(x)).collect();
        sprintf(fmt, &a).unwrap()
    }

    #[test]
    fn g_matches_c() {
        assert_eq!(num8(123456789.0), "1.2345679e+08");
        assert_eq!(num8(1.0 / 3.0), "0.33333333");
        assert_eq!(num8(100000.0), "100000");
        assert_eq!(num8(1e-5), "1e-05");
        assert_eq!(num8(0.000123456789), "0.00012345679");
        assert_eq!(num8(-0.0), "-0");
        assert_eq!(f("%g", &[1e6]), "1e+06");
        assert_eq!(f("%g", &[0.0001]), "0.0001");
        assert_eq!(f("%g", &[1.90735e-05]), "1.90735e-05");
        assert_eq!(f("%.3g", &[std::f64::consts::PI]), "3.14");
        assert_eq!(f("%10.4g|", &[std::f64::consts::PI]), "     3.142|");
    }

    #[test]
    fn ints_floats_and_flags() {
        assert_eq!(
            f("[%5d] [%-5d] [%05d]", &[42.0, 42.0, 42.0]),
            "[   42] [42   ] [00042]"
        );
        assert_eq!(f("[%+d] [%d]", &[7.0, -3.7]), "[+7] [-3]");
        assert_eq!(f("[%x] [%5x]", &[255.0, 4096.0]), "[ff] [ 1000]");
        assert_eq!(f("[%.0f] [%.0f]", &[2.5, 3.5]), "[2] [4]");
        assert_eq!(f("[%8.2e]", &[-1234.5]), "[-1.23e+03]");
        assert_eq!(f("%e", &[12345.678]), "1.234568e+04");
    }
}
