/*!
The risk register: add, edit and close risks, and list them ranked by impact × probability.
*/

use std::cmp::Reverse;

use super::authority::{Access, Authority, Holding};
use super::record_dir::RecordKind;
use super::{Actor, OpError, commit_message, touch_agent};
use crate::model::id::RiskPrefix;
use crate::model::layout::{self, RISKS_DIR};
use crate::model::risk::{NewRisk, RISK_ID_LEN, Risk, RiskPatch, RiskStatus};
use crate::model::task::InvalidField;
use crate::model::{IdError, RecordError, RiskId};
use crate::store::{self, Edit, Plan, Snapshot, Store};

#[derive(Debug, thiserror::Error)]
pub enum RiskError {
    #[error(transparent)]
    Op(#[from] OpError),
    #[error("{id} is already closed")]
    AlreadyClosed { id: RiskId },
}

impl From<store::Error> for RiskError {
    fn from(e: store::Error) -> RiskError {
        RiskError::Op(e.into())
    }
}

impl From<RecordError> for RiskError {
    fn from(e: RecordError) -> RiskError {
        RiskError::Op(e.into())
    }
}

impl From<InvalidField> for RiskError {
    fn from(e: InvalidField) -> RiskError {
        RiskError::Op(e.into())
    }
}

impl From<IdError> for RiskError {
    fn from(e: IdError) -> RiskError {
        RiskError::Op(e.into())
    }
}

fn id_of(r: &Risk) -> &RiskId {
    &r.id
}

/// Where risks live and how they are read.
pub const RISKS: RecordKind<RiskId, Risk> = RecordKind {
    noun: "risk",
    dir: RISKS_DIR,
    path: layout::risk_path,
    id_from_path: RiskId::from_path,
    parse: Risk::parse,
    id_of,
};

/// Orders risks as the register lists them: highest impact × probability first, then the
/// oldest, then by ID.
pub fn rank(risks: &mut [Risk]) {
    risks.sort_by(|a, b| {
        (Reverse(a.score()), a.created, &a.id).cmp(&(Reverse(b.score()), b.created, &b.id))
    });
}

/// Every risk on the snapshot, ranked, with a [`RecordError`] for each file that could not
/// be read.
pub fn load_risks(snap: &Snapshot<'_>) -> Result<(Vec<Risk>, Vec<RecordError>), OpError> {
    let (mut risks, problems) = RISKS.load(snap)?;
    rank(&mut risks);
    Ok((risks, problems))
}

/// Resolves a full ID or unique prefix (`r-4kz`, `4kz`) and reads that risk.
pub fn find(snap: &Snapshot<'_>, given: &str) -> Result<Risk, OpError> {
    let prefix = RiskPrefix::parse(given)?;
    RISKS.find(snap, given, prefix.as_full_id(), |id| prefix.matches(id))
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
    let mut edits = vec![Edit::write(layout::risk_path(&risk.id), risk.to_text())];
    edits.extend(touch_agent(snap, actor)?);
    Ok(Plan::Commit {
        message: commit_message(
            op,
            risk.id.as_str(),
            Some(&risk.title),
            actor,
            access.trailer().as_slice(),
        ),
        edits,
        value: risk,
    })
}

/// Adds a risk with a fresh ID unique on the branch, in one commit.
pub fn add(store: &Store, actor: &Actor, new: NewRisk) -> Result<Risk, OpError> {
    // Validate before touching the repository, so bad input never waits on a lock.
    Risk::new(RiskId::random(RISK_ID_LEN), new.clone(), actor.now)?;
    let committed = store.update(&actor.author(), |snap| {
        let mut len = RISK_ID_LEN;
        let id = loop {
            let id = RiskId::random(len);
            if !snap.exists(&layout::risk_path(&id))? {
                break id;
            }
            len += 1;
        };
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
) -> Result<Risk, RiskError> {
    let committed = store.update(&actor.author(), |snap| {
        let mut risk = find(snap, given)?;
        if risk.status == RiskStatus::Closed {
            return Err(RiskError::AlreadyClosed { id: risk.id });
        }
        let access = authority.check(&holding(&risk)).map_err(OpError::from)?;
        risk.close(reason, actor.now)?;
        Ok(risk_plan(snap, actor, "close", risk, &access)?)
    })?;
    Ok(committed.value)
}

/// Risks with `status` (every one for `None`), ranked, and the files skipped.
pub fn list(
    store: &Store,
    status: Option<RiskStatus>,
) -> Result<(Vec<Risk>, Vec<RecordError>), OpError> {
    let snap = store.snapshot()?;
    let (mut risks, problems) = load_risks(&snap)?;
    risks.retain(|r| status.is_none_or(|s| r.status == s));
    Ok((risks, problems))
}

/// One risk by full ID or unique prefix.
pub fn show(store: &Store, given: &str) -> Result<Risk, OpError> {
    find(&store.snapshot()?, given)
}
