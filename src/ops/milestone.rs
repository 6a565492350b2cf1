/*!
Milestone operations: add, list and show, and each milestone's health.

A milestone's tasks are the tasks whose `milestone` field is its full ID. Its health comes from
the schedule of *all* open work (a milestone task may wait for tasks outside the milestone):
the milestone is projected to finish when the last of its open tasks can finish at the
earliest, and it is at risk when that is after its due date.
*/

use serde::Serialize;

use super::plan::{self, WorkPlan};
use super::record_dir;
use super::{Actor, OpError};
use crate::graph::Sheet;
use crate::model::milestone::{Milestone, MilestoneId, MilestoneStatus, NewMilestone};
use crate::model::record::Record;
use crate::model::{RecordError, Status, Task, TaskId, Timestamp};
use crate::store::{Snapshot, Store};

/// Adds a milestone with a fresh ID that is unique on the branch, in one commit.
pub fn add(store: &Store, actor: &Actor, new: NewMilestone) -> Result<Milestone, OpError> {
    // Validate before touching the repository, so bad input never waits on a lock.
    Milestone::new(
        MilestoneId::random(Milestone::ID_LEN),
        new.clone(),
        actor.now,
    )?;
    let committed = store.update(&actor.author(), |snap| {
        let id = record_dir::fresh_id::<Milestone>(snap)?;
        let milestone = Milestone::new(id, new.clone(), actor.now)?;
        record_dir::commit(
            snap,
            actor,
            "add",
            &milestone,
            Vec::new(),
            &[],
            milestone.clone(),
        )
    })?;
    Ok(committed.value)
}

/// Parses a milestone file and checks that its `id` matches its file name.
pub fn parse_milestone_at(path: &str, text: &str) -> Result<Milestone, RecordError> {
    Milestone::parse_at(path, text)
}

/// Every milestone on the snapshot, ordered by due date then ID, with a [`RecordError`] for
/// each file that could not be read.
pub fn load_milestones(snap: &Snapshot<'_>) -> Result<(Vec<Milestone>, Vec<RecordError>), OpError> {
    record_dir::load(snap)
}

/// Resolves a full ID or unique prefix (`m-4kz`, `4kz`) to a milestone ID on this snapshot;
/// an ambiguous prefix lists the candidates with their titles.
pub fn resolve(snap: &Snapshot<'_>, given: &str) -> Result<MilestoneId, OpError> {
    record_dir::resolve::<Milestone>(snap, given)
}

/// Reads and parses one milestone by its full ID; `None` when there is no such record.
pub fn read(snap: &Snapshot<'_>, id: &MilestoneId) -> Result<Option<Milestone>, OpError> {
    record_dir::read(snap, id)
}

/// The health of `milestone` in `plan`, at `now`.
pub fn health(milestone: &Milestone, plan: &WorkPlan, now: Timestamp) -> Health {
    schedule_health(milestone, &plan_sheet(plan), now)
}

/// The sheet of `plan`'s tasks, with their schedule.
fn plan_sheet(plan: &WorkPlan) -> Sheet {
    Sheet::of(&plan.tasks, plan.default_hours)
}

/// How a milestone stands against its due date.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Health {
    pub open_tasks: usize,
    pub done_tasks: usize,
    pub cancelled_tasks: usize,
    /// Estimated hours of its open tasks (the default estimate for those without one).
    pub hours_remaining: f64,
    /// When its last open task can finish at the earliest, from now; `None` when it has no
    /// open task (or none that can be scheduled).
    pub projected_finish: Option<Timestamp>,
    /// Open and projected to finish after its due date, or with open tasks on a cycle.
    pub at_risk: bool,
    /// Open, past its due date, with open tasks.
    pub late: bool,
    /// Its open tasks that are on or behind a dependency cycle, and so cannot finish.
    pub unscheduled: Vec<TaskId>,
}

/// Whether `task` belongs to `milestone`: its `milestone` field is the full ID.
pub fn belongs(task: &Task, milestone: &MilestoneId) -> bool {
    task.milestone.as_deref() == Some(milestone.as_str())
}

/// The instant `hours` after `now`, if it can be represented.
pub fn after_hours(now: Timestamp, hours: f64) -> Option<Timestamp> {
    let seconds = (hours * 3600.0).round();
    // Beyond this a hand-edited estimate is nonsense; chrono cannot represent it anyway.
    if !seconds.is_finite() || seconds.abs() > 1e15 {
        return None;
    }
    now.unix()
        .checked_add(seconds as i64)
        .and_then(Timestamp::from_unix)
}

/// The health of `milestone` at `now`, given every task and the schedule of all open work.
pub fn schedule_health(milestone: &Milestone, sheet: &Sheet, now: Timestamp) -> Health {
    let mut h = Health {
        open_tasks: 0,
        done_tasks: 0,
        cancelled_tasks: 0,
        hours_remaining: 0.0,
        projected_finish: None,
        at_risk: false,
        late: false,
        unscheduled: Vec::new(),
    };
    let mut finish: Option<f64> = None;
    let index = sheet.milestone_named(milestone.id.as_str());
    for row in (0..sheet.len()).filter(|&r| index == Some(sheet.milestone_index(r))) {
        match sheet.status(row) {
            Status::Done => h.done_tasks += 1,
            Status::Cancelled => h.cancelled_tasks += 1,
            _ => {
                h.open_tasks += 1;
                h.hours_remaining += sheet.hours(row);
                match sheet.timing(row) {
                    Some(t) => {
                        finish =
                            Some(finish.map_or(t.earliest_finish, |f| f.max(t.earliest_finish)))
                    }
                    None => h.unscheduled.push(sheet.task_id(row)),
                }
            }
        }
    }
    h.unscheduled.sort();
    h.projected_finish = finish.and_then(|f| after_hours(now, f));
    let open = milestone.status == MilestoneStatus::Open && h.open_tasks > 0;
    let overrun = match (finish, h.projected_finish) {
        (Some(_), Some(p)) => p > milestone.due,
        // Scheduled, but too far away to represent.
        (Some(_), None) => true,
        (None, _) => false,
    };
    h.at_risk = open && (overrun || !h.unscheduled.is_empty());
    h.late = open && milestone.due < now;
    h
}

/// A milestone with its health.
#[derive(Debug)]
pub struct MilestoneReport {
    pub milestone: Milestone,
    pub health: Health,
}

/// One task of a milestone, placed in the schedule.
#[derive(Clone, Debug, Serialize)]
pub struct MilestoneTask {
    pub id: TaskId,
    pub title: String,
    pub status: Status,
    /// Remaining hours (0 for closed tasks).
    pub hours: f64,
    /// When it can finish at the earliest; `None` for closed or unscheduled tasks.
    pub earliest_finish: Option<Timestamp>,
    /// On the critical path of all remaining work.
    pub critical: bool,
}

/// What `milestone list` and `milestone show` read: the milestones, and what went wrong on
/// the way (records skipped, a malformed `coord.defaultEstimate`).
#[derive(Debug)]
pub struct Listing<T> {
    pub items: T,
    pub problems: Vec<RecordError>,
    pub config_warning: Option<String>,
}

/// Every milestone with its health at `now`, by due date.
pub fn list(store: &Store, now: Timestamp) -> Result<Listing<Vec<MilestoneReport>>, OpError> {
    let snap = store.snapshot()?;
    let plan = plan::load_at(store, &snap)?;
    let (milestones, mut problems) = load_milestones(&snap)?;
    let sheet = plan_sheet(&plan);
    let items = milestones
        .into_iter()
        .map(|milestone| MilestoneReport {
            health: schedule_health(&milestone, &sheet, now),
            milestone,
        })
        .collect();
    problems.extend(plan.problems);
    Ok(Listing {
        items,
        problems,
        config_warning: plan.config_warning,
    })
}

/// One milestone (full ID or unique prefix) with its health and its tasks: open ones first
/// by earliest finish, then closed ones, each by ID.
pub fn show(
    store: &Store,
    given: &str,
    now: Timestamp,
) -> Result<Listing<(MilestoneReport, Vec<MilestoneTask>)>, OpError> {
    let snap = store.snapshot()?;
    let milestone: Milestone = record_dir::find(&snap, given)?;
    let id = milestone.id.clone();
    let plan = plan::load_at(store, &snap)?;
    let health = health(&milestone, &plan, now);
    let mut tasks: Vec<MilestoneTask> = plan
        .tasks
        .iter()
        .filter(|t| belongs(t, &id))
        .map(|t| {
            let timing = plan.schedule.timing.get(&t.id);
            MilestoneTask {
                id: t.id.clone(),
                title: t.title.clone(),
                status: t.status,
                hours: if t.status.is_closed() {
                    0.0
                } else {
                    t.hours(plan.default_hours)
                },
                earliest_finish: timing.and_then(|x| after_hours(now, x.earliest_finish)),
                critical: plan.schedule.critical_path.contains(&t.id),
            }
        })
        .collect();
    tasks.sort_by(|a, b| {
        (
            a.status.is_closed(),
            a.earliest_finish.is_none(),
            a.earliest_finish,
            &a.id,
        )
            .cmp(&(
                b.status.is_closed(),
                b.earliest_finish.is_none(),
                b.earliest_finish,
                &b.id,
            ))
    });
    Ok(Listing {
        items: (MilestoneReport { milestone, health }, tasks),
        problems: plan.problems,
        config_warning: plan.config_warning,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NewTask;

    fn at(s: &str) -> Timestamp {
        Timestamp::parse_rfc3339(s).unwrap()
    }

    fn now() -> Timestamp {
        at("2026-11-21T10:00:00Z")
    }

    fn task(id: &str, hours: f64, deps: &[&str], milestone: Option<&str>) -> Task {
        let mut t = Task::new(
            TaskId::parse(id).unwrap(),
            NewTask {
                title: id.into(),
                estimate_hours: Some(hours),
                milestone: milestone.map(str::to_owned),
                ..NewTask::default()
            },
            now(),
        )
        .unwrap();
        t.depends_on = deps.iter().map(|d| TaskId::parse(d).unwrap()).collect();
        t
    }

    fn milestone(id: &str, due: &str) -> Milestone {
        Milestone::new(
            MilestoneId::parse(id).unwrap(),
            NewMilestone {
                title: id.into(),
                due: at(due),
                criteria: Vec::new(),
                body: String::new(),
            },
            now(),
        )
        .unwrap()
    }

    /// `a`(4h) → `b`(2h, in m-aaaaaa) and `c`(1h, in m-bbbbbb); `b` waits on work outside
    /// its milestone, so its milestone finishes 6 h from now.
    fn plan() -> WorkPlan {
        let mut done = task("t-dddddd", 3.0, &[], Some("m-aaaaaa"));
        done.status = Status::Done;
        let mut cancelled = task("t-eeeeee", 3.0, &[], Some("m-aaaaaa"));
        cancelled.status = Status::Cancelled;
        WorkPlan::new(
            vec![
                task("t-aaaaaa", 4.0, &[], None),
                task("t-bbbbbb", 2.0, &["t-aaaaaa"], Some("m-aaaaaa")),
                task("t-cccccc", 1.0, &[], Some("m-bbbbbb")),
                done,
                cancelled,
            ],
            1.0,
        )
    }

    #[test]
    fn at_risk_when_the_critical_path_overruns_the_due_date() {
        let plan = plan();
        // Due in 5 h, projected in 6 h (4 h of a dependency outside the milestone, then 2 h).
        let h = health(&milestone("m-aaaaaa", "2026-11-21T15:00:00Z"), &plan, now());
        assert_eq!((h.open_tasks, h.done_tasks, h.cancelled_tasks), (1, 1, 1));
        assert_eq!(h.hours_remaining, 2.0);
        assert_eq!(h.projected_finish, Some(at("2026-11-21T16:00:00Z")));
        assert!(h.at_risk && !h.late);

        // Exactly on time is not at risk; slack is not either.
        let h = health(&milestone("m-aaaaaa", "2026-11-21T16:00:00Z"), &plan, now());
        assert!(!h.at_risk);
        let h = health(&milestone("m-bbbbbb", "2026-11-21T12:00:00Z"), &plan, now());
        assert_eq!(h.projected_finish, Some(at("2026-11-21T11:00:00Z")));
        assert!(!h.at_risk && !h.late);
    }

    #[test]
    fn late_when_due_has_passed_with_open_tasks() {
        let plan = plan();
        let h = health(&milestone("m-bbbbbb", "2026-11-20T12:00:00Z"), &plan, now());
        assert!(h.late && h.at_risk);
        // A milestone with nothing open, or marked done, is neither.
        let h = health(&milestone("m-cccccc", "2026-11-20T12:00:00Z"), &plan, now());
        assert_eq!(h.open_tasks, 0);
        assert_eq!(h.projected_finish, None);
        assert!(!h.late && !h.at_risk);
        let mut done = milestone("m-bbbbbb", "2026-11-20T12:00:00Z");
        done.status = MilestoneStatus::Done;
        let h = health(&done, &plan, now());
        assert!(!h.late && !h.at_risk);
    }

    #[test]
    fn a_cycle_puts_a_milestone_at_risk() {
        let plan = WorkPlan::new(
            vec![
                task("t-aaaaaa", 1.0, &["t-bbbbbb"], Some("m-aaaaaa")),
                task("t-bbbbbb", 1.0, &["t-aaaaaa"], None),
                task("t-cccccc", 1.0, &[], Some("m-aaaaaa")),
            ],
            1.0,
        );
        let h = health(&milestone("m-aaaaaa", "2027-01-01T00:00:00Z"), &plan, now());
        assert_eq!(h.unscheduled, vec![TaskId::parse("t-aaaaaa").unwrap()]);
        assert_eq!(h.projected_finish, Some(at("2026-11-21T11:00:00Z")));
        assert!(h.at_risk);
    }

    #[test]
    fn default_estimate_and_absurd_estimates() {
        let mut t = task("t-aaaaaa", 0.0, &[], Some("m-aaaaaa"));
        t.estimate_hours = None;
        let plan = WorkPlan::new(vec![t.clone()], 2.5);
        let h = health(&milestone("m-aaaaaa", "2027-01-01T00:00:00Z"), &plan, now());
        assert_eq!(h.hours_remaining, 2.5);
        assert_eq!(h.projected_finish, Some(at("2026-11-21T12:30:00Z")));

        t.estimate_hours = Some(1e300);
        let plan = WorkPlan::new(vec![t], 1.0);
        let h = health(&milestone("m-aaaaaa", "2027-01-01T00:00:00Z"), &plan, now());
        assert_eq!(h.projected_finish, None);
        assert!(h.at_risk);
    }
}
