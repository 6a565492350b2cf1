/*!
`status`: everything the coordinator's screen is computed from, loaded from one snapshot of
the coordination branch with the settings that shape it (`coord.staleAfter`,
`coord.replyWithin`, `coord.defaultEstimate`). Plain data: the faces compute the report and
render it (`report::status`).
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
