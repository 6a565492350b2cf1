/*!
`check`: the staged change, every commit of a range, or registered agents' branches, judged
against the claims and the baseline (DESIGN §6). `check --staged` runs in the pre-commit hook,
so it reads only what it needs.
*/

use super::claims::{claim_set, raw_claim_set, read_claims};
use super::policy::{
    baseline_and_coordinators, baseline_at, enforce_policy_dir, policy_coordinators, unowned_policy,
};
use crate::model::{AgentId, Timestamp};
use crate::ops::{OpError, agent, index};
use crate::ownership::claims::{ClaimSet, RawClaim};
use crate::store::Store;
use crate::store::policy::PolicyAt;

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
    let mut problems = set.problems.clone();
    let (base, coordinators) = baseline_and_coordinators(store, &at, &mut problems)?;
    let mut report =
        crate::ownership::check::check(&set, &base, agent, &paths, unowned_policy(store));
    enforce_policy_dir(&mut report, coordinators.as_deref(), agent, &paths);
    problems.extend(base.problems);
    Ok((report, problems))
}

/// Checks `paths` as `agent`'s change, as `check --staged` would judge them if they were
/// staged: "may I change these?" (the MCP `check_paths` tool).
pub fn check_paths(
    store: &Store,
    agent: &AgentId,
    paths: &[String],
    now: Timestamp,
) -> Result<(crate::ownership::check::Report, Vec<String>), OpError> {
    let snap = store.snapshot()?;
    let set = claim_set(store, &snap, now)?;
    let at = store.policy_at();
    let mut problems = set.problems.clone();
    let (base, coordinators) = baseline_and_coordinators(store, &at, &mut problems)?;
    let mut report =
        crate::ownership::check::check(&set, &base, agent, paths, unowned_policy(store));
    enforce_policy_dir(&mut report, coordinators.as_deref(), agent, paths);
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
///
/// [`Kind::ClaimedLater`]: crate::ownership::check::Kind::ClaimedLater
pub fn check_range(
    store: &Store,
    range: &[&str],
    acting: Option<&AgentId>,
    now: Timestamp,
) -> Result<(crate::ownership::check::Report, Vec<String>), OpError> {
    use crate::ownership::check::{Attribution, JudgedAs, Kind, Report, Via, check};
    use std::collections::HashMap;
    let commits = store.range_commits(range, crate::ops::notes::NOTES_REF)?;
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
                    let (old_tasks, _) = crate::ops::load_tasks(&old)?;
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
