//! Reference documentation generated from the code table, so `docs/` and `dcplan explain` never
//! disagree.

use crate::diag::Code;

/// `docs/finding-codes.md`.
pub(crate) fn finding_codes_markdown() -> String {
    let mut out = String::from(
        "# Finding codes\n\nGenerated from `src/diag.rs` (the same text as `dcplan explain CODE`); \
         a test fails when this file is stale (`DCPLAN_BLESS=1 cargo test --lib render::docs` refreshes it).\n\n\
         | code | severity | when |\n|---|---|---|\n",
    );
    for c in Code::ALL {
        out.push_str(&format!(
            "| [`{0}`](#{0}) | {1} | {2} |\n",
            c.name(),
            c.default_severity(),
            c.summary()
        ));
    }
    for c in Code::ALL {
        out.push_str(&format!(
            "\n## {}\n\nSeverity: {}.\n\n{}\n",
            c.name(),
            c.default_severity(),
            c.explanation()
        ));
    }
    out
}

/// `docs/inventory.md`: every table and field of the inventory and plan formats, from the JSON
/// Schemas (themselves generated from the types and their doc comments).
pub(crate) fn format_reference_markdown() -> String {
    let mut out = String::from(
        "# Inventory and plan format reference\n\nGenerated from the types in `src/raw.rs` and \
         `src/plan/spec.rs` (the same source as `schema/*.schema.json`); a test fails when this \
         file is stale (`DCPLAN_BLESS=1 cargo test --lib render::docs` refreshes it). Every table \
         rejects unknown fields.\n",
    );
    let inventory = serde_json::to_value(crate::raw::schema()).unwrap_or_default();
    let plan = serde_json::to_value(crate::plan::spec::schema()).unwrap_or_default();
    out.push_str(
        "\n## Inventory files\n\nAny `*.toml` under the inventory folder may hold any of these tables.\n",
    );
    let keys: Vec<&str> = crate::raw::Table::ALL.iter().map(|t| t.key()).collect();
    tables(&mut out, &inventory, &keys);
    out.push_str("\n## Plan files\n");
    tables(&mut out, &plan, &["plan"]);
    out
}

fn tables(out: &mut String, schema: &serde_json::Value, keys: &[&str]) {
    let defs = &schema["$defs"];
    for key in keys {
        let prop = &schema["properties"][*key];
        // `{"$ref": ...}`, or an array/option of one: find the referenced definition.
        let text = prop.to_string();
        let Some(name) = text.split("#/$defs/").nth(1).and_then(|r| r.split('"').next()) else { continue };
        let def = &defs[name];
        let header = if text.contains("\"array\"") { format!("[[{key}]]") } else { format!("[{key}]") };
        out.push_str(&format!("\n### `{header}`\n\n{}\n\n", prop["description"].as_str().unwrap_or("")));
        out.push_str("| field | type | required | meaning |\n|---|---|---|---|\n");
        let required: Vec<&str> = def["required"]
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        if let Some(props) = def["properties"].as_object() {
            for (field, p) in props {
                out.push_str(&format!(
                    "| `{field}` | {} | {} | {} |\n",
                    type_of(p),
                    if required.contains(&field.as_str()) { "yes" } else { "no" },
                    p["description"].as_str().unwrap_or("").replace('\n', " ").replace('|', "\\|")
                ));
            }
        }
    }
}

fn type_of(p: &serde_json::Value) -> String {
    let base = match &p["type"] {
        serde_json::Value::String(t) => t.clone(),
        serde_json::Value::Array(ts) => {
            ts.iter().filter_map(|t| t.as_str()).filter(|t| *t != "null").collect::<Vec<_>>().join(" or ")
        }
        _ => "object".to_owned(),
    };
    if base == "array" {
        let inner = type_of(&p["items"]);
        return format!("array of {inner}");
    }
    base
}

/// The shipped generated files (docs and JSON Schemas) are current; `DCPLAN_BLESS=1` rewrites them.
#[cfg(test)]
mod tests {
    use std::path::Path;

    fn current(path: &str, want: &str) {
        let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
        if std::env::var_os("DCPLAN_BLESS").is_some() {
            std::fs::write(&full, want).unwrap();
        }
        let have = std::fs::read_to_string(&full).unwrap_or_default();
        assert!(have == want, "{path} is stale: run `DCPLAN_BLESS=1 cargo test --lib render::docs`");
    }

    fn json(schema: &schemars::Schema) -> String {
        let mut s = serde_json::to_string_pretty(schema).unwrap();
        s.push('\n');
        s
    }

    #[test]
    fn finding_codes_doc_is_current() {
        current("docs/finding-codes.md", &super::finding_codes_markdown());
    }

    #[test]
    fn format_reference_is_current() {
        current("docs/inventory.md", &super::format_reference_markdown());
    }

    #[test]
    fn shipped_schemas_are_current() {
        current("schema/inventory.schema.json", &json(&crate::raw::schema()));
        current("schema/plan.schema.json", &json(&crate::plan::spec::schema()));
    }
}
