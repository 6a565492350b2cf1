/*!
Ownership operations: `own` (claim files, refusing what another agent holds exclusively),
`disown`, and `owners` (who holds a path, by which claim, since and until when).
*/

use serde::Serialize;

use super::{Actor, OpError, agent, commit_message, index, touch_agent};
use crate::model::claim::{Claim, Mode};
use crate::model::conflict::NewConflict;
use crate::model::layout;
use crate::model::{AgentId, Timestamp};
use crate::ownership::baseline::Baseline;
use crate::ownership::claims::{ClaimSet, Held, RawClaim, Source, salvage};
use crate::ownership::pattern::Pattern;
use crate::store::policy::PolicyAt;
use crate::store::{Cached, Edit, Plan, Snapshot, Store};

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
        include_str!("ownership.rs"),
        include_str!("../ownership/claims.rs"),
        include_str!("../model/claim.rs"),
        include_str!("../model/id.rs"),
        include_str!("../model/time.rs"),
    ];
}

/// Every claim the records at the tip `snap` make (expired ones included) and the warnings
/// about records that could not be read, through the cache.
fn raw_claim_set(
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
fn read_claims(
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

#[derive(Clone, Debug)]
pub struct OwnRequest {
    pub patterns: Vec<String>,
    pub mode: Mode,
    pub ttl_secs: Option<i64>,
    pub reason: Option<String>,
    /// Take the claim even where another agent holds the files, and record a conflict.
    pub force: bool,
}

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

fn parse_all(patterns: &[String]) -> Result<Vec<Pattern>, OpError> {
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
fn collisions(store: &Store, set: &ClaimSet, me: &AgentId, patterns: &[Pattern]) -> Vec<Collision> {
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
pub fn exclusive_collisions(
    store: &Store,
    snap: &Snapshot<'_>,
    holder: &AgentId,
    now: Timestamp,
    patterns: &[String],
    skip: Option<&crate::model::TaskId>,
    authority: &super::authority::Authority,
) -> Result<(Vec<Collision>, super::authority::Access), OpError> {
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
    authority: &super::authority::Authority,
    recorded: &[crate::model::conflict::Conflict],
) -> Result<(Vec<Collision>, super::authority::Access), OpError> {
    use super::authority::Access;
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
        let held = super::authority::Holding::new(
            format!("the claim on {}", c.held_pattern),
            vec![c.holder.clone()],
            Some(c.since),
        );
        access = authority.check(&held)?;
    }
    Ok((found, access))
}

/// The conflict records of claims taken by force (`collisions` of `holder`'s new claims),
/// one per collision, as `own --force` opens them.
/// [`agent::register`] with its `owns` judged like `own`'s: one path, one exclusive holder;
/// an honoured `--force` takes the paths and records each conflict in the same commit.
pub fn register(
    store: &Store,
    actor: &Actor,
    id: &AgentId,
    spec: &agent::AgentSpec,
    authority: &super::authority::Authority,
) -> Result<(crate::model::Agent, bool), OpError> {
    let check = |snap: &Snapshot<'_>, owns: &[String]| {
        let (found, access) =
            exclusive_collisions(store, snap, id, actor.now, owns, None, authority)?;
        let (_, edits) = collision_conflicts(snap, actor, id, &found)?;
        Ok((access, edits))
    };
    agent::register(store, actor, id, spec, authority, &check)
}

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

/// Claims `patterns` for the acting agent, in one commit. A pattern that overlaps another
/// agent's live exclusive claim is refused (nothing is written) unless `force`, which takes
/// it and opens a conflict record naming both agents. `warnings` receives the problems met
/// reading the claims (an unreadable agent record), whether or not the claim succeeds.
pub fn own(
    store: &Store,
    actor: &Actor,
    req: &OwnRequest,
    authority: &super::authority::Authority,
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
        let mut access = super::authority::Access::Own;
        for c in &found {
            access = authority.check(&super::authority::Holding::new(
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

/// The conflict record of a forced claim: between the claimer and the holder, about both
/// patterns.
fn conflict_record(
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
    let (conflict, edit) = super::conflict::new_record(snap, actor, new)?;
    Ok((conflict.id.to_string(), edit))
}

/// Drops the acting agent's claims on `patterns` (exactly as written), or all with `all`.
/// Returns the patterns released. Another agent's claim named here is refused (exit 3), or
/// with an honoured `--force` released in the same commit ([`agent::release_others_claims`]).
pub fn disown(
    store: &Store,
    actor: &Actor,
    patterns: &[String],
    all: bool,
    authority: &super::authority::Authority,
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

/// Who holds each of `paths`.
#[derive(Clone, Debug, Serialize)]
pub struct PathOwners {
    pub path: String,
    pub holders: Vec<Held>,
    /// The baseline rule that decides the path (the last matching one), if any.
    pub baseline: Option<BaselineOwner>,
}

#[derive(Clone, Debug, Serialize)]
pub struct BaselineOwner {
    pub source: String,
    pub line: usize,
    pub pattern: String,
    pub owners: Vec<String>,
    pub enforced: bool,
}

pub fn owners(
    store: &Store,
    paths: &[String],
    now: Timestamp,
) -> Result<(Vec<PathOwners>, ClaimSet), OpError> {
    let snap = store.snapshot()?;
    let mut set = claim_set(store, &snap, now)?;
    let base = baseline(store)?;
    let out = paths
        .iter()
        .map(|p| PathOwners {
            path: p.clone(),
            holders: set.holders(p).into_iter().cloned().collect(),
            baseline: base.decide(p).map(|r| BaselineOwner {
                source: base.source.clone().unwrap_or_default(),
                line: r.line,
                pattern: r.pattern.as_str().to_owned(),
                owners: r.owners.clone(),
                enforced: base.enforced,
            }),
        })
        .collect();
    set.problems.extend(base.problems);
    Ok((out, set))
}

/// The project's baseline ownership: the first of `.coord/owners.toml`, `.github/CODEOWNERS`,
/// `CODEOWNERS`, `docs/CODEOWNERS` found on the default branch (see [`Store::policy_at`]),
/// never in the acting agent's `HEAD`: a commit of one's own naming oneself the owner must
/// not count before it is reviewed and merged.
pub fn baseline(store: &Store) -> Result<Baseline, OpError> {
    baseline_at(store, &store.policy_at())
}

/// [`baseline`] as committed at `at`; an unknown default branch gives no baseline and a
/// problem saying how to name one.
pub fn baseline_at(store: &Store, at: &PolicyAt) -> Result<Baseline, OpError> {
    let rev = match at {
        PolicyAt::Rev(rev) => rev,
        PolicyAt::Unknown(warning) => {
            return Ok(Baseline {
                problems: vec![warning.clone()],
                ..Baseline::default()
            });
        }
    };
    for source in crate::ownership::baseline::SOURCES {
        if let Some(text) = store.file_at(rev, source)? {
            return Ok(if source.ends_with(".toml") {
                crate::ownership::baseline::parse_owners_toml(source, &text)
            } else {
                crate::ownership::baseline::parse_codeowners(source, &text)
            });
        }
    }
    Ok(Baseline::default())
}

/// The coordinators listed in `.coord/config.toml` at `at`, who alone may change the
/// project's policy files (`.coord/*`); `None` with no list (or an unreadable one, reported
/// in `problems`).
fn policy_coordinators(
    store: &Store,
    at: &PolicyAt,
    problems: &mut Vec<String>,
) -> Result<Option<Vec<AgentId>>, OpError> {
    let PolicyAt::Rev(rev) = at else {
        return Ok(None);
    };
    let Some(text) = store.file_at(rev, super::authority::CONFIG_PATH)? else {
        return Ok(None);
    };
    match super::authority::parse_coordinators(&text) {
        Ok(super::authority::Coordinators::Listed(list)) => Ok(Some(list)),
        Ok(super::authority::Coordinators::Unset) => Ok(None),
        Err(e) => {
            problems.push(format!(
                "{} at {rev}: {e}; changes to .coord/ are not limited to coordinators",
                super::authority::CONFIG_PATH
            ));
            Ok(None)
        }
    }
}

/// The policy directory: its files decide who may force and who owns what, so with a
/// coordinator list only a coordinator may change them, whatever any claim says.
const POLICY_DIR: &str = ".coord/";

/// Adds a violation for every path of `report` under `.coord/` when `agent` is not one of
/// `coordinators` (a claim on `.coord/**` grants nothing there).
fn enforce_policy_dir(
    report: &mut crate::ownership::check::Report,
    coordinators: Option<&[AgentId]>,
    agent: &AgentId,
    paths: &[String],
) {
    use crate::ownership::check::{Finding, Kind};
    let Some(list) = coordinators else {
        return;
    };
    if list.contains(agent) {
        return;
    }
    for path in paths.iter().filter(|p| p.starts_with(POLICY_DIR)) {
        report.violations.retain(|v| &v.path != path);
        report.warnings.retain(|w| &w.path != path);
        report.violations.push(Finding {
            commit: None,
            by: None,
            via: None,
            named: None,
            path: path.clone(),
            kind: Kind::HeldByOther,
            holder: list.first().cloned(),
            pattern: Some(format!("{POLICY_DIR}**")),
            since: None,
            task: Some(format!(
                "`coordinators` in {}",
                super::authority::CONFIG_PATH
            )),
            unreadable: None,
        });
    }
    report.ok = report.violations.is_empty();
}

/// `coord.unowned`: what to do with paths nobody holds (default allow).
pub fn unowned_policy(store: &Store) -> crate::ownership::check::Unowned {
    store
        .config_string("coord.unowned")
        .and_then(|v| crate::ownership::check::Unowned::parse(&v))
        .unwrap_or_default()
}

/// Checks the staged paths (index against `HEAD`) as `agent`'s change.
pub fn check_staged(
    store: &Store,
    agent: &AgentId,
    now: Timestamp,
) -> Result<(crate::ownership::check::Report, Vec<String>), OpError> {
    let paths = store.staged_paths()?;
    let snap = store.snapshot()?;
    let set = claim_set(store, &snap, now)?;
    let at = store.policy_at();
    let base = baseline_at(store, &at)?;
    let mut problems = set.problems.clone();
    let coordinators = policy_coordinators(store, &at, &mut problems)?;
    let mut report =
        crate::ownership::check::check(&set, &base, agent, &paths, unowned_policy(store));
    enforce_policy_dir(&mut report, coordinators.as_deref(), agent, &paths);
    problems.extend(base.problems);
    Ok((report, problems))
}

/// The agent an unattributed commit is judged as: one that holds nothing.
const UNATTRIBUTED: &str = "unattributed";

/// Checks every commit of a range (`A..B`) against the claims in force when it was made.
///
/// Attribution (DESIGN §6, ADR 0011): a commit is tied to the agent it names (its
/// `Coord-Agent` trailer, else its note, else the assignee of the task it names), to the one
/// registered agent whose branch holds it, and to the acting agent (`acting`: whoever runs
/// the check or pushes). It is judged as each of them, and a path passes only when every one
/// may change it: a name can add restrictions but never grant rights, so alice cannot borrow
/// bob's claim by writing `Coord-Agent: bob`. With no acting agent (a PR bot), what the commit
/// names stands, and the report says it was only claimed; a commit tied to nobody is judged
/// as an agent that holds nothing.
///
/// Claims: each commit is judged against the coordination branch as of its committer date
/// (the newest first-parent commit not after it). A claim in force now but not then only
/// warns ([`Kind::ClaimedLater`]). A commit dated before one of its parents is judged against
/// the claims in force now: its date is known to be false.
///
/// Every commit of the range is judged, merged side branches included; a merge is judged
/// for the paths it decides itself ([`Store::merge_paths`]).
pub fn check_range(
    store: &Store,
    range: &[&str],
    acting: Option<&AgentId>,
    now: Timestamp,
) -> Result<(crate::ownership::check::Report, Vec<String>), OpError> {
    use crate::ownership::check::{Attribution, JudgedAs, Kind, Report, Via, check};
    use std::collections::HashMap;
    let commits = store.range_commits(range, super::notes::NOTES_REF)?;
    let snap = store.snapshot()?;
    let tip = snap.tip();
    // The policy the range is judged by is the one at its base (`A` of `A..B`: what the
    // commits are merged onto), so a commit of the range cannot rewrite the rules for the
    // commits after it; other ranges use the default branch's.
    let at = match range {
        [one] => match one.split_once("..") {
            Some((a, b)) if !b.starts_with('.') => {
                PolicyAt::Rev(if a.is_empty() { "HEAD" } else { a }.to_owned())
            }
            _ => store.policy_at(),
        },
        _ => store.policy_at(),
    };
    let base = baseline_at(store, &at)?;
    let unowned = unowned_policy(store);
    let (raw_now, mut problems) = raw_claim_set(store, &snap)?;
    let coordinators = policy_coordinators(store, &at, &mut problems)?;
    let set_now = ClaimSet::from_raw(raw_now.clone(), now);
    problems.extend(set_now.problems.iter().cloned());
    let (tasks, _) = index::load(store, &snap)?;
    let (agents, _) = agent::load(&snap)?;
    // The default branch is everyone's: an agent that registered it as its own (refused
    // since, but a record can be written by hand) would otherwise be tied to every commit
    // on it, and block everyone else's pushes.
    // Branches are compared as full refnames (second review H3): a short name can be made
    // to match another branch (`heads/main` beside a tag `main`).
    let shared = store.default_branch().and_then(|b| agent::branch_ref(&b));
    let by_branch = |commit: &str| -> Option<AgentId> {
        let branches = store.branch_refs_containing(commit).ok()?;
        let mut holders = agents.iter().filter(|a| {
            a.branch
                .as_deref()
                .and_then(agent::branch_ref)
                .is_some_and(|b| {
                    shared.as_ref().is_none_or(|s| !s.eq_ignore_ascii_case(&b))
                        && branches.contains(&b)
                })
        });
        match (holders.next(), holders.next()) {
            (Some(a), None) => Some(a.id.clone()),
            _ => None,
        }
    };
    let mut total = Report {
        agent: match acting {
            Some(a) => a.clone(),
            None => AgentId::parse("unknown")?,
        },
        checked: 0,
        violations: Vec::new(),
        warnings: Vec::new(),
        ok: true,
        commits: Vec::new(),
    };
    // The branch's first-parent line walked so far, and the raw claims read per commit of it.
    let mut line = Vec::new();
    let mut then_claims: HashMap<String, Vec<RawClaim>> = HashMap::new();
    for c in commits {
        let named = match c.agent.as_deref().and_then(|a| AgentId::parse(a).ok()) {
            Some(a) => Some((
                a,
                match c.agent_named_by {
                    Some(crate::store::NamedBy::Note) => Via::Note,
                    _ => Via::Trailer,
                },
            )),
            None => c
                .task
                .as_deref()
                .and_then(|t| tasks.iter().find(|x| x.id.as_str() == t))
                .and_then(|t| t.assignee.clone())
                .map(|a| (a, Via::Task)),
        };
        let mut judged: Vec<JudgedAs> = Vec::new();
        // A registered branch never adds restrictions to the acting agent's own commit
        // (one that names them): registering a branch others also commit to (`develop`)
        // must not block their pushes (second review H3, ADR 0011). A commit that names
        // nobody, or another agent, is still tied to the branch's agent.
        let own = acting.is_some_and(|a| named.as_ref().is_some_and(|(n, _)| n == a));
        let branch_tie = if own { None } else { by_branch(&c.id) };
        let candidates = acting
            .map(|a| (a.clone(), Via::Acting))
            .into_iter()
            .chain(named.clone())
            .chain(branch_tie.map(|a| (a, Via::Branch)));
        for (agent, via) in candidates {
            if !judged.iter().any(|j| j.agent == agent) {
                judged.push(JudgedAs { agent, via });
            }
        }
        if judged.is_empty() {
            // Nothing ties the commit to an agent (a PR bot, no trailer, no registered
            // branch): it may change only what no agent holds, so removing a trailer can
            // never get a change past the check.
            judged.push(JudgedAs {
                agent: AgentId::parse(UNATTRIBUTED)?,
                via: Via::Unattributed,
            });
        }
        // The claims in force when the commit was made. A commit dated before its own
        // parent has a date set by hand (or a wrong clock): it gets no benefit of the doubt
        // and is judged against the claims in force now. A root commit (no parent) has
        // nothing to be dated against, so its date is no evidence either: it is judged
        // against the claims in force now too (`git checkout --orphan` plus
        // GIT_COMMITTER_DATE=2001 must not predate every claim).
        let dated =
            Timestamp::from_unix(c.time).map_or_else(|| c.time.to_string(), |t| t.to_string());
        let untrusted = c.backdated || c.parents.is_empty();
        if c.backdated {
            problems.push(format!(
                "commit {} is dated before its parent (committer date {dated}); judged against the claims in force now",
                c.id,
            ));
        } else if c.parents.is_empty() {
            problems.push(format!(
                "commit {} has no parent, so its committer date ({dated}) cannot be checked; judged against the claims in force now",
                c.id,
            ));
        }
        let then = if untrusted {
            Some(tip)
        } else {
            store.branch_at(c.time, &mut line)?
        };
        let at = if untrusted {
            now
        } else {
            Timestamp::from_unix(c.time).unwrap_or(now)
        };
        let set_then = match then {
            None => ClaimSet::default(),
            Some(t) if t == tip => ClaimSet::from_raw(raw_now.clone(), at),
            Some(t) => {
                let key = t.commit.to_string();
                if !then_claims.contains_key(&key) {
                    let old = store.snapshot_of(t);
                    let (old_tasks, _) = super::load_tasks(&old)?;
                    let (raw, warnings) = read_claims(&old, &old_tasks)?;
                    for w in warnings {
                        if !problems.contains(&w) {
                            problems.push(w);
                        }
                    }
                    then_claims.insert(key.clone(), raw);
                }
                ClaimSet::from_raw(then_claims[&key].clone(), at)
            }
        };
        let named_agent = named.as_ref().map(|(a, _)| a);
        let mut violations: Vec<crate::ownership::check::Finding> = Vec::new();
        let mut warnings: Vec<crate::ownership::check::Finding> = Vec::new();
        for j in &judged {
            let mut then_report = check(&set_then, &base, &j.agent, &c.paths, unowned);
            enforce_policy_dir(
                &mut then_report,
                coordinators.as_deref(),
                &j.agent,
                &c.paths,
            );
            let now_report = check(&set_now, &base, &j.agent, &c.paths, Default::default());
            let mark = |mut f: crate::ownership::check::Finding| {
                f.commit = Some(c.id.clone());
                f.by = Some(j.agent.clone());
                f.via = Some(j.via);
                f.named = named_agent.filter(|n| **n != j.agent).cloned();
                f
            };
            for f in then_report.violations {
                if !violations.iter().any(|v| v.path == f.path) {
                    violations.push(mark(f));
                }
            }
            for f in then_report.warnings {
                if !warnings
                    .iter()
                    .any(|w| w.path == f.path && w.kind == f.kind)
                {
                    warnings.push(mark(f));
                }
            }
            for mut f in now_report.violations {
                if violations.iter().any(|v| v.path == f.path)
                    || warnings
                        .iter()
                        .any(|w| w.path == f.path && w.kind == Kind::ClaimedLater)
                {
                    continue;
                }
                f.kind = Kind::ClaimedLater;
                warnings.push(mark(f));
            }
        }
        total.checked += c.paths.len();
        total.violations.extend(violations);
        total.warnings.extend(warnings);
        total.commits.push(Attribution {
            commit: c.id.clone(),
            judged_as: judged,
            claims_at: then.map(|t| t.commit.to_string()),
        });
    }
    total.ok = total.violations.is_empty();
    problems.extend(base.problems);
    Ok((total, problems))
}

/// Files changed on two or more registered agents' branches since their merge base with
/// `target`, pair by pair, and whether the changes collide. Changed paths are listed first
/// (NUL-separated); hunks are read only for files two branches share.
pub fn check_branches(
    store: &Store,
    target: &str,
) -> Result<Vec<crate::ownership::check::Overlap>, OpError> {
    use crate::ownership::check::{Overlap, hunks_collide};
    use std::collections::HashMap;
    let snap = store.snapshot()?;
    let (agents, _) = agent::load(&snap)?;
    // (agent, merge base, branch, changed paths)
    let mut changes: Vec<(AgentId, String, String, Vec<String>)> = Vec::new();
    for a in agents {
        let Some(branch) = a.branch.clone() else {
            continue;
        };
        if !store.rev_exists(&branch) {
            continue;
        }
        let Some(base) = store.merge_base(target, &branch) else {
            continue;
        };
        let paths = store.changed_paths(&base, &branch)?;
        changes.push((a.id, base, branch, paths));
    }
    let mut hunks: HashMap<(usize, String), Vec<(u32, u32)>> = HashMap::new();
    let mut hunks_of = |i: usize, path: &str| -> Result<Vec<(u32, u32)>, OpError> {
        if let Some(h) = hunks.get(&(i, path.to_owned())) {
            return Ok(h.clone());
        }
        let (_, base, branch, _) = &changes[i];
        let h = store.file_hunks(base, branch, path)?;
        hunks.insert((i, path.to_owned()), h.clone());
        Ok(h)
    };
    let mut out = Vec::new();
    for i in 0..changes.len() {
        for j in i + 1..changes.len() {
            for path in &changes[i].3 {
                if changes[j].3.binary_search(path).is_ok() {
                    let (a_hunks, b_hunks) = (hunks_of(i, path)?, hunks_of(j, path)?);
                    out.push(Overlap {
                        path: path.clone(),
                        agents: [changes[i].0.clone(), changes[j].0.clone()],
                        conflict: hunks_collide(&a_hunks, &b_hunks),
                        hunks: [a_hunks, b_hunks],
                    });
                }
            }
        }
    }
    out.sort_by(|a, b| (&a.path, &a.agents).cmp(&(&b.path, &b.agents)));
    Ok(out)
}
