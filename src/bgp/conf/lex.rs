//! Tokens and statements of a bgpd.conf, cut the way bgpd's own lexer cuts them: words
//! (`198.51.100.0`), operators (`/`, `<=`, `-`, `><`...), quoted strings, `{ ... }` lists and
//! `group`/`neighbor` blocks. Macros (`$name`) are expanded where they are used, by lexing their
//! value again, so a macro may hold a list; `include` splices another file in.

use std::collections::BTreeMap;

use crate::diag::{Code, FileId, Finding, Loc};
use crate::source::Sources;

/// Reads an included file: (display name, text) relative to the including config.
pub(crate) type Reader<'a> = dyn FnMut(&str) -> Result<(String, String), String> + 'a;

/// An operator or punctuation token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// `><`: inside the range, bounds excluded.
    XRange,
    /// `<>`: outside the range.
    ExtRange,
    Minus,
    Slash,
    Comma,
    Bang,
    /// Anything else that is neither a word nor a blank (`(`, `)`...).
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Word(String, bool),
    Op(Op),
    Open,
    Close,
    Newline,
}

/// A word of a statement, an operator, or a `{ ... }` list.
#[derive(Clone, Debug)]
pub(super) enum Item {
    /// A word; `quoted` when written in quotes (never a keyword then).
    Word {
        text: String,
        quoted: bool,
        loc: Loc,
    },
    Op(Op, Loc),
    List(Vec<Item>, Loc),
}

impl Item {
    pub(super) fn loc(&self) -> Loc {
        match self {
            Item::Word { loc, .. } | Item::Op(_, loc) | Item::List(_, loc) => *loc,
        }
    }

    /// The word's text (quoted or not).
    pub(super) fn text(&self) -> Option<&str> {
        match self {
            Item::Word { text, .. } => Some(text),
            _ => None,
        }
    }

    /// Whether this is the unquoted keyword `kw`.
    pub(super) fn is(&self, kw: &str) -> bool {
        matches!(self, Item::Word { text, quoted: false, .. } if text == kw)
    }
}

/// One statement: its items, and the statements of its block (`group`, `neighbor`).
#[derive(Clone, Debug)]
pub(super) struct Stmt {
    pub(super) items: Vec<Item>,
    pub(super) block: Option<Vec<Stmt>>,
    pub(super) loc: Loc,
}

/// bgpd's `allowed_in_string`: what may appear inside an unquoted word.
fn in_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || (c.is_ascii_punctuation() && !b"(){}<>!=/#,".contains(&c))
}

/// What may end a number (bgpd's `allowed_to_end_number`).
fn ends_number(c: Option<u8>) -> bool {
    c.is_none_or(|c| c.is_ascii_whitespace() || b"),/}=".contains(&c))
}

const MAX_INCLUDE: usize = 8;

/// Characters still to read, from the file or from a macro's value: reading goes on from the
/// file when a value is used up, as bgpd pushes a value back into its input.
struct Frame {
    bytes: Vec<u8>,
    pos: usize,
    /// The `$name` a macro's value came from; `None` for the file itself.
    at: Option<Loc>,
}

/// The lexer of one file, producing tokens with byte spans.
struct Lexer {
    frames: Vec<Frame>,
    file: FileId,
}

/// Shared state of a parse: macros, findings, includes.
pub(super) struct Ctx<'r, 'a> {
    pub(super) macros: BTreeMap<String, String>,
    pub(super) findings: Vec<Finding>,
    pub(super) reader: &'r mut Reader<'a>,
    pub(super) sources: &'r mut Sources,
    /// A statement bgpd rejects was seen.
    pub(super) invalid: bool,
    include_depth: usize,
}

impl<'r, 'a> Ctx<'r, 'a> {
    pub(super) fn new(reader: &'r mut Reader<'a>, sources: &'r mut Sources) -> Self {
        Ctx {
            macros: BTreeMap::new(),
            findings: Vec::new(),
            reader,
            sources,
            invalid: false,
            include_depth: 0,
        }
    }

    /// bgpd -n would reject the config here.
    pub(super) fn error(&mut self, loc: Loc, what: impl Into<String>) {
        self.invalid = true;
        self.findings.push(Finding::new(
            Code::BgpConfigInvalid,
            loc,
            format!("bgpd.conf: {} (bgpd refuses this config)", what.into()),
        ));
    }

    /// Something dcplan does not evaluate.
    pub(super) fn skip(&mut self, loc: Loc, what: impl Into<String>) {
        self.findings.push(unsupported(loc, &what.into()));
    }
}

impl Lexer {
    fn new(text: &str, file: FileId) -> Self {
        Lexer { frames: vec![Frame { bytes: text.as_bytes().to_vec(), pos: 0, at: None }], file }
    }

    fn peek(&self, k: usize) -> Option<u8> {
        let mut k = k;
        for f in self.frames.iter().rev() {
            let rest = f.bytes.len() - f.pos;
            if k < rest {
                return Some(f.bytes[f.pos + k]);
            }
            k -= rest;
        }
        None
    }

    fn bump(&mut self) -> Option<u8> {
        self.settle();
        let f = self.frames.last_mut()?;
        let c = f.bytes.get(f.pos).copied()?;
        f.pos += 1;
        Some(c)
    }

    /// Drops used-up macro values.
    fn settle(&mut self) {
        while self.frames.len() > 1 && self.frames.last().is_some_and(|f| f.pos >= f.bytes.len()) {
            self.frames.pop();
        }
    }

    /// Where the next character comes from: a macro reference, or a file offset.
    fn here(&mut self) -> (Option<Loc>, usize) {
        self.settle();
        (self.frames.last().and_then(|f| f.at), self.frames[0].pos)
    }

    fn span(&self, start: (Option<Loc>, usize)) -> Loc {
        start.0.unwrap_or_else(|| Loc::new(self.file, start.1..self.frames[0].pos.max(start.1 + 1)))
    }

    fn loc(&self, a: usize, b: usize) -> Loc {
        Loc::new(self.file, a..b.max(a + 1))
    }

    fn next(&mut self, ctx: &mut Ctx<'_, '_>) -> Option<(Tok, Loc)> {
        loop {
            let start = self.here();
            let c = self.peek(0)?;
            match c {
                b' ' | b'\t' | b'\r' => {
                    self.bump();
                }
                b'\\' if self.peek(1) == Some(b'\n') => {
                    self.bump();
                    self.bump();
                }
                b'#' => {
                    while self.peek(0).is_some_and(|c| c != b'\n') {
                        self.bump();
                    }
                }
                b'\n' => {
                    self.bump();
                    return Some((Tok::Newline, self.span(start)));
                }
                // Inside a macro's value `$` is an ordinary character (bgpd expands once).
                b'$' if start.0.is_none()
                    && self.peek(1).is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_') =>
                {
                    self.macro_ref(ctx);
                }
                b'"' | b'\'' => return Some(self.quoted(ctx)),
                b'{' | b'}' => {
                    self.bump();
                    let t = if c == b'{' { Tok::Open } else { Tok::Close };
                    return Some((t, self.span(start)));
                }
                _ => return Some(self.word_or_op()),
            }
        }
    }

    /// `$name`: the macro's value is read next, reported at the reference.
    fn macro_ref(&mut self, ctx: &mut Ctx<'_, '_>) {
        let start = self.here();
        self.bump();
        let mut name = Vec::new();
        while let Some(c) = self.peek(0).filter(|c| c.is_ascii_alphanumeric() || *c == b'_') {
            name.push(c);
            self.bump();
        }
        let name = String::from_utf8_lossy(&name).into_owned();
        let loc = self.span(start);
        match ctx.macros.get(&name) {
            Some(value) => {
                let bytes = value.as_bytes().to_vec();
                self.frames.push(Frame { bytes, pos: 0, at: Some(loc) });
            }
            None => ctx.error(loc, format!("macro '{name}' not defined")),
        }
    }

    fn quoted(&mut self, ctx: &mut Ctx<'_, '_>) -> (Tok, Loc) {
        let start = self.here();
        let q = self.bump().unwrap_or(b'"');
        let mut s = Vec::new();
        loop {
            match self.peek(0) {
                None | Some(b'\n') => {
                    ctx.error(self.span(start), "unterminated quoted string");
                    break;
                }
                Some(c) if c == q => {
                    self.bump();
                    break;
                }
                Some(b'\\') => match self.peek(1) {
                    Some(b'\n') => {
                        self.bump();
                        self.bump();
                    }
                    Some(n) if n == q || n == b' ' || n == b'\t' => {
                        s.push(n);
                        self.bump();
                        self.bump();
                    }
                    _ => {
                        s.push(b'\\');
                        self.bump();
                    }
                },
                Some(c) => {
                    s.push(c);
                    self.bump();
                }
            }
        }
        (Tok::Word(String::from_utf8_lossy(&s).into_owned(), true), self.span(start))
    }

    fn word_or_op(&mut self) -> (Tok, Loc) {
        let start = self.here();
        let c = self.peek(0).unwrap_or(b' ');
        let two = |a: u8, b: u8| c == a && self.peek(1) == Some(b);
        let op = if two(b'!', b'=') {
            Some(Op::Ne)
        } else if two(b'<', b'=') {
            Some(Op::Le)
        } else if two(b'<', b'>') {
            Some(Op::ExtRange)
        } else if two(b'>', b'<') {
            Some(Op::XRange)
        } else if two(b'>', b'=') {
            Some(Op::Ge)
        } else {
            None
        };
        if let Some(op) = op {
            self.bump();
            self.bump();
            return (Tok::Op(op), self.span(start));
        }
        if c == b'-' || c.is_ascii_digit() {
            let mut j = 1;
            while self.peek(j).is_some_and(|c| c.is_ascii_digit()) {
                j += 1;
            }
            if j == 1 && c == b'-' {
                self.bump();
                return (Tok::Op(Op::Minus), self.span(start));
            }
            if ends_number(self.peek(j)) {
                let w = self.take(j);
                return (Tok::Word(w, false), self.span(start));
            }
        }
        if c.is_ascii_alphanumeric() || b":_*".contains(&c) {
            let mut j = 0;
            while self.peek(j).is_some_and(in_word) {
                j += 1;
            }
            let w = self.take(j);
            return (Tok::Word(w, false), self.span(start));
        }
        self.bump();
        let op = match c {
            b'=' => Op::Eq,
            b'<' => Op::Lt,
            b'>' => Op::Gt,
            b'-' => Op::Minus,
            b'/' => Op::Slash,
            b',' => Op::Comma,
            b'!' => Op::Bang,
            _ => Op::Other,
        };
        (Tok::Op(op), self.span(start))
    }

    fn take(&mut self, n: usize) -> String {
        let bytes: Vec<u8> = (0..n).filter_map(|_| self.bump()).collect();
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

/// Statements from tokens; defines macros as their statements end, so that later statements
/// see them, and splices includes.
struct Parser {
    lex: Lexer,
    peeked: Option<(Tok, Loc)>,
}

const MAX_DEPTH: usize = 16;

impl Parser {
    fn next(&mut self, ctx: &mut Ctx<'_, '_>) -> Option<(Tok, Loc)> {
        self.peeked.take().or_else(|| self.lex.next(ctx))
    }

    fn peek(&mut self, ctx: &mut Ctx<'_, '_>) -> Option<&(Tok, Loc)> {
        if self.peeked.is_none() {
            self.peeked = self.lex.next(ctx);
        }
        self.peeked.as_ref()
    }

    fn statements(&mut self, ctx: &mut Ctx<'_, '_>, depth: usize, in_block: bool) -> Vec<Stmt> {
        let mut out = Vec::new();
        loop {
            let Some((tok, loc)) = self.next(ctx) else {
                if in_block {
                    ctx.error(
                        out.last().map_or(self.lex.loc(0, 0), |s: &Stmt| s.loc),
                        "syntax error: `{` not closed",
                    );
                }
                break;
            };
            match tok {
                Tok::Newline => continue,
                Tok::Close if in_block => break,
                Tok::Close => {
                    ctx.error(loc, "syntax error: a `}` that closes nothing");
                    continue;
                }
                _ => {}
            }
            self.peeked = Some((tok, loc));
            let stmt = self.statement(ctx, depth);
            if stmt.items.first().is_some_and(|i| i.is("include")) && stmt.block.is_none() {
                out.extend(self.include(ctx, &stmt));
                continue;
            }
            self.define(ctx, &stmt);
            out.push(stmt);
        }
        out
    }

    fn statement(&mut self, ctx: &mut Ctx<'_, '_>, depth: usize) -> Stmt {
        let mut items: Vec<Item> = Vec::new();
        let mut block = None;
        let fallback = self.lex.loc(0, 0);
        let start = self.peek(ctx).map_or(fallback, |t| t.1);
        let mut end = start;
        while let Some((tok, loc)) = self.next(ctx) {
            match tok {
                Tok::Newline => {
                    // `group NAME`, `neighbor ADDR` and `prefix-set NAME` may open on the next line.
                    let head = items.first().is_some_and(|i| i.is("group") || i.is("prefix-set"));
                    if head && items.len() == 2 && self.brace_follows(ctx) {
                        continue;
                    }
                    break;
                }
                Tok::Close => {
                    self.peeked = Some((tok, loc));
                    break;
                }
                Tok::Open => {
                    let blocky =
                        items.len() == 2 && items.first().is_some_and(|i| i.is("group") || i.is("neighbor"));
                    if blocky && depth < MAX_DEPTH {
                        block = Some(self.block(ctx, depth, items[0].is("neighbor"), loc));
                        break;
                    }
                    items.push(self.list(ctx, loc));
                }
                Tok::Op(op) => items.push(Item::Op(op, loc)),
                Tok::Word(text, quoted) => items.push(Item::Word { text, quoted, loc }),
            }
            end = loc;
        }
        let loc = if start.file == end.file && end.end >= start.start {
            Loc { file: start.file, start: start.start, end: end.end }
        } else {
            start
        };
        Stmt { items, block, loc }
    }

    /// The statements of a block whose `{` was just read. A neighbor's block is either one
    /// setting on the line of its braces, or begins with a newline (bgpd's grammar).
    fn block(&mut self, ctx: &mut Ctx<'_, '_>, depth: usize, neighbor: bool, open: Loc) -> Vec<Stmt> {
        if !neighbor || matches!(self.peek(ctx), Some((Tok::Newline, _))) {
            return self.statements(ctx, depth + 1, true);
        }
        let first = self.statement(ctx, depth + 1);
        if matches!(self.peek(ctx), Some((Tok::Close, _))) {
            self.peeked = None;
            return vec![first];
        }
        ctx.error(open, "syntax error: settings after `{` on a neighbor's line");
        let mut out = vec![first];
        out.extend(self.statements(ctx, depth + 1, true));
        out
    }

    /// Skips newlines; true when a `{` follows (left to be read).
    fn brace_follows(&mut self, ctx: &mut Ctx<'_, '_>) -> bool {
        while matches!(self.peek(ctx), Some((Tok::Newline, _))) {
            self.peeked = None;
        }
        matches!(self.peek(ctx), Some((Tok::Open, _)))
    }

    /// The items of a `{ ... }` list up to its closing brace; newlines dropped, lists nested.
    fn list(&mut self, ctx: &mut Ctx<'_, '_>, open: Loc) -> Item {
        let mut out = Vec::new();
        loop {
            let Some((tok, loc)) = self.next(ctx) else {
                ctx.error(open, "syntax error: `{` not closed");
                break;
            };
            match tok {
                Tok::Close => break,
                Tok::Open => out.push(self.list(ctx, loc)),
                Tok::Newline => {}
                Tok::Op(op) => out.push(Item::Op(op, loc)),
                Tok::Word(text, quoted) => out.push(Item::Word { text, quoted, loc }),
            }
        }
        Item::List(out, open)
    }

    /// `NAME = value...`: the macro is defined from here on.
    fn define(&mut self, ctx: &mut Ctx<'_, '_>, s: &Stmt) {
        if let [Item::Word { text: name, .. }, Item::Op(Op::Eq, _), rest @ ..] = s.items.as_slice() {
            let words: Option<Vec<&str>> = rest.iter().map(Item::text).collect();
            match words {
                Some(w) if !w.is_empty() => {
                    ctx.macros.insert(name.clone(), w.join(" "));
                }
                _ => ctx.error(s.loc, "syntax error"),
            }
        }
    }

    fn include(&mut self, ctx: &mut Ctx<'_, '_>, s: &Stmt) -> Vec<Stmt> {
        let Some(path) = s.items.get(1).and_then(Item::text).map(str::to_owned) else {
            ctx.error(s.loc, "syntax error");
            return Vec::new();
        };
        if ctx.include_depth >= MAX_INCLUDE {
            ctx.skip(s.loc, format!("`include \"{path}\"` nested too deep"));
            return Vec::new();
        }
        match (ctx.reader)(&path) {
            Ok((name, text)) => {
                let file = ctx.sources.add(name, text);
                let text = ctx.sources.text(file).to_owned();
                ctx.include_depth += 1;
                let stmts = parse_statements(ctx, file, &text);
                ctx.include_depth -= 1;
                stmts
            }
            Err(e) => {
                ctx.error(s.loc, format!("cannot open include \"{path}\": {e}"));
                Vec::new()
            }
        }
    }
}

pub(super) fn unsupported(loc: Loc, what: &str) -> Finding {
    Finding::new(Code::BgpConfigUnsupported, loc, format!("bgpd.conf: {what}: not evaluated"))
}

/// The statements of `text` (already added to the sources as `file`).
pub(super) fn parse_statements(ctx: &mut Ctx<'_, '_>, file: FileId, text: &str) -> Vec<Stmt> {
    let mut p = Parser { lex: Lexer::new(text, file), peeked: None };
    p.statements(ctx, 0, false)
}
