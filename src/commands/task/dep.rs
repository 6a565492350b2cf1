//! `git coord task dep add|rm`: adds or removes a dependency, refusing a cycle (DESIGN §5).

use clap::Subcommand;

use crate::context::Context;
use crate::error::{CommandResult, name_argument};
use crate::ops::task;
use crate::view::task::TaskJson;

/// Add or remove dependencies between tasks
#[derive(Subcommand, Debug)]
pub enum DepCommand {
    /// Make <ID> wait for <NEEDS>: it is not ready until <NEEDS> is done
    ///
    /// A task cannot depend on itself, and an edge that would close a cycle is refused
    /// (exit 2, printing the cycle). Adding an edge that exists already changes nothing.
    /// <ID> held by another agent is theirs: changing its dependencies is refused (exit 3)
    /// unless a coordinator passes --force.
    ///
    /// Examples:
    ///   git coord task dep add t-4kz9w2 t-8h2m1c
    ///   git coord task dep add 4kz 8h2
    #[command(verbatim_doc_comment)]
    Add(Args),
    /// Stop <ID> waiting for <NEEDS>
    ///
    /// Removing an edge that does not exist changes nothing. <ID> held by another agent is
    /// theirs: changing its dependencies is refused (exit 3) unless a coordinator passes
    /// --force.
    ///
    /// Examples:
    ///   git coord task dep rm t-4kz9w2 t-8h2m1c
    ///   git coord task dep rm 4kz 8h2
    #[command(verbatim_doc_comment)]
    Rm(Args),
}

/// The two tasks of a dependency edge: <ID> needs <NEEDS> done first.
#[derive(clap::Args, Debug)]
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
        ctx.ui.json(&TaskJson::new(&task))?;
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
