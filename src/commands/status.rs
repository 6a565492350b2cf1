//! `git coord status`: the coordinator's screen (DESIGN §6), computed from the state
//! `ops::status::load` reads and rendered here.

use crate::context::Context;
use crate::error::CommandResult;
use crate::model::Timestamp;
use crate::model::time::format_hours;
use crate::ops::status::State;
use crate::report::status::{self, Input};
use crate::ui::{Style, Ui, sanitize_line, table};

/// Show the coordinator's screen: progress, agents, critical path, blockers
///
/// One screen: done vs total estimated hours, one row per agent (role, status, current task,
/// blockers, last seen, stale flag), the critical path, blocked tasks and why, the best ready
/// tasks, overdue tasks, messages waiting too long for a reply, open conflicts and high risks
/// (open, impact × probability of at least 6), pending decisions (proposed ADRs, by deadline),
/// and open milestones with their health (at risk when the critical path of their open tasks
/// passes the due date) and latest gate.
///
/// Examples:
///   git coord status
///   git coord status --json | jq '.agents[] | select(.stale)'
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {}

pub fn run(ctx: &Context, _args: Args) -> CommandResult {
    let state = crate::ops::status::load(&ctx.session)?;
    let report = report(ctx, &state);
    if ctx.ui.json {
        return Ok(ctx.ui.json(&report)?);
    }
    print(&ctx.ui, &report, state.now)
}

/// The status report of `state`, warning on stderr about the records it skipped.
pub fn report(ctx: &Context, state: &State) -> status::Report {
    for p in &state.problems {
        ctx.ui.warn(format!("skipped {p}"));
    }
    status::build(&Input {
        tasks: &state.tasks,
        agents: &state.agents,
        overdue_messages: state.overdue_messages.iter().collect(),
        conflicts: &state.conflicts,
        adrs: &state.adrs,
        risks: &state.risks,
        milestones: &state.milestones,
        now: state.now,
        stale_after_secs: state.stale_after_secs,
        default_hours: state.default_hours,
    })
}

/// Prints the coordinator's screen.
pub fn print(ui: &Ui, report: &status::Report, now: Timestamp) -> CommandResult {
    let p = &report.progress;
    ui.line(format!(
        "{}  {}/{} tasks, {} of {} ({}%)",
        ui.paint(Style::Bold, "Progress"),
        p.tasks_done,
        p.tasks_total,
        format_hours(p.hours_done),
        format_hours(p.hours_total),
        p.percent
    ))?;
    ui.line("")?;
    let mut rows = vec![
        ["AGENT", "ROLE", "STATUS", "CURRENT", "BLOCKED", "LAST SEEN"]
            .map(String::from)
            .to_vec(),
    ];
    for a in &report.agents {
        let current: Vec<&str> = a.current.iter().map(|t| t.id.as_str()).collect();
        let blocked: Vec<&str> = a.blocked.iter().map(|t| t.id.as_str()).collect();
        let seen = crate::model::time::seen_ago(a.last_seen, now);
        // A stale agent's recorded status ("active") is what it said last, not what it is.
        let status = if a.stale {
            ui.paint(Style::Yellow, "stale").into_owned()
        } else {
            sanitize_line(&a.status).into_owned()
        };
        rows.push(vec![
            ui.paint(Style::Bold, a.id.as_str()).into_owned(),
            sanitize_line(a.role.as_deref().unwrap_or("-")).into_owned(),
            status,
            if current.is_empty() {
                "-".to_owned()
            } else {
                current.join(",")
            },
            if blocked.is_empty() {
                "-".to_owned()
            } else {
                ui.paint(Style::Red, &blocked.join(",")).into_owned()
            },
            seen,
        ]);
    }
    ui.line(table(&rows).trim_end())?;
    ui.line("")?;
    let path: Vec<&str> = report
        .critical_path
        .tasks
        .iter()
        .map(|t| t.as_str())
        .collect();
    ui.line(format!(
        "{}  {} remaining: {}",
        ui.paint(Style::Bold, "Critical path"),
        format_hours(report.critical_path.total_hours),
        if path.is_empty() {
            "nothing open".to_owned()
        } else {
            path.join(" → ")
        }
    ))?;
    let section = |title: &str, lines: Vec<String>| -> CommandResult {
        if !lines.is_empty() {
            ui.line(format!("\n{}", ui.paint(Style::Bold, title)))?;
            for l in lines {
                ui.line(format!("  {l}"))?;
            }
        }
        Ok(())
    };
    section(
        "Blocked",
        report
            .blocked
            .iter()
            .map(|b| {
                format!(
                    "{}  {}  ({}): {}",
                    b.id,
                    sanitize_line(&b.title),
                    b.assignee
                        .as_ref()
                        .map(|a| a.as_str())
                        .unwrap_or("unassigned"),
                    sanitize_line(b.reason.as_deref().unwrap_or("no reason given"))
                )
            })
            .collect(),
    )?;
    section(
        "Ready now",
        report
            .priorities
            .iter()
            .map(|t| format!("{}  {}", t.id, sanitize_line(&t.title)))
            .collect(),
    )?;
    section(
        "Overdue",
        report
            .overdue_tasks
            .iter()
            .map(|t| format!("{}  {}", t.id, sanitize_line(&t.title)))
            .collect(),
    )?;
    section(
        "Waiting for a reply",
        report
            .overdue_messages
            .iter()
            .map(|m| {
                format!(
                    "{}  {} → {}: {} ({})",
                    m.id,
                    m.from,
                    m.to,
                    sanitize_line(&m.subject),
                    m.sent.ago(now)
                )
            })
            .collect(),
    )?;
    section(
        "Milestones",
        report
            .milestones
            .iter()
            .map(|m| {
                let h = &m.health;
                let state = if h.late {
                    ui.paint(Style::Red, "LATE").into_owned()
                } else if h.at_risk {
                    ui.paint(Style::Yellow, "AT RISK").into_owned()
                } else {
                    "on track".to_owned()
                };
                let gate = m
                    .last_gate
                    .as_deref()
                    .map(|g| format!(", last gate {}", g.to_uppercase()))
                    .unwrap_or_default();
                format!(
                    "{}  {}  due {}  {}/{} tasks done  {state}{gate}",
                    m.id,
                    sanitize_line(&m.title),
                    m.due.datetime().format("%Y-%m-%d"),
                    h.done_tasks,
                    h.done_tasks + h.open_tasks
                )
            })
            .collect(),
    )?;
    section(
        "Open conflicts",
        report
            .open_conflicts
            .iter()
            .map(|c| {
                let between: Vec<&str> = c.between.iter().map(|a| a.as_str()).collect();
                format!(
                    "{}  {}  ({}, opened {})",
                    c.id,
                    sanitize_line(&c.title),
                    between.join(" vs "),
                    c.created.ago(now)
                )
            })
            .collect(),
    )?;
    section(
        "Pending decisions",
        report
            .pending_decisions
            .iter()
            .map(|d| {
                let deadline = match d.deadline {
                    Some(at) if d.overdue => ui
                        .paint(Style::Red, &format!("deadline passed {}", at.ago(now)))
                        .into_owned(),
                    Some(at) => format!("decide by {}", at.datetime().format("%Y-%m-%d")),
                    None => "no deadline".to_owned(),
                };
                format!(
                    "ADR-{:04}  {}  ({} option(s), {deadline})",
                    d.number,
                    sanitize_line(&d.title),
                    d.options
                )
            })
            .collect(),
    )?;
    section(
        "High risks",
        report
            .high_risks
            .iter()
            .map(|r| {
                format!(
                    "{}  {}  (score {}, owner {})",
                    r.id,
                    sanitize_line(&r.title),
                    r.score,
                    r.owner.as_ref().map(|a| a.as_str()).unwrap_or("nobody")
                )
            })
            .collect(),
    )?;
    Ok(())
}
