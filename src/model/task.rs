/*!
The task record (`tasks/<fan-out>/<id>.md`): its fields, parsing, validation and rendering.

The rules for moving a task between states, [`Task::apply`], are in [`transition`].
*/

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::id::{AgentId, TASK_ID_LEN, TaskId};
use super::layout::{TASKS_DIR, task_id_from_path, task_path};
use super::record::kind::record_accessors;
use super::record::{self, FieldSpec, FieldValue, Fields, Origin, Record, RecordError};
use super::time::Timestamp;

mod transition;

pub use transition::{Action, Applied, DepState, Refusal};

/// The lowest priority number; 0 is the highest priority.
pub const MAX_PRIORITY: u8 = 3;
pub const DEFAULT_PRIORITY: u8 = 2;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Todo,
    InProgress,
    Blocked,
    Review,
    Done,
    Cancelled,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Todo,
        Status::InProgress,
        Status::Blocked,
        Status::Review,
        Status::Done,
        Status::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Todo => "todo",
            Status::InProgress => "in_progress",
            Status::Blocked => "blocked",
            Status::Review => "review",
            Status::Done => "done",
            Status::Cancelled => "cancelled",
        }
    }

    /// Done or cancelled: nothing more will happen to it.
    pub fn is_closed(self) -> bool {
        matches!(self, Status::Done | Status::Cancelled)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Status, String> {
        Status::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown status {s:?}: use one of todo, in_progress, blocked, review, done, cancelled"
                )
            })
    }
}

/// One task, as stored in its record file.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Task {
    pub id: TaskId,
    pub title: String,
    pub status: Status,
    pub priority: u8,
    pub assignee: Option<AgentId>,
    /// When the current assignee claimed it.
    pub claimed: Option<Timestamp>,
    pub depends_on: Vec<TaskId>,
    pub expertise: Vec<String>,
    pub estimate_hours: Option<f64>,
    pub milestone: Option<String>,
    pub owns: Vec<String>,
    pub deliverables: Vec<String>,
    pub check: Option<String>,
    pub blocked_reason: Option<String>,
    pub due: Option<Timestamp>,
    pub created: Timestamp,
    pub updated: Timestamp,
    pub completed: Option<Timestamp>,
    pub body: String,
    /// The parsed file this task came from, for round-trip writes. Boxed: tasks loaded from
    /// the index have none, and 10,000 of them should not each carry its space.
    #[serde(skip)]
    source: Option<Box<Origin>>,
}

/// What a new task is made of; everything but the title is optional.
#[derive(Clone, Debug, Default)]
pub struct NewTask {
    pub title: String,
    pub priority: Option<u8>,
    pub depends_on: Vec<TaskId>,
    pub expertise: Vec<String>,
    pub estimate_hours: Option<f64>,
    pub milestone: Option<String>,
    pub owns: Vec<String>,
    pub deliverables: Vec<String>,
    pub check: Option<String>,
    pub due: Option<Timestamp>,
    pub body: String,
}

pub use super::record::InvalidField;

fn invalid(field: &'static str, message: impl Into<String>) -> InvalidField {
    InvalidField {
        field,
        message: message.into(),
    }
}

/// Validates a task title: one non-empty line of at most 200 characters.
pub fn validate_title(title: &str) -> Result<String, InvalidField> {
    validate_record_title("task", title)
}

/// Validates the title of a record of kind `noun` (task, milestone, conflict, risk): one
/// non-empty line of at most 200 characters, trimmed, without control characters (an escape
/// sequence or a carriage return in a title would act on every terminal that lists it, and
/// reach commit messages). Bidi marks are allowed here and escaped wherever they are shown.
pub fn validate_record_title(noun: &str, title: &str) -> Result<String, InvalidField> {
    let t = title.trim();
    if t.is_empty() {
        return Err(invalid(
            "title",
            format!("a {noun} needs a non-empty title"),
        ));
    }
    if t.contains('\n') || t.contains('\r') {
        return Err(invalid(
            "title",
            "a title is one line; put details in the body (--body)",
        ));
    }
    if let Some(c) = t.chars().find(|c| c.is_control()) {
        return Err(invalid(
            "title",
            format!(
                "a title cannot hold the control character U+{:04X}; write it as plain text",
                u32::from(c)
            ),
        ));
    }
    if t.chars().count() > 200 {
        return Err(invalid(
            "title",
            "a title is at most 200 characters; put details in the body (--body)",
        ));
    }
    Ok(t.to_owned())
}

pub fn validate_priority(p: i64) -> Result<u8, InvalidField> {
    u8::try_from(p)
        .ok()
        .filter(|p| *p <= MAX_PRIORITY)
        .ok_or_else(|| {
            invalid(
                "priority",
                format!("{p} is out of range: use 0 (highest) to {MAX_PRIORITY} (lowest)"),
            )
        })
}

/// Validates an estimate: 0 to [`super::time::MAX_ESTIMATE_HOURS`] hours, if any.
fn validate_estimate(hours: Option<f64>) -> Result<(), InvalidField> {
    match hours.filter(|h| !super::time::is_valid_estimate(*h)) {
        None => Ok(()),
        Some(h) => Err(invalid(
            "estimate_hours",
            format!(
                "{h} hours is out of range: an estimate is 0 to {} hours",
                super::time::MAX_ESTIMATE_HOURS
            ),
        )),
    }
}

/// Validates list entries given by a user (expertise tags, globs, deliverables).
pub fn validate_entries(
    field: &'static str,
    items: &[String],
) -> Result<Vec<String>, InvalidField> {
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        let t = item.trim();
        if t.is_empty() || t.chars().any(char::is_control) {
            return Err(invalid(
                field,
                format!("{item:?} is not allowed: entries are non-empty single-line text"),
            ));
        }
        if !out.iter().any(|o| o == t) {
            out.push(t.to_owned());
        }
    }
    Ok(out)
}

impl Task {
    /// Builds a new task from validated input.
    pub fn new(id: TaskId, new: NewTask, now: Timestamp) -> Result<Task, InvalidField> {
        let title = validate_title(&new.title)?;
        validate_estimate(new.estimate_hours)?;
        let priority = match new.priority {
            Some(p) => validate_priority(i64::from(p))?,
            None => DEFAULT_PRIORITY,
        };
        if new.depends_on.contains(&id) {
            return Err(invalid("depends_on", "a task cannot depend on itself"));
        }
        let mut depends_on = Vec::new();
        for d in new.depends_on {
            if !depends_on.contains(&d) {
                depends_on.push(d);
            }
        }
        Ok(Task {
            id,
            title,
            status: Status::Todo,
            priority,
            assignee: None,
            claimed: None,
            depends_on,
            expertise: validate_entries("expertise", &new.expertise)?,
            estimate_hours: new.estimate_hours,
            milestone: new.milestone,
            owns: validate_entries("owns", &new.owns)?,
            deliverables: validate_entries("deliverables", &new.deliverables)?,
            check: new.check.filter(|c| !c.trim().is_empty()),
            blocked_reason: None,
            due: new.due,
            created: now,
            updated: now,
            completed: None,
            body: new.body,
            source: None,
        })
    }

    /// Parses a task record file.
    pub fn parse(path: &str, text: &str) -> Result<Task, RecordError> {
        <Task as Record>::parse(path, text)
    }

    /// The record file's text: the original file with only the changed fields rewritten.
    pub fn to_text(&self) -> String {
        <Task as Record>::to_text(self)
    }

    /// The agent that owns this task (DESIGN §3 "Authority"): its assignee while it is open.
    /// A closed or unclaimed task has no owner.
    pub fn holder(&self) -> Option<&AgentId> {
        self.assignee.as_ref().filter(|_| !self.status.is_closed())
    }

    /// Effective estimate, with a default for tasks that have none.
    pub fn hours(&self, default: f64) -> f64 {
        self.estimate_hours.unwrap_or(default)
    }

    /// The task without the parsed file it came from, as the index decodes it. A parsed task
    /// keeps its whole TOML document for round-trip writes (~11 KB on the heap, most of the
    /// task); a task kept for reading only needs none, and a cold index build that kept
    /// 100,000 of them peaked at 1.5 GB.
    pub fn into_read_only(mut self) -> Task {
        self.source = None;
        self
    }
}

impl Record for Task {
    type Id = TaskId;
    const NOUN: &'static str = "task";
    const DIR: &'static str = TASKS_DIR;
    const FANNED_OUT: bool = true;
    const ID_LEN: usize = TASK_ID_LEN;
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec::scalar("id"),
        FieldSpec::scalar("title"),
        FieldSpec::scalar("status"),
        FieldSpec::scalar("priority"),
        FieldSpec::scalar("assignee"),
        FieldSpec::scalar("claimed"),
        FieldSpec::list("depends_on"),
        FieldSpec::list("expertise"),
        FieldSpec::scalar("estimate_hours"),
        FieldSpec::scalar("milestone"),
        FieldSpec::list("owns"),
        FieldSpec::list("deliverables"),
        FieldSpec::scalar("check"),
        FieldSpec::scalar("blocked_reason"),
        FieldSpec::scalar("due"),
        FieldSpec::scalar("created"),
        FieldSpec::scalar("updated"),
        FieldSpec::scalar("completed"),
    ];

    fn path(id: &TaskId) -> String {
        task_path(id)
    }

    fn id_from_path(path: &str) -> Option<TaskId> {
        task_id_from_path(path)
    }

    record_accessors!();

    fn from_fields(f: &Fields<'_>) -> Result<Task, RecordError> {
        let status = f.str("status")?;
        let status = status
            .parse::<Status>()
            .map_err(|e| f.invalid("status", e))?;
        let priority = match f.opt_int("priority")? {
            None => DEFAULT_PRIORITY,
            Some(p) => validate_priority(p).map_err(|e| f.invalid("priority", e.message))?,
        };
        let title = f.str("title")?;
        let estimate_hours = f.opt_float("estimate_hours")?;
        if estimate_hours.is_some_and(|h| !super::time::is_valid_estimate(h)) {
            return Err(f.invalid(
                "estimate_hours",
                format!(
                    "estimate_hours must be a number of hours from 0 to {}",
                    super::time::MAX_ESTIMATE_HOURS
                ),
            ));
        }
        Ok(Task {
            id: f.task_id("id")?,
            title,
            status,
            priority,
            assignee: f.opt_agent("assignee")?,
            claimed: f.opt_timestamp("claimed")?,
            depends_on: f.task_ids("depends_on")?,
            expertise: f.str_list("expertise")?,
            estimate_hours,
            milestone: f.opt_str("milestone")?,
            owns: f.str_list("owns")?,
            deliverables: f.str_list("deliverables")?,
            check: f.opt_str("check")?,
            blocked_reason: f.opt_str("blocked_reason")?,
            due: f.opt_timestamp("due")?,
            created: f.timestamp("created")?,
            updated: f.timestamp("updated")?,
            completed: f.opt_timestamp("completed")?,
            body: String::new(),
            source: None,
        })
    }

    fn set_origin(&mut self, origin: Origin) {
        self.source = Some(Box::new(origin));
    }

    fn origin(&self) -> Option<&Origin> {
        self.source.as_deref()
    }

    fn fields(&self) -> Vec<(&'static str, FieldValue)> {
        use record::*;
        vec![
            ("id", string(self.id.as_str())),
            ("title", string(&self.title)),
            ("status", string(self.status.as_str())),
            ("priority", integer(i64::from(self.priority))),
            (
                "assignee",
                opt_string(self.assignee.as_ref().map(AgentId::as_str)),
            ),
            ("claimed", opt_timestamp(self.claimed)),
            (
                "depends_on",
                list(
                    &self
                        .depends_on
                        .iter()
                        .map(TaskId::as_str)
                        .collect::<Vec<_>>(),
                ),
            ),
            ("expertise", list(&self.expertise)),
            ("estimate_hours", opt_float(self.estimate_hours)),
            ("milestone", opt_string(self.milestone.as_deref())),
            ("owns", list(&self.owns)),
            ("deliverables", list(&self.deliverables)),
            ("check", opt_string(self.check.as_deref())),
            ("blocked_reason", opt_string(self.blocked_reason.as_deref())),
            ("due", opt_timestamp(self.due)),
            ("created", timestamp(self.created)),
            ("updated", timestamp(self.updated)),
            ("completed", opt_timestamp(self.completed)),
        ]
    }

    fn validate(&self) -> Result<(), InvalidField> {
        validate_title(&self.title)?;
        validate_priority(i64::from(self.priority))?;
        validate_estimate(self.estimate_hours)?;
        if self.depends_on.contains(&self.id) {
            return Err(invalid("depends_on", "a task cannot depend on itself"));
        }
        validate_entries("expertise", &self.expertise)?;
        validate_entries("owns", &self.owns)?;
        validate_entries("deliverables", &self.deliverables)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        Timestamp::parse_rfc3339("2026-11-21T10:00:00Z").unwrap()
    }
    fn agent(s: &str) -> AgentId {
        AgentId::parse(s).unwrap()
    }
    fn task() -> Task {
        Task::new(
            TaskId::parse("t-aaaaaa").unwrap(),
            NewTask {
                title: "Redis rate limiter".into(),
                ..NewTask::default()
            },
            now(),
        )
        .unwrap()
    }
    #[test]
    fn a_block_needs_a_reason_whatever_the_face() {
        let mut t = task();
        let a = agent("alice");
        t.apply(&Action::Claim, &a, now(), &ready()).unwrap();
        let blank = Action::Block {
            reason: " \t".into(),
            force: false,
        };
        assert!(matches!(
            t.apply(&blank, &a, now(), &ready()),
            Err(Refusal::Invalid(InvalidField {
                field: "reason",
                ..
            }))
        ));
        assert_eq!(t.status, Status::InProgress);
        assert_eq!(t.blocked_reason, None);
    }

    fn ready() -> DepState {
        DepState::default()
    }

    #[test]
    fn claim_is_exclusive_and_idempotent() {
        let mut t = task();
        let (a, b) = (agent("a"), agent("b"));
        assert_eq!(
            t.apply(&Action::Claim, &a, now(), &ready()),
            Ok(Applied::Changed)
        );
        assert_eq!(t.status, Status::InProgress);
        assert_eq!(
            t.apply(&Action::Claim, &a, now(), &ready()),
            Ok(Applied::Unchanged)
        );
        assert!(matches!(
            t.apply(&Action::Claim, &b, now(), &ready()),
            Err(Refusal::HeldBy { agent, .. }) if agent == a
        ));
        assert_eq!(t.assignee, Some(a));
    }

    #[test]
    fn claim_waits_for_dependencies() {
        let mut t = task();
        let waiting = DepState {
            waiting: vec![TaskId::parse("t-bbbbbb").unwrap()],
        };
        assert!(matches!(
            t.apply(&Action::Claim, &agent("a"), now(), &waiting),
            Err(Refusal::NotReady { .. })
        ));
        assert_eq!(t.assignee, None);
    }

    #[test]
    fn lifecycle() {
        let mut t = task();
        let a = agent("a");
        let b = agent("b");
        t.apply(&Action::Claim, &a, now(), &ready()).unwrap();
        t.apply(
            &Action::Block {
                reason: "pool".into(),
                force: false,
            },
            &a,
            now(),
            &ready(),
        )
        .unwrap();
        assert_eq!(
            (t.status, t.blocked_reason.as_deref()),
            (Status::Blocked, Some("pool"))
        );
        assert!(
            t.apply(&Action::Unblock { force: false }, &b, now(), &ready())
                .is_err()
        );
        t.apply(&Action::Unblock { force: false }, &a, now(), &ready())
            .unwrap();
        assert_eq!(t.status, Status::InProgress);
        t.apply(&Action::Review { force: false }, &a, now(), &ready())
            .unwrap();
        t.apply(&Action::Done { force: false }, &a, now(), &ready())
            .unwrap();
        assert_eq!(t.status, Status::Done);
        assert!(matches!(
            t.apply(&Action::Claim, &b, now(), &ready()),
            Err(Refusal::NotAllowed { .. })
        ));
        assert!(
            t.apply(&Action::Cancel { force: false }, &a, now(), &ready())
                .is_err()
        );
    }

    #[test]
    fn release_and_force() {
        let mut t = task();
        let (a, b) = (agent("a"), agent("b"));
        t.apply(&Action::Claim, &a, now(), &ready()).unwrap();
        assert!(
            t.apply(&Action::Release { force: false }, &b, now(), &ready())
                .is_err()
        );
        assert_eq!(
            t.apply(&Action::Release { force: true }, &b, now(), &ready()),
            Ok(Applied::Changed)
        );
        assert_eq!((t.status, t.assignee.clone()), (Status::Todo, None));
        assert_eq!(
            t.apply(&Action::Release { force: false }, &b, now(), &ready()),
            Ok(Applied::Unchanged)
        );
    }

    #[test]
    fn only_an_open_claimed_task_has_a_holder() {
        let mut t = task();
        let a = agent("a");
        assert_eq!(t.holder(), None);
        t.apply(&Action::Claim, &a, now(), &ready()).unwrap();
        assert_eq!(t.holder(), Some(&a));
        t.apply(&Action::Done { force: false }, &a, now(), &ready())
            .unwrap();
        assert_eq!((t.assignee.as_ref(), t.holder()), (Some(&a), None));
    }

    #[test]
    fn round_trip_keeps_unknown_fields() {
        let mut t = task();
        let text = t.to_text();
        let hand = text.replacen("+++\n", "+++\n# reviewer: keep this\nsize = \"L\"\n", 1);
        t = Task::parse("tasks/aa/t-aaaaaa.md", &hand).unwrap();
        t.title = "Renamed".into();
        let out = t.to_text();
        assert!(
            out.contains("# reviewer: keep this\nsize = \"L\"\n"),
            "{out}"
        );
        assert!(out.contains("title = \"Renamed\""));
        let again = Task::parse("tasks/aa/t-aaaaaa.md", &out).unwrap();
        assert_eq!(again.title, "Renamed");
        assert_eq!(again.to_text(), out);
    }

    #[test]
    fn bad_input() {
        assert!(validate_title("  ").is_err());
        assert!(validate_title("a\nb").is_err());
        assert!(validate_priority(4).is_err());
        assert!(validate_priority(-1).is_err());
        assert_eq!(validate_priority(0), Ok(0));
        let id = TaskId::parse("t-aaaaaa").unwrap();
        let selfdep = NewTask {
            title: "x".into(),
            depends_on: vec![id.clone()],
            ..NewTask::default()
        };
        assert!(Task::new(id, selfdep, now()).is_err());
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;
    use crate::model::strategies::{body, text};

    fn task() -> impl Strategy<Value = Task> {
        (
            "[0-9a-z]{6,8}",
            "[a-zA-Z0-9 \"'é]{1,20}",
            0u8..=3,
            prop::collection::vec(text(), 0..4),
            prop::option::of(0.0f64..1000.0),
            prop::option::of(text()),
            prop::option::of(0i64..4_000_000_000),
            body(),
        )
            .prop_map(|(id, title, priority, list, estimate, check, due, body)| {
                let now = Timestamp::from_unix(1_795_000_000).expect("valid time");
                let mut t = Task::new(
                    TaskId::parse(&format!("t-{id}")).expect("valid id"),
                    NewTask {
                        title: title.trim().to_owned() + "x",
                        ..NewTask::default()
                    },
                    now,
                )
                .expect("valid task");
                t.priority = priority;
                t.expertise = list.clone();
                t.owns = list;
                t.estimate_hours = estimate;
                t.check = check;
                t.due = due.and_then(Timestamp::from_unix);
                t.body = body;
                t
            })
    }

    fn same(a: &Task, b: &Task) {
        assert_eq!(a.id, b.id);
        assert_eq!(a.title, b.title);
        assert_eq!(a.status, b.status);
        assert_eq!(a.priority, b.priority);
        assert_eq!(a.expertise, b.expertise);
        assert_eq!(a.owns, b.owns);
        assert_eq!(a.estimate_hours, b.estimate_hours);
        assert_eq!(a.check, b.check);
        assert_eq!(a.due, b.due);
        assert_eq!(a.body, b.body);
        assert_eq!(a.created, b.created);
    }

    proptest! {
        /// Rendering then parsing gives the same task, whatever the text in it.
        #[test]
        fn render_parse_round_trip(t in task()) {
            let text = t.to_text();
            let back = Task::parse("tasks/xx/t-x.md", &text).expect("own output parses");
            same(&t, &back);
            prop_assert_eq!(back.to_text(), text);
        }

        /// Fields and comments added by hand survive any edit of known fields.
        #[test]
        fn hand_edits_survive_rewrites(t in task(), other in task(), key in "[a-z]{3,8}_x", value in text()) {
            let text = t.to_text();
            let value = toml_edit::Value::from(value.as_str()).to_string();
            let hand = text.replacen("+++\n", &format!("+++\n# by hand\n{key} = {value}\n"), 1);
            let mut parsed = Task::parse("p", &hand).expect("hand-edited record parses");
            parsed.title = other.title.clone();
            parsed.owns = other.owns.clone();
            parsed.estimate_hours = other.estimate_hours;
            parsed.check = other.check.clone();
            parsed.body = other.body.clone();
            let out = parsed.to_text();
            let expected_line = format!("# by hand\n{} = {}\n", key, value);
            prop_assert!(out.contains(&expected_line), "{}", out);
            let again = Task::parse("p", &out).expect("rewritten record parses");
            prop_assert_eq!(&again.title, &other.title);
            prop_assert_eq!(&again.owns, &other.owns);
            prop_assert_eq!(&again.body, &other.body);
        }

        /// Parsing arbitrary text never panics.
        #[test]
        fn parse_never_panics(s in "\\PC{0,200}", fenced in any::<bool>()) {
            let text = if fenced { format!("+++\n{s}\n+++\n") } else { s };
            let _ = Task::parse("p", &text);
        }
    }
}
