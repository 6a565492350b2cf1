/*!
`git coord disown`: release file claims made with `own` (DESIGN §6, §3 Authority).
*/

use crate::context::Context;
use crate::error::{CommandError, CommandResult};
use crate::ops::ownership;

/// Release files I claimed with `own`
///
/// Patterns must be written as they were claimed (`git coord owners` lists them). Claims that
/// come from a task's `owns` are released by `done` or `release` on the task. A claim another
/// agent made is theirs: naming it is refused (exit 3, naming the holder) unless a
/// coordinator passes --force, which releases it from their entry.
///
/// Examples:
///   git coord disown 'src/ratelimit/**'
///   git coord disown --all
///   git coord --agent lead disown 'src/ratelimit/**' --force
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Patterns to release
    #[arg(value_name = super::own::PATTERNS_ARG)]
    pub patterns: Vec<String>,
    /// Release every claim I made with `own`
    #[arg(long, conflicts_with = "patterns")]
    pub all: bool,
    /// Release another agent's claim on these patterns (coordinators only)
    ///
    /// Honoured only for the agents listed in `coordinators = ["lead"]` in .coord/config.toml on
    /// the main branch; with no list, for any agent, with a warning. The commit records who
    /// forced it (Coord-Forced-By), and `git coord log <agent>` shows it.
    #[arg(long)]
    pub force: bool,
}

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    if args.patterns.is_empty() && !args.all {
        return Err(CommandError::usage(format!(
            "name the patterns to release (<{}>…), or pass --all",
            super::own::PATTERNS_ARG
        ))
        .hint("`git coord owners` lists what is held"));
    }
    let actor = ctx.actor()?;
    let authority = super::lifecycle::authority(ctx, &actor, args.force)?;
    let released = ownership::disown(ctx.store()?, &actor, &args.patterns, args.all, &authority)?;
    if ctx.ui.json {
        return Ok(ctx
            .ui
            .json(&serde_json::json!({ "agent": actor.agent, "released": released }))?);
    }
    if released.is_empty() {
        ctx.ui.info(format!(
            "{} held none of these; nothing to release",
            actor.agent
        ))?;
    }
    for p in released {
        ctx.ui.info(format!("{} released {p}", actor.agent))?;
    }
    Ok(())
}
