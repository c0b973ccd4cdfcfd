//! `dcplan bgp verify`: what the routers really send (`bgpctl -j show rib out`, `bgpctl -j show
//! neighbor`, OpenBGPD 7.x JSON, read tolerantly: missing keys are skipped) compared with what
//! the BGP engine expects of each circuit: bgp-live-missing, bgp-live-extra, bgp-session-down.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use ipnetwork::IpNetwork;
use serde_json::Value;

use super::engine::{Engine, State};
use crate::diag::{Code, Finding};
use crate::model::{Circuit, ServerId};

/// One router's live view.
#[derive(Clone, Debug, Default)]
pub(crate) struct Live {
    /// Prefixes sent, per neighbour address (`show rib out`).
    pub(crate) sent: BTreeMap<IpAddr, BTreeSet<IpNetwork>>,
    /// Sessions (`show neighbor`): address, remote AS, established. `None`: not given.
    pub(crate) sessions: Option<Vec<(IpAddr, Option<u32>, bool)>>,
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl Live {
    /// Reads `bgpctl -j show rib out` output (an empty RIB prints `{ }`, a failed query a
    /// `status`: both send nothing).
    pub(crate) fn rib_out(&mut self, json: &str) -> Result<(), String> {
        let v: Value = serde_json::from_str(json).map_err(|e| format!("not bgpctl JSON: {e}"))?;
        for r in v.get("rib").and_then(Value::as_array).into_iter().flatten() {
            let prefix = r.get("prefix").and_then(text).and_then(|p| p.parse::<IpNetwork>().ok());
            let addr =
                r.pointer("/neighbor/remote_addr").and_then(text).and_then(|a| a.parse::<IpAddr>().ok());
            if let (Some(p), Some(a)) = (prefix, addr) {
                self.sent.entry(a).or_default().insert(p);
            }
        }
        Ok(())
    }

    /// Reads `bgpctl -j show neighbor` output.
    pub(crate) fn neighbors(&mut self, json: &str) -> Result<(), String> {
        let v: Value = serde_json::from_str(json).map_err(|e| format!("not bgpctl JSON: {e}"))?;
        let list = self.sessions.get_or_insert_with(Vec::new);
        for n in v.get("neighbors").and_then(Value::as_array).into_iter().flatten() {
            let Some(addr) = n.get("remote_addr").and_then(text).and_then(|a| a.parse::<IpAddr>().ok())
            else {
                continue;
            };
            let asn = n.get("remote_as").and_then(text).and_then(|a| a.parse().ok());
            let up = n.get("state").and_then(Value::as_str) == Some("Established");
            list.push((addr, asn, up));
        }
        Ok(())
    }

    /// The live neighbour addresses of a circuit: its `neighbor` addresses, else the sessions
    /// whose remote AS is the upstream's ([`unmatched`] makes sure there are sessions to look at).
    fn addresses(&self, c: &Circuit, asn: u32) -> Vec<IpAddr> {
        if !c.neighbor.is_empty() {
            return c.neighbor.iter().map(|n| n.value).collect();
        }
        self.sessions.iter().flatten().filter(|s| s.1 == Some(asn)).map(|s| s.0).collect()
    }
}

/// What a router's live view is compared with: the circuits up in a state, and the state's name
/// for the messages (`None`: the inventory as it is).
#[derive(Clone, Copy)]
pub(crate) struct Expected<'s> {
    /// Where every machine is.
    pub(crate) state: &'s State,
    /// `after 2`, for a state of a plan.
    pub(crate) name: Option<&'s str>,
}

impl Expected<'_> {
    /// ` in `after 2``, or nothing for the inventory as it is.
    fn when(&self) -> String {
        self.name.map(|n| format!(" in `{n}`")).unwrap_or_default()
    }

    /// Who expects: `the inventory`, or `state `after 2` of the plan`.
    fn who(&self) -> String {
        self.name.map_or_else(|| "the inventory".to_owned(), |n| format!("state `{n}` of the plan"))
    }
}

/// Circuits of a router that cannot be matched to its live sessions: the ids of those up in the
/// expected state that have no `neighbor` addresses, when no `show neighbor` output was given.
/// Such a circuit is found by its upstream's AS, which only `show neighbor` tells (`show rib
/// out` names the neighbour's address, not its AS); judging it without would call every prefix
/// missing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Unmatched(pub(crate) Vec<String>);

fn unmatched(engine: &Engine<'_>, expected: Expected<'_>, router: ServerId, live: &Live) -> Unmatched {
    if live.sessions.is_some() {
        return Unmatched(Vec::new());
    }
    let inv = engine.inv;
    let ids = inv.circuits.iter().enumerate().filter(|(i, c)| {
        c.router == router
            && c.neighbor.is_empty()
            && engine.circuit_up(crate::model::CircuitId::from_ix(*i), expected.state)
    });
    Unmatched(ids.map(|(_, c)| c.id.clone()).collect())
}

/// Findings for one router: each of its circuits that is up in the expected state against the
/// live view, then what it sends to the neighbours of circuits that should be down. `Err`: some
/// circuits cannot be matched to sessions (see [`Unmatched`]).
pub(crate) fn verify(
    engine: &Engine<'_>,
    expected: Expected<'_>,
    router: ServerId,
    live: &Live,
    what: &str,
) -> Result<Vec<Finding>, Unmatched> {
    let missing = unmatched(engine, expected, router, live);
    if !missing.0.is_empty() {
        return Err(missing);
    }
    let inv = engine.inv;
    let mut out = Vec::new();
    let mut judged: BTreeSet<IpAddr> = BTreeSet::new();
    for (i, c) in inv.circuits.iter().enumerate() {
        let id = crate::model::CircuitId::from_ix(i);
        if c.router != router || !engine.circuit_up(id, expected.state) {
            continue;
        }
        let asn = inv.upstreams[c.upstream.ix()].asn;
        let addrs = live.addresses(c, asn);
        judged.extend(addrs.iter().copied());
        if let Some(sessions) = &live.sessions {
            let up = sessions.iter().any(|s| s.2 && addrs.contains(&s.0));
            if !up {
                let msg = format!(
                    "circuit `{}` should be up{}, but no session to AS{asn} ({}) is Established in {what}",
                    c.id,
                    expected.when(),
                    if addrs.is_empty() { "no neighbor of that AS".to_owned() } else { list(&addrs) }
                );
                out.push(Finding::new(Code::BgpSessionDown, c.loc, msg).object("circuit", &c.id).hint(
                    "bring the session up (`bgpctl show neighbor`), or the circuit's traffic has no way out",
                ));
                continue;
            }
        }
        let expect: BTreeSet<IpNetwork> =
            engine.anns.iter().filter(|a| a.circuit == id).map(|a| a.prefix).collect();
        let sent: BTreeSet<IpNetwork> =
            addrs.iter().filter_map(|a| live.sent.get(a)).flatten().copied().collect();
        for p in expect.difference(&sent) {
            let msg = format!(
                "circuit `{}` should announce {p} to AS{asn}{}, but {what} does not send it",
                c.id,
                expected.when()
            );
            out.push(Finding::new(Code::BgpLiveMissing, c.loc, msg).object("circuit", &c.id));
        }
        for p in sent.difference(&expect) {
            let msg = format!(
                "{what} sends {p} to AS{asn} (circuit `{}`), which {} does not expect",
                c.id,
                expected.who()
            );
            out.push(Finding::new(Code::BgpLiveExtra, c.loc, msg).object("circuit", &c.id));
        }
    }
    out.extend(sent_to_down_circuits(engine, expected, router, live, what, &judged));
    Ok(out)
}

/// bgp-live-extra for what the router sends to the `neighbor` addresses of its circuits that
/// are down in the expected state (the old site's circuit after the router moved, or every
/// circuit while it should be in the van). Only circuits with `neighbor` addresses: by AS alone,
/// a session cannot be told from the same upstream's circuit at the other site.
fn sent_to_down_circuits(
    engine: &Engine<'_>,
    expected: Expected<'_>,
    router: ServerId,
    live: &Live,
    what: &str,
    judged: &BTreeSet<IpAddr>,
) -> Vec<Finding> {
    let inv = engine.inv;
    let mut out = Vec::new();
    for (i, c) in inv.circuits.iter().enumerate() {
        let id = crate::model::CircuitId::from_ix(i);
        if c.router != router || engine.circuit_up(id, expected.state) {
            continue;
        }
        let asn = inv.upstreams[c.upstream.ix()].asn;
        let why = match expected.state.site_of.get(router.ix()).copied().flatten() {
            None => format!("`{}` is in the van", inv.server(router).id),
            Some(s) => format!(
                "`{}` is at `{}`, not at `{}`",
                inv.server(router).id,
                inv.site(s).id,
                inv.site(c.site).id
            ),
        };
        let addrs: Vec<IpAddr> = c.neighbor.iter().map(|n| n.value).filter(|a| !judged.contains(a)).collect();
        let sent: BTreeSet<IpNetwork> =
            addrs.iter().filter_map(|a| live.sent.get(a)).flatten().copied().collect();
        for p in sent {
            let msg = format!(
                "{what} sends {p} to AS{asn} on circuit `{}`, which should be down{} ({why})",
                c.id,
                expected.when()
            );
            out.push(Finding::new(Code::BgpLiveExtra, c.loc, msg).object("circuit", &c.id).hint(
                "compare with the state the network is in (`--state`), or shut the circuit's sessions down",
            ));
        }
    }
    out
}

fn list(addrs: &[IpAddr]) -> String {
    addrs.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn captured(name: &str) -> String {
        std::fs::read_to_string(format!("{}/tests/lab/captured/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    /// Output captured from the lab (the rendered config of `tests/lab/render`, transit-b's
    /// session marked `down`).
    #[test]
    fn captured_lab_output() {
        let checked = crate::check_inventory(crate::load::Root::Disk("tests/lab/render".into())).unwrap();
        let engine = checked.engine(&[]);
        let mut live = Live::default();
        live.rib_out(&captured("rtr-rib-out.json")).unwrap();
        live.neighbors(&captured("rtr-neighbors.json")).unwrap();
        let router = checked.inventory.index.servers["rtr"];
        let state = State::current(&checked.inventory);
        let expected = Expected { state: &state, name: None };
        let f = verify(&engine, expected, router, &live, "rtr").unwrap();
        let codes: Vec<(Code, Option<String>)> = f.iter().map(|f| (f.code, f.object.clone())).collect();
        assert_eq!(codes, vec![(Code::BgpSessionDown, Some("circuit:transit-b-lab".into()))], "{f:?}");
        // Without the neighbor file the session cannot be judged: what is missing is.
        let mut rib_only = Live::default();
        rib_only.rib_out(&captured("rtr-rib-out.json")).unwrap();
        let f = verify(&engine, expected, router, &rib_only, "rtr").unwrap();
        let codes: Vec<Code> = f.iter().map(|f| f.code).collect();
        assert_eq!(codes, vec![Code::BgpLiveMissing, Code::BgpLiveMissing], "{f:?}");
    }

    /// Circuits without `neighbor` are found by the upstream's AS, which only `show neighbor`
    /// gives: without it they are refused rather than judged with no sessions (every prefix
    /// missing); with it, what the session of that AS receives is judged.
    #[test]
    fn circuits_without_neighbor_need_the_sessions() {
        let checked = crate::check_inventory(crate::load::Root::Disk("inventory".into())).unwrap();
        let engine = checked.engine(&[]);
        let router = checked.inventory.index.servers["rtr1"];
        let state = State::current(&checked.inventory);
        let expected = Expected { state: &state, name: None };
        let mut live = Live::default();
        let sent = r#"{"rib":[{"prefix":"198.18.0.0/22","neighbor":{"remote_addr":"192.0.2.2"}}]}"#;
        live.rib_out(sent).unwrap();
        let err = verify(&engine, expected, router, &live, "rtr1").unwrap_err();
        assert_eq!(err, Unmatched(vec!["transit-a-ids".to_owned()]));
        let up = r#"{"neighbors":[{"remote_addr":"192.0.2.2","remote_as":"64501","state":"Established"}]}"#;
        live.neighbors(up).unwrap();
        let f = verify(&engine, expected, router, &live, "rtr1").unwrap();
        assert!(f.iter().all(|f| f.code == Code::BgpLiveMissing), "{f:?}");
        assert!(!f.iter().any(|f| f.message.contains("198.18.0.0/22 ")), "{f:?}");
        assert_eq!(f.len(), 6, "{f:?}");
    }

    #[test]
    fn tolerant_reading() {
        let mut live = Live::default();
        live.rib_out("{ }").unwrap();
        live.rib_out(r#"{"status":"FAILED","error":"no such neighbor"}"#).unwrap();
        live.rib_out(r#"{"rib":[{"prefix":"198.51.100.0/24"},{"neighbor":{}},{"prefix":"x","neighbor":{"remote_addr":"y"}}]}"#)
            .unwrap();
        assert!(live.sent.is_empty());
        live.neighbors(r#"{"neighbors":[{"remote_addr":"192.0.2.1","remote_as":64501},{"state":"Idle"}]}"#)
            .unwrap();
        assert_eq!(live.sessions.as_ref().map(Vec::len), Some(1));
        assert!(live.rib_out("not json").is_err());
    }
}
