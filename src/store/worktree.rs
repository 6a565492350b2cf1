/*!
Worktrees for spawned agents (`git worktree add` through the system git, which gix cannot
do) and the shared `info/exclude`.
*/

use std::path::Path;

use super::git::At;
use super::{Error, Result, Store};

impl Store {
    /// Creates a worktree at `path` on a new branch `branch` starting at `base`, and sets
    /// `key = value` in that worktree's own config (enabling `extensions.worktreeConfig`).
    ///
    /// gix cannot create worktrees, so this runs the system `git`, which also keeps git's own
    /// bookkeeping (`.git/worktrees/…`) exactly as `git worktree add` makes it.
    pub fn add_worktree(
        &self,
        path: &Path,
        branch: &str,
        base: &str,
        config: &[(&str, &str)],
    ) -> Result<()> {
        let path_str = path.to_string_lossy();
        self.git_write(
            At::Common,
            &["worktree", "add", "-q", "-b", branch, &path_str, base],
        )?;
        let run = |args: &[&str]| self.git_write(At::Dir(path), args);
        run(&["config", "extensions.worktreeConfig", "true"])?;
        for (key, value) in config {
            run(&["config", "--worktree", key, value])?;
        }
        Ok(())
    }

    /// Adds a pattern to the repository's `info/exclude` (shared by all worktrees) unless it
    /// is there already, so files such as an agent's brief never become tracked changes.
    pub fn exclude(&self, pattern: &str) -> Result<()> {
        let file = self.repo.common_dir().join("info").join("exclude");
        let current = std::fs::read_to_string(&file).unwrap_or_default();
        if current.lines().any(|l| l.trim() == pattern) {
            return Ok(());
        }
        let io = |e: std::io::Error| Error::GitCommand {
            command: format!("write {}", file.display()),
            message: e.to_string(),
        };
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let mut text = current;
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(pattern);
        text.push('\n');
        std::fs::write(&file, text).map_err(io)
    }
}
