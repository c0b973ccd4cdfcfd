//! Rack drawings looked at as a person would: each SVG is rendered to pixels by a real renderer
//! (resvg) and every unit of every rack is sampled. What should be there comes from elsewhere:
//! `dcplan list servers|racks --format json` (the inventory) and `dcplan plan --format json`
//! (the batches and placements), not from the drawing code.
//! Also: the example's drawings match their snapshots (same input, same bytes, run after run).
//! Refresh the snapshots with `DCPLAN_BLESS=1 cargo test --test racks`.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use resvg::tiny_skia::{Pixmap, Transform};
use resvg::usvg;
use serde_json::Value;

// The drawing's geometry: one unit is a row of ROW pixels, the top row starts at RACK_Y, the
// rows span RACK_X..RACK_X + RACK_W. Unit 1 is the bottom row.
const ROW: u32 = 20;
const RACK_X: u32 = 48;
const RACK_W: u32 = 280;
const RACK_Y: u32 = 76;
/// Inside a machine's box, clear of its labels and of the OUT / IN marker.
const MIDDLE_X: u32 = RACK_X + RACK_W / 2;
/// Inside the OUT / IN marker (at the right end of a box).
const MARKER_X: u32 = RACK_X + RACK_W - 40;

const WHITE: [u8; 3] = [255, 255, 255];
const BLACK: [u8; 3] = [0, 0, 0];

fn kind_colour(kind: &str) -> [u8; 3] {
    match kind {
        "server" => [0xcf, 0xe2, 0xf3],
        "router" => [0xf4, 0xcc, 0xcc],
        "switch" => [0xd9, 0xea, 0xd3],
        "storage" => [0xff, 0xf2, 0xcc],
        other => panic!("no colour for kind {other}"),
    }
}

fn dcplan(args: &[&str]) -> std::process::Output {
    let out = Command::new(env!("CARGO_BIN_EXE_dcplan"))
        .args(args)
        .args(["--inventory", "inventory"])
        .output()
        .unwrap();
    assert!(out.status.success(), "dcplan {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

fn json(args: &[&str]) -> Value {
    serde_json::from_slice(&dcplan(args).stdout).unwrap()
}

/// A machine in a rack: kind, lowest unit, height.
#[derive(Clone, Debug)]
struct Box {
    id: String,
    kind: String,
    unit: u32,
    height: u32,
}

/// The inventory: rack -> units, and machine -> (rack, box).
struct Inventory {
    racks: BTreeMap<String, u32>,
    machines: BTreeMap<String, (String, Box)>,
}

fn inventory() -> &'static Inventory {
    static INV: OnceLock<Inventory> = OnceLock::new();
    INV.get_or_init(|| {
        let racks = json(&["list", "racks", "--format", "json"])
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (r["id"].as_str().unwrap().to_owned(), u32::try_from(r["units"].as_u64().unwrap()).unwrap())
            })
            .collect();
        let mut machines = BTreeMap::new();
        for s in json(&["list", "servers", "--format", "json"]).as_array().unwrap() {
            let rack = s["rack"].as_str().unwrap_or_default();
            if rack.is_empty() {
                continue;
            }
            let b = Box {
                id: s["id"].as_str().unwrap().to_owned(),
                kind: s["kind"].as_str().unwrap().to_owned(),
                unit: u32::try_from(s["unit"].as_u64().unwrap()).unwrap(),
                height: u32::try_from(s["height"].as_u64().unwrap()).unwrap(),
            };
            machines.insert(b.id.clone(), (rack.to_owned(), b));
        }
        Inventory { racks, machines }
    })
}

fn plan() -> &'static Value {
    static PLAN: OnceLock<Value> = OnceLock::new();
    PLAN.get_or_init(|| json(&["plan", "plans/move-to-cv.toml", "--format", "json"]))
}

/// Draws the racks (at a plan state, or as the inventory has them); renders each to pixels.
fn draw(state: Option<&str>) -> (BTreeMap<String, Pixmap>, BTreeMap<String, Vec<u8>>) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().to_str().unwrap();
    let mut args = vec!["racks", "--out", out];
    if let Some(s) = state {
        args.extend(["--plan", "plans/move-to-cv.toml", "--state", s]);
    }
    dcplan(&args);
    let mut pixmaps = BTreeMap::new();
    let mut texts = BTreeMap::new();
    for e in std::fs::read_dir(tmp.path()).unwrap() {
        let path = e.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let tree = usvg::Tree::from_data(&bytes, &usvg::Options::default()).unwrap();
        let size = tree.size().to_int_size();
        let mut pixmap = Pixmap::new(size.width(), size.height()).unwrap();
        resvg::render(&tree, Transform::default(), &mut pixmap.as_mut());
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        pixmaps.insert(name.clone(), pixmap);
        texts.insert(format!("{name}.svg"), bytes);
    }
    (pixmaps, texts)
}

fn pixel(p: &Pixmap, x: u32, y: u32) -> [u8; 3] {
    let c = p.pixel(x, y).unwrap();
    [c.red(), c.green(), c.blue()]
}

/// The y of the middle of unit `unit` in a rack of `units` units.
fn unit_y(units: u32, unit: u32) -> u32 {
    RACK_Y + (units - unit) * ROW + ROW / 2
}

/// What the drawing should show in each unit of each rack: the machine there, and whether it is
/// marked (OUT / IN).
type Expected = BTreeMap<String, BTreeMap<u32, (Box, Marked)>>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Marked {
    No,
    /// OUT or IN: a pattern and a black marker.
    Moving,
    /// Moved out this night: a dashed outline, white inside.
    Gone,
}

fn put(exp: &mut Expected, rack: &str, b: &Box, unit: u32, marked: Marked) {
    let units = exp.entry(rack.to_owned()).or_default();
    for u in unit..unit + b.height {
        assert!(
            units.insert(u, (Box { unit, ..b.clone() }, marked)).is_none(),
            "{rack} unit {u} taken twice"
        );
    }
}

/// The expected picture at `during k` / `after k` (or the inventory when `night` is None), from
/// the plan's JSON.
fn expected(night: Option<(usize, bool)>) -> Expected {
    let inv = inventory();
    let mut batch_of = BTreeMap::new();
    let mut placed = BTreeMap::new();
    if night.is_some() {
        for b in plan()["batches"].as_array().unwrap() {
            let k = usize::try_from(b["index"].as_u64().unwrap()).unwrap();
            for s in b["servers"].as_array().unwrap() {
                batch_of.insert(s.as_str().unwrap().to_owned(), k);
            }
            for p in b["placements"].as_array().unwrap() {
                let place = (
                    p["rack"].as_str().unwrap().to_owned(),
                    u32::try_from(p["unit"].as_u64().unwrap()).unwrap(),
                );
                placed.insert(p["server"].as_str().unwrap().to_owned(), place);
            }
        }
    }
    let mut exp = Expected::new();
    for (id, (rack, b)) in &inv.machines {
        let (shown, during) = night.unwrap_or((0, false));
        match batch_of.get(id).copied() {
            Some(k) if k < shown => {
                let (r, u) = &placed[id];
                put(&mut exp, r, b, *u, Marked::No);
            }
            Some(k) if k == shown => {
                put(&mut exp, rack, b, b.unit, if during { Marked::Moving } else { Marked::Gone });
                let (r, u) = &placed[id];
                put(&mut exp, r, b, *u, Marked::Moving);
            }
            _ => put(&mut exp, rack, b, b.unit, Marked::No),
        }
    }
    exp
}

/// Samples every unit of every rack against what is expected there.
fn check(pixmaps: &BTreeMap<String, Pixmap>, exp: &Expected) {
    let inv = inventory();
    assert_eq!(pixmaps.keys().collect::<Vec<_>>(), inv.racks.keys().collect::<Vec<_>>(), "one SVG per rack");
    for (rack, &units) in &inv.racks {
        let p = &pixmaps[rack];
        let here = exp.get(rack).cloned().unwrap_or_default();
        for unit in 1..=units {
            let y = unit_y(units, unit);
            let at = format!("{rack} unit {unit}");
            match here.get(&unit) {
                None => {
                    assert_eq!(pixel(p, MIDDLE_X, y), WHITE, "{at}: empty");
                    assert_eq!(pixel(p, MARKER_X, y), WHITE, "{at}: empty");
                }
                Some((b, Marked::No)) => {
                    let fill = kind_colour(&b.kind);
                    assert_eq!(pixel(p, MIDDLE_X, y), fill, "{at}: {} ({})", b.id, b.kind);
                    assert_eq!(pixel(p, MARKER_X, y), fill, "{at}: {} is not marked", b.id);
                }
                Some((b, Marked::Moving)) => {
                    // The kind's colour under a pattern of black, and a black marker.
                    let area: Vec<[u8; 3]> = (y - 5..=y + 5)
                        .flat_map(|y| (RACK_X + 12..MARKER_X - 12).map(move |x| (x, y)))
                        .map(|(x, y)| pixel(p, x, y))
                        .collect();
                    let fill = kind_colour(&b.kind);
                    assert!(area.contains(&fill), "{at}: {} keeps its kind's colour", b.id);
                    let dark = area.iter().filter(|c| c.iter().all(|&v| v < 100)).count();
                    assert!(dark * 20 > area.len(), "{at}: {} is patterned ({dark} dark pixels)", b.id);
                    let top = unit_y(units, b.unit + b.height - 1) - ROW / 2;
                    let mid = top + b.height * ROW / 2;
                    assert_eq!(pixel(p, MARKER_X, mid), BLACK, "{at}: {} has its marker", b.id);
                }
                Some((b, Marked::Gone)) => {
                    assert_eq!(pixel(p, MIDDLE_X, y), WHITE, "{at}: {} left, the units are free", b.id);
                    let top = unit_y(units, b.unit + b.height - 1) - ROW / 2 + 2;
                    let edge: Vec<[u8; 3]> =
                        (RACK_X + 2..RACK_X + RACK_W - 2).map(|x| pixel(p, x, top)).collect();
                    assert!(
                        edge.contains(&BLACK) && edge.contains(&WHITE),
                        "{at}: {} has a dashed outline",
                        b.id
                    );
                }
            }
        }
    }
}

#[test]
fn every_machine_is_drawn_at_its_units() {
    let (pixmaps, _) = draw(None);
    check(&pixmaps, &expected(None));
}

#[test]
fn during_a_night_what_leaves_and_arrives_is_marked_and_matches_the_snapshot() {
    let (pixmaps, texts) = draw(Some("during 2"));
    check(&pixmaps, &expected(Some((2, true))));
    let snapshots = Path::new("tests/snapshots/racks");
    if std::env::var_os("DCPLAN_BLESS").is_some() {
        let _ = std::fs::remove_dir_all(snapshots);
        std::fs::create_dir_all(snapshots).unwrap();
        for (name, bytes) in &texts {
            std::fs::write(snapshots.join(name), bytes).unwrap();
        }
    }
    let mut stored = BTreeMap::new();
    for e in std::fs::read_dir(snapshots).unwrap() {
        let path = e.unwrap().path();
        stored
            .insert(path.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&path).unwrap());
    }
    assert!(stored == texts, "rack drawings changed: DCPLAN_BLESS=1 cargo test --test racks, then review");
}

#[test]
fn after_a_night_the_units_left_are_free_and_the_arrivals_marked() {
    let (pixmaps, _) = draw(Some("after 2"));
    check(&pixmaps, &expected(Some((2, false))));
}
