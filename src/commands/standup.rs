//! `git coord standup`: the stand-up (DESIGN §8): critical issues, then each agent's
//! yesterday, today and blockers.

use crate::context::Context;
use crate::error::CommandResult;

/// Show the stand-up: critical issues, then each agent's yesterday, today, blockers
///
/// Critical issues are the reasons the day is not GREEN (late or at-risk milestones, a gate
/// NO-GO, records past their SLO, stale agents). Then, per agent: yesterday (the tasks it
/// finished in the window, from the coordination branch's history), today (the tasks it
/// holds, and the first ready task that fits its expertise) and its blockers with their age.
///
/// Examples:
///   git coord standup
///   git coord standup --since 3d
///   git coord standup --json | jq '.agents[] | {id, next}'
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// How far back "yesterday" reaches (s, m, h, d, w)
    #[arg(long, default_value = "24h", value_name = "DURATION")]
    pub since: String,
}

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    let since = super::report::since(ctx, &args.since)?;
    let state = crate::ops::status::load(&ctx.session)?;
    for p in &state.problems {
        ctx.ui.warn(format!("skipped {p}"));
    }
    let day = crate::ops::status::assess(&state);
    let standup: crate::view::report::StandupJson =
        crate::ops::standup::standup(ctx.store()?, &state, &day, since)?;
    if ctx.ui.json {
        return Ok(ctx.ui.json(&standup)?);
    }
    let width = crate::context::screen_width();
    for line in crate::report::standup::lines(&standup) {
        if line.starts_with("  ") {
            for piece in crate::report::status::wrap(&line, width, 6) {
                ctx.ui.line(piece)?;
            }
        } else {
            ctx.ui.line(crate::report::status::fit(&line, width))?;
        }
    }
    Ok(())
}
