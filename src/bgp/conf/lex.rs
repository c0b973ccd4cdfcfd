//! Tokens and statements of a bgpd.conf: words, quoted strings, `{ ... }` lists and blocks.

use crate::diag::{Code, FileId, Finding, Loc};

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Word(String),
    Str(String),
    Open,
    Close,
    Eq,
    Newline,
}

/// Splits a config into tokens with byte spans: `#` comments, `\` continuations, quoted
/// strings, braces, `=`, newlines; commas separate like blanks.
fn tokenize(text: &str) -> Vec<(Tok, usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b'\\' => {
                // A backslash, optional blanks, then a newline: the line continues.
                let mut j = i + 1;
                while j < b.len() && (b[j] == b' ' || b[j] == b'\t' || b[j] == b'\r') {
                    j += 1;
                }
                if j < b.len() && b[j] == b'\n' {
                    i = j + 1;
                } else {
                    out.push((Tok::Word("\\".into()), i, i + 1));
                    i += 1;
                }
            }
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'\n' => {
                out.push((Tok::Newline, i, i + 1));
                i += 1;
            }
            b' ' | b'\t' | b'\r' | b',' => i += 1,
            b'{' => {
                out.push((Tok::Open, i, i + 1));
                i += 1;
            }
            b'}' => {
                out.push((Tok::Close, i, i + 1));
                i += 1;
            }
            b'=' => {
                out.push((Tok::Eq, i, i + 1));
                i += 1;
            }
            b'"' => {
                let start = i;
                i += 1;
                while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                    i += 1;
                }
                let s = text[start + 1..i].to_owned();
                if i < b.len() && b[i] == b'"' {
                    i += 1;
                }
                out.push((Tok::Str(s), start, i));
            }
            _ => {
                let start = i;
                while i < b.len() {
                    let c = b[i];
                    let ends = matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b',' | b'{' | b'}' | b'"' | b'#');
                    // `=` ends a word except in the operators `<=`, `>=`, `!=`.
                    let eq_ends = c == b'=' && !(i > start && matches!(b[i - 1], b'<' | b'>' | b'!'));
                    if ends || eq_ends {
                        break;
                    }
                    i += 1;
                }
                if i == start {
                    // A lone byte that starts nothing (cannot happen with the arms above).
                    i += 1;
                    continue;
                }
                out.push((Tok::Word(text[start..i].to_owned()), start, i));
            }
        }
    }
    out
}

/// A word of a statement, or a `{ ... }` list.
#[derive(Clone, Debug)]
pub(super) enum Item {
    Word(String, Loc),
    List(Vec<(String, Loc)>),
}

/// One statement: its items, and the statements of its block (`group`, `neighbor`).
#[derive(Clone, Debug)]
pub(super) struct Stmt {
    pub(super) items: Vec<Item>,
    pub(super) block: Option<Vec<Stmt>>,
    pub(super) loc: Loc,
}

const MAX_DEPTH: usize = 16;

struct Parser<'t> {
    toks: &'t [(Tok, usize, usize)],
    pos: usize,
    file: FileId,
    skipped: Vec<Finding>,
}

impl Parser<'_> {
    fn loc(&self, a: usize, b: usize) -> Loc {
        Loc::new(self.file, a..b)
    }

    fn statements(&mut self, depth: usize, in_block: bool) -> Vec<Stmt> {
        let mut out = Vec::new();
        loop {
            while matches!(self.toks.get(self.pos), Some((Tok::Newline, _, _))) {
                self.pos += 1;
            }
            let Some((tok, start, _)) = self.toks.get(self.pos).cloned() else { break };
            if tok == Tok::Close {
                self.pos += 1;
                if in_block {
                    break;
                }
                self.skipped.push(unsupported(self.loc(start, start + 1), "a `}` that closes nothing"));
                continue;
            }
            let mut items = Vec::new();
            let mut block = None;
            let mut end = start;
            while let Some((tok, s, e)) = self.toks.get(self.pos).cloned() {
                match tok {
                    Tok::Newline => {
                        self.pos += 1;
                        break;
                    }
                    Tok::Close => break,
                    Tok::Open => {
                        self.pos += 1;
                        let head = match items.first() {
                            Some(Item::Word(w, _)) => w.as_str(),
                            _ => "",
                        };
                        if matches!(head, "group" | "neighbor") && depth < MAX_DEPTH {
                            block = Some(self.statements(depth + 1, true));
                            break;
                        }
                        items.push(Item::List(self.list()));
                    }
                    Tok::Eq => {
                        items.push(Item::Word("=".into(), self.loc(s, e)));
                        self.pos += 1;
                    }
                    Tok::Word(w) | Tok::Str(w) => {
                        items.push(Item::Word(w, self.loc(s, e)));
                        self.pos += 1;
                    }
                }
                end = e;
            }
            out.push(Stmt { items, block, loc: self.loc(start, end.max(start + 1)) });
        }
        out
    }

    /// The words of a `{ ... }` list up to its closing brace; newlines and nesting flattened.
    fn list(&mut self) -> Vec<(String, Loc)> {
        let mut out = Vec::new();
        let mut depth = 1;
        while let Some((tok, s, e)) = self.toks.get(self.pos).cloned() {
            self.pos += 1;
            match tok {
                Tok::Open => depth += 1,
                Tok::Close => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                Tok::Word(w) | Tok::Str(w) => out.push((w, self.loc(s, e))),
                Tok::Eq => out.push(("=".into(), self.loc(s, e))),
                Tok::Newline => {}
            }
        }
        out
    }
}

pub(super) fn unsupported(loc: Loc, what: &str) -> Finding {
    Finding::new(Code::BgpConfigUnsupported, loc, format!("bgpd.conf: {what}: skipped"))
}

pub(super) fn parse_statements(file: FileId, text: &str, skipped: &mut Vec<Finding>) -> Vec<Stmt> {
    let toks = tokenize(text);
    let mut p = Parser { toks: &toks, pos: 0, file, skipped: Vec::new() };
    let stmts = p.statements(0, false);
    skipped.append(&mut p.skipped);
    stmts
}
