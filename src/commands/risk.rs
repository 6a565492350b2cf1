/*!
`git coord risk …`: the risk register. Add, edit and close risks; list them ranked by
impact × probability; show one (DESIGN §4 records).
*/

mod render;

use std::path::PathBuf;

use clap::Subcommand;
use serde_json::json;

use self::render::{detail, score_label};

use super::task::body_flags;
use crate::context::Context;
use crate::error::{CommandError, CommandResult};
use crate::model::AgentId;
use crate::model::risk::{Level, NewRisk, RiskPatch, RiskStatus};
use crate::ops::OpError;
use crate::ops::risk;
use crate::ui::{Style, sanitize_line, table};
use crate::view::risk::RiskJson;

/// Keep a risk register: impact, probability, mitigation, owner
#[derive(Subcommand, Debug)]
pub enum RiskCommand {
    Add(AddArgs),
    Edit(EditArgs),
    Close(CloseArgs),
    List(ListArgs),
    Show(ShowArgs),
}

/// low, medium or high
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LevelArg {
    Low,
    Medium,
    High,
}

impl From<LevelArg> for Level {
    fn from(l: LevelArg) -> Level {
        match l {
            LevelArg::Low => Level::Low,
            LevelArg::Medium => Level::Medium,
            LevelArg::High => Level::High,
        }
    }
}

/// Add a risk
///
/// Creates one risk record (risks/r-xxxxxx.md) with a fresh collision-free ID, in one
/// commit. Impact and probability are low, medium or high; the register ranks risks by
/// impact × probability (low 1, medium 2, high 3).
///
/// Examples:
///   git coord risk add "Redis is a single point of failure" --impact high --probability medium \
///       --mitigation "Sentinel before GA" --owner state
///   git coord risk add "Vendor API rate limits" --impact medium --probability low --json
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct AddArgs {
    /// A one-line title
    pub title: String,
    /// How bad it would be
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub impact: LevelArg,
    /// How likely it is
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub probability: LevelArg,
    /// What is done to make it less likely or less bad
    #[arg(long, value_name = "TEXT")]
    pub mitigation: Option<String>,
    /// The agent who watches it
    #[arg(long, value_name = "AGENT")]
    pub owner: Option<String>,
    /// The markdown body: context, links
    #[arg(long, value_name = "TEXT", conflicts_with = "body_file")]
    pub body: Option<String>,
    /// Read the body from a file (- for standard input)
    #[arg(long, value_name = "FILE")]
    pub body_file: Option<PathBuf>,
}

/// Fields that `risk edit --clear` can remove.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Clearable {
    Mitigation,
    Owner,
    Body,
}

/// Change fields of a risk
///
/// Only the fields given change; everything else in the record, including fields and
/// comments added by hand, is kept as it was. Nothing is committed when nothing changes.
///
/// A risk with an owner is its owner's: anyone else is refused (exit 3) unless a
/// coordinator passes --force. An unowned risk is anyone's.
///
/// Examples:
///   git coord risk edit r-4kz9w2 --probability low --mitigation "Sentinel deployed"
///   git coord risk edit 4kz --owner ops
///   git coord risk edit 4kz --clear owner
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct EditArgs {
    /// Risk ID or unique prefix
    pub id: String,
    /// A new one-line title
    #[arg(long)]
    pub title: Option<String>,
    /// How bad it would be
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub impact: Option<LevelArg>,
    /// How likely it is
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub probability: Option<LevelArg>,
    /// What is done to make it less likely or less bad
    #[arg(long, value_name = "TEXT")]
    pub mitigation: Option<String>,
    /// The agent who watches it
    #[arg(long, value_name = "AGENT")]
    pub owner: Option<String>,
    /// The markdown body
    #[arg(long, value_name = "TEXT", conflicts_with = "body_file")]
    pub body: Option<String>,
    /// Read the body from a file (- for standard input)
    #[arg(long, value_name = "FILE")]
    pub body_file: Option<PathBuf>,
    /// Remove a field; repeatable
    #[arg(long, value_enum, value_name = "FIELD")]
    pub clear: Vec<Clearable>,
    /// Change a risk another agent owns (coordinators only)
    ///
    /// Honoured only for the agents listed in `coordinators = ["lead"]` in .coord/config.toml on
    /// the main branch; with no list, for any agent, with a warning. The commit records who
    /// forced it (Coord-Forced-By), and `git coord log <id>` shows it.
    #[arg(long)]
    pub force: bool,
}

/// Close a risk that is over or accepted
///
/// A risk with an owner is its owner's to close: anyone else is refused (exit 3) unless a
/// coordinator passes --force. An unowned risk is anyone's.
///
/// Examples:
///   git coord risk close r-4kz9w2 --reason "Sentinel deployed and tested"
///   git coord risk close 4kz
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct CloseArgs {
    /// Risk ID or unique prefix
    pub id: String,
    /// Why it is closed
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Close a risk another agent owns (coordinators only)
    ///
    /// Honoured only for the agents listed in `coordinators = ["lead"]` in .coord/config.toml on
    /// the main branch; with no list, for any agent, with a warning. The commit records who
    /// forced it (Coord-Forced-By), and `git coord log <id>` shows it.
    #[arg(long)]
    pub force: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum StatusFilter {
    Open,
    Closed,
    All,
}

/// List risks, the worst first
///
/// Ranked by impact × probability (low 1, medium 2, high 3), highest first; ties by age,
/// oldest first. Open risks by default.
///
/// Examples:
///   git coord risk list
///   git coord risk list --status all --json | jq '.[] | select(.score >= 6) | .id'
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct ListArgs {
    /// Which risks to list
    #[arg(long, value_enum, default_value_t = StatusFilter::Open)]
    pub status: StatusFilter,
}

/// Show one risk
///
/// Takes a full ID or any unique prefix of one (with or without `r-`).
///
/// Examples:
///   git coord risk show r-4kz9w2
///   git coord risk show 4kz --json
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct ShowArgs {
    /// Risk ID or unique prefix
    pub id: String,
}

pub fn run(ctx: &Context, command: RiskCommand) -> CommandResult {
    match command {
        RiskCommand::Add(a) => add(ctx, a),
        RiskCommand::Edit(a) => edit(ctx, a),
        RiskCommand::Close(a) => close(ctx, a),
        RiskCommand::List(a) => list(ctx, a),
        RiskCommand::Show(a) => show(ctx, a),
    }
}

fn owner_flag(value: Option<&str>) -> CommandResult<Option<AgentId>> {
    value
        .map(|o| AgentId::parse(o.trim()).map_err(|e| CommandError::usage(format!("--owner: {e}"))))
        .transpose()
}

fn add(ctx: &Context, args: AddArgs) -> CommandResult {
    let new = NewRisk {
        title: args.title,
        impact: args.impact.into(),
        probability: args.probability.into(),
        mitigation: args.mitigation,
        owner: owner_flag(args.owner.as_deref())?,
        body: body_flags(args.body, args.body_file.as_deref())?.unwrap_or_default(),
    };
    let actor = ctx.actor()?;
    let r = risk::add(ctx.store()?, &actor, new).map_err(op_error)?;
    if ctx.ui.json {
        ctx.ui.json(&RiskJson::new(&r))?;
    } else {
        ctx.ui.created(
            r.id.as_str(),
            format!(
                "Added {}  {} (score {})",
                ctx.ui.paint(Style::Bold, r.id.as_str()),
                sanitize_line(&r.title),
                r.score()
            ),
        )?;
    }
    Ok(())
}

fn edit(ctx: &Context, args: EditArgs) -> CommandResult {
    let cleared = |c: Clearable| args.clear.contains(&c);
    let mut patch = RiskPatch {
        title: args.title,
        impact: args.impact.map(Level::from),
        probability: args.probability.map(Level::from),
        mitigation: match args.mitigation {
            Some(m) => Some(Some(m)),
            None => cleared(Clearable::Mitigation).then_some(None),
        },
        owner: match owner_flag(args.owner.as_deref())? {
            Some(o) => Some(Some(o)),
            None => cleared(Clearable::Owner).then_some(None),
        },
        body: body_flags(args.body, args.body_file.as_deref())?,
    };
    if patch.body.is_none() && cleared(Clearable::Body) {
        patch.body = Some(String::new());
    }
    if patch.is_empty() {
        return Err(
            CommandError::usage("nothing to change: give at least one field to edit")
                .hint("see `git coord risk edit --help` for the fields"),
        );
    }
    let actor = ctx.actor()?;
    let authority = crate::commands::lifecycle::authority(ctx, &actor, args.force)?;
    let (r, changed) =
        risk::edit(ctx.store()?, &actor, &args.id, &patch, &authority).map_err(|e| match e {
            // `edit` sets the title with --title, which is what the shared mapping names it.
            e @ OpError::Invalid(_) => CommandError::from(e),
            e => op_error(e),
        })?;
    if ctx.ui.json {
        ctx.ui.json(&RiskJson::new(&r))?;
    } else {
        let what = if changed { "Edited" } else { "Unchanged" };
        ctx.ui.info(format!(
            "{what} {}  {}",
            ctx.ui.paint(Style::Bold, r.id.as_str()),
            sanitize_line(&r.title)
        ))?;
    }
    Ok(())
}

fn close(ctx: &Context, args: CloseArgs) -> CommandResult {
    let actor = ctx.actor()?;
    let authority = crate::commands::lifecycle::authority(ctx, &actor, args.force)?;
    let r = risk::close(
        ctx.store()?,
        &actor,
        &args.id,
        args.reason.as_deref(),
        &authority,
    )
    .map_err(op_error)?;
    if ctx.ui.json {
        ctx.ui.json(&RiskJson::new(&r))?;
    } else {
        ctx.ui.info(format!(
            "Closed {}  {}",
            ctx.ui.paint(Style::Bold, r.id.as_str()),
            sanitize_line(&r.title)
        ))?;
    }
    Ok(())
}

fn list(ctx: &Context, args: ListArgs) -> CommandResult {
    let status = match args.status {
        StatusFilter::Open => Some(RiskStatus::Open),
        StatusFilter::Closed => Some(RiskStatus::Closed),
        StatusFilter::All => None,
    };
    let (risks, problems) = risk::list(ctx.store()?, status).map_err(op_error)?;
    for p in &problems {
        ctx.ui.warn(format!("skipped {p}"));
    }
    if ctx.ui.json {
        let items: Vec<RiskJson<'_>> = risks.iter().map(RiskJson::new).collect();
        ctx.ui.json(&items)?;
    } else if risks.is_empty() {
        ctx.ui.info("No risks to list.")?;
    } else {
        let mut rows = vec![
            ["ID", "SCORE", "IMPACT", "PROB", "OWNER", "STATUS", "TITLE"]
                .map(str::to_owned)
                .to_vec(),
        ];
        for r in &risks {
            rows.push(vec![
                ctx.ui.paint(Style::Bold, r.id.as_str()).into_owned(),
                score_label(&ctx.ui, r),
                r.impact.to_string(),
                r.probability.to_string(),
                r.owner
                    .as_ref()
                    .map_or_else(|| "-".to_owned(), ToString::to_string),
                r.status.to_string(),
                sanitize_line(&r.title).into_owned(),
            ]);
        }
        ctx.ui.line(table(&rows).trim_end())?;
    }
    Ok(())
}

fn show(ctx: &Context, args: ShowArgs) -> CommandResult {
    let r = risk::show(ctx.store()?, &args.id).map_err(op_error)?;
    if ctx.ui.json {
        ctx.ui.json(&RiskJson::new(&r))?;
    } else {
        ctx.ui.line(detail(&ctx.ui, &r, ctx.now()).trim_end())?;
    }
    Ok(())
}

/// An operation's error, naming the flag at fault and the command that lists risks.
fn op_error(e: OpError) -> CommandError {
    match e {
        // The title is positional for `add` (`edit` names its --title itself); every other
        // field is named by its flag.
        OpError::Invalid(f) if f.field == "title" => {
            CommandError::usage(format!("<TITLE>: {}", f.message))
                .details(json!({ "field": f.field }))
        }
        e @ (OpError::UnknownRecord { .. } | OpError::AmbiguousRecord { .. }) => {
            CommandError::from(e).hint("`git coord risk list --status all` lists every risk")
        }
        OpError::AlreadyClosed { ref id, .. } => {
            let hint = format!("`git coord risk show {id}` shows why");
            CommandError::from(e).hint(hint)
        }
        e => e.into(),
    }
}
