//! `git coord demo`: the nine-instance remediation plan of the playbooks, played through the
//! library in a new temporary repository over a simulated day, then shown the way a
//! coordinator sees it: the status screen, the daily report and the HTML dashboard.
//!
//! The day is told with the clock stepped event by event (each actor carries its own time, as
//! `GIT_COORD_NOW` gives each command one): it starts nine hours before the demo's clock
//! (`GIT_COORD_NOW`, or now) and ends at it, so the screens at the end measure blocker ages,
//! last-seen times and reply waits from real commits at known times.

use std::path::{Path, PathBuf};

use crate::clock::Clock;
use crate::context::Context;
use crate::error::{CommandError, CommandResult};
use crate::model::adr::NewAdr;
use crate::model::conflict::NewConflict;
use crate::model::gate::CriterionResult;
use crate::model::message::{Kind, Recipient};
use crate::model::milestone::NewMilestone;
use crate::model::risk::{Level, NewRisk};
use crate::model::{Action, AgentId, NewTask, TaskId, Timestamp};
use crate::ops::adr::{self, NewOption};
use crate::ops::authority::{Authority, Coordinators};
use crate::ops::memory::{self, Outgoing};
use crate::ops::task::{self as task_ops, AddTask, Filter};
use crate::ops::{self, Actor, conflict, gate, milestone, risk};
use crate::session::Session;
use crate::view::task::TaskJson;

use super::task::render;

/// Play the nine-instance remediation plan through a simulated day and show it
///
/// Creates a new git repository (under the system's temporary directory unless --dir is
/// given), initialises the coordination branch, and plays a coordinator's day with nine AI
/// instances (state management, AI resilience, caching, observability, review, testing,
/// database, DevOps, API) on a remediation plan with the Redis infrastructure on the
/// critical path: claims and completions, a blocker, messages and a reply, a decision (ADR)
/// proposed and accepted, a conflict opened and resolved, a milestone gate. The clock steps
/// through the day (it ends at GIT_COORD_NOW, or now). Then it prints the status screen and
/// the daily report, writes the HTML dashboard into DIR/dashboard/index.html (and says
/// where), and lists commands to explore the result with git itself. Your own repositories
/// are not touched.
///
/// Examples:
///   git coord demo
///   git coord demo --dir /tmp/coord-demo
///   GIT_COORD_NOW=2026-11-20T18:00:00Z git coord demo     # the same day every time
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Where to create the demo repository (must not exist yet)
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// How long the simulated day is: from 09:00 to 18:00, when the demo's clock reads 18:00.
const DAY_SECS: i64 = 9 * 3600;

/// The nine instances: name, role, expertise.
const AGENTS: [(&str, &str, &str); 9] = [
    ("state", "state management", "state,backend"),
    ("resil", "AI resilience", "ai,resilience"),
    ("cache", "caching", "cache,redis"),
    ("obs", "observability", "observability"),
    ("review", "code review", "review"),
    ("test", "testing", "testing"),
    ("db", "database", "database"),
    ("devops", "DevOps", "devops,redis"),
    ("api", "API", "api"),
];

/// One task of the plan: title, priority, hours, expertise, the plan indices it waits for,
/// the files it owns, and its milestone (`Some(0)`: the Redis milestone, `Some(1)`: phase 1).
type Planned = (
    &'static str,
    u8,
    f64,
    &'static str,
    &'static [usize],
    &'static str,
    Option<usize>,
);

/// The remediation plan: Redis first (everything that touches state, caching and the API
/// waits for it), the integration and load tests last.
const PLAN: [Planned; 14] = [
    (
        "Redis infrastructure: provision",
        0,
        4.0,
        "devops,redis",
        &[],
        "infra/redis/**",
        Some(0),
    ),
    (
        "Redis infrastructure: Sentinel failover",
        0,
        5.0,
        "devops,redis",
        &[0],
        "infra/sentinel/**",
        Some(1),
    ),
    (
        "Centralised state store",
        0,
        6.0,
        "state",
        &[0],
        "src/state/**",
        Some(1),
    ),
    (
        "Response cache on Redis",
        1,
        4.0,
        "cache",
        &[0],
        "src/cache/**",
        Some(1),
    ),
    (
        "AI provider circuit breaker",
        1,
        5.0,
        "ai",
        &[],
        "src/ai/breaker/**",
        None,
    ),
    (
        "Retry and fallback policy",
        2,
        3.0,
        "ai",
        &[4],
        "src/ai/retry/**",
        None,
    ),
    (
        "Tracing and metrics",
        1,
        4.0,
        "observability",
        &[],
        "src/telemetry/**",
        None,
    ),
    (
        "Alert rules",
        2,
        2.0,
        "observability",
        &[6],
        "ops/alerts/**",
        None,
    ),
    (
        "Connection pool and indexes",
        1,
        4.0,
        "database",
        &[],
        "migrations/**",
        Some(1),
    ),
    (
        "API error contract",
        1,
        2.0,
        "api",
        &[],
        "docs/api/**",
        None,
    ),
    (
        "API rate limiting",
        1,
        4.0,
        "api",
        &[1, 3],
        "src/api/ratelimit/**",
        Some(1),
    ),
    (
        "Review the state and cache changes",
        2,
        3.0,
        "review",
        &[2, 3],
        "",
        None,
    ),
    (
        "Integration test suite",
        1,
        6.0,
        "testing",
        &[2, 3, 10],
        "tests/integration/**",
        Some(1),
    ),
    (
        "Load test at 10x traffic",
        2,
        3.0,
        "testing",
        &[12],
        "bench/**",
        Some(1),
    ),
];

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
    // The demo's own session over its new repository, its clock at the end of the day: what
    // the screens measure. Each event of the day carries its own time (`at`).
    let end = ctx.now();
    let start = Timestamp::from_unix(end.unix() - DAY_SECS).unwrap_or(end);
    let session = Session::init_repository(&dir, Clock::fixed(end))?;
    let store = session.store()?;
    let day = Day { start };
    let story = play(&session, &day)?;

    let (tasks, _) = task_ops::list(
        store,
        &Filter {
            all: true,
            ..Filter::default()
        },
    )?;
    let page = dashboard(ctx, &session, &dir)?;
    if ctx.ui.json {
        let items: Vec<_> = tasks.iter().map(TaskJson::new).collect();
        ctx.ui.json(&serde_json::json!({
            "repository": dir,
            "tasks": items,
            "dashboard": page,
        }))?;
        return Ok(());
    }
    let d = dir.display();
    ctx.ui.line(format!("A sample project is in {d}\n"))?;
    for l in story.lines(&day) {
        ctx.ui.line(l)?;
    }
    ctx.ui.line("")?;
    ctx.ui
        .line(render::task_table(&ctx.ui, &tasks, end).trim_end())?;
    ctx.ui.line("")?;
    let state = ops::status::load_screen(&session)?;
    let (report, judged) = super::status::report(ctx, &state, false);
    super::status::print(
        &ctx.ui,
        &report,
        &judged,
        end,
        crate::context::screen_width(),
    )?;
    ctx.ui.line("")?;
    let since = Timestamp::from_unix(end.unix() - 24 * 3600).unwrap_or(start);
    let data = ops::report::daily(&state, &judged, since);
    let template = ops::report::template(store);
    let text = crate::report::daily::render(&template.text, &data)
        .map_err(|e| CommandError::internal(format!("cannot render the daily report: {e:#}")))?;
    ctx.ui.line(text.trim_end())?;
    ctx.ui.line("")?;
    ctx.ui.line(format!(
        "The dashboard is in {}: open {} in a browser.\n",
        dir.join("dashboard").display(),
        page.display()
    ))?;
    ctx.ui.line("Explore it:")?;
    let redis = &story.tasks[0];
    for l in [
        format!("  git -C {d} coord status"),
        format!("  git -C {d} coord standup"),
        format!("  git -C {d} coord metrics"),
        format!("  git -C {d} coord dispatch --dry-run     # who would get the ready work"),
        format!("  git -C {d} log --format='%ad %an: %s' --date=format:%H:%M coord     # the day"),
        format!("  git -C {d} coord log {redis}     # the critical path's first task, with diffs"),
        format!("  git -C {d} coord adr show 1     # the decision of the day"),
    ] {
        ctx.ui.line(l)?;
    }
    Ok(())
}

/// Writes the dashboard into `DIR/dashboard/index.html`, returning its path.
fn dashboard(ctx: &Context, session: &Session, dir: &Path) -> CommandResult<PathBuf> {
    let d = ops::dashboard::load(session)?;
    for w in &d.warnings {
        ctx.ui.warn(w);
    }
    let html = crate::report::dashboard::render(&d)
        .map_err(|e| CommandError::internal(format!("cannot render the dashboard: {e:#}")))?;
    let out = dir.join("dashboard");
    let file = out.join("index.html");
    std::fs::create_dir_all(&out)
        .and_then(|()| std::fs::write(&file, html))
        .map_err(|e| {
            CommandError::usage(format!("cannot write {}: {e}", file.display()))
                .hint("give --dir a directory you can write to")
        })?;
    Ok(file)
}

/// The simulated day's clock: events are placed in minutes after 09:00 (the start).
struct Day {
    start: Timestamp,
}

impl Day {
    fn at(&self, minutes: i64) -> Timestamp {
        Timestamp::from_unix(self.start.unix() + minutes * 60).unwrap_or(self.start)
    }

    /// `name` acting `minutes` into the day.
    fn actor(&self, name: &str, minutes: i64) -> CommandResult<Actor> {
        Ok(Actor {
            agent: AgentId::parse(name)?,
            email: format!("{name}@coord.invalid"),
            now: self.at(minutes),
        })
    }

    fn hhmm(&self, minutes: i64) -> String {
        self.at(minutes).datetime().format("%H:%M").to_string()
    }
}

/// What happened, for the story told before the screens.
struct Story {
    tasks: Vec<TaskId>,
    /// The agents registered besides the lead, as the records say (by ID).
    agents: Vec<String>,
    /// Whether the cache's early claim of its task (waiting for Redis) was refused.
    refused: bool,
    adr: String,
    conflict: String,
    gate: String,
    question: String,
}

impl Story {
    fn lines(&self, day: &Day) -> Vec<String> {
        let t = |i: usize| self.tasks[i].to_string();
        vec![
            format!(
                "{}  lead planned {} tasks in two milestones and",
                day.hhmm(0),
                self.tasks.len()
            ),
            format!(
                "       registered {} agents ({}; {} with the lead).",
                self.agents.len(),
                self.agents.join(", "),
                self.agents.len() + 1
            ),
            format!(
                "{}  devops took {} (Redis, on the critical path); resil, obs, db and api",
                day.hhmm(10),
                t(0)
            ),
            "       took work that waits on nothing.".to_owned(),
            format!(
                "{}  cache claimed {} before Redis was up: refused ({}); it asked devops when instead.",
                day.hhmm(20),
                t(3),
                if self.refused {
                    "not ready"
                } else {
                    "unexpectedly accepted"
                }
            ),
            format!(
                "{}  devops proposed {} (Sentinel or Cluster); lead accepted Sentinel at {}.",
                day.hhmm(90),
                self.adr,
                day.hhmm(150)
            ),
            format!(
                "{}  Redis provisioned; state and cache took the work it unblocked, devops the Sentinel",
                day.hhmm(240)
            ),
            format!(
                "       failover {} (still on the critical path); the Redis milestone's gate: {}.",
                t(1),
                self.gate
            ),
            format!(
                "{}  {} opened: state and cache both change src/redis/client.rs; resolved at {}.",
                day.hhmm(270),
                self.conflict,
                day.hhmm(330)
            ),
            format!(
                "{}  test asked api which rate-limit headers to assert ({}); no reply yet.",
                day.hhmm(270),
                self.question
            ),
            format!(
                "{}  db blocked {}: waiting for the DBA's sign-off on the index plan.",
                day.hhmm(300),
                t(8)
            ),
            format!(
                "{}  resil finished the circuit breaker, obs tracing and alerts; everyone checked in.",
                day.hhmm(480)
            ),
            format!(
                "{}  the coordinator reads the day:",
                day.hhmm(DAY_SECS / 60)
            ),
        ]
    }
}

/// Plays the day on `store`, every event at its own time.
fn play(session: &Session, day: &Day) -> CommandResult<Story> {
    let store = session.store()?;
    let lead = day.actor("lead", 0)?;
    ops::init::init(store, &lead.author(), Some(&lead))?;
    let coordinator =
        Authority::with_policy(&lead.agent, &Coordinators::Listed(vec![lead.agent.clone()]));
    let milestones = [
        milestone::add(
            store,
            &lead,
            NewMilestone {
                title: "Redis infrastructure ready".to_owned(),
                due: day.at(9 * 60),
                criteria: vec![
                    "redis-cli -h redis ping".to_owned(),
                    "cargo test redis".to_owned(),
                ],
                body: String::new(),
            },
        )?,
        milestone::add(
            store,
            &lead,
            NewMilestone {
                title: "Phase 1: stable under load".to_owned(),
                due: day.at(3 * 24 * 60),
                criteria: vec!["cargo test --test integration".to_owned()],
                body: String::new(),
            },
        )?,
    ];
    let mut tasks: Vec<TaskId> = Vec::new();
    for (title, priority, hours, expertise, after, owns, m) in PLAN {
        let task = task_ops::add(
            store,
            &lead,
            AddTask {
                task: NewTask {
                    title: title.to_owned(),
                    priority: Some(priority),
                    estimate_hours: Some(hours),
                    expertise: expertise.split(',').map(str::to_owned).collect(),
                    owns: if owns.is_empty() {
                        Vec::new()
                    } else {
                        vec![owns.to_owned()]
                    },
                    milestone: m.map(|i| milestones[i].id.to_string()),
                    ..NewTask::default()
                },
                after: after.iter().map(|i| tasks[*i].to_string()).collect(),
            },
        )?;
        tasks.push(task.id);
    }
    for (name, role, expertise) in AGENTS {
        let spec = ops::agent::AgentSpec {
            role: Some(role.to_owned()),
            expertise: Some(expertise.split(',').map(str::to_owned).collect()),
            ..Default::default()
        };
        ops::agent::add(store, &lead, &AgentId::parse(name)?, &spec)?;
    }
    let t = |i: usize| tasks[i].to_string();
    let step = |who: &str, minutes: i64, i: usize, action: Action| -> CommandResult {
        task_ops::transition(store, &day.actor(who, minutes)?, &t(i), &action, &[])?;
        Ok(())
    };
    let send = |who: &str, minutes: i64, to: &str, subject: &str, task: Option<usize>, kind| {
        memory::send(
            store,
            &day.actor(who, minutes)?,
            &Outgoing {
                to: Recipient::Agent(AgentId::parse(to)?),
                subject: subject.to_owned(),
                body: String::new(),
                task: task.map(t),
                files: Vec::new(),
                needs_reply: kind == Kind::Question,
                kind,
            },
        )
        .map_err(CommandError::from)
    };
    let done = Action::Done { force: false };

    // 09:05 – 09:10: everyone checks in; work that waits on nothing is taken.
    for (name, _, _) in AGENTS {
        ops::agent::checkin(
            store,
            &day.actor(name, 5)?,
            Some("active"),
            Some("starting"),
        )?;
    }
    for (who, i) in [
        ("devops", 0),
        ("resil", 4),
        ("obs", 6),
        ("db", 8),
        ("api", 9),
    ] {
        step(who, 10, i, Action::Claim)?;
    }
    // 09:20: the cache claims work that waits for Redis, is refused, and asks instead.
    let refused = step("cache", 20, 3, Action::Claim).is_err();
    let asked = send(
        "cache",
        20,
        "devops",
        "When is Redis up? The cache needs its endpoint",
        Some(0),
        Kind::Question,
    )?;
    memory::reply(
        store,
        &day.actor("devops", 40)?,
        asked.id.as_str(),
        "Around 13:00; the endpoint will be in infra/redis/README.md",
    )?;
    // 10:30 – 11:30: a decision on the Redis topology, proposed and accepted.
    let devops = day.actor("devops", 90)?;
    let template = adr::template(None);
    let decision = adr::create(
        store,
        &devops,
        &NewAdr {
            title: "Redis topology: Sentinel or Cluster".to_owned(),
            context: Some("State, cache and rate limits all live in Redis from today.".to_owned()),
            deciders: vec![lead.agent.clone()],
            input_from: vec![AgentId::parse("state")?, AgentId::parse("cache")?],
            deadline: Some(day.at(24 * 60)),
            review_date: None,
            proposed_by: Some(devops.agent.clone()),
        },
        &template,
    )?;
    for (name, pros, cons) in [
        (
            "Sentinel",
            "simple failover, one primary",
            "writes do not scale out",
        ),
        (
            "Cluster",
            "writes scale out",
            "multi-key operations need care",
        ),
    ] {
        adr::add_option(
            store,
            &devops,
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
    step("api", 120, 9, done.clone())?;
    adr::decide(
        store,
        &day.actor("lead", 150)?,
        decision.number,
        "Sentinel",
        "Our load fits one primary; failover is what we lack.",
        &template,
        &coordinator,
    )?;
    risk::add(
        store,
        &day.actor("lead", 180)?,
        NewRisk {
            title: "Redis is on every critical path".to_owned(),
            impact: Level::High,
            probability: Level::Medium,
            mitigation: Some("Sentinel failover, tested before phase 1".to_owned()),
            owner: Some(AgentId::parse("devops")?),
            body: String::new(),
        },
    )?;
    // 13:00: Redis is done; what it unblocked is taken, and its milestone passes its gate.
    step("devops", 240, 0, done.clone())?;
    step("state", 245, 2, Action::Claim)?;
    step("cache", 245, 3, Action::Claim)?;
    step("devops", 250, 1, Action::Claim)?;
    let criteria = milestones[0]
        .criteria
        .iter()
        .map(|c| CriterionResult {
            command: c.clone(),
            passed: true,
            exit_code: Some(0),
            seconds: 1.5,
        })
        .collect();
    let gated = gate::record(store, &day.actor("lead", 255)?, &milestones[0].id, criteria)?;
    // 13:30: a conflict over a shared file, resolved an hour later; a question unanswered.
    let opened = conflict::open(
        store,
        &day.actor("cache", 270)?,
        NewConflict {
            title: "state and cache both change src/redis/client.rs".to_owned(),
            between: vec![AgentId::parse("state")?, AgentId::parse("cache")?],
            about: vec!["src/redis/client.rs".to_owned()],
            body: String::new(),
        },
    )?;
    let question = send(
        "test",
        270,
        "api",
        "Which rate-limit headers should the integration tests assert?",
        Some(10),
        Kind::Question,
    )?;
    step(
        "db",
        300,
        8,
        Action::Block {
            reason: "waiting for the DBA's sign-off on the index plan".to_owned(),
            force: false,
        },
    )?;
    conflict::resolve(
        store,
        &day.actor("lead", 330)?,
        &opened.id.to_string(),
        "cache owns src/redis/client.rs; state goes through its API",
        &[],
        &coordinator,
    )?;
    // The afternoon: completions, the next tasks, and everyone checks in.
    step("resil", 360, 4, done.clone())?;
    step("resil", 365, 5, Action::Claim)?;
    step("obs", 420, 6, done.clone())?;
    step("obs", 425, 7, Action::Claim)?;
    step("obs", 480, 7, done)?;
    for name in AGENTS.iter().map(|a| a.0).chain(["lead"]) {
        ops::agent::checkin(store, &day.actor(name, 510)?, None, None)?;
    }
    // The story is told from what the session recorded, so it cannot drift from the screens.
    let (registered, _) = ops::agent::load(&ops::snapshot(store)?)?;
    Ok(Story {
        agents: registered
            .iter()
            .map(|a| a.id.to_string())
            .filter(|id| id != lead.agent.as_str())
            .collect(),
        tasks,
        refused,
        adr: format!("ADR-{:04}", decision.number.get()),
        conflict: opened.id.to_string(),
        gate: gated.gate.result.label().to_owned(),
        question: question.id.to_string(),
    })
}
