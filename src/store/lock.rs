/*!
The lock files a write of the branch can wait on (the branch's own, `packed-refs.lock`):
their age, whether they are stale (ADR 0009), and removing a stale one without ever taking a
live writer's lock away.
*/

use std::path::PathBuf;
use std::time::Duration;

use super::{Error, Result, Store};

/// Default of `coord.staleLock`: a branch lock older than this was left by a writer that died
/// (SIGKILL, power loss); live writers hold it for microseconds. See ADR 0009.
pub const STALE_LOCK: Duration = Duration::from_secs(10);
/// Default of `coord.lockTimeout`: how long a write waits on one lock that is not stale yet,
/// while the branch does not move, before it fails naming the lock and how to remove it.
pub const LOCK_TIMEOUT: Duration = Duration::from_secs(5);
/// A lock dated further than this in the future was not made by a live writer on this clock
/// (a clock set back, a restored `.git`): it is stale at once.
const FUTURE_SKEW: Duration = Duration::from_secs(1);

impl Store {
    /// The lock file git and gix create beside the branch's loose reference while moving it.
    pub(super) fn lock_path(&self) -> PathBuf {
        self.repo
            .common_dir()
            .join(format!("{}.lock", self.branch()))
    }

    /// The lock git takes on `packed-refs` while rewriting it (`git pack-refs`, deleting a
    /// packed ref). gix takes it too when moving a branch while `packed-refs` exists, to read
    /// the packed value consistently, so a stale one blocks every write like the branch lock.
    pub(super) fn packed_refs_lock_path(&self) -> PathBuf {
        self.repo.common_dir().join("packed-refs.lock")
    }

    /// `coord.staleLock` and `coord.lockTimeout` (durations such as `10s`, `2m`).
    pub fn lock_settings(&self) -> Result<LockSettings> {
        Ok(LockSettings {
            stale_after: self.config_duration("coord.staleLock", STALE_LOCK)?,
            timeout: self.config_duration("coord.lockTimeout", LOCK_TIMEOUT)?,
        })
    }

    pub(super) fn config_duration(&self, key: &str, default: Duration) -> Result<Duration> {
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

    pub(super) fn lock_at(path: PathBuf, settings: &LockSettings) -> Option<BranchLock> {
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
    pub(super) fn reap(&self, seen: &BranchLock, settings: &LockSettings) -> bool {
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
    pub(super) id: LockId,
}

/// Which lock file this is: a live writer makes a new one for every move.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct LockId {
    dev: u64,
    ino: u64,
    modified: Option<std::time::SystemTime>,
}

impl LockId {
    #[cfg(unix)]
    pub(super) fn of(meta: &std::fs::Metadata) -> LockId {
        use std::os::unix::fs::MetadataExt;
        LockId {
            dev: meta.dev(),
            ino: meta.ino(),
            modified: meta.modified().ok(),
        }
    }

    #[cfg(not(unix))]
    pub(super) fn of(meta: &std::fs::Metadata) -> LockId {
        LockId {
            dev: 0,
            ino: meta.len(),
            modified: meta.modified().ok(),
        }
    }
}

pub(super) fn lock_age(meta: &std::fs::Metadata) -> LockAge {
    match meta.modified().map(|m| m.elapsed()) {
        Ok(Ok(age)) => LockAge::Past(age),
        Ok(Err(ahead)) => LockAge::Future(ahead.duration()),
        Err(_) => LockAge::Past(Duration::ZERO),
    }
}

pub(super) fn is_stale(age: LockAge, settings: &LockSettings) -> bool {
    match age {
        LockAge::Past(age) => age >= settings.stale_after,
        LockAge::Future(ahead) => ahead > FUTURE_SKEW,
    }
}
