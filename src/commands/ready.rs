//! `git coord ready`: the tasks that can be started now, best first (DESIGN §5).

use crate::context::Context;
use crate::error::CommandResult;
use crate::ops::schedule::{self, ReadyOptions};
use crate::session::AgentSource;
use crate::ui::{Style, sanitize_line, table};

/// List tasks that can be started now, best first
///
/// Ready means: status todo, nobody assigned, every dependency done (a cancelled dependency
/// counts as done and is flagged). Ordered by priority, then slack (tasks on the critical
/// path first), then age. Overdue tasks are flagged.
///
/// With --agent, the list that agent's `next` takes from: first the tasks assigned to it and
/// not started yet (by `assign` or a conflict's action item), marked "assigned" (`"assigned":
/// true` in JSON), then the unassigned ready tasks that fit its registered expertise (or
/// --expertise, when given).
///
/// Examples:
///   git coord ready
///   git coord ready --agent state
///   git coord ready --expertise backend,redis --limit 3 --json
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Only tasks an agent with this expertise can take; repeatable or comma-separated
    #[arg(long, value_name = "TAG", value_delimiter = ',')]
    pub expertise: Vec<String>,
    /// At most this many tasks
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
}

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    // Only an explicit --agent asks for an agent's view: `ready` in a worktree whose
    // agent is configured still lists the shared pool, as it always has.
    let agent = match ctx.agent()? {
        Some((agent, AgentSource::Flag)) => Some(agent),
        _ => None,
    };
    let opts = ReadyOptions {
        expertise: (!args.expertise.is_empty()).then_some(args.expertise),
        agent,
        limit: args.limit,
    };
    let (items, warnings) = schedule::ready(ctx.store()?, &opts, ctx.now())?;
    for w in warnings.messages() {
        ctx.ui.warn(w);
    }
    if ctx.ui.json {
        return Ok(ctx.ui.json(&items)?);
    }
    if items.is_empty() {
        ctx.ui.info(
            "Nothing is ready. `git coord task list` shows what is in progress or blocked.",
        )?;
        return Ok(());
    }
    let mut rows = vec![
        ["ID", "P", "SLACK", "EST", "TITLE"]
            .map(String::from)
            .to_vec(),
    ];
    for r in &items {
        let mut title = sanitize_line(&r.task.title).into_owned();
        if r.overdue {
            title.push_str(&format!("  {}", ctx.ui.paint(Style::Red, "(overdue)")));
        }
        if !r.cancelled_deps.is_empty() {
            title.push_str("  (a dependency was cancelled)");
        }
        if r.assigned {
            title.push_str(&format!("  {}", ctx.ui.paint(Style::Bold, "(assigned)")));
        }
        rows.push(vec![
            ctx.ui.paint(Style::Bold, r.task.id.as_str()).into_owned(),
            r.task.priority.to_string(),
            r.slack
                .map(crate::model::time::format_hours)
                .unwrap_or_else(|| "-".to_owned()),
            r.task
                .estimate_hours
                .map(crate::model::time::format_hours)
                .unwrap_or_else(|| "-".to_owned()),
            title,
        ]);
    }
    ctx.ui.line(table(&rows).trim_end())?;
    Ok(())
}
