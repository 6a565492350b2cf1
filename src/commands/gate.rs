/*!
`git coord gate <milestone>`: run the milestone's criteria and record GO or NO-GO on it
(DESIGN §5 milestones, §6: only `done` and `gate` run stored commands).
*/

use crate::context::Context;
use crate::error::{CommandError, CommandResult};
use crate::model::gate::{Gate, GateResult};
use crate::model::layout;
use crate::model::milestone::Milestone;
use crate::ops::gate;
use crate::ui::{Style, Ui, indented, sanitize_line, table};
use crate::view::gate::GateJson;

/// Decide a milestone's gate: run its criteria, record GO or NO-GO
///
/// Runs each of the milestone's criteria (shell commands stored on the coordination branch)
/// in order with `sh -c` at the root of the current worktree, printing each one on stderr
/// before it runs; their output goes to stderr. Every criterion runs, even after one fails,
/// so the record shows all that fail. The gate is GO (exit 0) when every criterion passes, and
/// NO-GO (exit 1) when any fails. A milestone with no criteria is NO-GO: nothing shows it is
/// reached (add shell commands to the `criteria` list of its record). The milestone's open
/// tasks (neither done nor cancelled) are listed and recorded, but do not decide.
/// The decision is appended to the milestone's `[[gates]]` history in one commit: when, by
/// whom, each criterion's exit code and time, and the open tasks (`milestone show` lists it).
/// Criteria are never run by any other command. Read them (`milestone show`) before you gate
/// a milestone you did not write; --dry-run prints them and runs nothing.
///
/// Examples:
///   git coord gate m-4kz9w2
///   git coord gate 4kz --dry-run
///   git coord gate 4kz --json | jq -r .result
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Milestone ID or unique prefix
    pub milestone: String,
    /// Print the criteria and open tasks; run and record nothing
    #[arg(long)]
    pub dry_run: bool,
}

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    let store = ctx.store()?;
    let subject = gate::subject(store, &args.milestone)?;
    for p in &subject.problems {
        ctx.ui.warn(format!("skipped {p}"));
    }
    let m = &subject.milestone;
    if args.dry_run {
        return dry_run(ctx, &subject);
    }
    // Checked before anything runs, so a mistyped agent never costs a test run.
    let actor = ctx.actor()?;
    let dir = store.workdir().ok_or_else(|| {
        CommandError::usage("this repository has no working tree to run the criteria in")
            .hint("run `gate` from a worktree of the project")
    })?;
    if m.criteria.is_empty() {
        ctx.ui.warn(format!(
            "{} has no criteria: nothing shows it is reached, so the gate is NO-GO",
            m.id
        ));
    }
    let total = m.criteria.len();
    let results = gate::run_criteria(
        &m.criteria,
        dir,
        |i, command| {
            ctx.ui.note(format!(
                "gate {}: running criterion {}/{total}: {}",
                m.id,
                i + 1,
                sanitize_line(command)
            ))
        },
        |r| {
            ctx.ui.note(format!(
                "  {} ({})",
                if r.passed { "passed" } else { "FAILED" },
                outcome(r.exit_code, r.seconds)
            ))
        },
    )
    .map_err(|e| CommandError::internal(format!("could not run the criteria with sh: {e}")))?;
    let recorded = gate::record(store, &actor, &m.id, results)?;
    for p in &recorded.problems {
        ctx.ui.warn(format!("skipped {p}"));
    }
    let g = &recorded.gate;
    if ctx.ui.json {
        ctx.ui.json(&GateJson::new(&recorded.milestone, g))?;
    } else {
        ctx.ui
            .line(summary(&ctx.ui, &recorded.milestone, g).trim_end())?;
    }
    match g.result {
        GateResult::Go => Ok(()),
        GateResult::NoGo => {
            let why = if g.criteria.is_empty() {
                "it has no criteria".to_owned()
            } else {
                format!(
                    "{} of {} criteria failed",
                    g.criteria.len() - g.passed(),
                    g.criteria.len()
                )
            };
            let mut err = CommandError::negative(format!("{} is NO-GO: {why}", m.id));
            if g.criteria.is_empty() {
                err = err.hint(format!(
                    "add shell commands to the `criteria` list of {}",
                    layout::milestone_path(&m.id)
                ));
            }
            Err(err.details(serde_json::json!({ "milestone": m.id, "result": g.result })))
        }
    }
}

fn outcome(code: Option<i32>, seconds: f64) -> String {
    match code {
        Some(c) => format!("exit {c}, {seconds:.1}s"),
        None => format!("killed by a signal, {seconds:.1}s"),
    }
}

/// The text report of a recorded gate.
fn summary(ui: &Ui, m: &Milestone, g: &Gate) -> String {
    let style = match g.result {
        GateResult::Go => Style::Green,
        GateResult::NoGo => Style::Red,
    };
    let mut out = format!(
        "{}  {}  {}\n",
        ui.paint(style, g.result.label()),
        ui.paint(Style::Bold, m.id.as_str()),
        sanitize_line(&m.title)
    );
    let rows: Vec<Vec<String>> = g
        .criteria
        .iter()
        .map(|c| {
            let mark = if c.passed {
                ui.paint(Style::Green, "passed")
            } else {
                ui.paint(Style::Red, "failed")
            };
            vec![
                mark.into_owned(),
                sanitize_line(&c.command).into_owned(),
                format!("({})", outcome(c.exit_code, c.seconds)),
            ]
        })
        .collect();
    out.push_str(&indented(&table(&rows), 2));
    out.push_str(&format!("  open tasks: {}\n", ids(&g.open_tasks)));
    out.push_str(&format!("Recorded on {}\n", layout::milestone_path(&m.id)));
    out
}

fn ids(ids: &[crate::model::TaskId]) -> String {
    if ids.is_empty() {
        return "none".to_owned();
    }
    ids.iter()
        .map(|t| t.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn dry_run(ctx: &Context, subject: &gate::Subject) -> CommandResult {
    let m = &subject.milestone;
    if ctx.ui.json {
        return Ok(ctx.ui.json(&serde_json::json!({
            "milestone": m.id,
            "title": m.title,
            "path": layout::milestone_path(&m.id),
            "dry_run": true,
            "criteria": m.criteria,
            "open_tasks": subject.open_tasks,
        }))?);
    }
    let mut out = format!(
        "{}  {} (dry run: nothing runs, nothing is recorded)\n",
        ctx.ui.paint(Style::Bold, m.id.as_str()),
        sanitize_line(&m.title)
    );
    if m.criteria.is_empty() {
        out.push_str("  no criteria: the gate would be NO-GO\n");
    }
    for (i, c) in m.criteria.iter().enumerate() {
        out.push_str(&format!("  {}. {}\n", i + 1, sanitize_line(c)));
    }
    out.push_str(&format!("  open tasks: {}\n", ids(&subject.open_tasks)));
    Ok(ctx.ui.line(out.trim_end())?)
}
