//! `git coord note`: appends an entry to my scratchpad (DESIGN §4 memory).

use crate::context::Context;
use crate::error::{CommandResult, name_argument};
use crate::model::scratchpad::Section;
use crate::ops::memory;

/// What a note is about.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum SectionArg {
    /// An interface or contract other agents build on
    Integration,
    /// Something that stops me
    Blocker,
    /// A choice made, with its reason
    Decision,
}

impl From<SectionArg> for Section {
    fn from(s: SectionArg) -> Section {
        match s {
            SectionArg::Integration => Section::Integration,
            SectionArg::Blocker => Section::Blocker,
            SectionArg::Decision => Section::Decision,
        }
    }
}

/// Append a note to my scratchpad
///
/// The scratchpad (scratchpads/<me>.md) is an agent's record of truth: timestamped entries,
/// newest last, never rewritten, so notes written at the same time never conflict. Integration
/// notes are shown in the briefs of the agents that depend on my tasks.
///
/// Examples:
///   git coord note "Pool exposes get_conn() -> Result<Conn>; timeouts are 2s" --section integration
///   git coord note "Chose token bucket over sliding window: fewer Redis calls" --section decision
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The note (markdown)
    pub text: String,
    /// What the note is about
    #[arg(long, value_enum)]
    pub section: Option<SectionArg>,
}

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    let actor = ctx.actor()?;
    let entry = memory::note(
        ctx.store()?,
        &actor,
        &args.text,
        args.section.map(Into::into),
    )
    .map_err(|e| name_argument(e, "text", "<TEXT>"))?;
    if ctx.ui.json {
        return Ok(ctx.ui.json(&entry)?);
    }
    ctx.ui.created(
        entry.id.as_str(),
        format!("Noted {} in scratchpads/{}.md", entry.id, actor.agent),
    )?;
    Ok(())
}
