/*!
The JSON view of a conflict: its record fields, `resolution_hours` and `path`.
*/

use serde::Serialize;

use crate::model::conflict::Conflict;
use crate::model::layout;

/// The JSON object of a conflict: its record fields, `resolution_hours` and `path`.
#[derive(Serialize)]
pub struct ConflictJson<'a> {
    #[serde(flatten)]
    pub conflict: &'a Conflict,
    pub resolution_hours: Option<f64>,
    pub path: String,
}

impl<'a> ConflictJson<'a> {
    pub fn new(conflict: &'a Conflict) -> ConflictJson<'a> {
        ConflictJson {
            resolution_hours: conflict.resolution_hours(),
            path: layout::conflict_path(&conflict.id),
            conflict,
        }
    }
}
