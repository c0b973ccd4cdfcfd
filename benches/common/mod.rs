//! What the bench targets share.

use std::time::Instant;

/// Runs `run` three times; the last result and the best time in seconds.
pub(crate) fn best_of_3<T>(mut run: impl FnMut() -> T) -> (T, f64) {
    let mut best = f64::MAX;
    let mut last = None;
    for _ in 0..3 {
        let t = Instant::now();
        let out = run();
        best = best.min(t.elapsed().as_secs_f64());
        last = Some(out);
    }
    (last.expect("three runs"), best)
}
