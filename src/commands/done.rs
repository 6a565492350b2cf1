//! `git coord done`: runs a task's `check`, then closes it and reports what it unblocked
//! (DESIGN §4 tasks, §3 Authority).

use super::lifecycle::report;
use crate::context::Context;
use crate::error::{CommandError, CommandResult};
use crate::model::Action;
use crate::ops::authority::Authority;
use crate::ops::{check, dispatch, schedule, task};

use crate::ui::sanitize_line;
use crate::view::task::TaskJson;

/// Finish a task, after running its check
///
/// If the task has a `check` command, it is printed and then run with `sh -c` at the root of
/// the current worktree; when it fails the task stays as it is and the exit code is 1. The
/// command comes from the coordination branch: read it before you run `done` on a task you
/// did not write. --no-check skips it, and the commit records that it was skipped. A task
/// another agent holds is refused (exit 3) before any check runs, unless a coordinator forces.
/// Prints the tasks that finishing this one made ready (JSON: "unblocked": [ids]).
/// --dispatch (or `git config coord.autoDispatch true`) then hands those tasks out as
/// `git coord dispatch` would, and messages the agents that got them (JSON: "dispatch").
///
/// Examples:
///   git coord done t-4kz9w2
///   git coord done 4kz --no-check
///   git coord done 4kz --dispatch
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Task ID or unique prefix
    pub id: String,
    /// Do not run the task's check
    #[arg(long)]
    pub no_check: bool,
    /// Finish it even though another agent holds it (coordinators only)
    ///
    /// Honoured only for the agents listed in `coordinators = ["lead"]` in .coord/config.toml on
    /// the main branch; with no list, for any agent, with a warning. The commit records who
    /// forced it (Coord-Forced-By), and `git coord log <id>` shows it.
    #[arg(long)]
    pub force: bool,
    /// Assign the tasks this unblocks to fresh agents that fit (see `git coord dispatch`)
    ///
    /// On by default when coord.autoDispatch is true.
    #[arg(long)]
    pub dispatch: bool,
}

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    let actor = ctx.actor()?;
    let store = ctx.store()?;
    let authority = super::lifecycle::authority(ctx, &actor, args.force)?;
    let action = Action::Done { force: args.force };
    // Who holds it and whether it can be done at all are settled before the check runs: a
    // refused `done` must run nothing (the check is a command from the branch).
    let current = task::preflight(store, &actor, &args.id, &action, &authority)?;
    let mut trailers: Vec<(&str, &str)> = Vec::new();
    if let Some(command) = current
        .check
        .as_deref()
        .filter(|_| !current.status.is_closed())
    {
        if args.no_check {
            trailers.push(("Coord-Check", "skipped"));
        } else {
            let dir = store.workdir().ok_or_else(|| {
                CommandError::usage("this repository has no working tree to run the check in")
                    .hint("run `done` from a worktree, or pass --no-check")
            })?;
            ctx.ui
                .note(format!("running check: {}", sanitize_line(command)));
            let run = check::run(command, dir).map_err(|e| {
                CommandError::internal(format!("could not run the check with sh: {e}"))
            })?;
            if !run.success {
                let code = run
                    .code
                    .map(|c| c.to_string())
                    .unwrap_or_else(|| "a signal".to_owned());
                return Err(CommandError::negative(format!(
                    "the check of {} failed (exit {code}); the task is unchanged",
                    current.id
                ))
                .hint(format!("fix the work and run `git coord done {}` again, or skip the check with --no-check", current.id))
                .details(serde_json::json!({ "id": current.id, "check": command, "exit_code": run.code })));
            }
            trailers.push(("Coord-Check", "passed"));
        }
    }
    let outcome = task::transition_as(
        store,
        &actor,
        current.id.as_str(),
        &action,
        &trailers,
        &authority,
    )?;
    let unblocked = schedule::unblocked_by(store, &outcome.task.id)?;
    let dispatched = if (args.dispatch || dispatch::auto_dispatch(store)) && !unblocked.is_empty() {
        let ids: Vec<_> = unblocked.iter().map(|t| t.id.clone()).collect();
        let plan = dispatch::plan(store, ctx.now(), Some(&ids))?;
        let authority = Authority::unforced(&actor.agent);
        Some(dispatch::execute(store, &actor, plan, &authority)?)
    } else {
        None
    };
    if ctx.ui.json {
        let mut value = serde_json::to_value(TaskJson::new(&outcome.task))
            .map_err(|e| CommandError::internal(format!("cannot render JSON: {e}")))?;
        if let Some(o) = value.as_object_mut() {
            let ids: Vec<&str> = unblocked.iter().map(|t| t.id.as_str()).collect();
            o.insert("unblocked".into(), serde_json::json!(ids));
            if let Some(d) = &dispatched {
                let d = serde_json::to_value(d)
                    .map_err(|e| CommandError::internal(format!("cannot render JSON: {e}")))?;
                o.insert("dispatch".into(), d);
            }
        }
        return Ok(ctx.ui.json(&value)?);
    }
    report(ctx, &outcome)?;
    for t in &unblocked {
        ctx.ui
            .info(format!("  unblocked {}  {}", t.id, sanitize_line(&t.title)))?;
    }
    if let Some(d) = &dispatched {
        super::dispatch::print(ctx, d, "")?;
    }
    Ok(())
}
