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
