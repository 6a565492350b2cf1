/*!
The milestone record (`milestones/<id>.md`): a due date, the shell commands that decide whether
it is reached (its criteria), and a markdown body. Tasks join a milestone through their own
`milestone` field, so adding a task to a milestone never rewrites the milestone's file.

Like tasks, milestones may be created on any clone at the same time, so their IDs are random
(`m-4kz9w2`), and a rewrite keeps fields this version does not know and every comment written
by hand. The record also holds its `[[gates]]` history of go/no-go decisions (see [`super::gate`]),
to which a rewrite only ever appends.
*/

use std::cmp::Ordering;

use serde::Serialize;
use toml_edit::DocumentMut;

use super::gate::{self, Gate};
use super::layout::{MILESTONES_DIR, milestone_path};
use super::record::kind::{plain_origin, record_accessors};
use super::record::{self, FieldSpec, FieldValue, Fields, Origin, Record, RecordDoc, RecordError};
use super::task::{InvalidField, validate_entries, validate_record_title};
use super::time::Timestamp;

/// How many random characters a new milestone ID gets, as for tasks.
pub const MILESTONE_ID_LEN: usize = 6;

pub use super::id::{MilestoneId, MilestonePrefix};

crate::keyword_enum! {
    /// Whether a milestone is still open.
    pub enum MilestoneStatus("milestone status") { Open = "open", Done = "done" }
}

/// One milestone, as stored in its record file.
#[derive(Clone, Debug, Serialize)]
pub struct Milestone {
    pub id: MilestoneId,
    pub title: String,
    pub status: MilestoneStatus,
    pub due: Timestamp,
    /// Shell commands that must all succeed for the milestone to be reached (run by `gate`).
    pub criteria: Vec<String>,
    pub created: Timestamp,
    pub updated: Timestamp,
    /// Every gate run on it, oldest first.
    pub gates: Vec<Gate>,
    pub body: String,
    /// The parsed file this milestone came from, for round-trip writes.
    #[serde(skip)]
    source: Option<Origin>,
}

/// What a new milestone is made of.
#[derive(Clone, Debug)]
pub struct NewMilestone {
    pub title: String,
    pub due: Timestamp,
    pub criteria: Vec<String>,
    pub body: String,
}

/// Validates a milestone title: one non-empty line of at most 200 characters.
pub fn validate_title(title: &str) -> Result<String, InvalidField> {
    validate_record_title("milestone", title)
}

impl Milestone {
    /// Builds a new open milestone from user input, validating it.
    pub fn new(
        id: MilestoneId,
        new: NewMilestone,
        now: Timestamp,
    ) -> Result<Milestone, InvalidField> {
        Ok(Milestone {
            id,
            title: validate_title(&new.title)?,
            status: MilestoneStatus::Open,
            due: new.due,
            criteria: validate_entries("criteria", &new.criteria)?,
            created: now,
            updated: now,
            gates: Vec::new(),
            body: new.body,
            source: None,
        })
    }

    /// Parses a milestone record file.
    pub fn parse(path: &str, text: &str) -> Result<Milestone, RecordError> {
        <Milestone as Record>::parse(path, text)
    }

    /// The record file's text: the original file with only the changed fields rewritten, and
    /// the gates run since it was read appended.
    pub fn to_text(&self) -> String {
        <Milestone as Record>::to_text(self)
    }
}

impl Record for Milestone {
    type Id = MilestoneId;
    const NOUN: &'static str = "milestone";
    const DIR: &'static str = MILESTONES_DIR;
    const ID_LEN: usize = MILESTONE_ID_LEN;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::scalar("id"),
        FieldSpec::scalar("title"),
        FieldSpec::scalar("status"),
        FieldSpec::scalar("due"),
        FieldSpec::list("criteria"),
        FieldSpec::scalar("created"),
        FieldSpec::scalar("updated"),
        FieldSpec::history(gate::GATES_KEY),
    ];

    fn path(id: &MilestoneId) -> String {
        milestone_path(id)
    }

    fn id_from_path(path: &str) -> Option<MilestoneId> {
        MilestoneId::from_path(path)
    }

    record_accessors!();

    fn from_fields(f: &Fields<'_>) -> Result<Milestone, RecordError> {
        let id = f.str("id")?;
        let id = MilestoneId::parse(&id).map_err(|e| f.invalid("id", e.to_string()))?;
        let status = match f.opt_str("status")? {
            None => MilestoneStatus::Open,
            Some(s) => s.parse().map_err(|e: String| f.invalid("status", e))?,
        };
        Ok(Milestone {
            id,
            title: f.str("title")?,
            status,
            due: f.timestamp("due")?,
            criteria: f.str_list("criteria")?,
            created: f.timestamp("created")?,
            updated: f.timestamp("updated")?,
            gates: Vec::new(),
            body: String::new(),
            source: None,
        })
    }

    fn read_rest(&mut self, doc: &RecordDoc, text: &str) -> Result<(), RecordError> {
        self.body = doc.body.clone();
        self.gates = gate::read_gates(&doc.doc, &doc.path, text)?;
        Ok(())
    }

    plain_origin!();

    fn fields(&self) -> Vec<(&'static str, FieldValue)> {
        use record::*;
        vec![
            ("id", string(self.id.as_str())),
            ("title", string(&self.title)),
            ("status", string(self.status.as_str())),
            ("due", timestamp(self.due)),
            ("criteria", list(&self.criteria)),
            ("created", timestamp(self.created)),
            ("updated", timestamp(self.updated)),
        ]
    }

    fn write_rest(&self, doc: &mut DocumentMut) {
        gate::append_gates(doc, &self.gates);
    }

    fn validate(&self) -> Result<(), InvalidField> {
        validate_title(&self.title)?;
        validate_entries("criteria", &self.criteria)?;
        Ok(())
    }

    /// By due date, then ID.
    fn list_order(&self, other: &Milestone) -> Ordering {
        (self.due, &self.id).cmp(&(other.due, &other.id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::gate::GateResult;

    fn now() -> Timestamp {
        Timestamp::parse_rfc3339("2026-11-21T10:00:00Z").unwrap()
    }

    fn milestone() -> Milestone {
        Milestone::new(
            MilestoneId::parse("m-aaaaaa").unwrap(),
            NewMilestone {
                title: "Beta".into(),
                due: Timestamp::parse_rfc3339("2026-11-30T18:00:00Z").unwrap(),
                criteria: vec!["cargo test".into(), "cargo test".into(), "make lint".into()],
                body: "Ship it.\n".into(),
            },
            now(),
        )
        .unwrap()
    }

    #[test]
    fn ids_and_prefixes() {
        assert!(MilestoneId::parse("m-4kz9w2").is_ok());
        for bad in [
            "4kz9w2",
            "m-4kz9",
            "m-4KZ9W2",
            "m-../../x",
            "t-4kz9w2",
            "",
            "m-",
        ] {
            assert!(MilestoneId::parse(bad).is_err(), "{bad:?} accepted");
        }
        let id = MilestoneId::random(MILESTONE_ID_LEN);
        assert_eq!(MilestoneId::parse(id.as_str()), Ok(id.clone()));
        assert_eq!(id.random_part().len(), MILESTONE_ID_LEN);

        let id = MilestoneId::parse("m-4kz9w2").unwrap();
        assert!(MilestonePrefix::parse("4kz").unwrap().matches(&id));
        assert!(MilestonePrefix::parse("m-4k").unwrap().matches(&id));
        assert!(!MilestonePrefix::parse("m-4ky").unwrap().matches(&id));
        assert_eq!(
            MilestonePrefix::parse("m-4kz9w2").unwrap().as_full_id(),
            Some(id.clone())
        );
        for bad in ["", "m-", "../x", "4k/z", "4K"] {
            assert!(MilestonePrefix::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(MilestoneId::from_path("milestones/m-4kz9w2.md"), Some(id));
        assert_eq!(MilestoneId::from_path("milestones/README.md"), None);
    }

    #[test]
    fn new_validates_and_dedups() {
        let m = milestone();
        assert_eq!(m.criteria, vec!["cargo test", "make lint"]);
        assert_eq!(m.status, MilestoneStatus::Open);
        let bad = |title: &str, criteria: Vec<String>| {
            Milestone::new(
                MilestoneId::parse("m-aaaaaa").unwrap(),
                NewMilestone {
                    title: title.into(),
                    due: now(),
                    criteria,
                    body: String::new(),
                },
                now(),
            )
            .unwrap_err()
            .field
        };
        assert_eq!(bad(" ", vec![]), "title");
        assert_eq!(bad("a\nb", vec![]), "title");
        assert_eq!(bad("ok", vec!["a\nb".into()]), "criteria");
        assert_eq!(bad("ok", vec![" ".into()]), "criteria");
    }

    #[test]
    fn renders_the_documented_format() {
        let text = milestone().to_text();
        assert_eq!(
            text,
            "+++\nid = \"m-aaaaaa\"\ntitle = \"Beta\"\nstatus = \"open\"\ndue = 2026-11-30T18:00:00Z\ncriteria = [\"cargo test\", \"make lint\"]\ncreated = 2026-11-21T10:00:00Z\nupdated = 2026-11-21T10:00:00Z\n+++\nShip it.\n"
        );
        let back = Milestone::parse("milestones/m-aaaaaa.md", &text).unwrap();
        assert_eq!(back.to_text(), text);
        assert_eq!(back.body, "Ship it.\n");
        assert_eq!(back.due, milestone().due);
    }

    #[test]
    fn round_trip_keeps_unknown_fields_and_comments() {
        let text = milestone().to_text();
        // A table array must come after the plain fields in TOML, so it goes at the end.
        let hand = text.replacen("+++\n", "+++\n# decided in the planning call\n", 1).replacen(
            "updated = 2026-11-21T10:00:00Z\n",
            "updated = 2026-11-21T10:00:00Z\nowner_team = \"infra\"\n\n[[gates]]\nat = 2026-11-22T10:00:00Z\nresult = \"no-go\" # by hand\n",
            1,
        );
        let mut m = Milestone::parse("milestones/m-aaaaaa.md", &hand).unwrap();
        assert_eq!(m.gates.len(), 1);
        assert_eq!(m.gates[0].result, GateResult::NoGo);
        m.title = "Beta 2".into();
        m.updated = Timestamp::parse_rfc3339("2026-11-23T10:00:00Z").unwrap();
        m.gates.push(Gate {
            at: m.updated,
            by: None,
            result: GateResult::Go,
            criteria: Vec::new(),
            open_tasks: Vec::new(),
        });
        let out = m.to_text();
        assert!(out.contains("# decided in the planning call\n"), "{out}");
        assert!(out.contains("owner_team = \"infra\"\n"), "{out}");
        assert!(
            out.contains("[[gates]]\nat = 2026-11-22T10:00:00Z\nresult = \"no-go\" # by hand\n\n[[gates]]\nat = 2026-11-23T10:00:00Z\nresult = \"go\"\nopen_tasks = []\n+++\n"),
            "{out}"
        );
        assert!(out.contains("title = \"Beta 2\""), "{out}");
        let again = Milestone::parse("milestones/m-aaaaaa.md", &out).unwrap();
        assert_eq!(again.title, "Beta 2");
        assert_eq!(again.gates, m.gates);
        assert_eq!(again.to_text(), out);
    }

    #[test]
    fn a_bad_gate_entry_names_its_line() {
        let text = milestone().to_text().replacen(
            "+++\nShip",
            "\n[[gates]]\nat = 2026-11-22T10:00:00Z\nresult = \"later\"\n+++\nShip",
            1,
        );
        let e = Milestone::parse("milestones/m-aaaaaa.md", &text).unwrap_err();
        assert_eq!(e.line, Some(10));
        assert!(e.message.contains("gate 1"), "{e}");
    }

    #[test]
    fn bad_records_name_the_line() {
        let text = milestone()
            .to_text()
            .replace("status = \"open\"", "status = \"late\"");
        let e = Milestone::parse("milestones/m-aaaaaa.md", &text).unwrap_err();
        assert_eq!(e.line, Some(4));
        assert!(e.message.contains("use open or done"), "{e}");
        let text = milestone()
            .to_text()
            .replace("due = 2026-11-30T18:00:00Z\n", "");
        let e = Milestone::parse("milestones/m-aaaaaa.md", &text).unwrap_err();
        assert!(e.message.contains("`due`"), "{e}");
        let text = milestone().to_text().replace("m-aaaaaa", "x");
        assert!(Milestone::parse("milestones/m-aaaaaa.md", &text).is_err());
    }
}
