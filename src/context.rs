/*!
The command line's context: the terminal ([`Ui`]) and the library [`Session`] built from the
global flags and the environment (read only here and in `clock.rs`). Every command gets one;
what is not about flags or the terminal lives in the session.
*/

use std::path::PathBuf;

use crate::clock::Clock;
use crate::error::{CommandError, CommandResult};
use crate::model::{AgentId, Timestamp};
use crate::ops::Actor;
use crate::session::{AgentSource, Session, SessionError};
use crate::store::{Author, Store};
use crate::ui::{ColorChoice, ColorEnv, Ui};

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
    pub session: Session,
    /// `GIT_COORD_COUNTS` is set: print what the command read when it ends.
    pub print_counts: bool,
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
        // `git -c key=value coord …`: git passes the overrides in `GIT_CONFIG_PARAMETERS`, and
        // they apply to every config read (`coord.agent` included).
        let mut session =
            Session::discover(cwd, clock).with_config_parameters(env("GIT_CONFIG_PARAMETERS"));
        // `--agent` wins over `$COORD_AGENT`, which wins over `coord.agent` (the session's).
        if let Some(name) = opts.agent {
            session = session.with_agent(name, AgentSource::Flag);
        } else if let Some(name) = env("COORD_AGENT") {
            session = session.with_agent(name, AgentSource::Env);
        }
        Ok(Context {
            ui,
            session,
            print_counts: env("GIT_COORD_COUNTS").is_some(),
        })
    }

    /// The repository, opened on first use.
    pub fn store(&self) -> CommandResult<&Store> {
        Ok(self.session.store()?)
    }

    pub fn now(&self) -> Timestamp {
        self.session.now()
    }

    /// The acting agent, if one is set: `--agent`, else `$COORD_AGENT`, else `coord.agent`.
    pub fn agent(&self) -> CommandResult<Option<(AgentId, AgentSource)>> {
        Ok(self.session.agent()?)
    }

    /// The acting agent for a write; fails with a hint when none is set.
    pub fn actor(&self) -> CommandResult<Actor> {
        Ok(self.session.actor()?)
    }

    /// Whether `agent` has a registry entry on the coordination branch (false before `init`).
    pub fn registered(&self, agent: &AgentId) -> CommandResult<bool> {
        Ok(self.session.registered(agent)?)
    }

    /// The IDs of the registered agents, sorted.
    pub fn known_agents(&self) -> CommandResult<Vec<String>> {
        Ok(self.session.known_agents()?)
    }

    /// After a successful command: warns when its write registered the acting agent, naming
    /// the agents that were known already.
    pub fn report_new_agent(&self) -> CommandResult<()> {
        let Some(agent) = self.session.newly_registered()? else {
            return Ok(());
        };
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

    /// The author of a write that may have no agent (`init`): the agent if set, else the
    /// git identity, else `git-coord`.
    pub fn author_or_user(&self) -> CommandResult<(Author, Option<Actor>)> {
        Ok(self.session.author_or_user()?)
    }
}

impl From<SessionError> for CommandError {
    fn from(e: SessionError) -> CommandError {
        match e {
            SessionError::Store(e) => e.into(),
            SessionError::InvalidAgent { .. } => CommandError::usage(e.to_string()),
            SessionError::NoAgent => no_agent(),
        }
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

/// Where `git coord man --install` puts pages: `$XDG_DATA_HOME/man/man1`, else
/// `~/.local/share/man/man1` (both on man-db's search path for the user).
pub fn user_man_dir() -> Option<PathBuf> {
    #[allow(clippy::disallowed_methods)]
    let env = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let data = env("XDG_DATA_HOME")
        .filter(|p| p.is_absolute())
        .or_else(|| env("HOME").map(|home| home.join(".local/share")))?;
    Some(data.join("man/man1"))
}

/// How many columns the screen renderings (`status`, `standup`) may use: `$COLUMNS` (set by
/// shells for their terminal) when it is a number, at most 100 (what the screens are laid out
/// for), at least 40; 100 when unset (a pipe, a test).
pub fn screen_width() -> usize {
    #[allow(clippy::disallowed_methods)]
    let columns = std::env::var("COLUMNS").ok();
    columns
        .and_then(|c| c.trim().parse::<usize>().ok())
        .map_or(100, |c| c.clamp(40, 100))
}
