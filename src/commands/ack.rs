//! `git coord ack`: marks a message read (DESIGN §4, memory).

use crate::context::Context;
use crate::error::CommandResult;
use crate::ops::memory;

/// Mark a message read
///
/// Example:
///   git coord ack m-4kz9w2
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Message ID or unique prefix
    pub id: String,
}

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    let actor = ctx.actor()?;
    let (m, changed) = memory::ack(ctx.store()?, &actor, &args.id)?;
    if ctx.ui.json {
        return Ok(ctx.ui.json(&m)?);
    }
    let verb = if changed { "Read" } else { "Already read:" };
    ctx.ui.info(format!("{verb} {}", m.id))?;
    Ok(())
}
