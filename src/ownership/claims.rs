/*!
The set of live file claims at one commit: every agent's own claims (`own`, `spawn --owns`)
and the `owns` of every open task, held by its assignee. Patterns are compiled once; questions
are pure functions: who holds a path, and which claims a new pattern would collide with.
*/

use serde::Serialize;

use super::pattern::Pattern;
use crate::model::claim::Mode;
use crate::model::{Agent, AgentId, Task, TaskId, Timestamp};

/// Where a claim comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum Source {
    /// The agent's own claim (`own`).
    Agent,
    /// The `owns` of a task the agent holds.
    Task(TaskId),
}

/// One live claim.
#[derive(Clone, Debug, Serialize)]
pub struct Held {
    pub agent: AgentId,
    #[serde(serialize_with = "pattern_text")]
    pub pattern: Pattern,
    pub mode: Mode,
    pub since: Timestamp,
    pub until: Option<Timestamp>,
    pub source: Source,
}

fn pattern_text<S: serde::Serializer>(p: &Pattern, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(p.as_str())
}

#[derive(Clone, Debug, Default)]
pub struct ClaimSet {
    pub held: Vec<Held>,
    /// Claims whose pattern could not be parsed, as messages naming the agent or task.
    pub problems: Vec<String>,
}

impl ClaimSet {
    pub fn build(agents: &[Agent], tasks: &[Task], now: Timestamp) -> ClaimSet {
        let mut set = ClaimSet::default();
        for a in agents {
            for c in a.claims.iter().filter(|c| c.is_live(now)) {
                match Pattern::parse(&c.pattern) {
                    Ok(pattern) => set.held.push(Held {
                        agent: a.id.clone(),
                        pattern,
                        mode: c.mode,
                        since: c.since,
                        until: c.until,
                        source: Source::Agent,
                    }),
                    Err(e) => set
                        .problems
                        .push(format!("{}: claim {:?}: {e}", a.id, c.pattern)),
                }
            }
        }
        for t in tasks.iter().filter(|t| !t.status.is_closed()) {
            let Some(agent) = &t.assignee else { continue };
            for p in &t.owns {
                match Pattern::parse(p) {
                    Ok(pattern) => set.held.push(Held {
                        agent: agent.clone(),
                        pattern,
                        mode: Mode::Exclusive,
                        since: t.claimed.unwrap_or(t.updated),
                        until: None,
                        source: Source::Task(t.id.clone()),
                    }),
                    Err(e) => set.problems.push(format!("{}: owns {p:?}: {e}", t.id)),
                }
            }
        }
        set
    }

    /// Every claim on `path`.
    pub fn holders(&self, path: &str) -> Vec<&Held> {
        self.held
            .iter()
            .filter(|h| h.pattern.matches(path))
            .collect()
    }

    /// Another agent's exclusive claim on `path`, if any (the first, in claim order).
    pub fn exclusive_holder_other_than(&self, path: &str, agent: &AgentId) -> Option<&Held> {
        self.held
            .iter()
            .find(|h| h.mode == Mode::Exclusive && &h.agent != agent && h.pattern.matches(path))
    }

    /// Other agents' exclusive claims that some path could match together with `pattern`.
    pub fn collisions(&self, agent: &AgentId, pattern: &Pattern) -> Vec<&Held> {
        self.held
            .iter()
            .filter(|h| {
                h.mode == Mode::Exclusive && &h.agent != agent && h.pattern.overlaps(pattern)
            })
            .collect()
    }
}
