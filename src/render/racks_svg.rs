//! Draws a [`RackView`] as SVG: the rack's rows with their unit numbers, one box per machine
//! (coloured by kind, and labelled with id, height and kind so that a black and white print
//! still reads), the night's moves hatched or dotted with an OUT / IN marker, and a legend.
//! Integer coordinates and sorted attributes: the same view gives the same bytes.

use svg::Document;
use svg::node::element::{Circle, Definitions, Group, Path, Pattern, Rectangle, Text, Title};

use super::racks::{Mark, RackView, Slot};
use crate::model::Kind;
use crate::num::u32_of;

/// Height of one display row (one rack unit), in pixels.
pub(crate) const ROW: u32 = 20;
/// Left edge of the rack's rows (the unit numbers are left of it).
pub(crate) const RACK_X: u32 = 48;
/// Width of the rack's rows.
pub(crate) const RACK_W: u32 = 280;
/// Top edge of the first row (the headings are above it).
pub(crate) const RACK_Y: u32 = 76;
const MARGIN: u32 = 12;
/// The legend is right of the rack, its top level with the first row.
const LEGEND_X: u32 = RACK_X + RACK_W + 28;
const LEGEND_W: u32 = 380;
const LEGEND_LINE: u32 = 24;
/// Longest machine id drawn whole; longer ones are cut (the tooltip has it whole).
const LABEL_CHARS: usize = 24;
const FONT: &str = "DejaVu Sans, Arial, Helvetica, sans-serif";

/// The fill of a machine of this kind: light tints, so that black text and patterns stay
/// readable on them.
pub(crate) fn kind_fill(kind: Kind) -> &'static str {
    match kind {
        Kind::Server => "#cfe2f3",
        Kind::Router => "#f4cccc",
        Kind::Switch => "#d9ead3",
        Kind::Storage => "#fff2cc",
        Kind::Vm => "#eeeeee",
    }
}

/// The fill of an empty unit.
pub(crate) const EMPTY_FILL: &str = "#ffffff";

/// The whole picture of one rack.
pub(crate) fn svg(v: &RackView) -> String {
    let rows = u32_of(v.rows.len());
    let width = LEGEND_X + LEGEND_W + MARGIN;
    let legend_y = RACK_Y + 18;
    let entries = legend_entries(&v.marks);
    let height = (RACK_Y + rows * ROW + 4).max(legend_y + u32_of(entries.len()) * LEGEND_LINE) + MARGIN;
    let mut doc = Document::new()
        .set("width", width)
        .set("height", height)
        .set("viewBox", (0, 0, width, height))
        .set("font-family", FONT)
        .add(Title::new(format!("{}. {}", v.title, v.subtitle.join(". "))))
        .add(patterns())
        .add(Rectangle::new().set("width", width).set("height", height).set("fill", "#ffffff"))
        .add(text(MARGIN, 22, &v.title).set("font-size", 15).set("font-weight", "bold"));
    for (i, line) in v.subtitle.iter().enumerate() {
        doc = doc.add(text(MARGIN, 42 + 18 * u32_of(i), line).set("font-size", 12));
    }
    doc = doc.add(frame(&v.rows));
    for slot in &v.slots {
        doc = doc.add(machine(slot));
    }
    doc = doc.add(text(LEGEND_X, legend_y - 8, "Legend").set("font-size", 12).set("font-weight", "bold"));
    for (i, (swatch, label)) in entries.into_iter().enumerate() {
        let y = legend_y + u32_of(i) * LEGEND_LINE;
        doc = doc.add(legend_entry(LEGEND_X, y, swatch, label));
    }
    let mut out = doc.to_string();
    out.push('\n');
    out
}

fn text(x: u32, y: u32, content: &str) -> Text {
    Text::new(content).set("x", x).set("y", y)
}

/// Hatching for what leaves, dots for what arrives: patterns that a grey print keeps.
fn patterns() -> Definitions {
    let hatch = Pattern::new()
        .set("id", "leaves")
        .set("width", 10)
        .set("height", 10)
        .set("patternUnits", "userSpaceOnUse")
        .add(
            Path::new()
                .set("d", "M-2,2 L2,-2 M0,10 L10,0 M8,12 L12,8")
                .set("stroke", "#000000")
                .set("stroke-width", 1.5),
        );
    let dots = Pattern::new()
        .set("id", "arrives")
        .set("width", 6)
        .set("height", 6)
        .set("patternUnits", "userSpaceOnUse")
        .add(Circle::new().set("cx", 3).set("cy", 3).set("r", 1.5).set("fill", "#000000"));
    Definitions::new().add(hatch).add(dots)
}

/// The rows with their unit numbers, inside the rack's frame.
fn frame(labels: &[String]) -> Group {
    let rows = u32_of(labels.len());
    let mut g = Group::new().set("class", "rack").add(
        Rectangle::new()
            .set("x", RACK_X - 4)
            .set("y", RACK_Y - 4)
            .set("width", RACK_W + 8)
            .set("height", rows * ROW + 8)
            .set("fill", "#555555"),
    );
    for (row, label) in labels.iter().enumerate() {
        let y = RACK_Y + u32_of(row) * ROW;
        g = g
            .add(
                Rectangle::new()
                    .set("x", RACK_X)
                    .set("y", y)
                    .set("width", RACK_W)
                    .set("height", ROW)
                    .set("fill", EMPTY_FILL)
                    .set("stroke", "#bbbbbb")
                    .set("stroke-width", 1),
            )
            .add(text(RACK_X - 8, y + 14, label).set("font-size", 11).set("text-anchor", "end"));
    }
    g
}

/// One machine's box: fill by kind, pattern and marker by what the night does to it.
fn machine(s: &Slot) -> Group {
    // Slots are in half rows: half-unit machines are drawn half a row high.
    let (x, y) = (RACK_X + 2, RACK_Y + s.top * ROW / 2 + 2);
    let (w, h) = (RACK_W - 4, (s.rows * ROW / 2).saturating_sub(4).max(2));
    let mid = y + h / 2 + 4;
    let what =
        format!("{}U {}{}", s.height, s.kind.as_str(), if s.clipped { " (outside the rack!)" } else { "" });
    let tooltip = match s.mark {
        Mark::Stays => format!("{}: {what}, units {}", s.label, s.units),
        Mark::Leaves => format!("{}: {what}, units {}: leaves this night", s.label, s.units),
        Mark::Arrives => format!("{}: {what}, units {}: arrives this night", s.label, s.units),
        Mark::Left => format!("{}: {what}, units {}: left this night, now free", s.label, s.units),
    };
    let mut g = Group::new().set("class", "machine").add(Title::new(tooltip));
    let rect = || Rectangle::new().set("x", x).set("y", y).set("width", w).set("height", h);
    if s.mark == Mark::Left {
        let outline = rect()
            .set("fill", EMPTY_FILL)
            .set("stroke", "#000000")
            .set("stroke-width", 2)
            .set("stroke-dasharray", "6 4");
        let label = format!("left this night: {} ({what})", short(&s.label));
        return g
            .add(outline)
            .add(halo(text(x + 8, mid, &label)).set("font-size", 11).set("font-style", "italic"));
    }
    let thick = if s.mark == Mark::Stays { 1 } else { 3 };
    g = g.add(rect().set("fill", kind_fill(s.kind)).set("stroke", "#000000").set("stroke-width", thick));
    let marker = match s.mark {
        Mark::Leaves => Some(("url(#leaves)", "OUT")),
        Mark::Arrives => Some(("url(#arrives)", "IN")),
        Mark::Stays | Mark::Left => None,
    };
    let mut detail_x = x + w - 8;
    if let Some((pattern, word)) = marker {
        g = g.add(rect().set("fill", pattern).set("stroke", "none")).add(badge(x + w - 44, y + h / 2, word));
        detail_x -= 44;
    }
    g.add(halo(text(x + 8, mid, &short(&s.label))).set("font-size", 12).set("font-weight", "bold"))
        .add(halo(text(detail_x, mid, &what)).set("font-size", 11).set("text-anchor", "end"))
}

/// A white outline under the letters keeps them readable over a pattern.
fn halo(t: Text) -> Text {
    t.set("stroke", "#ffffff").set("stroke-width", 3).set("paint-order", "stroke").set("fill", "#000000")
}

/// The OUT / IN marker: white letters on a black tag, centred on `y`.
fn badge(x: u32, y: u32, word: &str) -> Group {
    Group::new()
        .set("class", "marker")
        .add(
            Rectangle::new()
                .set("x", x)
                .set("y", y - 8)
                .set("width", 38)
                .set("height", 16)
                .set("fill", "#000000"),
        )
        .add(
            text(x + 19, y + 4, word)
                .set("font-size", 11)
                .set("font-weight", "bold")
                .set("fill", "#ffffff")
                .set("text-anchor", "middle"),
        )
}

fn short(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        return label.to_owned();
    }
    let mut s: String = label.chars().take(LABEL_CHARS - 1).collect();
    s.push('…');
    s
}

/// What a legend swatch shows.
#[derive(Clone, Copy)]
enum Swatch {
    Kind(Kind),
    Mark(Mark),
}

fn legend_entries(marks: &[Mark]) -> Vec<(Swatch, &'static str)> {
    let mut out = vec![
        (Swatch::Kind(Kind::Server), "server (label: id, height, kind)"),
        (Swatch::Kind(Kind::Router), "router"),
        (Swatch::Kind(Kind::Switch), "switch"),
        (Swatch::Kind(Kind::Storage), "storage"),
    ];
    for &m in marks {
        out.push((
            Swatch::Mark(m),
            match m {
                Mark::Stays => "stays",
                Mark::Leaves => "OUT, hatched: moves out of this rack this night",
                Mark::Arrives => "IN, dotted: moves into this rack this night",
                Mark::Left => "dashed: moved out this night, units free now",
            },
        ));
    }
    out
}

fn legend_entry(x: u32, y: u32, swatch: Swatch, label: &str) -> Group {
    let rect = || Rectangle::new().set("x", x).set("y", y).set("width", 64).set("height", 16);
    let mut g = Group::new().set("class", "legend");
    g = match swatch {
        Swatch::Kind(k) => {
            g.add(rect().set("fill", kind_fill(k)).set("stroke", "#000000").set("stroke-width", 1))
        }
        Swatch::Mark(Mark::Left) => g.add(
            rect()
                .set("fill", EMPTY_FILL)
                .set("stroke", "#000000")
                .set("stroke-width", 2)
                .set("stroke-dasharray", "6 4"),
        ),
        Swatch::Mark(Mark::Stays) => g.add(rect().set("fill", EMPTY_FILL).set("stroke", "#000000")),
        Swatch::Mark(m) => {
            let (pattern, word) =
                if m == Mark::Leaves { ("url(#leaves)", "OUT") } else { ("url(#arrives)", "IN") };
            g.add(rect().set("fill", EMPTY_FILL).set("stroke", "#000000").set("stroke-width", 3))
                .add(rect().set("fill", pattern))
                .add(badge(x + 24, y + 8, word))
        }
    };
    g.add(text(x + 74, y + 13, label).set("font-size", 12))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(subtitle: &str, mark: Mark) -> RackView {
        RackView {
            id: "r1".into(),
            title: "Rack r1, site s: 4 U".into(),
            subtitle: vec![subtitle.into()],
            rows: ["4", "3", "2", "1"].map(String::from).to_vec(),
            slots: vec![Slot {
                top: 2,
                rows: 4,
                label: "a-machine-with-a-very-long-name-indeed".into(),
                height: crate::model::HalfU(4),
                kind: Kind::Storage,
                mark,
                units: "2-3".into(),
                clipped: false,
            }],
            marks: vec![Mark::Leaves, Mark::Arrives],
        }
    }

    #[test]
    fn text_is_escaped_and_the_document_parses() {
        let text = svg(&view("Site <A> & \"B\"", Mark::Leaves));
        assert!(text.contains("Site &lt;A&gt; &amp; \"B\""), "{text}");
        assert!(resvg::usvg::Tree::from_str(&text, &resvg::usvg::Options::default()).is_ok());
    }

    #[test]
    fn long_ids_are_cut_in_the_box_and_whole_in_the_tooltip() {
        let text = svg(&view("s", Mark::Stays));
        assert!(text.contains("a-machine-with-a-very-l…"));
        assert!(
            text.contains("<title>a-machine-with-a-very-long-name-indeed: 2U storage, units 2-3</title>")
        );
    }

    #[test]
    fn moving_machines_have_a_pattern_and_a_marker_and_the_legend_says_so() {
        let out = svg(&view("s", Mark::Leaves));
        assert!(out.contains("url(#leaves)") && out.contains(">\nOUT\n<"));
        assert!(out.contains("moves out of this rack this night"));
        let stays = svg(&view("s", Mark::Stays));
        assert_eq!(stays.matches("url(#leaves)").count(), 1, "only in the legend");
    }
}
