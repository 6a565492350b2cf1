use super::task::render;
use crate::context::Context;
use crate::error::{CommandError, CommandResult};
use crate::ops::schedule::{self, Next};
use crate::ui::{Style, sanitize_line};

/// Claim the best ready task that fits my expertise
///
/// Picks, among ready tasks in `ready` order, the first whose expertise this agent has (its
/// registry entry, `git coord agent add <me> --expertise …`; a task with no expertise fits
/// anyone), and claims it atomically: two agents calling `next` at once never get the same
/// task. The task's `owns` paths are held with it. Exits 1 when nothing fits.
///
/// Examples:
///   git coord next
///   git coord next --json | jq -r .id
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {}

pub fn run(ctx: &Context, _args: Args) -> CommandResult {
    let actor = ctx.actor()?;
    let (next, warnings) = schedule::next(ctx.store()?, &actor, ctx.now())?;
    for w in warnings.messages() {
        ctx.ui.warn(w);
    }
    match next {
        Next::Claimed(task) => {
            if ctx.ui.json {
                ctx.ui.json(&render::json(&task))?;
            } else {
                ctx.ui.line(format!(
                    "Claimed {}  {}",
                    ctx.ui.paint(Style::Bold, task.id.as_str()),
                    sanitize_line(&task.title)
                ))?;
            }
            Ok(())
        }
        Next::Nothing { ready } => {
            let why = if ready == 0 {
                "nothing is ready".to_owned()
            } else {
                format!(
                    "{ready} task(s) are ready, but none fits the expertise of {}",
                    actor.agent
                )
            };
            Err(CommandError::negative(format!("no task for {}: {why}", actor.agent))
                .hint("`git coord ready` lists ready tasks; `git coord agent add <me> --expertise …` sets mine")
                .details(serde_json::json!({ "ready": ready })))
        }
    }
}
