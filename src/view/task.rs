/*!
The JSON view of a task: its record fields plus `path`, and `overdue` in listings.
*/

use serde::Serialize;

use crate::model::{Task, Timestamp, layout};

/// The JSON object of a task: its record fields plus `path`.
#[derive(Serialize)]
pub struct TaskJson<'a> {
    #[serde(flatten)]
    pub task: &'a Task,
    pub path: String,
    /// Set by listings: whether the task is open and past its `due`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overdue: Option<bool>,
}

impl<'a> TaskJson<'a> {
    pub fn new(task: &'a Task) -> TaskJson<'a> {
        TaskJson {
            task,
            path: layout::task_path(&task.id),
            overdue: None,
        }
    }

    /// The JSON object of a task in a listing, with `overdue` as of `now`.
    pub fn listed(task: &'a Task, now: Timestamp) -> TaskJson<'a> {
        TaskJson {
            overdue: Some(crate::ops::schedule::is_overdue(task, now)),
            ..TaskJson::new(task)
        }
    }
}
