//! `git coord whoami`: which agent this worktree acts as, and where the name came from
//! (DESIGN §3 Agent identity).

use crate::context::Context;
use crate::error::{CommandError, CommandResult};
use crate::model::{Agent, layout};

/// Show which agent this worktree acts as, and where that name comes from
///
/// Prints only the name on stdout (`agent=$(git coord whoami)`); where it comes from and
/// whether it is registered go to stderr, or into the object with `--json`. The agent is `--agent`, else `$COORD_AGENT`, else `git config coord.agent` (a worktree's
/// own config.worktree is honoured, so each worktree can be one agent).
///
/// Example:
///   git coord whoami --json
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {}

pub fn run(ctx: &Context, _args: Args) -> CommandResult {
    let Some((agent, source)) = ctx.agent()? else {
        return Err(CommandError::usage("no agent is set for this worktree")
            .hint("name it: git config --worktree coord.agent <name>  (or git config coord.agent <name>)")
            .hint("or per command: --agent <name>, or for a shell: export COORD_AGENT=<name>"));
    };
    let store = ctx.store()?;
    let registered = match store.tip()? {
        Some(_) => {
            let snap = store.snapshot()?;
            let path = layout::agent_path(&agent);
            snap.read_text(&path)?
                .and_then(|text| Agent::parse(&path, &text).ok())
        }
        None => None,
    };
    if ctx.ui.json {
        ctx.ui.json(&serde_json::json!({
            "agent": agent,
            "source": source,
            "registered": registered.is_some(),
            "role": registered.as_ref().and_then(|a| a.role.clone()),
            "last_seen": registered.as_ref().map(|a| a.last_seen),
        }))?;
        return Ok(());
    }
    ctx.ui.line(agent.as_str())?;
    let state = match &registered {
        Some(a) => format!(
            "registered, last seen {}",
            crate::model::time::seen_ago(a.last_seen, ctx.now())
        ),
        None => "not registered yet: its first write registers it".to_owned(),
    };
    ctx.ui.note(format!("from {}; {state}", source.describe()));
    Ok(())
}
