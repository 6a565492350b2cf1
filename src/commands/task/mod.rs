/*!
`git coord task …`: add, list, show and edit tasks, and their dependencies (DESIGN §3 Task record, §4 tasks).
*/

pub mod add;
pub mod dep;
pub mod edit;
pub mod fields;
pub mod list;
pub mod render;
pub mod show;

use std::io::Read;
use std::path::Path;

use clap::Subcommand;

use crate::context::Context;
use crate::error::{CommandError, CommandResult};
use crate::model::Timestamp;
use crate::model::time::parse_estimate;

/// Add, list, show and edit tasks
#[derive(Subcommand, Debug)]
pub enum TaskCommand {
    Add(add::Args),
    List(list::Args),
    Show(show::Args),
    Edit(edit::Args),
    #[command(subcommand)]
    Dep(dep::DepCommand),
}

pub fn run(ctx: &Context, command: TaskCommand) -> CommandResult {
    match command {
        TaskCommand::Add(a) => add::run(ctx, a),
        TaskCommand::List(a) => list::run(ctx, a),
        TaskCommand::Show(a) => show::run(ctx, a),
        TaskCommand::Edit(a) => edit::run(ctx, a),
        TaskCommand::Dep(c) => dep::run(ctx, c),
    }
}

pub(crate) fn estimate_flag(value: &str) -> CommandResult<f64> {
    parse_estimate(value).map_err(|e| CommandError::usage(format!("--estimate: {e}")))
}

pub(crate) fn due_flag(ctx: &Context, value: &str) -> CommandResult<Timestamp> {
    deadline_flag(ctx, "--due", value)
}

/// A date flag that sets a deadline (`--due`, `--deadline`): `YYYY-MM-DD` (end of that day,
/// UTC) or RFC 3339. A date already past is taken (records are sometimes entered late) with
/// a warning, since it is more often a typo.
pub(crate) fn deadline_flag(ctx: &Context, flag: &str, value: &str) -> CommandResult<Timestamp> {
    let when = Timestamp::parse_deadline(value)
        .map_err(|e| CommandError::usage(format!("{flag}: {e}")))?;
    let now = ctx.now();
    if when < now {
        ctx.ui.warn(format!(
            "{flag} {value} has already passed ({}); taken as given",
            when.ago(now)
        ));
    }
    Ok(when)
}

/// The body from `--body` or `--body-file` (`-` reads standard input).
pub(crate) fn body_flags(
    body: Option<String>,
    file: Option<&Path>,
) -> CommandResult<Option<String>> {
    match (body, file) {
        (Some(b), _) => Ok(Some(b)),
        (None, Some(p)) if p == Path::new("-") => {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s).map_err(|e| {
                CommandError::usage(format!("--body-file -: cannot read standard input: {e}"))
            })?;
            Ok(Some(s))
        }
        (None, Some(p)) => std::fs::read_to_string(p).map(Some).map_err(|e| {
            CommandError::usage(format!("--body-file {}: {e}", p.display()))
                .hint("give a readable UTF-8 file, or - for standard input")
        }),
        (None, None) => Ok(None),
    }
}
