//! Recording (Vector.record) and resolved variable references.
//!
//! A [`RecordTarget`] names a variable the way NEURON does (section + x + range name, a point
//! process field, a global, or `t`). It is resolved to a [`VarRef`], a direct address into the
//! model's storage, once per layout; records are re-resolved automatically when the structure
//! changes, user-held `VarRef`s become stale and must be resolved again.

use crate::extracellular::ExtVar;
use crate::ions::IonId;
use crate::mechanisms::MechanismId;
use crate::point::PointProcessId;
use crate::section::SectionId;

/// A variable to record or address, by NEURON name.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordTarget {
    /// The simulation time `t`.
    Time,
    /// A range variable at `section(x)`: `v`, `diam`, `cm`, `<field>_<suffix>` of a density
    /// mechanism (`m_hh`, `il_hh`, array elements as `ca_cadifus[2]`), or an ion variable
    /// (`ena`, `nai`, `nao`, `ina`, `dina_dv_`).
    Range {
        section: SectionId,
        x: f64,
        name: String,
    },
    /// A field of a point process (`i` of an IClamp).
    Point { point: PointProcessId, name: String },
    /// A global: `t`, `dt`, `celsius`, `secondorder`, `<name>_<suffix>` of a mechanism
    /// (`usetable_hh`), `<ion>i0_<ion>_ion` / `<ion>o0_<ion>_ion`.
    Global { name: String },
}

impl RecordTarget {
    pub fn time() -> Self {
        RecordTarget::Time
    }

    pub fn range(section: SectionId, x: f64, name: impl Into<String>) -> Self {
        RecordTarget::Range {
            section,
            x,
            name: name.into(),
        }
    }

    pub fn point(point: PointProcessId, name: impl Into<String>) -> Self {
        RecordTarget::Point {
            point,
            name: name.into(),
        }
    }

    pub fn global(name: impl Into<String>) -> Self {
        RecordTarget::Global { name: name.into() }
    }
}

/// Handle of a recording in one [`crate::CableModel`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RecordId(pub(crate) u32);

impl RecordId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A resolved variable: read and write it with [`crate::CableModel::read`] /
/// [`crate::CableModel::write`] without name lookups. Valid until the model's structure
/// changes (then those calls return [`crate::RuntimeError::StaleReference`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VarRef {
    pub(crate) generation: u64,
    pub(crate) loc: VarLoc,
}

/// Where a variable lives.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum VarLoc {
    Time,
    Dt,
    Celsius,
    SecondOrder,
    /// v of a node.
    NodeV(u32),
    /// Range column of a mechanism instance.
    Range {
        mech: MechanismId,
        col: u32,
        instance: u32,
    },
    /// Variable (ION_E ..) of an ion instance.
    Ion {
        ion: IonId,
        var: u8,
        instance: u32,
    },
    /// Element of a mechanism's globals.
    Global {
        mech: MechanismId,
        index: u32,
    },
    /// ci0 / co0 of an ion.
    IonConc {
        ion: IonId,
        outside: bool,
    },
    /// Per-segment geometry kept in the section.
    Diam {
        section: SectionId,
        seg: u32,
    },
    Cm {
        section: SectionId,
        seg: u32,
    },
    /// A variable of the extracellular layers at a node (vext, i_membrane).
    Ext {
        node: u32,
        var: ExtVar,
    },
    /// A parameter of the extracellular layers, kept in the section.
    ExtParam {
        section: SectionId,
        seg: u32,
        var: ExtVar,
    },
    /// i_membrane_ of a node (fast i_membrane_).
    FastImem(u32),
}

impl VarLoc {
    /// Whether the address depends on the layout (instance/node numbering, nseg).
    pub fn depends_on_layout(&self) -> bool {
        !matches!(
            self,
            VarLoc::Time
                | VarLoc::Dt
                | VarLoc::Celsius
                | VarLoc::SecondOrder
                | VarLoc::Global { .. }
                | VarLoc::IonConc { .. }
        )
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Record {
    pub target: RecordTarget,
    /// None while the target cannot be resolved (e.g. its mechanism was uninserted).
    pub loc: Option<VarLoc>,
    pub samples: Vec<f64>,
}
