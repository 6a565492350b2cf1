//! `git coord metrics`: throughput, cycle and lead time, queue depth, WIP and the coordination
//! SLOs, computed from the coordination branch's history (DESIGN §8).

use crate::context::Context;
use crate::error::{CommandError, CommandResult};
use crate::model::time::{format_hours, parse_wall_duration};
use crate::ops::metrics::{self, Distribution};
use crate::ui::{Style, sanitize_line, table};
use crate::view::metrics::MetricsJson;

/// Show throughput, cycle time, queue depth and SLOs from the branch history
///
/// Everything is computed from the coordination branch's commits (the audit log), cached under
/// .git/coord/ by commit so an unchanged branch is not read again:
///   throughput     tasks done, per day (UTC) and per agent
///   cycle time     claim (or assignment) → done: median and 90th percentile
///   lead time      added → done: median and 90th percentile
///   queue depth    ready tasks now and over time (one sample per active hour), per expertise
///   WIP            tasks each agent has in progress, in review or blocked
///   SLOs           blocker resolution, decision turnaround (ADR proposed → decided),
///                  conflict resolution, message response time; each against its SLO, with
///                  every record that took (or has been waiting) longer
/// SLOs default to blockers 2h, decisions 24h, conflicts 4h, messages 4h; override them in
/// .coord/config.toml on the main branch:
///   [slo]
///   blockers = "1h"
/// The median is the middle value (mean of the two middle ones); p90 is the nearest rank.
///
/// Examples:
///   git coord metrics
///   git coord metrics --since 24h
///   git coord metrics --json | jq '.slos[] | select(.met | not)'
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Only what finished (or was settled) in this last stretch of time: 24h, 7d, 90m
    #[arg(long, value_name = "DURATION")]
    pub since: Option<String>,
}

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    let since = args
        .since
        .as_deref()
        .map(parse_wall_duration)
        .transpose()
        .map_err(|e| {
            CommandError::usage(format!("--since: {e}")).hint("for example --since 24h")
        })?;
    let (m, warnings) = metrics::metrics(&ctx.session, since)?;
    for w in warnings {
        ctx.ui.warn(w);
    }
    if m.unreadable > 0 {
        ctx.ui.warn(format!(
            "{} record version(s) in the history could not be read and were skipped (run `git coord doctor`)",
            m.unreadable
        ));
    }
    if ctx.ui.json {
        return Ok(ctx.ui.json(&MetricsJson::new(&m))?);
    }
    let ui = &ctx.ui;
    let window = match m.since {
        Some(s) => format!("since {s}"),
        None => "whole history".to_owned(),
    };
    ui.line(format!(
        "{}  ({window}, {} commits)",
        ui.paint(Style::Bold, "Metrics"),
        m.commits
    ))?;
    let per_agent: Vec<String> = m
        .throughput
        .per_agent
        .iter()
        .map(|(a, n)| format!("{a} {n}"))
        .collect();
    ui.line(format!(
        "Throughput: {} done over {} day(s){}",
        m.throughput.done,
        m.throughput.per_day.len(),
        if per_agent.is_empty() {
            String::new()
        } else {
            format!("  ({})", per_agent.join(", "))
        }
    ))?;
    ui.line(format!("Cycle time: {}", describe(&m.cycle_time)))?;
    ui.line(format!("Lead time:  {}", describe(&m.lead_time)))?;
    let by: Vec<String> = m
        .queue_depth
        .by_expertise
        .iter()
        .map(|(e, n)| format!("{e} {n}"))
        .collect();
    ui.line(format!(
        "Ready queue: {}{}",
        m.queue_depth.ready,
        if by.is_empty() {
            String::new()
        } else {
            format!("  ({})", by.join(", "))
        }
    ))?;
    let wip: Vec<String> = m.wip.iter().map(|(a, n)| format!("{a} {n}")).collect();
    ui.line(format!(
        "WIP: {}",
        if wip.is_empty() {
            "none".to_owned()
        } else {
            wip.join(", ")
        }
    ))?;
    ui.line("")?;
    let mut rows = vec![
        [
            "SLO", "TARGET", "SETTLED", "MEDIAN", "P90", "OPEN", "BREACHES",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for s in &m.slos {
        rows.push(vec![
            s.name.to_owned(),
            format!("< {}", format_hours(s.slo_hours)),
            s.settled.count.to_string(),
            s.settled
                .median_hours
                .map(format_hours)
                .unwrap_or("-".into()),
            s.settled.p90_hours.map(format_hours).unwrap_or("-".into()),
            s.open.to_string(),
            if s.met {
                ui.paint(Style::Green, "0").into_owned()
            } else {
                ui.paint(Style::Red, &s.breaches.len().to_string())
                    .into_owned()
            },
        ]);
    }
    ui.line(table(&rows).trim_end())?;
    for s in &m.slos {
        for b in &s.breaches {
            let state = match b.ended {
                Some(_) => "took",
                None => "waiting",
            };
            ui.line(format!(
                "  {} breach: {}  {}  {state} {}",
                s.name,
                ui.paint(Style::Bold, &b.record),
                sanitize_line(&b.title),
                format_hours(b.hours)
            ))?;
        }
    }
    Ok(())
}

fn describe(d: &Distribution) -> String {
    match (d.median_hours, d.p90_hours) {
        (Some(median), Some(p90)) => format!(
            "median {}, p90 {} ({} task(s))",
            format_hours(median),
            format_hours(p90),
            d.count
        ),
        _ => "no finished tasks yet".to_owned(),
    }
}
