//! The NetBox device-type library (a checkout of netbox-community/devicetype-library): YAML
//! files under `device-types/<Manufacturer>/<Model>.yaml`. A machine names its type with
//! `model = "manufacturer/model"`, both halves as slugs (`dell/poweredge-r640`); with
//! `--device-types PATH`, what the inventory leaves out (height, power, supplies, weight) is
//! filled from the type's file ([`mod@fill`]), and what it says differently is reported.
//!
//! Opening the library only lists its files (thousands of them); a file is read when a machine
//! names it.

mod fill;
mod yaml;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub(crate) use fill::fill;
pub(crate) use yaml::{DeviceType, parse, to_kg};

/// Reads one device-type file; the error names the file, line and column.
pub(crate) fn load(path: &Path) -> Result<DeviceType, String> {
    let bytes =
        std::fs::read(path).map_err(|e| format!("cannot read device type file {}: {e}", path.display()))?;
    parse(&String::from_utf8_lossy(&bytes)).map_err(|e| match e.at {
        Some((line, column)) => {
            format!("{}:{line}:{column}: not a device type: {}", path.display(), e.message)
        }
        None => format!("{}: not a device type: {}", path.display(), e.message),
    })
}

use crate::import::netbox::ids::slugify;

/// A device-type library: which file holds which type.
#[derive(Clone, Debug, Default)]
pub(crate) struct Library {
    /// The `device-types` folder, as the user named it (for messages).
    root: PathBuf,
    /// `manufacturer/model` key (see [`key`]) -> file.
    files: BTreeMap<String, PathBuf>,
    /// Keys without separators (`dell/poweredger640`) -> the keys that have it: a model
    /// written `isr-1111-8p` finds the file `ISR1111-8P.yaml`.
    loose: BTreeMap<String, Vec<String>>,
}

/// The lookup key of a `model` value: manufacturer and model slugified
/// (`Dell/PowerEdge R640` is `dell/poweredge-r640`). None when it is not `manufacturer/model`.
pub(crate) fn key(model: &str) -> Option<String> {
    let (maker, name) = model.split_once('/').filter(|(_, name)| !name.contains('/'))?;
    let (maker, name) = (slugify(maker), slugify(name));
    (!maker.is_empty() && !name.is_empty()).then(|| format!("{maker}/{name}"))
}

/// A key without `-`, `_` and `.`.
fn loose(key: &str) -> String {
    key.chars().filter(|c| !matches!(c, '-' | '_' | '.')).collect()
}

/// What a folder entry must be.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Dir,
    File,
}

/// Whether a folder entry is a folder or a file: from the listing itself (no file system call
/// per file: a library has thousands), following symbolic links only.
fn is(e: &std::fs::DirEntry, kind: Kind) -> bool {
    let Ok(t) = e.file_type() else { return false };
    let (dir, file) = if t.is_symlink() {
        let p = e.path();
        (p.is_dir(), p.is_file())
    } else {
        (t.is_dir(), t.is_file())
    };
    if kind == Kind::Dir { dir } else { file }
}

impl Library {
    /// Lists the library at `path`: a checkout (with a `device-types` folder) or that folder
    /// itself. An error when it is neither.
    pub(crate) fn open(path: &Path) -> Result<Library, String> {
        let inner = path.join("device-types");
        let root = if inner.is_dir() { inner } else { path.to_path_buf() };
        let makers = std::fs::read_dir(&root)
            .map_err(|e| format!("cannot read the device-type library `{}`: {e}", path.display()))?;
        let mut lib = Library { root: root.clone(), ..Library::default() };
        let mut makers: Vec<PathBuf> =
            makers.filter_map(Result::ok).filter(|e| is(e, Kind::Dir)).map(|e| e.path()).collect();
        makers.sort();
        for dir in makers {
            let Some(maker) = dir.file_name().map(|n| slugify(&n.to_string_lossy())) else { continue };
            let Ok(entries) = std::fs::read_dir(&dir) else { continue };
            let mut files: Vec<PathBuf> =
                entries.filter_map(Result::ok).filter(|e| is(e, Kind::File)).map(|e| e.path()).collect();
            files.sort();
            for file in files {
                let is_yaml = file.extension().is_some_and(|x| x == "yaml" || x == "yml");
                let Some(stem) = file.file_stem().filter(|_| is_yaml) else { continue };
                let model = slugify(&stem.to_string_lossy());
                if maker.is_empty() || model.is_empty() {
                    continue;
                }
                let k = format!("{maker}/{model}");
                lib.loose.entry(loose(&k)).or_default().push(k.clone());
                lib.files.entry(k).or_insert(file);
            }
        }
        if lib.files.is_empty() {
            return Err(format!(
                "`{}` holds no device types (expected `device-types/<Manufacturer>/<Model>.yaml`)",
                path.display()
            ));
        }
        Ok(lib)
    }

    /// The file of a type, by its key: exactly, or when only one type has the same letters and
    /// digits.
    pub(crate) fn find(&self, key: &str) -> Option<&Path> {
        if let Some(p) = self.files.get(key) {
            return Some(p);
        }
        match self.loose.get(&loose(key)).map(Vec::as_slice) {
            Some([only]) => self.files.get(only).map(PathBuf::as_path),
            _ => None,
        }
    }

    /// A hint for a type the library does not have: the closest key of the same manufacturer,
    /// or what the library calls that manufacturer's types.
    pub(crate) fn suggest(&self, key: &str) -> String {
        let maker = key.split_once('/').map_or(key, |k| k.0);
        let prefix = format!("{maker}/");
        let same: Vec<&str> =
            self.files.keys().filter(|k| k.starts_with(&prefix)).map(String::as_str).collect();
        if same.is_empty() {
            return format!(
                "no manufacturer `{maker}` in {}: `model` is `manufacturer/model`, as the library's folder and file are named",
                self.root.display()
            );
        }
        crate::diag::text::did_you_mean(key, same.iter().copied()).unwrap_or_else(|| {
            format!("{} types of `{maker}` in the library, none close to this one", same.len())
        })
    }

    /// The `device-types` folder.
    pub(crate) fn root(&self) -> &Path {
        &self.root
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_slugs_of_both_halves() {
        assert_eq!(key("dell/poweredge-r640").as_deref(), Some("dell/poweredge-r640"));
        assert_eq!(key("Dell/PowerEdge R640").as_deref(), Some("dell/poweredge-r640"));
        assert_eq!(key("poweredge-r640"), None);
        assert_eq!(key("dell/"), None);
        assert_eq!(key("/r640"), None);
        assert_eq!(key("a/b/c"), None);
    }

    #[test]
    fn the_fixture_library_is_listed_by_folder_and_file_names() {
        let lib = Library::open(Path::new("tests/data/devicetype-library")).expect("the fixture library");
        let found =
            |k: &str| lib.find(k).map(|p| p.file_name().unwrap_or_default().to_string_lossy().into_owned());
        assert_eq!(found("acme/box-2000").as_deref(), Some("Box 2000.yaml"));
        // Separators do not matter when only one type has the same letters.
        assert_eq!(found("acme/box2000").as_deref(), Some("Box 2000.yaml"));
        assert_eq!(found("acme/nothing"), None);
        assert!(lib.suggest("acme/box-200").contains("acme/box-2000"), "{}", lib.suggest("acme/box-200"));
        assert!(lib.suggest("nobody/x").contains("no manufacturer `nobody`"));
        assert!(Library::open(Path::new("tests/data/no-such-library")).is_err());
        assert!(Library::open(Path::new("src")).is_err());
    }
}
