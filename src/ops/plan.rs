/*!
The plan of the remaining work: every task (from the index), the estimate used for tasks that
have none (`coord.defaultEstimate`), and the schedule and cycles computed from them. Shared
by the commands that draw or judge the plan: `graph`, `gantt`, `milestone list|show`.
*/

use super::{OpError, index};
use crate::graph::{DEFAULT_ESTIMATE_HOURS, ReadyRef, Schedule, Sheet, TaskGraph};
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

/// The tasks of one read as the overview needs them: every task as a [`Sheet`] row (with the
/// schedule), the shared ready set by row, and the records that were decoded: all of them
/// ([`Work::of`], [`Work::all`]), or only the rows a screen prints ([`Work::rows`]), so that
/// `status` at 100,000 tasks decodes what it shows and no more.
#[derive(Clone, Debug)]
pub struct Work {
    pub sheet: Sheet,
    /// The shared ready set, best first; each `index` is a row of `sheet`.
    pub ready: Vec<ReadyRef>,
    /// The decoded records, by row.
    tasks: Vec<Task>,
    /// The row of each of `tasks`, ascending.
    rows: Vec<u32>,
}

impl Work {
    /// The work of `tasks`, every record at hand; the schedule and ready set computed.
    pub fn of(tasks: Vec<Task>, default_hours: f64) -> Work {
        let sheet = Sheet::of(&tasks, default_hours);
        let ready = sheet
            .ready(|r| sheet.assignee(r).is_none())
            .into_iter()
            .map(|r| ReadyRef {
                index: r.row as usize,
                slack: r.slack,
                cancelled_deps: sheet.cancelled_ids(&r),
            })
            .collect();
        Work {
            sheet,
            ready,
            rows: (0..tasks.len() as u32).collect(),
            tasks,
        }
    }

    /// The work of `view`, every record decoded.
    pub fn all(view: index::TaskView) -> Result<Work, OpError> {
        let tasks = view.tasks()?;
        let ready = ready_of(&view);
        Ok(Work {
            sheet: view.into_sheet(),
            ready,
            rows: (0..tasks.len() as u32).collect(),
            tasks,
        })
    }

    /// The work of `view`, with the records of the rows `wanted` picks (given the sheet and
    /// the ready set) decoded, and no other.
    pub fn rows(
        view: index::TaskView,
        wanted: impl Fn(&Sheet, &[ReadyRef]) -> Vec<usize>,
    ) -> Result<Work, OpError> {
        let ready = ready_of(&view);
        let mut rows = wanted(view.sheet(), &ready);
        rows.sort_unstable();
        rows.dedup();
        Ok(Work {
            tasks: view.records(&rows)?,
            sheet: view.into_sheet(),
            ready,
            rows: rows.into_iter().map(|r| r as u32).collect(),
        })
    }

    /// The record of row `row`, if it was decoded.
    pub fn task(&self, row: usize) -> Option<&Task> {
        let i = self.rows.binary_search(&(row as u32)).ok()?;
        self.tasks.get(i)
    }

    /// The decoded records, by row: every task, unless made by [`Work::rows`].
    pub fn tasks(&self) -> &[Task] {
        &self.tasks
    }

    /// The title of row `row`, or an empty one when its record was not decoded.
    pub fn title(&self, row: usize) -> String {
        self.task(row).map(|t| t.title.clone()).unwrap_or_default()
    }
}

fn ready_of(view: &index::TaskView) -> Vec<ReadyRef> {
    view.ready(None, &[])
        .map(|r| ReadyRef {
            index: r.row,
            slack: r.slack,
            cancelled_deps: r.cancelled_deps,
        })
        .collect()
}
