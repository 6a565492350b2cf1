/*!
`status`: the coordinator's screen, as data. A pure function of the records: progress, one
row per agent (with the stale flag), the critical path, blocked tasks and why, today's
priorities, messages waiting too long for a reply, open conflicts, pending decisions, high
risks and the health of open milestones.
*/

use serde::Serialize;

use std::borrow::Cow;

use crate::model::adr::{Adr, AdrStatus};
use crate::model::conflict::{Conflict, ConflictStatus};
use crate::model::message::Message;
use crate::model::milestone::{Milestone, MilestoneStatus};
use crate::model::risk::{Risk, RiskStatus};
use crate::model::time::format_hours;
use crate::model::{Agent, AgentId, Status, Task, TaskId, Timestamp};
use crate::ops::dispatch::Advice;
use crate::ops::forecast::Forecast;
use crate::ops::plan::Work;
use crate::ops::status::{BlockerAge, Day, Priority};
use crate::ui::sanitize_line;

pub struct Input<'a> {
    /// Every task as a row with the schedule and the ready set, and the records the report
    /// prints.
    pub work: Cow<'a, Work>,
    pub agents: &'a [Agent],
    /// Messages that need a reply, have none, and waited longer than `coord.replyWithin`.
    pub overdue_messages: Vec<&'a Message>,
    pub conflicts: &'a [Conflict],
    pub adrs: &'a [Adr],
    pub risks: &'a [Risk],
    pub milestones: &'a [Milestone],
    pub now: Timestamp,
    pub stale_after_secs: i64,
    pub default_hours: f64,
}

impl<'a> Input<'a> {
    /// The report's input from what `ops::status::load` read (every face builds it so).
    pub fn of(state: &'a crate::ops::status::State) -> Input<'a> {
        Input {
            work: Cow::Borrowed(&state.work),
            agents: &state.agents,
            overdue_messages: state.overdue_messages.iter().collect(),
            conflicts: &state.conflicts,
            adrs: &state.adrs,
            risks: &state.risks,
            milestones: &state.milestones,
            now: state.now,
            stale_after_secs: state.stale_after_secs,
            default_hours: state.default_hours,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub progress: Progress,
    pub agents: Vec<AgentRow>,
    pub critical_path: CriticalPath,
    pub blocked: Vec<Blocked>,
    /// The best ready tasks, in `ready` order (at most five).
    pub priorities: Vec<Brief>,
    pub overdue_tasks: Vec<Brief>,
    pub overdue_messages: Vec<OverdueMessage>,
    /// Conflicts not resolved yet, oldest first.
    pub open_conflicts: Vec<OpenConflict>,
    /// Proposed ADRs: those with a deadline first, soonest first, then by number.
    pub pending_decisions: Vec<PendingDecision>,
    /// Open risks scoring at least [`HIGH_RISK`] (impact × probability), highest first.
    pub high_risks: Vec<HighRisk>,
    /// Open milestones by due date, with their health.
    pub milestones: Vec<MilestoneRow>,
}

#[derive(Debug, Serialize)]
pub struct MilestoneRow {
    pub id: String,
    pub title: String,
    pub due: Timestamp,
    pub health: super::milestone::Health,
    /// The result of its latest gate ("go" or "no-go"), if one was run.
    pub last_gate: Option<String>,
}

/// The lowest impact × probability (each 1–3) that makes a risk "high" on the status screen:
/// high × medium or worse.
pub const HIGH_RISK: u8 = 6;

#[derive(Debug, Serialize)]
pub struct OpenConflict {
    pub id: String,
    pub title: String,
    pub between: Vec<AgentId>,
    pub created: Timestamp,
}

#[derive(Debug, Serialize)]
pub struct PendingDecision {
    pub number: u32,
    pub title: String,
    pub deadline: Option<Timestamp>,
    /// The deadline has passed.
    pub overdue: bool,
    pub options: usize,
}

#[derive(Debug, Serialize)]
pub struct HighRisk {
    pub id: String,
    pub title: String,
    pub score: u8,
    pub owner: Option<AgentId>,
}

#[derive(Debug, Serialize)]
pub struct Progress {
    pub tasks_done: usize,
    pub tasks_total: usize,
    pub hours_done: f64,
    pub hours_total: f64,
    /// Done hours over all hours, 0–100.
    pub percent: f64,
}

#[derive(Debug, Serialize)]
pub struct AgentRow {
    pub id: AgentId,
    pub role: Option<String>,
    pub status: String,
    pub note: Option<String>,
    /// Tasks in progress or in review.
    pub current: Vec<Brief>,
    pub blocked: Vec<Brief>,
    pub done: usize,
    pub open: usize,
    /// `None`: registered by someone else and never acted.
    pub last_seen: Option<Timestamp>,
    pub stale: bool,
}

#[derive(Debug, Serialize)]
pub struct CriticalPath {
    pub tasks: Vec<TaskId>,
    pub total_hours: f64,
}

#[derive(Debug, Serialize, Clone)]
pub struct Brief {
    pub id: TaskId,
    pub title: String,
}

#[derive(Debug, Serialize)]
pub struct Blocked {
    pub id: TaskId,
    pub title: String,
    pub assignee: Option<AgentId>,
    pub reason: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct OverdueMessage {
    pub id: String,
    pub from: AgentId,
    pub to: String,
    pub subject: String,
    pub sent: Timestamp,
}

fn brief(t: &Task) -> Brief {
    Brief {
        id: t.id.clone(),
        title: t.title.clone(),
    }
}

pub fn build(input: &Input<'_>) -> Report {
    let work = &*input.work;
    let sheet = &work.sheet;
    let mut progress = Progress {
        tasks_done: 0,
        tasks_total: 0,
        hours_done: 0.0,
        hours_total: 0.0,
        percent: 0.0,
    };
    // Per assignee (by name index): done and open tasks, and the rows in hand and blocked.
    let mut per: Vec<(usize, usize, Vec<usize>, Vec<usize>)> =
        vec![(0, 0, Vec::new(), Vec::new()); sheet.names().len()];
    // Folded from +0.0: `sum()` of no floats is -0.0, which JSON and the screen would show.
    for row in 0..sheet.len() {
        let status = sheet.status(row);
        if status != Status::Cancelled {
            progress.tasks_total += 1;
            progress.hours_total += sheet.hours(row);
            if status == Status::Done {
                progress.tasks_done += 1;
                progress.hours_done += sheet.hours(row);
            }
        }
        if let Some(p) = per.get_mut(sheet.assignee_index(row) as usize) {
            match status {
                Status::Done => p.0 += 1,
                Status::Cancelled => {}
                Status::InProgress | Status::Review => p.2.push(row),
                Status::Blocked => p.3.push(row),
                Status::Todo => {}
            }
            if !status.is_closed() {
                p.1 += 1;
            }
        }
    }
    if progress.hours_total > 0.0 {
        progress.percent = (progress.hours_done / progress.hours_total * 1000.0).round() / 10.0;
    }
    let briefs = |rows: &[usize]| -> Vec<Brief> {
        rows.iter()
            .filter_map(|&r| work.task(r))
            .map(brief)
            .collect()
    };
    let none = (0, 0, Vec::new(), Vec::new());
    let agents = input
        .agents
        .iter()
        .map(|a| {
            let mine = sheet
                .name_index(a.id.as_str())
                .and_then(|i| per.get(i as usize))
                .unwrap_or(&none);
            AgentRow {
                id: a.id.clone(),
                role: a.role.clone(),
                status: a.status.clone(),
                note: a.note.clone(),
                current: briefs(&mine.2),
                blocked: briefs(&mine.3),
                done: mine.0,
                open: mine.1,
                last_seen: a.last_seen,
                stale: input.now.unix() - a.last_active().unix() > input.stale_after_secs,
            }
        })
        .collect();
    let priorities = work
        .ready
        .iter()
        .take(crate::ops::status::PRIORITIES)
        .filter_map(|r| work.task(r.index))
        .map(brief)
        .collect();
    let blocked = (0..sheet.len())
        .filter(|&r| sheet.status(r) == Status::Blocked)
        .filter_map(|r| work.task(r))
        .map(|t| Blocked {
            id: t.id.clone(),
            title: t.title.clone(),
            assignee: t.assignee.clone(),
            reason: t.blocked_reason.clone(),
        })
        .collect();
    let overdue_tasks = (0..sheet.len())
        .filter(|&r| {
            !sheet.status(r).is_closed() && sheet.due(r).is_some_and(|d| d < input.now.unix())
        })
        .filter_map(|r| work.task(r))
        .map(brief)
        .collect();
    let overdue_messages = input
        .overdue_messages
        .iter()
        .map(|m| OverdueMessage {
            id: m.id.to_string(),
            from: m.from.clone(),
            to: m.to.to_string(),
            subject: m.subject.clone(),
            sent: m.sent,
        })
        .collect();
    let open_conflicts = input
        .conflicts
        .iter()
        .filter(|c| c.status == ConflictStatus::Open)
        .map(|c| OpenConflict {
            id: c.id.to_string(),
            title: c.title.clone(),
            between: c.between.clone(),
            created: c.created,
        })
        .collect();
    let mut proposed: Vec<&Adr> = input
        .adrs
        .iter()
        .filter(|a| a.status == AdrStatus::Proposed)
        .collect();
    proposed.sort_by_key(|a| (a.deadline.is_none(), a.deadline, a.number));
    let pending_decisions = proposed
        .into_iter()
        .map(|a| PendingDecision {
            number: a.number.get(),
            title: a.title.clone(),
            deadline: a.deadline,
            overdue: a.deadline.is_some_and(|d| d < input.now),
            options: a.options.len(),
        })
        .collect();
    let mut risks: Vec<&Risk> = input
        .risks
        .iter()
        .filter(|r| r.status == RiskStatus::Open && r.score() >= HIGH_RISK)
        .collect();
    risks.sort_by(|a, b| b.score().cmp(&a.score()).then(a.created.cmp(&b.created)));
    let high_risks = risks
        .into_iter()
        .map(|r| HighRisk {
            id: r.id.to_string(),
            title: r.title.clone(),
            score: r.score(),
            owner: r.owner.clone(),
        })
        .collect();
    let mut open: Vec<&Milestone> = input
        .milestones
        .iter()
        .filter(|m| m.status == MilestoneStatus::Open)
        .collect();
    open.sort_by(|a, b| (a.due, &a.id).cmp(&(b.due, &b.id)));
    let milestones = open
        .into_iter()
        .map(|m| MilestoneRow {
            id: m.id.to_string(),
            title: m.title.clone(),
            due: m.due,
            health: super::milestone::health(m, sheet, input.now),
            last_gate: m.gates.last().map(|g| g.result.to_string()),
        })
        .collect();
    Report {
        progress,
        agents,
        critical_path: CriticalPath {
            tasks: sheet
                .critical_path()
                .iter()
                .map(|&r| sheet.task_id(r as usize))
                .collect(),
            total_hours: sheet.total_hours(),
        },
        blocked,
        priorities,
        overdue_tasks,
        overdue_messages,
        open_conflicts,
        pending_decisions,
        high_risks,
        milestones,
    }
}

/// Marks the milestones the capacity forecast finds at risk (their work does not fit before
/// the due date on the agents available): the critical path alone assumes a worker per task
/// and would call them on track while every agent is stale.
pub fn apply_forecast(report: &mut Report, day: &Day) {
    for row in &mut report.milestones {
        if let Some(f) = day.forecast.milestones.iter().find(|f| f.id == row.id) {
            row.health.at_risk |= f.at_risk;
            row.health.late |= f.late;
        }
    }
}

/// Cuts `line` to `width` display columns, ending it with `…` when cut; colour escapes take no
/// room and a cut inside colour ends with a reset.
pub fn fit(line: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let mut visible = 0;
    let mut in_escape = false;
    for c in line.chars() {
        match (in_escape, c) {
            (false, '\u{1b}') => in_escape = true,
            (true, 'm') => in_escape = false,
            (true, _) => {}
            (false, c) => visible += c.width().unwrap_or(0),
        }
    }
    if visible <= width || width == 0 {
        return line.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    let mut coloured = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // An SGR sequence `ESC [ … m`: copied whole, zero width.
            out.push(c);
            for d in chars.by_ref() {
                out.push(d);
                if d == 'm' {
                    break;
                }
            }
            coloured = true;
            continue;
        }
        let w = c.width().unwrap_or(0);
        if used + w > width - 1 {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    if coloured {
        out.push_str("\u{1b}[0m");
    }
    out
}

/// Breaks `line` at spaces so that no piece is wider than `width` display columns; pieces
/// after the first are indented by `indent` spaces. A word wider than the width is cut
/// ([`fit`]). Colour escapes take no room.
pub fn wrap(line: &str, width: usize, indent: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthChar;
    let visible = |s: &str| {
        let mut n = 0;
        let mut in_escape = false;
        for c in s.chars() {
            match (in_escape, c) {
                (false, '\u{1b}') => in_escape = true,
                (true, 'm') => in_escape = false,
                (true, _) => {}
                (false, c) => n += c.width().unwrap_or(0),
            }
        }
        n
    };
    if width == 0 || visible(line) <= width {
        return vec![line.to_owned()];
    }
    let lead = line.len() - line.trim_start_matches(' ').len();
    let mut out: Vec<String> = Vec::new();
    let mut current = line[..lead].to_owned();
    let mut used = lead;
    let mut empty = true;
    for word in line[lead..].split(' ') {
        let w = visible(word);
        if !empty && used + 1 + w > width {
            out.push(current);
            current = " ".repeat(indent);
            used = indent;
            empty = true;
        }
        if !empty {
            current.push(' ');
            used += 1;
        }
        current.push_str(word);
        used += w;
        empty = false;
    }
    out.push(current);
    out.into_iter().map(|l| fit(&l, width)).collect()
}

/// One line of the go/no-go verdict: `YELLOW: 2 reasons` and so on.
pub fn verdict(day: &Day) -> String {
    let g = &day.go_no_go;
    match g.reasons.len() {
        0 => format!(
            "{}: nothing late, at risk, stale or past its SLO",
            g.colour.label()
        ),
        1 => format!("{}: 1 reason", g.colour.label()),
        n => format!("{}: {n} reasons", g.colour.label()),
    }
}

/// How a blocker reads: `blocked 5h (SLO 2h, past it)`.
pub fn blocker_age(b: &BlockerAge) -> String {
    format!(
        "blocked {} (SLO {}{})",
        format_hours(b.age_hours),
        format_hours(b.slo_hours),
        if b.past_slo { ", past it" } else { "" }
    )
}

/// Who a priority fits: `fits ana, bo` or `nobody available fits (rust)`.
pub fn fits(p: &Priority) -> String {
    if p.fits.is_empty() {
        if p.expertise.is_empty() {
            "nobody available".to_owned()
        } else {
            format!("nobody available fits ({})", p.expertise.join(", "))
        }
    } else {
        let names: Vec<&str> = p.fits.iter().map(|a| a.as_str()).collect();
        format!("fits {}", names.join(", "))
    }
}

fn date(t: Timestamp) -> String {
    t.datetime().format("%Y-%m-%d %H:%M UTC").to_string()
}

/// Why the forecast finds milestone `id` at risk or late, if it does.
pub fn milestone_reason<'a>(day: &'a Day, id: &str) -> Option<&'a str> {
    day.forecast
        .milestones
        .iter()
        .find(|m| m.id == id)
        .and_then(|m| m.reason.as_deref())
}

/// The forecast's lines: when the work and the critical path finish on the agents available,
/// and the work nobody available can do. (Each milestone's verdict is on its own line in the
/// milestones section.)
pub fn forecast_lines(f: &Forecast) -> Vec<String> {
    let mut lines = Vec::new();
    let agents = match f.available.len() {
        0 => "no available agent".to_owned(),
        1 => "1 available agent".to_owned(),
        n => format!("{n} available agents"),
    };
    match f.finish {
        Some(at) => lines.push(format!(
            "on {agents}: all staffed work done {} ({}), critical path done {}",
            date(at),
            format_hours(f.finish_hours),
            f.critical_path_finish
                .map_or("never (unstaffed)".to_owned(), date)
        )),
        None => lines.push(format!("on {agents}: nothing can be scheduled")),
    }
    for u in &f.unstaffed {
        lines.push(format!("{}  unstaffed: {}", u.id, u.reason));
    }
    lines
}

/// The dispatch advice as lines (DESIGN §8): ready work nobody available can take (the
/// `spawn` to run), idle agents nothing ready fits, the moves `rebalance` would make, and how
/// much `dispatch` would hand out now. Empty when the queues need nothing.
pub fn advice_lines(a: &Advice) -> Vec<String> {
    let mut out = Vec::new();
    if a.dispatchable > 0 {
        out.push(format!(
            "{} ready {} can go out now: git coord dispatch",
            a.dispatchable,
            if a.dispatchable == 1 { "task" } else { "tasks" }
        ));
    }
    for s in &a.spawn {
        out.push(format!(
            "{} ready {} for {}, and no available agent has it: {}",
            s.ready,
            if s.ready == 1 { "task" } else { "tasks" },
            if s.expertise.is_empty() {
                "no expertise".to_owned()
            } else {
                sanitize_line(&s.expertise.join(",")).into_owned()
            },
            sanitize_line(&s.command)
        ));
    }
    // An idle agent a move below would give work is not advice to find it work.
    let ids: Vec<&str> = a
        .idle
        .iter()
        .filter(|i| !a.moves.iter().any(|m| &m.to == *i))
        .map(|i| i.as_str())
        .collect();
    if !ids.is_empty() {
        out.push(format!(
            "idle, nothing ready fits: {} (add work for their expertise or retire them)",
            ids.join(", ")
        ));
    }
    for m in &a.moves {
        out.push(format!(
            "move {} from {} ({}) to {}: {}",
            m.task,
            m.from.as_ref().map(|f| f.as_str()).unwrap_or("nobody"),
            sanitize_line(m.reason.as_deref().unwrap_or("overloaded")),
            m.to,
            sanitize_line(&m.command)
        ));
    }
    if !a.moves.is_empty() {
        out.push("or all of them at once: git coord rebalance".to_owned());
    }
    out
}

/// The status screen as markdown (`status --format markdown`): the same content as the
/// terminal screen, for an issue, a chat message or a wiki.
pub fn markdown(report: &Report, day: &Day, now: Timestamp) -> String {
    use std::fmt::Write;
    let cell = |s: &str| sanitize_line(s).replace('|', "\\|");
    let mut out = String::new();
    let g = &day.go_no_go;
    let _ = writeln!(out, "# Status: {}\n", g.colour.label());
    let _ = writeln!(out, "_{}_\n", date(now));
    for r in &g.reasons {
        let _ = writeln!(out, "- {}", cell(r));
    }
    if !g.reasons.is_empty() {
        out.push('\n');
    }
    let p = &report.progress;
    let _ = writeln!(
        out,
        "**Progress:** {}/{} tasks, {} of {} ({}%)\n",
        p.tasks_done,
        p.tasks_total,
        format_hours(p.hours_done),
        format_hours(p.hours_total),
        p.percent
    );
    let _ = writeln!(
        out,
        "| agent | role | status | current | blocked | last seen |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    for a in &report.agents {
        let ids = |v: &[Brief]| {
            let ids: Vec<&str> = v.iter().map(|t| t.id.as_str()).collect();
            if ids.is_empty() {
                "-".to_owned()
            } else {
                ids.join(", ")
            }
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            a.id,
            cell(a.role.as_deref().unwrap_or("-")),
            if a.stale {
                "**stale**".to_owned()
            } else {
                cell(&a.status)
            },
            ids(&a.current),
            ids(&a.blocked),
            crate::model::time::seen_ago(a.last_seen, now)
        );
    }
    let path: Vec<&str> = report
        .critical_path
        .tasks
        .iter()
        .map(|t| t.as_str())
        .collect();
    let _ = writeln!(
        out,
        "\n**Critical path:** {} remaining: {}",
        format_hours(report.critical_path.total_hours),
        if path.is_empty() {
            "nothing open".to_owned()
        } else {
            path.join(" → ")
        }
    );
    let mut section = |title: &str, lines: Vec<String>| {
        if !lines.is_empty() {
            let _ = writeln!(out, "\n## {title}\n");
            for l in lines {
                let _ = writeln!(out, "- {l}");
            }
        }
    };
    section(
        "Forecast",
        forecast_lines(&day.forecast)
            .iter()
            .map(|l| cell(l))
            .collect(),
    );
    section(
        "Blocked",
        day.blockers
            .iter()
            .map(|b| {
                format!(
                    "{}  {}  ({}): {}; {}",
                    b.id,
                    cell(&b.title),
                    b.assignee.as_ref().map_or("unassigned", |a| a.as_str()),
                    cell(b.reason.as_deref().unwrap_or("no reason given")),
                    blocker_age(b)
                )
            })
            .collect(),
    );
    section(
        "Running past their estimate",
        day.overrunning
            .iter()
            .map(|o| {
                format!(
                    "{}  {}  ({}): {} of {} estimated",
                    o.id,
                    cell(&o.title),
                    o.assignee.as_ref().map_or("unassigned", |a| a.as_str()),
                    format_hours(o.running_hours),
                    format_hours(o.estimate_hours)
                )
            })
            .collect(),
    );
    section(
        "Today's priorities",
        day.today
            .iter()
            .map(|t| format!("{}  {}  ({})", t.id, cell(&t.title), fits(t)))
            .collect(),
    );
    section(
        "Dispatch advice",
        day.advice
            .as_ref()
            .map(advice_lines)
            .unwrap_or_default()
            .iter()
            .map(|l| cell(l))
            .collect(),
    );
    section(
        "Overdue",
        report
            .overdue_tasks
            .iter()
            .map(|t| format!("{}  {}", t.id, cell(&t.title)))
            .collect(),
    );
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
                    cell(&m.to),
                    cell(&m.subject),
                    m.sent.ago(now)
                )
            })
            .collect(),
    );
    section(
        "Milestones",
        report
            .milestones
            .iter()
            .map(|m| {
                let h = &m.health;
                let state = if h.late {
                    "LATE"
                } else if h.at_risk {
                    "AT RISK"
                } else {
                    "on track"
                };
                let gate = m
                    .last_gate
                    .as_deref()
                    .map(|g| format!(", last gate {}", g.to_uppercase()))
                    .unwrap_or_default();
                let why = milestone_reason(day, &m.id)
                    .map(|r| format!(": {}", cell(r)))
                    .unwrap_or_default();
                format!(
                    "{}  {}  due {}  {}/{} tasks done  {state}{gate}{why}",
                    m.id,
                    cell(&m.title),
                    m.due.datetime().format("%Y-%m-%d"),
                    h.done_tasks,
                    h.done_tasks + h.open_tasks
                )
            })
            .collect(),
    );
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
                    cell(&c.title),
                    between.join(" vs "),
                    c.created.ago(now)
                )
            })
            .collect(),
    );
    section(
        "Pending decisions",
        report
            .pending_decisions
            .iter()
            .map(|d| {
                format!(
                    "ADR-{:04}  {}  ({} option(s))",
                    d.number,
                    cell(&d.title),
                    d.options
                )
            })
            .collect(),
    );
    section(
        "High risks",
        report
            .high_risks
            .iter()
            .map(|r| {
                format!(
                    "{}  {}  (score {}, owner {})",
                    r.id,
                    cell(&r.title),
                    r.score,
                    r.owner.as_ref().map_or("nobody", |a| a.as_str())
                )
            })
            .collect(),
    );
    out
}

#[cfg(test)]
mod tests {
    //! The status screen as people see it, rendered through a captured [`Ui`] at a fixed time:
    //! the report is built from records made in memory, then printed as `git coord status`
    //! prints it.
    //!
    //! [`Ui`]: crate::ui::Ui

    use super::*;
    use crate::model::adr::{AdrNumber, NewAdr};
    use crate::model::conflict::NewConflict;
    use crate::model::message::{Kind, MessageId, Recipient};
    use crate::model::milestone::{MilestoneId, NewMilestone};
    use crate::model::risk::{Level, NewRisk};
    use crate::model::{ConflictId, NewTask, RiskId};
    use crate::ui::Ui;

    fn now() -> Timestamp {
        Timestamp::parse_rfc3339("2026-11-21T10:00:00Z").unwrap()
    }

    /// `secs` seconds from now (negative: ago).
    fn at(secs: i64) -> Timestamp {
        Timestamp::from_unix(now().unix() + secs).unwrap()
    }

    fn agent(name: &str) -> AgentId {
        AgentId::parse(name).unwrap()
    }

    fn task(id: &str, title: &str, hours: f64, deps: &[&Task]) -> Task {
        Task::new(
            TaskId::parse(id).unwrap(),
            NewTask {
                title: title.to_owned(),
                estimate_hours: Some(hours),
                depends_on: deps.iter().map(|d| d.id.clone()).collect(),
                ..NewTask::default()
            },
            at(-86_400),
        )
        .unwrap()
    }

    /// Renders `input` as `git coord status` does, without colour unless asked.
    fn screen(input: &Input<'_>, color: bool) -> String {
        let mut report = build(input);
        let day = crate::ops::status::assess(&state(input));
        apply_forecast(&mut report, &day);
        let (ui, captured) = Ui::captured(false, false, color);
        crate::commands::status::print(&ui, &report, &day, input.now, 100).unwrap();
        assert_eq!(captured.err.text(), "", "the screen prints no warnings");
        captured.out.text()
    }

    /// The state `input` was made from, as `ops::status::load` would have read it.
    fn state(input: &Input<'_>) -> crate::ops::status::State {
        crate::ops::status::State {
            work: input.work.clone().into_owned(),
            agents: input.agents.to_vec(),
            overdue_messages: input
                .overdue_messages
                .iter()
                .map(|m| (*m).clone())
                .collect(),
            conflicts: input.conflicts.to_vec(),
            risks: input.risks.to_vec(),
            adrs: input.adrs.to_vec(),
            milestones: input.milestones.to_vec(),
            problems: Vec::new(),
            now: input.now,
            stale_after_secs: input.stale_after_secs,
            default_hours: input.default_hours,
            slos: crate::ops::status::DEFAULT_SLOS,
            reply_within_secs: 4 * 3600,
            advice: None,
        }
    }

    /// A project in flight: done, running, blocked and waiting work, two agents (one gone
    /// quiet), a question unanswered for five hours, an open conflict, a decision past its
    /// deadline, a high risk and a milestone that cannot be met.
    struct Project {
        tasks: Vec<Task>,
        agents: Vec<Agent>,
        messages: Vec<Message>,
        conflicts: Vec<Conflict>,
        adrs: Vec<Adr>,
        risks: Vec<Risk>,
        milestones: Vec<Milestone>,
    }

    impl Project {
        fn new() -> Project {
            let mut schema = task("t-aaaaaa", "Schema", 2.0, &[]);
            schema.status = Status::Done;
            schema.assignee = Some(agent("alice"));
            let mut pool = task("t-bbbbbb", "Connection pool", 3.0, &[&schema]);
            pool.status = Status::InProgress;
            pool.assignee = Some(agent("alice"));
            pool.milestone = Some("m-aaaaaa".to_owned());
            let mut api = task("t-cccccc", "REST API", 5.0, &[&pool]);
            api.milestone = Some("m-aaaaaa".to_owned());
            let mut ui = task("t-dddddd", "Login form", 1.5, &[]);
            ui.status = Status::Blocked;
            ui.assignee = Some(agent("bob"));
            ui.blocked_reason = Some("waiting for the API".to_owned());
            let mut docs = task("t-eeeeee", "Write the guide", 0.5, &[]);
            docs.due = Some(at(-3600));
            let mut dropped = task("t-ffffff", "Old idea", 8.0, &[]);
            dropped.status = Status::Cancelled;

            let mut alice = Agent::new(agent("alice"), at(-86_400));
            alice.role = Some("backend".to_owned());
            alice.saw(at(-600));
            let mut bob = Agent::new(agent("bob"), at(-86_400));
            bob.saw(at(-5 * 3600));

            let mut question = Message::new(
                MessageId::parse("m-qqqqqq").unwrap(),
                agent("bob"),
                Recipient::Agent(agent("alice")),
                "Which auth scheme?".to_owned(),
                Kind::Question,
                at(-5 * 3600),
            );
            question.needs_reply = true;

            let conflict = Conflict::new(
                ConflictId::parse("c-aaaaaa").unwrap(),
                NewConflict {
                    title: "Both edit src/db.rs".to_owned(),
                    between: vec![agent("alice"), agent("bob")],
                    about: vec!["src/db.rs".to_owned()],
                    body: String::new(),
                },
                agent("alice"),
                at(-2 * 3600),
            )
            .unwrap();
            let mut adr = Adr::new(
                AdrNumber::new(7).unwrap(),
                &NewAdr {
                    title: "Use Postgres".to_owned(),
                    deadline: Some(at(-86_400)),
                    ..NewAdr::default()
                },
                at(-3 * 86_400),
            )
            .unwrap();
            let option = |name: &str| crate::model::adr::AdrOption {
                name: name.to_owned(),
                pros: Vec::new(),
                cons: Vec::new(),
                effort: None,
            };
            adr.options = vec![option("Postgres"), option("SQLite")];
            let risk = Risk::new(
                RiskId::parse("r-aaaaaa").unwrap(),
                NewRisk {
                    title: "Vendor API rate limits".to_owned(),
                    impact: Level::High,
                    probability: Level::High,
                    mitigation: None,
                    owner: Some(agent("alice")),
                    body: String::new(),
                },
                at(-86_400),
            )
            .unwrap();
            let beta = Milestone::new(
                MilestoneId::parse("m-aaaaaa").unwrap(),
                NewMilestone {
                    title: "Beta".to_owned(),
                    due: at(4 * 3600),
                    criteria: Vec::new(),
                    body: String::new(),
                },
                at(-86_400),
            )
            .unwrap();
            Project {
                tasks: vec![schema, pool, api, ui, docs, dropped],
                agents: vec![alice, bob],
                messages: vec![question],
                conflicts: vec![conflict],
                adrs: vec![adr],
                risks: vec![risk],
                milestones: vec![beta],
            }
        }

        fn input(&self) -> Input<'_> {
            Input {
                work: Cow::Owned(Work::of(self.tasks.clone(), 1.0)),
                agents: &self.agents,
                overdue_messages: self.messages.iter().collect(),
                conflicts: &self.conflicts,
                adrs: &self.adrs,
                risks: &self.risks,
                milestones: &self.milestones,
                now: now(),
                stale_after_secs: 2 * 3600,
                default_hours: 1.0,
            }
        }
    }

    #[test]
    fn the_screen_of_a_project_in_flight() {
        let project = Project::new();
        insta::assert_snapshot!(screen(&project.input(), false), @r#"
        YELLOW: 5 reasons
          - milestone m-aaaaaa "Beta" is at risk: 8h of work on 1 available agent finishes 2026-11-21 20:00
              UTC, after its due date 2026-11-21 14:00 UTC
          - t-dddddd "Login form" blocked for 24h, past its 2h SLO (blockers)
          - ADR-0007 "Use Postgres" undecided for 72h, past its 24h SLO (decisions)
          - m-qqqqqq "Which auth scheme?" unanswered for 5h, past its 4h SLO (messages)
          - 1 agent(s) stale (unseen for more than 2h): bob

        Progress  1/5 tasks, 2h of 12h (16.7%)

        AGENT  ROLE     STATUS  CURRENT   BLOCKED   LAST SEEN
        alice  backend  active  t-bbbbbb  -         10m ago
        bob    -        stale   -         t-dddddd  5h ago

        Critical path  8h remaining: t-bbbbbb → t-cccccc

        Forecast
          on 1 available agent: all staffed work done 2026-11-21 20:00 UTC (10h), critical path done
              2026-11-21 20:00 UTC

        Blocked
          t-dddddd  Login form  (bob): waiting for the API; blocked 24h (SLO 2h, past it)

        Today's priorities
          t-eeeeee  Write the guide  (fits alice)

        Overdue
          t-eeeeee  Write the guide

        Waiting for a reply
          m-qqqqqq  bob → alice: Which auth scheme? (5h ago)

        Milestones
          m-aaaaaa  Beta  due 2026-11-21  0/2 tasks done  AT RISK: 8h of work on 1 available agent finishes
              2026-11-21 20:00 UTC, after its due date 2026-11-21 14:00 UTC

        Open conflicts
          c-aaaaaa  Both edit src/db.rs  (alice vs bob, opened 2h ago)

        Pending decisions
          ADR-0007  Use Postgres  (2 option(s), deadline passed 1d ago)

        High risks
          r-aaaaaa  Vendor API rate limits  (score 9, owner alice)
        "#);
    }

    #[test]
    fn an_empty_project() {
        let input = Input {
            work: Cow::Owned(Work::of(Vec::new(), 1.0)),
            agents: &[],
            overdue_messages: Vec::new(),
            conflicts: &[],
            adrs: &[],
            risks: &[],
            milestones: &[],
            now: now(),
            stale_after_secs: 2 * 3600,
            default_hours: 1.0,
        };
        insta::assert_snapshot!(screen(&input, false), @r"
        GREEN: nothing late, at risk, stale or past its SLO

        Progress  0/0 tasks, 0h of 0h (0%)

        AGENT  ROLE  STATUS  CURRENT  BLOCKED  LAST SEEN

        Critical path  0h remaining: nothing open

        Forecast
          on no available agent: nothing can be scheduled
        ");
    }

    #[test]
    fn colour_marks_headings_agents_staleness_blockers_and_lateness() {
        let project = Project::new();
        let mut input = project.input();
        input.overdue_messages.clear();
        // The escape character shown as ␛, so the snapshot stays plain text.
        let out = screen(&input, true).replace('\u{1b}', "␛");
        insta::assert_snapshot!(out, @r#"
        ␛[33mYELLOW: 4 reasons␛[0m
          - milestone m-aaaaaa "Beta" is at risk: 8h of work on 1 available agent finishes 2026-11-21 20:00
              UTC, after its due date 2026-11-21 14:00 UTC
          - t-dddddd "Login form" blocked for 24h, past its 2h SLO (blockers)
          - ADR-0007 "Use Postgres" undecided for 72h, past its 24h SLO (decisions)
          - 1 agent(s) stale (unseen for more than 2h): bob

        ␛[1mProgress␛[0m  1/5 tasks, 2h of 12h (16.7%)

        AGENT  ROLE     STATUS  CURRENT   BLOCKED   LAST SEEN
        ␛[1malice␛[0m  backend  active  t-bbbbbb  -         10m ago
        ␛[1mbob␛[0m    -        ␛[33mstale␛[0m   -         ␛[31mt-dddddd␛[0m  5h ago

        ␛[1mCritical path␛[0m  8h remaining: t-bbbbbb → t-cccccc

        ␛[1mForecast␛[0m
          on 1 available agent: all staffed work done 2026-11-21 20:00 UTC (10h), critical path done
              2026-11-21 20:00 UTC

        ␛[1mBlocked␛[0m
          t-dddddd  Login form  (bob): waiting for the API; ␛[31mblocked 24h (SLO 2h, past it)␛[0m

        ␛[1mToday's priorities␛[0m
          t-eeeeee  Write the guide  (fits alice)

        ␛[1mOverdue␛[0m
          t-eeeeee  Write the guide

        ␛[1mMilestones␛[0m
          m-aaaaaa  Beta  due 2026-11-21  0/2 tasks done  ␛[33mAT RISK␛[0m: 8h of work on 1 available agent finishes
              2026-11-21 20:00 UTC, after its due date 2026-11-21 14:00 UTC

        ␛[1mOpen conflicts␛[0m
          c-aaaaaa  Both edit src/db.rs  (alice vs bob, opened 2h ago)

        ␛[1mPending decisions␛[0m
          ADR-0007  Use Postgres  (2 option(s), ␛[31mdeadline passed 1d ago␛[0m)

        ␛[1mHigh risks␛[0m
          r-aaaaaa  Vendor API rate limits  (score 9, owner alice)
        "#);
    }

    #[test]
    fn long_lines_wrap_under_themselves_and_cut_keeps_colour_closed() {
        assert_eq!(
            wrap("  - one two three four", 12, 6),
            ["  - one two", "      three", "      four"]
        );
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("\u{1b}[1mabcdef\u{1b}[0m", 4), "\u{1b}[1mabc…\u{1b}[0m");
        assert_eq!(fit("short", 10), "short");
    }

    #[test]
    fn record_text_cannot_reach_the_terminal_raw() {
        let mut project = Project::new();
        project.tasks[3].title = "Login\u{1b}[2J form\u{202e}".to_owned();
        project.tasks[3].blocked_reason = Some("API\rfake line".to_owned());
        project.agents[0].role = Some("back\u{1b}[31mend".to_owned());
        let out = screen(&project.input(), false);
        for raw in ['\u{1b}', '\u{202e}', '\r'] {
            assert!(!out.contains(raw), "{raw:?} in {out}");
        }
        assert!(out.contains("Login\\u{1b}[2J form\\u{202e}"), "{out}");
    }

    /// What `status --json` prints of `state`: the report, the day (with the forecast's
    /// slots) and the advice.
    fn screen_json(state: &crate::ops::status::State) -> serde_json::Value {
        let day = crate::ops::status::assess(state);
        let mut report = build(&Input::of(state));
        apply_forecast(&mut report, &day);
        serde_json::to_value(crate::view::status::StatusJson {
            report: &report,
            day: &day,
            advice: day.advice.as_ref(),
        })
        .expect("the status JSON")
    }

    /// A screen state decodes only the rows it prints, and says exactly what a state with
    /// every record decoded says: a random plan with every status, assignees registered or
    /// not, fresh, stale and offline agents, expertise, dependencies, due dates and
    /// milestones, at several seeds.
    #[test]
    fn the_screen_load_says_what_the_full_load_says() {
        use crate::clock::Clock;
        use crate::model::agent::Agent;
        use crate::model::milestone::{Milestone, MilestoneId, NewMilestone};
        use crate::model::{NewTask, Status, Task, TaskId, layout};
        use crate::ops::testing::{Repo, agent, at};
        use crate::session::Session;
        for seed in [1u64, 7, 42] {
            let repo = Repo::init();
            let mut rng = seed;
            let mut next = |n: u64| {
                rng = rng
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (rng >> 33) % n
            };
            let mut edits = Vec::new();
            let mut ids: Vec<TaskId> = Vec::new();
            let statuses = [
                Status::Todo,
                Status::Todo,
                Status::Todo,
                Status::InProgress,
                Status::Review,
                Status::Blocked,
                Status::Done,
                Status::Cancelled,
            ];
            let names = ["ana", "bo", "cy", "ghost"];
            let tags = ["rust", "sql", "docs"];
            for n in 0..80 {
                let id = TaskId::parse(&format!("t-{n:06}")).expect("ID");
                let mut t = Task::new(
                    id.clone(),
                    NewTask {
                        title: format!("task {n}"),
                        priority: Some(next(4) as u8),
                        estimate_hours: (next(3) > 0).then(|| 1.0 + next(8) as f64),
                        expertise: (0..next(3))
                            .map(|_| tags[next(3) as usize].to_owned())
                            .collect::<std::collections::BTreeSet<_>>()
                            .into_iter()
                            .collect(),
                        milestone: match next(3) {
                            0 => Some("m-aaaaaa".to_owned()),
                            1 => Some("m-bbbbbb".to_owned()),
                            _ => None,
                        },
                        due: (next(5) == 0).then(|| at(next(4) as i64 * 86_400 - 2 * 86_400)),
                        ..NewTask::default()
                    },
                    at(-(next(100) as i64) * 3600),
                )
                .expect("task");
                t.depends_on = (0..next(3))
                    .filter(|_| !ids.is_empty())
                    .map(|_| ids[next(ids.len() as u64) as usize].clone())
                    .collect();
                t.depends_on.sort();
                t.depends_on.dedup();
                t.status = statuses[next(statuses.len() as u64) as usize];
                // Mostly held when started; a hand edit can leave any task unassigned.
                if (t.status != Status::Todo && next(5) > 0) || next(3) == 0 {
                    t.assignee = Some(agent(names[next(4) as usize]));
                }
                if matches!(t.status, Status::InProgress | Status::Review) {
                    t.claimed = Some(at(-(next(12) as i64) * 3600));
                }
                if t.status == Status::Blocked {
                    t.blocked_reason = Some(format!("waits {n}"));
                }
                edits.push(crate::store::Edit::write(
                    layout::task_path(&id),
                    t.to_text(),
                ));
                ids.push(id);
            }
            for (name, seen, status) in [
                ("ana", 0, "active"),
                ("bo", -5 * 3600, "active"),
                ("cy", 0, "offline"),
            ] {
                let mut a = Agent::new(agent(name), at(-86_400));
                a.saw(at(seen));
                a.status = status.to_owned();
                a.expertise = tags[..=next(3) as usize]
                    .iter()
                    .map(|t| t.to_string())
                    .collect();
                edits.push(crate::store::Edit::write(
                    layout::agent_path(&a.id),
                    a.to_text(),
                ));
            }
            for (id, due) in [("m-aaaaaa", 3 * 3600), ("m-bbbbbb", 30 * 86_400)] {
                let m = Milestone::new(
                    MilestoneId::parse(id).expect("ID"),
                    NewMilestone {
                        title: id.to_owned(),
                        due: at(due),
                        criteria: Vec::new(),
                        body: String::new(),
                    },
                    at(-86_400),
                )
                .expect("milestone");
                edits.push(crate::store::Edit::write(
                    layout::milestone_path(&m.id),
                    m.to_text(),
                ));
            }
            repo.hand_edit(&edits);
            let session = || Session::open(repo.reopen(), Clock::fixed(at(0)));
            let full = crate::ops::status::load(&session()).expect("load");
            let screen = crate::ops::status::load_screen(&session()).expect("load the screen");
            assert_eq!(full.work.tasks().len(), 80);
            assert!(
                screen.work.tasks().len() < 80,
                "seed {seed}: the screen decoded every record"
            );
            assert!(full.problems.is_empty(), "{:?}", full.problems);
            assert_eq!(
                screen_json(&screen),
                screen_json(&full),
                "seed {seed}: the screen load and the full load disagree"
            );
            // Not a vacuous comparison: the plan has blocked, running and moved work.
            let json = screen_json(&full);
            for key in ["blocked", "overrunning", "today"] {
                assert!(
                    json[key].as_array().is_some_and(|a| !a.is_empty()),
                    "seed {seed}: no {key}"
                );
            }
        }
    }
}
