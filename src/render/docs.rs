//! Reference documentation generated from the code table, so `docs/` and `dcplan explain` never
//! disagree.

use crate::diag::Code;

/// `docs/finding-codes.md`.
pub fn finding_codes_markdown() -> String {
    let mut out = String::from(
        "# Finding codes\n\nGenerated from `src/diag.rs` (the same text as `dcplan explain CODE`); \
         a test fails when this file is stale (`DCPLAN_BLESS=1 cargo test --test docs` refreshes it).\n\n\
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
pub fn format_reference_markdown() -> String {
    let mut out = String::from(
        "# Inventory and plan format reference\n\nGenerated from the types in `src/raw.rs` and \
         `src/plan/spec.rs` (the same source as `schema/*.schema.json`); a test fails when this \
         file is stale (`DCPLAN_BLESS=1 cargo test --test docs` refreshes it). Every table \
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
