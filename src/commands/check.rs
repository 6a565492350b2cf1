//! `git coord check`: staged changes, a commit range or the agents' branches against the
//! claims, in text, JSON, markdown or GitHub format (DESIGN §6).

use crate::context::Context;
use crate::error::{CommandError, CommandResult};
use crate::ops::ownership;
use crate::ownership::check::Report;
use crate::report::check as render;
use crate::ui::{sanitize_line, sanitize_text};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people
    Text,
    /// One JSON object
    Json,
    /// A pull-request comment
    Markdown,
    /// GitHub Actions workflow commands
    Github,
}

/// Check changed files against the agents' claims
///
/// --staged checks what is staged (the index against HEAD) as the acting agent's change.
/// --range A..B checks every commit of the range — what a pre-push hook or a PR bot runs — as
/// the change of every agent it is tied to: the one it names (its Coord-Agent trailer or
/// refs/notes/coord note, else the assignee of its Coord-Task), the one whose registered
/// branch holds it, and the acting agent. A name never grants rights: a path passes only when
/// each of them may change it (with no acting agent, the report says what was taken on the
/// commit's word). Each commit is judged against the claims in force at its committer date;
/// a claim made later only warns. A path another agent holds exclusively is a violation
/// (exit 1); a path nobody holds is allowed, warned about or refused as coord.unowned says
/// (allow|warn|deny).
/// --branches compares the registered agents' branches with their merge base with --target
/// (default: the repository's default branch, from init.defaultBranch, else origin's HEAD,
/// else main or master) and lists files changed on two or more of them, and whether the
/// changes collide line-wise (a merge conflict is coming: exit 1) or only share the file.
/// Without a coordination branch (or, for --staged, an agent) it checks nothing and exits 0,
/// so a hook never blocks a repository that does not use git coord.
///
/// Examples:
///   git coord check --staged
///   git coord check --range origin/main..HEAD --format github
///   git coord check --branches --json
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["staged", "range", "branches"])))]
pub struct Args {
    /// Check the staged changes (what the next commit would contain)
    #[arg(long)]
    pub staged: bool,
    /// Check each commit of a range such as origin/main..HEAD
    #[arg(long, value_name = "A..B")]
    pub range: Option<String>,
    /// Compare the agents' branches for files changed on more than one
    #[arg(long)]
    pub branches: bool,
    /// The branch --branches compares against [default: the repository's default branch]
    #[arg(long, value_name = "BRANCH")]
    pub target: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    let format = if ctx.ui.json {
        Format::Json
    } else {
        args.format
    };
    let store = ctx.store()?;
    if store.tip()?.is_none() {
        ctx.ui
            .note("git coord check: no coordination branch; nothing checked");
        return Ok(());
    }
    if args.branches {
        let target = match args.target {
            Some(target) => target,
            None => store.default_branch().ok_or_else(|| {
                CommandError::usage(
                    "--branches: cannot tell which branch agents merge into: none of init.defaultBranch, refs/remotes/origin/HEAD, main or master names a commit here",
                )
                .hint("name it: git coord check --branches --target <BRANCH> (`git branch -a` lists the branches)")
            })?,
        };
        return branches(ctx, &target, format);
    }
    let agent = ctx.agent()?.map(|(a, _)| a);
    let (report, problems) = if let Some(range) = &args.range {
        if range.starts_with('-') {
            return Err(CommandError::usage(format!(
                "--range {range:?}: give a revision range such as main..HEAD"
            )));
        }
        if let Some(unknown) = store.unknown_revision(&[range.as_str()]) {
            return Err(unknown_range(|r| store.remote_exists(r), range, &unknown));
        }
        ownership::check_range(store, &[range.as_str()], agent.as_ref(), ctx.now())?
    } else {
        let Some(agent) = agent else {
            ctx.ui
                .note("git coord check: no agent is set for this worktree; nothing checked");
            return Ok(());
        };
        ownership::check_staged(store, &agent, ctx.now())?
    };
    for p in problems {
        ctx.ui.warn(p);
    }
    print(ctx, &report, format)?;
    verdict(&report)
}

/// The error for a `--range` git cannot resolve: which reference is unknown, as typed, and
/// how to get or find it (never the internal git command that failed).
fn unknown_range(remote_exists: impl Fn(&str) -> bool, range: &str, unknown: &str) -> CommandError {
    let shown = sanitize_line(unknown);
    let message = if unknown.contains("..") || unknown.contains(' ') {
        format!(
            "--range {:?}: git knows no revision range of that name here",
            sanitize_line(range)
        )
    } else {
        format!(
            "--range {:?}: {shown:?} is not a branch, tag or commit here",
            sanitize_line(range)
        )
    };
    let mut err = CommandError::usage(message);
    // `origin/main`: a remote-tracking branch that was never fetched, or a remote that is
    // not configured.
    if let Some((remote, _)) = unknown.split_once('/') {
        err = if remote_exists(remote) {
            err.hint(format!(
                "if it is a branch of the remote {remote}, fetch it first: git fetch {remote}"
            ))
        } else {
            err.hint(format!(
                "there is no remote named {:?} here (`git remote -v` lists them)",
                sanitize_line(remote)
            ))
        };
    }
    err.hint("`git branch -a` lists the branches; a range reads A..B, e.g. main..HEAD")
        .details(serde_json::json!({ "range": range, "unknown": unknown }))
}

/// Prints a report in `format`.
pub fn print(ctx: &Context, report: &Report, format: Format) -> CommandResult {
    match format {
        Format::Json => ctx.ui.json(report)?,
        Format::Markdown => ctx.ui.line(render::markdown(report).trim_end())?,
        Format::Github => {
            let text = render::github(report);
            if !text.is_empty() {
                ctx.ui.line(text.trim_end())?;
            }
        }
        Format::Text => {
            let text = render::text(report);
            if !report.ok || !ctx.ui.quiet {
                ctx.ui.error_text(&sanitize_text(&text));
            }
        }
    }
    Ok(())
}

/// Exit 1 when the report has violations.
pub fn verdict(report: &Report) -> CommandResult {
    if report.ok {
        return Ok(());
    }
    Err(CommandError::negative(format!(
        "{} path(s) may not be changed by the agents who changed them",
        report.violations.len()
    ))
    .details(serde_json::json!({ "violations": report.violations.len() })))
}

fn branches(ctx: &Context, target: &str, format: Format) -> CommandResult {
    let store = ctx.store()?;
    if !store.rev_exists(target) {
        return Err(CommandError::usage(format!(
            "--target {target:?} is not a branch or commit here"
        ))
        .hint("name the branch agents merge into, e.g. --target main (`git branch -a` lists the branches)"));
    }
    let overlaps = ownership::check_branches(store, target)?;
    let conflicts = overlaps.iter().filter(|o| o.conflict).count();
    match format {
        Format::Json => ctx
            .ui
            .json(&serde_json::json!({ "target": target, "overlaps": overlaps }))?,
        _ => {
            if overlaps.is_empty() {
                ctx.ui
                    .info("No file is changed on more than one agent branch.")?;
            }
            for o in &overlaps {
                let what = if o.conflict {
                    "CONFLICT: overlapping lines"
                } else {
                    "same file, different lines"
                };
                ctx.ui.line(format!(
                    "{}  {} and {}: {what}",
                    sanitize_line(&o.path),
                    o.agents[0],
                    o.agents[1]
                ))?;
            }
        }
    }
    if conflicts == 0 {
        Ok(())
    } else {
        Err(CommandError::negative(format!(
            "{conflicts} file(s) will conflict when the agents' branches merge"
        )))
    }
}
