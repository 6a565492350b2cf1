/*!
Worktrees for spawned agents (`git worktree add` through the system git, which gix cannot
do), the shared `info/exclude`, and the worktrees that have the coordination branch checked
out (which look dirty as soon as a write moves the branch under them).
*/

use std::path::{Path, PathBuf};

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

    /// The worktrees that have the coordination branch checked out, as `git worktree list
    /// --porcelain` would show them with `branch refs/heads/<branch>`.
    ///
    /// Read from the files git keeps (`HEAD` of the main worktree, `worktrees/*/HEAD` and
    /// `worktrees/*/gitdir` of the linked ones), never by running git: every write asks, and
    /// a process spawn would cost about as much as the write itself. A file that cannot be
    /// read is a worktree being added or removed right now: skipped, as git would list it
    /// once it is complete.
    ///
    /// The main worktree (the clone itself, when it has the branch checked out) comes first,
    /// flagged `true`: it cannot be removed, only switched to another branch.
    pub fn worktrees_on_branch(&self) -> Vec<(PathBuf, bool)> {
        let common = self.repo.common_dir();
        let on_branch = |head: &Path| {
            std::fs::read_to_string(head).is_ok_and(|text| {
                text.trim_end()
                    .strip_prefix("ref:")
                    .is_some_and(|r| r.trim() == self.branch())
            })
        };
        let mut found = Vec::new();
        // The main worktree: only a non-bare repository's `.git` has one, its parent.
        if common.file_name().is_some_and(|n| n == ".git")
            && on_branch(&common.join("HEAD"))
            && let Some(main) = common.parent()
        {
            found.push((main.to_path_buf(), true));
        }
        let Ok(entries) = std::fs::read_dir(common.join("worktrees")) else {
            return found;
        };
        let mut linked: Vec<(PathBuf, bool)> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|dir| on_branch(&dir.join("HEAD")))
            .filter_map(|dir| {
                // `gitdir` holds the path of the worktree's `.git` file.
                let text = std::fs::read_to_string(dir.join("gitdir")).ok()?;
                let dot_git = PathBuf::from(text.trim_end());
                let dot_git = if dot_git.is_relative() {
                    dir.join(dot_git)
                } else {
                    dot_git
                };
                Some((dot_git.parent()?.to_path_buf(), false))
            })
            .collect();
        linked.sort();
        found.extend(linked);
        found
    }

    /// Says once per process, through the notice hook ([`Store::set_notice`]), which
    /// worktrees have the coordination branch checked out: every write moves the branch
    /// under them, so their files lag behind and `git status` there shows the difference as
    /// changes. Called on every write; costs one directory listing when there are linked
    /// worktrees, nothing more.
    pub fn warn_checked_out(&self) {
        if self.warned_checked_out.replace(true) {
            return;
        }
        let Some(notice) = self.notice.get() else {
            return;
        };
        for (path, main) in self.worktrees_on_branch() {
            notice(&format!(
                "warning: {}",
                checked_out_warning(self.branch_short(), &path, main)
            ));
        }
    }
}

/// The warning (and its fix) for a worktree that has the coordination branch checked out
/// (`main`: the clone's own worktree, which git cannot remove); `doctor` says the same.
pub fn checked_out_warning(branch: &str, path: &Path, main: bool) -> String {
    let path = path.display();
    let fix = if main {
        format!(
            "switch it to another branch: `git -C {path} switch -f <your branch>` (`-f` \
             once it looks dirty, after checking it holds no edits of yours)"
        )
    } else {
        format!(
            "remove it with `git worktree remove {path}` (add `--force` once it looks dirty, \
             after checking it holds no edits of yours)"
        )
    };
    format!(
        "the coordination branch {branch} is checked out in the worktree {path}: every \
         write moves the branch, so its files lag behind and it looks dirty; nothing needs \
         it checked out: {fix}"
    )
}
