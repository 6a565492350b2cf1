//! `git coord hooks install|uninstall`: the git hooks that check ownership and write notes,
//! chained with the user's own (DESIGN §6, §3 Notes).

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
/// task in progress, post-commit writes a refs/notes/coord note, pre-push checks the pushed commits.
///
/// Honours core.hooksPath. A hook that already exists is moved, untouched, to
/// coord-chained/<hook> in the hooks directory; ours runs it afterwards with the same
/// arguments and input, whatever its language, and its exit status decides. Installing twice
/// changes nothing; `hooks uninstall` moves it back.
///
/// When git-coord is neither on PATH nor at the path it was installed from, or the check
/// cannot run at all (an error rather than a verdict), the hooks say the change was NOT
/// checked and let it through; `git config coord.hooks strict` makes them refuse instead.
/// Without a coordination branch or an agent, the hooks never block. A core.hooksPath
/// directory that holds committed files is refused (installing would change tracked files).
/// Also adds refs/notes/coord to notes.rewriteRef so notes follow amend and rebase.
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

/// Remove what `hooks install` added and put back the hooks it moved aside
///
/// Each hook install moved to coord-chained/ returns byte for byte, with its mode, and
/// notes.rewriteRef is left as it was before install.
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
            // Written into the hooks as a fallback for when git-coord is not on PATH.
            let this_binary = std::env::current_exe().ok();
            let done = hooks::install(store, mode, this_binary.as_deref())?;
            if ctx.ui.json {
                return Ok(ctx.ui.json(&done)?);
            }
            for h in &done.hooks {
                let chained = if done.chained.contains(h) {
                    format!(
                        " (your own {h} hook is now {}/{h} and runs after ours)",
                        hooks::CHAINED_DIR
                    )
                } else {
                    String::new()
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
