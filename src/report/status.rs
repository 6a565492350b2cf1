/*!
`status`: the coordinator's screen, as data. A pure function of the records: progress, one
row per agent (with the stale flag), the critical path, blocked tasks and why, today's
priorities, messages waiting too long for a reply, open conflicts, pending decisions, high
risks and the health of open milestones.
*/

use serde::Serialize;

use crate::graph::TaskGraph;
use crate::model::adr::{Adr, AdrStatus};
use crate::model::conflict::{Conflict, ConflictStatus};
use crate::model::message::Message;
use crate::model::milestone::{Milestone, MilestoneStatus};
use crate::model::risk::{Risk, RiskStatus};
use crate::model::{Agent, AgentId, Status, Task, TaskId, Timestamp};

pub struct Input<'a> {
    pub tasks: &'a [Task],
    pub agents: &'a [Agent],
    /// Messages that need a reply, have none, and waited longer than `coord.replyWithin`.
    pub overdue_messages: Vec<&'a Message>,
    pub conflicts: &'a [Conflict],
    pub adrs: &'a [Adr],
    pub risks: &'a [Risk],
    pub milestones: &'a [Milestone],
    pub now: Timestamp,
    pub stale_after_secs: i64,
    pub default_hours: f64,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub progress: Progress,
    pub agents: Vec<AgentRow>,
    pub critical_path: CriticalPath,
    pub blocked: Vec<Blocked>,
    /// The best ready tasks, in `ready` order (at most five).
    pub priorities: Vec<Brief>,
    pub overdue_tasks: Vec<Brief>,
    pub overdue_messages: Vec<OverdueMessage>,
    /// Conflicts not resolved yet, oldest first.
    pub open_conflicts: Vec<OpenConflict>,
    /// Proposed ADRs: those with a deadline first, soonest first, then by number.
    pub pending_decisions: Vec<PendingDecision>,
    /// Open risks scoring at least [`HIGH_RISK`] (impact × probability), highest first.
    pub high_risks: Vec<HighRisk>,
    /// Open milestones by due date, with their health.
    pub milestones: Vec<MilestoneRow>,
}

#[derive(Debug, Serialize)]
pub struct MilestoneRow {
    pub id: String,
    pub title: String,
    pub due: Timestamp,
    pub health: super::milestone::Health,
    /// The result of its latest gate ("go" or "no-go"), if one was run.
    pub last_gate: Option<String>,
}

/// The lowest impact × probability (each 1–3) that makes a risk "high" on the status screen:
/// high × medium or worse.
pub const HIGH_RISK: u8 = 6;

#[derive(Debug, Serialize)]
pub struct OpenConflict {
    pub id: String,
    pub title: String,
    pub between: Vec<AgentId>,
    pub created: Timestamp,
}

#[derive(Debug, Serialize)]
pub struct PendingDecision {
    pub number: u32,
    pub title: String,
    pub deadline: Option<Timestamp>,
    /// The deadline has passed.
    pub overdue: bool,
    pub options: usize,
}

#[derive(Debug, Serialize)]
pub struct HighRisk {
    pub id: String,
    pub title: String,
    pub score: u8,
    pub owner: Option<AgentId>,
}

#[derive(Debug, Serialize)]
pub struct Progress {
    pub tasks_done: usize,
    pub tasks_total: usize,
    pub hours_done: f64,
    pub hours_total: f64,
    /// Done hours over all hours, 0–100.
    pub percent: f64,
}

#[derive(Debug, Serialize)]
pub struct AgentRow {
    pub id: AgentId,
    pub role: Option<String>,
    pub status: String,
    pub note: Option<String>,
    /// Tasks in progress or in review.
    pub current: Vec<Brief>,
    pub blocked: Vec<Brief>,
    pub done: usize,
    pub open: usize,
    /// `None`: registered by someone else and never acted.
    pub last_seen: Option<Timestamp>,
    pub stale: bool,
}

#[derive(Debug, Serialize)]
pub struct CriticalPath {
    pub tasks: Vec<TaskId>,
    pub total_hours: f64,
}

#[derive(Debug, Serialize, Clone)]
pub struct Brief {
    pub id: TaskId,
    pub title: String,
}

#[derive(Debug, Serialize)]
pub struct Blocked {
    pub id: TaskId,
    pub title: String,
    pub assignee: Option<AgentId>,
    pub reason: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct OverdueMessage {
    pub id: String,
    pub from: AgentId,
    pub to: String,
    pub subject: String,
    pub sent: Timestamp,
}

fn brief(t: &Task) -> Brief {
    Brief {
        id: t.id.clone(),
        title: t.title.clone(),
    }
}

pub fn build(input: &Input<'_>) -> Report {
    let tasks = input.tasks;
    let counted: Vec<&Task> = tasks
        .iter()
        .filter(|t| t.status != Status::Cancelled)
        .collect();
    let hours = |t: &&Task| t.hours(input.default_hours);
    // Folded from +0.0: `sum()` of no floats is -0.0, which JSON and the screen would show.
    let hours_total: f64 = counted.iter().map(hours).fold(0.0, |a, h| a + h);
    let hours_done: f64 = counted
        .iter()
        .filter(|t| t.status == Status::Done)
        .map(hours)
        .fold(0.0, |a, h| a + h);
    let progress = Progress {
        tasks_done: counted.iter().filter(|t| t.status == Status::Done).count(),
        tasks_total: counted.len(),
        hours_done,
        hours_total,
        percent: if hours_total > 0.0 {
            (hours_done / hours_total * 1000.0).round() / 10.0
        } else {
            0.0
        },
    };
    let agents = input
        .agents
        .iter()
        .map(|a| {
            let mine = tasks.iter().filter(|t| t.assignee.as_ref() == Some(&a.id));
            let of = |s: &[Status]| -> Vec<Brief> {
                tasks
                    .iter()
                    .filter(|t| t.assignee.as_ref() == Some(&a.id) && s.contains(&t.status))
                    .map(brief)
                    .collect()
            };
            AgentRow {
                id: a.id.clone(),
                role: a.role.clone(),
                status: a.status.clone(),
                note: a.note.clone(),
                current: of(&[Status::InProgress, Status::Review]),
                blocked: of(&[Status::Blocked]),
                done: mine.clone().filter(|t| t.status == Status::Done).count(),
                open: mine.filter(|t| !t.status.is_closed()).count(),
                last_seen: a.last_seen,
                stale: input.now.unix() - a.last_active().unix() > input.stale_after_secs,
            }
        })
        .collect();
    let graph = TaskGraph::new(tasks);
    let schedule = graph.schedule(input.default_hours);
    let priorities = graph
        .ready(&schedule)
        .into_iter()
        .take(5)
        .map(|r| brief(r.task))
        .collect();
    let blocked = tasks
        .iter()
        .filter(|t| t.status == Status::Blocked)
        .map(|t| Blocked {
            id: t.id.clone(),
            title: t.title.clone(),
            assignee: t.assignee.clone(),
            reason: t.blocked_reason.clone(),
        })
        .collect();
    let overdue_tasks = tasks
        .iter()
        .filter(|t| !t.status.is_closed() && t.due.is_some_and(|d| d < input.now))
        .map(brief)
        .collect();
    let overdue_messages = input
        .overdue_messages
        .iter()
        .map(|m| OverdueMessage {
            id: m.id.to_string(),
            from: m.from.clone(),
            to: m.to.to_string(),
            subject: m.subject.clone(),
            sent: m.sent,
        })
        .collect();
    let open_conflicts = input
        .conflicts
        .iter()
        .filter(|c| c.status == ConflictStatus::Open)
        .map(|c| OpenConflict {
            id: c.id.to_string(),
            title: c.title.clone(),
            between: c.between.clone(),
            created: c.created,
        })
        .collect();
    let mut proposed: Vec<&Adr> = input
        .adrs
        .iter()
        .filter(|a| a.status == AdrStatus::Proposed)
        .collect();
    proposed.sort_by_key(|a| (a.deadline.is_none(), a.deadline, a.number));
    let pending_decisions = proposed
        .into_iter()
        .map(|a| PendingDecision {
            number: a.number.get(),
            title: a.title.clone(),
            deadline: a.deadline,
            overdue: a.deadline.is_some_and(|d| d < input.now),
            options: a.options.len(),
        })
        .collect();
    let mut risks: Vec<&Risk> = input
        .risks
        .iter()
        .filter(|r| r.status == RiskStatus::Open && r.score() >= HIGH_RISK)
        .collect();
    risks.sort_by(|a, b| b.score().cmp(&a.score()).then(a.created.cmp(&b.created)));
    let high_risks = risks
        .into_iter()
        .map(|r| HighRisk {
            id: r.id.to_string(),
            title: r.title.clone(),
            score: r.score(),
            owner: r.owner.clone(),
        })
        .collect();
    let mut open: Vec<&Milestone> = input
        .milestones
        .iter()
        .filter(|m| m.status == MilestoneStatus::Open)
        .collect();
    open.sort_by(|a, b| (a.due, &a.id).cmp(&(b.due, &b.id)));
    let milestones = open
        .into_iter()
        .map(|m| MilestoneRow {
            id: m.id.to_string(),
            title: m.title.clone(),
            due: m.due,
            health: super::milestone::health(m, tasks, &schedule, input.default_hours, input.now),
            last_gate: m.gates.last().map(|g| g.result.to_string()),
        })
        .collect();
    Report {
        progress,
        agents,
        critical_path: CriticalPath {
            tasks: schedule.critical_path,
            total_hours: schedule.total_hours,
        },
        blocked,
        priorities,
        overdue_tasks,
        overdue_messages,
        open_conflicts,
        pending_decisions,
        high_risks,
        milestones,
    }
}

#[cfg(test)]
mod tests {
    //! The status screen as people see it, rendered through a captured [`Ui`] at a fixed time:
    //! the report is built from records made in memory, then printed as `git coord status`
    //! prints it.
    //!
    //! [`Ui`]: crate::ui::Ui

    use super::*;
    use crate::model::adr::{AdrNumber, NewAdr};
    use crate::model::conflict::NewConflict;
    use crate::model::message::{Kind, MessageId, Recipient};
    use crate::model::milestone::{MilestoneId, NewMilestone};
    use crate::model::risk::{Level, NewRisk};
    use crate::model::{ConflictId, NewTask, RiskId};
    use crate::ui::Ui;

    fn now() -> Timestamp {
        Timestamp::parse_rfc3339("2026-11-21T10:00:00Z").unwrap()
    }

    /// `secs` seconds from now (negative: ago).
    fn at(secs: i64) -> Timestamp {
        Timestamp::from_unix(now().unix() + secs).unwrap()
    }

    fn agent(name: &str) -> AgentId {
        AgentId::parse(name).unwrap()
    }

    fn task(id: &str, title: &str, hours: f64, deps: &[&Task]) -> Task {
        Task::new(
            TaskId::parse(id).unwrap(),
            NewTask {
                title: title.to_owned(),
                estimate_hours: Some(hours),
                depends_on: deps.iter().map(|d| d.id.clone()).collect(),
                ..NewTask::default()
            },
            at(-86_400),
        )
        .unwrap()
    }

    /// Renders `input` as `git coord status` does, without colour unless asked.
    fn screen(input: &Input<'_>, color: bool) -> String {
        let report = build(input);
        let (ui, captured) = Ui::captured(false, false, color);
        crate::commands::status::print(&ui, &report, input.now).unwrap();
        assert_eq!(captured.err.text(), "", "the screen prints no warnings");
        captured.out.text()
    }

    /// A project in flight: done, running, blocked and waiting work, two agents (one gone
    /// quiet), a question unanswered for five hours, an open conflict, a decision past its
    /// deadline, a high risk and a milestone that cannot be met.
    struct Project {
        tasks: Vec<Task>,
        agents: Vec<Agent>,
        messages: Vec<Message>,
        conflicts: Vec<Conflict>,
        adrs: Vec<Adr>,
        risks: Vec<Risk>,
        milestones: Vec<Milestone>,
    }

    impl Project {
        fn new() -> Project {
            let mut schema = task("t-aaaaaa", "Schema", 2.0, &[]);
            schema.status = Status::Done;
            schema.assignee = Some(agent("alice"));
            let mut pool = task("t-bbbbbb", "Connection pool", 3.0, &[&schema]);
            pool.status = Status::InProgress;
            pool.assignee = Some(agent("alice"));
            pool.milestone = Some("m-aaaaaa".to_owned());
            let mut api = task("t-cccccc", "REST API", 5.0, &[&pool]);
            api.milestone = Some("m-aaaaaa".to_owned());
            let mut ui = task("t-dddddd", "Login form", 1.5, &[]);
            ui.status = Status::Blocked;
            ui.assignee = Some(agent("bob"));
            ui.blocked_reason = Some("waiting for the API".to_owned());
            let mut docs = task("t-eeeeee", "Write the guide", 0.5, &[]);
            docs.due = Some(at(-3600));
            let mut dropped = task("t-ffffff", "Old idea", 8.0, &[]);
            dropped.status = Status::Cancelled;

            let mut alice = Agent::new(agent("alice"), at(-86_400));
            alice.role = Some("backend".to_owned());
            alice.saw(at(-600));
            let mut bob = Agent::new(agent("bob"), at(-86_400));
            bob.saw(at(-5 * 3600));

            let mut question = Message::new(
                MessageId::parse("m-qqqqqq").unwrap(),
                agent("bob"),
                Recipient::Agent(agent("alice")),
                "Which auth scheme?".to_owned(),
                Kind::Question,
                at(-5 * 3600),
            );
            question.needs_reply = true;

            let conflict = Conflict::new(
                ConflictId::parse("c-aaaaaa").unwrap(),
                NewConflict {
                    title: "Both edit src/db.rs".to_owned(),
                    between: vec![agent("alice"), agent("bob")],
                    about: vec!["src/db.rs".to_owned()],
                    body: String::new(),
                },
                agent("alice"),
                at(-2 * 3600),
            )
            .unwrap();
            let mut adr = Adr::new(
                AdrNumber::new(7).unwrap(),
                &NewAdr {
                    title: "Use Postgres".to_owned(),
                    deadline: Some(at(-86_400)),
                    ..NewAdr::default()
                },
                at(-3 * 86_400),
            )
            .unwrap();
            let option = |name: &str| crate::model::adr::AdrOption {
                name: name.to_owned(),
                pros: Vec::new(),
                cons: Vec::new(),
                effort: None,
            };
            adr.options = vec![option("Postgres"), option("SQLite")];
            let risk = Risk::new(
                RiskId::parse("r-aaaaaa").unwrap(),
                NewRisk {
                    title: "Vendor API rate limits".to_owned(),
                    impact: Level::High,
                    probability: Level::High,
                    mitigation: None,
                    owner: Some(agent("alice")),
                    body: String::new(),
                },
                at(-86_400),
            )
            .unwrap();
            let beta = Milestone::new(
                MilestoneId::parse("m-aaaaaa").unwrap(),
                NewMilestone {
                    title: "Beta".to_owned(),
                    due: at(4 * 3600),
                    criteria: Vec::new(),
                    body: String::new(),
                },
                at(-86_400),
            )
            .unwrap();
            Project {
                tasks: vec![schema, pool, api, ui, docs, dropped],
                agents: vec![alice, bob],
                messages: vec![question],
                conflicts: vec![conflict],
                adrs: vec![adr],
                risks: vec![risk],
                milestones: vec![beta],
            }
        }

        fn input(&self) -> Input<'_> {
            Input {
                tasks: &self.tasks,
                agents: &self.agents,
                overdue_messages: self.messages.iter().collect(),
                conflicts: &self.conflicts,
                adrs: &self.adrs,
                risks: &self.risks,
                milestones: &self.milestones,
                now: now(),
                stale_after_secs: 2 * 3600,
                default_hours: 1.0,
            }
        }
    }

    #[test]
    fn the_screen_of_a_project_in_flight() {
        let project = Project::new();
        insta::assert_snapshot!(screen(&project.input(), false), @r"
        Progress  1/5 tasks, 2h of 12h (16.7%)

        AGENT  ROLE     STATUS  CURRENT   BLOCKED   LAST SEEN
        alice  backend  active  t-bbbbbb  -         10m ago
        bob    -        stale   -         t-dddddd  5h ago

        Critical path  8h remaining: t-bbbbbb → t-cccccc

        Blocked
          t-dddddd  Login form  (bob): waiting for the API

        Ready now
          t-eeeeee  Write the guide

        Overdue
          t-eeeeee  Write the guide

        Waiting for a reply
          m-qqqqqq  bob → alice: Which auth scheme? (5h ago)

        Milestones
          m-aaaaaa  Beta  due 2026-11-21  0/2 tasks done  AT RISK

        Open conflicts
          c-aaaaaa  Both edit src/db.rs  (alice vs bob, opened 2h ago)

        Pending decisions
          ADR-0007  Use Postgres  (2 option(s), deadline passed 1d ago)

        High risks
          r-aaaaaa  Vendor API rate limits  (score 9, owner alice)
        ");
    }

    #[test]
    fn an_empty_project() {
        let input = Input {
            tasks: &[],
            agents: &[],
            overdue_messages: Vec::new(),
            conflicts: &[],
            adrs: &[],
            risks: &[],
            milestones: &[],
            now: now(),
            stale_after_secs: 2 * 3600,
            default_hours: 1.0,
        };
        insta::assert_snapshot!(screen(&input, false), @r"
        Progress  0/0 tasks, 0h of 0h (0%)

        AGENT  ROLE  STATUS  CURRENT  BLOCKED  LAST SEEN

        Critical path  0h remaining: nothing open
        ");
    }

    #[test]
    fn colour_marks_headings_agents_staleness_blockers_and_lateness() {
        let project = Project::new();
        let mut input = project.input();
        input.overdue_messages.clear();
        // The escape character shown as ␛, so the snapshot stays plain text.
        let out = screen(&input, true).replace('\u{1b}', "␛");
        insta::assert_snapshot!(out, @r"
        ␛[1mProgress␛[0m  1/5 tasks, 2h of 12h (16.7%)

        AGENT  ROLE     STATUS  CURRENT   BLOCKED   LAST SEEN
        ␛[1malice␛[0m  backend  active  t-bbbbbb  -         10m ago
        ␛[1mbob␛[0m    -        ␛[33mstale␛[0m   -         ␛[31mt-dddddd␛[0m  5h ago

        ␛[1mCritical path␛[0m  8h remaining: t-bbbbbb → t-cccccc

        ␛[1mBlocked␛[0m
          t-dddddd  Login form  (bob): waiting for the API

        ␛[1mReady now␛[0m
          t-eeeeee  Write the guide

        ␛[1mOverdue␛[0m
          t-eeeeee  Write the guide

        ␛[1mMilestones␛[0m
          m-aaaaaa  Beta  due 2026-11-21  0/2 tasks done  ␛[33mAT RISK␛[0m

        ␛[1mOpen conflicts␛[0m
          c-aaaaaa  Both edit src/db.rs  (alice vs bob, opened 2h ago)

        ␛[1mPending decisions␛[0m
          ADR-0007  Use Postgres  (2 option(s), ␛[31mdeadline passed 1d ago␛[0m)

        ␛[1mHigh risks␛[0m
          r-aaaaaa  Vendor API rate limits  (score 9, owner alice)
        ");
    }

    #[test]
    fn record_text_cannot_reach_the_terminal_raw() {
        let mut project = Project::new();
        project.tasks[3].title = "Login\u{1b}[2J form\u{202e}".to_owned();
        project.tasks[3].blocked_reason = Some("API\rfake line".to_owned());
        project.agents[0].role = Some("back\u{1b}[31mend".to_owned());
        let out = screen(&project.input(), false);
        for raw in ['\u{1b}', '\u{202e}', '\r'] {
            assert!(!out.contains(raw), "{raw:?} in {out}");
        }
        assert!(out.contains("Login\\u{1b}[2J form\\u{202e}"), "{out}");
    }
}
