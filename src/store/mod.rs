/*!
The coordination branch as a database: the only module that talks to git (through gix).

Every write is a [`Store::update`]: read the branch tip, let the caller plan edits against
that exact snapshot, write the blobs, trees and commit into the object database, and move the
branch by compare-and-swap (a reference transaction that requires the tip the plan was made
on). When another process moved the branch first, the plan is made again on the new tip, with
jittered backoff, so no write is ever lost and no decision is made on stale state. Objects are
written before the reference moves, so a process killed at any instant leaves the repository
consistent. Nothing here touches HEAD, the index or any working tree.
*/

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use gix::ObjectId;
use gix::bstr::ByteSlice;
use gix::objs::tree::EntryKind;
use gix::refs::transaction::{Change, LogChange, PreviousValue, RefEdit, RefLog};
use gix::refs::{FullName, Target};

pub mod changes;
mod config;
pub mod history;
pub mod policy;

pub use changes::{FileHunks, NamedBy, RangeCommit};
pub use config::ConfigOrigin;

/// The default name of the coordination branch (config `coord.branch`).
pub const DEFAULT_BRANCH: &str = "coord";

/// How long a write keeps retrying lost races before giving up.
const RETRY_BUDGET: Duration = Duration::from_secs(60);
/// How long a write retries an object database that a concurrent `git gc`, `git repack -d` or
/// `git prune-packed` is rearranging under it (a loose-object directory removed between its
/// creation and the rename into it, a pack replaced mid-read) before reporting the error.
const OBJECT_RETRY_BUDGET: Duration = Duration::from_secs(10);
/// Upper bound of the random pause between attempts.
const MAX_BACKOFF_MICROS: u64 = 20_000;
/// Default of `coord.staleLock`: a branch lock older than this was left by a writer that died
/// (SIGKILL, power loss); live writers hold it for microseconds. See ADR 0009.
pub const STALE_LOCK: Duration = Duration::from_secs(10);
/// Default of `coord.lockTimeout`: how long a write waits on one lock that is not stale yet,
/// while the branch does not move, before it fails naming the lock and how to remove it.
pub const LOCK_TIMEOUT: Duration = Duration::from_secs(5);
/// A lock dated further than this in the future was not made by a live writer on this clock
/// (a clock set back, a restored `.git`): it is stale at once.
const FUTURE_SKEW: Duration = Duration::from_secs(1);
/// How long one attempt waits for the branch lock (git's own `core.filesRefLockTimeout`).
const LOCK_ATTEMPT: Duration = Duration::from_millis(100);

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path} is not inside a git repository")]
    NotARepository {
        path: PathBuf,
        #[source]
        source: gix::Error,
    },
    #[error("the coordination branch {branch} does not exist yet")]
    NotInitialised { branch: String },
    #[error("{value:?} is not a valid branch name for coord.branch")]
    BadBranch { value: String },
    #[error("{command} failed: {message}")]
    GitCommand { command: String, message: String },
    #[error("refusing to write {path:?}: not a plain relative path on the coordination branch")]
    BadPath { path: String },
    #[error("{path} on the coordination branch is not valid UTF-8")]
    NotUtf8 { path: String },
    #[error(
        "gave up after {attempts} attempts in {seconds:.1}s: other writers kept moving {branch}"
    )]
    Contention {
        branch: String,
        attempts: u32,
        seconds: f64,
    },
    #[error(
        "{path} has locked {branch} for {seconds:.0}s while the branch did not move: its writer died or is stopped"
    )]
    LockHeld {
        path: PathBuf,
        branch: String,
        seconds: f64,
    },
    #[error("git config {key} = {value:?} is not a duration of at least 1s (such as 10s or 2m)")]
    BadDuration { key: String, value: String },
    #[error("could not {action}")]
    Io {
        action: String,
        #[source]
        source: std::io::Error,
    },
    #[error("could not {action}")]
    Git {
        action: String,
        #[source]
        source: gix::Error,
    },
}

type Result<T, E = Error> = std::result::Result<T, E>;

trait Context<T> {
    fn context(self, action: impl FnOnce() -> String) -> Result<T>;
}

impl<T, E: Into<gix::Error>> Context<T> for std::result::Result<T, E> {
    fn context(self, action: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|e| Error::Git {
            action: action(),
            source: e.into(),
        })
    }
}

/// The commit the coordination branch points to, and its tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tip {
    pub commit: ObjectId,
    pub tree: ObjectId,
}

/// Who a commit is by, and when.
#[derive(Clone, Debug)]
pub struct Author {
    pub name: String,
    pub email: String,
    /// Seconds since the Unix epoch, UTC.
    pub time: i64,
}

/// One file to write (`Some`) or remove (`None`) on the branch.
#[derive(Clone, Debug)]
pub struct Edit {
    pub path: String,
    pub content: Option<Vec<u8>>,
}

impl Edit {
    pub fn write(path: impl Into<String>, content: impl Into<Vec<u8>>) -> Edit {
        Edit {
            path: path.into(),
            content: Some(content.into()),
        }
    }

    pub fn remove(path: impl Into<String>) -> Edit {
        Edit {
            path: path.into(),
            content: None,
        }
    }
}

/// What a write decided after looking at the tip.
pub enum Plan<T> {
    /// Write these edits in one commit with this message.
    Commit {
        message: String,
        edits: Vec<Edit>,
        value: T,
    },
    /// Nothing to write (the state already is what was asked).
    Skip(T),
}

impl<T> Plan<T> {
    /// Replaces the value a plan carries.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Plan<U> {
        match self {
            Plan::Commit {
                message,
                edits,
                value,
            } => Plan::Commit {
                message,
                edits,
                value: f(value),
            },
            Plan::Skip(value) => Plan::Skip(f(value)),
        }
    }
}

/// The result of [`Store::update`].
#[derive(Debug)]
pub struct Committed<T> {
    pub value: T,
    /// The new commit, or `None` when the plan was [`Plan::Skip`].
    pub commit: Option<ObjectId>,
    /// How many times the plan was made (1 when no other writer interfered).
    pub attempts: u32,
}

/// An entry of a directory on the branch.
#[derive(Clone, Debug)]
pub struct DirEntry {
    pub name: String,
    pub is_dir: bool,
    pub id: ObjectId,
}

/// The `key=value` pairs of git's `GIT_CONFIG_PARAMETERS`: whitespace-separated words, each
/// made of sh single-quoted parts (`'` written as `'\''`) and, between the quoted key and
/// value of the newer format (`'key'='value'`), a bare `=`. Both formats give `key=value`.
fn parse_config_parameters(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    w.push(q);
                }
            }
            '\\' => {
                if let Some(next) = chars.next() {
                    word.get_or_insert_with(String::new).push(next);
                }
            }
            c if c.is_whitespace() => out.extend(word.take()),
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    out.extend(word);
    out
}

/// A repository and the name of its coordination branch.
pub struct Store {
    repo: gix::Repository,
    branch: FullName,
    /// HEAD's tree, resolved once per process (commands do not move HEAD).
    head_tree: std::cell::OnceCell<Option<ObjectId>>,
    /// The reference store the branch is moved through, with gix's own reflog writing off:
    /// we append each reflog line ourselves in one `write()` (see [`Store::append_reflog`]).
    ref_writer: std::cell::OnceCell<gix::refs::file::Store>,
    /// The loose-object store every write goes through (see [`Store::loose`]).
    loose: std::cell::OnceCell<gix::odb::loose::Store>,
}

impl Store {
    /// Finds the repository containing `dir` (honouring `GIT_DIR` and friends, as git does for
    /// hooks and aliases).
    pub fn discover(dir: &Path) -> Result<Store> {
        Store::discover_with(dir, None)
    }

    /// [`Store::discover`], with the `-c key=value` overrides git passes to aliases, external
    /// commands and hooks in `GIT_CONFIG_PARAMETERS` (`config_parameters`, as read from the
    /// environment) applied like git applies them, above every config file: `git -c
    /// coord.agent=bob coord …` acts as bob.
    pub fn discover_with(dir: &Path, config_parameters: Option<&str>) -> Result<Store> {
        let overrides = config_parameters
            .map(parse_config_parameters)
            .unwrap_or_default();
        let mut trust = gix::sec::trust::Mapping::<gix::open::Options>::default();
        trust.full = trust.full.cli_overrides(overrides.clone());
        trust.reduced = trust.reduced.cli_overrides(overrides);
        let repo = gix::ThreadSafeRepository::discover_with_environment_overrides_opts(
            dir,
            Default::default(),
            trust,
        )
        .map_err(|e| Error::NotARepository {
            path: dir.to_owned(),
            source: e,
        })?
        .to_thread_local();
        Store::from_repo(repo)
    }

    /// Creates a new, empty repository at `dir` (used by `demo`).
    pub fn init_repository(dir: &Path) -> Result<Store> {
        let repo =
            gix::init(dir).context(|| format!("create a repository in {}", dir.display()))?;
        Store::from_repo(repo)
    }

    fn from_repo(repo: gix::Repository) -> Result<Store> {
        let short = repo
            .config_snapshot()
            .string("coord.branch")
            .map(|s| s.to_string())
            .unwrap_or_else(|| DEFAULT_BRANCH.to_owned());
        let full = format!("refs/heads/{short}");
        let branch =
            FullName::try_from(full.as_str()).map_err(|_| Error::BadBranch { value: short })?;
        Ok(Store {
            repo,
            branch,
            head_tree: std::cell::OnceCell::new(),
            ref_writer: std::cell::OnceCell::new(),
            loose: std::cell::OnceCell::new(),
        })
    }

    /// The branch's full reference name (`refs/heads/coord`).
    pub fn branch(&self) -> &str {
        self.branch.as_bstr().to_str().unwrap_or("refs/heads/coord")
    }

    /// The branch's short name (`coord`).
    pub fn branch_short(&self) -> &str {
        self.branch()
            .strip_prefix("refs/heads/")
            .unwrap_or(self.branch())
    }

    /// A string from git config (all scopes, including the worktree's own `config.worktree`).
    pub fn config_string(&self, key: &str) -> Option<String> {
        self.repo
            .config_snapshot()
            .string(key)
            .map(|s| s.to_str_lossy().into_owned())
    }

    /// The root of the current worktree, if this is not a bare repository.
    pub fn workdir(&self) -> Option<&Path> {
        self.repo.workdir()
    }

    /// The directory shared by all worktrees (`.git`), where derived caches live.
    pub fn common_dir(&self) -> &Path {
        self.repo.common_dir()
    }

    /// Where derived caches live (`.git/coord/`), shared by every worktree. Nothing in it is
    /// ever trusted without checking the commit it was built from.
    pub fn cache_dir(&self) -> PathBuf {
        self.repo.common_dir().join("coord")
    }

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
        let git_dir = self.repo.common_dir();
        let run = |args: &[&str], dir: &Path| -> Result<()> {
            let out = std::process::Command::new("git")
                .args(args)
                .current_dir(dir)
                .env_remove("GIT_DIR")
                .env_remove("GIT_WORK_TREE")
                .output()
                .map_err(|e| Error::GitCommand {
                    command: changes::git_subcommand(args),
                    message: e.to_string(),
                })?;
            if !out.status.success() {
                return Err(Error::GitCommand {
                    command: changes::git_subcommand(args),
                    message: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
                });
            }
            Ok(())
        };
        let path_str = path.to_string_lossy();
        run(
            &[
                "--git-dir",
                &git_dir.to_string_lossy(),
                "worktree",
                "add",
                "-q",
                "-b",
                branch,
                &path_str,
                base,
            ],
            git_dir,
        )?;
        run(&["config", "extensions.worktreeConfig", "true"], path)?;
        for (key, value) in config {
            run(&["config", "--worktree", key, value], path)?;
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

    /// Paths whose staged content differs from `HEAD` (added, modified, deleted or with a
    /// changed mode), sorted: what `git diff --cached --name-only` lists, for `check --staged`.
    pub fn staged_paths(&self) -> Result<Vec<String>> {
        let path = self.repo.index_path();
        if !path.exists() {
            return Ok(Vec::new());
        }
        // The trailing checksum is not verified: git verifies what it writes, and hashing a
        // 100,000-entry index would be a good share of a pre-commit hook's budget.
        let index = gix::index::File::at(&path, self.repo.object_hash(), true, Default::default())
            .map_err(|e| Error::Git {
                action: format!("read the index {}", path.display()),
                source: gix::Error::from_error(e),
            })?;
        let head_tree = self.head_tree_id();
        // Directories whose cache-tree entry is valid and equal to HEAD's tree there are
        // unchanged: neither side needs to be read below them.
        let mut clean: Vec<String> = Vec::new();
        if let (Some(tree), Some(cache)) = (head_tree, index.tree()) {
            self.clean_dirs(cache, tree, "", &mut clean)?;
        }
        clean.sort();
        if clean.first().is_some_and(String::is_empty) {
            // The whole index is HEAD's tree: nothing is staged.
            return Ok(Vec::new());
        }
        let staged_all = index.entries();
        let mut staged: Vec<(&gix::bstr::BStr, ObjectId, u32)> = Vec::new();
        let mut i = 0;
        while i < staged_all.len() {
            let p = staged_all[i].path(&index);
            if let Some(prefix) = covering(&clean, p) {
                // Skip the whole (contiguous) run of entries below the clean directory.
                i += staged_all[i..]
                    .partition_point(|e| e.path(&index).starts_with(prefix.as_bytes()));
                continue;
            }
            staged.push((p, staged_all[i].id, staged_all[i].mode.bits()));
            i += 1;
        }
        let mut head: Vec<(String, ObjectId, u32)> = Vec::new();
        if let Some(tree) = head_tree {
            self.tree_entries(tree, "", &clean, &mut head)?;
        }
        // Both lists are sorted by path: walk them together.
        let (mut i, mut j) = (0, 0);
        let mut out: Vec<String> = Vec::new();
        let mut push = |p: &str| {
            if out.last().map(String::as_str) != Some(p) {
                out.push(p.to_owned());
            }
        };
        while i < staged.len() || j < head.len() {
            match (staged.get(i), head.get(j)) {
                (Some(a), Some(b)) if a.0 == b.0.as_str() => {
                    if a.1 != b.1 || a.2 != b.2 {
                        push(&a.0.to_str_lossy());
                    }
                    i += 1;
                    j += 1;
                }
                (Some(a), Some(b)) if a.0 < b.0.as_str() => {
                    push(&a.0.to_str_lossy());
                    i += 1;
                }
                (Some(_), Some(b)) => {
                    push(&b.0);
                    j += 1;
                }
                (Some(a), None) => {
                    push(&a.0.to_str_lossy());
                    i += 1;
                }
                (None, Some(b)) => {
                    push(&b.0);
                    j += 1;
                }
                (None, None) => break,
            }
        }
        Ok(out)
    }

    /// Collects (as `dir/`) the directories below `prefix` whose cache-tree node is valid and
    /// names the same tree as `tree` does in HEAD.
    fn clean_dirs(
        &self,
        cache: &gix::index::extension::Tree,
        tree: ObjectId,
        prefix: &str,
        clean: &mut Vec<String>,
    ) -> Result<()> {
        if cache.num_entries.is_some() && cache.id == tree {
            if prefix.is_empty() {
                // The whole index equals HEAD: mark everything clean.
                clean.push(String::new());
            } else {
                clean.push(format!("{prefix}/"));
            }
            return Ok(());
        }
        let head = self
            .repo
            .find_tree(tree)
            .context(|| format!("read tree {tree}"))?;
        let decoded = head.decode().context(|| format!("decode tree {tree}"))?;
        // Subdirectories by name: a directory can have thousands of them.
        let dirs: std::collections::HashMap<&[u8], ObjectId> = decoded
            .entries
            .iter()
            .filter(|e| e.mode.is_tree())
            .map(|e| (e.filename.as_ref() as &[u8], e.oid.to_owned()))
            .collect();
        for child in &cache.children {
            let name = child.name.as_slice();
            if let Some(&oid) = dirs.get(name) {
                let child_prefix = if prefix.is_empty() {
                    String::from_utf8_lossy(name).into_owned()
                } else {
                    format!("{prefix}/{}", String::from_utf8_lossy(name))
                };
                self.clean_dirs(child, oid, &child_prefix, clean)?;
            }
        }
        Ok(())
    }

    /// The files of `tree` (at `prefix`), in git's path order, leaving out clean directories.
    fn tree_entries(
        &self,
        tree: ObjectId,
        prefix: &str,
        clean: &[String],
        out: &mut Vec<(String, ObjectId, u32)>,
    ) -> Result<()> {
        let t = self
            .repo
            .find_tree(tree)
            .context(|| format!("read tree {tree}"))?;
        let decoded = t.decode().context(|| format!("decode tree {tree}"))?;
        for e in &decoded.entries {
            let name = e.filename.to_str_lossy();
            let path = if prefix.is_empty() {
                name.into_owned()
            } else {
                format!("{prefix}/{name}")
            };
            if e.mode.is_tree() {
                let dir = format!("{path}/");
                if clean.binary_search(&dir).is_err() {
                    self.tree_entries(e.oid.to_owned(), &path, clean, out)?;
                }
            } else {
                out.push((path, e.oid.to_owned(), e.mode.value() as u32));
            }
        }
        Ok(())
    }

    /// Where git runs hooks from: `core.hooksPath` (relative to the worktree root when
    /// relative), else `hooks/` in the common git directory.
    pub fn hooks_dir(&self) -> PathBuf {
        match self.config_string("core.hooksPath") {
            Some(p) if !p.trim().is_empty() => {
                let p = PathBuf::from(p.trim());
                if p.is_absolute() {
                    p
                } else {
                    self.workdir().unwrap_or_else(|| self.common_dir()).join(p)
                }
            }
            _ => self.repo.common_dir().join("hooks"),
        }
    }

    /// Sets `key = value` in the repository's shared config (`.git/config`), through the
    /// system git so the file keeps git's own formatting and locking.
    pub fn set_config(&self, key: &str, value: &str) -> Result<()> {
        self.git_read(&["config", key, value]).map(drop)
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

    /// Runs `git config <args>` on the repository's shared config (`--add`, `--unset-all`…),
    /// through the system git for its formatting and locking.
    pub fn git_config(&self, args: &[&str]) -> Result<()> {
        let mut all = vec!["config"];
        all.extend_from_slice(args);
        self.git_read(&all).map(drop)
    }

    /// The text of `path` in the tree of `HEAD` (project policy such as `.coord/owners.toml`
    /// is read from what was committed, not from the working tree).
    pub fn head_file(&self, path: &str) -> Result<Option<String>> {
        let Some(tree) = self.head_tree_id() else {
            return Ok(None);
        };
        let tree = self
            .repo
            .find_tree(tree)
            .context(|| format!("read tree {tree}"))?;
        let Some(entry) = tree
            .lookup_entry_by_path(path)
            .context(|| format!("look up {path} in HEAD"))?
        else {
            return Ok(None);
        };
        if !entry.mode().is_blob() {
            return Ok(None);
        }
        let mut blob = self
            .repo
            .find_blob(entry.object_id())
            .context(|| format!("read {path} from HEAD"))?;
        Ok(String::from_utf8(blob.take_data()).ok())
    }

    /// Adds (or replaces) the note on `HEAD` in `notes_ref`.
    ///
    /// Writes through the system `git notes`, which takes git's own lock on the notes ref; the
    /// post-commit hook calls this once per commit.
    pub fn note_head(&self, notes_ref: &str, text: &str) -> Result<()> {
        // git gives up at once on a held ref lock; one left by a killed process (or dated in
        // the future) would lose every note from then on.
        self.reap_stale_ref_lock(notes_ref);
        self.git_read(&[
            "notes",
            "--ref",
            notes_ref,
            "add",
            "-f",
            "-m",
            text.trim_end(),
            "HEAD",
        ])
        .map(drop)
    }

    /// Commits reachable from any branch whose `Coord-Task` trailer or `notes_ref` note names
    /// `task`, newest first, as (commit, author, subject).
    ///
    /// Reads through `git log`, which walks history and notes together in one pass.
    pub fn commits_for_task(
        &self,
        notes_ref: &str,
        task: &str,
    ) -> Result<Vec<(String, String, String)>> {
        let notes = format!("--notes={notes_ref}");
        let Ok(text) = self.git_read(&[
            "log",
            "--branches",
            &notes,
            "--format=%H%x1f%an%x1f%s%x1f%(trailers:key=Coord-Task,valueonly,separator=%x20)%x1f%N%x1e",
        ]) else {
            // No commits yet: nothing served the task.
            return Ok(Vec::new());
        };
        let mut found = Vec::new();
        for record in text.split('\x1e') {
            let fields: Vec<&str> = record.trim_start_matches('\n').split('\x1f').collect();
            if fields.len() < 5 {
                continue;
            }
            let in_trailer = fields[3].split_whitespace().any(|t| t == task);
            let in_note = fields[4]
                .lines()
                .any(|l| l.trim() == format!("task: {task}"));
            if in_trailer || in_note {
                found.push((
                    fields[0].to_owned(),
                    fields[1].to_owned(),
                    fields[2].to_owned(),
                ));
            }
        }
        Ok(found)
    }

    /// Runs the system `git` in this repository's worktree and returns its stdout.
    ///
    /// Used for history queries gix could answer only with much more code here (commit
    /// ranges with trailers, notes and changed paths in one pass; diffs with hunk ranges);
    /// each caller says what it asks.
    fn git_read(&self, args: &[&str]) -> Result<String> {
        let dir = self
            .workdir()
            .unwrap_or_else(|| self.common_dir())
            .to_owned();
        let out = std::process::Command::new("git")
            .current_dir(dir)
            // `git replace` must never show us another commit than the one named.
            .env("GIT_NO_REPLACE_OBJECTS", "1")
            .args(args)
            .output()
            .map_err(|e| Error::GitCommand {
                command: changes::git_subcommand(args),
                message: e.to_string(),
            })?;
        if !out.status.success() {
            return Err(Error::GitCommand {
                command: changes::git_subcommand(args),
                message: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
            });
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
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

    /// Every file in the tree of `HEAD` (the project's tracked files as of the last commit),
    /// sorted; empty when `HEAD` is unborn.
    pub fn head_paths(&self) -> Result<Vec<String>> {
        let Some(tree) = self.head_tree_id() else {
            return Ok(Vec::new());
        };
        let mut entries = Vec::new();
        self.tree_entries(tree, "", &[], &mut entries)?;
        Ok(entries.into_iter().map(|(path, _, _)| path).collect())
    }

    /// The tree of `HEAD`, or `None` while `HEAD` is unborn.
    fn head_tree_id(&self) -> Option<ObjectId> {
        *self.head_tree.get_or_init(|| {
            let mut head = self.repo.head().ok()?;
            let commit = head.peel_to_commit().ok()?;
            commit.tree_id().ok().map(|t| t.detach())
        })
    }

    /// The current tip of the coordination branch, or `None` before `init`.
    pub fn tip(&self) -> Result<Option<Tip>> {
        let reference = self
            .repo
            .try_find_reference(self.branch.as_ref())
            .context(|| format!("read {}", self.branch()))?;
        let Some(reference) = reference else {
            return Ok(None);
        };
        let commit = reference
            .into_fully_peeled_id()
            .context(|| format!("resolve {}", self.branch()))?
            .detach();
        let tree = self
            .repo
            .find_commit(commit)
            .context(|| format!("read commit {commit}"))?
            .tree_id()
            .context(|| format!("read the tree of commit {commit}"))?
            .detach();
        Ok(Some(Tip { commit, tree }))
    }

    /// A read view of the branch tip; fails with [`Error::NotInitialised`] before `init`.
    pub fn snapshot(&self) -> Result<Snapshot<'_>> {
        match self.tip()? {
            Some(tip) => Ok(Snapshot { store: self, tip }),
            None => Err(self.not_initialised()),
        }
    }

    fn not_initialised(&self) -> Error {
        Error::NotInitialised {
            branch: self.branch_short().to_owned(),
        }
    }

    /// Creates the branch as a root commit holding `edits`. Returns `false`, writing nothing,
    /// when the branch already exists.
    pub fn create_branch(&self, author: &Author, message: &str, edits: &[Edit]) -> Result<bool> {
        if self.tip()?.is_some() {
            return Ok(false);
        }
        let empty = ObjectId::empty_tree(self.repo.object_hash());
        let tree = self.write_tree(empty, edits)?;
        let commit = self.write_commit(tree, None, author, message)?;
        match self.move_branch(None, commit, author, message) {
            Ok(()) => Ok(true),
            Err(e) if is_lost_race(&e) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Makes one commit on the branch from the edits `plan` decides on the current tip,
    /// re-planning on the new tip whenever another writer moved the branch first.
    ///
    /// Also re-plans when a concurrent `git gc` pulled an object or a loose-object directory
    /// from under the write (objects are content-addressed, so writing them again is
    /// harmless); removes a stale branch lock (older than `coord.staleLock`, or dated in the
    /// future); and fails with [`Error::LockHeld`] when one lock that is not stale yet keeps
    /// the branch still for `coord.lockTimeout`. Settings are read only once a lock is met,
    /// so the uncontended write pays nothing for them.
    pub fn update<T, E>(
        &self,
        author: &Author,
        mut plan: impl FnMut(&Snapshot<'_>) -> std::result::Result<Plan<T>, E>,
    ) -> std::result::Result<Committed<T>, E>
    where
        E: From<Error>,
    {
        let started = Instant::now();
        let mut attempts = 0u32;
        let mut settings: Option<LockSettings> = None;
        // The live-looking lock being waited on: which file, since when, and the tip then.
        let mut waiting: Option<(LockId, Instant, ObjectId)> = None;
        let mut replans = 0u32;
        loop {
            attempts += 1;
            let snapshot = match self.snapshot() {
                Err(e) if is_object_race(&e) && started.elapsed() < OBJECT_RETRY_BUDGET => {
                    backoff(attempts);
                    continue;
                }
                other => other?,
            };
            let planned = match plan(&snapshot) {
                // A read of the plan can fail when a concurrent `git repack -d` deleted the
                // pack it was reading; the plan's error type is the caller's, so it cannot be
                // told from a real one here. Plans are pure functions of the snapshot (lost
                // races re-run them too), so a failed plan is made once more, after a pause,
                // on a fresh read: a real error comes out the same.
                Err(_) if replans < 2 => {
                    replans += 1;
                    backoff(attempts + 4);
                    continue;
                }
                other => other?,
            };
            let (message, edits, value) = match planned {
                Plan::Skip(value) => {
                    return Ok(Committed {
                        value,
                        commit: None,
                        attempts,
                    });
                }
                Plan::Commit {
                    message,
                    edits,
                    value,
                } => (message, edits, value),
            };
            let tip = snapshot.tip;
            let moved = self
                .write_tree(tip.tree, &edits)
                .and_then(|tree| self.write_commit(tree, Some(tip.commit), author, &message))
                .and_then(|commit| {
                    self.move_branch(Some(tip.commit), commit, author, &message)
                        .map(|()| commit)
                });
            match moved {
                Ok(commit) => {
                    return Ok(Committed {
                        value,
                        commit: Some(commit),
                        attempts,
                    });
                }
                Err(e) if is_lost_race(&e) => {
                    let settings = match settings {
                        Some(s) => s,
                        None => *settings.insert(self.lock_settings()?),
                    };
                    // Every lock the move can wait on: stale ones are removed (and the
                    // write retried at once); the first live one is the one waited on.
                    let mut live = None;
                    let mut reaped = false;
                    for lock in self.write_locks(&settings) {
                        if lock.stale {
                            reaped |= self.reap(&lock, &settings);
                        } else if live.is_none() {
                            live = Some(lock);
                        }
                    }
                    match live {
                        _ if reaped => waiting = None,
                        Some(lock) => match &waiting {
                            Some((id, since, at)) if *id == lock.id && *at == tip.commit => {
                                if since.elapsed() >= settings.timeout {
                                    return Err(Error::LockHeld {
                                        path: lock.path,
                                        branch: self.branch_short().to_owned(),
                                        seconds: since.elapsed().as_secs_f64(),
                                    }
                                    .into());
                                }
                            }
                            _ => waiting = Some((lock.id, Instant::now(), tip.commit)),
                        },
                        None => waiting = None,
                    }
                    if started.elapsed() > RETRY_BUDGET {
                        return Err(Error::Contention {
                            branch: self.branch_short().to_owned(),
                            attempts,
                            seconds: started.elapsed().as_secs_f64(),
                        }
                        .into());
                    }
                    backoff(attempts);
                }
                Err(e) if is_object_race(&e) && started.elapsed() < OBJECT_RETRY_BUDGET => {
                    backoff(attempts);
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// The lock file git and gix create beside the branch's loose reference while moving it.
    fn lock_path(&self) -> PathBuf {
        self.repo
            .common_dir()
            .join(format!("{}.lock", self.branch()))
    }

    /// The lock git takes on `packed-refs` while rewriting it (`git pack-refs`, deleting a
    /// packed ref). gix takes it too when moving a branch while `packed-refs` exists, to read
    /// the packed value consistently, so a stale one blocks every write like the branch lock.
    fn packed_refs_lock_path(&self) -> PathBuf {
        self.repo.common_dir().join("packed-refs.lock")
    }

    /// `coord.staleLock` and `coord.lockTimeout` (durations such as `10s`, `2m`).
    pub fn lock_settings(&self) -> Result<LockSettings> {
        Ok(LockSettings {
            stale_after: self.config_duration("coord.staleLock", STALE_LOCK)?,
            timeout: self.config_duration("coord.lockTimeout", LOCK_TIMEOUT)?,
        })
    }

    fn config_duration(&self, key: &str, default: Duration) -> Result<Duration> {
        let Some(value) = self.config_string(key) else {
            return Ok(default);
        };
        match crate::model::time::parse_wall_duration(&value) {
            Ok(seconds) if seconds >= 1 => Ok(Duration::from_secs(seconds.unsigned_abs())),
            _ => Err(Error::BadDuration {
                key: key.to_owned(),
                value,
            }),
        }
    }

    /// The branch's lock file, if there is one, and whether it is stale: dated more than
    /// [`FUTURE_SKEW`] in the future, or older than `coord.staleLock`. Neither git nor gix
    /// writes a process ID into a ref lock (it holds the new object ID), so its age is all
    /// there is to judge by.
    pub fn branch_lock(&self, settings: &LockSettings) -> Option<BranchLock> {
        Self::lock_at(self.lock_path(), settings)
    }

    /// Every lock file a write of the branch can wait on, judged like [`Store::branch_lock`]:
    /// the branch's own lock and `packed-refs.lock`. The reflog is appended without a lock
    /// (see [`Store::move_branch`]), so a stale `logs/…/coord.lock` left by `git reflog
    /// expire` blocks nothing; `.git/index.lock` and the notes lock are not taken by a write.
    pub fn write_locks(&self, settings: &LockSettings) -> Vec<BranchLock> {
        [self.lock_path(), self.packed_refs_lock_path()]
            .into_iter()
            .filter_map(|path| Self::lock_at(path, settings))
            .collect()
    }

    fn lock_at(path: PathBuf, settings: &LockSettings) -> Option<BranchLock> {
        let meta = std::fs::symlink_metadata(&path).ok()?;
        let age = lock_age(&meta);
        Some(BranchLock {
            stale: is_stale(age, settings),
            age,
            id: LockId::of(&meta),
            path,
        })
    }

    /// Removes every stale lock a write can wait on (see [`Store::write_locks`]), so one
    /// killed process or a bad clock cannot wedge every later write. Returns whether a stale
    /// lock was removed.
    pub fn reap_stale_lock(&self) -> bool {
        let settings = self.lock_settings().unwrap_or(LockSettings {
            stale_after: STALE_LOCK,
            timeout: LOCK_TIMEOUT,
        });
        let mut reaped = false;
        for lock in self.write_locks(&settings).iter().filter(|l| l.stale) {
            reaped |= self.reap(lock, &settings);
        }
        reaped
    }

    /// Removes the lock file of `full_ref` (a ref git itself writes, such as the notes ref)
    /// when it is stale by the same rule as the branch lock (older than `coord.staleLock`, or
    /// dated in the future). Returns whether one was removed.
    pub fn reap_stale_ref_lock(&self, full_ref: &str) -> bool {
        let settings = self.lock_settings().unwrap_or(LockSettings {
            stale_after: STALE_LOCK,
            timeout: LOCK_TIMEOUT,
        });
        let path = self.repo.common_dir().join(format!("{full_ref}.lock"));
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            return false;
        };
        let age = lock_age(&meta);
        let lock = BranchLock {
            stale: is_stale(age, &settings),
            age,
            id: LockId::of(&meta),
            path,
        };
        lock.stale && self.reap(&lock, &settings)
    }

    /// Removal is serialised through a lock of our own and re-checks that the file is still
    /// the same stale one, so a live writer's fresh lock is never taken away.
    fn reap(&self, seen: &BranchLock, settings: &LockSettings) -> bool {
        let guard_dir = self.repo.common_dir().join("coord");
        let guard = guard_dir.join("reap.lock");
        if std::fs::create_dir_all(&guard_dir).is_err() {
            return false;
        }
        if std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&guard)
            .is_err()
        {
            // Another process is reaping; a guard left by a dead reaper (or dated in the
            // future) is removed so that reaping can happen again.
            let long = LockSettings {
                stale_after: settings.stale_after * 3,
                ..*settings
            };
            if std::fs::metadata(&guard).is_ok_and(|m| is_stale(lock_age(&m), &long)) {
                let _ = std::fs::remove_file(&guard);
            }
            return false;
        }
        let reaped = match std::fs::symlink_metadata(&seen.path) {
            Ok(now) if LockId::of(&now) == seen.id && is_stale(lock_age(&now), settings) => {
                std::fs::remove_file(&seen.path).is_ok()
            }
            _ => false,
        };
        let _ = std::fs::remove_file(&guard);
        reaped
    }

    /// Where a write puts its objects: always loose, even when the same object is already in
    /// a pack. gix skips writing an object it finds anywhere, and one found only in a pack of
    /// unreachable objects (the cruft pack `git gc` makes of a lost attempt's objects) is
    /// deleted whole by the next `git repack -a -d`, which would leave the branch pointing at
    /// a missing blob. A loose object is never removed while it is unreachable and recent,
    /// and is only pruned by `prune-packed` once it is in a pack (then it is reachable). The
    /// writes are the same as gix's minus its existence lookup.
    fn loose(&self) -> &gix::odb::loose::Store {
        self.loose.get_or_init(|| {
            gix::odb::loose::Store::at(
                self.repo.objects.store_ref().path(),
                self.repo.object_hash(),
            )
        })
    }

    fn write_tree(&self, base: ObjectId, edits: &[Edit]) -> Result<ObjectId> {
        use gix::objs::Write as _;
        // The plumbing editor: gix's validating editor checks that every entry of every tree
        // it writes exists (one stat per entry, ~1,300 for `tasks/` at 10,000 tasks), which
        // made each write grow with the number of fan-out directories. Paths here come from
        // `layout`, built from validated IDs, and every blob is written just above.
        let mut editor = self
            .repo
            .edit_tree(base)
            .context(|| format!("read tree {base}"))?
            .detach();
        for edit in edits {
            if !is_safe_path(&edit.path) {
                return Err(Error::BadPath {
                    path: edit.path.clone(),
                });
            }
            let components = edit.path.split('/');
            match &edit.content {
                Some(bytes) => {
                    let blob = self
                        .loose()
                        .write_buf(gix::objs::Kind::Blob, bytes)
                        .context(|| format!("write {}", edit.path))?;
                    editor
                        .upsert(components, EntryKind::Blob, blob)
                        .context(|| format!("add {} to the tree", edit.path))?;
                }
                None => {
                    editor
                        .remove(components)
                        .context(|| format!("remove {} from the tree", edit.path))?;
                }
            }
        }
        editor
            .write(|tree| self.loose().write(tree))
            .context(|| "write the new tree".to_owned())
    }

    fn signature(author: &Author) -> gix::actor::Signature {
        gix::actor::Signature {
            name: author.name.as_str().into(),
            email: author.email.as_str().into(),
            time: gix::date::Time {
                seconds: author.time,
                offset: 0,
            },
        }
    }

    fn write_commit(
        &self,
        tree: ObjectId,
        parent: Option<ObjectId>,
        author: &Author,
        message: &str,
    ) -> Result<ObjectId> {
        let signature = Self::signature(author);
        let commit = gix::objs::Commit {
            tree,
            parents: parent.into_iter().collect(),
            author: signature.clone(),
            committer: signature,
            encoding: None,
            message: message.into(),
            extra_headers: Vec::new(),
        };
        use gix::objs::Write as _;
        self.loose()
            .write(&commit)
            .context(|| "write the commit".to_owned())
    }

    /// The compare-and-swap: moves the branch to `new` only if it still points at `expected`.
    ///
    /// gix appends the reflog line in several `write()` calls, so a SIGKILL between them left
    /// a torn line (`git reflog` warns about it). Here gix only takes the lock and checks
    /// the expected tip; while the lock is held, we append the whole line in one `write()` on
    /// an `O_APPEND` file, then gix renames the lock over the ref. Like git, the line is
    /// written before the ref moves: a kill in between leaves a line naming a commit that
    /// exists but that the branch never held, never half a line.
    fn move_branch(
        &self,
        expected: Option<ObjectId>,
        new: ObjectId,
        author: &Author,
        message: &str,
    ) -> Result<()> {
        use gix::lock::acquire::Fail;
        let subject = message.lines().next().unwrap_or_default();
        let edit = RefEdit {
            change: Change::Update {
                log: LogChange {
                    mode: RefLog::AndReference,
                    force_create_reflog: false,
                    message: subject.into(),
                },
                expected: match expected {
                    Some(id) => PreviousValue::MustExistAndMatch(Target::Object(id)),
                    None => PreviousValue::MustNotExist,
                },
                new: Target::Object(new),
            },
            name: self.branch.clone(),
            deref: false,
        };
        let refs = self.ref_writer.get_or_init(|| {
            let mut refs = self.repo.refs.clone();
            refs.write_reflog = gix::refs::store::WriteReflog::Disable;
            refs
        });
        let locked = refs
            .transaction()
            .prepare(
                [edit],
                Fail::AfterDurationWithBackoff(LOCK_ATTEMPT),
                // gix takes `packed-refs.lock` too once `packed-refs` exists; waiting on it as
                // briefly as on the branch lock lets `update` find a stale one within ~0.1 s.
                Fail::AfterDurationWithBackoff(LOCK_ATTEMPT),
            )
            .context(|| format!("move {}", self.branch()))?;
        self.append_reflog(expected, new, author, subject)?;
        locked
            .commit(None)
            .context(|| format!("move {}", self.branch()))?;
        Ok(())
    }

    /// Appends one line to the branch's reflog (git's format) with a single `write()`, as
    /// git does, unless reflogs are off (`core.logAllRefUpdates=false`, or a bare repository).
    fn append_reflog(
        &self,
        old: Option<ObjectId>,
        new: ObjectId,
        author: &Author,
        subject: &str,
    ) -> Result<()> {
        use std::io::Write;
        if self.repo.refs.write_reflog == gix::refs::store::WriteReflog::Disable {
            return Ok(());
        }
        // What git's own reflog parser could not read back: angle brackets and line breaks
        // in the identity, line breaks in the message.
        let clean = |s: &str| -> String {
            s.chars()
                .filter(|c| !matches!(c, '<' | '>' | '\n' | '\r' | '\0'))
                .collect::<String>()
                .trim()
                .to_owned()
        };
        let old = old.unwrap_or_else(|| ObjectId::null(self.repo.object_hash()));
        let line = format!(
            "{old} {new} {} <{}> {} +0000\t{}\n",
            clean(&author.name),
            clean(&author.email),
            author.time,
            subject.replace(['\n', '\r', '\0'], " ")
        );
        let path = self.repo.common_dir().join("logs").join(self.branch());
        let io = |source| Error::Io {
            action: format!("append to the reflog {}", path.display()),
            source,
        };
        let open = || {
            std::fs::OpenOptions::new()
                .append(true)
                .create(true)
                .open(&path)
        };
        let mut file = match open() {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).map_err(io)?;
                }
                open().map_err(io)?
            }
            other => other.map_err(io)?,
        };
        // One buffer, one write(): a kill lands before or after the whole line.
        file.write_all(line.as_bytes()).map_err(io)
    }
}

/// How long `coord.staleLock` and `coord.lockTimeout` say to wait, read once per write that
/// meets a lock.
#[derive(Clone, Copy, Debug)]
pub struct LockSettings {
    pub stale_after: Duration,
    pub timeout: Duration,
}

/// A lock file's age by its mtime.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LockAge {
    Past(Duration),
    /// Dated this far in the future.
    Future(Duration),
}

/// The branch's lock file as a write or `doctor` finds it.
#[derive(Clone, Debug)]
pub struct BranchLock {
    pub path: PathBuf,
    pub age: LockAge,
    pub stale: bool,
    id: LockId,
}

/// Which lock file this is: a live writer makes a new one for every move.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct LockId {
    dev: u64,
    ino: u64,
    modified: Option<std::time::SystemTime>,
}

impl LockId {
    #[cfg(unix)]
    fn of(meta: &std::fs::Metadata) -> LockId {
        use std::os::unix::fs::MetadataExt;
        LockId {
            dev: meta.dev(),
            ino: meta.ino(),
            modified: meta.modified().ok(),
        }
    }

    #[cfg(not(unix))]
    fn of(meta: &std::fs::Metadata) -> LockId {
        LockId {
            dev: 0,
            ino: meta.len(),
            modified: meta.modified().ok(),
        }
    }
}

fn lock_age(meta: &std::fs::Metadata) -> LockAge {
    match meta.modified().map(|m| m.elapsed()) {
        Ok(Ok(age)) => LockAge::Past(age),
        Ok(Err(ahead)) => LockAge::Future(ahead.duration()),
        Err(_) => LockAge::Past(Duration::ZERO),
    }
}

fn is_stale(age: LockAge, settings: &LockSettings) -> bool {
    match age {
        LockAge::Past(age) => age >= settings.stale_after,
        LockAge::Future(ahead) => ahead > FUTURE_SKEW,
    }
}

/// A relative path of plain components: no empty, `.`, `..` or `.git` part, no NUL or
/// backslash. Record paths are built from validated IDs; this is the last line of defence
/// since the tree editor we use does not validate.
fn is_safe_path(path: &str) -> bool {
    !path.is_empty()
        && path.split('/').all(|c| {
            !c.is_empty()
                && c != "."
                && c != ".."
                && !c.eq_ignore_ascii_case(".git")
                && !c.contains(['\0', '\\'])
        })
}

/// The clean directory prefix (`dir/`, or `""` for everything) that covers `path`, if any.
fn covering<'a>(clean: &'a [String], path: &gix::bstr::BStr) -> Option<&'a String> {
    if clean.first().is_some_and(|c| c.is_empty()) {
        return clean.first();
    }
    // The candidate is the greatest prefix not after `path`; prefixes never nest (a clean
    // directory's subdirectories are not listed separately).
    let bytes: &[u8] = path.as_ref();
    let idx = clean.partition_point(|c| c.as_bytes() <= bytes);
    idx.checked_sub(1)
        .map(|i| &clean[i])
        .filter(|c| bytes.starts_with(c.as_bytes()))
}

/// A lost compare-and-swap (the branch moved) or a lock held by a concurrent writer.
fn is_lost_race(e: &Error) -> bool {
    match e {
        Error::Git { source, .. } => source.is_conflict() || source.is_retryable(),
        _ => false,
    }
}

/// An object or loose-object directory that a concurrent `git gc` / `git prune-packed` /
/// `git repack -d` removed or moved while we read or wrote it ("Could not persist loose
/// object" when the `objects/xx/` directory vanished before the rename into it).
fn is_object_race(e: &Error) -> bool {
    match e {
        Error::Git { source, .. } => source.is_not_found(),
        Error::Io { source, .. } => source.kind() == std::io::ErrorKind::NotFound,
        _ => false,
    }
}

fn backoff(attempt: u32) {
    let ceiling = (200u64 << attempt.min(8)).min(MAX_BACKOFF_MICROS);
    std::thread::sleep(Duration::from_micros(fastrand::u64(0..=ceiling)));
}

/// A consistent read view of one commit of the coordination branch.
pub struct Snapshot<'a> {
    store: &'a Store,
    tip: Tip,
}

impl Snapshot<'_> {
    pub fn tip(&self) -> Tip {
        self.tip
    }

    fn root(&self) -> Result<gix::Tree<'_>> {
        self.store
            .repo
            .find_tree(self.tip.tree)
            .context(|| format!("read tree {}", self.tip.tree))
    }

    fn entry(&self, path: &str) -> Result<Option<(ObjectId, bool)>> {
        if path.is_empty() {
            return Ok(Some((self.tip.tree, true)));
        }
        let entry = self
            .root()?
            .lookup_entry_by_path(path)
            .context(|| format!("look up {path}"))?;
        Ok(entry.map(|e| (e.object_id(), e.mode().is_tree())))
    }

    /// The bytes of the file at `path`, if there is one.
    pub fn read(&self, path: &str) -> Result<Option<Vec<u8>>> {
        match self.entry(path)? {
            Some((id, false)) => self.read_blob(id, path).map(Some),
            _ => Ok(None),
        }
    }

    /// The text of the file at `path`, which must be UTF-8.
    pub fn read_text(&self, path: &str) -> Result<Option<String>> {
        match self.read(path)? {
            None => Ok(None),
            Some(bytes) => String::from_utf8(bytes)
                .map(Some)
                .map_err(|_| Error::NotUtf8 {
                    path: path.to_owned(),
                }),
        }
    }

    /// The object ID of the file or directory at `path`, if there is one.
    pub fn entry_id(&self, path: &str) -> Result<Option<ObjectId>> {
        Ok(self.entry(path)?.map(|(id, _)| id))
    }

    pub fn exists(&self, path: &str) -> Result<bool> {
        Ok(self.entry(path)?.is_some())
    }

    /// Reads a blob found by [`Snapshot::list`] or [`Snapshot::walk`].
    pub fn read_blob(&self, id: ObjectId, path: &str) -> Result<Vec<u8>> {
        let mut blob = self
            .store
            .repo
            .find_blob(id)
            .context(|| format!("read {path}"))?;
        Ok(blob.take_data())
    }

    /// The entries of the directory at `path` (empty when there is none).
    pub fn list(&self, path: &str) -> Result<Vec<DirEntry>> {
        let Some((id, true)) = self.entry(path)? else {
            return Ok(Vec::new());
        };
        let tree = self
            .store
            .repo
            .find_tree(id)
            .context(|| format!("read directory {path}"))?;
        let decoded = tree
            .decode()
            .context(|| format!("decode directory {path}"))?;
        Ok(decoded
            .entries
            .iter()
            .map(|e| DirEntry {
                name: e.filename.to_str_lossy().into_owned(),
                is_dir: e.mode.is_tree(),
                id: e.oid.to_owned(),
            })
            .collect())
    }

    /// Of `paths` (files on this snapshot), the index of the one that has been on the branch
    /// longest: followed back along first parents (the branch's own line; a file brought in
    /// by a merge counts from the merge), the last of them still present. Files added by the
    /// same commit tie, and the first of them in `paths` wins. Asked only when two records
    /// claim one identity (a duplicate ADR number), so it may walk the whole history.
    pub fn longest_present(&self, paths: &[String]) -> Result<usize> {
        let repo = &self.store.repo;
        let mut alive: Vec<usize> = (0..paths.len()).collect();
        let mut at = self.tip.commit;
        while alive.len() > 1 {
            let commit = repo
                .find_commit(at)
                .context(|| format!("read commit {at}"))?;
            let Some(parent) = commit.parent_ids().next().map(|p| p.detach()) else {
                break;
            };
            let tree = repo
                .find_commit(parent)
                .and_then(|c| c.tree())
                .context(|| format!("read the tree of commit {parent}"))?;
            let mut still = Vec::new();
            for &i in &alive {
                let entry = tree
                    .lookup_entry_by_path(&paths[i])
                    .context(|| format!("look up {} in commit {parent}", paths[i]))?;
                if entry.is_some() {
                    still.push(i);
                }
            }
            if still.is_empty() {
                break;
            }
            alive = still;
            at = parent;
        }
        Ok(alive.first().copied().unwrap_or(0))
    }

    /// Every file below `dir`, recursively, as `(path, blob id)` in tree order.
    pub fn walk(&self, dir: &str) -> Result<Vec<(String, ObjectId)>> {
        let mut out = Vec::new();
        let mut pending = vec![dir.trim_end_matches('/').to_owned()];
        while let Some(d) = pending.pop() {
            for e in self.list(&d)? {
                let path = if d.is_empty() {
                    e.name
                } else {
                    format!("{d}/{}", e.name)
                };
                if e.is_dir {
                    pending.push(path);
                } else {
                    out.push((path, e.id));
                }
            }
        }
        out.sort();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::is_safe_path;

    #[test]
    fn git_config_parameters_in_both_formats() {
        assert_eq!(
            super::parse_config_parameters("'coord.agent'='bob' 'a.b=it'\\''s'  'x.y'"),
            vec!["coord.agent=bob", "a.b=it's", "x.y"]
        );
    }

    #[test]
    fn only_plain_relative_paths_are_written() {
        assert!(is_safe_path("tasks/4k/t-4kz9w2.md"));
        assert!(is_safe_path("README.md"));
        for bad in [
            "",
            "/etc/x",
            "a//b",
            "../x",
            "a/./b",
            ".git/config",
            "a/.GIT/b",
            "a\\b",
            "a\0b",
        ] {
            assert!(!is_safe_path(bad), "{bad:?} accepted");
        }
    }
}
