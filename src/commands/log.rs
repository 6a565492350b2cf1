/*!
`git coord log`: the coordination branch's history (who changed which record, when, with the
diff), and with `--code` the code commits that served a task (DESIGN §4 overview, §3 Notes).
*/

use crate::context::Context;
use crate::error::{CommandError, CommandResult};
use crate::model::Timestamp;
use crate::model::time::parse_wall_duration;
use crate::ops::history::{self, LogEntry, LogQuery};
use crate::ops::{self, OpError, notes};
use crate::ui::{Style, Ui, sanitize_line};

/// Show history: who changed which record, when, and how
///
/// With a record, lists the commits of the coordination branch that changed it, newest
/// first, each with the unified diff of the record (- red, + green on a terminal). A record
/// is a task (t-4kz9w2 or any unique prefix, with or without t-), a milestone or a message
/// (m-…), a conflict (c-…), a risk (r-…), an ADR (7 or ADR-0007), or an agent (its registry
/// entry and its scratchpad). Without one, lists the whole branch's activity: every commit
/// with the files it changed; -p adds their diffs. Each commit shows its agent (the
/// Coord-Agent trailer, else the author) and its subject; the walk follows first parents.
/// --since 24h (units s, m, h, d, w) stops at the first commit older than that; -n N shows at
/// most N commits.
/// A change forced on another agent's record shows `forced by <agent>` (its Coord-Forced-By
/// trailer).
/// JSON: an array of {commit, at, agent, author, op, forced_by, subject, changes: [{path, change, diff}]}
/// where op is the Coord-Op trailer (else the subject), change is added, modified or
/// deleted, and diff is the unified diff (null for the whole branch without -p).
/// --code <task> lists instead the code commits on any branch that served a task: those whose
/// Coord-Task trailer (added by the commit-msg hook) or refs/notes/coord note names it.
///
/// Examples:
///   git coord log t-4kz9w2
///   git coord log --since 24h
///   git coord log -p -n 5
///   git coord log ADR-0007 --json | jq -r '.[].agent'
///   git coord log --code t-4kz9w2
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// A record: task, milestone, message, conflict, risk, ADR number or agent name
    pub id: Option<String>,
    /// Only commits from this long ago on, such as 24h or 2d
    #[arg(long, value_name = "DUR")]
    pub since: Option<String>,
    /// At most N commits
    #[arg(short = 'n', long, value_name = "N")]
    pub limit: Option<usize>,
    /// Show the diff of every change in the whole branch's history
    #[arg(short, long)]
    pub patch: bool,
    /// List the code commits that served this task (ID or unique prefix) instead
    #[arg(long, value_name = "TASK", conflicts_with_all = ["id", "since", "limit", "patch"])]
    pub code: Option<String>,
}

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    if let Some(task) = &args.code {
        return code(ctx, task);
    }
    let since = match &args.since {
        None => None,
        Some(s) => {
            let seconds = parse_wall_duration(s).map_err(|e| {
                CommandError::usage(format!("--since: {e}")).hint("for example --since 24h")
            })?;
            Some(
                Timestamp::from_unix(ctx.now().unix().saturating_sub(seconds)).ok_or_else(
                    || CommandError::usage(format!("--since {s:?} reaches too far back")),
                )?,
            )
        }
    };
    let query = LogQuery {
        target: args.id.clone(),
        since,
        limit: args.limit,
        patch: args.patch,
    };
    let (target, entries) = history::log(ctx.store()?, &query).map_err(unknown_hint)?;
    if ctx.ui.json {
        return Ok(ctx.ui.json(&entries)?);
    }
    if entries.is_empty() {
        let what = target.map_or("the coordination branch".to_owned(), |t| t.name);
        let when = since.map(|s| format!(" since {s}")).unwrap_or_default();
        return Ok(ctx.ui.info(format!("No changes to {what}{when}."))?);
    }
    let mut out = String::new();
    for (i, e) in entries.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        render(&ctx.ui, e, &mut out);
    }
    Ok(ctx.ui.line(out.trim_end())?)
}

/// One commit: a heading line, its changed files, and their diffs when read.
fn render(ui: &Ui, e: &LogEntry, out: &mut String) {
    out.push_str(&format!(
        "{}  {}  {}  {}\n",
        ui.paint(Style::Yellow, &e.commit[..e.commit.len().min(12)]),
        e.at,
        ui.paint(Style::Bold, &sanitize_line(&e.agent)),
        sanitize_line(&e.subject)
    ));
    if let Some(by) = &e.forced_by {
        out.push_str(&format!("  forced by {}\n", sanitize_line(by)));
    }
    for c in &e.changes {
        out.push_str(&format!("  {:<8}  {}\n", c.change, sanitize_line(&c.path)));
    }
    for diff in e.changes.iter().filter_map(|c| c.diff.as_deref()) {
        // The `---`/`+++` file header comes before the first hunk; after it, such lines are
        // removed and added lines.
        let mut header = true;
        for line in diff.lines() {
            header &= !line.starts_with("@@");
            let style = if header {
                Style::Bold
            } else if line.starts_with("@@") {
                Style::Cyan
            } else if line.starts_with('-') {
                Style::Red
            } else if line.starts_with('+') {
                Style::Green
            } else {
                Style::Dim
            };
            let text = sanitize_line(line);
            if line.starts_with(' ') {
                out.push_str(&text);
            } else {
                out.push_str(&ui.paint(style, &text));
            }
            out.push('\n');
        }
    }
}

fn unknown_hint(e: OpError) -> CommandError {
    let unknown = matches!(e, OpError::UnknownRecord { .. });
    let err = CommandError::from(e);
    if unknown {
        err.hint("log takes a task (t-…), a milestone or message (m-…), a conflict (c-…), a risk (r-…), an ADR number or an agent name")
    } else {
        err
    }
}

/// `--code`: the code commits that served a task.
fn code(ctx: &Context, given: &str) -> CommandResult {
    let store = ctx.store()?;
    let task = ops::find_task(&ops::snapshot(store)?, given)?;
    let commits = store.commits_for_task(notes::NOTES_REF, task.id.as_str())?;
    if ctx.ui.json {
        let items: Vec<_> = commits
            .iter()
            .map(|(c, a, s)| serde_json::json!({ "commit": c, "author": a, "subject": s }))
            .collect();
        return Ok(ctx
            .ui
            .json(&serde_json::json!({ "task": task.id, "commits": items }))?);
    }
    if commits.is_empty() {
        ctx.ui.info(format!("No commits name {} yet.", task.id))?;
    }
    for (c, a, s) in commits {
        ctx.ui.line(format!(
            "{}  {}  {}",
            &c[..c.len().min(12)],
            sanitize_line(&a),
            sanitize_line(&s)
        ))?;
    }
    Ok(())
}
