//! Power and weight: `[[feed]]` tables, and the power fields of racks and machines.

use rustc_hash::FxHashMap as HashMap;
use toml::Spanned;

use super::{Owner, Resolver, loc_of};
use crate::diag::{Code, Finding, Loc, text};
use crate::model::*;
use crate::raw::{self, Table};

impl Resolver<'_> {
    pub(super) fn feeds(&mut self, feeds: Vec<(Loc, raw::Feed)>, inv: &mut Inventory) {
        let mut locs = HashMap::default();
        for (loc, f) in feeds {
            let next = FeedId::from_ix(inv.feeds.len());
            if !self.declare(&f.id, loc, inv, &mut locs, next) {
                continue;
            }
            let id = f.id.get_ref().clone();
            match self.feed(loc, &id, &f, &inv.index) {
                Some(feed) => inv.feeds.push(feed),
                None => {
                    inv.index.feeds.remove(&id);
                    inv.lost.insert(Table::Feed);
                }
            }
        }
    }

    /// One feed; `None` when a value is unusable (each has its finding).
    fn feed(&mut self, loc: Loc, id: &str, f: &raw::Feed, index: &Index) -> Option<Feed> {
        let owner = Owner(Table::Feed, id);
        let rack = self.reference::<RackId>(loc, owner, "rack", &f.rack, index);
        let side = self.side(loc, owner, "side", &f.side);
        let volts = self.positive_number(loc, owner, "volts", &f.volts, f64::MAX);
        let amps = self.positive_number(loc, owner, "amps", &f.amps, f64::MAX);
        let max_utilization = match &f.max_utilization {
            Some(u) => self.positive_number(loc, owner, "max_utilization", u, 100.0),
            None => Some(80.0),
        };
        let three_phase = match &f.phase {
            None => Some(false),
            Some(p) => match p.get_ref().as_str() {
                "single" => Some(false),
                "three" => Some(true),
                other => {
                    let hint = text::did_you_mean_or(other, ["single", "three"], "phase is one of");
                    self.push(
                        Finding::new(Code::InvalidValue, loc_of(loc, p), format!("unknown phase `{other}`"))
                            .object("feed", id)
                            .hint(hint),
                    );
                    None
                }
            },
        };
        Some(Feed {
            id: id.to_owned(),
            rack: rack?,
            side: side?,
            volts: volts?,
            amps: amps?,
            three_phase: three_phase?,
            max_utilization: max_utilization?,
            loc,
        })
    }

    /// `a` or `b`.
    fn side(&mut self, loc: Loc, owner: Owner<'_>, field: &str, s: &Spanned<String>) -> Option<Side> {
        let side = Side::parse(s.get_ref());
        if side.is_none() {
            self.invalid(
                loc_of(loc, s),
                owner,
                format!("{field} must be `a` or `b` (the redundancy side), found `{}`", s.get_ref()),
            );
        }
        side
    }

    /// A finite number above 0 and at most `max`.
    fn positive_number(
        &mut self,
        loc: Loc,
        owner: Owner<'_>,
        field: &str,
        v: &Spanned<f64>,
        max: f64,
    ) -> Option<f64> {
        let x = *v.get_ref();
        if x.is_finite() && x > 0.0 && x <= max {
            return Some(x);
        }
        let range = if max < f64::MAX { format!("above 0 and at most {max}") } else { "above 0".to_owned() };
        self.invalid(loc_of(loc, v), owner, format!("{field} must be {range}, found {x}"));
        None
    }

    /// A weight: 0 or more, finite.
    pub(super) fn weight(
        &mut self,
        loc: Loc,
        owner: Owner<'_>,
        field: &str,
        v: &Spanned<f64>,
    ) -> Option<f64> {
        let x = *v.get_ref();
        if x.is_finite() && x >= 0.0 {
            return Some(x);
        }
        self.invalid(loc_of(loc, v), owner, format!("{field} must be 0 or more, found {x}"));
        None
    }

    /// A machine's power supplies and the side a single one is plugged into.
    pub(super) fn psus(&mut self, loc: Loc, owner: Owner<'_>, s: &raw::Server) -> (u32, Side) {
        let psus = match &s.psus {
            None => 1,
            Some(p) => match u32::try_from(*p.get_ref()) {
                Ok(n) if (1..=16).contains(&n) => n,
                _ => {
                    self.invalid(
                        loc_of(loc, p),
                        owner,
                        format!("psus must be between 1 and 16, found {}", p.get_ref()),
                    );
                    1
                }
            },
        };
        let side =
            s.feed_side.as_ref().and_then(|f| self.side(loc, owner, "feed_side", f)).unwrap_or(Side::A);
        (psus, side)
    }
}
