//! The constants of the exps in the vector loop (and the sign masks of -x and |x|), read from
//! read-only memory at each use.
//!
//! Cranelift merges equal constants (`vconst`, which a splat of an `f64const` becomes) into
//! one value and does not rematerialize 128-bit ones, so exp's twenty-odd coefficients, used
//! by each exp of a body, stay live across all of them and the register allocator spills
//! them: stack stores and reloads per iteration. Here every use gets its own 16-byte copy in
//! a data object of the module, loaded at the use (x86-64 folds most of these loads into the
//! instruction as a memory operand). The loads are pure (`readonly`, `can_move`), so
//! Cranelift places each right before its use; two uses never share a load because their
//! offsets differ; and the address is `pool + (instance >> 63)`, which is the pool (instance
//! numbers are below 2^63) but which Cranelift cannot prove loop-invariant, so it does not
//! hoist the loads out of the loop (where they would be live across it again). x86-64 folds
//! a load only into an instruction whose result has one use, though: a constant of an
//! operation whose result is used twice (the exp's reduction) is loaded on its own. The other
//! constants of a body stay immediates: with few of them live, the pool's address register
//! and loads cost more than they save (measured on the STN model's mechanisms, also for the
//! literals IF conditions compare with).

use super::super::body::{BodyEmitter, PTR};
use super::super::exp::Constants;
use super::super::{data_address, module_error};
use crate::CodegenError;
use cranelift_codegen::ir::{Endianness, InstBuilder, MemFlagsData, Type, Value};
use cranelift_frontend::FunctionBuilder;
use cranelift_module::{DataDescription, DataId, Module};

/// Alignment of the pool (and of every constant in it).
const ALIGN: usize = 16;

pub(super) struct ConstantPool {
    /// The data object, None in a dry run (whose function is never compiled).
    data: Option<DataId>,
    /// The pool's address.
    base: Value,
    /// The address as the current iteration sees it (see the module comment).
    here: Value,
    bytes: Vec<u8>,
    little_endian: bool,
    /// Offset of the table-driven exp's table, once a use placed it in the pool.
    exp_table: Option<i32>,
}

impl ConstantPool {
    /// A pool for the function `e` emits; `dry_run`: the function will not be compiled.
    pub fn new(e: &mut BodyEmitter, dry_run: bool) -> Result<Self, CodegenError> {
        let little_endian = e.module.isa().endianness() == Endianness::Little;
        let (data, base) = if dry_run {
            (None, e.b.ins().iconst(PTR, 0))
        } else {
            let id = e
                .module
                .declare_anonymous_data(false, false)
                .map_err(module_error)?;
            (Some(id), data_address(&*e.module, &mut e.b, id))
        };
        Ok(ConstantPool {
            data,
            base,
            here: base,
            bytes: Vec::new(),
            little_endian,
            exp_table: None,
        })
    }

    /// Makes the constants emitted from now on load through an address that depends on
    /// `inst`, the loop's instance number.
    pub fn enter_iteration(&mut self, b: &mut FunctionBuilder, inst: Value) {
        let zero = b.ins().ushr_imm_u(inst, 63);
        self.here = b.ins().iadd(self.base, zero);
    }

    /// Defines the data object with the constants emitted.
    pub fn finish(self, module: &mut dyn Module) -> Result<(), CodegenError> {
        let Some(id) = self.data else { return Ok(()) };
        let mut bytes = self.bytes;
        if bytes.is_empty() {
            bytes.resize(ALIGN, 0);
        }
        let mut desc = DataDescription::new();
        desc.define(bytes.into_boxed_slice());
        desc.set_align(ALIGN as u64);
        module.define_data(id, &desc).map_err(module_error)
    }
}

impl Constants for ConstantPool {
    fn constant(&mut self, b: &mut FunctionBuilder, ty: Type, bits: u64) -> Value {
        debug_assert!(ty.bits() == 128 && ty.lane_bits() == 64);
        let offset = self.bytes.len();
        let lane = if self.little_endian {
            bits.to_le_bytes()
        } else {
            bits.to_be_bytes()
        };
        self.bytes.extend_from_slice(&lane);
        self.bytes.extend_from_slice(&lane);
        let offset = i32::try_from(offset).expect("a pool below 2 GiB");
        let flags = MemFlagsData::new()
            .with_notrap()
            .with_aligned()
            .with_readonly()
            .with_can_move();
        b.ins().load(ty, flags, self.here, offset)
    }

    fn exp_table(&mut self, _b: &mut FunctionBuilder) -> Option<(Value, i32)> {
        let offset = *self.exp_table.get_or_insert_with(|| {
            // Every constant is 16 bytes long, so the pool's end is aligned.
            let offset = self.bytes.len();
            debug_assert_eq!(offset % ALIGN, 0);
            self.bytes
                .extend(super::super::exp::table_bytes(self.little_endian));
            i32::try_from(offset).expect("a pool below 2 GiB")
        });
        Some((self.here, offset))
    }
}
