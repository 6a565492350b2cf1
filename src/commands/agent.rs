/*!
`git coord agent …`: the registry of agents (role, expertise, branch, last seen)
(DESIGN §3 Agent identity, §4 agents).
*/

use clap::Subcommand;

use crate::context::Context;
use crate::error::{CommandError, CommandResult};
use crate::model::AgentId;
use crate::ops;
use crate::ops::agent::{self, AgentSpec};
use crate::ui::{Style, sanitize_line, table};
use crate::view::agent::AgentJson;

/// Register agents and see who is working
#[derive(Subcommand, Debug)]
pub enum AgentCommand {
    Add(AddArgs),
    Edit(EditArgs),
    List(ListArgs),
    Show(ShowArgs),
    Retire(RetireArgs),
}

/// Change a registered agent's role, expertise or branch
///
/// Like `agent add`, but the agent must exist already. An agent's entry is its own: changing
/// another agent's is refused (exit 3) unless a coordinator passes --force.
///
/// Example:
///   git coord agent edit state --expertise backend,redis,postgres
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct EditArgs {
    #[command(flatten)]
    pub fields: AddArgs,
}

/// Retire an agent: its open tasks go back to the queue
///
/// Its open tasks become unassigned (todo, or still blocked), the files they held are free,
/// its status becomes `retired`, and the coordinator (coord.coordinator, else everyone) is
/// told by message, in one commit. An agent retires itself; retiring another is refused
/// (exit 3) unless a coordinator passes --force.
///
/// Examples:
///   git coord agent retire docs
///   git coord --agent lead agent retire docs --force
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct RetireArgs {
    /// Agent ID
    pub id: String,
    /// Retire another agent (coordinators only)
    ///
    /// Honoured only for the agents listed in `coordinators = ["lead"]` in .coord/config.toml on
    /// the main branch; with no list, for any agent, with a warning. The commit records who
    /// forced it (Coord-Forced-By), and `git coord log <agent>` shows it.
    #[arg(long)]
    pub force: bool,
}

/// Register an agent, or update its role, expertise and branch
///
/// An agent is also registered by its first write; `agent add` gives it a role and expertise
/// up front, which `next` and `assign --to auto` use to match tasks. Once registered, the
/// entry is the agent's own: another agent changes it only with a coordinator's --force.
///
/// Examples:
///   git coord agent add state --role "state management" --expertise backend,redis
///   git coord agent add docs --expertise docs --branch agent/docs
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct AddArgs {
    /// The agent's name: a-z, 0-9 and '-', at most 40 characters
    pub id: String,
    /// What the agent is responsible for
    #[arg(long, value_name = "TEXT")]
    pub role: Option<String>,
    /// Expertise tags (replace the list); repeatable or comma-separated
    #[arg(long, value_name = "TAG", value_delimiter = ',')]
    pub expertise: Vec<String>,
    /// The branch the agent works on
    #[arg(long, value_name = "BRANCH")]
    pub branch: Option<String>,
    /// Change another agent's existing entry (coordinators only)
    ///
    /// Honoured only for the agents listed in `coordinators = ["lead"]` in .coord/config.toml on
    /// the main branch; with no list, for any agent, with a warning. The commit records who
    /// forced it (Coord-Forced-By), and `git coord log <agent>` shows it.
    #[arg(long)]
    pub force: bool,
}

/// List registered agents
///
/// Example:
///   git coord agent list --json
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct ListArgs {}

/// Show one agent
///
/// Example:
///   git coord agent show state
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct ShowArgs {
    /// Agent ID
    pub id: String,
}

fn add(ctx: &Context, args: AddArgs) -> CommandResult {
    let id = AgentId::parse(&args.id)?;
    let spec = AgentSpec {
        role: args.role,
        expertise: (!args.expertise.is_empty()).then_some(args.expertise),
        branch: args.branch,
        owns: None,
    };
    let actor = ctx.actor()?;
    let authority = super::lifecycle::authority(ctx, &actor, args.force)?;
    let (a, created) =
        crate::ops::ownership::register(ctx.store()?, &actor, &id, &spec, &authority)?;
    if ctx.ui.json {
        return Ok(ctx.ui.json(&AgentJson::new(&a, false))?);
    }
    let verb = if created { "Registered" } else { "Updated" };
    ctx.ui.info(format!("{verb} {}", a.id))?;
    Ok(())
}

pub fn run(ctx: &Context, command: AgentCommand) -> CommandResult {
    let store = ctx.store()?;
    let stale_after = agent::stale_after(store);
    match command {
        AgentCommand::Retire(args) => {
            let id = AgentId::parse(&args.id)?;
            let actor = ctx.actor()?;
            let authority = super::lifecycle::authority(ctx, &actor, args.force)?;
            let r = agent::retire(store, &actor, &id, &authority)?;
            if ctx.ui.json {
                return Ok(ctx.ui.json(&r)?);
            }
            let ids: Vec<&str> = r.tasks.iter().map(|t| t.as_str()).collect();
            ctx.ui.info(format!(
                "Retired {}; returned {}",
                r.agent,
                if ids.is_empty() {
                    "no tasks".to_owned()
                } else {
                    ids.join(", ")
                }
            ))?;
        }
        AgentCommand::Edit(EditArgs { fields: args }) => {
            let id = AgentId::parse(&args.id)?;
            if agent::read(&ops::snapshot(store)?, &id)?.is_none() {
                return Err(CommandError::usage(format!("no agent {id} is registered"))
                    .hint(format!("register it with `git coord agent add {id}`")));
            }
            add(ctx, args)?;
        }
        AgentCommand::Add(args) => add(ctx, args)?,
        AgentCommand::List(_) => {
            let snap = ops::snapshot(store)?;
            let (agents, problems) = agent::load(&snap)?;
            for p in problems {
                ctx.ui.warn(format!("skipped {p}"));
            }
            let now = ctx.now();
            if ctx.ui.json {
                let items: Vec<_> = agents
                    .iter()
                    .map(|a| AgentJson::new(a, agent::is_stale(a, now, stale_after)))
                    .collect();
                return Ok(ctx.ui.json(&items)?);
            }
            let mut rows = vec![
                ["AGENT", "ROLE", "EXPERTISE", "LAST SEEN"]
                    .map(String::from)
                    .to_vec(),
            ];
            for a in &agents {
                let mut seen = crate::model::time::seen_ago(a.last_seen, now);
                if agent::is_stale(a, now, stale_after) {
                    seen = format!("{seen} {}", ctx.ui.paint(Style::Yellow, "(stale)"));
                }
                rows.push(vec![
                    ctx.ui.paint(Style::Bold, a.id.as_str()).into_owned(),
                    sanitize_line(a.role.as_deref().unwrap_or("-")).into_owned(),
                    sanitize_line(&a.expertise.join(",")).into_owned(),
                    seen,
                ]);
            }
            ctx.ui.line(table(&rows).trim_end())?;
        }
        AgentCommand::Show(args) => {
            let id = AgentId::parse(&args.id)?;
            let snap = ops::snapshot(store)?;
            let a = agent::read(&snap, &id)?.ok_or_else(|| {
                CommandError::usage(format!("no agent {id} is registered"))
                    .hint("`git coord agent list` lists them; `git coord agent add` registers one")
            })?;
            let stale = agent::is_stale(&a, ctx.now(), stale_after);
            if ctx.ui.json {
                return Ok(ctx.ui.json(&AgentJson::new(&a, stale))?);
            }
            let mut rows = vec![
                vec![
                    "role:".to_owned(),
                    sanitize_line(a.role.as_deref().unwrap_or("-")).into_owned(),
                ],
                vec![
                    "expertise:".to_owned(),
                    sanitize_line(&a.expertise.join(", ")).into_owned(),
                ],
                vec!["status:".to_owned(), sanitize_line(&a.status).into_owned()],
                vec![
                    "last seen:".to_owned(),
                    match a.last_seen {
                        Some(t) => format!(
                            "{t} ({}){}",
                            t.ago(ctx.now()),
                            if stale { ", stale" } else { "" }
                        ),
                        None => format!(
                            "never (registered {}){}",
                            a.registered.ago(ctx.now()),
                            if stale { ", stale" } else { "" }
                        ),
                    },
                ],
            ];
            if let Some(b) = &a.branch {
                rows.push(vec!["branch:".to_owned(), sanitize_line(b).into_owned()]);
            }
            ctx.ui.line(ctx.ui.paint(Style::Bold, a.id.as_str()))?;
            for line in table(&rows).lines() {
                ctx.ui.line(format!("  {line}"))?;
            }
        }
    }
    Ok(())
}
