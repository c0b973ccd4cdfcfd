//! Progress on standard error for long work (planning thousands of machines, importing,
//! drawing hundreds of racks): a bar when standard error is a terminal, nothing otherwise, so
//! that pipes, files, CI logs and tests see the same bytes with or without it.
//!
//! ```ignore
//! let progress = Progress::bar("drawing racks", racks.len(), 100);
//! for r in &racks {
//!     draw(r);
//!     progress.inc();
//! }
//! ```
//! The bar is cleared when the value is dropped.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Work of at least this many machines shows progress while it is planned.
pub(crate) const LONG_PLAN_MACHINES: usize = 300;

/// Work of at least this many racks shows progress while they are drawn.
pub(crate) const LONG_RACKS: usize = 100;

/// Work that is shown whatever its size: an import waits on a network or on large exports,
/// and how long is not known before it starts.
pub(crate) const ALWAYS: usize = 0;

/// A progress indicator on standard error; hidden unless it is a terminal and the work is long.
#[derive(Debug)]
pub(crate) struct Progress(Option<ProgressBar>);

impl Progress {
    /// A bar for `total` steps of `what`, shown when `total >= long_from` on a terminal.
    pub(crate) fn bar(what: &str, total: usize, long_from: usize) -> Progress {
        if !shown(total >= long_from, stderr_is_terminal()) {
            return Progress(None);
        }
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
        // The template is a constant: it parses, or the fallback is a plain bar.
        let style = ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        bar.set_style(style);
        bar.set_message(what.to_owned());
        Progress(Some(bar))
    }

    /// A spinner for work whose length is not known in steps (a planner search), shown when
    /// `long` on a terminal.
    pub(crate) fn spinner(what: &str, long: bool) -> Progress {
        if !shown(long, stderr_is_terminal()) {
            return Progress(None);
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        bar.set_style(style);
        bar.set_message(what.to_owned());
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress(Some(bar))
    }

    /// Nothing shown (work run where no one watches it: tests, fuzzing).
    #[cfg(feature = "fuzz")]
    pub(crate) fn hidden() -> Progress {
        Progress(None)
    }

    /// One step done.
    pub(crate) fn inc(&self) {
        if let Some(b) = &self.0 {
            b.inc(1);
        }
    }

    /// What is being done now, beside the bar (`reading dcim/devices, page 3 of 20`).
    pub(crate) fn say(&self, what: impl FnOnce() -> String) {
        if let Some(b) = &self.0 {
            b.set_message(what());
        }
    }

    /// Whether anything is drawn.
    #[cfg(test)]
    fn is_shown(&self) -> bool {
        self.0.is_some()
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(b) = self.0.take() {
            b.finish_and_clear();
        }
    }
}

fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
}

/// Long work on a terminal: the one rule, kept apart to be tested.
fn shown(long: bool, terminal: bool) -> bool {
    long && terminal
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_long_work_on_a_terminal_is_shown() {
        assert!(shown(true, true));
        assert!(!shown(true, false));
        assert!(!shown(false, true));
        assert!(!shown(false, false));
    }

    #[test]
    fn short_work_draws_nothing_and_steps_are_harmless() {
        let p = Progress::bar("drawing racks", 3, LONG_RACKS);
        assert!(!p.is_shown());
        p.inc();
        assert!(!Progress::spinner("planning", false).is_shown());
    }
}
