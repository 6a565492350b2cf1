/*!
The risk register: add, edit and close risks, and list them ranked by impact × probability.
*/

use super::authority::{Access, Authority, Holding};
use super::record_dir;
use super::{Actor, OpError};
use crate::model::record::Record;
use crate::model::risk::{NewRisk, Risk, RiskPatch, RiskStatus};
use crate::model::{RecordError, RiskId};
use crate::store::{Plan, Snapshot, Store};

/// Every risk on the snapshot, ranked, with a [`RecordError`] for each file that could not
/// be read.
pub fn load_risks(snap: &Snapshot<'_>) -> Result<(Vec<Risk>, Vec<RecordError>), OpError> {
    record_dir::load(snap)
}

/// Resolves a full ID or unique prefix (`r-4kz`, `4kz`) and reads that risk.
pub fn find(snap: &Snapshot<'_>, given: &str) -> Result<Risk, OpError> {
    record_dir::find(snap, given)
}

/// What a risk is as an owned record: an owned risk is its owner's to change or close (the
/// owner watches it, and an edit can quietly lower what it says); an unowned one is anyone's
/// (ADR 0010's amendment).
pub fn holding(risk: &Risk) -> Holding {
    Holding {
        relation: "owned by",
        ..Holding::new(
            format!("risk {} ({})", risk.id, risk.title),
            risk.owner.iter().cloned().collect(),
            None,
        )
    }
}

/// The plan that writes one risk and the acting agent's heartbeat; a forced change signs the
/// commit.
fn risk_plan(
    snap: &Snapshot<'_>,
    actor: &Actor,
    op: &str,
    risk: Risk,
    access: &Access,
) -> Result<Plan<Risk>, OpError> {
    let trailers = access.trailer();
    record_dir::commit(
        snap,
        actor,
        op,
        &risk,
        Vec::new(),
        trailers.as_slice(),
        risk.clone(),
    )
}

/// Adds a risk with a fresh ID unique on the branch, in one commit.
pub fn add(store: &Store, actor: &Actor, new: NewRisk) -> Result<Risk, OpError> {
    // Validate before touching the repository, so bad input never waits on a lock.
    Risk::new(RiskId::random(Risk::ID_LEN), new.clone(), actor.now)?;
    let committed = store.update(&actor.author(), |snap| {
        let id = record_dir::fresh_id::<Risk>(snap)?;
        let risk = Risk::new(id, new.clone(), actor.now)?;
        risk_plan(snap, actor, "add", risk, &Access::Own)
    })?;
    Ok(committed.value)
}

/// Changes the fields `patch` names, in one commit; no commit when nothing changes.
/// Returns the risk and whether it changed. Another agent's risk changes only when a
/// coordinator forces ([`holding`]), decided on the tip the commit lands on.
pub fn edit(
    store: &Store,
    actor: &Actor,
    given: &str,
    patch: &RiskPatch,
    authority: &Authority,
) -> Result<(Risk, bool), OpError> {
    patch.validate()?;
    let committed = store.update(&actor.author(), |snap| {
        let mut risk = find(snap, given)?;
        let access = authority.check(&holding(&risk))?;
        if !risk.apply(patch, actor.now)? {
            return Ok(Plan::Skip((risk, false)));
        }
        Ok::<_, OpError>(risk_plan(snap, actor, "edit", risk, &access)?.map(|r| (r, true)))
    })?;
    Ok(committed.value)
}

/// Closes an open risk, in one commit: its owner's to close, unless a coordinator forces.
pub fn close(
    store: &Store,
    actor: &Actor,
    given: &str,
    reason: Option<&str>,
    authority: &Authority,
) -> Result<Risk, OpError> {
    let committed = store.update(&actor.author(), |snap| {
        let mut risk = find(snap, given)?;
        if risk.status == RiskStatus::Closed {
            return Err(OpError::AlreadyClosed {
                kind: Risk::NOUN,
                id: risk.id.to_string(),
                state: "closed",
                by: None,
                at: None,
            });
        }
        let access = authority.check(&holding(&risk))?;
        risk.close(reason, actor.now)?;
        risk_plan(snap, actor, "close", risk, &access)
    })?;
    Ok(committed.value)
}

/// Risks with `status` (every one for `None`), ranked, and the files skipped.
pub fn list(
    store: &Store,
    status: Option<RiskStatus>,
) -> Result<(Vec<Risk>, Vec<RecordError>), OpError> {
    record_dir::list(store, |r: &Risk| status.is_none_or(|s| r.status == s))
}

/// One risk by full ID or unique prefix.
pub fn show(store: &Store, given: &str) -> Result<Risk, OpError> {
    record_dir::show(store, given)
}
