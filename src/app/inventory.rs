//! Which inventory a command reads: the one named, the built-in example when asked for, or an
//! `inventory/` folder found next to the plan file or above the current folder. Finding none is
//! an error that says where dcplan looked: checking some other inventory instead would let a CI
//! job pointed at the wrong folder pass.

use std::path::{Component, Path, PathBuf};

use anyhow::{Result, bail};

use crate::load::Root;

/// Where to look for the inventory, most specific first.
pub(super) struct Search<'a> {
    /// `--inventory DIR` or `check DIR`.
    pub(super) named: Option<PathBuf>,
    /// `--example`.
    pub(super) example: bool,
    /// The plan file the command reads, if any: its folder and those above are searched first.
    pub(super) plan: Option<&'a Path>,
}

impl Search<'_> {
    pub(super) fn root(self) -> Result<Root> {
        if self.example {
            return Ok(Root::Embedded);
        }
        if let Some(dir) = self.named {
            return Ok(Root::Disk(dir));
        }
        let cwd = std::env::current_dir()?;
        let mut looked = Vec::new();
        let plan_dir = self.plan.map(|p| cwd.join(p).parent().map_or(cwd.clone(), Path::to_path_buf));
        for start in plan_dir.iter().chain([&cwd]) {
            let start = normalize(start);
            if looked.iter().any(|l: &PathBuf| l.starts_with(&start)) {
                continue;
            }
            if let Some(found) = start.ancestors().map(|d| d.join("inventory")).find(|d| d.is_dir()) {
                return Ok(Root::Disk(relative_to(&found, &cwd)));
            }
            looked.push(start);
        }
        let places: Vec<String> = looked.iter().map(|d| format!("`{}`", d.display())).collect();
        bail!(
            "no inventory found: no `inventory/` folder in {} or any folder above\n\
             hint: name the inventory folder with `--inventory DIR` (or `dcplan check DIR`); \
             `--example` uses the example built into dcplan",
            places.join(" or ")
        )
    }
}

/// `a/./b/../c` as `a/c`, without touching the disk (the folders may be symlinks the user
/// thinks of by these names).
pub(super) fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

/// `path` as seen from `base` (both absolute): `inventory`, `../inventory`, ...; findings then
/// name files as the user would type them.
pub(super) fn relative_to(path: &Path, base: &Path) -> PathBuf {
    let (path, base) = (normalize(path), normalize(base));
    let common = path.components().zip(base.components()).take_while(|(a, b)| a == b).count();
    let mut rel = PathBuf::new();
    for _ in base.components().skip(common) {
        rel.push("..");
    }
    rel.extend(path.components().skip(common));
    rel
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        let rel = |a: &str, b: &str| relative_to(Path::new(a), Path::new(b)).display().to_string();
        assert_eq!(rel("/r/inventory", "/r"), "inventory");
        assert_eq!(rel("/r/inventory", "/r/tests/cmd"), "../../inventory");
        assert_eq!(rel("/r/plans/inventory", "/r/x"), "../plans/inventory");
        assert_eq!(rel("/r/a/../inventory", "/r/./b"), "../inventory");
    }
}
