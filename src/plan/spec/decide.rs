//! Operator decisions: `[plan.pin]` and `[plan.not_before]`.

use jiff::civil::Date;

use super::raw::{RawPlan, date_text};
use super::{Ctx, NotBefore, Pin, Plan};
use crate::diag::Loc;
use crate::plan::calendar;

/// `[plan.pin]` and `[plan.not_before]`.
pub(super) fn decisions(cx: &mut Ctx<'_>, p: &RawPlan, plan: &mut Plan) {
    for (name, night) in &p.pin {
        let at = cx.loc(night);
        let Some(server) = cx.moving("pin", name, at, plan) else { continue };
        if *night.get_ref() < 1 {
            cx.invalid(
                at,
                format!("plan pin: night {} for `{name}`: nights are numbered from 1", night.get_ref()),
                None,
            );
            continue;
        }
        let night = cx.ranged("pin", night, 1, u32::MAX);
        plan.pins.push(Pin { server, night, loc: at });
    }
    for (name, v) in &p.not_before {
        let at = cx.loc(v);
        let Some(server) = cx.moving("not_before", name, at, plan) else { continue };
        let entry = match v.get_ref() {
            toml::Value::Integer(n) if *n >= 1 => {
                Some(NotBefore { server, night: u32::try_from(*n).unwrap_or(u32::MAX), date: None, loc: at })
            }
            toml::Value::Integer(n) => {
                cx.invalid(
                    at,
                    format!("plan not_before: night {n} for `{name}`: nights are numbered from 1"),
                    None,
                );
                None
            }
            other => not_before_date(cx, plan, name, other, at).map(|(night, d)| NotBefore {
                server,
                night,
                date: Some(d),
                loc: at,
            }),
        };
        plan.not_before.extend(entry);
    }
    plan.pins.sort_by_key(|x| x.server);
    plan.not_before.sort_by_key(|x| x.server);
}

/// A not_before date: the first night whose window starts on or after it.
fn not_before_date(
    cx: &mut Ctx<'_>,
    plan: &Plan,
    name: &str,
    v: &toml::Value,
    at: Loc,
) -> Option<(u32, Date)> {
    let Some(d) = date_text(v).as_deref().and_then(calendar::parse_date) else {
        cx.invalid(
            at,
            format!("plan not_before for `{name}`: `{v}` is neither a night number nor a date"),
            Some("write a night number (3) or a date (\"2026-12-19\")"),
        );
        return None;
    };
    let Some(cal) = &plan.calendar else {
        cx.invalid(
            at,
            format!("plan not_before for `{name}`: a date needs first_window"),
            Some("set first_window, or give a night number"),
        );
        return None;
    };
    if d < cal.first_date() {
        cx.invalid(
            at,
            format!("plan not_before for `{name}`: {d} is before first_window ({})", cal.first_date()),
            Some("a date before the first night constrains nothing: remove it, or correct the date"),
        );
        return None;
    }
    Some((u32::try_from(cal.night_on_or_after(d)).unwrap_or(u32::MAX), d))
}
