//! Math functions the generated code calls.
//!
//! Cranelift has no transcendental instructions. The JIT binds these symbols to the functions
//! below, which call the platform C library (Rust's `f64::exp` etc. lower to libm's `exp`), so
//! results are bit-identical to NEURON's C code compiled against the same libm.
//! Shared libraries import the same names from the system libm. `fabs`, `sqrt`, `floor` and
//! `ceil` are exact Cranelift instructions and `exprelr` is generated inline: none of these
//! four is imported. `exp` is generated inline too (emit/exp.rs: within 1 ulp of libm's, not
//! always bit-identical) unless RSNRN_LIBM_EXP is set when code is generated.

use nmodl_ir::MathFunction;

/// Symbol name of the imported implementation of `f`: the C library's own name.
pub fn symbol(f: MathFunction) -> &'static str {
    f.name()
}

extern "C" fn exp(x: f64) -> f64 {
    x.exp()
}
extern "C" fn log(x: f64) -> f64 {
    x.ln()
}
extern "C" fn log10(x: f64) -> f64 {
    x.log10()
}
extern "C" fn pow(x: f64, y: f64) -> f64 {
    x.powf(y)
}
extern "C" fn sqrt(x: f64) -> f64 {
    x.sqrt()
}
extern "C" fn fabs(x: f64) -> f64 {
    x.abs()
}
extern "C" fn sin(x: f64) -> f64 {
    x.sin()
}
extern "C" fn cos(x: f64) -> f64 {
    x.cos()
}
extern "C" fn tan(x: f64) -> f64 {
    x.tan()
}
extern "C" fn sinh(x: f64) -> f64 {
    x.sinh()
}
extern "C" fn cosh(x: f64) -> f64 {
    x.cosh()
}
extern "C" fn tanh(x: f64) -> f64 {
    x.tanh()
}
extern "C" fn asin(x: f64) -> f64 {
    x.asin()
}
extern "C" fn acos(x: f64) -> f64 {
    x.acos()
}
extern "C" fn atan(x: f64) -> f64 {
    x.atan()
}
extern "C" fn atan2(y: f64, x: f64) -> f64 {
    y.atan2(x)
}
extern "C" fn floor(x: f64) -> f64 {
    x.floor()
}
extern "C" fn ceil(x: f64) -> f64 {
    x.ceil()
}
extern "C" fn fmod(x: f64, y: f64) -> f64 {
    x % y
}
/// Address of the implementation of `f`.
pub fn address(f: MathFunction) -> *const u8 {
    use MathFunction::*;
    let unary: extern "C" fn(f64) -> f64 = match f {
        Exp => exp,
        Log => log,
        Log10 => log10,
        Sqrt => sqrt,
        Fabs => fabs,
        Sin => sin,
        Cos => cos,
        Tan => tan,
        Sinh => sinh,
        Cosh => cosh,
        Tanh => tanh,
        Asin => asin,
        Acos => acos,
        Atan => atan,
        Floor => floor,
        Ceil => ceil,
        // Generated inline, never imported.
        Exprelr => exp,
        Pow => return pow as *const u8,
        Atan2 => return atan2 as *const u8,
        Fmod => return fmod as *const u8,
    };
    unary as *const u8
}

/// The functions generated code imports.
pub const IMPORTED: [MathFunction; 15] = [
    MathFunction::Exp,
    MathFunction::Log,
    MathFunction::Log10,
    MathFunction::Pow,
    MathFunction::Sin,
    MathFunction::Cos,
    MathFunction::Tan,
    MathFunction::Sinh,
    MathFunction::Cosh,
    MathFunction::Tanh,
    MathFunction::Asin,
    MathFunction::Acos,
    MathFunction::Atan,
    MathFunction::Atan2,
    MathFunction::Fmod,
];
