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

    pub(super) fn not_initialised(&self) -> Error {
        Error::NotInitialised {
            branch: self.branch_short().to_owned(),
        }
    }
}

/// A consistent read view of one commit of the coordination branch.
pub struct Snapshot<'a> {
    pub(super) store: &'a Store,
    pub(super) tip: Tip,
}

impl Snapshot<'_> {
    pub fn tip(&self) -> Tip {
        self.tip
    }

    pub(super) fn root(&self) -> Result<gix::Tree<'_>> {
        self.store
            .repo
            .find_tree(self.tip.tree)
            .context(|| format!("read tree {}", self.tip.tree))
    }

    pub(super) fn entry(&self, path: &str) -> Result<Option<(ObjectId, bool)>> {
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
