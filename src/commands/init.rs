//! `git coord init`: creates the coordination branch (DESIGN §3, §4 setup).

use crate::context::Context;
use crate::error::CommandResult;
use crate::ops;

/// Create the coordination branch in this repository
///
/// Writes one root commit on `refs/heads/coord` (config `coord.branch`) with a README, and
/// registers the acting agent if one is set. In a clone whose remote has the branch
/// (`origin/coord`), creates the local branch from it instead: never a second root. HEAD, the
/// index and the working tree are not touched. Running it again changes nothing.
///
/// Example:
///   git coord init
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {}

pub fn run(ctx: &Context, _args: Args) -> CommandResult {
    let store = ctx.store()?;
    let (author, actor) = ctx.author_or_user()?;
    let done = ops::init::init_or_adopt(store, &author, actor.as_ref())?;
    let created = done == ops::init::Initialised::Created;
    let adopted = match &done {
        ops::init::Initialised::Adopted { from } => Some(from.clone()),
        _ => None,
    };
    let tip = store
        .tip()?
        .map(|t| t.commit.to_string())
        .unwrap_or_default();
    if ctx.ui.json {
        ctx.ui.json(&serde_json::json!({
            "created": created,
            "adopted_from": adopted,
            "branch": store.branch(),
            "commit": tip,
        }))?;
    } else if let Some(from) = &adopted {
        ctx.ui.info(format!(
            "Adopted {from} as the coordination branch {} ({}); `git coord sync` keeps them together",
            store.branch_short(),
            &tip[..tip.len().min(12)]
        ))?;
    } else if created {
        ctx.ui.info(format!(
            "Initialised the coordination branch {} ({})",
            store.branch_short(),
            &tip[..tip.len().min(12)]
        ))?;
        if actor.is_none() {
            ctx.ui.info(
                "hint: set this worktree's agent name with `git config coord.agent <name>`",
            )?;
        }
    } else {
        ctx.ui.info(format!(
            "The coordination branch {} already exists; nothing to do",
            store.branch_short()
        ))?;
    }
    Ok(())
}
