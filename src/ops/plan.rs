/*!
The plan of the remaining work: every task (from the index), the estimate used for tasks that
have none (`coord.defaultEstimate`), and the schedule and cycles computed from them. Shared
by the commands that draw or judge the plan: `graph`, `gantt`, `milestone list|show`.
*/

use super::{OpError, index};
use crate::graph::{DEFAULT_ESTIMATE_HOURS, Schedule, TaskGraph};
use crate::model::time::parse_estimate;
use crate::model::{RecordError, Task, TaskId};
use crate::store::{Snapshot, Store};

/// The git config key holding the estimate of tasks that have none.
pub const DEFAULT_ESTIMATE_KEY: &str = "coord.defaultEstimate";

/// The estimate, in hours, of open tasks that have none: `coord.defaultEstimate` (such as
/// `2h`), else [`DEFAULT_ESTIMATE_HOURS`]. A value that is not a duration is ignored here;
/// [`default_estimate_setting`] says what is wrong with it.
pub fn default_estimate(store: &Store) -> f64 {
    default_estimate_setting(store).unwrap_or(DEFAULT_ESTIMATE_HOURS)
}

/// Like [`default_estimate`], but a malformed `coord.defaultEstimate` is an error whose message
/// names the key, the value and the fix.
pub fn default_estimate_setting(store: &Store) -> Result<f64, String> {
    match store.config_string(DEFAULT_ESTIMATE_KEY) {
        None => Ok(DEFAULT_ESTIMATE_HOURS),
        Some(value) => parse_estimate(&value).map_err(|e| {
            format!(
                "git config {DEFAULT_ESTIMATE_KEY}: {e}; fix it with `git config {DEFAULT_ESTIMATE_KEY} 2h`"
            )
        }),
    }
}

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
