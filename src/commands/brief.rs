//! `git coord brief`: an agent's whole context on one markdown page (DESIGN §4 agents).

use crate::context::{Context, no_agent};
use crate::error::CommandResult;
use crate::model::AgentId;
use crate::ops::brief;

/// Print an agent's brief: its whole context on one markdown page
///
/// Identity and role, owned paths, assigned tasks with dependencies, deliverables and checks,
/// the best ready tasks that fit its expertise, unread messages, integration notes from the
/// agents it depends on, and the protocol. This is what an agent reads at session start.
/// The template is templates/brief.md, overridable by the project's
/// .coord/templates/brief.md (minijinja syntax; `--json` prints the data it is given).
///
/// Examples:
///   git coord brief
///   git coord brief state > /tmp/state-brief.md
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The agent (default: me)
    pub agent: Option<String>,
}

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    let who = match args.agent {
        Some(a) => AgentId::parse(&a)?,
        None => ctx.agent()?.map(|(a, _)| a).ok_or_else(no_agent)?,
    };
    let store = ctx.store()?;
    let data = brief::gather(store, &who, ctx.now())?;
    if ctx.ui.json {
        return Ok(ctx.ui.json(&data)?);
    }
    let text = brief::render_brief(&data, store.workdir())?;
    ctx.ui.line(text.trim_end())?;
    Ok(())
}
