/*!
Planning an import on the snapshot the commit lands on: which records an earlier import wrote
(ADR 0015), IDs allocated against the tasks already there, dependencies rewritten through the
ID map, the cycle check, the claims an imported task's `owns` make, and (when writing) the
record files.
*/

use std::collections::{HashMap, HashSet};

use toml_edit::Value as TomlValue;

use super::existing::{self, Action, Match};
use super::incoming::{Incoming, text_list};
use super::{Batch, Format, ImportError, ImportedTask, Notes, Outcome, printable};
use crate::graph::TaskGraph;
use crate::model::id::TASK_ID_LEN;
use crate::model::layout;
use crate::model::{AgentId, Status, Task, TaskId, Timestamp};
use crate::ops::index;
use crate::store::{Edit, Snapshot, Store};

pub(super) struct Planned {
    pub(super) edits: Vec<Edit>,
    pub(super) outcome: Outcome,
}

/// Plans the import on `snap`: which records are already there (ADR 0015), IDs, mapped
/// dependencies, the cycle check, and (with `write`) the record files.
pub(super) fn plan(
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
            let unforced = crate::ops::authority::Authority::unforced(holder);
            crate::ops::ownership::exclusive_collisions(
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
}
