//! `adr new`, `adr list`, `adr show` and `adr review`, and how an ADR reads on a terminal
//! (DESIGN §4 records).

use super::{agents_flag, date_flag, number, warn_skipped};
use crate::commands::task::deadline_flag;
use crate::context::Context;
use crate::error::CommandResult;
use crate::model::adr::render::day_or_time;
use crate::model::adr::{AdrStatus, NewAdr};
use crate::ops::adr::{self, AdrView};
use crate::ui::{Style, Ui, body_block, indented, sanitize_line, table};
use crate::view::adr::AdrJson;

/// Propose a new ADR
///
/// Creates adrs/NNNN-slug.md on the coordination branch, in one commit, with the next free
/// number (parallel `adr new` from many agents still gives 1, 2, 3… with no gap or
/// duplicate). The body is rendered from templates/adr.md, or the project's
/// .coord/templates/adr.md (minijinja): Status, Context, Decision, Consequences,
/// Alternatives, Review date. Later commands regenerate the Status, Decision, Alternatives
/// and Review date sections when what they show changes; Context, Consequences and any
/// section you add are yours to edit.
///
/// Examples:
///   git coord adr new "Use Redis for rate limiting" --context "Limits must hold across instances" --deciders lead,state --deadline 2026-12-01
///   n=$(git coord adr new "Adopt gRPC" --review-date 2027-06-01 --json | jq .number)
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct NewArgs {
    /// A one-line title
    pub title: String,
    /// Why a decision is needed: the forces at play (the Context section)
    #[arg(long, value_name = "TEXT")]
    pub context: Option<String>,
    /// The agents who decide; comma-separated or repeated
    #[arg(long, value_name = "AGENTS", value_delimiter = ',')]
    pub deciders: Vec<String>,
    /// The agents whose input is sought; comma-separated or repeated
    #[arg(long, value_name = "AGENTS", value_delimiter = ',')]
    pub input_from: Vec<String>,
    /// When it must be decided: YYYY-MM-DD (end of that day, UTC) or RFC 3339
    #[arg(long, value_name = "DATE")]
    pub deadline: Option<String>,
    /// When to review the decision again: YYYY-MM-DD or RFC 3339 (see `adr review`)
    #[arg(long, value_name = "DATE")]
    pub review_date: Option<String>,
}

pub fn new(ctx: &Context, args: NewArgs) -> CommandResult {
    let new = NewAdr {
        title: args.title,
        context: args.context,
        deciders: agents_flag("--deciders", &args.deciders)?,
        input_from: agents_flag("--input-from", &args.input_from)?,
        deadline: args
            .deadline
            .as_deref()
            .map(|d| deadline_flag(ctx, "--deadline", d))
            .transpose()?,
        review_date: date_flag("--review-date", args.review_date.as_deref())?,
        // `adr::create` records the acting agent.
        proposed_by: None,
    };
    let actor = ctx.actor()?;
    let store = ctx.store()?;
    let template = adr::template(store.workdir());
    let a = adr::create(store, &actor, &new, &template)?;
    if ctx.ui.json {
        let view = AdrView {
            adr: a,
            superseded_by: Vec::new(),
        };
        return Ok(ctx.ui.json(&AdrJson::new(&view))?);
    }
    ctx.ui.created(
        &a.number.to_string(),
        format!(
            "Proposed {}  {}\n  {}",
            ctx.ui.paint(Style::Bold, &a.number.to_string()),
            sanitize_line(&a.title),
            a.path()
        ),
    )?;
    ctx.ui.info(format!(
        "Weigh options with: git coord adr option {} <name> --pros … --cons …",
        a.number.get()
    ))?;
    Ok(())
}

/// List ADRs
///
/// One row per ADR, by number: its status (with what superseded it) and title.
///
/// Examples:
///   git coord adr list
///   git coord adr list --status proposed --json | jq -r '.[] | "\(.number) \(.deadline)"'
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct ListArgs {
    /// Only ADRs with this status: proposed, accepted, rejected, deprecated, superseded
    #[arg(long, value_name = "STATUS")]
    pub status: Option<String>,
}

pub fn list(ctx: &Context, args: ListArgs) -> CommandResult {
    let status = args
        .status
        .map(|s| s.parse::<AdrStatus>())
        .transpose()
        .map_err(|e| crate::error::CommandError::usage(format!("--status: {e}")))?;
    let (views, problems) = adr::list(ctx.store()?, status)?;
    warn_skipped(&ctx.ui, &problems);
    print_list(
        ctx,
        &views,
        "No ADRs yet. Propose one with `git coord adr new <title>`.",
    )
}

fn print_list(ctx: &Context, views: &[AdrView], empty: &str) -> CommandResult {
    if ctx.ui.json {
        let items: Vec<AdrJson<'_>> = views.iter().map(AdrJson::new).collect();
        return Ok(ctx.ui.json(&items)?);
    }
    if views.is_empty() {
        return Ok(ctx.ui.info(empty)?);
    }
    let mut rows = vec![["ADR", "STATUS", "TITLE"].map(str::to_owned).to_vec()];
    for v in views {
        rows.push(vec![
            ctx.ui
                .paint(Style::Bold, &v.adr.number.to_string())
                .into_owned(),
            status_label(&ctx.ui, v),
            sanitize_line(&v.adr.title).into_owned(),
        ]);
    }
    Ok(ctx.ui.line(table(&rows).trim_end())?)
}

fn status_label(ui: &Ui, v: &AdrView) -> String {
    let style = match v.adr.status {
        AdrStatus::Accepted => Style::Green,
        AdrStatus::Proposed => Style::Yellow,
        _ => Style::Dim,
    };
    let mut label = ui.paint(style, v.adr.status.as_str()).into_owned();
    if !v.superseded_by.is_empty() {
        let by: Vec<String> = v.superseded_by.iter().map(|n| n.to_string()).collect();
        label.push_str(&format!(" by {}", by.join(", ")));
    }
    label
}

/// Show one ADR
///
/// Its fields (status, deciders, deadline, review date, supersede links both ways), its
/// options with their pros and cons, the decision, then the body.
///
/// Examples:
///   git coord adr show 7
///   git coord adr show ADR-0007 --json | jq .decision
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct ShowArgs {
    /// The ADR: 7, 0007, ADR-7 or ADR-0007
    pub number: String,
}

pub fn show(ctx: &Context, args: ShowArgs) -> CommandResult {
    let view = adr::show(ctx.store()?, number(&args.number)?)?;
    if ctx.ui.json {
        return Ok(ctx.ui.json(&AdrJson::new(&view))?);
    }
    Ok(ctx.ui.line(detail(&ctx.ui, &view).trim_end())?)
}

/// The full view of one ADR.
pub(super) fn detail(ui: &Ui, v: &AdrView) -> String {
    let a = &v.adr;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut row = |k: &str, v: String| rows.push(vec![format!("{k}:"), v]);
    row("status", status_label(ui, v));
    let names = |agents: &[crate::model::AgentId]| {
        agents
            .iter()
            .map(|a| a.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !a.deciders.is_empty() {
        row("deciders", names(&a.deciders));
    }
    if !a.input_from.is_empty() {
        row("input from", names(&a.input_from));
    }
    if let Some(d) = a.deadline {
        row("deadline", day_or_time(d));
    }
    if let Some(r) = a.review_date {
        row("review date", day_or_time(r));
    }
    if !a.supersedes.is_empty() {
        let s: Vec<String> = a.supersedes.iter().map(|n| n.to_string()).collect();
        row("supersedes", s.join(", "));
    }
    if let Some(d) = &a.decision {
        let by =
            d.by.as_ref()
                .map(|b| format!(" by {b}"))
                .unwrap_or_default();
        row(
            "decision",
            format!(
                "{}{by} on {}: {}",
                sanitize_line(&d.option),
                d.at,
                sanitize_line(&d.rationale)
            ),
        );
    }
    row("created", a.created.to_string());
    row("updated", a.updated.to_string());
    row("path", a.path());
    let mut out = format!(
        "{}  {}\n",
        ui.paint(Style::Bold, &a.number.to_string()),
        ui.paint(Style::Bold, &sanitize_line(&a.title))
    );
    out.push_str(&indented(&table(&rows), 2));
    if !a.options.is_empty() {
        out.push_str("\n  options:\n");
        for o in &a.options {
            let chosen = a.decision.as_ref().is_some_and(|d| d.option == o.name);
            let effort = o
                .effort
                .as_ref()
                .map(|e| format!(" (effort {})", sanitize_line(e)))
                .unwrap_or_default();
            let mark = if chosen { " [chosen]" } else { "" };
            out.push_str(&format!("  - {}{effort}{mark}\n", sanitize_line(&o.name)));
            for p in &o.pros {
                out.push_str(&format!("      + {}\n", sanitize_line(p)));
            }
            for c in &o.cons {
                out.push_str(&format!("      - {}\n", sanitize_line(c)));
            }
        }
    }
    out.push_str(&body_block(&a.body));
    out
}

/// List accepted ADRs due for review
///
/// Accepted ADRs whose review date (`adr new --review-date`) has come, earliest first. It is
/// a report, so it exits 0 whether or not any is due. Once an ADR is reviewed, clear it with
/// `adr edit <n> --review-date …` (the next review) or `adr edit <n> --no-review-date`.
///
/// Examples:
///   git coord adr review
///   git coord adr edit 7 --review-date 2027-06-01
///   git coord adr review --json | jq -r '.[].number'
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct ReviewArgs {}

pub fn review(ctx: &Context, _args: ReviewArgs) -> CommandResult {
    let (views, problems) = adr::due_for_review(ctx.store()?, ctx.now())?;
    warn_skipped(&ctx.ui, &problems);
    if ctx.ui.json || views.is_empty() {
        return print_list(ctx, &views, "No accepted ADR is due for review.");
    }
    let now = ctx.now();
    let mut rows = vec![["ADR", "REVIEW DATE", "TITLE"].map(str::to_owned).to_vec()];
    for v in &views {
        let due = v
            .adr
            .review_date
            .map(|r| format!("{} ({})", day_or_time(r), r.ago(now)))
            .unwrap_or_default();
        rows.push(vec![
            ctx.ui
                .paint(Style::Bold, &v.adr.number.to_string())
                .into_owned(),
            due,
            sanitize_line(&v.adr.title).into_owned(),
        ]);
    }
    Ok(ctx.ui.line(table(&rows).trim_end())?)
}
