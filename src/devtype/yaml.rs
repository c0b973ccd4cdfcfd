//! One device-type file of the NetBox device-type library (YAML), read into what dcplan uses:
//! height, power, power supplies and weight. The library's schema has many more keys
//! (interfaces, console ports...); they are not read.
//!
//! Values are checked while they are read, so a bad one is reported at its own line and
//! column, as a YAML syntax error is.

use serde::{Deserialize, Deserializer};

use crate::model::{HalfU, MAX_UNITS};

/// What a device type says about a machine.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct DeviceType {
    /// `manufacturer`, as written (`Dell`).
    pub(crate) manufacturer: String,
    /// `model`, as written (`PowerEdge R640`).
    pub(crate) model: String,
    /// `u_height`: 0 for a machine that takes no unit, a multiple of half a unit otherwise.
    pub(crate) height: HalfU,
    /// The largest `maximum_draw` of its power ports, watts: redundant supplies share the load,
    /// they do not add up. None when no port says.
    pub(crate) power_w: Option<u32>,
    /// The number of power ports: one per supply.
    pub(crate) psus: u32,
    /// `weight` in kg, converted from `weight_unit`.
    pub(crate) weight_kg: Option<f64>,
}

/// A file that is not a device type: where and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct YamlError {
    /// 1-based line and column, when known.
    pub(crate) at: Option<(usize, usize)>,
    pub(crate) message: String,
}

/// Largest file read: device types are a few kilobytes; anything far larger is not one.
const MAX_BYTES: usize = 1 << 20;

/// Largest draw accepted from a port, watts: far above any machine, so sums never overflow.
const MAX_DRAW_W: u32 = 1_000_000;

/// Reads a device type from the text of its file.
pub(crate) fn parse(text: &str) -> Result<DeviceType, YamlError> {
    if text.len() > MAX_BYTES {
        return Err(YamlError { at: None, message: format!("larger than {MAX_BYTES} bytes") });
    }
    let file: File = serde_yaml_ng::from_str(text).map_err(|e| YamlError {
        at: e.location().map(|l| (l.line(), l.column())),
        message: without_mark(&e.to_string()),
    })?;
    let weight_kg = match (file.weight, file.weight_unit) {
        (Some(w), Some(unit)) => Some(w.0 * unit.kg()),
        (None, None) => None,
        (Some(_), None) => {
            return Err(YamlError { at: None, message: "`weight` without `weight_unit`".into() });
        }
        (None, Some(_)) => {
            return Err(YamlError { at: None, message: "`weight_unit` without `weight`".into() });
        }
    };
    let ports = &file.power_ports;
    Ok(DeviceType {
        manufacturer: file.manufacturer,
        model: file.model,
        height: file.u_height.0,
        power_w: ports.iter().filter_map(|p| p.maximum_draw.map(|d| d.0)).max(),
        psus: u32::try_from(ports.len()).unwrap_or(u32::MAX),
        weight_kg,
    })
}

/// serde_yaml_ng's message without its trailing ` at line L column C`: the location is given
/// apart.
fn without_mark(message: &str) -> String {
    if let Some(i) = message.rfind(" at line ") {
        let tail = &message[i + " at line ".len()..];
        let is_mark = tail
            .split_once(" column ")
            .is_some_and(|(l, c)| l.parse::<usize>().is_ok() && c.parse::<usize>().is_ok());
        if is_mark {
            return message[..i].to_owned();
        }
    }
    message.to_owned()
}

/// The keys read; every other key of the library's schema is ignored.
#[derive(Deserialize)]
struct File {
    manufacturer: String,
    model: String,
    u_height: Height,
    #[serde(default)]
    weight: Option<Weight>,
    #[serde(default)]
    weight_unit: Option<WeightUnit>,
    #[serde(default, rename = "power-ports")]
    power_ports: Vec<PowerPort>,
}

#[derive(Deserialize)]
struct PowerPort {
    #[serde(default)]
    maximum_draw: Option<Draw>,
}

/// Reads a number and checks it inside the YAML reader's own call, so that an error carries the
/// value's line and column (an error raised after the value was read points at its mapping).
fn number<'de, D: Deserializer<'de>, T>(
    d: D,
    what: &'static str,
    check: fn(f64) -> Result<T, String>,
) -> Result<T, D::Error> {
    struct V<T> {
        what: &'static str,
        check: fn(f64) -> Result<T, String>,
    }
    impl<T> serde::de::Visitor<'_> for V<T> {
        type Value = T;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "a number ({})", self.what)
        }
        fn visit_f64<E: serde::de::Error>(self, x: f64) -> Result<T, E> {
            (self.check)(x).map_err(E::custom)
        }
        #[expect(clippy::cast_precision_loss, reason = "a range check: huge values stay huge")]
        fn visit_i64<E: serde::de::Error>(self, x: i64) -> Result<T, E> {
            self.visit_f64(x as f64)
        }
        #[expect(clippy::cast_precision_loss, reason = "a range check: huge values stay huge")]
        fn visit_u64<E: serde::de::Error>(self, x: u64) -> Result<T, E> {
            self.visit_f64(x as f64)
        }
    }
    d.deserialize_f64(V { what, check })
}

/// `u_height`: a non-negative multiple of 0.5, at most the largest rack.
struct Height(HalfU);

impl<'de> Deserialize<'de> for Height {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Height, D::Error> {
        number(d, "u_height", |x| {
            HalfU::from_decimal(x, HalfU::units(MAX_UNITS))
                .map(Height)
                .ok_or_else(|| format!("{x} is not a multiple of 0.5 between 0 and {MAX_UNITS}"))
        })
    }
}

/// `weight`: a non-negative number below a hundred tonnes (in any unit).
struct Weight(f64);

impl<'de> Deserialize<'de> for Weight {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Weight, D::Error> {
        number(d, "weight", |x| {
            if (0.0..1e5).contains(&x) {
                Ok(Weight(x))
            } else {
                Err(format!("{x} is not between 0 and 100000"))
            }
        })
    }
}

/// `maximum_draw`: whole watts, at least 1.
#[derive(Clone, Copy)]
struct Draw(u32);

impl<'de> Deserialize<'de> for Draw {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Draw, D::Error> {
        number(d, "maximum_draw", |x| {
            if x.fract() == 0.0 && (1.0..=f64::from(MAX_DRAW_W)).contains(&x) {
                // Checked just above: an integer in 1..=MAX_DRAW_W.
                #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "checked range")]
                Ok(Draw(x as u32))
            } else {
                Err(format!("{x} is not a whole number of watts between 1 and {MAX_DRAW_W}"))
            }
        })
    }
}

/// `weight_unit`, as NetBox names them.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum WeightUnit {
    Kg,
    G,
    Lb,
    Oz,
}

/// A weight in kg, from a value and NetBox's name of its unit (`kg`, `g`, `lb`, `oz`); None for
/// another unit or a value that is not a weight.
pub(crate) fn to_kg(value: f64, unit: &str) -> Option<f64> {
    let unit = match unit {
        "kg" => WeightUnit::Kg,
        "g" => WeightUnit::G,
        "lb" => WeightUnit::Lb,
        "oz" => WeightUnit::Oz,
        _ => return None,
    };
    (0.0..1e5).contains(&value).then(|| value * unit.kg())
}

impl WeightUnit {
    /// Kilograms per unit (the pound and ounce are defined exactly in grams).
    fn kg(self) -> f64 {
        match self {
            WeightUnit::Kg => 1.0,
            WeightUnit::G => 0.001,
            WeightUnit::Lb => 0.453_592_37,
            WeightUnit::Oz => 0.028_349_523_125,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> DeviceType {
        parse(text).unwrap_or_else(|e| panic!("{e:?}"))
    }

    const SERVER: &str = "\
manufacturer: Acme
model: Box 2000
slug: acme-box-2000
u_height: 2
is_full_depth: true
weight: 40
weight_unit: lb
interfaces:
  - name: eth0
    type: 1000base-t
power-ports:
  - name: PSU1
    type: iec-60320-c14
    maximum_draw: 750
    allocated_draw: 400
  - name: PSU2
    type: iec-60320-c14
    maximum_draw: 1100
";

    #[test]
    fn the_largest_port_and_the_number_of_ports() {
        let t = read(SERVER);
        assert_eq!((t.manufacturer.as_str(), t.model.as_str()), ("Acme", "Box 2000"));
        assert_eq!(t.height, HalfU(4));
        // The largest port, not the sum (1850): redundant supplies share the load.
        assert_eq!(t.power_w, Some(1100));
        assert_eq!(t.psus, 2);
    }

    #[test]
    fn weights_are_converted_to_kg() {
        let kg = |w: &str, unit: &str| {
            let text = format!(
                "manufacturer: A\nmodel: B\nslug: a-b\nu_height: 1\nweight: {w}\nweight_unit: {unit}\n"
            );
            read(&text).weight_kg.expect("a weight")
        };
        assert!((kg("40", "lb") - 18.143_694_8).abs() < 1e-6);
        assert!((kg("18.5", "kg") - 18.5).abs() < 1e-9);
        assert!((kg("2500", "g") - 2.5).abs() < 1e-9);
        assert!((kg("16", "oz") - 0.453_592_37).abs() < 1e-9);
        let none = read("manufacturer: A\nmodel: B\nslug: a-b\nu_height: 1\n");
        assert_eq!((none.weight_kg, none.power_w, none.psus), (None, None, 0));
    }

    #[test]
    fn netbox_weights_are_converted_too() {
        assert!((to_kg(8.0, "lb").unwrap_or_default() - 3.628_738_96).abs() < 1e-9);
        assert_eq!(to_kg(2000.0, "g"), Some(2.0));
        assert_eq!(to_kg(1.0, "stone"), None);
        assert_eq!(to_kg(-1.0, "kg"), None);
        assert_eq!(to_kg(f64::NAN, "kg"), None);
    }

    #[test]
    fn zero_and_half_units() {
        let h = |u: &str| read(&format!("manufacturer: A\nmodel: B\nslug: a-b\nu_height: {u}\n")).height;
        assert_eq!(h("0"), HalfU::ZERO);
        assert_eq!(h("0.5"), HalfU(1));
        assert_eq!(h("1.5"), HalfU(3));
        assert_eq!(h("4.0"), HalfU(8));
    }

    #[test]
    fn ports_without_a_draw_count_as_supplies() {
        let t = read(
            "manufacturer: A\nmodel: B\nslug: a-b\nu_height: 1\npower-ports:\n  - name: PSU1\n    type: iec-60320-c14\n  - name: PSU2\n    type: iec-60320-c14\n",
        );
        assert_eq!((t.power_w, t.psus), (None, 2));
    }

    #[test]
    fn bad_files_say_where() {
        let err = |text: &str| parse(text).expect_err("an error");
        // YAML syntax.
        let e = err("manufacturer: A\nmodel: [B\n");
        assert!(e.at.is_some(), "{e:?}");
        // A bad value: at its line and column, without the location repeated in the message.
        let e = err("manufacturer: A\nmodel: B\nslug: a-b\nu_height: 1.25\n");
        assert_eq!(e.at, Some((4, 11)), "{e:?}");
        assert_eq!(e.message, "u_height: 1.25 is not a multiple of 0.5 between 0 and 1000");
        let e = err("manufacturer: A\nmodel: B\nslug: a-b\nu_height: 1\nweight: 3\nweight_unit: stone\n");
        assert_eq!(e.at.map(|a| a.0), Some(6), "{e:?}");
        let e = err("manufacturer: A\nmodel: B\nu_height: -1\n");
        assert_eq!(e.at.map(|a| a.0), Some(3), "{e:?}");
        let e = err(
            "manufacturer: A\nmodel: B\nu_height: 1\npower-ports:\n  - name: P\n    maximum_draw: 99999999999\n",
        );
        assert_eq!(e.at.map(|a| a.0), Some(6), "{e:?}");
        // Missing keys, wrong shapes, not YAML at all: errors, never a panic.
        assert!(err("model: B\nu_height: 1\n").message.contains("manufacturer"));
        err("weight: 3\nweight_unit: kg\n");
        err("manufacturer: A\nmodel: B\nu_height: 1\nweight: 3\n");
        err("- a\n- b\n");
        err("");
        err("\u{0}\u{1}garbage: [");
        err("manufacturer: A\nmodel: B\nu_height: .nan\n");
    }

    #[test]
    fn marks_are_taken_off_messages() {
        assert_eq!(without_mark("bad thing at line 3 column 7"), "bad thing");
        assert_eq!(without_mark("at line of fire"), "at line of fire");
    }
}
