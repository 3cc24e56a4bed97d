//! A pair loop's Cranelift IR -> the four-instance [`Program`].
//!
//! The pair loop (emit/vector) runs two instances per iteration in f64x2 lanes. Almost every
//! operation it performs works within 128 bits, so doing it on 256 bits does the same for
//! instances i .. i+1 (low half) and i+2 .. i+3 (high half) at once; the few that cross lanes
//! (a lane to a general register, table lookups at per-lane addresses, truncation to i32) are
//! done per half. The branches of the body go to blocks Cranelift marks cold (exp beyond its
//! range, a TABLE argument outside the table): the widened body follows the hot path and,
//! when any instance would take a cold block, leaves the iteration before it stores anything,
//! for the pair loop to do those four instances. So the widened loop stores exactly what the
//! pair loop would, operation for operation: same bits.
//!
//! Anything outside the subset below is refused (the pair loop then runs alone).

use super::encoder::VOp;
use super::program::{Addr, Class, Linear, Op, Program, Src, Uniform, UniformAddr, VReg};
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{
    types, Block, BlockArg, Function, Inst, InstructionData, Opcode, Type, Value, ValueDef,
};
use std::collections::{HashMap, HashSet};

/// The result of widening: the program and the values the caller stores, in order, in the
/// 16-byte slots of the array the function receives.
pub(super) struct Widened {
    pub program: Program,
    pub invariants: Vec<Value>,
}

/// What a Cranelift value became.
#[derive(Clone, Debug)]
enum T {
    /// an integer the loop computes linearly (an address, an index)
    Int(Linear),
    /// an f64 constant (bits)
    F64(u64),
    /// an f64 the same for all instances, in memory
    UniformF64(UniformAddr),
    /// 16 bytes the same for all instances, in memory (a load from a uniform address or an
    /// invariant vector), not yet in a frame slot
    Uniform128(UniformAddr),
    /// a vector the same for all instances, in a frame slot
    UniformVec(i32),
    /// four lanes in a register
    Wide(VReg),
    /// per half: 16 bytes at an address (loads from per-lane addresses)
    Halves([Src; 2]),
    /// per half: 64 bits in a general register
    Scalars([VReg; 2]),
    /// `ireduce.i32` of per-half scalars (zero-extended at the uextend)
    Reduced([VReg; 2]),
    /// four doubles truncated to i32: the register's low half holds instance order
    Truncated(VReg),
    /// `swiden_low` of [`T::Truncated`] (made at its use)
    Widened32(VReg),
    /// a zero vector constant
    Zero,
    /// `vhigh_bits` of a mask
    HighBits(VReg),
    /// `vhigh_bits(mask) == 3`: both lanes set
    AllSet(VReg),
    /// a scalar condition on values the same for all instances, as a mask of equal lanes
    UniformMask(VReg),
    /// per half: one double in a register's low lane (a lane's value loaded on its own)
    ScalarsF64([VReg; 2]),
    /// `splat` of [`T::ScalarsF64`], waiting for the insertlane of the other lane
    SplatHalves([VReg; 2]),
}

type R<T> = Result<T, String>;

fn refuse<X>(why: impl Into<String>) -> R<X> {
    Err(why.into())
}

struct Widen<'f> {
    func: &'f Function,
    loop_blocks: HashSet<Block>,
    header: Block,
    values: HashMap<Value, T>,
    invariants: Vec<Value>,
    uniforms: Vec<Uniform>,
    uniform_bytes: i32,
    body: Vec<Op>,
    class_of: Vec<Class>,
    homes: Vec<Option<i32>>,
    /// per-chunk base registers of uniform integers
    bases: HashMap<Linear, VReg>,
    /// stores, emitted after the last bail
    stores: Vec<(Linear, i32, VReg)>,
    /// stores to addresses the same for all instances (a GLOBAL the body assigns): the
    /// second pair's value (instance i+3's) is what the iteration leaves there
    uniform_stores: Vec<(Linear, i32, VReg)>,
    /// uniform vectors already in a slot
    uniform_slots: HashMap<String, i32>,
    /// per-half values already joined into one register
    joined: HashMap<[Src; 2], VReg>,
    /// high halves already extracted, by register
    high_halves: HashMap<VReg, VReg>,
    /// per-instance loads already made (nothing is stored before the iteration's end, so a
    /// second load of a location reads the same)
    loaded: HashMap<(Linear, i32), VReg>,
}

/// Widens the pair loop whose header is `header` (params: the instance index).
pub(super) fn widen(func: &Function, header: Block) -> R<Widened> {
    let params = func.dfg.block_params(header);
    if params.len() != 1 {
        return refuse("the loop header has other parameters than the instance");
    }
    let index = params[0];
    // header: v = icmp ult i, end; brif v, body, exit
    let insts: Vec<Inst> = func.layout.block_insts(header).collect();
    let Some(&last) = insts.last() else {
        return refuse("empty loop header");
    };
    let body_block = match func.dfg.insts[last] {
        InstructionData::Brif { blocks, .. } => blocks[0].block(&func.dfg.value_lists),
        _ => return refuse("the loop header does not end in brif"),
    };
    let loop_blocks = blocks_of_loop(func, header, body_block);
    let mut w = Widen {
        func,
        loop_blocks,
        header,
        values: HashMap::new(),
        invariants: Vec::new(),
        uniforms: Vec::new(),
        uniform_bytes: 0,
        body: Vec::new(),
        class_of: Vec::new(),
        homes: Vec::new(),
        bases: HashMap::new(),
        stores: Vec::new(),
        uniform_stores: Vec::new(),
        uniform_slots: HashMap::new(),
        joined: HashMap::new(),
        high_halves: HashMap::new(),
        loaded: HashMap::new(),
    };
    w.values.insert(
        index,
        T::Int(Linear {
            index: 1,
            ..Default::default()
        }),
    );
    w.walk(body_block)?;
    let stores = std::mem::take(&mut w.stores);
    for (lin, disp, src) in stores {
        let addr = w.based(&lin, disp, 8)?;
        w.body.push(Op::Store { addr, src });
    }
    let uniform_stores = std::mem::take(&mut w.uniform_stores);
    for (lin, disp, src) in uniform_stores {
        // The prologue's loads happen once per call: none may read what the body stores.
        let read_by_prologue = w.uniforms.iter().any(|u| match u {
            Uniform::SplatF64 { at, .. } | Uniform::Broadcast128 { at, .. } => {
                matches!(at, UniformAddr::Computed { value, disp: d }
                    if value.base() == lin.base() && (d - disp).abs() < 16 + 8)
            }
            _ => false,
        });
        if read_by_prologue {
            return refuse("the body reads a GLOBAL it assigns");
        }
        let addr = w.based(&lin, disp, 8)?;
        w.body.push(Op::StoreGeneral { addr, src });
    }
    Ok(Widened {
        program: Program {
            uniforms: w.uniforms,
            uniform_bytes: w.uniform_bytes,
            body: w.body,
            classes: w.class_of,
            homes: w.homes,
        },
        invariants: w.invariants,
    })
}

/// The blocks reachable from `body` without passing `header`.
pub(super) fn blocks_of_loop(func: &Function, header: Block, body: Block) -> HashSet<Block> {
    let mut seen = HashSet::new();
    let mut stack = vec![body];
    while let Some(b) = stack.pop() {
        if b == header || !seen.insert(b) {
            continue;
        }
        if let Some(last) = func.layout.last_inst(b) {
            for bc in func.dfg.insts[last]
                .branch_destination(&func.dfg.jump_tables, &func.dfg.exception_tables)
            {
                stack.push(bc.block(&func.dfg.value_lists));
            }
        }
    }
    seen
}

impl Widen<'_> {
    fn vreg(&mut self, class: Class) -> VReg {
        self.class_of.push(class);
        self.homes.push(None);
        (self.class_of.len() - 1) as VReg
    }

    /// `op(a, b)` into a new vector register.
    fn vector_op(&mut self, op: VOp, a: VReg, b: Src) -> VReg {
        let dst = self.vreg(Class::Vector);
        self.body.push(Op::Vector { op, dst, a, b });
        dst
    }

    fn frame_slot(&mut self, bytes: i32) -> i32 {
        let at = self.uniform_bytes;
        self.uniform_bytes += bytes;
        at
    }

    /// Follows the hot path from `block` to the jump back to the header.
    fn walk(&mut self, mut block: Block) -> R<()> {
        let mut visited = HashSet::new();
        loop {
            if !visited.insert(block) {
                return refuse("the body loops");
            }
            let insts: Vec<Inst> = self.func.layout.block_insts(block).collect();
            let (&last, rest) = insts.split_last().ok_or("an empty block")?;
            for &inst in rest {
                self.inst(inst)?;
            }
            let dfg = &self.func.dfg;
            match dfg.insts[last] {
                InstructionData::Jump { destination, .. } => {
                    let target = destination.block(&dfg.value_lists);
                    let args = self.block_args(destination.args(&dfg.value_lists))?;
                    if target == self.header {
                        let [next] = args[..] else {
                            return refuse("the back edge passes several values");
                        };
                        match self.get(next)? {
                            T::Int(l) if l.index == 1 && l.constant == 2 && l.terms.is_empty() => {}
                            _ => return refuse("the loop does not advance by two instances"),
                        }
                        return Ok(());
                    }
                    self.bind_params(target, &args)?;
                    block = target;
                }
                InstructionData::Brif { arg, blocks, .. } => {
                    let [taken, other] = blocks;
                    let (tb, ob) = (taken.block(&dfg.value_lists), other.block(&dfg.value_lists));
                    let cond = self.get(arg)?;
                    let (cold_taken, cold_other) =
                        (self.func.layout.is_cold(tb), self.func.layout.is_cold(ob));
                    let (hot, hot_call) = match (cond, cold_taken, cold_other) {
                        (T::HighBits(mask), true, false) => {
                            self.body.push(Op::BailIfAny { mask });
                            (ob, other)
                        }
                        (T::UniformMask(mask), true, false) => {
                            self.body.push(Op::BailIfAny { mask });
                            (ob, other)
                        }
                        (T::AllSet(mask) | T::UniformMask(mask), false, true) => {
                            let ones = self.vector_op(VOp::Pcmpeqq, mask, Src::Reg(mask));
                            self.body.push(Op::BailUnlessAll { mask, ones });
                            (tb, taken)
                        }
                        (c, _, _) => {
                            return refuse(format!(
                                "a branch on {c:?} to blocks neither of which is cold"
                            ))
                        }
                    };
                    if !self.loop_blocks.contains(&hot) {
                        return refuse("a branch leaves the loop");
                    }
                    let args = self.block_args(hot_call.args(&dfg.value_lists))?;
                    self.bind_params(hot, &args)?;
                    block = hot;
                }
                _ => return refuse("a block ends in something else than jump or brif"),
            }
        }
    }

    fn block_args(&self, args: impl Iterator<Item = BlockArg>) -> R<Vec<Value>> {
        args.map(|a| match a {
            BlockArg::Value(v) => Ok(v),
            _ => refuse("a block argument that is not a value"),
        })
        .collect()
    }

    fn bind_params(&mut self, block: Block, args: &[Value]) -> R<()> {
        let params = self.func.dfg.block_params(block).to_vec();
        if params.len() != args.len() {
            return refuse("block arguments do not match parameters");
        }
        for (p, a) in params.into_iter().zip(args) {
            let t = self.get(*a)?;
            self.values.insert(p, t);
        }
        Ok(())
    }

    /// The translation of `v`, translating invariants (values defined before the loop) on
    /// first use.
    fn get(&mut self, v: Value) -> R<T> {
        let v = self.func.dfg.resolve_aliases(v);
        if let Some(t) = self.values.get(&v) {
            return Ok(t.clone());
        }
        let inside = match self.func.dfg.value_def(v) {
            ValueDef::Result(inst, _) => self
                .func
                .layout
                .inst_block(inst)
                .is_some_and(|b| self.loop_blocks.contains(&b) || b == self.header),
            ValueDef::Param(b, _) => self.loop_blocks.contains(&b) || b == self.header,
            _ => true,
        };
        if inside {
            return refuse(format!("{v} is used before it is defined on the hot path"));
        }
        // A constant stays a constant; anything else goes through the caller's array.
        if let ValueDef::Result(inst, _) = self.func.dfg.value_def(v) {
            match self.func.dfg.insts[inst] {
                InstructionData::UnaryImm { imm, .. } => {
                    let t = T::Int(Linear::constant(imm.bits()));
                    self.values.insert(v, t.clone());
                    return Ok(t);
                }
                InstructionData::UnaryIeee64 { imm, .. } => {
                    let t = T::F64(imm.bits());
                    self.values.insert(v, t.clone());
                    return Ok(t);
                }
                _ => {}
            }
        }
        let ty = self.func.dfg.value_type(v);
        let slot = self.invariants.len() as u32;
        let t = if ty == types::I64 {
            T::Int(Linear {
                terms: vec![(slot, 1)],
                ..Default::default()
            })
        } else if ty == types::F64 {
            T::UniformF64(UniformAddr::Invariant(slot))
        } else if ty.bits() == 128 {
            T::Uniform128(UniformAddr::Invariant(slot))
        } else {
            return refuse(format!("an invariant of type {ty}"));
        };
        self.invariants.push(v);
        self.values.insert(v, t.clone());
        Ok(t)
    }

    fn set(&mut self, inst: Inst, t: T) {
        let r = self.func.dfg.first_result(inst);
        self.values.insert(r, t);
    }

    /// A per-chunk register holding the uniform integer `base` (none when it is zero).
    fn base_reg(&mut self, base: &Linear) -> VReg {
        if let Some(&r) = self.bases.get(base) {
            return r;
        }
        let slot = self.frame_slot(8);
        self.uniforms.push(Uniform::Integer {
            slot,
            value: base.clone(),
        });
        let r = self.vreg(Class::General);
        self.homes[r as usize] = Some(slot);
        self.body.push(Op::LoadGeneral {
            dst: r,
            addr: Addr::Frame(slot),
        });
        self.bases.insert(base.clone(), r);
        r
    }

    /// The memory operand for `lin + disp`, where the index part is `stride` bytes per
    /// instance (or none).
    fn based(&mut self, lin: &Linear, disp: i32, stride: i64) -> R<Addr> {
        if lin.index != 0 && lin.index != stride {
            return refuse(format!(
                "an address that moves {} bytes per instance",
                lin.index
            ));
        }
        let disp = i32::try_from(lin.constant + i64::from(disp))
            .map_err(|_| "an address displacement beyond 32 bits".to_string())?;
        let base = self.base_reg(&lin.base());
        Ok(Addr::Based {
            base,
            scale: if lin.index == 0 { 0 } else { stride as u8 },
            disp,
        })
    }

    /// A uniform vector in a frame slot, made by the prologue once.
    fn uniform_slot(&mut self, key: String, make: impl FnOnce(i32) -> Uniform) -> i32 {
        if let Some(&s) = self.uniform_slots.get(&key) {
            return s;
        }
        let slot = self.frame_slot(32);
        self.uniforms.push(make(slot));
        self.uniform_slots.insert(key, slot);
        slot
    }

    fn constant_slot(&mut self, lane_bits: [u64; 2]) -> i32 {
        let mut bytes = [0u8; 32];
        for (k, b) in [lane_bits[0], lane_bits[1], lane_bits[0], lane_bits[1]]
            .iter()
            .enumerate()
        {
            bytes[8 * k..8 * k + 8].copy_from_slice(&b.to_le_bytes());
        }
        self.uniform_slot(format!("c{bytes:?}"), |slot| Uniform::Constant {
            slot,
            bytes,
        })
    }

    /// `t` as a source operand of a 256-bit operation.
    fn src(&mut self, t: &T) -> R<Src> {
        Ok(match t {
            T::UniformVec(slot) => Src::Mem(Addr::Frame(*slot)),
            T::Uniform128(at) => {
                let at = at.clone();
                let slot = self.uniform_slot(format!("b{at:?}"), |slot| Uniform::Broadcast128 {
                    slot,
                    at,
                });
                Src::Mem(Addr::Frame(slot))
            }
            T::Zero => Src::Mem(Addr::Frame(self.constant_slot([0, 0]))),
            _ => Src::Reg(self.wide(t)?),
        })
    }

    /// `t` in a vector register, four lanes.
    fn wide(&mut self, t: &T) -> R<VReg> {
        match t {
            T::Wide(r) => Ok(*r),
            T::Halves(halves) => {
                if let Some(&r) = self.joined.get(halves) {
                    return Ok(r);
                }
                let [lo, hi] = halves;
                let lo_reg = match *lo {
                    Src::Reg(r) => r,
                    Src::Mem(addr) => {
                        let r = self.vreg(Class::Vector);
                        self.body.push(Op::Load128 { dst: r, addr });
                        r
                    }
                };
                let dst = self.vreg(Class::Vector);
                self.body.push(Op::InsertHigh {
                    dst,
                    lo: lo_reg,
                    hi: *hi,
                });
                self.joined.insert(*halves, dst);
                Ok(dst)
            }
            T::Widened32(x) => {
                let dst = self.vreg(Class::Vector);
                self.body.push(Op::I32ToI64 { dst, src: *x });
                Ok(dst)
            }
            T::UniformVec(_) | T::Uniform128(_) | T::Zero => {
                let Src::Mem(addr) = self.src(t)? else {
                    unreachable!("uniform vectors are in the frame")
                };
                let dst = self.vreg(Class::Vector);
                self.body.push(Op::Load { dst, addr });
                Ok(dst)
            }
            other => refuse(format!("{other:?} used as a vector")),
        }
    }

    /// Translates one instruction of the hot path.
    fn inst(&mut self, inst: Inst) -> R<()> {
        let dfg = &self.func.dfg;
        let data = dfg.insts[inst];
        let opcode = data.opcode();
        let results = dfg.inst_results(inst);
        let ty = results
            .first()
            .map(|&r| dfg.value_type(r))
            .unwrap_or(types::INVALID);
        match data {
            InstructionData::UnaryImm { imm, .. } => {
                self.set(inst, T::Int(Linear::constant(imm.bits())));
            }
            InstructionData::UnaryIeee64 { imm, .. } => self.set(inst, T::F64(imm.bits())),
            InstructionData::UnaryConst {
                constant_handle, ..
            } => {
                let bytes = dfg.constants.get(constant_handle).as_slice();
                if bytes.len() != 16 {
                    return refuse("a vector constant that is not 128 bits");
                }
                if bytes.iter().all(|&b| b == 0) {
                    self.set(inst, T::Zero);
                } else {
                    let lo = u64::from_le_bytes(bytes[..8].try_into().expect("16 bytes"));
                    let hi = u64::from_le_bytes(bytes[8..].try_into().expect("16 bytes"));
                    let slot = self.constant_slot([lo, hi]);
                    self.set(inst, T::UniformVec(slot));
                }
            }
            InstructionData::Unary { arg, .. } => self.unary(inst, opcode, ty, arg)?,
            // bitcast carries its byte order as memory flags
            InstructionData::LoadNoOffset { arg, .. } if opcode == Opcode::Bitcast => {
                self.unary(inst, opcode, ty, arg)?
            }
            InstructionData::Binary { args, .. } => self.binary(inst, opcode, ty, args)?,
            InstructionData::Ternary { args, .. } if opcode == Opcode::Bitselect => {
                if ty.bits() != 128 {
                    return refuse(format!("{opcode}.{ty}"));
                }
                // (x & mask) | (y & !mask), bit for bit
                let mask = self.get(args[0])?;
                let x = self.get(args[1])?;
                let y = self.get(args[2])?;
                let mask = self.wide(&mask)?;
                let x = self.src(&x)?;
                let y = self.src(&y)?;
                let taken = self.vector_op(VOp::Andpd, mask, x);
                let other = self.vector_op(VOp::Andnpd, mask, y);
                let dst = self.vector_op(VOp::Orpd, taken, Src::Reg(other));
                self.set(inst, T::Wide(dst));
            }
            InstructionData::Ternary { args, .. } => {
                if opcode != Opcode::Fma || ty != types::F64X2 {
                    return refuse(format!("{opcode}.{ty}"));
                }
                let a = self.get(args[0])?;
                let b = self.get(args[1])?;
                let c = self.get(args[2])?;
                let (a, b) = (self.wide(&a)?, self.wide(&b)?);
                let c = self.src(&c)?;
                let dst = self.vreg(Class::Vector);
                self.body.push(Op::Fma { dst, a, b, c });
                self.set(inst, T::Wide(dst));
            }
            InstructionData::FloatCompare { args, cond, .. } => {
                let predicate = predicate(cond);
                let a = self.get(args[0])?;
                let b = self.get(args[1])?;
                // A scalar comparison is of values the same for all instances (a TABLE's
                // DEPEND check): compared in all lanes at once.
                let uniform = ty.bits() != 128;
                let (a, b) = if uniform {
                    (self.splat(a)?, self.splat(b)?)
                } else {
                    (a, b)
                };
                let a = self.wide(&a)?;
                let b = self.src(&b)?;
                let dst = self.vreg(Class::Vector);
                self.body.push(Op::Compare {
                    predicate,
                    dst,
                    a,
                    b,
                });
                self.set(
                    inst,
                    if uniform {
                        T::UniformMask(dst)
                    } else {
                        T::Wide(dst)
                    },
                );
            }
            InstructionData::IntCompare { args, cond, .. } => {
                let a = self.get(args[0])?;
                let b = self.get(args[1])?;
                match (cond, a, b) {
                    (IntCC::Equal, T::HighBits(m), T::Int(k))
                        if k.terms.is_empty() && k.index == 0 && k.constant == 3 =>
                    {
                        self.set(inst, T::AllSet(m));
                    }
                    (c, a, b) => return refuse(format!("icmp {c} of {a:?} and {b:?}")),
                }
            }
            InstructionData::TernaryImm8 { args, imm, .. } if opcode == Opcode::Insertlane => {
                let v = self.get(args[0])?;
                let x = self.get(args[1])?;
                match (v, x, imm) {
                    (T::SplatHalves(a), T::ScalarsF64(b), 1) => {
                        let mut halves = [Src::Reg(0); 2];
                        for h in 0..2 {
                            let dst = self.vreg(Class::Vector);
                            self.body.push(Op::Unpack128 {
                                dst,
                                a: a[h],
                                b: b[h],
                            });
                            halves[h] = Src::Reg(dst);
                        }
                        self.set(inst, T::Halves(halves));
                    }
                    (v, x, lane) => {
                        return refuse(format!("insertlane {lane} of {x:?} into {v:?}"))
                    }
                }
            }
            InstructionData::BinaryImm8 { arg, imm, .. } if opcode == Opcode::Extractlane => {
                let t = self.get(arg)?;
                let r = self.extract_lane(&t, imm)?;
                self.set(inst, r);
            }
            InstructionData::Load { arg, offset, .. } => {
                let offset = i32::from(offset);
                let at = self.get(arg)?;
                let r = self.load(ty, at, offset)?;
                self.set(inst, r);
            }
            InstructionData::Store { args, offset, .. } => {
                let value = self.get(args[0])?;
                let at = self.get(args[1])?;
                let vty = dfg.value_type(args[0]);
                let T::Int(lin) = at else {
                    return refuse("a store to a per-lane address");
                };
                if vty == types::F64 && lin.index == 0 {
                    let T::Scalars([_, last]) = value else {
                        return refuse(format!("a GLOBAL assigned {value:?}"));
                    };
                    let disp = i32::from(offset);
                    let lin = Linear {
                        constant: lin.constant + i64::from(disp),
                        ..lin
                    };
                    self.uniform_stores.retain(|(l, _, _)| l != &lin);
                    self.uniform_stores.push((lin, 0, last));
                    return Ok(());
                }
                if vty.bits() != 128 {
                    return refuse(format!("a store of {vty}"));
                }
                if lin.index != 8 {
                    return refuse("a store to an address that is not one per instance");
                }
                let src = self.wide(&value)?;
                let disp = i32::from(offset);
                // A later load of this location reads the stored value.
                self.stores.retain(|(l, d, _)| !(l == &lin && *d == disp));
                self.stores.push((lin, disp, src));
            }
            InstructionData::Shuffle { args, imm, .. } => {
                let mask = dfg.immediates.get(imm).map(|c| c.as_slice().to_vec());
                let lo: Vec<u8> = (0..8).chain(16..24).collect();
                let hi: Vec<u8> = (8..16).chain(24..32).collect();
                let op = match mask {
                    Some(m) if m == lo => VOp::Unpcklpd,
                    Some(m) if m == hi => VOp::Unpckhpd,
                    _ => return refuse("a shuffle other than unpacking"),
                };
                let a = self.get(args[0])?;
                let b = self.get(args[1])?;
                let a = self.wide(&a)?;
                let b = self.src(&b)?;
                let dst = self.vreg(Class::Vector);
                self.body.push(Op::Vector { op, dst, a, b });
                self.set(inst, T::Wide(dst));
            }
            InstructionData::UnaryGlobalValue { .. } => {
                return refuse("a global value inside the loop")
            }
            _ => return refuse(format!("{opcode}")),
        }
        Ok(())
    }

    /// An f64 the same for all instances, in all lanes.
    fn splat(&mut self, t: T) -> R<T> {
        Ok(match t {
            T::F64(bits) => T::UniformVec(self.constant_slot([bits, bits])),
            T::UniformF64(at) => {
                let slot =
                    self.uniform_slot(format!("s{at:?}"), |slot| Uniform::SplatF64 { slot, at });
                T::UniformVec(slot)
            }
            T::ScalarsF64(x) => T::SplatHalves(x),
            other => return refuse(format!("splat of {other:?}")),
        })
    }

    fn unary(&mut self, inst: Inst, opcode: Opcode, ty: Type, arg: Value) -> R<()> {
        let t = self.get(arg)?;
        let r = match (opcode, t) {
            (Opcode::Bitcast, t) => match t {
                T::Scalars(_) | T::Wide(_) | T::Halves(_) | T::UniformVec(_) => t,
                T::Uniform128(_) | T::Zero | T::Truncated(_) => t,
                other => return refuse(format!("bitcast of {other:?}")),
            },
            (Opcode::Splat, t) => self.splat(t)?,
            (Opcode::Bnot, t) if ty.bits() == 128 => {
                let a = self.wide(&t)?;
                let ones = self.constant_slot([u64::MAX, u64::MAX]);
                let dst = self.vector_op(VOp::Xorpd, a, Src::Mem(Addr::Frame(ones)));
                T::Wide(dst)
            }
            (Opcode::Fneg | Opcode::Fabs, t) if ty == types::F64X2 => {
                let a = self.wide(&t)?;
                let sign = 1u64 << 63;
                let (op, bits) = if opcode == Opcode::Fneg {
                    (VOp::Xorpd, sign)
                } else {
                    (VOp::Andpd, !sign)
                };
                let k = self.constant_slot([bits, bits]);
                let dst = self.vector_op(op, a, Src::Mem(Addr::Frame(k)));
                T::Wide(dst)
            }
            (Opcode::VhighBits, T::Wide(m)) => T::HighBits(m),
            (Opcode::X86Cvtt2dq, t) => {
                let src = self.wide(&t)?;
                let dst = self.vreg(Class::Vector);
                self.body.push(Op::TruncateToI32 { dst, src });
                T::Truncated(dst)
            }
            (Opcode::SwidenLow, T::Truncated(x)) => T::Widened32(x),
            (Opcode::FcvtFromSint, T::Widened32(x)) if ty == types::F64X2 => {
                let dst = self.vreg(Class::Vector);
                self.body.push(Op::I32ToF64 { dst, src: x });
                T::Wide(dst)
            }
            (Opcode::Ireduce, T::Scalars(s)) if ty == types::I32 => T::Reduced(s),
            (Opcode::Uextend, T::Reduced(s)) if ty == types::I64 => {
                let mut out = [0; 2];
                for (h, &a) in s.iter().enumerate() {
                    let dst = self.vreg(Class::General);
                    self.body.push(Op::ZeroExtend32 { dst, a });
                    out[h] = dst;
                }
                T::Scalars(out)
            }
            (op, t) => return refuse(format!("{op}.{ty} of {t:?}")),
        };
        self.set(inst, r);
        Ok(())
    }

    fn binary(&mut self, inst: Inst, opcode: Opcode, ty: Type, args: [Value; 2]) -> R<()> {
        let a = self.get(args[0])?;
        let b = self.get(args[1])?;
        if let (T::UniformMask(x), T::UniformMask(y)) = (&a, &b) {
            let op = match opcode {
                Opcode::Bor => VOp::Orpd,
                Opcode::Band => VOp::Andpd,
                Opcode::Bxor => VOp::Xorpd,
                _ => return refuse(format!("{opcode} of conditions")),
            };
            let dst = self.vector_op(op, *x, Src::Reg(*y));
            self.set(inst, T::UniformMask(dst));
            return Ok(());
        }
        if ty.is_vector() {
            if opcode == Opcode::Snarrow {
                return match (a, b) {
                    (T::Truncated(x), T::Zero) => {
                        self.set(inst, T::Truncated(x));
                        Ok(())
                    }
                    _ => refuse("snarrow other than of a truncation"),
                };
            }
            if matches!(opcode, Opcode::Ishl | Opcode::Ushr) && ty == types::I64X2 {
                let T::Int(k) = b else {
                    return refuse("a vector shift by a variable amount");
                };
                if !k.terms.is_empty() || k.index != 0 || !(0..64).contains(&k.constant) {
                    return refuse("a vector shift by a variable amount");
                }
                let src = self.wide(&a)?;
                let dst = self.vreg(Class::Vector);
                let amount = k.constant as u8;
                self.body.push(if opcode == Opcode::Ishl {
                    Op::ShiftLeft64 { dst, src, amount }
                } else {
                    Op::ShiftRight64 { dst, src, amount }
                });
                self.set(inst, T::Wide(dst));
                return Ok(());
            }
            let op = match (opcode, ty) {
                (Opcode::Fadd, types::F64X2) => VOp::Addpd,
                (Opcode::Fsub, types::F64X2) => VOp::Subpd,
                (Opcode::Fmul, types::F64X2) => VOp::Mulpd,
                (Opcode::Fdiv, types::F64X2) => VOp::Divpd,
                (Opcode::Iadd, types::I64X2) => VOp::Paddq,
                (Opcode::Isub, types::I64X2) => VOp::Psubq,
                (Opcode::Band, _) => VOp::Andpd,
                (Opcode::Bor, _) => VOp::Orpd,
                (Opcode::Bxor, _) => VOp::Xorpd,
                _ => return refuse(format!("{opcode}.{ty}")),
            };
            let commutes = matches!(
                op,
                VOp::Addpd | VOp::Mulpd | VOp::Paddq | VOp::Andpd | VOp::Orpd | VOp::Xorpd
            );
            // A uniform first operand of a commutative operation goes second (as memory).
            let (a, b) = if commutes && is_uniform_vector(&a) && !is_uniform_vector(&b) {
                (b, a)
            } else {
                (a, b)
            };
            let a = self.wide(&a)?;
            let b = self.src(&b)?;
            let dst = self.vreg(Class::Vector);
            self.body.push(Op::Vector { op, dst, a, b });
            self.set(inst, T::Wide(dst));
            return Ok(());
        }
        let r = self.integer(opcode, ty, a, b)?;
        self.set(inst, r);
        Ok(())
    }

    /// Scalar integer arithmetic: linear while it can be, else per half.
    fn integer(&mut self, opcode: Opcode, ty: Type, a: T, b: T) -> R<T> {
        if ty != types::I64 {
            return refuse(format!("{opcode}.{ty}"));
        }
        let constant = |t: &T| match t {
            T::Int(l) if l.terms.is_empty() && l.index == 0 => Some(l.constant),
            _ => None,
        };
        match (opcode, &a, &b) {
            (Opcode::Iadd, T::Int(x), T::Int(y)) => {
                return Ok(T::Int(x.add(y).ok_or("overflow")?));
            }
            (Opcode::Isub, T::Int(x), T::Int(y)) => {
                let y = y.scale(-1).ok_or("overflow")?;
                return Ok(T::Int(x.add(&y).ok_or("overflow")?));
            }
            (Opcode::Imul, T::Int(x), k) if constant(k).is_some() => {
                return Ok(T::Int(x.scale(constant(k).unwrap()).ok_or("overflow")?));
            }
            (Opcode::Ishl, T::Int(x), k) if constant(k).is_some_and(|c| (0..32).contains(&c)) => {
                let k = 1i64 << constant(k).unwrap();
                return Ok(T::Int(x.scale(k).ok_or("overflow")?));
            }
            (Opcode::Ushr, T::Int(x), k)
                if constant(k) == Some(63)
                    && x.terms.is_empty()
                    && x.index >= 0
                    && x.constant >= 0 =>
            {
                // instance numbers are below 2^63
                return Ok(T::Int(Linear::constant(0)));
            }
            _ => {}
        }
        // Per half.
        let halves = |w: &mut Self, t: &T| -> R<[VReg; 2]> {
            match t {
                T::Scalars(s) => Ok(*s),
                T::Int(l) if l.index == 0 => {
                    let r = w.base_reg(&l.base());
                    if l.constant == 0 {
                        Ok([r, r])
                    } else {
                        let imm = i32::try_from(l.constant).map_err(|_| "a large constant")?;
                        let dst = w.vreg(Class::General);
                        w.body.push(Op::AddImm { dst, a: r, imm });
                        Ok([dst, dst])
                    }
                }
                other => refuse(format!("{other:?} in per-lane integer arithmetic")),
            }
        };
        let mut out = [0; 2];
        if let Some(k) = constant(&b) {
            let x = halves(self, &a)?;
            for h in 0..2 {
                let dst = self.vreg(Class::General);
                let op = match opcode {
                    Opcode::Iadd => Op::AddImm {
                        dst,
                        a: x[h],
                        imm: i32::try_from(k).map_err(|_| "a large constant")?,
                    },
                    Opcode::Imul => Op::MulImm {
                        dst,
                        a: x[h],
                        imm: i32::try_from(k).map_err(|_| "a large constant")?,
                    },
                    Opcode::Ishl if (0..64).contains(&k) => Op::ShlImm {
                        dst,
                        a: x[h],
                        amount: k as u8,
                    },
                    Opcode::Ushr if (0..64).contains(&k) => Op::ShrImm {
                        dst,
                        a: x[h],
                        amount: k as u8,
                    },
                    _ => return refuse(format!("{opcode} by a constant per lane")),
                };
                self.body.push(op);
                out[h] = dst;
            }
            return Ok(T::Scalars(out));
        }
        if opcode != Opcode::Iadd {
            return refuse(format!("{opcode} per lane"));
        }
        let x = halves(self, &a)?;
        let y = halves(self, &b)?;
        for h in 0..2 {
            let dst = self.vreg(Class::General);
            self.body.push(Op::Add {
                dst,
                a: x[h],
                b: y[h],
            });
            out[h] = dst;
        }
        Ok(T::Scalars(out))
    }

    fn extract_lane(&mut self, t: &T, lane: u8) -> R<T> {
        let (low, high) = match t {
            T::Truncated(x) if lane == 0 => {
                // lanes 0 and 1 of each half's i32 pair: the low half holds the four in
                // instance order, so half 0 is its qword 0 and half 1 its qword 1.
                let mut out = [0; 2];
                for (h, o) in out.iter_mut().enumerate() {
                    let dst = self.vreg(Class::General);
                    self.body.push(Op::LaneToGeneral {
                        dst,
                        src: *x,
                        lane: h as u8,
                    });
                    *o = dst;
                }
                return Ok(T::Scalars(out));
            }
            T::Wide(x) => {
                let high = match self.high_halves.get(x) {
                    Some(&h) => h,
                    None => {
                        let h = self.vreg(Class::Vector);
                        self.body.push(Op::ExtractHigh { dst: h, src: *x });
                        self.high_halves.insert(*x, h);
                        h
                    }
                };
                (*x, high)
            }
            other => return refuse(format!("extractlane of {other:?}")),
        };
        if lane > 1 {
            return refuse("extractlane beyond lane 1");
        }
        let mut out = [0; 2];
        for (h, src) in [low, high].into_iter().enumerate() {
            let dst = self.vreg(Class::General);
            self.body.push(Op::LaneToGeneral { dst, src, lane });
            out[h] = dst;
        }
        Ok(T::Scalars(out))
    }

    fn load(&mut self, ty: Type, at: T, offset: i32) -> R<T> {
        match at {
            T::Int(lin) if lin.index == 0 => {
                if self
                    .uniform_stores
                    .iter()
                    .any(|(l, _, _)| l.base() == lin.base())
                {
                    return refuse("a load of a GLOBAL the body assigned");
                }
                if ty == types::F64 {
                    return Ok(T::UniformF64(UniformAddr::Computed {
                        value: lin,
                        disp: offset,
                    }));
                }
                if ty.bits() == 128 {
                    return Ok(T::Uniform128(UniformAddr::Computed {
                        value: lin,
                        disp: offset,
                    }));
                }
                refuse(format!("a uniform load of {ty}"))
            }
            T::Int(lin) if ty.bits() == 128 && lin.index == 8 => {
                if let Some((_, _, r)) = self
                    .stores
                    .iter()
                    .find(|(l, d, _)| l == &lin && *d == offset)
                {
                    return Ok(T::Wide(*r));
                }
                if self.stores.iter().any(|(l, _, _)| l.base() == lin.base()) {
                    return refuse("a load that may overlap a store of the same iteration");
                }
                if let Some(&r) = self.loaded.get(&(lin.clone(), offset)) {
                    return Ok(T::Wide(r));
                }
                let addr = self.based(&lin, offset, 8)?;
                let dst = self.vreg(Class::Vector);
                self.body.push(Op::Load { dst, addr });
                self.loaded.insert((lin, offset), dst);
                Ok(T::Wide(dst))
            }
            T::Int(lin) if lin.index != 0 && (ty == types::I32 || ty == types::I64) => {
                // one instance's entry (a node number, an ion variable's address): per half,
                // the pair loop's lane is instance i (+2 in the high half) plus the lane
                let bytes = i64::from(ty.bytes());
                if lin.index != bytes {
                    return refuse("a per-instance integer load with another stride");
                }
                let mut out = [0; 2];
                for (h, o) in out.iter_mut().enumerate() {
                    let addr = self.based(&lin, offset + (2 * h as i64 * bytes) as i32, bytes)?;
                    let dst = self.vreg(Class::General);
                    self.body.push(if ty == types::I32 {
                        Op::LoadGeneral32 { dst, addr }
                    } else {
                        Op::LoadGeneral { dst, addr }
                    });
                    *o = dst;
                }
                Ok(if ty == types::I32 {
                    T::Reduced(out)
                } else {
                    T::Scalars(out)
                })
            }
            T::Scalars(s) if ty == types::F64 => {
                let mut out = [0; 2];
                for (h, o) in out.iter_mut().enumerate() {
                    let dst = self.vreg(Class::Vector);
                    self.body.push(Op::LoadF64 {
                        dst,
                        addr: Addr::Based {
                            base: s[h],
                            scale: 0,
                            disp: offset,
                        },
                    });
                    *o = dst;
                }
                Ok(T::ScalarsF64(out))
            }
            T::Scalars(s) if ty.bits() == 128 => {
                let lo = Src::Mem(Addr::Based {
                    base: s[0],
                    scale: 0,
                    disp: offset,
                });
                let hi = Src::Mem(Addr::Based {
                    base: s[1],
                    scale: 0,
                    disp: offset,
                });
                Ok(T::Halves([lo, hi]))
            }
            other => refuse(format!("a load of {ty} from {other:?}")),
        }
    }
}

fn is_uniform_vector(t: &T) -> bool {
    matches!(t, T::UniformVec(_) | T::Uniform128(_) | T::Zero)
}

/// vcmppd's predicate for Cranelift's condition (quiet forms: a NaN raises nothing).
fn predicate(cond: FloatCC) -> u8 {
    match cond {
        FloatCC::Equal => 0x00,
        FloatCC::LessThan => 0x11,
        FloatCC::LessThanOrEqual => 0x12,
        FloatCC::Unordered => 0x03,
        FloatCC::NotEqual => 0x04,
        FloatCC::UnorderedOrGreaterThanOrEqual => 0x15,
        FloatCC::UnorderedOrGreaterThan => 0x16,
        FloatCC::Ordered => 0x07,
        FloatCC::UnorderedOrEqual => 0x08,
        FloatCC::UnorderedOrLessThan => 0x19,
        FloatCC::UnorderedOrLessThanOrEqual => 0x1A,
        FloatCC::OrderedNotEqual => 0x0C,
        FloatCC::GreaterThanOrEqual => 0x1D,
        FloatCC::GreaterThan => 0x1E,
    }
}
