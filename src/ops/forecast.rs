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

use serde::Serialize;

use super::agent;
use super::milestone::after_hours;
use crate::graph::Sheet;
use crate::model::milestone::{Milestone, MilestoneStatus};
use crate::model::{Agent, AgentId, Status, TaskId, Timestamp};

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
    /// Every staffed open task, by start then ID (empty when the forecast was made for a
    /// rendering that does not print them: [`Input::slots`]).
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
    /// Every task, with the schedule of the open ones.
    pub sheet: &'a Sheet,
    pub agents: &'a [Agent],
    pub milestones: &'a [Milestone],
    pub now: Timestamp,
    pub stale_after_secs: i64,
    /// Whether to list every staffed task's [`Slot`] (one per open task: `status --json`
    /// has them, the screen only prints the totals).
    pub slots: bool,
}

/// Whether `a` can be given work now: not offline and seen within `stale_after_secs`.
pub fn is_available(a: &Agent, now: Timestamp, stale_after_secs: i64) -> bool {
    a.status != "offline" && !agent::is_stale(a, now, stale_after_secs)
}

/// Hours still to spend on row `row`: its estimate, less the time already spent on it when it
/// is in progress (never below zero: an overrun task is expected to finish now).
fn remaining(sheet: &Sheet, row: usize, now: Timestamp) -> f64 {
    let hours = sheet.hours(row);
    match (sheet.status(row), sheet.claimed(row)) {
        (Status::InProgress | Status::Review, Some(since)) => {
            let spent = (now.unix() - since).max(0) as f64 / 3600.0;
            (hours - spent).max(0.0)
        }
        _ => hours,
    }
}

/// What the placement reads of one row (32 bytes: the table is read at random, in the
/// order tasks are placed, and the smaller it is the more of it stays in cache).
struct Part {
    /// Its slack in the schedule; only open tasks with one take part ([`Forecast::unscheduled`]
    /// are on or behind a cycle).
    slack: f64,
    remaining: f64,
    created: i64,
    /// The available agent that holds it, or `u32::MAX`.
    holder: u32,
    priority: u8,
    in_hand: bool,
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
    index: u32,
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
    let sheet = input.sheet;
    let rows = sheet.len();
    let mut available: Vec<&Agent> = input
        .agents
        .iter()
        .filter(|a| is_available(a, input.now, input.stale_after_secs))
        .collect();
    available.sort_by(|a, b| a.id.cmp(&b.id));
    // Which tags each available agent has, and which available agent each assignee is.
    let has: Vec<Vec<bool>> = available.iter().map(|a| sheet.has(&a.expertise)).collect();
    let holder_of: Vec<Option<usize>> = sheet
        .names()
        .iter()
        .map(|n| available.iter().position(|a| a.id.as_str() == n))
        .collect();
    let mut free_at: Vec<f64> = vec![0.0; available.len()];
    // Which available agents fit each row, as a bit set, when there are few enough of them
    // (a row's tags are looked up once, in row order, rather than once per placement).
    let masks: Option<Vec<u64>> = (available.len() <= 64).then(|| {
        let tag_agents: Vec<u64> = (0..sheet.tags().len())
            .map(|t| {
                has.iter()
                    .enumerate()
                    .filter(|(_, h)| h[t])
                    .fold(0u64, |m, (a, _)| m | 1 << a)
            })
            .collect();
        let everyone = if available.len() == 64 {
            u64::MAX
        } else {
            (1u64 << available.len()) - 1
        };
        (0..rows)
            .map(|r| {
                sheet
                    .expertise(r)
                    .iter()
                    .fold(everyone, |m, &t| m & tag_agents[t as usize])
            })
            .collect()
    });
    let fits = |row: usize, a: usize| match &masks {
        Some(m) => m[row] >> a & 1 == 1,
        None => sheet.fits(row, &has[a]),
    };

    // What the placement reads of each row, gathered in one pass in row order. Only open,
    // schedulable tasks take part (`slack` is `None` for the others); dependencies on closed
    // or unknown tasks are met.
    let parts: Vec<Part> = (0..rows)
        .map(|r| Part {
            slack: (!sheet.status(r).is_closed())
                .then(|| sheet.slack(r))
                .flatten()
                .unwrap_or(f64::NAN),
            remaining: remaining(sheet, r, input.now),
            created: sheet.created(r),
            holder: holder_of
                .get(sheet.assignee_index(r) as usize)
                .copied()
                .flatten()
                .map_or(u32::MAX, |h| h as u32),
            priority: sheet.priority(r),
            in_hand: matches!(sheet.status(r), Status::InProgress | Status::Review),
        })
        .collect();
    // The fields read at random (by dependency), apart: small enough to stay in cache.
    let is_open: Vec<bool> = parts.iter().map(|p| !p.slack.is_nan()).collect();
    // When each task finishes; `None` until placed, and for a task nobody available can do.
    let mut finish: Vec<Option<f64>> = vec![None; rows];
    let mut graph = sheet.dependents(&is_open);
    let mut waiting = std::mem::take(&mut graph.waiting);
    let mut ready_at: Vec<f64> = vec![0.0; rows];
    let released = |p: &Part, r: usize, ready_at: f64| Released {
        ready_at,
        in_hand: p.in_hand,
        priority: p.priority,
        slack: p.slack,
        created: p.created,
        index: r as u32,
    };
    let mut heap: BinaryHeap<Reverse<Released>> = (0..rows)
        .filter(|&r| is_open[r] && waiting[r] == 0)
        .map(|r| Reverse(released(&parts[r], r, 0.0)))
        .collect();
    let mut placed_rows: Vec<(usize, usize, f64, f64)> = Vec::new();
    let mut finish_hours: f64 = 0.0;
    let mut unstaffed = Vec::new();
    while let Some(Reverse(r)) = heap.pop() {
        let i = r.index as usize;
        // Only once some task could not be placed can a dependency be one.
        let blocked_by_unstaffed = !unstaffed.is_empty()
            && sheet
                .deps(i)
                .iter()
                .any(|&j| is_open[j as usize] && finish[j as usize].is_none());
        let placed = if blocked_by_unstaffed {
            None
        } else {
            // The holder keeps its work while it is available; otherwise anyone who fits.
            let start_on = |a: usize| free_at[a].max(r.ready_at);
            match parts[i].holder {
                h if h != u32::MAX => Some(h as usize),
                _ => (0..available.len())
                    .filter(|&a| fits(i, a))
                    .min_by(|&a, &b| {
                        // `available` is sorted by ID: the index breaks ties by ID.
                        start_on(a).total_cmp(&start_on(b)).then(a.cmp(&b))
                    }),
            }
        };
        match placed {
            Some(a) => {
                let start = free_at[a].max(r.ready_at);
                let end = start + parts[i].remaining;
                free_at[a] = end;
                finish[i] = Some(end);
                finish_hours = f64::max(finish_hours, end);
                if input.slots {
                    placed_rows.push((i, a, start, end));
                }
            }
            None => unstaffed.push(Unstaffed {
                id: sheet.task_id(i),
                expertise: if blocked_by_unstaffed {
                    Vec::new()
                } else {
                    sheet.expertise_tags(i)
                },
                reason: if blocked_by_unstaffed {
                    "waits on work nobody available can do".to_owned()
                } else if available.is_empty() {
                    "no agent is available (every agent is stale or offline)".to_owned()
                } else if sheet.expertise(i).is_empty() {
                    "no agent is available".to_owned()
                } else {
                    format!(
                        "no available agent has the expertise {}",
                        sheet.expertise_tags(i).join(", ")
                    )
                },
            }),
        }
        let done_at = finish[i].unwrap_or(0.0);
        for &d in graph.of(i) {
            let d = d as usize;
            ready_at[d] = ready_at[d].max(done_at);
            waiting[d] -= 1;
            if waiting[d] == 0 {
                heap.push(Reverse(released(&parts[d], d, ready_at[d])));
            }
        }
    }
    drop(parts);
    let staffed = finish.iter().any(Option::is_some);
    let slots = if input.slots {
        // By start, then ID: sorted by start, then each run of equal starts by ID.
        placed_rows.sort_unstable_by(|a, b| a.2.total_cmp(&b.2).then(a.0.cmp(&b.0)));
        for run in placed_rows.chunk_by_mut(|a, b| a.2.total_cmp(&b.2).is_eq()) {
            run.sort_unstable_by(|a, b| sheet.id(a.0).cmp(sheet.id(b.0)));
        }
        placed_rows
            .iter()
            .map(|&(i, a, start, end)| Slot {
                id: sheet.task_id(i),
                agent: available[a].id.clone(),
                start_hours: start,
                finish_hours: end,
            })
            .collect::<Vec<_>>()
    } else {
        Vec::new()
    };
    let critical_path_finish = sheet
        .critical_path()
        .last()
        .and_then(|&r| finish[r as usize])
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
        finish: staffed
            .then(|| after_hours(input.now, finish_hours))
            .flatten(),
        critical_path_finish,
        slots,
        unstaffed,
        unscheduled: sheet
            .unscheduled()
            .iter()
            .map(|&r| sheet.task_id(r as usize))
            .collect(),
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
    let sheet = input.sheet;
    let mut open_tasks = 0;
    let mut hours_remaining = 0.0;
    let mut last: Option<f64> = Some(0.0);
    let mut cannot: Vec<TaskId> = Vec::new();
    if let Some(index) = sheet.milestone_named(m.id.as_str()) {
        for r in (0..sheet.len())
            .filter(|&r| sheet.milestone_index(r) == index && !sheet.status(r).is_closed())
        {
            open_tasks += 1;
            hours_remaining += remaining(sheet, r, input.now);
            match finish[r] {
                Some(f) => last = last.map(|l| l.max(f)),
                None => {
                    last = None;
                    cannot.push(sheet.task_id(r));
                }
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
            .find(|u| &u.id == first)
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
    use crate::model::{NewTask, Task, Timestamp};

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
                sheet: &Sheet::of(&tasks, 1.0),
                agents,
                milestones: &milestones,
                now: now(),
                stale_after_secs: 2 * 3600,
                slots: true,
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
            sheet: &Sheet::of(&tasks, 1.0),
            agents: &agents,
            milestones: &milestones,
            now: now(),
            stale_after_secs: 2 * 3600,
            slots: true,
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
