//! `git coord next`: claims my best ready task, assigned work first, then what fits my
//! expertise (DESIGN §5).

use crate::context::Context;
use crate::error::{CommandError, CommandResult};
use crate::ops::schedule::{self, Next};
use crate::ui::{Style, sanitize_line};
use crate::view::task::TaskJson;

/// Claim my best ready task: work assigned to me first, then what fits my expertise
///
/// Takes, in `ready` order, a task assigned to me and not started yet (by `git coord assign`
/// or a conflict's action item) whose dependencies are done; else the first unassigned ready
/// task whose expertise I have (my registry entry, `git coord agent add <me> --expertise …`;
/// a task with no expertise fits anyone). `git coord ready --agent <me>` lists the same
/// candidates. The claim is atomic: two agents calling `next` at once never get the same
/// task. The task's `owns` paths are held with it. Exits 1 when nothing is ready for me.
///
/// With --sync the claim holds across clones: it syncs with the remote first, claims, and
/// exits 0 only once the push carrying the claim landed; when another clone's claim of that
/// task reached the remote first, the local claim is undone and it exits 3 naming the winner.
///
/// Examples:
///   git coord next
///   id=$(git coord -q next)
///   git coord next --json | jq -r .id
///   git coord next --sync
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Confirm the claim through the remote (`git coord sync`): exit 0 only once it is pushed
    #[arg(long)]
    pub sync: bool,
}

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    let actor = ctx.actor()?;
    let store = ctx.store()?;
    let (next, warnings) = if args.sync {
        // The first attempt picks the task; when its push is rejected, the same task is
        // claimed again on the remote's state, so a lost race names the winner (exit 3).
        let authority = crate::ops::authority::Authority::new(store, &actor.agent, false)
            .map_err(crate::ops::OpError::from)?;
        let mut picked: Option<crate::model::TaskId> = None;
        super::sync::confirmed(ctx, |_| match &picked {
            None => {
                let (next, warnings) = schedule::next(store, &actor)?;
                if let Next::Claimed(task) = &next {
                    picked = Some(task.id.clone());
                }
                Ok((next, warnings))
            }
            Some(id) => {
                let action = crate::model::Action::Claim;
                let done = crate::ops::task::transition_as(
                    store,
                    &actor,
                    id.as_str(),
                    &action,
                    &[],
                    &authority,
                )?;
                Ok((
                    Next::Claimed(Box::new(done.task)),
                    schedule::Warnings::default(),
                ))
            }
        })?
    } else {
        schedule::next(store, &actor)?
    };
    for w in warnings.messages() {
        ctx.ui.warn(w);
    }
    match next {
        Next::Claimed(task) => {
            if ctx.ui.json {
                ctx.ui.json(&TaskJson::new(&task))?;
            } else {
                ctx.ui.created(
                    task.id.as_str(),
                    format!(
                        "Claimed {}  {}",
                        ctx.ui.paint(Style::Bold, task.id.as_str()),
                        sanitize_line(&task.title)
                    ),
                )?;
            }
            Ok(())
        }
        Next::Nothing { ready, skipped } => {
            let why = if ready == 0 {
                "nothing is ready".to_owned()
            } else if skipped > 0 {
                format!(
                    "{ready} task(s) are ready; the {skipped} that would be mine could not be claimed (see the warnings above), and no other fits"
                )
            } else {
                format!(
                    "{ready} task(s) are ready, but none fits the expertise of {}",
                    actor.agent
                )
            };
            Err(CommandError::negative(format!("no task for {}: {why}", actor.agent))
                .hint(format!("`git coord ready --agent {}` lists what is ready for me; `git coord agent add <me> --expertise …` sets my expertise", actor.agent))
                .details(serde_json::json!({ "ready": ready, "skipped": skipped })))
        }
    }
}
