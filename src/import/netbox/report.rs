//! What an import did: counts of what was imported, every object not imported with its reason,
//! and notes on objects imported with a change (a renamed id, an unplaced device...).
//! Nothing is dropped silently: every NetBox object read ends up counted, skipped or noted.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::emit::one_line;
use super::export::Endpoint;
use crate::diag::text::count;

/// Why an object was not imported.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Reason {
    /// The object does not have the shape NetBox gives it (serde's message).
    Unreadable(String),
    /// A device whose status says it is not installed (`planned`, `inventory`...).
    NotInstalled(String),
    /// A child device in a device bay: it moves with its parent.
    InDeviceBay(String),
    /// Its site is not among the imported sites (NetBox id).
    SiteNotImported(u64),
    /// Its rack is not among the imported racks (NetBox id).
    RackNotImported(u64),
    /// Its device is not among the imported devices (NetBox id or name).
    DeviceNotImported(String),
    /// A device whose type is not in dcim/device-types: its height is unknown.
    UnknownDeviceType(u64),
    /// A height or position that is not a multiple of half a unit.
    BadUnits(String),
    /// A vm with neither a device nor a cluster.
    NoHost,
    /// A cluster-only vm whose cluster does not have exactly one device.
    ClusterHosts { cluster: String, devices: usize },
    /// An address assigned to no interface (or to something that is not a device's or vm's).
    Unassigned,
    /// A value that is not an address or prefix.
    BadAddress(String),
    /// The same network is already imported (another VRF, or an aggregate and a prefix).
    DuplicatePrefix(String),
    /// A service without a device or vm.
    NoParent,
    /// A power feed without a rack.
    NoRack,
    /// A power feed without voltage or amperage.
    FeedsUnsupported,
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reason::Unreadable(e) => write!(f, "not a NetBox object of this endpoint: {e}"),
            Reason::NotInstalled(s) => write!(f, "status `{s}`: not installed"),
            Reason::InDeviceBay(p) => write!(f, "in a device bay of `{p}`: it moves with it"),
            Reason::SiteNotImported(id) => write!(f, "its site (NetBox id {id}) is not imported"),
            Reason::RackNotImported(id) => write!(f, "its rack (NetBox id {id}) is not imported"),
            Reason::DeviceNotImported(d) => write!(f, "its device `{d}` is not imported"),
            Reason::UnknownDeviceType(id) => {
                write!(f, "its device type (NetBox id {id}) is not in dcim/device-types: height unknown")
            }
            Reason::BadUnits(what) => write!(f, "{what} is not a multiple of half a unit"),
            Reason::NoHost => f.write_str("neither a device nor a cluster: no host"),
            Reason::ClusterHosts { cluster, devices } => {
                write!(
                    f,
                    "cluster `{cluster}` has {devices} devices: no single host (pin the vm to a device)"
                )
            }
            Reason::Unassigned => f.write_str("not assigned to a device's or vm's interface"),
            Reason::BadAddress(a) => write!(f, "`{a}` is not an IP address or network"),
            Reason::DuplicatePrefix(p) => write!(f, "{p} is already imported (VRFs are not modelled)"),
            Reason::NoParent => f.write_str("no device or vm"),
            Reason::NoRack => f.write_str("no rack"),
            Reason::FeedsUnsupported => {
                f.write_str("power feeds are not part of this version's inventory format")
            }
        }
    }
}

/// An object not imported.
#[derive(Clone, Debug)]
pub(crate) struct Skipped {
    pub(crate) endpoint: Endpoint,
    pub(crate) id: Option<u64>,
    pub(crate) display: String,
    pub(crate) reason: Reason,
}

/// What was changed in an object that was imported.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Change {
    /// Its id is not its plain slug: taken already, or it had no usable name.
    Renamed { id: String, why: &'static str },
    /// In a rack but without a position (or a 0U device): imported at its site without a rack.
    Unplaced,
    /// Imported with a site but no rack, as NetBox has it.
    NoRackInNetBox,
    /// Several NetBox services of the same name, merged into one service with replicas.
    Merged(usize),
    /// Values filled from the device-type library: which, from where.
    DeviceTypeFilled(String),
    /// NetBox and the device-type library disagree (NetBox's value is kept): what.
    DeviceTypeMismatch(String),
    /// The device's `model` is not in the device-type library.
    DeviceTypeUnknown(String),
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Change::Renamed { id, why } => write!(f, "imported as `{id}` ({why})"),
            Change::Unplaced => f.write_str("no position in its rack: imported at its site, unplaced"),
            Change::NoRackInNetBox => f.write_str("no rack in NetBox: imported at its site, unplaced"),
            Change::DeviceTypeFilled(what) => write!(f, "filled {what}"),
            Change::DeviceTypeMismatch(what) => f.write_str(what),
            Change::DeviceTypeUnknown(model) => {
                write!(f, "device type `{model}` is not in the device-type library: nothing filled from it")
            }
            Change::Merged(n) => {
                write!(f, "{n} NetBox services of this name merged: one service, its hosts as replicas")
            }
        }
    }
}

/// An object imported with a change.
#[derive(Clone, Debug)]
pub(crate) struct Note {
    pub(crate) endpoint: Endpoint,
    pub(crate) id: u64,
    pub(crate) display: String,
    pub(crate) change: Change,
}

/// The whole report.
#[derive(Debug, Default)]
pub(crate) struct Report {
    /// dcplan kind (`site`, `rack`, `server`, `vm`, `prefix`, `service`, `address`) -> count.
    pub(crate) imported: BTreeMap<&'static str, usize>,
    pub(crate) skipped: Vec<Skipped>,
    pub(crate) notes: Vec<Note>,
    /// Endpoints without an export file (folder imports).
    pub(crate) missing: Vec<Endpoint>,
    /// Custom field values set on the objects read: ignored, counted.
    pub(crate) custom_fields: usize,
    pub(crate) api_version: Option<String>,
    /// Files written under the output folder, and generated files removed (no longer produced).
    pub(crate) written: Vec<String>,
    pub(crate) removed: Vec<String>,
    pub(crate) unchanged: Vec<String>,
    /// No `[org]` in the output folder's own files.
    pub(crate) no_org: bool,
}

impl Report {
    /// The same report, ordered for output (by endpoint, then NetBox id).
    pub(crate) fn sort(&mut self) {
        self.skipped.sort_by(|a, b| (a.endpoint, a.id, &a.display).cmp(&(b.endpoint, b.id, &b.display)));
        self.notes.sort_by(|a, b| (a.endpoint, a.id, &a.display).cmp(&(b.endpoint, b.id, &b.display)));
    }
}

#[derive(Serialize)]
struct JsonSkipped<'a> {
    endpoint: &'static str,
    id: Option<u64>,
    display: &'a str,
    reason: String,
}

#[derive(Serialize)]
struct JsonNote<'a> {
    endpoint: &'static str,
    id: u64,
    display: &'a str,
    note: String,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    api_version: Option<&'a str>,
    imported: &'a BTreeMap<&'static str, usize>,
    skipped: Vec<JsonSkipped<'a>>,
    notes: Vec<JsonNote<'a>>,
    missing_endpoints: Vec<&'static str>,
    custom_fields_ignored: usize,
    files_written: &'a [String],
    files_removed: &'a [String],
    files_unchanged: &'a [String],
    org_missing: bool,
}

/// The report as JSON: `{"imported": {kind: count}, "skipped": [{"endpoint", "id", "display",
/// "reason"}], ...}`.
pub(crate) fn json(r: &Report) -> String {
    let j = JsonReport {
        api_version: r.api_version.as_deref(),
        imported: &r.imported,
        skipped: r
            .skipped
            .iter()
            .map(|s| JsonSkipped {
                endpoint: s.endpoint.path(),
                id: s.id,
                display: &s.display,
                reason: s.reason.to_string(),
            })
            .collect(),
        notes: r
            .notes
            .iter()
            .map(|n| JsonNote {
                endpoint: n.endpoint.path(),
                id: n.id,
                display: &n.display,
                note: n.change.to_string(),
            })
            .collect(),
        missing_endpoints: r.missing.iter().map(|e| e.path()).collect(),
        custom_fields_ignored: r.custom_fields,
        files_written: &r.written,
        files_removed: &r.removed,
        files_unchanged: &r.unchanged,
        org_missing: r.no_org,
    };
    let mut s = serde_json::to_string_pretty(&j).unwrap_or_default();
    s.push('\n');
    s
}

/// The report for people: counts, then skipped objects and notes as tables.
pub(crate) fn human(r: &Report) -> String {
    let mut out = String::new();
    let version =
        r.api_version.as_deref().map_or(String::new(), |v| format!(" (NetBox API {})", one_line(v)));
    let counts: Vec<String> = r.imported.iter().map(|(k, n)| count(*n, k)).collect();
    let _ = writeln!(
        out,
        "imported{version}: {}",
        if counts.is_empty() { "nothing".into() } else { counts.join(", ") }
    );
    for f in &r.written {
        let _ = writeln!(out, "  wrote {f}");
    }
    for f in &r.unchanged {
        let _ = writeln!(out, "  unchanged {f}");
    }
    for f in &r.removed {
        let _ = writeln!(out, "  removed {f} (no longer generated)");
    }
    if !r.missing.is_empty() {
        let names: Vec<String> = r.missing.iter().map(|e| format!("`{}`", e.file_name())).collect();
        let _ = writeln!(out, "missing export files (nothing imported from them): {}", names.join(", "));
    }
    if r.custom_fields > 0 {
        let _ =
            writeln!(out, "custom fields: {} values ignored (dcplan has no place for them)", r.custom_fields);
    }
    table(
        &mut out,
        "skipped",
        "reason",
        r.skipped.iter().map(|s| (s.endpoint, s.id, &s.display, s.reason.to_string())),
    );
    table(
        &mut out,
        "notes",
        "note",
        r.notes.iter().map(|n| (n.endpoint, Some(n.id), &n.display, n.change.to_string())),
    );
    if r.no_org {
        out.push_str(
            "note: no `[org]` in the output folder: NetBox does not know your own AS; write `[org]` (name, asn) in a file of your own\n",
        );
    }
    out
}

/// Rows of (endpoint, id, display, why); runs of more than three objects of one endpoint with
/// the same reason are folded into one row (`--format json` lists every object).
fn table<'a>(
    out: &mut String,
    title: &str,
    last: &str,
    rows: impl Iterator<Item = (Endpoint, Option<u64>, &'a String, String)>,
) {
    let rows: Vec<_> = rows.collect();
    if rows.is_empty() {
        return;
    }
    // Groups in the order of their first row (rows are sorted by endpoint and NetBox id).
    let mut groups: Vec<((Endpoint, &str), Vec<usize>)> = Vec::new();
    let mut at: std::collections::HashMap<(Endpoint, &str), usize> = std::collections::HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        let key = (r.0, r.3.as_str());
        let g = *at.entry(key).or_insert_with(|| {
            groups.push((key, Vec::new()));
            groups.len() - 1
        });
        groups[g].1.push(i);
    }
    let mut shown: Vec<(Endpoint, String, String, String)> = Vec::new();
    for ((ep, why), members) in &groups {
        if members.len() > 3 {
            shown.push((*ep, "-".into(), format!("({} objects)", members.len()), one_line(why)));
        } else {
            for &i in members {
                let r = &rows[i];
                let why = one_line(why);
                shown.push((r.0, r.1.map_or("-".into(), |i| i.to_string()), one_line(r.2), why));
            }
        }
    }
    let _ = writeln!(out, "\n{title} ({}):", rows.len());
    let w_ep = shown.iter().map(|r| r.0.path().len()).max().unwrap_or(0).max(8);
    let w_id = shown.iter().map(|r| r.1.len()).max().unwrap_or(0).max(2);
    let w_name = shown.iter().map(|r| r.2.chars().count()).max().unwrap_or(0).clamp(7, 40);
    let _ = writeln!(out, "{:<w_ep$}  {:>w_id$}  {:<w_name$}  {last}", "endpoint", "id", "display");
    for (ep, id, name, why) in shown {
        let _ = writeln!(out, "{:<w_ep$}  {id:>w_id$}  {name:<w_name$}  {why}", ep.path());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// NetBox's text reaches the table on one line, with no escape sequence for the terminal.
    #[test]
    fn outside_text_in_the_table_is_one_line() {
        let odd = "a\u{1b}[31mb\nc\u{7f}\u{85}";
        let skipped = |id| Skipped {
            endpoint: Endpoint::Devices,
            id: Some(id),
            display: odd.into(),
            reason: Reason::NotInstalled(odd.into()),
        };
        let r = Report {
            api_version: Some(odd.into()),
            skipped: vec![skipped(1)],
            notes: vec![Note {
                endpoint: Endpoint::Sites,
                id: 2,
                display: odd.into(),
                change: Change::Unplaced,
            }],
            ..Report::default()
        };
        let mut many = Report { skipped: (0..5).map(skipped).collect(), ..Report::default() };
        many.sort();
        for text in [human(&r), human(&many)] {
            assert!(!text.contains(|c: char| c.is_control() && c != '\n'), "{text:?}");
            assert!(text.lines().all(|l| !l.ends_with('a')), "{text}");
        }
        assert_eq!(human(&r).lines().count(), 9, "{}", human(&r));
    }
}
