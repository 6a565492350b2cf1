//! `git coord send`: a message to an agent or to all agents (DESIGN §4 memory).

use std::str::FromStr;

use crate::context::Context;
use crate::error::{CommandError, CommandResult};
use crate::model::message::{Kind, Recipient};
use crate::ops::memory::{self, Outgoing};
use crate::ui::{Style, sanitize_line};

use super::task::body_flags;

/// Send a message to an agent, or to all agents
///
/// Messages are records on the coordination branch (messages/<xx>/<id>.md). One that needs a
/// reply and gets none within coord.replyWithin (default 4h) is flagged in the inbox.
///
/// Examples:
///   git coord send state --subject "Pool timeout?" --needs-reply --kind question --task t-4kz9w2
///   git coord send all --subject "Schema frozen" --body "No more column renames." --kind fyi
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// An agent ID, or `all`
    pub to: String,
    /// A one-line subject
    #[arg(long, value_name = "TEXT")]
    pub subject: String,
    /// The message (markdown)
    #[arg(long, value_name = "TEXT", conflicts_with = "body_file")]
    pub body: Option<String>,
    /// Read the message from a file (- for standard input)
    #[arg(long, value_name = "FILE")]
    pub body_file: Option<std::path::PathBuf>,
    /// The task this is about (ID or unique prefix)
    #[arg(long, value_name = "ID")]
    pub task: Option<String>,
    /// A file this is about; repeatable
    #[arg(long, value_name = "PATH")]
    pub file: Vec<String>,
    /// The sender expects an answer
    #[arg(long)]
    pub needs_reply: bool,
    /// question, answer, handoff or fyi [default: question with --needs-reply, else fyi]
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,
}

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    let to = Recipient::from_str(&args.to)
        .map_err(|e| CommandError::usage(format!("recipient: {e} (or use `all`)")))?;
    let kind = match &args.kind {
        Some(k) => k
            .parse::<Kind>()
            .map_err(|e| CommandError::usage(format!("--kind: {e}")))?,
        None if args.needs_reply => Kind::Question,
        None => Kind::Fyi,
    };
    let body = body_flags(args.body, args.body_file.as_deref())?.unwrap_or_default();
    let actor = ctx.actor()?;
    let out = Outgoing {
        to,
        subject: args.subject,
        body,
        task: args.task,
        files: args.file,
        needs_reply: args.needs_reply,
        kind,
    };
    let m = memory::send(ctx.store()?, &actor, &out)?;
    if let Recipient::Agent(to) = &m.to
        && !ctx.registered(to)?
    {
        ctx.ui.warn(format!(
            "{to} is not a registered agent: the message waits until an agent of that name reads its inbox; agents known: {}",
            crate::context::name_some(&ctx.known_agents()?)
        ));
    }
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
