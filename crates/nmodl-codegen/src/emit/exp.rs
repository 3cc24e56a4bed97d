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

    /// Where the table of [`exp_moderate`]'s table-driven form is ([`table_bytes`], aligned
    /// to 16 bytes): a base address and an offset from it. None: no table here, the
    /// polynomial form is used.
    fn exp_table(&mut self, _b: &mut FunctionBuilder) -> Option<(Value, i32)> {
        None
    }
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

/// Constants as immediates, and the table-driven exp's table at an address.
pub(crate) struct ImmediatesAndTable(pub Value);

impl Constants for ImmediatesAndTable {
    fn constant(&mut self, b: &mut FunctionBuilder, ty: Type, bits: u64) -> Value {
        Immediates.constant(b, ty, bits)
    }
    fn exp_table(&mut self, _b: &mut FunctionBuilder) -> Option<(Value, i32)> {
        Some((self.0, 0))
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
    if let Some(table) = constants.exp_table(b) {
        let mut lanes = Lanes::of(b.func.dfg.value_type(x), fused, constants);
        return exp_by_table(b, &mut lanes, x, table);
    }
    let mut lanes = Lanes::of(b.func.dfg.value_type(x), fused, constants);
    let (_, t, p) = reduce(b, &mut lanes, x);
    let t_bits = lanes.bits(b, t);
    let s = power_of_two(b, &mut lanes, t_bits);
    b.ins().fmul(p, s)
}

/// log2 of the number of entries of the table-driven exp's table.
const TABLE_BITS: i64 = 7;
const TABLE_SIZE: f64 = (1 << TABLE_BITS) as f64;
/// ln2 / 128 split so that n * LN2_128_HI is exact for |n| < 2^18 (its low 18 bits are zero;
/// |n| <= 708.3 * 128 / ln2 < 2^17 here), and the rest.
const LN2_128_HI: f64 = f64::from_bits(0x3f76_2e42_fef8_0000);
const LN2_128_LO: f64 = 1.265_508_608_332_543_8e-13;

/// For j in 0..128: 2^(j/128) rounded to a double (its bits), and the relative error of that
/// rounding, (2^(j/128) - rounded) / rounded (the bits of a double), computed with Python's
/// `decimal` at 60 digits.
const POWERS_OF_TWO: [(u64, u64); 128] = [
    (0x3ff0000000000000, 0x0000000000000000),
    (0x3ff0163da9fb3335, 0x3c9b3b4f1a88bf6e),
    (0x3ff02c9a3e778061, 0xbc7160139cd8dc5d),
    (0x3ff04315e86e7f85, 0xbc905e7a108766d1),
    (0x3ff059b0d3158574, 0x3c8cd2523567f613),
    (0x3ff0706b29ddf6de, 0xbc8bce8023f98efa),
    (0x3ff0874518759bc8, 0x3c60f74e61e6c861),
    (0x3ff09e3ecac6f383, 0x3c90a3e45b33d399),
    (0x3ff0b5586cf9890f, 0x3c979aa65d837b6d),
    (0x3ff0cc922b7247f7, 0x3c8eb51a92fdeffc),
    (0x3ff0e3ec32d3d1a2, 0x3c3ebe3d702f9cd1),
    (0x3ff0fb66affed31b, 0xbc6a033489906e0b),
    (0x3ff11301d0125b51, 0xbc9556522a2fbd0e),
    (0x3ff12abdc06c31cc, 0xbc5080ef8c4eea55),
    (0x3ff1429aaea92de0, 0xbc91c923b9d5f416),
    (0x3ff15a98c8a58e51, 0x3c80d3e3e95c55af),
    (0x3ff172b83c7d517b, 0xbc801b15eaa59348),
    (0x3ff18af9388c8dea, 0xbc8f1ff055de323d),
    (0x3ff1a35beb6fcb75, 0x3c8b898c3f1353bf),
    (0x3ff1bbe084045cd4, 0xbc96d99c7611eb26),
    (0x3ff1d4873168b9aa, 0x3c9aecf73e3a2f60),
    (0x3ff1ed5022fcd91d, 0xbc8fe782cb86389d),
    (0x3ff2063b88628cd6, 0x3c8a6f4144a6c38d),
    (0x3ff21f49917ddc96, 0x3c807a05b0e4047d),
    (0x3ff2387a6e756238, 0x3c968efde3a8a894),
    (0x3ff251ce4fb2a63f, 0x3c875e18f274487d),
    (0x3ff26b4565e27cdd, 0x3c80472b981fe7f2),
    (0x3ff284dfe1f56381, 0xbc96b87b3f71085e),
    (0x3ff29e9df51fdee1, 0x3c82f7e16d09ab31),
    (0x3ff2b87fd0dad990, 0xbc3d219b1a6fbffa),
    (0x3ff2d285a6e4030b, 0x3c8b3782720c0ab4),
    (0x3ff2ecafa93e2f56, 0x3c6e149289cecb8f),
    (0x3ff306fe0a31b715, 0x3c834d754db0abb6),
    (0x3ff32170fc4cd831, 0x3c864201e2ac744c),
    (0x3ff33c08b26416ff, 0x3c8fdd395dd3f84a),
    (0x3ff356c55f929ff1, 0xbc86a3803b8e5b04),
    (0x3ff371a7373aa9cb, 0xbc924aedcc4b5068),
    (0x3ff38cae6d05d866, 0xbc9907f81b512d8e),
    (0x3ff3a7db34e59ff7, 0xbc71d1e83e9436d2),
    (0x3ff3c32dc313a8e5, 0xbc991919b3ce1b15),
    (0x3ff3dea64c123422, 0x3c859f48a72a4c6d),
    (0x3ff3fa4504ac801c, 0xbc9312607a28698a),
    (0x3ff4160a21f72e2a, 0xbc58a78f4817895b),
    (0x3ff431f5d950a897, 0xbc7c2c9b67499a1b),
    (0x3ff44e086061892d, 0x3c4363ed60c2ac11),
    (0x3ff46a41ed1d0057, 0x3c9666093b0664ef),
    (0x3ff486a2b5c13cd0, 0x3c6ecce1daa10379),
    (0x3ff4a32af0d7d3de, 0x3c93ff8e3f0f1230),
    (0x3ff4bfdad5362a27, 0x3c7690cebb7aafb0),
    (0x3ff4dcb299fddd0d, 0x3c931dbdeb54e077),
    (0x3ff4f9b2769d2ca7, 0xbc8f94340071a38e),
    (0x3ff516daa2cf6642, 0xbc87deccdc93a349),
    (0x3ff5342b569d4f82, 0xbc78dec6bd0f385f),
    (0x3ff551a4ca5d920f, 0xbc861246ec7b5cf6),
    (0x3ff56f4736b527da, 0x3c93350518fdd78e),
    (0x3ff58d12d497c7fd, 0x3c7b98b72f8a9b05),
    (0x3ff5ab07dd485429, 0x3c9063e1e21c5409),
    (0x3ff5c9268a5946b7, 0x3c34c7855019c6ea),
    (0x3ff5e76f15ad2148, 0x3c9432e62b64c035),
    (0x3ff605e1b976dc09, 0xbc8ce44a6199769f),
    (0x3ff6247eb03a5585, 0xbc8c33c53bef4da8),
    (0x3ff6434634ccc320, 0xbc845378892be9ae),
    (0x3ff6623882552225, 0xbc93cedd78565858),
    (0x3ff68155d44ca973, 0x3c5710aa807e1964),
    (0x3ff6a09e667f3bcd, 0xbc93b3efbf5e2228),
    (0x3ff6c012750bdabf, 0xbc6a12ad8734b982),
    (0x3ff6dfb23c651a2f, 0xbc6367efb86da9ee),
    (0x3ff6ff7df9519484, 0xbc80dc3d54e08851),
    (0x3ff71f75e8ec5f74, 0xbc781f647e5a3ecf),
    (0x3ff73f9a48a58174, 0xbc86ee4ac08b7db0),
    (0x3ff75feb564267c9, 0xbc8619321e55e68a),
    (0x3ff780694fde5d3f, 0x3c909ccb5e09d4d3),
    (0x3ff7a11473eb0187, 0xbc7b32dcb94da51d),
    (0x3ff7c1ed0130c132, 0x3c94ecfd5467c06b),
    (0x3ff7e2f336cf4e62, 0x3c65ebe1abd66c55),
    (0x3ff80427543e1a12, 0xbc88a1c52fb3cf42),
    (0x3ff82589994cce13, 0xbc9369b6f13b3734),
    (0x3ff8471a4623c7ad, 0xbc805e843a19ff1e),
    (0x3ff868d99b4492ed, 0xbc94d450d872576e),
    (0x3ff88ac7d98a6699, 0x3c90ad675b0e8a00),
    (0x3ff8ace5422aa0db, 0x3c8db72fc1f0eab4),
    (0x3ff8cf3216b5448c, 0xbc65b6609cc5e7ff),
    (0x3ff8f1ae99157736, 0x3c7bf68359f35f44),
    (0x3ff9145b0b91ffc6, 0xbc93091fa71e3d83),
    (0x3ff93737b0cdc5e5, 0xbc5da9b88b6c1e29),
    (0x3ff95a44cbc8520f, 0xbc6c23f97c90b959),
    (0x3ff97d829fde4e50, 0xbc92434322f4f9aa),
    (0x3ff9a0f170ca07ba, 0xbc85ca6cd7668e4b),
    (0x3ff9c49182a3f090, 0x3c71affc2b91ce27),
    (0x3ff9e86319e32323, 0x3c6dd235e10a73bb),
    (0x3ffa0c667b5de565, 0xbc87c50422622263),
    (0x3ffa309bec4a2d33, 0x3c8b1c86e3e231d5),
    (0x3ffa5503b23e255d, 0xbc91bbd1d3bcbb15),
    (0x3ffa799e1330b358, 0x3c90cc319cee31d2),
    (0x3ffa9e6b5579fdbf, 0x3c8469846e735ab3),
    (0x3ffac36bbfd3f37a, 0xbc82dfcd978e9db4),
    (0x3ffae89f995ad3ad, 0x3c8c1a7792cb3387),
    (0x3ffb0e07298db666, 0xbc907b8f4ad1d9fa),
    (0x3ffb33a2b84f15fb, 0xbc55c3d956dcaeba),
    (0x3ffb59728de5593a, 0xbc90a40e3da6f640),
    (0x3ffb7f76f2fb5e47, 0xbc68d6f438ad9334),
    (0x3ffba5b030a1064a, 0xbc91eee26b588a35),
    (0x3ffbcc1e904bc1d2, 0x3c74ffd70a5fddcd),
    (0x3ffbf2c25bd71e09, 0xbc91bdfbfa9298ac),
    (0x3ffc199bdd85529c, 0x3c736eae30af0cb3),
    (0x3ffc40ab5fffd07a, 0x3c8ee3325c9ffd94),
    (0x3ffc67f12e57d14b, 0x3c84e08fd10959ac),
    (0x3ffc8f6d9406e7b5, 0x3c63cdaf384e1a67),
    (0x3ffcb720dcef9069, 0x3c676b2c6c921968),
    (0x3ffcdf0b555dc3fa, 0xbc808a1883ccb5d2),
    (0x3ffd072d4a07897c, 0xbc8fad5d3ffffa6f),
    (0x3ffd2f87080d89f2, 0xbc900dae3875a949),
    (0x3ffd5818dcfba487, 0x3c74a385a63d07a7),
    (0x3ffd80e316c98398, 0xbc82919e2040220f),
    (0x3ffda9e603db3285, 0x3c8e5a50d5c192ac),
    (0x3ffdd321f301b460, 0x3c843a59ac016b4b),
    (0x3ffdfc97337b9b5f, 0xbc82d52107b43e1f),
    (0x3ffe264614f5a129, 0xbc892ab93b470dc9),
    (0x3ffe502ee78b3ff6, 0x3c74b604603a88d3),
    (0x3ffe7a51fbc74c83, 0x3c83c5ec519d7271),
    (0x3ffea4afa2a490da, 0xbc8ff7128fd391f0),
    (0x3ffecf482d8e67f1, 0xbc8dae98e223747d),
    (0x3ffefa1bee615a27, 0x3c8ec3bc41aa2008),
    (0x3fff252b376bba97, 0x3c842b94c3a9eb32),
    (0x3fff50765b6e4540, 0x3c8a64a931d185ee),
    (0x3fff7bfdad9cbe14, 0xbc8e37bae43be3ed),
    (0x3fffa7c1819e90d8, 0x3c77893b4d91cd9d),
    (0x3fffd3c22b8f71f1, 0x3c5305c14160cc89),
];

/// The table of [`exp_by_table`]: 128 entries of 16 bytes, entry j holding the bits of
/// 2^(j/128) minus j << 45 (an i64, see [`exp_by_table`]) and then the relative error of that
/// double (an f64).
pub(crate) fn table_bytes(little_endian: bool) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(POWERS_OF_TWO.len() * 16);
    for (j, &(power, error)) in POWERS_OF_TWO.iter().enumerate() {
        let adjusted = power.wrapping_sub((j as u64) << (52 - TABLE_BITS));
        for word in [adjusted, error] {
            if little_endian {
                bytes.extend_from_slice(&word.to_le_bytes());
            } else {
                bytes.extend_from_slice(&word.to_be_bytes());
            }
        }
    }
    bytes
}

/// e^x for |x| <= [`MODERATE_LIMIT`] as 2^k 2^(j/128) e^r: n = 128 k + j = round(128 x / ln2)
/// and r = x - n ln2/128, |r| <= ln2/256. e^r - 1 is r + r^2 (1/2 + r/6 + r^2/24 + r^3/120),
/// whose truncation error (r^6/720 < 6e-19) is far below an ulp; 2^(j/128) comes from the
/// table as a double T and T's relative rounding error c, so that
/// e^x = 2^k T (1 + (e^r - 1) + c) to about 1e-19 before the one rounding of the last fused
/// multiply-add. Compared with the polynomial form this has a shorter dependency chain (a
/// degree-5 instead of a degree-11 polynomial) and fewer operations, which is what limits
/// kernels with an exp per state (cnexp). 2^k T is made from bits: n sits in the low bits of
/// t = 128 x / ln2 + SHIFTER, and t's bits shifted left by 45 are (k << 52) + (j << 45), so
/// adding the table's (bits of T) - (j << 45) gives the bits of 2^k T (normal for every k
/// here). The index is t's bits masked to 7 bits, in the table whatever x is.
fn exp_by_table(
    b: &mut FunctionBuilder,
    lanes: &mut Lanes,
    x: Value,
    table: (Value, i32),
) -> Value {
    let (t, _, r) = reduce_by(b, lanes, x, TABLE_SIZE * INV_LN2, LN2_128_HI, LN2_128_LO);

    let t_bits = lanes.bits(b, t);
    let (adjusted, error) = table_entries(b, lanes, t_bits, table);
    let shifted = b.ins().ishl_imm_u(t_bits, 52 - TABLE_BITS);
    let power_bits = b.ins().iadd(adjusted, shifted);
    let power = lanes.float_of_bits(b, power_bits);

    let c2 = lanes.float(b, 0.5);
    let c3 = lanes.float(b, 1.0 / 6.0);
    let c4 = lanes.float(b, 1.0 / 24.0);
    let c5 = lanes.float(b, 1.0 / 120.0);
    let low = lanes.mul_add(b, c3, r, c2);
    let high = lanes.mul_add(b, c5, r, c4);
    let r2 = b.ins().fmul(r, r);
    let poly = lanes.mul_add(b, high, r2, low);
    let r_and_error = b.ins().fadd(r, error);
    let sum = lanes.mul_add(b, poly, r2, r_and_error);
    lanes.mul_add(b, power, sum, power)
}

/// The table entries of each lane's index (the low 7 bits of `t_bits`): the adjusted bits of
/// the power of two (i64 lanes) and its rounding error (f64 lanes).
fn table_entries(
    b: &mut FunctionBuilder,
    lanes: &mut Lanes,
    t_bits: Value,
    (base, offset): (Value, i32),
) -> (Value, Value) {
    let flags = MemFlagsData::trusted().with_readonly();
    if !lanes.float.is_vector() {
        let j = b.ins().band_imm_s(t_bits, (1 << TABLE_BITS) - 1);
        let at = b.ins().ishl_imm_u(j, 4);
        let at = b.ins().iadd(base, at);
        let adjusted = b.ins().load(types::I64, flags, at, offset);
        let error = b.ins().load(types::F64, flags, at, offset + 8);
        return (adjusted, error);
    }
    // Both lanes' byte offsets at once, then each lane's 16-byte entry in one load, and the
    // two entries' first halves and second halves interleaved: two loads and two shuffles,
    // where a gather lane by lane takes four loads and two inserts. Lane 0 leaves the vector
    // as a float's bits (movq; x86-64 extracts an integer lane 0 with pextrq, two operations).
    let mask = lanes.int(b, (1 << TABLE_BITS) - 1);
    let j = b.ins().band(t_bits, mask);
    let at = b.ins().ishl_imm_u(j, 4);
    let at_float = lanes.float_of_bits(b, at);
    let at0 = b.ins().extractlane(at_float, 0);
    let at0 = b.ins().bitcast(types::I64, little(), at0);
    let at1 = b.ins().extractlane(at, 1);
    let [e0, e1] = [at0, at1].map(|at| {
        let address = b.ins().iadd(base, at);
        b.ins().load(types::I64X2, flags, address, offset)
    });
    let [adjusted, error] = halves_interleaved(b, e0, e1);
    (adjusted, lanes.float_of_bits(b, error))
}

/// From two vectors of two 64-bit lanes, [x0, y0] and [x1, y1]: [x0, x1] and [y0, y1], of
/// the operands' type (punpcklqdq and punpckhqdq on x86-64).
pub(crate) fn halves_interleaved(
    b: &mut FunctionBuilder,
    first: Value,
    second: Value,
) -> [Value; 2] {
    let ty = b.func.dfg.value_type(first);
    let [first, second] = [first, second].map(|x| b.ins().bitcast(types::I8X16, little(), x));
    let low: Vec<u8> = (0..8).chain(16..24).collect();
    let high: Vec<u8> = (8..16).chain(24..32).collect();
    [low, high].map(|mask| {
        let mask = b.func.dfg.immediates.push(mask.into());
        let x = b.ins().shuffle(first, second, mask);
        b.ins().bitcast(ty, little(), x)
    })
}

/// k = round(x / step) as a float (`1 / step` given), the same k in the low bits of
/// t = x / step + SHIFTER, and r = x - k step with step = `hi` + `lo`, computed in two
/// multiply-adds so that the first is exact (fused or not: `hi` has enough low zero bits).
fn reduce_by(
    b: &mut FunctionBuilder,
    lanes: &mut Lanes,
    x: Value,
    inverse_step: f64,
    hi: f64,
    lo: f64,
) -> (Value, Value, Value) {
    let shifter = lanes.float(b, SHIFTER);
    let inverse = lanes.float(b, inverse_step);
    let t = lanes.mul_add(b, x, inverse, shifter);
    // The shifter again: a constant per use (see [`Constants`]).
    let shifter = lanes.float(b, SHIFTER);
    let k = b.ins().fsub(t, shifter);
    let minus_hi = lanes.float(b, -hi);
    let minus_lo = lanes.float(b, -lo);
    let r = lanes.mul_add(b, k, minus_hi, x);
    let r = lanes.mul_add(b, k, minus_lo, r);
    (t, k, r)
}

/// k = round(x / ln2) as a float, the same k in the low bits of `t`, and p = e^(x - k ln2).
fn reduce(b: &mut FunctionBuilder, lanes: &mut Lanes, x: Value) -> (Value, Value, Value) {
    let (t, k, r) = reduce_by(b, lanes, x, INV_LN2, LN2_HI, LN2_LO);

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
    use super::{
        exp, exp_moderate, table_bytes, Constants, Immediates, ImmediatesAndTable, MODERATE_LIMIT,
    };
    use cranelift_codegen::ir::Value;
    use cranelift_frontend::FunctionBuilder as Builder;

    type Emit = fn(&mut Builder, Value, bool, &mut dyn Constants) -> Value;

    /// exp_moderate in its table-driven form.
    fn exp_moderate_by_table(
        b: &mut Builder,
        x: Value,
        fused: bool,
        _: &mut dyn Constants,
    ) -> Value {
        let table: &'static [u8] =
            Box::leak(table_bytes(cfg!(target_endian = "little")).into_boxed_slice());
        assert_eq!(table.as_ptr() as usize % 8, 0);
        let at = b.ins().iconst(types::I64, table.as_ptr() as i64);
        exp_moderate(b, x, fused, &mut ImmediatesAndTable(at))
    }
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

    #[test]
    fn table_driven_exp_is_within_one_ulp_of_the_c_library() {
        check(false, exp_moderate_by_table, MODERATE_LIMIT);
        check(true, exp_moderate_by_table, MODERATE_LIMIT);
    }
}
