//! Writing a set of output files into a folder: atomically, and never over a user's files
//! without `--force`.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

/// Writes `files` (name, text) into `dir`, each atomically (a temporary file renamed over the
/// target) with the permissions of any new file under the umask (0644 usually; a temporary
/// file alone would be 0600). Files of an earlier run
/// that this one does not write again (`ours(name)` but not among `files`) are stale: they are
/// removed, so that a shorter plan leaves no old night behind.
///
/// Without `force`, nothing is written when a target or a stale file exists: `Ok(Err(names))`,
/// sorted, for the caller to explain.
pub(super) fn write_all(
    dir: &Path,
    files: &[(String, String)],
    force: bool,
    ours: impl Fn(&str) -> bool,
) -> Result<std::result::Result<(), Vec<String>>> {
    if dir.exists() && !dir.is_dir() {
        anyhow::bail!("`{}` is a file, not a folder", dir.display());
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
    let mut clash = Vec::new();
    let mut stale = Vec::new();
    let entries = std::fs::read_dir(dir).with_context(|| format!("cannot read `{}`", dir.display()))?;
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if files.iter().any(|f| f.0 == name) {
            clash.push(name);
        } else if ours(&name) {
            stale.push(name);
        }
    }
    if !force && (!clash.is_empty() || !stale.is_empty()) {
        let mut all = clash;
        all.extend(stale);
        all.sort();
        return Ok(Err(all));
    }
    for (name, text) in files {
        let mut tmp =
            new_file().tempfile_in(dir).with_context(|| format!("cannot write in `{}`", dir.display()))?;
        tmp.write_all(text.as_bytes()).with_context(|| format!("cannot write `{name}`"))?;
        tmp.persist(dir.join(name)).map_err(|e| e.error).with_context(|| format!("cannot write `{name}`"))?;
    }
    for name in stale {
        std::fs::remove_file(dir.join(&name)).with_context(|| format!("cannot remove `{name}`"))?;
    }
    Ok(Ok(()))
}

/// Temporary files created as `File::create` would: mode 0666 before the umask.
fn new_file() -> tempfile::Builder<'static, 'static> {
    let mut b = tempfile::Builder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(0o666));
    }
    b
}
