//! The planner's answer as data: batches, the state before the move and the two states of every
//! night, the downtime per service, and the plan-level findings. `render/` prints it.

use crate::bgp::State;
use crate::diag::{Finding, Severity};
use crate::model::{Inventory, ServerId, ServiceId};
use crate::plan::place::Placement;
use crate::plan::rules::Explanation;
use crate::plan::spec::Plan;

/// One batch of the result.
#[derive(Clone, Debug)]
pub struct Batch {
    /// From 1.
    pub index: usize,
    /// Window start, when the plan dates windows.
    pub window_start: Option<jiff::ZonedDateTime>,
    /// Physical machines.
    pub servers: Vec<ServerId>,
    /// Vms riding along.
    pub vms: Vec<ServerId>,
    /// Rack units.
    pub units: u32,
    /// Where each machine goes.
    pub placements: Vec<Placement>,
    /// Services with fewer than min_up replicas up during the batch.
    pub services_down: Vec<ServiceId>,
    /// The rule that put each machine in this batch rather than the one before.
    pub(crate) reasons: Vec<(ServerId, Explanation)>,
    /// Handling person-minutes of its machines (the estimate; R5 when a crew is set).
    pub handling_minutes: u32,
    /// Their cost, with the plan's hourly_cost.
    pub cost: Option<f64>,
}

/// One state and its BGP findings.
#[derive(Clone, Debug)]
pub struct StateReport {
    /// Where every machine is.
    pub state: State,
    /// Its findings (warnings in `during` states).
    pub findings: Vec<Finding>,
    /// Whether our space as a whole stays announced, and which routers are in the van.
    pub(crate) reach: crate::bgp::Reach,
}

/// The two states of one night.
#[derive(Clone, Debug)]
pub(crate) struct NightStates {
    /// The batch's machines in transit.
    pub(crate) during: StateReport,
    /// The batch's machines at the destination.
    pub(crate) after: StateReport,
}

/// Which state: `before`, `during k`, `after k` (k from 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StateName {
    /// Before the move.
    Before,
    /// During night k.
    During(usize),
    /// After night k.
    After(usize),
}

/// `before`, `during K` or `after K`, as the plan's JSON names states; K is any number here
/// (which exist depends on the plan: [`StateName::of_plan`]).
impl std::str::FromStr for StateName {
    type Err = String;

    fn from_str(name: &str) -> Result<StateName, String> {
        let unknown = || format!("unknown state `{name}`");
        match name.split_whitespace().collect::<Vec<_>>().as_slice() {
            ["before"] => Ok(StateName::Before),
            ["during", k] => k.parse().map(StateName::During).map_err(|_| unknown()),
            ["after", k] => k.parse().map(StateName::After).map_err(|_| unknown()),
            _ => Err(unknown()),
        }
    }
}

impl StateName {
    /// A state of a plan of `nights` nights, by name; the error says which names exist.
    pub(crate) fn of_plan(name: &str, nights: usize) -> Result<StateName, String> {
        let range = match nights {
            0 => "the plan has no nights".to_owned(),
            1 => "the plan has 1 night: before, during 1, after 1".to_owned(),
            n => format!("the plan has {n} nights: before, during K, after K with K from 1 to {n}"),
        };
        let state: StateName = name.parse().map_err(|e| format!("{e}: {range}"))?;
        match state.night() {
            Some(k) if !(1..=nights).contains(&k) => Err(format!("no state `{name}` in this plan: {range}")),
            _ => Ok(state),
        }
    }

    /// The night a state belongs to, if any.
    pub(crate) fn night(self) -> Option<usize> {
        match self {
            StateName::Before => None,
            StateName::During(k) | StateName::After(k) => Some(k),
        }
    }
}

/// The planner's answer.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The plan as loaded.
    pub plan: Plan,
    /// Proven lower bound on batches.
    pub lower_bound: u32,
    /// The batch count is proven minimal.
    pub optimal: bool,
    /// Batches, in order.
    pub batches: Vec<Batch>,
    /// The state before the move (none when no plan exists).
    pub before: Option<StateReport>,
    /// The states of each night, in batch order.
    pub(crate) nights: Vec<NightStates>,
    /// (service, states in which it is down), for services down at least once.
    pub downtime: Vec<(ServiceId, u32)>,
    /// Plan-level findings: plan-infeasible, dest-capacity, announcement findings.
    pub findings: Vec<Finding>,
    /// Windows that start no later than last_window (None: no last_window).
    pub windows_available: Option<u64>,
    /// When no plan exists and a conflict was proven: what plan-infeasible names.
    pub conflict: Option<NamedConflict>,
    /// With an earlier plan: the machines whose night changed.
    pub(crate) changes: Option<Vec<crate::plan::stable::Change>>,
}

/// A set of services that cannot move even by themselves (all their moving replicas, under
/// the rules), and the machines carrying those replicas.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamedConflict {
    /// The services.
    pub services: Vec<ServiceId>,
    /// The physical machines moving their replicas (with those kept together with them).
    pub machines: Vec<ServerId>,
}

impl Outcome {
    /// Handling person-minutes of the whole move.
    pub(crate) fn total_handling_minutes(&self) -> u64 {
        self.batches.iter().map(|b| u64::from(b.handling_minutes)).sum()
    }

    /// Cost of the whole move's handling (None without hourly_cost).
    pub(crate) fn total_cost(&self) -> Option<f64> {
        self.plan.labour.cost(self.total_handling_minutes())
    }

    /// Every state in order, with its name.
    pub fn states(&self) -> impl Iterator<Item = (StateName, &StateReport)> {
        let nights =
            self.nights.iter().enumerate().flat_map(|(i, n)| {
                [(StateName::During(i + 1), &n.during), (StateName::After(i + 1), &n.after)]
            });
        self.before.iter().map(|b| (StateName::Before, b)).chain(nights)
    }

    /// The states of batch `b`'s night.
    pub(crate) fn night(&self, b: &Batch) -> &NightStates {
        &self.nights[b.index - 1]
    }

    /// Whether `dcplan plan` exits 1: an error in the plan findings or in a healthy state.
    pub fn has_errors(&self) -> bool {
        self.findings
            .iter()
            .chain(self.states().flat_map(|(_, s)| &s.findings))
            .any(|f| f.severity == Severity::Error)
    }

    /// The findings of severity error: of the plan, and of the states (a `during` state's are
    /// warnings by then).
    pub(crate) fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .chain(self.states().flat_map(|(_, s)| &s.findings))
            .filter(|f| f.severity == Severity::Error)
    }

    /// Each machine's batch (from 1), indexed by machine; `None` for machines that stay.
    pub(crate) fn batch_of(&self, inv: &Inventory) -> Vec<Option<usize>> {
        let mut batch_of = vec![None; inv.servers.len()];
        for b in &self.batches {
            for &s in b.servers.iter().chain(&b.vms) {
                batch_of[s.ix()] = Some(b.index);
            }
        }
        batch_of
    }

    /// The Unix time ROAs must outlive: the end of the last window, when windows are dated.
    pub(crate) fn roa_deadline(&self) -> Option<i64> {
        let last = self.plan.window(self.batches.len().max(1))?;
        Some(last.plus_hours(i64::from(self.plan.window_hours)).start.as_second())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_names_are_those_of_the_plan_json() {
        assert_eq!("before".parse(), Ok(StateName::Before));
        assert_eq!(StateName::of_plan("before", 5), Ok(StateName::Before));
        assert_eq!(StateName::of_plan("during 3", 5), Ok(StateName::During(3)));
        assert_eq!(StateName::of_plan(" after  5 ", 5), Ok(StateName::After(5)));
        assert_eq!(crate::render::plan::state_name(StateName::After(5)), "after 5");
        let e = StateName::of_plan("during 9", 5).unwrap_err();
        assert!(e.contains("no state `during 9`") && e.contains("from 1 to 5"), "{e}");
        assert!(StateName::of_plan("during 0", 5).is_err());
        assert!(StateName::of_plan("during", 5).unwrap_err().contains("unknown state"));
        assert!(StateName::of_plan("after x", 5).is_err());
        assert!(StateName::of_plan("later", 5).is_err());
    }
}
