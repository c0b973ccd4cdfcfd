//! Every example file names its schema (`schema/`, generated from the format's types and kept
//! current by a unit test in `render::docs`) with a Taplo `#:schema` line, and validates against it.

#![allow(clippy::unwrap_used)]

use std::path::Path;

/// TOML to JSON, datetimes as strings (as editors validate them).
fn to_json(v: toml::Value) -> serde_json::Value {
    match v {
        toml::Value::String(s) => serde_json::Value::String(s),
        toml::Value::Integer(i) => i.into(),
        toml::Value::Float(f) => f.into(),
        toml::Value::Boolean(b) => b.into(),
        toml::Value::Datetime(d) => serde_json::Value::String(d.to_string()),
        toml::Value::Array(a) => a.into_iter().map(to_json).collect(),
        toml::Value::Table(t) => t.into_iter().map(|(k, v)| (k, to_json(v))).collect(),
    }
}

fn validates(schema_file: &str, toml_file: &Path) -> bool {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_file).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let text = std::fs::read_to_string(toml_file).unwrap();
    let value: toml::Value = toml::from_str(&text).unwrap();
    validator.is_valid(&to_json(value))
}

#[test]
fn example_files_validate_and_name_their_schema() {
    let mut n = 0;
    for e in walkdir::WalkDir::new("inventory") {
        let e = e.unwrap();
        if e.path().extension().is_some_and(|x| x == "toml") {
            let first = std::fs::read_to_string(e.path()).unwrap().lines().next().unwrap_or("").to_owned();
            let target = first
                .strip_prefix("#:schema ")
                .unwrap_or_else(|| panic!("{} has no #:schema line", e.path().display()));
            let resolved = e.path().parent().unwrap().join(target);
            assert!(
                resolved.ends_with("schema/inventory.schema.json") && resolved.exists(),
                "{}",
                resolved.display()
            );
            assert!(
                validates("schema/inventory.schema.json", e.path()),
                "{} does not validate",
                e.path().display()
            );
            n += 1;
        }
    }
    assert!(n >= 10);
    assert!(validates("schema/plan.schema.json", Path::new("plans/move-to-cv.toml")));
    // And the schema rejects what dcplan rejects.
    assert!(!validates(
        "schema/inventory.schema.json",
        Path::new("tests/cmd/codes/unknown-field.in/inventory/servers.toml")
    ));
}
