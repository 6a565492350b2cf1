/*!
The conflict record (`conflicts/<id>.md`): a disagreement between agents, what each proposed,
how it was resolved, and the action items the resolution created as tasks.

Proposals and actions are `[[proposals]]` and `[[actions]]` tables after the plain fields; they
only grow, so a rewrite appends to them and keeps every comment written by hand, like every
other field this version does not know. The time from `created` to `resolved_at` is the
conflict's resolution time, which the metrics read.

Records written by `own --force` before the conflict log existed carry `opened` instead of
`created` and no `opened_by` or `updated`: they read as opened at `opened`, by the first agent
of `between`.
*/

use std::cmp::Ordering;

use serde::Serialize;
use toml_edit::DocumentMut;

use super::id::{AgentId, ConflictId, TaskId};
use super::layout::{CONFLICTS_DIR, conflict_path};
use super::record::kind::record_accessors;
use super::record::{self, FieldSpec, FieldValue, Fields, Origin, Record, RecordError};
use super::task::{InvalidField, validate_entries, validate_record_title};
use super::time::Timestamp;

/// How many random characters a new conflict ID gets.
pub const CONFLICT_ID_LEN: usize = 6;

crate::keyword_enum! {
    /// Whether a conflict is still open.
    pub enum ConflictStatus("conflict status") { Open = "open", Resolved = "resolved" }
}

/// What one agent proposed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Proposal {
    pub by: AgentId,
    pub at: Timestamp,
    pub text: String,
}

/// An action item of a resolution, and the task it became.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConflictAction {
    pub text: String,
    pub assignee: Option<AgentId>,
    pub task: TaskId,
}

/// One conflict, as stored in its record file.
#[derive(Clone, Debug, Serialize)]
pub struct Conflict {
    pub id: ConflictId,
    pub title: String,
    pub status: ConflictStatus,
    /// The agents in disagreement.
    pub between: Vec<AgentId>,
    /// What it is about: paths, globs or task IDs.
    pub about: Vec<String>,
    pub opened_by: AgentId,
    pub proposals: Vec<Proposal>,
    pub resolution: Option<String>,
    pub resolved_by: Option<AgentId>,
    pub resolved_at: Option<Timestamp>,
    pub actions: Vec<ConflictAction>,
    pub created: Timestamp,
    pub updated: Timestamp,
    pub body: String,
    #[serde(skip)]
    source: Option<Source>,
}

/// What a conflict was parsed from, for round-trip writes.
#[derive(Clone, Debug)]
struct Source {
    origin: Origin,
    proposals: Vec<Proposal>,
    actions: Vec<ConflictAction>,
}

/// What a new conflict is made of.
#[derive(Clone, Debug)]
pub struct NewConflict {
    pub title: String,
    pub between: Vec<AgentId>,
    pub about: Vec<String>,
    pub body: String,
}

fn invalid(field: &'static str, message: impl Into<String>) -> InvalidField {
    InvalidField {
        field,
        message: message.into(),
    }
}

/// Validates free text (a proposal, a resolution, a mitigation): not blank; trimmed.
pub fn validate_text(field: &'static str, text: &str) -> Result<String, InvalidField> {
    let t = text.trim();
    if t.is_empty() {
        return Err(invalid(field, "the text must not be empty"));
    }
    Ok(t.to_owned())
}

/// A body as the record file stores it: text ends with a newline.
pub fn body_text(mut body: String) -> String {
    if !body.is_empty() && !body.ends_with('\n') {
        body.push('\n');
    }
    body
}

/// An action item of a resolution, before it becomes a task.
#[derive(Clone, Debug, PartialEq)]
pub struct NewAction {
    pub text: String,
    pub assignee: Option<AgentId>,
}

impl Conflict {
    /// Builds a new open conflict from user input, validating it.
    pub fn new(
        id: ConflictId,
        new: NewConflict,
        opened_by: AgentId,
        now: Timestamp,
    ) -> Result<Conflict, InvalidField> {
        let mut between: Vec<AgentId> = Vec::new();
        for a in new.between {
            if !between.contains(&a) {
                between.push(a);
            }
        }
        if between.len() < 2 {
            return Err(invalid(
                "between",
                "a conflict is between at least two different agents, as in --between alice,bob",
            ));
        }
        Ok(Conflict {
            id,
            title: validate_record_title("conflict", &new.title)?,
            status: ConflictStatus::Open,
            between,
            about: validate_entries("about", &new.about)?,
            opened_by,
            proposals: Vec::new(),
            resolution: None,
            resolved_by: None,
            resolved_at: None,
            actions: Vec::new(),
            created: now,
            updated: now,
            body: body_text(new.body),
            source: None,
        })
    }

    /// Appends a proposal by `by`.
    pub fn propose(&mut self, by: AgentId, text: &str, now: Timestamp) -> Result<(), InvalidField> {
        let text = validate_text("text", text)?;
        self.proposals.push(Proposal { by, at: now, text });
        self.updated = self.updated.max(now);
        Ok(())
    }

    /// Marks the conflict resolved by `by` with `resolution`, recording the action items
    /// (already turned into tasks). The caller refuses a conflict that is already resolved.
    pub fn resolve(
        &mut self,
        by: AgentId,
        resolution: &str,
        actions: Vec<ConflictAction>,
        now: Timestamp,
    ) -> Result<(), InvalidField> {
        self.resolution = Some(validate_text("resolution", resolution)?);
        self.status = ConflictStatus::Resolved;
        self.resolved_by = Some(by);
        self.resolved_at = Some(now);
        self.actions.extend(actions);
        self.updated = self.updated.max(now);
        Ok(())
    }

    /// Hours from opening to resolution; `None` while open.
    pub fn resolution_hours(&self) -> Option<f64> {
        let resolved = self.resolved_at?;
        Some((resolved.unix() - self.created.unix()).max(0) as f64 / 3600.0)
    }

    /// Whether `agent` is one of the agents in disagreement.
    pub fn involves(&self, agent: &AgentId) -> bool {
        self.between.contains(agent)
    }

    /// Parses a conflict record file.
    pub fn parse(path: &str, text: &str) -> Result<Conflict, RecordError> {
        <Conflict as Record>::parse(path, text)
    }

    /// The record file's text: the original file with only the changed fields rewritten and
    /// new proposals and actions appended.
    pub fn to_text(&self) -> String {
        <Conflict as Record>::to_text(self)
    }
}

impl Record for Conflict {
    type Id = ConflictId;
    const NOUN: &'static str = "conflict";
    const DIR: &'static str = CONFLICTS_DIR;
    const ID_LEN: usize = CONFLICT_ID_LEN;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::scalar("id"),
        FieldSpec::scalar("title"),
        FieldSpec::scalar("status"),
        FieldSpec::list("between"),
        FieldSpec::list("about"),
        FieldSpec::scalar("opened_by"),
        FieldSpec::scalar("resolution"),
        FieldSpec::scalar("resolved_by"),
        FieldSpec::scalar("resolved_at"),
        FieldSpec::scalar("created"),
        FieldSpec::scalar("updated"),
        FieldSpec::history("proposals"),
        FieldSpec::history("actions"),
    ];

    fn path(id: &ConflictId) -> String {
        conflict_path(id)
    }

    fn id_from_path(path: &str) -> Option<ConflictId> {
        ConflictId::from_path(path)
    }

    record_accessors!();

    fn from_fields(f: &Fields<'_>) -> Result<Conflict, RecordError> {
        let id = f.str("id")?;
        let id = ConflictId::parse(&id).map_err(|e| f.invalid("id", e.to_string()))?;
        let status = match f.opt_str("status")? {
            None => ConflictStatus::Open,
            Some(s) => s.parse().map_err(|e: String| f.invalid("status", e))?,
        };
        let between = agents(f, "between")?;
        let created = match f.opt_timestamp("created")? {
            Some(t) => t,
            None => match f.opt_timestamp("opened")? {
                Some(t) => t,
                None => f.timestamp("created")?,
            },
        };
        let opened_by = match f.opt_agent("opened_by")? {
            Some(a) => a,
            None => between
                .first()
                .cloned()
                .ok_or_else(|| f.invalid("between", "`between` names no agent"))?,
        };
        let proposals = f
            .table_array("proposals")?
            .iter()
            .map(|p| {
                Ok(Proposal {
                    by: agent(p, "by")?,
                    at: p.timestamp("at")?,
                    text: p.str("text")?,
                })
            })
            .collect::<Result<_, RecordError>>()
            .map_err(|e| in_table(e, "proposals"))?;
        let actions = f
            .table_array("actions")?
            .iter()
            .map(|a| {
                Ok(ConflictAction {
                    text: a.str("text")?,
                    assignee: a.opt_agent("assignee")?,
                    task: a.task_id("task")?,
                })
            })
            .collect::<Result<_, RecordError>>()
            .map_err(|e| in_table(e, "actions"))?;
        Ok(Conflict {
            id,
            title: f.str("title")?,
            status,
            between,
            about: f.str_list("about")?,
            opened_by,
            proposals,
            resolution: f.opt_str("resolution")?,
            resolved_by: f.opt_agent("resolved_by")?,
            resolved_at: f.opt_timestamp("resolved_at")?,
            actions,
            created,
            updated: f.opt_timestamp("updated")?.unwrap_or(created),
            body: String::new(),
            source: None,
        })
    }

    /// Keeps the proposals and actions as read too: a rewrite appends only the new ones.
    fn set_origin(&mut self, origin: Origin) {
        self.source = Some(Source {
            origin,
            proposals: self.proposals.clone(),
            actions: self.actions.clone(),
        });
    }

    fn origin(&self) -> Option<&Origin> {
        self.source.as_ref().map(|s| &s.origin)
    }

    fn fields(&self) -> Vec<(&'static str, FieldValue)> {
        use record::*;
        vec![
            ("id", string(self.id.as_str())),
            ("title", string(&self.title)),
            ("status", string(self.status.as_str())),
            ("between", list(&names(&self.between))),
            ("about", list(&self.about)),
            ("opened_by", string(self.opened_by.as_str())),
            ("resolution", opt_string(self.resolution.as_deref())),
            (
                "resolved_by",
                opt_string(self.resolved_by.as_ref().map(AgentId::as_str)),
            ),
            ("resolved_at", opt_timestamp(self.resolved_at)),
            ("created", timestamp(self.created)),
            ("updated", timestamp(self.updated)),
        ]
    }

    fn write_rest(&self, doc: &mut DocumentMut) {
        let (proposals, actions) = match &self.source {
            Some(s) => (s.proposals.as_slice(), s.actions.as_slice()),
            None => (&[][..], &[][..]),
        };
        record::write_table_array(doc, "proposals", proposals, &self.proposals, |p| {
            vec![
                ("by", record::string(p.by.as_str())),
                ("at", record::timestamp(p.at)),
                ("text", record::string(&p.text)),
            ]
        });
        record::write_table_array(doc, "actions", actions, &self.actions, |a| {
            vec![
                ("text", record::string(&a.text)),
                (
                    "assignee",
                    record::opt_string(a.assignee.as_ref().map(AgentId::as_str)),
                ),
                ("task", record::string(a.task.as_str())),
            ]
        });
    }

    fn validate(&self) -> Result<(), InvalidField> {
        validate_record_title(Self::NOUN, &self.title)?;
        let mut between = self.between.clone();
        between.sort();
        between.dedup();
        if between.len() < 2 {
            return Err(invalid(
                "between",
                "a conflict is between at least two different agents, as in --between alice,bob",
            ));
        }
        validate_entries("about", &self.about)?;
        Ok(())
    }

    /// Oldest first, then by ID.
    fn list_order(&self, other: &Conflict) -> Ordering {
        (self.created, &self.id).cmp(&(other.created, &other.id))
    }
}

fn names(agents: &[AgentId]) -> Vec<&str> {
    agents.iter().map(AgentId::as_str).collect()
}

fn agent(f: &Fields<'_>, key: &str) -> Result<AgentId, RecordError> {
    let s = f.str(key)?;
    AgentId::parse(&s).map_err(|e| f.invalid(key, e.to_string()))
}

fn agents(f: &Fields<'_>, key: &str) -> Result<Vec<AgentId>, RecordError> {
    f.str_list(key)?
        .iter()
        .map(|s| AgentId::parse(s).map_err(|e| f.invalid(key, e.to_string())))
        .collect()
}

/// Says which table an error inside `[[key]]` comes from.
fn in_table(mut e: RecordError, key: &str) -> RecordError {
    e.message = format!("in [[{key}]]: {}", e.message);
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        Timestamp::parse_rfc3339(s).unwrap()
    }

    fn agent(s: &str) -> AgentId {
        AgentId::parse(s).unwrap()
    }

    fn conflict() -> Conflict {
        Conflict::new(
            ConflictId::parse("c-aaaaaa").unwrap(),
            NewConflict {
                title: " Cache ownership ".into(),
                between: vec![agent("api"), agent("state"), agent("api")],
                about: vec!["src/cache/**".into(), "t-bbbbbb".into()],
                body: "Both edit it.\n".into(),
            },
            agent("lead"),
            at("2026-11-21T10:00:00Z"),
        )
        .unwrap()
    }

    const PATH: &str = "conflicts/c-aaaaaa.md";

    #[test]
    fn new_validates_and_dedups() {
        let c = conflict();
        assert_eq!(c.title, "Cache ownership");
        assert_eq!(c.between, vec![agent("api"), agent("state")]);
        assert_eq!(c.status, ConflictStatus::Open);
        assert_eq!(c.resolution_hours(), None);
        let bad = |title: &str, between: &[&str], about: &[&str]| {
            Conflict::new(
                ConflictId::parse("c-aaaaaa").unwrap(),
                NewConflict {
                    title: title.into(),
                    between: between.iter().map(|a| agent(a)).collect(),
                    about: about.iter().map(|a| a.to_string()).collect(),
                    body: String::new(),
                },
                agent("lead"),
                at("2026-11-21T10:00:00Z"),
            )
            .unwrap_err()
            .field
        };
        assert_eq!(bad("x", &["api", "api"], &[]), "between");
        assert_eq!(bad("x", &["api"], &[]), "between");
        assert_eq!(bad(" ", &["api", "web"], &[]), "title");
        assert_eq!(bad("a\nb", &["api", "web"], &[]), "title");
        assert_eq!(bad("x", &["api", "web"], &[" "]), "about");
    }

    #[test]
    fn renders_the_documented_format_and_reads_it_back() {
        let text = conflict().to_text();
        assert_eq!(
            text,
            "+++\nid = \"c-aaaaaa\"\ntitle = \"Cache ownership\"\nstatus = \"open\"\nbetween = [\"api\", \"state\"]\nabout = [\"src/cache/**\", \"t-bbbbbb\"]\nopened_by = \"lead\"\ncreated = 2026-11-21T10:00:00Z\nupdated = 2026-11-21T10:00:00Z\n+++\nBoth edit it.\n"
        );
        let back = Conflict::parse(PATH, &text).unwrap();
        assert_eq!(back.to_text(), text);
        assert_eq!(back.opened_by, agent("lead"));
    }

    #[test]
    fn proposals_and_actions_are_appended_keeping_hand_edits() {
        let mut c = conflict();
        c.propose(agent("api"), "api owns it", at("2026-11-21T11:00:00Z"))
            .unwrap();
        let text = c.to_text();
        assert!(
            text.contains("\n[[proposals]]\nby = \"api\"\nat = 2026-11-21T11:00:00Z\ntext = \"api owns it\"\n+++\n"),
            "{text}"
        );
        // Someone annotates the record by hand.
        let hand = text
            .replacen("+++\n", "+++\n# raised at stand-up\n", 1)
            .replace(
                "text = \"api owns it\"\n",
                "text = \"api owns it\" # seconded by web\nweight = 2\n",
            )
            .replace(
                "opened_by = \"lead\"\n",
                "opened_by = \"lead\"\nseverity = \"major\"\n",
            );
        let mut c = Conflict::parse(PATH, &hand).unwrap();
        assert_eq!(c.proposals.len(), 1);
        c.propose(
            agent("state"),
            "state owns it;\nmultiple lines\n+++\n",
            at("2026-11-21T12:00:00Z"),
        )
        .unwrap();
        c.resolve(
            agent("lead"),
            "state owns it",
            vec![ConflictAction {
                text: "Move the cache".into(),
                assignee: Some(agent("state")),
                task: TaskId::parse("t-cccccc").unwrap(),
            }],
            at("2026-11-21T13:30:00Z"),
        )
        .unwrap();
        let out = c.to_text();
        for kept in [
            "# raised at stand-up\n",
            "text = \"api owns it\" # seconded by web\nweight = 2\n",
            "severity = \"major\"\n",
            "status = \"resolved\"",
            "resolved_by = \"lead\"",
            "resolved_at = 2026-11-21T13:30:00Z",
            "text = \"state owns it;\\nmultiple lines\\n+++\"",
            "[[actions]]\ntext = \"Move the cache\"\nassignee = \"state\"\ntask = \"t-cccccc\"\n",
        ] {
            assert!(out.contains(kept), "{kept:?} missing from\n{out}");
        }
        // The proposal's text cannot close the front matter.
        assert_eq!(out.lines().filter(|l| *l == "+++").count(), 2, "{out}");
        let back = Conflict::parse(PATH, &out).unwrap();
        assert_eq!(back.proposals.len(), 2);
        assert_eq!(
            back.proposals[1].text,
            "state owns it;\nmultiple lines\n+++"
        );
        assert_eq!(back.actions, c.actions);
        assert_eq!(back.resolution_hours(), Some(3.5));
        assert_eq!(back.updated, at("2026-11-21T13:30:00Z"));
        assert_eq!(back.to_text(), out);
    }

    #[test]
    fn reads_records_written_before_the_conflict_log() {
        let text = "+++\nid = \"c-aaaaaa\"\ntitle = \"alice took src/a.rs\"\nstatus = \"open\"\nbetween = [\"alice\", \"bob\"]\nabout = [\"src/a.rs\", \"src/**\"]\nopened = 2026-11-21T10:00:00Z\n+++\nforced\n";
        let c = Conflict::parse(PATH, text).unwrap();
        assert_eq!(c.created, at("2026-11-21T10:00:00Z"));
        assert_eq!(c.updated, c.created);
        assert_eq!(c.opened_by, agent("alice"));
        assert!(c.involves(&agent("bob")) && !c.involves(&agent("carol")));
    }

    #[test]
    fn bad_records_name_the_line() {
        let mut c = conflict();
        c.propose(agent("api"), "mine", at("2026-11-21T11:00:00Z"))
            .unwrap();
        let good = c.to_text();
        let e = Conflict::parse(PATH, &good.replace("\"open\"", "\"closed\"")).unwrap_err();
        assert_eq!(e.line, Some(4));
        assert!(e.message.contains("use open or resolved"), "{e}");

        let e = Conflict::parse(PATH, &good.replace("\"state\"]", "\"State\"]")).unwrap_err();
        assert_eq!(e.line, Some(5), "{e}");

        // Inside a [[proposals]] table: the line of the field at fault.
        let e =
            Conflict::parse(PATH, &good.replace("by = \"api\"", "by = \"no body\"")).unwrap_err();
        assert_eq!(e.line, Some(12), "{e}");
        assert!(e.message.starts_with("in [[proposals]]: "), "{e}");
        let e =
            Conflict::parse(PATH, &good.replace("at = 2026-11-21T11:00:00Z\n", "")).unwrap_err();
        assert!(e.message.contains("`at`"), "{e}");

        let e = Conflict::parse(PATH, &good.replace("[[proposals]]", "[proposals]")).unwrap_err();
        assert!(e.message.contains("[[proposals]] tables"), "{e}");

        let actions = good.replace(
            "+++\nBoth",
            "\n[[actions]]\ntext = \"x\"\ntask = \"not-a-task\"\n+++\nBoth",
        );
        let e = Conflict::parse(PATH, &actions).unwrap_err();
        assert!(e.message.contains("not a task ID"), "{e}");
        assert_eq!(e.line, Some(18), "{e}");
    }

    mod properties {
        use proptest::prelude::*;

        use super::*;
        use crate::model::strategies::text;

        proptest! {
            /// Proposals appended one write at a time, then a resolution: every accepted
            /// one reads back as written, a comment added by hand survives every rewrite,
            /// and rewriting what was read changes nothing.
            #[test]
            fn appended_proposals_and_the_resolution_survive_rewrites(
                texts in prop::collection::vec(text(), 1..6),
                resolution in text(),
            ) {
                let mut file = conflict().to_text().replacen("+++\n", "+++\n# kept by hand\n", 1);
                let mut expected: Vec<(AgentId, String)> = Vec::new();
                for (i, t) in texts.iter().enumerate() {
                    let mut c = Conflict::parse(PATH, &file).expect("own output parses");
                    let who = agent(if i % 2 == 0 { "api" } else { "state" });
                    if c.propose(who.clone(), t, at("2026-11-21T11:00:00Z")).is_ok() {
                        let kept = c.proposals.last().expect("just pushed").text.clone();
                        expected.push((who, kept));
                    }
                    file = c.to_text();
                    prop_assert!(file.contains("# kept by hand\n"), "{}", file);
                }
                let mut c = Conflict::parse(PATH, &file).expect("own output parses");
                let resolved = c
                    .resolve(agent("lead"), &resolution, Vec::new(), at("2026-11-21T12:00:00Z"))
                    .is_ok();
                let expected_resolution = c.resolution.clone();
                file = c.to_text();
                let back = Conflict::parse(PATH, &file).expect("own output parses");
                let got: Vec<(AgentId, String)> =
                    back.proposals.iter().map(|p| (p.by.clone(), p.text.clone())).collect();
                prop_assert_eq!(got, expected);
                prop_assert_eq!(back.status == ConflictStatus::Resolved, resolved);
                prop_assert_eq!(&back.resolution, &expected_resolution);
                prop_assert_eq!(back.to_text(), file);
            }
        }
    }
}
