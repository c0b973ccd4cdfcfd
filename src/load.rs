//! Reading inventory files: folder walking, TOML parsing, and per-object deserialization into
//! [`crate::raw`] values with spans.
//!
//! Loading never stops at the first problem: a file that does not parse is reported and skipped,
//! an object that does not deserialize is reported and skipped, and the rest is kept.

use std::fmt;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use crate::diag::{Code, FileId, Finding, Loc, text};
use crate::raw::{self, Table};
use crate::source::Sources;

/// The example inventory, compiled into the binary: what dcplan runs on when there is no
/// `inventory/` folder to be found.
pub(crate) static EMBEDDED: include_dir::Dir<'static> =
    include_dir::include_dir!("$CARGO_MANIFEST_DIR/inventory");

/// Where the inventory files come from.
#[derive(Clone, Debug)]
pub enum Root {
    /// A folder (or a single file) on disk.
    Disk(PathBuf),
    /// The example compiled into the binary; paths shown as `inventory/...`.
    Embedded,
}

impl Root {
    /// Reads a file named relative to the inventory folder (a router config).
    pub(crate) fn read(&self, rel: &str) -> Result<(String, Vec<u8>), String> {
        match self {
            Root::Disk(dir) => {
                let base = if dir.is_file() { dir.parent().unwrap_or(Path::new(".")) } else { dir };
                let path = base.join(rel);
                std::fs::read(&path)
                    .map(|b| (path.display().to_string(), b))
                    .map_err(|e| format!("{}: {e}", path.display()))
            }
            Root::Embedded => EMBEDDED
                .get_file(rel)
                .map(|f| (format!("inventory/{rel}"), f.contents().to_vec()))
                .ok_or_else(|| format!("inventory/{rel}: not found in the embedded example")),
        }
    }
}

/// An error that stops loading before any file is read: exit code 2.
#[derive(Debug)]
pub struct LoadError(pub String);

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LoadError {}

/// The result of loading: every source read, the raw tables, and the load findings.
pub struct Loaded {
    /// Where it came from.
    pub root: Root,
    /// File texts, for locations.
    pub sources: Sources,
    /// The tables, in file order.
    pub raw: raw::Inventory,
    /// toml-syntax, unknown-field and invalid-value findings from loading.
    pub findings: Vec<Finding>,
}

/// Loads every `*.toml` under `root` (recursively, sorted by path).
pub fn load(root: Root) -> Result<Loaded, LoadError> {
    let files = match &root {
        Root::Disk(path) => read_disk(path)?,
        Root::Embedded => read_embedded(),
    };
    Ok(load_all(root, files))
}

/// Loads in-memory files (name, bytes), as from a folder: for tests and benchmarks.
pub fn load_files(files: Vec<(String, Vec<u8>)>) -> Loaded {
    load_all(Root::Disk(PathBuf::from(".")), files)
}

/// Decodes every file, then parses them in parallel (files are independent) and merges the
/// results in file order, so output does not depend on scheduling.
fn load_all(root: Root, files: Vec<(String, Vec<u8>)>) -> Loaded {
    let mut sources = Sources::new();
    let mut findings = Vec::new();
    let mut parseable = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        let (text, bad_utf8_at) = match String::from_utf8(bytes) {
            Ok(t) => (t, None),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                (String::from_utf8_lossy(e.as_bytes()).into_owned(), Some(at))
            }
        };
        let file = sources.add(name, text);
        match bad_utf8_at {
            Some(at) => findings.push(Finding::new(
                Code::TomlSyntax,
                Loc::new(file, at..at + 1),
                "invalid UTF-8: TOML files must be UTF-8",
            )),
            None => parseable.push(file),
        }
    }
    let parsed: Vec<(raw::Inventory, Vec<Finding>)> =
        parseable.par_iter().map(|&file| parse_file(file, sources.text(file))).collect();
    let mut raw = raw::Inventory::default();
    for (part, part_findings) in parsed {
        raw.append(part);
        findings.extend(part_findings);
    }
    Loaded { root, sources, raw, findings }
}

fn read_disk(path: &Path) -> Result<Vec<(String, Vec<u8>)>, LoadError> {
    let meta = std::fs::metadata(path)
        .map_err(|e| LoadError(format!("cannot read inventory `{}`: {e}", path.display())))?;
    if meta.is_file() {
        let bytes =
            std::fs::read(path).map_err(|e| LoadError(format!("cannot read `{}`: {e}", path.display())))?;
        return Ok(vec![(path.display().to_string(), bytes)]);
    }
    let mut files = Vec::new();
    // Hidden files and folders are skipped before they are followed: an editor's lock file
    // (`.#servers.toml`) is a dangling symlink.
    let walker = walkdir::WalkDir::new(path)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_hidden(e.file_name()));
    for entry in walker {
        // Following a link happens before the filter sees it: a hidden dangling link errs here.
        if let Err(e) = &entry
            && e.path().and_then(Path::file_name).is_some_and(is_hidden)
        {
            continue;
        }
        let entry = entry.map_err(|e| {
            let at = e.path().map(|p| p.display().to_string()).unwrap_or_default();
            LoadError(format!("cannot read inventory folder `{at}`: {e}"))
        })?;
        let p = entry.path();
        if entry.file_type().is_file() && p.extension().is_some_and(|e| e == "toml") {
            let bytes =
                std::fs::read(p).map_err(|e| LoadError(format!("cannot read `{}`: {e}", p.display())))?;
            files.push((p.display().to_string(), bytes));
        }
    }
    if files.is_empty() {
        return Err(LoadError(format!("no *.toml files in inventory folder `{}`", path.display())));
    }
    Ok(files)
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.as_encoded_bytes().first() == Some(&b'.')
}

fn read_embedded() -> Vec<(String, Vec<u8>)> {
    fn walk(dir: &include_dir::Dir<'static>, out: &mut Vec<(String, Vec<u8>)>) {
        let shown = |p: &std::path::Path| p.file_name().is_some_and(|n| !is_hidden(n));
        for f in dir.files().filter(|f| shown(f.path())) {
            if f.path().extension().is_some_and(|e| e == "toml") {
                out.push((format!("inventory/{}", f.path().display()), f.contents().to_vec()));
            }
        }
        for d in dir.dirs().filter(|d| shown(d.path())) {
            walk(d, out);
        }
    }
    let mut out = Vec::new();
    walk(&EMBEDDED, &mut out);
    out.sort();
    out
}

/// Parses one file into its tables and findings.
fn parse_file(file: FileId, text: &str) -> (raw::Inventory, Vec<Finding>) {
    let mut raw = raw::Inventory::default();
    let mut findings = Vec::new();
    let table = match DeTable::parse(text) {
        Ok(t) => t,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            findings.push(Finding::new(Code::TomlSyntax, Loc::new(file, span), first_line(e.message())));
            raw.failed = declared_in_text(text);
            raw.unparsed = true;
            return (raw, findings);
        }
    };
    let mut ctx = FileCtx { file, findings: &mut findings, failed: Vec::new() };
    for (key, value) in table.into_inner() {
        match Table::from_key(key.get_ref()) {
            Some(t) => raw.read(t, &mut ctx, value),
            None => {
                let keys = Table::ALL.iter().map(|t| t.key());
                let hint = text::did_you_mean_or(key.get_ref(), keys, "the tables are");
                ctx.findings.push(
                    Finding::new(
                        Code::UnknownField,
                        Loc::new(file, key.span()),
                        format!("unknown table `{}` in an inventory file", key.get_ref()),
                    )
                    .hint(hint),
                );
            }
        }
    }
    raw.failed = ctx.failed;
    (raw, findings)
}

/// The objects a file that does not parse declares, as well as a line-by-line reading can tell:
/// each `[table]` or `[[table]]` header, with the `id = "..."` that follows it.
fn declared_in_text(text: &str) -> Vec<raw::Failed> {
    let mut out: Vec<raw::Failed> = Vec::new();
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        let header = t
            .strip_prefix("[[")
            .and_then(|r| r.split("]]").next())
            .or_else(|| t.strip_prefix('[').and_then(|r| r.split(']').next()));
        if let Some(table) = header.and_then(|h| Table::from_key(h.trim())) {
            out.push(raw::Failed { table, id: None });
        } else if let Some((key, value)) = t.split_once('=')
            && key.trim() == "id"
            && let Some(last) = out.last_mut()
            && last.id.is_none()
        {
            let id = value.trim().trim_matches(|c| c == '"' || c == '\'');
            last.id = Some(id.to_owned());
        }
    }
    out
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").trim().to_owned()
}

/// Deserializes the objects of one file, reporting into its findings.
pub(crate) struct FileCtx<'a> {
    file: FileId,
    findings: &'a mut Vec<Finding>,
    failed: Vec<raw::Failed>,
}

impl FileCtx<'_> {
    /// One table's value: an array of tables (`[[site]]`) or a single table (`[org]`).
    pub(crate) fn table<T: DeserializeOwned>(
        &mut self,
        table: Table,
        value: Spanned<DeValue<'_>>,
        out: &mut Vec<(Loc, T)>,
    ) {
        let kind = table.key();
        if !table.is_array() {
            out.extend(self.object(table, &format!("[{kind}]"), value));
            return;
        }
        let span = value.span();
        match value.into_inner() {
            DeValue::Array(items) => {
                let what = format!("[[{kind}]]");
                out.extend(items.into_iter().filter_map(|item| self.object(table, &what, item)));
            }
            other => self.findings.push(
                Finding::new(
                    Code::InvalidValue,
                    Loc::new(self.file, span),
                    format!("`{kind}` must be an array of tables, found {}", other.type_str()),
                )
                .hint(format!("write each one as [[{kind}]]")),
            ),
        }
    }

    /// One table, deserialized; `None` (with a finding) when it does not fit.
    fn object<T: DeserializeOwned>(
        &mut self,
        table: Table,
        what: &str,
        value: Spanned<DeValue<'_>>,
    ) -> Option<(Loc, T)> {
        let loc = Loc::new(self.file, value.span());
        let DeValue::Table(fields) = value.get_ref() else {
            self.findings.push(Finding::new(
                Code::InvalidValue,
                loc,
                format!("`{}` must be a table, found {}", table.key(), value.get_ref().type_str()),
            ));
            return None;
        };
        let id = match fields.get("id").map(Spanned::get_ref) {
            Some(DeValue::String(s)) => Some(s.to_string()),
            _ => None,
        };
        let result = match unknown_field::<T>(what, self.file, fields) {
            Some(f) => Err(f),
            None => deserialize(what, self.file, value),
        };
        match result {
            Ok(v) => Some((loc, v)),
            Err(f) => {
                self.findings.push(f);
                self.failed.push(raw::Failed { table, id });
                None
            }
        }
    }
}

/// The first key of `table` that `T` does not have, as an unknown-field finding. The known
/// fields come from serde itself (see [`fields_of`]), not from its error message.
pub(crate) fn unknown_field<T: DeserializeOwned>(
    what: &str,
    file: FileId,
    table: &DeTable<'_>,
) -> Option<Finding> {
    let known = fields_of::<T>()?;
    let (key, _) = table.iter().find(|(k, _)| !known.contains(&k.get_ref().as_ref()))?;
    let field = key.get_ref();
    let hint = text::did_you_mean_or(field, known.iter().copied(), &format!("the fields of {what} are"));
    Some(
        Finding::new(
            Code::UnknownField,
            Loc::new(file, key.span()),
            format!("unknown field `{field}` in {what}"),
        )
        .hint(hint),
    )
}

/// Deserializes a value; a serde error becomes an invalid-value finding at the error's span
/// (or the whole value's).
pub(crate) fn deserialize<T: DeserializeOwned>(
    what: &str,
    file: FileId,
    value: Spanned<DeValue<'_>>,
) -> Result<T, Finding> {
    let whole = Loc::new(file, value.span());
    T::deserialize(ValueDeserializer::from(value)).map_err(|e| {
        let at = e.span().map_or(whole, |s| Loc::new(file, s));
        Finding::new(Code::InvalidValue, at, format!("in {what}: {}", first_line(e.message())))
    })
}

/// The field names of a struct, as its `Deserialize` implementation declares them: a
/// deserializer that only records what `deserialize_struct` is handed. `None` for types that
/// are not structs.
pub(crate) fn fields_of<T: DeserializeOwned>() -> Option<&'static [&'static str]> {
    use serde::de::{Error, Visitor, value::Error as E};
    struct Probe(Option<&'static [&'static str]>);
    impl<'de> serde::Deserializer<'de> for &mut Probe {
        type Error = E;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, E> {
            Err(E::custom("not a struct"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, E> {
            self.0 = Some(fields);
            Err(E::custom("probed"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
            ignored_any
        }
    }
    let mut probe = Probe(None);
    let _ = T::deserialize(&mut probe);
    probe.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_str(text: &str) -> Loaded {
        load_files(vec![("t.toml".into(), text.as_bytes().to_vec())])
    }

    #[test]
    fn one_bad_object_does_not_hide_the_others() {
        let l = load_str("[[site]]\nid = \"a\"\n[[site]]\nidd = \"b\"\n[[site]]\nid = \"c\"\n");
        assert_eq!(l.raw.sites.len(), 2);
        assert_eq!(l.findings.len(), 1, "{:?}", l.findings); // the first error of an object stops it
        assert_eq!(l.findings[0].code, Code::UnknownField);
        assert_eq!(l.findings[0].hint.as_deref(), Some("did you mean `id`?"));
        let lc = l.sources.line_col(l.findings[0].loc.unwrap());
        assert_eq!(lc.line, 4);
    }

    #[test]
    fn a_file_that_does_not_parse_still_declares_its_objects() {
        let l = load_str("[[server]]\nid = \"a\"\nsite = s\n[[server]]\n  id = 'b'\n[org]\n");
        let got: Vec<_> = l.raw.failed.iter().map(|f| (f.table, f.id.as_deref())).collect();
        assert_eq!(got, [(Table::Server, Some("a")), (Table::Server, Some("b")), (Table::Org, None)]);
    }

    #[test]
    fn an_object_of_the_wrong_shape_is_remembered_with_its_id() {
        let l = load_str("[[rack]]\nid = \"r\"\nsite = \"s\"\nunits = \"42\"\n");
        assert!(l.raw.racks.is_empty());
        assert_eq!(l.raw.failed.len(), 1);
        assert_eq!(l.raw.failed[0].id.as_deref(), Some("r"));
    }

    #[test]
    fn syntax_errors_point_at_the_line() {
        let l = load_str("[[site]]\nid = \"a\n");
        assert_eq!(l.findings.len(), 1);
        assert_eq!(l.findings[0].code, Code::TomlSyntax);
        assert_eq!(l.sources.line_col(l.findings[0].loc.unwrap()).line, 2);
    }

    #[test]
    fn non_utf8_is_a_syntax_finding() {
        let l = load_files(vec![("t.toml".into(), b"[[site]]\nid = \"\xff\"\n".to_vec())]);
        assert_eq!(l.findings[0].code, Code::TomlSyntax);
        assert_eq!(l.sources.line_col(l.findings[0].loc.unwrap()).line, 2);
    }

    #[test]
    fn unknown_table_suggests_a_known_one() {
        let l = load_str("[[sever]]\nid = \"a\"\n");
        assert_eq!(l.findings[0].code, Code::UnknownField);
        assert_eq!(l.findings[0].hint.as_deref(), Some("did you mean `server`?"));
    }

    #[test]
    fn wrong_type_points_at_the_value() {
        let l = load_str("[[rack]]\nid = \"r\"\nsite = \"s\"\nunits = \"many\"\n");
        assert_eq!(l.findings[0].code, Code::InvalidValue);
        assert_eq!(l.sources.line_col(l.findings[0].loc.unwrap()).line, 4);
    }
}
