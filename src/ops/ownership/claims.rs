/*!
The claim set: every claim the agent records and open tasks at a commit make, read once per
commit through a cache, with a warning for each record whose claims could only be salvaged.
Every ownership operation and check starts here.
*/

use crate::model::layout;
use crate::model::{AgentId, Timestamp};
use crate::ops::{OpError, agent, index};
use crate::ownership::claims::{ClaimSet, RawClaim, Source, salvage};
use crate::store::{Cached, Snapshot, Store};

/// The live claims at `snap`, with a warning (naming the file and line) for every record
/// whose claims could only be salvaged, or not read at all. The raw claims and warnings are
/// cached in `.git/coord/claims-<branch>.bin` keyed by the commit they were read from, so a
/// pre-commit hook does not parse every agent's registry entry on every commit; a cache for
/// another commit is rebuilt.
pub fn claim_set(store: &Store, snap: &Snapshot<'_>, now: Timestamp) -> Result<ClaimSet, OpError> {
    let (raw, warnings) = raw_claim_set(store, snap)?;
    let mut set = ClaimSet::from_raw(raw, now);
    set.problems.splice(0..0, warnings);
    Ok(set)
}

/// The raw claims of one commit, as cached (the cache's header keeps branch and commit).
#[derive(serde::Serialize, serde::Deserialize)]
struct ClaimsCache {
    claims: Vec<RawClaim>,
    warnings: Vec<String>,
}

impl Cached for ClaimsCache {
    const KIND: &'static str = "claims";
    // This file and every type a raw claim is made of (see `store::cache`).
    const SOURCES: &'static [&'static str] = &[
        include_str!("claims.rs"),
        include_str!("../../ownership/claims.rs"),
        include_str!("../../model/claim.rs"),
        include_str!("../../model/id.rs"),
        include_str!("../../model/time.rs"),
    ];
}

/// Every claim the records at the tip `snap` make (expired ones included) and the warnings
/// about records that could not be read, through the cache.
pub(super) fn raw_claim_set(
    store: &Store,
    snap: &Snapshot<'_>,
) -> Result<(Vec<RawClaim>, Vec<String>), OpError> {
    let commit = snap.tip().commit.to_string();
    if let Some(cache) = store.cache_load_at::<ClaimsCache>(&commit) {
        return Ok((cache.claims, cache.warnings));
    }
    let (tasks, _) = index::load(store, snap)?;
    let (claims, warnings) = read_claims(snap, &tasks)?;
    let cache = ClaimsCache { claims, warnings };
    store.cache_save(&commit, &cache);
    Ok((cache.claims, cache.warnings))
}

/// The claims of every agent record and open task at `snap`. An agent record that cannot be
/// read keeps every claim [`salvage`] can read out of it (fail closed, DESIGN §6), and gives
/// a warning naming the file and line and what stays in force.
pub(super) fn read_claims(
    snap: &Snapshot<'_>,
    tasks: &[crate::model::Task],
) -> Result<(Vec<RawClaim>, Vec<String>), OpError> {
    let (agents, bad) = agent::load(snap)?;
    let mut raw = crate::ownership::claims::raw_claims(&agents, tasks);
    let mut warnings = Vec::new();
    for e in bad {
        let at = match e.line {
            Some(line) => format!("{}:{line}", e.path),
            None => e.path.clone(),
        };
        let Some(id) = e
            .path
            .strip_prefix(layout::AGENTS_DIR)
            .and_then(|p| p.strip_prefix('/'))
            .and_then(|p| p.strip_suffix(".toml"))
            .and_then(|id| AgentId::parse(id).ok())
        else {
            warnings.push(format!(
                "{at}: {}; no agent can hold claims through this file (fix or remove it; `git coord doctor` lists it)",
                e.message
            ));
            continue;
        };
        let text = snap
            .read(&e.path)?
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        let salvaged = salvage(&text);
        if salvaged.is_empty() {
            warnings.push(format!(
                "{at}: {}; the agent record of {id} cannot be read and no claim could be read out of it: files {id} holds are NOT protected until it is fixed (`git coord doctor` lists it)",
                e.message
            ));
            continue;
        }
        let patterns: Vec<&str> = salvaged.iter().map(|c| c.pattern.as_str()).collect();
        warnings.push(format!(
            "{at}: {}; the agent record of {id} cannot be read, but its claims stay in force: {} (fix the file; `git coord doctor` lists it)",
            e.message,
            patterns.join(", ")
        ));
        let epoch = Timestamp::from_unix(0);
        raw.extend(salvaged.into_iter().filter_map(|c| {
            Some(RawClaim {
                agent: id.clone(),
                pattern: c.pattern,
                mode: c.mode,
                since: c.since.or(epoch)?,
                until: c.until,
                source: Source::Agent,
                unreadable: Some(e.path.clone()),
            })
        }));
    }
    Ok((raw, warnings))
}
