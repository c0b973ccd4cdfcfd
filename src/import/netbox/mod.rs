//! `dcplan import netbox`: NetBox's REST data (a folder of exports or a live instance) turned
//! into inventory files under `DIR/netbox/`.
//!
//! The flow is the crate's own, one way: read the endpoints ([`export`], [`http`]) -> parse each
//! object into NetBox's shapes ([`api`]) -> map them to dcplan objects, noting every object not
//! imported ([`mod@map`], [`map_ip`]) -> TOML text ([`emit`]) -> files written atomically
//! ([`mod@write`]) -> the [`report`].

pub(crate) mod api;
pub(crate) mod emit;
pub(crate) mod export;
pub(crate) mod http;
pub(crate) mod ids;
pub(crate) mod map;
pub(crate) mod map_ip;
pub(crate) mod map_type;
pub(crate) mod report;
pub(crate) mod write;

use std::path::{Path, PathBuf};

use export::{Endpoint, Export, ReadError};
use map::{Ctx, Index};
use report::Report;

use crate::devtype::Library;
use crate::progress::{self, Progress};

/// Where the NetBox data comes from.
#[derive(Clone, Debug)]
pub(crate) enum Source {
    /// A folder of exports, one `<app>_<endpoint>.json` per endpoint.
    Folder(PathBuf),
    /// A NetBox base URL and the API token, if any.
    Url { url: String, token: Option<String> },
}

/// Reads the NetBox data; one step of `progress` per endpoint.
pub(crate) fn read(source: &Source, progress: &Progress) -> Result<Export, ReadError> {
    match source {
        Source::Folder(dir) => export::read_folder(dir, progress),
        Source::Url { url, token } => http::fetch(url, token.as_deref(), progress),
    }
}

/// One mapping step: what it maps (for the progress bar), and the step.
type Step = (&'static str, fn(&mut Ctx<'_>));

/// The mapping steps, in order: each reads what the earlier ones indexed.
const MAP_STEPS: [Step; 8] = [
    ("sites", map::sites),
    ("racks", map::racks),
    ("devices", map::devices),
    ("virtual machines", map_ip::vms),
    ("addresses", map_ip::addresses),
    ("prefixes", map_ip::prefixes),
    ("services", map_ip::services),
    ("power feeds", map_ip::feeds),
];

/// Steps of the whole import's progress bar: read each endpoint, map, write.
const STEPS: usize = Endpoint::ALL.len() + MAP_STEPS.len() + 1;

/// Maps what was read to dcplan objects and the report (nothing written yet), completing
/// devices from the device-type library when there is one. An error when a device-type file
/// it needs is not one.
pub(crate) fn map(
    export: &Export,
    device_types: Option<&Library>,
    progress: &Progress,
) -> Result<(emit::Generated, Report), String> {
    let mut c = Ctx {
        export,
        report: Report::default(),
        out: emit::Generated::default(),
        index: Index::default(),
        types: device_types.map(map_type::Types::new),
    };
    for (what, step) in MAP_STEPS {
        progress.say(|| format!("importing {what}"));
        step(&mut c);
        progress.inc();
    }
    c.report.missing.clone_from(&export.missing);
    c.report.api_version.clone_from(&export.api_version);
    if let Some(e) = c.types.and_then(|t| t.error) {
        return Err(e);
    }
    c.report.sort();
    Ok((c.out, c.report))
}

/// What the generated header says the files come from.
pub(crate) fn describe(export: &Export) -> String {
    match &export.api_version {
        Some(v) => format!("NetBox (API version {v})"),
        None => "NetBox (API version unknown)".to_owned(),
    }
}

/// The whole import: read, map, write `out/netbox/*.toml`, report. A progress bar on standard
/// error while it runs, when that is a terminal.
pub(crate) fn import(source: &Source, out: &Path, device_types: Option<&Library>) -> Result<Report, String> {
    let progress = Progress::bar("reading NetBox", STEPS, progress::ALWAYS);
    let export = read(source, &progress).map_err(|e| e.0)?;
    let (generated, mut report) = map(&export, device_types, &progress)?;
    progress.say(|| format!("writing {}", out.join("netbox").display()));
    let files = emit::files(&generated, &describe(&export));
    let written = write::write(out, &files)?;
    progress.inc();
    report.written = written.written;
    report.removed = written.removed;
    report.unchanged = written.unchanged;
    report.no_org = !write::has_org(out);
    Ok(report)
}

/// The mapping alone, on one endpoint's bytes: for the fuzz target of the JSON reader. The files
/// it would write: (name, text).
#[cfg(feature = "fuzz")]
pub(crate) fn fuzz_one(endpoint_index: u8, bytes: &[u8]) -> Result<Vec<(String, String)>, String> {
    let endpoint = export::Endpoint::ALL[usize::from(endpoint_index) % export::Endpoint::ALL.len()];
    let text = String::from_utf8_lossy(bytes);
    let page = export::parse_page("fuzz.json", &text).map_err(|e| e.0)?;
    let mut export = Export::default();
    export.objects.insert(endpoint, page.results);
    let (generated, _) = map(&export, None, &Progress::hidden())?;
    Ok(emit::files(&generated, &describe(&export)))
}
