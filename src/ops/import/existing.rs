/*!
Re-importing (ADR 0015): the tasks an earlier import left on the branch, found again so that
running the same migration twice updates them instead of copying them.

A Beads or Taskwarrior record is recognised by the `imported_from = "<format>:<foreign ID>"`
field every import writes; a record of our own JSON by its task ID (when the task on the branch
was created at the same time, so an unrelated task that happens to share the ID is not
overwritten), else by `imported_from = "json:<ID>"` (an earlier import that had to give it a
new ID). Only this module decides what a re-import changes in a task that is already there:
the fields the file describes come from the file, while the task's progress on this branch
(status, assignee, claim, block reason, completion) is never taken back, and a task another
agent holds is left to that agent.
*/

use std::collections::HashMap;

use serde_json::Value as JsonValue;
use toml_edit::{Item, Value as TomlValue};

use super::{Batch, Format, ImportError, Notes};
use crate::model::layout::{self, TASKS_DIR};
use crate::model::record;
use crate::model::{AgentId, Task, TaskId, Timestamp};
use crate::ops::parse_task_at;
use crate::store::Snapshot;

/// The field that names where an imported task came from.
pub(super) const IMPORTED_FROM: &str = "imported_from";

/// What an import does with one record of the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// A new task.
    Added,
    /// A task an earlier import wrote, changed to what the file now says.
    Updated,
    /// A task an earlier import wrote, already as the file says.
    Unchanged,
    /// A task an earlier import wrote that the file would change, held by another agent: left
    /// as it is (DESIGN §3 "Authority").
    Held,
}

/// The extra front-matter fields an import of `format` writes and, on a re-import, keeps in
/// line with the file (a field the file no longer has is removed). Our own JSON carries no
/// extra fields, so a re-import of it never touches fields added by hand.
pub(super) fn managed_fields(format: Format) -> &'static [&'static str] {
    match format {
        Format::Json => &[],
        Format::Beads => &["links", "labels", "issue_type", "external_ref"],
        Format::Taskwarrior => &["links", "labels", "project"],
    }
}

/// How one record of the file relates to the branch.
pub(super) enum Match {
    /// Not on the branch yet.
    New,
    /// This task (parsed from its file, for a rewrite that keeps everything else), with the
    /// values of its managed extra fields.
    Existing(Box<Task>, HashMap<&'static str, JsonValue>),
    /// On the branch, but its record cannot be read: the record is skipped.
    Unreadable,
}

/// Finds, for each record of `batch`, the task an earlier import made of it. `on_branch` is
/// every readable task of the snapshot by ID.
pub(super) fn find(
    snap: &Snapshot<'_>,
    batch: &Batch,
    on_branch: &HashMap<&TaskId, &Task>,
    previous: &HashMap<String, Vec<TaskId>>,
    notes: &mut Notes,
) -> Result<Vec<Match>, ImportError> {
    let mut used: std::collections::HashSet<TaskId> = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(batch.records.len());
    for r in &batch.records {
        let Some(source) = &r.source_id else {
            out.push(Match::New);
            continue;
        };
        // Our own format: the same task, if the one on the branch was created when the record
        // says (a record without a creation time is taken at its word).
        let by_id = (batch.format == Format::Json)
            .then(|| TaskId::parse(source).ok())
            .flatten()
            .filter(|id| {
                on_branch
                    .get(id)
                    .is_some_and(|t| r.created.is_none_or(|c| c == t.created))
            });
        let found = match by_id {
            Some(id) => Some(id),
            None => match previous.get(&super::printable(source)) {
                None => None,
                Some(ids) => {
                    if ids.len() > 1 {
                        let list = ids
                            .iter()
                            .map(TaskId::as_str)
                            .collect::<Vec<_>>()
                            .join(", ");
                        notes.warn(format!("imported-twice:{source}"), &r.at(), || {
                            format!(
                                "{source} was imported more than once ({list}): the first is updated and the others are left alone (`git coord cancel` the copies)"
                            )
                        });
                    }
                    ids.first().cloned()
                }
            },
        };
        let Some(id) = found.filter(|id| !used.contains(id)) else {
            out.push(Match::New);
            continue;
        };
        used.insert(id.clone());
        out.push(load(snap, &id, batch.format)?.map_or_else(
            |e| {
                notes.skip(
                    &r.at(),
                    format!(
                        "{id}, which an earlier import made of it, cannot be read ({e}): fix that record (`git coord doctor` lists it), then import again"
                    ),
                );
                Match::Unreadable
            },
            |(task, extra)| Match::Existing(Box::new(task), extra),
        ));
    }
    Ok(out)
}

/// The tasks on the branch an import of `format` wrote, by the foreign ID they record, oldest
/// first (a file imported twice by an earlier version has copies). Reads every task file once:
/// the index does not keep extra fields.
pub(super) fn scan(
    snap: &Snapshot<'_>,
    format: Format,
) -> Result<HashMap<String, Vec<TaskId>>, ImportError> {
    let prefix = format!("{}:", format.as_str());
    let mut found: HashMap<String, Vec<(Timestamp, TaskId)>> = HashMap::new();
    for (path, blob) in snap.walk(TASKS_DIR)? {
        let Some(id) = layout::task_id_from_path(&path) else {
            continue;
        };
        let bytes = snap.read_blob(blob, &path)?;
        // Most tasks were never imported: a byte search spares parsing them.
        if !contains(&bytes, IMPORTED_FROM.as_bytes()) {
            continue;
        }
        let Ok(text) = std::str::from_utf8(&bytes) else {
            continue;
        };
        // A record that does not parse is `doctor`'s business; it is not matched here.
        let Ok(((from, created), _)) = record::parse_markdown(&path, text, |f| {
            Ok((f.opt_str(IMPORTED_FROM)?, f.opt_timestamp("created")?))
        }) else {
            continue;
        };
        let Some(source) = from.as_deref().and_then(|s| s.strip_prefix(&prefix)) else {
            continue;
        };
        let created = created.unwrap_or(Timestamp::from_datetime(chrono::DateTime::UNIX_EPOCH));
        found
            .entry(source.to_owned())
            .or_default()
            .push((created, id));
    }
    Ok(found
        .into_iter()
        .map(|(source, mut ids)| {
            ids.sort();
            (source, ids.into_iter().map(|(_, id)| id).collect())
        })
        .collect())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

type Loaded = (Task, HashMap<&'static str, JsonValue>);

/// The task `id` parsed from its file, with its managed extra fields; the error says why it
/// cannot be read.
fn load(
    snap: &Snapshot<'_>,
    id: &TaskId,
    format: Format,
) -> Result<Result<Loaded, String>, ImportError> {
    let path = layout::task_path(id);
    let Some(text) = snap.read_text(&path)? else {
        return Ok(Err(format!("{path} is missing")));
    };
    let task = match parse_task_at(&path, &text) {
        Ok(task) => task,
        Err(e) => return Ok(Err(e.to_string())),
    };
    let extra = record::parse_markdown(&path, &text, |f| {
        Ok(managed_fields(format)
            .iter()
            .filter_map(|&k| f.item(k).and_then(Item::as_value).map(|v| (k, plain(v))))
            .collect())
    });
    Ok(match extra {
        Ok((extra, _)) => Ok((task, extra)),
        Err(e) => Err(e.to_string()),
    })
}

/// A TOML value without its formatting, for comparing what a record holds with what an import
/// would write.
pub(super) fn plain(v: &TomlValue) -> JsonValue {
    match v {
        TomlValue::String(s) => JsonValue::from(s.value().as_str()),
        TomlValue::Array(a) => JsonValue::Array(a.iter().map(plain).collect()),
        other => JsonValue::from(other.to_string().trim().to_owned()),
    }
}

/// The task `existing` becomes when the file says `incoming`. The fields the file describes
/// come from it; the task's progress here (status, assignee, claim, block reason, completion)
/// comes from it only while the task is open and nobody holds it, so a re-import never reopens
/// a finished task nor takes one back from the agent working on it.
pub(super) fn merge(existing: &Task, incoming: Task) -> Task {
    let mut next = existing.clone();
    next.title = incoming.title;
    next.priority = incoming.priority;
    next.depends_on = incoming.depends_on;
    next.expertise = incoming.expertise;
    next.estimate_hours = incoming.estimate_hours;
    next.milestone = incoming.milestone;
    next.owns = incoming.owns;
    next.deliverables = incoming.deliverables;
    next.check = incoming.check;
    next.due = incoming.due;
    next.body = incoming.body;
    if existing.holder().is_none() && !existing.status.is_closed() {
        next.status = incoming.status;
        next.assignee = incoming.assignee;
        next.claimed = incoming.claimed;
        next.blocked_reason = incoming.blocked_reason;
        next.completed = incoming.completed;
    }
    next
}

/// The record fields in which `after` differs from `before`, by name (`updated` aside: it
/// only says when the record last changed).
pub(super) fn changed_fields(before: &Task, after: &Task) -> Vec<String> {
    let (Ok(JsonValue::Object(a)), Ok(JsonValue::Object(b))) =
        (serde_json::to_value(before), serde_json::to_value(after))
    else {
        return vec!["record".to_owned()];
    };
    a.iter()
        .filter(|(k, v)| k.as_str() != "updated" && b.get(*k) != Some(*v))
        .map(|(k, _)| k.clone())
        .collect()
}

/// Whether an agent other than `actor` holds `task` (with no acting agent, anyone does).
pub(super) fn held_by_other<'a>(task: &'a Task, actor: Option<&AgentId>) -> Option<&'a AgentId> {
    task.holder().filter(|h| Some(*h) != actor)
}

/// The record text of an updated task: its file rewritten with the changed fields, and the
/// managed extra fields set to `extra` (those the file no longer has removed). Everything else
/// in the file (fields and comments added by hand) is kept.
pub(super) fn updated_text(
    task: &Task,
    format: Format,
    extra: &[(&'static str, TomlValue)],
) -> Result<String, ImportError> {
    let text = task.to_text();
    let managed = managed_fields(format);
    if managed.is_empty() {
        return Ok(text);
    }
    let path = layout::task_path(&task.id);
    let ((), mut rd) =
        record::parse_markdown(&path, &text, |_| Ok(())).map_err(|e| ImportError::Op(e.into()))?;
    for key in managed {
        match extra.iter().find(|(k, _)| k == key) {
            Some((_, v)) => {
                rd.doc.insert(key, Item::Value(v.clone()));
            }
            None => {
                rd.doc.remove(key);
            }
        }
    }
    Ok(record::render_markdown(&rd.doc, &rd.body))
}
