/*!
`import`: tasks from another tracker (Beads, Taskwarrior) or from our own `export --json`, all
in one commit.

Reading ([`read`]) is a pure function from the file's bytes to a [`Batch`]: one record per task,
mapped to our fields but with its references still foreign, and [`Notes`] on everything that
could not be mapped. Planning runs on the snapshot the commit lands on: it loads the tasks
already on the branch once (from the index), allocates IDs against them, rewrites dependencies
through the ID map, refuses cycles, and writes every record plus the agent's heartbeat in one
[`Store::update`]. Nothing in planning looks tasks up one by one, so 100,000 tasks cost a few
linear passes.

Importing again recognises what an earlier import wrote ([`existing`], ADR 0015) and updates
those tasks instead of copying them; an import that changes nothing makes no commit.

Foreign values without a field of their own (the foreign ID, labels, Beads' issue type and
non-blocking links, a Taskwarrior project) are kept as extra front-matter fields, which every
later rewrite preserves like hand-written ones.
*/

mod beads;
mod existing;
mod incoming;
mod json;
mod source;
mod taskwarrior;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::Serialize;
use toml_edit::Value as TomlValue;

use super::{Actor, OpError, commit_message, index, touch_agent};
use crate::graph::TaskGraph;
use crate::model::id::TASK_ID_LEN;
use crate::model::layout;
use crate::model::{AgentId, Status, Task, TaskId, Timestamp};
use crate::ownership::pattern::validate_patterns;
use crate::store::{self, Edit, Plan, Snapshot, Store};
pub use existing::Action;
use existing::Match;
use incoming::{Incoming, text_list};

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

/// Parses `bytes` (the content of `file`) as `format`. Only a file that is not JSON in the
/// expected shape, or a record with an ownership pattern `own` would refuse, fails;
/// everything else that cannot be mapped is noted in the batch.
pub fn read(
    file: &str,
    bytes: &[u8],
    format: Format,
    now: Timestamp,
) -> Result<Batch, ImportError> {
    let text = std::str::from_utf8(bytes).map_err(|e| ImportError::Parse {
        file: file.to_owned(),
        line: bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1,
        column: None,
        message: "the file is not UTF-8 text".to_owned(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let items = source::split(text).map_err(|e| syntax_error(file, e))?;
    let mut notes = Notes::default();
    let mut records = Vec::with_capacity(items.len());
    let mut seen: HashMap<String, usize> = HashMap::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let fields = source::object(item).map_err(|e| syntax_error(file, e))?;
        if i == 0
            && let Some(guess) = Format::guess(&fields).filter(|g| *g != format)
        {
            let at = At {
                line: item.line,
                source_id: None,
            };
            notes.warn("format", &at, || {
                format!(
                    "this looks like {} rather than {}: did you mean --from {}?",
                    guess.describe(),
                    format.describe(),
                    guess.as_str()
                )
            });
        }
        let record = source::Record::new(item.line, fields);
        let mapped = match format {
            Format::Json => json::map(record, &mut notes),
            Format::Beads => beads::map(record, &mut notes),
            Format::Taskwarrior => taskwarrior::map(record, now, &mut notes),
        };
        let Some(mut incoming) = mapped else { continue };
        incoming.owns =
            validate_patterns("owns", &incoming.owns).map_err(|e| ImportError::Parse {
                file: file.to_owned(),
                line: incoming.line,
                column: None,
                message: format!(
                    "{}{e}; nothing was imported",
                    incoming
                        .source_id
                        .as_ref()
                        .map(|id| format!("{id}: "))
                        .unwrap_or_default()
                ),
            })?;
        let at = incoming.at();
        if let Some(id) = &incoming.source_id {
            if let Some(first) = seen.get(id) {
                notes.skip(
                    &at,
                    format!("{id} appears again; the record on line {first} is imported"),
                );
                continue;
            }
            seen.insert(id.clone(), incoming.line);
        }
        if incoming.created.is_none() {
            notes.warn("no-created", &at, || {
                "no creation time: the time of the import is used".to_owned()
            });
        }
        if incoming.status == Status::InProgress && incoming.assignee.is_none() {
            notes.warn("unassigned-in-progress", &at, || {
                "in progress but nobody (valid) is assigned: `git coord doctor` warns until someone runs `git coord start` on it".to_owned()
            });
        }
        records.push(incoming);
    }
    Ok(Batch {
        file: file.to_owned(),
        format,
        records,
        notes,
    })
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
pub fn import(store: &Store, actor: &Actor, batch: &Batch) -> Result<Outcome, ImportError> {
    let committed = store.update(&actor.author(), |snap| {
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
    Ok(outcome)
}

/// The file's name for the commit subject and `Coord-Record:` trailer, on one line.
fn record_name(file: &str) -> String {
    let name = Path::new(file)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.to_owned());
    printable(&name)
}

struct Planned {
    edits: Vec<Edit>,
    outcome: Outcome,
}

/// Plans the import on `snap`: which records are already there (ADR 0015), IDs, mapped
/// dependencies, the cycle check, and (with `write`) the record files.
fn plan(
    store: &Store,
    snap: &Snapshot<'_>,
    batch: &Batch,
    now: Timestamp,
    actor: Option<&AgentId>,
    write: bool,
) -> Result<Planned, ImportError> {
    let mut notes = batch.notes.clone();
    let (mut all, problems) = index::load(store, snap)?;
    // A record that does not parse still owns its ID: never write over it.
    let mut taken: HashSet<TaskId> = all.iter().map(|t| t.id.clone()).collect();
    taken.extend(
        problems
            .iter()
            .filter_map(|p| layout::task_id_from_path(&p.path)),
    );
    let on_branch = taken.clone();
    let previous = existing::scan(snap, batch.format)?;
    let matches = {
        let by_id: HashMap<&TaskId, &Task> = all.iter().map(|t| (&t.id, t)).collect();
        existing::find(snap, batch, &by_id, &previous, &mut notes)?
    };
    let ids = allocate_ids(batch, &matches, &mut taken, &mut notes);
    let by_source: HashMap<&str, &TaskId> = batch
        .records
        .iter()
        .zip(&ids)
        .zip(&matches)
        .filter(|(_, m)| !matches!(m, Match::Unreadable))
        .filter_map(|((r, id), _)| r.source_id.as_deref().map(|s| (s, id)))
        .collect();
    let resolve = |foreign: &str| -> Option<TaskId> {
        match by_source.get(foreign) {
            Some(&id) => Some(id.clone()),
            // Our own format may point at tasks already on the branch.
            None if batch.format == Format::Json => TaskId::parse(foreign)
                .ok()
                .filter(|id| on_branch.contains(id)),
            // Records of earlier imports that are not in this file.
            None => previous
                .get(&printable(foreign))
                .and_then(|ids| ids.first())
                .cloned(),
        }
    };

    let position: HashMap<TaskId, usize> = all
        .iter()
        .enumerate()
        .map(|(i, t)| (t.id.clone(), i))
        .collect();
    all.reserve(batch.records.len());
    let mut results: Vec<Planned1> = Vec::with_capacity(batch.records.len());
    for ((r, id), found) in batch.records.iter().zip(&ids).zip(matches) {
        if matches!(found, Match::Unreadable) {
            continue;
        }
        let at = r.at();
        let mut deps: Vec<TaskId> = Vec::with_capacity(r.depends_on.len());
        for foreign in &r.depends_on {
            match resolve(foreign) {
                Some(dep) if !deps.contains(&dep) => deps.push(dep),
                Some(_) => {}
                None => notes.warn(format!("dangling:{foreign}"), &at, || {
                    format!(
                        "depends on {foreign:?}, which is neither in the file nor on the branch: that dependency is dropped"
                    )
                }),
            }
        }
        let mut extra: Vec<(&'static str, TomlValue)> = Vec::new();
        if matches!(found, Match::New)
            && let Some(source_id) = &r.source_id
            && (batch.format != Format::Json || source_id != id.as_str())
        {
            extra.push((
                existing::IMPORTED_FROM,
                TomlValue::from(format!(
                    "{}:{}",
                    batch.format.as_str(),
                    printable(source_id)
                )),
            ));
        }
        let mut links = Vec::new();
        for (kind, foreign) in &r.links {
            match resolve(foreign) {
                Some(target) => links.push(format!("{kind}:{target}")),
                None => notes.warn(format!("dangling-link:{foreign}"), &at, || {
                    format!("has a {kind} link to {foreign:?}, which is not in the file: that link is dropped")
                }),
            }
        }
        if !links.is_empty() {
            extra.push(("links", text_list(&links)));
        }
        extra.extend(r.extra.iter().cloned());
        let task = r
            .to_task(id.clone(), deps, now)
            .map_err(|e| ImportError::Parse {
                file: batch.file.clone(),
                line: r.line,
                column: None,
                message: e.to_string(),
            })?;
        // An import may assign work, but not start it in another agent's name (ADR 0010):
        // a task in progress or in review assigned to someone else arrives assigned and not
        // started, for its assignee to `claim` or `start`.
        let mut task = task;
        if matches!(task.status, Status::InProgress | Status::Review)
            && let Some(assignee) = task.assignee.clone()
            && Some(&assignee) != actor
        {
            let was = task.status;
            task.status = Status::Todo;
            task.claimed = None;
            // A task already here keeps its progress (`existing::merge`): only a new one is
            // worth a warning.
            if matches!(found, Match::New | Match::Unreadable) {
                notes.warn(format!("not-started:{}", task.id), &at, || {
                format!(
                    "{} is {} for {assignee}, but an import does not start work in another agent's name: imported as todo, assigned to {assignee}, who starts it with `git coord start`",
                    task.id,
                    was.as_str()
                )
            });
            }
        }
        let (action, task, changed) = match found {
            Match::Existing(before, held_extra) => {
                let mut after = existing::merge(&before, task);
                let mut changed = existing::changed_fields(&before, &after);
                for key in existing::managed_fields(batch.format) {
                    let now_value = extra
                        .iter()
                        .find(|(k, _)| k == key)
                        .map(|(_, v)| existing::plain(v));
                    if now_value.as_ref() != held_extra.get(key) {
                        changed.push((*key).to_owned());
                    }
                }
                changed.sort();
                if changed.is_empty() {
                    (Action::Unchanged, *before, changed)
                } else if let Some(holder) = existing::held_by_other(&before, actor) {
                    let fields = changed.join(", ");
                    notes.warn(format!("held:{}", before.id), &at, || {
                        format!(
                            "{} is held by {holder}: not updated ({fields}); import again once {holder} has finished or released it",
                            before.id
                        )
                    });
                    (Action::Held, *before, changed)
                } else {
                    after.updated = now;
                    match position.get(&after.id) {
                        Some(&i) => all[i] = after.clone(),
                        None => all.push(after.clone()),
                    }
                    (Action::Updated, after, changed)
                }
            }
            Match::New | Match::Unreadable => {
                all.push(task.clone());
                (Action::Added, task, Vec::new())
            }
        };
        results.push(Planned1 {
            record: r,
            action,
            task,
            changed,
            extra,
        });
    }

    let written: HashMap<&TaskId, &Incoming> = results
        .iter()
        .filter(|p| matches!(p.action, Action::Added | Action::Updated))
        .map(|p| (&p.task.id, p.record))
        .collect();
    refuse_cycles(batch, &all, &written)?;

    let mut registered: HashMap<&AgentId, bool> = HashMap::new();
    for p in results
        .iter()
        .filter(|p| matches!(p.action, Action::Added | Action::Updated))
    {
        let Some(agent) = &p.task.assignee else {
            continue;
        };
        let known = match registered.get(agent) {
            Some(&known) => known,
            None => {
                let known = Some(agent) == actor || snap.exists(&layout::agent_path(agent))?;
                registered.insert(agent, known);
                known
            }
        };
        if !known {
            notes.warn(format!("unregistered:{agent}"), &p.record.at(), || {
                format!(
                    "{agent} is assigned imported tasks but is not in the agent registry: `git coord doctor` warns until {agent} makes a first write"
                )
            });
        }
    }

    // One path, one exclusive holder (DESIGN §6): an imported task's `owns` become its
    // holder's claims, refused like `own` (exit 3, nothing imported) where another agent
    // holds those files exclusively.
    for p in results
        .iter()
        .filter(|p| matches!(p.action, Action::Added | Action::Updated))
    {
        if let Some(holder) = p.task.holder() {
            let unforced = super::authority::Authority::unforced(holder);
            super::ownership::exclusive_collisions(
                store,
                snap,
                holder,
                now,
                &p.task.owns,
                Some(&p.task.id),
                &unforced,
            )?;
        }
    }

    let mut edits = Vec::new();
    if write {
        for p in &results {
            let text = match p.action {
                Action::Added => record_text(&p.task, &p.extra),
                Action::Updated => existing::updated_text(&p.task, batch.format, &p.extra)?,
                Action::Unchanged | Action::Held => continue,
            };
            edits.push(Edit::write(layout::task_path(&p.task.id), text));
        }
    }
    let count = |a: Action| results.iter().filter(|p| p.action == a).count();
    let (added, updated, unchanged, held) = (
        count(Action::Added),
        count(Action::Updated),
        count(Action::Unchanged),
        count(Action::Held),
    );
    let tasks = results
        .into_iter()
        .map(|p| ImportedTask {
            id: p.task.id.clone(),
            source_id: p.record.source_id.clone(),
            line: p.record.line,
            title: p.task.title,
            status: p.task.status,
            action: p.action,
            changed: p.changed,
        })
        .collect::<Vec<_>>();
    Ok(Planned {
        edits,
        outcome: Outcome {
            file: batch.file.clone(),
            format: batch.format,
            dry_run: !write,
            commit: None,
            imported: added + updated,
            added,
            updated,
            unchanged,
            held,
            tasks,
            skipped: notes.skipped,
            warnings: notes.warnings,
        },
    })
}

/// One record of the file, planned.
struct Planned1<'a> {
    record: &'a Incoming,
    action: Action,
    /// The task as it is after the import.
    task: Task,
    changed: Vec<String>,
    extra: Vec<(&'static str, TomlValue)>,
}

/// An ID for every record: the task an earlier import made of it; else, in our own format, a
/// valid ID that is still free; else a fresh random one that is on neither the branch nor this
/// import.
fn allocate_ids(
    batch: &Batch,
    matches: &[Match],
    taken: &mut HashSet<TaskId>,
    notes: &mut Notes,
) -> Vec<TaskId> {
    let mut ids: Vec<Option<TaskId>> = matches
        .iter()
        .map(|m| match m {
            Match::Existing(task, _) => Some(task.id.clone()),
            Match::New | Match::Unreadable => None,
        })
        .collect();
    if batch.format == Format::Json {
        for ((slot, r), m) in ids.iter_mut().zip(&batch.records).zip(matches) {
            if !matches!(m, Match::New) {
                continue;
            }
            let Some(given) = &r.source_id else { continue };
            match TaskId::parse(given) {
                Ok(id) if taken.insert(id.clone()) => *slot = Some(id),
                Ok(_) => notes.warn("id-taken", &r.at(), || {
                    format!("{given} is already on the branch as another task (created at another time): imported under a new ID, with references to it rewritten")
                }),
                Err(_) => notes.warn("id-invalid", &r.at(), || {
                    format!("{given:?} is not a task ID: imported under a new ID, with references to it rewritten")
                }),
            }
        }
    }
    ids.into_iter()
        .map(|slot| {
            slot.unwrap_or_else(|| {
                let mut len = TASK_ID_LEN;
                loop {
                    let id = TaskId::random(len);
                    if taken.insert(id.clone()) {
                        break id;
                    }
                    len += 1;
                }
            })
        })
        .collect()
}

/// Fails when the tasks this import writes (`written`, with the records they come from) would
/// form a dependency cycle with each other or the tasks on the branch.
fn refuse_cycles(
    batch: &Batch,
    all: &[Task],
    written: &HashMap<&TaskId, &Incoming>,
) -> Result<(), ImportError> {
    let graph = TaskGraph::new(all);
    let cycles = graph.cycles();
    if cycles.is_empty() {
        return Ok(());
    }
    let new = written;
    // Cycles among tasks already on the branch are `doctor`'s business, not this import's.
    let cycles: Vec<Vec<TaskId>> = cycles
        .into_iter()
        .filter(|c| c.iter().any(|id| new.contains_key(id)))
        .collect();
    if cycles.is_empty() {
        return Ok(());
    }
    let line = |id: &TaskId| new.get(id).map_or(usize::MAX, |r| r.line);
    let member = |id: &TaskId| {
        new.get(id)
            .and_then(|r| r.source_id.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let name = |id: &TaskId| match new.get(id) {
        Some(r) => format!("{} (line {})", member(id), r.line),
        None => format!("{id} (on the branch)"),
    };
    // In file order, so the same file always gives the same message.
    let mut cycles = cycles;
    for c in &mut cycles {
        c.sort_by_key(|id| (line(id), id.clone()));
    }
    cycles.sort_by_key(|c| line(&c[0]));
    // Describing a cycle as a path walks the graph; a few are enough to act on.
    const DESCRIBED: usize = 10;
    let described = cycles
        .iter()
        .take(DESCRIBED)
        .map(|cycle| {
            let members: HashSet<&TaskId> = cycle.iter().collect();
            let path = graph
                .get(&cycle[0])
                .and_then(|t| {
                    t.depends_on
                        .iter()
                        .filter(|d| members.contains(d))
                        .min_by_key(|d| line(d))
                })
                .and_then(|next| graph.cycle_through(&cycle[0], next))
                .unwrap_or_else(|| cycle.clone());
            path.iter().map(name).collect::<Vec<_>>().join(" → ")
        })
        .collect();
    let members = cycles
        .iter()
        .map(|c| c.iter().map(member).collect())
        .collect();
    Err(ImportError::Cycles {
        file: batch.file.clone(),
        cycles: described,
        members,
    })
}

/// The record file of an imported task: its own fields, then `extra` fields this version does
/// not interpret, which every later rewrite keeps like hand-written ones.
fn record_text(task: &Task, extra: &[(&'static str, TomlValue)]) -> String {
    let text = task.to_text();
    if extra.is_empty() {
        return text;
    }
    // The closing fence is the first `+++` line after the opening one, as the parser finds it.
    // A new record's front matter is a flat list of keys, so keys added before the fence stay
    // at the top level.
    let mut offset = 0;
    let mut close = None;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        if n > 0 && line.trim_end() == "+++" {
            close = Some(offset);
            break;
        }
        offset += line.len();
    }
    let Some(close) = close else {
        return text;
    };
    let mut out = String::with_capacity(text.len() + 64 * extra.len());
    out.push_str(&text[..close]);
    for (key, value) in extra {
        out.push_str(key);
        out.push_str(" = ");
        out.push_str(&value.to_string());
        out.push('\n');
    }
    out.push_str(&text[close..]);
    out
}

/// Text safe to keep on one line of a record or a commit message: control characters become
/// U+FFFD.
fn printable(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NewTask;

    fn now() -> Timestamp {
        Timestamp::parse_rfc3339("2026-11-21T10:00:00Z").unwrap()
    }

    #[test]
    fn extra_fields_survive_parse_and_rewrite() {
        let task = Task::new(
            TaskId::parse("t-abcdef").unwrap(),
            NewTask {
                title: "A".into(),
                body: "Body\n+++\nmore\n".into(),
                ..NewTask::default()
            },
            now(),
        )
        .unwrap();
        let extra = vec![
            ("imported_from", TomlValue::from("beads:bd-a1b2")),
            ("labels", text_list(&["ui", "needs \"quotes\""])),
        ];
        let text = record_text(&task, &extra);
        assert!(
            text.contains("imported_from = \"beads:bd-a1b2\"\n"),
            "{text}"
        );
        let mut parsed = Task::parse("tasks/ab/t-abcdef.md", &text).unwrap();
        assert_eq!(parsed.body, "Body\n+++\nmore\n");
        parsed.title = "B".into();
        let again = parsed.to_text();
        assert!(
            again.contains("imported_from = \"beads:bd-a1b2\""),
            "{again}"
        );
        assert!(
            again.contains(r#"labels = ["ui", 'needs "quotes"']"#),
            "{again}"
        );
    }

    #[test]
    fn unreadable_files_name_the_line() {
        let e = read("f.json", b"{\"title\": \"a\"}\n\xff\n", Format::Json, now()).unwrap_err();
        assert!(matches!(e, ImportError::Parse { line: 2, .. }), "{e}");
        let e = read(
            "f.json",
            b"{\"title\": \"a\"}\n{\"title\": }\n",
            Format::Json,
            now(),
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("f.json:2:"), "{e}");
    }

    #[test]
    fn duplicates_are_skipped_and_warnings_counted() {
        let text = br#"{"id": "t-aaaaaa", "title": "A", "size": 1}
{"id": "t-aaaaaa", "title": "again"}
{"id": "t-bbbbbb", "title": "B", "size": 2, "assignee": "Bob Smith"}
"#;
        let batch = read("f", text, Format::Json, now()).unwrap();
        assert_eq!(batch.len(), 2);
        assert_eq!(batch.notes.skipped.len(), 1);
        assert_eq!(batch.notes.skipped[0].line, 2);
        let unknown = batch
            .notes
            .warnings
            .iter()
            .find(|w| w.message.contains("`size`"))
            .unwrap();
        assert_eq!((unknown.count, unknown.line), (2, Some(1)));
        assert!(
            batch
                .notes
                .warnings
                .iter()
                .any(|w| w.message.contains("\"Bob Smith\""))
        );
    }
}
