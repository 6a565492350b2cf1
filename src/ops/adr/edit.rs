//! `adr edit`: correct an ADR's title, deadline, review date, deciders or input from, in one
//! commit, with only the body parts that show them regenerated (and, for a new title, the
//! supersede links of the ADRs that point at it).

use super::{AdrError, AdrView, Changed, Guard, Template, one, update};
use crate::model::adr::{AdrEdit, AdrNumber};
use crate::ops::Actor;
use crate::ops::authority::Authority;
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
    edit_as(
        store,
        actor,
        number,
        changes,
        template,
        &Authority::unforced(&actor.agent),
    )
}

/// [`edit`] with the acting agent's authority decided by the caller. Naming who decides is
/// part of the decision: a non-decider changes an ADR's `deciders` only when a coordinator
/// forces, or a decision could be taken by first listing oneself. A proposed ADR's other
/// fields are anyone's to improve, as its options are; once settled, its text is part of the
/// decision and its owners' ([`super::holding`]: deciders, else proposer).
pub fn edit_as(
    store: &Store,
    actor: &Actor,
    number: AdrNumber,
    changes: &AdrEdit,
    template: &Template,
    authority: &Authority,
) -> Result<(Changed<AdrView>, Vec<&'static str>), AdrError> {
    let guard = if changes.deciders.is_some() {
        Guard::Always(authority)
    } else {
        Guard::Settled(authority)
    };
    let mut fields = Vec::new();
    let done = update(
        store,
        actor,
        "adr-edit",
        &[number],
        template,
        guard,
        |adrs, _| {
            fields = adrs[0].edit(changes)?;
            Ok(vec![!fields.is_empty()])
        },
    )
    .and_then(|c| one(number, c))?;
    Ok((done, fields))
}
