//! `git coord path`: the critical path of the remaining work, with slack (DESIGN §4 JSON, §5).

use crate::context::Context;
use crate::error::CommandResult;
use crate::model::time::format_hours;
use crate::ops::schedule;
use crate::ui::{Style, sanitize_line, table};

/// Show the critical path of the remaining work
///
/// The longest chain of dependent open tasks, weighted by estimate (done tasks weigh 0,
/// unestimated ones coord.defaultEstimate, default 1h): the tasks in order, the total hours,
/// and for every open task its earliest start, latest start and slack. Ties break by
/// priority, then ID, so the answer is deterministic.
///
/// JSON: {"tasks": [ids first to last], "total_hours": n, "slack": {id: hours},
///        "timing": {id: {hours, earliest_start, earliest_finish, latest_start,
///        latest_finish, slack}}, "unscheduled": [ids on cycles], "overdue": [ids]}
///
/// Examples:
///   git coord path
///   git coord path --json | jq .total_hours
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Also list every open task's timing, not only the path
    #[arg(long)]
    pub all: bool,
}

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    let report = schedule::critical_path(ctx.store()?, ctx.now())?;
    for w in report.warnings.messages() {
        ctx.ui.warn(w);
    }
    if ctx.ui.json {
        return Ok(ctx.ui.json(&report)?);
    }
    if report.tasks.is_empty() {
        ctx.ui.info("No open work: the critical path is empty.")?;
        return Ok(());
    }
    ctx.ui.line(format!(
        "Critical path: {} in {} task(s)",
        ctx.ui.paint(Style::Bold, &format_hours(report.total_hours)),
        report.tasks.len()
    ))?;
    let mut rows = vec![
        ["", "ID", "START", "EST", "TITLE"]
            .map(String::from)
            .to_vec(),
    ];
    for (n, t) in report.path_tasks.iter().enumerate() {
        let timing = report.timing.get(&t.id);
        let mut title = sanitize_line(&t.title).into_owned();
        if report.overdue.contains(&t.id) {
            title.push_str(&format!("  {}", ctx.ui.paint(Style::Red, "(overdue)")));
        }
        rows.push(vec![
            format!("{}.", n + 1),
            ctx.ui.paint(Style::Bold, t.id.as_str()).into_owned(),
            timing
                .map(|x| format!("+{}", format_hours(x.earliest_start)))
                .unwrap_or_default(),
            timing.map(|x| format_hours(x.hours)).unwrap_or_default(),
            format!("{title}  [{}]", t.status),
        ]);
    }
    ctx.ui.line(table(&rows).trim_end())?;
    if args.all {
        let mut ids: Vec<_> = report.timing.iter().collect();
        ids.sort_by(|a, b| {
            a.1.earliest_start
                .total_cmp(&b.1.earliest_start)
                .then(a.0.cmp(b.0))
        });
        let mut rows = vec![
            ["ID", "EARLIEST", "LATEST", "SLACK"]
                .map(String::from)
                .to_vec(),
        ];
        for (id, t) in ids {
            rows.push(vec![
                id.to_string(),
                format!("+{}", format_hours(t.earliest_start)),
                format!("+{}", format_hours(t.latest_start)),
                format_hours(t.slack),
            ]);
        }
        ctx.ui.line("")?;
        ctx.ui.line(table(&rows).trim_end())?;
    }
    if !report.unscheduled.is_empty() {
        ctx.ui.warn(format!(
            "{} task(s) are on or behind a dependency cycle and cannot be scheduled",
            report.unscheduled.len()
        ));
    }
    Ok(())
}
