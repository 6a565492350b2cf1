use clap::Subcommand;

use super::render;
use crate::context::Context;
use crate::error::{CommandResult, name_argument};
use crate::ops::task;

/// Add or remove dependencies between tasks
#[derive(Subcommand, Debug)]
pub enum DepCommand {
    Add(Args),
    Rm(Args),
}

/// Add or remove a dependency: <ID> needs <NEEDS> done first
///
/// A task cannot depend on itself. Adding an edge that exists already, or removing one that
/// does not, changes nothing. <ID> held by another agent is theirs: changing its dependencies
/// is refused (exit 3) unless a coordinator passes --force.
///
/// Examples:
///   git coord task dep add t-4kz9w2 t-8h2m1c
///   git coord task dep rm 4kz 8h2
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The task that waits (ID or unique prefix)
    pub id: String,
    /// The task it needs (ID or unique prefix)
    pub needs: String,
    /// Change it even though another agent holds <ID> (coordinators only)
    ///
    /// Honoured only for the agents listed in `coordinators = ["lead"]` in .coord/config.toml on
    /// the main branch; with no list, for any agent, with a warning. The commit records who
    /// forced it (Coord-Forced-By).
    #[arg(long)]
    pub force: bool,
}

pub fn run(ctx: &Context, command: DepCommand) -> CommandResult {
    let (args, add) = match command {
        DepCommand::Add(a) => (a, true),
        DepCommand::Rm(a) => (a, false),
    };
    let actor = ctx.actor()?;
    let authority = crate::commands::lifecycle::authority(ctx, &actor, args.force)?;
    let (task, changed) =
        task::set_dependency(ctx.store()?, &actor, &args.id, &args.needs, add, &authority)
            .map_err(|e| name_argument(e, "depends_on", "<NEEDS>"))?;
    if ctx.ui.json {
        ctx.ui.json(&render::json(&task))?;
        return Ok(());
    }
    let deps = task
        .depends_on
        .iter()
        .map(|d| d.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let deps = if deps.is_empty() {
        "nothing".to_owned()
    } else {
        deps
    };
    let verb = match (add, changed) {
        (true, true) => "now depends on",
        (false, true) => "now depends on",
        (_, false) => "unchanged; depends on",
    };
    ctx.ui.info(format!("{} {verb} {deps}", task.id))?;
    Ok(())
}
