/*!
Operations: the domain behind each command, on top of the store and the model.

Each operation takes the [`Store`], the acting agent and plain arguments (no clap, no terminal),
and returns records or an [`OpError`] that says exactly what was wrong. Every write goes
through [`Store::update`], so it is planned on the tip it commits onto.
*/

pub mod adr;
pub mod agent;
pub mod authority;
pub mod brief;
pub mod check;
pub mod config;
pub mod conflict;
pub mod dashboard;
pub mod dispatch;
pub mod doctor;
pub mod export;
pub mod forecast;
pub mod gate;
pub mod history;
pub mod hooks;
pub mod import;
pub mod index;
pub mod init;
pub mod memory;
pub mod metrics;
pub mod milestone;
pub mod notes;
pub mod ownership;
pub mod plan;
pub mod record_dir;
pub mod report;
pub mod risk;
pub mod schedule;
pub mod slo;
pub mod spawn;
pub mod standup;
pub mod status;
pub mod sync;
pub mod task;
#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod tests;
pub mod wait;

/// Who writes and when: made by the [`Session`](crate::session::Session), taken by every write.
pub use crate::session::Actor;

use crate::model::layout::{self, FAN_OUT, TASKS_DIR};
use crate::model::record::Record;
use crate::model::task::{InvalidField, Refusal};
use crate::model::text::escape_unsafe;
use crate::model::{Agent, AgentId, IdError, RecordError, Task, TaskId, Timestamp};
use crate::store::{self, Edit, Snapshot, Store};

#[derive(Debug, thiserror::Error)]
pub enum OpError {
    #[error(transparent)]
    Store(#[from] store::Error),
    #[error(transparent)]
    Record(#[from] RecordError),
    #[error(transparent)]
    Id(#[from] IdError),
    #[error(transparent)]
    Invalid(#[from] InvalidField),
    #[error("{} collide(s) with files another agent holds", .collisions.len())]
    Collision {
        collisions: Vec<ownership::Collision>,
    },
    #[error("template {path}: {message}")]
    Template { path: String, message: String },
    /// What a user typed names no record of the kind (`task`, `milestone`, `conflict`…).
    #[error("no {kind} matches {given:?}")]
    UnknownRecord { kind: &'static str, given: String },
    /// What a user typed is a prefix of several records' IDs.
    #[error("{given:?} matches several {kind}s: {}", .candidates.ids().join(", "))]
    AmbiguousRecord {
        kind: &'static str,
        given: String,
        candidates: Candidates,
    },
    /// The operation needs the record open, and it is closed (a resolved conflict, a closed
    /// risk); `by` and `at` say who closed it and when, where the record knows.
    #[error("{id} is already {state}")]
    AlreadyClosed {
        kind: &'static str,
        id: String,
        /// `resolved`, `closed`.
        state: &'static str,
        by: Option<AgentId>,
        at: Option<Timestamp>,
    },
    #[error("adding this dependency would close a cycle: {}", .cycle.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>().join(" → "))]
    Cycle {
        /// The cycle as a path, first task repeated at the end, with titles.
        cycle: Vec<(TaskId, String)>,
    },
    #[error("no fresh agent has the expertise {id} needs ({})", .expertise.join(", "))]
    NoAgentFits { id: TaskId, expertise: Vec<String> },
    #[error("{id} ({title}): {}", describe_refusal(.refusal))]
    Refused {
        id: TaskId,
        title: String,
        refusal: Refusal,
    },
    /// A change to what another agent holds, refused by [`authority`]. Boxed: it names the
    /// record, its holders and the coordinators, and every `Result` here carries its size.
    #[error(transparent)]
    Authority(Box<authority::AuthorityError>),
}

/// One record an ambiguous prefix matches: its ID, and its title where the kind has one and
/// the record could be read.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Candidate {
    pub id: String,
    pub title: Option<String>,
}

/// The records an ambiguous prefix matches, by ID.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Candidates(pub Vec<Candidate>);

impl Candidates {
    pub fn ids(&self) -> Vec<&str> {
        self.0.iter().map(|c| c.id.as_str()).collect()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromIterator<Candidate> for Candidates {
    fn from_iter<I: IntoIterator<Item = Candidate>>(iter: I) -> Candidates {
        Candidates(iter.into_iter().collect())
    }
}

/// Candidates known by ID only (kinds without titles, such as messages).
impl FromIterator<String> for Candidates {
    fn from_iter<I: IntoIterator<Item = String>>(iter: I) -> Candidates {
        iter.into_iter()
            .map(|id| Candidate { id, title: None })
            .collect()
    }
}

impl From<authority::AuthorityError> for OpError {
    fn from(e: authority::AuthorityError) -> OpError {
        OpError::Authority(Box::new(e))
    }
}

pub fn describe_refusal(r: &Refusal) -> String {
    match r {
        Refusal::HeldBy {
            agent,
            since,
            status,
        } => match since {
            Some(t) => format!("held by {agent} since {t} (status {status})"),
            None => format!("held by {agent} (status {status})"),
        },
        Refusal::NotReady { waiting } => format!(
            "not ready: it waits for {}",
            waiting
                .iter()
                .map(TaskId::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Refusal::NotAllowed {
            status,
            action,
            why,
        } => {
            format!("cannot {action} a task that is {status}: {why}")
        }
        Refusal::Invalid(f) => f.to_string(),
    }
}

/// Builds the commit message every write uses: `coord: <op> <record>`, an optional line of
/// context, and the trailers the history and metrics are read from.
///
/// Context (usually a title) and trailer values come from records and users, so control and
/// bidi characters in them are escaped ([`crate::model::text`]): `git log coord` must not show
/// text reversed by a U+202E, and a newline must not forge a trailer of its own.
pub fn commit_message(
    op: &str,
    record: &str,
    context: Option<&str>,
    actor: &Actor,
    extra: &[(&str, &str)],
) -> String {
    let record = escape_unsafe(record);
    let mut m = format!("coord: {op} {record}\n\n");
    if let Some(c) = context {
        m.push_str(&escape_unsafe(c));
        m.push_str("\n\n");
    }
    m.push_str(&format!(
        "Coord-Agent: {}\nCoord-Op: {op}\nCoord-Record: {record}\n",
        actor.agent
    ));
    for (k, v) in extra {
        m.push_str(&format!("{k}: {}\n", escape_unsafe(v)));
    }
    m
}

/// The edit that registers the acting agent (first write) or refreshes its `last_seen`.
/// A registry entry broken by hand is left alone rather than blocking the agent's work.
pub fn touch_agent(snap: &Snapshot<'_>, actor: &Actor) -> Result<Option<Edit>, OpError> {
    let path = layout::agent_path(&actor.agent);
    let agent = match snap.read_text(&path) {
        Ok(Some(text)) => match Agent::parse(&path, &text) {
            Ok(mut agent) => {
                if agent.last_seen.is_some_and(|l| l >= actor.now) {
                    return Ok(None);
                }
                agent.saw(actor.now);
                agent
            }
            Err(_) => return Ok(None),
        },
        Ok(None) => Agent::new(actor.agent.clone(), actor.now),
        Err(store::Error::NotUtf8 { .. }) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    Ok(Some(Edit::write(path, agent.to_text())))
}

/// Reads and parses one task by its full ID; `None` when there is no such record.
pub fn read_task(snap: &Snapshot<'_>, id: &TaskId) -> Result<Option<Task>, OpError> {
    record_dir::read::<Task>(snap, id)
}

/// Parses a task file and checks that its `id` matches its file name.
pub fn parse_task_at(path: &str, text: &str) -> Result<Task, RecordError> {
    Task::parse_at(path, text)
}

/// Resolves a full ID or unique prefix to a task ID on this snapshot.
pub fn resolve_task(snap: &Snapshot<'_>, given: &str) -> Result<TaskId, OpError> {
    record_dir::resolve::<Task>(snap, given)
}

/// Names (without `.md`) of the records in a fanned-out directory (`tasks/4k/t-4kz9w2.md`)
/// whose random part, after `kind_prefix`, starts with `random`. Lists one bucket once
/// [`FAN_OUT`] characters are typed, every bucket before.
pub fn fanned_out_candidates(
    snap: &Snapshot<'_>,
    dir: &str,
    kind_prefix: &str,
    random: &str,
) -> Result<Vec<String>, OpError> {
    let buckets: Vec<String> = if random.len() >= FAN_OUT {
        vec![layout::task_bucket(random).to_owned()]
    } else {
        snap.list(dir)?
            .into_iter()
            .filter(|e| e.is_dir && e.name.starts_with(random))
            .map(|e| e.name)
            .collect()
    };
    let mut names = Vec::new();
    for bucket in buckets {
        for entry in snap.list(&format!("{dir}/{bucket}"))? {
            if let Some(name) = entry.name.strip_suffix(".md")
                && name
                    .strip_prefix(kind_prefix)
                    .is_some_and(|r| r.starts_with(random))
            {
                names.push(name.to_owned());
            }
        }
    }
    names.sort();
    Ok(names)
}

/// Resolves and reads a task, failing when it does not exist.
pub fn find_task(snap: &Snapshot<'_>, given: &str) -> Result<Task, OpError> {
    record_dir::find::<Task>(snap, given)
}

/// Every task on the snapshot, with a [`RecordError`] for each file that could not be read
/// and for each record that is not where the layout puts it (see [`index::load`]).
pub fn load_tasks(snap: &Snapshot<'_>) -> Result<(Vec<Task>, Vec<RecordError>), OpError> {
    let mut tasks = Vec::new();
    let mut problems = Vec::new();
    let mut strays = Vec::new();
    for (path, blob) in snap.walk(TASKS_DIR)? {
        if !path.ends_with(".md") {
            continue;
        }
        let bytes = snap.read_blob(blob, &path)?;
        let parsed = match String::from_utf8(bytes) {
            Ok(text) => parse_task_at(&path, &text),
            Err(_) => Err(RecordError {
                path: path.clone(),
                line: None,
                message: "the file is not valid UTF-8".to_owned(),
            }),
        };
        match parsed {
            Ok(task) if layout::is_task_path(&path, &task.id) => tasks.push(task),
            Ok(task) => strays.push((path, task)),
            Err(e) => problems.push(e),
        }
    }
    let kept: std::collections::HashSet<&TaskId> = tasks.iter().map(|t| &t.id).collect();
    index::skip_strays(|id| kept.contains(id), strays, &mut problems);
    drop(kept);
    Ok((tasks, problems))
}

/// Opens the store and returns a snapshot, for read-only commands.
/// What this process has read so far: task records decoded (from the branch or the index)
/// and objects read from the coordination branch. `GIT_COORD_COUNTS=1` prints them when a
/// command ends; tests use them to prove a read decodes only what it prints and a write does
/// not read every record.
pub fn read_counts() -> (u64, u64) {
    (index::records_decoded(), store::objects_read())
}

pub fn snapshot(store: &Store) -> Result<Snapshot<'_>, OpError> {
    Ok(store.snapshot()?)
}
