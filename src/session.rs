/*!
What every face of git-coord works in: the repository (opened on first use, or given), the
agent acting in it and where that name came from, the clock, and the repository's config.

The command line builds one from its flags and the environment (`context.rs`); the MCP server
and the dashboard build one from their own arguments. A session reads no environment variable
itself: it is given plain values, so every face resolves the acting agent the same way.
*/

use std::cell::OnceCell;
use std::path::PathBuf;

use serde::Serialize;

use crate::clock::Clock;
use crate::model::{AgentId, IdError, Timestamp, layout};
use crate::store::{self, Author, Store};

/// The agent a command acts as, and the moment it acts.
#[derive(Clone, Debug)]
pub struct Actor {
    pub agent: AgentId,
    /// The email commits are authored with.
    pub email: String,
    pub now: Timestamp,
}

impl Actor {
    pub fn author(&self) -> Author {
        Author {
            name: self.agent.to_string(),
            email: self.email.clone(),
            time: self.now.unix(),
        }
    }
}

/// Where the acting agent's name came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AgentSource {
    /// Given with the request (`--agent`, an MCP tool argument).
    Flag,
    /// The face's environment (`$COORD_AGENT`).
    Env,
    /// `git config coord.agent`, read by the session.
    Config,
}

impl AgentSource {
    pub fn describe(self) -> &'static str {
        match self {
            AgentSource::Flag => "--agent",
            AgentSource::Env => "$COORD_AGENT",
            AgentSource::Config => "git config coord.agent",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Store(#[from] store::Error),
    /// The acting agent's name is not a valid agent ID; `from` says who gave it.
    #[error("{} is invalid: {error}", .from.describe())]
    InvalidAgent { from: AgentSource, error: IdError },
    /// A write needs an acting agent and none is set.
    #[error("no agent is set: this command writes as an agent")]
    NoAgent,
}

/// Where the repository comes from.
enum Repository {
    /// Discovered from this directory on first use, with git's `-c` overrides: commands
    /// that need no repository (`demo`, `--help`) work anywhere.
    Discover {
        dir: PathBuf,
        config_parameters: Option<String>,
        store: OnceCell<Store>,
    },
    Given(Store),
}

pub struct Session {
    repository: Repository,
    /// The agent named by the face (flag or environment); else `coord.agent` is read.
    agent: Option<(String, AgentSource)>,
    clock: Clock,
    /// The acting agent when its registry entry did not exist as the session first acted: its
    /// first write registers it, and [`Session::newly_registered`] says so (a typo should not
    /// pass silently).
    unregistered: OnceCell<Option<AgentId>>,
}

impl Session {
    /// A session whose repository is the one containing `dir`, opened on first use.
    pub fn discover(dir: impl Into<PathBuf>, clock: Clock) -> Session {
        Session::with(
            Repository::Discover {
                dir: dir.into(),
                config_parameters: None,
                store: OnceCell::new(),
            },
            clock,
        )
    }

    /// A session over a repository already open.
    pub fn open(store: Store, clock: Clock) -> Session {
        Session::with(Repository::Given(store), clock)
    }

    /// A session over a new, empty repository created at `dir` (the demo's).
    pub fn init_repository(dir: &std::path::Path, clock: Clock) -> Result<Session, SessionError> {
        Ok(Session::open(Store::init_repository(dir)?, clock))
    }

    fn with(repository: Repository, clock: Clock) -> Session {
        Session {
            repository,
            agent: None,
            clock,
            unregistered: OnceCell::new(),
        }
    }

    /// Names the acting agent, as `source` gave it (validated when first used); without it the
    /// session reads `coord.agent`.
    pub fn with_agent(mut self, name: impl Into<String>, source: AgentSource) -> Session {
        self.agent = Some((name.into(), source));
        self
    }

    /// git's `-c key=value` overrides (`GIT_CONFIG_PARAMETERS`, as git passes them to aliases
    /// and hooks), applied above every config file when the repository is discovered.
    pub fn with_config_parameters(mut self, parameters: Option<String>) -> Session {
        if let Repository::Discover {
            config_parameters, ..
        } = &mut self.repository
        {
            *config_parameters = parameters;
        }
        self
    }

    /// The repository, opened on first use.
    pub fn store(&self) -> Result<&Store, store::Error> {
        match &self.repository {
            Repository::Given(store) => Ok(store),
            Repository::Discover {
                dir,
                config_parameters,
                store,
            } => {
                if let Some(opened) = store.get() {
                    return Ok(opened);
                }
                let opened = Store::discover_with(dir, config_parameters.as_deref())?;
                Ok(store.get_or_init(|| opened))
            }
        }
    }

    pub fn clock(&self) -> Clock {
        self.clock
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// A string from the repository's git config (all scopes, `-c` overrides first).
    pub fn config_string(&self, key: &str) -> Result<Option<String>, store::Error> {
        Ok(self.store()?.config_string(key))
    }

    /// The acting agent, if one is set: the one the face named, else `coord.agent`.
    pub fn agent(&self) -> Result<Option<(AgentId, AgentSource)>, SessionError> {
        let (name, source) = if let Some((name, source)) = &self.agent {
            (name.clone(), *source)
        } else if let Some(name) = self.config_string("coord.agent")? {
            (name, AgentSource::Config)
        } else {
            return Ok(None);
        };
        let id = AgentId::parse(name.trim()).map_err(|error| SessionError::InvalidAgent {
            from: source,
            error,
        })?;
        Ok(Some((id, source)))
    }

    /// The acting agent for a write; [`SessionError::NoAgent`] when none is set.
    pub fn actor(&self) -> Result<Actor, SessionError> {
        let Some((agent, _)) = self.agent()? else {
            return Err(SessionError::NoAgent);
        };
        let email = self.email(&agent)?;
        if self.unregistered.get().is_none() {
            let missing = !self.registered(&agent)?;
            let _ = self.unregistered.set(missing.then(|| agent.clone()));
        }
        Ok(Actor {
            agent,
            email,
            now: self.now(),
        })
    }

    /// Whether `agent` has a registry entry on the coordination branch (false before `init`).
    pub fn registered(&self, agent: &AgentId) -> Result<bool, store::Error> {
        let store = self.store()?;
        if store.tip()?.is_none() {
            return Ok(false);
        }
        store.snapshot()?.exists(&layout::agent_path(agent))
    }

    /// The IDs of the registered agents, sorted.
    pub fn known_agents(&self) -> Result<Vec<String>, store::Error> {
        let store = self.store()?;
        if store.tip()?.is_none() {
            return Ok(Vec::new());
        }
        let mut ids: Vec<String> = store
            .snapshot()?
            .list(layout::AGENTS_DIR)?
            .into_iter()
            .filter_map(|e| e.name.strip_suffix(".toml").map(str::to_owned))
            .collect();
        ids.sort();
        Ok(ids)
    }

    /// The acting agent, when it had no registry entry as the session first acted and has one
    /// now: a write of this session registered it.
    pub fn newly_registered(&self) -> Result<Option<&AgentId>, store::Error> {
        let Some(Some(agent)) = self.unregistered.get() else {
            return Ok(None);
        };
        Ok(self.registered(agent)?.then_some(agent))
    }

    fn email(&self, agent: &AgentId) -> Result<String, store::Error> {
        Ok(self
            .config_string("user.email")?
            .filter(|e| !e.trim().is_empty())
            .unwrap_or_else(|| format!("{agent}@coord.invalid")))
    }

    /// The author of a write that may have no agent (`init`): the agent if set, else the
    /// git identity, else `git-coord`.
    pub fn author_or_user(&self) -> Result<(Author, Option<Actor>), SessionError> {
        if let Some((agent, _)) = self.agent()? {
            let actor = Actor {
                email: self.email(&agent)?,
                agent,
                now: self.now(),
            };
            return Ok((actor.author(), Some(actor)));
        }
        let author = Author {
            name: self
                .config_string("user.name")?
                .unwrap_or_else(|| "git-coord".to_owned()),
            email: self
                .config_string("user.email")?
                .unwrap_or_else(|| "git-coord@coord.invalid".to_owned()),
            time: self.now().unix(),
        };
        Ok((author, None))
    }
}
