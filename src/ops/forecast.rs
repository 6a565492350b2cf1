/*!
Forecasts with capacity: when the remaining work finishes on the agents actually available,
not on unlimited workers (DESIGN §8).

The critical path ([`crate::graph`]) says how long the work takes with one worker per task.
A coordinator of nine agents, three of them stale, needs the other answer: list scheduling
over the dependency graph. Every open task is placed, in scheduling order, on the fresh
agent whose expertise fits it and who can start it first, after its dependencies finish and
after what that agent already holds. A milestone whose open tasks cannot all finish before
its due date this way is at risk, with the reason; one whose work no available agent can take
is at risk too, since nobody will do it.

Available means registered, not `offline`, and seen within `coord.staleAfter`. Work an agent
already holds (in progress, review, blocked, or assigned and not started) stays with it when
it is available, starting with what it has in hand; a stale holder's work is forecast on the
agents who can take it over.
*/

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use rustc_hash::FxHashMap;

use serde::Serialize;

use super::agent;
use super::milestone::{after_hours, belongs};
use crate::graph::{self, Schedule, TaskGraph};
use crate::model::milestone::{Milestone, MilestoneStatus};
use crate::model::{Agent, AgentId, Status, Task, TaskId, Timestamp};

/// Where one open task lands in the forecast.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Slot {
    pub id: TaskId,
    pub agent: AgentId,
    /// Hours from now.
    pub start_hours: f64,
    pub finish_hours: f64,
}

/// An open task nobody available can do, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Unstaffed {
    pub id: TaskId,
    /// Nobody available has this expertise (empty: it waits on unstaffed work, or there is
    /// no available agent at all).
    pub expertise: Vec<String>,
    pub reason: String,
}

/// The remaining work scheduled on the available agents.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Forecast {
    /// The agents the work is scheduled on: fresh and not offline, by ID.
    pub available: Vec<AgentId>,
    /// Hours from now until every staffed task is finished.
    pub finish_hours: f64,
    /// When that is; `None` when nothing is open (or it cannot be represented).
    pub finish: Option<Timestamp>,
    /// When the last task of the critical path finishes with this capacity.
    pub critical_path_finish: Option<Timestamp>,
    /// Every staffed open task, by start then ID.
    pub slots: Vec<Slot>,
    /// Open tasks that no available agent can do, or that wait on such a task, in scheduling
    /// order (priority, then slack, then age).
    pub unstaffed: Vec<Unstaffed>,
    /// Open tasks on or behind a dependency cycle: never scheduled.
    pub unscheduled: Vec<TaskId>,
    /// Per open milestone, whether its work fits before its due date (by due date).
    pub milestones: Vec<MilestoneForecast>,
}

/// A milestone's remaining work against its due date, with this capacity.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MilestoneForecast {
    pub id: String,
    pub title: String,
    pub due: Timestamp,
    pub open_tasks: usize,
    pub hours_remaining: f64,
    /// When its last open task finishes; `None` when some cannot be done (see `reason`) or
    /// it has no open task.
    pub finish: Option<Timestamp>,
    /// Its work does not fit before the due date on the available agents.
    pub at_risk: bool,
    /// Its due date has passed with work still open.
    pub late: bool,
    /// Why it is at risk or late, in a sentence; `None` when on track.
    pub reason: Option<String>,
}

/// What a forecast is computed from.
pub struct Input<'a> {
    pub tasks: &'a [Task],
    pub agents: &'a [Agent],
    pub milestones: &'a [Milestone],
    pub now: Timestamp,
    pub stale_after_secs: i64,
    pub default_hours: f64,
    /// The schedule of `tasks` when the caller has it (status reads it from the task view);
    /// `None`: computed here.
    pub schedule: Option<&'a Schedule>,
}

/// Whether `a` can be given work now: not offline and seen within `stale_after_secs`.
pub fn is_available(a: &Agent, now: Timestamp, stale_after_secs: i64) -> bool {
    a.status != "offline" && !agent::is_stale(a, now, stale_after_secs)
}

/// Hours still to spend on `task`: its estimate, less the time already spent on it when it is
/// in progress (never below zero: an overrun task is expected to finish now).
fn remaining(task: &Task, now: Timestamp, default_hours: f64) -> f64 {
    let hours = task.hours(default_hours);
    match (task.status, task.claimed) {
        (Status::InProgress | Status::Review, Some(since)) => {
            let spent = (now.unix() - since.unix()).max(0) as f64 / 3600.0;
            (hours - spent).max(0.0)
        }
        _ => hours,
    }
}

/// A task waiting to be placed: released when its last dependency is placed.
#[derive(PartialEq)]
struct Released {
    ready_at: f64,
    /// Already in an agent's hands (in progress, review): placed before new work.
    in_hand: bool,
    priority: u8,
    slack: f64,
    created: i64,
    index: usize,
}

impl Eq for Released {}

impl Ord for Released {
    fn cmp(&self, other: &Self) -> Ordering {
        self.ready_at
            .total_cmp(&other.ready_at)
            .then(other.in_hand.cmp(&self.in_hand))
            .then(self.priority.cmp(&other.priority))
            .then(self.slack.total_cmp(&other.slack))
            .then(self.created.cmp(&other.created))
            .then(self.index.cmp(&other.index))
    }
}

impl PartialOrd for Released {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Schedules the open work of `input` on its available agents.
pub fn forecast(input: &Input<'_>) -> Forecast {
    let tasks = input.tasks;
    let computed;
    let schedule = match input.schedule {
        Some(s) => s,
        None => {
            computed = TaskGraph::new(tasks).schedule(input.default_hours);
            &computed
        }
    };
    let mut available: Vec<&Agent> = input
        .agents
        .iter()
        .filter(|a| is_available(a, input.now, input.stale_after_secs))
        .collect();
    available.sort_by(|a, b| a.id.cmp(&b.id));
    let mut free_at: Vec<f64> = vec![0.0; available.len()];
    let index: FxHashMap<&TaskId, usize> =
        tasks.iter().enumerate().map(|(i, t)| (&t.id, i)).collect();

    // Only open, schedulable tasks take part; dependencies on closed or unknown tasks are met.
    // The slack of each open, schedulable task (`None`: it does not take part); one lookup
    // per task.
    let slack: Vec<Option<f64>> = tasks
        .iter()
        .map(|t| {
            (!t.status.is_closed())
                .then(|| schedule.timing.get(&t.id).map(|x| x.slack))
                .flatten()
        })
        .collect();
    let open: Vec<bool> = slack.iter().map(Option::is_some).collect();
    let mut waiting: Vec<usize> = vec![0; tasks.len()];
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); tasks.len()];
    // Each open task's open dependencies, by index.
    let mut open_deps: Vec<Vec<usize>> = vec![Vec::new(); tasks.len()];
    for (i, t) in tasks.iter().enumerate().filter(|(i, _)| open[*i]) {
        for d in &t.depends_on {
            if let Some(&j) = index.get(d).filter(|&&j| open[j]) {
                waiting[i] += 1;
                dependents[j].push(i);
                open_deps[i].push(j);
            }
        }
    }
    let released = |i: usize, ready_at: f64| Released {
        ready_at,
        in_hand: matches!(tasks[i].status, Status::InProgress | Status::Review),
        priority: tasks[i].priority,
        slack: slack[i].unwrap_or(0.0),
        created: tasks[i].created.unix(),
        index: i,
    };
    let mut heap: BinaryHeap<Reverse<Released>> = (0..tasks.len())
        .filter(|&i| open[i] && waiting[i] == 0)
        .map(|i| Reverse(released(i, 0.0)))
        .collect();
    let mut ready_at: Vec<f64> = vec![0.0; tasks.len()];
    // `None`: cannot be done by anyone available.
    let mut finish: Vec<Option<f64>> = vec![None; tasks.len()];
    let mut slots = Vec::new();
    let mut unstaffed = Vec::new();
    while let Some(Reverse(r)) = heap.pop() {
        let i = r.index;
        let task = &tasks[i];
        let blocked_by_unstaffed = open_deps[i].iter().any(|&j| finish[j].is_none());
        // The holder keeps its work while it is available; otherwise anyone who fits.
        let holder = task
            .assignee
            .as_ref()
            .and_then(|h| available.iter().position(|a| &a.id == h));
        let candidates: Vec<usize> = match holder {
            Some(h) => vec![h],
            None => (0..available.len())
                .filter(|&a| graph::fits(task, &available[a].expertise))
                .collect(),
        };
        let placed = if blocked_by_unstaffed {
            None
        } else {
            candidates.into_iter().min_by(|&a, &b| {
                free_at[a]
                    .max(r.ready_at)
                    .total_cmp(&free_at[b].max(r.ready_at))
                    .then(available[a].id.cmp(&available[b].id))
            })
        };
        match placed {
            Some(a) => {
                let start = free_at[a].max(r.ready_at);
                let end = start + remaining(task, input.now, input.default_hours);
                free_at[a] = end;
                finish[i] = Some(end);
                slots.push(Slot {
                    id: task.id.clone(),
                    agent: available[a].id.clone(),
                    start_hours: start,
                    finish_hours: end,
                });
            }
            None => unstaffed.push(Unstaffed {
                id: task.id.clone(),
                expertise: if blocked_by_unstaffed {
                    Vec::new()
                } else {
                    task.expertise.clone()
                },
                reason: if blocked_by_unstaffed {
                    "waits on work nobody available can do".to_owned()
                } else if available.is_empty() {
                    "no agent is available (every agent is stale or offline)".to_owned()
                } else if task.expertise.is_empty() {
                    "no agent is available".to_owned()
                } else {
                    format!(
                        "no available agent has the expertise {}",
                        task.expertise.join(", ")
                    )
                },
            }),
        }
        for &d in &dependents[i] {
            ready_at[d] = ready_at[d].max(finish[i].unwrap_or(0.0));
            waiting[d] -= 1;
            if waiting[d] == 0 {
                heap.push(Reverse(released(d, ready_at[d])));
            }
        }
    }
    slots.sort_by(|a, b| {
        a.start_hours
            .total_cmp(&b.start_hours)
            .then(a.id.cmp(&b.id))
    });
    let finish_hours = slots.iter().map(|s| s.finish_hours).fold(0.0, f64::max);
    let critical_path_finish = schedule
        .critical_path
        .last()
        .and_then(|id| index.get(id).and_then(|&i| finish[i]))
        .and_then(|h| after_hours(input.now, h));
    let mut milestones: Vec<MilestoneForecast> = input
        .milestones
        .iter()
        .filter(|m| m.status == MilestoneStatus::Open)
        .map(|m| milestone(m, input, &finish, &unstaffed, available.len()))
        .collect();
    milestones.sort_by(|a, b| (a.due, &a.id).cmp(&(b.due, &b.id)));
    Forecast {
        available: available.iter().map(|a| a.id.clone()).collect(),
        finish_hours,
        finish: (!slots.is_empty())
            .then(|| after_hours(input.now, finish_hours))
            .flatten(),
        critical_path_finish,
        slots,
        unstaffed,
        unscheduled: schedule.unscheduled.clone(),
        milestones,
    }
}

fn milestone(
    m: &Milestone,
    input: &Input<'_>,
    finish: &[Option<f64>],
    unstaffed: &[Unstaffed],
    available: usize,
) -> MilestoneForecast {
    let mut open_tasks = 0;
    let mut hours_remaining = 0.0;
    let mut last: Option<f64> = Some(0.0);
    let mut cannot: Vec<&TaskId> = Vec::new();
    for (i, t) in input
        .tasks
        .iter()
        .enumerate()
        .filter(|(_, t)| belongs(t, &m.id) && !t.status.is_closed())
    {
        open_tasks += 1;
        hours_remaining += remaining(t, input.now, input.default_hours);
        match finish[i] {
            Some(f) => last = last.map(|l| l.max(f)),
            None => {
                last = None;
                cannot.push(&t.id);
            }
        }
    }
    cannot.sort();
    let finish = last
        .filter(|_| open_tasks > 0)
        .and_then(|h| after_hours(input.now, h));
    let late = open_tasks > 0 && m.due < input.now;
    let hours = crate::model::time::format_hours(hours_remaining);
    let agents = match available {
        1 => "1 available agent".to_owned(),
        n => format!("{n} available agents"),
    };
    let due = m.due.datetime().format("%Y-%m-%d %H:%M UTC");
    let reason = if open_tasks == 0 {
        None
    } else if late {
        Some(format!(
            "due {due} has passed with {open_tasks} task(s) ({hours}) open"
        ))
    } else if let Some(first) = cannot.first() {
        let why = unstaffed
            .iter()
            .find(|u| &&u.id == first)
            .map_or("it cannot be scheduled (a dependency cycle)", |u| {
                u.reason.as_str()
            });
        Some(format!(
            "{} of its open task(s) cannot be done: {first} — {why}",
            cannot.len()
        ))
    } else {
        finish.filter(|f| *f > m.due).map(|f| {
            format!(
                "{hours} of work on {agents} finishes {}, after its due date {due}",
                f.datetime().format("%Y-%m-%d %H:%M UTC")
            )
        })
    };
    MilestoneForecast {
        id: m.id.to_string(),
        title: m.title.clone(),
        due: m.due,
        open_tasks,
        hours_remaining,
        finish,
        at_risk: reason.is_some() && !late,
        late,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::milestone::{MilestoneId, NewMilestone};
    use crate::model::{NewTask, Timestamp};

    fn now() -> Timestamp {
        Timestamp::parse_rfc3339("2026-11-21T10:00:00Z").expect("fixture time")
    }

    fn agent(id: &str, expertise: &[&str], seen_hours_ago: i64) -> Agent {
        let seen = Timestamp::from_unix(now().unix() - seen_hours_ago * 3600).expect("time");
        let mut a = Agent::new(AgentId::parse(id).expect("agent ID"), seen);
        a.expertise = expertise.iter().map(|e| e.to_string()).collect();
        a.last_seen = Some(seen);
        a
    }

    fn task(n: u32, hours: f64, milestone: &Milestone, after: &[&Task]) -> Task {
        let mut t = Task::new(
            TaskId::parse(&format!("t-{n:06}")).expect("task ID"),
            NewTask {
                title: format!("task {n}"),
                estimate_hours: Some(hours),
                expertise: vec!["rust".to_owned()],
                milestone: Some(milestone.id.to_string()),
                ..NewTask::default()
            },
            now(),
        )
        .expect("task");
        t.depends_on = after.iter().map(|d| d.id.clone()).collect();
        t
    }

    fn milestone(due_hours: i64) -> Milestone {
        Milestone::new(
            MilestoneId::parse("m-000001").expect("milestone ID"),
            NewMilestone {
                title: "Beta".to_owned(),
                due: Timestamp::from_unix(now().unix() + due_hours * 3600).expect("due"),
                criteria: Vec::new(),
                body: String::new(),
            },
            now(),
        )
        .expect("milestone")
    }

    /// Six independent 4 h tasks and a 2 h one after all of them, due in 11 h: two agents
    /// need 3 × 4 + 2 = 14 h, three need 2 × 4 + 2 = 10 h. The critical path alone (6 h)
    /// would call it on track either way.
    #[test]
    fn two_agents_cannot_finish_in_time_and_three_can() {
        let m = milestone(11);
        let mut tasks: Vec<Task> = (1..=6).map(|n| task(n, 4.0, &m, &[])).collect();
        let firsts: Vec<Task> = tasks.clone();
        let refs: Vec<&Task> = firsts.iter().collect();
        tasks.push(task(7, 2.0, &m, &refs));
        let milestones = [m.clone()];
        let run = |agents: &[Agent]| {
            forecast(&Input {
                tasks: &tasks,
                agents,
                milestones: &milestones,
                now: now(),
                stale_after_secs: 2 * 3600,
                default_hours: 1.0,
                schedule: None,
            })
        };
        // A third agent who is stale does not count; one without the expertise neither.
        let two = [
            agent("ana", &["rust"], 0),
            agent("bo", &["rust"], 1),
            agent("cy", &["rust"], 5),
            agent("dee", &["docs"], 0),
        ];
        let f = run(&two);
        let names: Vec<&str> = f.available.iter().map(|a| a.as_str()).collect();
        assert_eq!(names, ["ana", "bo", "dee"]);
        assert_eq!(f.finish_hours, 14.0);
        let mf = &f.milestones[0];
        assert!(mf.at_risk && !mf.late, "{mf:?}");
        assert_eq!(
            mf.reason.as_deref(),
            Some(
                "26h of work on 3 available agents finishes 2026-11-22 00:00 UTC, after its due date 2026-11-21 21:00 UTC"
            )
        );
        assert_eq!(f.critical_path_finish, after_hours(now(), 14.0));

        let three = [
            agent("ana", &["rust"], 0),
            agent("bo", &["rust"], 1),
            agent("cy", &["rust"], 0),
            agent("dee", &["docs"], 0),
        ];
        let f = run(&three);
        assert_eq!(f.finish_hours, 10.0);
        let mf = &f.milestones[0];
        assert!(!mf.at_risk && !mf.late && mf.reason.is_none(), "{mf:?}");
        assert_eq!(mf.finish, after_hours(now(), 10.0));
        // Each fitting agent took two of the six, the last task went to the first one free.
        let per: Vec<(&str, &str)> = f
            .slots
            .iter()
            .map(|s| (s.id.as_str(), s.agent.as_str()))
            .collect();
        assert_eq!(
            per,
            [
                ("t-000001", "ana"),
                ("t-000002", "bo"),
                ("t-000003", "cy"),
                ("t-000004", "ana"),
                ("t-000005", "bo"),
                ("t-000006", "cy"),
                ("t-000007", "ana"),
            ]
        );
    }

    #[test]
    fn work_nobody_available_can_do_puts_the_milestone_at_risk() {
        let m = milestone(100);
        let first = task(1, 1.0, &m, &[]);
        let second = task(2, 1.0, &m, &[&first]);
        let tasks = [first, second];
        let milestones = [m];
        let agents = [agent("ana", &["rust"], 9)];
        let f = forecast(&Input {
            tasks: &tasks,
            agents: &agents,
            milestones: &milestones,
            now: now(),
            stale_after_secs: 2 * 3600,
            default_hours: 1.0,
            schedule: None,
        });
        assert!(f.slots.is_empty() && f.finish.is_none());
        let reasons: Vec<&str> = f.unstaffed.iter().map(|u| u.reason.as_str()).collect();
        assert_eq!(
            reasons,
            [
                "no agent is available (every agent is stale or offline)",
                "waits on work nobody available can do"
            ]
        );
        let mf = &f.milestones[0];
        assert!(mf.at_risk, "{mf:?}");
        assert_eq!(
            mf.reason.as_deref(),
            Some(
                "2 of its open task(s) cannot be done: t-000001 — no agent is available (every agent is stale or offline)"
            )
        );
    }
}
