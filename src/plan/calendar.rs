//! Move nights on the calendar: batch k's window is the k-th window, counted from
//! `first_window` every `every_days`, whose local start date is not a blackout date; no window
//! may start after `last_window` (the lease).
//!
//! Windows keep their local time: with `time_zone` the wall-clock time of `first_window` in that
//! zone (so a window stays at 22:00 across daylight-saving changes), without it the fixed UTC
//! offset `first_window` was written with. Dates past the year 9999 are an error, never a
//! repeated or wrapped window.

use jiff::civil::{Date, DateTime};
use jiff::tz::{Offset, TimeZone};
use jiff::{Span, Timestamp};

/// A window start with the UTC offset it is printed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Window {
    /// The instant.
    pub(crate) start: Timestamp,
    /// The offset in force at that instant (where the windows keep their local time).
    pub(crate) offset: Offset,
}

impl Window {
    /// `2026-05-02T22:00:00-04:00`.
    pub(crate) fn format(self) -> String {
        self.start
            .to_zoned_datetime(TimeZone::fixed(self.offset))
            .strftime("%Y-%m-%dT%H:%M:%S%:z")
            .to_string()
    }

    /// The local start date (in the window's own offset).
    pub(crate) fn date(self) -> Date {
        self.start.to_zoned_datetime(TimeZone::fixed(self.offset)).date()
    }

    /// This window plus `hours`, in the same offset (saturating at the end of time).
    pub(crate) fn plus_hours(self, hours: i64) -> Window {
        let start = Span::new()
            .try_hours(hours)
            .ok()
            .and_then(|h| self.start.checked_add(h).ok())
            .unwrap_or(self.start);
        Window { start, ..self }
    }
}

/// A window would start after the last date the calendar can represent (9999-12-31).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Overflow;

/// The windows of a plan.
#[derive(Clone, Debug)]
pub(crate) struct Calendar {
    /// Local date and time of the first window.
    first: DateTime,
    /// Where windows keep their local time: the named zone, or the first window's fixed offset.
    tz: TimeZone,
    /// Days between windows (at least 1).
    every_days: u32,
    /// Indices (from 0) of the windows that fall on a blackout date, sorted, unique.
    blocked: Vec<u64>,
    /// No window may start later.
    last: Option<Timestamp>,
}

impl Calendar {
    /// The calendar from its parts: `first` as written, `tz` the plan's time zone (None: keep
    /// `first`'s offset), `blackout` local dates without a window.
    pub(crate) fn new(
        first: Window,
        tz: Option<TimeZone>,
        every_days: u32,
        blackout: &[Date],
        last: Option<Timestamp>,
    ) -> Calendar {
        let tz = tz.unwrap_or_else(|| TimeZone::fixed(first.offset));
        let first = first.start.to_zoned_datetime(tz.clone()).datetime();
        let every_days = every_days.max(1);
        let mut blocked: Vec<u64> = blackout
            .iter()
            .filter_map(|&d| {
                let days = days_between(first.date(), d);
                (days >= 0 && days % i64::from(every_days) == 0)
                    .then(|| (days / i64::from(every_days)) as u64)
            })
            .collect();
        blocked.sort_unstable();
        blocked.dedup();
        Calendar { first, tz, every_days, blocked, last }
    }

    /// The `i`-th window (from 0), blackouts included.
    fn raw(&self, i: u64) -> Result<Window, Overflow> {
        let days =
            i64::try_from(i).ok().and_then(|i| i.checked_mul(i64::from(self.every_days))).ok_or(Overflow)?;
        let span = Span::new().try_days(days).map_err(|_| Overflow)?;
        let local = self.first.checked_add(span).map_err(|_| Overflow)?;
        let z = local.to_zoned_datetime(self.tz.clone()).map_err(|_| Overflow)?;
        Ok(Window { start: z.timestamp(), offset: z.offset() })
    }

    /// The index (from 0, blackouts included) of night `k` (from 1).
    fn raw_index(&self, k: usize) -> u64 {
        let mut i = (k as u64).saturating_sub(1);
        for &b in &self.blocked {
            if b <= i {
                i = i.saturating_add(1);
            } else {
                break;
            }
        }
        i
    }

    /// The window of night `k` (from 1), whether or not it is before `last_window`.
    pub(crate) fn window(&self, k: usize) -> Result<Window, Overflow> {
        self.raw(self.raw_index(k))
    }

    /// How many windows start no later than `last_window` (None: no last window).
    pub(crate) fn available(&self) -> Option<u64> {
        let last = self.last?;
        let first = self.raw(0).ok()?;
        if first.start > last {
            return Some(0);
        }
        // Estimate from elapsed days, then correct: daylight-saving shifts move a window by
        // hours, never by a whole period.
        let secs = last.as_second().saturating_sub(first.start.as_second());
        let mut i = (secs / 86_400 / i64::from(self.every_days)).max(0) as u64 + 1;
        while i > 0 && self.raw(i).map_or(true, |w| w.start > last) {
            i -= 1;
        }
        while self.raw(i + 1).is_ok_and(|w| w.start <= last) {
            i += 1;
        }
        let blocked = self.blocked.iter().filter(|&&b| b <= i).count() as u64;
        Some(i + 1 - blocked)
    }

    /// The first night whose window starts on or after local date `d` (for `not_before`).
    pub(crate) fn night_on_or_after(&self, d: Date) -> usize {
        let days = days_between(self.first.date(), d).max(0);
        let every = i64::from(self.every_days);
        let i = ((days + every - 1) / every) as u64;
        let blocked_before = self.blocked.iter().filter(|&&b| b < i).count() as u64;
        usize::try_from(i - blocked_before + 1).unwrap_or(usize::MAX)
    }

    /// The local date of the first window.
    pub(crate) fn first_date(&self) -> Date {
        self.first.date()
    }
}

/// Whole days from `a` to `b` (negative when `b` is earlier).
fn days_between(a: Date, b: Date) -> i64 {
    a.duration_until(b).as_secs().div_euclid(86_400)
}

/// Parses a window start: an RFC 3339 date-time (`2026-05-02T22:00:00-04:00`, `...Z`), or a
/// local date-time when `tz` is given (then read in that zone).
pub(crate) fn parse_window(text: &str, tz: Option<&TimeZone>) -> Option<Window> {
    let pieces = jiff::fmt::temporal::Pieces::parse(text).ok()?;
    let time = pieces.time()?;
    let local = pieces.date().to_datetime(time);
    let z = match (pieces.to_numeric_offset(), tz) {
        (Some(offset), _) => local.to_zoned_datetime(TimeZone::fixed(offset)).ok()?,
        (None, Some(tz)) => local.to_zoned_datetime(tz.clone()).ok()?,
        (None, None) => return None,
    };
    Some(Window { start: z.timestamp(), offset: z.offset() })
}

/// Parses a `YYYY-MM-DD` date.
pub(crate) fn parse_date(text: &str) -> Option<Date> {
    Date::strptime("%Y-%m-%d", text).ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn cal(first: &str, tz: Option<&str>, every: u32, blackout: &[&str], last: Option<&str>) -> Calendar {
        let tz = tz.map(|n| TimeZone::get(n).unwrap());
        let w = parse_window(first, None).unwrap();
        let b: Vec<Date> = blackout.iter().map(|d| parse_date(d).unwrap()).collect();
        Calendar::new(w, tz, every, &b, last.map(|l| parse_window(l, None).unwrap().start))
    }

    #[test]
    fn weekly_windows_skip_blackouts() {
        let c = cal("2026-12-05T22:00:00-05:00", None, 7, &["2026-12-26", "2027-01-02"], None);
        let starts: Vec<String> = (1..=4).map(|k| c.window(k).unwrap().format()).collect();
        assert_eq!(
            starts,
            [
                "2026-12-05T22:00:00-05:00",
                "2026-12-12T22:00:00-05:00",
                "2026-12-19T22:00:00-05:00",
                "2027-01-09T22:00:00-05:00"
            ]
        );
    }

    #[test]
    fn a_time_zone_keeps_local_time_across_dst() {
        let fixed = cal("2026-10-24T22:00:00-04:00", None, 7, &[], None);
        assert_eq!(fixed.window(3).unwrap().format(), "2026-11-07T22:00:00-04:00");
        let zoned = cal("2026-10-24T22:00:00-04:00", Some("America/Toronto"), 7, &[], None);
        assert_eq!(zoned.window(3).unwrap().format(), "2026-11-07T22:00:00-05:00");
    }

    #[test]
    fn last_window_is_inclusive() {
        let c = cal("2026-12-05T22:00:00-05:00", None, 7, &["2026-12-12"], Some("2026-12-26T22:00:00-05:00"));
        // 5, (12 blacked out), 19, 26.
        assert_eq!(c.available(), Some(3));
        let c = cal("2026-12-05T22:00:00-05:00", None, 7, &[], Some("2026-12-26T21:59:59-05:00"));
        assert_eq!(c.available(), Some(3));
        let c = cal("2026-12-05T22:00:00-05:00", None, 7, &[], Some("2026-12-01T00:00:00-05:00"));
        assert_eq!(c.available(), Some(0));
        let c = cal(
            "2026-10-24T22:00:00-04:00",
            Some("America/Toronto"),
            7,
            &[],
            Some("2026-11-07T22:00:00-05:00"),
        );
        assert_eq!(c.available(), Some(3));
    }

    #[test]
    fn huge_periods_overflow_instead_of_repeating() {
        let c = cal("9999-12-30T20:00:00Z", None, u32::MAX, &[], None);
        assert!(c.window(1).is_ok());
        assert_eq!(c.window(2), Err(Overflow));
        let c = cal("2026-12-05T22:00:00Z", None, u32::MAX, &[], Some("9999-12-30T00:00:00Z"));
        assert_eq!(c.available(), Some(1));
    }

    #[test]
    fn not_before_dates_map_to_nights() {
        let c = cal("2026-12-05T22:00:00-05:00", None, 7, &["2026-12-19"], None);
        let night = |d: &str| c.night_on_or_after(parse_date(d).unwrap());
        assert_eq!(night("2026-12-05"), 1);
        assert_eq!(night("2026-12-06"), 2);
        assert_eq!(night("2026-12-12"), 2);
        // The 19th is blacked out: the 26th is night 3.
        assert_eq!(night("2026-12-13"), 3);
        assert_eq!(night("2026-12-26"), 3);
    }

    /// The calendar by brute force: walk the period from the first date, skip blackout dates,
    /// read each local date-time in the zone. Returns (local date, start) of at least the first
    /// `n` windows and of every window up to the date `until`.
    fn brute(
        first: DateTime,
        tz: &TimeZone,
        every: u32,
        blackout: &[Date],
        n: usize,
        until: Date,
    ) -> Vec<(Date, Timestamp)> {
        let mut out = Vec::new();
        let mut day = first;
        while out.len() < n || day.date() <= until {
            if !blackout.contains(&day.date()) {
                out.push((day.date(), day.to_zoned_datetime(tz.clone()).unwrap().timestamp()));
            }
            day = day.checked_add(Span::new().days(i64::from(every))).unwrap();
        }
        out
    }

    proptest::proptest! {
        /// Windows, the lease count and not_before nights agree with the brute-force calendar,
        /// across daylight-saving changes (Lord Howe shifts by half an hour) and blackouts.
        #[test]
        fn agrees_with_brute_force(
            day in 0i64..1500,
            hour in 18i8..24,
            zone in 0usize..4,
            every in 1u32..15,
            blocked in proptest::collection::vec(0u32..40, 0..8),
            stray in proptest::collection::vec(0i64..400, 0..3),
            last_after in proptest::option::of(0i64..300),
            probe in 0i64..300,
        ) {
            let names = [None, Some("America/Toronto"), Some("Europe/Oslo"), Some("Australia/Lord_Howe")];
            let tz = names[zone].map(|n| TimeZone::get(n).unwrap());
            let zone_of_first = tz.clone().unwrap_or(TimeZone::fixed(Offset::constant(-5)));
            let date = jiff::civil::date(2026, 1, 1).checked_add(Span::new().days(day)).unwrap();
            let local = date.at(hour, 0, 0, 0);
            let z = local.to_zoned_datetime(zone_of_first.clone()).unwrap();
            let first = Window { start: z.timestamp(), offset: z.offset() };
            let in_zone = tz.clone().unwrap_or(TimeZone::fixed(z.offset()));
            let mut blackout: Vec<Date> = blocked
                .iter()
                .map(|&i| date.checked_add(Span::new().days(i64::from(i * every))).unwrap())
                .collect();
            blackout.extend(stray.iter().map(|&d| date.checked_add(Span::new().days(d)).unwrap()));
            let last = last_after.map(|d| {
                local.checked_add(Span::new().days(d)).unwrap().to_zoned_datetime(in_zone.clone()).unwrap().timestamp()
            });
            let c = Calendar::new(first, tz, every, &blackout, last);
            let until = date.checked_add(Span::new().days(400)).unwrap();
            let want = brute(local, &in_zone, every, &blackout, 50, until);
            for (k, &(d, start)) in want.iter().enumerate().take(50) {
                let w = c.window(k + 1).unwrap();
                proptest::prop_assert_eq!((w.date(), w.start), (d, start), "night {}", k + 1);
            }
            if let Some(last) = last {
                let n = want.iter().filter(|&&(_, s)| s <= last).count() as u64;
                proptest::prop_assert_eq!(c.available(), Some(n));
            }
            let probe = date.checked_add(Span::new().days(probe)).unwrap();
            let before = want.iter().filter(|&&(d, _)| d < probe).count();
            proptest::prop_assert_eq!(c.night_on_or_after(probe), before + 1);
        }
    }

    #[test]
    fn parses_rfc3339_and_local_with_a_zone() {
        assert_eq!(parse_window("2026-12-05T22:00:00Z", None).unwrap().format(), "2026-12-05T22:00:00+00:00");
        assert!(parse_window("2026-12-05T22:00:00", None).is_none());
        assert!(parse_window("2026-12-05", None).is_none());
        let tz = TimeZone::get("America/Toronto").unwrap();
        assert_eq!(
            parse_window("2026-12-05T22:00:00", Some(&tz)).unwrap().format(),
            "2026-12-05T22:00:00-05:00"
        );
        assert!(parse_date("2026-12-24").is_some());
        assert!(parse_date("Dec 24").is_none());
        assert!(parse_date("2026-12-24T00:00:00").is_none());
    }
}
