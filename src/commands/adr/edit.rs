//! `adr edit`: correct an ADR's title, deadline, review date, deciders or input from
//! (DESIGN §4 records).

use super::changes::report;
use super::{agents_flag, date_flag, number};
use crate::commands::task::deadline_flag;
use crate::context::Context;
use crate::error::{CommandError, CommandResult};
use crate::model::adr::AdrEdit;
use crate::ops::adr;

const FLAGS: &str =
    "--title, --deadline, --no-deadline, --review-date, --no-review-date, --deciders, --input-from";

/// Change an ADR's title, deadline, review date, deciders or input from
///
/// Only the fields given change, in one commit; giving a field the value it already has
/// changes nothing (exit 0, no commit). In the body, only what shows those fields is
/// regenerated: the `# ADR-0007: Title` line, the Status section (deciders, input from, and
/// "To be decided by" for a proposed ADR) and the Review date section. Context,
/// Consequences and anything else written by hand stay as they are.
///
/// A new title does not rename the file: ADRs are cited by number, and adrs/0007-slug.md
/// keeps the slug it was created with. The ADRs linked to it by `supersede` get their links
/// retitled in the same commit.
///
/// Rules: the title, deciders and input from can be corrected in any status. A deadline is
/// set only on a proposed ADR (exit 2 otherwise; --no-deadline clears one in any status). A
/// review date is set or cleared in any status but rejected and superseded (exit 2).
/// --deciders "" and --input-from "" empty the list. Who decides is part of the decision:
/// only a listed decider changes --deciders (anyone, while none is listed), unless a
/// coordinator passes --force. A proposed ADR's other fields are anyone's to improve; once
/// it is settled (accepted, rejected, deprecated, superseded) its text is part of the
/// decision: only its deciders change it, or, when it lists none, the agent who proposed it
/// (exit 3 for anyone else, unless a coordinator passes --force).
///
/// Review workflow: `git coord adr review` lists the accepted ADRs whose review date has
/// come; once one is reviewed, set its next review date (or clear it) to take it off the list.
///
/// Examples:
///   git coord adr edit 7 --title "Use Redis for rate limiting and quotas"
///   git coord adr edit ADR-0008 --deadline 2026-12-15 --deciders lead,state
///   git coord adr review
///   git coord adr edit 7 --review-date 2027-06-01
///   git coord adr edit 7 --no-review-date --json | jq .review_date
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct EditArgs {
    /// The ADR: 7, 0007, ADR-7 or ADR-0007
    pub number: String,
    /// A new one-line title (the file name keeps its slug)
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,
    /// When it must be decided (proposed ADRs only): YYYY-MM-DD (end of that day, UTC) or RFC 3339
    #[arg(long, value_name = "DATE", conflicts_with = "no_deadline")]
    pub deadline: Option<String>,
    /// Remove the deadline
    #[arg(long)]
    pub no_deadline: bool,
    /// When to review the decision again: YYYY-MM-DD or RFC 3339 (see `adr review`)
    #[arg(long, value_name = "DATE", conflicts_with = "no_review_date")]
    pub review_date: Option<String>,
    /// Remove the review date
    #[arg(long)]
    pub no_review_date: bool,
    /// The agents who decide, replacing the list; comma-separated or repeated
    #[arg(long, value_name = "AGENTS", value_delimiter = ',')]
    pub deciders: Option<Vec<String>>,
    /// The agents whose input is sought, replacing the list; comma-separated or repeated
    #[arg(long, value_name = "AGENTS", value_delimiter = ',')]
    pub input_from: Option<Vec<String>>,
    /// Change --deciders, or a settled ADR, although it is not yours (coordinators only)
    ///
    /// Honoured only for the agents listed in `coordinators = ["lead"]` in .coord/config.toml on
    /// the main branch; with no list, for any agent, with a warning. The commit records who
    /// forced it (Coord-Forced-By), and `git coord log <n>` shows it.
    #[arg(long)]
    pub force: bool,
}

/// A date flag and its `--no-…` twin: `None` when neither is given, `Some(None)` to clear.
fn date_change(
    flag: &str,
    value: Option<&str>,
    clear: bool,
) -> CommandResult<Option<Option<crate::model::Timestamp>>> {
    if clear {
        return Ok(Some(None));
    }
    Ok(date_flag(flag, value)?.map(Some))
}

pub fn edit(ctx: &Context, args: EditArgs) -> CommandResult {
    let n = number(&args.number)?;
    let changes = AdrEdit {
        title: args.title,
        deadline: match (args.no_deadline, args.deadline.as_deref()) {
            (true, _) => Some(None),
            (false, Some(d)) => Some(Some(deadline_flag(ctx, "--deadline", d)?)),
            (false, None) => None,
        },
        review_date: date_change(
            "--review-date",
            args.review_date.as_deref(),
            args.no_review_date,
        )?,
        deciders: args
            .deciders
            .map(|d| agents_flag("--deciders", &d))
            .transpose()?,
        input_from: args
            .input_from
            .map(|i| agents_flag("--input-from", &i))
            .transpose()?,
    };
    if changes.is_empty() {
        return Err(
            CommandError::usage(format!("nothing to change in {n}")).hint(format!(
                "give at least one of {FLAGS}, e.g. git coord adr edit {} --review-date 2027-06-01",
                n.get()
            )),
        );
    }
    let actor = ctx.actor()?;
    let store = ctx.store()?;
    let template = adr::template(store.workdir());
    let authority = crate::commands::lifecycle::authority(ctx, &actor, args.force)?;
    let (done, fields) =
        adr::edit_as(store, &actor, n, &changes, &template, &authority).map_err(|e| match e {
            // Here the title is a flag, not `adr new`'s <TITLE>.
            adr::AdrError::Invalid(f)
            | adr::AdrError::Refused(crate::model::adr::Refusal::Invalid(f))
                if f.field == "title" =>
            {
                CommandError::usage(format!("--title: {}", f.message))
                    .details(serde_json::json!({ "field": f.field }))
            }
            e => e.into(),
        })?;
    let fields: Vec<String> = fields.iter().map(|f| f.replace('_', " ")).collect();
    report(
        ctx,
        &done,
        &format!("changed {}", fields.join(", ")),
        "already has those values; nothing to do",
    )
}
