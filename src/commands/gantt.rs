//! `git coord gantt`: the remaining work as a Mermaid Gantt chart (DESIGN §4 scheduling, §5).

use super::graph::warn_about_plan;
use crate::context::Context;
use crate::error::CommandResult;
use crate::ops::{milestone, plan};
use crate::report::graph as render;

/// Draw the remaining work as a Mermaid Gantt chart
///
/// Each open task is a bar that starts at its earliest start (now plus the hours of the
/// work it waits for) and lasts its estimate (1h for tasks without one, or git config
/// coord.defaultEstimate). These are wall-clock hours from now, in UTC: no working days,
/// nights or weekends, and every task as if it had an agent of its own. Tasks on the
/// critical path are tagged `crit`, tasks in progress or in review `active`; done and
/// cancelled tasks are left out, and so are tasks on a dependency cycle (with a warning).
///
/// Bars are grouped by milestone, in order of due date, each section ending with a marker
/// at the milestone's due date; tasks without a milestone come last ("No milestone").
///
/// With --json: {"start": time, "sections": [{milestone, title, due, tasks: [{id, title,
/// status, start, end, hours, critical}]}], "left_out": [ids]}.
///
/// Examples:
///   git coord gantt > plan.mmd
///   git coord gantt --json | jq -r '.sections[].tasks[] | "\(.start) \(.id)"'
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {}

pub fn run(ctx: &Context, _args: Args) -> CommandResult {
    let store = ctx.store()?;
    let snap = store.snapshot()?;
    let plan = plan::load_at(store, &snap)?;
    let (milestones, problems) = milestone::load_milestones(&snap)?;
    for p in &problems {
        ctx.ui.warn(format!("skipped {p}"));
    }
    warn_about_plan(&ctx.ui, &plan);
    let chart = render::gantt(&plan.tasks, &plan.schedule, &milestones, ctx.now());
    let unscheduled: Vec<&str> = chart
        .left_out
        .iter()
        .filter(|id| !plan.cycles.iter().flatten().any(|c| c == *id))
        .map(|id| id.as_str())
        .collect();
    if !unscheduled.is_empty() {
        ctx.ui.warn(format!(
            "left out of the chart: {} (behind a dependency cycle, or too far away to date)",
            unscheduled.join(", ")
        ));
    }
    if ctx.ui.json {
        ctx.ui.json(&chart)?;
        return Ok(());
    }
    if chart.sections.is_empty() {
        ctx.ui
            .note("No open work to chart. Add a task with `git coord task add <title>`.");
    }
    ctx.ui.line(render::gantt_mermaid(&chart).trim_end())?;
    Ok(())
}
