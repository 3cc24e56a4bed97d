//! Expressions and statements of one generated function.
//!
//! A [`BodyEmitter`] wraps a Cranelift `FunctionBuilder` together with the environment every
//! NMODL body sees: the kernel context, the mechanism data, the instance number, its node and
//! the membrane potential `v` (a value, because the current is evaluated at v + 0.001 too).

use super::Symbols;
use crate::layout::{Layout, Place};
use crate::CodegenError;
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, InstBuilder, MemFlagsData, Value};
use cranelift_frontend::{FunctionBuilder, Variable as CVar};
use cranelift_module::Module;
use nmodl_ir::visit::{walk_block, Visitor};
use nmodl_ir::{
    BinaryOp, Block, Builtin, Expression, Function, FunctionKind, Handle, MathFunction, Mechanism,
    Span, Statement, Storage, UnaryOp, Variable,
};
use rsnrn_abi::{KernelContext, MechanismData};
use std::collections::HashMap;
use std::mem::offset_of;

pub(crate) const PTR: types::Type = types::I64;
pub(crate) const F64: types::Type = types::F64;

pub(crate) fn flags() -> MemFlagsData {
    MemFlagsData::trusted()
}

/// `a` when `e` is `-a` (not a literal).
///
/// A quotient `-a / d` is computed as `-(a / d)`: the same number (rounding to nearest is
/// symmetric, so negating before or after dividing gives the same result; only the sign of a
/// NaN may differ), and a division Cranelift merges with an `a / d` computed elsewhere, as
/// rate functions compute `(v + B) / C` for a test and `-(v + B) / C` for an exp.
pub(crate) fn negated(mech: &Mechanism, e: Handle<Expression>) -> Option<Handle<Expression>> {
    match mech.expressions[e] {
        Expression::Unary(UnaryOp::Neg, a)
            if !matches!(mech.expressions[a], Expression::Number(_)) =>
        {
            Some(a)
        }
        _ => None,
    }
}

/// Values every body can use. `inst`, `node` and `v` change per loop iteration in kernels.
#[derive(Clone, Copy)]
pub(crate) struct Env {
    pub ctx: Value,
    pub data: Value,
    pub inst: Value,
    pub node: Value,
    pub v: Value,
}

/// Pointers and values that stay the same during one kernel call, loaded once before the
/// instance loop so that the loop body does not reload them at every variable access.
#[derive(Clone)]
pub(crate) struct Hoisted {
    columns_base: Value,
    pub columns: Vec<Value>,
    pub globals: Value,
    pub slots: Vec<Value>,
    /// (offset in KernelContext, array pointer) for v, rhs, d, area, diam.
    pub node_arrays: Vec<(usize, Value)>,
    pub t: Value,
    pub dt: Value,
    pub celsius: Value,
}

/// How deeply calls are inlined into kernels before falling back to real calls.
pub(crate) const MAX_INLINE_DEPTH: u32 = 8;

pub(crate) struct BodyEmitter<'a, 'f> {
    pub b: FunctionBuilder<'f>,
    pub mech: &'a Mechanism,
    pub layout: &'a Layout,
    pub symbols: &'a Symbols,
    pub module: &'a mut dyn Module,
    pub env: Env,
    locals: HashMap<Handle<Variable>, CVar>,
    hoisted: Option<Hoisted>,
    inline_depth: u32,
    /// While emitting a derivimplicit derivative function: where `s' = e` stores e (the
    /// `dxdt` array) and the order of the states in it.
    pub derivative_sink: Option<(Value, Vec<Handle<Variable>>)>,
    /// Inside NET_RECEIVE (and its INITIAL): the event being delivered.
    pub event: Option<super::net_receive::EventEnv>,
    /// Span of the statement being emitted, for run-time failure messages.
    span: Span,
    /// While emitting a KINETIC block's system function: where its reactions and CONSERVEs
    /// put their matrix entries.
    pub kinetic_sink: Option<super::kinetic::KineticSink>,
    /// While emitting a LINEAR block's system function: where its equations go.
    pub equation_sink: Option<super::linear::EquationSink>,
    /// While emitting a NONLINEAR block's residual function: where its equations go.
    pub residual_sink: Option<super::nonlinear::ResidualSink>,
    /// What `dt` reads instead of the context's (`STEADYSTATE derivimplicit` of a cnexp block).
    pub dt_override: Option<Value>,
    /// What `t` reads instead of the context's (the stages of a runge step).
    pub t_override: Option<Value>,
    /// The headers of the kernel's pair loops (over affine instance data, and the general
    /// one), for the AVX2 back end ([`crate::avx2`]) to widen once the function is complete.
    pub pair_headers: Vec<(cranelift_codegen::ir::Block, bool)>,
}

type Result<T> = std::result::Result<T, CodegenError>;

impl<'a, 'f> BodyEmitter<'a, 'f> {
    pub fn new(
        b: FunctionBuilder<'f>,
        mech: &'a Mechanism,
        layout: &'a Layout,
        symbols: &'a Symbols,
        module: &'a mut dyn Module,
        env: Env,
    ) -> Self {
        BodyEmitter {
            b,
            mech,
            layout,
            symbols,
            module,
            env,
            locals: HashMap::new(),
            hoisted: None,
            inline_depth: 0,
            derivative_sink: None,
            event: None,
            span: Span::default(),
            kinetic_sink: None,
            equation_sink: None,
            residual_sink: None,
            dt_override: None,
            t_override: None,
            pair_headers: Vec::new(),
        }
    }

    /// Loads everything [`Hoisted`] holds, here (call it before a kernel's instance loop).
    /// From then on, variable accesses use these values and calls are inlined.
    pub fn hoist(&mut self) {
        let (ctx, data) = (self.env.ctx, self.env.data);
        let columns_base = self.load_ptr(data, offset_of!(MechanismData, range));
        let columns = (0..self.layout.info.range_columns())
            .map(|c| self.load_ptr(columns_base, c * 8))
            .collect();
        let globals = self.load_ptr(data, offset_of!(MechanismData, globals));
        let slots_base = self.load_ptr(data, offset_of!(MechanismData, slots));
        let slots = (0..self.layout.info.slots.len())
            .map(|s| self.load_ptr(slots_base, s * 8))
            .collect();
        let node_arrays = [
            offset_of!(KernelContext, v),
            offset_of!(KernelContext, rhs),
            offset_of!(KernelContext, d),
            offset_of!(KernelContext, area),
            offset_of!(KernelContext, diam),
        ]
        .into_iter()
        .map(|field| (field, self.load_ptr(ctx, field)))
        .collect();
        let load = |e: &mut Self, field: usize| e.b.ins().load(F64, flags(), ctx, field as i32);
        let t = load(self, offset_of!(KernelContext, t));
        let dt = load(self, offset_of!(KernelContext, dt));
        let celsius = load(self, offset_of!(KernelContext, celsius));
        self.hoisted = Some(Hoisted {
            columns_base,
            columns,
            globals,
            slots,
            node_arrays,
            t,
            dt,
            celsius,
        });
    }

    /// What [`BodyEmitter::hoist`] loaded (the vector kernels build on it).
    pub fn hoisted(&self) -> Option<&Hoisted> {
        self.hoisted.as_ref()
    }

    pub fn f64(&mut self, x: f64) -> Value {
        self.b.ins().f64const(x)
    }

    // ---- memory --------------------------------------------------------------------------

    pub fn load_ptr(&mut self, base: Value, offset: usize) -> Value {
        self.b.ins().load(PTR, flags(), base, offset as i32)
    }

    /// Address of element `index` (i64) of an array of 8-byte items at `base`.
    pub fn element_addr(&mut self, base: Value, index: Value) -> Value {
        let bytes = self.b.ins().ishl_imm_u(index, 3);
        self.b.ins().iadd(base, bytes)
    }

    /// The node's entry of the context array at `offset` (v, rhs, d, area, diam).
    pub fn node_addr(&mut self, ctx_field: usize) -> Value {
        let hoisted = self.hoisted.as_ref().and_then(|h| {
            h.node_arrays
                .iter()
                .find(|(f, _)| *f == ctx_field)
                .map(|&(_, p)| p)
        });
        let base = match hoisted {
            Some(p) => p,
            None => self.load_ptr(self.env.ctx, ctx_field),
        };
        self.element_addr(base, self.env.node)
    }

    fn column_addr(&mut self, column: u32, index: Option<Value>) -> Value {
        if let (Some(h), None) = (&self.hoisted, index) {
            let col_ptr = h.columns[column as usize];
            return self.element_addr(col_ptr, self.env.inst);
        }
        let columns = match &self.hoisted {
            Some(h) => h.columns_base,
            None => self.load_ptr(self.env.data, offset_of!(MechanismData, range)),
        };
        let col_ptr = match index {
            None => self.load_ptr(columns, column as usize * 8),
            Some(i) => {
                let c = self.b.ins().iadd_imm_s(i, column as i64);
                let a = self.element_addr(columns, c);
                self.load_ptr(a, 0)
            }
        };
        self.element_addr(col_ptr, self.env.inst)
    }

    pub fn global_addr(&mut self, global: u32, index: Option<Value>) -> Value {
        let globals = match &self.hoisted {
            Some(h) => h.globals,
            None => self.load_ptr(self.env.data, offset_of!(MechanismData, globals)),
        };
        match index {
            None => self.b.ins().iadd_imm_s(globals, global as i64 * 8),
            Some(i) => {
                let g = self.b.ins().iadd_imm_s(i, global as i64);
                self.element_addr(globals, g)
            }
        }
    }

    pub fn slot_ptr(&mut self, slot: u32) -> Value {
        let per_instance = match &self.hoisted {
            Some(h) => h.slots[slot as usize],
            None => {
                let slots = self.load_ptr(self.env.data, offset_of!(MechanismData, slots));
                self.load_ptr(slots, slot as usize * 8)
            }
        };
        let a = self.element_addr(per_instance, self.env.inst);
        self.load_ptr(a, 0)
    }

    pub fn load_f64(&mut self, addr: Value) -> Value {
        self.b.ins().load(F64, flags(), addr, 0)
    }

    pub fn store_f64(&mut self, value: Value, addr: Value) {
        self.b.ins().store(flags(), value, addr, 0);
    }

    pub fn load_f64_offset(&mut self, addr: Value, offset: i32) -> Value {
        self.b.ins().load(F64, flags(), addr, offset)
    }

    pub fn store_f64_offset(&mut self, value: Value, addr: Value, offset: i32) {
        self.b.ins().store(flags(), value, addr, offset);
    }

    /// The element number of `var[index]`, checked: an index outside the array records a
    /// failure naming the statement (the kernel then returns its status) and reads or writes
    /// element 0 instead, so that no .mod file reaches memory it does not own.
    pub fn index_value(
        &mut self,
        var: Handle<Variable>,
        index: Option<Handle<Expression>>,
    ) -> Result<Option<Value>> {
        let Some(e) = index else { return Ok(None) };
        let x = self.expr(e)?;
        let i = self.b.ins().fcvt_to_sint_sat(types::I64, x);
        let variable = &self.mech.variables[var];
        let size = i64::from(variable.len());
        if self.layout.failure_global.is_none() {
            return Err(CodegenError::at(
                variable.span,
                format!("{} is indexed but is not an array", variable.name),
            ));
        }
        let what = format!(
            "array index out of range: {} has {size} elements, numbered 0 to {}",
            variable.name,
            size - 1
        );
        let in_range = self.b.ins().icmp_imm_s(IntCC::UnsignedLessThan, i, size);
        let bad = self.b.create_block();
        let done = self.b.create_block();
        self.b.append_block_param(done, PTR);
        let zero = self.b.ins().iconst(PTR, 0);
        self.b.ins().brif(in_range, done, &[i.into()], bad, &[]);
        self.b.switch_to_block(bad);
        self.record_failure(&what);
        self.b.ins().jump(done, &[zero.into()]);
        self.b.switch_to_block(done);
        Ok(Some(self.b.block_params(done)[0]))
    }

    /// Records failure `what` at the statement being emitted (the layout must have a
    /// failure global); the caller's kernel returns it as its status.
    pub fn record_failure(&mut self, what: &str) {
        let failure = self
            .layout
            .failure_global
            .expect("the layout reserves a failure global for mechanisms that can fail");
        let place = self
            .mech
            .source_map
            .as_ref()
            .map(|m| format!(" ({})", m.locate(self.span)))
            .unwrap_or_default();
        let site = self.symbols.failure_site(format!("{what}{place}"));
        let a = self.global_addr(failure, None);
        let code = self.f64(f64::from(site + 1));
        self.store_f64(code, a);
    }

    fn local(&mut self, var: Handle<Variable>) -> CVar {
        if let Some(&v) = self.locals.get(&var) {
            return v;
        }
        // Unknown locals start at 0 (C would leave them undefined; 0 is deterministic).
        let v = self.b.declare_var(F64);
        let zero = self.b.ins().f64const(0.0);
        self.b.def_var(v, zero);
        self.locals.insert(var, v);
        v
    }

    /// Makes `var` a local holding `value` (function parameters, results, counters).
    pub fn bind_local(&mut self, var: Handle<Variable>, value: Value) {
        let v = match self.locals.get(&var) {
            Some(&v) => v,
            None => {
                let v = self.b.declare_var(F64);
                self.locals.insert(var, v);
                v
            }
        };
        self.b.def_var(v, value);
    }

    /// Gives every local that `block` uses the value 0 here, so that all uses are dominated by
    /// a definition.
    pub fn reset_locals_of(&mut self, block: &Block) {
        let mut found = Vec::new();
        collect_locals_block(self.mech, block, &mut found);
        for var in found {
            let zero = self.f64(0.0);
            match self.locals.get(&var) {
                Some(&v) => self.b.def_var(v, zero),
                None => {
                    let v = self.b.declare_var(F64);
                    self.b.def_var(v, zero);
                    self.locals.insert(var, v);
                }
            }
        }
    }

    pub fn load_var(&mut self, var: Handle<Variable>, index: Option<Value>) -> Result<Value> {
        Ok(match self.layout.place(var) {
            Place::Column(c) => {
                let a = self.column_addr(c, index);
                self.load_f64(a)
            }
            Place::Global(g) => {
                let a = self.global_addr(g, index);
                self.load_f64(a)
            }
            Place::Slot(s) => {
                let p = self.slot_ptr(s);
                self.load_f64(p)
            }
            Place::Builtin(b) => self.builtin(b),
            Place::Local => {
                self.no_array(var, index)?;
                let v = self.local(var);
                self.b.use_var(v)
            }
            Place::Weight(k) => {
                let a = super::net_receive::weight_addr(self, var, k)?;
                self.load_f64(a)
            }
            Place::EventFlag => super::net_receive::flag(self, var)?,
            Place::LoopWeight(k) => {
                let a = super::net_receive::loop_weight_addr(self, var, k)?;
                self.load_f64(a)
            }
            Place::Random(_) => return Err(self.random_as_value(var)),
        })
    }

    /// Points the environment at instance `inst`: its node and v (artificial cells have no
    /// node: env.node and env.v stay as they are).
    pub fn enter_instance(&mut self, inst: Value) {
        let node_index = self.load_ptr(self.env.data, offset_of!(MechanismData, node_index));
        self.enter_instance_at(inst, node_index);
    }

    /// [`BodyEmitter::enter_instance`] with the node-number array already loaded (kernel
    /// loops load it once).
    pub fn enter_instance_at(&mut self, inst: Value, node_index: Value) {
        self.env.inst = inst;
        if self.mech.kind == nmodl_ir::MechanismKind::ArtificialCell {
            return;
        }
        let offset = self.b.ins().ishl_imm_u(inst, 2);
        let addr = self.b.ins().iadd(node_index, offset);
        let node32 = self.b.ins().load(types::I32, flags(), addr, 0);
        self.env.node = self.b.ins().uextend(PTR, node32);
        let v_addr = self.node_addr(offset_of!(KernelContext, v));
        let v = self.load_f64(v_addr);
        self.set_v(v);
    }

    /// Sets the membrane potential the following statements see; with a mechanism-owned copy
    /// of v ([`Layout::v_column`]) the copy is written too, as NEURON does before every
    /// evaluation.
    pub fn set_v(&mut self, v: Value) {
        self.env.v = v;
        if let Some(c) = self.layout.v_column {
            let a = self.column_addr(c, None);
            self.store_f64(v, a);
        }
    }

    pub fn store_var(
        &mut self,
        var: Handle<Variable>,
        index: Option<Value>,
        value: Value,
    ) -> Result<()> {
        match self.layout.place(var) {
            Place::Column(c) => {
                let a = self.column_addr(c, index);
                self.store_f64(value, a);
            }
            Place::Global(g) => {
                let a = self.global_addr(g, index);
                self.store_f64(value, a);
            }
            Place::Slot(s) => {
                let p = self.slot_ptr(s);
                self.store_f64(value, p);
            }
            Place::Builtin(_) => {
                return Err(CodegenError::at(
                    self.mech.variables[var].span,
                    format!(
                        "{} is provided by the simulator and cannot be assigned",
                        self.mech.variables[var].name
                    ),
                ))
            }
            Place::Local => {
                self.no_array(var, index)?;
                let v = self.local(var);
                self.b.def_var(v, value);
            }
            Place::Weight(k) => {
                let a = super::net_receive::weight_addr(self, var, k)?;
                self.store_f64(value, a);
            }
            Place::LoopWeight(k) => {
                let a = super::net_receive::loop_weight_addr(self, var, k)?;
                self.store_f64(value, a);
            }
            Place::EventFlag => {
                return Err(CodegenError::at(
                    self.mech.variables[var].span,
                    "flag cannot be assigned".into(),
                ))
            }
            Place::Random(_) => return Err(self.random_as_value(var)),
        }
        Ok(())
    }

    /// The variable a VERBATIM printf names: a LOCAL or argument of the body being emitted,
    /// else a variable of the mechanism.
    fn verbatim_variable(&self, name: &str, span: Span) -> Result<Handle<Variable>> {
        let local = self
            .locals
            .keys()
            .copied()
            .find(|&v| self.mech.variables[v].name == name);
        local
            .or_else(|| {
                self.mech
                    .find_variable(name)
                    .filter(|&v| self.mech.variables[v].storage != Storage::Local)
            })
            .ok_or_else(|| {
                CodegenError::at(
                    span,
                    format!("VERBATIM printf prints {name}, which this block does not have"),
                )
            })
    }

    fn random_as_value(&self, var: Handle<Variable>) -> CodegenError {
        CodegenError::at(
            self.span,
            format!(
                "{} is a RANDOM variable: use it only through random_uniform(), \
                 random_negexp(), random_normal(), ...",
                self.mech.variables[var].name
            ),
        )
    }

    fn no_array(&self, var: Handle<Variable>, index: Option<Value>) -> Result<()> {
        if index.is_some() || self.mech.variables[var].size.is_some() {
            return Err(CodegenError::unsupported(
                self.mech.variables[var].span,
                format!(
                    "LOCAL array {} is not supported yet",
                    self.mech.variables[var].name
                ),
            ));
        }
        Ok(())
    }

    fn builtin(&mut self, b: Builtin) -> Value {
        let ctx = self.env.ctx;
        if let (Builtin::Dt, Some(dt)) = (b, self.dt_override) {
            return dt;
        }
        if let (Builtin::T, Some(t)) = (b, self.t_override) {
            return t;
        }
        if let Some(h) = &self.hoisted {
            match b {
                Builtin::T => return h.t,
                Builtin::Dt => return h.dt,
                Builtin::Celsius => return h.celsius,
                _ => {}
            }
        }
        match b {
            Builtin::V => self.env.v,
            Builtin::T => self
                .b
                .ins()
                .load(F64, flags(), ctx, offset_of!(KernelContext, t) as i32),
            Builtin::Dt => {
                self.b
                    .ins()
                    .load(F64, flags(), ctx, offset_of!(KernelContext, dt) as i32)
            }
            Builtin::Celsius => {
                self.b
                    .ins()
                    .load(F64, flags(), ctx, offset_of!(KernelContext, celsius) as i32)
            }
            Builtin::Area => {
                let a = self.node_addr(offset_of!(KernelContext, area));
                self.load_f64(a)
            }
            Builtin::Diam => {
                let a = self.node_addr(offset_of!(KernelContext, diam));
                self.load_f64(a)
            }
        }
    }

    // ---- expressions -----------------------------------------------------------------------

    pub fn expr(&mut self, e: Handle<Expression>) -> Result<Value> {
        Ok(match self.mech.expressions[e] {
            Expression::Number(x) => self.f64(x),
            Expression::Load(var) => self.load_var(var, None)?,
            Expression::LoadElement(var, i) => {
                let i = self.index_value(var, Some(i))?;
                self.load_var(var, i)?
            }
            Expression::Unary(UnaryOp::Neg, a) => {
                let a = self.expr(a)?;
                self.b.ins().fneg(a)
            }
            Expression::Binary(BinaryOp::Div, n, d) if negated(self.mech, n).is_some() => {
                let a = negated(self.mech, n).expect("matched");
                let x = self.expr(a)?;
                let y = self.expr(d)?;
                let q = self.b.ins().fdiv(x, y);
                self.b.ins().fneg(q)
            }
            Expression::Unary(UnaryOp::Not, a) => {
                let a = self.expr(a)?;
                let zero = self.f64(0.0);
                let is_zero = self.b.ins().fcmp(FloatCC::Equal, a, zero);
                self.bool_to_f64(is_zero)
            }
            Expression::Binary(BinaryOp::And, a, b) => self.short_circuit(a, b, true)?,
            Expression::Binary(BinaryOp::Or, a, b) => self.short_circuit(a, b, false)?,
            Expression::Binary(op, a, b) => {
                let x = self.expr(a)?;
                let y = self.expr(b)?;
                self.binary(op, x, y)
            }
            Expression::Math(f, args) => {
                let mut values = Vec::with_capacity(args.len as usize);
                for &a in self.mech.args(args) {
                    values.push(self.expr(a)?);
                }
                self.math(f, &values)
            }
            Expression::Call(f, args) => {
                let mut arg_values = Vec::with_capacity(args.len as usize);
                for &a in self.mech.args(args) {
                    arg_values.push(self.expr(a)?);
                }
                if self.hoisted.is_some()
                    && self.inline_depth < MAX_INLINE_DEPTH
                    && self.symbols.inlinable(f)
                {
                    return self.inline_call(f, &arg_values);
                }
                let mut values = vec![self.env.ctx, self.env.data, self.env.inst, self.env.v];
                values.extend(arg_values);
                let id = self.symbols.callable(f);
                let fref = self.module.declare_func_in_func(id, self.b.func);
                let call = self.b.ins().call(fref, &values);
                self.b.inst_results(call)[0]
            }
            // The fixed-step method keeps no event at at_time's moment: the call is 0 and
            // changes nothing (NUMERICS §7, IClamp); its argument is still evaluated.
            Expression::Intrinsic(nmodl_ir::Intrinsic::AtTime, args, _) => {
                for &a in self.mech.args(args) {
                    self.expr(a)?;
                }
                self.f64(0.0)
            }
            Expression::Intrinsic(f, args, span) if super::random::scop_code(f).is_some() => {
                super::random::scop_call(self, f, args, span)?
            }
            Expression::Intrinsic(f, args, span) if super::random::variable_op(f).is_some() => {
                super::random::variable_call(self, f, args, span)?
            }
            Expression::Intrinsic(f, _, span) => {
                return Err(CodegenError::unsupported(
                    span,
                    format!("{}() is not supported by the code generator yet", f.name()),
                ))
            }
        })
    }

    /// The call of `f` with `args`, its body emitted here (table lookups included).
    pub fn inline_call(&mut self, f: Handle<Function>, args: &[Value]) -> Result<Value> {
        if let Some(table) = self.layout.table_of(f) {
            return super::tables::lookup(self, f, table, args);
        }
        self.inline_body(f, args)
    }

    /// The body of `f` itself (no table), emitted here.
    pub fn inline_body(&mut self, f: Handle<Function>, args: &[Value]) -> Result<Value> {
        let func = &self.mech.functions[f];
        if func.kind == FunctionKind::FunctionTable {
            return super::function_table::call(self, f, args);
        }
        self.reset_locals_of(&func.body);
        for (&p, &value) in func.parameters.iter().zip(args) {
            self.bind_local(p, value);
        }
        if let Some(r) = func.result {
            let zero = self.f64(0.0);
            self.bind_local(r, zero);
        }
        self.inline_depth += 1;
        let emitted = self.block(&func.body);
        self.inline_depth -= 1;
        emitted?;
        match (func.kind, func.result) {
            (FunctionKind::Function, Some(r)) => self.load_var(r, None),
            _ => Ok(self.f64(0.0)),
        }
    }

    fn bool_to_f64(&mut self, cond: Value) -> Value {
        let one = self.f64(1.0);
        let zero = self.f64(0.0);
        self.b.ins().select(cond, one, zero)
    }

    pub fn truthy(&mut self, x: Value) -> Value {
        let zero = self.f64(0.0);
        self.b.ins().fcmp(FloatCC::NotEqual, x, zero)
    }

    fn binary(&mut self, op: BinaryOp, x: Value, y: Value) -> Value {
        match op {
            BinaryOp::Add => return self.b.ins().fadd(x, y),
            BinaryOp::Sub => return self.b.ins().fsub(x, y),
            BinaryOp::Mul => return self.b.ins().fmul(x, y),
            BinaryOp::Div => return self.b.ins().fdiv(x, y),
            BinaryOp::Pow => return self.math(MathFunction::Pow, &[x, y]),
            BinaryOp::And | BinaryOp::Or => unreachable!("handled with control flow"),
            _ => {}
        }
        let cc = comparison(op).expect("the other operators are handled above");
        let c = self.b.ins().fcmp(cc, x, y);
        self.bool_to_f64(c)
    }

    /// C's `&&` / `||`: the right operand is evaluated only when needed.
    fn short_circuit(
        &mut self,
        a: Handle<Expression>,
        b: Handle<Expression>,
        and: bool,
    ) -> Result<Value> {
        let x = self.expr(a)?;
        let xt = self.truthy(x);
        let rhs_block = self.b.create_block();
        let done = self.b.create_block();
        self.b.append_block_param(done, F64);
        let short = self.f64(if and { 0.0 } else { 1.0 });
        if and {
            self.b.ins().brif(xt, rhs_block, &[], done, &[short.into()]);
        } else {
            self.b.ins().brif(xt, done, &[short.into()], rhs_block, &[]);
        }
        self.b.switch_to_block(rhs_block);
        let y = self.expr(b)?;
        let yt = self.truthy(y);
        let yv = self.bool_to_f64(yt);
        self.b.ins().jump(done, &[yv.into()]);
        self.b.switch_to_block(done);
        Ok(self.b.block_params(done)[0])
    }

    pub fn math(&mut self, f: MathFunction, args: &[Value]) -> Value {
        match f {
            MathFunction::Fabs => return self.b.ins().fabs(args[0]),
            MathFunction::Sqrt => return self.b.ins().sqrt(args[0]),
            MathFunction::Floor => return self.b.ins().floor(args[0]),
            MathFunction::Ceil => return self.b.ins().ceil(args[0]),
            MathFunction::Exprelr => return self.exprelr(args[0]),
            MathFunction::Exp => return self.hoc_exp(args[0]),
            _ => {}
        }
        self.call_math(f, args)
    }

    /// `exp` as NEURON 9.0.2 gives it to .mod code (nocmodl's output defines exp as hoc_Exp):
    /// an argument above 700 gives exp(700) (NEURON also prints a warning), one below -700
    /// gives 0, NaN stays NaN. A table built before INITIAL sets what it divides by (1/0 in
    /// the exponent) thus holds large finite values in NEURON, not infinities.
    fn hoc_exp(&mut self, x: Value) -> Value {
        // The clamps below replace what exp_moderate gives beyond ±700.
        const _: () = assert!(700.0 <= super::exp::MODERATE_LIMIT);
        let raw = self.exp_value(x, true);
        let high = self.f64(700.0);
        let low = self.f64(-700.0);
        let above = self.b.ins().fcmp(FloatCC::GreaterThan, x, high);
        let below = self.b.ins().fcmp(FloatCC::LessThan, x, low);
        let cap = self.f64(700f64.exp());
        let zero = self.f64(0.0);
        let capped = self.b.ins().select(above, cap, raw);
        self.b.ins().select(below, zero, capped)
    }

    /// e^x generated inline ([`super::exp`]; `moderate`: only |x| <= 700 matters), or the C
    /// library's when RSNRN_LIBM_EXP is set (bit-identical to NEURON's, and slower).
    fn exp_value(&mut self, x: Value, moderate: bool) -> Value {
        if super::exp::libm_requested() {
            return self.call_math(MathFunction::Exp, &[x]);
        }
        // Fused multiply-add only where the target has it.
        let fused = self.module.isa().has_native_fma();
        if moderate {
            let table = super::data_address(&*self.module, &mut self.b, self.symbols.exp_table);
            let mut constants = super::exp::ImmediatesAndTable(table);
            super::exp::exp_moderate(&mut self.b, x, fused, &mut constants)
        } else {
            super::exp::exp(&mut self.b, x, fused, &mut super::exp::Immediates)
        }
    }

    /// The imported C library function `f`.
    fn call_math(&mut self, f: MathFunction, args: &[Value]) -> Value {
        let id = self.symbols.math[&f];
        let fref = self.module.declare_func_in_func(id, self.b.func);
        let call = self.b.ins().call(fref, args);
        self.b.inst_results(call)[0]
    }

    /// x/(exp(x) - 1), continuous at 0 where it is 1 (when 1 + x rounds to 1).
    fn exprelr(&mut self, x: Value) -> Value {
        let one = self.f64(1.0);
        let e = self.exp_value(x, false);
        let em1 = self.b.ins().fsub(e, one);
        let ratio = self.b.ins().fdiv(x, em1);
        let one_plus_x = self.b.ins().fadd(one, x);
        let tiny = self.b.ins().fcmp(FloatCC::Equal, one_plus_x, one);
        self.b.ins().select(tiny, one, ratio)
    }

    // ---- statements ------------------------------------------------------------------------

    pub fn block(&mut self, block: &Block) -> Result<()> {
        for s in &block.statements {
            self.statement(s)?;
        }
        Ok(())
    }

    fn statement(&mut self, s: &Statement) -> Result<()> {
        if let Some(span) = s.span() {
            self.span = span;
        }
        match s {
            // In the fixed-step method a state discontinuity is an assignment (it only
            // matters to variable-step integrators, which must restart).
            Statement::Assign { target, index, value, .. }
            | Statement::StateDiscontinuity { target, index, value, .. } => {
                let x = self.expr(*value)?;
                let i = self.index_value(*target, *index)?;
                self.store_var(*target, i, x)?;
            }
            Statement::Evaluate { value, .. } => {
                self.expr(*value)?;
            }
            Statement::If { condition, accept, reject } => {
                let c = self.expr(*condition)?;
                let c = self.truthy(c);
                let then_block = self.b.create_block();
                let else_block = self.b.create_block();
                let merge = self.b.create_block();
                self.b.ins().brif(c, then_block, &[], else_block, &[]);
                self.b.switch_to_block(then_block);
                self.block(accept)?;
                self.b.ins().jump(merge, &[]);
                self.b.switch_to_block(else_block);
                self.block(reject)?;
                self.b.ins().jump(merge, &[]);
                self.b.switch_to_block(merge);
            }
            Statement::While { condition, body } => {
                let header = self.b.create_block();
                let body_block = self.b.create_block();
                let exit = self.b.create_block();
                self.b.ins().jump(header, &[]);
                self.b.switch_to_block(header);
                let c = self.expr(*condition)?;
                let c = self.truthy(c);
                self.b.ins().brif(c, body_block, &[], exit, &[]);
                self.b.switch_to_block(body_block);
                self.block(body)?;
                self.b.ins().jump(header, &[]);
                self.b.switch_to_block(exit);
            }
            Statement::For { counter, from, to, by, body } => {
                let start = self.expr(*from)?;
                let end = self.expr(*to)?;
                let step = match by {
                    Some(by) => self.expr(*by)?,
                    None => self.f64(1.0),
                };
                self.store_var(*counter, None, start)?;
                let header = self.b.create_block();
                let body_block = self.b.create_block();
                let exit = self.b.create_block();
                self.b.ins().jump(header, &[]);
                self.b.switch_to_block(header);
                let i = self.load_var(*counter, None)?;
                // Counting up while i <= end, or down while i >= end for a negative step.
                let zero = self.f64(0.0);
                let up = self.b.ins().fcmp(FloatCC::GreaterThanOrEqual, step, zero);
                let le = self.b.ins().fcmp(FloatCC::LessThanOrEqual, i, end);
                let ge = self.b.ins().fcmp(FloatCC::GreaterThanOrEqual, i, end);
                let go = self.b.ins().select(up, le, ge);
                self.b.ins().brif(go, body_block, &[], exit, &[]);
                self.b.switch_to_block(body_block);
                self.block(body)?;
                let i = self.load_var(*counter, None)?;
                let next = self.b.ins().fadd(i, step);
                self.store_var(*counter, None, next)?;
                self.b.ins().jump(header, &[]);
                self.b.switch_to_block(exit);
            }
            Statement::Derivative {
                state,
                index: None,
                value,
                ..
            } if self.derivative_sink.is_some() => {
                let x = self.expr(*value)?;
                let (dxdt, states) = self.derivative_sink.as_ref().expect("checked");
                let (dxdt, k) = (*dxdt, states.iter().position(|s| s == state));
                let k = k.expect("derivative_states lists every equation");
                self.b.ins().store(flags(), x, dxdt, (k * 8) as i32);
            }
            Statement::Derivative { span, .. } => {
                return Err(CodegenError::unsupported(
                    *span,
                    "this derivative equation is not supported yet (array STATEs, or a DERIVATIVE block not solved by cnexp or derivimplicit)"
                        .into(),
                ))
            }
            Statement::Reaction(r) if self.kinetic_sink.is_some() => {
                super::kinetic::reaction(self, r)?;
            }
            Statement::Conserve(c) if self.kinetic_sink.is_some() => {
                super::kinetic::conserve(self, c)?;
            }
            // Volumes were applied when the system function started (as nocmodl does).
            Statement::Compartment(_) if self.kinetic_sink.is_some() => {}
            // Diffusion happens in the runtime after the state kernels (crate::longitudinal).
            Statement::LongitudinalDiffusion(_) if self.kinetic_sink.is_some() => {}
            Statement::Equation { .. } if self.equation_sink.is_some() => {
                super::linear::equation(self)?;
            }
            Statement::Equation { lhs, rhs, .. } if self.residual_sink.is_some() => {
                super::nonlinear::equation(self, *lhs, *rhs)?;
            }
            Statement::Solve(solve) if super::nonlinear::handles(self, solve) => {
                super::nonlinear::solve(self, solve)?;
            }
            Statement::Solve(solve)
                if super::kinetic::solved_by_service(self.mech, solve)
                    && self.symbols.kinetic(solve.target).is_some() =>
            {
                let system = self.symbols.kinetic(solve.target).expect("checked");
                super::kinetic::emit_solve(self, solve.target, system, solve.steady_state)?;
            }
            Statement::Solve(_)
            | Statement::Reaction(_)
            | Statement::Conserve(_)
            | Statement::Compartment(_)
            | Statement::LongitudinalDiffusion(_)
            | Statement::Equation { .. }
            | Statement::Lag { .. } => {
                return Err(CodegenError::unsupported(
                    s.span().unwrap_or_default(),
                    format!("{} is not supported by the code generator yet", s.describe()),
                ))
            }
            Statement::NetSend { .. }
            | Statement::NetEvent { .. }
            | Statement::NetMove { .. }
            | Statement::Watch { .. }
            | Statement::ForNetcons { .. } => super::net_receive::statement(self, s)?,
            // Kernels run one instance at a time on one thread: the mutex has nothing to
            // exclude (threads will give each thread its own instances, never shared ones).
            Statement::Protect { body, .. } => self.block(body)?,
            Statement::Printf { arguments, span } => super::printf::emit(self, arguments, *span)?,
            Statement::Mutex { .. } => {}
            // Accepted or refused as a whole by `verbatim::check` before emission; of the
            // accepted ones only printf calls do something.
            Statement::Verbatim { text, span } => {
                if let crate::verbatim::VerbatimMeaning::Printf(calls) =
                    crate::verbatim::classify(text)
                {
                    for call in calls {
                        let mut values = Vec::new();
                        for name in &call.arguments {
                            let var = self.verbatim_variable(name, *span)?;
                            values.push(self.load_var(var, None)?);
                        }
                        super::printf::print(self, &call.format, &values)?;
                    }
                }
            }
        }
        Ok(())
    }

    pub fn finish(self) {
        let config = self.module.target_config();
        let mut b = self.b;
        b.seal_all_blocks();
        b.finalize(config);
    }

    /// i64 comparison helper for kernel loops.
    pub fn icmp_lt(&mut self, a: Value, b: Value) -> Value {
        self.b.ins().icmp(IntCC::UnsignedLessThan, a, b)
    }
}

/// The local variables (LOCALs, arguments, results, counters) a block refers to.
pub(crate) fn collect_locals_block(
    mech: &Mechanism,
    block: &Block,
    out: &mut Vec<Handle<Variable>>,
) {
    struct Locals<'a> {
        mech: &'a Mechanism,
        found: &'a mut Vec<Handle<Variable>>,
    }
    impl Visitor for Locals<'_> {
        fn variable(&mut self, v: Handle<Variable>) {
            if self.mech.variables[v].storage == Storage::Local && !self.found.contains(&v) {
                self.found.push(v);
            }
        }
    }
    walk_block(mech, block, &mut Locals { mech, found: out });
}

/// The comparison `op` makes, if it is one.
pub(super) fn comparison(op: BinaryOp) -> Option<FloatCC> {
    Some(match op {
        BinaryOp::Lt => FloatCC::LessThan,
        BinaryOp::Le => FloatCC::LessThanOrEqual,
        BinaryOp::Gt => FloatCC::GreaterThan,
        BinaryOp::Ge => FloatCC::GreaterThanOrEqual,
        BinaryOp::Eq => FloatCC::Equal,
        BinaryOp::Ne => FloatCC::NotEqual,
        _ => return None,
    })
}
