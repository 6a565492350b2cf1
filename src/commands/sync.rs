//! `sync`: fetch, merge and push the coordination branch and its notes, and the `--sync`
//! confirmation of `claim`, `next` and `own` (success only once the remote has the write).

use crate::context::Context;
use crate::error::{CommandError, CommandResult, ErrorKind};
use crate::ops::OpError;
use crate::ops::sync::{self, Integrated, SyncError, SyncOptions, SyncReport};

/// Share the coordination branch through a remote: fetch, merge, push
///
/// Fetches the remote's coordination branch and refs/notes/coord (into refs/remotes/<remote>/coord
/// and refs/notes/remotes/<remote>/coord); with no local branch, adopts the remote's; when only
/// the remote moved, fast-forwards; when both moved, merges every changed record against the
/// merge base into a merge commit with both parents (changes from both sides kept, every value
/// set aside written to a conflict record, the commit message lists both); merges the notes
/// (union of lines); then pushes both with `git push --atomic`, never with force. When someone
/// pushed first, it fetches and merges again (up to 5 times). The remote: <REMOTE>, else the
/// branch's upstream (branch.coord.remote), else origin. Fetch and push run the system git, so
/// your credentials and ssh configuration apply. Exits 2 when the two branches have no common
/// history (it says how to keep one).
///
/// Examples:
///   git coord sync
///   git coord sync upstream --json
///   git coord sync --configure-remote    # then a plain `git fetch` keeps origin/coord current
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The remote to sync with (default: the branch's upstream, else origin)
    pub remote: Option<String>,
    /// Also add fetch refspecs for the branch and the notes to the remote's config
    #[arg(long)]
    pub configure_remote: bool,
}

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    let store = ctx.store()?;
    let (author, _) = ctx.author_or_user()?;
    let opts = SyncOptions {
        remote: args.remote,
        configure_remote: args.configure_remote,
    };
    let report = sync::sync(store, &author, &opts).map_err(error)?;
    if ctx.ui.json {
        ctx.ui.json(&report)?;
        return Ok(());
    }
    print(ctx, &report)
}

/// The human report of a sync, one line per thing that happened (none under -q but the
/// conflicts, which go to stderr as warnings).
pub fn print(ctx: &Context, r: &SyncReport) -> CommandResult {
    let branch = crate::ui::sanitize_line(ctx.store()?.branch_short()).into_owned();
    let remote = crate::ui::sanitize_line(&r.remote).into_owned();
    let short = |c: &Option<String>| {
        c.as_deref()
            .map(|c| c[..c.len().min(12)].to_owned())
            .unwrap_or_default()
    };
    let line = match r.integrated {
        Integrated::UpToDate => format!("{branch} is up to date with {remote}/{branch}"),
        Integrated::Adopted => format!("Adopted {remote}/{branch} as {branch}"),
        Integrated::FastForward => format!("Fast-forwarded {branch} to {remote}/{branch}"),
        Integrated::Ahead if r.fetched.is_none() => {
            format!("{remote} had no {branch} branch yet")
        }
        Integrated::Ahead => format!("{branch} already contains {remote}/{branch}"),
        Integrated::Merged => format!(
            "Merged {remote}/{branch}: {} file(s) taken from {remote}, {} changed on both sides",
            r.taken,
            r.merged.len()
        ),
    };
    ctx.ui.info(line)?;
    for c in &r.conflicts {
        let field = c
            .field
            .as_deref()
            .map(|f| format!(" ({f})"))
            .unwrap_or_default();
        let record = if c.record.is_empty() {
            String::new()
        } else {
            format!("; the other value is in {}", c.record)
        };
        ctx.ui.warn(format!(
            "conflict in {}{field}: changed on both sides{record}",
            c.path
        ));
    }
    for line in &r.settled {
        ctx.ui.warn(line);
    }
    match r.notes {
        "fast_forward" => ctx.ui.info(format!("Took {remote}'s notes"))?,
        "merged" => ctx
            .ui
            .info(format!("Merged {remote}'s notes (union of lines)"))?,
        _ => {}
    }
    if r.pushed {
        ctx.ui.info(format!(
            "Pushed {branch} ({}) to {remote}{}",
            short(&r.commit),
            if r.attempts > 1 {
                format!(" after {} attempts (someone pushed first)", r.attempts)
            } else {
                String::new()
            }
        ))?;
    } else {
        ctx.ui
            .info(format!("{remote} already had everything: nothing to push"))?;
    }
    for spec in &r.configured {
        ctx.ui
            .info(format!("Added fetch refspec {spec} to remote {remote}"))?;
    }
    Ok(())
}

/// A sync's error at the command edge: what went wrong, and what to do.
pub fn error(e: SyncError) -> CommandError {
    match e {
        SyncError::Op(e) => e.into(),
        SyncError::NoRemote { name, remotes } => {
            let err = CommandError::usage(format!("no remote {name:?} to sync with"));
            let err = if remotes.is_empty() {
                err.hint(
                    "this repository has no remote: add one with `git remote add origin <url>`",
                )
            } else {
                err.hint(format!(
                    "name one of the remotes: {} (`git coord sync <remote>`)",
                    remotes.join(", ")
                ))
            };
            err.hint("or set the branch's upstream: `git config branch.coord.remote <remote>`")
                .details(serde_json::json!({ "remote": name, "remotes": remotes }))
        }
        SyncError::Unrelated {
            ref remote,
            ref branch,
            ref ours,
            ref theirs,
        } => {
            let details = serde_json::json!({
                "remote": remote, "branch": branch, "ours": ours, "theirs": theirs,
            });
            CommandError::usage(e.to_string())
                .hint(format!(
                    "to keep {remote}'s (usual: someone ran `init` here before fetching): `git branch -m {branch} {branch}-local && git coord sync {remote}` adopts it; your records stay readable on {branch}-local"
                ))
                .hint(format!(
                    "to keep yours instead, whoever owns {remote}'s branch deletes it (`git push {remote} --delete {branch}`) and you run `git coord sync {remote}`"
                ))
                .details(details)
        }
        SyncError::GaveUp { .. } => CommandError::new(ErrorKind::Lost, e.to_string())
            .hint("others are pushing to the remote right now; run it again"),
    }
}

/// Runs one write confirmed by the remote (`--sync`): success only once the push carrying it
/// landed. See [`sync::confirmed`].
pub fn confirmed<T>(ctx: &Context, op: impl FnMut(u32) -> Result<T, OpError>) -> CommandResult<T> {
    let store = ctx.store()?;
    let (author, _) = ctx.author_or_user()?;
    let (value, report) = sync::confirmed(store, &author, None, op).map_err(error)?;
    for c in &report.conflicts {
        ctx.ui.warn(format!(
            "sync: conflict in {}: changed on both sides",
            c.path
        ));
    }
    Ok(value)
}
