/*!
What every command needs, gathered once: the global flags, the environment (read only here
and in `clock.rs`), the lazily opened repository, the acting agent and the clock.
*/

use std::cell::OnceCell;
use std::path::PathBuf;

use serde::Serialize;

use crate::clock::Clock;
use crate::error::{CommandError, CommandResult};
use crate::model::{AgentId, Timestamp, layout};
use crate::ops::Actor;
use crate::store::{Author, Store};
use crate::ui::{ColorChoice, ColorEnv, Ui};

/// Where the acting agent's name came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AgentSource {
    Flag,
    Env,
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

/// The global flags, as the command line gave them.
#[derive(Clone, Debug)]
pub struct GlobalOptions {
    pub directory: Option<PathBuf>,
    pub agent: Option<String>,
    pub json: bool,
    pub color: ColorChoice,
    pub quiet: bool,
}

pub struct Context {
    pub ui: Ui,
    cwd: PathBuf,
    agent_flag: Option<String>,
    agent_env: Option<String>,
    clock: Clock,
    store: OnceCell<Store>,
    /// The acting agent when its registry entry did not exist as the command began: its first
    /// write registers it, and [`Context::report_new_agent`] says so (a typo should not pass
    /// silently).
    unregistered: OnceCell<Option<AgentId>>,
    /// `git -c key=value coord …`: git passes the overrides in `GIT_CONFIG_PARAMETERS`, and
    /// they apply to every config read (`coord.agent` included).
    config_parameters: Option<String>,
}

impl Context {
    pub fn new(opts: GlobalOptions) -> CommandResult<Context> {
        #[allow(clippy::disallowed_methods)]
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let color_env = ColorEnv {
            no_color: env("NO_COLOR").is_some(),
            clicolor_force: env("CLICOLOR_FORCE").is_some_and(|v| v != "0"),
            clicolor_off: env("CLICOLOR").is_some_and(|v| v == "0"),
            term_dumb: env("TERM").is_some_and(|v| v == "dumb"),
        };
        let ui = Ui::new(opts.json, opts.quiet, opts.color, color_env);
        let clock = Clock::from_env().map_err(CommandError::usage)?;
        // Like `git -C` and `cargo -C`: change directory first, so every relative path on the
        // command line (--body-file, import FILE, spawn --path…) is read from there too.
        if let Some(dir) = &opts.directory {
            std::env::set_current_dir(dir).map_err(|e| {
                CommandError::usage(format!("cannot use -C {}: {e}", dir.display()))
            })?;
        }
        let cwd = std::env::current_dir().map_err(|e| {
            CommandError::internal(format!("cannot read the current directory: {e}"))
        })?;
        Ok(Context {
            ui,
            cwd,
            agent_flag: opts.agent,
            agent_env: env("COORD_AGENT"),
            config_parameters: env("GIT_CONFIG_PARAMETERS"),
            clock,
            store: OnceCell::new(),
            unregistered: OnceCell::new(),
        })
    }

    /// The repository, opened on first use.
    pub fn store(&self) -> CommandResult<&Store> {
        if let Some(store) = self.store.get() {
            return Ok(store);
        }
        let store = Store::discover_with(&self.cwd, self.config_parameters.as_deref())?;
        Ok(self.store.get_or_init(|| store))
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The acting agent, if one is set: `--agent`, else `$COORD_AGENT`, else `coord.agent`.
    pub fn agent(&self) -> CommandResult<Option<(AgentId, AgentSource)>> {
        let (name, source) = if let Some(a) = &self.agent_flag {
            (a.clone(), AgentSource::Flag)
        } else if let Some(a) = &self.agent_env {
            (a.clone(), AgentSource::Env)
        } else if let Some(a) = self.store()?.config_string("coord.agent") {
            (a, AgentSource::Config)
        } else {
            return Ok(None);
        };
        let id = AgentId::parse(name.trim())
            .map_err(|e| CommandError::usage(format!("{} is invalid: {e}", source.describe())))?;
        Ok(Some((id, source)))
    }

    /// The acting agent for a write; fails with a hint when none is set.
    pub fn actor(&self) -> CommandResult<Actor> {
        let Some((agent, _)) = self.agent()? else {
            return Err(no_agent());
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
    pub fn registered(&self, agent: &AgentId) -> CommandResult<bool> {
        let store = self.store()?;
        if store.tip()?.is_none() {
            return Ok(false);
        }
        Ok(store.snapshot()?.exists(&layout::agent_path(agent))?)
    }

    /// The IDs of the registered agents, sorted.
    pub fn known_agents(&self) -> CommandResult<Vec<String>> {
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

    /// After a successful command: warns when its write registered the acting agent, naming
    /// the agents that were known already.
    pub fn report_new_agent(&self) -> CommandResult<()> {
        let Some(Some(agent)) = self.unregistered.get() else {
            return Ok(());
        };
        if !self.registered(agent)? {
            return Ok(());
        }
        let others: Vec<String> = self
            .known_agents()?
            .into_iter()
            .filter(|id| id != agent.as_str())
            .collect();
        let known = if others.is_empty() {
            "none before it".to_owned()
        } else {
            name_some(&others)
        };
        self.ui.warn(format!(
            "registered new agent {agent}; agents known: {known} (a typo? `git coord agent retire {agent}` undoes it)"
        ));
        Ok(())
    }

    fn email(&self, agent: &AgentId) -> CommandResult<String> {
        Ok(self
            .store()?
            .config_string("user.email")
            .filter(|e| !e.trim().is_empty())
            .unwrap_or_else(|| format!("{agent}@coord.invalid")))
    }

    /// The author of a write that may have no agent (`init`): the agent if set, else the
    /// git identity, else `git-coord`.
    pub fn author_or_user(&self) -> CommandResult<(Author, Option<Actor>)> {
        if let Some((agent, _)) = self.agent()? {
            let actor = Actor {
                email: self.email(&agent)?,
                agent,
                now: self.now(),
            };
            return Ok((actor.author(), Some(actor)));
        }
        let store = self.store()?;
        let author = Author {
            name: store
                .config_string("user.name")
                .unwrap_or_else(|| "git-coord".to_owned()),
            email: store
                .config_string("user.email")
                .unwrap_or_else(|| "git-coord@coord.invalid".to_owned()),
            time: self.now().unix(),
        };
        Ok((author, None))
    }
}

/// Up to ten names, then how many more: a warning stays one readable line with 1,000 agents.
pub fn name_some(names: &[String]) -> String {
    const SHOWN: usize = 10;
    if names.len() <= SHOWN {
        return names.join(", ");
    }
    format!(
        "{} and {} more (`git coord agent list`)",
        names[..SHOWN].join(", "),
        names.len() - SHOWN
    )
}

pub fn no_agent() -> CommandError {
    CommandError::usage("no agent is set: this command writes as an agent")
        .hint("name the agent for this worktree: git config --worktree coord.agent <name>  (or git config coord.agent <name>)")
        .hint("or per command: --agent <name>, or for a shell: export COORD_AGENT=<name>")
}
