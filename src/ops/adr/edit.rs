//! `adr edit`: correct an ADR's title, deadline, review date, deciders or input from, in one
//! commit, with only the body parts that show them regenerated (and, for a new title, the
//! supersede links of the ADRs that point at it).

use super::{AdrError, AdrView, Changed, Template, one, update};
use crate::model::adr::{AdrEdit, AdrNumber};
use crate::ops::Actor;
use crate::store::Store;

/// Applies `changes` to ADR `number`. Returns it with the names of the fields that changed
/// (none, and no commit, when every value given is the one it has).
pub fn edit(
    store: &Store,
    actor: &Actor,
    number: AdrNumber,
    changes: &AdrEdit,
    template: &Template,
) -> Result<(Changed<AdrView>, Vec<&'static str>), AdrError> {
    let mut fields = Vec::new();
    let done = update(store, actor, "adr-edit", &[number], template, |adrs, _| {
        fields = adrs[0].edit(changes)?;
        Ok(vec![!fields.is_empty()])
    })
    .and_then(|c| one(number, c))?;
    Ok((done, fields))
}
