/*!
File-ownership claims as agents' registry entries store them: a pattern (CODEOWNERS/gitignore
glob syntax), exclusive or shared, since when, and until when (an expired claim counts as
absent). Tasks hold claims too: an open task's `owns` belong to its assignee.
*/

use serde::{Deserialize, Serialize};
use toml_edit::{Array, InlineTable, Value};

use super::record::{FieldValue, Fields, RecordError};
use super::time::Timestamp;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Only the holder may change matching files.
    Exclusive,
    /// The holder works there, others may too; shown, never enforced.
    Shared,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Exclusive => "exclusive",
            Mode::Shared => "shared",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    pub pattern: String,
    pub mode: Mode,
    pub since: Timestamp,
    pub until: Option<Timestamp>,
    pub reason: Option<String>,
}

impl Claim {
    /// Whether the claim still holds at `now`.
    pub fn is_live(&self, now: Timestamp) -> bool {
        self.until.is_none_or(|u| u > now)
    }
}

/// Reads `key` as a list of inline tables `{ pattern = "…", mode = "…", since = …, until = … }`.
pub fn parse_claims(f: &Fields<'_>, key: &str) -> Result<Vec<Claim>, RecordError> {
    let Some(array) = f.raw_array(key)? else {
        return Ok(Vec::new());
    };
    let bad = |what: &str| {
        f.invalid(
            key,
            format!("each claim must be {{ pattern = \"src/**\", mode = \"exclusive\", since = <date> }}: {what}"),
        )
    };
    let mut out = Vec::new();
    for item in array.iter() {
        let t = item
            .as_inline_table()
            .ok_or_else(|| bad("found something else"))?;
        let s = |k: &str| t.get(k).and_then(Value::as_str).map(str::to_owned);
        let time = |k: &str| -> Result<Option<Timestamp>, RecordError> {
            match t.get(k) {
                None => Ok(None),
                Some(v) => {
                    let text = v
                        .as_datetime()
                        .map(|d| d.to_string())
                        .or_else(|| v.as_str().map(str::to_owned))
                        .unwrap_or_default();
                    Timestamp::parse_rfc3339(&text)
                        .map(Some)
                        .ok_or_else(|| bad(&format!("`{k}` is not a date and time")))
                }
            }
        };
        let mode = match s("mode").as_deref() {
            None | Some("exclusive") => Mode::Exclusive,
            Some("shared") => Mode::Shared,
            Some(other) => return Err(bad(&format!("unknown mode {other:?}"))),
        };
        out.push(Claim {
            pattern: s("pattern").ok_or_else(|| bad("`pattern` is missing"))?,
            mode,
            since: time("since")?.ok_or_else(|| bad("`since` is missing"))?,
            until: time("until")?,
            reason: s("reason"),
        });
    }
    Ok(out)
}

/// The value stored for `claims`; `None` (no field) when there are none.
pub fn claims_value(claims: &[Claim]) -> FieldValue {
    if claims.is_empty() {
        return None;
    }
    let mut array = Array::new();
    for c in claims {
        let mut t = InlineTable::new();
        t.insert("pattern", c.pattern.as_str().into());
        t.insert("mode", c.mode.as_str().into());
        if let Some(v) = super::record::timestamp(c.since) {
            t.insert("since", v);
        }
        if let Some(v) = c.until.and_then(super::record::timestamp) {
            t.insert("until", v);
        }
        if let Some(r) = &c.reason {
            t.insert("reason", r.as_str().into());
        }
        array.push(Value::InlineTable(t));
    }
    array.set_trailing_comma(false);
    Some(Value::Array(array))
}
