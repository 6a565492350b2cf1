/*!
One path, one exclusive holder (DESIGN §6): the collisions of requested patterns with other
agents' exclusive claims, judged the same way on every road to a claim (`own`, a task's
`owns`, `spawn`, agent registration), and the conflict records a forced claim opens.
*/

use serde::Serialize;

use super::claims::claim_set;
use crate::model::conflict::NewConflict;
use crate::model::{AgentId, Timestamp};
use crate::ops::{Actor, OpError, agent};
use crate::ownership::claims::{ClaimSet, Source};
use crate::ownership::pattern::Pattern;
use crate::store::{Edit, Snapshot, Store};

/// Another agent's claim that a requested pattern collides with.
#[derive(Clone, Debug, Serialize)]
pub struct Collision {
    pub pattern: String,
    pub holder: AgentId,
    pub held_pattern: String,
    pub since: Timestamp,
    /// Tracked files matched by both (at most five), or one example path when none is.
    pub examples: Vec<String>,
}

pub(super) fn parse_all(patterns: &[String]) -> Result<Vec<Pattern>, OpError> {
    patterns
        .iter()
        .map(|p| {
            Pattern::parse_given(p).map_err(|e| {
                OpError::Invalid(crate::model::task::InvalidField {
                    field: "pattern",
                    message: e.to_string(),
                })
            })
        })
        .collect()
}

/// Collisions of `patterns` with other agents' exclusive claims; the tracked files (read only
/// when there is a collision to illustrate) give up to five examples each.
pub(super) fn collisions(
    store: &Store,
    set: &ClaimSet,
    me: &AgentId,
    patterns: &[Pattern],
) -> Vec<Collision> {
    let mut out = Vec::new();
    let mut tracked: Option<Vec<String>> = None;
    for p in patterns {
        for h in set.collisions(me, p) {
            let tracked = tracked.get_or_insert_with(|| store.head_paths().unwrap_or_default());
            let mut examples: Vec<String> = tracked
                .iter()
                .filter(|f| p.matches(f) && h.pattern.matches(f))
                .take(5)
                .cloned()
                .collect();
            if examples.is_empty() {
                examples.extend(p.witness(&h.pattern));
            }
            out.push(Collision {
                pattern: p.as_str().to_owned(),
                holder: h.agent.clone(),
                held_pattern: h.pattern.as_str().to_owned(),
                since: h.since,
                examples,
            });
        }
    }
    out
}

/// Whether `holder` may hold `patterns` exclusively at `snap` (DESIGN §6: one path, one
/// exclusive holder), decided the same way on every road to a claim — `own`, a task with
/// `owns` becoming someone's (claim, start, next, assign, import, spawn --task), and
/// `spawn --owns`. Claims made by the task `skip` are left out (it is the record being
/// rewritten). A collision is refused (exit 3, the `own` collision error) unless `--force` was
/// asked, and then each holder's claim is an [`Authority::check`] (a non-coordinator's force
/// is refused when a list exists). Returns the collisions taken by force, for conflict
/// records ([`collision_conflicts`]), and the access that signs the commit.
///
/// [`Authority::check`]: crate::ops::authority::Authority::check
pub fn exclusive_collisions(
    store: &Store,
    snap: &Snapshot<'_>,
    holder: &AgentId,
    now: Timestamp,
    patterns: &[String],
    skip: Option<&crate::model::TaskId>,
    authority: &crate::ops::authority::Authority,
) -> Result<(Vec<Collision>, crate::ops::authority::Access), OpError> {
    exclusive_collisions_except(store, snap, holder, now, patterns, skip, authority, &[])
}

/// [`exclusive_collisions`], leaving out collisions a conflict record in `recorded` already
/// names (between `holder` and the other holder, about both patterns): a claim taken by
/// force earlier, whose conflict is on record, is not taken again. `start` re-checks an
/// assignee's claims this way (second review, H2), so a forced assignment does not make the
/// assignee's own `start` need a coordinator.
#[allow(clippy::too_many_arguments)]
pub fn exclusive_collisions_except(
    store: &Store,
    snap: &Snapshot<'_>,
    holder: &AgentId,
    now: Timestamp,
    patterns: &[String],
    skip: Option<&crate::model::TaskId>,
    authority: &crate::ops::authority::Authority,
    recorded: &[crate::model::conflict::Conflict],
) -> Result<(Vec<Collision>, crate::ops::authority::Access), OpError> {
    use crate::ops::authority::Access;
    if patterns.is_empty() {
        return Ok((Vec::new(), Access::Own));
    }
    let parsed = parse_all(patterns)?;
    let mut set = claim_set(store, snap, now)?;
    if let Some(id) = skip {
        set.held
            .retain(|h| !matches!(&h.source, Source::Task(t) if t == id));
    }
    let mut found = collisions(store, &set, holder, &parsed);
    found.retain(|c| {
        !recorded.iter().any(|r| {
            r.between.contains(holder)
                && r.between.contains(&c.holder)
                && r.about.contains(&c.pattern)
                && r.about.contains(&c.held_pattern)
        })
    });
    if found.is_empty() {
        return Ok((found, Access::Own));
    }
    if !authority.force_asked() {
        return Err(OpError::Collision { collisions: found });
    }
    let mut access = Access::Own;
    for c in &found {
        let held = crate::ops::authority::Holding::new(
            format!("the claim on {}", c.held_pattern),
            vec![c.holder.clone()],
            Some(c.since),
        );
        access = authority.check(&held)?;
    }
    Ok((found, access))
}

/// [`agent::register`] with its `owns` judged like `own`'s: one path, one exclusive holder;
/// an honoured `--force` takes the paths and records each conflict in the same commit.
pub fn register(
    store: &Store,
    actor: &Actor,
    id: &AgentId,
    spec: &agent::AgentSpec,
    authority: &crate::ops::authority::Authority,
) -> Result<(crate::model::Agent, bool), OpError> {
    let check = |snap: &Snapshot<'_>, owns: &[String]| {
        let (found, access) =
            exclusive_collisions(store, snap, id, actor.now, owns, None, authority)?;
        let (_, edits) = collision_conflicts(snap, actor, id, &found)?;
        Ok((access, edits))
    };
    agent::register(store, actor, id, spec, authority, &check)
}

/// The conflict records of claims taken by force (`collisions` of `holder`'s new claims),
/// one per collision, as `own --force` opens them.
pub fn collision_conflicts(
    snap: &Snapshot<'_>,
    actor: &Actor,
    holder: &AgentId,
    collisions: &[Collision],
) -> Result<(Vec<String>, Vec<Edit>), OpError> {
    let mut ids = Vec::new();
    let mut edits = Vec::new();
    for c in collisions {
        let (id, edit) = conflict_record_for(snap, actor, holder, c)?;
        ids.push(id);
        edits.push(edit);
    }
    Ok((ids, edits))
}

/// The conflict record of a forced claim: between the claimer and the holder, about both
/// patterns.
pub(super) fn conflict_record(
    snap: &Snapshot<'_>,
    actor: &Actor,
    c: &Collision,
) -> Result<(String, Edit), OpError> {
    conflict_record_for(snap, actor, &actor.agent, c)
}

/// [`conflict_record`] for a claim `holder` now has (the actor's own, or the agent a forced
/// task claim or spawn gives it to).
fn conflict_record_for(
    snap: &Snapshot<'_>,
    actor: &Actor,
    holder: &AgentId,
    c: &Collision,
) -> Result<(String, Edit), OpError> {
    let title = format!(
        "{} took {} although {} holds {} exclusively",
        holder, c.pattern, c.holder, c.held_pattern
    );
    let how = if holder == &actor.agent {
        format!("`git coord own --force` by {}", actor.agent)
    } else {
        format!("A claim for {holder} forced by {}", actor.agent)
    };
    let body = format!(
        "{how}: files both claims cover include {}.\n",
        c.examples
            .iter()
            .map(|e| format!("`{e}`"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let new = NewConflict {
        title,
        between: vec![holder.clone(), c.holder.clone()],
        about: vec![c.pattern.clone(), c.held_pattern.clone()],
        body,
    };
    let (conflict, edit) = crate::ops::conflict::new_record(snap, actor, new)?;
    Ok((conflict.id.to_string(), edit))
}
