/*!
Task operations: add, edit, dependencies, claims and transitions, listing.
*/

use super::authority::{Access, Authority, AuthorityError, Holding};
use super::{Actor, OpError, commit_message, find_task, read_task, resolve_task, touch_agent};
use crate::model::id::TASK_ID_LEN;
use crate::model::layout;
use crate::model::task::{InvalidField, validate_entries, validate_priority, validate_title};
use crate::model::{
    Action, AgentId, Applied, DepState, NewTask, RecordError, Status, Task, TaskId, Timestamp,
};
use crate::ownership::pattern::validate_patterns;
use crate::store::{Edit, Plan, Snapshot, Store};

/// The plan of a write that changes one task: its record and the acting agent's heartbeat,
/// in one commit `coord: <op> <id>` with `context` (default: the title) and `trailers`.
pub fn task_plan<T>(
    snap: &Snapshot<'_>,
    actor: &Actor,
    op: &str,
    task: &Task,
    context: Option<&str>,
    trailers: &[(&str, &str)],
    value: T,
) -> Result<Plan<T>, OpError> {
    let mut edits = vec![Edit::write(layout::task_path(&task.id), task.to_text())];
    edits.extend(touch_agent(snap, actor)?);
    let context = context.unwrap_or(&task.title);
    Ok(Plan::Commit {
        message: commit_message(op, task.id.as_str(), Some(context), actor, trailers),
        edits,
        value,
    })
}

/// Resolves each of `given` (IDs or prefixes) to an existing task.
fn resolve_all(snap: &Snapshot<'_>, given: &[String]) -> Result<Vec<TaskId>, OpError> {
    given.iter().map(|g| resolve_task(snap, g)).collect()
}

/// A task's `milestone` as stored: a unique prefix of an existing milestone's ID becomes its
/// full ID; anything else (a milestone to be created later, a free label) is kept as given.
fn milestone_ref(snap: &Snapshot<'_>, given: Option<&str>) -> Result<Option<String>, OpError> {
    let Some(given) = given else { return Ok(None) };
    match super::milestone::resolve(snap, given) {
        Ok(id) => Ok(Some(id.to_string())),
        Err(e @ OpError::AmbiguousRecord { .. }) => Err(e),
        Err(_) => Ok(Some(given.to_owned())),
    }
}

/// What `task add` is given: a new task whose dependencies are still as the user typed them.
#[derive(Clone, Debug, Default)]
pub struct AddTask {
    pub task: NewTask,
    /// IDs or prefixes of the tasks this one depends on.
    pub after: Vec<String>,
}

/// Adds a task with a fresh ID that is unique on the branch.
pub fn add(store: &Store, actor: &Actor, input: AddTask) -> Result<Task, OpError> {
    // Validate before touching the repository, so bad input never waits on a lock.
    validate_patterns("owns", &input.task.owns)?;
    Task::new(TaskId::random(TASK_ID_LEN), input.task.clone(), actor.now)?;
    let committed = store.update(&actor.author(), |snap| {
        let mut new = input.task.clone();
        new.depends_on = resolve_all(snap, &input.after)?;
        new.milestone = milestone_ref(snap, new.milestone.as_deref())?;
        let mut len = TASK_ID_LEN;
        let id = loop {
            let id = TaskId::random(len);
            if !snap.exists(&layout::task_path(&id))? {
                break id;
            }
            len += 1;
        };
        let task = Task::new(id, new, actor.now)?;
        task_plan(snap, actor, "add", &task, None, &[], task.clone())
    })?;
    Ok(committed.value)
}

/// Field changes for `task edit`; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct TaskPatch {
    pub title: Option<String>,
    pub priority: Option<i64>,
    pub expertise: Option<Vec<String>>,
    pub estimate_hours: Option<Option<f64>>,
    pub milestone: Option<Option<String>>,
    pub owns: Option<Vec<String>>,
    pub deliverables: Option<Vec<String>>,
    pub check: Option<Option<String>>,
    pub due: Option<Option<Timestamp>>,
    pub body: Option<String>,
}

impl TaskPatch {
    pub fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.priority.is_none()
            && self.expertise.is_none()
            && self.estimate_hours.is_none()
            && self.milestone.is_none()
            && self.owns.is_none()
            && self.deliverables.is_none()
            && self.check.is_none()
            && self.due.is_none()
            && self.body.is_none()
    }

    /// Validates the patch on its own, before any repository access.
    pub fn validate(&self) -> Result<(), InvalidField> {
        if let Some(t) = &self.title {
            validate_title(t)?;
        }
        if let Some(p) = self.priority {
            validate_priority(p)?;
        }
        for (field, list) in [
            ("expertise", &self.expertise),
            ("deliverables", &self.deliverables),
        ] {
            if let Some(l) = list {
                validate_entries(field, l)?;
            }
        }
        if let Some(l) = &self.owns {
            validate_patterns("owns", l)?;
        }
        Ok(())
    }

    /// Applies the patch; returns whether anything changed.
    fn apply(&self, task: &mut Task) -> Result<bool, InvalidField> {
        let before = task.to_text();
        if let Some(t) = &self.title {
            task.title = validate_title(t)?;
        }
        if let Some(p) = self.priority {
            task.priority = validate_priority(p)?;
        }
        if let Some(l) = &self.expertise {
            task.expertise = validate_entries("expertise", l)?;
        }
        if let Some(l) = &self.owns {
            task.owns = validate_patterns("owns", l)?;
        }
        if let Some(l) = &self.deliverables {
            task.deliverables = validate_entries("deliverables", l)?;
        }
        if let Some(e) = self.estimate_hours {
            task.estimate_hours = e;
        }
        if let Some(m) = &self.milestone {
            task.milestone = m.clone();
        }
        if let Some(c) = &self.check {
            task.check = c.clone().filter(|c| !c.trim().is_empty());
        }
        if let Some(d) = self.due {
            task.due = d;
        }
        if let Some(b) = &self.body {
            task.body = b.clone();
        }
        Ok(task.to_text() != before)
    }
}

/// What a task is as an owned record: its holder while it is open, none otherwise.
pub fn holding(task: &Task) -> Holding {
    Holding::new(
        format!("{} ({})", task.id, task.title),
        task.holder().into_iter().cloned().collect(),
        task.claimed,
    )
}

/// May `authority`'s agent change `task`? A task held by another agent is refused the way
/// `claim` refuses it (exit 3, naming the holder and since when) unless `--force` is honoured.
pub fn access(authority: &Authority, task: &Task) -> Result<Access, OpError> {
    match authority.check(&holding(task)) {
        Err(AuthorityError::NotYours { .. }) => Err(OpError::Refused {
            id: task.id.clone(),
            title: task.title.clone(),
            refusal: crate::model::task::Refusal::HeldBy {
                agent: task
                    .holder()
                    .cloned()
                    .unwrap_or_else(|| authority.agent().clone()),
                since: task.claimed,
                status: task.status,
            },
        }),
        other => Ok(other?),
    }
}

/// Edits fields of a task. Concurrent edits of different fields both survive, since the patch
/// is applied to whatever the tip holds when the write lands. A task another agent holds is
/// theirs: any field of it (above all `check`, which their `done` runs, and `owns`) changes
/// only with an honoured `--force`.
pub fn edit(store: &Store, actor: &Actor, given: &str, patch: &TaskPatch) -> Result<Task, OpError> {
    edit_as(
        store,
        actor,
        given,
        patch,
        &Authority::unforced(&actor.agent),
    )
}

/// [`edit`] with the acting agent's authority (and its `--force`) decided by the caller.
pub fn edit_as(
    store: &Store,
    actor: &Actor,
    given: &str,
    patch: &TaskPatch,
    authority: &Authority,
) -> Result<Task, OpError> {
    patch.validate()?;
    let committed = store.update(&actor.author(), |snap| {
        let mut task = find_task(snap, given)?;
        let mut access = access(authority, &task)?;
        let mut patch = patch.clone();
        if let Some(Some(m)) = &patch.milestone {
            patch.milestone = Some(milestone_ref(snap, Some(m))?);
        }
        let owns_before = task.owns.clone();
        if !patch.apply(&mut task)? {
            return Ok(Plan::Skip(task));
        }
        task.updated = actor.now;
        // A held task's owns are its holder's exclusive claims: new ones are taken now, and
        // checked like `own` (second review H2: an edit made one path two agents').
        let mut conflicts = Vec::new();
        if patch.owns.is_some() && task.owns != owns_before {
            let (claim_access, edits) = recheck_owns(store, snap, actor, &task, authority)?;
            if claim_access.is_forced() {
                access = claim_access;
            }
            conflicts = edits;
        }
        let trailers: Vec<_> = access.trailer().into_iter().collect();
        let mut plan = task_plan(snap, actor, "edit", &task, None, &trailers, task.clone())?;
        if let Plan::Commit { edits, .. } = &mut plan {
            edits.extend(conflicts);
        }
        Ok::<_, OpError>(plan)
    })?;
    Ok(committed.value)
}

/// Adds (`add = true`) or removes a dependency: `given` depends on `needs`.
pub fn set_dependency(
    store: &Store,
    actor: &Actor,
    given: &str,
    needs: &str,
    add: bool,
    authority: &Authority,
) -> Result<(Task, bool), OpError> {
    let committed = store.update(&actor.author(), |snap| {
        let mut task = find_task(snap, given)?;
        let access = access(authority, &task)?;
        let dep = resolve_task(snap, needs)?;
        if add && dep == task.id {
            return Err(OpError::Invalid(InvalidField {
                field: "depends_on",
                message: format!("{} cannot depend on itself", task.id),
            }));
        }
        let present = task.depends_on.contains(&dep);
        if present == add {
            return Ok(Plan::Skip((task, false)));
        }
        if add {
            check_new_edge(store, snap, &task.id, &dep)?;
        }
        if add {
            task.depends_on.push(dep.clone());
        } else {
            task.depends_on.retain(|d| d != &dep);
        }
        task.updated = actor.now;
        let op = if add { "dep-add" } else { "dep-rm" };
        let context = format!(
            "{} {} {dep}",
            task.id,
            if add { "needs" } else { "no longer needs" }
        );
        let trailers: Vec<_> = access.trailer().into_iter().collect();
        task_plan(
            snap,
            actor,
            op,
            &task,
            Some(&context),
            &trailers,
            (task.clone(), true),
        )
    })?;
    Ok(committed.value)
}

/// The state of `task`'s dependencies on this snapshot.
pub fn dependency_state(snap: &Snapshot<'_>, task: &Task) -> Result<DepState, OpError> {
    let mut waiting = Vec::new();
    for dep in &task.depends_on {
        let done = match read_task(snap, dep) {
            Ok(Some(d)) => d.status.is_closed(),
            Ok(None) | Err(OpError::Record(_)) => false,
            Err(e) => return Err(e),
        };
        if !done {
            waiting.push(dep.clone());
        }
    }
    Ok(DepState { waiting })
}

/// The outcome of a transition.
#[derive(Debug)]
pub struct Transitioned {
    pub task: Task,
    pub applied: Applied,
}

/// Claims, starts, releases, blocks, finishes… a task, atomically: the decision is made on
/// the tip the commit lands on, so two agents can never both win a claim. An action's `force`
/// counts only as far as the project's `coordinators` allow (see [`transition_as`]).
pub fn transition(
    store: &Store,
    actor: &Actor,
    given: &str,
    action: &Action,
    trailers: &[(&str, &str)],
) -> Result<Transitioned, OpError> {
    let authority = Authority::new(store, &actor.agent, action.force())?;
    transition_as(store, actor, given, action, trailers, &authority)
}

/// [`transition`] with the acting agent's authority decided by the caller (which printed its
/// warning). A forced change of another agent's task carries `Coord-Forced-By`.
pub fn transition_as(
    store: &Store,
    actor: &Actor,
    given: &str,
    action: &Action,
    trailers: &[(&str, &str)],
    authority: &Authority,
) -> Result<Transitioned, OpError> {
    let committed = store.update(&actor.author(), |snap| {
        let mut task = find_task(snap, given)?;
        let before = task.holder().cloned();
        let (applied, mut access) = decide(snap, actor, &mut task, action, authority)?;
        if applied == Applied::Unchanged {
            return Ok(Plan::Skip(Transitioned { task, applied }));
        }
        let (claim_access, conflicts) = owns_after(
            store,
            snap,
            actor,
            action,
            &task,
            before.as_ref(),
            authority,
        )?;
        if claim_access.is_forced() {
            access = claim_access;
        }
        let context = match action {
            Action::Block { reason, .. } => format!("{} (blocked: {reason})", task.title),
            _ => task.title.clone(),
        };
        let mut trailers = trailers.to_vec();
        trailers.extend(access.trailer());
        let mut plan = task_plan(
            snap,
            actor,
            action.name(),
            &task,
            Some(&context),
            &trailers,
            (),
        )?;
        if let Plan::Commit { edits, .. } = &mut plan {
            edits.extend(conflicts);
        }
        Ok::<_, OpError>(plan.map(|()| Transitioned { task, applied }))
    })?;
    Ok(committed.value)
}

/// When `task` has just become its holder's (it was `before`'s, or nobody's), its `owns`
/// become that agent's exclusive claims: refused like `own` where they overlap another
/// agent's live exclusive claim (exit 3), unless an honoured `--force`, which opens a conflict
/// record per collision (the edits returned) and signs the commit.
pub fn take_owns(
    store: &Store,
    snap: &Snapshot<'_>,
    actor: &Actor,
    task: &Task,
    before: Option<&AgentId>,
    authority: &Authority,
) -> Result<(Access, Vec<Edit>), OpError> {
    let Some(holder) = task.holder() else {
        return Ok((Access::Own, Vec::new()));
    };
    if before == Some(holder) || task.owns.is_empty() {
        return Ok((Access::Own, Vec::new()));
    }
    let (found, access) = super::ownership::exclusive_collisions(
        store,
        snap,
        holder,
        actor.now,
        &task.owns,
        Some(&task.id),
        authority,
    )?;
    let (_, edits) = super::ownership::collision_conflicts(snap, actor, holder, &found)?;
    Ok((access, edits))
}

/// [`take_owns`] for a holder who already held the task (`start` of an assigned task, an
/// edit of a held task's `owns`): its claims may never have been checked (an assignment
/// written by hand or by an older git-coord, second review H2), so they are checked now,
/// except collisions a conflict record already names (taken by a forced claim or assign).
pub fn recheck_owns(
    store: &Store,
    snap: &Snapshot<'_>,
    actor: &Actor,
    task: &Task,
    authority: &Authority,
) -> Result<(Access, Vec<Edit>), OpError> {
    let Some(holder) = task.holder() else {
        return Ok((Access::Own, Vec::new()));
    };
    if task.owns.is_empty() {
        return Ok((Access::Own, Vec::new()));
    }
    let (recorded, _) = super::conflict::load_conflicts(snap)?;
    let (found, access) = super::ownership::exclusive_collisions_except(
        store,
        snap,
        holder,
        actor.now,
        &task.owns,
        Some(&task.id),
        authority,
        &recorded,
    )?;
    let (_, edits) = super::ownership::collision_conflicts(snap, actor, holder, &found)?;
    Ok((access, edits))
}

/// The task's claims as `action` leaves them: taken now (checked like `own`) when the task
/// has just become its holder's, and re-checked on `start`.
fn owns_after(
    store: &Store,
    snap: &Snapshot<'_>,
    actor: &Actor,
    action: &Action,
    task: &Task,
    before: Option<&AgentId>,
    authority: &Authority,
) -> Result<(Access, Vec<Edit>), OpError> {
    if matches!(action, Action::Start { .. }) && before.is_some() && before == task.holder() {
        recheck_owns(store, snap, actor, task, authority)
    } else {
        take_owns(store, snap, actor, task, before, authority)
    }
}

/// Decides `action` on `task` as read from `snap`: the authority check first (a `claim` is
/// never forced; the state machine refuses a held task for it), then the state machine.
fn decide(
    snap: &Snapshot<'_>,
    actor: &Actor,
    task: &mut Task,
    action: &Action,
    authority: &Authority,
) -> Result<(Applied, Access), OpError> {
    let access = match action {
        Action::Claim => Access::Own,
        _ => access(authority, task)?,
    };
    let deps = match action {
        Action::Claim | Action::Start { .. } => dependency_state(snap, task)?,
        _ => DepState::default(),
    };
    // The state machine skips its own holder check only for a change the authority allowed.
    let action = with_force(action, access.is_forced());
    let applied = task
        .apply(&action, &actor.agent, actor.now, &deps)
        .map_err(|refusal| OpError::Refused {
            id: task.id.clone(),
            title: task.title.clone(),
            refusal,
        })?;
    Ok((applied, access))
}

/// `action` with its `force` set to `force` (a claim has none).
fn with_force(action: &Action, force: bool) -> Action {
    match action.clone() {
        Action::Claim => Action::Claim,
        Action::Start { .. } => Action::Start { force },
        Action::Release { .. } => Action::Release { force },
        Action::Review { .. } => Action::Review { force },
        Action::Block { reason, .. } => Action::Block { reason, force },
        Action::Unblock { .. } => Action::Unblock { force },
        Action::Cancel { .. } => Action::Cancel { force },
        Action::Done { .. } => Action::Done { force },
    }
}

/// Checks, on the current tip and without writing, that `action` would be allowed: who holds
/// the task, then its state. `done` calls it before running a check, so a refused `done` runs
/// nothing. Returns the task as it is now.
pub fn preflight(
    store: &Store,
    actor: &Actor,
    given: &str,
    action: &Action,
    authority: &Authority,
) -> Result<Task, OpError> {
    let snap = store.snapshot()?;
    let task = find_task(&snap, given)?;
    let mut after = task.clone();
    decide(&snap, actor, &mut after, action, authority)?;
    owns_after(
        store,
        &snap,
        actor,
        action,
        &after,
        task.holder(),
        authority,
    )?;
    Ok(task)
}

/// Which tasks `task list` shows.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Only these statuses; empty means every open status (all but done and cancelled),
    /// or every status with `all`.
    pub statuses: Vec<Status>,
    pub assignee: Option<AgentId>,
    pub all: bool,
}

impl Filter {
    pub fn matches(&self, t: &Task) -> bool {
        let status_ok = if self.statuses.is_empty() {
            self.all || !t.status.is_closed()
        } else {
            self.statuses.contains(&t.status)
        };
        status_ok
            && self
                .assignee
                .as_ref()
                .is_none_or(|a| t.assignee.as_ref() == Some(a))
    }
}

/// Lists tasks in a stable order: priority, then age, then ID. Unreadable records are
/// returned separately so the caller can warn and go on.
pub fn list(store: &Store, filter: &Filter) -> Result<(Vec<Task>, Vec<RecordError>), OpError> {
    let snap = store.snapshot()?;
    let (mut tasks, problems) = super::index::load(store, &snap)?;
    tasks.retain(|t| filter.matches(t));
    tasks.sort_by(|a, b| (a.priority, a.created, &a.id).cmp(&(b.priority, b.created, &b.id)));
    Ok((tasks, problems))
}

/// One task by ID or unique prefix.
pub fn show(store: &Store, given: &str) -> Result<Task, OpError> {
    let snap = store.snapshot()?;
    find_task(&snap, given)
}

/// Refuses a dependency edge that would close a cycle, naming the cycle.
pub fn check_new_edge(
    store: &Store,
    snap: &Snapshot<'_>,
    task: &TaskId,
    needs: &TaskId,
) -> Result<(), OpError> {
    let (tasks, _) = super::index::load(store, snap)?;
    let g = crate::graph::TaskGraph::new(&tasks);
    if let Some(cycle) = g.cycle_through(task, needs) {
        let named = cycle
            .into_iter()
            .map(|id| {
                let title = g.get(&id).map(|t| t.title.clone()).unwrap_or_default();
                (id, title)
            })
            .collect();
        return Err(OpError::Cycle { cycle: named });
    }
    Ok(())
}
