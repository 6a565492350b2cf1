/*!
`standup`: the stand-up as data (DESIGN §8). Critical issues first (the reasons the day is
not GREEN), then one entry per agent: yesterday (the tasks it finished in the window, read
from the coordination branch's history: the `done` commits it made), today (what it holds,
and what fits it next from the ready list) and its blockers.

History, not the task records, says who finished what: a task's record keeps its assignee,
but a `done --force` by a coordinator or a later reassignment would credit the wrong agent.
*/

use std::collections::BTreeMap;

use serde::Serialize;

use super::OpError;
use super::history::{self, LogQuery};
use super::status::{BlockerAge, Colour, Day, State};
use crate::graph::{self, TaskGraph};
use crate::model::layout::TASKS_DIR;
use crate::model::{AgentId, Status, TaskId, Timestamp};
use crate::store::Store;

/// The stand-up.
#[derive(Clone, Debug, Serialize)]
pub struct Standup {
    pub generated: Timestamp,
    /// The start of "yesterday": what was finished since then counts.
    pub since: Timestamp,
    pub colour: Colour,
    /// The reasons the day is not GREEN, worst first.
    pub critical: Vec<String>,
    /// One entry per registered agent, by ID.
    pub agents: Vec<AgentStandup>,
}

/// One agent's part of the stand-up.
#[derive(Clone, Debug, Serialize)]
pub struct AgentStandup {
    pub id: AgentId,
    pub role: Option<String>,
    pub stale: bool,
    /// Tasks it finished in the window, in the order it finished them.
    pub yesterday: Vec<Finished>,
    /// Open tasks it holds, by ID.
    pub today: Vec<Held>,
    /// The first ready task that fits its expertise (none when it is stale or offline).
    pub next: Option<Held>,
    pub blockers: Vec<BlockerAge>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Finished {
    pub id: TaskId,
    pub title: String,
    pub at: Timestamp,
}

#[derive(Clone, Debug, Serialize)]
pub struct Held {
    pub id: TaskId,
    pub title: String,
    pub status: Status,
}

/// The stand-up of `state` (judged as `day`), with "yesterday" reaching back to `since`.
pub fn standup(
    store: &Store,
    state: &State,
    day: &Day,
    since: Timestamp,
) -> Result<Standup, OpError> {
    let (_, entries) = history::log(
        store,
        &LogQuery {
            target: None,
            since: Some(since),
            limit: None,
            patch: false,
        },
    )?;
    let titles: BTreeMap<&TaskId, &str> = state
        .work
        .tasks()
        .iter()
        .map(|t| (&t.id, t.title.as_str()))
        .collect();
    // Newest first from the log: collected per agent, then reversed to the order of work.
    let mut finished: BTreeMap<String, Vec<Finished>> = BTreeMap::new();
    for e in entries.iter().filter(|e| e.op == "done") {
        for c in &e.changes {
            let Some(id) = c
                .path
                .strip_prefix(&format!("{TASKS_DIR}/"))
                .and_then(|p| p.rsplit('/').next())
                .and_then(|name| name.strip_suffix(".md"))
                .and_then(|name| TaskId::parse(name).ok())
            else {
                continue;
            };
            finished.entry(e.agent.clone()).or_default().push(Finished {
                title: titles.get(&id).copied().unwrap_or("").to_owned(),
                id,
                at: e.at,
            });
        }
    }
    let g = TaskGraph::new(state.work.tasks());
    let schedule = g.schedule(state.default_hours);
    let ready = g.ready(&schedule);
    let mut agents: Vec<&crate::model::Agent> = state.agents.iter().collect();
    agents.sort_by(|a, b| a.id.cmp(&b.id));
    let agents = agents
        .into_iter()
        .map(|a| {
            let mut yesterday = finished.remove(a.id.as_str()).unwrap_or_default();
            yesterday.reverse();
            let mut today: Vec<Held> = state
                .work
                .tasks()
                .iter()
                .filter(|t| t.assignee.as_ref() == Some(&a.id) && !t.status.is_closed())
                .map(|t| Held {
                    id: t.id.clone(),
                    title: t.title.clone(),
                    status: t.status,
                })
                .collect();
            today.sort_by(|x, y| x.id.cmp(&y.id));
            let available = day.forecast.available.contains(&a.id);
            let next = ready
                .iter()
                .filter(|_| available)
                .find(|r| graph::fits(r.task, &a.expertise))
                .map(|r| Held {
                    id: r.task.id.clone(),
                    title: r.task.title.clone(),
                    status: r.task.status,
                });
            AgentStandup {
                id: a.id.clone(),
                role: a.role.clone(),
                stale: day.stale_agents.contains(&a.id),
                yesterday,
                today,
                next,
                blockers: day
                    .blockers
                    .iter()
                    .filter(|b| b.assignee.as_ref() == Some(&a.id))
                    .cloned()
                    .collect(),
            }
        })
        .collect();
    Ok(Standup {
        generated: state.now,
        since,
        colour: day.go_no_go.colour,
        critical: day.go_no_go.reasons.clone(),
        agents,
    })
}
