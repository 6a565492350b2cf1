/*!
The JSON view of a gate run: the milestone it decided, then the gate entry's fields.
*/

use serde::Serialize;

use crate::model::gate::Gate;
use crate::model::layout;
use crate::model::milestone::Milestone;

/// The JSON of a gate run: the milestone, then the gate entry's fields.
#[derive(Serialize)]
pub struct GateJson<'a> {
    pub milestone: &'a str,
    pub title: &'a str,
    pub path: String,
    #[serde(flatten)]
    pub gate: &'a Gate,
}

impl<'a> GateJson<'a> {
    /// `gate`, as recorded on `milestone`.
    pub fn new(milestone: &'a Milestone, gate: &'a Gate) -> GateJson<'a> {
        GateJson {
            milestone: milestone.id.as_str(),
            title: &milestone.title,
            path: layout::milestone_path(&milestone.id),
            gate,
        }
    }
}
