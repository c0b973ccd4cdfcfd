//! Every finding code is documented, and every inventory code has a fixture under
//! `tests/cmd/codes/` whose snapshot shows it firing; the example inventory is clean.

#![allow(clippy::unwrap_used)]

use dcplan::diag::Code;

/// Codes raised by passes that are not inventory checks (BGP, RPKI, planner) have their
/// fixtures with those passes.
fn is_inventory_code(c: Code) -> bool {
    let n = c.to_string();
    !(n.starts_with("bgp-") || n.starts_with("rpki-") || n.starts_with("plan-") || n == "dest-capacity")
}

#[test]
fn every_inventory_code_has_a_firing_fixture() {
    for &c in Code::ALL.iter().filter(|&&c| is_inventory_code(c)) {
        let stdout = format!("tests/cmd/codes/{c}.stdout");
        let text = std::fs::read_to_string(&stdout).unwrap_or_else(|_| panic!("no fixture {stdout}"));
        assert!(text.contains(&format!("\"code\": \"{c}\"")), "{stdout} does not show {c}");
        assert!(std::path::Path::new(&format!("tests/cmd/codes/{c}.in/inventory")).is_dir());
    }
}

/// BGP and RPKI codes fire in the scenarios under `tests/cmd/bgp/`.
#[test]
fn every_bgp_code_has_a_firing_scenario() {
    let mut all = String::new();
    for e in std::fs::read_dir("tests/cmd/bgp").unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "stdout") {
            all.push_str(&std::fs::read_to_string(&p).unwrap());
        }
    }
    for &c in
        Code::ALL.iter().filter(|c| c.to_string().starts_with("bgp-") || c.to_string().starts_with("rpki-"))
    {
        let json = format!("\"code\": \"{c}\"");
        let human = format!("[{c}]");
        assert!(all.contains(&json) || all.contains(&human), "no scenario under tests/cmd/bgp fires {c}");
    }
}

#[test]
fn the_example_inventory_is_clean() {
    let checked = dcplan::check_inventory(dcplan::load::Root::Disk("inventory".into())).unwrap();
    assert_eq!(checked.findings, vec![]);
    let inv = &checked.inventory;
    let physical = inv.servers.iter().filter(|s| !s.is_vm()).count();
    assert!(
        physical >= 50 && inv.services.len() >= 50,
        "{physical} machines, {} services",
        inv.services.len()
    );
}

#[test]
fn the_embedded_example_is_the_example() {
    let disk = dcplan::check_inventory(dcplan::load::Root::Disk("inventory".into())).unwrap();
    let embedded = dcplan::check_inventory(dcplan::load::Root::Embedded).unwrap();
    assert_eq!(disk.inventory.servers.len(), embedded.inventory.servers.len());
    assert_eq!(disk.inventory.services.len(), embedded.inventory.services.len());
}
