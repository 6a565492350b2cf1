//! `git coord checkin`: refreshes my `last_seen`, with an optional status and note (DESIGN §4
//! agents).

use crate::context::Context;
use crate::error::CommandResult;
use crate::ops::agent;

/// Tell the others I am alive, and optionally what I am doing
///
/// Every write already refreshes my last_seen; checkin is for an agent that is thinking or
/// waiting. An agent not seen for coord.staleAfter (default 2h) is stale, and `reap` may
/// return its tasks to the queue.
///
/// Examples:
///   git coord checkin
///   git coord checkin --status blocked --note "waiting for the schema review"
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// active, idle, blocked or offline
    #[arg(long, value_name = "STATUS")]
    pub status: Option<String>,
    /// A one-line note on what I am doing
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
}

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    let actor = ctx.actor()?;
    let a = agent::checkin(
        ctx.store()?,
        &actor,
        args.status.as_deref(),
        args.note.as_deref(),
    )?;
    if ctx.ui.json {
        return Ok(ctx.ui.json(&a)?);
    }
    ctx.ui.info(format!("{} checked in ({})", a.id, a.status))?;
    Ok(())
}
