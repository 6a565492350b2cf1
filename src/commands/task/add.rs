//! `git coord task add`: a new task with its dependencies, refused if one would close a cycle
//! (DESIGN §3 Task record, §5).

use super::fields::FieldArgs;
use super::{body_flags, due_flag, estimate_flag};
use crate::context::Context;
use crate::error::CommandResult;
use crate::model::NewTask;
use crate::model::task::validate_priority;
use crate::ops::task::{self, AddTask};
use crate::ui::{Style, sanitize_line};
use crate::view::task::TaskJson;

/// Add a task
///
/// Creates one task record with a fresh collision-free ID (t-xxxxxx) in one commit. Every
/// field of the task record can be given; dependencies (--after) must name existing tasks.
///
/// Examples:
///   git coord task add "Redis rate limiter" --priority 1 --estimate 6h
///   git coord task add "Rate-limit the API" --after t-4kz9w2 --expertise backend,redis \
///       --owns 'src/ratelimit/**' --deliverable src/ratelimit/mod.rs \
///       --check "cargo test ratelimit" --due 2026-11-30 --body-file notes.md
///   id=$(git coord -q task add "Write docs")
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// A one-line title
    pub title: String,
    /// A task that must be done before this one (ID or unique prefix); repeatable
    #[arg(long, value_name = "ID")]
    pub after: Vec<String>,
    #[command(flatten)]
    pub fields: FieldArgs,
}

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    let f = args.fields;
    let priority = f
        .priority
        .map(validate_priority)
        .transpose()
        .map_err(|e| crate::error::CommandError::usage(format!("--priority: {}", e.message)))?;
    let new = NewTask {
        title: args.title,
        priority,
        depends_on: Vec::new(),
        expertise: f.expertise,
        estimate_hours: f.estimate.as_deref().map(estimate_flag).transpose()?,
        milestone: f.milestone,
        owns: f.owns,
        deliverables: f.deliverable,
        check: f.check,
        due: f.due.as_deref().map(|d| due_flag(ctx, d)).transpose()?,
        body: body_flags(f.body, f.body_file.as_deref())?.unwrap_or_default(),
    };
    let actor = ctx.actor()?;
    let task = task::add(
        ctx.store()?,
        &actor,
        AddTask {
            task: new,
            after: args.after,
        },
    )
    .map_err(|e| crate::error::name_argument(e, "title", "<TITLE>"))?;
    if ctx.ui.json {
        ctx.ui.json(&TaskJson::new(&task))?;
    } else {
        ctx.ui.created(
            task.id.as_str(),
            format!(
                "Added {}  {}",
                ctx.ui.paint(Style::Bold, task.id.as_str()),
                sanitize_line(&task.title)
            ),
        )?;
    }
    Ok(())
}
