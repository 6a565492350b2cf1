use crate::context::Context;
use crate::error::CommandResult;
use crate::ops::{self, notes};
use crate::ui::sanitize_line;

/// Show history: the code commits that served a task
///
/// --code <task> lists the commits on any branch whose Coord-Task trailer (added by the
/// commit-msg hook) or refs/notes/coord note (written by the post-commit hook) names the task.
///
/// Examples:
///   git coord log --code t-4kz9w2
///   git coord log --code 4kz --json
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The task (ID or unique prefix)
    #[arg(long, value_name = "TASK", required = true)]
    pub code: String,
}

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    let store = ctx.store()?;
    let task = ops::find_task(&ops::snapshot(store)?, &args.code)?;
    let commits = store.commits_for_task(notes::NOTES_REF, task.id.as_str())?;
    if ctx.ui.json {
        let items: Vec<_> = commits
            .iter()
            .map(|(c, a, s)| serde_json::json!({ "commit": c, "author": a, "subject": s }))
            .collect();
        return Ok(ctx
            .ui
            .json(&serde_json::json!({ "task": task.id, "commits": items }))?);
    }
    if commits.is_empty() {
        ctx.ui.info(format!("No commits name {} yet.", task.id))?;
    }
    for (c, a, s) in commits {
        ctx.ui.line(format!(
            "{}  {}  {}",
            &c[..c.len().min(12)],
            sanitize_line(&a),
            sanitize_line(&s)
        ))?;
    }
    Ok(())
}
