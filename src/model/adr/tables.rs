/*!
The front-matter fields of an ADR that are not plain values: lists of agents and of ADR
numbers, the `[[options]]` tables and the `[decision]` table. Tables are rewritten only where
they changed, so comments written inside the others survive.
*/

use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, Value};

use super::{AdrNumber, AdrOption, Decision};
use crate::model::id::AgentId;
use crate::model::record::{self, FieldValue, Fields, RecordError};

pub(super) fn agents(f: &Fields<'_>, key: &str) -> Result<Vec<AgentId>, RecordError> {
    f.str_list(key)?
        .iter()
        .map(|s| AgentId::parse(s).map_err(|e| f.invalid(key, e.to_string())))
        .collect()
}

pub(super) fn numbers(f: &Fields<'_>, key: &str) -> Result<Vec<AdrNumber>, RecordError> {
    let Some(array) = f.raw_array(key)? else {
        return Ok(Vec::new());
    };
    array
        .iter()
        .map(|v| {
            v.as_integer()
                .and_then(|i| u32::try_from(i).ok())
                .and_then(AdrNumber::new)
                .ok_or_else(|| {
                    f.invalid(
                        key,
                        format!("`{key}` must be a list of ADR numbers, such as [3, 5]"),
                    )
                })
        })
        .collect()
}

pub(super) fn number_list(numbers: &[AdrNumber]) -> FieldValue {
    if numbers.is_empty() {
        return None;
    }
    let mut array = toml_edit::Array::new();
    for n in numbers {
        array.push(i64::from(n.get()));
    }
    Some(Value::Array(array))
}

/// The tables at `key`: `[[key]]` tables, or an inline array of inline tables.
pub(super) fn tables(f: &Fields<'_>, key: &str) -> Result<Vec<Table>, RecordError> {
    let not_tables = || f.invalid(key, format!("`{key}` must be a list of tables ([[{key}]])"));
    match f.item(key) {
        None => Ok(Vec::new()),
        Some(Item::ArrayOfTables(aot)) => Ok(aot.iter().cloned().collect()),
        Some(Item::Value(Value::Array(array))) => array
            .iter()
            .map(|v| {
                v.as_inline_table()
                    .map(|t| t.clone().into_table())
                    .ok_or_else(not_tables)
            })
            .collect(),
        Some(_) => Err(not_tables()),
    }
}

pub(super) fn read_options(f: &Fields<'_>) -> Result<Vec<AdrOption>, RecordError> {
    let tables = tables(f, "options")?;
    let mut options: Vec<AdrOption> = Vec::with_capacity(tables.len());
    for t in &tables {
        let o = f.nested(t);
        let option = AdrOption {
            name: o.str("name")?,
            pros: o.str_list("pros")?,
            cons: o.str_list("cons")?,
            effort: o.opt_str("effort")?,
        };
        if options.iter().any(|x| x.name == option.name) {
            return Err(o.invalid("name", format!("two options are named {:?}", option.name)));
        }
        options.push(option);
    }
    Ok(options)
}

pub(super) fn read_decision(f: &Fields<'_>) -> Result<Option<Decision>, RecordError> {
    let table = match f.item("decision") {
        None => return Ok(None),
        Some(Item::Table(t)) => t.clone(),
        Some(Item::Value(Value::InlineTable(t))) => t.clone().into_table(),
        Some(_) => {
            return Err(f.invalid(
                "decision",
                "`decision` must be a table with option, rationale, by and at",
            ));
        }
    };
    let d = f.nested(&table);
    Ok(Some(Decision {
        option: d.str("option")?,
        rationale: d.str("rationale")?,
        by: d.opt_agent("by")?,
        at: d.timestamp("at")?,
    }))
}

pub(super) fn option_table(o: &AdrOption) -> Table {
    let mut t = Table::new();
    let mut set = |key: &str, value: FieldValue| {
        if let Some(v) = value {
            t.insert(key, Item::Value(v));
        }
    };
    set("name", record::string(&o.name));
    set("pros", record::list(&o.pros));
    set("cons", record::list(&o.cons));
    set("effort", record::opt_string(o.effort.as_deref()));
    t.decor_mut().set_prefix("\n");
    t
}

/// Rewrites `[[options]]` where it changed, keeping the tables (and their comments) of the
/// options that did not.
pub(super) fn write_options(
    doc: &mut DocumentMut,
    before: Option<&[AdrOption]>,
    after: &[AdrOption],
) {
    if before == Some(after) && doc.contains_key("options") != after.is_empty() {
        return;
    }
    if after.is_empty() {
        doc.remove("options");
        return;
    }
    let existing = doc.get("options").and_then(Item::as_array_of_tables);
    let mut aot = ArrayOfTables::new();
    for (i, o) in after.iter().enumerate() {
        let kept = before
            .and_then(|b| b.get(i))
            .filter(|b| *b == o)
            .and(existing.and_then(|e| e.get(i)));
        aot.push(kept.cloned().unwrap_or_else(|| option_table(o)));
    }
    doc.insert("options", Item::ArrayOfTables(aot));
}

pub(super) fn write_decision(
    doc: &mut DocumentMut,
    before: Option<&Option<Decision>>,
    after: &Option<Decision>,
) {
    if before == Some(after) && doc.contains_key("decision") == after.is_some() {
        return;
    }
    let Some(d) = after else {
        doc.remove("decision");
        return;
    };
    let mut t = Table::new();
    for (key, value) in [
        ("option", record::string(&d.option)),
        ("rationale", record::string(&d.rationale)),
        ("by", record::opt_string(d.by.as_ref().map(AgentId::as_str))),
        ("at", record::timestamp(d.at)),
    ] {
        if let Some(v) = value {
            t.insert(key, Item::Value(v));
        }
    }
    t.decor_mut().set_prefix("\n");
    doc.insert("decision", Item::Table(t));
}
