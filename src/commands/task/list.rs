//! `git coord task list`: tasks, filtered by status and assignee (DESIGN §4 tasks).

use super::render;
use crate::context::Context;
use crate::error::{CommandError, CommandResult};
use crate::model::{AgentId, Status};
use crate::ops::task::{self, Filter};
use crate::view::task::TaskJson;

/// List tasks
///
/// Shows open tasks (not done or cancelled) by priority, then age; tasks past their due date
/// are flagged (JSON: "overdue": true). A record that cannot be read is named on stderr with
/// its file and line, and the others are still listed.
///
/// Examples:
///   git coord task list
///   git coord task list --status in_progress,blocked --assignee state
///   git coord task list --all --json
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Only these statuses (todo, in_progress, blocked, review, done, cancelled); repeatable or comma-separated
    #[arg(long, value_name = "STATUS", value_delimiter = ',')]
    pub status: Vec<String>,
    /// Only tasks assigned to this agent
    #[arg(long, value_name = "AGENT")]
    pub assignee: Option<String>,
    /// Include done and cancelled tasks
    #[arg(long)]
    pub all: bool,
}

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    let statuses = args
        .status
        .iter()
        .map(|s| s.trim().parse::<Status>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| CommandError::usage(format!("--status: {e}")))?;
    let assignee = args
        .assignee
        .as_deref()
        .map(AgentId::parse)
        .transpose()
        .map_err(|e| CommandError::usage(format!("--assignee: {e}")))?;
    let filter = Filter {
        statuses,
        assignee,
        all: args.all,
    };
    let (tasks, problems) = task::list(ctx.store()?, &filter)?;
    for p in &problems {
        ctx.ui.warn(format!("skipped {p}"));
    }
    if ctx.ui.json {
        let now = ctx.now();
        let items: Vec<_> = tasks.iter().map(|t| TaskJson::listed(t, now)).collect();
        ctx.ui.json(&items)?;
    } else if tasks.is_empty() {
        ctx.ui
            .info("No tasks match. Add one with `git coord task add <title>`.")?;
    } else {
        ctx.ui
            .line(render::task_table(&ctx.ui, &tasks, ctx.now()).trim_end())?;
    }
    Ok(())
}
