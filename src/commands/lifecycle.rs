/*!
The task lifecycle: `claim`, `start`, `review`, `block`, `unblock`, `release`, `cancel`.
(`done` runs the task's check and lives in its own module.)

Each is one atomic write decided on the tip it lands on; acting on a task another agent holds
exits 3 naming the holder, unless `--force` (not available for `claim`) by a coordinator
(DESIGN §3 "Authority", [`crate::ops::authority`]).
*/

use super::task::render;
use crate::context::Context;
use crate::error::CommandResult;
use crate::model::{Action, Applied};
use crate::ops::authority::Authority;
use crate::ops::{Actor, OpError, task};
use crate::ui::{Style, sanitize_line};
use crate::view::task::TaskJson;

/// Claim a task for this agent and start it
///
/// Atomic: when several agents claim one task at once, exactly one wins (exit 0); the others
/// exit 3 with the holder's name and since when. Claiming a task you already hold changes
/// nothing. A task whose dependencies are not done is not ready (exit 1). Under -q it prints
/// only the task's full ID.
///
/// With --sync the claim holds across clones: it syncs with the remote first, claims, and
/// exits 0 only once the push carrying the claim landed; when another clone's claim of the
/// task reached the remote first, the local claim is undone and it exits 3 naming the winner.
///
/// Examples:
///   git coord claim t-4kz9w2
///   id=$(git coord -q claim 4kz)
///   git coord --agent state claim 4kz --json
///   git coord claim 4kz --sync
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct ClaimArgs {
    /// Task ID or unique prefix
    pub id: String,
    /// Confirm the claim through the remote (`git coord sync`): exit 0 only once it is pushed
    #[arg(long)]
    pub sync: bool,
}

/// Mark a task in progress (claiming it first if nobody holds it)
///
/// Example:
///   git coord start t-4kz9w2
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct StartArgs {
    /// Task ID or unique prefix
    pub id: String,
    /// Act even though another agent holds the task: it becomes yours (coordinators only)
    ///
    /// Honoured only for the agents listed in `coordinators = ["lead"]` in .coord/config.toml on
    /// the main branch; with no list, for any agent, with a warning. The commit records who
    /// forced it (Coord-Forced-By), and `git coord log <id>` shows it.
    #[arg(long)]
    pub force: bool,
}

/// Hand a task in progress over for review
///
/// Example:
///   git coord review t-4kz9w2
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct ReviewArgs {
    /// Task ID or unique prefix
    pub id: String,
    /// Act even though another agent holds the task (coordinators only)
    ///
    /// Honoured only for the agents listed in `coordinators = ["lead"]` in .coord/config.toml on
    /// the main branch; with no list, for any agent, with a warning. The commit records who
    /// forced it (Coord-Forced-By), and `git coord log <id>` shows it.
    #[arg(long)]
    pub force: bool,
}

/// Mark a task blocked, with the reason
///
/// Example:
///   git coord block t-4kz9w2 --reason "waiting for the Redis pool (t-8h2m1c)"
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct BlockArgs {
    /// Task ID or unique prefix
    pub id: String,
    /// What it waits for
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// Act even though another agent holds the task (coordinators only)
    ///
    /// Honoured only for the agents listed in `coordinators = ["lead"]` in .coord/config.toml on
    /// the main branch; with no list, for any agent, with a warning. The commit records who
    /// forced it (Coord-Forced-By), and `git coord log <id>` shows it.
    #[arg(long)]
    pub force: bool,
}

/// Lift a block: the task goes back in progress (or to todo if nobody holds it)
///
/// Example:
///   git coord unblock t-4kz9w2
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct UnblockArgs {
    /// Task ID or unique prefix
    pub id: String,
    /// Act even though another agent holds the task (coordinators only)
    ///
    /// Honoured only for the agents listed in `coordinators = ["lead"]` in .coord/config.toml on
    /// the main branch; with no list, for any agent, with a warning. The commit records who
    /// forced it (Coord-Forced-By), and `git coord log <id>` shows it.
    #[arg(long)]
    pub force: bool,
}

/// Give a task back: it becomes unassigned and todo again
///
/// Example:
///   git coord release t-4kz9w2
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct ReleaseArgs {
    /// Task ID or unique prefix
    pub id: String,
    /// Release it even though another agent holds it (coordinators only)
    ///
    /// Honoured only for the agents listed in `coordinators = ["lead"]` in .coord/config.toml on
    /// the main branch; with no list, for any agent, with a warning. The commit records who
    /// forced it (Coord-Forced-By), and `git coord log <id>` shows it.
    #[arg(long)]
    pub force: bool,
}

/// Cancel a task; tasks that depend on it treat it as done
///
/// Example:
///   git coord cancel t-4kz9w2
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct CancelArgs {
    /// Task ID or unique prefix
    pub id: String,
    /// Cancel it even though another agent holds it (coordinators only)
    ///
    /// Honoured only for the agents listed in `coordinators = ["lead"]` in .coord/config.toml on
    /// the main branch; with no list, for any agent, with a warning. The commit records who
    /// forced it (Coord-Forced-By), and `git coord log <id>` shows it.
    #[arg(long)]
    pub force: bool,
}

/// One lifecycle request, whichever command it came from.
pub struct Request {
    id: String,
    action: Action,
}

/// `From<XArgs> for Request` for each command: the task it names and the action it asks for.
macro_rules! requests {
    ($($args:ident => |$a:ident| $action:expr;)*) => {$(
        impl From<$args> for Request {
            fn from($a: $args) -> Request {
                Request { action: $action, id: $a.id }
            }
        }
    )*};
}

requests! {
    ClaimArgs => |_a| Action::Claim;
    StartArgs => |a| Action::Start { force: a.force };
    ReviewArgs => |a| Action::Review { force: a.force };
    BlockArgs => |a| Action::Block { reason: a.reason, force: a.force };
    UnblockArgs => |a| Action::Unblock { force: a.force };
    ReleaseArgs => |a| Action::Release { force: a.force };
    CancelArgs => |a| Action::Cancel { force: a.force };
}

pub fn run(ctx: &Context, request: Request) -> CommandResult {
    let actor = ctx.actor()?;
    let store = ctx.store()?;
    let authority = authority(ctx, &actor, request.action.force())?;
    let outcome =
        task::transition_as(store, &actor, &request.id, &request.action, &[], &authority)?;
    if request.action == Action::Claim {
        // Under -q a claim prints exactly the task's ID, so `id=$(git coord -q claim 4kz)`
        // captures the full ID (also when I held it already: the claim stands).
        return report_with(ctx, &outcome, |text| {
            ctx.ui.created(outcome.task.id.as_str(), text)
        });
    }
    report(ctx, &outcome)
}

/// `claim --sync`: the claim is made on the remote's latest state and counts only once the
/// push carrying it landed ([`super::sync::confirmed`]).
pub fn run_synced_claim(ctx: &Context, args: ClaimArgs) -> CommandResult {
    let actor = ctx.actor()?;
    let store = ctx.store()?;
    let authority = authority(ctx, &actor, false)?;
    let outcome = super::sync::confirmed(ctx, |_| {
        task::transition_as(store, &actor, &args.id, &Action::Claim, &[], &authority)
    })?;
    report_with(ctx, &outcome, |text| {
        ctx.ui.created(outcome.task.id.as_str(), text)
    })
}

/// The acting agent's authority for a command with `--force` (DESIGN §3 "Authority"): reads
/// `coordinators` from `.coord/config.toml` only when `--force` is given, and warns when there
/// is no list, so any agent's `--force` counts.
pub fn authority(ctx: &Context, actor: &Actor, force: bool) -> CommandResult<Authority> {
    let authority = Authority::new(ctx.store()?, &actor.agent, force).map_err(OpError::from)?;
    if let Some(w) = authority.warning() {
        ctx.ui.warn(w);
    }
    Ok(authority)
}

/// Prints the outcome of a transition: the task under `--json`, else one line (none under -q).
pub fn report(ctx: &Context, outcome: &task::Transitioned) -> CommandResult {
    report_with(ctx, outcome, |text| ctx.ui.info(text))
}

/// [`report`], printing the line with `print`.
fn report_with(
    ctx: &Context,
    outcome: &task::Transitioned,
    print: impl FnOnce(String) -> std::io::Result<()>,
) -> CommandResult {
    let t = &outcome.task;
    if ctx.ui.json {
        ctx.ui.json(&TaskJson::new(t))?;
        return Ok(());
    }
    let state = ctx
        .ui
        .paint(render::status_style(t.status), t.status.as_str());
    let who = t
        .assignee
        .as_ref()
        .map(|a| format!(", {a}"))
        .unwrap_or_default();
    let verb = match outcome.applied {
        Applied::Changed => "",
        Applied::Unchanged => "unchanged: ",
    };
    print(format!(
        "{verb}{}  {}  [{state}{who}]",
        ctx.ui.paint(Style::Bold, t.id.as_str()),
        sanitize_line(&t.title)
    ))?;
    Ok(())
}
