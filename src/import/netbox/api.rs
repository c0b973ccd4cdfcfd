//! The NetBox REST shapes the importer reads (NetBox 4.x; older field names accepted where they
//! differ). Only the fields used are declared; NetBox sends many more, and they are ignored.
//!
//! Brief nested objects (`{"id", "url", "display", "name", "slug"}`) are [`Ref`]s, choices
//! (`{"value", "label"}`) are [`Choice`]s, and decimals (`u_height`, `position`) are [`Decimal`]s
//! read from a JSON number or string.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};

use crate::model::HalfU;

/// A brief nested object.
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct Ref {
    pub(crate) id: u64,
    #[serde(default)]
    pub(crate) display: Option<String>,
    #[serde(default)]
    pub(crate) name: Option<String>,
    #[serde(default)]
    pub(crate) slug: Option<String>,
}

/// A choice field: `{"value": "active", "label": "Active"}` (a bare string is accepted too).
#[derive(Clone, Debug, Default)]
pub(crate) struct Choice(pub(crate) String);

impl<'de> Deserialize<'de> for Choice {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Choice, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Object { value: serde_json::Value },
            Text(String),
        }
        Ok(match Either::deserialize(d)? {
            Either::Object { value: serde_json::Value::String(s) } => Choice(s),
            Either::Object { value } => Choice(value.to_string()),
            Either::Text(s) => Choice(s),
        })
    }
}

/// A decimal (NetBox sends `u_height` and `position` as numbers, or as strings when the
/// server coerces decimals), kept in half units: 1.5 is 3. `None` when not a multiple of 0.5.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Decimal(pub(crate) f64);

impl Decimal {
    /// Half units, when the value is a non-negative multiple of 0.5 below a million. Larger ones
    /// than a rack has are kept: `dcplan check` reports them as the data problem they are.
    pub(crate) fn halves(self) -> Option<HalfU> {
        HalfU::from_decimal(self.0, HalfU(1_999_999))
    }
}

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Number(f64),
            Text(String),
        }
        match Either::deserialize(d)? {
            Either::Number(n) => Ok(Decimal(n)),
            Either::Text(s) => s
                .trim()
                .parse()
                .map(Decimal)
                .map_err(|_| serde::de::Error::custom(format!("`{s}` is not a decimal"))),
        }
    }
}

/// Custom field values: counted, never imported.
pub(crate) type CustomFields = BTreeMap<String, serde_json::Value>;

/// How many custom field values are set (not null, not empty).
pub(crate) fn set_fields(cf: &CustomFields) -> usize {
    cf.values()
        .filter(|v| match v {
            serde_json::Value::Null => false,
            serde_json::Value::String(s) => !s.is_empty(),
            serde_json::Value::Array(a) => !a.is_empty(),
            serde_json::Value::Object(o) => !o.is_empty(),
            _ => true,
        })
        .count()
}

/// dcim/sites.
#[derive(Debug, Deserialize)]
pub(crate) struct Site {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) slug: String,
    #[serde(default)]
    pub(crate) custom_fields: CustomFields,
}

/// dcim/racks.
#[derive(Debug, Deserialize)]
pub(crate) struct Rack {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) site: Ref,
    pub(crate) u_height: u32,
    #[serde(default = "one")]
    pub(crate) starting_unit: u32,
    #[serde(default)]
    pub(crate) desc_units: bool,
    #[serde(default)]
    pub(crate) custom_fields: CustomFields,
}

fn one() -> u32 {
    1
}

/// dcim/device-types.
#[derive(Debug, Deserialize)]
pub(crate) struct DeviceType {
    pub(crate) id: u64,
    pub(crate) slug: String,
    pub(crate) u_height: Decimal,
    #[serde(default)]
    pub(crate) manufacturer: Option<Ref>,
    #[serde(default)]
    pub(crate) model: Option<String>,
    #[serde(default)]
    pub(crate) weight: Option<f64>,
    /// `kg`, `g`, `lb` or `oz`.
    #[serde(default)]
    pub(crate) weight_unit: Option<Choice>,
}

/// The device type as nested in a device.
#[derive(Debug, Deserialize)]
pub(crate) struct TypeRef {
    pub(crate) id: u64,
    #[serde(default)]
    pub(crate) slug: Option<String>,
    #[serde(default)]
    pub(crate) model: Option<String>,
    #[serde(default)]
    pub(crate) manufacturer: Option<Ref>,
}

/// An IP address as nested in a device or vm (`primary_ip4`).
#[derive(Debug, Deserialize)]
pub(crate) struct AddressRef {
    pub(crate) address: String,
}

/// dcim/devices.
#[derive(Debug, Deserialize)]
pub(crate) struct Device {
    pub(crate) id: u64,
    pub(crate) name: Option<String>,
    pub(crate) device_type: TypeRef,
    /// `device_role` before NetBox 4.0.
    #[serde(alias = "device_role")]
    pub(crate) role: Option<Ref>,
    pub(crate) site: Ref,
    pub(crate) rack: Option<Ref>,
    pub(crate) position: Option<Decimal>,
    pub(crate) status: Option<Choice>,
    #[serde(default)]
    pub(crate) serial: Option<String>,
    #[serde(default)]
    pub(crate) asset_tag: Option<String>,
    #[serde(default)]
    pub(crate) parent_device: Option<Ref>,
    #[serde(default)]
    pub(crate) cluster: Option<Ref>,
    #[serde(default)]
    pub(crate) primary_ip4: Option<AddressRef>,
    #[serde(default)]
    pub(crate) primary_ip6: Option<AddressRef>,
    #[serde(default)]
    pub(crate) power_outlet_count: Option<u32>,
    #[serde(default)]
    pub(crate) custom_fields: CustomFields,
}

/// dcim/power-ports.
#[derive(Debug, Deserialize)]
pub(crate) struct PowerPort {
    pub(crate) id: u64,
    pub(crate) device: Ref,
    pub(crate) maximum_draw: Option<u32>,
    pub(crate) allocated_draw: Option<u32>,
}

/// dcim/power-feeds.
#[derive(Debug, Deserialize)]
pub(crate) struct PowerFeed {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) rack: Option<Ref>,
    /// `primary` or `redundant`.
    #[serde(rename = "type")]
    pub(crate) kind: Option<Choice>,
    /// `single-phase` or `three-phase`.
    pub(crate) phase: Option<Choice>,
    pub(crate) voltage: Option<f64>,
    pub(crate) amperage: Option<f64>,
    pub(crate) max_utilization: Option<f64>,
}

/// virtualization/virtual-machines.
#[derive(Debug, Deserialize)]
pub(crate) struct VirtualMachine {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) status: Option<Choice>,
    #[serde(default)]
    pub(crate) cluster: Option<Ref>,
    #[serde(default)]
    pub(crate) device: Option<Ref>,
    #[serde(default)]
    pub(crate) primary_ip4: Option<AddressRef>,
    #[serde(default)]
    pub(crate) primary_ip6: Option<AddressRef>,
    #[serde(default)]
    pub(crate) custom_fields: CustomFields,
}

/// The interface an address is assigned to: a device's or a vm's.
#[derive(Debug, Deserialize)]
pub(crate) struct Assigned {
    #[serde(default)]
    pub(crate) device: Option<Ref>,
    #[serde(default)]
    pub(crate) virtual_machine: Option<Ref>,
}

/// ipam/ip-addresses.
#[derive(Debug, Deserialize)]
pub(crate) struct IpAddress {
    pub(crate) id: u64,
    pub(crate) address: String,
    pub(crate) assigned_object: Option<Assigned>,
    #[serde(default)]
    pub(crate) custom_fields: CustomFields,
}

/// ipam/prefixes.
#[derive(Debug, Deserialize)]
pub(crate) struct Prefix {
    pub(crate) id: u64,
    pub(crate) prefix: String,
    pub(crate) status: Option<Choice>,
    /// `dcim.site`, `dcim.location`, `dcim.region`... (NetBox 4.2 and later).
    #[serde(default)]
    pub(crate) scope_type: Option<String>,
    #[serde(default)]
    pub(crate) scope: Option<Ref>,
    /// The site, before NetBox 4.2.
    #[serde(default)]
    pub(crate) site: Option<Ref>,
    #[serde(default)]
    pub(crate) description: Option<String>,
    #[serde(default)]
    pub(crate) custom_fields: CustomFields,
}

/// ipam/aggregates.
#[derive(Debug, Deserialize)]
pub(crate) struct Aggregate {
    pub(crate) id: u64,
    pub(crate) prefix: String,
    #[serde(default)]
    pub(crate) description: Option<String>,
    #[serde(default)]
    pub(crate) custom_fields: CustomFields,
}

/// ipam/services: `device` / `virtual_machine` until NetBox 4.2, `parent_object_type` and
/// `parent` from 4.3.
#[derive(Debug, Deserialize)]
pub(crate) struct Service {
    pub(crate) id: u64,
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) device: Option<Ref>,
    #[serde(default)]
    pub(crate) virtual_machine: Option<Ref>,
    #[serde(default)]
    pub(crate) parent_object_type: Option<String>,
    #[serde(default)]
    pub(crate) parent: Option<Ref>,
    #[serde(default)]
    pub(crate) custom_fields: CustomFields,
}
