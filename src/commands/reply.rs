//! `git coord reply`: answers a message (DESIGN §4 memory).

use crate::context::Context;
use crate::error::CommandResult;
use crate::ops::memory;
use crate::ui::{Style, sanitize_line};

/// Answer a message
///
/// Sends an answer to the message's sender, threaded by `reply_to`, and marks the message
/// read, in one commit.
///
/// Example:
///   git coord reply m-4kz9w2 "2s, and retry once"
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Message ID or unique prefix
    pub id: String,
    /// The answer (markdown)
    pub text: String,
}

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    let actor = ctx.actor()?;
    let m = memory::reply(ctx.store()?, &actor, &args.id, &args.text)?;
    if ctx.ui.json {
        return Ok(ctx.ui.json(&m)?);
    }
    ctx.ui.created(
        m.id.as_str(),
        format!(
            "Sent {} to {}: {}",
            ctx.ui.paint(Style::Bold, m.id.as_str()),
            m.to,
            sanitize_line(&m.subject)
        ),
    )?;
    Ok(())
}
