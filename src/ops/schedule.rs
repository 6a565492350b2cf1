/*!
Scheduling operations: the ready list, `next` (claim the best ready task that fits me),
`assign` (dispatch by a coordinator), the critical path, and what finishing a task unblocks.
All of them work on the cached task index of one snapshot.
*/

use std::collections::BTreeMap;

use serde::Serialize;

use super::task::task_plan;
use super::{Actor, OpError, agent, index};
use crate::graph::{self, TaskGraph, Timing};
use crate::model::layout;
use crate::model::task::Refusal;
use crate::model::{AgentId, RecordError, Status, Task, TaskId, Timestamp};
use crate::store::{Plan, Snapshot, Store};

/// Problems found while loading or analysing, for commands to print as warnings.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Warnings {
    pub records: Vec<RecordError>,
    pub cycles: Vec<Vec<TaskId>>,
}

impl Warnings {
    pub fn messages(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .records
            .iter()
            .map(|e| format!("skipped {e}"))
            .collect();
        for c in &self.cycles {
            let ids: Vec<&str> = c.iter().map(TaskId::as_str).collect();
            out.push(format!(
                "dependency cycle {}: these tasks can never be ready; remove an edge with `git coord task dep rm`",
                ids.join(" → ")
            ));
        }
        out
    }
}

/// All tasks of a snapshot with their schedule.
pub struct Loaded {
    pub tasks: Vec<Task>,
    pub warnings: Warnings,
    pub default_hours: f64,
}

fn load(store: &Store, snap: &Snapshot<'_>) -> Result<Loaded, OpError> {
    let (tasks, records) = index::load(store, snap)?;
    Ok(Loaded {
        tasks,
        warnings: Warnings {
            records,
            cycles: Vec::new(),
        },
        default_hours: super::plan::default_estimate(store),
    })
}

/// One entry of the ready list.
#[derive(Clone, Debug, Serialize)]
pub struct ReadyItem {
    #[serde(flatten)]
    pub task: Task,
    pub path: String,
    /// Hours this task can slip without delaying the whole plan (`null` when unscheduled).
    pub slack: Option<f64>,
    /// Dependencies that were cancelled rather than done.
    pub cancelled_deps: Vec<TaskId>,
    pub overdue: bool,
    /// Assigned to the agent whose view this is but not started yet (false in the shared
    /// ready list).
    pub assigned: bool,
}

#[derive(Clone, Debug, Default)]
pub struct ReadyOptions {
    /// Only tasks an agent with this expertise can take (`None`: every ready task, or with
    /// `agent`, the tasks that fit that agent's registered expertise).
    pub expertise: Option<Vec<String>>,
    /// The view of this agent: its assigned, not started tasks first (whatever their
    /// expertise: a coordinator chose it), then the unassigned ready tasks that fit it.
    pub agent: Option<AgentId>,
    pub limit: Option<usize>,
}

pub fn is_overdue(task: &Task, now: Timestamp) -> bool {
    !task.status.is_closed() && task.due.is_some_and(|d| d < now)
}

/// Tasks that can be started now, best first; with `opts.agent`, as that agent sees it.
/// Served from the task view: only the records listed are decoded.
pub fn ready(
    store: &Store,
    opts: &ReadyOptions,
    now: Timestamp,
) -> Result<(Vec<ReadyItem>, Warnings), OpError> {
    let snap = store.snapshot()?;
    let view = index::TaskView::open(store, &snap, super::plan::default_estimate(store))?;
    let mut opts = opts.clone();
    if let (Some(agent), None) = (&opts.agent, &opts.expertise) {
        opts.expertise = Some(expertise_of(&snap, agent));
    }
    let expertise = opts.expertise.clone().unwrap_or_default();
    let mut items = Vec::new();
    for entry in view.ready(opts.agent.as_ref(), &expertise) {
        if items.len() >= opts.limit.unwrap_or(usize::MAX) {
            break;
        }
        if !(entry.assigned || opts.expertise.is_none() || entry.fits()) {
            continue;
        }
        let task = view.task(entry.row)?;
        items.push(ReadyItem {
            path: layout::task_path(&task.id),
            overdue: is_overdue(&task, now),
            slack: entry.slack,
            cancelled_deps: entry.cancelled_deps,
            assigned: entry.assigned,
            task,
        });
    }
    let warnings = Warnings {
        records: view.problems().to_vec(),
        cycles: view.cycles(),
    };
    Ok((items, warnings))
}

/// The outcome of `next`.
pub enum Next {
    Claimed(Box<Task>),
    /// Nothing was claimed: how many tasks were ready in all, and how many of those that were
    /// mine or fitted me were skipped (a record that could not be claimed, files another
    /// agent holds; each named in the warnings).
    Nothing {
        ready: usize,
        skipped: usize,
    },
}

/// The expertise `agent` registered (none when it has no readable registry entry: then only
/// tasks that ask for no expertise fit it).
fn expertise_of(snap: &Snapshot<'_>, agent: &AgentId) -> Vec<String> {
    agent::read(snap, agent)
        .ok()
        .flatten()
        .map(|a| a.expertise)
        .unwrap_or_default()
}

/// Claims, atomically, the acting agent's best ready work: a task assigned to it and not
/// started, else the best unassigned ready task that fits its expertise. When two agents ask
/// at once, the loser re-plans on the winner's commit and gets another task.
pub fn next(store: &Store, actor: &Actor) -> Result<(Next, Warnings), OpError> {
    let default_hours = super::plan::default_estimate(store);
    let committed = store.update(&actor.author(), |snap| {
        let view = index::TaskView::open(store, snap, default_hours)?;
        let expertise = expertise_of(snap, &actor.agent);
        let mut warnings = Warnings {
            records: view.problems().to_vec(),
            cycles: view.cycles(),
        };
        let ready_count = view.ready(Some(&actor.agent), &expertise).count();
        // Candidates in ready order. The index is derived data: should the record itself be
        // missing, unreadable or no longer claimable, that task is skipped with a warning and
        // the next one is tried, so one bad record never jams `next` for every agent.
        let mut claimed = None;
        let mut skipped = 0;
        for entry in view
            .ready(Some(&actor.agent), &expertise)
            .filter(|r| r.assigned || r.fits())
        {
            let id = TaskId::trusted(view.id(entry.row));
            let path = layout::task_path(&id);
            let skip = |message: String| RecordError {
                path: path.clone(),
                line: None,
                message,
            };
            // Re-read the record itself (not the cache) so the write keeps hand-made fields.
            let mut task = match super::read_task(snap, &id) {
                Ok(Some(task)) => task,
                Ok(None) => {
                    warnings.records.push(skip(format!(
                        "{} is listed as ready but has no record here; not claimed",
                        id
                    )));
                    skipped += 1;
                    continue;
                }
                Err(OpError::Record(e)) => {
                    warnings.records.push(e);
                    skipped += 1;
                    continue;
                }
                Err(e) => return Err(e),
            };
            match task.apply(
                &crate::model::Action::Claim,
                &actor.agent,
                actor.now,
                &Default::default(),
            ) {
                Ok(_) => {
                    // A task whose `owns` another agent holds exclusively is not this
                    // agent's to take (DESIGN §6): skip it, say why, try the next one.
                    let unforced = super::authority::Authority::unforced(&actor.agent);
                    match super::task::take_owns(store, snap, actor, &task, None, &unforced) {
                        Ok(_) => {
                            claimed = Some(task);
                            break;
                        }
                        Err(OpError::Collision { collisions }) => {
                            skipped += 1;
                            let held: Vec<String> = collisions
                                .iter()
                                .map(|c| format!("{} holds {}", c.holder, c.held_pattern))
                                .collect();
                            warnings.records.push(skip(format!(
                                "{} owns files another agent holds exclusively ({}); not claimed",
                                id,
                                held.join(", ")
                            )));
                        }
                        Err(e) => return Err(e),
                    }
                }
                Err(refusal) => {
                    skipped += 1;
                    warnings.records.push(skip(format!(
                        "{} is listed as ready but its record says {}; not claimed",
                        id,
                        super::describe_refusal(&refusal)
                    )));
                }
            }
        }
        let Some(task) = claimed else {
            return Ok(Plan::Skip((
                Next::Nothing {
                    ready: ready_count,
                    skipped,
                },
                warnings,
            )));
        };
        let plan = task_plan(
            snap,
            actor,
            "claim",
            &task,
            None,
            &[("Coord-Via", "next")],
            (),
        );
        plan.map(|p| p.map(|()| (Next::Claimed(Box::new(task)), warnings)))
    })?;
    Ok(committed.value)
}

/// Who `assign` gives a task to.
#[derive(Clone, Debug)]
pub enum Assignee {
    Agent(AgentId),
    /// The least-loaded fresh agent whose expertise fits.
    Auto,
}

/// Gives a task to an agent. A task another agent holds is refused unless `steal`.
pub fn assign(
    store: &Store,
    actor: &Actor,
    given: &str,
    to: &Assignee,
    steal: &super::authority::Authority,
) -> Result<(Task, bool), OpError> {
    let stale_after = agent::stale_after(store);
    let committed = store.update(&actor.author(), |snap| {
        let mut task = super::find_task(snap, given)?;
        let target = match to {
            Assignee::Agent(a) => a.clone(),
            Assignee::Auto => {
                let plan = load(store, snap)?;
                let (agents, _) = agent::load(snap)?;
                agents
                    .iter()
                    .filter(|a| {
                        a.status != "offline" && !agent::is_stale(a, actor.now, stale_after)
                    })
                    .filter(|a| graph::fits(&task, &a.expertise))
                    .map(|a| {
                        let (hours, count) = graph::load_of(&plan.tasks, &a.id, plan.default_hours);
                        (hours, count, a.id.clone())
                    })
                    .min_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)))
                    .map(|(_, _, id)| id)
                    .ok_or_else(|| OpError::NoAgentFits {
                        id: task.id.clone(),
                        expertise: task.expertise.clone(),
                    })?
            }
        };
        if task.status.is_closed() {
            return Err(OpError::Refused {
                id: task.id.clone(),
                title: task.title.clone(),
                refusal: Refusal::NotAllowed {
                    status: task.status,
                    action: "assign",
                    why: "it is closed".to_owned(),
                },
            });
        }
        match &task.assignee {
            Some(a) if a == &target => return Ok(Plan::Skip((task, false))),
            Some(holder) if !steal.force_asked() => {
                return Err(OpError::Refused {
                    id: task.id.clone(),
                    title: task.title.clone(),
                    refusal: Refusal::HeldBy {
                        agent: holder.clone(),
                        since: task.claimed,
                        status: task.status,
                    },
                });
            }
            _ => {}
        }
        // --steal is a --force: a coordinator's (DESIGN §3 "Authority"), named in the commit.
        let mut access = super::task::access(steal, &task)?;
        task.assignee = Some(target.clone());
        task.claimed = Some(actor.now);
        task.updated = actor.now;
        // The assignee becomes the holder of the task's owns: they are checked like `own`
        // (second review H2), and a coordinator's --steal over a collision opens a conflict.
        let (claim_access, conflicts) =
            super::task::take_owns(store, snap, actor, &task, None, steal)?;
        if claim_access.is_forced() {
            access = claim_access;
        }
        let trailers: Vec<_> = access.trailer().into_iter().collect();
        let context = format!("{} → {target}", task.title);
        let mut plan = task_plan(
            snap,
            actor,
            "assign",
            &task,
            Some(&context),
            &trailers,
            (task.clone(), true),
        )?;
        if let Plan::Commit { edits, .. } = &mut plan {
            edits.extend(conflicts);
        }
        Ok::<_, OpError>(plan)
    })?;
    Ok(committed.value)
}

/// The critical path of the remaining work and the timing of every open task.
#[derive(Clone, Debug, Serialize)]
pub struct PathReport {
    /// Task IDs on the critical path, first to last.
    pub tasks: Vec<TaskId>,
    pub total_hours: f64,
    /// Slack of every scheduled open task, in hours.
    pub slack: BTreeMap<TaskId, f64>,
    pub timing: BTreeMap<TaskId, Timing>,
    /// Open tasks that cannot be scheduled because of a cycle.
    pub unscheduled: Vec<TaskId>,
    pub overdue: Vec<TaskId>,
    #[serde(skip)]
    pub path_tasks: Vec<Task>,
    #[serde(skip)]
    pub warnings: Warnings,
}

pub fn critical_path(store: &Store, now: Timestamp) -> Result<PathReport, OpError> {
    let snap = store.snapshot()?;
    let view = index::TaskView::open(store, &snap, super::plan::default_estimate(store))?;
    let s = view.schedule();
    let warnings = Warnings {
        records: view.problems().to_vec(),
        cycles: view.cycles(),
    };
    let path_tasks = view
        .critical_rows()
        .map(|row| view.task(row))
        .collect::<Result<_, _>>()?;
    Ok(PathReport {
        tasks: s.critical_path,
        total_hours: s.total_hours,
        slack: s
            .timing
            .iter()
            .map(|(id, t)| (id.clone(), t.slack))
            .collect(),
        timing: s.timing.into_iter().collect(),
        unscheduled: s.unscheduled,
        overdue: view.overdue(now),
        path_tasks,
        warnings,
    })
}

/// Tasks that became ready because `done` closed `id`: dependents whose dependencies are
/// now all closed and that nobody holds.
pub fn unblocked_by(store: &Store, id: &TaskId) -> Result<Vec<Task>, OpError> {
    let snap = store.snapshot()?;
    let (tasks, _) = index::load(store, &snap)?;
    let g = TaskGraph::new(&tasks);
    Ok(g.dependents(id)
        .into_iter()
        .filter(|t| t.status == Status::Todo && t.assignee.is_none())
        .filter(|t| {
            t.depends_on
                .iter()
                .all(|d| g.get(d).is_some_and(|d| d.status.is_closed()))
        })
        .cloned()
        .collect())
}
