//! Findings: the one table of finding codes, and the diagnostic type every pass reports through.
//!
//! A new finding code is added in exactly one place, the `codes!` table below: its name, default
//! severity, one-line summary and the long text `dcplan explain` prints. Everything else (JSON,
//! GitHub annotations, docs) is derived from it.

use std::fmt;

use serde::Serialize;

pub(crate) mod policy;
pub(crate) mod text;

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Must be fixed: exit code 1.
    Error,
    /// Worth fixing; an error only with `--deny-warnings`.
    Warning,
    /// For information.
    Info,
}

impl Severity {
    /// The lowercase name used in every output format.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal, $sev:ident, $summary:literal, $explain:literal; )*) => {
        /// A stable finding code. Names are kebab-case and never change once released.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $( $(#[$doc])* $variant, )*
        }

        impl Code {
            /// Every code, in table order.
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            /// The kebab-case name (`ip-duplicate`).
            pub(crate) fn name(self) -> &'static str {
                match self { $( Code::$variant => $name, )* }
            }

            /// The severity a finding of this code has unless a pass says otherwise.
            pub(crate) fn default_severity(self) -> Severity {
                match self { $( Code::$variant => Severity::$sev, )* }
            }

            /// One line: when the code fires.
            pub(crate) fn summary(self) -> &'static str {
                match self { $( Code::$variant => $summary, )* }
            }

            /// What it means and how to fix it (`dcplan explain CODE`).
            pub(crate) fn explanation(self) -> &'static str {
                match self { $( Code::$variant => $explain, )* }
            }
        }
    };
}

codes! {
    /// The file is not valid TOML.
    TomlSyntax = "toml-syntax", Error,
        "the file is not valid TOML (or not UTF-8)",
        "The file could not be parsed as TOML 1.0. The location points at the first character the \
parser could not accept. Common causes: a missing closing quote or bracket, a key defined twice, \
a bare word where a string is expected (`site = ids` instead of `site = \"ids\"`), or bytes that \
are not UTF-8. Fix the syntax; nothing else in the file is checked until it parses.";
    /// A field the format does not have.
    UnknownField = "unknown-field", Error,
        "a field that the format does not have",
        "Every table of the inventory and plan formats has a fixed set of fields, so that a typo \
(`adresses`) is caught instead of silently ignored. The hint names the closest known field. \
Remove the field or correct its name; `dcplan explain` and docs/inventory.md list the fields.";
    /// Wrong type or malformed value.
    InvalidValue = "invalid-value", Error,
        "wrong type, bad CIDR or address, bad id, unit < 1, height < 1, missing field...",
        "A field has a value of the wrong type or outside its range: an id that is not \
`[a-z0-9][a-z0-9._-]*`, an address or CIDR that does not parse (or a CIDR with host bits set), \
a unit or height below 1, an unknown `kind` or `criticality`, or a required field is missing. \
The location points at the value.";
    /// Two objects of one kind share an id.
    DuplicateId = "duplicate-id", Error,
        "two objects of one kind share an id",
        "Ids are unique per kind across all files of the inventory. Both definitions are shown; \
rename or remove one. Objects of different kinds may share an id (a server and a service both \
called `dns1` is fine).";
    /// A reference to an object that does not exist.
    UnknownReference = "unknown-reference", Error,
        "a reference to a site, rack, server, service, upstream or router that does not exist",
        "A field names an object by id, but no object of that kind has the id. The hint names the \
closest existing id. Fix the spelling or add the object. A circuit's `router` must also be a \
server of kind `router`.";
    /// Two machines in the same rack unit.
    RackOverlap = "rack-overlap", Error,
        "two machines occupy the same unit of a rack",
        "A machine occupies units `unit` to `unit + height - 1` of its rack (in steps of half a unit: \
`unit = 1.5`, `height = 0.5`; a 0U machine, `height = 0`, takes none). Two machines whose \
ranges intersect cannot both be there. Move one of them to free units (`dcplan list racks` shows \
the free space).";
    /// A machine sticks out of its rack.
    RackOverflow = "rack-overflow", Error,
        "a machine sticks out of its rack (units outside the rack's numbered range)",
        "Units are numbered 1..units from the bottom, or from the rack's `starting_unit`, and from \
the top when it has `desc_units = true`; the machine's units `unit` to `unit + height - 1` go \
past the rack's first or last unit. Move the machine, or fix the rack's `units`, `starting_unit` \
or `desc_units`.";
    /// A machine's site is not its rack's site.
    RackSiteMismatch = "rack-site-mismatch", Error,
        "a machine's site is not its rack's site",
        "A machine is declared at one site but mounted in a rack of another. One of the two is \
stale: usually the machine was moved and only one field was updated.";
    /// A rack draws more than its power budget.
    RackPower = "rack-power", Error,
        "the machines in a rack draw more than its power budget",
        "The sum of `power_w` of the machines mounted in the rack (vms excluded: they draw \
through their host) exceeds the rack's `power_w`. Move a machine, or raise the budget if the \
rack's feed really allows it.";
    /// A feed over its capacity in normal operation.
    PowerFeedOverload = "power-feed-overload", Error,
        "in normal operation a feed carries more than its capacity",
        "A rack's feed carries its share of the rack's load (machines with two or more PSUs put \
half their `power_w` on each side, single-PSU machines all of it on their `feed_side`; the feeds \
of a side share its load in proportion to their capacities), and that is more than the feed's \
capacity: `volts * amps * max_utilization / 100`, times sqrt(3) for a three-phase feed. The \
breaker trips. The message names the machines that make the difference: move some to another \
rack, or give the side a larger breaker.";
    /// A feed over its capacity once the other side has failed.
    PowerFeedLoss = "power-feed-loss", Error,
        "if one side fails, a feed of the other side carries more than its capacity",
        "Racks are fed from two independent sides (A and B) so that they survive the loss of \
either. When one side fails, every machine with two or more PSUs draws all its power from the \
other side, which then carries its own load plus those machines' other halves (single-PSU \
machines of the failed side go dark). Here that load is more than a feed of the surviving side \
can carry: the loss of one feed would trip the other and take the whole rack down. Move a \
dual-PSU machine named in the message to another rack, or raise the surviving feed's breaker.";
    /// A service that one side of one rack takes down.
    ServiceSpofFeed = "service-spof-feed", Warning,
        "a service with 2+ replicas loses every replica when one side of one rack fails",
        "All replicas of the service (vms count with their host) are machines that depend on one \
feed side of the same rack: single-PSU machines plugged into that side, or machines in a rack \
that only has that side. One breaker trip takes the service down despite the replication. Give \
the machines a second PSU, plug one replica into the other side, or spread them over racks.";
    /// A rack carries more than its max_weight_kg.
    RackWeight = "rack-weight", Error,
        "the machines in a rack weigh more than its max_weight_kg",
        "The sum of `weight_kg` of the machines mounted in the rack exceeds the rack's \
`max_weight_kg` (what the rack, or the floor under it, may carry). Move the heaviest machines \
named in the hint to another rack.";
    /// A rack lacks a feed side its machines need.
    FeedSideMissing = "feed-side-missing", Warning,
        "a rack has feeds on one side only while it holds machines with psus >= 2, or a single-PSU machine's feed_side has no feed in its rack",
        "A rack whose [[feed]] entries are all on one side cannot give dual-PSU machines their \
redundancy: the loss of that feed takes them down. And a single-PSU machine whose `feed_side` \
has no feed in its rack is plugged into something the inventory does not know (it is counted \
on the side that exists). Add the missing side's feed, or correct `feed_side`.";
    /// Values filled from a machine's device type.
    DeviceTypeFilled = "device-type-filled", Info,
        "a machine's height, power_w, psus or weight_kg was filled from its device type",
        "With `--device-types PATH` (a checkout of the NetBox device-type library), a machine with \
`model = \"manufacturer/model\"` gets what it does not write from the type's file \
`device-types/<Manufacturer>/<Model>.yaml`: height from `u_height` (0 and half units too), \
power_w from the largest `maximum_draw` of its power ports (redundant supplies share the load, \
they do not add up), psus from the number of power ports, weight_kg from `weight` converted from \
its `weight_unit`. The finding lists what was filled and from which file; write a value in the \
inventory to override the type's.";
    /// A machine's written value differs from its device type's.
    DeviceTypeMismatch = "device-type-mismatch", Warning,
        "a machine's height, psus or weight_kg differs from its device type, or its power_w exceeds the type's largest power port",
        "The inventory writes a value that its device type (`model`, with `--device-types`) \
contradicts: a height, a number of power supplies or a weight (more than 0.05 kg apart) other \
than the type's, or a power_w above the largest `maximum_draw` of its power ports (a draw below \
it is a measured draw, not a conflict). The inventory's value is used. Correct it, or remove it \
to use the type's; a wrong `model` shows as several mismatches at once.";
    /// A `model` the device-type library does not have.
    DeviceTypeUnknown = "device-type-unknown", Warning,
        "a machine's model is not in the device-type library given with --device-types",
        "`model = \"manufacturer/model\"` is looked up as the library's folder and file names \
slugified (`Dell/PowerEdge R640.yaml` is `dell/poweredge-r640`; separators may differ when only \
one type matches). Nothing is filled for the machine. The hint names the closest type of the \
same manufacturer; correct `model`, or update the library checkout.";
    /// A vm with a bad host, or with physical placement.
    VmHost = "vm-host", Error,
        "a vm's host is missing, is itself a vm, or a vm has rack/unit/site",
        "A vm runs on a hypervisor named by `host`, which must be a physical machine. A vm is \
where its host is, so it has no `site`, `rack`, `unit` or `height` of its own. Conversely only \
vms have a `host`.";
    /// One address on two machines.
    IpDuplicate = "ip-duplicate", Error,
        "one address on two machines",
        "The same IP address is listed on two machines. Remove it from the one that no longer \
has it (anycast is not modelled).";
    /// An address outside our space.
    IpOutsideOwnSpace = "ip-outside-own-space", Error,
        "an address outside every [[prefix]]",
        "Every address of every machine must fall in one of the organisation's own [[prefix]] \
entries, or it cannot be announced. Add the prefix, or fix the address.";
    /// An address in another site's subnet.
    IpWrongSite = "ip-wrong-site", Error,
        "an address in a site prefix of another site than the machine's",
        "The most specific [[prefix]] with a `site` that contains the address belongs to another \
site than the machine's (for a vm: its host's). Traffic for it would be routed to the other \
site. Renumber the machine, or fix its site.";
    /// A network or broadcast address used by a host.
    IpReserved = "ip-reserved", Error,
        "the network or broadcast address of an IPv4 site prefix shorter than /31 used by a host",
        "In an IPv4 subnet shorter than /31 the first address names the network and the last is \
the broadcast address; neither can be given to a host.";
    /// Two site prefixes overlap.
    PrefixOverlap = "prefix-overlap", Error,
        "two site prefixes overlap",
        "Two [[prefix]] entries that both have a `site` share addresses, so an address in the \
overlap belongs to two subnets. Aggregates (prefixes without `site`) may contain site prefixes.";
    /// min_up is 0 or larger than the replicas.
    ServiceMinUp = "service-min-up", Error,
        "min_up is 0 or larger than the number of replicas",
        "`min_up` is how many of the service's `runs_on` replicas must be up for it to be up. It \
must be at least 1 and at most the number of replicas.";
    /// All replicas in one rack.
    ServiceSpofRack = "service-spof-rack", Warning,
        "a service with 2+ replicas has all of them in one rack",
        "The replicas of the service all sit in one rack (vms count in their host's rack), so one \
rack power or switch failure takes the service down despite the replication. Spread them.";
    /// All replicas on one hypervisor.
    ServiceSpofHost = "service-spof-host", Warning,
        "a service with 2+ replicas has all of them on one hypervisor",
        "All replicas of the service are vms on the same hypervisor: one host failure takes them \
all. Move a replica to another host.";
    /// A dependency cycle.
    DependencyCycle = "dependency-cycle", Warning,
        "services depend on each other in a cycle (the cycle is listed)",
        "The services' `depends_on` edges form a cycle, so there is no order to power them on. \
Usually one edge is a soft dependency that can be dropped; the message lists the cycle.";
    /// An in-use address with no usable announcement.
    BgpUnannounced = "bgp-unannounced", Error,
        "an in-use address is covered by no usable announcement that can reach its site",
        "No up circuit makes a usable announcement (own space, not RPKI-invalid, not too \
specific) that covers the address from a site that reaches the address's site. The address is \
unreachable from the internet.";
    /// Fewer than min_upstreams carry an address.
    BgpSingleUpstream = "bgp-single-upstream", Error,
        "an in-use address is carried by fewer than org.min_upstreams distinct upstream ASNs",
        "The address is reachable, but through fewer distinct upstream ASNs than \
`org.min_upstreams`: one upstream failure makes it unreachable. Announce its covering prefix on a \
circuit of another upstream.";
    /// The most specific announcement lands at the wrong site.
    BgpMisdirected = "bgp-misdirected", Error,
        "the most specific announcement covering an in-use address is made at a site that cannot reach it",
        "On the internet the longest matching prefix wins. A more specific announcement covering \
the address is made at a site that has no link to the address's site, so traffic is blackholed \
there even though a less specific route would have worked. Withdraw it there or add a link.";
    /// RPKI-invalid announcement.
    RpkiInvalid = "rpki-invalid", Error,
        "an announcement is RPKI-invalid under the ROAs (RFC 6811) and will be dropped",
        "A ROA covers the announced prefix but none matches both the origin AS (org.asn) and a \
max_length at least the prefix length. Networks doing route origin validation drop it. Publish a \
matching ROA or announce a prefix the ROAs allow.";
    /// No ROA covers an announcement.
    RpkiNotFound = "rpki-not-found", Warning,
        "no ROA covers an announcement",
        "No ROA covers the announced prefix (RPKI state not-found). It is accepted today, but \
publishing a ROA protects it against hijacks.";
    /// Too specific to propagate.
    BgpTooSpecific = "bgp-too-specific", Warning,
        "an announcement longer than /24 (IPv4) or /48 (IPv6): widely filtered",
        "Most networks filter IPv4 prefixes longer than /24 and IPv6 longer than /48, so this \
announcement does not carry traffic. Announce the covering /24 or /48.";
    /// Announcement of space we do not own.
    BgpNotOwn = "bgp-not-own", Error,
        "an announcement not contained in any of our own [[prefix]] entries",
        "The circuit announces a prefix outside the organisation's own space: a route leak or a \
typo. Remove it, or add the [[prefix]] if the space is really ours.";
    /// Announcement that covers nothing in use.
    BgpUnused = "bgp-unused", Info,
        "an announcement that covers no in-use address",
        "No up machine has an address in this announcement. That may be intended (space held for \
later) or a leftover.";
    /// bgpd.conf disagrees with the inventory.
    BgpConfigDrift = "bgp-config-drift", Error,
        "a router's bgpd.conf announces something else than the inventory says",
        "The circuit names a bgpd.conf, and what that config announces to the upstream's AS \
differs from the circuit's `announce` list. The config is what the router does, so the BGP \
checks use it; bring the inventory and the config back in line (`dcplan bgp render` prints the \
config lines from the inventory).";
    /// A bgpd.conf statement that is not evaluated.
    BgpConfigUnsupported = "bgp-config-unsupported", Info,
        "a bgpd.conf statement or filter criterion that dcplan does not evaluate (skipped)",
        "dcplan reads bgpd.conf far enough to know what each router announces to each neighbour \
AS: macros, AS, network, prefix-set, group and neighbor blocks, include, and the outbound \
allow/deny/match rules with prefix, prefix-set, prefixlen and inet/inet6 criteria. Other \
statements are skipped, and other criteria of an outbound rule (communities, AS paths...) are \
assumed to match. Check that the skipped line does not change what is announced.";
    /// A bgpd.conf that bgpd refuses.
    BgpConfigInvalid = "bgp-config-invalid", Error,
        "a router's bgpd.conf has a line that bgpd refuses (`bgpd -n` fails)",
        "The line is not valid for OpenBGPD 7.x: a syntax error (an operator written without \
blanks, such as `prefixlen 8-24`; a criterion bgpd does not know), a filter for a peer or group \
that is not defined, an undefined macro. bgpd refuses to load such a config, so the router keeps \
its old one. dcplan reports the line as `bgpd -n` would and uses the circuit's `announce` list \
instead of the config.";
    /// A bgpd.conf written for bgpd before 6.4.
    BgpConfigLegacy = "bgp-config-legacy", Info,
        "a router's bgpd.conf uses syntax of OpenBGPD before 6.4 and is read with that release's defaults",
        "`announce self|all|none|default-route` in a neighbor and `prefix-set NAME exact` in a \
filter are syntax of OpenBGPD before 6.4, which current bgpd refuses. Such a config is read as \
that release did: routes go out unless a rule denies them (no RFC 8212 default deny), `announce \
none` sends nothing, `announce default-route` only a default route. Update the config before \
upgrading bgpd.";
    /// An oddly written prefix in bgpd.conf.
    BgpConfigOddPrefix = "bgp-config-odd-prefix", Warning,
        "a prefix in bgpd.conf is abbreviated or has host bits set: bgpd reads it otherwise than it looks",
        "bgpd reads IPv4 addresses the old inet_aton way, so `198.18.1/24` is 198.18.0.1/24 \
(announced as 198.18.0.0/24) and `198.18/22` is 198.0.0.0/22; and it clears host bits, so \
`198.51.100.1/24` announces 198.51.100.0/24. dcplan reads them as bgpd does; write the prefix in \
full, as its network address.";
    /// A default route sent by `export default-route`.
    BgpDefaultRoute = "bgp-default-route", Info,
        "a router sends a default route to an upstream (`export default-route`)",
        "The neighbour is configured with `export default-route`: it receives a default route and \
none of our own prefixes. A default route is not our own space, so it is not drift; but the \
circuit then carries none of our prefixes.";
    /// An expected announcement is not sent.
    BgpLiveMissing = "bgp-live-missing", Error,
        "a router does not send an announcement that the inventory expects (`dcplan bgp verify`)",
        "The router's `bgpctl show rib out` has no route for a prefix that the circuit should \
announce to its upstream in the expected state (the circuit's `announce` list, or its config's \
announcements). The upstream does not carry it: check the router's config and its `network` \
lines, and reload bgpd.";
    /// An announcement is sent that is not expected.
    BgpLiveExtra = "bgp-live-extra", Warning,
        "a router sends an announcement that the inventory does not expect (`dcplan bgp verify`)",
        "The router's `bgpctl show rib out` holds a route to the circuit's upstream that the \
inventory does not expect in that state: a leftover from before the move, a leak, or an \
inventory that is behind. Withdraw it or add it to the circuit.";
    /// A circuit that should be up has no established session.
    BgpSessionDown = "bgp-session-down", Error,
        "a circuit that should be up has no Established BGP session (`dcplan bgp verify`)",
        "In the expected state the circuit is up (its router is up at the circuit's site), but \
`bgpctl show neighbor` shows no Established session to the upstream at the circuit's \
`neighbor` addresses (or, without them, to the upstream's AS). Nothing is announced through it.";
    /// A ROA expires before the move ends.
    RpkiExpiring = "rpki-expiring", Warning,
        "a ROA from the --roas export expires before the last move window (or has expired)",
        "The ROA export gives each ROA an expiry time. One that expires before the move is over \
(before now, for `dcplan check`) will stop validating the announcement unless it is renewed: \
the announcement becomes not-found, or invalid if another ROA covers it. Renew it with the RIR.";
    /// More nights than windows before the lease ends.
    PlanDeadline = "plan-deadline", Error,
        "the move needs more nights than there are windows before last_window",
        "Nights are the windows from `first_window` every `every_days` days, skipping `blackout` \
dates; none may start after `last_window`. The plan found needs more nights than that: the \
message gives both numbers. Fit more into a night (max_servers, max_units, crew), shorten \
every_days, drop a blackout date, or negotiate a later end of the lease.";
    /// No plan satisfies the rules.
    PlanInfeasible = "plan-infeasible", Error,
        "no plan satisfies the rules (the smallest reason is named)",
        "The rules R1-R4 cannot all hold. The message names the smallest set of machines, \
services and rules in conflict and suggests a way out: a keep_together group, `order = \"any\"`, \
or larger batches (max_servers / max_units).";
    /// Destination too small.
    DestCapacity = "dest-capacity", Error,
        "the destination racks cannot hold the machines to move",
        "The racks at the destination site do not have enough free contiguous units (or power \
budget) for the machines that move there. Add racks to the inventory or move fewer machines.";
}

impl Code {
    /// Looks a code up by its kebab-case name.
    pub(crate) fn from_name(name: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.name() == name)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Index of a loaded source file in [`crate::source::Sources`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

/// A byte range in a loaded source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Loc {
    /// The file.
    pub file: FileId,
    /// Byte offset of the first byte.
    pub start: u32,
    /// Byte offset one past the last byte.
    pub end: u32,
}

impl Loc {
    /// A location from a file and a byte range.
    pub(crate) fn new(file: FileId, span: std::ops::Range<usize>) -> Loc {
        let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Loc { file, start: clamp(span.start), end: clamp(span.end) }
    }
}

/// A secondary location shown with a finding ("also defined here").
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Related {
    /// Where.
    pub(crate) loc: Loc,
    /// What it is.
    pub(crate) message: String,
}

/// One finding: a code at a place, with a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The stable code.
    pub code: Code,
    /// Usually the code's default; a pass may lower it (planned degradations).
    pub severity: Severity,
    /// What is wrong, for this object.
    pub message: String,
    /// The object or field at fault; `None` when there is no file to point at.
    pub loc: Option<Loc>,
    /// `kind:id` of the object at fault, when there is one.
    pub object: Option<String>,
    /// Other places involved.
    pub(crate) related: Vec<Related>,
    /// How to fix it.
    pub hint: Option<String>,
}

impl Finding {
    /// A finding of `code` at its default severity.
    pub(crate) fn new(code: Code, loc: Loc, message: impl Into<String>) -> Finding {
        Finding {
            code,
            severity: code.default_severity(),
            message: message.into(),
            loc: Some(loc),
            object: None,
            related: Vec::new(),
            hint: None,
        }
    }

    /// A finding with no source location.
    pub(crate) fn unplaced(code: Code, message: impl Into<String>) -> Finding {
        Finding { loc: None, ..Finding::new(code, Loc::new(FileId(0), 0..0), message) }
    }

    /// Names the object at fault (`server`, `osiris` gives `server:osiris`).
    #[must_use]
    pub(crate) fn object(mut self, kind: &str, id: &str) -> Finding {
        self.object = Some(format!("{kind}:{id}"));
        self
    }

    /// Adds a related location.
    #[must_use]
    pub(crate) fn related(mut self, loc: Loc, message: impl Into<String>) -> Finding {
        self.related.push(Related { loc, message: message.into() });
        self
    }

    /// Sets the hint.
    #[must_use]
    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Finding {
        self.hint = Some(hint.into());
        self
    }

    /// Adds a hint only when there is one.
    #[must_use]
    pub(crate) fn maybe_hint(self, hint: Option<String>) -> Finding {
        match hint {
            Some(h) => self.hint(h),
            None => self,
        }
    }
}

/// Counts of findings per severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Summary {
    /// Findings of severity error.
    pub errors: usize,
    /// Findings of severity warning.
    pub warnings: usize,
    /// Findings of severity info.
    pub infos: usize,
}

impl Summary {
    /// Counts the findings.
    pub(crate) fn of(findings: &[Finding]) -> Summary {
        let mut s = Summary::default();
        for f in findings {
            match f.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Info => s.infos += 1,
            }
        }
        s
    }
}

/// Sorts findings for output: by file, position, code, message; stable and deterministic.
pub(crate) fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        let key = |f: &Finding| f.loc.map(|l| (l.file, l.start));
        key(a).cmp(&key(b)).then(a.code.cmp(&b.code)).then_with(|| a.message.cmp(&b.message))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_name_finds_codes_by_kebab_name_only() {
        let code = Code::from_name("ip-duplicate").expect("a known code");
        assert_eq!(code, Code::IpDuplicate);
        assert_eq!(code.default_severity(), Severity::Error);
        assert_eq!(Code::from_name("no-such-code"), None);
    }

    #[test]
    fn every_code_is_explained() {
        for &c in Code::ALL {
            assert!(c.explanation().len() > 80, "{c} needs a real explanation");
            assert!(!c.summary().is_empty());
        }
    }

    #[test]
    fn code_names_are_unique_kebab_case() {
        let mut names: Vec<&str> = Code::ALL.iter().map(|c| c.name()).collect();
        for n in &names {
            assert!(n.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{n}");
            assert_eq!(Code::from_name(n).map(Code::name), Some(*n));
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Code::ALL.len());
    }

    #[test]
    fn summary_counts_severities() {
        let loc = Loc::new(FileId(0), 0..1);
        let mut w = Finding::new(Code::DependencyCycle, loc, "x");
        w.severity = Severity::Warning;
        let f = [Finding::new(Code::IpDuplicate, loc, "x"), w];
        assert_eq!(Summary::of(&f), Summary { errors: 1, warnings: 1, infos: 0 });
    }
}
