/*!
The history of the coordination branch, for `log`: its commits newest first along first
parents (the branch's own line; sync merges hang off it), each with the files it changed
against its first parent and, when asked, their contents before and after.

Asked about a few files (one record), each commit is judged by comparing the entries at those
paths only: one path lookup per commit and path, the parent's carried over to the next step,
so a record's history over 10,000 commits reads no other tree and no blob that did not
change. The whole branch's activity uses gix's tree diff, which skips unchanged subtrees.
*/

use gix::ObjectId;
use gix::bstr::ByteSlice;
use gix::diff::tree::recorder::Change;

use super::{Context, Error, Result, Store};

/// How a commit changed a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    Added,
    Modified,
    Deleted,
}

/// One file a commit changed.
#[derive(Clone, Debug)]
pub struct FileChange {
    pub path: String,
    pub kind: ChangeKind,
    /// The content before and after, when [`HistoryQuery::contents`] asked for them (`None`
    /// on the side where the file does not exist).
    pub old: Option<Vec<u8>>,
    pub new: Option<Vec<u8>>,
}

/// One commit of the coordination branch.
#[derive(Clone, Debug)]
pub struct HistoryCommit {
    /// The full hex ID.
    pub id: String,
    /// The author time, in seconds since the Unix epoch.
    pub time: i64,
    pub author: String,
    pub email: String,
    pub message: String,
    /// The files it changed, by path.
    pub changes: Vec<FileChange>,
}

/// What [`Store::history`] reads.
#[derive(Clone, Debug, Default)]
pub struct HistoryQuery {
    /// Only the commits that change one of these files (and only those changes); every
    /// commit with all its changes when `None`.
    pub paths: Option<Vec<String>>,
    /// Stop at the first commit authored before this instant (seconds since the epoch).
    pub since: Option<i64>,
    /// At most this many commits.
    pub limit: Option<usize>,
    /// Read the content of each changed file before and after.
    pub contents: bool,
}

/// A changed path with the blob on each side.
type Blobs = (String, Option<ObjectId>, Option<ObjectId>);

impl Store {
    /// The commits of the coordination branch, newest first, as `query` asks.
    pub fn history(&self, query: &HistoryQuery) -> Result<Vec<HistoryCommit>> {
        let tip = self.tip()?.ok_or_else(|| self.not_initialised())?;
        let mut out = Vec::new();
        let mut state = gix::diff::tree::State::default();
        // The blobs at the queried paths in the tree about to be looked at: the parent's of
        // the previous step.
        let mut carried: Option<(ObjectId, Vec<Option<ObjectId>>)> = None;
        let mut next = Some(self.find_commit(tip.commit)?);
        while let Some(commit) = next.take() {
            if query.limit.is_some_and(|l| out.len() >= l) {
                break;
            }
            let id = commit.id;
            let author = commit
                .author()
                .context(|| format!("read the author of commit {id}"))?;
            let time = author.seconds();
            if query.since.is_some_and(|s| time < s) {
                break;
            }
            let (name, email) = (
                author.name.to_str_lossy().trim().to_owned(),
                author.email.to_str_lossy().trim().to_owned(),
            );
            let tree = commit
                .tree_id()
                .context(|| format!("read the tree of commit {id}"))?
                .detach();
            let parent = match commit.parent_ids().next() {
                Some(p) => Some(self.find_commit(p.detach())?),
                None => None,
            };
            let parent_tree = match &parent {
                Some(p) => Some(
                    p.tree_id()
                        .context(|| format!("read the tree of commit {}", p.id))?
                        .detach(),
                ),
                None => None,
            };
            let changes = match &query.paths {
                Some(paths) => {
                    let after = match carried.take() {
                        Some((t, blobs)) if t == tree => blobs,
                        _ => self.blobs_at(tree, paths)?,
                    };
                    let before = match parent_tree {
                        Some(t) => self.blobs_at(t, paths)?,
                        None => vec![None; paths.len()],
                    };
                    let changes: Vec<Blobs> = paths
                        .iter()
                        .zip(before.iter().zip(&after))
                        .filter(|(_, (old, new))| old != new)
                        .map(|(p, (old, new))| (p.clone(), *old, *new))
                        .collect();
                    if let Some(t) = parent_tree {
                        carried = Some((t, before));
                    }
                    changes
                }
                None => self.tree_changes(parent_tree, tree, &mut state)?,
            };
            let message = commit.message_raw_sloppy().to_str_lossy().into_owned();
            next = parent;
            if changes.is_empty() && query.paths.is_some() {
                continue;
            }
            let changes = changes
                .into_iter()
                .map(|(path, old, new)| self.file_change(path, old, new, query.contents))
                .collect::<Result<Vec<_>>>()?;
            out.push(HistoryCommit {
                id: id.to_string(),
                time,
                author: name,
                email,
                message,
                changes,
            });
        }
        Ok(out)
    }

    fn find_commit(&self, id: ObjectId) -> Result<gix::Commit<'_>> {
        self.repo
            .find_commit(id)
            .context(|| format!("read commit {id}"))
    }

    /// The blob at each of `paths` in `tree` (`None` where there is no file).
    fn blobs_at(&self, tree: ObjectId, paths: &[String]) -> Result<Vec<Option<ObjectId>>> {
        let root = self
            .repo
            .find_tree(tree)
            .context(|| format!("read tree {tree}"))?;
        paths
            .iter()
            .map(|path| {
                let entry = root
                    .lookup_entry_by_path(path)
                    .context(|| format!("look up {path} in tree {tree}"))?;
                Ok(entry.filter(|e| !e.mode().is_tree()).map(|e| e.object_id()))
            })
            .collect()
    }

    /// The files that differ between two trees (`old` absent: everything in `new` is added).
    fn tree_changes(
        &self,
        old: Option<ObjectId>,
        new: ObjectId,
        state: &mut gix::diff::tree::State,
    ) -> Result<Vec<Blobs>> {
        let kind = self.repo.object_hash();
        let read = |id: ObjectId| {
            self.repo
                .find_tree(id)
                .context(|| format!("read tree {id}"))
        };
        let new_tree = read(new)?;
        let old_tree = old.map(read).transpose()?;
        let lhs = gix::objs::TreeRefIter::from_bytes(
            old_tree.as_ref().map_or(&[][..], |t| t.data.as_slice()),
            kind,
        );
        let rhs = gix::objs::TreeRefIter::from_bytes(&new_tree.data, kind);
        let mut recorder = gix::diff::tree::Recorder::default();
        gix::diff::tree(lhs, rhs, state, &self.repo, &mut recorder).map_err(|e| Error::Git {
            action: format!("compare tree {new} with its parent's"),
            source: gix::Error::from_error(e),
        })?;
        let blob = |mode: gix::objs::tree::EntryMode, id: ObjectId| (!mode.is_tree()).then_some(id);
        let mut out: Vec<Blobs> = recorder
            .records
            .into_iter()
            .filter_map(|change| {
                let (path, old, new) = match change {
                    Change::Addition {
                        entry_mode,
                        oid,
                        path,
                        ..
                    } => (path, None, blob(entry_mode, oid)),
                    Change::Deletion {
                        entry_mode,
                        oid,
                        path,
                        ..
                    } => (path, blob(entry_mode, oid), None),
                    Change::Modification {
                        previous_entry_mode,
                        previous_oid,
                        entry_mode,
                        oid,
                        path,
                    } => (
                        path,
                        blob(previous_entry_mode, previous_oid),
                        blob(entry_mode, oid),
                    ),
                };
                (old.is_some() || new.is_some())
                    .then(|| (path.to_str_lossy().into_owned(), old, new))
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }

    fn file_change(
        &self,
        path: String,
        old: Option<ObjectId>,
        new: Option<ObjectId>,
        contents: bool,
    ) -> Result<FileChange> {
        let kind = match (old, new) {
            (None, _) => ChangeKind::Added,
            (_, None) => ChangeKind::Deleted,
            _ => ChangeKind::Modified,
        };
        let read = |id: Option<ObjectId>| -> Result<Option<Vec<u8>>> {
            match id {
                Some(id) if contents => {
                    let mut blob = self
                        .repo
                        .find_blob(id)
                        .context(|| format!("read {path} ({id})"))?;
                    Ok(Some(blob.take_data()))
                }
                _ => Ok(None),
            }
        };
        Ok(FileChange {
            old: read(old)?,
            new: read(new)?,
            kind,
            path,
        })
    }
}
