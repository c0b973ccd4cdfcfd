//! Small text helpers for messages and hints, so every finding counts, lists and suggests the
//! same way: `3 replicas`, `` `a`, `b` ``, "did you mean `x`?".

use std::borrow::Cow;
use std::fmt::Display;

/// The word for `n` things: `replica` for 1, `replicas` otherwise (`es` after s, x, ch, sh:
/// `batches`, `addresses`, `prefixes`).
pub(crate) fn noun<N: Copy + PartialEq + From<u8>>(n: N, word: &str) -> Cow<'_, str> {
    if n == N::from(1) {
        return Cow::Borrowed(word);
    }
    let es = ["s", "x", "ch", "sh"].iter().any(|end| word.ends_with(end));
    Cow::Owned(format!("{word}{}", if es { "es" } else { "s" }))
}

/// `n` and the word for `n` things: `1 replica`, `3 replicas`.
pub(crate) fn count<N: Copy + Display + PartialEq + From<u8>>(n: N, word: &str) -> String {
    format!("{n} {}", noun(n, word))
}

/// Items in backticks, joined by `sep`: `` `a`, `b` ``.
pub(crate) fn backticked_by<T: Display>(items: impl IntoIterator<Item = T>, sep: &str) -> String {
    let mut out = String::new();
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push('`');
        out.push_str(&item.to_string());
        out.push('`');
    }
    out
}

/// Items in backticks, comma-separated: `` `a`, `b` ``.
pub(crate) fn backticked<T: Display>(items: impl IntoIterator<Item = T>) -> String {
    backticked_by(items, ", ")
}

/// Items as in a sentence: `a`, `a and b`, `a, b and c` (nothing for none).
pub(crate) fn and_list<T: AsRef<str>>(items: &[T]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_owned(),
        [init @ .., last] => {
            let init: Vec<&str> = init.iter().map(AsRef::as_ref).collect();
            format!("{} and {}", init.join(", "), last.as_ref())
        }
    }
}

/// The closest candidate to `word` (Jaro-Winkler above 0.8), for "did you mean" hints.
pub(crate) fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c)
}

/// "did you mean `x`?" when a candidate is close.
pub(crate) fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    closest(word, candidates).map(|m| format!("did you mean `{m}`?"))
}

/// "did you mean `x`?", else "`{label}: a, b, c`" listing every candidate.
pub(crate) fn did_you_mean_or<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str> + Clone,
    label: &str,
) -> String {
    did_you_mean(word, candidates.clone()).unwrap_or_else(|| {
        let all: Vec<&str> = candidates.into_iter().collect();
        format!("{label}: {}", all.join(", "))
    })
}

/// " (did you mean `x`?)" when a candidate is close, else nothing: for the end of an error line.
pub(crate) fn did_you_mean_suffix<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(word, candidates).map(|m| format!(" (did you mean `{m}`?)")).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals() {
        assert_eq!(count(1, "replica"), "1 replica");
        assert_eq!(count(0, "replica"), "0 replicas");
        assert_eq!(count(2, "batch"), "2 batches");
        assert_eq!(count(3, "address"), "3 addresses");
        assert_eq!(noun(2, "prefix"), "prefixes");
        assert_eq!(count(1u64, "window"), "1 window");
        assert_eq!(count(2u32, "vm"), "2 vms");
    }

    #[test]
    fn lists() {
        assert_eq!(backticked(["a", "b"]), "`a`, `b`");
        assert_eq!(backticked(Vec::<String>::new()), "");
        assert_eq!(backticked_by([1, 2], " -> "), "`1` -> `2`");
        assert_eq!(and_list::<&str>(&[]), "");
        assert_eq!(and_list(&["a"]), "a");
        assert_eq!(and_list(&["a", "b"]), "a and b");
        assert_eq!(and_list(&["a", "b", "c"]), "a, b and c");
    }

    #[test]
    fn suggestions() {
        assert_eq!(closest("adresses", ["addresses", "asset_tag"]), Some("addresses"));
        assert_eq!(closest("zzz", ["addresses", "asset_tag"]), None);
        assert_eq!(did_you_mean("sever", ["server"]).as_deref(), Some("did you mean `server`?"));
        assert_eq!(did_you_mean_or("zzz", ["a", "b"], "one of"), "one of: a, b");
        assert_eq!(did_you_mean_suffix("rtr", ["rtr1"]), " (did you mean `rtr1`?)");
        assert_eq!(did_you_mean_suffix("zzz", ["rtr1"]), "");
    }
}
