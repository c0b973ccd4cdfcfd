//! Small moves for the planner's unit tests, written as inventory TOML.

use crate::plan::problem::Problem;

/// A move of machines `m0..` (1 U each, one rack) with these services (TOML `[[service]]`
/// tables) and `max_servers` a night.
pub(crate) fn problem(machines: usize, services: &str, max_servers: u32) -> Problem {
    let mut inv = String::from(
        "[org]\nasn = 64500\n[[site]]\nid = \"o\"\n[[site]]\nid = \"n\"\n\
         [[rack]]\nid = \"o1\"\nsite = \"o\"\nunits = 42\n[[rack]]\nid = \"n1\"\nsite = \"n\"\nunits = 42\n",
    );
    for i in 0..machines {
        inv += &format!("[[server]]\nid = \"m{i}\"\nsite = \"o\"\nrack = \"o1\"\nunit = {}\n", i + 1);
    }
    inv += services;
    let mut checked = crate::testutil::checked_of(&inv);
    let text = format!("[plan]\nfrom = \"o\"\nto = \"n\"\nmax_servers = {max_servers}\nmax_units = 40\n");
    let file = checked.sources.add("p.toml".into(), text);
    let (plan, findings) = crate::plan::spec::load(file, &checked.sources, &checked.inventory);
    assert_eq!(findings, vec![]);
    Problem::new(&checked.inventory, &plan.expect("plan"))
}

/// The generated move of the benches (`Spec::measured`), `per_night` machines a night.
pub(crate) fn generated(shape: crate::synth::Shape, machines: usize, seed: u64, per_night: usize) -> Problem {
    let spec = crate::synth::Spec::measured(shape, machines, seed);
    let mut checked =
        crate::check_loaded(crate::load::load_files(crate::synth::files(spec)), &crate::Options::default());
    let file = checked.sources.add("plan.toml".into(), crate::synth::plan_toml(spec, per_night));
    let (plan, _) = crate::plan::spec::load(file, &checked.sources, &checked.inventory);
    Problem::new(&checked.inventory, &plan.expect("plan"))
}

/// One service of a random move: machines it runs on (modulo the move's), how many replicas may
/// be down, services it waits on (earlier ones only count).
pub(crate) type ServiceSpec = (Vec<usize>, usize, Vec<usize>);

/// Random small moves for property tests: up to `max_machines` machines, services for
/// [`services_toml`], and machines a night.
pub(crate) fn small_moves(
    max_machines: usize,
) -> impl proptest::strategy::Strategy<Value = (usize, Vec<ServiceSpec>, u32)> {
    use proptest::collection::vec;
    let service = (vec(0..max_machines, 1..=3), 0usize..=2, vec(0usize..8, 0..=2));
    (4..=max_machines, vec(service, 2..=8), 1u32..=4)
}

/// A random small move as TOML services over machines `m0..m{n-1}`: replicas, how many may be
/// down, and waits on earlier services only (a cycle is another test's business).
pub(crate) fn services_toml(n: usize, services: &[ServiceSpec]) -> String {
    let mut out = String::new();
    for (i, (on, down, deps)) in services.iter().enumerate() {
        let mut on: Vec<usize> = on.iter().map(|m| m % n).collect();
        on.sort_unstable();
        on.dedup();
        let min_up = on.len().saturating_sub(*down).max(1);
        let runs: Vec<String> = on.iter().map(|m| format!("\"m{m}\"")).collect();
        let mut deps: Vec<usize> = deps.iter().filter(|&&d| d < i).copied().collect();
        deps.sort_unstable();
        deps.dedup();
        let deps: Vec<String> = deps.iter().map(|d| format!("\"s{d}\"")).collect();
        out += &format!(
            "[[service]]\nid = \"s{i}\"\nruns_on = [{}]\nmin_up = {min_up}\ndepends_on = [{}]\n",
            runs.join(", "),
            deps.join(", ")
        );
    }
    out
}

/// Services: `a` on m0, `b` on m1; x (m0, m1, m2: one in transit a night) keeps m0 and m1
/// apart; a2 (m3, m4, m5) waits on a and b2 (m6, m7, m8) on b, three nights each.
pub(crate) const TWO_TAILS: &str = "[[service]]\nid = \"a\"\nruns_on = [\"m0\"]\n\
    [[service]]\nid = \"b\"\nruns_on = [\"m1\"]\n\
    [[service]]\nid = \"x\"\nruns_on = [\"m0\", \"m1\", \"m2\"]\nmin_up = 2\n\
    [[service]]\nid = \"a2\"\nruns_on = [\"m3\", \"m4\", \"m5\"]\nmin_up = 2\ndepends_on = [\"a\"]\n\
    [[service]]\nid = \"b2\"\nruns_on = [\"m6\", \"m7\", \"m8\"]\nmin_up = 2\ndepends_on = [\"b\"]\n";
