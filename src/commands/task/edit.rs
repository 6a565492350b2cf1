//! `git coord task edit`: changes a task's fields; another agent's task needs `--force`
//! (DESIGN §3 Task record, Authority).

use super::fields::FieldArgs;
use super::{body_flags, due_flag, estimate_flag};
use crate::context::Context;
use crate::error::{CommandError, CommandResult};
use crate::ops::task::{self, TaskPatch};
use crate::ui::{Style, sanitize_line};
use crate::view::task::TaskJson;

/// Fields that `--clear` can remove.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Clearable {
    Expertise,
    Estimate,
    Milestone,
    Owns,
    Deliverables,
    Check,
    Due,
    Body,
}

/// Change fields of a task
///
/// Only the fields given change; everything else in the record, including fields and
/// comments added by hand, is kept as it was. List flags (--expertise, --owns,
/// --deliverable) replace the whole list. Status changes have their own commands (claim,
/// start, review, block, unblock, release, cancel, done); dependencies have `task dep`.
/// A task another agent holds is theirs: editing it is refused (exit 3, naming the holder)
/// unless a coordinator passes --force. Unclaimed and closed tasks are anyone's to edit.
///
/// Examples:
///   git coord task edit t-4kz9w2 --priority 0 --estimate 4h
///   git coord task edit 4kz --owns 'src/ratelimit/**' --owns 'tests/ratelimit.rs'
///   git coord task edit 4kz --clear due --clear check
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Task ID or unique prefix
    pub id: String,
    /// A new one-line title
    #[arg(long)]
    pub title: Option<String>,
    #[command(flatten)]
    pub fields: FieldArgs,
    /// Remove a field; repeatable
    #[arg(long, value_enum, value_name = "FIELD")]
    pub clear: Vec<Clearable>,
    /// Edit it even though another agent holds the task (coordinators only)
    ///
    /// Honoured only for the agents listed in `coordinators = ["lead"]` in .coord/config.toml on
    /// the main branch; with no list, for any agent, with a warning. The commit records who
    /// forced it (Coord-Forced-By), and `git coord log <id>` shows it.
    #[arg(long)]
    pub force: bool,
}

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    let f = &args.fields;
    let list = |given: Vec<String>, clear: Clearable| {
        if args.clear.contains(&clear) {
            Some(Vec::new())
        } else if given.is_empty() {
            None
        } else {
            Some(given)
        }
    };
    let cleared = |c: Clearable| args.clear.contains(&c);
    let mut patch = TaskPatch {
        title: args.title.clone(),
        priority: f.priority,
        expertise: list(f.expertise.clone(), Clearable::Expertise),
        owns: list(f.owns.clone(), Clearable::Owns),
        deliverables: list(f.deliverable.clone(), Clearable::Deliverables),
        estimate_hours: match &f.estimate {
            Some(e) => Some(Some(estimate_flag(e)?)),
            None => cleared(Clearable::Estimate).then_some(None),
        },
        milestone: match &f.milestone {
            Some(m) => Some(Some(m.clone())),
            None => cleared(Clearable::Milestone).then_some(None),
        },
        check: match &f.check {
            Some(c) => Some(Some(c.clone())),
            None => cleared(Clearable::Check).then_some(None),
        },
        due: match &f.due {
            Some(d) => Some(Some(due_flag(ctx, d)?)),
            None => cleared(Clearable::Due).then_some(None),
        },
        body: body_flags(f.body.clone(), f.body_file.as_deref())?,
    };
    if patch.body.is_none() && cleared(Clearable::Body) {
        patch.body = Some(String::new());
    }
    if patch.is_empty() {
        return Err(
            CommandError::usage("nothing to change: give at least one field to edit")
                .hint("see `git coord task edit --help` for the fields"),
        );
    }
    let actor = ctx.actor()?;
    let authority = crate::commands::lifecycle::authority(ctx, &actor, args.force)?;
    let task = task::edit_as(ctx.store()?, &actor, &args.id, &patch, &authority)?;
    if ctx.ui.json {
        ctx.ui.json(&TaskJson::new(&task))?;
    } else {
        ctx.ui.info(format!(
            "Edited {}  {}",
            ctx.ui.paint(Style::Bold, task.id.as_str()),
            sanitize_line(&task.title)
        ))?;
    }
    Ok(())
}
