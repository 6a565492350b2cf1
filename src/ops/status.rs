/*!
`status`: everything the coordinator's screen is computed from, loaded from one snapshot of
the coordination branch with the settings that shape it (`coord.staleAfter`,
`coord.replyWithin`, `coord.defaultEstimate`). Plain data: the faces compute the report and
render it (`src/report/status.rs`).
*/

use super::{OpError, adr, agent, conflict, index, memory, milestone, plan, risk};
use crate::model::adr::Adr;
use crate::model::conflict::Conflict;
use crate::model::message::Message;
use crate::model::milestone::Milestone;
use crate::model::risk::Risk;
use crate::model::{Agent, RecordError, Task, Timestamp};
use crate::session::Session;

/// The state of the project at one commit, as the status screen reads it.
#[derive(Debug)]
pub struct State {
    pub tasks: Vec<Task>,
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
}

/// Loads the state the status screen shows, at the session's time.
pub fn load(session: &Session) -> Result<State, OpError> {
    let store = session.store()?;
    let now = session.now();
    let snap = super::snapshot(store)?;
    let (tasks, mut problems) = index::load(store, &snap)?;
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
    let overdue_messages = memory::annotate(&messages, now, memory::reply_within(store))
        .into_iter()
        .filter(|i| i.reply_overdue)
        .map(|i| i.message)
        .collect();
    Ok(State {
        tasks,
        agents,
        overdue_messages,
        conflicts,
        risks,
        adrs,
        milestones,
        problems,
        now,
        stale_after_secs: agent::stale_after(store),
        default_hours: plan::default_estimate(store),
    })
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
        let mut titles: Vec<&str> = state.tasks.iter().map(|t| t.title.as_str()).collect();
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
