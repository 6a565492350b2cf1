//! `git coord spawn`: a new agent in one step: registry entry, branch, worktree, claims and
//! brief (DESIGN §4 agents).

use std::path::PathBuf;

use crate::context::Context;
use crate::error::CommandResult;
use crate::model::AgentId;
use crate::ops::spawn::{self, SpawnSpec};

/// Set up a new agent: registry entry, branch, worktree, claims and brief
///
/// Registers the agent (role, expertise, owned paths), claims the given tasks for it, creates
/// branch agent/<id> from --base (default HEAD) in a new worktree beside the repository
/// (<repo>-<id>, or --path), sets coord.agent in that worktree's own config (enabling
/// extensions.worktreeConfig), and writes its brief to COORD_BRIEF.md there, excluded from
/// git through info/exclude. --print shows the plan and changes nothing.
///
/// An existing agent's entry is its own: spawning it again as another agent is refused
/// (exit 3) before anything is created, unless a coordinator passes --force; so are --owns
/// paths and --task owns another agent holds exclusively.
///
/// Examples:
///   git coord spawn state --role "state management" --expertise backend,redis --owns 'src/state/**'
///   git coord spawn docs --task t-4kz9w2 --base main --path ../docs-agent --print
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The new agent's name
    pub id: String,
    /// What it is responsible for
    #[arg(long, value_name = "TEXT")]
    pub role: Option<String>,
    /// Expertise tags; repeatable or comma-separated
    #[arg(long, value_name = "TAG", value_delimiter = ',')]
    pub expertise: Vec<String>,
    /// Paths it owns (gitignore-style glob); repeatable
    #[arg(long, value_name = "GLOB")]
    pub owns: Vec<String>,
    /// A task it claims now (ID or unique prefix); repeatable
    #[arg(long, value_name = "ID")]
    pub task: Vec<String>,
    /// Where its branch starts
    #[arg(long, value_name = "REV", default_value = "HEAD")]
    pub base: String,
    /// Where its worktree goes
    #[arg(long, value_name = "DIR")]
    pub path: Option<PathBuf>,
    /// Show what would be done, and do nothing
    #[arg(long)]
    pub print: bool,
    /// Re-spawn an agent that exists already, or give it paths another agent holds
    /// exclusively, recording a conflict (coordinators only)
    ///
    /// Honoured only for the agents listed in `coordinators = ["lead"]` in .coord/config.toml on
    /// the main branch; with no list, for any agent, with a warning. The commit records who
    /// forced it (Coord-Forced-By).
    #[arg(long)]
    pub force: bool,
}

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    let spec = SpawnSpec {
        id: AgentId::parse(&args.id)?,
        role: args.role,
        expertise: args.expertise,
        owns: args.owns,
        tasks: args.task,
        base: args.base,
        path: args.path,
        branch: None,
    };
    let store = ctx.store()?;
    let plan = if args.print {
        spawn::plan(store, &spec)?
    } else {
        let actor = ctx.actor()?;
        let authority = super::lifecycle::authority(ctx, &actor, args.force)?;
        spawn::spawn(store, &actor, &spec, &authority)?
    };
    if ctx.ui.json {
        return Ok(ctx.ui.json(&plan)?);
    }
    if ctx.ui.quiet {
        return Ok(ctx.ui.line(plan.agent.as_str())?);
    }
    let verb = if args.print {
        "Would create"
    } else {
        "Created"
    };
    ctx.ui.line(format!(
        "{verb} agent {} on branch {} (from {})",
        plan.agent, plan.branch, plan.base
    ))?;
    ctx.ui
        .line(format!("  worktree: {}", plan.worktree.display()))?;
    ctx.ui
        .line(format!("  brief:    {}", plan.brief.display()))?;
    if !plan.owns.is_empty() {
        ctx.ui
            .line(format!("  owns:     {}", plan.owns.join(", ")))?;
    }
    if !plan.tasks.is_empty() {
        ctx.ui
            .line(format!("  tasks:    {}", plan.tasks.join(", ")))?;
    }
    if !args.print {
        ctx.ui.info(format!(
            "Start the agent in {} and have it read {}.",
            plan.worktree.display(),
            spawn::BRIEF_FILE
        ))?;
    }
    Ok(())
}
