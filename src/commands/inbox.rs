//! `git coord inbox`: messages for me, unread ones addressed to me or to all (DESIGN §4 memory).

use crate::context::{Context, no_agent};
use crate::error::CommandResult;
use crate::ops::{self, memory};
use crate::ui::{Style, sanitize_line, sanitize_text};

/// Show messages for me: unread ones addressed to me or to all
///
/// My own messages are never shown. A message that needs a reply and has waited longer than
/// coord.replyWithin (default 4h) without one is flagged "reply overdue". Read one with
/// `ack`, answer with `reply`.
///
/// Examples:
///   git coord inbox
///   git coord inbox --all --json
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Include messages already read
    #[arg(long)]
    pub all: bool,
}

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    let me = ctx.agent()?.map(|(a, _)| a).ok_or_else(no_agent)?;
    let store = ctx.store()?;
    let snap = ops::snapshot(store)?;
    let (items, problems) =
        memory::inbox(&snap, &me, args.all, ctx.now(), memory::reply_within(store))?;
    for p in problems {
        ctx.ui.warn(format!("skipped {p}"));
    }
    if ctx.ui.json {
        return Ok(ctx.ui.json(&items)?);
    }
    if items.is_empty() {
        ctx.ui.info(format!(
            "No {}messages for {me}.",
            if args.all { "" } else { "unread " }
        ))?;
        return Ok(());
    }
    for i in &items {
        let m = &i.message;
        let mut flags = vec![m.kind.as_str().to_owned()];
        if m.needs_reply && i.replies.is_empty() {
            flags.push("needs reply".to_owned());
        }
        if i.reply_overdue {
            flags.push(ctx.ui.paint(Style::Red, "reply overdue").into_owned());
        }
        if i.read {
            flags.push("read".to_owned());
        }
        ctx.ui.line(format!(
            "{}  from {} to {}  {}  [{}]",
            ctx.ui.paint(Style::Bold, m.id.as_str()),
            m.from,
            m.to,
            m.sent.ago(ctx.now()),
            flags.join(", ")
        ))?;
        ctx.ui.line(format!(
            "  {}",
            ctx.ui.paint(Style::Bold, &sanitize_line(&m.subject))
        ))?;
        if let Some(t) = &m.task {
            ctx.ui.line(format!("  task: {t}"))?;
        }
        for line in sanitize_text(m.body.trim()).lines() {
            ctx.ui.line(format!("  {line}"))?;
        }
        ctx.ui.line("")?;
    }
    Ok(())
}
