//! Batching: the lower bound, a list-scheduling heuristic, and an exact search that proves the
//! fewest batches on small moves.
//!
//! A schedule gives every group a batch (0-based here, 1-based in output). The exact search
//! enumerates set partitions of the groups into at most B bins (each group goes to a used bin
//! or the first empty one, so no partition is seen twice), pruned by capacity and R3; R4 is
//! then an ordering question over the bins, which a greedy answers exactly: a bin can go next
//! when every dependency of its services is met by the bins before it and itself, and placing
//! a bin never makes another bin less ready.

use crate::plan::problem::Problem;

/// Why a schedule is not valid, or why no schedule exists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Conflict {
    /// A group alone exceeds a batch (R1/R2).
    GroupTooBig {
        /// The group.
        group: usize,
    },
    /// A group carries more replicas of a service than may be in transit at once (R3/R2).
    GroupBreaksR3 {
        /// The group.
        group: usize,
        /// The service (index into the problem's services).
        service: usize,
    },
    /// Dependencies that cannot be ordered (R4, with R3 spreading replicas).
    DependencyDeadlock {
        /// The services involved.
        services: Vec<usize>,
        /// The groups involved.
        groups: Vec<usize>,
    },
}

/// A schedule and what is known about it.
#[derive(Clone, Debug)]
pub struct Schedule {
    /// Batch of each group, from 0.
    pub batch: Vec<u32>,
    /// Number of batches.
    pub batches: u32,
    /// The lower bound that was proven.
    pub lower_bound: u32,
    /// The batch count is proven minimal.
    pub optimal: bool,
}

/// For service `t`, the batch after which `need` of its moving replicas are at the destination,
/// with `batch_of` giving each group's batch.
pub fn ready_batch(p: &Problem, t: usize, batch_of: impl Fn(usize) -> u32) -> u32 {
    let s = &p.services[t];
    let mut per: Vec<(u32, u32)> = s.moving.iter().map(|&(g, c)| (batch_of(g), c)).collect();
    per.sort_unstable();
    let mut done = 0;
    for (b, c) in per {
        done += c;
        if done >= s.need {
            return b;
        }
    }
    0
}

/// Checks R1, R3 and R4 for a complete schedule; `None` when valid.
pub fn violation(p: &Problem, batch: &[u32]) -> Option<String> {
    let nb = batch.iter().copied().max().map_or(0, |m| m + 1) as usize;
    let mut servers = vec![0u32; nb];
    let mut units = vec![0u32; nb];
    for (g, grp) in p.groups.iter().enumerate() {
        servers[batch[g] as usize] += grp.machines.len() as u32;
        units[batch[g] as usize] += grp.units;
    }
    for b in 0..nb {
        if servers[b] > p.max_servers || units[b] > p.max_units {
            return Some(format!("batch {} holds {} machines / {} U", b + 1, servers[b], units[b]));
        }
    }
    for (si, s) in p.services.iter().enumerate() {
        if let Some(cap) = s.cap {
            let mut per = vec![0u32; nb];
            for &(g, c) in &s.moving {
                per[batch[g] as usize] += c;
            }
            if let Some(b) = per.iter().position(|&c| c > cap) {
                return Some(format!("service #{si}: {} replicas in transit in batch {}", per[b], b + 1));
            }
        }
        if p.dependencies_first {
            for &t in &s.deps {
                let ready = ready_batch(p, t, |g| batch[g]);
                if let Some(&(g, _)) = s.moving.iter().find(|&&(g, _)| batch[g] < ready) {
                    return Some(format!(
                        "service #{si} moves group {g} before its dependency #{t} is ready"
                    ));
                }
            }
        }
    }
    None
}

/// Weighted downtime of a schedule: per service, the batches in which fewer than min_up of
/// its replicas are up, times its weight.
pub fn downtime(p: &Problem, batch: &[u32]) -> u64 {
    let mut total = 0u64;
    let mut per: Vec<(u32, u32)> = Vec::new();
    for s in &p.services {
        per.clear();
        for &(g, c) in &s.moving {
            match per.iter_mut().find(|x| x.0 == batch[g]) {
                Some(e) => e.1 += c,
                None => per.push((batch[g], c)),
            }
        }
        let down = per.iter().filter(|&&(_, c)| s.n.saturating_sub(c) < s.min_up).count() as u64;
        total += down * u64::from(s.weight);
    }
    total
}

/// Checks what no schedule can fix: a group larger than a batch, or carrying too many replicas.
pub fn impossible_groups(p: &Problem) -> Option<Conflict> {
    for (g, grp) in p.groups.iter().enumerate() {
        if grp.machines.len() as u32 > p.max_servers || grp.units > p.max_units {
            return Some(Conflict::GroupTooBig { group: g });
        }
    }
    for (g, list) in p.group_services.iter().enumerate() {
        for &(s, c) in list {
            if p.services[s].cap.is_some_and(|cap| c > cap) {
                return Some(Conflict::GroupBreaksR3 { group: g, service: s });
            }
        }
    }
    None
}

/// The lower bound on batches, with the earliest batch each group can be in.
pub fn lower_bound(p: &Problem) -> Result<(u32, Vec<u32>), Conflict> {
    if let Some(c) = impossible_groups(p) {
        return Err(c);
    }
    let g = p.groups.len();
    let machines = p.machines() as u32;
    let mut lb = machines.div_ceil(p.max_servers).max(p.units().div_ceil(p.max_units)).max(u32::from(g > 0));
    for s in &p.services {
        if let Some(cap) = s.cap {
            let total: u32 = s.moving.iter().map(|x| x.1).sum();
            lb = lb.max(total.div_ceil(cap));
        }
    }
    let mut est = vec![0u32; g];
    if p.dependencies_first {
        let dependents = dependents_of(p);
        let mut changed = true;
        let mut rounds = 0;
        while changed {
            changed = false;
            rounds += 1;
            // No schedule needs more batches than groups: past that the estimates only rise
            // through a dependency cycle that R3 keeps spreading out.
            if rounds > g + 2 || est.iter().any(|&e| e as usize > g) {
                return Err(deadlock(p, &est, &dependents));
            }
            for (t, waiting) in dependents.iter().enumerate() {
                if waiting.is_empty() {
                    continue;
                }
                let ready = earliest_ready(p, t, &est);
                for &s in waiting {
                    for &(grp, _) in &p.services[s].moving {
                        if est[grp] < ready {
                            est[grp] = ready;
                            changed = true;
                        }
                    }
                }
            }
        }
        lb = lb.max(est.iter().copied().max().map_or(0, |m| m + 1));
    }
    Ok((lb, est))
}

/// The smallest conflict behind a lower bound that keeps rising: a service moved a few replicas
/// at a time (R3) whose replicas share machines with services that need it first (R4); or else
/// the services and groups whose earliest batch rose highest.
fn deadlock(p: &Problem, est: &[u32], dependents: &[Vec<usize>]) -> Conflict {
    for (t, svc) in p.services.iter().enumerate() {
        let Some(cap) = svc.cap else { continue };
        if svc.need <= cap {
            continue;
        }
        // Groups of t that also carry a service waiting on t.
        let waiting: Vec<usize> = svc
            .moving
            .iter()
            .map(|x| x.0)
            .filter(|&g| p.group_services[g].iter().any(|&(s, _)| dependents[t].contains(&s)))
            .collect();
        if waiting.len() == svc.moving.len() {
            let mut services = vec![t];
            for &g in &waiting {
                services
                    .extend(p.group_services[g].iter().map(|x| x.0).filter(|s| dependents[t].contains(s)));
            }
            services.sort_unstable();
            services.dedup();
            return Conflict::DependencyDeadlock { services, groups: waiting };
        }
    }
    // Otherwise: a shortest cycle of waits through a service moved a few replicas at a time.
    // Edge h -> g: g carries a service waiting on a service that h carries.
    let mut graph: petgraph::graph::DiGraph<usize, (usize, usize)> = petgraph::graph::DiGraph::new();
    let nodes: Vec<_> = (0..p.groups.len()).map(|g| graph.add_node(g)).collect();
    for (t, svc) in p.services.iter().enumerate() {
        for &s in &dependents[t] {
            for &(h, _) in &svc.moving {
                for &(g, _) in &p.services[s].moving {
                    if g != h {
                        graph.add_edge(nodes[h], nodes[g], (t, s));
                    }
                }
            }
        }
    }
    // A component of mutually waiting groups with an edge through a service that needs more
    // replicas across than may travel at once: the smallest such, then its shortest cycle
    // through that edge.
    let component_of: Vec<usize> = {
        let mut c = vec![usize::MAX; p.groups.len()];
        for (i, scc) in petgraph::algo::tarjan_scc(&graph).iter().enumerate() {
            for n in scc {
                c[graph[*n]] = i;
            }
        }
        c
    };
    use petgraph::visit::EdgeRef;
    let rising = graph
        .edge_references()
        .filter(|e| {
            let (h, g) = (graph[e.source()], graph[e.target()]);
            let t = &p.services[e.weight().0];
            component_of[h] == component_of[g] && t.cap.is_some_and(|c| t.need > c)
        })
        .min_by_key(|e| {
            (component_of.iter().filter(|&&c| c == component_of[graph[e.source()]]).count(), e.id())
        });
    let mut groups = Vec::new();
    let mut services = Vec::new();
    if let Some(e) = rising {
        let (from, to) = (graph[e.source()], graph[e.target()]);
        services.extend([e.weight().0, e.weight().1]);
        // Shortest path to -> ... -> from inside the component closes the cycle.
        let comp = component_of[from];
        let mut prev: Vec<Option<(usize, (usize, usize))>> = vec![None; p.groups.len()];
        let mut seen = vec![false; p.groups.len()];
        let mut queue = std::collections::VecDeque::from([to]);
        seen[to] = true;
        while let Some(h) = queue.pop_front() {
            if h == from {
                break;
            }
            for e in graph.edges(nodes[h]) {
                let g = graph[e.target()];
                if !seen[g] && component_of[g] == comp {
                    seen[g] = true;
                    prev[g] = Some((h, *e.weight()));
                    queue.push_back(g);
                }
            }
        }
        let mut h = from;
        groups.push(h);
        while h != to {
            let Some((before, w)) = prev[h] else { break };
            services.extend([w.0, w.1]);
            h = before;
            groups.push(h);
        }
    } else {
        let top = est.iter().copied().max().unwrap_or(0);
        groups.extend((0..p.groups.len()).filter(|&g| est[g] == top).take(3));
        services.extend(groups.iter().flat_map(|&g| p.group_services[g].iter().map(|x| x.0)).take(4));
    }
    groups.sort_unstable();
    services.sort_unstable();
    services.dedup();
    Conflict::DependencyDeadlock { services, groups }
}

/// For each service, the services that depend on it.
pub fn dependents_of(p: &Problem) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new(); p.services.len()];
    for (s, svc) in p.services.iter().enumerate() {
        for &t in &svc.deps {
            out[t].push(s);
        }
    }
    out
}

/// Relaxation for service `t`: its groups at their earliest batches, R3 respected, nothing
/// else; the batch in which `need` replicas are across.
fn earliest_ready(p: &Problem, t: usize, est: &[u32]) -> u32 {
    let s = &p.services[t];
    let mut groups: Vec<(u32, u32)> = s.moving.iter().map(|&(g, c)| (est[g], c)).collect();
    groups.sort_unstable();
    let mut used: Vec<u32> = Vec::new();
    let mut done = 0;
    for (e, c) in groups {
        let mut b = e as usize;
        if let Some(cap) = s.cap {
            while used.get(b).copied().unwrap_or(0) + c > cap {
                b += 1;
            }
        }
        if used.len() <= b {
            used.resize(b + 1, 0);
        }
        used[b] += c;
        done += c;
        if done >= s.need {
            return b as u32;
        }
    }
    0
}

/// Running totals of one batch being filled.
#[derive(Clone)]
struct Bin {
    servers: u32,
    units: u32,
    /// Replicas in transit per service.
    svc: Vec<u32>,
}

impl Bin {
    fn new(p: &Problem) -> Bin {
        Bin { servers: 0, units: 0, svc: vec![0; p.services.len()] }
    }

    fn fits(&self, p: &Problem, g: usize) -> bool {
        let grp = &p.groups[g];
        self.servers + grp.machines.len() as u32 <= p.max_servers
            && self.units + grp.units <= p.max_units
            && p.group_services[g]
                .iter()
                .all(|&(s, c)| p.services[s].cap.is_none_or(|cap| self.svc[s] + c <= cap))
    }

    fn add(&mut self, p: &Problem, g: usize) {
        self.servers += p.groups[g].machines.len() as u32;
        self.units += p.groups[g].units;
        for &(s, c) in &p.group_services[g] {
            self.svc[s] += c;
        }
    }

    fn remove(&mut self, p: &Problem, g: usize) {
        self.servers -= p.groups[g].machines.len() as u32;
        self.units -= p.groups[g].units;
        for &(s, c) in &p.group_services[g] {
            self.svc[s] -= c;
        }
    }
}

/// List scheduling: fill one batch at a time with groups whose dependencies are met (counting
/// the batch itself), in priority order; groups of a service that must go down are pulled in
/// together; groups that wait on each other move together when they fit. Errors with the
/// conflict when nothing can be scheduled.
pub fn heuristic(p: &Problem, est: &[u32]) -> Result<Vec<u32>, Conflict> {
    // Priority: the longest tail, the earliest batch, how many replicas wait on it, its size.
    let mut dependents = vec![0u32; p.services.len()];
    for s in &p.services {
        for &t in &s.deps {
            dependents[t] += s.moving.len() as u32;
        }
    }
    let weight = |x: usize| -> u32 { p.group_services[x].iter().map(|&(s, _)| dependents[s]).sum() };
    let tails = tails(p);
    let tail = |x: usize| -> u32 { p.group_services[x].iter().map(|&(s, _)| tails[s]).max().unwrap_or(0) };
    let mut order: Vec<usize> = (0..p.groups.len()).collect();
    // Longest tail first (what must start early for the move to end early), then earliest.
    order.sort_by_key(|&x| {
        (
            std::cmp::Reverse(tail(x)),
            est[x],
            std::cmp::Reverse(weight(x)),
            std::cmp::Reverse(p.groups[x].units),
            x,
        )
    });
    let mut best = list_schedule(p, &order);
    // Restarts with the priorities shuffled among equals in tail and earliest batch: list scheduling
    // is sensitive to ties, and small moves can afford many tries. Seeded: deterministic.
    let restarts = if p.groups.len() <= EXACT_MAX_GROUPS { 200 } else { 4 };
    let mut rng = crate::synth::Rng(0x5eed);
    for _ in 0..restarts {
        let keys: Vec<u64> = (0..p.groups.len()).map(|_| rng.next()).collect();
        let mut o = order.clone();
        o.sort_by_key(|&x| (std::cmp::Reverse(tail(x)), est[x], keys[x]));
        let candidate = list_schedule(p, &o);
        let better = match (&best, &candidate) {
            (Err(_), Ok(_)) => true,
            (Ok(a), Ok(b)) => (batches_of(b), downtime(p, b)) < (batches_of(a), downtime(p, a)),
            _ => false,
        };
        if better {
            best = candidate;
        }
    }
    best
}

/// For each service, how many batches at least follow the first move of its replicas: the
/// batches its own replicas need under R3, plus the longest such tail among the services that
/// wait on it. Long tails should start early.
fn tails(p: &Problem) -> Vec<u32> {
    let dependents = dependents_of(p);
    let own: Vec<u32> = p
        .services
        .iter()
        .map(|s| match s.cap {
            Some(cap) => s.moving.iter().map(|x| x.1).sum::<u32>().div_ceil(cap),
            None => 1,
        })
        .collect();
    let mut tail = own.clone();
    // Relaxation; a cycle stops growing after as many rounds as there are services.
    for _ in 0..p.services.len().min(64) {
        let mut changed = false;
        for t in 0..p.services.len() {
            let after = dependents[t].iter().map(|&d| tail[d]).max().unwrap_or(0);
            let v = own[t] + after;
            if v > tail[t] {
                tail[t] = v;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    tail
}

fn batches_of(batch: &[u32]) -> u32 {
    batch.iter().max().map_or(0, |m| m + 1)
}

/// One list-scheduling pass in the given priority order.
fn list_schedule(p: &Problem, order: &[usize]) -> Result<Vec<u32>, Conflict> {
    let g = p.groups.len();
    let mut st = Fill { batch: vec![u32::MAX; g], across: vec![0; p.services.len()], left: g };
    let mut b = 0u32;
    while st.left > 0 {
        let mut bin = Bin::new(p);
        loop {
            if st.single_pass(p, order, &mut bin, b) {
                continue;
            }
            // Nothing more is ready alone: move groups that wait on each other together.
            let found = order
                .iter()
                .filter(|&&x| st.batch[x] == u32::MAX)
                .find_map(|&x| bundle(p, x, &st.batch, &st.across, &bin));
            match found {
                Some(set) => {
                    for y in set {
                        st.place(p, y, b, &mut bin);
                    }
                }
                None => break,
            }
        }
        if bin.servers == 0 {
            let first = *order.iter().find(|&&x| st.batch[x] == u32::MAX).expect("groups are left");
            let groups = closure(p, first, &st.batch, &st.across);
            let mut services: Vec<usize> = groups
                .iter()
                .flat_map(|&y| p.group_services[y].iter().map(|x| x.0))
                .filter(|&s| p.services[s].deps.iter().any(|&t| st.across[t] < p.services[t].need))
                .collect();
            services.sort_unstable();
            services.dedup();
            return Err(Conflict::DependencyDeadlock { services, groups });
        }
        b += 1;
    }
    Ok(st.batch)
}

/// The heuristic's progress.
struct Fill {
    batch: Vec<u32>,
    /// Replicas of each service at the destination or in the batch being filled.
    across: Vec<u32>,
    left: usize,
}

impl Fill {
    fn place(&mut self, p: &Problem, x: usize, b: u32, bin: &mut Bin) {
        self.batch[x] = b;
        self.left -= 1;
        bin.add(p, x);
        for &(s, c) in &p.group_services[x] {
            self.across[s] += c;
        }
    }

    /// One pass over the waiting groups, adding each that fits and is ready; true if any was.
    fn single_pass(&mut self, p: &Problem, order: &[usize], bin: &mut Bin, b: u32) -> bool {
        let mut added = false;
        for &x in order {
            if self.batch[x] != u32::MAX || !bin.fits(p, x) {
                continue;
            }
            if !ready(p, x, &self.across, &[x]) {
                // Groups that wait on each other go together as soon as they can.
                if let Some(set) = bundle(p, x, &self.batch, &self.across, bin) {
                    for y in set {
                        self.place(p, y, b, bin);
                    }
                    added = true;
                }
                continue;
            }
            self.place(p, x, b, bin);
            added = true;
            // Services that go down anyway: bring their other groups into this batch.
            for &(s, _) in &p.group_services[x] {
                if p.services[s].cap.is_some() {
                    continue;
                }
                for &(y, _) in &p.services[s].moving {
                    if self.batch[y] == u32::MAX && bin.fits(p, y) && ready(p, y, &self.across, &[y]) {
                        self.place(p, y, b, bin);
                    }
                }
            }
        }
        added
    }
}

/// Group `start` with the fewest waiting groups that make it ready, added one at a time (the
/// one that holds replicas of an unmet dependency and fits), or `None` if they do not fit.
fn bundle(p: &Problem, start: usize, batch: &[u32], across: &[u32], bin: &Bin) -> Option<Vec<usize>> {
    if !bin.fits(p, start) {
        return None;
    }
    let mut set = vec![start];
    // What the set adds, per service: sparse, as bundles are small and services many.
    let mut extra: Vec<(usize, u32)> = Vec::new();
    let add = |extra: &mut Vec<(usize, u32)>, g: usize| {
        for &(s, c) in &p.group_services[g] {
            match extra.iter_mut().find(|e| e.0 == s) {
                Some(e) => e.1 += c,
                None => extra.push((s, c)),
            }
        }
    };
    add(&mut extra, start);
    let (mut servers, mut units) =
        (bin.servers + p.groups[start].machines.len() as u32, bin.units + p.groups[start].units);
    let have =
        |extra: &[(usize, u32)], t: usize| across[t] + extra.iter().find(|e| e.0 == t).map_or(0, |e| e.1);
    for _ in 0..p.groups.len() {
        let unmet = set.iter().flat_map(|&y| p.group_services[y].iter()).find_map(|&(s, _)| {
            p.services[s].deps.iter().copied().find(|&t| have(&extra, t) < p.services[t].need)
        });
        let Some(t) = unmet else { return Some(set) };
        let fits = |z: usize| {
            servers + p.groups[z].machines.len() as u32 <= p.max_servers
                && units + p.groups[z].units <= p.max_units
                && p.group_services[z].iter().all(|&(s, c)| {
                    let inside = bin.svc[s] + extra.iter().find(|e| e.0 == s).map_or(0, |e| e.1);
                    p.services[s].cap.is_none_or(|cap| inside + c <= cap)
                })
        };
        let next = p.services[t]
            .moving
            .iter()
            .map(|x| x.0)
            .find(|&z| batch[z] == u32::MAX && !set.contains(&z) && fits(z))?;
        servers += p.groups[next].machines.len() as u32;
        units += p.groups[next].units;
        add(&mut extra, next);
        set.push(next);
    }
    None
}

/// Whether group `x` may move now: every dependency of its services has `need` replicas across
/// (done, in this batch, or in `with`, the groups joining it).
fn ready(p: &Problem, x: usize, across: &[u32], with: &[usize]) -> bool {
    if !p.dependencies_first {
        return true;
    }
    p.group_services[x].iter().all(|&(s, _)| {
        p.services[s].deps.iter().all(|&t| {
            let extra: u32 = with
                .iter()
                .flat_map(|&y| p.group_services[y].iter())
                .filter(|&&(u, _)| u == t)
                .map(|&(_, c)| c)
                .sum();
            across[t] + extra >= p.services[t].need
        })
    })
}

/// Group `x` and, transitively, the waiting groups that hold replicas of dependencies it waits
/// for.
fn closure(p: &Problem, x: usize, batch: &[u32], across: &[u32]) -> Vec<usize> {
    let mut out = vec![x];
    let mut i = 0;
    while i < out.len() {
        let y = out[i];
        i += 1;
        for &(s, _) in &p.group_services[y] {
            for &t in &p.services[s].deps {
                if across[t] >= p.services[t].need {
                    continue;
                }
                for &(z, _) in &p.services[t].moving {
                    if batch[z] == u32::MAX && !out.contains(&z) {
                        out.push(z);
                    }
                }
            }
        }
    }
    out.sort_unstable();
    out
}

/// The result of an exact search for one batch count.
enum Found {
    /// A schedule (batch per group).
    Yes(Vec<u32>),
    /// Proven impossible.
    No,
    /// The node budget ran out.
    Unknown,
}

/// Depth-first search over batch labels, groups in order of earliest batch. Capacity and R3
/// are checked exactly; R4 optimistically (replicas not yet placed may still come in time),
/// which becomes exact as services are completed, so every leaf is a valid schedule.
struct Exact<'a> {
    p: &'a Problem,
    est: &'a [u32],
    bins: Vec<Bin>,
    batch: Vec<u32>,
    order: Vec<usize>,
    /// Replicas per service per batch.
    count: Vec<Vec<u32>>,
    /// Replicas per service not yet placed.
    unplaced: Vec<u32>,
    /// Services depending on each service.
    dependents: Vec<Vec<usize>>,
    /// Units and machines of the groups not yet placed.
    left_units: u32,
    left_servers: u32,
    nodes: u64,
    budget: u64,
    best: Option<(u64, Vec<u32>)>,
    first_only: bool,
    /// A batch to try first for each group.
    hint: &'a [u32],
}

impl Exact<'_> {
    fn placed_by(&self, t: usize, b: u32) -> u32 {
        self.count[t][..=b as usize].iter().sum()
    }

    /// R4 can still hold with group `g` at batch `b` (already counted in `count`).
    fn r4_possible(&self, g: usize, b: u32) -> bool {
        let p = self.p;
        if !p.dependencies_first {
            return true;
        }
        for &(s, _) in &p.group_services[g] {
            // Its dependencies can still be ready by b.
            for &t in &p.services[s].deps {
                if self.placed_by(t, b) + self.unplaced[t] < p.services[t].need {
                    return false;
                }
            }
            // Services waiting on it can still find it ready by their earliest batch.
            for &d in &self.dependents[s] {
                let earliest =
                    p.services[d].moving.iter().map(|&(y, _)| self.batch[y]).filter(|&x| x != u32::MAX).min();
                if let Some(a) = earliest
                    && self.placed_by(s, a) + self.unplaced[s] < p.services[s].need
                {
                    return false;
                }
            }
        }
        true
    }

    /// Whether the batches cannot hold the groups left: each batch can only be filled by
    /// groups left whose earliest batch is not after it, and the room that cannot be filled
    /// that way is lost. More lost room than the slack means no schedule below.
    fn wasted(&self, i: usize) -> bool {
        let p = self.p;
        let nb = self.bins.len();
        // Machines and units of the groups left, by earliest batch.
        // In u64: limits may be as large as u32 allows, and are summed over batches.
        let mut servers_by = vec![0u64; nb];
        let mut units_by = vec![0u64; nb];
        for &g in &self.order[i..] {
            let e = (self.est[g] as usize).min(nb - 1);
            servers_by[e] += p.groups[g].machines.len() as u64;
            units_by[e] += u64::from(p.groups[g].units);
        }
        // Room in batches 0..=b beyond what the groups eligible there can take is lost.
        let (mut eligible_s, mut eligible_u) = (0u64, 0u64);
        let (mut lost_s, mut lost_u) = (0u64, 0u64);
        let (mut free_s, mut free_u) = (0u64, 0u64);
        for b in 0..nb {
            eligible_s += servers_by[b];
            eligible_u += units_by[b];
            free_s += u64::from(p.max_servers - self.bins[b].servers);
            free_u += u64::from(p.max_units - self.bins[b].units);
            lost_s = lost_s.max(free_s.saturating_sub(eligible_s));
            lost_u = lost_u.max(free_u.saturating_sub(eligible_u));
        }
        free_s < u64::from(self.left_servers) + lost_s || free_u < u64::from(self.left_units) + lost_u
    }

    /// Weighted downtime so far: batches in which a service has too few replicas up.
    fn partial_downtime(&self) -> u64 {
        let p = self.p;
        let mut total = 0;
        for (s, svc) in p.services.iter().enumerate() {
            let down =
                self.count[s].iter().filter(|&&c| c > 0 && svc.n.saturating_sub(c) < svc.min_up).count()
                    as u64;
            total += down * u64::from(svc.weight);
        }
        total
    }

    fn set(&mut self, g: usize, b: u32, on: bool) {
        let p = self.p;
        if on {
            self.bins[b as usize].add(p, g);
            self.batch[g] = b;
            self.left_units -= p.groups[g].units;
            self.left_servers -= p.groups[g].machines.len() as u32;
        } else {
            self.bins[b as usize].remove(p, g);
            self.batch[g] = u32::MAX;
            self.left_units += p.groups[g].units;
            self.left_servers += p.groups[g].machines.len() as u32;
        }
        for &(s, c) in &p.group_services[g] {
            if on {
                self.count[s][b as usize] += c;
                self.unplaced[s] -= c;
            } else {
                self.count[s][b as usize] -= c;
                self.unplaced[s] += c;
            }
        }
    }

    /// Returns false when the budget is spent.
    fn dfs(&mut self, i: usize) -> bool {
        self.nodes += 1;
        if self.nodes > self.budget {
            return false;
        }
        if let Some((best, _)) = &self.best
            && self.partial_downtime() >= *best
        {
            return true;
        }
        if i == self.order.len() {
            debug_assert!(violation(self.p, &self.batch).is_none());
            self.best = Some((self.partial_downtime(), self.batch.clone()));
            return true;
        }
        if self.wasted(i) {
            return true;
        }
        let g = self.order[i];
        let nb = self.bins.len() as u32;
        // The hinted batch first (from the heuristic), then the others from the earliest.
        let hint = self.hint.get(g).copied().filter(|&h| h >= self.est[g] && h < nb);
        let values = hint.into_iter().chain((self.est[g]..nb).filter(move |&b| Some(b) != hint));
        for b in values {
            if !self.bins[b as usize].fits(self.p, g) {
                continue;
            }
            self.set(g, b, true);
            let ok = !self.r4_possible(g, b) || self.dfs(i + 1);
            self.set(g, b, false);
            if !ok {
                return false;
            }
            if self.first_only && self.best.is_some() {
                return true;
            }
        }
        true
    }
}

fn exact(p: &Problem, est: &[u32], hint: &[u32], batches: u32, budget: u64, first_only: bool) -> Found {
    // Most constrained first: groups of services whose replicas barely fit in the batches
    // open to them under R3 (their slack), then the earliest, then the largest.
    let slack: Vec<u32> = p
        .services
        .iter()
        .map(|s| match s.cap {
            Some(cap) => {
                let first = s.moving.iter().map(|&(g, _)| est[g]).min().unwrap_or(0);
                let moving: u32 = s.moving.iter().map(|x| x.1).sum();
                (batches.saturating_sub(first) * cap).saturating_sub(moving)
            }
            None => u32::MAX,
        })
        .collect();
    let tight = |g: usize| p.group_services[g].iter().map(|&(s, _)| slack[s]).min().unwrap_or(u32::MAX);
    let mut order: Vec<usize> = (0..p.groups.len()).collect();
    order.sort_by_key(|&g| (tight(g), est[g], std::cmp::Reverse(p.groups[g].units), g));
    let dependents = dependents_of(p);
    let mut x = Exact {
        p,
        est,
        bins: vec![Bin::new(p); batches as usize],
        batch: vec![u32::MAX; p.groups.len()],
        order,
        count: vec![vec![0; batches as usize]; p.services.len()],
        unplaced: p.services.iter().map(|s| s.moving.iter().map(|x| x.1).sum()).collect(),
        dependents,
        left_units: p.units(),
        left_servers: p.machines() as u32,
        nodes: 0,
        budget,
        best: None,
        first_only,
        hint,
    };
    if est.iter().any(|&e| e >= batches) {
        return Found::No;
    }
    let complete = x.dfs(0);
    match (x.best, complete) {
        (Some((_, b)), _) => Found::Yes(b),
        (None, true) => Found::No,
        (None, false) => Found::Unknown,
    }
}

/// Node budget of the exact search: deterministic (unlike a time limit), and about 2 s on
/// this project's reference machine for 60 machines.
pub const EXACT_BUDGET: u64 = 3_000_000;

/// Moves up to this many groups are solved exactly.
pub const EXACT_MAX_GROUPS: usize = 60;

/// Schedules the move: lower bound, heuristic, then exact search on small moves.
pub fn solve(p: &Problem) -> Result<Schedule, Conflict> {
    let (lb, est) = lower_bound(p)?;
    if p.groups.is_empty() {
        return Ok(Schedule { batch: Vec::new(), batches: 0, lower_bound: 0, optimal: true });
    }
    let heur = heuristic(p, &est);
    let heur_batches = heur.as_ref().map(|b| b.iter().max().map_or(0, |m| m + 1)).ok();
    if p.groups.len() > EXACT_MAX_GROUPS {
        let batch = heur?;
        let batches = heur_batches.unwrap_or(0);
        return Ok(Schedule { batches, batch, lower_bound: lb, optimal: batches == lb });
    }
    // Exact: the smallest batch count that has a schedule, from the lower bound up.
    let top = heur_batches.unwrap_or(p.groups.len() as u32);
    let hint: Vec<u32> = heur.clone().unwrap_or_default();
    let mut budget = EXACT_BUDGET;
    let mut proven = true;
    for b in lb..top {
        match exact(p, &est, &hint, b, budget, true) {
            Found::Yes(first) => {
                // Now the least downtime at this size, within a smaller budget.
                let batch = match exact(p, &est, &first, b, EXACT_BUDGET / 4, false) {
                    Found::Yes(best) if downtime(p, &best) <= downtime(p, &first) => best,
                    _ => first,
                };
                return Ok(Schedule { batches: b, batch, lower_bound: lb, optimal: proven });
            }
            Found::No => {}
            Found::Unknown => proven = false,
        }
        budget /= 2;
    }
    match heur {
        Ok(h) => {
            // The heuristic's count is optimal if every smaller count was ruled out; improve
            // its downtime with the exact search at that size.
            let improved = match exact(p, &est, &hint, top, EXACT_BUDGET / 4, false) {
                Found::Yes(best) if downtime(p, &best) < downtime(p, &h) => best,
                _ => h,
            };
            Ok(Schedule { batches: top, batch: improved, lower_bound: lb, optimal: proven })
        }
        Err(conflict) => {
            // The heuristic gives up on joint readiness it cannot see; the exact search can.
            match exact(p, &est, &hint, p.groups.len() as u32, EXACT_BUDGET, true) {
                Found::Yes(batch) => {
                    let batches = batch.iter().max().map_or(0, |m| m + 1);
                    Ok(Schedule { batches, batch, lower_bound: lb, optimal: false })
                }
                _ => Err(conflict),
            }
        }
    }
}
