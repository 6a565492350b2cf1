use clap::Subcommand;

use crate::context::Context;
use crate::error::CommandResult;
use crate::ops::hooks::{self, HookMode};

/// Install or remove the git hooks that check ownership
#[derive(Subcommand, Debug)]
pub enum HooksCommand {
    Install(InstallArgs),
    Uninstall(UninstallArgs),
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum ModeArg {
    /// Print violations, never stop a commit
    Warn,
    /// Stop a commit that changes files another agent holds
    Block,
}

/// Install the git hooks that check ownership and tag commits with my task
///
/// pre-commit checks ownership, commit-msg adds Coord-Task and Coord-Agent trailers from my
/// task in progress, post-commit writes a refs/notes/coord note.
///
/// Honours core.hooksPath. A hook that already exists keeps its content and still runs: our
/// lines go between `## START git-coord` and `## END git-coord` markers right after its first
/// line. Without git-coord on PATH, a coordination branch or an agent, the hook never blocks.
/// Also sets notes.rewriteRef=refs/notes/coord so coordination notes follow amend and rebase.
///
/// Examples:
///   git coord hooks install
///   git coord hooks install --mode warn
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct InstallArgs {
    /// Block commits that violate ownership, or only warn
    #[arg(long, value_enum, default_value = "block")]
    pub mode: ModeArg,
}

/// Remove what `hooks install` added, keeping the rest of each hook
///
/// Example:
///   git coord hooks uninstall
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct UninstallArgs {}

pub fn run(ctx: &Context, command: HooksCommand) -> CommandResult {
    let store = ctx.store()?;
    match command {
        HooksCommand::Install(args) => {
            let mode = match args.mode {
                ModeArg::Warn => HookMode::Warn,
                ModeArg::Block => HookMode::Block,
            };
            let done = hooks::install(store, mode)?;
            if ctx.ui.json {
                return Ok(ctx.ui.json(&done)?);
            }
            for h in &done.hooks {
                let chained = if done.chained.contains(h) {
                    " (your existing hook still runs)"
                } else {
                    ""
                };
                ctx.ui
                    .info(format!("installed {}{chained}", done.dir.join(h).display()))?;
            }
        }
        HooksCommand::Uninstall(_) => {
            let removed = hooks::uninstall(store)?;
            if ctx.ui.json {
                return Ok(ctx.ui.json(&serde_json::json!({ "removed": removed }))?);
            }
            if removed.is_empty() {
                ctx.ui.info("No git coord hooks were installed.")?;
            }
            for h in removed {
                ctx.ui.info(format!("removed git coord from {h}"))?;
            }
        }
    }
    Ok(())
}
