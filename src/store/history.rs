/*!
The history of the coordination branch, for `log`: its commits newest first along first
parents (the branch's own line; sync merges hang off it), each with the files it changed
against its first parent and, when asked, their contents before and after.

Asked about a few files (one record), each commit is judged by following those paths only, one
directory level at a time, against what was found in its child (the previous step): where a
directory on the way has the same ID as there, the rest of the path is the same and is not
read. A commit changing another record therefore costs one read of the root and of `tasks/`
(whose entries are scanned raw, stopping past the name looked for), none of the record's
fan-out directory and no blob. The whole branch's activity uses gix's tree diff, which skips
unchanged subtrees (an object cache, so that each tree compared twice, as a commit's and then
as its child's parent's, is decompressed once, measured no faster: the time goes into
comparing `tasks/` entry by entry). `limit` and `since` stop the walk at the first commit past
them; blobs are read only when their contents are asked for.
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

/// Where one queried path leads in one commit's tree: the tree at each directory level, the
/// root first (shorter when a directory is missing), and the file at the path.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Trail {
    trees: Vec<ObjectId>,
    file: Option<ObjectId>,
}

impl Store {
    /// The commits of the coordination branch, newest first, as `query` asks.
    pub fn history(&self, query: &HistoryQuery) -> Result<Vec<HistoryCommit>> {
        let tip = self.tip()?.ok_or_else(|| self.not_initialised())?;
        let walk = Walk { repo: &self.repo };
        let components: Vec<Vec<&[u8]>> = query
            .paths
            .iter()
            .flatten()
            .map(|p| p.split('/').map(str::as_bytes).collect())
            .collect();
        let mut out = Vec::new();
        let mut state = gix::diff::tree::State::default();
        // Where the queried paths lead in the tree about to be looked at: the parent's of the
        // previous step.
        let mut carried: Option<Vec<Trail>> = None;
        let mut next = Some(walk.find_commit(tip.commit)?);
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
                Some(p) => Some(walk.find_commit(p.detach())?),
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
                        Some(trails) if trails.first().is_none_or(|t| t.trees[0] == tree) => trails,
                        _ => walk.trails(tree, &components, None)?,
                    };
                    let before = match parent_tree {
                        Some(t) => walk.trails(t, &components, Some(&after))?,
                        None => Vec::new(),
                    };
                    let file = |trails: &[Trail], i: usize| trails.get(i).and_then(|t| t.file);
                    let changes: Vec<Blobs> = paths
                        .iter()
                        .enumerate()
                        .map(|(i, p)| (p, file(&before, i), file(&after, i)))
                        .filter(|(_, old, new)| old != new)
                        .map(|(p, old, new)| (p.clone(), old, new))
                        .collect();
                    carried = parent_tree.map(|_| before);
                    changes
                }
                None => walk.tree_changes(parent_tree, tree, &mut state)?,
            };
            let message = commit.message_raw_sloppy().to_str_lossy().into_owned();
            next = parent;
            if changes.is_empty() && query.paths.is_some() {
                continue;
            }
            let changes = changes
                .into_iter()
                .map(|(path, old, new)| walk.file_change(path, old, new, query.contents))
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
}

/// The coordination branch as it stood at one moment, for judging a code commit against the
/// claims in force when it was made.
impl Store {
    /// The newest commit of the coordination branch, along first parents from the tip, whose
    /// committer date is not after `time` (seconds since the epoch); `None` when the branch
    /// did not exist yet. `cache` keeps the part of the walk already done (newest first), so
    /// judging many commits walks the branch once.
    pub fn branch_at(
        &self,
        time: i64,
        cache: &mut Vec<(ObjectId, i64)>,
    ) -> Result<Option<super::Tip>> {
        let walk = Walk { repo: &self.repo };
        if cache.is_empty() {
            let Some(tip) = self.tip()? else {
                return Ok(None);
            };
            let time = walk.committer_time(tip.commit)?;
            cache.push((tip.commit, time));
        }
        let mut i = 0;
        loop {
            if let Some(&(id, t)) = cache.get(i) {
                if t <= time {
                    return self.tip_of(id).map(Some);
                }
                i += 1;
                continue;
            }
            let Some(&(last, _)) = cache.last() else {
                return Ok(None);
            };
            let Some(parent) = walk.find_commit(last)?.parent_ids().next() else {
                return Ok(None);
            };
            let parent = parent.detach();
            let t = walk.committer_time(parent)?;
            cache.push((parent, t));
        }
    }

    /// A read view of the branch as of `commit` (one of its own commits).
    pub fn snapshot_of(&self, tip: super::Tip) -> super::Snapshot<'_> {
        super::Snapshot::new(&self.repo, tip)
    }

    fn tip_of(&self, commit: ObjectId) -> Result<super::Tip> {
        let tree = self
            .repo
            .find_commit(commit)
            .context(|| format!("read commit {commit}"))?
            .tree_id()
            .context(|| format!("read the tree of commit {commit}"))?
            .detach();
        Ok(super::Tip { commit, tree })
    }
}

impl Walk<'_> {
    fn committer_time(&self, id: ObjectId) -> Result<i64> {
        Ok(self
            .find_commit(id)?
            .committer()
            .context(|| format!("read the committer of commit {id}"))?
            .seconds())
    }
}

/// The reads of one history walk.
struct Walk<'r> {
    repo: &'r gix::Repository,
}

impl<'r> Walk<'r> {
    fn find_commit(&self, id: ObjectId) -> Result<gix::Commit<'r>> {
        self.repo
            .find_commit(id)
            .context(|| format!("read commit {id}"))
    }

    /// Where each path (split into its components) leads in `root`. `known` holds the trails
    /// of the same paths in another tree (the child commit's): wherever a directory on the way
    /// has the same ID there, the rest of the path is the same and is not read again, so a
    /// commit that changed another file of `tasks/` costs one read of `tasks/` and none of
    /// the record's own fan-out directory.
    fn trails(
        &self,
        root: ObjectId,
        paths: &[Vec<&[u8]>],
        known: Option<&[Trail]>,
    ) -> Result<Vec<Trail>> {
        // Trees read for this commit, kept while following every path (they share the root).
        let mut read: Vec<(ObjectId, gix::Tree<'r>)> = Vec::new();
        let mut out = Vec::with_capacity(paths.len());
        for (i, components) in paths.iter().enumerate() {
            let known = known.and_then(|k| k.get(i));
            let mut trail = Trail {
                trees: vec![root],
                file: None,
            };
            for (level, name) in components.iter().enumerate() {
                let tree = trail.trees[level];
                if let Some(known) = known.filter(|k| k.trees.get(level) == Some(&tree)) {
                    trail.trees.extend_from_slice(&known.trees[level + 1..]);
                    trail.file = known.file;
                    break;
                }
                let at = match read.iter().position(|(id, _)| *id == tree) {
                    Some(at) => at,
                    None => {
                        let object = self
                            .repo
                            .find_tree(tree)
                            .context(|| format!("read tree {tree}"))?;
                        read.push((tree, object));
                        read.len() - 1
                    }
                };
                let entry = find_entry(&read[at].1.data, name, self.repo.object_hash())
                    .context(|| format!("read tree {tree}"))?;
                match entry {
                    Some((is_tree, id)) if level + 1 == components.len() => {
                        trail.file = (!is_tree).then_some(id);
                    }
                    Some((true, id)) => trail.trees.push(id),
                    _ => break,
                }
            }
            out.push(trail);
        }
        Ok(out)
    }

    /// The files that differ between two trees (`old` absent: everything in `new` is added).
    fn tree_changes(
        &self,
        old: Option<ObjectId>,
        new: ObjectId,
        state: &mut gix::diff::tree::State,
    ) -> Result<Vec<Blobs>> {
        tree_changes(self.repo, old, new, state)
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

/// The entry called `name` in the tree `data`: whether it is a tree, and its ID.
///
/// This runs once per commit over `tasks/` (one entry per fan-out directory, up to 1,296), so
/// it scans the raw entries (`<octal mode> <name>\0<id>`) without decoding them, and stops
/// at the first name sorting past `name`, as git's own lookup does (entries are sorted, a
/// directory as if its name ended in `/`, so only a name extending `name` may still come
/// before it). Anything malformed is left to gix's parser, which names the fault.
fn find_entry(
    data: &[u8],
    name: &[u8],
    hash: gix::hash::Kind,
) -> std::result::Result<Option<(bool, ObjectId)>, gix::Error> {
    match scan_entries(data, name, hash.len_in_bytes()) {
        Some(found) => Ok(found),
        None => {
            for entry in gix::objs::TreeRefIter::from_bytes(data, hash) {
                let entry = entry?;
                if entry.filename == name {
                    return Ok(Some((entry.mode.is_tree(), entry.oid.to_owned())));
                }
            }
            Ok(None)
        }
    }
}

/// [`find_entry`] on well-formed data; `None` where `data` is not.
fn scan_entries(data: &[u8], name: &[u8], hash_len: usize) -> Option<Option<(bool, ObjectId)>> {
    let mut rest = data;
    while !rest.is_empty() {
        let space = rest.iter().take(8).position(|&b| b == b' ')?;
        let mode = &rest[..space];
        let rest_after_mode = &rest[space + 1..];
        let nul = rest_after_mode.iter().position(|&b| b == 0)?;
        let found = &rest_after_mode[..nul];
        let id = rest_after_mode.get(nul + 1..nul + 1 + hash_len)?;
        rest = &rest_after_mode[nul + 1 + hash_len..];
        // Compared by hand: a call to memcmp per entry cost more than the scan itself.
        let common = found.len().min(name.len());
        match (0..common).find(|&i| found[i] != name[i]) {
            Some(i) if found[i] > name[i] => return Some(None),
            Some(_) => {}
            None if found.len() == name.len() => {
                // The mode is only parsed here, for the one entry asked for.
                let mut bits = 0u32;
                for &digit in mode {
                    if !(b'0'..=b'7').contains(&digit) {
                        return None;
                    }
                    bits = bits * 8 + u32::from(digit - b'0');
                }
                let is_tree = bits & 0o170000 == 0o040000;
                let id = gix::hash::oid::try_from_bytes(id).ok()?.to_owned();
                return Some(Some((is_tree, id)));
            }
            // One name extends the other: keep looking.
            None => {}
        }
    }
    Some(None)
}

/// The files (blobs) that differ between two trees, as (path, old blob, new blob), sorted by
/// path (`old` absent: everything in `new` is added). Shared by the history walk and sync.
pub(super) fn tree_changes(
    repo: &gix::Repository,
    old: Option<ObjectId>,
    new: ObjectId,
    state: &mut gix::diff::tree::State,
) -> Result<Vec<Blobs>> {
    let kind = repo.object_hash();
    let read = |id: ObjectId| repo.find_tree(id).context(|| format!("read tree {id}"));
    let new_tree = read(new)?;
    let old_tree = old.map(read).transpose()?;
    let lhs = gix::objs::TreeRefIter::from_bytes(
        old_tree.as_ref().map_or(&[][..], |t| t.data.as_slice()),
        kind,
    );
    let rhs = gix::objs::TreeRefIter::from_bytes(&new_tree.data, kind);
    let mut recorder = gix::diff::tree::Recorder::default();
    gix::diff::tree(lhs, rhs, state, repo, &mut recorder).map_err(|e| Error::Git {
        action: match old {
            Some(old) => format!("compare tree {old} with {new}"),
            None => format!("read tree {new}"),
        },
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
            (old.is_some() || new.is_some()).then(|| (path.to_str_lossy().into_owned(), old, new))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Author, Edit, Plan};

    const SHA1: gix::hash::Kind = gix::hash::Kind::Sha1;

    fn id(n: u8) -> ObjectId {
        ObjectId::from_bytes_or_panic(&[n; 20])
    }

    /// Raw tree data from `(mode, name, id byte)`, in the order given.
    fn tree(entries: &[(&str, &str, u8)]) -> Vec<u8> {
        let mut data = Vec::new();
        for (mode, name, n) in entries {
            data.extend_from_slice(format!("{mode} {name}\0").as_bytes());
            data.extend_from_slice(id(*n).as_bytes());
        }
        data
    }

    #[test]
    fn finds_files_and_directories_past_names_that_extend_them() {
        // git's order: `aa-notes/` and `aa.md` sort before the directory `aa/`.
        let data = tree(&[
            ("40000", "0z", 1),
            ("40000", "aa-notes", 2),
            ("100644", "aa.md", 3),
            ("40000", "aa", 4),
            ("100755", "b", 5),
            ("40000", "q6", 6),
        ]);
        let find = |name: &str| find_entry(&data, name.as_bytes(), SHA1).unwrap();
        assert_eq!(find("aa"), Some((true, id(4))));
        assert_eq!(find("aa.md"), Some((false, id(3))));
        assert_eq!(find("b"), Some((false, id(5))));
        assert_eq!(find("q6"), Some((true, id(6))));
        for missing in ["", "a", "aa-", "ab", "q", "q7", "zz"] {
            assert_eq!(find(missing), None, "{missing}");
        }
        assert_eq!(find_entry(&[], b"aa", SHA1).unwrap(), None);
    }

    #[test]
    fn a_trail_carried_from_the_child_is_the_trail_read_afresh() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::init_repository(tmp.path()).unwrap();
        let author = Author {
            name: "a".into(),
            email: "a@b.c".into(),
            time: 1_800_000_000,
        };
        let (mine, other) = ("tasks/aa/t-aaaaaa.md", "tasks/bb/t-bbbbbb.md");
        // `tasks/cc/` never changes: its trail is carried from the child's.
        let still = "tasks/cc/t-cccccc.md";
        let edits = [
            Edit::write(mine, "1\n"),
            Edit::write(other, "1\n"),
            Edit::write(still, "1\n"),
        ];
        assert!(store.create_branch(&author, "one", &edits).unwrap());
        let parent = store.tip().unwrap().unwrap().tree;
        for (message, edit) in [
            ("two", Edit::write(other, "2\n")),
            ("three", Edit::remove(mine)),
        ] {
            store
                .update(&author, |_| {
                    Ok::<_, Error>(Plan::Commit {
                        message: message.to_owned(),
                        edits: vec![edit.clone()],
                        value: (),
                    })
                })
                .unwrap();
        }
        let child = store.tip().unwrap().unwrap().tree;
        let walk = Walk { repo: &store.repo };
        let paths: Vec<Vec<&[u8]>> = [mine, other, "tasks/aa", "tasks/zz/x.md", still]
            .iter()
            .map(|p| p.split('/').map(str::as_bytes).collect())
            .collect();
        let fresh = |tree| walk.trails(tree, &paths, None).unwrap();
        let (before, after) = (fresh(parent), fresh(child));
        assert_eq!(walk.trails(parent, &paths, Some(&after)).unwrap(), before);
        assert_eq!(walk.trails(child, &paths, Some(&before)).unwrap(), after);
        assert_eq!(before[0].trees[0], parent);
        assert!(before[0].file.is_some() && after[0].file.is_none());
        assert_ne!(before[1].file, after[1].file);
        // A directory is not a file; a missing one ends the trail.
        assert_eq!(before[2].file, None);
        assert_eq!(before[3].trees.len(), 2);
        assert_eq!(before[4].file, after[4].file);
        assert_ne!(before[4].trees[1], after[4].trees[1]);
    }

    #[test]
    fn stops_at_the_first_name_past_the_one_looked_for() {
        // Out of order: git itself would not find `aa` after `b` either.
        let data = tree(&[("40000", "b", 1), ("40000", "aa", 2)]);
        assert_eq!(scan_entries(&data, b"aa", 20), Some(None));
    }

    #[test]
    fn malformed_trees_are_left_to_gix() {
        let mut data = tree(&[("40000", "aa", 1), ("40000", "bb", 2)]);
        data.truncate(data.len() - 3);
        assert_eq!(scan_entries(&data, b"bb", 20), None);
        assert!(find_entry(&data, b"bb", SHA1).is_err());
        // The entries before the damage are still found.
        assert_eq!(find_entry(&data, b"aa", SHA1).unwrap(), Some((true, id(1))));
        assert_eq!(scan_entries(b"4x000 aa\0", b"aa", 20), None);
    }
}
