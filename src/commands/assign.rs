//! `git coord assign`: gives a task to an agent, or with `--to auto` to the least-loaded fresh
//! agent whose expertise fits (DESIGN §4 scheduling, §5).

use crate::context::Context;
use crate::error::{CommandError, CommandResult};
use crate::model::AgentId;
use crate::ops::schedule::{self, Assignee};
use crate::ui::{Style, sanitize_line};
use crate::view::task::TaskJson;

/// Assign a task to an agent, or to the best fresh agent with `--to auto`
///
/// `auto` picks, among registered agents that are not stale (seen within coord.staleAfter,
/// default 2h) and whose expertise fits the task, the least loaded: fewest open hours
/// assigned, then fewest tasks, then ID. The task keeps its status; the agent starts it with
/// `git coord start`. A task another agent holds is refused (exit 3) unless a coordinator
/// passes --steal.
///
/// Examples:
///   git coord assign t-4kz9w2 --to state
///   git coord assign 4kz --to auto --json
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Task ID or unique prefix
    pub id: String,
    /// An agent ID, or `auto`
    #[arg(long, value_name = "AGENT|auto")]
    pub to: String,
    /// Take the task from the agent who holds it (coordinators only)
    ///
    /// Honoured only for the agents listed in `coordinators = ["lead"]` in .coord/config.toml on
    /// the main branch; with no list, for any agent, with a warning. The commit records who
    /// forced it (Coord-Forced-By).
    #[arg(long)]
    pub steal: bool,
}

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    let to = if args.to == "auto" {
        Assignee::Auto
    } else {
        Assignee::Agent(
            AgentId::parse(&args.to).map_err(|e| CommandError::usage(format!("--to: {e}")))?,
        )
    };
    let actor = ctx.actor()?;
    let steal = super::lifecycle::authority(ctx, &actor, args.steal)?;
    let (task, changed) = schedule::assign(ctx.store()?, &actor, &args.id, &to, &steal)?;
    if ctx.ui.json {
        return Ok(ctx.ui.json(&TaskJson::new(&task))?);
    }
    let who = task
        .assignee
        .as_ref()
        .map(|a| a.to_string())
        .unwrap_or_default();
    let verb = if changed {
        "Assigned"
    } else {
        "Already assigned:"
    };
    ctx.ui.info(format!(
        "{verb} {}  {} → {who}",
        ctx.ui.paint(Style::Bold, task.id.as_str()),
        sanitize_line(&task.title)
    ))?;
    Ok(())
}
