//! Power and weight: power-feed-overload, power-feed-loss, service-spof-feed, rack-weight,
//! feed-side-missing.
//!
//! The load model: a feed carries `volts * amps * max_utilization / 100` watts (times sqrt(3)
//! for three-phase). A machine with two or more PSUs puts half its draw on each side when the
//! rack has both, all of it on the one side it has otherwise; a single-PSU machine puts its draw
//! on its `feed_side` (on the other side when its own has no feed: it is plugged in somewhere).
//! When one side fails, the other carries its own load plus every multi-PSU machine's other
//! half; single-PSU machines of the failed side go dark. The feeds of a side share its load in
//! proportion to their capacities, so a side is over when its load is over its total capacity.

use crate::diag::{Code, Finding, text};
use crate::model::{FeedId, Inventory, RackId, ServerId, Side};

/// What one machine puts on each side of its rack.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Draw {
    /// The machine.
    pub(crate) server: ServerId,
    /// Watts per side in normal operation.
    pub(crate) normal: [f64; 2],
    /// Watts per side when the other side has failed (0: dark, or nothing there).
    pub(crate) on_loss: [f64; 2],
    /// The one side it depends on; `None` when it survives the loss of either.
    pub(crate) only: Option<Side>,
}

/// The power of one rack with feeds.
#[derive(Clone, Debug, Default)]
pub(crate) struct RackPower {
    /// Its feeds, per side.
    pub(crate) feeds: [Vec<FeedId>; 2],
    /// Total capacity per side, watts.
    pub(crate) capacity: [f64; 2],
    /// Each mounted machine's draw.
    pub(crate) draws: Vec<Draw>,
}

impl RackPower {
    /// Whether the rack has a feed on `side`.
    pub(crate) fn has(&self, side: Side) -> bool {
        !self.feeds[side.ix()].is_empty()
    }

    /// Load of `side` in normal operation.
    pub(crate) fn normal(&self, side: Side) -> f64 {
        self.draws.iter().map(|d| d.normal[side.ix()]).sum()
    }

    /// Load of `side` when the other side has failed.
    pub(crate) fn on_loss(&self, side: Side) -> f64 {
        self.draws.iter().map(|d| d.on_loss[side.ix()]).sum()
    }

    /// The machines that go dark when `side` fails.
    pub(crate) fn dark(&self, side: Side) -> impl Iterator<Item = ServerId> + '_ {
        self.draws.iter().filter(move |d| d.only == Some(side)).map(|d| d.server)
    }

    /// Whether the rack has feeds at all (its feeds, not power_w, are then its budget).
    pub(crate) fn fed(&self) -> bool {
        self.has(Side::A) || self.has(Side::B)
    }

    /// Which sides have a feed, by [`Side::ix`].
    pub(crate) fn sides(&self) -> [bool; 2] {
        [self.has(Side::A), self.has(Side::B)]
    }

    /// Whether the rack stays free of overload and loss errors with one more machine.
    pub(crate) fn admits(&self, d: Draw) -> bool {
        Side::BOTH.iter().all(|&s| {
            let i = s.ix();
            let normal = self.normal(s) + d.normal[i];
            let on_loss = self.on_loss(s) + d.on_loss[i];
            normal <= self.capacity[i] && (!self.has(s.other()) || on_loss <= self.capacity[i])
        })
    }
}

/// The draw of one machine (`watts`, `psus`, `feed_side`) in a rack with feeds on the sides
/// `has` says (indexed by [`Side::ix`]).
pub(crate) fn draw(server: ServerId, watts: f64, psus: u32, feed_side: Side, has: [bool; 2]) -> Draw {
    if psus >= 2 && has[0] && has[1] {
        return Draw { server, normal: [watts / 2.0; 2], on_loss: [watts; 2], only: None };
    }
    let side = if psus >= 2 {
        if has[Side::A.ix()] { Side::A } else { Side::B }
    } else if has[feed_side.ix()] || !has[feed_side.other().ix()] {
        feed_side
    } else {
        // Its side has no feed: it is plugged into the other (feed-side-missing says so).
        feed_side.other()
    };
    let mut d = Draw { server, normal: [0.0; 2], on_loss: [0.0; 2], only: Some(side) };
    d.normal[side.ix()] = watts;
    d.on_loss[side.ix()] = watts;
    d
}

/// Which sides of each rack have a feed, by rack and [`Side::ix`].
pub(crate) fn rack_sides(inv: &Inventory) -> Vec<[bool; 2]> {
    let mut out = vec![[false; 2]; inv.racks.len()];
    for f in &inv.feeds {
        out[f.rack.ix()][f.side.ix()] = true;
    }
    out
}

/// The side a single-PSU machine is plugged into in a rack with feeds on the sides `has`
/// (its feed_side, or the other when its own has no feed, as the load model counts it);
/// `None` for multi-PSU machines and racks without feeds.
pub(crate) fn plugged_side(psus: u32, feed_side: Side, has: [bool; 2]) -> Option<Side> {
    if psus >= 2 || has == [false, false] {
        return None;
    }
    draw(ServerId(0), 0.0, psus, feed_side, has).only
}

/// The power of every rack, indexed by rack (racks without feeds have an empty one).
pub(crate) fn racks(inv: &Inventory) -> Vec<RackPower> {
    let mut out = vec![RackPower::default(); inv.racks.len()];
    for (i, f) in inv.feeds.iter().enumerate() {
        let r = &mut out[f.rack.ix()];
        r.feeds[f.side.ix()].push(FeedId::from_ix(i));
        r.capacity[f.side.ix()] += f.capacity_w();
    }
    for id in inv.server_ids() {
        let sv = inv.server(id);
        let Some(m) = sv.mount else { continue };
        let r = &mut out[m.rack.ix()];
        if !r.has(Side::A) && !r.has(Side::B) {
            continue;
        }
        let has = [r.has(Side::A), r.has(Side::B)];
        r.draws.push(draw(id, f64::from(sv.power_w.unwrap_or(0)), sv.psus, sv.feed_side, has));
    }
    out
}

/// What fails in a rack (`dcplan impact --feed` / `--side`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Loss {
    /// One feed trips.
    Feed(FeedId),
    /// Every feed of one side.
    Side(Side),
}

/// A side still powered after a loss.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Survivor {
    /// The side.
    pub(crate) side: Side,
    /// Its feeds still on.
    pub(crate) feeds: Vec<FeedId>,
    /// What it carries now, watts.
    pub(crate) load: f64,
    /// What its feeds may carry (their max_utilization), watts.
    pub(crate) capacity: f64,
    /// Their breakers' ratings (100 %): above this they trip, watts.
    pub(crate) rating: f64,
}

/// Feeds that tripped because of the load that fell on them.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Trip {
    /// Their side.
    pub(crate) side: Side,
    /// The feeds.
    pub(crate) feeds: Vec<FeedId>,
    /// The load that fell on them, watts.
    pub(crate) load: f64,
    /// Their breakers' rating together, watts.
    pub(crate) rating: f64,
}

/// The state of a rack after a loss.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Outage {
    /// Feeds off: the one lost (or its side's), then any that tripped because the load that
    /// fell on them was over their breakers' rating.
    pub(crate) off: Vec<FeedId>,
    /// Sides with no feed left, by [`Side::ix`].
    pub(crate) dead: [bool; 2],
    /// Feeds that tripped after the loss, in order.
    pub(crate) trips: Vec<Trip>,
    /// Machines that go dark: single-PSU machines of a dead side, everything when both are.
    pub(crate) dark: Vec<ServerId>,
    /// The sides still on and their loads.
    pub(crate) survivors: Vec<Survivor>,
}

/// A feed's breaker rating, watts: its capacity without the max_utilization margin.
fn rating_w(inv: &Inventory, f: FeedId) -> f64 {
    let feed = &inv.feeds[f.ix()];
    feed.capacity_w() * 100.0 / feed.max_utilization
}

/// What happens when `loss` strikes rack power `p`. The load of a dead side falls on the other
/// as in the check (dual-PSU machines' other halves; single-PSU machines of the dead side go
/// dark). The load of a lost feed falls on the other feeds of its side. Feeds whose new load
/// is over their breakers' rating trip in turn, which can take the whole rack dark; a load
/// over capacity but within the rating holds (it only eats the margin max_utilization keeps).
pub(crate) fn outage(inv: &Inventory, p: &RackPower, loss: Loss) -> Outage {
    let mut off: Vec<FeedId> = match loss {
        Loss::Feed(f) => vec![f],
        Loss::Side(s) => p.feeds[s.ix()].clone(),
    };
    let mut trips = Vec::new();
    let alive = |off: &[FeedId], s: Side| -> Vec<FeedId> {
        p.feeds[s.ix()].iter().copied().filter(|f| !off.contains(f)).collect()
    };
    loop {
        let dead = Side::BOTH.map(|s| p.has(s) && alive(&off, s).is_empty());
        let load = |s: Side| if dead[s.other().ix()] { p.on_loss(s) } else { p.normal(s) };
        // At most one more side trips per round; two rounds end it.
        let trip = Side::BOTH.into_iter().find_map(|s| {
            let feeds = alive(&off, s);
            let rating = feeds.iter().map(|&f| rating_w(inv, f)).sum::<f64>();
            (!feeds.is_empty() && load(s) > rating).then(|| Trip { side: s, feeds, load: load(s), rating })
        });
        if let Some(t) = trip {
            off.extend(&t.feeds);
            trips.push(t);
            continue;
        }
        let all_dead = Side::BOTH.iter().all(|&s| !p.has(s) || dead[s.ix()]);
        let dark = p
            .draws
            .iter()
            .filter(|d| all_dead || d.only.is_some_and(|s| dead[s.ix()]))
            .map(|d| d.server)
            .collect();
        let survivors = Side::BOTH
            .into_iter()
            .filter(|&s| p.has(s) && !dead[s.ix()] && !all_dead)
            .map(|s| {
                let feeds = alive(&off, s);
                Survivor {
                    side: s,
                    load: load(s),
                    capacity: feeds.iter().map(|&f| inv.feeds[f.ix()].capacity_w()).sum(),
                    rating: feeds.iter().map(|&f| rating_w(inv, f)).sum(),
                    feeds,
                }
            })
            .collect();
        return Outage { off, dead, trips, dark, survivors };
    }
}

/// Whether a rack has feeds at all.
pub(crate) fn has_feeds(power: &[RackPower], rack: RackId) -> bool {
    power[rack.ix()].fed()
}

/// Checks every rack with feeds, rack weights, and services against the loss of one side.
pub(super) fn check(inv: &Inventory, out: &mut Vec<Finding>) {
    let power = racks(inv);
    for (r, p) in power.iter().enumerate() {
        let rack = RackId::from_ix(r);
        if p.has(Side::A) || p.has(Side::B) {
            feeds(inv, rack, p, out);
            sides_missing(inv, rack, p, out);
        }
        weight(inv, rack, out);
    }
    spof(inv, &power, out);
}

fn w(x: f64) -> String {
    format!("{x:.0} W")
}

/// The machines whose share of a load covers `excess`, largest first: `` `db1` (450 W) ``.
fn difference(inv: &Inventory, mut parts: Vec<(ServerId, f64)>, excess: f64) -> (String, usize) {
    parts.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut sum = 0.0;
    let mut names = Vec::new();
    for (s, x) in parts {
        if sum >= excess || x <= 0.0 {
            break;
        }
        sum += x;
        names.push(format!("`{}` ({})", inv.server(s).id, w(x)));
    }
    (names.join(", "), names.len())
}

fn feeds(inv: &Inventory, rack: RackId, p: &RackPower, out: &mut Vec<Finding>) {
    let rk = &inv.rack(rack).id;
    for side in Side::BOTH {
        let cap = p.capacity[side.ix()];
        let normal = p.normal(side);
        let lost = side.other();
        let on_loss = p.on_loss(side);
        for &f in &p.feeds[side.ix()] {
            let feed = &inv.feeds[f.ix()];
            let share = feed.capacity_w() / cap;
            if normal > cap {
                let parts = p.draws.iter().map(|d| (d.server, d.normal[side.ix()] * share)).collect();
                let (who, _) = difference(inv, parts, (normal - cap) * share);
                out.push(
                    Finding::new(
                        Code::PowerFeedOverload,
                        feed.loc,
                        format!(
                            "feed `{}` (side {} of rack `{rk}`) carries {} in normal operation, over its capacity of {}",
                            feed.id,
                            side.as_str(),
                            w(normal * share),
                            w(feed.capacity_w())
                        ),
                    )
                    .object("feed", &feed.id)
                    .hint(format!("move {who} to another rack, or give the side a larger breaker")),
                );
            } else if p.has(lost) && on_loss > cap {
                // What falls over from the lost side: the other halves of multi-PSU machines.
                let parts = p
                    .draws
                    .iter()
                    .map(|d| (d.server, (d.on_loss[side.ix()] - d.normal[side.ix()]) * share))
                    .collect();
                let (who, n) = difference(inv, parts, (on_loss - cap) * share);
                out.push(
                    Finding::new(
                        Code::PowerFeedLoss,
                        feed.loc,
                        format!(
                            "if side {} of rack `{rk}` fails, feed `{}` (side {}) carries {}, over its capacity of {}",
                            lost.as_str(),
                            feed.id,
                            side.as_str(),
                            w(on_loss * share),
                            w(feed.capacity_w())
                        ),
                    )
                    .object("feed", &feed.id)
                    .hint(format!(
                        "{who} {} the difference: move {} to another rack, give single-PSU machines of side {} the load instead, or raise the breaker of `{}`",
                        if n == 1 { "makes" } else { "make" },
                        if n == 1 { "it" } else { "one" },
                        lost.as_str(),
                        feed.id
                    )),
                );
            }
        }
    }
}

fn sides_missing(inv: &Inventory, rack: RackId, p: &RackPower, out: &mut Vec<Finding>) {
    let r = inv.rack(rack);
    for side in Side::BOTH {
        if p.has(side) {
            continue;
        }
        let other = side.other();
        let dual: Vec<&str> = p
            .draws
            .iter()
            .map(|d| inv.server(d.server))
            .filter(|s| s.psus >= 2)
            .map(|s| s.id.as_str())
            .collect();
        if !dual.is_empty() {
            out.push(
                Finding::new(
                    Code::FeedSideMissing,
                    r.loc,
                    format!(
                        "rack `{}` has feeds on side {} only, but {} {} two PSUs: a feed loss takes {}",
                        r.id,
                        other.as_str(),
                        text::backticked(&dual),
                        if dual.len() == 1 { "has" } else { "have" },
                        if dual.len() == 1 { "it" } else { "them all" },
                    ),
                )
                .object("rack", &r.id)
                .hint(format!("add a side {} [[feed]] to the rack", side.as_str())),
            );
        }
        for d in &p.draws {
            let sv = inv.server(d.server);
            if sv.psus == 1 && sv.feed_side == side {
                out.push(
                    Finding::new(
                        Code::FeedSideMissing,
                        sv.field_locs.feed_side.unwrap_or(sv.loc),
                        format!(
                            "`{}` is plugged into side {} of rack `{}`, which has no side {} feed",
                            sv.id,
                            side.as_str(),
                            r.id,
                            side.as_str()
                        ),
                    )
                    .object("server", &sv.id)
                    .hint(format!(
                        "set `feed_side = \"{}\"`, or add a side {} feed",
                        other.as_str(),
                        side.as_str()
                    )),
                );
            }
        }
    }
}

fn weight(inv: &Inventory, rack: RackId, out: &mut Vec<Finding>) {
    let r = inv.rack(rack);
    let Some(max) = r.max_weight_kg else { return };
    let mut parts: Vec<(ServerId, f64)> = inv
        .server_ids()
        .filter(|&s| inv.server(s).mount.is_some_and(|m| m.rack == rack))
        .map(|s| (s, inv.server(s).weight_kg.unwrap_or(0.0)))
        .collect();
    let total: f64 = parts.iter().map(|p| p.1).sum();
    if total <= max {
        return;
    }
    parts.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut sum = 0.0;
    let mut names = Vec::new();
    for (s, x) in parts {
        if sum >= total - max {
            break;
        }
        sum += x;
        names.push(format!("`{}` ({x} kg)", inv.server(s).id));
    }
    out.push(
        Finding::new(
            Code::RackWeight,
            r.loc,
            format!("the machines in rack `{}` weigh {total} kg, over its max_weight_kg of {max} kg", r.id),
        )
        .object("rack", &r.id)
        .hint(format!("move {} to another rack", names.join(", "))),
    );
}

/// A service whose replicas all go dark when one side of one rack fails.
fn spof(inv: &Inventory, power: &[RackPower], out: &mut Vec<Finding>) {
    for sid in inv.service_ids() {
        let s = inv.service(sid);
        if s.runs_on.len() < 2 || s.partial {
            continue;
        }
        let hosts: Vec<ServerId> = s.runs_on.iter().map(|&r| inv.physical(r)).collect();
        let Some(rack) = inv.server(hosts[0]).mount.map(|m| m.rack) else { continue };
        if !has_feeds(power, rack)
            || hosts.iter().any(|&h| inv.server(h).mount.is_none_or(|m| m.rack != rack))
        {
            continue;
        }
        let p = &power[rack.ix()];
        for side in Side::BOTH {
            let dark: Vec<ServerId> = p.dark(side).collect();
            if hosts.iter().all(|h| dark.contains(h)) {
                out.push(
                    Finding::new(
                        Code::ServiceSpofFeed,
                        s.loc,
                        format!(
                            "if side {} of rack `{}` fails, all {} replicas of `{}` go dark",
                            side.as_str(),
                            inv.rack(rack).id,
                            s.runs_on.len(),
                            s.id
                        ),
                    )
                    .object("service", &s.id)
                    .hint("give the replicas' machines a second PSU, or plug one into the other side"),
                );
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Code;
    use crate::testutil::{codes_of, findings_of};
    use proptest::prelude::*;

    const RACK: &str = "[[site]]\nid = \"s\"\n[[rack]]\nid = \"r\"\nsite = \"s\"\nunits = 42\n";

    fn feed(id: &str, side: &str, volts: u32, amps: u32, extra: &str) -> String {
        format!(
            "[[feed]]\nid = \"{id}\"\nrack = \"r\"\nside = \"{side}\"\nvolts = {volts}\namps = {amps}\n{extra}"
        )
    }

    fn machine(id: &str, unit: u32, watts: u32, psus: u32, side: &str) -> String {
        format!(
            "[[server]]\nid = \"{id}\"\nsite = \"s\"\nrack = \"r\"\nunit = {unit}\npower_w = {watts}\npsus = {psus}\nfeed_side = \"{side}\"\n"
        )
    }

    #[test]
    fn capacity_single_and_three_phase() {
        let inv = crate::testutil::checked_of(&format!(
            "{RACK}{}{}",
            feed("a", "a", 208, 30, ""),
            feed("b", "b", 400, 16, "phase = \"three\"\nmax_utilization = 100\n")
        ))
        .inventory;
        assert!((inv.feeds[0].capacity_w() - 4992.0).abs() < 1e-9);
        assert!((inv.feeds[1].capacity_w() - 400.0 * 16.0 * 3f64.sqrt()).abs() < 1e-9);
    }

    #[test]
    fn dual_psus_split_and_fall_over() {
        let d = draw(ServerId(0), 400.0, 2, Side::A, [true, true]);
        assert_eq!((d.normal, d.on_loss, d.only), ([200.0, 200.0], [400.0, 400.0], None));
        // One side only: everything on it.
        let d = draw(ServerId(0), 400.0, 2, Side::A, [false, true]);
        assert_eq!((d.normal, d.only), ([0.0, 400.0], Some(Side::B)));
    }

    #[test]
    fn single_psus_go_dark_with_their_side() {
        let d = draw(ServerId(0), 300.0, 1, Side::B, [true, true]);
        assert_eq!((d.normal, d.on_loss, d.only), ([0.0, 300.0], [0.0, 300.0], Some(Side::B)));
        // Plugged into a side with no feed: counted where it can be.
        let d = draw(ServerId(0), 300.0, 1, Side::B, [true, false]);
        assert_eq!(d.only, Some(Side::A));
    }

    #[test]
    fn fine_normally_but_not_on_the_loss_of_a_side() {
        // 2 x 1000 W feeds (100 V x 12.5 A x 80%); two dual-PSU machines of 600 W: 600 W per
        // side normally, 1200 W on the survivor.
        let f = feed("fa", "a", 100, 25, "max_utilization = 40\n")
            + &feed("fb", "b", 100, 25, "max_utilization = 40\n");
        let inv = format!("{RACK}{f}{}{}", machine("m1", 1, 600, 2, "a"), machine("m2", 2, 600, 2, "a"));
        assert_eq!(codes_of(&inv), vec![Code::PowerFeedLoss, Code::PowerFeedLoss]);
        let found = findings_of(&inv);
        assert!(
            found[0].message.contains(
                "if side b of rack `r` fails, feed `fa` (side a) carries 1200 W, over its capacity of 1000 W"
            ),
            "{}",
            found[0].message
        );
        // Single-PSU machines instead: they go dark, the survivor carries only its own.
        let inv = format!("{RACK}{f}{}{}", machine("m1", 1, 600, 1, "a"), machine("m2", 2, 600, 1, "b"));
        assert_eq!(codes_of(&inv), vec![]);
    }

    #[test]
    fn a_side_shares_its_load_by_capacity() {
        // Side a: 2000 W + 1000 W; 2400 W of single-PSU load fits, 3100 W does not (both feeds).
        let f = feed("a1", "a", 100, 25, "")
            + &feed("a2", "a", 100, 25, "max_utilization = 40\n")
            + &feed("b", "b", 100, 50, "");
        let ok = format!("{RACK}{f}{}{}", machine("m1", 1, 1200, 1, "a"), machine("m2", 2, 1200, 1, "a"));
        assert_eq!(codes_of(&ok), vec![]);
        let over = format!("{RACK}{f}{}{}", machine("m1", 1, 1600, 1, "a"), machine("m2", 2, 1500, 1, "a"));
        assert_eq!(codes_of(&over), vec![Code::PowerFeedOverload, Code::PowerFeedOverload]);
    }

    #[test]
    fn weight_and_missing_sides() {
        let rack = RACK.replace("units = 42\n", "units = 42\nmax_weight_kg = 50\n");
        let heavy = format!(
            "{rack}[[server]]\nid = \"a\"\nsite = \"s\"\nrack = \"r\"\nunit = 1\nweight_kg = 30\n[[server]]\nid = \"b\"\nsite = \"s\"\nrack = \"r\"\nunit = 2\nweight_kg = 25.5\n"
        );
        assert_eq!(codes_of(&heavy), vec![Code::RackWeight]);
        let one_side = format!("{RACK}{}{}", feed("fa", "a", 230, 16, ""), machine("m", 1, 100, 2, "a"));
        assert_eq!(codes_of(&one_side), vec![Code::FeedSideMissing]);
        let wrong_side = format!("{RACK}{}{}", feed("fa", "a", 230, 16, ""), machine("m", 1, 100, 1, "b"));
        assert_eq!(codes_of(&wrong_side), vec![Code::FeedSideMissing]);
    }

    #[test]
    fn a_service_on_one_side_of_one_rack() {
        let f = feed("fa", "a", 230, 16, "") + &feed("fb", "b", 230, 16, "");
        let svc = "[[service]]\nid = \"x\"\nruns_on = [\"m1\", \"m2\"]\n";
        let same =
            format!("{RACK}{f}{}{}{svc}", machine("m1", 1, 100, 1, "a"), machine("m2", 2, 100, 1, "a"));
        assert_eq!(codes_of(&same), vec![Code::ServiceSpofFeed, Code::ServiceSpofRack]);
        let split =
            format!("{RACK}{f}{}{}{svc}", machine("m1", 1, 100, 1, "a"), machine("m2", 2, 100, 1, "b"));
        assert_eq!(codes_of(&split), vec![Code::ServiceSpofRack]);
    }

    #[test]
    fn bad_values_are_invalid_at_the_field() {
        // (the bad line, the code, the text the finding points at)
        let cases = [
            ("volts = -1", Code::InvalidValue, "-1"),
            ("volts = 0", Code::InvalidValue, "0"),
            ("amps = 0", Code::InvalidValue, "0"),
            ("amps = -16", Code::InvalidValue, "-16"),
            ("amps = nan", Code::InvalidValue, "nan"),
            ("max_utilization = 120", Code::InvalidValue, "120"),
            ("max_utilization = 0", Code::InvalidValue, "0"),
            ("side = \"c\"", Code::InvalidValue, "\"c\""),
            ("phase = \"two\"", Code::InvalidValue, "\"two\""),
            ("rack = \"nope\"", Code::UnknownReference, "\"nope\""),
        ];
        for (bad, code, at) in cases {
            let key = bad.split(' ').next().unwrap_or("");
            let base = feed("f", "a", 230, 16, "max_utilization = 80\nphase = \"single\"\n");
            let f: String =
                base.lines().filter(|l| !l.starts_with(key)).map(|l| format!("{l}\n")).collect::<String>()
                    + bad
                    + "\n";
            let text = format!("{RACK}{f}");
            let found = findings_of(&text);
            assert_eq!(found.len(), 1, "{bad}: {found:?}");
            assert_eq!(found[0].code, code, "{bad}");
            let loc = found[0].loc.expect("a location");
            assert_eq!(
                &text[loc.start as usize..loc.end as usize],
                at,
                "{bad}: the finding points at the value"
            );
        }
        for (bad, at) in [("psus = 0", "0"), ("psus = -2", "-2"), ("feed_side = \"c\"", "\"c\"")] {
            let key = bad.split(' ').next().unwrap_or("");
            let m: String = machine("m", 1, 100, 1, "a")
                .lines()
                .filter(|l| !l.starts_with(key))
                .map(|l| format!("{l}\n"))
                .collect::<String>()
                + bad
                + "\n";
            let text = format!("{RACK}{m}");
            let found = findings_of(&text);
            assert_eq!(found.iter().map(|f| f.code).collect::<Vec<_>>(), vec![Code::InvalidValue], "{bad}");
            let loc = found[0].loc.expect("a location");
            assert_eq!(&text[loc.start as usize..loc.end as usize], at, "{bad}");
        }
        // A weight below 0.
        let text =
            format!("{RACK}[[server]]\nid = \"m\"\nsite = \"s\"\nrack = \"r\"\nunit = 1\nweight_kg = -3\n");
        let found = findings_of(&text);
        assert_eq!(found.iter().map(|f| f.code).collect::<Vec<_>>(), vec![Code::InvalidValue]);
        let loc = found[0].loc.expect("a location");
        assert_eq!(&text[loc.start as usize..loc.end as usize], "-3");
    }

    /// The outage of `loss` in the one rack of `text`, with the dark machines' ids.
    fn outage_of(text: &str, loss: impl Fn(&Inventory) -> Loss) -> (Outage, Vec<String>) {
        let inv = crate::testutil::checked_of(text).inventory;
        let p = &racks(&inv)[0];
        let o = outage(&inv, p, loss(&inv));
        let dark = o.dark.iter().map(|&m| inv.server(m).id.clone()).collect();
        (o, dark)
    }

    #[test]
    fn a_lost_side_darkens_its_single_psu_machines_only() {
        // 2 x 2944 W (230 V x 16 A x 80 %), breakers 3680 W.
        let f = feed("fa", "a", 230, 16, "") + &feed("fb", "b", 230, 16, "");
        let inv = format!(
            "{RACK}{f}{}{}{}",
            machine("d", 1, 1000, 2, "a"),
            machine("sa", 2, 300, 1, "a"),
            machine("sb", 3, 300, 1, "b")
        );
        let (o, dark) = outage_of(&inv, |_| Loss::Side(Side::A));
        assert_eq!(dark, vec!["sa"]);
        assert_eq!(o.dead, [true, false]);
        assert_eq!(o.survivors.len(), 1);
        assert!((o.survivors[0].load - 1300.0).abs() < 1e-9);
        assert!(o.trips.is_empty());
    }

    #[test]
    fn over_capacity_holds_over_the_rating_trips() {
        // Side b alone would carry 3000 W + 100 W: over its 2944 W capacity, within 3680 W.
        let f = feed("fa", "a", 230, 16, "") + &feed("fb", "b", 230, 16, "");
        let holds = format!("{RACK}{f}{}{}", machine("d", 1, 3000, 2, "a"), machine("s", 3, 100, 1, "b"));
        let (o, dark) = outage_of(&holds, |inv| Loss::Feed(inv.index.feeds["fa"]));
        assert_eq!(dark, Vec::<String>::new());
        assert!(o.survivors[0].load > o.survivors[0].capacity && o.trips.is_empty());
        // 3800 W falls on side b: over its breaker, it trips too, and everything goes dark.
        let trips = format!("{RACK}{f}{}{}", machine("d", 1, 3700, 2, "a"), machine("s", 3, 100, 1, "b"));
        let (o, dark) = outage_of(&trips, |inv| Loss::Feed(inv.index.feeds["fa"]));
        assert_eq!(dark, vec!["d", "s"]);
        assert_eq!((o.dead, o.trips.len(), o.survivors.len()), ([true, true], 1, 0));
        assert!((o.trips[0].load - 3800.0).abs() < 1e-9 && (o.trips[0].rating - 3680.0).abs() < 1e-9);
    }

    #[test]
    fn a_feed_of_a_shared_side_leaves_its_load_to_the_others() {
        // Side a: 3680 W + 7360 W of breakers; 5000 W single-PSU on it.
        let f = feed("a1", "a", 230, 16, "") + &feed("a2", "a", 230, 32, "") + &feed("b", "b", 230, 16, "");
        let inv = format!("{RACK}{f}{}", machine("big", 1, 5000, 1, "a"));
        // a2 carries it alone (within 7360 W): nothing goes dark.
        let (o, dark) = outage_of(&inv, |inv| Loss::Feed(inv.index.feeds["a1"]));
        assert_eq!((dark.len(), o.dead), (0, [false, false]));
        // a1 cannot (3680 W): it trips too, side a is dead, `big` goes dark.
        let (o, dark) = outage_of(&inv, |inv| Loss::Feed(inv.index.feeds["a2"]));
        assert_eq!((dark, o.dead), (vec!["big".to_owned()], [true, false]));
    }

    /// A rack: side capacities, and machines as (watts, psus, side).
    fn rack_strategy() -> impl Strategy<Value = ([f64; 2], Vec<(f64, u32, Side)>)> {
        let machine = (0u32..2000, 1u32..=2, any::<bool>())
            .prop_map(|(w, p, b)| (f64::from(w), p, if b { Side::B } else { Side::A }));
        ((500u32..8000, 500u32..8000), prop::collection::vec(machine, 0..12))
            .prop_map(|((a, b), m)| ([f64::from(a), f64::from(b)], m))
    }

    fn power(cap: [f64; 2], machines: &[(f64, u32, Side)]) -> RackPower {
        let mut p = RackPower { capacity: cap, ..RackPower::default() };
        p.feeds = [vec![FeedId(0)], vec![FeedId(1)]];
        for (i, &(w, psus, side)) in machines.iter().enumerate() {
            p.draws.push(draw(ServerId::from_ix(i), w, psus, side, [true, true]));
        }
        p
    }

    /// The sides whose feeds a finding would name: (overloaded, over on loss).
    fn errors(p: &RackPower) -> Vec<(Side, bool)> {
        let mut out = Vec::new();
        for s in Side::BOTH {
            if p.normal(s) > p.capacity[s.ix()] {
                out.push((s, false));
            } else if p.on_loss(s) > p.capacity[s.ix()] {
                out.push((s, true));
            }
        }
        out
    }

    proptest! {
        /// More load never removes a finding: sides' loads only grow.
        #[test]
        fn adding_load_never_removes_a_finding((cap, machines) in rack_strategy(), extra in (1u32..3000, 1u32..=2, any::<bool>())) {
            let before = power(cap, &machines);
            let mut more = machines.clone();
            more.push((f64::from(extra.0), extra.1, if extra.2 { Side::B } else { Side::A }));
            let after = power(cap, &more);
            for s in Side::BOTH {
                prop_assert!(after.normal(s) >= before.normal(s) && after.on_loss(s) >= before.on_loss(s));
            }
            for (s, _) in errors(&before) {
                prop_assert!(errors(&after).iter().any(|e| e.0 == s), "side {s:?} lost its finding");
            }
        }

        /// A second PSU never adds a power-feed-loss on the side the machine was plugged into,
        /// and never makes a machine go dark.
        #[test]
        fn a_second_psu_never_hurts_its_own_side((cap, machines) in rack_strategy(), pick in any::<prop::sample::Index>()) {
            prop_assume!(!machines.is_empty());
            let i = pick.index(machines.len());
            prop_assume!(machines[i].1 == 1);
            let before = power(cap, &machines);
            let mut dual = machines.clone();
            dual[i].1 = 2;
            let after = power(cap, &dual);
            let side = machines[i].2;
            let loss = |p: &RackPower| errors(p).contains(&(side, true));
            prop_assert!(!loss(&after) || loss(&before) || errors(&before).contains(&(side, false)));
            // What goes dark with a side only shrinks (so no service-spof-feed can appear).
            for s in Side::BOTH {
                let was: Vec<ServerId> = before.dark(s).collect();
                prop_assert!(after.dark(s).all(|m| was.contains(&m)));
            }
        }

        /// The same two properties on whole inventories, as `dcplan check` reports them: more
        /// load keeps every power finding of a feed (power-feed-loss may become the stronger
        /// power-feed-overload); a second PSU never adds a service-spof-feed.
        #[test]
        fn findings_follow_load_and_psus(
            amps in (1u32..30, 1u32..30),
            machines in prop::collection::vec((0u32..2500, 1u32..=2, any::<bool>()), 2..7),
            extra in (1u32..2500, 1u32..=2, any::<bool>()),
            pick in any::<prop::sample::Index>(),
        ) {
            let text = |ms: &[(u32, u32, bool)]| {
                let mut t = format!("{RACK}{}{}", feed("fa", "a", 230, amps.0, ""), feed("fb", "b", 230, amps.1, ""));
                for (i, &(w, psus, b)) in (1u32..).zip(ms) {
                    t += &machine(&format!("m{}", i - 1), i, w, psus, if b { "b" } else { "a" });
                }
                // One service on the first two machines.
                t + "[[service]]\nid = \"svc\"\nruns_on = [\"m0\", \"m1\"]\n"
            };
            let power_objects = |t: &str| -> Vec<String> {
                findings_of(t)
                    .into_iter()
                    .filter(|f| matches!(f.code, Code::PowerFeedLoss | Code::PowerFeedOverload))
                    .filter_map(|f| f.object)
                    .collect()
            };
            let spofs = |t: &str| findings_of(t).iter().filter(|f| f.code == Code::ServiceSpofFeed).count();
            let before = text(&machines);
            let mut more = machines.clone();
            more.push(extra);
            let kept = power_objects(&text(&more));
            for feed in power_objects(&before) {
                prop_assert!(kept.contains(&feed), "{} lost its finding", feed);
            }
            let i = pick.index(machines.len());
            let mut dual = machines.clone();
            dual[i].1 = 2;
            prop_assert!(spofs(&text(&dual)) <= spofs(&before));
        }
    }

    /// The example move: once every machine stands where the plan placed it (the heaviest state
    /// of every destination rack: racks only gain machines), no rack has a power or weight error,
    /// although `cv-r05` could not carry all of its rack_map source rack.
    #[test]
    fn the_example_plan_keeps_destination_racks_powered() {
        let mut checked = crate::check_inventory(crate::load::Root::Disk("inventory".into())).unwrap();
        let text = std::fs::read_to_string("plans/move-to-cv.toml").unwrap();
        let file = checked.sources.add("plans/move-to-cv.toml".into(), text);
        let (plan, _) = crate::plan::spec::load(file, &checked.sources, &checked.inventory);
        let outcome = crate::plan::plan(&checked, plan.unwrap());
        assert!(!outcome.batches.is_empty());
        let mut inv = checked.inventory.clone();
        let to = inv.index.sites["cv"];
        for p in outcome.batches.iter().flat_map(|b| &b.placements) {
            let sv = &mut inv.servers[p.server.ix()];
            sv.mount = Some(crate::model::Mount { rack: p.rack, unit: p.unit });
            sv.site = Some(to);
        }
        let mut found = Vec::new();
        check(&inv, &mut found);
        assert_eq!(found, vec![]);
        let r05 = inv.index.racks["cv-r05"];
        let from_a03 = checked.inventory.index.racks["ids-a03"];
        let mapped = outcome
            .batches
            .iter()
            .flat_map(|b| &b.placements)
            .filter(|p| checked.inventory.server(p.server).mount.is_some_and(|m| m.rack == from_a03));
        assert!(
            mapped.clone().any(|p| p.rack != r05),
            "cv-r05 took all of ids-a03: the test no longer shows a diversion"
        );
    }

    /// Why the "a second PSU never adds power-feed-loss" cannot hold under this model: the
    /// machine's draw now also falls on the other side when its own side fails.
    #[test]
    fn a_second_psu_can_overload_the_other_side_on_loss() {
        let before = power([1000.0, 500.0], &[(800.0, 1, Side::A)]);
        let after = power([1000.0, 500.0], &[(800.0, 2, Side::A)]);
        assert_eq!(errors(&before), vec![]);
        assert_eq!(errors(&after), vec![(Side::B, true)]);
    }
}
