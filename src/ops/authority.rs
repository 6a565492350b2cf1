/*!
Authority (DESIGN.md §3): who may change a record, and what a forced change must say.

Each record that someone holds has an owner: a claimed task its holder, an agent's registry
entry that agent, a file claim its agent, an ADR's decision its `deciders`. An agent changes
what it owns freely; changing what another agent owns needs `--force`, and `--force` counts only
for the agents listed in `coordinators` in `.coord/config.toml` — read from the default branch's tip
(`origin/<default>` when there is one, see `store::policy`), like `.coord/owners.toml`, so the
policy is what was reviewed and merged: neither an uncommitted edit nor a commit on the acting
agent's own branch. With no list, anyone may force, and the command warns how to set one.

This module answers the one question every guarded write asks, on the tip it commits onto:
[`Authority::check`] gives [`Access::Own`] (no owner, or the agent itself), [`Access::Forced`]
(the commit then carries a `Coord-Forced-By:` trailer, which `git coord log` shows), or an
[`AuthorityError`] (exit 3) — before anything is written or run.

Identities are self-declared (`--agent`, `$COORD_AGENT`), so this stops mistakes and confused
agents, not a hostile local user; the README says what signed commits and protected branches add.
*/

use std::fmt;

use crate::model::record::{self, RecordError};
use crate::model::{AgentId, Timestamp};
use crate::store::Store;

/// The project's policy file, read from the default branch's tip.
pub const CONFIG_PATH: &str = ".coord/config.toml";

/// The trailer a forced change carries, naming the agent who forced it.
pub const FORCED_BY: &str = "Coord-Forced-By";

/// Who may force, as `.coord/config.toml` says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Coordinators {
    /// No `coordinators` key (or no file): anyone may force, with a warning.
    Unset,
    /// Only these agents may force (an empty list: nobody).
    Listed(Vec<AgentId>),
}

/// Reads `coordinators` from `.coord/config.toml` on the default branch (never the acting
/// agent's `HEAD`: anyone can commit themselves into the list on their own branch).
pub fn coordinators(store: &Store) -> Result<Coordinators, AuthorityError> {
    match store.policy_file(CONFIG_PATH) {
        Ok(Some(text)) => parse_coordinators(&text).map_err(AuthorityError::BadConfig),
        Ok(None) => Ok(Coordinators::Unset),
        Err(e) => Err(AuthorityError::Store(e)),
    }
}

/// Parses the `coordinators = ["lead", …]` key of a `.coord/config.toml`; other keys belong to
/// other features and are ignored here.
pub fn parse_coordinators(text: &str) -> Result<Coordinators, RecordError> {
    let (found, _) = record::parse_toml(CONFIG_PATH, text, |f| {
        let Some(array) = f.raw_array("coordinators")? else {
            return Ok(Coordinators::Unset);
        };
        let mut names = Vec::new();
        for value in array.iter() {
            let id = value
                .as_str()
                .ok_or_else(|| f.invalid("coordinators", "`coordinators` lists agent names as strings, e.g. coordinators = [\"lead\"]"))
                .and_then(|s| {
                    AgentId::parse(s.trim()).map_err(|e| {
                        f.invalid("coordinators", format!("`coordinators`: {e}"))
                    })
                })?;
            if !names.contains(&id) {
                names.push(id);
            }
        }
        Ok(Coordinators::Listed(names))
    })?;
    Ok(found)
}

/// What a record is and who holds it, as a refusal names them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holding {
    /// The record as people name it: `t-4kz9w2 (Redis limiter)`, `alice's registry entry`,
    /// `ADR-0007 (Use Redis)`, `the claim on src/**`.
    pub record: String,
    /// Its owners: one agent, or an ADR's deciders. Empty: nobody owns it.
    pub owners: Vec<AgentId>,
    /// Since when they hold it, where the record knows.
    pub since: Option<Timestamp>,
    /// How the owners hold it, for messages: "held by", "owned by", "to be decided by".
    pub relation: &'static str,
}

impl Holding {
    pub fn new(
        record: impl Into<String>,
        owners: Vec<AgentId>,
        since: Option<Timestamp>,
    ) -> Holding {
        Holding {
            record: record.into(),
            owners,
            since,
            relation: "held by",
        }
    }

    /// The owners as a list for people: `alice`, `alice, bob`.
    pub fn owner_names(&self) -> String {
        names(&self.owners)
    }
}

fn names(agents: &[AgentId]) -> String {
    agents
        .iter()
        .map(AgentId::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// How the acting agent may change a record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Access {
    /// Nobody else owns it: no force needed, nothing extra to record.
    Own,
    /// It belongs to others and `--force` was honoured: the commit must name who forced it.
    Forced { by: AgentId },
}

impl Access {
    /// The trailer the commit carries: `Coord-Forced-By: <agent>` for a forced change.
    pub fn trailer(&self) -> Option<(&'static str, &str)> {
        match self {
            Access::Own => None,
            Access::Forced { by } => Some((FORCED_BY, by.as_str())),
        }
    }

    pub fn is_forced(&self) -> bool {
        matches!(self, Access::Forced { .. })
    }
}

/// The acting agent and what its `--force` is worth, decided once per command.
#[derive(Clone, Debug)]
pub struct Authority {
    agent: AgentId,
    force: Force,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Force {
    NotAsked,
    /// Asked and honoured: a listed coordinator, or anyone when there is no list.
    Allowed {
        listed: bool,
    },
    /// Asked by an agent that is not on the list.
    NotCoordinator {
        coordinators: Vec<AgentId>,
    },
}

impl Authority {
    /// `agent`'s authority; the policy is read only when `force` is asked for.
    pub fn new(store: &Store, agent: &AgentId, force: bool) -> Result<Authority, AuthorityError> {
        if !force {
            return Ok(Authority::unforced(agent));
        }
        Ok(Authority::with_policy(agent, &coordinators(store)?))
    }

    /// `agent` acting without `--force`.
    pub fn unforced(agent: &AgentId) -> Authority {
        Authority {
            agent: agent.clone(),
            force: Force::NotAsked,
        }
    }

    /// `agent` acting with `--force` under `policy`.
    pub fn with_policy(agent: &AgentId, policy: &Coordinators) -> Authority {
        let force = match policy {
            Coordinators::Unset => Force::Allowed { listed: false },
            Coordinators::Listed(list) if list.contains(agent) => Force::Allowed { listed: true },
            Coordinators::Listed(list) => Force::NotCoordinator {
                coordinators: list.clone(),
            },
        };
        Authority {
            agent: agent.clone(),
            force,
        }
    }

    pub fn agent(&self) -> &AgentId {
        &self.agent
    }

    /// Whether `--force` was given (honoured or not).
    pub fn force_asked(&self) -> bool {
        self.force != Force::NotAsked
    }

    /// The warning to print when `--force` is honoured only because no list is set.
    pub fn warning(&self) -> Option<String> {
        (self.force == Force::Allowed { listed: false }).then(|| {
            format!(
                "--force: {CONFIG_PATH} on the main branch lists no `coordinators`, so any agent may force; \
                 limit it by committing `coordinators = [\"lead\"]` (your coordinators' agent names) to {CONFIG_PATH}"
            )
        })
    }

    /// May this agent change `held`? Decided before any side effect.
    pub fn check(&self, held: &Holding) -> Result<Access, AuthorityError> {
        if held.owners.is_empty() || held.owners.contains(&self.agent) {
            return Ok(Access::Own);
        }
        match &self.force {
            Force::Allowed { .. } => Ok(Access::Forced {
                by: self.agent.clone(),
            }),
            Force::NotAsked => Err(AuthorityError::NotYours {
                held: Box::new(held.clone()),
                agent: self.agent.clone(),
            }),
            Force::NotCoordinator { coordinators } => Err(AuthorityError::NotCoordinator {
                held: Box::new(held.clone()),
                agent: self.agent.clone(),
                coordinators: coordinators.clone(),
            }),
        }
    }
}

/// Why a change was refused, or the policy could not be read.
#[derive(Debug, thiserror::Error)]
pub enum AuthorityError {
    /// The record belongs to others and `--force` was not given.
    #[error("{held}")]
    NotYours { held: Box<Holding>, agent: AgentId },
    /// `--force` was given by an agent that is not a coordinator.
    #[error("{held}; --force is for coordinators ({}), and {agent} is not one", names(.coordinators))]
    NotCoordinator {
        held: Box<Holding>,
        agent: AgentId,
        coordinators: Vec<AgentId>,
    },
    /// `.coord/config.toml` is malformed.
    #[error("malformed {0}")]
    BadConfig(RecordError),
    #[error(transparent)]
    Store(#[from] crate::store::Error),
}

impl fmt::Display for Holding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} is {} {}",
            self.record,
            self.relation,
            self.owner_names()
        )?;
        if let Some(since) = self.since {
            write!(f, " since {since}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agent(s: &str) -> AgentId {
        AgentId::parse(s).unwrap()
    }

    fn alices() -> Holding {
        Holding::new("agent alice", vec![agent("alice")], None)
    }

    #[test]
    fn owners_and_unowned_records_need_no_force() {
        let a = Authority::unforced(&agent("alice"));
        assert_eq!(a.check(&alices()).ok(), Some(Access::Own));
        assert_eq!(
            a.check(&Holding::new("t-aaaaaa", vec![], None)).ok(),
            Some(Access::Own)
        );
    }

    #[test]
    fn another_agents_record_needs_an_honoured_force() {
        let held = alices();
        let mallory = agent("mallory");
        assert!(matches!(
            Authority::unforced(&mallory).check(&held),
            Err(AuthorityError::NotYours { .. })
        ));
        let listed = Coordinators::Listed(vec![agent("lead")]);
        assert!(matches!(
            Authority::with_policy(&mallory, &listed).check(&held),
            Err(AuthorityError::NotCoordinator { coordinators, .. }) if coordinators == vec![agent("lead")]
        ));
        let lead = Authority::with_policy(&agent("lead"), &listed);
        assert_eq!(
            lead.check(&held).ok(),
            Some(Access::Forced { by: agent("lead") })
        );
        assert_eq!(lead.warning(), None);
        let anyone = Authority::with_policy(&mallory, &Coordinators::Unset);
        assert_eq!(
            anyone.check(&held).ok(),
            Some(Access::Forced {
                by: mallory.clone()
            })
        );
        assert!(
            anyone
                .warning()
                .is_some_and(|w| w.contains("coordinators = [\"lead\"]"))
        );
        let nobody = Authority::with_policy(&agent("lead"), &Coordinators::Listed(vec![]));
        assert!(nobody.check(&held).is_err());
    }

    #[test]
    fn config_parsing() {
        assert_eq!(parse_coordinators("").unwrap(), Coordinators::Unset);
        assert_eq!(
            parse_coordinators("# policy\n[slo]\nblockers = \"2h\"\n").unwrap(),
            Coordinators::Unset
        );
        assert_eq!(
            parse_coordinators("coordinators = [\"lead\", \"ops\", \"lead\"]\n").unwrap(),
            Coordinators::Listed(vec![agent("lead"), agent("ops")])
        );
        let bad = parse_coordinators("x = 1\ncoordinators = [\"Not An Agent\"]\n").unwrap_err();
        assert_eq!((bad.path.as_str(), bad.line), (CONFIG_PATH, Some(2)));
        assert!(parse_coordinators("coordinators = \"lead\"\n").is_err());
        assert!(parse_coordinators("coordinators = [1]\n").is_err());
        assert!(parse_coordinators("coordinators = [\n").is_err());
    }
}
