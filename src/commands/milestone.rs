use clap::Subcommand;

use crate::context::Context;
use crate::error::{CommandError, CommandResult};

/// Milestones (being written)
#[derive(Subcommand, Debug)]
pub enum MilestoneCommand {
    /// (being written)
    ///
    /// Example:
    ///   git coord milestone list
    List,
}

pub fn run(_ctx: &Context, _command: MilestoneCommand) -> CommandResult {
    Err(CommandError::internal("not implemented yet"))
}
