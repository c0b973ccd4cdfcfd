//! Rack units: lengths and positions counted in half units (NetBox mounts devices in steps of
//! 0.5 U), and how a rack numbers its units. Integers throughout: 1.5 U is `HalfU(3)`.

use std::fmt;

/// A position or height in rack units, counted in halves: `HalfU(3)` is 1.5 U.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HalfU(pub u32);

impl HalfU {
    /// No height: a 0U machine (a PDU on the side of the rack).
    pub(crate) const ZERO: HalfU = HalfU(0);
    /// One rack unit.
    pub(crate) const ONE: HalfU = HalfU(2);

    /// `n` whole units.
    pub(crate) fn units(n: u32) -> HalfU {
        HalfU(n.saturating_mul(2))
    }

    /// Half units from a decimal number of units (1.5 -> `HalfU(3)`), as TOML, YAML and JSON
    /// numbers are read: None unless it is a multiple of 0.5 from 0 to `max` (NaN and the
    /// infinities are not).
    pub(crate) fn from_decimal(units: f64, max: HalfU) -> Option<HalfU> {
        // Exact: a multiple of 0.5 this small doubles to an integer without rounding.
        let halves = units * 2.0;
        if !(0.0..=f64::from(max.0)).contains(&halves) || halves.fract() != 0.0 {
            return None;
        }
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "an integer in 0..=max, checked above"
        )]
        Some(HalfU(halves as u32))
    }

    /// Whether it is a whole number of units.
    pub(crate) fn is_whole(self) -> bool {
        self.0.is_multiple_of(2)
    }

    /// Whole units, rounded up (a half-unit machine still needs a unit's worth of hands).
    pub(crate) fn ceil_units(self) -> u32 {
        self.0.div_ceil(2)
    }

    /// The sum, saturating.
    pub(crate) fn plus(self, other: HalfU) -> HalfU {
        HalfU(self.0.saturating_add(other.0))
    }

    /// The difference, None below zero.
    pub(crate) fn minus(self, other: HalfU) -> Option<HalfU> {
        self.0.checked_sub(other.0).map(HalfU)
    }

    /// As a TOML value: an integer when whole (`12`), a decimal otherwise (`12.5`).
    pub(crate) fn to_toml(self) -> toml_edit::Value {
        if self.is_whole() {
            toml_edit::Value::from(i64::from(self.0 / 2))
        } else {
            toml_edit::Value::from(f64::from(self.0) / 2.0)
        }
    }
}

impl fmt::Display for HalfU {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_whole() { write!(f, "{}", self.0 / 2) } else { write!(f, "{}.5", self.0 / 2) }
    }
}

impl serde::Serialize for HalfU {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Whole units stay JSON integers, as they were before half units existed.
        if self.is_whole() { s.serialize_u32(self.0 / 2) } else { s.serialize_f64(f64::from(self.0) / 2.0) }
    }
}

/// The units a machine at `unit` of `height` occupies, as the rack numbers them: `12`, `12-13`,
/// or for half units `1.5U from 12.5`.
pub(crate) fn span_text(unit: HalfU, height: HalfU) -> String {
    if !unit.is_whole() || !height.is_whole() {
        return format!("{height}U from {unit}");
    }
    let last = unit.plus(height).minus(HalfU::ONE).unwrap_or(unit).max(unit);
    if last == unit { unit.to_string() } else { format!("{unit}-{last}") }
}

/// Where a machine stands, for people: `r1 u12`, `r1 u12 (top-down)` in a rack numbered from the
/// top, or `r1 0U` for a machine that takes no unit.
pub(crate) fn mount_text(rack: &super::Rack, unit: Option<HalfU>) -> String {
    match unit {
        None => format!("{} 0U", rack.id),
        Some(u) if rack.numbering.top_down => format!("{} u{u} (top-down)", rack.id),
        Some(u) => format!("{} u{u}", rack.id),
    }
}

/// How a rack numbers its units: from `first` (NetBox's `starting_unit`, default 1), at the
/// bottom, or at the top when `top_down` (NetBox's `desc_units`). A machine's `unit` is the
/// lowest-numbered unit it occupies, so in a top-down rack it is the machine's top.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Numbering {
    /// Units in the rack.
    pub(crate) units: u32,
    /// The number of the first unit.
    pub(crate) first: u32,
    /// Numbered from the top.
    pub(crate) top_down: bool,
}

impl Numbering {
    /// The usual numbering: 1..units from the bottom.
    #[cfg(test)]
    pub(crate) fn plain(units: u32) -> Numbering {
        Numbering { units, first: 1, top_down: false }
    }

    /// Whether it is the usual numbering.
    pub(crate) fn is_plain(self) -> bool {
        self.first == 1 && !self.top_down
    }

    /// The rack's height.
    pub(crate) fn height(self) -> HalfU {
        HalfU::units(self.units)
    }

    /// The lowest and highest unit numbers: `1-42`.
    pub(crate) fn range_text(self) -> String {
        format!("{}-{}", self.first, self.first.saturating_add(self.units).saturating_sub(1))
    }

    /// Where a machine at `unit` (as numbered) of `height` sits: its distance from the bottom of
    /// the rack. None when any of it is outside the rack.
    pub(crate) fn offset(self, unit: HalfU, height: HalfU) -> Option<HalfU> {
        let from_first = unit.minus(HalfU::units(self.first))?;
        let room = self.height().minus(height)?;
        if from_first > room {
            return None;
        }
        // Top-down: the distance from the top, turned over.
        Some(if self.top_down { room.minus(from_first)? } else { from_first })
    }

    /// The unit number of a machine of `height` at `offset` from the bottom (the inverse of
    /// [`Numbering::offset`]); None when it does not fit.
    pub(crate) fn unit_at(self, offset: HalfU, height: HalfU) -> Option<HalfU> {
        let room = self.height().minus(height)?;
        let from_first = if self.top_down { room.minus(offset)? } else { offset };
        (from_first <= room).then(|| HalfU::units(self.first).plus(from_first))
    }

    /// The unit number shown on display row `row` (whole units, 0 = the top row).
    pub(crate) fn label(self, row: u32) -> u32 {
        let last = self.units.saturating_sub(1);
        self.first.saturating_add(if self.top_down { row } else { last.saturating_sub(row) })
    }

    /// The half rows from the top that a machine at `unit` of `height` covers, clipped to the
    /// rack: (top half row, half rows, whether it was clipped). A 0U machine is drawn half a unit
    /// high. None when nothing of it is inside the rack.
    pub(crate) fn half_rows(self, unit: HalfU, height: HalfU) -> Option<(u32, u32, bool)> {
        let h = height.max(HalfU(1)).0;
        let total = self.height().0;
        // Half slots from the bottom, as signed numbers: the machine may stick out either end.
        let from_first = i64::from(unit.0) - i64::from(self.first) * 2;
        let (lo, hi) = if self.top_down {
            let top = i64::from(total) - from_first;
            (top - i64::from(h), top)
        } else {
            (from_first, from_first + i64::from(h))
        };
        let (clo, chi) = (lo.max(0), hi.min(i64::from(total)));
        if clo >= chi {
            return None;
        }
        let clipped = clo != lo || chi != hi;
        // Rows count from the top.
        let top_row = u32::try_from(i64::from(total) - chi).ok()?;
        let rows = u32::try_from(chi - clo).ok()?;
        Some((top_row, rows, clipped))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves_print_and_round() {
        assert_eq!(HalfU(3).to_string(), "1.5");
        assert_eq!(HalfU(4).to_string(), "2");
        assert_eq!(HalfU(3).ceil_units(), 2);
        assert_eq!(serde_json::to_string(&HalfU(3)).unwrap_or_default(), "1.5");
        assert_eq!(serde_json::to_string(&HalfU(24)).unwrap_or_default(), "12");
        assert_eq!(span_text(HalfU(24), HalfU(4)), "12-13");
        assert_eq!(span_text(HalfU(24), HalfU(2)), "12");
        assert_eq!(span_text(HalfU(25), HalfU(3)), "1.5U from 12.5");
    }

    #[test]
    fn decimals_become_halves() {
        let max = HalfU(8);
        assert_eq!(HalfU::from_decimal(1.5, max), Some(HalfU(3)));
        assert_eq!(HalfU::from_decimal(0.0, max), Some(HalfU::ZERO));
        assert_eq!(HalfU::from_decimal(-0.0, max), Some(HalfU::ZERO));
        // The limit is inclusive.
        assert_eq!(HalfU::from_decimal(4.0, max), Some(max));
        assert_eq!(HalfU::from_decimal(4.5, max), None);
        for bad in [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            -0.5,
            -1.0,
            0.25,
            1.25,
            0.1,
            1e300,
            f64::MIN_POSITIVE,
        ] {
            assert_eq!(HalfU::from_decimal(bad, max), None, "{bad}");
        }
        // The largest limit: every u32 of halves is reachable, nothing beyond it.
        let top = HalfU(u32::MAX);
        assert_eq!(HalfU::from_decimal(f64::from(u32::MAX) / 2.0, top), Some(top));
        assert_eq!(HalfU::from_decimal(f64::from(u32::MAX), top), None);
    }

    #[test]
    fn offsets_follow_the_numbering() {
        let plain = Numbering::plain(42);
        assert_eq!(plain.offset(HalfU::units(1), HalfU::units(2)), Some(HalfU(0)));
        assert_eq!(plain.offset(HalfU::units(41), HalfU::units(2)), Some(HalfU::units(40)));
        assert_eq!(plain.offset(HalfU::units(42), HalfU::units(2)), None);
        assert_eq!(plain.offset(HalfU(0), HalfU::units(1)), None);
        // Top-down 42U rack: a 2U machine at unit 1 is at the top, 40 units up.
        let down = Numbering { units: 42, first: 1, top_down: true };
        assert_eq!(down.offset(HalfU::units(1), HalfU::units(2)), Some(HalfU::units(40)));
        assert_eq!(down.offset(HalfU::units(41), HalfU::units(2)), Some(HalfU(0)));
        // From 5: unit 5 is the bottom.
        let from5 = Numbering { units: 10, first: 5, top_down: false };
        assert_eq!(from5.offset(HalfU::units(5), HalfU::ONE), Some(HalfU(0)));
        assert_eq!(from5.offset(HalfU::units(4), HalfU::ONE), None);
        assert_eq!(from5.offset(HalfU::units(14), HalfU::ONE), Some(HalfU::units(9)));
        assert_eq!(from5.offset(HalfU::units(15), HalfU::ONE), None);
        assert_eq!(from5.range_text(), "5-14");
    }

    #[test]
    fn unit_at_inverts_offset() {
        for n in [
            Numbering::plain(12),
            Numbering { units: 12, first: 3, top_down: true },
            Numbering { units: 7, first: 0, top_down: false },
        ] {
            for h in [HalfU(0), HalfU(1), HalfU(2), HalfU(5)] {
                for x in 0..40 {
                    let unit = HalfU(x);
                    if let Some(off) = n.offset(unit, h) {
                        assert_eq!(n.unit_at(off, h), Some(unit), "{n:?} {unit} {h}");
                    }
                }
            }
        }
    }

    #[test]
    fn rows_come_from_the_top() {
        let plain = Numbering::plain(4);
        assert_eq!(plain.label(0), 4);
        // A 2U machine at unit 2 of 4: rows (from the top) 1 and 2, half rows 2..6.
        assert_eq!(plain.half_rows(HalfU::units(2), HalfU::units(2)), Some((2, 4, false)));
        let down = Numbering { units: 4, first: 1, top_down: true };
        assert_eq!(down.label(0), 1);
        assert_eq!(down.half_rows(HalfU::units(1), HalfU::units(2)), Some((0, 4, false)));
        assert_eq!(plain.half_rows(HalfU::units(4), HalfU::units(2)), Some((0, 2, true)));
        assert_eq!(plain.half_rows(HalfU::units(9), HalfU::units(2)), None);
        // Half a unit at 1.5: the upper half of unit 1, the second half row from the bottom.
        assert_eq!(plain.half_rows(HalfU(3), HalfU(1)), Some((6, 1, false)));
    }
}
