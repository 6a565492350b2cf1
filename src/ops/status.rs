/*!
`status`: everything the coordinator's screen is computed from, loaded from one snapshot of
the coordination branch with the settings that shape it (`coord.staleAfter`,
`coord.replyWithin`, `coord.defaultEstimate`, the `[slo]` table of `.coord/config.toml`). Plain
data: the faces compute the report and render it (`src/report/status.rs`).

[`assess`] judges the day from that state: the go/no-go colour with its reasons, how long each
blocker has waited against its SLO, tasks running past their estimate, today's priorities
with the agents they fit, and the capacity forecast ([`super::forecast`]). `status`, `report`
and `standup` all read it, so the three never disagree.
*/

use serde::Serialize;

use super::dispatch::Advice;
use super::forecast::{self, Forecast};
use super::plan::Work;
use super::{OpError, adr, agent, conflict, index, memory, milestone, plan, risk};

use crate::graph::{self, ReadyRef, Sheet};
use crate::model::adr::{Adr, AdrStatus};
use crate::model::conflict::{Conflict, ConflictStatus};
use crate::model::gate::GateResult;
use crate::model::message::Message;
use crate::model::milestone::{Milestone, MilestoneStatus};
use crate::model::risk::Risk;
use crate::model::time::format_hours;
use crate::model::{Agent, AgentId, RecordError, Status, TaskId, Timestamp};
use crate::session::Session;

/// The state of the project at one commit, as the status screen reads it.
#[derive(Debug)]
pub struct State {
    /// Every task as a row, the schedule and the shared ready set; the records decoded are
    /// every task ([`load`]) or the ones the screen prints ([`load_screen`]).
    pub work: Work,
    pub agents: Vec<Agent>,
    /// Messages that need a reply, have none, and waited longer than `coord.replyWithin`.
    pub overdue_messages: Vec<Message>,
    pub conflicts: Vec<Conflict>,
    pub risks: Vec<Risk>,
    pub adrs: Vec<Adr>,
    pub milestones: Vec<Milestone>,
    /// Records that could not be read, skipped (tasks, agents, messages, conflicts, risks,
    /// milestones, ADRs, in that order).
    pub problems: Vec<RecordError>,
    /// When the state was loaded: what `overdue_messages` was measured against.
    pub now: Timestamp,
    /// `coord.staleAfter`, in seconds.
    pub stale_after_secs: i64,
    /// `coord.defaultEstimate`, in hours: what a task without an estimate counts for.
    pub default_hours: f64,
    /// The coordination SLOs of `.coord/config.toml`.
    pub slos: Slos,
    /// `coord.replyWithin`, in seconds: the SLO of a message that needs a reply.
    pub reply_within_secs: i64,
    /// What the queues say to do ([`super::dispatch::advice`]): an expertise to add, idle
    /// agents, the moves `rebalance` would make. `None` for a state not read from a
    /// repository (tests of the judgement alone).
    pub advice: Option<Advice>,
}

/// Which task records a load decodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Records {
    /// Every one (`report`, `standup` and the dashboard list tasks of their own).
    All,
    /// Those the status screen and its JSON print ([`screen_rows`]).
    Screen,
}

/// Loads the state the status screen shows, at the session's time, every task record
/// decoded.
pub fn load(session: &Session) -> Result<State, OpError> {
    load_with(session, Records::All)
}

/// Loads the state for the status screen alone ([`assess`] and the report built on it):
/// every task as a row, and only the records the screen prints decoded (blocked, in progress
/// or in review, held, past due, and the top of the ready set). At 100,000 tasks that is the
/// difference between decoding a few records and all of them.
pub fn load_screen(session: &Session) -> Result<State, OpError> {
    load_with(session, Records::Screen)
}

/// How many of the ready tasks the screen names (today's priorities).
pub const PRIORITIES: usize = 5;

/// The rows whose records the status screen prints, at `now`: blocked, in progress, in
/// review, held by an agent (the moves of the advice), past due, and the first
/// [`PRIORITIES`] ready ones.
pub fn screen_rows(sheet: &Sheet, ready: &[ReadyRef], now: Timestamp) -> Vec<usize> {
    let mut rows: Vec<usize> = (0..sheet.len())
        .filter(|&r| {
            let status = sheet.status(r);
            !status.is_closed()
                && (status != Status::Todo
                    || sheet.assignee(r).is_some()
                    || sheet.due(r).is_some_and(|d| d < now.unix()))
        })
        .collect();
    rows.extend(ready.iter().take(PRIORITIES).map(|r| r.index));
    rows
}

fn load_with(session: &Session, records: Records) -> Result<State, OpError> {
    let store = session.store()?;
    let now = session.now();
    let snap = super::snapshot(store)?;
    let default_hours = plan::default_estimate(store);
    // The task view has the rows, the schedule and the ready set of this commit precomputed.
    let view = index::TaskView::open(store, &snap, default_hours)?;
    let mut problems = view.problems().to_vec();
    let work = match records {
        Records::All => Work::all(view)?,
        Records::Screen => Work::rows(view, |sheet, ready| screen_rows(sheet, ready, now))?,
    };
    let (agents, bad_agents) = agent::load(&snap)?;
    let (messages, bad_messages) = memory::load_messages(&snap)?;
    let (conflicts, bad_conflicts) = conflict::load_conflicts(&snap)?;
    let (risks, bad_risks) = risk::load_risks(&snap)?;
    let (adrs, bad_adrs) = adr::load_adrs(&snap)?;
    let (milestones, bad_milestones) = milestone::load_milestones(&snap)?;
    for bad in [
        bad_agents,
        bad_messages,
        bad_conflicts,
        bad_risks,
        bad_milestones,
        bad_adrs,
    ] {
        problems.extend(bad);
    }
    // At the screen's clock, so an agent the rows call stale is stale to the advice too; on
    // the records read above (the tip is read once for the whole screen).
    let advice = super::dispatch::advice_on(
        &super::dispatch::Loaded::new(store, &work, &agents),
        &messages,
        now,
        memory::reply_within(store),
    );
    let overdue_messages = memory::annotate(&messages, now, memory::reply_within(store))
        .into_iter()
        .filter(|i| i.reply_overdue)
        .map(|i| i.message)
        .collect();
    Ok(State {
        work,
        agents,
        overdue_messages,
        conflicts,
        risks,
        adrs,
        milestones,
        problems,
        now,
        stale_after_secs: agent::stale_after(store),
        default_hours,
        slos: super::slo::slos(store).0,
        reply_within_secs: memory::reply_within(store),
        advice: Some(advice),
    })
}

pub use super::slo::{DEFAULT_SLOS, Slos};

/// The go/no-go colour of the day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Colour {
    Green,
    Yellow,
    Red,
}

impl Colour {
    pub fn label(self) -> &'static str {
        match self {
            Colour::Green => "GREEN",
            Colour::Yellow => "YELLOW",
            Colour::Red => "RED",
        }
    }
}

/// The colour and why: RED for a late milestone or a gate NO-GO; YELLOW for SLO breaches,
/// stale agents, blockers past their SLO, at-risk milestones; GREEN otherwise. Reasons are
/// listed worst first.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GoNoGo {
    pub colour: Colour,
    pub reasons: Vec<String>,
}

/// A blocked task and how long it has waited against the blocker SLO.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BlockerAge {
    pub id: TaskId,
    pub title: String,
    pub assignee: Option<AgentId>,
    pub reason: Option<String>,
    /// When it was blocked (its last change: blocking is a change).
    pub since: Timestamp,
    pub age_hours: f64,
    pub slo_hours: f64,
    pub past_slo: bool,
}

/// A task in progress longer than its estimate.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Overrun {
    pub id: TaskId,
    pub title: String,
    pub assignee: Option<AgentId>,
    pub estimate_hours: f64,
    /// Since it was claimed.
    pub running_hours: f64,
    pub since: Timestamp,
}

/// One of today's priorities: a ready task in scheduling order, and who can take it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Priority {
    pub id: TaskId,
    pub title: String,
    pub priority: u8,
    pub slack: Option<f64>,
    pub expertise: Vec<String>,
    /// Available agents whose expertise fits, least loaded first.
    pub fits: Vec<AgentId>,
}

/// A record waiting past its SLO.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Breach {
    /// `blockers`, `decisions`, `conflicts` or `messages`.
    pub slo: &'static str,
    pub record: String,
    pub title: String,
    pub age_hours: f64,
    pub slo_hours: f64,
}

/// The day as the coordinator judges it (see [`assess`]).
#[derive(Clone, Debug, Serialize)]
pub struct Day {
    pub go_no_go: GoNoGo,
    /// Blocked tasks, longest waiting first.
    pub blockers: Vec<BlockerAge>,
    /// Tasks in progress past their estimate, worst overrun first.
    pub overrunning: Vec<Overrun>,
    /// The top ready tasks (at most five) with the agents they fit.
    pub today: Vec<Priority>,
    /// Every record waiting past its SLO, by SLO then age.
    pub slo_breaches: Vec<Breach>,
    /// Agents not offline and unseen for longer than `coord.staleAfter`, by ID.
    pub stale_agents: Vec<AgentId>,
    pub forecast: Forecast,
    /// The dispatch advice of the state, carried for the renderings. Not serialised with the
    /// day: `status --json` adds it under its own key (`view::status`), and `report --json`
    /// keeps the keys it had.
    #[serde(skip)]
    pub advice: Option<Advice>,
}

fn hours_between(from: Timestamp, to: Timestamp) -> f64 {
    (to.unix() - from.unix()).max(0) as f64 / 3600.0
}

/// Judges the day from `state` (pure: the same state gives the same day).
pub fn assess(state: &State) -> Day {
    judge_day(state, true)
}

/// [`assess`] for a rendering that prints the forecast's totals but not where each task
/// lands (the screen, its markdown, the dashboard): the same day, with `forecast.slots`
/// left empty, which at 100,000 open tasks saves as many records.
pub fn assess_brief(state: &State) -> Day {
    judge_day(state, false)
}

fn judge_day(state: &State, slots: bool) -> Day {
    let now = state.now;
    let hours = |secs: i64| secs as f64 / 3600.0;
    let work = &state.work;
    let sheet = &work.sheet;
    let forecast = forecast::forecast(&forecast::Input {
        sheet,
        agents: &state.agents,
        milestones: &state.milestones,
        now,
        stale_after_secs: state.stale_after_secs,
        slots,
    });
    let blocker_slo = hours(state.slos.blockers);
    let mut blockers: Vec<BlockerAge> = (0..sheet.len())
        .filter(|&r| sheet.status(r) == Status::Blocked)
        .filter_map(|r| work.task(r))
        .map(|t| {
            let age = hours_between(t.updated, now);
            BlockerAge {
                id: t.id.clone(),
                title: t.title.clone(),
                assignee: t.assignee.clone(),
                reason: t.blocked_reason.clone(),
                since: t.updated,
                age_hours: age,
                slo_hours: blocker_slo,
                past_slo: now.unix() - t.updated.unix() > state.slos.blockers,
            }
        })
        .collect();
    blockers.sort_by(|a, b| (a.since, &a.id).cmp(&(b.since, &b.id)));
    let mut overrunning: Vec<Overrun> = (0..sheet.len())
        .filter(|&r| sheet.status(r) == Status::InProgress)
        .filter_map(|r| {
            let since = Timestamp::from_unix(sheet.claimed(r)?)?;
            let running = hours_between(since, now);
            let estimate = sheet.hours(r);
            let t = work.task(r)?;
            (running > estimate).then(|| Overrun {
                id: t.id.clone(),
                title: t.title.clone(),
                assignee: t.assignee.clone(),
                estimate_hours: estimate,
                running_hours: running,
                since,
            })
        })
        .collect();
    overrunning.sort_by(|a, b| {
        (b.running_hours - b.estimate_hours)
            .total_cmp(&(a.running_hours - a.estimate_hours))
            .then(a.id.cmp(&b.id))
    });
    let today = priorities(state, &forecast);
    let slo_breaches = breaches(state, &blockers);
    let mut stale_agents: Vec<AgentId> = state
        .agents
        .iter()
        .filter(|a| a.status != "offline" && agent::is_stale(a, now, state.stale_after_secs))
        .map(|a| a.id.clone())
        .collect();
    stale_agents.sort();
    let go_no_go = judge(state, &forecast, &slo_breaches, &stale_agents);
    Day {
        go_no_go,
        blockers,
        overrunning,
        today,
        slo_breaches,
        stale_agents,
        forecast,
        advice: state.advice.clone(),
    }
}

fn priorities(state: &State, forecast: &Forecast) -> Vec<Priority> {
    let sheet = &state.work.sheet;
    // Each available agent with its load (open hours, open tasks), counted once.
    let loads = sheet.loads();
    let available: Vec<(&Agent, (f64, usize))> = state
        .agents
        .iter()
        .filter(|a| forecast.available.contains(&a.id))
        .map(|a| {
            let load = sheet
                .name_index(a.id.as_str())
                .and_then(|i| loads.get(i as usize).copied());
            (a, load.unwrap_or_default())
        })
        .collect();
    state
        .work
        .ready
        .iter()
        .take(PRIORITIES)
        .filter_map(|r| Some((r, state.work.task(r.index)?)))
        .map(|(r, task)| {
            let mut fits: Vec<(f64, usize, &AgentId)> = available
                .iter()
                .filter(|(a, _)| graph::fits(task, &a.expertise))
                .map(|(a, (h, n))| (*h, *n, &a.id))
                .collect();
            fits.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)).then(x.2.cmp(y.2)));
            Priority {
                id: task.id.clone(),
                title: task.title.clone(),
                priority: task.priority,
                slack: r.slack,
                expertise: task.expertise.clone(),
                fits: fits.into_iter().map(|(_, _, id)| id.clone()).collect(),
            }
        })
        .collect()
}

fn breaches(state: &State, blockers: &[BlockerAge]) -> Vec<Breach> {
    let now = state.now;
    let hours = |secs: i64| secs as f64 / 3600.0;
    let mut out: Vec<Breach> = blockers
        .iter()
        .filter(|b| b.past_slo)
        .map(|b| Breach {
            slo: "blockers",
            record: b.id.to_string(),
            title: b.title.clone(),
            age_hours: b.age_hours,
            slo_hours: b.slo_hours,
        })
        .collect();
    let mut decisions: Vec<Breach> = state
        .adrs
        .iter()
        .filter(|a| {
            a.status == AdrStatus::Proposed && now.unix() - a.created.unix() > state.slos.decisions
        })
        .map(|a| Breach {
            slo: "decisions",
            record: format!("ADR-{:04}", a.number.get()),
            title: a.title.clone(),
            age_hours: hours_between(a.created, now),
            slo_hours: hours(state.slos.decisions),
        })
        .collect();
    let mut conflicts: Vec<Breach> = state
        .conflicts
        .iter()
        .filter(|c| {
            c.status == ConflictStatus::Open && now.unix() - c.created.unix() > state.slos.conflicts
        })
        .map(|c| Breach {
            slo: "conflicts",
            record: c.id.to_string(),
            title: c.title.clone(),
            age_hours: hours_between(c.created, now),
            slo_hours: hours(state.slos.conflicts),
        })
        .collect();
    let mut messages: Vec<Breach> = state
        .overdue_messages
        .iter()
        .map(|m| Breach {
            slo: "messages",
            record: m.id.to_string(),
            title: m.subject.clone(),
            age_hours: hours_between(m.sent, now),
            slo_hours: hours(state.reply_within_secs),
        })
        .collect();
    for group in [&mut decisions, &mut conflicts, &mut messages] {
        group.sort_by(|a, b| {
            b.age_hours
                .total_cmp(&a.age_hours)
                .then(a.record.cmp(&b.record))
        });
    }
    out.extend(decisions);
    out.extend(conflicts);
    out.extend(messages);
    out
}

fn judge(state: &State, forecast: &Forecast, breaches: &[Breach], stale: &[AgentId]) -> GoNoGo {
    let mut red = Vec::new();
    let mut yellow = Vec::new();
    for m in &forecast.milestones {
        let why = m.reason.as_deref().unwrap_or("behind");
        if m.late {
            red.push(format!("milestone {} \"{}\" is late: {why}", m.id, m.title));
        } else if m.at_risk {
            yellow.push(format!(
                "milestone {} \"{}\" is at risk: {why}",
                m.id, m.title
            ));
        }
    }
    let mut open: Vec<&Milestone> = state
        .milestones
        .iter()
        .filter(|m| m.status == MilestoneStatus::Open)
        .collect();
    open.sort_by(|a, b| (a.due, &a.id).cmp(&(b.due, &b.id)));
    for m in open {
        if let Some(g) = m.gates.last().filter(|g| g.result == GateResult::NoGo) {
            red.push(format!(
                "milestone {} \"{}\": its last gate was NO-GO ({})",
                m.id,
                m.title,
                g.at.datetime().format("%Y-%m-%d %H:%M UTC")
            ));
        }
    }
    for b in breaches {
        let what = match b.slo {
            "blockers" => "blocked",
            "decisions" => "undecided",
            "conflicts" => "unresolved",
            _ => "unanswered",
        };
        yellow.push(format!(
            "{} \"{}\" {what} for {}, past its {} SLO ({})",
            b.record,
            b.title,
            format_hours(b.age_hours),
            format_hours(b.slo_hours),
            b.slo
        ));
    }
    if !stale.is_empty() {
        let names: Vec<&str> = stale.iter().map(|a| a.as_str()).collect();
        yellow.push(format!(
            "{} agent(s) stale (unseen for more than {}): {}",
            stale.len(),
            format_hours(state.stale_after_secs as f64 / 3600.0),
            names.join(", ")
        ));
    }
    let colour = if !red.is_empty() {
        Colour::Red
    } else if !yellow.is_empty() {
        Colour::Yellow
    } else {
        Colour::Green
    };
    red.extend(yellow);
    GoNoGo {
        colour,
        reasons: red,
    }
}

#[cfg(test)]
mod tests {
    use crate::clock::Clock;
    use crate::model::message::{Kind, Recipient};
    use crate::model::{AgentId, NewTask, Timestamp};
    use crate::ops::memory::{self, Outgoing};
    use crate::ops::task::{self, AddTask};
    use crate::ops::{Actor, init};
    use crate::session::Session;
    use crate::store::{Edit, Plan, Store};

    fn at(s: &str) -> Timestamp {
        Timestamp::parse_rfc3339(s).expect("fixture time")
    }

    fn actor(name: &str, now: Timestamp) -> Actor {
        Actor {
            agent: AgentId::parse(name).expect("agent ID"),
            email: format!("{name}@coord.invalid"),
            now,
        }
    }

    /// A repository initialised by `lead` with two tasks (the second after the first), a
    /// question to `state` that needs a reply, and one unreadable risk; all at `then`.
    fn project(dir: &std::path::Path, then: Timestamp) -> Store {
        let store = Store::init_repository(dir).expect("a new repository");
        let lead = actor("lead", then);
        init::init(&store, &lead.author(), Some(&lead)).expect("init");
        let add = |title: &str, after: Vec<String>| {
            task::add(
                &store,
                &lead,
                AddTask {
                    task: NewTask {
                        title: title.to_owned(),
                        estimate_hours: Some(2.0),
                        ..NewTask::default()
                    },
                    after,
                },
            )
            .expect("task add")
        };
        let first = add("first", vec![]);
        add("second", vec![first.id.to_string()]);
        memory::send(
            &store,
            &lead,
            &Outgoing {
                to: Recipient::Agent(AgentId::parse("state").expect("agent ID")),
                subject: "which pool size?".to_owned(),
                body: String::new(),
                task: None,
                files: vec![],
                needs_reply: true,
                kind: Kind::Question,
            },
        )
        .expect("send");
        store
            .update(&lead.author(), |_| {
                Ok::<_, crate::store::Error>(Plan::Commit {
                    message: "a hand edit gone wrong".to_owned(),
                    edits: vec![Edit::write("risks/r-bad000.md", "not a risk\n")],
                    value: (),
                })
            })
            .expect("write a malformed risk");
        store
    }

    #[test]
    fn load_reads_every_kind_of_record_and_the_settings() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let then = at("2026-11-21T10:00:00Z");
        let store = project(dir.path(), then);
        let state = super::load(&Session::open(store, Clock::fixed(then))).expect("load");
        let mut titles: Vec<&str> = state
            .work
            .tasks()
            .iter()
            .map(|t| t.title.as_str())
            .collect();
        titles.sort();
        assert_eq!(titles, ["first", "second"]);
        let agents: Vec<&str> = state.agents.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(agents, ["lead"]);
        assert!(state.conflicts.is_empty() && state.risks.is_empty());
        assert!(state.adrs.is_empty() && state.milestones.is_empty());
        // The malformed risk is skipped and reported, not fatal.
        assert_eq!(state.problems.len(), 1, "{:?}", state.problems);
        assert!(
            state.problems[0].to_string().contains("risks/r-bad000.md"),
            "{}",
            state.problems[0]
        );
        // Just sent: not waiting too long yet.
        assert!(state.overdue_messages.is_empty());
        assert_eq!(state.now, then);
        assert_eq!(
            state.stale_after_secs,
            crate::ops::agent::DEFAULT_STALE_AFTER_SECS
        );
        assert_eq!(state.default_hours, crate::graph::DEFAULT_ESTIMATE_HOURS);
    }

    /// A state at `now` with `tasks`, `agents` and `milestones`, the default SLOs.
    fn state_of(
        tasks: Vec<crate::model::Task>,
        agents: Vec<crate::model::Agent>,
        milestones: Vec<crate::model::milestone::Milestone>,
        now: Timestamp,
    ) -> super::State {
        super::State {
            work: crate::ops::plan::Work::of(tasks, 1.0),
            agents,
            overdue_messages: Vec::new(),
            conflicts: Vec::new(),
            risks: Vec::new(),
            adrs: Vec::new(),
            milestones,
            problems: Vec::new(),
            now,
            stale_after_secs: 2 * 3600,
            default_hours: 1.0,
            slos: super::DEFAULT_SLOS,
            reply_within_secs: 4 * 3600,
            advice: None,
        }
    }

    fn milestone(due: Timestamp) -> crate::model::milestone::Milestone {
        crate::model::milestone::Milestone::new(
            crate::model::milestone::MilestoneId::parse("m-000001").expect("ID"),
            crate::model::milestone::NewMilestone {
                title: "Beta".to_owned(),
                due,
                criteria: Vec::new(),
                body: String::new(),
            },
            at("2026-11-20T10:00:00Z"),
        )
        .expect("milestone")
    }

    fn fresh(name: &str, now: Timestamp) -> crate::model::Agent {
        let mut a = crate::model::Agent::new(AgentId::parse(name).expect("agent ID"), now);
        a.saw(now);
        a
    }

    fn beta_task(hours: f64) -> crate::model::Task {
        crate::model::Task::new(
            crate::model::TaskId::parse("t-000001").expect("ID"),
            NewTask {
                title: "Pool".to_owned(),
                estimate_hours: Some(hours),
                milestone: Some("m-000001".to_owned()),
                ..NewTask::default()
            },
            at("2026-11-20T10:00:00Z"),
        )
        .expect("task")
    }

    #[test]
    fn a_quiet_day_is_green() {
        let now = at("2026-11-21T10:00:00Z");
        let state = state_of(
            vec![beta_task(2.0)],
            vec![fresh("ana", now)],
            vec![milestone(at("2026-11-22T10:00:00Z"))],
            now,
        );
        let day = super::assess(&state);
        assert_eq!(day.go_no_go.colour, super::Colour::Green);
        assert!(day.go_no_go.reasons.is_empty());
        assert_eq!(day.today[0].fits, [AgentId::parse("ana").expect("ID")]);
    }

    #[test]
    fn a_milestone_past_its_due_date_with_open_work_is_red() {
        let now = at("2026-11-21T10:00:00Z");
        let state = state_of(
            vec![beta_task(2.0)],
            vec![fresh("ana", now)],
            vec![milestone(at("2026-11-21T09:00:00Z"))],
            now,
        );
        let day = super::assess(&state);
        assert_eq!(day.go_no_go.colour, super::Colour::Red);
        assert_eq!(
            day.go_no_go.reasons,
            [
                "milestone m-000001 \"Beta\" is late: due 2026-11-21 09:00 UTC has passed with 1 task(s) (2h) open"
            ]
        );
    }

    #[test]
    fn the_slo_defaults_are_the_ones_config_list_shows() {
        // The defaults are the ones config --list shows.
        for (key, default) in super::super::slo::SLO_KEYS {
            let key = format!("slo.{key}");
            let listed = crate::ops::config::PROJECT_KEYS
                .iter()
                .find(|k| k.key == key)
                .and_then(|k| k.default);
            assert_eq!(listed, Some(default), "{key}");
        }
    }

    #[test]
    fn a_question_waiting_past_reply_within_is_overdue_at_the_session_time() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let then = at("2026-11-21T10:00:00Z");
        let store = project(dir.path(), then);
        // Five hours later: past the default four hours of `coord.replyWithin`.
        let later = at("2026-11-21T15:00:00Z");
        let state = super::load(&Session::open(store, Clock::fixed(later))).expect("load");
        let overdue: Vec<&str> = state
            .overdue_messages
            .iter()
            .map(|m| m.subject.as_str())
            .collect();
        assert_eq!(overdue, ["which pool size?"]);
        assert_eq!(state.now, later);
    }
}
