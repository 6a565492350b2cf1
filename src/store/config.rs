/*!
Git config: reading keys (as the repository was opened, all scopes), where a value comes from
(the file and scope of the setting that wins, for `git coord config --list`), and writing keys
through the system git, which keeps the file's formatting and takes its lock.
*/

use std::path::PathBuf;

use gix::bstr::ByteSlice;

use super::git::At;
use super::{Result, Store};

/// The winning value of a git config key and where it was set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigOrigin {
    pub value: String,
    /// `worktree`, `repository`, `global`, `system`, `environment` or `command line`.
    pub scope: &'static str,
    pub file: Option<PathBuf>,
}

impl Store {
    /// The value of `section.key` (no subsection) that git would use, with its scope and file:
    /// the last one set, as git reads system, global, repository, then worktree files.
    pub fn config_origin(&self, key: &str) -> Option<ConfigOrigin> {
        let (section, name) = key.split_once('.')?;
        let snapshot = self.repo.config_snapshot();
        let file = snapshot.plumbing();
        let mut found = None;
        for s in file.sections_by_name(section)? {
            if s.header().subsection_name().is_some() {
                continue;
            }
            if let Some(value) = s.value(name) {
                let meta = s.meta();
                found = Some(ConfigOrigin {
                    value: value.to_str_lossy().into_owned(),
                    scope: scope_name(meta.source),
                    file: meta.path.clone(),
                });
            }
        }
        found
    }
}

fn scope_name(source: gix::config::Source) -> &'static str {
    use gix::config::Source::*;
    match source {
        Worktree => "worktree",
        Local => "repository",
        User | Git => "global",
        System | GitInstallation => "system",
        Env | EnvOverride => "environment",
        Cli | Api => "command line",
    }
}

impl Store {
    /// A string from git config (all scopes, including the worktree's own `config.worktree`).
    pub fn config_string(&self, key: &str) -> Option<String> {
        self.repo
            .config_snapshot()
            .string(key)
            .map(|s| s.to_str_lossy().into_owned())
    }

    /// Every value of a multi-valued git config key (`notes.rewriteRef`), as read when the
    /// repository was opened.
    pub fn config_strings(&self, key: &str) -> Vec<String> {
        self.repo
            .config_snapshot()
            .strings(key)
            .unwrap_or_default()
            .iter()
            .map(|s| s.to_str_lossy().into_owned())
            .collect()
    }

    /// Sets `key = value` in the repository's shared config (`.git/config`), through the
    /// system git so the file keeps git's own formatting and locking.
    pub fn set_config(&self, key: &str, value: &str) -> Result<()> {
        self.git_write(At::Repo, &["config", key, value])
    }

    /// Runs `git config <args>` on the repository's shared config (`--add`, `--unset-all`…),
    /// through the system git for its formatting and locking.
    pub fn git_config(&self, args: &[&str]) -> Result<()> {
        let mut all = vec!["config"];
        all.extend_from_slice(args);
        self.git_write(At::Repo, &all)
    }
}
