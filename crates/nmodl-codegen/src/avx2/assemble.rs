//! [`Program`] -> machine code: register allocation of the straight-line body and encoding.
//!
//! The function is `fn(invariants: *const [u8; 16], first: i64, end: i64) -> i64` (System V):
//! it runs iterations of four instances from `first` while `i + 4 <= end` and returns the
//! first instance it did not do (`end` rounded down to the iterations, or the iteration it
//! left because an instance needed a cold path). rdi, rsi (i) and rdx stay fixed.
//!
//! Allocation is one pass over the body (no control flow inside it): a value takes a free
//! register at its definition and gives it back after its last use; when none is free, the
//! value whose next use is furthest goes to a frame slot (Belady's choice, optimal for
//! straight-line code when every spill costs the same). A value in a slot is read as a
//! memory operand where the instruction allows one, else reloaded. Nothing lives across
//! iterations: what is the same for every iteration is in the frame, filled by the prologue.

use super::encoder::{Asm, Cond, Gpr, Mem, Rm, VOp, Vr, Width};
use super::program::{Addr, Class, Op, Program, Src, Uniform, UniformAddr, VReg};
use std::collections::VecDeque;

const RSP: Gpr = Gpr(4);
const INVARIANTS: Gpr = Gpr(7);
const INDEX: Gpr = Gpr(6);
const END: Gpr = Gpr(2);
const RAX: Gpr = Gpr(0);
const RCX: Gpr = Gpr(1);
/// rbx, rbp, r12-r15: saved by the callee (us).
const SAVED: [u8; 6] = [3, 5, 12, 13, 14, 15];
/// The general registers the body may use.
const GENERAL: [u8; 12] = [0, 1, 3, 5, 8, 9, 10, 11, 12, 13, 14, 15];
/// Slots for spilled values (32 bytes each).
const SPILL_SLOTS: i32 = 96;
const Y: Width = Width::Y256;

/// Machine code for `p`.
pub(super) fn assemble(p: &Program) -> Result<Vec<u8>, String> {
    let spill_base = (p.uniform_bytes + 31) & !31;
    let frame = spill_base + 32 * SPILL_SLOTS + 8;
    let mut a = Asm::new();
    for r in SAVED {
        a.push(Gpr(r));
    }
    a.sub_ri(RSP, frame);
    // The frame is over a page: touch its pages from the top down, so that a stack that
    // ends inside it faults on the guard page instead of writing past it.
    let mut page = frame - 4096;
    while page > 0 {
        a.mov_store(base(RSP, page), RAX);
        page -= 4096;
    }
    for u in &p.uniforms {
        prologue_uniform(&mut a, u);
    }
    let top = a.new_label();
    let exit = a.new_label();
    a.bind(top);
    a.lea(RAX, base(INDEX, 4));
    a.cmp_rr(RAX, END);
    a.jcc(Cond::A, exit);
    Allocator::new(p, spill_base).run(&mut a, exit)?;
    a.add_ri(INDEX, 4);
    a.jmp(top);
    a.bind(exit);
    a.mov_rr(RAX, INDEX);
    a.add_ri(RSP, frame);
    for r in SAVED.iter().rev() {
        a.pop(Gpr(*r));
    }
    a.vzeroupper();
    a.ret();
    a.finish()
}

fn base(reg: Gpr, disp: i32) -> Mem {
    Mem::Base {
        base: reg,
        index: None,
        disp,
    }
}

/// Computes `sum(c * invariant)` (a [`Linear`]'s terms and constant) into rax.
fn linear_into_rax(a: &mut Asm, value: &super::program::Linear) {
    a.mov_ri(RAX, value.constant);
    for &(slot, c) in &value.terms {
        a.mov_load(RCX, base(INVARIANTS, 16 * slot as i32));
        if c != 1 {
            a.imul_rri(RCX, RCX, c as i32);
        }
        a.add_rr(RAX, RCX);
    }
}

fn uniform_mem(a: &mut Asm, at: &UniformAddr) -> Mem {
    match at {
        UniformAddr::Invariant(slot) => base(INVARIANTS, 16 * *slot as i32),
        UniformAddr::Computed { value, disp } => {
            linear_into_rax(a, value);
            base(RAX, *disp)
        }
    }
}

fn prologue_uniform(a: &mut Asm, u: &Uniform) {
    match u {
        Uniform::Constant { slot, bytes } => {
            for k in 0..4 {
                let q = u64::from_le_bytes(bytes[8 * k..8 * k + 8].try_into().expect("8 bytes"));
                a.mov_ri(RAX, q as i64);
                a.mov_store(base(RSP, slot + 8 * k as i32), RAX);
            }
        }
        Uniform::SplatF64 { slot, at } => {
            let m = uniform_mem(a, at);
            a.vbroadcastsd(Vr(0), m);
            a.vmovupd_store(Y, base(RSP, *slot), Vr(0));
        }
        Uniform::Broadcast128 { slot, at } => {
            let m = uniform_mem(a, at);
            a.vbroadcastf128(Vr(0), m);
            a.vmovupd_store(Y, base(RSP, *slot), Vr(0));
        }
        Uniform::Integer { slot, value } => {
            linear_into_rax(a, value);
            a.mov_store(base(RSP, *slot), RAX);
        }
    }
}

/// Where a value is while the body is emitted.
struct Allocator<'p> {
    p: &'p Program,
    /// physical register of each value, if in one
    reg: Vec<Option<u8>>,
    /// frame offset of each value's copy in memory, if it has one
    slot: Vec<Option<i32>>,
    /// remaining use positions of each value
    uses: Vec<VecDeque<usize>>,
    vector_owner: [Option<VReg>; 16],
    general_owner: [Option<VReg>; 16],
    free_slots: Vec<i32>,
}

impl<'p> Allocator<'p> {
    fn new(p: &'p Program, spill_base: i32) -> Self {
        let n = p.classes.len();
        let mut uses = vec![VecDeque::new(); n];
        for (pos, op) in p.body.iter().enumerate() {
            for (r, _) in op.uses() {
                if uses[r as usize].back() != Some(&pos) {
                    uses[r as usize].push_back(pos);
                }
            }
        }
        Allocator {
            p,
            reg: vec![None; n],
            slot: p.homes.clone(),
            uses,
            vector_owner: [None; 16],
            general_owner: [None; 16],
            free_slots: (0..SPILL_SLOTS)
                .rev()
                .map(|k| spill_base + 32 * k)
                .collect(),
        }
    }

    fn owner(&mut self, class: Class) -> &mut [Option<VReg>; 16] {
        match class {
            Class::Vector => &mut self.vector_owner,
            Class::General => &mut self.general_owner,
        }
    }

    fn class(&self, r: VReg) -> Class {
        self.p.classes[r as usize]
    }

    /// A free register of `class`, evicting the value used furthest ahead (never one of
    /// `keep`).
    fn take(&mut self, a: &mut Asm, class: Class, keep: &[VReg]) -> Result<u8, String> {
        let candidates: Vec<u8> = match class {
            Class::Vector => (0..16).collect(),
            Class::General => GENERAL.to_vec(),
        };
        if let Some(&r) = candidates
            .iter()
            .find(|&&r| self.owner(class)[r as usize].is_none())
        {
            return Ok(r);
        }
        let victim = candidates
            .iter()
            .filter_map(|&r| {
                let v = self.owner(class)[r as usize]?;
                (!keep.contains(&v)).then(|| (self.uses[v as usize].front().copied(), r, v))
            })
            .max_by_key(|(next, _, _)| next.unwrap_or(usize::MAX))
            .ok_or("no register to evict")?;
        let (_, r, v) = victim;
        if self.slot[v as usize].is_none() {
            let s = self.free_slots.pop().ok_or("out of spill slots")?;
            match class {
                Class::Vector => a.vmovupd_store(Y, base(RSP, s), Vr(r)),
                Class::General => a.mov_store(base(RSP, s), Gpr(r)),
            }
            self.slot[v as usize] = Some(s);
        }
        self.reg[v as usize] = None;
        self.owner(class)[r as usize] = None;
        Ok(r)
    }

    /// Puts `v` in a register (reloading it) and returns the register.
    fn in_register(&mut self, a: &mut Asm, v: VReg, keep: &[VReg]) -> Result<u8, String> {
        if let Some(r) = self.reg[v as usize] {
            return Ok(r);
        }
        let class = self.class(v);
        let s = self.slot[v as usize].ok_or_else(|| format!("v{v} used before defined"))?;
        let r = self.take(a, class, keep)?;
        match class {
            Class::Vector => a.vmovupd_load(Y, Vr(r), base(RSP, s)),
            Class::General => a.mov_load(Gpr(r), base(RSP, s)),
        }
        self.reg[v as usize] = Some(r);
        self.owner(class)[r as usize] = Some(v);
        Ok(r)
    }

    fn mem(&self, addr: Addr) -> Mem {
        match addr {
            Addr::Frame(off) => base(RSP, off),
            Addr::Based {
                base: b,
                scale,
                disp,
            } => Mem::Base {
                base: Gpr(self.reg[b as usize].expect("address bases are in registers")),
                index: (scale != 0).then_some((INDEX, scale)),
                disp,
            },
        }
    }

    /// The operand for a source that may stay in memory.
    fn rm(&self, s: Src) -> Rm {
        match s {
            Src::Reg(v) => match self.reg[v as usize] {
                Some(r) => Rm::Reg(Vr(r)),
                None => Rm::Mem(base(
                    RSP,
                    self.slot[v as usize].expect("a value not in a register is in a slot"),
                )),
            },
            Src::Mem(addr) => Rm::Mem(self.mem(addr)),
        }
    }

    fn run(mut self, a: &mut Asm, bail: super::encoder::Label) -> Result<(), String> {
        for pos in 0..self.p.body.len() {
            let op = self.p.body[pos];
            let uses = op.uses();
            let operands: Vec<VReg> = uses.iter().map(|u| u.0).collect();
            for &(v, memory_ok) in &uses {
                if !memory_ok {
                    self.in_register(a, v, &operands)?;
                }
            }
            // Values used for the last time here give their registers back (the result may
            // take one of them: every instruction reads its sources before it writes).
            let mut freed = Vec::new();
            for &v in &operands {
                let q = &mut self.uses[v as usize];
                if q.front() == Some(&pos) {
                    q.pop_front();
                }
                if q.is_empty() && !freed.contains(&v) {
                    freed.push(v);
                }
            }
            let mut dst_reg = None;
            if let Some(d) = op.def() {
                let class = self.class(d);
                let keep: Vec<VReg> = operands
                    .iter()
                    .copied()
                    .filter(|v| !freed.contains(v))
                    .collect();
                // Prefer the first operand's register when it dies here (two-address forms).
                let first = operands.first().copied().filter(|v| {
                    freed.contains(v) && self.class(*v) == class && self.reg[*v as usize].is_some()
                });
                let r = match first {
                    Some(v) => self.reg[v as usize].expect("checked"),
                    None => {
                        // Registers of dying operands are free for the result, but they still
                        // hold the operands: leave them out of eviction and use them last.
                        match self.free_other_than(class, &operands) {
                            Some(r) => r,
                            None => {
                                let dying: Vec<u8> = freed
                                    .iter()
                                    .filter(|v| self.class(**v) == class)
                                    .filter_map(|v| self.reg[*v as usize])
                                    .collect();
                                match dying.first() {
                                    Some(&r) => r,
                                    None => self.take(a, class, &keep)?,
                                }
                            }
                        }
                    }
                };
                dst_reg = Some((d, r));
            }
            self.emit(a, op, dst_reg.map(|x| x.1), bail)?;
            for v in freed {
                if let Some(r) = self.reg[v as usize].take() {
                    let class = self.class(v);
                    if self.owner(class)[r as usize] == Some(v) {
                        self.owner(class)[r as usize] = None;
                    }
                }
                if self.p.homes[v as usize].is_none() {
                    if let Some(s) = self.slot[v as usize].take() {
                        self.free_slots.push(s);
                    }
                }
            }
            if let Some((d, r)) = dst_reg {
                let class = self.class(d);
                if let Some(old) = self.owner(class)[r as usize] {
                    self.reg[old as usize] = None;
                }
                self.owner(class)[r as usize] = Some(d);
                self.reg[d as usize] = Some(r);
                if self.uses[d as usize].is_empty() {
                    self.reg[d as usize] = None;
                    self.owner(class)[r as usize] = None;
                }
            }
        }
        Ok(())
    }

    /// A register of `class` that no value holds and no operand of this op uses.
    fn free_other_than(&mut self, class: Class, operands: &[VReg]) -> Option<u8> {
        let used: Vec<u8> = operands
            .iter()
            .filter(|v| self.class(**v) == class)
            .filter_map(|v| self.reg[*v as usize])
            .collect();
        let candidates: Vec<u8> = match class {
            Class::Vector => (0..16).collect(),
            Class::General => GENERAL.to_vec(),
        };
        candidates
            .into_iter()
            .find(|r| self.owner(class)[*r as usize].is_none() && !used.contains(r))
    }

    fn vr(&self, v: VReg) -> Vr {
        Vr(self.reg[v as usize].expect("operand in a register"))
    }

    fn gpr(&self, v: VReg) -> Gpr {
        Gpr(self.reg[v as usize].expect("operand in a register"))
    }

    fn emit(
        &self,
        a: &mut Asm,
        op: Op,
        dst: Option<u8>,
        bail: super::encoder::Label,
    ) -> Result<(), String> {
        let d = || dst.expect("an operation with a result");
        match op {
            Op::Vector { op, a: x, b, .. } => a.vop(op, Y, Vr(d()), self.vr(x), self.rm(b)),
            Op::Fma { a: x, b, c, .. } => {
                let (x, b, dr) = (self.vr(x), self.vr(b), Vr(d()));
                let c = self.rm(c);
                if dr == x {
                    a.vop(VOp::Vfmadd213pd, Y, dr, b, c);
                } else if dr == b {
                    a.vop(VOp::Vfmadd213pd, Y, dr, x, c);
                } else if c == Rm::Reg(dr) {
                    a.vop(VOp::Vfmadd231pd, Y, dr, x, Rm::Reg(b));
                } else {
                    a.vmovapd_rr(Y, dr, x);
                    a.vop(VOp::Vfmadd213pd, Y, dr, b, c);
                }
            }
            Op::Compare {
                predicate, a: x, b, ..
            } => a.vcmppd(Y, Vr(d()), self.vr(x), self.rm(b), predicate),
            Op::Load { addr, .. } => a.vmovupd_load(Y, Vr(d()), self.mem(addr)),
            Op::Load128 { addr, .. } => a.vmovupd_load(Width::X128, Vr(d()), self.mem(addr)),
            Op::InsertHigh { lo, hi, .. } => {
                // 16 bytes of a spilled 32-byte slot are its low half: what is wanted.
                let hi = self.rm(hi);
                a.vinsertf128(Vr(d()), self.vr(lo), hi, 1)
            }
            Op::ExtractHigh { src, .. } => a.vextractf128(Vr(d()), self.vr(src), 1),
            Op::TruncateToI32 { src, .. } => a.vcvttpd2dq(Y, Vr(d()), self.vr(src)),
            Op::I32ToF64 { src, .. } => a.vcvtdq2pd(Y, Vr(d()), self.vr(src)),
            Op::I32ToI64 { src, .. } => a.vpmovsxdq(Y, Vr(d()), self.vr(src)),
            Op::ShiftLeft64 { src, amount, .. } => a.vpsllq_imm(Y, Vr(d()), self.vr(src), amount),
            Op::ShiftRight64 { src, amount, .. } => a.vpsrlq_imm(Y, Vr(d()), self.vr(src), amount),
            Op::LaneToGeneral { src, lane, .. } => {
                if lane == 0 {
                    a.vmovq_to_gpr(Gpr(d()), self.vr(src));
                } else {
                    a.vpextrq(Gpr(d()), self.vr(src), lane);
                }
            }
            Op::LoadGeneral { addr, .. } => a.mov_load(Gpr(d()), self.mem(addr)),
            Op::LoadGeneral32 { addr, .. } => a.mov_load32(Gpr(d()), self.mem(addr)),
            Op::LoadF64 { addr, .. } => a.vmovsd_load(Vr(d()), self.mem(addr)),
            Op::Unpack128 { a: x, b, .. } => a.vop(
                VOp::Unpcklpd,
                Width::X128,
                Vr(d()),
                self.vr(x),
                Rm::Reg(self.vr(b)),
            ),
            Op::Add { a: x, b, .. } => a.lea(
                Gpr(d()),
                Mem::Base {
                    base: self.gpr(x),
                    index: Some((self.gpr(b), 1)),
                    disp: 0,
                },
            ),
            Op::AddImm { a: x, imm, .. } => a.lea(Gpr(d()), base(self.gpr(x), imm)),
            Op::MulImm { a: x, imm, .. } => a.imul_rri(Gpr(d()), self.gpr(x), imm),
            Op::ShlImm { a: x, amount, .. } | Op::ShrImm { a: x, amount, .. } => {
                let dr = Gpr(d());
                if dr != self.gpr(x) {
                    a.mov_rr(dr, self.gpr(x));
                }
                if matches!(op, Op::ShlImm { .. }) {
                    a.shl_ri(dr, amount);
                } else {
                    a.shr_ri(dr, amount);
                }
            }
            Op::ZeroExtend32 { a: x, .. } => a.mov32_rr(Gpr(d()), self.gpr(x)),
            Op::BailIfAny { mask } => {
                let m = self.vr(mask);
                a.vtestpd(Y, m, m);
                a.jcc(Cond::Ne, bail);
            }
            Op::BailUnlessAll { mask, ones } => {
                // CF = no sign bit set in (!mask & ones): every lane of the mask set.
                a.vtestpd(Y, self.vr(mask), self.vr(ones));
                a.jcc(Cond::Ae, bail);
            }
            Op::Store { addr, src } => a.vmovupd_store(Y, self.mem(addr), self.vr(src)),
            Op::StoreGeneral { addr, src } => a.mov_store(self.mem(addr), self.gpr(src)),
        }
        Ok(())
    }
}
