//! `git coord report`: the daily status report (DESIGN §8), from `templates/report.md` or the
//! project's `.coord/templates/report.md`.

use crate::context::Context;
use crate::error::{CommandError, CommandResult};
use crate::model::Timestamp;
use crate::model::time::parse_wall_duration;

/// Write the daily status report, ending GREEN, YELLOW or RED with the reasons
///
/// The phase (the open milestone due first, with its capacity forecast), X/Y tasks, hours spent
/// of estimated, what was completed in the window, what is in progress, what is planned next
/// (today's priorities and who they fit), blockers with their age against the blocker SLO,
/// risks and issues, the coordination SLOs with their breaches, and the go/no-go colour with
/// its reasons (RED: a milestone late or its last gate NO-GO; YELLOW: SLO breaches, stale
/// agents, blockers past their SLO, milestones at risk).
///
/// The text comes from templates/report.md (minijinja, filters `hours` and `date`); commit
/// your own as .coord/templates/report.md on the default branch to change it. `--format json`
/// (or `--json`) prints the data the template is given.
///
/// Examples:
///   git coord report
///   git coord report --since 7d > weekly.md
///   git coord report --format json | jq '.go_no_go'
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// How far back "completed" reaches (s, m, h, d, w)
    #[arg(long, default_value = "24h", value_name = "DURATION")]
    pub since: String,
    /// `markdown` (the template's text) or `json` (the data)
    #[arg(long, value_enum, default_value_t = Format::Markdown)]
    pub format: Format,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Markdown,
    Json,
}

/// The instant `--since <given>` names: that long before now.
pub fn since(ctx: &Context, given: &str) -> CommandResult<Timestamp> {
    let seconds = parse_wall_duration(given).map_err(|e| {
        CommandError::usage(format!("--since: {e}")).hint("for example --since 24h")
    })?;
    Timestamp::from_unix(ctx.now().unix().saturating_sub(seconds))
        .ok_or_else(|| CommandError::usage(format!("--since {given:?} reaches too far back")))
}

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    let since = since(ctx, &args.since)?;
    let state = crate::ops::status::load(&ctx.session)?;
    for p in &state.problems {
        ctx.ui.warn(format!("skipped {p}"));
    }
    let day = crate::ops::status::assess(&state);
    let data: crate::view::report::ReportJson = crate::ops::report::daily(&state, &day, since);
    if ctx.ui.json || args.format == Format::Json {
        return Ok(ctx.ui.json(&data)?);
    }
    let template = crate::ops::report::template(ctx.store()?);
    let text = crate::report::daily::render(&template.text, &data).map_err(|e| {
        CommandError::usage(format!("{}: {e}", template.path)).hint(format!(
            "fix the template, or remove {} to use the built-in one",
            crate::ops::report::TEMPLATE_OVERRIDE
        ))
    })?;
    Ok(ctx.ui.line(text.trim_end())?)
}
