//! Device types -> the machines that name them, before the inventory is resolved: a value the
//! inventory leaves out is set from the type (as if written at the machine's `model`, so every
//! later rule and message treats it as the machine's own), and a value it gives differently
//! stays, with a warning. Filling before resolving matters for height: whether a machine takes
//! a unit (0U) decides whether it needs one.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use toml::Spanned;

use super::{DeviceType, Library, key};
use crate::diag::{Code, FileId, Finding, Loc};
use crate::model::{HalfU, MAX_UNITS};
use crate::raw::{self, Units};
use crate::source::Sources;

/// Weights closer than this (kg) are the same weight written with other rounding.
const WEIGHT_TOLERANCE_KG: f64 = 0.05;

/// A device-type file once read: its text in `sources` (for locations), and the type, or
/// None when it did not read (its error is reported once).
type Read = Option<(FileId, KeysAt, DeviceType)>;

/// Where a type's file writes the keys a mismatch is about (byte offsets; 0 when not found),
/// so the finding shows the type's own line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct KeysAt {
    height: usize,
    ports: usize,
    weight: usize,
}

impl KeysAt {
    fn of(text: &str) -> KeysAt {
        // Top-level keys start a line; the library's files have no other layout for them.
        let key = |k: &str| {
            let mut at = 0;
            for line in text.split_inclusive('\n') {
                if line.strip_prefix(k).is_some_and(|rest| rest.starts_with(':')) {
                    return at;
                }
                at += line.len();
            }
            0
        };
        KeysAt { height: key("u_height"), ports: key("power-ports"), weight: key("weight") }
    }
}

/// Fills the machines of `raw` that name a type of `lib`, reporting device-type-filled,
/// device-type-mismatch, device-type-unknown, and files that do not read (invalid-value, at
/// the file's line and column).
pub(crate) fn fill(
    raw: &mut raw::Inventory,
    lib: &Library,
    sources: &mut Sources,
    findings: &mut Vec<Finding>,
) {
    let mut read: HashMap<PathBuf, Read> = HashMap::new();
    for (loc, s) in &mut raw.servers {
        let Some(model) = s.model.clone() else { continue };
        let is_vm = s.kind.as_ref().is_some_and(|k| k.get_ref() == "vm");
        // A malformed `model` is reported by resolve; a vm has no hardware of its own.
        let Some(k) = key(model.get_ref()).filter(|_| !is_vm) else { continue };
        let at = Loc::new(loc.file, model.span());
        let id = s.id.get_ref().clone();
        let Some(path) = lib.find(&k) else {
            findings.push(
                Finding::new(
                    Code::DeviceTypeUnknown,
                    at,
                    format!("device type `{}` is not in {}", model.get_ref(), lib.root().display()),
                )
                .object("server", &id)
                .hint(lib.suggest(&k)),
            );
            continue;
        };
        let entry =
            read.entry(path.to_path_buf()).or_insert_with(|| read_file(path, at, &id, sources, findings));
        if let Some((file, keys, t)) = entry {
            let from = Origin { model: model.get_ref(), path, file: *file, keys: *keys };
            one(s, *loc, t, &from, findings);
        }
    }
}

/// Where a type came from, for messages.
struct Origin<'a> {
    model: &'a str,
    path: &'a Path,
    file: FileId,
    keys: KeysAt,
}

impl Origin<'_> {
    fn says(&self) -> String {
        format!("device type `{}` ({})", self.model, self.path.display())
    }
}

/// Reads and parses one file, adding its text to `sources`; an unreadable or malformed file
/// is an invalid-value error at its line and column, naming the machine that needs it.
fn read_file(path: &Path, model: Loc, id: &str, sources: &mut Sources, findings: &mut Vec<Finding>) -> Read {
    let name = path.display().to_string();
    let text = match std::fs::read(path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => {
            findings.push(
                Finding::new(Code::InvalidValue, model, format!("cannot read device type file {name}: {e}"))
                    .object("server", id),
            );
            return None;
        }
    };
    let result = super::parse(&text);
    let file = sources.add(name.clone(), text);
    match result {
        Ok(t) => Some((file, KeysAt::of(sources.text(file)), t)),
        Err(e) => {
            let offset = e.at.map_or(0, |(line, column)| offset_of(sources.text(file), line, column));
            findings.push(
                Finding::new(
                    Code::InvalidValue,
                    Loc::new(file, offset..offset),
                    format!("device type file {name} is not a device type: {}", e.message),
                )
                .object("server", id)
                .related(model, "named here"),
            );
            None
        }
    }
}

/// The byte offset of a 1-based line and column (in characters), clamped to the text.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text.split_inclusive('\n').take(line.saturating_sub(1)).map(str::len).sum();
    let rest = &text[start.min(text.len())..];
    start + rest.char_indices().nth(column.saturating_sub(1)).map_or(rest.len(), |(i, _)| i)
}

/// One machine: fill what is missing, compare what is written.
fn one(s: &mut raw::Server, loc: Loc, t: &DeviceType, from: &Origin<'_>, findings: &mut Vec<Finding>) {
    let id = s.id.get_ref().clone();
    let span = s.model.as_ref().map_or(0..0, Spanned::span);
    let mut filled = Vec::new();
    let mut mismatch = |field: &str, span: std::ops::Range<usize>, ours: String, theirs: String| {
        let key = match field {
            "height" => from.keys.height,
            "weight_kg" => from.keys.weight,
            _ => from.keys.ports,
        };
        findings.push(
            Finding::new(
                Code::DeviceTypeMismatch,
                Loc::new(loc.file, span),
                format!("`{id}` has {field} = {ours}, {} says {theirs}", from.says()),
            )
            .object("server", &id)
            .related(Loc::new(from.file, key..key), "the device type says")
            .hint("the inventory's value is used; correct it, or remove it to use the type's"),
        );
    };
    match &s.height {
        None => {
            s.height = Some(Spanned::new(span.clone(), units(t.height)));
            filled.push(format!("height {}", t.height));
        }
        Some(h) => {
            if halves(*h.get_ref()).is_some_and(|ours| ours != t.height) {
                mismatch("height", h.span(), h.get_ref().to_string(), t.height.to_string());
            }
        }
    }
    if let Some(w) = t.power_w {
        match &s.power_w {
            None => {
                s.power_w = Some(Spanned::new(span.clone(), i64::from(w)));
                filled.push(format!("power_w {w}"));
            }
            // Below the largest port's maximum is a real draw, measured: only more is a conflict.
            Some(p) if *p.get_ref() > i64::from(w) => {
                mismatch(
                    "power_w",
                    p.span(),
                    p.get_ref().to_string(),
                    format!("at most {w} (its largest power port)"),
                );
            }
            Some(_) => {}
        }
    }
    if t.psus > 0 {
        match &s.psus {
            None => {
                s.psus = Some(Spanned::new(span.clone(), i64::from(t.psus)));
                filled.push(format!("psus {}", t.psus));
            }
            Some(p) if *p.get_ref() != i64::from(t.psus) => {
                mismatch("psus", p.span(), p.get_ref().to_string(), format!("{} (its power ports)", t.psus));
            }
            Some(_) => {}
        }
    }
    if let Some(kg) = t.weight_kg {
        let kg = round2(kg);
        match &s.weight_kg {
            None => {
                s.weight_kg = Some(Spanned::new(span.clone(), kg));
                filled.push(format!("weight_kg {kg}"));
            }
            Some(w) if (*w.get_ref() - kg).abs() > WEIGHT_TOLERANCE_KG => {
                mismatch("weight_kg", w.span(), w.get_ref().to_string(), format!("{kg} kg"));
            }
            Some(_) => {}
        }
    }
    if !filled.is_empty() {
        let mut message = format!("`{id}`: ");
        let _ = write!(message, "{} from {}", filled.join(", "), from.says());
        findings.push(
            Finding::new(Code::DeviceTypeFilled, Loc::new(loc.file, span), message)
                .object("server", &id)
                .related(Loc::new(from.file, 0..0), "the device type"),
        );
    }
}

/// Kilograms to two decimals: what the library's weights carry, and what a scale shows.
fn round2(kg: f64) -> f64 {
    (kg * 100.0).round() / 100.0
}

/// Half units as the inventory writes units: an integer when whole.
fn units(h: HalfU) -> Units {
    if h.is_whole() { Units::Whole(i64::from(h.0 / 2)) } else { Units::Decimal(f64::from(h.0) / 2.0) }
}

/// A written height in half units, when it is a valid one, at most the tallest rack, as resolve
/// takes it (resolve reports the others: they are compared with nothing).
fn halves(u: Units) -> Option<HalfU> {
    let max = HalfU::units(MAX_UNITS);
    match u {
        Units::Whole(n) => {
            n.checked_mul(2).and_then(|h| u32::try_from(h).ok()).map(HalfU).filter(|&h| h <= max)
        }
        Units::Decimal(x) => HalfU::from_decimal(x, max),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_of_lines_and_columns() {
        let text = "ab\ncdé\nf";
        assert_eq!(offset_of(text, 1, 1), 0);
        assert_eq!(offset_of(text, 2, 2), 4);
        assert_eq!(offset_of(text, 2, 4), 7);
        assert_eq!(offset_of(text, 3, 1), 8);
        assert_eq!(offset_of(text, 9, 9), text.len());
    }

    #[test]
    fn keys_of_a_type_file() {
        let text =
            "---\nmanufacturer: A\nu_height: 2\nweight_unit: kg\nweight: 3\npower-ports:\n  - name: P\n";
        let k = KeysAt::of(text);
        assert_eq!(&text[k.height..k.height + 8], "u_height");
        assert_eq!(&text[k.weight..k.weight + 9], "weight: 3");
        assert_eq!(&text[k.ports..k.ports + 11], "power-ports");
        assert_eq!(KeysAt::of("x: 1\n"), KeysAt::default());
    }

    #[test]
    fn heights_as_written() {
        assert_eq!(halves(Units::Whole(2)), Some(HalfU(4)));
        assert_eq!(halves(Units::Decimal(1.5)), Some(HalfU(3)));
        assert_eq!(halves(Units::Decimal(1.25)), None);
        assert_eq!(halves(Units::Whole(-1)), None);
        // Taller than any rack: resolve's invalid-value, not a mismatch with the type as well.
        assert_eq!(halves(Units::Whole(1000)), Some(HalfU(2000)));
        assert_eq!(halves(Units::Whole(1001)), None);
        assert_eq!(halves(Units::Decimal(1000.5)), None);
        assert_eq!(units(HalfU(3)), Units::Decimal(1.5));
        assert_eq!(units(HalfU(4)), Units::Whole(2));
        assert!((round2(18.143_694_8) - 18.14).abs() < 1e-9);
    }
}
