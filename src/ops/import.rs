/*!
`import`: tasks from another tracker (Beads, Taskwarrior) or from our own `export --json`, all
in one commit.

Reading ([`read()`]) is a pure function from the file's bytes to a [`Batch`]: one record per
task, mapped to our fields but with its references still foreign, and [`Notes`] on everything
that could not be mapped. Planning runs on the snapshot the commit lands on: it loads the tasks
already on the branch once (from the index), allocates IDs against them, rewrites dependencies
through the ID map, refuses cycles, and writes every record plus the agent's heartbeat in one
[`Store::update`]. Nothing in planning looks tasks up one by one, so 100,000 tasks cost a few
linear passes.

Importing again recognises what an earlier import wrote ([`existing`], ADR 0015) and updates
those tasks instead of copying them; an import that changes nothing makes no commit.

Foreign values without a field of their own (the foreign ID, labels, Beads' issue type and
non-blocking links, a Taskwarrior project) are kept as extra front-matter fields, which every
later rewrite preserves like hand-written ones.

Files: this one holds the types and the entry points ([`preview`], [`import`]); `read` reads a
file into a batch, `plan` plans it on a snapshot, `existing` recognises earlier imports,
`source` splits the JSON, `incoming` is the mapped record, and `json`, `beads` and
`taskwarrior` map each format.
*/

mod beads;
mod existing;
mod incoming;
mod json;
mod plan;
mod read;
mod source;
mod taskwarrior;

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use super::{Actor, OpError, commit_message, touch_agent};
use crate::model::{AgentId, Status, TaskId, Timestamp};
use crate::store::{self, Plan, Store};
pub use existing::Action;
use incoming::Incoming;
use plan::{Planned, plan};
pub use read::read;

/// The formats `import` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Our own task objects: `export --json` (JSON lines), `task show --json`, `task list --json`.
    Json,
    /// Beads' `.beads/issues.jsonl`.
    Beads,
    /// The JSON array `task export` prints.
    Taskwarrior,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Beads => "beads",
            Format::Taskwarrior => "taskwarrior",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Format::Json => "git coord's own task JSON",
            Format::Beads => "a Beads issues.jsonl",
            Format::Taskwarrior => "a Taskwarrior export",
        }
    }

    /// The format a record's fields suggest, to catch a wrong `--from`.
    fn guess(fields: &serde_json::Map<String, serde_json::Value>) -> Option<Format> {
        let has = |k: &str| fields.contains_key(k);
        if has("uuid") && has("entry") {
            Some(Format::Taskwarrior)
        } else if has("issue_type") || has("created_at") {
            Some(Format::Beads)
        } else if has("title") && has("created") {
            Some(Format::Json)
        } else {
            None
        }
    }
}

/// Where in the input a note applies: the record's first line and its own ID.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct At {
    pub line: usize,
    pub source_id: Option<String>,
}

/// Something that could not be imported as it was. Notes of one kind (the same unknown field,
/// the same invalid assignee…) are counted once, located at the first record they concern.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Warning {
    pub message: String,
    pub line: Option<usize>,
    pub source_id: Option<String>,
    /// How many records this applies to.
    pub count: usize,
}

/// A record that was not imported at all.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Skipped {
    pub line: usize,
    pub source_id: Option<String>,
    pub reason: String,
}

/// Everything an import reports besides the tasks it writes.
#[derive(Clone, Debug, Default)]
pub struct Notes {
    warnings: Vec<Warning>,
    by_key: HashMap<String, usize>,
    skipped: Vec<Skipped>,
}

impl Notes {
    /// Records a warning of kind `key`; only the first of a kind keeps its message and place.
    pub fn warn(&mut self, key: impl Into<String>, at: &At, message: impl FnOnce() -> String) {
        let key = key.into();
        if let Some(&i) = self.by_key.get(&key) {
            self.warnings[i].count += 1;
            return;
        }
        self.by_key.insert(key, self.warnings.len());
        self.warnings.push(Warning {
            message: message(),
            line: Some(at.line),
            source_id: at.source_id.clone(),
            count: 1,
        });
    }

    pub fn skip(&mut self, at: &At, reason: impl Into<String>) {
        self.skipped.push(Skipped {
            line: at.line,
            source_id: at.source_id.clone(),
            reason: reason.into(),
        });
    }
}

/// A parsed input file, ready to be planned against the branch.
#[derive(Debug)]
pub struct Batch {
    file: String,
    format: Format,
    records: Vec<Incoming>,
    notes: Notes,
}

impl Batch {
    pub fn file(&self) -> &str {
        &self.file
    }

    pub fn format(&self) -> Format {
        self.format
    }

    /// How many records will become tasks.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}

/// One record of the file and the task it is on the branch, as the outcome lists it.
#[derive(Clone, Debug, Serialize)]
pub struct ImportedTask {
    pub id: TaskId,
    pub source_id: Option<String>,
    pub line: usize,
    pub title: String,
    /// The task's status after the import.
    pub status: Status,
    /// What the import does with it (ADR 0015).
    pub action: Action,
    /// For an updated (or held) task, the fields the file changes, by record field name.
    pub changed: Vec<String>,
}

/// What an import did, or with `dry_run` would do.
#[derive(Clone, Debug, Serialize)]
pub struct Outcome {
    pub file: String,
    pub format: Format,
    pub dry_run: bool,
    /// The commit that holds the import; `None` for a dry run or when nothing was written.
    pub commit: Option<String>,
    /// How many tasks the import writes: `added` + `updated`.
    pub imported: usize,
    /// New tasks.
    pub added: usize,
    /// Tasks an earlier import wrote, changed to what the file now says.
    pub updated: usize,
    /// Tasks an earlier import wrote, already as the file says.
    pub unchanged: usize,
    /// Tasks the file would change but another agent holds: left as they are.
    pub held: usize,
    /// Every record that is a task, in file order, with what the import does with it.
    pub tasks: Vec<ImportedTask>,
    pub skipped: Vec<Skipped>,
    pub warnings: Vec<Warning>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{file}:{line}{}: {message}", .column.map(|c| format!(":{c}")).unwrap_or_default())]
    Parse {
        file: String,
        line: usize,
        column: Option<usize>,
        message: String,
    },
    #[error("{file}: the imported dependencies would form {} cycle(s); nothing was imported", .cycles.len())]
    Cycles {
        file: String,
        /// Each cycle as a path of the names the file uses (`bd-1 → bd-2 → bd-1`).
        cycles: Vec<String>,
        /// Each cycle's members: foreign IDs for imported records, task IDs for tasks already
        /// on the branch.
        members: Vec<Vec<String>>,
    },
    #[error(transparent)]
    Op(#[from] OpError),
}

impl From<store::Error> for ImportError {
    fn from(e: store::Error) -> ImportError {
        ImportError::Op(e.into())
    }
}

fn syntax_error(file: &str, e: source::SyntaxError) -> ImportError {
    ImportError::Parse {
        file: file.to_owned(),
        line: e.line,
        column: Some(e.column),
        message: e.message,
    }
}

/// Shows what [`import`] would do on the current tip, without writing anything; `agent` is the
/// agent that would import, if one is set.
pub fn preview(
    store: &Store,
    batch: &Batch,
    now: Timestamp,
    agent: Option<&AgentId>,
) -> Result<Outcome, ImportError> {
    let snap = store.snapshot()?;
    let planned = plan(store, &snap, batch, now, agent, false)?;
    Ok(planned.outcome)
}

/// Imports every record of `batch` in one commit, with the acting agent's heartbeat. When
/// another writer moves the branch first, the plan is made again on the new tip.
///
/// A large import writes its objects as one pack ([`Store::update_packed`]), and leaves the
/// task index built for the branch it leaves, so the first read after it is an ordinary one.
pub fn import(store: &Store, actor: &Actor, batch: &Batch) -> Result<Outcome, ImportError> {
    let committed = store.update_packed(&actor.author(), |snap| {
        let Planned { mut edits, outcome } =
            plan(store, snap, batch, actor.now, Some(&actor.agent), true)?;
        if edits.is_empty() {
            return Ok(Plan::Skip(outcome));
        }
        edits.extend(touch_agent(snap, actor)?);
        let context = format!(
            "{} added, {} updated ({} unchanged) from {} ({})",
            outcome.added,
            outcome.updated,
            outcome.unchanged,
            batch.format.describe(),
            batch.file
        );
        let message = commit_message(
            "import",
            &record_name(&batch.file),
            Some(&context),
            actor,
            &[],
        );
        Ok::<_, ImportError>(Plan::Commit {
            message,
            edits,
            value: outcome,
        })
    })?;
    let mut outcome = committed.value;
    outcome.dry_run = false;
    outcome.commit = committed.commit.map(|c| c.to_string());
    if committed.commit.is_some() {
        warm_index(store);
    }
    Ok(outcome)
}

/// Builds the task index for the branch's tip now, while the import's objects are hot, so
/// that the next read does not pay for parsing every task (100,000 after a bulk import). The
/// tip is read again: if another writer moved the branch meanwhile, its tip is what the next
/// read needs. The import has landed whatever happens here, and the index is only a cache
/// (the next read rebuilds what is missing), so a failure is ignored.
fn warm_index(store: &Store) {
    if let Ok(snap) = store.snapshot() {
        let _ = super::index::load(store, &snap);
    }
}

/// The file's name for the commit subject and `Coord-Record:` trailer, on one line.
fn record_name(file: &str) -> String {
    let name = Path::new(file)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.to_owned());
    printable(&name)
}

/// Text safe to keep on one line of a record or a commit message: control characters become
/// U+FFFD.
fn printable(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
}
