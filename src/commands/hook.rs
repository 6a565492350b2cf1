//! `git coord hook <name>`: what the installed git hooks run (hidden from `--help`). A hook
//! must never break a commit for a reason of its own: anything but a real ownership violation
//! is reported and ignored (DESIGN §6, §3 Notes).

use std::path::PathBuf;

use clap::Subcommand;

use crate::context::Context;
use crate::error::CommandResult;
use crate::ops::notes;

#[derive(Subcommand, Debug)]
pub enum HookCommand {
    /// Add Coord-Task/Coord-Agent trailers to the commit message
    CommitMsg {
        /// The message file git passes
        file: PathBuf,
    },
    /// Note the agent and task on the new commit (refs/notes/coord)
    PostCommit,
    /// Check the commits being pushed (ref updates on standard input, as git passes them)
    PrePush {
        /// The remote's name
        remote: Option<String>,
        /// The remote's URL
        url: Option<String>,
    },
}

pub fn run(ctx: &Context, command: HookCommand) -> CommandResult {
    let store = ctx.store()?;
    if let HookCommand::PrePush { remote, .. } = &command {
        return pre_push(ctx, remote.as_deref());
    }
    let Some((agent, _)) = ctx.agent()? else {
        return Ok(());
    };
    let task = match notes::current_task(store, &agent) {
        Ok(t) => t,
        Err(e) => {
            ctx.ui.warn(format!(
                "git coord: cannot read the current task ({e}); commit left as is"
            ));
            return Ok(());
        }
    };
    let task_id = task.as_ref().map(|t| &t.id);
    match command {
        HookCommand::CommitMsg { file } => {
            let Ok(message) = std::fs::read_to_string(&file) else {
                return Ok(());
            };
            let new = notes::add_trailers(&message, &agent, task_id);
            if new != message
                && let Err(e) = std::fs::write(&file, new)
            {
                ctx.ui.warn(format!(
                    "git coord: cannot add trailers to {}: {e}",
                    file.display()
                ));
            }
        }
        HookCommand::PrePush { .. } => {}
        HookCommand::PostCommit => {
            if let Err(e) = store.note_head(notes::NOTES_REF, &notes::note_text(&agent, task_id)) {
                ctx.ui
                    .warn(format!("git coord: cannot note the commit: {e}"));
            }
        }
    }
    Ok(())
}

/// Git passes `<local ref> <local sha> <remote ref> <remote sha>` lines; each pushed range is
/// checked like `check --range`. `remote` is the remote's name as git passes it (the URL when
/// pushing to a URL).
fn pre_push(ctx: &Context, remote_name: Option<&str>) -> CommandResult {
    use std::io::BufRead;
    let store = ctx.store()?;
    if store.tip()?.is_none() {
        return Ok(());
    }
    let agent = ctx.agent()?.map(|(a, _)| a);
    let zero = |s: &str| s.chars().all(|c| c == '0');
    let mut failed = false;
    // Every range's violations, so the last line counts them all.
    let mut refused = Vec::new();
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        let parts: Vec<&str> = line.split_whitespace().collect();
        let [local_ref, local, _, remote] = parts[..] else {
            continue;
        };
        if zero(local) {
            continue; // a deletion pushes no commits
        }
        // The coordination branch and the notes hold records, not project files: `sync`
        // pushes them, and judging them as code would refuse a task record to whoever owns
        // `*.md`.
        if local_ref == store.branch() || local_ref.starts_with("refs/notes/") {
            continue;
        }
        let range = format!("{remote}..{local}");
        // A remote tip this repository does not have (someone pushed since the last fetch)
        // cannot bound a range: check what none of the pushed-to remote's tracking branches
        // holds instead, rather than fail the push on an internal git error. Only that
        // remote's: any other `refs/remotes/*` ref is a local name anyone can point at the
        // commits being pushed.
        let not_remote = format!("--remotes={}/*", remote_name.unwrap_or(""));
        let args: Vec<&str> = if zero(remote) || !store.rev_exists(remote) {
            if remote_name.is_some_and(|r| !r.is_empty() && !r.contains(['*', '?', '['])) {
                vec![local, "--not", not_remote.as_str()]
            } else {
                vec![local]
            }
        } else {
            vec![range.as_str()]
        };
        let (report, problems) =
            crate::ops::ownership::check_range(store, &args, agent.as_ref(), ctx.now())?;
        for p in problems {
            ctx.ui.warn(p);
        }
        super::check::print(ctx, &report, super::check::Format::Text)?;
        failed |= !report.ok;
        refused.extend(report.violations.iter().cloned());
    }
    if failed {
        return super::check::verdict(&crate::ownership::check::Report {
            agent: match agent {
                Some(a) => a,
                None => crate::model::AgentId::parse("unknown")?,
            },
            checked: 0,
            violations: refused,
            warnings: vec![],
            ok: false,
            commits: vec![],
        });
    }
    Ok(())
}
