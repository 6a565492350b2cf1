/*!
The project's own side: `HEAD`'s tree (policy files, tracked paths) and the index compared
with it (`check --staged`), read with gix without touching either.
*/

use gix::ObjectId;
use gix::bstr::ByteSlice;

use super::staged::{FileEntry, covering, differing};
use super::{Context, Error, Result, Store};

impl Store {
    /// [`Store::staged_paths`] through gix's full decoding of the index: for what the
    /// streaming reader of `store::staged` leaves to gix (a split or sparse index, an unknown
    /// version, a malformed file, which gix reports).
    pub(super) fn staged_paths_decoded(&self) -> Result<Vec<String>> {
        let path = self.repo.index_path();
        // The trailing checksum is not verified: git verifies what it writes, and hashing a
        // 100,000-entry index would be a good share of a pre-commit hook's budget.
        let index = gix::index::File::at(&path, self.repo.object_hash(), true, Default::default())
            .map_err(|e| Error::Git {
                action: format!("read the index {}", path.display()),
                source: gix::Error::from_error(e),
            })?;
        let mut clean: Vec<Vec<u8>> = Vec::new();
        let mut head: Vec<FileEntry> = Vec::new();
        if let Some(tree) = self.head_tree_id() {
            self.head_outside_clean(index.tree(), tree, &mut Vec::new(), &mut clean, &mut head)?;
        }
        clean.sort();
        if clean.first().is_some_and(Vec::is_empty) {
            // The whole index is HEAD's tree: nothing is staged.
            return Ok(Vec::new());
        }
        let all = index.entries();
        let mut staged: Vec<FileEntry> = Vec::new();
        let mut i = 0;
        while i < all.len() {
            let p: &[u8] = all[i].path(&index);
            if let Some(prefix) = covering(&clean, p) {
                // Skip the whole (contiguous) run of entries below the clean directory.
                i += all[i..].partition_point(|e| e.path(&index).starts_with(prefix));
                continue;
            }
            // `git diff --cached` leaves an intent to add (`git add -N`) out, and so does the
            // next commit.
            if !all[i]
                .flags
                .contains(gix::index::entry::Flags::INTENT_TO_ADD)
            {
                staged.push((p.to_vec(), all[i].id, all[i].mode.bits()));
            }
            i += 1;
        }
        Ok(differing(&staged, &head))
    }

    /// The files of `tree` (at `prefix`), in git's path order, leaving out clean directories.
    pub(super) fn tree_entries(
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
    pub(super) fn head_tree_id(&self) -> Option<ObjectId> {
        *self.head_tree.get_or_init(|| {
            let mut head = self.repo.head().ok()?;
            let commit = head.peel_to_commit().ok()?;
            commit.tree_id().ok().map(|t| t.detach())
        })
    }
}
