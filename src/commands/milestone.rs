/*!
`git coord milestone …`: add, list and show milestones, with their health (DESIGN §4 records,
§5 milestones).
*/

use std::path::PathBuf;

use clap::Subcommand;
use serde_json::json;

use super::task::{body_flags, due_flag};
use crate::context::Context;
use crate::error::{CommandError, CommandResult};
use crate::model::Timestamp;
use crate::model::gate::{Gate, GateResult};
use crate::model::layout;
use crate::model::milestone::{Milestone, MilestoneStatus, NewMilestone};
use crate::model::time::format_hours;
use crate::ops::OpError;
use crate::ops::milestone::{self, Health, MilestoneReport, MilestoneTask};
use crate::ui::{Style, Ui, body_block, indented, sanitize_line, table};
use crate::view::milestone::MilestoneJson;

/// Plan milestones: due dates, criteria, and whether their tasks will make it
#[derive(Subcommand, Debug)]
pub enum MilestoneCommand {
    Add(AddArgs),
    List(ListArgs),
    Show(ShowArgs),
}

/// Add a milestone
///
/// Creates one milestone record (milestones/m-xxxxxx.md) with a fresh collision-free ID, in
/// one commit. Tasks join it through their own milestone field, set to the milestone's full
/// ID (`task add --milestone m-xxxxxx`). Criteria are shell commands that must all pass for
/// the milestone to be reached; this command stores them and never runs them.
///
/// Examples:
///   git coord milestone add "Beta" --due 2026-12-01 --criterion "cargo test"
///   id=$(git coord milestone add "GA" --due 2027-01-15T12:00:00Z --json | jq -r .id)
///   git coord task add "Release notes" --milestone "$id" --estimate 2h
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct AddArgs {
    /// A one-line title
    pub title: String,
    /// Due date: YYYY-MM-DD (end of that day, UTC) or RFC 3339
    #[arg(long, value_name = "DATE")]
    pub due: String,
    /// A shell command that must pass for the milestone to be reached; repeatable
    #[arg(long, value_name = "CMD")]
    pub criterion: Vec<String>,
    /// The markdown body: scope, notes, links
    #[arg(long, value_name = "TEXT", conflicts_with = "body_file")]
    pub body: Option<String>,
    /// Read the body from a file (- for standard input)
    #[arg(long, value_name = "FILE")]
    pub body_file: Option<PathBuf>,
}

/// List milestones and their health
///
/// One row per milestone, by due date: its open and done tasks, the hours left, its
/// projected finish, and its health. The projected finish is when its last open task can
/// finish at the earliest: now plus the longest chain of remaining work leading to it,
/// including work outside the milestone that it waits for (wall-clock hours, estimates
/// defaulting to 1h or git config coord.defaultEstimate). A milestone is at risk when that
/// is after its due date, or when one of its tasks is stuck on a dependency cycle; it is late
/// when its due date has passed with tasks still open.
///
/// Examples:
///   git coord milestone list
///   git coord milestone list --json | jq -r '.[] | select(.at_risk) | .id'
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct ListArgs {}

/// Show one milestone, its health, its gate decisions and its tasks
///
/// Takes a full ID or any unique prefix of one (with or without `m-`). Its tasks are those
/// whose milestone field is its full ID; each shows when it can finish at the earliest, and
/// `*` marks those on the critical path of all remaining work. The latest gate decisions
/// (`git coord gate`) are listed newest first; JSON carries them all in `gates`, oldest first.
///
/// Examples:
///   git coord milestone show m-4kz9w2
///   git coord milestone show 4kz --json
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct ShowArgs {
    /// Milestone ID or unique prefix
    pub id: String,
}

pub fn run(ctx: &Context, command: MilestoneCommand) -> CommandResult {
    match command {
        MilestoneCommand::Add(a) => add(ctx, a),
        MilestoneCommand::List(a) => list(ctx, a),
        MilestoneCommand::Show(a) => show(ctx, a),
    }
}

fn add(ctx: &Context, args: AddArgs) -> CommandResult {
    let new = NewMilestone {
        title: args.title,
        due: due_flag(ctx, &args.due)?,
        criteria: args.criterion,
        body: body_flags(args.body, args.body_file.as_deref())?.unwrap_or_default(),
    };
    let actor = ctx.actor()?;
    let m = milestone::add(ctx.store()?, &actor, new).map_err(op_error)?;
    if ctx.ui.json {
        ctx.ui.json(&MilestoneJson::new(&m, None, None))?;
    } else {
        ctx.ui.created(
            m.id.as_str(),
            format!(
                "Added {}  {} (due {})",
                ctx.ui.paint(Style::Bold, m.id.as_str()),
                sanitize_line(&m.title),
                m.due
            ),
        )?;
        ctx.ui.info(format!(
            "Add tasks to it with: git coord task add <title> --milestone {}",
            m.id
        ))?;
    }
    Ok(())
}

fn list(ctx: &Context, _args: ListArgs) -> CommandResult {
    let listing = milestone::list(ctx.store()?, ctx.now())?;
    warn(
        &ctx.ui,
        &listing.problems,
        listing.config_warning.as_deref(),
    );
    if ctx.ui.json {
        let items: Vec<MilestoneJson<'_>> = listing
            .items
            .iter()
            .map(|r| MilestoneJson::new(&r.milestone, Some(&r.health), None))
            .collect();
        ctx.ui.json(&items)?;
    } else if listing.items.is_empty() {
        ctx.ui.info(
            "No milestones yet. Add one with `git coord milestone add <title> --due <date>`.",
        )?;
    } else {
        let mut rows = vec![
            ["ID", "DUE", "HEALTH", "TASKS", "LEFT", "FINISH", "TITLE"]
                .map(str::to_owned)
                .to_vec(),
        ];
        for MilestoneReport {
            milestone: m,
            health: h,
        } in &listing.items
        {
            rows.push(vec![
                ctx.ui.paint(Style::Bold, m.id.as_str()).into_owned(),
                m.due.to_string(),
                health_label(&ctx.ui, m, h),
                format!("{} open, {} done", h.open_tasks, h.done_tasks),
                format_hours(h.hours_remaining),
                h.projected_finish
                    .map(|p| p.to_string())
                    .unwrap_or_else(|| "-".to_owned()),
                sanitize_line(&m.title).into_owned(),
            ]);
        }
        ctx.ui.line(table(&rows).trim_end())?;
    }
    Ok(())
}

fn show(ctx: &Context, args: ShowArgs) -> CommandResult {
    let now = ctx.now();
    let listing = milestone::show(ctx.store()?, &args.id, now)?;
    warn(
        &ctx.ui,
        &listing.problems,
        listing.config_warning.as_deref(),
    );
    let (
        MilestoneReport {
            milestone: m,
            health: h,
        },
        tasks,
    ) = &listing.items;
    if ctx.ui.json {
        ctx.ui.json(&MilestoneJson::new(m, Some(h), Some(tasks)))?;
    } else {
        ctx.ui.line(detail(&ctx.ui, m, h, tasks, now).trim_end())?;
    }
    Ok(())
}

fn warn(ui: &Ui, problems: &[crate::model::RecordError], config: Option<&str>) {
    for p in problems {
        ui.warn(format!("skipped {p}"));
    }
    if let Some(w) = config {
        ui.warn(format!("{w}; using the built-in default"));
    }
}

fn health_label(ui: &Ui, m: &Milestone, h: &Health) -> String {
    let (text, style) = if m.status == MilestoneStatus::Done {
        ("done", Style::Green)
    } else if h.late {
        ("late", Style::Red)
    } else if h.at_risk {
        ("at risk", Style::Red)
    } else if h.open_tasks == 0 {
        ("no open tasks", Style::Dim)
    } else {
        ("on track", Style::Green)
    };
    ui.paint(style, text).into_owned()
}

/// How many gate runs `milestone show` lists.
const SHOWN_GATES: usize = 5;

/// One gate run: `NO-GO 2026-11-22T10:00:00Z by alice: 1 of 2 criteria passed, 1 open task`.
fn gate_line(ui: &Ui, g: &Gate) -> String {
    let style = match g.result {
        GateResult::Go => Style::Green,
        GateResult::NoGo => Style::Red,
    };
    let by =
        g.by.as_ref()
            .map(|a| format!(" by {a}"))
            .unwrap_or_default();
    let open = match g.open_tasks.len() {
        1 => "1 open task".to_owned(),
        n => format!("{n} open tasks"),
    };
    format!(
        "{} {}{by}: {} of {} criteria passed, {open}",
        ui.paint(style, g.result.label()),
        g.at,
        g.passed(),
        g.criteria.len()
    )
}

/// The full view of one milestone.
fn detail(ui: &Ui, m: &Milestone, h: &Health, tasks: &[MilestoneTask], now: Timestamp) -> String {
    let mut rows: Vec<Vec<String>> = Vec::new();
    // A row with no key continues the one above it.
    let mut row = |k: &str, v: String| {
        let key = if k.is_empty() {
            String::new()
        } else {
            format!("{k}:")
        };
        rows.push(vec![key, v]);
    };
    row("status", m.status.to_string());
    row("due", format!("{} ({})", m.due, m.due.ago(now)));
    let mut health = health_label(ui, m, h);
    if let Some(p) = h.projected_finish
        && h.at_risk
        && p > m.due
    {
        let over = (p.unix() - m.due.unix()) as f64 / 3600.0;
        health.push_str(&format!(
            ": projected {} after its due date",
            format_hours(over)
        ));
    }
    if !h.unscheduled.is_empty() {
        let ids: Vec<&str> = h.unscheduled.iter().map(|id| id.as_str()).collect();
        health.push_str(&format!(
            ": {} on a dependency cycle (`git coord doctor`)",
            ids.join(", ")
        ));
    }
    row("health", health);
    row(
        "tasks",
        format!(
            "{} open, {} done, {} cancelled",
            h.open_tasks, h.done_tasks, h.cancelled_tasks
        ),
    );
    row("remaining", format_hours(h.hours_remaining));
    if let Some(p) = h.projected_finish {
        row("projected", format!("{p} ({})", p.ago(now)));
    }
    let mut criteria = m.criteria.iter();
    if let Some(first) = criteria.next() {
        row("criteria", sanitize_line(first).into_owned());
        for c in criteria {
            row("", sanitize_line(c).into_owned());
        }
    }
    // The gate history, newest first; the record keeps all of it.
    for (i, g) in m.gates.iter().rev().take(SHOWN_GATES).enumerate() {
        row(if i == 0 { "gates" } else { "" }, gate_line(ui, g));
    }
    if m.gates.len() > SHOWN_GATES {
        row("", format!("… and {} earlier", m.gates.len() - SHOWN_GATES));
    }
    row("created", m.created.to_string());
    row("updated", m.updated.to_string());
    row("path", layout::milestone_path(&m.id));
    let mut out = format!(
        "{}  {}\n",
        ui.paint(Style::Bold, m.id.as_str()),
        ui.paint(Style::Bold, &sanitize_line(&m.title))
    );
    out.push_str(&indented(&table(&rows), 2));
    if !tasks.is_empty() {
        out.push('\n');
        let mut rows = vec![
            ["", "ID", "STATUS", "LEFT", "FINISH", "TITLE"]
                .map(str::to_owned)
                .to_vec(),
        ];
        for t in tasks {
            rows.push(vec![
                if t.critical { "*" } else { "" }.to_owned(),
                ui.paint(Style::Bold, t.id.as_str()).into_owned(),
                t.status.to_string(),
                format_hours(t.hours),
                t.earliest_finish
                    .map(|f| f.to_string())
                    .unwrap_or_else(|| "-".to_owned()),
                sanitize_line(&t.title).into_owned(),
            ]);
        }
        out.push_str(&indented(&table(&rows), 2));
    }
    out.push_str(&body_block(&m.body));
    out
}

/// An operation's error, naming an invalid field by the flag that sets it (the title by its
/// placeholder).
fn op_error(e: OpError) -> CommandError {
    match e {
        OpError::Invalid(f) => {
            let flag = match f.field {
                "criteria" => "--criterion",
                "due" => "--due",
                "body" => "--body",
                _ => "<TITLE>",
            };
            CommandError::usage(format!("{flag}: {}", f.message))
                .details(json!({ "field": f.field }))
        }
        e => e.into(),
    }
}
