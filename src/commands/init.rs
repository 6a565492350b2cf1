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
/// index and the working tree are not touched. Running it again changes nothing. When the
/// remote has the branch but this clone has not fetched it, it refuses (exit 2): run
/// `git coord sync`, or `init --remote`.
///
/// --remote <REMOTE> fetches that remote's coordination branch and refs/notes/coord first,
/// adopts its branch (or creates the root when it has none yet), makes it the branch's
/// upstream (branch.coord.remote) and adds the fetch refspecs, as `sync --configure-remote`
/// does, so a plain `git fetch` keeps them current.
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
///   git coord init --remote origin      # a clone of a project that already coordinates
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Also write the agent protocol into AGENTS.md (and CLAUDE.md if present)
    #[arg(long)]
    pub agents_md: bool,
    /// Fetch and adopt this remote's coordination branch, and add its fetch refspecs
    #[arg(long, value_name = "REMOTE")]
    pub remote: Option<String>,
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
    let (done, from_remote) = match &args.remote {
        Some(remote) => {
            let r = ops::init::init_from_remote(store, &author, actor.as_ref(), remote)
                .map_err(init_error)?;
            (r.done.clone(), Some(r))
        }
        None => (
            ops::init::init_or_adopt(store, &author, actor.as_ref()).map_err(init_error)?,
            None,
        ),
    };
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
        // Only with --remote: which remote, and the refspecs added.
        if let Some(r) = &from_remote {
            out["remote"] = r.remote.clone().into();
            out["configured"] = r.configured.clone().into();
        }
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
    } else if let Some(r) = &from_remote {
        ctx.ui.info(format!(
            "The coordination branch {} already exists; `git coord sync {}` joins it with {}'s",
            store.branch_short(),
            r.remote,
            r.remote
        ))?;
    } else if protocol.is_none() {
        ctx.ui.info(format!(
            "The coordination branch {} already exists; nothing to do",
            store.branch_short()
        ))?;
    }
    if let Some(r) = &from_remote {
        if r.upstream_set {
            ctx.ui.info(format!(
                "Set {} as the branch's upstream (branch.{}.remote)",
                r.remote,
                store.branch_short()
            ))?;
        }
        for spec in &r.configured {
            ctx.ui
                .info(format!("Added fetch refspec {spec} to remote {}", r.remote))?;
        }
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

/// `init`'s own refusals; an unknown `--remote` reads like sync's, with init's example.
fn init_error(e: ops::init::InitError) -> CommandError {
    use ops::init::InitError;
    match e {
        InitError::Op(e) => e.into(),
        InitError::Sync(ops::sync::SyncError::NoRemote { name, remotes }) => {
            let err = CommandError::usage(format!("no remote {name:?} to initialise from"));
            if remotes.is_empty() {
                err.hint("this repository has no remote: add one with `git remote add origin <url>`, or run `git coord init` without --remote")
            } else {
                err.hint(format!(
                    "name one of the remotes: {} (`git coord init --remote {}`)",
                    remotes.join(", "),
                    remotes[0]
                ))
            }
        }
        InitError::Sync(e) => super::sync::error(e),
        InitError::NotFetched { ref remote, .. } => CommandError::usage(e.to_string())
            .hint("run `git coord sync`: it fetches the remote's branch and adopts it")
            .hint(format!(
                "or `git coord init --remote {remote}`, which also adds the fetch refspecs"
            )),
    }
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
