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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
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

/// A claim before its pattern is compiled: what a cache keeps.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct RawClaim {
    pub agent: AgentId,
    pub pattern: String,
    pub mode: Mode,
    pub since: Timestamp,
    pub until: Option<Timestamp>,
    /// Kept as an optional task ID: the adjacently tagged form `Source` has in JSON needs a
    /// self-describing format, and the binary cache is not one (every read missed it).
    #[serde(with = "source_as_task")]
    pub source: Source,
}

mod source_as_task {
    use super::{Source, TaskId};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(source: &Source, s: S) -> Result<S::Ok, S::Error> {
        match source {
            Source::Agent => None::<&TaskId>.serialize(s),
            Source::Task(id) => Some(id).serialize(s),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Source, D::Error> {
        Ok(Option::<TaskId>::deserialize(d)?.map_or(Source::Agent, Source::Task))
    }
}

/// Every claim the records make: agents' own claims and open tasks' `owns` (expired ones
/// included; [`ClaimSet::from_raw`] drops them for a given time).
pub fn raw_claims(agents: &[Agent], tasks: &[Task]) -> Vec<RawClaim> {
    let mut out = Vec::new();
    for a in agents {
        for c in &a.claims {
            out.push(RawClaim {
                agent: a.id.clone(),
                pattern: c.pattern.clone(),
                mode: c.mode,
                since: c.since,
                until: c.until,
                source: Source::Agent,
            });
        }
    }
    for t in tasks.iter().filter(|t| !t.status.is_closed()) {
        let Some(agent) = &t.assignee else { continue };
        for p in &t.owns {
            out.push(RawClaim {
                agent: agent.clone(),
                pattern: p.clone(),
                mode: Mode::Exclusive,
                since: t.claimed.unwrap_or(t.updated),
                until: None,
                source: Source::Task(t.id.clone()),
            });
        }
    }
    out
}

#[derive(Clone, Debug, Default)]
pub struct ClaimSet {
    pub held: Vec<Held>,
    /// Claims whose pattern could not be parsed, as messages naming the agent or task.
    pub problems: Vec<String>,
}

impl ClaimSet {
    pub fn build(agents: &[Agent], tasks: &[Task], now: Timestamp) -> ClaimSet {
        ClaimSet::from_raw(raw_claims(agents, tasks), now)
    }

    /// Compiles raw claims (as [`raw_claims`] lists them, or a cache kept them), leaving
    /// out those expired at `now`.
    pub fn from_raw(raw: Vec<RawClaim>, now: Timestamp) -> ClaimSet {
        let mut set = ClaimSet::default();
        for r in raw.into_iter().filter(|r| r.until.is_none_or(|u| u > now)) {
            match Pattern::parse(&r.pattern) {
                Ok(pattern) => set.held.push(Held {
                    agent: r.agent,
                    pattern,
                    mode: r.mode,
                    since: r.since,
                    until: r.until,
                    source: r.source,
                }),
                Err(e) => {
                    let whose = match &r.source {
                        Source::Agent => r.agent.to_string(),
                        Source::Task(t) => t.to_string(),
                    };
                    set.problems
                        .push(format!("{whose}: claim {:?}: {e}", r.pattern));
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The claims cache is postcard: a representation that needs a self-describing format
    /// fails to decode there, and then every read silently rebuilds the cache.
    #[test]
    fn raw_claims_survive_the_binary_cache_format() {
        let at = Timestamp::from_unix(1_795_000_000).expect("time");
        let claim = |source| RawClaim {
            agent: AgentId::parse("api").expect("agent"),
            pattern: "src/**".to_owned(),
            mode: Mode::Exclusive,
            since: at,
            until: Some(at),
            source,
        };
        let task = TaskId::parse("t-4kz9w2").expect("task");
        let claims = vec![claim(Source::Agent), claim(Source::Task(task.clone()))];
        let bytes = postcard::to_stdvec(&claims).expect("encode");
        let back: Vec<RawClaim> = postcard::from_bytes(&bytes).expect("decode");
        assert_eq!(back.len(), 2);
        assert_eq!(back[0].source, Source::Agent);
        assert_eq!(back[1].source, Source::Task(task));
        assert_eq!(back[1].until, Some(at));
    }
}
