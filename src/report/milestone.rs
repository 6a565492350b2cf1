/*!
A milestone's health: how its open tasks stand against its due date, given the schedule of all
open work (a milestone task may wait for tasks outside the milestone). It is projected to finish
when the last of its open tasks can finish at the earliest, and at risk when that is after its
due date. Shared by `milestone list|show` and `status`.
*/

use serde::Serialize;

use crate::graph::Schedule;
use crate::model::milestone::{Milestone, MilestoneId, MilestoneStatus};
use crate::model::{Status, Task, TaskId, Timestamp};

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

/// The health of `milestone` at `now`, given the schedule of all open work.
pub fn health(
    milestone: &Milestone,
    tasks: &[Task],
    schedule: &Schedule,
    default_hours: f64,
    now: Timestamp,
) -> Health {
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
    for task in tasks.iter().filter(|t| belongs(t, &milestone.id)) {
        match task.status {
            Status::Done => h.done_tasks += 1,
            Status::Cancelled => h.cancelled_tasks += 1,
            _ => {
                h.open_tasks += 1;
                h.hours_remaining += task.hours(default_hours);
                match schedule.timing.get(&task.id) {
                    Some(t) => {
                        finish =
                            Some(finish.map_or(t.earliest_finish, |f| f.max(t.earliest_finish)))
                    }
                    None => h.unscheduled.push(task.id.clone()),
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
