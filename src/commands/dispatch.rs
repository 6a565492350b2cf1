//! `git coord dispatch`: hands ready work to the fresh agents that fit it, least loaded first,
//! critical path first, and messages each (DESIGN §5, §8).

use crate::context::Context;
use crate::error::CommandResult;
use crate::ops::authority::Authority;
use crate::ops::dispatch::{self, DispatchReport};
use crate::ui::{Style, sanitize_line};

/// Assign ready work to the fresh agents that fit it, and tell each
///
/// Every ready, unassigned task goes to an agent that is fresh (seen within coord.staleAfter,
/// default 2h; not offline or retired), whose expertise fits, and that holds fewer open tasks
/// than coord.capacity (default 2): the least loaded one (fewest open hours, then tasks, then
/// ID), counting what this dispatch already gave it. Tasks on the critical path go first, then
/// the ready order (priority, slack, age). Each assignment is one `assign` commit; then each
/// agent that got work is sent one message listing it. Tasks no agent can take are listed
/// with the reason (nobody has the expertise: spawn one; everyone fitting is stale or full).
/// --dry-run prints the plan and the `assign` commands, and writes nothing.
///
/// Examples:
///   git coord dispatch --dry-run
///   git coord dispatch --json | jq '.assignments[] | [.task, .to]'
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Show what would be assigned, write nothing
    #[arg(long)]
    pub dry_run: bool,
}

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    let store = ctx.store()?;
    if let Err(w) = dispatch::check_capacity_setting(store) {
        ctx.ui.warn(w);
    }
    let mut report = dispatch::plan(store, ctx.now(), None)?;
    report.dry_run = args.dry_run;
    let report = if args.dry_run {
        report
    } else {
        let actor = ctx.actor()?;
        let authority = Authority::unforced(&actor.agent);
        dispatch::execute(store, &actor, report, &authority)?
    };
    print(
        ctx,
        &report,
        "Nothing to dispatch: no ready, unassigned task.",
    )
}

/// Prints a dispatch or rebalance report (JSON under --json).
pub fn print(ctx: &Context, report: &DispatchReport, nothing: &str) -> CommandResult {
    if ctx.ui.json {
        return Ok(ctx.ui.json(report)?);
    }
    let ui = &ctx.ui;
    if report.assignments.is_empty() && report.unplaced.is_empty() && report.failed.is_empty() {
        ui.info(nothing)?;
        return Ok(());
    }
    let verb = if report.dry_run {
        "Would assign"
    } else {
        "Assigned"
    };
    for a in &report.assignments {
        let mut why = Vec::new();
        if let (Some(from), Some(reason)) = (&a.from, &a.reason) {
            why.push(format!("from {from}, {reason}"));
        }
        if a.critical {
            why.push("critical path".to_owned());
        }
        let why = if why.is_empty() {
            String::new()
        } else {
            format!("  ({})", why.join("; "))
        };
        ui.info(format!(
            "{verb} {}  {} → {}{why}",
            ui.paint(Style::Bold, a.task.as_str()),
            sanitize_line(&a.title),
            a.to
        ))?;
        if report.dry_run {
            ui.info(format!("  {}", a.command))?;
        }
    }
    for u in &report.unplaced {
        ui.warn(format!(
            "not placed: {} {}: {}",
            u.task,
            sanitize_line(&u.title),
            u.why
        ));
    }
    for f in &report.failed {
        ui.warn(format!(
            "not assigned: {}: {}",
            f.task,
            sanitize_line(&f.error)
        ));
    }
    if !report.messages.is_empty() {
        let to: Vec<String> = report
            .messages
            .iter()
            .map(|m| m.agent.to_string())
            .collect();
        ui.info(format!("Messaged {}", to.join(", ")))?;
    }
    Ok(())
}
