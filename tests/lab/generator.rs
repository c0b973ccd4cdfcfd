//! A seeded generator of bgpd.conf files for the lab topology: networks (some abbreviated or
//! with host bits), prefix-sets, list macros, groups or plain neighbours, families, export,
//! down, and allow/deny/match rules with quick, peers and criteria of every kind dcplan reads.

/// A small deterministic generator (xorshift), so a seed always gives the same config.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    #[expect(clippy::cast_possible_truncation, reason = "the remainder is below `n`, a `usize`")]
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const NETWORKS: &[&str] = &[
    "198.51.100.0/24",
    "198.51.100.0/25",
    "198.51.100.128/25",
    "198.51.100.1/24",
    "203.0.113.0/24",
    "198.18/22",
    "198.18.1/24",
    "10.0.0.0/8",
    "2001:db8:100::/48",
    "2001:db8:100::/44",
    "2001:DB8:200::1/48",
];

const PREFIXES: &[&str] = &[
    "198.51.100.0/24",
    "198.51.100.0/24 or-longer",
    "198.51.100.0/24 maxlen 25",
    "198.51.100.0/24 prefixlen 24 - 25",
    "203.0.113.0/24",
    "198.0.0.0/8 or-longer",
    "2001:db8:100::/44 or-longer",
    "2001:db8:100::/48",
    "10.0.0.0/8 prefixlen >= 8",
];

/// One config.
pub(crate) fn config(seed: u64) -> String {
    let mut r = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut s = String::from("AS 64500\nrouter-id 192.0.2.1\n");
    if r.chance(40) {
        s += "mine = \"{ 198.51.100.0/24 2001:db8:100::/48 }\"\n";
    } else {
        s += "mine = \"198.51.100.0/24\"\n";
    }
    s += &format!("prefix-set set1 {{ {}, {} }}\n", r.pick(PREFIXES), r.pick(PREFIXES));
    for _ in 0..1 + r.below(5) {
        let n = r.pick(NETWORKS);
        if r.chance(20) {
            s += &format!("network {n} set community 64500:{}\n", 1 + r.below(3));
        } else {
            s += &format!("network {n}\n");
        }
    }
    if r.chance(25) {
        s += "network prefix-set set1\n";
    }
    for (k, (asn, v4, v6)) in
        [(64501, "192.0.2.2", "2001:db8:ffff:1::2"), (64502, "192.0.2.6", "2001:db8:ffff:2::2")]
            .into_iter()
            .enumerate()
    {
        let mut opts = Vec::new();
        match r.below(6) {
            0 => opts.push("announce IPv6 unicast"),
            1 => opts.push("announce IPv4 none\n\tannounce IPv6 unicast"),
            _ => {}
        }
        match r.below(10) {
            0 => opts.push("export none"),
            1 => opts.push("export default-route"),
            2 => opts.push("down"),
            _ => {}
        }
        let addr = if r.chance(20) { v6 } else { v4 };
        let body: String = opts.iter().map(|o| format!("\t{o}\n")).collect();
        if r.chance(40) {
            s += &format!("group g{k} {{\n\tremote-as {asn}\n{body}\tneighbor {addr}\n}}\n");
        } else {
            s += &format!("neighbor {addr} {{\n\tremote-as {asn}\n{body}}}\n");
        }
    }
    for _ in 0..1 + r.below(4) {
        s += &rule(&mut r);
    }
    s
}

fn rule(r: &mut Rng) -> String {
    let action = r.pick(&["allow", "allow", "deny", "match"]);
    let quick = if r.chance(20) { " quick" } else { "" };
    let peer = r.pick(&["any", "ebgp", "AS 64501", "AS 64502", "{ AS 64501, AS 64502 }"]);
    let mut crit = String::new();
    match r.below(8) {
        0 => crit += &format!(" prefix {}", r.pick(PREFIXES)),
        1 => crit += " prefix-set set1",
        2 => crit += " prefix-set set1 or-longer",
        3 => crit += " prefix $mine",
        4 => {
            crit += &format!(
                " {} prefixlen {}",
                r.pick(&["inet", "inet6"]),
                r.pick(&["<= 24", "> 24", "8 - 24", "= 48"])
            )
        }
        5 => crit += &format!(" community 64500:{}", r.pick(&["1", "2", "*"])),
        6 => crit += " inet",
        _ => {}
    }
    let set = if action != "deny" && r.chance(25) { " set community 64500:2" } else { "" };
    format!("{action}{quick} to {peer}{crit}{set}\n")
}
