//! `git coord demo`: a sample multi-agent project in a new temporary repository, played
//! through the library and shown with the task list and the status screen (DESIGN §4 setup).

use std::path::PathBuf;

use crate::clock::Clock;
use crate::context::Context;
use crate::error::{CommandError, CommandResult};
use crate::model::adr::NewAdr;
use crate::model::conflict::NewConflict;
use crate::model::milestone::NewMilestone;
use crate::model::risk::{Level, NewRisk};
use crate::model::{Action, AgentId, NewTask, TaskId, Timestamp};
use crate::ops::adr::{self, NewOption};
use crate::ops::task::{self as task_ops, AddTask, Filter, TaskPatch};
use crate::ops::{self, Actor, conflict, milestone, risk};
use crate::session::Session;
use crate::ui::sanitize_line;
use crate::view::task::TaskJson;

use super::task::render;

/// Build a sample multi-agent project in a temporary repository and show it
///
/// Creates a new git repository (under the system's temporary directory unless --dir is
/// given), initialises the coordination branch, and plays a short session: a coordinator
/// plans five tasks with dependencies and a milestone and registers three agents, who claim,
/// block and finish work; a decision (ADR) waits with two options, a risk and a conflict are
/// logged. Then it
/// prints the task list, the status screen and the commands to explore the result with git
/// itself. Your own repositories are not touched.
///
/// Example:
///   git coord demo
///   git coord demo --dir /tmp/coord-demo
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Where to create the demo repository (must not exist yet)
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

pub fn run(ctx: &Context, args: Args) -> CommandResult {
    let dir = match args.dir {
        Some(d) => d,
        None => std::env::temp_dir().join(format!("git-coord-demo-{:08x}", fastrand::u32(..))),
    };
    if dir.exists() {
        return Err(
            CommandError::usage(format!("{} already exists", dir.display()))
                .hint("give --dir a path that does not exist yet"),
        );
    }
    // The demo's own session over its new repository. The whole story happens at one moment,
    // so what the status screen measures (last seen, waiting replies) is the same everywhere.
    let session = Session::init_repository(&dir, Clock::fixed(ctx.now()))?;
    let store = session.store()?;
    let now = session.now();
    let actor = |name: &str| -> CommandResult<Actor> {
        Ok(Actor {
            agent: AgentId::parse(name)?,
            email: format!("{name}@coord.invalid"),
            now,
        })
    };
    let lead = actor("lead")?;
    ops::init::init(store, &lead.author(), Some(&lead))?;

    let add = |title: &str,
               priority: u8,
               hours: f64,
               expertise: &[&str],
               after: Vec<String>,
               owns: &[&str]| {
        task_ops::add(
            store,
            &lead,
            AddTask {
                task: NewTask {
                    title: title.to_owned(),
                    priority: Some(priority),
                    estimate_hours: Some(hours),
                    expertise: expertise.iter().map(|s| s.to_string()).collect(),
                    owns: owns.iter().map(|s| s.to_string()).collect(),
                    ..NewTask::default()
                },
                after,
            },
        )
    };
    let api = add(
        "Design the rate-limit API",
        0,
        2.0,
        &["api"],
        vec![],
        &["docs/api/**"],
    )?;
    let pool = add(
        "Redis connection pool",
        1,
        4.0,
        &["redis"],
        vec![],
        &["src/pool/**"],
    )?;
    let limiter = add(
        "Redis rate limiter",
        1,
        6.0,
        &["backend", "redis"],
        vec![api.id.to_string(), pool.id.to_string()],
        &["src/ratelimit/**"],
    )?;
    add(
        "Load test the limiter",
        2,
        3.0,
        &["perf"],
        vec![limiter.id.to_string()],
        &["bench/**"],
    )?;
    let docs = add(
        "Document rate limits",
        3,
        1.5,
        &["docs"],
        vec![api.id.to_string()],
        &["docs/limits.md"],
    )?;

    let (alice, state, scribe) = (actor("alice")?, actor("state")?, actor("scribe")?);
    for (who, role, expertise) in [
        (&alice, "API design", "api"),
        (&state, "state and storage", "redis,backend"),
        (&scribe, "documentation", "docs"),
    ] {
        let spec = crate::ops::agent::AgentSpec {
            role: Some(role.to_owned()),
            expertise: Some(expertise.split(',').map(str::to_owned).collect()),
            ..Default::default()
        };
        crate::ops::agent::add(store, &lead, &who.agent, &spec)?;
    }
    let step =
        |who: &Actor, id: &str, action: Action| task_ops::transition(store, who, id, &action, &[]);
    step(&alice, api.id.as_str(), Action::Claim)?;
    step(&alice, api.id.as_str(), Action::Done { force: false })?;
    step(&state, pool.id.as_str(), Action::Claim)?;
    step(&scribe, docs.id.as_str(), Action::Claim)?;
    step(
        &scribe,
        docs.id.as_str(),
        Action::Block {
            reason: "waiting for the final header names".to_owned(),
            force: false,
        },
    )?;
    // A second claim of a held task loses, as it would for a real agent.
    let lost = step(&alice, pool.id.as_str(), Action::Claim).is_err();
    records(&session, &lead, &alice, &[&limiter.id, &pool.id])?;

    let (tasks, _) = task_ops::list(
        store,
        &Filter {
            all: true,
            ..Filter::default()
        },
    )?;
    if ctx.ui.json {
        let items: Vec<_> = tasks.iter().map(TaskJson::new).collect();
        ctx.ui
            .json(&serde_json::json!({ "repository": dir, "tasks": items }))?;
        return Ok(());
    }
    // The story is told from what the session recorded, so it cannot drift from the table.
    let (agents, _) = crate::ops::agent::load(&ops::snapshot(store)?)?;
    let others: Vec<&str> = agents
        .iter()
        .map(|a| a.id.as_str())
        .filter(|id| *id != lead.agent.as_str())
        .collect();
    let d = dir.display();
    ctx.ui.line(format!("A sample project is in {d}\n"))?;
    ctx.ui.line(format!(
        "The lead planned {} tasks and a milestone, registered {} agents ({}; {} with the lead),\nopened a decision with two options and logged a risk. alice finished the API design,",
        tasks.len(),
        others.len(),
        others.join(", "),
        agents.len()
    ))?;
    ctx.ui.line(format!(
        "state claimed the pool, scribe is blocked, and alice's attempt to claim the pool too\nwas refused ({}), so she logged a conflict.\n",
        if lost {
            "exit 3"
        } else {
            "unexpectedly accepted"
        }
    ))?;
    ctx.ui
        .line(render::task_table(&ctx.ui, &tasks, now).trim_end())?;
    ctx.ui.line("")?;
    let (report, day) = super::status::report(ctx, &ops::status::load(&session)?);
    super::status::print(&ctx.ui, &report, &day, now, crate::context::screen_width())?;
    ctx.ui.line(format!(
        "\n{}\n",
        sanitize_line(&format!(
            "The limiter {} waits for the pool; claiming it now is refused as not ready.",
            limiter.id
        ))
    ))?;
    ctx.ui.line("Explore it:")?;
    ctx.ui
        .line(format!("  git -C {d} coord task show {}", limiter.id))?;
    ctx.ui.line(format!(
        "  git -C {d} coord --agent you claim {}     # exit 1: not ready",
        limiter.id
    ))?;
    ctx.ui.line(format!(
        "  git -C {d} log --format='%h %an: %s' coord     # the audit log"
    ))?;
    ctx.ui.line(format!(
        "  git -C {d} show coord:{}",
        crate::model::layout::task_path(&limiter.id)
    ))?;
    ctx.ui.line(format!(
        "  git -C {d} coord log {}     # its history, with diffs",
        pool.id
    ))?;
    ctx.ui.line(format!(
        "  git -C {d} coord adr show 1     # a decision waiting for its deadline"
    ))?;
    Ok(())
}

/// The project's memory beyond tasks: a milestone for the limiter work, a decision still open
/// with two options, a high risk, and the conflict alice's refused claim started.
fn records(
    session: &Session,
    lead: &Actor,
    alice: &Actor,
    beta_tasks: &[&TaskId],
) -> CommandResult {
    let store = session.store()?;
    let now = lead.now;
    let in_days = |days: i64| Timestamp::from_unix(now.unix() + days * 86_400);
    let beta = milestone::add(
        store,
        lead,
        NewMilestone {
            title: "Rate limiting beta".to_owned(),
            due: in_days(3).unwrap_or(now),
            criteria: vec!["cargo test ratelimit".to_owned()],
            body: String::new(),
        },
    )?;
    // The lead files tasks its agents already hold: a coordinator's forced edit.
    let coordinator = crate::ops::authority::Authority::with_policy(
        &lead.agent,
        &crate::ops::authority::Coordinators::Listed(vec![lead.agent.clone()]),
    );
    for id in beta_tasks {
        task_ops::edit_as(
            store,
            lead,
            id.as_str(),
            &TaskPatch {
                milestone: Some(Some(beta.id.to_string())),
                ..TaskPatch::default()
            },
            &coordinator,
        )?;
    }
    // The demo repository has no template override.
    let template = adr::template(None);
    let decision = adr::create(
        store,
        lead,
        &NewAdr {
            title: "Where rate-limit counters live".to_owned(),
            context: Some("Limits must hold across every instance of the service.".to_owned()),
            deciders: vec![lead.agent.clone()],
            input_from: vec![AgentId::parse("state")?],
            deadline: in_days(2),
            review_date: None,
            proposed_by: None,
        },
        &template,
    )?;
    for (name, pros, cons) in [
        (
            "Redis",
            "shared by every instance",
            "one more service to run",
        ),
        ("In-process", "nothing to run", "each instance counts alone"),
    ] {
        adr::add_option(
            store,
            lead,
            decision.number,
            &NewOption {
                name: name.to_owned(),
                pros: vec![pros.to_owned()],
                cons: vec![cons.to_owned()],
                effort: None,
            },
            &template,
        )?;
    }
    risk::add(
        store,
        lead,
        NewRisk {
            title: "Redis is a single point of failure".to_owned(),
            impact: Level::High,
            probability: Level::Medium,
            mitigation: Some("Sentinel before GA".to_owned()),
            owner: Some(AgentId::parse("state")?),
            body: String::new(),
        },
    )?;
    conflict::open(
        store,
        alice,
        NewConflict {
            title: "alice and state both need src/pool".to_owned(),
            between: vec![alice.agent.clone(), AgentId::parse("state")?],
            about: vec!["src/pool/**".to_owned()],
            body: String::new(),
        },
    )?;
    Ok(())
}
