/*!
The conflict log: open a conflict between agents, add proposals, resolve it (each action item
becomes a task in the same commit), list and show.

What a conflict is `about` is kept as given, except that a value starting with `t-` that can
be a task ID or prefix (`t-4kz`, `t-4kz9w2`) names a task: it must match exactly one existing
task, and is stored as that task's full ID. Paths and globs never start that way in practice;
one that does can be given as `./t-…`.
*/

use super::authority::{Access, Authority, Holding};
use super::record_dir;
use super::{Actor, OpError, resolve_task};
use crate::model::conflict::{
    Conflict, ConflictAction, ConflictStatus, NewAction, NewConflict, validate_text,
};
use crate::model::id::TASK_ID_LEN;
use crate::model::layout;
use crate::model::record::Record;
use crate::model::task::{InvalidField, validate_title};
use crate::model::{ConflictId, NewTask, RecordError, Task, TaskId, TaskPrefix, Timestamp};
use crate::store::{Edit, Plan, Snapshot, Store};

/// Every conflict on the snapshot, oldest first, with a [`RecordError`] for each file that
/// could not be read.
pub fn load_conflicts(snap: &Snapshot<'_>) -> Result<(Vec<Conflict>, Vec<RecordError>), OpError> {
    record_dir::load(snap)
}

/// Resolves a full ID or unique prefix (`c-4kz`, `4kz`) and reads that conflict.
pub fn find(snap: &Snapshot<'_>, given: &str) -> Result<Conflict, OpError> {
    record_dir::find(snap, given)
}

/// A new conflict record with an ID unique on `snap`, opened by the acting agent, and the
/// edit that writes it. For callers that write it in a commit of their own (`own --force`).
pub fn new_record(
    snap: &Snapshot<'_>,
    actor: &Actor,
    new: NewConflict,
) -> Result<(Conflict, Edit), OpError> {
    let id = record_dir::fresh_id::<Conflict>(snap)?;
    let conflict = Conflict::new(id, new, actor.agent.clone(), actor.now)?;
    let edit = record_dir::write(&conflict);
    Ok((conflict, edit))
}

/// What `about` stores for each value given (see the module documentation).
fn about_refs(snap: &Snapshot<'_>, given: &[String]) -> Result<Vec<String>, OpError> {
    given
        .iter()
        .map(|g| {
            let t = g.trim();
            if t.starts_with(TaskId::PREFIX) && TaskPrefix::parse(t).is_ok() {
                Ok(resolve_task(snap, t)?.to_string())
            } else {
                Ok(g.clone())
            }
        })
        .collect()
}

/// Opens a conflict, in one commit.
pub fn open(store: &Store, actor: &Actor, new: NewConflict) -> Result<Conflict, OpError> {
    // Validate before touching the repository, so bad input never waits on a lock.
    Conflict::new(
        ConflictId::random(Conflict::ID_LEN),
        new.clone(),
        actor.agent.clone(),
        actor.now,
    )?;
    let committed = store.update(&actor.author(), |snap| {
        let mut new = new.clone();
        new.about = about_refs(snap, &new.about)?;
        let id = record_dir::fresh_id::<Conflict>(snap)?;
        let conflict = Conflict::new(id, new, actor.agent.clone(), actor.now)?;
        record_dir::commit(
            snap,
            actor,
            "open",
            &conflict,
            Vec::new(),
            &[],
            conflict.clone(),
        )
    })?;
    Ok(committed.value)
}

fn refuse_resolved(c: &Conflict) -> Result<(), OpError> {
    match c.status {
        ConflictStatus::Open => Ok(()),
        ConflictStatus::Resolved => Err(OpError::AlreadyClosed {
            kind: "conflict",
            id: c.id.to_string(),
            state: "resolved",
            by: c.resolved_by.clone(),
            at: c.resolved_at,
        }),
    }
}

/// The plan that writes a changed conflict (then `edits`) and the acting agent's heartbeat;
/// a forced change signs the commit.
fn conflict_plan(
    snap: &Snapshot<'_>,
    actor: &Actor,
    op: &str,
    conflict: Conflict,
    edits: Vec<Edit>,
    access: &Access,
) -> Result<Plan<Conflict>, OpError> {
    let trailers = access.trailer();
    record_dir::commit(
        snap,
        actor,
        op,
        &conflict,
        edits,
        trailers.as_slice(),
        conflict.clone(),
    )
}

/// Appends a proposal by the acting agent to an open conflict, in one commit.
pub fn propose(store: &Store, actor: &Actor, given: &str, text: &str) -> Result<Conflict, OpError> {
    validate_text("text", text)?;
    let committed = store.update(&actor.author(), |snap| {
        let mut conflict = find(snap, given)?;
        refuse_resolved(&conflict)?;
        conflict.propose(actor.agent.clone(), text, actor.now)?;
        conflict_plan(snap, actor, "propose", conflict, Vec::new(), &Access::Own)
    })?;
    Ok(committed.value)
}

/// Validates the action items of a resolution: each becomes a task, so its text is a task
/// title.
pub fn validate_actions(actions: &[NewAction]) -> Result<(), InvalidField> {
    for a in actions {
        validate_title(&a.text).map_err(|e| InvalidField {
            field: "action",
            message: e.message,
        })?;
    }
    Ok(())
}

/// The task an action item becomes: todo, assigned when the action names an assignee, its
/// body pointing back at the conflict.
fn action_task(
    id: TaskId,
    action: &NewAction,
    conflict: &Conflict,
    resolution: &str,
    now: Timestamp,
) -> Result<Task, InvalidField> {
    let body = format!(
        "Action item of conflict {} ({}).\n\nResolution: {}\n",
        conflict.id,
        conflict.title,
        resolution.trim()
    );
    let mut task = Task::new(
        id,
        NewTask {
            title: action.text.clone(),
            body,
            ..NewTask::default()
        },
        now,
    )
    .map_err(|e| InvalidField {
        field: "action",
        message: e.message,
    })?;
    if let Some(a) = &action.assignee {
        task.assignee = Some(a.clone());
        task.claimed = Some(now);
    }
    Ok(task)
}

/// What a conflict is as an owned record: its parties (`between`) settle it. Anyone may
/// propose (that only appends), but a resolution decides for the parties and creates tasks,
/// so anyone else needs a coordinator's `--force` (ADR 0010's amendment).
pub fn holding(conflict: &Conflict) -> Holding {
    Holding {
        relation: "to be resolved by",
        ..Holding::new(
            format!("conflict {} ({})", conflict.id, conflict.title),
            conflict.between.clone(),
            Some(conflict.created),
        )
    }
}

/// Resolves an open conflict as the acting agent: the resolution, and one new task per
/// action item, all in one commit. Only a party resolves, unless a coordinator forces
/// ([`holding`]), decided on the tip the commit lands on before anything is written.
pub fn resolve(
    store: &Store,
    actor: &Actor,
    given: &str,
    resolution: &str,
    actions: &[NewAction],
    authority: &Authority,
) -> Result<Conflict, OpError> {
    validate_text("resolution", resolution)?;
    validate_actions(actions)?;
    let committed = store.update(&actor.author(), |snap| {
        let mut conflict = find(snap, given)?;
        refuse_resolved(&conflict)?;
        let access = authority.check(&holding(&conflict))?;
        let mut edits = Vec::new();
        let mut done = Vec::new();
        let mut taken: Vec<TaskId> = Vec::new();
        for action in actions {
            let mut len = TASK_ID_LEN;
            let id = loop {
                let id = TaskId::random(len);
                if !taken.contains(&id) && !snap.exists(&layout::task_path(&id))? {
                    break id;
                }
                len += 1;
            };
            taken.push(id.clone());
            let task = action_task(id, action, &conflict, resolution, actor.now)?;
            edits.push(Edit::write(layout::task_path(&task.id), task.to_text()));
            done.push(ConflictAction {
                text: task.title.clone(),
                assignee: task.assignee.clone(),
                task: task.id,
            });
        }
        conflict.resolve(actor.agent.clone(), resolution, done, actor.now)?;
        conflict_plan(snap, actor, "resolve", conflict, edits, &access)
    })?;
    Ok(committed.value)
}

/// Conflicts with `status` (every one for `None`), oldest first, and the files skipped.
pub fn list(
    store: &Store,
    status: Option<ConflictStatus>,
) -> Result<(Vec<Conflict>, Vec<RecordError>), OpError> {
    record_dir::list(store, |c: &Conflict| status.is_none_or(|s| c.status == s))
}

/// One conflict by full ID or unique prefix.
pub fn show(store: &Store, given: &str) -> Result<Conflict, OpError> {
    record_dir::show(store, given)
}
