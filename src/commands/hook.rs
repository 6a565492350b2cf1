//! `git coord hook <name>`: what the installed git hooks run (hidden from `--help`). A hook
//! must never break a commit for a reason of its own: anything but a real ownership violation
//! is reported and ignored.

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
}

pub fn run(ctx: &Context, command: HookCommand) -> CommandResult {
    let store = ctx.store()?;
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
        HookCommand::PostCommit => {
            if let Err(e) = store.note_head(notes::NOTES_REF, &notes::note_text(&agent, task_id)) {
                ctx.ui
                    .warn(format!("git coord: cannot note the commit: {e}"));
            }
        }
    }
    Ok(())
}
