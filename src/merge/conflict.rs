/*!
The records the merge itself writes: a conflict record (`conflicts/<id>.md`) for every value it
set aside, and a message to the loser of a double claim (`messages/<bb>/<id>.md`).

Both use the documented formats (`model::conflict`, `model::message`) so every command reads
them like any other. Nothing about them comes from the clock or a random source: an ID is a
hash of what the record is about (the record's path, the field, both values), and its time is
the later side's clock. Merging the same inputs twice, or on two clones, writes the same files.

Besides the documented fields, a merge conflict record carries `record` (the path of the record
it is about) and one `[[set_aside]]` table per value (`field`, `kept`, `value`), so tools can
read what was set aside without parsing the body; unknown fields survive every rewrite.
The body says the same for people, each value verbatim in a code block.
*/

use std::collections::BTreeMap;

use toml_edit::{ArrayOfTables, Item, Table};

use super::MergeConflict;
use super::hlc;
use crate::model::conflict::ConflictStatus;
use crate::model::id::AgentId;
use crate::model::layout;
use crate::model::message::{Kind, Message, MessageId, Recipient};
use crate::model::record::{self, FieldValue};
use crate::model::{ConflictId, TaskId, Timestamp};

/// The agent named as the opener of the conflicts the merge records and the sender of its
/// messages: no person opened them, `sync` did.
pub const MERGE_AGENT: &str = "coord-sync";

/// What the merge writes besides the merged files.
#[derive(Clone, Debug, Default)]
pub struct Created {
    /// New files by path.
    pub files: BTreeMap<String, String>,
    /// Every value set aside, in the order they were found.
    pub conflicts: Vec<MergeConflict>,
}

/// One value set aside within a conflict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Value {
    /// The field (`None`: the whole record, or its body).
    pub field: Option<String>,
    pub kept: Option<String>,
    pub set_aside: Option<String>,
}

/// An overlapping region of a body: the text kept and the text set aside.
impl From<super::text::Overlap> for Value {
    fn from(o: super::text::Overlap) -> Value {
        Value {
            field: None,
            kept: Some(o.kept),
            set_aside: Some(o.set_aside),
        }
    }
}

/// A conflict to record: about one record file, with one or more values set aside.
#[derive(Clone, Debug)]
pub struct Note {
    /// The record file it is about.
    pub path: String,
    /// One line saying what happened (shortened to fit a title).
    pub title: String,
    /// The agents on each side, where known (the kept side's first).
    pub agents: Vec<String>,
    /// Extra entries for `about` besides the path (a task ID).
    pub about: Vec<String>,
    /// The later side's clock: the record's time.
    pub at: Option<Timestamp>,
    /// What happened and what to do, for people; the values follow it.
    pub explanation: String,
    pub values: Vec<Value>,
}

/// A fence for a code block around `text`: longer than any run of backticks inside it.
fn fence(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    "`".repeat((longest + 1).max(3))
}

fn block(out: &mut String, label: &str, text: Option<&str>) {
    match text {
        None => {
            out.push_str(label);
            out.push_str(": (absent)\n\n");
        }
        Some(t) => {
            let f = fence(t);
            out.push_str(label);
            out.push_str(":\n\n");
            out.push_str(&f);
            out.push('\n');
            out.push_str(t);
            if !t.ends_with('\n') {
                out.push('\n');
            }
            out.push_str(&f);
            out.push_str("\n\n");
        }
    }
}

/// One line of at most 200 characters without control characters (the title rules).
fn one_line(s: &str) -> String {
    let clean: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let clean = clean.trim();
    if clean.chars().count() <= 200 {
        return clean.to_owned();
    }
    let mut cut: String = clean.chars().take(199).collect();
    cut.push('…');
    cut
}

fn valid_agents(agents: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for a in agents {
        if AgentId::parse(a).is_ok() && !out.contains(a) {
            out.push(a.clone());
        }
    }
    out
}

impl Created {
    /// Writes the conflict record for `note` and lists each of its values as a
    /// [`MergeConflict`]. Returns the record's path.
    pub fn record(&mut self, note: Note) -> String {
        let mut key: Vec<&str> = vec![note.path.as_str()];
        for v in &note.values {
            key.push(v.field.as_deref().unwrap_or("\u{0}"));
            key.push(v.kept.as_deref().unwrap_or("\u{0}"));
            key.push(v.set_aside.as_deref().unwrap_or("\u{0}"));
        }
        let id = format!("{}{}", ConflictId::PREFIX, hlc::id_part(&key));
        let path = format!("{}/{id}.md", layout::CONFLICTS_DIR);
        let at = note
            .at
            .or_else(|| Timestamp::from_unix(0))
            .and_then(record::timestamp);
        let mut about = vec![note.path.clone()];
        about.extend(note.about.iter().cloned());
        let fields: Vec<(&'static str, FieldValue)> = vec![
            ("id", record::string(&id)),
            ("title", record::string(&one_line(&note.title))),
            ("status", record::string(ConflictStatus::Open.as_str())),
            ("between", record::list(&valid_agents(&note.agents))),
            ("about", record::list(&about)),
            ("opened_by", record::string(MERGE_AGENT)),
            ("record", record::string(&note.path)),
            ("created", at.clone()),
            ("updated", at),
        ];
        let mut doc = record::rewrite(None, &fields);
        let mut tables = ArrayOfTables::new();
        for v in &note.values {
            let mut t = Table::new();
            for (k, val) in [
                ("field", v.field.as_deref()),
                ("kept", v.kept.as_deref()),
                ("value", v.set_aside.as_deref()),
            ] {
                if let Some(val) = record::opt_string(val) {
                    t.insert(k, Item::Value(val));
                }
            }
            tables.push(t);
        }
        doc.insert("set_aside", Item::ArrayOfTables(tables));
        let mut body = note.explanation.trim_end().to_owned();
        body.push_str("\n\n");
        for v in &note.values {
            let what = match &v.field {
                Some(f) => format!("`{f}`"),
                None => "the record".to_owned(),
            };
            block(&mut body, &format!("Kept for {what}"), v.kept.as_deref());
            block(
                &mut body,
                &format!("Set aside for {what}"),
                v.set_aside.as_deref(),
            );
        }
        let body = format!("{}\n", body.trim_end());
        self.files
            .insert(path.clone(), record::render_markdown(&doc, &body));
        for v in note.values {
            self.conflicts.push(MergeConflict {
                path: note.path.clone(),
                field: v.field,
                kept: v.kept,
                set_aside: v.set_aside,
                record: path.clone(),
            });
        }
        path
    }

    /// Writes a message from the merge to `to` about `task`. Returns its path, or `None`
    /// when `to` is not an agent ID (nobody to tell).
    pub fn message(
        &mut self,
        to: &str,
        task: &str,
        subject: &str,
        body: &str,
        at: Option<Timestamp>,
    ) -> Option<String> {
        let to = AgentId::parse(to).ok()?;
        let from = AgentId::parse(MERGE_AGENT).ok()?;
        let sent = at.or_else(|| Timestamp::from_unix(0))?;
        let id = MessageId::parse(&format!(
            "{}{}",
            MessageId::PREFIX,
            hlc::id_part(&[to.as_str(), task, subject, body])
        ))
        .ok()?;
        let mut m = Message::new(
            id.clone(),
            from,
            Recipient::Agent(to),
            one_line(subject),
            Kind::Fyi,
            sent,
        );
        m.task = TaskId::parse(task).ok();
        m.body = format!("{}\n", body.trim_end());
        let path = layout::message_path(&id);
        self.files.insert(path.clone(), m.to_text());
        Some(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::conflict::Conflict;

    #[test]
    fn a_conflict_record_reads_back_in_the_documented_format() {
        let mut created = Created::default();
        let path = created.record(Note {
            path: "tasks/aa/t-aaaaaa.md".into(),
            title: "sync: `priority` of tasks/aa/t-aaaaaa.md changed on both sides".into(),
            agents: vec!["alice".into(), "bob".into(), "Not An Agent".into()],
            about: vec!["t-aaaaaa".into()],
            at: Timestamp::parse_rfc3339("2026-11-21T11:00:00Z"),
            explanation: "Both sides changed it.".into(),
            values: vec![Value {
                field: Some("priority".into()),
                kept: Some("1".into()),
                set_aside: Some("```3".into()),
            }],
        });
        let text = &created.files[&path];
        let c = Conflict::parse(&path, text).unwrap();
        assert_eq!(c.id.to_string(), path[10..path.len() - 3]);
        assert_eq!(c.between.len(), 2);
        assert_eq!(c.opened_by.as_str(), MERGE_AGENT);
        assert_eq!(c.about, vec!["tasks/aa/t-aaaaaa.md", "t-aaaaaa"]);
        assert_eq!(
            c.created,
            Timestamp::parse_rfc3339("2026-11-21T11:00:00Z").unwrap()
        );
        assert!(text.contains("record = \"tasks/aa/t-aaaaaa.md\""), "{text}");
        assert!(
            text.contains("[[set_aside]]\nfield = \"priority\"\nkept = \"1\"\nvalue = \"```3\"\n"),
            "{text}"
        );
        assert!(text.contains("\n````\n```3\n````\n"), "{text}");
        assert_eq!(c.to_text(), *text);
        assert_eq!(created.conflicts.len(), 1);
        assert_eq!(created.conflicts[0].record, path);
        // The same inputs make the same record.
        let mut again = Created::default();
        let note = Note {
            path: "tasks/aa/t-aaaaaa.md".into(),
            title: "x".into(),
            agents: Vec::new(),
            about: Vec::new(),
            at: None,
            explanation: String::new(),
            values: vec![Value {
                field: Some("priority".into()),
                kept: Some("1".into()),
                set_aside: Some("```3".into()),
            }],
        };
        assert_eq!(again.record(note), path);
        // No known agent and no clock still reads back.
        Conflict::parse(&path, &again.files[&path]).unwrap();
    }

    #[test]
    fn a_message_reads_back() {
        let mut created = Created::default();
        let path = created
            .message(
                "bob",
                "t-aaaaaa",
                "t-aaaaaa went to alice",
                "Your claim was undone.",
                Timestamp::parse_rfc3339("2026-11-21T11:00:00Z"),
            )
            .unwrap();
        let m = Message::parse(&path, &created.files[&path]).unwrap();
        assert_eq!(m.to, Recipient::Agent(AgentId::parse("bob").unwrap()));
        assert_eq!(m.task, Some(TaskId::parse("t-aaaaaa").unwrap()));
        assert_eq!(m.from.as_str(), MERGE_AGENT);
        assert!(
            created
                .message("Bad Agent", "t-aaaaaa", "x", "y", None)
                .is_none()
        );
    }
}
