/*!
`spawn`: everything a new agent needs, in one step: a registry entry, a branch and a worktree
of its own with `coord.agent` set in that worktree's config, its paths and tasks, and its
brief written where its tools will read it without it ever becoming a tracked change.
*/

use std::path::PathBuf;

use serde::Serialize;

use super::agent::{self, AgentSpec};
use super::authority::Authority;
use super::{Actor, OpError, brief, ownership, task};
use crate::model::{Action, AgentId};
use crate::ownership::pattern::validate_patterns;
use crate::store::Store;

/// The brief's file name in the agent's worktree, excluded through `info/exclude`.
pub const BRIEF_FILE: &str = "COORD_BRIEF.md";

#[derive(Clone, Debug)]
pub struct SpawnSpec {
    pub id: AgentId,
    pub role: Option<String>,
    pub expertise: Vec<String>,
    pub owns: Vec<String>,
    /// Tasks (IDs or prefixes) the agent claims at once.
    pub tasks: Vec<String>,
    /// Where the branch starts (default `HEAD`).
    pub base: String,
    /// The worktree (default: beside the repository, `<repo>-<id>`).
    pub path: Option<PathBuf>,
    /// The branch (default `agent/<id>`).
    pub branch: Option<String>,
}

/// What spawn does (or, with `--print`, would do).
#[derive(Clone, Debug, Serialize)]
pub struct SpawnPlan {
    pub agent: AgentId,
    pub branch: String,
    pub base: String,
    pub worktree: PathBuf,
    pub brief: PathBuf,
    pub owns: Vec<String>,
    pub tasks: Vec<String>,
}

pub fn plan(store: &Store, spec: &SpawnSpec) -> Result<SpawnPlan, OpError> {
    // Every pattern is one `own` would accept, and the role one line of plain text (it is
    // copied into the brief), checked before spawn does anything.
    let owns = validate_patterns("owns", &spec.owns)?;
    if let Some(role) = &spec.role {
        agent::validate_role(role)?;
    }
    let branch = spec
        .branch
        .clone()
        .unwrap_or_else(|| format!("agent/{}", spec.id));
    let worktree = match &spec.path {
        Some(p) => p.clone(),
        None => {
            let root = store.workdir().unwrap_or_else(|| store.common_dir());
            let name = root
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "repo".to_owned());
            root.with_file_name(format!("{name}-{}", spec.id))
        }
    };
    Ok(SpawnPlan {
        agent: spec.id.clone(),
        brief: worktree.join(BRIEF_FILE),
        branch,
        base: spec.base.clone(),
        worktree,
        owns,
        tasks: spec.tasks.clone(),
    })
}

/// Carries out the plan. The coordination writes are made first (so a failure to create the
/// worktree leaves a registered agent that `spawn` can be re-run for), then the worktree.
///
/// An existing agent's entry is its own (ADR 0010): spawning it again as another agent needs
/// an honoured `--force` (`authority`), and so do `--owns` patterns or `--task` owns that
/// overlap another agent's live exclusive claim — all decided before the first write, so a
/// refused spawn leaves no branch, no worktree and no commit.
pub fn spawn(
    store: &Store,
    actor: &Actor,
    spec: &SpawnSpec,
    authority: &Authority,
) -> Result<SpawnPlan, OpError> {
    let plan = plan(store, spec)?;
    if plan.worktree.exists() {
        return Err(OpError::Invalid(crate::model::task::InvalidField {
            field: "path",
            message: format!(
                "{} already exists; choose another with --path",
                plan.worktree.display()
            ),
        }));
    }
    // Everything that can be known to fail is checked before the first write: a spawn that
    // fails leaves neither a registered agent nor a claim behind.
    let invalid = |field, message: String| {
        OpError::Invalid(crate::model::task::InvalidField { field, message })
    };
    if !store.rev_exists(&plan.base) {
        return Err(invalid(
            "base",
            if plan.base == "HEAD" {
                "HEAD names no commit: this repository has no commit yet, so there is nothing to start the agent's branch from; make a first commit (git commit --allow-empty -m \"Initial commit\") and spawn again".to_owned()
            } else {
                format!(
                    "{} names no commit; pass --base a branch, tag or commit",
                    plan.base
                )
            },
        ));
    }
    if store.rev_exists(&format!("refs/heads/{}", plan.branch)) {
        return Err(invalid(
            "branch",
            format!(
                "branch {} exists already; choose another with --branch, or delete it (git branch -d {})",
                plan.branch, plan.branch
            ),
        ));
    }
    let as_agent = Actor {
        agent: spec.id.clone(),
        email: actor.email.clone(),
        now: actor.now,
    };
    {
        let snap = store.snapshot()?;
        if let Some(entry) = agent::read(&snap, &spec.id)? {
            authority.check(&agent::holding(&entry))?;
        }
        ownership::exclusive_collisions(
            store, &snap, &spec.id, actor.now, &plan.owns, None, authority,
        )?;
        // The claims are the new agent's own and never forced, as `claim` is not.
        let unforced = Authority::unforced(&spec.id);
        for t in &spec.tasks {
            task::preflight(store, &as_agent, t, &Action::Claim, &unforced)?;
        }
    }
    ownership::register(
        store,
        actor,
        &spec.id,
        &AgentSpec {
            role: spec.role.clone(),
            expertise: (!spec.expertise.is_empty()).then(|| spec.expertise.clone()),
            branch: Some(plan.branch.clone()),
            owns: (!spec.owns.is_empty()).then(|| spec.owns.clone()),
        },
        authority,
    )?;
    for t in &spec.tasks {
        task::transition(
            store,
            &as_agent,
            t,
            &Action::Claim,
            &[("Coord-Via", "spawn")],
        )?;
    }
    store.add_worktree(
        &plan.worktree,
        &plan.branch,
        &plan.base,
        &[("coord.agent", spec.id.as_str())],
    )?;
    store.exclude(&format!("/{BRIEF_FILE}"))?;
    let data = brief::gather(store, &spec.id, actor.now)?;
    let text = brief::render_brief(&data, store.workdir())?;
    std::fs::write(&plan.brief, text).map_err(|e| {
        OpError::Store(crate::store::Error::GitCommand {
            command: format!("write {}", plan.brief.display()),
            message: e.to_string(),
        })
    })?;
    Ok(plan)
}
