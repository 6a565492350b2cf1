/*!
The JSON view of a milestone: its record fields, `path`, and its health and tasks when known.
*/

use serde::Serialize;

use crate::model::layout;
use crate::model::milestone::Milestone;
use crate::ops::milestone::{Health, MilestoneTask};

/// The JSON object of a milestone: its record fields, `path`, and its health when known.
#[derive(Serialize)]
pub struct MilestoneJson<'a> {
    #[serde(flatten)]
    pub milestone: &'a Milestone,
    pub path: String,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub health: Option<&'a Health>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tasks: Option<&'a [MilestoneTask]>,
}

impl<'a> MilestoneJson<'a> {
    /// `health` for listings and `show`, `tasks` for `show`; a new milestone has neither.
    pub fn new(
        milestone: &'a Milestone,
        health: Option<&'a Health>,
        tasks: Option<&'a [MilestoneTask]>,
    ) -> MilestoneJson<'a> {
        MilestoneJson {
            path: layout::milestone_path(&milestone.id),
            milestone,
            health,
            tasks,
        }
    }
}
