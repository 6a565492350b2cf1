/*!
`status`: the coordinator's screen, as data. A pure function of the records: progress, one
row per agent (with the stale flag), the critical path, blocked tasks and why, today's
priorities, messages waiting too long for a reply, open conflicts, pending decisions, high
risks and the health of open milestones.
*/

use serde::Serialize;

use crate::graph::TaskGraph;
use crate::model::adr::{Adr, AdrStatus};
use crate::model::conflict::{Conflict, ConflictStatus};
use crate::model::message::Message;
use crate::model::milestone::{Milestone, MilestoneStatus};
use crate::model::risk::{Risk, RiskStatus};
use crate::model::{Agent, AgentId, Status, Task, TaskId, Timestamp};

pub struct Input<'a> {
    pub tasks: &'a [Task],
    pub agents: &'a [Agent],
    /// Messages that need a reply, have none, and waited longer than `coord.replyWithin`.
    pub overdue_messages: Vec<&'a Message>,
    pub conflicts: &'a [Conflict],
    pub adrs: &'a [Adr],
    pub risks: &'a [Risk],
    pub milestones: &'a [Milestone],
    pub now: Timestamp,
    pub stale_after_secs: i64,
    pub default_hours: f64,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub progress: Progress,
    pub agents: Vec<AgentRow>,
    pub critical_path: CriticalPath,
    pub blocked: Vec<Blocked>,
    /// The best ready tasks, in `ready` order (at most five).
    pub priorities: Vec<Brief>,
    pub overdue_tasks: Vec<Brief>,
    pub overdue_messages: Vec<OverdueMessage>,
    /// Conflicts not resolved yet, oldest first.
    pub open_conflicts: Vec<OpenConflict>,
    /// Proposed ADRs: those with a deadline first, soonest first, then by number.
    pub pending_decisions: Vec<PendingDecision>,
    /// Open risks scoring at least [`HIGH_RISK`] (impact × probability), highest first.
    pub high_risks: Vec<HighRisk>,
    /// Open milestones by due date, with their health.
    pub milestones: Vec<MilestoneRow>,
}

#[derive(Debug, Serialize)]
pub struct MilestoneRow {
    pub id: String,
    pub title: String,
    pub due: Timestamp,
    pub health: super::milestone::Health,
    /// The result of its latest gate ("go" or "no-go"), if one was run.
    pub last_gate: Option<String>,
}

/// The lowest impact × probability (each 1–3) that makes a risk "high" on the status screen:
/// high × medium or worse.
pub const HIGH_RISK: u8 = 6;

#[derive(Debug, Serialize)]
pub struct OpenConflict {
    pub id: String,
    pub title: String,
    pub between: Vec<AgentId>,
    pub created: Timestamp,
}

#[derive(Debug, Serialize)]
pub struct PendingDecision {
    pub number: u32,
    pub title: String,
    pub deadline: Option<Timestamp>,
    /// The deadline has passed.
    pub overdue: bool,
    pub options: usize,
}

#[derive(Debug, Serialize)]
pub struct HighRisk {
    pub id: String,
    pub title: String,
    pub score: u8,
    pub owner: Option<AgentId>,
}

#[derive(Debug, Serialize)]
pub struct Progress {
    pub tasks_done: usize,
    pub tasks_total: usize,
    pub hours_done: f64,
    pub hours_total: f64,
    /// Done hours over all hours, 0–100.
    pub percent: f64,
}

#[derive(Debug, Serialize)]
pub struct AgentRow {
    pub id: AgentId,
    pub role: Option<String>,
    pub status: String,
    pub note: Option<String>,
    /// Tasks in progress or in review.
    pub current: Vec<Brief>,
    pub blocked: Vec<Brief>,
    pub done: usize,
    pub open: usize,
    /// `None`: registered by someone else and never acted.
    pub last_seen: Option<Timestamp>,
    pub stale: bool,
}

#[derive(Debug, Serialize)]
pub struct CriticalPath {
    pub tasks: Vec<TaskId>,
    pub total_hours: f64,
}

#[derive(Debug, Serialize, Clone)]
pub struct Brief {
    pub id: TaskId,
    pub title: String,
}

#[derive(Debug, Serialize)]
pub struct Blocked {
    pub id: TaskId,
    pub title: String,
    pub assignee: Option<AgentId>,
    pub reason: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct OverdueMessage {
    pub id: String,
    pub from: AgentId,
    pub to: String,
    pub subject: String,
    pub sent: Timestamp,
}

fn brief(t: &Task) -> Brief {
    Brief {
        id: t.id.clone(),
        title: t.title.clone(),
    }
}

pub fn build(input: &Input<'_>) -> Report {
    let tasks = input.tasks;
    let counted: Vec<&Task> = tasks
        .iter()
        .filter(|t| t.status != Status::Cancelled)
        .collect();
    let hours = |t: &&Task| t.hours(input.default_hours);
    // Folded from +0.0: `sum()` of no floats is -0.0, which JSON and the screen would show.
    let hours_total: f64 = counted.iter().map(hours).fold(0.0, |a, h| a + h);
    let hours_done: f64 = counted
        .iter()
        .filter(|t| t.status == Status::Done)
        .map(hours)
        .fold(0.0, |a, h| a + h);
    let progress = Progress {
        tasks_done: counted.iter().filter(|t| t.status == Status::Done).count(),
        tasks_total: counted.len(),
        hours_done,
        hours_total,
        percent: if hours_total > 0.0 {
            (hours_done / hours_total * 1000.0).round() / 10.0
        } else {
            0.0
        },
    };
    let agents = input
        .agents
        .iter()
        .map(|a| {
            let mine = tasks.iter().filter(|t| t.assignee.as_ref() == Some(&a.id));
            let of = |s: &[Status]| -> Vec<Brief> {
                tasks
                    .iter()
                    .filter(|t| t.assignee.as_ref() == Some(&a.id) && s.contains(&t.status))
                    .map(brief)
                    .collect()
            };
            AgentRow {
                id: a.id.clone(),
                role: a.role.clone(),
                status: a.status.clone(),
                note: a.note.clone(),
                current: of(&[Status::InProgress, Status::Review]),
                blocked: of(&[Status::Blocked]),
                done: mine.clone().filter(|t| t.status == Status::Done).count(),
                open: mine.filter(|t| !t.status.is_closed()).count(),
                last_seen: a.last_seen,
                stale: input.now.unix() - a.last_active().unix() > input.stale_after_secs,
            }
        })
        .collect();
    let graph = TaskGraph::new(tasks);
    let schedule = graph.schedule(input.default_hours);
    let priorities = graph
        .ready(&schedule)
        .into_iter()
        .take(5)
        .map(|r| brief(r.task))
        .collect();
    let blocked = tasks
        .iter()
        .filter(|t| t.status == Status::Blocked)
        .map(|t| Blocked {
            id: t.id.clone(),
            title: t.title.clone(),
            assignee: t.assignee.clone(),
            reason: t.blocked_reason.clone(),
        })
        .collect();
    let overdue_tasks = tasks
        .iter()
        .filter(|t| !t.status.is_closed() && t.due.is_some_and(|d| d < input.now))
        .map(brief)
        .collect();
    let overdue_messages = input
        .overdue_messages
        .iter()
        .map(|m| OverdueMessage {
            id: m.id.to_string(),
            from: m.from.clone(),
            to: m.to.to_string(),
            subject: m.subject.clone(),
            sent: m.sent,
        })
        .collect();
    let open_conflicts = input
        .conflicts
        .iter()
        .filter(|c| c.status == ConflictStatus::Open)
        .map(|c| OpenConflict {
            id: c.id.to_string(),
            title: c.title.clone(),
            between: c.between.clone(),
            created: c.created,
        })
        .collect();
    let mut proposed: Vec<&Adr> = input
        .adrs
        .iter()
        .filter(|a| a.status == AdrStatus::Proposed)
        .collect();
    proposed.sort_by_key(|a| (a.deadline.is_none(), a.deadline, a.number));
    let pending_decisions = proposed
        .into_iter()
        .map(|a| PendingDecision {
            number: a.number.get(),
            title: a.title.clone(),
            deadline: a.deadline,
            overdue: a.deadline.is_some_and(|d| d < input.now),
            options: a.options.len(),
        })
        .collect();
    let mut risks: Vec<&Risk> = input
        .risks
        .iter()
        .filter(|r| r.status == RiskStatus::Open && r.score() >= HIGH_RISK)
        .collect();
    risks.sort_by(|a, b| b.score().cmp(&a.score()).then(a.created.cmp(&b.created)));
    let high_risks = risks
        .into_iter()
        .map(|r| HighRisk {
            id: r.id.to_string(),
            title: r.title.clone(),
            score: r.score(),
            owner: r.owner.clone(),
        })
        .collect();
    let mut open: Vec<&Milestone> = input
        .milestones
        .iter()
        .filter(|m| m.status == MilestoneStatus::Open)
        .collect();
    open.sort_by(|a, b| (a.due, &a.id).cmp(&(b.due, &b.id)));
    let milestones = open
        .into_iter()
        .map(|m| MilestoneRow {
            id: m.id.to_string(),
            title: m.title.clone(),
            due: m.due,
            health: super::milestone::health(m, tasks, &schedule, input.default_hours, input.now),
            last_gate: m.gates.last().map(|g| g.result.to_string()),
        })
        .collect();
    Report {
        progress,
        agents,
        critical_path: CriticalPath {
            tasks: schedule.critical_path,
            total_hours: schedule.total_hours,
        },
        blocked,
        priorities,
        overdue_tasks,
        overdue_messages,
        open_conflicts,
        pending_decisions,
        high_risks,
        milestones,
    }
}
