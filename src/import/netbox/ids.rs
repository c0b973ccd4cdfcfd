//! dcplan ids from NetBox names: slugs (`[a-z0-9][a-z0-9._-]*`), unique per kind. The first
//! object (lowest NetBox id) with a slug gets it; a later one gets `-<NetBox id>` appended, so
//! ids do not change between re-imports of the same data.

use std::collections::HashSet;

/// A lower-case ASCII slug of `name`: letters and digits kept, common accented letters reduced
/// to their base letter, `.`, `_` and `-` kept, anything else a `-`; runs of `-` folded, leading
/// and trailing separators dropped. Empty when nothing usable is left.
pub(crate) fn slugify(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        let mapped: &str = match c {
            'a'..='z' | '0'..='9' | '.' | '_' => {
                out.push(c);
                continue;
            }
            'A'..='Z' => {
                out.push(c.to_ascii_lowercase());
                continue;
            }
            'à' | 'á' | 'â' | 'ã' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Å' => "a",
            'ä' | 'Ä' | 'æ' | 'Æ' => "ae",
            'ç' | 'Ç' => "c",
            'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => "e",
            'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => "i",
            'ñ' | 'Ñ' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ø' => "o",
            'ö' | 'Ö' | 'œ' | 'Œ' => "oe",
            'ù' | 'ú' | 'û' | 'Ù' | 'Ú' | 'Û' => "u",
            'ü' | 'Ü' => "ue",
            'ß' => "ss",
            _ => "-",
        };
        if mapped == "-" {
            if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push_str(mapped);
        }
    }
    let trimmed = out.trim_matches(|c| matches!(c, '-' | '.' | '_'));
    trimmed.to_owned()
}

/// Ids handed out for one kind.
#[derive(Default)]
pub(crate) struct Ids {
    taken: HashSet<String>,
}

/// Why an id is not the object's plain slug.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Why {
    /// The plain slug: nothing to say.
    Plain,
    /// No name (or nothing usable in it): made from a fallback and the NetBox id.
    NoName,
    /// The slug was taken by an object with a lower NetBox id.
    Taken,
}

impl Ids {
    /// A unique id for `base` (a slug, maybe empty), falling back to `fallback-<nb_id>`.
    pub(crate) fn assign(&mut self, base: &str, fallback: &str, nb_id: u64) -> (String, Why) {
        let (mut id, mut why) = if base.is_empty() {
            let f = slugify(fallback);
            (if f.is_empty() { format!("netbox-{nb_id}") } else { format!("{f}-{nb_id}") }, Why::NoName)
        } else {
            (base.to_owned(), Why::Plain)
        };
        if self.taken.contains(&id) {
            why = if why == Why::Plain { Why::Taken } else { why };
            id = format!("{id}-{nb_id}");
            // Still taken (a name that already ends in another object's id): count up.
            let mut n = 2;
            while self.taken.contains(&id) {
                id = format!("{id}-{n}");
                n += 1;
            }
        }
        self.taken.insert(id.clone());
        (id, why)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_valid_ids() {
        assert_eq!(slugify("dmi01-Akron-PDU01"), "dmi01-akron-pdu01");
        assert_eq!(slugify("  Köln / Rack 12 "), "koeln-rack-12");
        assert_eq!(slugify("--x__"), "x");
        assert_eq!(slugify("数据中心"), "");
        assert_eq!(slugify("a\u{0}b"), "a-b");
        for s in ["Ab-c", "é1", "x.y", "_a"] {
            let slug = slugify(s);
            assert!(crate::resolve::valid_id(&slug), "{s} -> {slug}");
        }
    }

    #[test]
    fn later_duplicates_get_their_netbox_id() {
        let mut ids = Ids::default();
        assert_eq!(ids.assign("web", "x", 1), ("web".into(), Why::Plain));
        assert_eq!(ids.assign("web", "x", 7), ("web-7".into(), Why::Taken));
        assert_eq!(ids.assign("", "Dell R640", 9), ("dell-r640-9".into(), Why::NoName));
        assert_eq!(ids.assign("", "", 3), ("netbox-3".into(), Why::NoName));
        assert_eq!(ids.assign("web-7", "x", 8), ("web-7-8".into(), Why::Taken));
    }
}
