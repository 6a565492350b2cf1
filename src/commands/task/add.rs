use std::path::PathBuf;

use super::{body_flags, due_flag, estimate_flag, render};
use crate::context::Context;
use crate::error::CommandResult;
use crate::model::NewTask;
use crate::model::task::validate_priority;
use crate::ops::task::{self, AddTask};
use crate::ui::{Style, sanitize_line};

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
///   id=$(git coord task add "Write docs" --json | jq -r .id)
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// A one-line title
    pub title: String,
    /// 0 (highest) to 3 (lowest) [default: 2]
    #[arg(short, long, value_name = "N", allow_negative_numbers = true)]
    pub priority: Option<i64>,
    /// A task that must be done before this one (ID or unique prefix); repeatable
    #[arg(long, value_name = "ID")]
    pub after: Vec<String>,
    /// Expertise the task needs; repeatable or comma-separated
    #[arg(long, value_name = "TAG", value_delimiter = ',')]
    pub expertise: Vec<String>,
    /// Estimated work: 90m, 6h, 1.5h, 2d (8-hour days), 1w
    #[arg(long, value_name = "DURATION", allow_hyphen_values = true)]
    pub estimate: Option<String>,
    /// The milestone this task belongs to
    #[arg(long, value_name = "ID")]
    pub milestone: Option<String>,
    /// Files the task will touch (gitignore-style glob), claimed with the task; repeatable
    #[arg(long, value_name = "GLOB")]
    pub owns: Vec<String>,
    /// A file the task must deliver; repeatable
    #[arg(long, value_name = "PATH")]
    pub deliverable: Vec<String>,
    /// A shell command that validates the work, run by `done`
    #[arg(long, value_name = "CMD")]
    pub check: Option<String>,
    /// Deadline: YYYY-MM-DD (end of that day, UTC) or RFC 3339
    #[arg(long, value_name = "DATE")]
    pub due: Option<String>,
    /// The markdown body: description, acceptance notes, links
    #[arg(long, value_name = "TEXT", conflicts_with = "body_file")]
    pub body: Option<String>,
    /// Read the body from a file (- for standard input)
    #[arg(long, value_name = "FILE")]
    pub body_file: Option<PathBuf>,
}

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    let priority = args
        .priority
        .map(validate_priority)
        .transpose()
        .map_err(|e| crate::error::CommandError::usage(format!("--priority: {}", e.message)))?;
    let new = NewTask {
        title: args.title,
        priority,
        depends_on: Vec::new(),
        expertise: args.expertise,
        estimate_hours: args.estimate.as_deref().map(estimate_flag).transpose()?,
        milestone: args.milestone,
        owns: args.owns,
        deliverables: args.deliverable,
        check: args.check,
        due: args.due.as_deref().map(due_flag).transpose()?,
        body: body_flags(args.body, args.body_file.as_deref())?.unwrap_or_default(),
    };
    let actor = ctx.actor()?;
    let task = task::add(
        ctx.store()?,
        &actor,
        AddTask {
            task: new,
            after: args.after,
        },
    )?;
    if ctx.ui.json {
        ctx.ui.json(&render::json(&task))?;
    } else {
        ctx.ui.info(format!(
            "Added {}  {}",
            ctx.ui.paint(Style::Bold, task.id.as_str()),
            sanitize_line(&task.title)
        ))?;
    }
    Ok(())
}
