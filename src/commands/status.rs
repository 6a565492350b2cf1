//! `git coord status`: the coordinator's screen (DESIGN §6), computed from the state
//! `ops::status::load` reads and rendered here.

use std::cell::RefCell;

use crate::context::Context;
use crate::error::CommandResult;
use crate::model::Timestamp;
use crate::model::time::format_hours;
use crate::ops::status::{Colour, Day, State};
use crate::report::status::{self, Input};
use crate::ui::{Style, Ui, sanitize_line, table};

/// Show the coordinator's screen: go/no-go, progress, agents, forecast, blockers
///
/// One screen, at most 100 columns ($COLUMNS when narrower): the go/no-go colour with its
/// reasons (RED: a milestone late or its last gate NO-GO; YELLOW: SLO breaches, stale agents,
/// blockers past their SLO, milestones at risk; GREEN otherwise), done vs total estimated
/// hours, one row per agent (role, status, current task, blockers, last seen, stale flag), the
/// critical path, the capacity forecast (the remaining work scheduled on the fresh agents whose
/// expertise fits, at their current load), blocked tasks with their age against the blocker
/// SLO, tasks running past their estimate, today's priorities with who they fit, overdue
/// tasks, messages waiting too long for a reply, milestones, open conflicts, pending decisions
/// and high risks, and the dispatch advice (ready work for an expertise nobody available has:
/// the `spawn` to run; idle agents; the `assign` moves `rebalance` would make). SLOs:
/// `[slo]` in .coord/config.toml (blockers 2h, decisions 24h, conflicts 4h) and
/// coord.replyWithin for messages.
///
/// Examples:
///   git coord status
///   git coord status --format markdown > status.md
///   git coord status --json | jq '.go_no_go'
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// How to print it: `text` for the terminal, `markdown` for an issue or a chat
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// The renderings of the status screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Markdown,
}

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    let state = crate::ops::status::load_screen(&ctx.session)?;
    // The JSON lists where the forecast puts every open task; the screen only its totals.
    let (report, day) = report(ctx, &state, ctx.ui.json);
    if ctx.ui.json {
        return Ok(ctx.ui.json(&crate::view::status::StatusJson {
            report: &report,
            day: &day,
            advice: day.advice.as_ref(),
        })?);
    }
    match args.format {
        Format::Markdown => Ok(ctx
            .ui
            .line(status::markdown(&report, &day, state.now).trim_end())?),
        Format::Text => print(
            &ctx.ui,
            &report,
            &day,
            state.now,
            crate::context::screen_width(),
        ),
    }
}

/// The status report of `state` and the day's judgement, warning on stderr about the records
/// it skipped; with `slots`, the forecast lists where each open task lands
/// ([`crate::ops::status::assess_brief`] otherwise).
pub fn report(ctx: &Context, state: &State, slots: bool) -> (status::Report, Day) {
    for p in &state.problems {
        ctx.ui.warn(format!("skipped {p}"));
    }
    let day = if slots {
        crate::ops::status::assess(state)
    } else {
        crate::ops::status::assess_brief(state)
    };
    let mut report = build(state);
    status::apply_forecast(&mut report, &day);
    (report, day)
}

/// The status report of `state`, without the day's judgement applied.
fn build(state: &State) -> status::Report {
    status::build(&Input::of(state))
}

/// Prints the coordinator's screen, each line cut to `width` columns.
pub fn print(
    ui: &Ui,
    report: &status::Report,
    day: &Day,
    now: Timestamp,
    width: usize,
) -> CommandResult {
    let lines: RefCell<Vec<String>> = RefCell::new(Vec::new());
    let push = |l: String| -> CommandResult {
        lines.borrow_mut().extend(l.split('\n').map(str::to_owned));
        Ok(())
    };
    render(ui, report, day, now, &push)?;
    // Items (indented lines) wrap under themselves; tables and headings are cut.
    for l in lines.into_inner() {
        if l.starts_with("  ") {
            for piece in status::wrap(&l, width, 6) {
                ui.line(piece)?;
            }
        } else {
            ui.line(status::fit(&l, width))?;
        }
    }
    Ok(())
}

fn render(
    ui: &Ui,
    report: &status::Report,
    day: &Day,
    now: Timestamp,
    line: &dyn Fn(String) -> CommandResult,
) -> CommandResult {
    let style = match day.go_no_go.colour {
        Colour::Green => Style::Green,
        Colour::Yellow => Style::Yellow,
        Colour::Red => Style::Red,
    };
    let verdict = status::verdict(day);
    line(ui.paint(style, &verdict).into_owned())?;
    for r in &day.go_no_go.reasons {
        line(format!("  - {}", sanitize_line(r)))?;
    }
    line(String::new())?;
    let p = &report.progress;
    line(format!(
        "{}  {}/{} tasks, {} of {} ({}%)",
        ui.paint(Style::Bold, "Progress"),
        p.tasks_done,
        p.tasks_total,
        format_hours(p.hours_done),
        format_hours(p.hours_total),
        p.percent
    ))?;
    line(String::new())?;
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
    line(table(&rows).trim_end().to_owned())?;
    line(String::new())?;
    let path: Vec<&str> = report
        .critical_path
        .tasks
        .iter()
        .map(|t| t.as_str())
        .collect();
    line(format!(
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
            line(format!("\n{}", ui.paint(Style::Bold, title)))?;
            for l in lines {
                line(format!("  {l}"))?;
            }
        }
        Ok(())
    };
    section("Forecast", status::forecast_lines(&day.forecast))?;
    section(
        "Blocked",
        day.blockers
            .iter()
            .map(|b| {
                let age = status::blocker_age(b);
                format!(
                    "{}  {}  ({}): {}; {}",
                    b.id,
                    sanitize_line(&b.title),
                    b.assignee
                        .as_ref()
                        .map(|a| a.as_str())
                        .unwrap_or("unassigned"),
                    sanitize_line(b.reason.as_deref().unwrap_or("no reason given")),
                    if b.past_slo {
                        ui.paint(Style::Red, &age).into_owned()
                    } else {
                        age
                    }
                )
            })
            .collect(),
    )?;
    section(
        "Running past their estimate",
        day.overrunning
            .iter()
            .map(|o| {
                format!(
                    "{}  {}  ({}): {}",
                    o.id,
                    sanitize_line(&o.title),
                    o.assignee
                        .as_ref()
                        .map(|a| a.as_str())
                        .unwrap_or("unassigned"),
                    ui.paint(
                        Style::Yellow,
                        &format!(
                            "{} of {} estimated",
                            format_hours(o.running_hours),
                            format_hours(o.estimate_hours)
                        )
                    )
                )
            })
            .collect(),
    )?;
    section(
        "Today's priorities",
        day.today
            .iter()
            .map(|t| {
                format!(
                    "{}  {}  ({})",
                    t.id,
                    sanitize_line(&t.title),
                    status::fits(t)
                )
            })
            .collect(),
    )?;
    section(
        "Dispatch advice",
        day.advice
            .as_ref()
            .map(status::advice_lines)
            .unwrap_or_default(),
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
                let why = status::milestone_reason(day, &m.id)
                    .map(|r| format!(": {}", sanitize_line(r)))
                    .unwrap_or_default();
                format!(
                    "{}  {}  due {}  {}/{} tasks done  {state}{gate}{why}",
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
