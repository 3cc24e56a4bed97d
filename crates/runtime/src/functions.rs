//! Calling a mechanism's FUNCTIONs and PROCEDUREs from the front ends, as hoc's
//! `rates_hh(v)` and `syn.f(x)` do: through the entry points of
//! [`rsnrn_abi::MechanismTable::functions`], on one instance, with v of its node and t of
//! the model.

use rsnrn_abi::{FunctionInfo, MechanismData};

use crate::error::{Result, RuntimeError};
use crate::mechanisms::{MechanismId, SlotBinding};
use crate::model::CableModel;
use crate::point::PointProcessId;
use crate::section::SectionId;

impl CableModel {
    /// The FUNCTIONs and PROCEDUREs of mechanism `name` that can be called.
    pub fn mechanism_functions(&self, name: &str) -> Result<&[FunctionInfo]> {
        let id = self.reg.lookup(name)?;
        Ok(&self.reg.mech(id).info.functions)
    }

    /// `pp.f(args)`: FUNCTION or PROCEDURE `function` of point process `point`.
    pub fn call_point_function(
        &mut self,
        point: PointProcessId,
        function: &str,
        args: &[f64],
    ) -> Result<f64> {
        self.ensure_layout();
        let p = self.pp(point)?;
        let (mech, instance) = (p.mech, p.instance as usize);
        self.call_function(mech, instance, function, args)
    }

    /// `f_suffix(args)` of a density mechanism on its instance at `section(x)`.
    pub fn call_density_function(
        &mut self,
        section: SectionId,
        x: f64,
        mechanism: &str,
        function: &str,
        args: &[f64],
    ) -> Result<f64> {
        self.check_x(section, x)?;
        self.ensure_layout();
        let mech = self.reg.lookup(mechanism)?;
        let sec = &self.sections[section.index()];
        let dm = sec.density(mech).ok_or_else(|| RuntimeError::NotInserted {
            name: format!("{function}_{mechanism}"),
            mechanism: mechanism.to_string(),
            section: sec.name.clone(),
        })?;
        let seg = crate::section::segment_containing(x, sec.nseg());
        let instance = dm.instances[seg] as usize;
        self.call_function(mech, instance, function, args)
    }

    /// `f_suffix(args)` of a FUNCTION that uses no instance data (its
    /// [`FunctionInfo::uses_instance`] is false), e.g. one computing from its arguments and
    /// GLOBALs only.
    pub fn call_mechanism_function(
        &mut self,
        mechanism: &str,
        function: &str,
        args: &[f64],
    ) -> Result<f64> {
        self.ensure_layout();
        let mech = self.reg.lookup(mechanism)?;
        let info = &self.reg.mech(mech).info;
        if let Some(f) = info.functions.iter().find(|f| f.name == function) {
            if f.uses_instance {
                return Err(RuntimeError::InvalidValue {
                    what: format!("a call of {function}_{mechanism} without an instance"),
                    value: 0.0,
                    requirement: "the function uses range variables: name the instance \
                                  (hoc: setdata_<suffix>(x) first)",
                });
            }
        }
        self.call_function(mech, 0, function, args)
    }

    /// Runs the CONSTRUCTOR (`destructor` false) or DESTRUCTOR of `mech` on `instance`, when
    /// the mechanism has one. Lays the model out first: the block sees the instance's data.
    pub(crate) fn run_lifecycle(
        &mut self,
        mech: MechanismId,
        instances: &[u32],
        destructor: bool,
    ) -> Result<()> {
        let table = &self.reg.mech(mech).table;
        let Some(entry) = (if destructor {
            table.destructor
        } else {
            table.constructor
        }) else {
            return Ok(());
        };
        let t = self.t;
        self.sync_ctx(t);
        let m = &mut self.reg.mechs[mech.index()];
        for &instance in instances {
            // SAFETY: the entry follows the ABI; the caller laid the model out, so the
            // instance exists in the bound data.
            unsafe {
                entry(
                    &self.ctx,
                    &mut m.store.data,
                    u64::from(instance),
                    std::ptr::null(),
                )
            };
        }
        Ok(())
    }

    fn call_function(
        &mut self,
        mech: MechanismId,
        instance: usize,
        function: &str,
        args: &[f64],
    ) -> Result<f64> {
        let m = self.reg.mech(mech);
        let unknown = || RuntimeError::UnknownVariable {
            name: function.to_string(),
            context: format!(
                "(mechanism {} has no FUNCTION or PROCEDURE of that name)",
                m.name()
            ),
        };
        let k = m
            .info
            .functions
            .iter()
            .position(|f| f.name == function)
            .ok_or_else(unknown)?;
        let expected = m.info.functions[k].arguments as usize;
        if args.len() != expected {
            return Err(RuntimeError::InvalidValue {
                what: format!("the number of arguments of {function} ({})", m.name()),
                value: args.len() as f64,
                requirement: if expected == 0 {
                    "it takes none"
                } else {
                    "it must match the FUNCTION's parameters"
                },
            });
        }
        if m.table.functions.is_null() {
            return Err(unknown());
        }
        self.check_function_table_set(mech.index(), function)?;
        // The function may read its POINTERs: they must point somewhere.
        if m.slots.iter().any(|s| matches!(s, SlotBinding::Pointer(_))) {
            self.bind_pointers()?;
        }
        let t = self.t;
        self.sync_ctx(t);
        let m = &mut self.reg.mechs[mech.index()];
        // A tabulated function reads its table: build it first if it is stale, as a step
        // would.
        if let Some(check) = m.table.table_check {
            // SAFETY: as every kernel call (see call_kernels).
            let status = unsafe { check(&self.ctx, &mut m.store.data) };
            if status != 0 {
                return Err(RuntimeError::KernelFailed {
                    mechanism: m.info.name.clone(),
                    kernel: "table_check",
                    status,
                    t,
                });
            }
        }
        // Generated bodies read their instance's node number on entry; a mechanism without
        // instances (a call of a function that uses no instance data) gets node 0 to read.
        let lone_node = [0u32];
        let mut lone;
        let data = if instance < m.store.count() {
            &mut m.store.data
        } else {
            lone = MechanismData {
                node_index: lone_node.as_ptr(),
                affine: 0,
                ..m.store.data
            };
            &mut lone
        };
        // SAFETY: `functions` has one entry per `info.functions` (the ABI); the instance
        // exists in the store the data describes (or the function uses no instance data and
        // reads only the node number above), which was just laid out and bound.
        let value = unsafe {
            let entry = *m.table.functions.add(k);
            entry(&self.ctx, data, instance as u64, args.as_ptr())
        };
        // Both checks run, so the failure record is cleared either way; a table without
        // values names itself better than its failure site does.
        let tables = self.check_function_tables_called(mech.index());
        let record = self.check_failure_record(mech, t);
        tables.and(record)?;
        Ok(value)
    }

    /// A failure the generated code recorded during a call that returns no status (a
    /// FUNCTION called from a front end): reported now, and cleared.
    fn check_failure_record(&mut self, mech: MechanismId, t: f64) -> Result<()> {
        let m = &mut self.reg.mechs[mech.index()];
        let Some(g) = m.info.failure_global else {
            return Ok(());
        };
        let recorded = m.globals.get(g as usize);
        if recorded == 0.0 {
            return Ok(());
        }
        m.globals.set(g as usize, 0.0);
        let message = m
            .info
            .failure_sites
            .get(recorded as usize - 1)
            .cloned()
            .unwrap_or_else(|| format!("failure {recorded} of generated code"));
        Err(RuntimeError::MechanismFailure {
            mechanism: m.info.name.clone(),
            message,
            t,
        })
    }
}
