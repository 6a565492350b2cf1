//! `adr option`, `adr decide`, `adr accept|reject|deprecate` and `adr supersede`
//! (DESIGN §4 records, §3 Authority: a decision belongs to its deciders).

use serde_json::json;

use super::number;
use crate::context::Context;
use crate::error::CommandResult;
use crate::model::adr::AdrStatus;
use crate::ops::adr::{self, AdrView, Changed, NewOption};
use crate::ui::{Style, sanitize_line};
use crate::view::adr::AdrJson;

/// Add an option to a proposed ADR, with its pros and cons
///
/// Naming an option the ADR already has (any case) adds the new pros and cons to it and
/// sets its effort. Only a proposed ADR weighs options; the Alternatives section of its
/// body is regenerated.
///
/// Examples:
///   git coord adr option 7 Redis --pros "shared by every instance" --cons "one more service" --effort 2d
///   git coord adr option ADR-0007 "In-process LRU" --pros "no new service" --cons "per-instance limits"
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct OptionArgs {
    /// The ADR: 7, 0007, ADR-7 or ADR-0007
    pub number: String,
    /// The option's name
    pub name: String,
    /// An argument for it; repeatable
    #[arg(long, value_name = "TEXT")]
    pub pros: Vec<String>,
    /// An argument against it; repeatable
    #[arg(long, value_name = "TEXT")]
    pub cons: Vec<String>,
    /// The effort it would take, in any words (2d, "one sprint")
    #[arg(long, value_name = "EFFORT")]
    pub effort: Option<String>,
}

pub fn option(ctx: &Context, args: OptionArgs) -> CommandResult {
    let n = number(&args.number)?;
    let actor = ctx.actor()?;
    let store = ctx.store()?;
    let new = NewOption {
        name: args.name,
        pros: args.pros,
        cons: args.cons,
        effort: args.effort,
    };
    let done = adr::add_option(store, &actor, n, &new, &adr::template(store.workdir()))?;
    let name = new.name.trim();
    report(
        ctx,
        &done,
        &format!("option {name:?} recorded"),
        &format!("already has option {name:?} with all of that; nothing to do"),
    )
}

/// Decide a proposed ADR: choose one of its options and accept it
///
/// The chosen option, the rationale, the deciding agent and the time are recorded; every
/// other option stays in the record as an alternative considered. Naming an option the ADR
/// does not have fails (exit 2) listing its options. A rejected, deprecated or superseded
/// ADR, or one already decided, cannot be decided (exit 2). An ADR that lists deciders is
/// decided by them: anyone else is refused (exit 3) unless a coordinator passes --force.
///
/// Examples:
///   git coord adr decide 7 --option Redis --rationale "limits must hold across instances"
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct DecideArgs {
    /// The ADR: 7, 0007, ADR-7 or ADR-0007
    pub number: String,
    /// The option chosen (its name, any case)
    #[arg(long, value_name = "NAME")]
    pub option: String,
    /// Why this option
    #[arg(long, value_name = "TEXT")]
    pub rationale: String,
    /// Decide although you are not one of its deciders (coordinators only)
    ///
    /// Honoured only for the agents listed in `coordinators = ["lead"]` in .coord/config.toml on
    /// the main branch; with no list, for any agent, with a warning. The commit records who
    /// forced it (Coord-Forced-By), and `git coord log <n>` shows it.
    #[arg(long)]
    pub force: bool,
}

pub fn decide(ctx: &Context, args: DecideArgs) -> CommandResult {
    let n = number(&args.number)?;
    let actor = ctx.actor()?;
    let store = ctx.store()?;
    let template = adr::template(store.workdir());
    let authority = crate::commands::lifecycle::authority(ctx, &actor, args.force)?;
    let done = adr::decide(
        store,
        &actor,
        n,
        &args.option,
        &args.rationale,
        &template,
        &authority,
    )?;
    let chosen = done
        .value
        .adr
        .decision
        .as_ref()
        .map(|d| d.option.clone())
        .unwrap_or_default();
    report(ctx, &done, &format!("accepted with {chosen:?}"), "")
}

/// What `adr accept`, `reject` and `deprecate` share; each gives its own first line (their
/// `about` in `commands/adr.rs`), which heads the long help too.
#[macro_export]
#[doc(hidden)]
macro_rules! adr_status_help {
    () => {
        "`accept` and `reject` settle a proposed ADR (accept without recording which option was
chosen; `adr decide` records it); `deprecate` retires an accepted one that nothing
replaces (use `adr supersede` when a later ADR replaces it). Asking for the status it
already has changes nothing; any other move is refused with exit 2. These are decisions:
on an ADR that lists deciders, only they make them; on one that lists none, anyone
settles it while proposed, but only the agent who proposed it changes it once settled
(exit 3 for anyone else, unless a coordinator passes --force).

Examples:
  git coord adr accept 7
  git coord adr reject ADR-0008
  git coord adr deprecate 3"
    };
}

/// Change an ADR's status (each of accept, reject and deprecate heads its help with its own
/// line, then [`adr_status_help!`](crate::adr_status_help))
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct StatusArgs {
    /// The ADR: 7, 0007, ADR-7 or ADR-0007
    pub number: String,
    /// Act although you are not one of its deciders (coordinators only)
    ///
    /// Honoured only for the agents listed in `coordinators = ["lead"]` in .coord/config.toml on
    /// the main branch; with no list, for any agent, with a warning. The commit records who
    /// forced it (Coord-Forced-By), and `git coord log <n>` shows it.
    #[arg(long)]
    pub force: bool,
}

pub fn status(ctx: &Context, args: StatusArgs, target: AdrStatus) -> CommandResult {
    let n = number(&args.number)?;
    let actor = ctx.actor()?;
    let store = ctx.store()?;
    let template = adr::template(store.workdir());
    let authority = crate::commands::lifecycle::authority(ctx, &actor, args.force)?;
    let done = adr::set_status(store, &actor, n, target, &template, &authority)?;
    report(
        ctx,
        &done,
        &format!("now {target}"),
        &format!("is already {target}; nothing to do"),
    )
}

/// Record that a later ADR replaces an earlier one
///
/// In one commit: the earlier ADR <number> becomes superseded, and the later one (--by)
/// lists it in `supersedes`. Only the later ADR stores the link; "superseded by" is derived
/// from it (JSON `superseded_by`). The earlier ADR must have been accepted (or deprecated);
/// the later one must be accepted.
///
/// Retiring the earlier ADR is a decision about it: only its deciders make it, or, when it
/// lists none, the agent who proposed it (an ADR that records neither is anyone's). Anyone
/// else is refused (exit 3) unless a coordinator passes --force.
///
/// Examples:
///   git coord adr supersede 3 --by 7
///   git coord adr supersede ADR-0003 --by ADR-0007 --json | jq .superseded.superseded_by
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct SupersedeArgs {
    /// The ADR being replaced
    pub number: String,
    /// The ADR that replaces it
    #[arg(long, value_name = "NUMBER")]
    pub by: String,
    /// Supersede an ADR that is not yours to retire (coordinators only)
    ///
    /// Honoured only for the agents listed in `coordinators = ["lead"]` in .coord/config.toml on
    /// the main branch; with no list, for any agent, with a warning. The commit records who
    /// forced it (Coord-Forced-By), and `git coord log <n>` shows it.
    #[arg(long)]
    pub force: bool,
}

pub fn supersede(ctx: &Context, args: SupersedeArgs) -> CommandResult {
    let old = number(&args.number)?;
    let new = number(&args.by)?;
    let actor = ctx.actor()?;
    let store = ctx.store()?;
    let template = adr::template(store.workdir());
    let authority = crate::commands::lifecycle::authority(ctx, &actor, args.force)?;
    let done = adr::supersede(store, &actor, old, new, &template, &authority)?;
    let [o, n] = done.value.as_slice() else {
        return Err(crate::error::CommandError::internal(
            "supersede did not return both ADRs",
        ));
    };
    if ctx.ui.json {
        return Ok(ctx.ui.json(&json!({
            "superseded": AdrJson::new(o),
            "by": AdrJson::new(n),
            "changed": done.changed,
        }))?);
    }
    let text = if done.changed {
        format!("{} is superseded by {}", o.adr.number, n.adr.number)
    } else {
        format!(
            "{} was already superseded by {}; nothing to do",
            o.adr.number, n.adr.number
        )
    };
    Ok(ctx.ui.info(text)?)
}

/// The ADR as JSON, or one line saying what happened to it.
pub(super) fn report(
    ctx: &Context,
    done: &Changed<AdrView>,
    what: &str,
    unchanged: &str,
) -> CommandResult {
    let a = &done.value.adr;
    if ctx.ui.json {
        return Ok(ctx.ui.json(&AdrJson::new(&done.value))?);
    }
    let number = ctx
        .ui
        .paint(Style::Bold, &a.number.to_string())
        .into_owned();
    let line = if done.changed {
        format!("{number} {}: {what}", sanitize_line(&a.title))
    } else {
        format!("{number} {unchanged}")
    };
    Ok(ctx.ui.info(line)?)
}
