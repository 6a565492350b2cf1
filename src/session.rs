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

#[cfg(test)]
mod tests {
    use super::{AgentSource, Session, SessionError};
    use crate::clock::Clock;
    use crate::model::{AgentId, NewTask, Timestamp};
    use crate::ops;
    use crate::store::Store;

    const NOW: &str = "2026-11-21T10:00:00Z";

    fn clock() -> Clock {
        Clock::fixed(Timestamp::parse_rfc3339(NOW).expect("fixture time"))
    }

    /// A new repository and a session over it, before `init`.
    fn session() -> (tempfile::TempDir, Session) {
        let dir = tempfile::tempdir().expect("temporary directory");
        let store = Store::init_repository(dir.path()).expect("a new repository");
        (dir, Session::open(store, clock()))
    }

    /// A session whose repository was initialised by the agent `lead`.
    fn initialised() -> (tempfile::TempDir, Session) {
        let (dir, s) = session();
        let lead = s
            .clone_as("lead")
            .actor()
            .expect("lead acts in the session");
        ops::init::init(s.store().expect("store"), &lead.author(), Some(&lead)).expect("init");
        (dir, s)
    }

    impl Session {
        /// The same repository, acting as `agent` (given with the request).
        fn clone_as(&self, agent: &str) -> Session {
            let store =
                Store::discover(self.store().expect("store").workdir().expect("a worktree"))
                    .expect("the repository again");
            Session::open(store, self.clock).with_agent(agent, AgentSource::Flag)
        }
    }

    #[test]
    fn the_repository_is_opened_only_when_first_needed() {
        let dir = tempfile::tempdir().expect("temporary directory");
        // Not a repository: building the session and reading its clock must still work
        // (`demo` and `--help` run anywhere); only the first repository read fails.
        let s = Session::discover(dir.path(), clock());
        assert_eq!(s.now().to_string(), NOW);
        assert!(matches!(
            s.store(),
            Err(crate::store::Error::NotARepository { .. })
        ));
        Store::init_repository(dir.path()).expect("a new repository");
        let s = Session::discover(dir.path().join("."), clock());
        let store = s.store().expect("discovered");
        assert_eq!(store.branch_short(), "coord");
        assert!(
            std::ptr::eq(store, s.store().expect("again")),
            "opened once"
        );
    }

    #[test]
    fn the_agent_given_wins_over_coord_agent() {
        let dir = tempfile::tempdir().expect("temporary directory");
        Store::init_repository(dir.path()).expect("a new repository");
        let params = Some("'coord.agent'='carol'".to_owned());
        let from_config =
            Session::discover(dir.path(), clock()).with_config_parameters(params.clone());
        let (agent, source) = from_config.agent().expect("read").expect("set");
        assert_eq!((agent.as_str(), source), ("carol", AgentSource::Config));

        let given = Session::discover(dir.path(), clock())
            .with_config_parameters(params)
            .with_agent(" bob ", AgentSource::Env);
        let (agent, source) = given.agent().expect("read").expect("set");
        assert_eq!((agent.as_str(), source), ("bob", AgentSource::Env));
    }

    #[test]
    fn an_invalid_agent_name_names_who_gave_it() {
        let (_dir, s) = session();
        let s = s.with_agent("Not An Agent", AgentSource::Flag);
        let err = s.actor().expect_err("an invalid agent ID");
        assert!(matches!(
            err,
            SessionError::InvalidAgent {
                from: AgentSource::Flag,
                ..
            }
        ));
        assert!(err.to_string().starts_with("--agent is invalid: "), "{err}");
    }

    #[test]
    fn a_write_without_an_agent_is_refused() {
        let (_dir, s) = session();
        // A fresh repository names no agent; a user-wide `coord.agent` would be read instead.
        match s.config_string("coord.agent").expect("config") {
            None => assert!(matches!(s.actor(), Err(SessionError::NoAgent))),
            Some(name) => {
                let (agent, source) = s.agent().expect("read").expect("set");
                assert_eq!((agent.as_str(), source), (name.trim(), AgentSource::Config));
            }
        }
    }

    #[test]
    fn the_actor_acts_at_the_session_time() {
        let (_dir, s) = initialised();
        let s = s.clone_as("alice");
        let actor = s.actor().expect("alice acts");
        assert_eq!(actor.agent.as_str(), "alice");
        assert_eq!(actor.now.to_string(), NOW);
        let (author, as_agent) = s.author_or_user().expect("author");
        assert_eq!(author.name, "alice");
        assert_eq!(
            author.time,
            Timestamp::parse_rfc3339(NOW).expect("time").unix()
        );
        assert_eq!(as_agent.map(|a| a.agent.to_string()), Some("alice".into()));
    }

    #[test]
    fn registry_reads_before_and_after_init() {
        let (_dir, s) = session();
        let lead = AgentId::parse("lead").expect("id");
        assert!(!s.registered(&lead).expect("read"));
        assert!(s.known_agents().expect("read").is_empty());
        let (_dir, s) = initialised();
        assert!(s.registered(&lead).expect("read"));
        assert_eq!(s.known_agents().expect("read"), vec!["lead".to_owned()]);
    }

    #[test]
    fn the_first_write_of_an_unknown_agent_is_reported_once_registered() {
        let (_dir, s) = initialised();
        let newcomer = s.clone_as("alice");
        let actor = newcomer.actor().expect("alice acts");
        // Nothing written yet: not registered by this session.
        assert_eq!(newcomer.newly_registered().expect("read"), None);
        let task = NewTask {
            title: "first".to_owned(),
            ..NewTask::default()
        };
        ops::task::add(
            newcomer.store().expect("store"),
            &actor,
            ops::task::AddTask {
                task,
                after: vec![],
            },
        )
        .expect("alice adds a task");
        assert_eq!(
            newcomer
                .newly_registered()
                .expect("read")
                .map(AgentId::as_str),
            Some("alice")
        );

        // An agent that was registered before it acted is never reported.
        let lead = s.clone_as("lead");
        lead.actor().expect("lead acts");
        assert_eq!(lead.newly_registered().expect("read"), None);
    }
}
