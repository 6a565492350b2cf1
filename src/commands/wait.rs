//! `git coord wait`: block until a reply, a task change, fitting ready work or a message
//! arrives, watching the coordination branch's ref cheaply (DESIGN §8).

use crate::context::Context;
use crate::error::{CommandError, CommandResult};
use crate::model::task::Status;
use crate::ops::wait::{self, Condition, WaitError, Waited};
use crate::ui::{Style, sanitize_line};

/// Block until something I am waiting for happens
///
/// Exactly one of: --reply (a reply to a message), --task (any change to a task, or with
/// --status, the task having that status), --ready (work that fits me: a task assigned to me,
/// or an unassigned ready one matching my expertise), --inbox (an unread message for me).
/// A condition that already holds answers at once; --task without --status waits for the
/// next change. Costs no tokens and almost no CPU: it watches the branch's ref file and reads
/// the branch only when it moves. Exits 1 when --timeout passes first.
///
/// Examples:
///   git coord send lead --subject "Pool size?" --needs-reply --json | jq -r .id
///   git coord wait --reply m-4kz9w2 --timeout 30m
///   git coord wait --task t-8h2m1c --status done --json
///   git coord wait --inbox --timeout 10m --json
///   git coord wait --inbox --sync --sync-every 30s    (messages sent from other machines)
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
#[command(group(clap::ArgGroup::new("condition").required(true).args(["reply", "task", "ready", "inbox"])))]
pub struct Args {
    /// Wait for a reply to this message (ID or unique prefix)
    #[arg(long, value_name = "MSG")]
    pub reply: Option<String>,
    /// Wait for a change to this task (ID or unique prefix)
    #[arg(long, value_name = "ID")]
    pub task: Option<String>,
    /// With --task: wait until the task has this status (todo, in_progress, blocked, review,
    /// done, cancelled)
    #[arg(long, value_name = "STATUS", requires = "task")]
    pub status: Option<String>,
    /// Wait for work that fits me to be ready
    #[arg(long)]
    pub ready: bool,
    /// Wait for an unread message for me
    #[arg(long)]
    pub inbox: bool,
    /// Give up after this long and exit 1 (such as 30s, 10m, 2h, or 500ms)
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<String>,
    /// Also see what other machines do: sync with the remote (as `git coord sync` does) at the
    /// start and then every --sync-every
    #[arg(long)]
    pub sync: bool,
    /// How often --sync polls the remote (at least 1s)
    #[arg(
        long,
        value_name = "DURATION",
        default_value = "10s",
        requires = "sync"
    )]
    pub sync_every: String,
}

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    let timeout = args
        .timeout
        .as_deref()
        .map(wait::parse_timeout)
        .transpose()
        .map_err(|e| CommandError::usage(format!("--timeout: {e}")))?;
    let condition = condition(&args)?;
    let remote = if args.sync {
        let every = wait::parse_timeout(&args.sync_every)
            .ok()
            .filter(|d| *d >= wait::MIN_SYNC_EVERY)
            .ok_or_else(|| {
                CommandError::usage(format!(
                    "--sync-every {:?} is not a duration of at least 1s",
                    args.sync_every
                ))
                .hint("write a duration such as 10s, 1m or 5m")
            })?;
        let (author, _) = ctx.author_or_user()?;
        Some(wait::RemoteWatch { every, author })
    } else {
        None
    };
    let waited = wait::wait(&ctx.session, &condition, timeout, remote.as_ref(), || {
        // On stderr, so `--json` keeps stdout to the one answer; scripts (and the tests)
        // read it as the sign that the wait has begun.
        ctx.ui
            .note(format!("waiting for {}…", describe(&condition)));
    })
    .map_err(into_command_error)?;
    if ctx.ui.json {
        ctx.ui.json(&waited)?;
    } else if !waited.timed_out() {
        render(ctx, &waited)?;
    }
    if waited.timed_out() {
        return Err(timed_out(
            args.timeout.as_deref().unwrap_or_default(),
            &condition,
        ));
    }
    Ok(())
}

/// The condition the flags ask for.
pub fn condition(args: &Args) -> CommandResult<Condition> {
    if args.status.is_some() && args.task.is_none() {
        return Err(CommandError::usage("--status needs --task")
            .hint("git coord wait --task <id> --status done"));
    }
    Ok(if let Some(m) = &args.reply {
        Condition::Reply(m.clone())
    } else if let Some(t) = &args.task {
        let status = args
            .status
            .as_deref()
            .map(|s| {
                s.parse::<Status>()
                    .map_err(|e| CommandError::usage(format!("--status: {e}")))
            })
            .transpose()?;
        Condition::Task {
            task: t.clone(),
            status,
        }
    } else if args.ready {
        Condition::Ready
    } else {
        Condition::Inbox
    })
}

fn describe(c: &Condition) -> String {
    match c {
        Condition::Reply(m) => format!("a reply to {}", sanitize_line(m)),
        Condition::Task {
            task,
            status: Some(s),
        } => format!("{} to be {}", sanitize_line(task), s.as_str()),
        Condition::Task { task, status: None } => format!("a change to {}", sanitize_line(task)),
        Condition::Ready => "work that fits me".to_owned(),
        Condition::Inbox => "a message".to_owned(),
    }
}

/// Exit 1: the timeout passed first.
pub fn timed_out(timeout: &str, condition: &Condition) -> CommandError {
    CommandError::negative(format!(
        "nothing to wake for ({}) within {timeout}",
        condition.name()
    ))
    .hint("wait again, or longer with --timeout")
    .details(serde_json::json!({ "event": "timeout", "condition": condition.name() }))
}

pub fn into_command_error(e: WaitError) -> CommandError {
    match e {
        WaitError::Op(e) => e.into(),
        WaitError::Session(e) => e.into(),
        WaitError::Sync(e) => crate::commands::sync::error(e),
    }
}

fn render(ctx: &Context, w: &Waited) -> CommandResult {
    if let Some(replies) = &w.replies {
        for m in replies {
            ctx.ui.line(format!(
                "{}  reply from {}: {}",
                ctx.ui.paint(Style::Bold, m.id.as_str()),
                m.from,
                sanitize_line(&m.subject)
            ))?;
            for line in crate::ui::sanitize_text(m.body.trim()).lines() {
                ctx.ui.line(format!("  {line}"))?;
            }
        }
    }
    if let Some(t) = &w.task {
        ctx.ui.line(format!(
            "{}  {}  {}",
            ctx.ui.paint(Style::Bold, t.task.id.as_str()),
            t.task.status.as_str(),
            sanitize_line(&t.task.title)
        ))?;
    }
    if let Some(tasks) = &w.tasks {
        for r in tasks {
            ctx.ui.line(format!(
                "{}  ready  {}",
                ctx.ui.paint(Style::Bold, r.task.id.as_str()),
                sanitize_line(&r.task.title)
            ))?;
        }
    }
    if let Some(messages) = &w.messages {
        for i in messages {
            ctx.ui.line(format!(
                "{}  from {}: {}",
                ctx.ui.paint(Style::Bold, i.message.id.as_str()),
                i.message.from,
                sanitize_line(&i.message.subject)
            ))?;
        }
    }
    Ok(())
}
