//! `git coord rebalance`: moves assigned-but-unstarted work off stale, offline or overloaded
//! agents to fresh ones with free capacity (DESIGN §8).

use crate::context::Context;
use crate::error::CommandResult;
use crate::ops::dispatch;

/// Move assigned, unstarted work off stale or overloaded agents
///
/// A task that is assigned but still `todo` moves when its holder is stale (unseen for
/// coord.staleAfter, default 2h), offline, retired or unregistered, or holds more open tasks
/// than coord.capacity (default 2; the excess moves, lowest in the work order first). It goes
/// to the least-loaded fresh agent that fits it and has free capacity, as `dispatch` chooses,
/// by `assign --steal` (taking work another agent holds: a coordinator's --force, named in the
/// commit), and each agent that got work is messaged. Started work never moves.
/// --dry-run prints the moves and the `assign` commands, and writes nothing.
///
/// Examples:
///   git coord rebalance --dry-run
///   git coord rebalance --json
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Show what would move, write nothing
    #[arg(long)]
    pub dry_run: bool,
}

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    let store = ctx.store()?;
    if let Err(w) = dispatch::check_capacity_setting(store) {
        ctx.ui.warn(w);
    }
    let mut report = dispatch::plan_rebalance(store, ctx.now())?;
    report.dry_run = args.dry_run;
    let report = if args.dry_run || report.assignments.is_empty() {
        report
    } else {
        let actor = ctx.actor()?;
        // Moving work another agent holds is a forced change: refused (exit 3) before any
        // write for an agent that is not a coordinator, when coordinators are listed.
        let authority = super::lifecycle::authority(ctx, &actor, true)?;
        dispatch::execute(store, &actor, report, &authority)?
    };
    super::dispatch::print(
        ctx,
        &report,
        "Nothing to rebalance: no unstarted work is held by a stale or overloaded agent.",
    )
}
