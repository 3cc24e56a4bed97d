//! The widened loop as data: what [`super::widen`] makes of a pair loop's Cranelift IR and
//! [`super::assemble`] turns into machine code.
//!
//! One iteration handles four instances (i .. i+3) in 256-bit registers; the pair loop's
//! "lane 0 / lane 1" become the low and high 128-bit halves' lanes. Values live in virtual
//! registers of two classes (vector, general purpose); the loop body is straight-line code
//! whose only branches leave the iteration for the pair loop ("bail").

use super::encoder::VOp;

/// A virtual register.
pub(super) type VReg = u32;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Class {
    Vector,
    General,
}

/// A memory operand of the body.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(super) enum Addr {
    /// A slot of the frame (filled by the prologue).
    Frame(i32),
    /// `base + i*scale + disp`, `i` the first instance of the iteration; scale 0: no index.
    Based { base: VReg, scale: u8, disp: i32 },
}

/// A source operand that may be in memory.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(super) enum Src {
    Reg(VReg),
    Mem(Addr),
}

/// An operation of the loop body. Vector operations are 256 bits wide unless they say so.
#[derive(Clone, Copy, Debug)]
pub(super) enum Op {
    /// dst = op(a, b)
    Vector {
        op: VOp,
        dst: VReg,
        a: VReg,
        b: Src,
    },
    /// dst = a*b + c, rounded once
    Fma {
        dst: VReg,
        a: VReg,
        b: VReg,
        c: Src,
    },
    /// vcmppd with its predicate
    Compare {
        predicate: u8,
        dst: VReg,
        a: VReg,
        b: Src,
    },
    Load {
        dst: VReg,
        addr: Addr,
    },
    /// 128 bits into the low half (the high half zeroed)
    Load128 {
        dst: VReg,
        addr: Addr,
    },
    /// dst = lo's low half, then hi (16 bytes) as the high half
    InsertHigh {
        dst: VReg,
        lo: VReg,
        hi: Src,
    },
    /// dst (low half) = src's high half
    ExtractHigh {
        dst: VReg,
        src: VReg,
    },
    /// four doubles truncated to four i32 in dst's low half
    TruncateToI32 {
        dst: VReg,
        src: VReg,
    },
    /// four i32 (src's low half) to four doubles
    I32ToF64 {
        dst: VReg,
        src: VReg,
    },
    /// four i32 (src's low half) sign-extended to four i64
    I32ToI64 {
        dst: VReg,
        src: VReg,
    },
    ShiftLeft64 {
        dst: VReg,
        src: VReg,
        amount: u8,
    },
    ShiftRight64 {
        dst: VReg,
        src: VReg,
        amount: u8,
    },
    /// lane 0 or 1 of src's low half, as 64 bits in a general register
    LaneToGeneral {
        dst: VReg,
        src: VReg,
        lane: u8,
    },
    /// 32 bits, zero-extended
    LoadGeneral32 {
        dst: VReg,
        addr: Addr,
    },
    /// one double into the low lane
    LoadF64 {
        dst: VReg,
        addr: Addr,
    },
    /// dst (low half) = [a's lane 0, b's lane 0] (128-bit unpack)
    Unpack128 {
        dst: VReg,
        a: VReg,
        b: VReg,
    },
    LoadGeneral {
        dst: VReg,
        addr: Addr,
    },
    Add {
        dst: VReg,
        a: VReg,
        b: VReg,
    },
    AddImm {
        dst: VReg,
        a: VReg,
        imm: i32,
    },
    MulImm {
        dst: VReg,
        a: VReg,
        imm: i32,
    },
    ShlImm {
        dst: VReg,
        a: VReg,
        amount: u8,
    },
    ShrImm {
        dst: VReg,
        a: VReg,
        amount: u8,
    },
    /// the low 32 bits, zero-extended
    ZeroExtend32 {
        dst: VReg,
        a: VReg,
    },
    /// leave the iteration if any lane of the mask is set
    BailIfAny {
        mask: VReg,
    },
    /// leave the iteration unless every lane of the mask is set (`ones`: all bits set)
    BailUnlessAll {
        mask: VReg,
        ones: VReg,
    },
    Store {
        addr: Addr,
        src: VReg,
    },
    /// 64 bits of a general register to memory
    StoreGeneral {
        addr: Addr,
        src: VReg,
    },
}

impl Op {
    /// The registers it reads, with whether each may be given as memory instead.
    pub(super) fn uses(&self) -> Vec<(VReg, bool)> {
        fn src(s: Src, out: &mut Vec<(VReg, bool)>) {
            match s {
                Src::Reg(r) => out.push((r, true)),
                Src::Mem(a) => addr(a, out),
            }
        }
        fn addr(a: Addr, out: &mut Vec<(VReg, bool)>) {
            if let Addr::Based { base, .. } = a {
                out.push((base, false));
            }
        }
        let mut out = Vec::new();
        match *self {
            Op::Vector { a, b, .. } | Op::Compare { a, b, .. } => {
                out.push((a, false));
                src(b, &mut out);
            }
            Op::Fma { a, b, c, .. } => {
                out.push((a, false));
                out.push((b, false));
                src(c, &mut out);
            }
            Op::Load { addr: a, .. } | Op::Load128 { addr: a, .. } => addr(a, &mut out),
            Op::LoadGeneral { addr: a, .. }
            | Op::LoadGeneral32 { addr: a, .. }
            | Op::LoadF64 { addr: a, .. } => addr(a, &mut out),
            Op::Unpack128 { a, b, .. } => {
                out.push((a, false));
                out.push((b, false));
            }
            Op::InsertHigh { lo, hi, .. } => {
                out.push((lo, false));
                src(hi, &mut out);
            }
            Op::ExtractHigh { src: s, .. }
            | Op::TruncateToI32 { src: s, .. }
            | Op::I32ToF64 { src: s, .. }
            | Op::I32ToI64 { src: s, .. }
            | Op::ShiftLeft64 { src: s, .. }
            | Op::ShiftRight64 { src: s, .. }
            | Op::LaneToGeneral { src: s, .. } => out.push((s, false)),
            Op::Add { a, b, .. } => {
                out.push((a, false));
                out.push((b, false));
            }
            Op::AddImm { a, .. }
            | Op::MulImm { a, .. }
            | Op::ShlImm { a, .. }
            | Op::ShrImm { a, .. }
            | Op::ZeroExtend32 { a, .. } => out.push((a, false)),
            Op::BailIfAny { mask } => out.push((mask, false)),
            Op::BailUnlessAll { mask, ones } => {
                out.push((mask, false));
                out.push((ones, false));
            }
            Op::Store { addr: a, src: s } | Op::StoreGeneral { addr: a, src: s } => {
                addr(a, &mut out);
                out.push((s, false));
            }
        }
        out
    }

    /// The register it defines.
    pub(super) fn def(&self) -> Option<VReg> {
        match *self {
            Op::Vector { dst, .. }
            | Op::Fma { dst, .. }
            | Op::Compare { dst, .. }
            | Op::Load { dst, .. }
            | Op::Load128 { dst, .. }
            | Op::InsertHigh { dst, .. }
            | Op::ExtractHigh { dst, .. }
            | Op::TruncateToI32 { dst, .. }
            | Op::I32ToF64 { dst, .. }
            | Op::I32ToI64 { dst, .. }
            | Op::ShiftLeft64 { dst, .. }
            | Op::ShiftRight64 { dst, .. }
            | Op::LaneToGeneral { dst, .. }
            | Op::LoadGeneral { dst, .. }
            | Op::LoadGeneral32 { dst, .. }
            | Op::LoadF64 { dst, .. }
            | Op::Unpack128 { dst, .. }
            | Op::Add { dst, .. }
            | Op::AddImm { dst, .. }
            | Op::MulImm { dst, .. }
            | Op::ShlImm { dst, .. }
            | Op::ShrImm { dst, .. }
            | Op::ZeroExtend32 { dst, .. } => Some(dst),
            Op::BailIfAny { .. }
            | Op::BailUnlessAll { .. }
            | Op::Store { .. }
            | Op::StoreGeneral { .. } => None,
        }
    }
}

/// `sum(coefficient * invariant) + index * i + constant`: an integer the loop computes
/// from values defined before it and the iteration's first instance `i`.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Default)]
pub(super) struct Linear {
    /// (invariant slot, coefficient), sorted by slot, no zero coefficient
    pub terms: Vec<(u32, i64)>,
    pub index: i64,
    pub constant: i64,
}

impl Linear {
    pub fn constant(c: i64) -> Self {
        Linear {
            constant: c,
            ..Default::default()
        }
    }

    pub fn add(&self, other: &Linear) -> Option<Linear> {
        let mut terms = self.terms.clone();
        for &(slot, c) in &other.terms {
            match terms.iter_mut().find(|t| t.0 == slot) {
                Some(t) => t.1 = t.1.checked_add(c)?,
                None => terms.push((slot, c)),
            }
        }
        terms.retain(|t| t.1 != 0);
        terms.sort_unstable();
        Some(Linear {
            terms,
            index: self.index.checked_add(other.index)?,
            constant: self.constant.checked_add(other.constant)?,
        })
    }

    pub fn scale(&self, k: i64) -> Option<Linear> {
        let mut terms = Vec::with_capacity(self.terms.len());
        for &(slot, c) in &self.terms {
            terms.push((slot, c.checked_mul(k)?));
        }
        terms.retain(|t| t.1 != 0);
        Some(Linear {
            terms,
            index: self.index.checked_mul(k)?,
            constant: self.constant.checked_mul(k)?,
        })
    }

    /// The part that does not depend on `i` and has no constant (the constant goes into the
    /// displacement).
    pub fn base(&self) -> Linear {
        Linear {
            terms: self.terms.clone(),
            index: 0,
            constant: 0,
        }
    }
}

/// What the prologue computes into a frame slot before the loop.
#[derive(Clone, Debug)]
pub(super) enum Uniform {
    /// 32 bytes of constant
    Constant { slot: i32, bytes: [u8; 32] },
    /// the f64 at `base + disp`, in all four lanes (`base` None: an invariant's slot)
    SplatF64 { slot: i32, at: UniformAddr },
    /// the 16 bytes at the address, in both halves
    Broadcast128 { slot: i32, at: UniformAddr },
    /// an integer (an address), 8 bytes
    Integer { slot: i32, value: Linear },
}

/// A uniform memory location.
#[derive(Clone, Debug)]
pub(super) enum UniformAddr {
    /// the invariant's own slot in the caller's array
    Invariant(u32),
    /// `value + disp`, value computed from invariants
    Computed { value: Linear, disp: i32 },
}

/// The widened loop.
pub(super) struct Program {
    pub uniforms: Vec<Uniform>,
    /// bytes of frame the uniforms take (the spill area follows)
    pub uniform_bytes: i32,
    pub body: Vec<Op>,
    pub classes: Vec<Class>,
    /// Registers whose value is also in a frame slot (bases loaded from the prologue's
    /// slots): evicting them needs no store.
    pub homes: Vec<Option<i32>>,
}
