/*!
`dispatch` and `rebalance` (DESIGN §5, §8): handing ready work to the agents that can take it,
and moving assigned-but-unstarted work off agents that cannot.

Who can take work: a registered agent that is not stale (seen within `coord.staleAfter`), not
offline or retired, whose expertise fits the task, and that holds fewer open tasks than
`coord.capacity` (default 2). Ready tasks go out critical path first (zero slack), then in the
ready order (priority, slack, age); each to the least-loaded agent that can take it (fewest
open hours, then fewest tasks, then ID; the same rule as `assign --to auto`), the load
counting what this dispatch already gave it. `rebalance` does the same for tasks that are
assigned but not started (`todo`) and held by an agent that is stale, offline, retired or
over its capacity (the excess, lowest in the ready order first).

A plan is computed on one snapshot, then carried out one `assign` at a time (each its own
commit, re-checked on the tip it commits onto, so a task claimed in between is reported, not
taken), then one message per agent that got work. `--dry-run` computes the plan and writes
nothing.
*/

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::authority::Authority;
use super::memory::{self, Outgoing};
use super::schedule::{self, Assignee};
use super::{Actor, OpError, agent, index, plan};
use crate::graph::{self, Scheduled};
use crate::model::message::Message;
use crate::model::message::{Kind, Recipient};
use crate::model::{Agent, AgentId, Status, Task, TaskId, Timestamp};
use crate::store::Store;

/// How many open tasks an agent may hold before dispatch gives it no more.
pub const DEFAULT_CAPACITY: usize = 2;

/// `coord.capacity`, or the default when unset or not a positive number.
pub fn capacity(store: &Store) -> usize {
    store
        .config_string("coord.capacity")
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(DEFAULT_CAPACITY)
}

/// `coord.autoDispatch`: whether `done` dispatches what it unblocked without being asked.
pub fn auto_dispatch(store: &Store) -> bool {
    store.config_string("coord.autoDispatch").is_some_and(|v| {
        matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "true" | "yes" | "on" | "1"
        )
    })
}

/// One task handed to an agent (or moved to it).
#[derive(Clone, Debug, Serialize)]
pub struct Assignment {
    pub task: TaskId,
    pub title: String,
    pub to: AgentId,
    /// The agent it is taken from (`rebalance`); `null` for unassigned work.
    pub from: Option<AgentId>,
    /// On the critical path (zero slack).
    pub critical: bool,
    /// Why it moves (`rebalance`): `stale`, `offline`, `retired`, `unregistered`, `overloaded`.
    pub reason: Option<String>,
    /// The `assign` command that does it.
    pub command: String,
}

/// A task no agent could take, and why.
#[derive(Clone, Debug, Serialize)]
pub struct Unplaced {
    pub task: TaskId,
    pub title: String,
    pub expertise: Vec<String>,
    pub why: String,
}

/// An agent left out of the dispatch, and why (`stale`, `offline`, `retired`, `full`).
#[derive(Clone, Debug, Serialize)]
pub struct Skipped {
    pub agent: AgentId,
    pub why: String,
}

/// What a dispatch or rebalance does (or, with `--dry-run`, would do).
#[derive(Clone, Debug, Default, Serialize)]
pub struct DispatchReport {
    pub dry_run: bool,
    pub capacity: usize,
    pub assignments: Vec<Assignment>,
    pub unplaced: Vec<Unplaced>,
    pub skipped_agents: Vec<Skipped>,
    /// Assignments that could not be carried out (the tip moved: the task was claimed, the
    /// agent's files collide…), with the error.
    pub failed: Vec<Failed>,
    /// The messages sent, one per agent that got work.
    pub messages: Vec<Sent>,
}

/// An assignment the tip refused when it was carried out.
#[derive(Clone, Debug, Serialize)]
pub struct Failed {
    pub task: TaskId,
    pub error: String,
}

/// A message sent to an agent that got work.
#[derive(Clone, Debug, Serialize)]
pub struct Sent {
    pub agent: AgentId,
    pub message: String,
}

/// Why an agent cannot take new work at all, if it cannot.
fn unavailable(a: &Agent, now: Timestamp, stale_after: i64) -> Option<&'static str> {
    match a.status.as_str() {
        "offline" => Some("offline"),
        "retired" => Some("retired"),
        _ if agent::is_stale(a, now, stale_after) => Some("stale"),
        _ => None,
    }
}

/// The agents that can take work, with their current load (open hours, open tasks).
struct Pool {
    agents: Vec<(Agent, f64, usize)>,
    capacity: usize,
}

impl Pool {
    /// The least-loaded agent with free capacity that fits `task`, other than `not`.
    fn pick(&self, task: &Task, not: Option<&AgentId>) -> Option<usize> {
        self.agents
            .iter()
            .enumerate()
            .filter(|(_, (a, _, n))| *n < self.capacity && Some(&a.id) != not)
            .filter(|(_, (a, _, _))| graph::fits(task, &a.expertise))
            .min_by(|(_, x), (_, y)| {
                x.1.total_cmp(&y.1)
                    .then(x.2.cmp(&y.2))
                    .then(x.0.id.cmp(&y.0.id))
            })
            .map(|(i, _)| i)
    }

    fn take(&mut self, i: usize, hours: f64) {
        self.agents[i].1 += hours;
        self.agents[i].2 += 1;
    }
}

/// What the plans need from one snapshot: its tasks and agents (loaded here, or handed in by
/// a caller that loaded them already, as `status` does) and the settings that judge them.
pub struct Loaded<'a> {
    pub tasks: &'a [Task],
    pub agents: &'a [Agent],
    pub default_hours: f64,
    pub stale_after: i64,
    pub capacity: usize,
    /// Each holder's open hours and open tasks, counted once.
    loads: HashMap<&'a AgentId, (f64, usize)>,
}

/// The tasks and agents of the tip, owned.
struct Owned {
    tasks: Vec<Task>,
    agents: Vec<Agent>,
}

fn load(store: &Store) -> Result<Owned, OpError> {
    let snap = store.snapshot()?;
    let (tasks, _) = index::load(store, &snap)?;
    let (agents, _) = agent::load(&snap)?;
    Ok(Owned { tasks, agents })
}

impl Owned {
    fn view<'a>(&'a self, store: &Store) -> Loaded<'a> {
        Loaded::new(store, &self.tasks, &self.agents)
    }
}

impl<'a> Loaded<'a> {
    /// The settings read from `store` around tasks and agents already loaded.
    pub fn new(store: &Store, tasks: &'a [Task], agents: &'a [Agent]) -> Loaded<'a> {
        let default_hours = plan::default_estimate(store);
        Loaded {
            tasks,
            agents,
            default_hours,
            stale_after: agent::stale_after(store),
            capacity: capacity(store),
            loads: graph::loads(tasks, default_hours),
        }
    }

    /// The open hours and open tasks `agent` holds.
    fn load_of(&self, agent: &AgentId) -> (f64, usize) {
        self.loads.get(agent).copied().unwrap_or_default()
    }

    /// The schedule and ready set of the tasks, computed once for all the plans of one call.
    fn planned(&self) -> Scheduled<'a> {
        Scheduled::of(self.tasks, self.default_hours)
    }

    /// The available agents with their load, and the ones left out.
    fn pool(&self, now: Timestamp) -> (Pool, Vec<Skipped>) {
        let mut skipped = Vec::new();
        let mut agents = Vec::new();
        for a in self.agents {
            if let Some(why) = unavailable(a, now, self.stale_after) {
                skipped.push(Skipped {
                    agent: a.id.clone(),
                    why: why.to_owned(),
                });
                continue;
            }
            let (hours, count) = self.load_of(&a.id);
            if count >= self.capacity {
                skipped.push(Skipped {
                    agent: a.id.clone(),
                    why: "full".to_owned(),
                });
            }
            agents.push((a.clone(), hours, count));
        }
        (
            Pool {
                agents,
                capacity: self.capacity,
            },
            skipped,
        )
    }
}

fn command(task: &TaskId, to: &AgentId, steal: bool) -> String {
    let steal = if steal { " --steal" } else { "" };
    format!("git coord assign {task} --to {to}{steal}")
}

/// The dispatch plan at `now`: ready, unassigned work (only the tasks in `only`, when given)
/// to the agents that can take it.
pub fn plan(
    store: &Store,
    now: Timestamp,
    only: Option<&[TaskId]>,
) -> Result<DispatchReport, OpError> {
    let owned = load(store)?;
    let loaded = owned.view(store);
    Ok(plan_on(&loaded, &loaded.planned(), now, only))
}

fn plan_on(
    loaded: &Loaded<'_>,
    planned: &Scheduled<'_>,
    now: Timestamp,
    only: Option<&[TaskId]>,
) -> DispatchReport {
    let schedule = &planned.schedule;
    let mut ready: Vec<_> = planned
        .ready
        .iter()
        .filter(|r| only.is_none_or(|ids| ids.contains(&r.task.id)))
        .collect();
    let critical = |id: &TaskId| schedule.critical_path.contains(id);
    // Critical path first; the sort is stable, so the ready order holds within each group.
    ready.sort_by_key(|r| !critical(&r.task.id));
    let (mut pool, skipped) = loaded.pool(now);
    let mut report = DispatchReport {
        capacity: loaded.capacity,
        skipped_agents: skipped,
        ..DispatchReport::default()
    };
    for r in ready {
        let task = r.task;
        match pool.pick(task, None) {
            Some(i) => {
                let to = pool.agents[i].0.id.clone();
                pool.take(i, task.hours(loaded.default_hours));
                report.assignments.push(Assignment {
                    command: command(&task.id, &to, false),
                    task: task.id.clone(),
                    title: task.title.clone(),
                    to,
                    from: None,
                    critical: critical(&task.id),
                    reason: None,
                });
            }
            None => report.unplaced.push(Unplaced {
                task: task.id.clone(),
                title: task.title.clone(),
                expertise: task.expertise.clone(),
                why: why_unplaced(loaded, now, task),
            }),
        }
    }
    report
}

fn why_unplaced(loaded: &Loaded<'_>, now: Timestamp, task: &Task) -> String {
    let fitting: Vec<&Agent> = loaded
        .agents
        .iter()
        .filter(|a| graph::fits(task, &a.expertise))
        .collect();
    if fitting.is_empty() {
        return format!(
            "no registered agent has the expertise it needs ({}): add one with `git coord spawn`",
            task.expertise.join(", ")
        );
    }
    if fitting
        .iter()
        .all(|a| unavailable(a, now, loaded.stale_after).is_some())
    {
        return "every agent that fits is stale, offline or retired".to_owned();
    }
    format!(
        "every fresh agent that fits holds {} open task(s) already (coord.capacity)",
        loaded.capacity
    )
}

/// The rebalance plan at `now`: assigned, unstarted work moved off agents that are stale,
/// offline, retired, unregistered or over capacity.
pub fn plan_rebalance(store: &Store, now: Timestamp) -> Result<DispatchReport, OpError> {
    let owned = load(store)?;
    let loaded = owned.view(store);
    Ok(rebalance_on(&loaded, &loaded.planned(), now))
}

fn rebalance_on(loaded: &Loaded<'_>, planned: &Scheduled<'_>, now: Timestamp) -> DispatchReport {
    let schedule = &planned.schedule;
    let critical = |id: &TaskId| schedule.critical_path.contains(id);
    let (mut pool, skipped) = loaded.pool(now);
    // Unstarted tasks per holder, in the order they would be worked on (critical first, then
    // priority, then age); what is beyond capacity is the tail of that order.
    let mut held: BTreeMap<&AgentId, Vec<&Task>> = BTreeMap::new();
    for t in loaded.tasks {
        if t.status == Status::Todo
            && let Some(a) = &t.assignee
        {
            held.entry(a).or_default().push(t);
        }
    }
    let mut moves: Vec<(&Task, &'static str)> = Vec::new();
    for (holder, mut tasks) in held {
        tasks.sort_by(|a, b| {
            (!critical(&a.id))
                .cmp(&!critical(&b.id))
                .then(a.priority.cmp(&b.priority))
                .then(a.created.cmp(&b.created))
                .then(a.id.cmp(&b.id))
        });
        let why = match loaded.agents.iter().find(|a| &a.id == holder) {
            None => Some("unregistered"),
            Some(a) => unavailable(a, now, loaded.stale_after),
        };
        match why {
            Some(why) => moves.extend(tasks.into_iter().map(|t| (t, why))),
            None => {
                let (_, open) = loaded.load_of(holder);
                let excess = open.saturating_sub(loaded.capacity).min(tasks.len());
                let keep = tasks.len() - excess;
                moves.extend(tasks.into_iter().skip(keep).map(|t| (t, "overloaded")));
            }
        }
    }
    moves.sort_by_key(|(t, _)| !critical(&t.id));
    let mut report = DispatchReport {
        capacity: loaded.capacity,
        skipped_agents: skipped,
        ..DispatchReport::default()
    };
    for (task, why) in moves {
        let from = task.assignee.clone();
        match pool.pick(task, from.as_ref()) {
            Some(i) => {
                let to = pool.agents[i].0.id.clone();
                pool.take(i, task.hours(loaded.default_hours));
                report.assignments.push(Assignment {
                    command: command(&task.id, &to, true),
                    task: task.id.clone(),
                    title: task.title.clone(),
                    to,
                    from,
                    critical: critical(&task.id),
                    reason: Some(why.to_owned()),
                });
            }
            None => report.unplaced.push(Unplaced {
                task: task.id.clone(),
                title: task.title.clone(),
                expertise: task.expertise.clone(),
                why: format!(
                    "held by {} ({why}), and {}",
                    from.as_ref().map(AgentId::as_str).unwrap_or("nobody"),
                    why_unplaced(loaded, now, task)
                ),
            }),
        }
    }
    report
}

/// Carries out `report` (unless it is a dry run): one `assign` per assignment, then one
/// message per agent that got work. `authority` is the acting agent's: a coordinator's
/// `--force` for `rebalance`, which takes work another agent holds.
pub fn execute(
    store: &Store,
    actor: &Actor,
    mut report: DispatchReport,
    authority: &Authority,
) -> Result<DispatchReport, OpError> {
    if report.dry_run {
        return Ok(report);
    }
    // Every move is authorised before the first is written: a non-coordinator's rebalance
    // is refused (exit 3) with nothing written, not half done.
    let snap = store.snapshot()?;
    for a in &report.assignments {
        if let Some(task) = super::read_task(&snap, &a.task)? {
            super::task::access(authority, &task)?;
        }
    }
    let mut done = Vec::new();
    for a in std::mem::take(&mut report.assignments) {
        match schedule::assign(
            store,
            actor,
            a.task.as_str(),
            &Assignee::Agent(a.to.clone()),
            authority,
        ) {
            Ok(_) => done.push(a),
            // The tip moved since the plan (the task was claimed or changed): report it and
            // carry on with the rest; anything else is a real failure.
            Err(
                e @ (OpError::Refused { .. } | OpError::Collision { .. } | OpError::Authority(_)),
            ) => report.failed.push(Failed {
                task: a.task.clone(),
                error: e.to_string(),
            }),
            Err(e) => return Err(e),
        }
    }
    let mut by_agent: BTreeMap<&AgentId, Vec<&Assignment>> = BTreeMap::new();
    for a in &done {
        by_agent.entry(&a.to).or_default().push(a);
    }
    for (to, list) in by_agent {
        let subject = match list.as_slice() {
            [one] => format!("Assigned to you: {} {}", one.task, one.title),
            many => format!("Assigned to you: {} tasks", many.len()),
        };
        let mut body = String::from("Work assigned to you, in the order to take it:\n\n");
        for a in &list {
            let note = match (&a.from, a.critical) {
                (Some(from), true) => format!(" (moved from {from}; critical path)"),
                (Some(from), false) => format!(" (moved from {from})"),
                (None, true) => " (critical path)".to_owned(),
                (None, false) => String::new(),
            };
            body.push_str(&format!("- {} {}{note}\n", a.task, a.title));
        }
        body.push_str(
            "\nStart with `git coord next`, which takes what is assigned to you first.\n",
        );
        let m = memory::send(
            store,
            actor,
            &Outgoing {
                to: Recipient::Agent(to.clone()),
                subject,
                body,
                task: match list.as_slice() {
                    [one] => Some(one.task.to_string()),
                    _ => None,
                },
                files: vec![],
                needs_reply: false,
                kind: Kind::Handoff,
            },
        )?;
        report.messages.push(Sent {
            agent: to.clone(),
            message: m.id.to_string(),
        });
    }
    report.assignments = done;
    Ok(report)
}

/// Whether `coord.capacity`, as written, is usable: the warning to show when it is not.
pub fn check_capacity_setting(store: &Store) -> Result<(), String> {
    match store.config_string("coord.capacity") {
        Some(v) if v.trim().parse::<usize>().ok().filter(|n| *n > 0).is_none() => Err(format!(
            "coord.capacity = {v:?} is not a positive whole number; the default {DEFAULT_CAPACITY} applies"
        )),
        _ => Ok(()),
    }
}

/// Ready work piling up for expertise that no available agent has.
#[derive(Clone, Debug, Serialize)]
pub struct SpawnAdvice {
    /// The tags the waiting tasks need.
    pub expertise: Vec<String>,
    pub ready: usize,
    /// The command that adds an agent who could take them.
    pub command: String,
}

/// One agent waiting on another's task: `agent`'s `task` depends on `on_task`, held by `on`.
#[derive(Clone, Debug, Serialize)]
pub struct Wait {
    pub agent: AgentId,
    pub task: TaskId,
    pub on: AgentId,
    pub on_task: TaskId,
}

/// How many messages one agent sent another (`all` for a broadcast).
#[derive(Clone, Debug, Serialize)]
pub struct Traffic {
    pub from: AgentId,
    pub to: String,
    pub messages: usize,
}

/// A consultation that has waited for a reply longer than the messages SLO.
#[derive(Clone, Debug, Serialize)]
pub struct Unanswered {
    pub id: String,
    pub from: AgentId,
    pub to: String,
    pub subject: String,
    pub sent: Timestamp,
    pub hours: f64,
}

/// What the queues say to do (DESIGN §8): the advice `status` and the dashboard show, and the
/// communication matrix.
#[derive(Clone, Debug, Serialize)]
pub struct Advice {
    /// Ready tasks `dispatch` would hand out now.
    pub dispatchable: usize,
    pub spawn: Vec<SpawnAdvice>,
    /// Fresh agents holding nothing, with no ready task that fits them.
    pub idle: Vec<AgentId>,
    /// Assigned, unstarted work that would move off stale or overloaded agents (`rebalance`
    /// runs these commands).
    pub moves: Vec<Assignment>,
    pub waits: Vec<Wait>,
    pub traffic: Vec<Traffic>,
    pub unanswered: Vec<Unanswered>,
}

/// The dispatch advice and communication matrix at `now`; `reply_within_secs` is the messages
/// SLO.
pub fn advice(store: &Store, now: Timestamp, reply_within_secs: i64) -> Result<Advice, OpError> {
    let owned = load(store)?;
    let (messages, _) = memory::load_messages(&store.snapshot()?)?;
    let loaded = owned.view(store);
    Ok(advice_on(
        &loaded,
        &loaded.planned(),
        &messages,
        now,
        reply_within_secs,
    ))
}

/// [`advice`] on records the caller loaded already (one read of the tip for all of `status`).
pub fn advice_on(
    loaded: &Loaded<'_>,
    planned: &Scheduled<'_>,
    messages: &[Message],
    now: Timestamp,
    reply_within_secs: i64,
) -> Advice {
    let ready = &planned.ready;
    let (pool, _) = loaded.pool(now);
    let mut spawn: BTreeMap<Vec<String>, usize> = BTreeMap::new();
    for r in ready {
        if !pool
            .agents
            .iter()
            .any(|(a, _, _)| graph::fits(r.task, &a.expertise))
        {
            let mut tags = r.task.expertise.clone();
            tags.sort();
            *spawn.entry(tags).or_default() += 1;
        }
    }
    let idle = pool
        .agents
        .iter()
        .filter(|(a, _, open)| {
            *open == 0 && !ready.iter().any(|r| graph::fits(r.task, &a.expertise))
        })
        .map(|(a, _, _)| a.id.clone())
        .collect();
    let mut waits = Vec::new();
    // An agent waits on another's open task it depends on: only open, held tasks matter.
    let held: HashMap<&TaskId, &Task> = loaded
        .tasks
        .iter()
        .filter(|t| !t.status.is_closed() && t.assignee.is_some())
        .map(|t| (&t.id, t))
        .collect();
    for t in held.values() {
        let Some(agent) = &t.assignee else { continue };
        for d in &t.depends_on {
            if let Some(dep) = held.get(d)
                && let Some(on) = &dep.assignee
                && on != agent
            {
                waits.push(Wait {
                    agent: agent.clone(),
                    task: t.id.clone(),
                    on: on.clone(),
                    on_task: dep.id.clone(),
                });
            }
        }
    }
    waits.sort_by(|a, b| (&a.agent, &a.task, &a.on_task).cmp(&(&b.agent, &b.task, &b.on_task)));
    let mut traffic: BTreeMap<(AgentId, String), usize> = BTreeMap::new();
    for m in messages {
        *traffic
            .entry((m.from.clone(), m.to.to_string()))
            .or_default() += 1;
    }
    let mut unanswered: Vec<Unanswered> = memory::annotate(messages, now, reply_within_secs)
        .into_iter()
        .filter(|i| i.reply_overdue)
        .map(|i| Unanswered {
            hours: ((now.unix() - i.message.sent.unix()) as f64 / 36.0).round() / 100.0,
            id: i.message.id.to_string(),
            from: i.message.from.clone(),
            to: i.message.to.to_string(),
            subject: i.message.subject.clone(),
            sent: i.message.sent,
        })
        .collect();
    unanswered.sort_by(|a, b| a.sent.cmp(&b.sent).then(a.id.cmp(&b.id)));
    Advice {
        dispatchable: plan_on(loaded, planned, now, None).assignments.len(),
        spawn: spawn
            .into_iter()
            .map(|(expertise, ready)| SpawnAdvice {
                command: format!(
                    "git coord spawn <name> --expertise {}",
                    if expertise.is_empty() {
                        "<tags>".to_owned()
                    } else {
                        expertise.join(",")
                    }
                ),
                expertise,
                ready,
            })
            .collect(),
        idle,
        moves: rebalance_on(loaded, planned, now).assignments,
        waits,
        traffic: traffic
            .into_iter()
            .map(|((from, to), messages)| Traffic { from, to, messages })
            .collect(),
        unanswered,
    }
}
