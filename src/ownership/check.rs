/*!
Checks of touched paths against the claims, as a pure function: a path held exclusively by
another agent is a violation; a path nobody holds follows `coord.unowned` (allow, warn, deny).
*/

use serde::Serialize;

use super::baseline::Baseline;
use super::claims::{ClaimSet, Source};
use crate::model::{AgentId, Timestamp};

/// What to do with paths nobody holds (config `coord.unowned`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Unowned {
    #[default]
    Allow,
    Warn,
    Deny,
}

impl Unowned {
    pub fn parse(s: &str) -> Option<Unowned> {
        match s.trim() {
            "allow" => Some(Unowned::Allow),
            "warn" => Some(Unowned::Warn),
            "deny" => Some(Unowned::Deny),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Held exclusively by another agent.
    HeldByOther,
    /// Nobody holds it.
    Unowned,
    /// Held by another agent now, but claimed after the commit that changed it
    /// (`check --range`): a warning, never a violation.
    ClaimedLater,
}

/// Why a commit of a range is judged as an agent (`check --range`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    /// The agent running the check or pushing: what a commit names never replaces it.
    Acting,
    /// The commit's `Coord-Agent:` trailer (written by its committer: unverified).
    Trailer,
    /// The commit's `refs/notes/coord` note (unverified).
    Note,
    /// The assignee of the task its `Coord-Task:` trailer or note names (unverified).
    Task,
    /// The one registered agent whose branch holds the commit.
    Branch,
    /// Nothing ties the commit to an agent (no acting agent, name or registered branch): it
    /// is judged as an agent that holds nothing.
    Unattributed,
}

impl Via {
    pub fn describe(self) -> &'static str {
        match self {
            Via::Acting => "the acting agent",
            Via::Trailer => "claimed by its Coord-Agent trailer",
            Via::Note => "claimed by its refs/notes/coord note",
            Via::Task => "the assignee of the task it names",
            Via::Branch => "by the registered branch holding it",
            Via::Unattributed => "tied to no agent",
        }
    }
}

/// One agent a commit of a range was judged as, and why.
#[derive(Clone, Debug, Serialize)]
pub struct JudgedAs {
    pub agent: AgentId,
    pub via: Via,
}

/// Who each commit of a range was judged as (`check --range`).
#[derive(Clone, Debug, Serialize)]
pub struct Attribution {
    pub commit: String,
    /// Every agent the commit is tied to; a path passes only when each of them may change it.
    pub judged_as: Vec<JudgedAs>,
    /// The coordination-branch commit whose claims it was judged against (the newest not
    /// after its committer date), `None` when the branch did not exist yet.
    pub claims_at: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    /// The commit that touched the path (`check --range`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// The agent that commit is attributed to (`check --range`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<AgentId>,
    /// Why the commit is judged as `by` (`check --range`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<Via>,
    /// The agent the commit names when that is not `by`: a name that granted no rights.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub named: Option<AgentId>,
    pub path: String,
    pub kind: Kind,
    pub holder: Option<AgentId>,
    pub pattern: Option<String>,
    pub since: Option<Timestamp>,
    pub task: Option<String>,
    /// The unreadable agent record the claim was salvaged from (it stays in force).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unreadable: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// The agent the change is attributed to.
    pub agent: AgentId,
    pub checked: usize,
    /// Findings that fail the check (exit 1).
    pub violations: Vec<Finding>,
    /// Findings that are only reported.
    pub warnings: Vec<Finding>,
    pub ok: bool,
    /// Who each commit was judged as (`check --range` only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub commits: Vec<Attribution>,
}

pub fn check(
    set: &ClaimSet,
    baseline: &Baseline,
    agent: &AgentId,
    paths: &[String],
    unowned: Unowned,
) -> Report {
    let mut violations = Vec::new();
    let mut warnings = Vec::new();
    for path in paths {
        if let Some(h) = set.exclusive_holder_other_than(path, agent) {
            violations.push(Finding {
                commit: None,
                by: None,
                via: None,
                named: None,
                path: path.clone(),
                kind: Kind::HeldByOther,
                holder: Some(h.agent.clone()),
                pattern: Some(h.pattern.as_str().to_owned()),
                since: Some(h.since),
                task: match &h.source {
                    Source::Task(t) => Some(t.to_string()),
                    Source::Agent => None,
                },
                unreadable: h.unreadable.clone(),
            });
            continue;
        }
        let holders = set.holders(path);
        let rule = baseline.decide(path).filter(|r| !r.owners.is_empty());
        // An enforced baseline (`.coord/owners.toml`) binds where no live claim speaks.
        if holders.is_empty()
            && baseline.enforced
            && let Some(r) = rule
            && !r.owners.iter().any(|o| o == agent.as_str())
        {
            violations.push(Finding {
                commit: None,
                by: None,
                via: None,
                named: None,
                path: path.clone(),
                kind: Kind::HeldByOther,
                holder: r.owners.first().and_then(|o| AgentId::parse(o).ok()),
                pattern: Some(r.pattern.as_str().to_owned()),
                since: None,
                task: baseline.source.as_ref().map(|s| format!("{s}:{}", r.line)),
                unreadable: None,
            });
            continue;
        }
        if unowned == Unowned::Allow || !holders.is_empty() || rule.is_some() {
            continue;
        }
        let finding = Finding {
            commit: None,
            by: None,
            via: None,
            named: None,
            path: path.clone(),
            kind: Kind::Unowned,
            holder: None,
            pattern: None,
            since: None,
            task: None,
            unreadable: None,
        };
        match unowned {
            Unowned::Deny => violations.push(finding),
            _ => warnings.push(finding),
        }
    }
    Report {
        agent: agent.clone(),
        checked: paths.len(),
        ok: violations.is_empty(),
        violations,
        warnings,
        commits: Vec::new(),
    }
}

/// Files changed on two or more agents' branches, and whether their changes collide.
#[derive(Clone, Debug, Serialize)]
pub struct Overlap {
    pub path: String,
    pub agents: [AgentId; 2],
    /// The two branches change overlapping or adjacent lines of the merge base: merging
    /// them will conflict.
    pub conflict: bool,
    /// Each branch's hunks as (first line, line count) of the merge base.
    pub hunks: [Vec<(u32, u32)>; 2],
}

/// Whether two sets of hunks (on the same base) touch the same or adjacent lines.
pub fn hunks_collide(a: &[(u32, u32)], b: &[(u32, u32)]) -> bool {
    // A hunk replaces lines [start, start + count); a pure insertion (count 0) sits between
    // line `start` and the next. Git conflicts when changes overlap or are adjacent.
    let span = |(start, count): (u32, u32)| (start, start + count.max(1));
    a.iter().any(|&x| {
        let (s1, e1) = span(x);
        b.iter().any(|&y| {
            let (s2, e2) = span(y);
            s1 <= e2 && s2 <= e1
        })
    })
}

#[cfg(test)]
mod tests {
    use super::hunks_collide;

    #[test]
    fn hunk_collisions() {
        assert!(hunks_collide(&[(10, 3)], &[(12, 1)]));
        assert!(
            hunks_collide(&[(10, 1)], &[(11, 1)]),
            "adjacent lines conflict in git"
        );
        assert!(!hunks_collide(&[(10, 1)], &[(20, 2)]));
        assert!(hunks_collide(&[(5, 0)], &[(5, 1)]));
    }
}
