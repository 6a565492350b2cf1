//! `git coord reap`: returns the tasks of stale agents to the queue (DESIGN §4 agents).

use crate::context::Context;
use crate::error::{CommandError, CommandResult};
use crate::model::time::parse_wall_duration;
use crate::ops::agent;

/// Return the tasks of stale agents to the queue
///
/// An agent is stale when it has not been seen for --stale (default coord.staleAfter, 2h).
/// Its open tasks become unassigned (todo, or still blocked), the files they held are free,
/// it is marked offline, and the coordinator (coord.coordinator, else everyone) is told by
/// message — in one commit. --dry-run shows what would happen.
///
/// Anyone may reap an agent unseen for the project's stale_after (in .coord/config.toml on
/// the main branch; default 2h — your own coord.staleAfter does not lower it). A shorter
/// --stale catches agents seen within that threshold, whose work is still theirs: reaping one is refused (exit 3)
/// unless a coordinator passes --force (coordinators in .coord/config.toml; with no list,
/// anyone, with a warning). The reaper itself is never reaped.
///
/// Examples:
///   git coord reap --dry-run
///   git coord reap --stale 30m
///   git coord --agent lead reap --stale 10m --force
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// How long unseen makes an agent stale (30m, 2h, 1d)
    #[arg(long, value_name = "DURATION")]
    pub stale: Option<String>,
    /// Only show what would be reaped
    #[arg(long)]
    pub dry_run: bool,
    /// Also reap agents seen within the project's stale_after (coordinators only)
    ///
    /// Honoured only for the agents listed in `coordinators = ["lead"]` in .coord/config.toml on
    /// the main branch; with no list, for any agent, with a warning. The commit records who
    /// forced it (Coord-Forced-By).
    #[arg(long)]
    pub force: bool,
}

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    let store = ctx.store()?;
    // Without --stale, this agent's own coord.staleAfter picks whom to reap; the guard's
    // floor is the project's (never a threshold the reaper sets for itself), so a value
    // below the floor reaps only agents stale by the floor unless a coordinator forces.
    let floor = agent::reap_floor(store);
    let stale = match &args.stale {
        Some(s) => {
            parse_wall_duration(s).map_err(|e| CommandError::usage(format!("--stale: {e}")))?
        }
        None => agent::stale_after(store),
    };
    let actor = ctx.actor()?;
    let authority = super::lifecycle::authority(ctx, &actor, args.force)?;
    let reaped = agent::reap(store, &actor, stale, floor, &authority, args.dry_run)?;
    if ctx.ui.json {
        return Ok(ctx.ui.json(&reaped)?);
    }
    if reaped.is_empty() {
        ctx.ui.info("No stale agents.")?;
        return Ok(());
    }
    let verb = if args.dry_run { "would reap" } else { "reaped" };
    for r in &reaped {
        let ids: Vec<&str> = r.tasks.iter().map(|t| t.as_str()).collect();
        ctx.ui.line(format!(
            "{verb} {} (last seen {}): {}",
            r.agent,
            crate::model::time::seen_ago(r.last_seen, ctx.now()),
            if ids.is_empty() {
                "no tasks".to_owned()
            } else {
                ids.join(", ")
            }
        ))?;
    }
    Ok(())
}
