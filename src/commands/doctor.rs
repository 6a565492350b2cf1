//! `git coord doctor`: validates every record, dependency edge and claim on the coordination
//! branch; exit 2 on any problem (DESIGN §4 setup, §11).

use crate::context::Context;
use crate::error::{CommandError, CommandResult};
use crate::ops;
use crate::ops::doctor::Severity;
use crate::ui::{Style, sanitize_line};

/// Check every record, dependency and assignment on the coordination branch
///
/// Parses every record and reports each problem with its file and line: malformed front
/// matter, unknown statuses, IDs that do not match their file, dependencies on tasks that do
/// not exist, dependency cycles. Exits 2 when there is any error, 0 when there are only
/// warnings or nothing.
///
/// Example:
///   git coord doctor --json
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {}

pub fn run(ctx: &Context, _args: Args) -> CommandResult {
    let report = ops::doctor::run(ctx.store()?)?;
    if ctx.ui.json {
        ctx.ui.json(&report)?;
    } else {
        for p in &report.problems {
            let (label, style) = match p.severity {
                Severity::Error => ("error", Style::Red),
                Severity::Warning => ("warning", Style::Yellow),
            };
            let location = match p.line {
                Some(l) => format!("{}:{l}", p.path),
                None => p.path.clone(),
            };
            ctx.ui.line(format!(
                "{}: {}: {}",
                ctx.ui.paint(style, label),
                sanitize_line(&location),
                sanitize_line(&p.message)
            ))?;
        }
        let errors = report
            .problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .count();
        ctx.ui.info(format!(
            "checked {} tasks and {} agents at {}: {} error(s), {} warning(s)",
            report.tasks,
            report.agents,
            &report.commit[..12.min(report.commit.len())],
            errors,
            report.problems.len() - errors
        ))?;
    }
    if report.ok {
        Ok(())
    } else {
        Err(CommandError::usage("the coordination branch has problems (listed above)")
            .hint("fix each record by hand in a worktree of the branch (`git worktree add ../coord-edit coord`), then remove it (`git worktree remove ../coord-edit`)"))
    }
}
