/*!
Read views of the coordination branch: its tip, and a [`Snapshot`] of one commit that every
read of a command (and every plan of a write) goes through, so they all see one state.
*/

use gix::ObjectId;
use gix::bstr::ByteSlice;

use super::{Context, Error, Result, Store};

/// The commit the coordination branch points to, and its tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tip {
    pub commit: ObjectId,
    pub tree: ObjectId,
}

/// An entry of a directory on the branch.
#[derive(Clone, Debug)]
pub struct DirEntry {
    pub name: String,
    pub is_dir: bool,
    pub id: ObjectId,
}

impl Store {
    /// The current tip of the coordination branch, or `None` before `init`.
    ///
    /// Adopt, never fork (DESIGN §7): with no local branch, the remote's view
    /// (`refs/remotes/<upstream or origin>/<branch>`) is read instead, read-only, and the
    /// notice hook says so once. This is the one place the tip is resolved, so every read
    /// (and `check` in a CI clone that fetched only the remote branch) sees the same state;
    /// a write first creates the local branch from it ([`Store::adopt`]).
    pub fn tip(&self) -> Result<Option<Tip>> {
        if let Some(tip) = self.local_tip()? {
            return Ok(Some(tip));
        }
        let Some((name, tip)) = self.remote_view()? else {
            return Ok(None);
        };
        if !self.noticed.replace(true)
            && let Some(notice) = self.notice.get()
        {
            let short = name.strip_prefix("refs/remotes/").unwrap_or(&name);
            notice(&format!(
                "note: no local {} branch; reading {short}, the remote's view (`git coord sync` adopts it)",
                self.branch_short()
            ));
        }
        Ok(Some(tip))
    }

    /// The tip of the local branch only (`refs/heads/<branch>`), never the remote's view:
    /// what a compare-and-swap of the local branch expects.
    pub fn local_tip(&self) -> Result<Option<Tip>> {
        let name = self.branch().to_owned();
        self.tip_of_ref(&name)
    }

    /// The commit and tree `name` (a full reference name) points to, if it exists.
    pub(super) fn tip_of_ref(&self, name: &str) -> Result<Option<Tip>> {
        let reference = self
            .repo
            .try_find_reference(name)
            .context(|| format!("read {name}"))?;
        let Some(reference) = reference else {
            return Ok(None);
        };
        let commit = reference
            .into_fully_peeled_id()
            .context(|| format!("resolve {name}"))?
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

    /// The remote's view of the branch, when there is no local branch: the remote-tracking
    /// reference of the branch's upstream remote (`branch.<branch>.remote`), else `origin`,
    /// with its tip.
    pub fn remote_view(&self) -> Result<Option<(String, Tip)>> {
        let name = self.remote_tracking_ref(&self.default_remote());
        Ok(self.tip_of_ref(&name)?.map(|tip| (name, tip)))
    }

    /// Registers what is called (once per process) when a read falls back to the remote's
    /// view; the command layer prints it on stderr. Nothing here knows about terminals.
    pub fn set_notice(&self, notice: impl Fn(&str) + Send + 'static) {
        let _ = self.notice.set(Box::new(notice));
    }

    /// A read view of the branch tip; fails with [`Error::NotInitialised`] before `init`.
    pub fn snapshot(&self) -> Result<Snapshot<'_>> {
        self.snapshot_through(&self.repo)
    }

    /// [`Store::snapshot`], reading objects through `repo` (a handle on this repository with
    /// its own object cache, see [`Store::write_handle`]).
    pub(super) fn snapshot_through<'a>(
        &'a self,
        repo: &'a gix::Repository,
    ) -> Result<Snapshot<'a>> {
        match self.tip()? {
            Some(tip) => Ok(Snapshot::new(repo, tip)),
            None => Err(self.not_initialised()),
        }
    }

    /// The commit the local branch points to, read from the reference alone (no object is
    /// read): what a write planned outside its turn compares with the tip it planned on.
    /// `None` when the branch does not exist or is not a plain reference to an object.
    pub(super) fn local_tip_commit(&self) -> Result<Option<ObjectId>> {
        let name = self.branch();
        let reference = self
            .repo
            .try_find_reference(name)
            .context(|| format!("read {name}"))?;
        Ok(reference.and_then(|r| r.target().try_id().map(|id| id.to_owned())))
    }

    pub(super) fn not_initialised(&self) -> Error {
        Error::NotInitialised {
            branch: self.branch_short().to_owned(),
        }
    }
}

/// A consistent read view of one commit of the coordination branch.
pub struct Snapshot<'a> {
    /// The handle objects are read through: the store's own, or a write's (with an object
    /// cache, so that a plan and the tree editor after it decode each tree once).
    pub(super) repo: &'a gix::Repository,
    pub(super) tip: Tip,
    /// Whether a read found an object missing: a concurrent `git repack -d` or `gc` moved
    /// it between a loose file and a pack (see [`Snapshot::saw_missing_object`]).
    missing: std::cell::Cell<bool>,
}

impl<'a> Snapshot<'a> {
    pub(super) fn new(repo: &'a gix::Repository, tip: Tip) -> Snapshot<'a> {
        Snapshot {
            repo,
            tip,
            missing: std::cell::Cell::new(false),
        }
    }
}

impl Snapshot<'_> {
    pub fn tip(&self) -> Tip {
        self.tip
    }

    /// Whether a read of this snapshot found an object of its commit missing. Every object
    /// of a commit on the branch exists; one not found was being moved by a concurrent
    /// repack or gc, and a read of a new snapshot finds it. A write whose plan failed on such
    /// a read makes it again rather than reporting the failure (`store::transaction`).
    pub(super) fn saw_missing_object(&self) -> bool {
        self.missing.get()
    }

    /// `result`, noting whether it failed on a missing object.
    fn seen<T>(&self, result: Result<T>) -> Result<T> {
        if let Err(e) = &result
            && super::transaction::is_object_race(e)
        {
            self.missing.set(true);
        }
        result
    }

    pub(super) fn root(&self) -> Result<gix::Tree<'_>> {
        count_object_read();
        self.seen(
            self.repo
                .find_tree(self.tip.tree)
                .context(|| format!("read tree {}", self.tip.tree)),
        )
    }

    pub(super) fn entry(&self, path: &str) -> Result<Option<(ObjectId, bool)>> {
        if path.is_empty() {
            return Ok(Some((self.tip.tree, true)));
        }
        let entry = self.seen(
            self.root()?
                .lookup_entry_by_path(path)
                .context(|| format!("look up {path}")),
        )?;
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
        count_object_read();
        let mut blob = self.seen(self.repo.find_blob(id).context(|| format!("read {path}")))?;
        Ok(blob.take_data())
    }

    /// The entries of the directory at `path` (empty when there is none).
    pub fn list(&self, path: &str) -> Result<Vec<DirEntry>> {
        let Some((id, true)) = self.entry(path)? else {
            return Ok(Vec::new());
        };
        count_object_read();
        let tree = self.seen(
            self.repo
                .find_tree(id)
                .context(|| format!("read directory {path}")),
        )?;
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
        let repo = self.repo;
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

/// Objects (blobs and trees) this process has read through snapshots: with
/// `ops::index::records_decoded`, the regression guard of reads and writes that should not
/// grow with the number of records.
static OBJECTS_READ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn count_object_read() {
    OBJECTS_READ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
}

/// The number of objects read through snapshots so far by this process.
pub fn objects_read() -> u64 {
    OBJECTS_READ.load(std::sync::atomic::Ordering::Relaxed)
}
