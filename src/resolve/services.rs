//! Services: replicas, dependencies, criticality and min_up.

use rustc_hash::FxHashMap as HashMap;

use super::{Owner, Ref, Resolver, loc_of};
use crate::diag::Loc;
use crate::model::*;
use crate::raw::{self, Table};

impl Resolver<'_> {
    pub(super) fn services(&mut self, services: Vec<(Loc, raw::Service)>, inv: &mut Inventory) {
        let mut locs = HashMap::default();
        let mut pending = Vec::new();
        // Every id first: dependencies may point forward.
        for (loc, s) in services {
            let next = ServiceId::from_ix(pending.len());
            if self.declare(&s.id, loc, inv, &mut locs, next) {
                pending.push((loc, s));
            }
        }
        for (loc, s) in pending {
            let service = self.service(loc, s, &inv.index);
            inv.services.push(service);
        }
    }

    fn service(&mut self, loc: Loc, s: raw::Service, index: &Index) -> Service {
        let id = s.id.get_ref().clone();
        let owner = Owner(Table::Service, &id);
        let mut runs_on = Vec::new();
        let mut partial = false;
        for r in &s.runs_on {
            match self.lookup::<ServerId>(loc, owner, "runs_on", r, index) {
                Ref::Found(sv) if runs_on.contains(&sv) => {
                    self.invalid(
                        loc_of(loc, r),
                        owner,
                        format!("`{}` is listed twice in runs_on", r.get_ref()),
                    );
                }
                Ref::Found(sv) => runs_on.push(sv),
                Ref::Invalid => partial = true,
                Ref::Unknown => {}
            }
        }
        let mut depends_on = Vec::new();
        for d in &s.depends_on {
            if d.get_ref() == &id {
                self.invalid(loc_of(loc, d), owner, format!("service `{id}` depends on itself"));
            } else if let Some(dep) = self.reference::<ServiceId>(loc, owner, "depends_on", d, index)
                && !depends_on.contains(&dep)
            {
                depends_on.push(dep);
            }
        }
        let criticality = match &s.criticality {
            None => Criticality::Normal,
            Some(c) => Criticality::parse(c.get_ref()).unwrap_or_else(|| {
                self.invalid(
                    loc_of(loc, c),
                    owner,
                    format!("unknown criticality `{}` (low, normal or high)", c.get_ref()),
                );
                Criticality::Normal
            }),
        };
        let (min_up, min_up_loc) = match &s.min_up {
            None => (1, loc),
            Some(m) => {
                let at = loc_of(loc, m);
                match u32::try_from(*m.get_ref()) {
                    Ok(v) => (v, at),
                    Err(_) => {
                        self.invalid(at, owner, format!("min_up must be a count, found {}", m.get_ref()));
                        (1, at)
                    }
                }
            }
        };
        let name = s.name.unwrap_or_else(|| id.clone());
        Service {
            id,
            name,
            runs_on,
            min_up,
            depends_on,
            criticality,
            check: s.check,
            loc,
            min_up_loc,
            partial,
        }
    }
}
