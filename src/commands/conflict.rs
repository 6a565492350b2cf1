/*!
`git coord conflict …`: the conflict log. Open a conflict between agents, add proposals,
resolve it with action items that become tasks, list and show (DESIGN §4 records).
*/

mod render;
mod resolve;

use std::path::PathBuf;

use clap::Subcommand;
use serde_json::json;

use self::render::{detail, join, status_label};
pub use self::resolve::{ResolveArgs, ResolveFlags};

use super::task::body_flags;
use crate::context::Context;
use crate::error::{CommandError, CommandResult};
use crate::model::AgentId;
use crate::model::conflict::{ConflictStatus, NewAction, NewConflict};
use crate::model::time::format_hours;
use crate::ops::OpError;
use crate::ops::conflict;
use crate::ui::{Style, sanitize_line, table};
use crate::view::conflict::ConflictJson;

/// Log conflicts between agents: proposals, resolutions and their action items
#[derive(Subcommand, Debug)]
pub enum ConflictCommand {
    New(NewArgs),
    Propose(ProposeArgs),
    Resolve(ResolveArgs),
    List(ListArgs),
    Show(ShowArgs),
}

/// Open a conflict between agents
///
/// Creates one conflict record (conflicts/c-xxxxxx.md) opened by the acting agent, in one
/// commit. What it is about is kept as given (paths, globs), except that a value starting
/// with t- names a task: it must match exactly one task and is stored as its full ID.
///
/// Examples:
///   git coord conflict new "Who owns the session cache" --between api,state --about 'src/cache/**'
///   git coord conflict new "Retry policy" --between api,web --about t-4kz9w2 --body "See #12"
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct NewArgs {
    /// A one-line title
    pub title: String,
    /// The agents in disagreement, at least two; comma-separated or repeated
    #[arg(long, value_name = "AGENTS", value_delimiter = ',', required = true)]
    pub between: Vec<String>,
    /// A path, glob or task ID it is about; repeatable
    #[arg(long, value_name = "PATH|ID")]
    pub about: Vec<String>,
    /// The markdown body: context, links
    #[arg(long, value_name = "TEXT", conflicts_with = "body_file")]
    pub body: Option<String>,
    /// Read the body from a file (- for standard input)
    #[arg(long, value_name = "FILE")]
    pub body_file: Option<PathBuf>,
}

/// Add a proposal to an open conflict, as the acting agent
///
/// Proposals are appended to the record, never rewritten.
///
/// Examples:
///   git coord conflict propose c-4kz9w2 "state owns the cache; api reads it through get()"
///   git coord --agent api conflict propose 4kz "split the cache per service"
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct ProposeArgs {
    /// Conflict ID or unique prefix
    pub id: String,
    /// What you propose
    pub text: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum StatusFilter {
    Open,
    Resolved,
    All,
}

/// List conflicts
///
/// Oldest first, open ones by default.
///
/// Examples:
///   git coord conflict list
///   git coord conflict list --status all --json | jq '.[] | {id, resolution_hours}'
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct ListArgs {
    /// Which conflicts to list
    #[arg(long, value_enum, default_value_t = StatusFilter::Open)]
    pub status: StatusFilter,
}

/// Show one conflict: proposals, resolution and action items
///
/// Takes a full ID or any unique prefix of one (with or without `c-`).
///
/// Examples:
///   git coord conflict show c-4kz9w2
///   git coord conflict show 4kz --json
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct ShowArgs {
    /// Conflict ID or unique prefix
    pub id: String,
}

pub fn run(ctx: &Context, command: ConflictCommand) -> CommandResult {
    match command {
        ConflictCommand::New(a) => new(ctx, a),
        ConflictCommand::Propose(a) => propose(ctx, a),
        ConflictCommand::Resolve(a) => resolve(ctx, a),
        ConflictCommand::List(a) => list(ctx, a),
        ConflictCommand::Show(a) => show(ctx, a),
    }
}

fn agent_flag(flag: &str, value: &str) -> CommandResult<AgentId> {
    AgentId::parse(value.trim()).map_err(|e| CommandError::usage(format!("{flag}: {e}")))
}

fn new(ctx: &Context, args: NewArgs) -> CommandResult {
    let between = args
        .between
        .iter()
        .map(|a| agent_flag("--between", a))
        .collect::<CommandResult<Vec<_>>>()?;
    let new = NewConflict {
        title: args.title,
        between,
        about: args.about,
        body: body_flags(args.body, args.body_file.as_deref())?.unwrap_or_default(),
    };
    let actor = ctx.actor()?;
    let c = conflict::open(ctx.store()?, &actor, new).map_err(|e| match e {
        OpError::UnknownRecord {
            kind: "task",
            given,
        } => CommandError::usage(format!("--about {given}: no task matches {given:?}"))
            .hint("a value starting with t- names a task; write a path as ./t-…")
            .hint("`git coord task list --all` lists every task")
            .details(json!({ "given": given })),
        e => op_error(e),
    })?;
    if ctx.ui.json {
        ctx.ui.json(&ConflictJson::new(&c))?;
    } else {
        ctx.ui.created(
            c.id.as_str(),
            format!(
                "Opened {}  {} (between {})",
                ctx.ui.paint(Style::Bold, c.id.as_str()),
                sanitize_line(&c.title),
                join(&c.between)
            ),
        )?;
    }
    Ok(())
}

fn propose(ctx: &Context, args: ProposeArgs) -> CommandResult {
    let actor = ctx.actor()?;
    let c = conflict::propose(ctx.store()?, &actor, &args.id, &args.text).map_err(op_error)?;
    if ctx.ui.json {
        ctx.ui.json(&ConflictJson::new(&c))?;
    } else {
        ctx.ui.info(format!(
            "Proposed on {}  {} ({} proposal(s))",
            ctx.ui.paint(Style::Bold, c.id.as_str()),
            sanitize_line(&c.title),
            c.proposals.len()
        ))?;
    }
    Ok(())
}

fn resolve(ctx: &Context, args: ResolveArgs) -> CommandResult {
    let pairs = args.actions().map_err(CommandError::usage)?;
    let actions = pairs
        .into_iter()
        .map(|(text, assignee)| {
            Ok(NewAction {
                text,
                assignee: assignee.map(|a| agent_flag("--assign", &a)).transpose()?,
            })
        })
        .collect::<CommandResult<Vec<_>>>()?;
    let actor = ctx.actor()?;
    let authority = crate::commands::lifecycle::authority(ctx, &actor, args.flags.force)?;
    let c = conflict::resolve(
        ctx.store()?,
        &actor,
        &args.flags.id,
        &args.flags.resolution,
        &actions,
        &authority,
    )
    .map_err(op_error)?;
    if ctx.ui.json {
        ctx.ui.json(&ConflictJson::new(&c))?;
    } else {
        let after = c
            .resolution_hours()
            .map(|h| format!(" after {}", format_hours(h)))
            .unwrap_or_default();
        ctx.ui.info(format!(
            "Resolved {}  {}{after}",
            ctx.ui.paint(Style::Bold, c.id.as_str()),
            sanitize_line(&c.title)
        ))?;
        for a in &c.actions {
            let to = a
                .assignee
                .as_ref()
                .map(|x| format!(" → {x}"))
                .unwrap_or_default();
            ctx.ui.created(
                a.task.as_str(),
                format!(
                    "  created {}  {}{to}",
                    ctx.ui.paint(Style::Bold, a.task.as_str()),
                    sanitize_line(&a.text)
                ),
            )?;
        }
    }
    Ok(())
}

fn list(ctx: &Context, args: ListArgs) -> CommandResult {
    let status = match args.status {
        StatusFilter::Open => Some(ConflictStatus::Open),
        StatusFilter::Resolved => Some(ConflictStatus::Resolved),
        StatusFilter::All => None,
    };
    let (conflicts, problems) = conflict::list(ctx.store()?, status).map_err(op_error)?;
    for p in &problems {
        ctx.ui.warn(format!("skipped {p}"));
    }
    if ctx.ui.json {
        let items: Vec<ConflictJson<'_>> = conflicts.iter().map(ConflictJson::new).collect();
        ctx.ui.json(&items)?;
    } else if conflicts.is_empty() {
        ctx.ui.info("No conflicts to list.")?;
    } else {
        let now = ctx.now();
        let mut rows = vec![
            ["ID", "STATUS", "OPENED", "BETWEEN", "TITLE"]
                .map(str::to_owned)
                .to_vec(),
        ];
        for c in &conflicts {
            rows.push(vec![
                ctx.ui.paint(Style::Bold, c.id.as_str()).into_owned(),
                status_label(&ctx.ui, c),
                c.created.ago(now),
                join(&c.between),
                sanitize_line(&c.title).into_owned(),
            ]);
        }
        ctx.ui.line(table(&rows).trim_end())?;
    }
    Ok(())
}

fn show(ctx: &Context, args: ShowArgs) -> CommandResult {
    let c = conflict::show(ctx.store()?, &args.id).map_err(op_error)?;
    if ctx.ui.json {
        ctx.ui.json(&ConflictJson::new(&c))?;
    } else {
        ctx.ui.line(detail(&ctx.ui, &c, ctx.now()).trim_end())?;
    }
    Ok(())
}

/// An operation's error, naming the flag at fault and the command that lists conflicts.
fn op_error(e: OpError) -> CommandError {
    match e {
        // Positional arguments by their placeholder (`new <TITLE>`, `propose <ID> <TEXT>`);
        // every other field is named by its flag.
        OpError::Invalid(f) if f.field == "title" || f.field == "text" => {
            let what = if f.field == "title" {
                "<TITLE>"
            } else {
                "<TEXT>"
            };
            CommandError::usage(format!("{what}: {}", f.message))
                .details(json!({ "field": f.field }))
        }
        e @ (OpError::UnknownRecord { .. } | OpError::AmbiguousRecord { .. }) => {
            CommandError::from(e)
                .hint("`git coord conflict list --status all` lists every conflict")
        }
        OpError::AlreadyClosed {
            ref id, ref by, at, ..
        } => {
            let details = json!({ "id": id, "resolved_by": by, "resolved_at": at });
            CommandError::from(e)
                .hint("if it came back, open a new conflict: git coord conflict new <title> --between …")
                .details(details)
        }
        e => e.into(),
    }
}
