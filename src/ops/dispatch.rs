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

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use super::authority::Authority;
use super::memory::{self, Outgoing};
use super::plan::Work;
use super::schedule::{self, Assignee};
use super::{Actor, OpError, agent, index, plan};
use crate::graph::Sheet;
use crate::model::message::Message;
use crate::model::message::{Kind, Recipient};
use crate::model::{Agent, AgentId, Status, TaskId, Timestamp};
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

/// The agents that can take work, with their current load (open hours, open tasks) and the
/// expertise tags of the sheet each has.
struct Pool {
    agents: Vec<(Agent, f64, usize)>,
    has: Vec<Vec<bool>>,
    capacity: usize,
}

impl Pool {
    /// The least-loaded agent with free capacity that fits row `row`, other than `not`.
    fn pick(&self, sheet: &Sheet, row: usize, not: Option<&str>) -> Option<usize> {
        self.agents
            .iter()
            .enumerate()
            .filter(|(_, (a, _, n))| *n < self.capacity && Some(a.id.as_str()) != not)
            .filter(|(i, _)| sheet.fits(row, &self.has[*i]))
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

/// What the plans need from one snapshot: its tasks (as rows, with the records at hand) and
/// agents (loaded here, or handed in by a caller that loaded them already, as `status` does)
/// and the settings that judge them.
pub struct Loaded<'a> {
    pub work: &'a Work,
    pub agents: &'a [Agent],
    pub stale_after: i64,
    pub capacity: usize,
    /// Each holder's open hours and open tasks, counted once, by name index of the sheet.
    loads: Vec<(f64, usize)>,
    /// Rows on the critical path.
    critical: HashSet<u32>,
}

/// The tasks and agents of the tip, owned.
struct Owned {
    work: Work,
    agents: Vec<Agent>,
}

fn load(store: &Store) -> Result<Owned, OpError> {
    let snap = store.snapshot()?;
    let view = index::TaskView::open(store, &snap, plan::default_estimate(store))?;
    let work = Work::all(view)?;
    let (agents, _) = agent::load(&snap)?;
    Ok(Owned { work, agents })
}

impl Owned {
    fn view<'a>(&'a self, store: &Store) -> Loaded<'a> {
        Loaded::new(store, &self.work, &self.agents)
    }
}

impl<'a> Loaded<'a> {
    /// The settings read from `store` around work and agents already loaded.
    pub fn new(store: &Store, work: &'a Work, agents: &'a [Agent]) -> Loaded<'a> {
        Loaded {
            work,
            agents,
            stale_after: agent::stale_after(store),
            capacity: capacity(store),
            loads: work.sheet.loads(),
            critical: work.sheet.critical_path().iter().copied().collect(),
        }
    }

    fn sheet(&self) -> &'a Sheet {
        &self.work.sheet
    }

    /// The open hours and open tasks `agent` holds.
    fn load_of(&self, agent: &str) -> (f64, usize) {
        self.sheet()
            .name_index(agent)
            .and_then(|i| self.loads.get(i as usize).copied())
            .unwrap_or_default()
    }

    fn critical(&self, row: usize) -> bool {
        self.critical.contains(&(row as u32))
    }

    /// The available agents with their load, and the ones left out.
    fn pool(&self, now: Timestamp) -> (Pool, Vec<Skipped>) {
        let mut skipped = Vec::new();
        let mut agents = Vec::new();
        let mut has = Vec::new();
        for a in self.agents {
            if let Some(why) = unavailable(a, now, self.stale_after) {
                skipped.push(Skipped {
                    agent: a.id.clone(),
                    why: why.to_owned(),
                });
                continue;
            }
            let (hours, count) = self.load_of(a.id.as_str());
            if count >= self.capacity {
                skipped.push(Skipped {
                    agent: a.id.clone(),
                    why: "full".to_owned(),
                });
            }
            has.push(self.sheet().has(&a.expertise));
            agents.push((a.clone(), hours, count));
        }
        (
            Pool {
                agents,
                has,
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
    Ok(plan_on(&loaded, now, only))
}

/// Each ready row a dispatch considers, with the pool index of the agent it goes to (`None`:
/// nobody can take it).
type Placed = Vec<(usize, Option<usize>)>;

/// Where the dispatch at `now` puts each ready row (of `only`, when given), critical path
/// first, then in the ready order; with the pool it drew from and the agents left out.
fn place(
    loaded: &Loaded<'_>,
    now: Timestamp,
    only: Option<&[TaskId]>,
) -> (Placed, Pool, Vec<Skipped>) {
    let sheet = loaded.sheet();
    let mut ready: Vec<usize> = loaded
        .work
        .ready
        .iter()
        .map(|r| r.index)
        .filter(|&r| only.is_none_or(|ids| ids.iter().any(|id| id.as_str() == sheet.id(r))))
        .collect();
    // Critical path first; the sort is stable, so the ready order holds within each group.
    ready.sort_by_key(|&r| !loaded.critical(r));
    let (mut pool, skipped) = loaded.pool(now);
    let placed = ready
        .into_iter()
        .map(|row| {
            let to = pool.pick(sheet, row, None);
            if let Some(i) = to {
                pool.take(i, sheet.hours(row));
            }
            (row, to)
        })
        .collect();
    (placed, pool, skipped)
}

fn plan_on(loaded: &Loaded<'_>, now: Timestamp, only: Option<&[TaskId]>) -> DispatchReport {
    let sheet = loaded.sheet();
    let (placed, pool, skipped) = place(loaded, now, only);
    let mut report = DispatchReport {
        capacity: loaded.capacity,
        skipped_agents: skipped,
        ..DispatchReport::default()
    };
    for (row, to) in placed {
        let task = sheet.task_id(row);
        match to {
            Some(i) => {
                let to = pool.agents[i].0.id.clone();
                report.assignments.push(Assignment {
                    command: command(&task, &to, false),
                    task,
                    title: loaded.work.title(row),
                    to,
                    from: None,
                    critical: loaded.critical(row),
                    reason: None,
                });
            }
            None => report.unplaced.push(Unplaced {
                task,
                title: loaded.work.title(row),
                expertise: sheet.expertise_tags(row),
                why: why_unplaced(loaded, now, row),
            }),
        }
    }
    report
}

fn why_unplaced(loaded: &Loaded<'_>, now: Timestamp, row: usize) -> String {
    let sheet = loaded.sheet();
    let fitting: Vec<&Agent> = loaded
        .agents
        .iter()
        .filter(|a| sheet.fits(row, &sheet.has(&a.expertise)))
        .collect();
    if fitting.is_empty() {
        return format!(
            "no registered agent has the expertise it needs ({}): add one with `git coord spawn`",
            sheet.expertise_tags(row).join(", ")
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
    Ok(rebalance_on(&loaded, now))
}

fn rebalance_on(loaded: &Loaded<'_>, now: Timestamp) -> DispatchReport {
    let sheet = loaded.sheet();
    let (mut pool, skipped) = loaded.pool(now);
    // Unstarted tasks per holder, in the order they would be worked on (critical first, then
    // priority, then age); what is beyond capacity is the tail of that order.
    let mut held: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for row in 0..sheet.len() {
        if sheet.status(row) == Status::Todo
            && let Some(a) = sheet.assignee(row)
        {
            held.entry(a).or_default().push(row);
        }
    }
    let mut moves: Vec<(usize, &'static str)> = Vec::new();
    for (holder, mut rows) in held {
        rows.sort_by(|&a, &b| {
            (!loaded.critical(a))
                .cmp(&!loaded.critical(b))
                .then(sheet.priority(a).cmp(&sheet.priority(b)))
                .then(sheet.created(a).cmp(&sheet.created(b)))
                .then(sheet.id(a).cmp(sheet.id(b)))
        });
        let why = match loaded.agents.iter().find(|a| a.id.as_str() == holder) {
            None => Some("unregistered"),
            Some(a) => unavailable(a, now, loaded.stale_after),
        };
        match why {
            Some(why) => moves.extend(rows.into_iter().map(|r| (r, why))),
            None => {
                let (_, open) = loaded.load_of(holder);
                let excess = open.saturating_sub(loaded.capacity).min(rows.len());
                let keep = rows.len() - excess;
                moves.extend(rows.into_iter().skip(keep).map(|r| (r, "overloaded")));
            }
        }
    }
    moves.sort_by_key(|&(r, _)| !loaded.critical(r));
    let mut report = DispatchReport {
        capacity: loaded.capacity,
        skipped_agents: skipped,
        ..DispatchReport::default()
    };
    for (row, why) in moves {
        let task = sheet.task_id(row);
        let from = sheet.assignee(row).map(AgentId::trusted);
        match pool.pick(sheet, row, sheet.assignee(row)) {
            Some(i) => {
                let to = pool.agents[i].0.id.clone();
                pool.take(i, sheet.hours(row));
                report.assignments.push(Assignment {
                    command: command(&task, &to, true),
                    task,
                    title: loaded.work.title(row),
                    to,
                    from,
                    critical: loaded.critical(row),
                    reason: Some(why.to_owned()),
                });
            }
            None => report.unplaced.push(Unplaced {
                task,
                title: loaded.work.title(row),
                expertise: sheet.expertise_tags(row),
                why: format!(
                    "held by {} ({why}), and {}",
                    sheet.assignee(row).unwrap_or("nobody"),
                    why_unplaced(loaded, now, row)
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
    Ok(advice_on(&loaded, &messages, now, reply_within_secs))
}

/// [`advice`] on records the caller loaded already (one read of the tip for all of `status`).
pub fn advice_on(
    loaded: &Loaded<'_>,
    messages: &[Message],
    now: Timestamp,
    reply_within_secs: i64,
) -> Advice {
    let sheet = loaded.sheet();
    let ready = &loaded.work.ready;
    let (pool, _) = loaded.pool(now);
    let mut spawn: BTreeMap<Vec<String>, usize> = BTreeMap::new();
    for r in ready {
        if !pool.has.iter().any(|has| sheet.fits(r.index, has)) {
            let mut tags = sheet.expertise_tags(r.index);
            tags.sort();
            *spawn.entry(tags).or_default() += 1;
        }
    }
    let idle = pool
        .agents
        .iter()
        .zip(&pool.has)
        .filter(|((_, _, open), has)| *open == 0 && !ready.iter().any(|r| sheet.fits(r.index, has)))
        .map(|((a, _, _), _)| a.id.clone())
        .collect();
    let mut waits = Vec::new();
    // An agent waits on another's open task it depends on: only open, held tasks matter.
    let held = |row: usize| -> Option<&str> {
        (!sheet.status(row).is_closed())
            .then(|| sheet.assignee(row))
            .flatten()
    };
    for row in 0..sheet.len() {
        let Some(agent) = held(row) else { continue };
        for &d in sheet.deps(row) {
            if let Some(on) = held(d as usize)
                && on != agent
            {
                waits.push(Wait {
                    agent: AgentId::trusted(agent),
                    task: sheet.task_id(row),
                    on: AgentId::trusted(on),
                    on_task: sheet.task_id(d as usize),
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
        dispatchable: place(loaded, now, None)
            .0
            .iter()
            .filter(|(_, to)| to.is_some())
            .count(),
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
        moves: rebalance_on(loaded, now).assignments,
        waits,
        traffic: traffic
            .into_iter()
            .map(|((from, to), messages)| Traffic { from, to, messages })
            .collect(),
        unanswered,
    }
}
