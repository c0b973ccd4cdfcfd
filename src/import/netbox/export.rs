//! The endpoints the importer reads, and reading them: from a folder of exports (one file per
//! endpoint) or from pages fetched over HTTP. Objects stay raw JSON here; each is parsed on its
//! own later, so one odd object is skipped with its reason instead of failing the whole import.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use super::report::{Reason, Skipped};
use crate::progress::Progress;

/// A NetBox REST endpoint the importer reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Endpoint {
    Sites,
    Racks,
    DeviceTypes,
    Devices,
    PowerPorts,
    PowerFeeds,
    VirtualMachines,
    IpAddresses,
    Prefixes,
    Aggregates,
    Services,
}

impl Endpoint {
    /// Every endpoint, in the order they are read.
    pub(crate) const ALL: [Endpoint; 11] = [
        Endpoint::Sites,
        Endpoint::Racks,
        Endpoint::DeviceTypes,
        Endpoint::Devices,
        Endpoint::PowerPorts,
        Endpoint::PowerFeeds,
        Endpoint::VirtualMachines,
        Endpoint::IpAddresses,
        Endpoint::Prefixes,
        Endpoint::Aggregates,
        Endpoint::Services,
    ];

    /// The API path below `/api/`, e.g. `dcim/devices`.
    pub(crate) fn path(self) -> &'static str {
        match self {
            Endpoint::Sites => "dcim/sites",
            Endpoint::Racks => "dcim/racks",
            Endpoint::DeviceTypes => "dcim/device-types",
            Endpoint::Devices => "dcim/devices",
            Endpoint::PowerPorts => "dcim/power-ports",
            Endpoint::PowerFeeds => "dcim/power-feeds",
            Endpoint::VirtualMachines => "virtualization/virtual-machines",
            Endpoint::IpAddresses => "ipam/ip-addresses",
            Endpoint::Prefixes => "ipam/prefixes",
            Endpoint::Aggregates => "ipam/aggregates",
            Endpoint::Services => "ipam/services",
        }
    }

    /// The export file name: `dcim_devices.json`.
    pub(crate) fn file_name(self) -> String {
        format!("{}.json", self.path().replace('/', "_"))
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.path())
    }
}

/// What was read: the raw objects of each endpoint found, the endpoints missing, and the API
/// version when it is known.
#[derive(Default)]
pub(crate) struct Export {
    pub(crate) objects: BTreeMap<Endpoint, Vec<Box<RawValue>>>,
    pub(crate) missing: Vec<Endpoint>,
    pub(crate) api_version: Option<String>,
}

/// A read error that stops the import (exit 2): it names the file or URL.
#[derive(Debug)]
pub(crate) struct ReadError(pub(crate) String);

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A page of results: the API's paginated object.
#[derive(Deserialize)]
pub(crate) struct Page {
    pub(crate) results: Vec<Box<RawValue>>,
    #[serde(default)]
    pub(crate) next: Option<String>,
    /// Objects on all pages together, when the API says.
    #[serde(default)]
    pub(crate) count: Option<u64>,
}

/// Reads one response body: the paginated object or a plain array of objects. `what` names the
/// file or URL in errors, with the line and column serde reports.
pub(crate) fn parse_page(what: &str, text: &str) -> Result<Page, ReadError> {
    let bad = |e: serde_json::Error| {
        ReadError(format!(
            "{what}:{}:{}: not a NetBox API response (the paginated object or an array of objects): {e}",
            e.line(),
            e.column()
        ))
    };
    match text.trim_start().as_bytes().first() {
        Some(b'[') => Ok(Page { results: serde_json::from_str(text).map_err(bad)?, next: None, count: None }),
        _ => serde_json::from_str(text).map_err(bad),
    }
}

/// Reads a folder of exports. A missing endpoint file is recorded, not an error; a file that is
/// not NetBox JSON is an error. `manifest.json`, when present, gives the API version. One step
/// of `progress` per endpoint.
pub(crate) fn read_folder(dir: &Path, progress: &Progress) -> Result<Export, ReadError> {
    if !dir.is_dir() {
        return Err(ReadError(format!("{}: not a folder of NetBox exports", dir.display())));
    }
    let mut export = Export { api_version: manifest_version(dir), ..Export::default() };
    for endpoint in Endpoint::ALL {
        progress.say(|| format!("reading {}", endpoint.file_name()));
        let path = dir.join(endpoint.file_name());
        let text = match std::fs::read(&path) {
            Ok(bytes) => String::from_utf8(bytes)
                .map_err(|e| ReadError(format!("{}: not UTF-8 text: {e}", path.display())))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                export.missing.push(endpoint);
                progress.inc();
                continue;
            }
            Err(e) => return Err(ReadError(format!("{}: {e}", path.display()))),
        };
        let page = parse_page(&path.display().to_string(), &text)?;
        export.objects.insert(endpoint, page.results);
        progress.inc();
    }
    if export.objects.is_empty() {
        return Err(ReadError(format!(
            "{}: no NetBox export files found (expected files such as `dcim_devices.json`)",
            dir.display()
        )));
    }
    Ok(export)
}

/// The `API-Version` recorded in a `manifest.json` beside the exports (`api_version_header`,
/// as the capture of the exports wrote it), else the major.minor of `status.netbox-version`.
fn manifest_version(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("manifest.json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    if let Some(version) = v.get("api_version_header").and_then(|x| x.as_str()) {
        return Some(version.to_owned());
    }
    let full = v.pointer("/status/netbox-version")?.as_str()?;
    Some(full.split('.').take(2).collect::<Vec<_>>().join("."))
}

/// Minimal view of any object, to name it in the report when it does not parse.
#[derive(Deserialize)]
struct Named {
    #[serde(default)]
    id: Option<u64>,
    #[serde(default)]
    display: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

impl Export {
    /// The objects of one endpoint parsed as `T`; those that do not parse are skipped with the
    /// reason. A missing endpoint gives nothing.
    pub(crate) fn typed<T: DeserializeOwned>(
        &self,
        endpoint: Endpoint,
        skipped: &mut Vec<Skipped>,
    ) -> Vec<T> {
        let Some(raws) = self.objects.get(&endpoint) else { return Vec::new() };
        let mut out = Vec::with_capacity(raws.len());
        for raw in raws {
            match serde_json::from_str::<T>(raw.get()) {
                Ok(t) => out.push(t),
                Err(e) => {
                    let named: Named = serde_json::from_str(raw.get()).unwrap_or(Named {
                        id: None,
                        display: None,
                        name: None,
                    });
                    skipped.push(Skipped {
                        endpoint,
                        id: named.id,
                        display: named.display.or(named.name).unwrap_or_default(),
                        reason: Reason::Unreadable(e.to_string()),
                    });
                }
            }
        }
        out
    }
}
