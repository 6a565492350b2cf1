/*!
Record files: front matter parsing and the toml_edit round-trip rewrite.

Input: one selector byte, then the record text, optionally followed by a NUL and a value to
write into one field. The selector picks the record kind (task, agent, message, ADR,
milestone, risk, conflict) and, for the first four, the field to change.

For any text, parsing never panics and an error names a line inside the file. For a record
that parses:

- rewriting it unchanged gives a record that parses to the same values, and rewriting that
  gives the same text (the rewrite is a fixed point after one normalisation);
- after one field is changed, the rewritten text parses to exactly the changed values, and
  every field this version does not know, every comment and the order of the unknown fields
  are kept byte for byte.
*/
#![no_main]

use git_coord::model::adr::{Adr, AdrStatus};
use git_coord::model::conflict::Conflict;
use git_coord::model::message::Message;
use git_coord::model::milestone::Milestone;
use git_coord::model::record::{self, RecordError};
use git_coord::model::risk::Risk;
use git_coord::model::{Agent, AgentId, Status, Task, Timestamp};
use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use toml_edit::DocumentMut;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(rest) = std::str::from_utf8(rest) else {
        return;
    };
    let (text, value) = rest.split_once('\0').unwrap_or((rest, "edited value"));
    let edit = usize::from(selector / 8);
    match selector % 8 {
        0 => task(text, edit, value),
        1 => agent(text, edit, value),
        2 => message(text, edit, value),
        3 => adr(text, edit, value),
        4 => plain::<Milestone>(
            text,
            "milestones/m-aaaaaa.md",
            Milestone::parse,
            Milestone::to_text,
        ),
        5 => plain::<Risk>(text, "risks/r-aaaaaa.md", Risk::parse, Risk::to_text),
        _ => plain::<Conflict>(
            text,
            "conflicts/c-aaaaaa.md",
            Conflict::parse,
            Conflict::to_text,
        ),
    }
});

/// How a record kind is read and written.
struct Kind<T> {
    path: &'static str,
    markdown: bool,
    parse: fn(&str, &str) -> Result<T, RecordError>,
    to_text: fn(&T) -> String,
}

impl<T: Serialize> Kind<T> {
    /// Parses `text`, checking that an error points into the file.
    fn read(&self, text: &str) -> Option<T> {
        match (self.parse)(self.path, text) {
            Ok(record) => Some(record),
            Err(e) => {
                let lines = text.lines().count().max(1);
                if let Some(line) = e.line {
                    assert!(
                        (1..=lines + 1).contains(&line),
                        "error on line {line} of a {lines}-line file: {e}"
                    );
                }
                assert_eq!(e.path, self.path);
                None
            }
        }
    }

    /// The checks every record kind gets, before any edit: the rewrite of an unchanged
    /// record reads back the same and is a fixed point.
    fn unchanged_round_trip(&self, text: &str, record: &T) {
        let once = (self.to_text)(record);
        let again = (self.parse)(self.path, &once)
            .unwrap_or_else(|e| panic!("rewritten record does not parse: {e}\n{once}"));
        assert_eq!(
            values(&again),
            normalised(values(record)),
            "values changed on rewrite\n{once}"
        );
        let twice = (self.to_text)(&again);
        assert_eq!(once, twice, "the rewrite is not a fixed point");
        self.preserved(text, &once, &values(record), None);
    }

    /// After `edited` (the record with one field changed) is written: its text reads back as
    /// the changed values, and everything it did not change is kept.
    fn edited_round_trip(&self, original: &str, edited: &T, field: &str) {
        let out = (self.to_text)(edited);
        let back = (self.parse)(self.path, &out)
            .unwrap_or_else(|e| panic!("edited record does not parse: {e}\n{out}"));
        assert_eq!(
            values(&back),
            normalised(values(edited)),
            "the edit of `{field}` did not read back\n{out}"
        );
        self.preserved(original, &out, &values(edited), Some(field));
    }

    fn doc(&self, text: &str) -> DocumentMut {
        let parsed = if self.markdown {
            record::parse_markdown(self.path, text, |_| Ok(()))
        } else {
            record::parse_toml(self.path, text, |_| Ok(()))
        };
        match parsed {
            Ok(((), rec)) => rec.doc,
            Err(e) => panic!("{e}\n{text}"),
        }
    }

    /// Unknown fields (those not in the record's values) keep their text, their comments and
    /// their order; a comment before any field is kept, unless that field is the one `edited`
    /// (whose value, not its comments, is replaced) or was removed.
    fn preserved(
        &self,
        original: &str,
        out: &str,
        known: &serde_json::Value,
        edited: Option<&str>,
    ) {
        let (before, after) = (self.doc(original), self.doc(out));
        let is_known = |k: &str| known.get(k).is_some();
        let unknown = |doc: &DocumentMut| -> Vec<String> {
            doc.iter()
                .map(|(k, _)| k.to_owned())
                .filter(|k| !is_known(k))
                .collect()
        };
        assert_eq!(
            unknown(&before),
            unknown(&after),
            "unknown fields lost or reordered\n{out}"
        );
        for (key, item) in before.iter() {
            let before_key = before.key(key).map(|k| k.leaf_decor().clone());
            match after.get(key) {
                Some(now) => {
                    if !is_known(key) {
                        assert_eq!(
                            item.to_string(),
                            now.to_string(),
                            "unknown field `{key}` changed\n{out}"
                        );
                    }
                    let after_key = after.key(key).map(|k| k.leaf_decor().clone());
                    assert_eq!(
                        before_key, after_key,
                        "the comments around `{key}` changed\n{out}"
                    );
                }
                None => {
                    assert!(is_known(key), "unknown field `{key}` lost\n{out}");
                    let prefix = before_key
                        .as_ref()
                        .and_then(|d| d.prefix())
                        .and_then(|p| p.as_str());
                    assert!(
                        Some(key) == edited || !prefix.is_some_and(|p| p.contains('#')),
                        "the comment before `{key}` was lost with it: {prefix:?}\n{out}"
                    );
                }
            }
        }
        assert_eq!(
            before.trailing().as_str(),
            after.trailing().as_str(),
            "the comments after the last field changed\n{out}"
        );
    }
}

/// A record's values as JSON, for comparing two records of a kind.
fn values<T: Serialize>(record: &T) -> serde_json::Value {
    serde_json::to_value(record).expect("records serialise")
}

/// The values a record has once written: a body always ends with a newline.
fn normalised(mut v: serde_json::Value) -> serde_json::Value {
    if let Some(serde_json::Value::String(body)) = v.get_mut("body")
        && !body.is_empty()
        && !body.ends_with('\n')
    {
        body.push('\n');
    }
    v
}

fn plain<T: Serialize>(
    text: &str,
    path: &'static str,
    parse: fn(&str, &str) -> Result<T, RecordError>,
    to_text: fn(&T) -> String,
) {
    let kind = Kind {
        path,
        markdown: true,
        parse,
        to_text,
    };
    if let Some(record) = kind.read(text) {
        kind.unchanged_round_trip(text, &record);
    }
}

fn task(text: &str, edit: usize, value: &str) {
    let kind = Kind {
        path: "tasks/ab/t-abcdef.md",
        markdown: true,
        parse: Task::parse,
        to_text: Task::to_text,
    };
    let Some(mut t) = kind.read(text) else {
        return;
    };
    kind.unchanged_round_trip(text, &t);
    let field = match edit % 8 {
        0 => {
            t.title = value.to_owned();
            "title"
        }
        1 => {
            t.priority = (t.priority + 1) % 4;
            "priority"
        }
        2 => {
            t.status =
                Status::ALL[(Status::ALL.iter().position(|s| *s == t.status).unwrap_or(0) + 1) % 6];
            "status"
        }
        3 => {
            t.body = value.to_owned();
            "body"
        }
        4 => {
            let Ok(hours) = value.trim().parse::<f64>() else {
                return;
            };
            if !hours.is_finite() || hours < 0.0 {
                return;
            }
            t.estimate_hours = Some(hours);
            "estimate_hours"
        }
        5 => {
            let Ok(agent) = AgentId::parse(value) else {
                return;
            };
            t.assignee = Some(agent);
            "assignee"
        }
        6 => {
            t.check = Some(value.to_owned());
            "check"
        }
        _ => {
            t.updated = later(t.updated);
            "updated"
        }
    };
    kind.edited_round_trip(text, &t, field);
}

fn agent(text: &str, edit: usize, value: &str) {
    let kind = Kind {
        path: "agents/a7.toml",
        markdown: false,
        parse: Agent::parse,
        to_text: Agent::to_text,
    };
    let Some(mut a) = kind.read(text) else {
        return;
    };
    kind.unchanged_round_trip(text, &a);
    let field = match edit % 4 {
        0 => {
            a.last_seen = Some(later(a.last_active()));
            "last_seen"
        }
        1 => {
            a.note = Some(value.to_owned());
            "note"
        }
        2 => {
            a.role = Some(value.to_owned());
            "role"
        }
        _ => {
            a.status = value.to_owned();
            "status"
        }
    };
    kind.edited_round_trip(text, &a, field);
}

fn message(text: &str, edit: usize, value: &str) {
    let kind = Kind {
        path: "messages/m-aaaaaa.md",
        markdown: true,
        parse: Message::parse,
        to_text: Message::to_text,
    };
    let Some(mut m) = kind.read(text) else {
        return;
    };
    kind.unchanged_round_trip(text, &m);
    let field = match edit % 3 {
        0 => {
            let Ok(agent) = AgentId::parse(value) else {
                return;
            };
            if m.read_by.contains(&agent) {
                return;
            }
            m.read_by.push(agent);
            "read_by"
        }
        1 => {
            m.subject = value.to_owned();
            "subject"
        }
        _ => {
            m.body = value.to_owned();
            "body"
        }
    };
    kind.edited_round_trip(text, &m, field);
}

fn adr(text: &str, edit: usize, value: &str) {
    let kind = Kind {
        path: "adrs/0001-fuzz.md",
        markdown: true,
        parse: Adr::parse,
        to_text: Adr::to_text,
    };
    let Some(mut a) = kind.read(text) else {
        return;
    };
    kind.unchanged_round_trip(text, &a);
    let field = match edit % 3 {
        0 => {
            a.title = value.to_owned();
            "title"
        }
        1 => {
            a.status = if a.status == AdrStatus::Accepted {
                AdrStatus::Proposed
            } else {
                AdrStatus::Accepted
            };
            "status"
        }
        _ => {
            a.updated = later(a.updated);
            "updated"
        }
    };
    kind.edited_round_trip(text, &a, field);
}

/// An hour later, or the same instant where that is out of range.
fn later(t: Timestamp) -> Timestamp {
    t.unix()
        .checked_add(3600)
        .and_then(Timestamp::from_unix)
        .unwrap_or(t)
}
