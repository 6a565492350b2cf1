use crate::context::Context;
use crate::error::{CommandError, CommandResult};

/// (being written)
///
/// Example:
///   git coord import
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {}

pub fn run(_ctx: &Context, _args: Args) -> CommandResult {
    Err(CommandError::internal("not implemented yet"))
}
