/*!
`own` and `disown`: the acting agent takes claims (refusing what another agent holds
exclusively, unless an honoured `--force` takes it and records a conflict) and drops them.
*/

use serde::Serialize;

use super::claims::claim_set;
use super::collision::{Collision, collisions, conflict_record, parse_all};
use super::policy::baseline;
use crate::model::claim::{Claim, Mode};
use crate::model::layout;
use crate::model::{AgentId, Timestamp};
use crate::ops::{Actor, OpError, agent, commit_message, touch_agent};
use crate::ownership::pattern::Pattern;
use crate::store::{Edit, Plan, Store};

#[derive(Clone, Debug)]
pub struct OwnRequest {
    pub patterns: Vec<String>,
    pub mode: Mode,
    pub ttl_secs: Option<i64>,
    pub reason: Option<String>,
    /// Take the claim even where another agent holds the files, and record a conflict.
    pub force: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Owned {
    pub agent: AgentId,
    pub claims: Vec<Claim>,
    /// Collisions taken anyway with `--force`, each recorded as a conflict.
    pub forced: Vec<Collision>,
    pub conflicts: Vec<String>,
    /// Baseline rules (`.coord/owners.toml`, CODEOWNERS) that give some of the claimed files
    /// to someone else: the claim is taken, with a warning.
    pub baseline: Vec<BaselineOverlap>,
}

/// A claimed pattern and a baseline rule giving some of its files to someone else.
#[derive(Clone, Debug, Serialize)]
pub struct BaselineOverlap {
    pub claimed: String,
    #[serde(flatten)]
    pub rule: crate::ownership::baseline::Foreign,
}

/// The baseline rules that give files `patterns` cover to someone other than `agent`, and
/// the warning for each. Tracked files (for examples and for telling which rule decides a
/// path) are read only when some rule overlaps a claimed pattern at all.
fn baseline_overlaps(
    store: &Store,
    agent: &AgentId,
    patterns: &[Pattern],
) -> Result<(Vec<BaselineOverlap>, Vec<String>), OpError> {
    let base = baseline(store)?;
    let mut warnings = base.problems.clone();
    if !patterns
        .iter()
        .any(|p| base.rules.iter().any(|r| r.pattern.overlaps(p)))
    {
        return Ok((Vec::new(), warnings));
    }
    let tracked = store.head_paths()?;
    let shown = |s: &str| crate::model::text::escape_unsafe(s).into_owned();
    let mut out = Vec::new();
    for p in patterns {
        for rule in base.foreign_rules(p, agent.as_str(), &tracked) {
            let owners = shown(&rule.owners.join(" "));
            let effect = if rule.enforced {
                format!("while it lasts `check` lets {agent} change them instead of {owners}")
            } else {
                "CODEOWNERS only informs, but its owners review these files".to_owned()
            };
            warnings.push(format!(
                "{} covers files the baseline gives to {owners}: {}:{} `{}` (e.g. {}); claimed anyway, as a temporary lease ({effect}); let {owners} know",
                shown(p.as_str()),
                rule.source,
                rule.line,
                shown(&rule.pattern),
                rule.examples
                    .iter()
                    .map(|e| shown(e))
                    .collect::<Vec<_>>()
                    .join(", "),
            ));
            out.push(BaselineOverlap {
                claimed: p.as_str().to_owned(),
                rule,
            });
        }
    }
    Ok((out, warnings))
}

/// Claims `patterns` for the acting agent, in one commit. A pattern that overlaps another
/// agent's live exclusive claim is refused (nothing is written) unless `force`, which takes
/// it and opens a conflict record naming both agents. `warnings` receives the problems met
/// reading the claims (an unreadable agent record), whether or not the claim succeeds.
pub fn own(
    store: &Store,
    actor: &Actor,
    req: &OwnRequest,
    authority: &crate::ops::authority::Authority,
    warnings: &mut Vec<String>,
) -> Result<Owned, OpError> {
    let patterns = parse_all(&req.patterns)?;
    // The baseline is read from the default branch, not the coordination branch: it does not change
    // between attempts of the write.
    let (baseline, baseline_warnings) = baseline_overlaps(store, &actor.agent, &patterns)?;
    let committed = store.update(&actor.author(), |snap| {
        let set = claim_set(store, snap, actor.now)?;
        warnings.clone_from(&set.problems);
        warnings.extend(baseline_warnings.iter().cloned());
        let found = collisions(store, &set, &actor.agent, &patterns);
        if !found.is_empty() && !req.force {
            return Err(OpError::Collision { collisions: found });
        }
        // A forced claim over another agent's is a forced change (ADR 0010): a coordinator's,
        // or anyone's when no list is set.
        let mut access = crate::ops::authority::Access::Own;
        for c in &found {
            access = authority.check(&crate::ops::authority::Holding::new(
                format!("the claim on {}", c.held_pattern),
                vec![c.holder.clone()],
                Some(c.since),
            ))?;
        }
        let path = layout::agent_path(&actor.agent);
        let mut me = agent::read(snap, &actor.agent)?
            .unwrap_or_else(|| crate::model::Agent::new(actor.agent.clone(), actor.now));
        me.saw(actor.now);
        let mut added = Vec::new();
        for p in &patterns {
            let claim = Claim {
                pattern: p.as_str().to_owned(),
                mode: req.mode,
                since: actor.now,
                until: req
                    .ttl_secs
                    .and_then(|t| Timestamp::from_unix(actor.now.unix() + t)),
                reason: req.reason.clone(),
            };
            // Claiming a pattern again renews it (mode, expiry and reason follow the new one).
            me.claims.retain(|c| c.pattern != claim.pattern);
            me.claims.push(claim.clone());
            added.push(claim);
        }
        let mut edits = vec![Edit::write(path, me.to_text())];
        let mut conflicts = Vec::new();
        for c in &found {
            let (id, edit) = conflict_record(snap, actor, c)?;
            conflicts.push(id);
            edits.push(edit);
        }
        let names: Vec<&str> = patterns.iter().map(Pattern::as_str).collect();
        let mut trailers: Vec<(&str, &str)> = if req.force && !found.is_empty() {
            vec![("Coord-Forced", "true")]
        } else {
            Vec::new()
        };
        trailers.extend(access.trailer());
        Ok::<_, OpError>(Plan::Commit {
            message: commit_message(
                "own",
                actor.agent.as_str(),
                Some(&names.join(" ")),
                actor,
                &trailers,
            ),
            edits,
            value: Owned {
                agent: actor.agent.clone(),
                claims: added,
                forced: found,
                conflicts,
                baseline: baseline.clone(),
            },
        })
    })?;
    Ok(committed.value)
}

/// Drops the acting agent's claims on `patterns` (exactly as written), or all with `all`.
/// Returns the patterns released. Another agent's claim named here is refused (exit 3), or
/// with an honoured `--force` released in the same commit ([`agent::release_others_claims`]).
pub fn disown(
    store: &Store,
    actor: &Actor,
    patterns: &[String],
    all: bool,
    authority: &crate::ops::authority::Authority,
) -> Result<Vec<String>, OpError> {
    let committed = store.update(&actor.author(), |snap| {
        let named = if all { &[][..] } else { patterns };
        let others = agent::release_others_claims(snap, actor, named, authority)?;
        let mut me = match agent::read(snap, &actor.agent)? {
            Some(me) => me,
            None if others.edits.is_empty() => return Ok(Plan::Skip(Vec::new())),
            None => crate::model::Agent::new(actor.agent.clone(), actor.now),
        };
        let before = me.claims.len();
        let mut released = Vec::new();
        me.claims.retain(|c| {
            let drop = all || patterns.iter().any(|p| p.trim() == c.pattern);
            if drop {
                released.push(c.pattern.clone());
            }
            !drop
        });
        if me.claims.len() == before && others.edits.is_empty() {
            return Ok(Plan::Skip(released));
        }
        me.saw(actor.now);
        let mut edits = vec![Edit::write(layout::agent_path(&actor.agent), me.to_text())];
        edits.extend(others.edits);
        released.extend(others.released);
        let trailers: Vec<_> = others.access.trailer().into_iter().collect();
        edits.extend(
            touch_agent(snap, actor)?
                .into_iter()
                .filter(|e| e.path != layout::agent_path(&actor.agent)),
        );
        Ok::<_, OpError>(Plan::Commit {
            message: commit_message(
                "disown",
                actor.agent.as_str(),
                Some(&released.join(" ")),
                actor,
                &trailers,
            ),
            edits,
            value: released,
        })
    })?;
    Ok(committed.value)
}
