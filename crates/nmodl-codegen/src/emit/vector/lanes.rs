//! [`Lanes`]: statements and expressions of a body for two instances at once, every NMODL
//! value an f64x2 whose lane k belongs to instance `inst + k`.
//!
//! It mirrors [`BodyEmitter`]'s scalar code operation for operation. Control flow that depends
//! on values (IF, `&&`, `||`) is if-converted: both sides are evaluated for both lanes, and
//! every store made while a condition holds for only some lanes keeps the old value in the
//! other lanes (`mask`). Loops, arrays, real calls and everything else are refused, which
//! leaves the whole kernel scalar.

use super::super::body::{
    collect_locals_block, comparison, flags, negated, BodyEmitter, MAX_INLINE_DEPTH, PTR,
};
use super::super::exp;
use super::consts::ConstantPool;
use crate::layout::Place;
use crate::verbatim::VerbatimMeaning;
use crate::CodegenError;
use cranelift_codegen::cursor::{Cursor, FuncCursor};
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{
    types, Endianness, Inst, InstBuilder, InstructionData, MemFlagsData, Opcode, StackSlotData,
    StackSlotKind, Value, ValueDef,
};
use cranelift_frontend::FunctionBuilder;
use cranelift_frontend::Variable as CVar;
use nmodl_ir::visit::{walk_block, Visitor};
use nmodl_ir::{
    BinaryOp, Block, Builtin, Expression, Function, FunctionKind, Handle, Intrinsic, MathFunction,
    Statement, UnaryOp, Variable,
};
use rsnrn_abi::{KernelContext, SlotInfo};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::mem::offset_of;

pub(super) const F64X2: types::Type = types::F64X2;

/// The sign bit of an f64.
const SIGN_BIT: u64 = 1 << 63;

/// IFs nested deeper than this are if-converted only (see [`Lanes::if_statement`]).
const MAX_BRANCHING_DEPTH: u32 = 3;
/// Branches with less [`branch_work`] than this are if-converted only.
const BRANCHING_WORK: usize = 3;

/// A rough size of `block`: its assignments, and four for each call (a table lookup or an
/// inlined body).
fn branch_work(mech: &nmodl_ir::Mechanism, block: &Block) -> usize {
    struct Work(usize);
    impl Visitor for Work {
        fn assigned(&mut self, _: Handle<Variable>) {
            self.0 += 1;
        }
        fn call(&mut self, _: Handle<Function>) {
            self.0 += 4;
        }
    }
    let mut work = Work(0);
    walk_block(mech, block, &mut work);
    work.0
}

/// Why a kernel stays scalar, or an error of the code generator itself.
pub(super) enum Refusal {
    Unsupported(String),
    Failed(CodegenError),
}

impl From<CodegenError> for Refusal {
    fn from(e: CodegenError) -> Self {
        Refusal::Failed(e)
    }
}

pub(super) type VResult<T> = Result<T, Refusal>;

fn refuse<T>(why: impl Into<String>) -> VResult<T> {
    Err(Refusal::Unsupported(why.into()))
}

/// Vector accesses: instance pairs start at any instance, so no 16-byte alignment is promised.
fn vector_flags() -> MemFlagsData {
    MemFlagsData::new().with_notrap()
}

/// Lane by lane `x` where `mask` (an fcmp result) is set, else `y`.
pub(super) fn select_lanes(b: &mut FunctionBuilder, mask: Value, x: Value, y: Value) -> Value {
    let little = MemFlagsData::new().with_endianness(Endianness::Little);
    let m = b.ins().bitcast(F64X2, little, mask);
    b.ins().bitselect(m, x, y)
}

/// Lane by lane `x` where `mask` (an fcmp result) is set, else +0: a select from a zero
/// constant as one `and`.
pub(super) fn x_or_zero(b: &mut FunctionBuilder, mask: Value, x: Value) -> Value {
    let little = MemFlagsData::new().with_endianness(Endianness::Little);
    let m = b.ins().bitcast(F64X2, little, mask);
    b.ins().band(x, m)
}

/// Lane by lane +0 where `mask` (an fcmp result) is set, else `x`: one `and not`.
pub(super) fn zero_or_x(b: &mut FunctionBuilder, mask: Value, x: Value) -> Value {
    let little = MemFlagsData::new().with_endianness(Endianness::Little);
    let m = b.ins().bitcast(F64X2, little, mask);
    b.ins().band_not(x, m)
}

/// Whether `x` is +0 in both lanes (a splat of the literal 0, or a zero vector constant).
fn is_zero(b: &FunctionBuilder, x: Value) -> bool {
    let dfg = &b.func.dfg;
    let ValueDef::Result(inst, _) = dfg.value_def(x) else {
        return false;
    };
    match dfg.insts[inst] {
        InstructionData::Unary {
            opcode: Opcode::Splat,
            arg,
        } => match dfg.value_def(arg) {
            ValueDef::Result(c, _) => matches!(
                dfg.insts[c],
                InstructionData::UnaryIeee64 { opcode: Opcode::F64const, imm } if imm.bits() == 0
            ),
            _ => false,
        },
        InstructionData::UnaryConst {
            opcode: Opcode::Vconst,
            constant_handle,
        } => dfg
            .constants
            .get(constant_handle)
            .as_slice()
            .iter()
            .all(|&byte| byte == 0),
        _ => false,
    }
}

/// `m` when `mask` is `bnot m`.
fn complemented(b: &FunctionBuilder, mask: Value) -> Option<Value> {
    let dfg = &b.func.dfg;
    let ValueDef::Result(inst, _) = dfg.value_def(mask) else {
        return None;
    };
    match dfg.insts[inst] {
        InstructionData::Unary {
            opcode: Opcode::Bnot,
            arg,
        } => Some(arg),
        _ => None,
    }
}

/// The vector [lane0, lane1]. (A splat and one insertion: on x86-64 two instructions, where
/// scalar_to_vector first zeroes a register.)
pub(super) fn pair(b: &mut FunctionBuilder, lane0: Value, lane1: Value) -> Value {
    let v = b.ins().splat(F64X2, lane0);
    b.ins().insertlane(v, lane1, 1)
}

/// Pointer slot `slot` of instance `inst` (the kernel's hoisted slot arrays).
pub(super) fn slot_ptr_of(e: &mut BodyEmitter, slot: u32, inst: Value) -> Value {
    let per_instance = e.hoisted().expect("kernels hoist").slots[slot as usize];
    let a = e.element_addr(per_instance, inst);
    e.load_ptr(a, 0)
}

/// The entry of `node` in the context array at `ctx_field` (v, rhs, d, area, diam).
pub(super) fn node_addr_of(e: &mut BodyEmitter, ctx_field: usize, node: Value) -> Value {
    let base = e
        .hoisted()
        .expect("kernels hoist")
        .node_arrays
        .iter()
        .find(|(f, _)| *f == ctx_field)
        .map(|&(_, p)| p)
        .expect("every node array is hoisted");
    e.element_addr(base, node)
}

/// Whether an instruction with `opcode` computes a loop-invariant value from loop-invariant
/// arguments (constants and pure floating-point arithmetic).
fn invariant_when_its_arguments_are(opcode: Opcode) -> bool {
    matches!(
        opcode,
        Opcode::F64const
            | Opcode::Vconst
            | Opcode::Splat
            | Opcode::Fneg
            | Opcode::Fabs
            | Opcode::Fadd
            | Opcode::Fsub
            | Opcode::Fmul
            | Opcode::Fdiv
            | Opcode::Fma
    )
}

pub(super) struct Lanes<'e, 'a, 'f> {
    pub s: &'e mut BodyEmitter<'a, 'f>,
    /// The instances of lane 0 and lane 1.
    pub insts: [Value; 2],
    pub nodes: [Value; 2],
    /// The membrane potential the statements see.
    pub v: Value,
    locals: HashMap<Handle<Variable>, CVar>,
    /// GLOBALs the body assigns: lane-private from their first (unconditional) assignment
    /// on; memory gets lane 1's value when the pair is done, as after the scalar instance.
    lane_globals: Vec<(Handle<Variable>, u32, CVar)>,
    /// GLOBALs read from memory so far (assigning one later would feed lane 0's value to
    /// lane 1 in the scalar code).
    globals_read: HashSet<Handle<Variable>>,
    /// The jump from the kernel's entry into the pair loop: loop invariants are made right
    /// before it (see [`Self::pair_before_loop`]).
    preheader: Inst,
    /// GLOBALs by index, in both lanes before the loop.
    invariant_globals: HashMap<u32, Value>,
    /// GLOBALs a TABLE rebuild inside the loop may assign (table.rs): read from memory at
    /// each use.
    pub rebuilt_globals: HashSet<Handle<Variable>>,
    /// Pointer slots read and written so far; only point processes need them (two of their
    /// instances may share a node, hence an ion's values; a density mechanism has one
    /// instance per node).
    slots_read: HashSet<u32>,
    slots_written: HashSet<u32>,
    shares_nodes: bool,
    /// Every variable the body assigns.
    pub written: HashSet<Handle<Variable>>,
    /// What the body must not assign for the TABLE checks made at lane 0's call only to be
    /// right: the DEPEND variables of those tables (table.rs).
    pub unassignable: Vec<Handle<Variable>>,
    /// The lanes the statements being emitted apply to (None: both).
    mask: Option<Value>,
    /// How many IF statements enclose the statements being emitted: inside one, a statement
    /// may run for some lanes only even where `mask` is None (a branch both lanes took).
    conditional: u32,
    inline_depth: u32,
    pub used_table: bool,
    /// Whether RANGE columns are kept in `columns`: their reloads (Cranelift forwards no store
    /// to a load past another store) and the stores a later assignment overwrites are saved.
    /// It pays in current kernels (the BREAKPOINT runs twice, the second run overwriting the
    /// first's assignments, and the ion currents are read back), not in state kernels: their
    /// stores are what makes Cranelift compute each assigned value where it is assigned
    /// (without them, the loads and arithmetic of the whole body move up, all live at once,
    /// and spill). Without it an assigned value is still stored at once and then kept for the
    /// reads that follow in the block: a TABLE's outputs, stored and read back by the next
    /// statement, otherwise wait for the store to reach the load (7% of hh's state kernel).
    keep_columns: bool,
    /// The instances' data is affine (MechanismData::affine): lane 1's node and ion values
    /// follow lane 0's in memory, so a pair is one vector load or store.
    pub affine: bool,
    /// With affine data, where each slot's values start (slot s of instance i is at
    /// `slots[s][0] + i`), read once before the loop.
    affine_slots: HashMap<u32, Value>,
    /// RANGE columns of the pair (by column) as last loaded or assigned in the current block,
    /// and whether memory lacks that assignment yet.
    columns: BTreeMap<u32, (Value, bool)>,
    /// Where the constants of the loop body come from.
    pub consts: ConstantPool,
}

impl<'e, 'a, 'f> Lanes<'e, 'a, 'f> {
    /// Points the lanes at instances `inst` and `inst + 1`: their nodes and v.
    pub fn enter(
        s: &'e mut BodyEmitter<'a, 'f>,
        inst: Value,
        node_index: Value,
        mut consts: ConstantPool,
        keep_columns: bool,
        preheader: Inst,
        affine: bool,
    ) -> Self {
        consts.enter_iteration(&mut s.b, inst);
        let inst1 = s.b.ins().iadd_imm_s(inst, 1);
        let insts = [inst, inst1];
        let mut nodes = [inst; 2];
        if affine {
            // Instance i sits on node node_index[0] + i (MechanismData::affine): the first
            // node is read once, before the loop (which runs only when there is a pair).
            let mut at_jump = FuncCursor::new(s.b.func).at_inst(preheader);
            let node32 = at_jump.ins().load(types::I32, flags(), node_index, 0);
            let first = at_jump.ins().uextend(PTR, node32);
            nodes[0] = s.b.ins().iadd(first, inst);
            nodes[1] = s.b.ins().iadd_imm_s(nodes[0], 1);
        } else {
            for (node, &i) in nodes.iter_mut().zip(&insts) {
                let offset = s.b.ins().ishl_imm_u(i, 2);
                let addr = s.b.ins().iadd(node_index, offset);
                let node32 = s.b.ins().load(types::I32, flags(), addr, 0);
                *node = s.b.ins().uextend(PTR, node32);
            }
        }
        let zero = s.b.ins().f64const(0.0);
        let v = s.b.ins().splat(F64X2, zero);
        let shares_nodes = s.mech.kind != nmodl_ir::MechanismKind::Density;
        let mut l = Lanes {
            s,
            insts,
            nodes,
            v,
            locals: HashMap::new(),
            lane_globals: Vec::new(),
            globals_read: HashSet::new(),
            preheader,
            invariant_globals: HashMap::new(),
            rebuilt_globals: HashSet::new(),
            slots_read: HashSet::new(),
            slots_written: HashSet::new(),
            shares_nodes,
            written: HashSet::new(),
            unassignable: Vec::new(),
            mask: None,
            conditional: 0,
            inline_depth: 0,
            used_table: false,
            keep_columns,
            columns: BTreeMap::new(),
            consts,
            affine,
            affine_slots: HashMap::new(),
        };
        let v = l.node_values(offset_of!(KernelContext, v));
        l.set_v(v);
        l
    }

    /// As [`BodyEmitter::set_v`]: the mechanism's own copy of v is written too.
    pub fn set_v(&mut self, v: Value) {
        self.v = v;
        if let Some(c) = self.s.layout.v_column {
            self.write_column(c, v);
        }
    }

    /// The pair's entries of RANGE column `c`: the value last assigned in this block (or
    /// loaded, when [`Self::keep_columns`]), else loaded now.
    fn column(&mut self, c: u32) -> Value {
        if let Some(&(x, _)) = self.columns.get(&c) {
            return x;
        }
        let a = self.column_addr(c);
        let x = self.s.b.ins().load(F64X2, vector_flags(), a, 0);
        if self.keep_columns {
            self.columns.insert(c, (x, false));
        }
        x
    }

    /// Assigns RANGE column `c`: kept for the reads that follow, and stored now, or when
    /// [`Self::keep_columns`], at the next [`Self::write_back`].
    fn write_column(&mut self, c: u32, x: Value) {
        if self.keep_columns {
            self.columns.insert(c, (x, true));
        } else {
            let a = self.column_addr(c);
            self.s.b.ins().store(vector_flags(), x, a, 0);
            self.columns.insert(c, (x, false));
        }
    }

    /// Stores the RANGE columns assigned since their last store.
    pub fn write_back(&mut self) {
        let dirty: Vec<(u32, Value)> = self
            .columns
            .iter_mut()
            .filter(|(_, (_, dirty))| *dirty)
            .map(|(&c, (x, dirty))| {
                *dirty = false;
                (c, *x)
            })
            .collect();
        for (c, x) in dirty {
            let a = self.column_addr(c);
            self.s.b.ins().store(vector_flags(), x, a, 0);
        }
    }

    /// [`Self::write_back`], and forgets the values: before code that leaves the current
    /// block (the values would not dominate the next one) or that reads or writes columns
    /// in memory itself.
    pub fn forget_columns(&mut self) {
        self.write_back();
        self.columns.clear();
    }

    /// Stores lane 1's value of every GLOBAL the pair assigned (what the scalar loop leaves).
    pub fn flush_globals(&mut self) {
        for &(_, g, var) in &self.lane_globals {
            let x = self.s.b.use_var(var);
            let last = self.s.b.ins().extractlane(x, 1);
            let a = self.s.global_addr(g, None);
            self.s.store_f64(last, a);
        }
    }

    /// `x` in both lanes, an immediate (Cranelift merges it with the other uses of `x`).
    pub fn splat(&mut self, x: f64) -> Value {
        use exp::Constants;
        exp::Immediates.constant(&mut self.s.b, F64X2, x.to_bits())
    }

    /// `x` in both lanes, loaded from the constant pool for this use (see [`super::consts`]):
    /// for exp's constants.
    fn pooled(&mut self, x: f64) -> Value {
        self.pooled_bits(x.to_bits())
    }

    /// `bits` in both lanes, from the constant pool.
    fn pooled_bits(&mut self, bits: u64) -> Value {
        use exp::Constants;
        self.consts.constant(&mut self.s.b, F64X2, bits)
    }

    /// -x: the sign bits flipped by one `xor` with a mask from the pool (Cranelift makes the
    /// mask in a register first, two more instructions). Not when x is the same in every
    /// iteration: Cranelift computes its `fneg` once, before the loop, where a pool load
    /// would keep it in the loop.
    fn neg(&mut self, x: Value) -> Value {
        if self.loop_invariant(x, 0) {
            return self.s.b.ins().fneg(x);
        }
        let sign = self.pooled_bits(SIGN_BIT);
        self.s.b.ins().bxor(x, sign)
    }

    /// Whether Cranelift can compute `x` before the loop: it is defined there, or is a
    /// constant or an arithmetic result of such values (looked at `depth` levels deep at most).
    fn loop_invariant(&self, x: Value, depth: u32) -> bool {
        let func = &*self.s.b.func;
        let before_loop = func.layout.inst_block(self.preheader);
        let ValueDef::Result(inst, _) = func.dfg.value_def(x) else {
            return false;
        };
        if func.layout.inst_block(inst).is_some() && func.layout.inst_block(inst) == before_loop {
            return true;
        }
        let arithmetic = invariant_when_its_arguments_are(func.dfg.insts[inst].opcode());
        arithmetic
            && depth < 8
            && func
                .dfg
                .inst_values(inst)
                .all(|arg| self.loop_invariant(arg, depth + 1))
    }

    /// `x` as a value computed before the loop, when it is loop-invariant: defined in the
    /// entry block or before the loop, or a constant or an arithmetic result of such values
    /// (copied to before the loop; at most `depth` levels deep). The copies compute the same
    /// operations on the same values, so they give the same bits.
    fn before_loop_copy(&mut self, x: Value, depth: u32) -> Option<Value> {
        let func = &mut *self.s.b.func;
        let before_loop = func.layout.inst_block(self.preheader)?;
        let ValueDef::Result(inst, 0) = func.dfg.value_def(x) else {
            return None;
        };
        let block = func.layout.inst_block(inst)?;
        if block == before_loop || Some(block) == func.layout.entry_block() {
            return Some(x);
        }
        let arithmetic = invariant_when_its_arguments_are(func.dfg.insts[inst].opcode());
        if !arithmetic || depth >= 8 {
            return None;
        }
        let args: Vec<Value> = func.dfg.inst_values(inst).collect();
        let mut copies = Vec::with_capacity(args.len());
        for a in args {
            copies.push(self.before_loop_copy(a, depth + 1)?);
        }
        let func = &mut *self.s.b.func;
        let copy = func.dfg.clone_inst(inst);
        func.dfg.inst_args_mut(copy).copy_from_slice(&copies);
        func.layout.insert_inst(copy, self.preheader);
        Some(func.dfg.first_result(copy))
    }

    /// |x|: the sign bits cleared by one `and` with a mask from the pool, as [`Self::neg`].
    fn abs(&mut self, x: Value) -> Value {
        let magnitude = self.pooled_bits(!SIGN_BIT);
        self.s.b.ins().band(x, magnitude)
    }

    fn pair(&mut self, lane0: Value, lane1: Value) -> Value {
        pair(&mut self.s.b, lane0, lane1)
    }

    /// The f64 at `addrs[k]` in lane k.
    pub fn gather(&mut self, addrs: [Value; 2]) -> Value {
        let x0 = self.s.load_f64(addrs[0]);
        let x1 = self.s.load_f64(addrs[1]);
        self.pair(x0, x1)
    }

    /// The f64 at `addrs[k] + offset` in lane k: lane 0 loaded into both lanes, then lane 1
    /// replaced by the bits at its address, which x86-64 does with two instructions reading
    /// memory (movddup, pinsrq) where [`pair`] needs four. That pays in TABLE lookups; for
    /// values read through pointers just loaded (ion variables, node values) [`Self::gather`]
    /// measured faster.
    pub fn gather_at(&mut self, addrs: [Value; 2], offset: i32) -> Value {
        let little = MemFlagsData::new().with_endianness(Endianness::Little);
        let b = &mut self.s.b;
        let x0 = b.ins().load(types::F64, flags(), addrs[0], offset);
        let x1 = b.ins().load(types::I64, flags(), addrs[1], offset);
        let both = b.ins().splat(F64X2, x0);
        let both = b.ins().bitcast(types::I64X2, little, both);
        let lanes = b.ins().insertlane(both, x1, 1);
        b.ins().bitcast(F64X2, little, lanes)
    }

    /// The f64s at `addrs[k] + offset` (first) and `addrs[k] + offset + 8` (second) in lane
    /// k: a vector load per lane, then the low halves and the high halves interleaved.
    pub fn transposed_at(&mut self, addrs: [Value; 2], offset: i32) -> [Value; 2] {
        let b = &mut self.s.b;
        let [r0, r1] = addrs.map(|a| b.ins().load(F64X2, flags(), a, offset));
        super::super::exp::halves_interleaved(b, r0, r1)
    }

    /// The two lanes' entries of the node array at `ctx_field`.
    pub fn node_values(&mut self, ctx_field: usize) -> Value {
        let a0 = node_addr_of(self.s, ctx_field, self.nodes[0]);
        if self.affine {
            return self.s.b.ins().load(F64X2, vector_flags(), a0, 0);
        }
        let a1 = node_addr_of(self.s, ctx_field, self.nodes[1]);
        self.gather([a0, a1])
    }

    /// Lane 0's address of slot `slot` with affine data: its first instance's address (read
    /// before the loop) plus the instance number, where other data needs a load of the
    /// instance's own pointer.
    fn affine_slot_addr(&mut self, slot: u32) -> Value {
        let first = match self.affine_slots.get(&slot) {
            Some(&p) => p,
            None => {
                let per_instance = self.s.hoisted().expect("kernels hoist").slots[slot as usize];
                let mut at_jump = FuncCursor::new(self.s.b.func).at_inst(self.preheader);
                let p = at_jump.ins().load(PTR, flags(), per_instance, 0);
                self.affine_slots.insert(slot, p);
                p
            }
        };
        self.s.element_addr(first, self.insts[0])
    }

    /// The two lanes' values of slot `slot`.
    pub fn slot_values(&mut self, slot: u32) -> Value {
        if self.affine {
            let p0 = self.affine_slot_addr(slot);
            return self.s.b.ins().load(F64X2, vector_flags(), p0, 0);
        }
        let p0 = slot_ptr_of(self.s, slot, self.insts[0]);
        let p1 = slot_ptr_of(self.s, slot, self.insts[1]);
        self.gather([p0, p1])
    }

    /// Stores `value`'s lanes in slot `slot` of each lane's instance (lane 0 first).
    pub fn store_slot_values(&mut self, slot: u32, value: Value) {
        if self.affine {
            let p0 = self.affine_slot_addr(slot);
            self.s.b.ins().store(vector_flags(), value, p0, 0);
            return;
        }
        let p0 = slot_ptr_of(self.s, slot, self.insts[0]);
        let p1 = slot_ptr_of(self.s, slot, self.insts[1]);
        for (lane, p) in [p0, p1].into_iter().enumerate() {
            let x = self.s.b.ins().extractlane(value, lane as u8);
            self.s.store_f64(x, p);
        }
    }

    fn column_addr(&mut self, column: u32) -> Value {
        let col = self.s.hoisted().expect("kernels hoist").columns[column as usize];
        self.s.element_addr(col, self.insts[0])
    }

    /// `new` in the lanes the current mask selects, `old` in the others.
    fn masked(&mut self, new: Value, old: Value) -> Value {
        let Some(m) = self.mask else { return new };
        let b = &mut self.s.b;
        // The usual case in an inlined FUNCTION: its result starts at 0, and each branch of
        // an IF assigns it under the branch's mask (`not_taken` is the complement of the
        // `taken` mask): one and / and-not instead of a three-instruction select.
        let (m, new, old) = match complemented(b, m) {
            Some(taken) => (taken, old, new),
            None => (m, new, old),
        };
        match (is_zero(b, new), is_zero(b, old)) {
            (true, true) => new,
            (false, true) => x_or_zero(b, m, new),
            (true, false) => zero_or_x(b, m, old),
            (false, false) => select_lanes(b, m, new, old),
        }
    }

    fn with_mask<T>(
        &mut self,
        lanes: Value,
        f: impl FnOnce(&mut Self) -> VResult<T>,
    ) -> VResult<T> {
        let outer = self.mask;
        let inner = match outer {
            None => lanes,
            Some(m) => self.s.b.ins().band(m, lanes),
        };
        self.mask = Some(inner);
        let result = f(self);
        self.mask = outer;
        result
    }

    /// GLOBAL `g` in both lanes, made once before the loop.
    ///
    /// A GLOBAL the body reads from memory is one it never assigns (assigning it afterwards
    /// is refused, see [`Self::store_var`]), so it holds one value for the whole loop. Loaded
    /// at each use, every use costs a load and a splat, and Cranelift merges neither those
    /// nor what is computed from them (two equal divisions, say) across the blocks of an IF.
    fn invariant_global(&mut self, g: u32) -> Value {
        if let Some(&x) = self.invariant_globals.get(&g) {
            return x;
        }
        let globals = self.s.hoisted().expect("kernels hoist").globals;
        let offset = i32::try_from(u64::from(g) * 8).expect("globals below 2 GiB");
        let mut at_jump = FuncCursor::new(self.s.b.func).at_inst(self.preheader);
        let x = at_jump.ins().load(types::F64, flags(), globals, offset);
        let both = self.pair_before_loop(x);
        self.invariant_globals.insert(g, both);
        both
    }

    /// `x` (defined before the loop) in both lanes, by instructions before the loop. Not a
    /// splat used in the loop, which Cranelift would move back to each block using it (pure
    /// instructions are placed at their uses), but the splat stored into a stack slot and
    /// loaded back: a load stays where it is, and the pair it loads dominates every use in
    /// the loop (a spilled one costs one reload, where a splat at the use costs a load and a
    /// shuffle).
    fn pair_before_loop(&mut self, x: Value) -> Value {
        let slot = self.s.b.func.create_sized_stack_slot(StackSlotData::new(
            StackSlotKind::ExplicitSlot,
            16,
            4,
        ));
        let mut at_jump = FuncCursor::new(self.s.b.func).at_inst(self.preheader);
        let both = at_jump.ins().splat(F64X2, x);
        let pair = at_jump.ins().stack_addr(PTR, slot, 0);
        at_jump.ins().store(flags(), both, pair, 0);
        at_jump.ins().load(F64X2, flags(), pair, 0)
    }

    /// Whether the body read GLOBAL `var` from memory or assigned it so far.
    pub fn global_seen(&self, var: Handle<Variable>) -> bool {
        self.globals_read.contains(&var) || self.lane_globals.iter().any(|(h, ..)| *h == var)
    }

    fn local(&mut self, var: Handle<Variable>) -> CVar {
        if let Some(&v) = self.locals.get(&var) {
            return v;
        }
        let v = self.s.b.declare_var(F64X2);
        let zero = self.splat(0.0);
        self.s.b.def_var(v, zero);
        self.locals.insert(var, v);
        v
    }

    /// Makes local `var` hold `value` in both lanes (parameters, results, resets).
    fn bind_local(&mut self, var: Handle<Variable>, value: Value) {
        let v = match self.locals.get(&var) {
            Some(&v) => v,
            None => {
                let v = self.s.b.declare_var(F64X2);
                self.locals.insert(var, v);
                v
            }
        };
        self.s.b.def_var(v, value);
    }

    pub fn reset_locals_of(&mut self, block: &Block) {
        let mut found = Vec::new();
        collect_locals_block(self.s.mech, block, &mut found);
        for var in found {
            let zero = self.splat(0.0);
            self.bind_local(var, zero);
        }
    }

    fn scalar_only(&self, var: Handle<Variable>) -> VResult<()> {
        let v = &self.s.mech.variables[var];
        if v.size.is_some() {
            return refuse(format!("array {}", v.name));
        }
        Ok(())
    }

    pub fn load_var(&mut self, var: Handle<Variable>) -> VResult<Value> {
        self.scalar_only(var)?;
        Ok(match self.s.layout.place(var) {
            Place::Column(c) => self.column(c),
            Place::Global(g) => {
                if let Some(&(_, _, v)) = self.lane_globals.iter().find(|(h, ..)| *h == var) {
                    return Ok(self.s.b.use_var(v));
                }
                self.globals_read.insert(var);
                if !self.rebuilt_globals.contains(&var) {
                    return Ok(self.invariant_global(g));
                }
                let a = self.s.global_addr(g, None);
                let x = self.s.load_f64(a);
                self.s.b.ins().splat(F64X2, x)
            }
            Place::Slot(slot) => {
                if matches!(
                    self.s.layout.info.slots[slot as usize],
                    SlotInfo::Pointer { .. }
                ) {
                    // It may point at a column of this mechanism.
                    self.write_back();
                }
                if self.shares_nodes && self.slots_written.contains(&slot) {
                    return refuse(format!(
                        "{} is written, then read",
                        self.s.mech.variables[var].name
                    ));
                }
                self.slots_read.insert(slot);
                self.slot_values(slot)
            }
            Place::Builtin(b) => self.builtin(b)?,
            Place::Local => {
                let v = self.local(var);
                self.s.b.use_var(v)
            }
            _ => {
                return refuse(format!(
                    "{} outside a kernel",
                    self.s.mech.variables[var].name
                ))
            }
        })
    }

    fn builtin(&mut self, b: Builtin) -> VResult<Value> {
        if self.s.dt_override.is_some() || self.s.t_override.is_some() {
            return refuse("dt or t overridden");
        }
        let h = self.s.hoisted().expect("kernels hoist");
        let scalar = match b {
            Builtin::V => return Ok(self.v),
            Builtin::T => h.t,
            Builtin::Dt => h.dt,
            Builtin::Celsius => h.celsius,
            Builtin::Area => return Ok(self.node_values(offset_of!(KernelContext, area))),
            Builtin::Diam => return Ok(self.node_values(offset_of!(KernelContext, diam))),
        };
        Ok(self.s.b.ins().splat(F64X2, scalar))
    }

    pub fn store_var(&mut self, var: Handle<Variable>, value: Value) -> VResult<()> {
        self.scalar_only(var)?;
        self.written.insert(var);
        let name = &self.s.mech.variables[var].name;
        match self.s.layout.place(var) {
            Place::Column(c) => {
                let value = if self.mask.is_some() {
                    let old = self.column(c);
                    self.masked(value, old)
                } else {
                    value
                };
                self.write_column(c, value);
            }
            Place::Global(g) => {
                if self.globals_read.contains(&var) {
                    return refuse(format!("GLOBAL {name} is read before it is assigned"));
                }
                match self.lane_globals.iter().find(|(h, ..)| *h == var) {
                    Some(&(_, _, v)) => {
                        let old = self.s.b.use_var(v);
                        let value = self.masked(value, old);
                        self.s.b.def_var(v, value);
                    }
                    None if self.conditional > 0 => {
                        return refuse(format!("GLOBAL {name} is first assigned conditionally"))
                    }
                    None => {
                        let v = self.s.b.declare_var(F64X2);
                        self.s.b.def_var(v, value);
                        self.lane_globals.push((var, g, v));
                    }
                }
            }
            Place::Slot(slot) => {
                if matches!(
                    self.s.layout.info.slots[slot as usize],
                    SlotInfo::Pointer { .. }
                ) {
                    // Where it points, other instances may read (or own) the value.
                    return refuse(format!("assignment through POINTER {name}"));
                }
                let conditional = self.conditional > 0;
                if self.shares_nodes && (conditional || self.slots_read.contains(&slot)) {
                    return refuse(format!(
                        "ion variable {name} of a point process assigned conditionally or after a read"
                    ));
                }
                self.slots_written.insert(slot);
                let value = if self.mask.is_some() {
                    let old = self.slot_values(slot);
                    self.masked(value, old)
                } else {
                    value
                };
                self.store_slot_values(slot, value);
            }
            Place::Local => {
                let v = self.local(var);
                let old = self.s.b.use_var(v);
                let value = self.masked(value, old);
                self.s.b.def_var(v, value);
            }
            _ => return refuse(format!("assignment to {name}")),
        }
        Ok(())
    }

    // ---- expressions -----------------------------------------------------------------------

    fn bool_to_f64(&mut self, mask: Value) -> Value {
        let one = self.splat(1.0);
        x_or_zero(&mut self.s.b, mask, one)
    }

    fn truthy(&mut self, x: Value) -> Value {
        let zero = self.splat(0.0);
        self.s.b.ins().fcmp(FloatCC::NotEqual, x, zero)
    }

    pub fn expr(&mut self, e: Handle<Expression>) -> VResult<Value> {
        let mech = self.s.mech;
        Ok(match mech.expressions[e] {
            Expression::Number(x) => self.splat(x),
            Expression::Load(var) => self.load_var(var)?,
            Expression::LoadElement(var, _) => {
                return refuse(format!("array {}", mech.variables[var].name))
            }
            // A negative literal is a constant (negation is exact), not a negation of one.
            Expression::Unary(UnaryOp::Neg, a) => match mech.expressions[a] {
                Expression::Number(x) => self.splat(-x),
                _ => {
                    let a = self.expr(a)?;
                    self.neg(a)
                }
            },
            Expression::Binary(BinaryOp::Div, n, d) if negated(mech, n).is_some() => {
                let a = negated(mech, n).expect("matched");
                let x = self.expr(a)?;
                let y = self.expr(d)?;
                let q = self.s.b.ins().fdiv(x, y);
                self.neg(q)
            }
            Expression::Unary(UnaryOp::Not, a) => {
                let a = self.expr(a)?;
                let zero = self.splat(0.0);
                let is_zero = self.s.b.ins().fcmp(FloatCC::Equal, a, zero);
                self.bool_to_f64(is_zero)
            }
            Expression::Binary(BinaryOp::And, a, b) => self.short_circuit(a, b, true)?,
            Expression::Binary(BinaryOp::Or, a, b) => self.short_circuit(a, b, false)?,
            Expression::Binary(op, a, b) => {
                let x = self.expr(a)?;
                let y = self.expr(b)?;
                self.binary(op, x, y)?
            }
            Expression::Math(f, args) => {
                let mut values = Vec::with_capacity(args.len as usize);
                for &a in mech.args(args) {
                    values.push(self.expr(a)?);
                }
                self.math(f, &values)?
            }
            Expression::Call(f, args) => {
                let mut values = Vec::with_capacity(args.len as usize);
                for &a in mech.args(args) {
                    values.push(self.expr(a)?);
                }
                if self.inline_depth < MAX_INLINE_DEPTH && self.s.symbols.inlinable(f) {
                    return self.inline_call(f, &values);
                }
                return refuse(format!("call of {} (not inlined)", mech.functions[f].name));
            }
            Expression::Intrinsic(Intrinsic::AtTime, args, _) => {
                for &a in mech.args(args) {
                    self.expr(a)?;
                }
                self.splat(0.0)
            }
            Expression::Intrinsic(f, ..) => return refuse(format!("{}()", f.name())),
        })
    }

    /// The lanes in which `e` is true (nonzero), as a mask. The same lanes as
    /// `truthy(expr(e))`, without making a comparison's mask into 1 or 0 and back.
    fn condition(&mut self, e: Handle<Expression>) -> VResult<Value> {
        let mech = self.s.mech;
        match mech.expressions[e] {
            Expression::Binary(op, a, b) => {
                if let Some(cc) = comparison(op) {
                    let x = self.expr(a)?;
                    let y = self.expr(b)?;
                    return Ok(self.s.b.ins().fcmp(cc, x, y));
                }
                if matches!(op, BinaryOp::And | BinaryOp::Or) {
                    let and = op == BinaryOp::And;
                    let xt = self.condition(a)?;
                    let needs_rhs = if and { xt } else { self.s.b.ins().bnot(xt) };
                    let yt = self.with_mask(needs_rhs, |l| l.condition(b))?;
                    let ins = self.s.b.ins();
                    return Ok(if and {
                        ins.band(xt, yt)
                    } else {
                        ins.bor(xt, yt)
                    });
                }
            }
            Expression::Unary(UnaryOp::Not, a) => {
                let m = self.condition(a)?;
                return Ok(self.s.b.ins().bnot(m));
            }
            _ => {}
        }
        let x = self.expr(e)?;
        Ok(self.truthy(x))
    }

    /// C's `&&` / `||`: the right operand counts (and assigns) only in the lanes that need it.
    fn short_circuit(
        &mut self,
        a: Handle<Expression>,
        b: Handle<Expression>,
        and: bool,
    ) -> VResult<Value> {
        let x = self.expr(a)?;
        let xt = self.truthy(x);
        let needs_rhs = if and { xt } else { self.s.b.ins().bnot(xt) };
        let yv = self.with_mask(needs_rhs, |l| {
            let y = l.expr(b)?;
            let yt = l.truthy(y);
            Ok(l.bool_to_f64(yt))
        })?;
        if and {
            return Ok(x_or_zero(&mut self.s.b, needs_rhs, yv));
        }
        let short = self.splat(1.0);
        Ok(select_lanes(&mut self.s.b, needs_rhs, yv, short))
    }

    fn binary(&mut self, op: BinaryOp, x: Value, y: Value) -> VResult<Value> {
        let ins = self.s.b.ins();
        match op {
            BinaryOp::Add => return Ok(ins.fadd(x, y)),
            BinaryOp::Sub => return Ok(ins.fsub(x, y)),
            BinaryOp::Mul => return Ok(ins.fmul(x, y)),
            BinaryOp::Div => return Ok(ins.fdiv(x, y)),
            BinaryOp::Pow => return self.math(MathFunction::Pow, &[x, y]),
            BinaryOp::And | BinaryOp::Or => unreachable!("handled with masks"),
            _ => {}
        }
        let cc = comparison(op).expect("the other operators are handled above");
        let c = self.s.b.ins().fcmp(cc, x, y);
        Ok(self.bool_to_f64(c))
    }

    /// As [`BodyEmitter::math`], lane by lane where it calls the C library.
    fn math(&mut self, f: MathFunction, args: &[Value]) -> VResult<Value> {
        if f == MathFunction::Fabs {
            return Ok(self.abs(args[0]));
        }
        let ins = self.s.b.ins();
        Ok(match f {
            MathFunction::Sqrt => ins.sqrt(args[0]),
            MathFunction::Floor => ins.floor(args[0]),
            MathFunction::Ceil => ins.ceil(args[0]),
            MathFunction::Exprelr => self.exprelr(args[0])?,
            MathFunction::Exp => self.hoc_exp(args[0])?,
            _ => self.call_math(f, args)?,
        })
    }

    /// The C library's `f` called for lane 0, then for lane 1; once before the loop when
    /// every argument is loop-invariant (a temperature factor `q10^((celsius - 24)/10)` in a
    /// rate procedure was a pow call per instance and step, a tenth of a CA1 model's run).
    fn call_math(&mut self, f: MathFunction, args: &[Value]) -> VResult<Value> {
        let Some(&id) = self.s.symbols.math.get(&f) else {
            return refuse(format!("{}() is not imported", f.name()));
        };
        let fref = self.s.module.declare_func_in_func(id, self.s.b.func);
        let invariant: Option<Vec<Value>> =
            args.iter().map(|&a| self.before_loop_copy(a, 0)).collect();
        if let Some(copies) = invariant {
            let mut at_jump = FuncCursor::new(self.s.b.func).at_inst(self.preheader);
            let lane0: Vec<Value> = copies
                .iter()
                .map(|&a| at_jump.ins().extractlane(a, 0))
                .collect();
            let call = at_jump.ins().call(fref, &lane0);
            let result = at_jump.func.dfg.inst_results(call)[0];
            return Ok(self.pair_before_loop(result));
        }
        let mut results = [args[0]; 2];
        for (lane, result) in results.iter_mut().enumerate() {
            let lane_args: Vec<Value> = args
                .iter()
                .map(|&a| self.s.b.ins().extractlane(a, lane as u8))
                .collect();
            let call = self.s.b.ins().call(fref, &lane_args);
            *result = self.s.b.inst_results(call)[0];
        }
        Ok(self.pair(results[0], results[1]))
    }

    /// [`BodyEmitter`]'s hoc_exp: exp clamped at ±700 as NEURON's .mod code has it.
    ///
    /// Arguments beyond ±700 are rare, so the clamps are made in a cold block, entered when
    /// |x| > 700 in either lane: the test is off the dependency chain of the result (the
    /// branch is predicted), where the selects were on it (a third less time for a cnexp
    /// update of one state, measured on hh's).
    fn hoc_exp(&mut self, x: Value) -> VResult<Value> {
        let raw = self.exp_value(x, true)?;
        let magnitude = self.abs(x);
        let limit = self.pooled(700.0);
        let b = &mut self.s.b;
        // NaN compares false: exp(NaN) is already NaN.
        let beyond = b.ins().fcmp(FloatCC::GreaterThan, magnitude, limit);
        let lanes = b.ins().vhigh_bits(types::I32, beyond);
        let clamp = b.create_block();
        let merge = b.create_block();
        let result = b.append_block_param(merge, F64X2);
        b.set_cold_block(clamp);
        b.ins().brif(lanes, clamp, &[], merge, &[raw.into()]);
        b.switch_to_block(clamp);
        let high = self.pooled(700.0);
        let low = self.pooled(-700.0);
        let above = self.s.b.ins().fcmp(FloatCC::GreaterThan, x, high);
        let below = self.s.b.ins().fcmp(FloatCC::LessThan, x, low);
        let cap = self.pooled(700f64.exp());
        let capped = select_lanes(&mut self.s.b, above, cap, raw);
        let clamped = zero_or_x(&mut self.s.b, below, capped);
        self.s.b.ins().jump(merge, &[clamped.into()]);
        self.s.b.switch_to_block(merge);
        Ok(result)
    }

    fn exp_value(&mut self, x: Value, moderate: bool) -> VResult<Value> {
        if exp::libm_requested() {
            return self.call_math(MathFunction::Exp, &[x]);
        }
        let fused = self.s.module.isa().has_native_fma();
        Ok(if moderate {
            exp::exp_moderate(&mut self.s.b, x, fused, &mut self.consts)
        } else {
            exp::exp(&mut self.s.b, x, fused, &mut self.consts)
        })
    }

    fn exprelr(&mut self, x: Value) -> VResult<Value> {
        let one = self.splat(1.0);
        let e = self.exp_value(x, false)?;
        let em1 = self.s.b.ins().fsub(e, one);
        let ratio = self.s.b.ins().fdiv(x, em1);
        let one_plus_x = self.s.b.ins().fadd(one, x);
        let tiny = self.s.b.ins().fcmp(FloatCC::Equal, one_plus_x, one);
        Ok(select_lanes(&mut self.s.b, tiny, one, ratio))
    }

    /// The call of `f` with `args`, its body (or its table lookup) emitted here.
    pub fn inline_call(&mut self, f: Handle<Function>, args: &[Value]) -> VResult<Value> {
        if let Some(table) = self.s.layout.table_of(f) {
            return super::table::lookup(self, f, table, args);
        }
        let mech = self.s.mech;
        let func = &mech.functions[f];
        if func.kind == FunctionKind::FunctionTable {
            return refuse(format!("FUNCTION_TABLE {}", func.name));
        }
        self.reset_locals_of(&func.body);
        for (&p, &value) in func.parameters.iter().zip(args) {
            self.bind_local(p, value);
        }
        if let Some(r) = func.result {
            let zero = self.splat(0.0);
            self.bind_local(r, zero);
        }
        self.inline_depth += 1;
        let emitted = self.block(&func.body);
        self.inline_depth -= 1;
        emitted?;
        match (func.kind, func.result) {
            (FunctionKind::Function, Some(r)) => self.load_var(r),
            _ => Ok(self.splat(0.0)),
        }
    }

    // ---- statements ------------------------------------------------------------------------

    /// An IF whose condition holds in the lanes of `taken`. When both lanes agree (the usual
    /// case: conditions on time or on parameters), only the branch they take runs, without
    /// masks; otherwise both branches run, each masked. Small branches (less
    /// [`branch_work`] than [`BRANCHING_WORK`]) and IFs nested deeper than
    /// [`MAX_BRANCHING_DEPTH`] get the masked form only: the tests and jumps cost more than
    /// they save there, and the other form doubles the code at each level.
    fn if_statement(&mut self, taken: Value, accept: &Block, reject: &Block) -> VResult<()> {
        let not_taken = self.s.b.ins().bnot(taken);
        let masked = |l: &mut Self| -> VResult<()> {
            l.with_mask(taken, |l| l.block(accept))?;
            l.with_mask(not_taken, |l| l.block(reject))
        };
        let work = branch_work(self.s.mech, accept) + branch_work(self.s.mech, reject);
        if self.conditional > MAX_BRANCHING_DEPTH || work < BRANCHING_WORK {
            return masked(self);
        }
        let all = self.s.b.create_block();
        let not_all = self.s.b.create_block();
        let mixed = self.s.b.create_block();
        let none = self.s.b.create_block();
        let merge = self.s.b.create_block();
        self.forget_columns();
        // The lanes' sign bits in an integer (one movmskpd on x86-64): both set, or one.
        let lanes = self.s.b.ins().vhigh_bits(types::I32, taken);
        let all_taken = self.s.b.ins().icmp_imm_u(IntCC::Equal, lanes, 3);
        self.s.b.ins().brif(all_taken, all, &[], not_all, &[]);
        self.s.b.switch_to_block(not_all);
        self.s.b.ins().brif(lanes, mixed, &[], none, &[]);
        for (block, branch) in [(all, Some(accept)), (none, Some(reject)), (mixed, None)] {
            self.s.b.switch_to_block(block);
            match branch {
                Some(statements) => self.block(statements)?,
                None => masked(self)?,
            }
            self.forget_columns();
            self.s.b.ins().jump(merge, &[]);
        }
        self.s.b.switch_to_block(merge);
        Ok(())
    }

    pub fn block(&mut self, block: &Block) -> VResult<()> {
        for s in &block.statements {
            self.statement(s)?;
        }
        Ok(())
    }

    fn statement(&mut self, s: &Statement) -> VResult<()> {
        match s {
            Statement::Assign {
                target,
                index: None,
                value,
                ..
            }
            | Statement::StateDiscontinuity {
                target,
                index: None,
                value,
                ..
            } => {
                let x = self.expr(*value)?;
                self.store_var(*target, x)?;
            }
            Statement::Evaluate { value, .. } => {
                self.expr(*value)?;
            }
            Statement::If {
                condition,
                accept,
                reject,
            } => {
                let taken = self.condition(*condition)?;
                self.conditional += 1;
                let emitted = self.if_statement(taken, accept, reject);
                self.conditional -= 1;
                emitted?;
            }
            Statement::Protect { body, .. } => self.block(body)?,
            Statement::Mutex { .. } => {}
            // As in the scalar code, only VERBATIM printf calls do something.
            Statement::Verbatim { text, .. } => match crate::verbatim::classify(text) {
                VerbatimMeaning::Nothing
                | VerbatimMeaning::Return
                | VerbatimMeaning::UnusedStrings => {}
                VerbatimMeaning::Printf(_) | VerbatimMeaning::C(_) => {
                    return refuse("VERBATIM code")
                }
            },
            other => return refuse(other.describe()),
        }
        Ok(())
    }
}
