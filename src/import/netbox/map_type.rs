//! Device types in an import: the `model` each device gets (`manufacturer/model`, the names of
//! the NetBox device-type library's folder and file as slugs), and with `--device-types`, what
//! the library adds to what NetBox says: height, power_w, psus and weight_kg when NetBox has
//! none. NetBox stays the source of truth: where it says something else, its value is written
//! and the report notes the difference.

use std::collections::HashMap;
use std::path::PathBuf;

use super::api;
use super::emit::Server;
use super::ids::slugify;
use super::report::Change;
use crate::devtype::{self, DeviceType, Library};

/// The library and the types read from it (each file once).
pub(crate) struct Types<'a> {
    lib: &'a Library,
    read: HashMap<PathBuf, DeviceType>,
    /// A file that is not a device type: the import stops with it (file, line, column).
    pub(crate) error: Option<String>,
}

impl<'a> Types<'a> {
    pub(crate) fn new(lib: &'a Library) -> Types<'a> {
        Types { lib, read: HashMap::new(), error: None }
    }

    /// The type of a `model`, read on first use: Ok(None) when the library does not have it.
    fn get(&mut self, model: &str) -> Result<Option<(&DeviceType, PathBuf)>, String> {
        let Some(path) = devtype::key(model).and_then(|k| self.lib.find(&k)).map(PathBuf::from) else {
            return Ok(None);
        };
        if !self.read.contains_key(&path) {
            let t = devtype::load(&path)?;
            self.read.insert(path.clone(), t);
        }
        Ok(self.read.get(&path).map(|t| (t, path)))
    }
}

/// A device's `model`: its type's manufacturer slug and its model name as a slug (else the
/// type's slug without the manufacturer's prefix). None when NetBox does not say.
pub(crate) fn model_of(nested: &api::TypeRef, full: Option<&api::DeviceType>) -> Option<String> {
    let maker = full
        .and_then(|t| t.manufacturer.as_ref())
        .or(nested.manufacturer.as_ref())
        .and_then(|m| m.slug.clone().or_else(|| m.name.as_deref().map(slugify)))
        .map(|s| slugify(&s))
        .filter(|s| !s.is_empty())?;
    let name = full.and_then(|t| t.model.as_deref()).or(nested.model.as_deref()).map(slugify);
    let from_slug = || {
        let slug = full.map(|t| t.slug.as_str()).or(nested.slug.as_deref()).map(slugify)?;
        let bare = slug.strip_prefix(&format!("{maker}-")).map(str::to_owned);
        Some(bare.unwrap_or(slug))
    };
    let name = name.filter(|n| !n.is_empty()).or_else(from_slug).filter(|n| !n.is_empty())?;
    Some(format!("{maker}/{name}"))
}

/// The weight NetBox gives a device type, in kg to two decimals.
pub(crate) fn weight_kg(t: &api::DeviceType) -> Option<f64> {
    let kg = devtype::to_kg(t.weight?, &t.weight_unit.as_ref()?.0)?;
    Some((kg * 100.0).round() / 100.0)
}

/// Fills what NetBox left out of `s` from its device type; the notes to report. A type file
/// that is not a device type fills nothing; its error is kept in `types`.
pub(crate) fn complete(types: &mut Types<'_>, s: &mut Server, is_pdu: bool) -> Vec<Change> {
    let Some(model) = s.model.clone() else { return Vec::new() };
    let (t, path) = match types.get(&model) {
        Ok(Some((t, path))) => (t.clone(), path),
        Ok(None) => return vec![Change::DeviceTypeUnknown(model)],
        Err(e) => {
            types.error.get_or_insert(e);
            return Vec::new();
        }
    };
    let says = format!("device type `{model}` ({})", path.display());
    let mut notes = Vec::new();
    let mut differs = |field: &str, netbox: String, library: String| {
        notes.push(Change::DeviceTypeMismatch(format!(
            "NetBox has {field} {netbox}, {says} says {library}: NetBox's value kept"
        )));
    };
    let mut filled = Vec::new();
    // A device without a rack still gets its height, for placement at the destination.
    match s.height {
        None => {
            s.height = Some(t.height);
            filled.push("height");
        }
        Some(h) if h != t.height => differs("height", h.to_string(), t.height.to_string()),
        Some(_) => {}
    }
    // A PDU's draw is the machines behind it (NetBox's own ports are not imported for it either).
    if !is_pdu {
        match (s.power_w, t.power_w) {
            (None, Some(w)) => {
                s.power_w = Some(w);
                filled.push("power_w");
            }
            (Some(p), Some(w)) if p > w => differs("power_w", p.to_string(), format!("at most {w}")),
            _ => {}
        }
        match s.psus {
            None if t.psus > 0 => {
                s.psus = Some(t.psus);
                filled.push("psus");
            }
            Some(n) if t.psus > 0 && n != t.psus => differs("psus", n.to_string(), t.psus.to_string()),
            _ => {}
        }
    }
    if let Some(kg) = t.weight_kg.map(|kg| (kg * 100.0).round() / 100.0) {
        match s.weight_kg {
            None => {
                s.weight_kg = Some(kg);
                filled.push("weight_kg");
            }
            Some(w) if (w - kg).abs() > 0.05 => differs("weight_kg", w.to_string(), kg.to_string()),
            Some(_) => {}
        }
    }
    if !filled.is_empty() {
        notes.insert(0, Change::DeviceTypeFilled(format!("{} from {says}", filled.join(", "))));
    }
    s.from_type = filled;
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn maker(slug: &str) -> Option<api::Ref> {
        Some(api::Ref { id: 1, slug: Some(slug.into()), ..api::Ref::default() })
    }

    #[test]
    fn models_are_maker_and_model_slugs() {
        let nested = |m: Option<&str>, slug: Option<&str>| api::TypeRef {
            id: 1,
            slug: slug.map(Into::into),
            model: m.map(Into::into),
            manufacturer: maker("cisco"),
        };
        let t = nested(Some("ISR 1111-8P"), Some("isr1111"));
        assert_eq!(model_of(&t, None).as_deref(), Some("cisco/isr-1111-8p"));
        // Without a model name: the slug, without the maker's prefix the library's slugs carry.
        assert_eq!(
            model_of(&nested(None, Some("cisco-c9200-48p")), None).as_deref(),
            Some("cisco/c9200-48p")
        );
        assert_eq!(model_of(&nested(None, Some("mx480")), None).as_deref(), Some("cisco/mx480"));
        // No manufacturer, nothing usable: no model.
        let bare = api::TypeRef { manufacturer: None, ..nested(Some("X"), None) };
        assert_eq!(model_of(&bare, None), None);
        assert_eq!(model_of(&nested(Some("!!"), None), None), None);
    }
}
