/*!
The JSON view of an ADR: its record fields, `path`, and the derived `superseded_by`.
*/

use serde::Serialize;

use crate::model::adr::{Adr, AdrNumber};
use crate::ops::adr::AdrView;

/// The JSON object of an ADR: its record fields, `path`, and the derived `superseded_by`.
#[derive(Serialize)]
pub struct AdrJson<'a> {
    #[serde(flatten)]
    pub adr: &'a Adr,
    pub path: String,
    /// Derived from the ADRs that supersede this one (an ADR stores only what it supersedes).
    pub superseded_by: &'a [AdrNumber],
}

impl<'a> AdrJson<'a> {
    pub fn new(view: &'a AdrView) -> AdrJson<'a> {
        AdrJson {
            adr: &view.adr,
            path: view.adr.path(),
            superseded_by: &view.superseded_by,
        }
    }
}
