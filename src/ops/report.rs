/*!
`report`: the daily status report as data (DESIGN §8): the phase (the current milestone),
X/Y tasks, hours spent against estimated, what was completed in the window, what is in
progress, what is planned next, blockers, risks and issues, the coordination SLOs with their
breaches, and the go/no-go colour with its reasons. Everything is derived from the status
state and its judgement ([`super::status::assess`]), so `report` and `status` never disagree.

The text is rendered by the faces from `templates/report.md` (minijinja), which a project
overrides by committing `.coord/templates/report.md` to its default branch (policy, like
`.coord/config.toml`: reviewed, never the acting agent's own HEAD).
*/

use serde::Serialize;

use super::forecast::MilestoneForecast;
use super::status::{BlockerAge, Breach, Day, GoNoGo, Priority, State};
use crate::model::conflict::ConflictStatus;
use crate::model::risk::RiskStatus;
use crate::model::{AgentId, Status, TaskId, Timestamp};
use crate::store::Store;

/// The template the report is rendered with when the project has none.
pub const DEFAULT_TEMPLATE: &str = include_str!("../../templates/report.md");

/// Where a project overrides the template, on its default branch.
pub const TEMPLATE_OVERRIDE: &str = ".coord/templates/report.md";

/// A report template and where it came from (for error messages).
#[derive(Clone, Debug)]
pub struct Template {
    pub text: String,
    /// `templates/report.md` (built in) or [`TEMPLATE_OVERRIDE`].
    pub path: String,
}

/// The project's report template if it committed one, else the built-in one.
pub fn template(store: &Store) -> Template {
    match store.policy_file(TEMPLATE_OVERRIDE) {
        Ok(Some(text)) => Template {
            text,
            path: TEMPLATE_OVERRIDE.to_owned(),
        },
        _ => Template {
            text: DEFAULT_TEMPLATE.to_owned(),
            path: "templates/report.md".to_owned(),
        },
    }
}

/// The daily status report.
#[derive(Clone, Debug, Serialize)]
pub struct DailyReport {
    /// When it was made.
    pub generated: Timestamp,
    /// The start of the window "completed" covers.
    pub since: Timestamp,
    /// The current milestone: the open one due first; `None` without open milestones.
    pub phase: Option<MilestoneForecast>,
    pub tasks_done: usize,
    /// Tasks not cancelled.
    pub tasks_total: usize,
    /// Estimated hours of the done tasks.
    pub hours_spent: f64,
    /// Estimated hours of every task not cancelled.
    pub hours_estimated: f64,
    /// Tasks finished in the window, oldest first.
    pub completed: Vec<Item>,
    /// Tasks in progress or in review, by ID.
    pub in_progress: Vec<Item>,
    /// What comes next: today's priorities with who they fit.
    pub planned: Vec<Priority>,
    pub blockers: Vec<BlockerAge>,
    /// Open risks, highest score first.
    pub risks: Vec<RiskItem>,
    /// Open conflicts, unanswered questions, pending decisions and tasks past their
    /// estimate, one sentence each.
    pub issues: Vec<String>,
    /// Each coordination SLO with how many records breach it.
    pub metrics: Vec<SloMetric>,
    /// Every record past its SLO.
    pub breaches: Vec<Breach>,
    pub go_no_go: GoNoGo,
}

/// A task in a report list.
#[derive(Clone, Debug, Serialize)]
pub struct Item {
    pub id: TaskId,
    pub title: String,
    pub assignee: Option<AgentId>,
    /// Completed at (completed tasks) or claimed at (tasks in progress).
    pub at: Option<Timestamp>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RiskItem {
    pub id: String,
    pub title: String,
    pub score: u8,
    pub owner: Option<AgentId>,
    pub mitigation: Option<String>,
}

/// One coordination SLO and the records breaching it now.
#[derive(Clone, Debug, Serialize)]
pub struct SloMetric {
    /// `blockers`, `decisions`, `conflicts` or `messages`.
    pub slo: &'static str,
    pub target_hours: f64,
    /// Records the SLO applies to that are still waiting.
    pub waiting: usize,
    pub breaches: usize,
}

/// The daily report of `state`, judged as `day`, covering completions since `since`.
pub fn daily(state: &State, day: &Day, since: Timestamp) -> DailyReport {
    let counted: Vec<_> = state
        .work
        .tasks()
        .iter()
        .filter(|t| t.status != Status::Cancelled)
        .collect();
    let hours = |t: &&crate::model::Task| t.hours(state.default_hours);
    let done: Vec<_> = counted
        .iter()
        .filter(|t| t.status == Status::Done)
        .collect();
    let item = |t: &crate::model::Task, at: Option<Timestamp>| Item {
        id: t.id.clone(),
        title: t.title.clone(),
        assignee: t.assignee.clone(),
        at,
    };
    let mut completed: Vec<Item> = done
        .iter()
        .filter(|t| t.completed.is_some_and(|c| c >= since))
        .map(|t| item(t, t.completed))
        .collect();
    completed.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
    let mut in_progress: Vec<Item> = state
        .work
        .tasks()
        .iter()
        .filter(|t| matches!(t.status, Status::InProgress | Status::Review))
        .map(|t| item(t, t.claimed))
        .collect();
    in_progress.sort_by(|a, b| a.id.cmp(&b.id));
    let mut risks: Vec<_> = state
        .risks
        .iter()
        .filter(|r| r.status == RiskStatus::Open)
        .collect();
    risks.sort_by(|a, b| b.score().cmp(&a.score()).then(a.id.cmp(&b.id)));
    let risks = risks
        .into_iter()
        .map(|r| RiskItem {
            id: r.id.to_string(),
            title: r.title.clone(),
            score: r.score(),
            owner: r.owner.clone(),
            mitigation: r.mitigation.clone(),
        })
        .collect();
    let open_conflicts: Vec<_> = state
        .conflicts
        .iter()
        .filter(|c| c.status == ConflictStatus::Open)
        .collect();
    let proposed: Vec<_> = state
        .adrs
        .iter()
        .filter(|a| a.status == crate::model::adr::AdrStatus::Proposed)
        .collect();
    let mut issues = Vec::new();
    for c in &open_conflicts {
        let between: Vec<&str> = c.between.iter().map(|a| a.as_str()).collect();
        issues.push(format!(
            "conflict {} \"{}\" between {} is open",
            c.id,
            c.title,
            between.join(" and ")
        ));
    }
    for a in &proposed {
        issues.push(format!(
            "decision ADR-{:04} \"{}\" is still proposed",
            a.number.get(),
            a.title
        ));
    }
    for m in &state.overdue_messages {
        issues.push(format!(
            "message {} \"{}\" from {} to {} waits for a reply",
            m.id, m.subject, m.from, m.to
        ));
    }
    for o in &day.overrunning {
        issues.push(format!(
            "task {} \"{}\" has run {} against an estimate of {}",
            o.id,
            o.title,
            crate::model::time::format_hours(o.running_hours),
            crate::model::time::format_hours(o.estimate_hours)
        ));
    }
    let hours_of = |secs: i64| secs as f64 / 3600.0;
    let breaches_of = |slo: &str| day.slo_breaches.iter().filter(|b| b.slo == slo).count();
    let metrics = vec![
        SloMetric {
            slo: "blockers",
            target_hours: hours_of(state.slos.blockers),
            waiting: day.blockers.len(),
            breaches: breaches_of("blockers"),
        },
        SloMetric {
            slo: "decisions",
            target_hours: hours_of(state.slos.decisions),
            waiting: proposed.len(),
            breaches: breaches_of("decisions"),
        },
        SloMetric {
            slo: "conflicts",
            target_hours: hours_of(state.slos.conflicts),
            waiting: open_conflicts.len(),
            breaches: breaches_of("conflicts"),
        },
        SloMetric {
            slo: "messages",
            target_hours: hours_of(state.reply_within_secs),
            waiting: state.overdue_messages.len(),
            breaches: breaches_of("messages"),
        },
    ];
    DailyReport {
        generated: state.now,
        since,
        // The current milestone: the first (by due date) that still has open work; an earlier
        // one whose work is all done is behind the team, even if nobody closed it.
        phase: day
            .forecast
            .milestones
            .iter()
            .find(|m| m.open_tasks > 0)
            .or(day.forecast.milestones.first())
            .cloned(),
        tasks_done: done.len(),
        tasks_total: counted.len(),
        hours_spent: done.iter().map(|t| hours(t)).fold(0.0, |a, h| a + h),
        hours_estimated: counted.iter().map(hours).fold(0.0, |a, h| a + h),
        completed,
        in_progress,
        planned: day.today.clone(),
        blockers: day.blockers.clone(),
        risks,
        issues,
        metrics,
        breaches: day.slo_breaches.clone(),
        go_no_go: day.go_no_go.clone(),
    }
}
