//! `git coord task show`: one task, in full (DESIGN §4 tasks).

use super::render;
use crate::context::Context;
use crate::error::CommandResult;
use crate::ops::task;
use crate::view::task::TaskJson;

/// Show one task
///
/// Takes a full ID or any unique prefix of one (with or without `t-`), like git's short hashes.
///
/// Examples:
///   git coord task show t-4kz9w2
///   git coord task show 4kz --json
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Task ID or unique prefix
    pub id: String,
}

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    let task = task::show(ctx.store()?, &args.id)?;
    if ctx.ui.json {
        ctx.ui.json(&TaskJson::new(&task))?;
    } else {
        ctx.ui
            .line(render::task_detail(&ctx.ui, &task, ctx.now()).trim_end())?;
    }
    Ok(())
}
