//! The text of every file that was read, so findings can point at line and column and show the
//! source line.

use codespan_reporting::files::{Files, SimpleFiles};

use crate::diag::{FileId, Loc};

/// Every source file read in one run, by [`FileId`].
#[derive(Default)]
pub struct Sources {
    files: SimpleFiles<String, String>,
}

/// A 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LineCol {
    /// Line, from 1.
    pub(crate) line: usize,
    /// Column in characters, from 1.
    pub(crate) column: usize,
}

impl Sources {
    /// An empty set.
    pub(crate) fn new() -> Sources {
        Sources::default()
    }

    /// Adds a file: `name` is the path as shown to the user.
    pub fn add(&mut self, name: String, text: String) -> FileId {
        FileId(u32::try_from(self.files.add(name, text)).unwrap_or(u32::MAX))
    }

    /// The display name of a file.
    pub(crate) fn name(&self, id: FileId) -> &str {
        self.files.get(id.0 as usize).map_or("", |f| f.name().as_str())
    }

    /// The text of a file.
    pub fn text(&self, id: FileId) -> &str {
        self.files.get(id.0 as usize).map_or("", |f| f.source().as_str())
    }

    /// Line and column of the start of a location.
    pub(crate) fn line_col(&self, loc: Loc) -> LineCol {
        match self.files.location(loc.file.0 as usize, loc.start as usize) {
            Ok(l) => LineCol { line: l.line_number, column: l.column_number },
            Err(_) => LineCol { line: 1, column: 1 },
        }
    }

    /// The codespan database, for rendering.
    pub(crate) fn files(&self) -> &SimpleFiles<String, String> {
        &self.files
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        let mut s = Sources::new();
        let f = s.add("a.toml".into(), "x = 1\n  y = 2\n".into());
        assert_eq!(s.line_col(Loc::new(f, 0..1)), LineCol { line: 1, column: 1 });
        assert_eq!(s.line_col(Loc::new(f, 8..9)), LineCol { line: 2, column: 3 });
        assert_eq!(s.name(f), "a.toml");
    }
}
