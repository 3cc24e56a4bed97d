//! `exp` generated inline, for `f64` and `f64x2` values alike.
//!
//! Kernels of channel models spend much of their time in exp (cnexp alone needs one per
//! state per step); a call into the C library costs a call, the saved registers around it and
//! the library's dispatch, and it cannot be vectorized. This exp is Cody-Waite range
//! reduction, x = k ln2 + r with |r| <= ln2/2, and exp(r) = 1 + r + r^2 q(r) with q a degree-9
//! polynomial interpolating (exp(r) - 1 - r)/r^2 at Chebyshev nodes (its error is below 0.1
//! ulp on the interval; the coefficients were computed with mpmath at 60 digits). The result is
//! within 1 ulp of the correctly rounded exp (the unit test compares it with the C library's
//! over random and edge-case arguments), not always bit-identical to it.
//!
//! Range: above about 709.78 the result overflows to +inf, below about -745.13 it underflows
//! to 0 (through subnormals), NaN stays NaN, exactly like the C function. NEURON's clamps of
//! `exp` in .mod code (hoc_Exp) are applied by the caller.

use cranelift_codegen::ir::{types, Endianness, InstBuilder, MemFlagsData, Type, Value};
use cranelift_frontend::FunctionBuilder;

/// Whether the environment asks for the C library's exp instead (RSNRN_LIBM_EXP set, to
/// anything): results then are bit-identical to NEURON's, for tracing a difference.
pub(crate) fn libm_requested() -> bool {
    std::env::var_os("RSNRN_LIBM_EXP").is_some()
}

/// 1.5 * 2^52: adding it to a number of magnitude below 2^51 rounds that number to the nearest
/// integer, which then sits in the low bits of the sum's representation.
const SHIFTER: f64 = 6755399441055744.0;
const INV_LN2: f64 = std::f64::consts::LOG2_E;
/// ln 2 split so that k * LN2_HI is exact for |k| < 2^12 (LN2_HI's low 12 bits are zero).
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fefa_3000);
const LN2_LO: f64 = 2.823_529_056_303_157_7e-13;
/// Arguments are clamped into this range before the reduction, which keeps k (and the
/// exponent arithmetic) bounded; exp is already +inf at the top and 0 at the bottom.
const CLAMP_HIGH: f64 = 710.0;
const CLAMP_LOW: f64 = -746.0;
/// q(r), lowest degree first.
const Q: [f64; 10] = [
    0.500_000_000_000_000_1,
    0.166_666_666_666_666_69,
    0.041_666_666_666_624_13,
    0.008_333_333_333_330_062,
    0.001_388_888_891_721_371_7,
    0.000_198_412_698_630_536_18,
    2.480_152_129_595_437_6e-5,
    2.755_726_845_999_706_4e-6,
    2.762_008_844_540_974_6e-7,
    2.510_038_549_551_032e-8,
];

/// Where the generated exp's constants come from. Each call gives the constant for one use:
/// a source may give every use its own load (the vector kernels do, see `vector::consts`).
pub(crate) trait Constants {
    /// A value of type `ty` (f64 or i64, or a vector of them) with `bits` in every lane.
    fn constant(&mut self, b: &mut FunctionBuilder, ty: Type, bits: u64) -> Value;
}

/// Constants as immediates (`f64const`, `iconst`; splatted for vectors).
pub(crate) struct Immediates;

impl Constants for Immediates {
    fn constant(&mut self, b: &mut FunctionBuilder, ty: Type, bits: u64) -> Value {
        let lane = if ty.lane_type() == types::F64 {
            b.ins().f64const(f64::from_bits(bits))
        } else {
            b.ins().iconst(ty.lane_type(), bits as i64)
        };
        if ty.is_vector() {
            b.ins().splat(ty, lane)
        } else {
            lane
        }
    }
}

/// Builds constants and bit-level conversions for the lane type of the value being computed.
struct Lanes<'c> {
    float: Type,
    int: Type,
    /// Whether a * b + c is one fused instruction (the target has FMA).
    fused: bool,
    constants: &'c mut dyn Constants,
}

impl<'c> Lanes<'c> {
    fn of(float: Type, fused: bool, constants: &'c mut dyn Constants) -> Lanes<'c> {
        let int = if float.is_vector() {
            types::I64X2
        } else {
            types::I64
        };
        Lanes {
            float,
            int,
            fused,
            constants,
        }
    }

    /// a * b + c, fused (one rounding) when the target has FMA.
    fn mul_add(&self, b: &mut FunctionBuilder, x: Value, y: Value, z: Value) -> Value {
        if self.fused {
            b.ins().fma(x, y, z)
        } else {
            let xy = b.ins().fmul(x, y);
            b.ins().fadd(xy, z)
        }
    }

    fn float(&mut self, b: &mut FunctionBuilder, x: f64) -> Value {
        self.constants.constant(b, self.float, x.to_bits())
    }

    fn int(&mut self, b: &mut FunctionBuilder, x: i64) -> Value {
        self.constants.constant(b, self.int, x as u64)
    }

    fn bits(&self, b: &mut FunctionBuilder, x: Value) -> Value {
        b.ins().bitcast(self.int, little(), x)
    }

    fn float_of_bits(&self, b: &mut FunctionBuilder, x: Value) -> Value {
        b.ins().bitcast(self.float, little(), x)
    }
}

fn little() -> MemFlagsData {
    MemFlagsData::new().with_endianness(Endianness::Little)
}

/// e^x for `x` of type f64 or f64x2 (lane by lane), over the whole range of doubles. `fused`:
/// use FMA instructions (only when the target has them; see `TargetIsa::has_native_fma`).
pub(crate) fn exp(
    b: &mut FunctionBuilder,
    x: Value,
    fused: bool,
    constants: &mut dyn Constants,
) -> Value {
    let mut lanes = Lanes::of(b.func.dfg.value_type(x), fused, constants);
    let high = lanes.float(b, CLAMP_HIGH);
    let low = lanes.float(b, CLAMP_LOW);
    // fmin/fmax propagate NaN, which then flows through to the result.
    let x = b.ins().fmin(x, high);
    let x = b.ins().fmax(x, low);
    let (k, t, p) = reduce(b, &mut lanes, x);
    // 2^k as 2^k1 * 2^k2 with k1 = floor(k/2): both factors stay normal numbers for every k
    // the clamp allows (-1076..=1024), so only the last product can overflow or go subnormal.
    let shifter = lanes.float(b, SHIFTER);
    let half = lanes.float(b, 0.5);
    let quarter = lanes.float(b, 0.25);
    let k_half = b.ins().fmul(k, half);
    let k_half = b.ins().fsub(k_half, quarter);
    let t1 = b.ins().fadd(k_half, shifter);
    let t_bits = lanes.bits(b, t);
    let t1_bits = lanes.bits(b, t1);
    let k2_bits = b.ins().isub(t_bits, t1_bits);
    let s1 = power_of_two(b, &mut lanes, t1_bits);
    let s2 = power_of_two(b, &mut lanes, k2_bits);
    let y = b.ins().fmul(p, s1);
    b.ins().fmul(y, s2)
}

/// Above this magnitude [`exp_moderate`] is not valid.
pub(crate) const MODERATE_LIMIT: f64 = 708.3;

/// e^x for |x| <= [`MODERATE_LIMIT`] (where e^x and 2^k are normal numbers) and NaN (NaN);
/// other arguments give unspecified values, which callers replace (NEURON's exp clamps at
/// ±700). Shorter than [`exp`]: no clamp before the reduction and one scaling product.
pub(crate) fn exp_moderate(
    b: &mut FunctionBuilder,
    x: Value,
    fused: bool,
    constants: &mut dyn Constants,
) -> Value {
    let mut lanes = Lanes::of(b.func.dfg.value_type(x), fused, constants);
    let (_, t, p) = reduce(b, &mut lanes, x);
    let t_bits = lanes.bits(b, t);
    let s = power_of_two(b, &mut lanes, t_bits);
    b.ins().fmul(p, s)
}

/// k = round(x / ln2) as a float, the same k in the low bits of `t`, and p = e^(x - k ln2).
fn reduce(b: &mut FunctionBuilder, lanes: &mut Lanes, x: Value) -> (Value, Value, Value) {
    let shifter = lanes.float(b, SHIFTER);
    let inv_ln2 = lanes.float(b, INV_LN2);
    let t = lanes.mul_add(b, x, inv_ln2, shifter);
    // The shifter again: a constant per use (see [`Constants`]).
    let shifter = lanes.float(b, SHIFTER);
    let k = b.ins().fsub(t, shifter);

    // r = x - k ln2, in two steps so that the first is exact (fused or not).
    let minus_ln2_hi = lanes.float(b, -LN2_HI);
    let minus_ln2_lo = lanes.float(b, -LN2_LO);
    let r = lanes.mul_add(b, k, minus_ln2_hi, x);
    let r = lanes.mul_add(b, k, minus_ln2_lo, r);

    // q(r) by Estrin's scheme: its dependency chain is half as long as Horner's, which
    // matters in kernels where each instance's exps wait on each other.
    let r2 = b.ins().fmul(r, r);
    let r4 = b.ins().fmul(r2, r2);
    let r8 = b.ins().fmul(r4, r4);
    let mut pairs = Vec::with_capacity(Q.len() / 2);
    for c in Q.chunks(2) {
        let c0 = lanes.float(b, c[0]);
        let c1 = lanes.float(b, c[1]);
        pairs.push(lanes.mul_add(b, c1, r, c0));
    }
    // Q has 10 coefficients: pairs 0..5, combined as (p0 + p1 r2) + (p2 + p3 r2) r4 + p4 r8.
    let low = lanes.mul_add(b, pairs[1], r2, pairs[0]);
    let high = lanes.mul_add(b, pairs[3], r2, pairs[2]);
    let q = lanes.mul_add(b, high, r4, low);
    let q = lanes.mul_add(b, pairs[4], r8, q);

    // exp(r) = (r + r^2 q(r)) + 1, the constant second: x86-64 takes it from memory there.
    let expm1 = lanes.mul_add(b, r2, q, r);
    let one = lanes.float(b, 1.0);
    let p = b.ins().fadd(expm1, one);
    (k, t, p)
}

/// 2^k from the bits of a float holding k in its low bits (k + SHIFTER): the shifter's own
/// bits vanish in the shift by 52, leaving (k + 1023) << 52, valid for -1022 <= k <= 1023.
fn power_of_two(b: &mut FunctionBuilder, lanes: &mut Lanes, k_bits: Value) -> Value {
    let bias = lanes.int(b, 1023);
    let e = b.ins().iadd(k_bits, bias);
    let e = b.ins().ishl_imm_u(e, 52);
    lanes.float_of_bits(b, e)
}

#[cfg(test)]
mod tests {
    use super::{exp, exp_moderate, Constants, Immediates, MODERATE_LIMIT};
    use cranelift_codegen::ir::Value;
    use cranelift_frontend::FunctionBuilder as Builder;

    type Emit = fn(&mut Builder, Value, bool, &mut dyn Constants) -> Value;
    use cranelift_codegen::ir::{types, AbiParam, InstBuilder, Signature, UserFuncName};
    use cranelift_codegen::settings::{self, Configurable};
    use cranelift_codegen::Context;
    use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
    use cranelift_jit::{JITBuilder, JITModule};
    use cranelift_module::{default_libcall_names, Linkage, Module};

    fn host_isa() -> cranelift_codegen::isa::OwnedTargetIsa {
        let mut flags = settings::builder();
        flags.set("opt_level", "speed").unwrap();
        cranelift_native::builder()
            .unwrap()
            .finish(settings::Flags::new(flags))
            .unwrap()
    }

    /// JIT-compiles `fn(*const f64, *mut f64, n)` applying exp to n values, two lanes at a
    /// time when `vector`, one at a time otherwise.
    fn compile(
        vector: bool,
        emit: Emit,
        fused: bool,
    ) -> (JITModule, extern "C" fn(*const f64, *mut f64, i64)) {
        let mut module = JITModule::new(JITBuilder::with_isa(host_isa(), default_libcall_names()));
        let mut sig = Signature::new(module.isa().default_call_conv());
        for _ in 0..3 {
            sig.params.push(AbiParam::new(types::I64));
        }
        let id = module
            .declare_function("exp_array", Linkage::Export, &sig)
            .unwrap();
        let mut ctx = Context::new();
        ctx.func.signature = sig;
        ctx.func.name = UserFuncName::user(0, id.as_u32());
        let mut fctx = FunctionBuilderContext::new();
        {
            let mut b = FunctionBuilder::new(&mut ctx.func, &mut fctx);
            let entry = b.create_block();
            b.append_block_params_for_function_params(entry);
            b.switch_to_block(entry);
            let p = b.block_params(entry).to_vec();
            let (input, output, n) = (p[0], p[1], p[2]);
            let (ty, step) = if vector {
                (types::F64X2, 2)
            } else {
                (types::F64, 1)
            };
            let header = b.create_block();
            let body = b.create_block();
            let exit = b.create_block();
            b.append_block_param(header, types::I64);
            let zero = b.ins().iconst(types::I64, 0);
            b.ins().jump(header, &[zero.into()]);
            b.switch_to_block(header);
            let i = b.block_params(header)[0];
            let go = b.ins().icmp(
                cranelift_codegen::ir::condcodes::IntCC::SignedLessThan,
                i,
                n,
            );
            b.ins().brif(go, body, &[], exit, &[]);
            b.switch_to_block(body);
            let offset = b.ins().ishl_imm_u(i, 3);
            let from = b.ins().iadd(input, offset);
            let to = b.ins().iadd(output, offset);
            let flags = cranelift_codegen::ir::MemFlagsData::trusted();
            let x = b.ins().load(ty, flags, from, 0);
            let y = emit(&mut b, x, fused, &mut Immediates);
            b.ins().store(flags, y, to, 0);
            let next = b.ins().iadd_imm_s(i, step);
            b.ins().jump(header, &[next.into()]);
            b.switch_to_block(exit);
            b.ins().return_(&[]);
            b.seal_all_blocks();
            b.finalize(module.isa().frontend_config());
        }
        module.define_function(id, &mut ctx).unwrap();
        module.finalize_definitions().unwrap();
        let code = module.get_finalized_function(id);
        // SAFETY: the function was declared with exactly this signature.
        let f = unsafe {
            std::mem::transmute::<*const u8, extern "C" fn(*const f64, *mut f64, i64)>(code)
        };
        (module, f)
    }

    /// Distance in units in the last place between two finite doubles of the same sign.
    fn ulps(a: f64, b: f64) -> u64 {
        let key = |x: f64| {
            let bits = x.to_bits() as i64;
            if bits < 0 {
                i64::MIN - bits
            } else {
                bits
            }
        };
        key(a).abs_diff(key(b))
    }

    fn arguments() -> Vec<f64> {
        let mut xs = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            f64::MIN_POSITIVE,
            -f64::MIN_POSITIVE,
            5e-324,
            1e-300,
            1e-17,
            -1e-17,
            0.5 * std::f64::consts::LN_2,
            -0.5 * std::f64::consts::LN_2,
            std::f64::consts::LN_2,
            700.0,
            -700.0,
            709.0,
            709.782712893384,
            709.7827128933841,
            709.79,
            710.0,
            1000.0,
            -708.396_418_532_264_1,
            -708.4,
            -720.0,
            -744.440_071_921_381_2,
            -745.1332191019411,
            -745.1332191019412,
            -745.2,
            -746.0,
            -1000.0,
            f64::MAX,
            f64::MIN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        // Every k of the reduction, near its interval's edges.
        for k in -1080..=1030 {
            let x = f64::from(k) * std::f64::consts::LN_2;
            xs.extend([x, x + 0.34657, x - 0.34657, x + 1e-9]);
        }
        // A deterministic pseudo-random sample: uniform over the whole range, and dense over
        // the range channel kinetics use.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        for _ in 0..1_000_000 {
            xs.push(-750.0 + 1462.0 * next());
            xs.push(-20.0 + 40.0 * next());
            xs.push((next() - 0.5) * 1e-3);
        }
        xs
    }

    fn check(vector: bool, emit: Emit, limit: f64) {
        for fused in [false, true] {
            check_variant(vector, emit, limit, fused);
        }
    }

    fn check_variant(vector: bool, emit: Emit, limit: f64, fused: bool) {
        if fused && !host_isa().has_native_fma() {
            eprintln!("NOT RUN fused exp: this host has no FMA");
            return;
        }
        let (module, f) = compile(vector, emit, fused);
        let mut xs: Vec<f64> = arguments()
            .into_iter()
            .filter(|x| x.abs() <= limit)
            .collect();
        if xs.len() % 2 == 1 {
            xs.push(2.0);
        }
        let mut ys = vec![0.0; xs.len()];
        f(xs.as_ptr(), ys.as_mut_ptr(), xs.len() as i64);
        let mut worst = 0;
        let mut exact = 0usize;
        for (&x, &y) in xs.iter().zip(&ys) {
            let want = x.exp();
            let d = ulps(y, want);
            assert!(
                d <= 1,
                "exp({x:e}) = {y:e}, the C library gives {want:e} ({d} ulp)"
            );
            worst = worst.max(d);
            exact += usize::from(d == 0);
        }
        for x in [f64::NAN, -f64::NAN] {
            let mut y = [0.0; 2];
            f([x, x].as_ptr(), y.as_mut_ptr(), 2);
            assert!(y[0].is_nan() && y[1].is_nan(), "exp(NaN) = {y:?}");
        }
        eprintln!(
            "inline exp ({}{}): {} arguments, {exact} bit-identical to the C library, worst {worst} ulp",
            if vector { "f64x2" } else { "f64" },
            if fused { ", fused" } else { "" },
            xs.len()
        );
        // SAFETY: `f` is not used after this.
        unsafe { module.free_memory() };
    }

    #[test]
    fn scalar_exp_is_within_one_ulp_of_the_c_library() {
        check(false, exp, f64::INFINITY);
        check(false, exp_moderate, MODERATE_LIMIT);
    }

    #[test]
    fn vector_exp_is_within_one_ulp_of_the_c_library() {
        check(true, exp, f64::INFINITY);
        check(true, exp_moderate, MODERATE_LIMIT);
    }
}
