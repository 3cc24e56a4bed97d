//! hoc's `ion_style("na_ion", c_style, e_style, einit, eadvance, cinit)`: a section's own
//! choice of how an ion's concentrations and reversal potential are treated, instead of what
//! its mechanisms' USEION statements imply (NUMERICS §6).
//!
//! A setting belongs to a section and applies to the ion instances of its segments. It lasts
//! until a mechanism using the ion is inserted into the section, which (as in NEURON, where
//! inserting promotes the style again) brings back the style the mechanisms imply. Styles are
//! encoded as NEURON's `ion_style()` returns them: c_style + 8·e_style, plus 4 for cinit,
//! 32 for einit and 64 for eadvance (checked with nrniv 9.0.2).

use crate::error::{Result, RuntimeError};
use crate::ions::{IonId, IonStyle, FLAG_CINIT, FLAG_EADVANCE, FLAG_EINIT};
use crate::model::CableModel;
use crate::section::SectionId;

/// One `ion_style` setting: the usage levels (0 unused, 1 parameter, 2 assigned, 3 state) and
/// which of the ion's updates run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IonStyleSetting {
    pub c_style: u8,
    pub e_style: u8,
    pub einit: bool,
    pub eadvance: bool,
    pub cinit: bool,
}

impl IonStyleSetting {
    /// The style the mechanisms' USEION statements imply (promoted as NEURON does).
    fn implied(style: IonStyle) -> Self {
        let flags = style.flags();
        let e_style = if style.conc > 0 && style.rev < 2 {
            2
        } else {
            style.rev
        };
        IonStyleSetting {
            c_style: style.conc,
            e_style,
            einit: flags & FLAG_EINIT != 0,
            eadvance: flags & FLAG_EADVANCE != 0,
            cinit: flags & FLAG_CINIT != 0,
        }
    }

    /// The runtime's per-instance flag bits.
    pub(crate) fn flags(self) -> u8 {
        let mut f = 0;
        if self.cinit {
            f |= FLAG_CINIT;
        }
        if self.einit {
            f |= FLAG_EINIT;
        }
        if self.eadvance {
            f |= FLAG_EADVANCE;
        }
        f
    }

    /// As NEURON's `ion_style()` returns it.
    pub fn code(self) -> i32 {
        i32::from(self.c_style & 3)
            + 8 * i32::from(self.e_style & 3)
            + 4 * i32::from(self.cinit)
            + 32 * i32::from(self.einit)
            + 64 * i32::from(self.eadvance)
    }
}

impl CableModel {
    fn ion_named(&self, ion: &str) -> Result<IonId> {
        self.reg
            .ion_by_name(ion)
            .ok_or_else(|| RuntimeError::UnknownVariable {
                name: ion.to_string(),
                context: "ion_style: no mechanism uses an ion of that name".into(),
            })
    }

    /// The ion's style in a section, or None when no mechanism of the section uses the ion.
    pub fn ion_style(&self, id: SectionId, ion: &str) -> Result<Option<IonStyleSetting>> {
        let ion = self.ion_named(ion)?;
        let sec = self.sec(id)?;
        if let Some(&(_, setting)) = sec.ion_styles.iter().find(|(i, _)| *i == ion) {
            return Ok(Some(setting));
        }
        let implied = sec
            .mechs
            .iter()
            .flat_map(|d| self.reg.mech(d.mech).ion_uses.iter())
            .filter(|(i, _)| *i == ion)
            .map(|&(_, s)| s)
            .reduce(IonStyle::merge);
        Ok(implied.map(IonStyleSetting::implied))
    }

    /// Sets the ion's style in a section; returns the style before, or None (and changes
    /// nothing) when no mechanism of the section uses the ion.
    pub fn set_ion_style(
        &mut self,
        id: SectionId,
        ion: &str,
        setting: IonStyleSetting,
    ) -> Result<Option<IonStyleSetting>> {
        let before = self.ion_style(id, ion)?;
        if before.is_none() {
            return Ok(None);
        }
        let ion = self.ion_named(ion)?;
        let styles = &mut self.sec_mut(id)?.ion_styles;
        styles.retain(|(i, _)| *i != ion);
        styles.push((ion, setting));
        self.ensure_layout();
        self.apply_ion_styles();
        Ok(before)
    }

    /// Gives the ion instances of every section with an `ion_style` setting its flags (after
    /// a rebuild computed them from the mechanisms).
    pub(crate) fn apply_ion_styles(&mut self) {
        for (k, sec) in self.sections.iter().enumerate() {
            if sec.ion_styles.is_empty() {
                continue;
            }
            let Some(nodes) = self.layout.sections.get(k) else {
                continue;
            };
            for &(ion, setting) in &sec.ion_styles {
                let store = &mut self.reg.ions[ion.0 as usize].store;
                for j in 0..nodes.nseg as usize {
                    if let Some(i) = store.instance_at(nodes.segment_node(j) as usize) {
                        store.flags[i] = setting.flags();
                    }
                }
                store.any_eadvance = store.flags.iter().any(|f| f & FLAG_EADVANCE != 0);
            }
        }
    }

    /// Inserting a mechanism that uses an ion brings back the style its mechanisms imply.
    pub(crate) fn forget_ion_styles(&mut self, id: SectionId, uses: &[IonId]) {
        if let Some(sec) = self.sections.get_mut(id.index()) {
            sec.ion_styles.retain(|(i, _)| !uses.contains(i));
        }
    }
}
