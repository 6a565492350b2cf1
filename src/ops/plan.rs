/*!
The plan of the remaining work: every task (from the index), the estimate used for tasks that
have none (`coord.defaultEstimate`), and the schedule and cycles computed from them. Shared
by the commands that draw or judge the plan: `graph`, `gantt`, `milestone list|show`.
*/

use super::{OpError, index};
use crate::graph::{DEFAULT_ESTIMATE_HOURS, Schedule, TaskGraph};
use crate::model::{RecordError, Task, TaskId};
use crate::store::{Snapshot, Store};

/// The git config key holding the estimate of tasks that have none.
pub use super::config::{DEFAULT_ESTIMATE_KEY, default_estimate, default_estimate_setting};

/// Every task and the schedule of the open ones, read from one snapshot.
#[derive(Debug)]
pub struct WorkPlan {
    pub tasks: Vec<Task>,
    /// Task records that could not be read; the plan is made without them.
    pub problems: Vec<RecordError>,
    /// The estimate used for open tasks without one.
    pub default_hours: f64,
    /// Why `coord.defaultEstimate` was ignored, if it was.
    pub config_warning: Option<String>,
    pub schedule: Schedule,
    /// Every dependency cycle, each as sorted task IDs.
    pub cycles: Vec<Vec<TaskId>>,
}

impl WorkPlan {
    /// Makes the plan of `tasks`, with `default_hours` for tasks without an estimate.
    pub fn new(tasks: Vec<Task>, default_hours: f64) -> WorkPlan {
        let graph = TaskGraph::new(&tasks);
        let schedule = graph.schedule(default_hours);
        let cycles = graph.cycles();
        WorkPlan {
            tasks,
            problems: Vec::new(),
            default_hours,
            config_warning: None,
            schedule,
            cycles,
        }
    }

    /// The dependency graph of the plan's tasks.
    pub fn graph(&self) -> TaskGraph<'_> {
        TaskGraph::new(&self.tasks)
    }
}

/// Loads every task at the branch tip (through the index) and schedules the open ones.
pub fn load(store: &Store) -> Result<WorkPlan, OpError> {
    load_at(store, &store.snapshot()?)
}

/// Like [`load`], on a snapshot the caller also reads other records from.
pub fn load_at(store: &Store, snap: &Snapshot<'_>) -> Result<WorkPlan, OpError> {
    let (tasks, problems) = index::load(store, snap)?;
    let (default_hours, config_warning) = match default_estimate_setting(store) {
        Ok(h) => (h, None),
        Err(e) => (DEFAULT_ESTIMATE_HOURS, Some(e)),
    };
    let mut plan = WorkPlan::new(tasks, default_hours);
    plan.problems = problems;
    plan.config_warning = config_warning;
    Ok(plan)
}
