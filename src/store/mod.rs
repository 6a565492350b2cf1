/*!
The coordination branch as a database: the only module that talks to git (through gix, and
the system `git` through [`git`] for what gix cannot do).

Every write is a [`Store::update`]: read the branch tip, let the caller plan edits against
that exact snapshot, write the blobs, trees and commit into the object database, and move the
branch by compare-and-swap (a reference transaction that requires the tip the plan was made
on). When another process moved the branch first, the plan is made again on the new tip, with
jittered backoff, so no write is ever lost and no decision is made on stale state. Objects are
written before the reference moves, so a process killed at any instant leaves the repository
consistent. Nothing here touches HEAD, the index or any working tree.

The module is split by job: [`repo`] opens the repository, [`snapshot`] reads the branch,
[`transaction`] writes it ([`lock`] judges the lock files a write meets), [`head`] reads
`HEAD` and the index, [`worktree`], [`notes`] and [`config`] change what they name through
[`git`], the one runner of the system `git`; [`changes`] and [`history`] read code history.
This file keeps the [`Store`] itself, the error type and the re-exports callers use.
*/

use std::path::PathBuf;

pub use gix::ObjectId;
use gix::refs::FullName;

mod cache;
pub mod changes;
mod config;
mod git;
mod head;
pub mod history;
mod lock;
mod notes;
mod pack;
pub mod policy;
mod remote;
mod repo;
mod snapshot;
mod staged;
mod transaction;
mod worktree;

pub use cache::{Cached, Tail};
pub use changes::{FileHunks, NamedBy, RangeCommit};
pub use config::ConfigOrigin;
pub use lock::{BranchLock, LOCK_TIMEOUT, LockAge, LockSettings, STALE_LOCK};
pub use remote::{Fetched, NotesMerge, PushOutcome, ThreeWay};
pub use snapshot::{DirEntry, Snapshot, Tip, objects_read};
pub use transaction::{Author, Committed, Edit, Plan};
pub use worktree::checked_out_warning;

/// The default name of the coordination branch (config `coord.branch`).
pub const DEFAULT_BRANCH: &str = "coord";

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
    #[error("merge parent {commit} is not a commit in this repository")]
    UnknownParent { commit: String },
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

/// What [`Store::set_notice`] registers.
type Notice = Box<dyn Fn(&str) + Send>;

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
    /// The default branch, resolved once per process ([`Store::default_branch`]).
    default_branch: std::cell::OnceCell<Option<String>>,
    /// Where project policy is read, resolved once per process ([`Store::policy_at`]).
    policy_at: std::cell::OnceCell<policy::PolicyAt>,
    /// Told once when a read falls back to the remote's view ([`Store::set_notice`]).
    notice: std::cell::OnceCell<Notice>,
    noticed: std::cell::Cell<bool>,
    /// Whether this process already warned that the branch is checked out in a worktree
    /// ([`Store::warn_checked_out`]).
    warned_checked_out: std::cell::Cell<bool>,
    /// Whether fetches and pushes relay git's progress on stderr ([`Store::set_progress`]).
    progress: std::cell::Cell<bool>,
}
