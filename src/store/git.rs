/*!
The one place the system `git` is run (ADR 0006: for what gix cannot do, or could only with
much more code here), always with the same hygiene, and the small queries made through it.

Every call goes through [`Store::git`]: `GIT_DIR`, `GIT_WORK_TREE` and `GIT_INDEX_FILE`
inherited from a hook or alias are cleared and the repository is named explicitly, so git
acts on the repository this store opened and nothing else; `GIT_NO_REPLACE_OBJECTS` and the
[`PINNED`] `-c` overrides keep the user's configuration from changing what we parse.
Queries use [`Store::git_read`]; the few calls that change the repository (config, notes)
use [`Store::git_write`], so a reader of this file can tell them apart.
*/

use std::path::{Path, PathBuf};

use super::{Error, Result, Store};

/// `-c` overrides that pin every configuration key known to change the output we parse
/// (`changes.rs` says why each is here), given to every git call.
const PINNED: [&str; 24] = [
    "-c",
    "core.quotePath=true",
    "-c",
    "diff.noprefix=false",
    "-c",
    "diff.mnemonicPrefix=false",
    "-c",
    "diff.relative=false",
    "-c",
    "diff.interHunkContext=0",
    "-c",
    "color.ui=never",
    "-c",
    "color.diff=never",
    "-c",
    "log.showSignature=false",
    "-c",
    "i18n.logOutputEncoding=UTF-8",
    "-c",
    "log.showRoot=true",
    "-c",
    "diff.ignoreSubmodules=none",
    "-c",
    "core.useReplaceRefs=false",
];

/// Which repository a git call acts on.
#[derive(Clone, Copy, Debug)]
pub(super) enum At<'a> {
    /// This store's repository, as opened: its git directory and worktree, named explicitly.
    Repo,
    /// The repository's common directory (`.git`), without a worktree: what
    /// `git worktree add` is run from, so that revisions resolve as in the main worktree.
    Common,
    /// The repository git finds from `dir` (a worktree just created).
    Dir(&'a Path),
}

impl Store {
    /// Runs the system `git` with `args` and returns its stdout; fails naming the subcommand
    /// with git's own message when git cannot be run or exits non-zero.
    ///
    /// The only place a `git` process is started. The repository is always named on the
    /// command line, never inherited: a hook or alias runs us with `GIT_DIR`, `GIT_WORK_TREE`
    /// and `GIT_INDEX_FILE` set (relative to its own directory, or naming a temporary index),
    /// which would send a call to another repository or index than the one meant.
    pub(super) fn git(&self, at: At<'_>, args: &[&str]) -> Result<Vec<u8>> {
        let out = self.git_output(at, args)?;
        if !out.status.success() {
            return Err(Error::GitCommand {
                command: git_subcommand(args),
                message: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
            });
        }
        Ok(out.stdout)
    }

    /// Runs the system `git` like [`Store::git`] and returns its whole output, whatever its
    /// exit status: for the callers that read a failure's output (`push --porcelain` says
    /// which reference was rejected and why on stdout, with a non-zero status).
    pub(super) fn git_output(&self, at: At<'_>, args: &[&str]) -> Result<std::process::Output> {
        self.git_command(at, args)
            .output()
            .map_err(|e| Error::GitCommand {
                command: git_subcommand(args),
                message: e.to_string(),
            })
    }

    /// The `git` command [`Store::git_output`] runs, not started yet: for the runs that
    /// relay git's progress while it works ([`Store::set_progress`]).
    pub(super) fn git_command(&self, at: At<'_>, args: &[&str]) -> std::process::Command {
        let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_owned());
        let mut command = std::process::Command::new("git");
        command
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            // `git replace` must never show us another commit than the one named.
            .env("GIT_NO_REPLACE_OBJECTS", "1")
            .args(PINNED)
            .arg("--literal-pathspecs");
        let dir: PathBuf = match at {
            At::Repo => {
                let git_dir = absolute(self.repo.git_dir());
                command.arg("--git-dir").arg(&git_dir);
                match self.workdir() {
                    Some(work) => {
                        let work = absolute(work);
                        command.arg("--work-tree").arg(&work);
                        work
                    }
                    None => git_dir,
                }
            }
            At::Common => {
                let common = absolute(self.common_dir());
                command.arg("--git-dir").arg(&common);
                common
            }
            At::Dir(dir) => dir.to_owned(),
        };
        command.current_dir(dir).args(args);
        command
    }

    /// A query: runs git in this repository and returns its stdout as text. Used for history
    /// queries gix could answer only with much more code here (commit ranges with trailers,
    /// notes and changed paths in one pass); each caller says what it asks.
    pub(super) fn git_read(&self, args: &[&str]) -> Result<String> {
        self.git(At::Repo, args)
            .map(|out| String::from_utf8_lossy(&out).into_owned())
    }

    /// A change to the repository made through git (config, notes), so that the file keeps
    /// git's own formatting and git's own lock is taken.
    pub(super) fn git_write(&self, at: At<'_>, args: &[&str]) -> Result<()> {
        self.git(at, args).map(drop)
    }

    /// The local branches (short names) whose history contains `commit`.
    pub fn branches_containing(&self, commit: &str) -> Result<Vec<String>> {
        let text = self.git_read(&[
            "for-each-ref",
            "--format=%(refname:short)",
            "--contains",
            commit,
            "refs/heads/",
        ])?;
        Ok(text.lines().map(str::to_owned).collect())
    }

    /// The full names (`refs/heads/…`) of the local branches that contain `commit`: full,
    /// since a short name can be made ambiguous (`heads/main` beside a tag `main`).
    pub fn branch_refs_containing(&self, commit: &str) -> Result<Vec<String>> {
        let text = self.git_read(&[
            "for-each-ref",
            "--format=%(refname)",
            "--contains",
            commit,
            "refs/heads/",
        ])?;
        Ok(text.lines().map(str::to_owned).collect())
    }

    /// Whether the reference `full` (`refs/…`) exists.
    pub fn ref_exists(&self, full: &str) -> bool {
        self.git_read(&["show-ref", "--verify", "--quiet", full])
            .is_ok()
    }

    /// Whether `full` is a well-formed reference name (`git check-ref-format`).
    pub fn ref_format_ok(&self, full: &str) -> bool {
        self.git_read(&["check-ref-format", full]).is_ok()
    }

    /// The names of the configured remotes.
    pub fn remote_names(&self) -> Vec<String> {
        self.git_read(&["remote"])
            .map(|t| t.lines().map(str::to_owned).collect())
            .unwrap_or_default()
    }

    /// Whether `rev` names a commit here.
    pub fn rev_exists(&self, rev: &str) -> bool {
        self.git_read(&[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ])
        .is_ok()
    }

    /// The merge base of two revisions, if they have one.
    pub fn merge_base(&self, a: &str, b: &str) -> Option<String> {
        self.git_read(&["merge-base", a, b])
            .ok()
            .map(|s| s.trim().to_owned())
    }
}

/// How a failed git call is named in errors: `git <subcommand>`, never the whole command
/// line (internal flags and formats mean nothing to the user, and the message that follows
/// is git's own, which names what it could not do).
pub(super) fn git_subcommand(args: &[&str]) -> String {
    let mut words = args.iter();
    while let Some(word) = words.next() {
        match *word {
            // Options of git itself that take a value.
            "-c" | "-C" | "--git-dir" | "--work-tree" => {
                words.next();
            }
            w if w.starts_with('-') => {}
            w => return format!("git {w}"),
        }
    }
    "git".to_owned()
}
