//! `git coord init`: creates the coordination branch (DESIGN §3, §4 setup).

use crate::context::Context;
use crate::error::{CommandError, CommandResult, ErrorKind};
use crate::ops;
use crate::ops::init::{ProtocolAction, ProtocolError};

/// Create the coordination branch in this repository
///
/// Writes one root commit on `refs/heads/coord` (config `coord.branch`) with a README, and
/// registers the acting agent if one is set. In a clone whose remote has the branch
/// (`origin/coord`), creates the local branch from it instead: never a second root. HEAD, the
/// index and the working tree are not touched. Running it again changes nothing.
///
/// --agents-md also writes the agent protocol (the loop every agent follows: brief, next,
/// own, notes, asking when blocked, done, checkin) into this worktree's AGENTS.md, and into
/// CLAUDE.md if there is one: as a marked section at the end of a file that exists, leaving
/// the rest of it as it was, or as a new AGENTS.md. Running it again replaces only that
/// section, with the current protocol. Commit the file like any other.
///
/// Examples:
///   git coord init
///   git coord init --agents-md
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Also write the agent protocol into AGENTS.md (and CLAUDE.md if present)
    #[arg(long)]
    pub agents_md: bool,
}

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    let store = ctx.store()?;
    let (author, actor) = ctx.author_or_user()?;
    // Planned (read only) before the branch is created: a file we cannot update stops
    // everything before anything is written.
    let protocol = if args.agents_md {
        Some(ops::init::plan_protocol(store.workdir()).map_err(protocol_error)?)
    } else {
        None
    };
    let done = ops::init::init_or_adopt(store, &author, actor.as_ref())?;
    let created = done == ops::init::Initialised::Created;
    let adopted = match &done {
        ops::init::Initialised::Adopted { from } => Some(from.clone()),
        _ => None,
    };
    if let (Some(planned), Some(root)) = (&protocol, store.workdir()) {
        ops::init::write_protocol(root, planned).map_err(protocol_error)?;
    }
    let tip = store
        .tip()?
        .map(|t| t.commit.to_string())
        .unwrap_or_default();
    if ctx.ui.json {
        let mut out = serde_json::json!({
            "created": created,
            "adopted_from": adopted,
            "branch": store.branch(),
            "commit": tip,
        });
        // Only with --agents-md: the object `init --json` always gave is unchanged.
        if let Some(planned) = &protocol {
            out["agents_md"] = planned
                .iter()
                .map(|f| serde_json::json!({ "file": f.name, "action": f.action }))
                .collect();
        }
        ctx.ui.json(&out)?;
        return Ok(());
    } else if let Some(from) = &adopted {
        ctx.ui.info(format!(
            "Adopted {from} as the coordination branch {} ({}); `git coord sync` keeps them together",
            store.branch_short(),
            &tip[..tip.len().min(12)]
        ))?;
    } else if created {
        ctx.ui.info(format!(
            "Initialised the coordination branch {} ({})",
            store.branch_short(),
            &tip[..tip.len().min(12)]
        ))?;
        if actor.is_none() {
            ctx.ui.info(
                "hint: set this worktree's agent name with `git config coord.agent <name>`",
            )?;
        }
    } else if protocol.is_none() {
        ctx.ui.info(format!(
            "The coordination branch {} already exists; nothing to do",
            store.branch_short()
        ))?;
    }
    for f in protocol.iter().flatten() {
        let what = match f.action {
            ProtocolAction::Created => "Wrote the agent protocol to a new",
            ProtocolAction::Appended => "Added the agent protocol at the end of",
            ProtocolAction::Updated => "Updated the agent protocol section in",
            ProtocolAction::Unchanged => "The agent protocol is current in",
        };
        ctx.ui.info(format!("{what} {}", f.name))?;
    }
    let changed: Vec<&str> = protocol
        .iter()
        .flatten()
        .filter(|f| f.action != ProtocolAction::Unchanged)
        .map(|f| f.name)
        .collect();
    if !changed.is_empty() {
        ctx.ui.note(format!(
            "commit it so every agent reads it: git add {} && git commit",
            changed.join(" ")
        ));
    }
    Ok(())
}

fn protocol_error(e: ProtocolError) -> CommandError {
    let hint = match &e {
        ProtocolError::NoWorktree(_) => {
            "run it in a worktree (git worktree add), or copy templates/AGENTS.md by hand"
        }
        ProtocolError::Unclosed { .. } => {
            "put the end line back after the section, or delete the section, and run it again"
        }
        ProtocolError::Read { .. } | ProtocolError::Write { .. } => {
            "fix the file's permissions (or encoding) and run it again; nothing was written"
        }
    };
    // Failing to write a file we could read is the machine failing (DESIGN §4: 70).
    let kind = match e {
        ProtocolError::Write { .. } => ErrorKind::Internal,
        _ => ErrorKind::Usage,
    };
    CommandError::new(kind, e.to_string()).hint(hint)
}
