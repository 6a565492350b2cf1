//! `git coord scratchpad`: an agent's scratchpad, mine by default (DESIGN §4 memory).

use crate::context::{Context, no_agent};
use crate::error::CommandResult;
use crate::model::AgentId;
use crate::ops::{self, memory};
use crate::ui::{Style, sanitize_line, sanitize_text};

/// Show an agent's scratchpad (mine by default)
///
/// Examples:
///   git coord scratchpad
///   git coord scratchpad state --json
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The agent whose scratchpad to show
    pub agent: Option<String>,
}

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    let agent = match args.agent {
        Some(a) => AgentId::parse(&a)?,
        None => ctx.agent()?.map(|(a, _)| a).ok_or_else(no_agent)?,
    };
    let snap = ops::snapshot(ctx.store()?)?;
    let pad = memory::scratchpad(&snap, &agent)?;
    if ctx.ui.json {
        return Ok(ctx
            .ui
            .json(&serde_json::json!({ "agent": agent, "entries": pad.entries }))?);
    }
    if pad.entries.is_empty() {
        ctx.ui.info(format!("{agent} has no notes yet"))?;
        return Ok(());
    }
    for e in &pad.entries {
        let section = e
            .section
            .map(|s| format!(" [{}]", s.as_str()))
            .unwrap_or_default();
        ctx.ui.line(format!(
            "{}{}  {}",
            ctx.ui.paint(Style::Bold, &e.at.to_string()),
            ctx.ui.paint(Style::Cyan, &section),
            ctx.ui.paint(Style::Dim, &e.id)
        ))?;
        for line in sanitize_text(&e.text).lines() {
            ctx.ui.line(format!("  {}", sanitize_line(line)))?;
        }
        ctx.ui.line("")?;
    }
    Ok(())
}
