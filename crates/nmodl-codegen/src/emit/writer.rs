//! The one way generated functions are declared, emitted and defined: a [`FunctionWriter`]
//! carries what every body is emitted with, and [`FunctionWriter::function`] sets up the
//! entry block (ctx and data are always the first two parameters) around a body closure.

use super::body::BodyEmitter;
use super::{define, module_error, Symbols};
use crate::layout::Layout;
use crate::CodegenError;
use cranelift_codegen::ir::{InstBuilder, Signature, UserFuncName, Value};
use cranelift_codegen::Context;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_module::{FuncId, Linkage, Module};
use nmodl_ir::Mechanism;

pub(super) struct FunctionWriter<'a> {
    pub module: &'a mut dyn Module,
    pub ctx: &'a mut Context,
    pub fctx: &'a mut FunctionBuilderContext,
    pub mech: &'a Mechanism,
    pub layout: &'a Layout,
    pub symbols: &'a Symbols,
}

impl FunctionWriter<'_> {
    /// Declares `name` with `sig` and `linkage`, emits `body` (given the function's
    /// parameters; it returns the value to return) and defines the function. The emitter's
    /// environment has ctx and data from the first two parameters, instance 0 and v = 0.
    pub fn function(
        &mut self,
        name: &str,
        linkage: Linkage,
        sig: Signature,
        body: impl FnOnce(&mut BodyEmitter, &[Value]) -> Result<Value, CodegenError>,
    ) -> Result<FuncId, CodegenError> {
        let id = self
            .module
            .declare_function(name, linkage, &sig)
            .map_err(module_error)?;
        self.ctx.func.signature = sig;
        self.ctx.func.name = UserFuncName::user(0, id.as_u32());
        let headers;
        {
            let mut b = FunctionBuilder::new(&mut self.ctx.func, self.fctx);
            let (env, params) = super::enter_kernel(&mut b);
            let mut e = BodyEmitter::new(
                b,
                self.mech,
                self.layout,
                self.symbols,
                &mut *self.module,
                env,
            );
            let result = body(&mut e, &params)?;
            e.b.ins().return_(&[result]);
            headers = std::mem::take(&mut e.pair_headers);
            e.finish();
        }
        for (header, affine) in headers {
            let (suffix, loop_name) = if affine {
                ("avx2", "")
            } else {
                ("avx2_general", " (general loop)")
            };
            let wide_name = format!("{name}_{suffix}");
            let kernel = format!(
                "{} {}{loop_name}",
                self.mech.name,
                name.rsplit('_').next().unwrap_or(name)
            );
            match crate::avx2::attach(self.module, &mut self.ctx.func, header, &wide_name) {
                Ok(()) => super::vector::report(format!("{kernel}: avx2")),
                Err(why) => super::vector::report(format!("{kernel}: not avx2 ({why})")),
            }
        }
        define(self.module, id, self.ctx)?;
        Ok(id)
    }
}
