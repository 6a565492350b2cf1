/*!
The JSON view of a risk: its record fields, `score` and `path`.
*/

use serde::Serialize;

use crate::model::layout;
use crate::model::risk::Risk;

/// The JSON object of a risk: its record fields, `score` and `path`.
#[derive(Serialize)]
pub struct RiskJson<'a> {
    #[serde(flatten)]
    pub risk: &'a Risk,
    pub score: u8,
    pub path: String,
}

impl<'a> RiskJson<'a> {
    pub fn new(risk: &'a Risk) -> RiskJson<'a> {
        RiskJson {
            score: risk.score(),
            path: layout::risk_path(&risk.id),
            risk,
        }
    }
}
