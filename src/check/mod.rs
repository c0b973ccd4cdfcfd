//! The inventory rules, one module per family. Each module documents the codes it owns; a code is
//! raised in exactly one place.
//!
//! | module | codes |
//! |---|---|
//! | `crate::load` | toml-syntax, unknown-field, invalid-value (shape) |
//! | `crate::resolve` | invalid-value (values), duplicate-id, unknown-reference, vm-host |
//! | [`racks`] | rack-overlap, rack-overflow, rack-site-mismatch, rack-power |
//! | [`ip`] | ip-duplicate, ip-outside-own-space, ip-wrong-site, ip-reserved, prefix-overlap |
//! | [`power`] | power-feed-overload, power-feed-loss, service-spof-feed, rack-weight, feed-side-missing |
//! | [`services`] | service-min-up, service-spof-rack, service-spof-host, dependency-cycle |

pub(crate) mod ip;
pub(crate) mod power;
mod racks;
mod services;

use crate::diag::Finding;
use crate::model::Inventory;

/// Runs every inventory rule over the model.
pub fn check(inv: &Inventory) -> Vec<Finding> {
    let mut out = Vec::new();
    racks::check(inv, &mut out);
    power::check(inv, &mut out);
    ip::check(inv, &mut out);
    services::check(inv, &mut out);
    out
}
