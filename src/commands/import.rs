//! `git coord import`: tasks from our JSON, Beads or Taskwarrior, planned and committed at once
//! (DESIGN §4 scheduling).

use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::json;

use crate::context::Context;
use crate::error::{CommandError, CommandResult};
use crate::ops::import::{self, Action, Format, ImportError, Outcome};
use crate::ui::{sanitize_line, table};

/// Import tasks from a file: our own JSON, Beads or Taskwarrior
///
/// Writes every task of FILE (- for standard input) in one commit on the coordination
/// branch. Each foreign ID gets a new task ID and dependencies are rewritten through that
/// map; the foreign ID is kept in the record as `imported_from = "beads:bd-a1b2"`.
///
/// Importing again (a migration re-run) recognises what an earlier import wrote, by
/// `imported_from` or, for json, by task ID, and updates those tasks instead of copying
/// them: the output counts records added, updated (naming the fields) and unchanged, and
/// an import that changes nothing makes no commit. The file's fields win, but a task's
/// progress here is never taken back (a done task stays done, a claimed one keeps its
/// assignee and status), and a task another agent holds is left alone with a warning.
///
/// Whatever
/// cannot be mapped (unknown fields, invalid values or agent names, dependencies on records
/// that are not in the file) is reported on stderr and under --json; a file that is not
/// valid JSON fails naming the line, and an import whose dependencies would form a cycle is
/// refused. Either way nothing is written.
///
/// Formats:
///   json         one task object per line, as `git coord export --json` prints them (also
///                `task show --json` objects or a `task list --json` array). IDs are kept
///                when they are free on this branch; unknown fields are reported.
///   beads        .beads/issues.jsonl. Status open → todo, in_progress/hooked → in_progress,
///                blocked → blocked, deferred → blocked, closed → done, tombstone →
///                cancelled. Priority 0-2 stays, 3 and 4 (backlog) → 3. Dependencies of
///                type blocks, conditional-blocks and waits-for become depends_on; other
///                types (parent-child, related, discovered-from…) are kept as `links`.
///                Description, design, acceptance criteria, notes and comments form the
///                body; labels, issue_type and external_ref are kept as fields.
///   taskwarrior  the JSON array of `task export`. pending → todo (in_progress when
///                started, blocked while waiting), waiting → blocked, completed → done,
///                deleted → cancelled; recurrence templates are skipped (their instances
///                are imported). Priority H → 1, M and none → 2, L → 3. Annotations form
///                the body; tags (as labels) and project are kept as fields.
///
/// Assignees must be valid agent names (a-z, 0-9, '-'); others are reported and the task
/// is imported unassigned.
///
/// Examples:
///   git coord import .beads/issues.jsonl --from beads --dry-run
///   task export > tw.json && git coord import tw.json --from taskwarrior
///   git -C ../old coord export --json | git coord import - --from json --json
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The file to import (- for standard input)
    pub file: PathBuf,
    /// The file's format
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub from: FromFormat,
    /// Show what would be imported, and every problem, without writing anything
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum FromFormat {
    Json,
    Beads,
    Taskwarrior,
}

impl From<FromFormat> for Format {
    fn from(f: FromFormat) -> Format {
        match f {
            FromFormat::Json => Format::Json,
            FromFormat::Beads => Format::Beads,
            FromFormat::Taskwarrior => Format::Taskwarrior,
        }
    }
}

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    let store = ctx.store()?;
    // A write needs an agent: say so before reading a large file.
    let actor = if args.dry_run {
        None
    } else {
        Some(ctx.actor()?)
    };
    let (name, bytes) = read_input(&args.file)?;
    let batch = import::read(&name, &bytes, args.from.into(), ctx.now())?;
    let outcome = match &actor {
        Some(actor) => import::import(store, actor, &batch)?,
        None => {
            let agent = ctx.agent()?.map(|(agent, _)| agent);
            import::preview(store, &batch, ctx.now(), agent.as_ref())?
        }
    };
    report_problems(ctx, &name, &outcome);
    if ctx.ui.json {
        ctx.ui.json(&outcome)?;
    } else {
        render(ctx, &outcome)?;
    }
    Ok(())
}

/// Warnings and skipped records on stderr, each kind once, up to a screenful; `--json` has all.
fn report_problems(ctx: &Context, name: &str, outcome: &Outcome) {
    const SHOWN: usize = 30;
    let place = |line: Option<usize>, id: Option<&str>| {
        let line = line.map(|l| format!(":{l}")).unwrap_or_default();
        let id = id.map(|i| format!(" ({i})")).unwrap_or_default();
        format!("{name}{line}{id}")
    };
    let warnings = outcome.warnings.iter().map(|w| {
        let more = match w.count {
            1 => String::new(),
            n => format!(" ({n} records; this is the first)"),
        };
        let at = place(w.line, w.source_id.as_deref());
        format!("{at}: {}{more}", w.message)
    });
    let skipped = outcome.skipped.iter().map(|s| {
        let at = place(Some(s.line), s.source_id.as_deref());
        format!("{at}: skipped: {}", s.reason)
    });
    let all = outcome.warnings.len() + outcome.skipped.len();
    for text in warnings.chain(skipped).take(SHOWN) {
        ctx.ui.warn(sanitize_line(&text));
    }
    if all > SHOWN {
        ctx.ui.warn(format!(
            "… and {} more; --json lists every one",
            all - SHOWN
        ));
    }
}

fn read_input(file: &Path) -> CommandResult<(String, Vec<u8>)> {
    if file.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| CommandError::usage(format!("cannot read standard input: {e}")))?;
        return Ok(("<stdin>".to_owned(), bytes));
    }
    let name = file.display().to_string();
    let bytes = std::fs::read(file).map_err(|e| {
        CommandError::usage(format!("cannot read {name}: {e}"))
            .hint("give the path of an export file, or - to read standard input")
    })?;
    Ok((name, bytes))
}

fn render(ctx: &Context, o: &Outcome) -> CommandResult {
    let mut counts = Vec::new();
    if !o.skipped.is_empty() {
        counts.push(format!("{} skipped", o.skipped.len()));
    }
    if !o.warnings.is_empty() {
        let n = o.warnings.len();
        counts.push(if n == 1 {
            "1 kind of warning".to_owned()
        } else {
            format!("{n} kinds of warnings")
        });
    }
    let problems = match counts.is_empty() {
        true => String::new(),
        false => format!(" ({}; see above)", counts.join(", ")),
    };
    let file = sanitize_line(&o.file);
    let mut summary = vec![
        format!("{} added", o.added),
        format!("{} updated", o.updated),
        format!("{} unchanged", o.unchanged),
    ];
    if o.held > 0 {
        summary.push(format!("{} held by other agents, not updated", o.held));
    }
    let summary = summary.join(", ");
    if o.dry_run {
        if !o.tasks.is_empty() {
            let mut rows = vec![vec![
                "LINE".to_owned(),
                "SOURCE".to_owned(),
                "ID".to_owned(),
                "ACTION".to_owned(),
                "STATUS".to_owned(),
                "TITLE".to_owned(),
            ]];
            rows.extend(o.tasks.iter().map(|t| {
                vec![
                    t.line.to_string(),
                    sanitize_line(t.source_id.as_deref().unwrap_or("-")).into_owned(),
                    t.id.to_string(),
                    action_word(t.action).to_owned(),
                    t.status.to_string(),
                    sanitize_line(&t.title).into_owned(),
                ]
            }));
            ctx.ui.line(table(&rows).trim_end())?;
        }
        changes(ctx, o)?;
        ctx.ui.info(format!(
            "Would import {} from {file}: {summary}{problems}; nothing was written.",
            tasks(o.imported),
        ))?;
        return Ok(());
    }
    changes(ctx, o)?;
    match &o.commit {
        Some(commit) => ctx.ui.info(format!(
            "Imported {} from {file} in commit {}: {summary}{problems}.",
            tasks(o.imported),
            &commit[..commit.len().min(12)]
        ))?,
        None => ctx.ui.info(format!(
            "Nothing to import from {file}: {summary}{problems}."
        ))?,
    }
    Ok(())
}

/// One line per updated task, naming the fields the file changed.
fn changes(ctx: &Context, o: &Outcome) -> CommandResult {
    for t in o.tasks.iter().filter(|t| t.action == Action::Updated) {
        let source = t
            .source_id
            .as_deref()
            .map(|s| format!(" ({})", sanitize_line(s)))
            .unwrap_or_default();
        let verb = if o.dry_run { "would update" } else { "updated" };
        ctx.ui
            .info(format!("{verb} {}{source}: {}", t.id, t.changed.join(", ")))?;
    }
    Ok(())
}

fn tasks(n: usize) -> String {
    match n {
        1 => "1 task".to_owned(),
        n => format!("{n} tasks"),
    }
}

fn action_word(a: Action) -> &'static str {
    match a {
        Action::Added => "add",
        Action::Updated => "update",
        Action::Unchanged => "unchanged",
        Action::Held => "held",
    }
}

impl From<ImportError> for CommandError {
    fn from(e: ImportError) -> CommandError {
        match e {
            ImportError::Parse {
                ref file, line, ..
            } => CommandError::usage(e.to_string())
                .hint("fix or remove that record, and check that --from names the file's format (json, beads or taskwarrior); nothing was imported")
                .details(json!({ "file": file, "line": line })),
            ImportError::Cycles {
                ref cycles,
                ref members,
                ..
            } => {
                let mut err = CommandError::usage(e.to_string());
                for c in cycles {
                    err = err.hint(format!("cycle: {}", sanitize_line(c)));
                }
                if members.len() > cycles.len() {
                    err = err.hint(format!("… and {} more", members.len() - cycles.len()));
                }
                err.hint("remove one dependency of each cycle from the file, then import again")
                    .details(json!({ "cycles": members }))
            }
            ImportError::Op(e) => e.into(),
        }
    }
}
