/*!
The project's own side: `HEAD`'s tree (policy files, tracked paths) and the index compared
with it (`check --staged`), read with gix without touching either.
*/

use gix::ObjectId;
use gix::bstr::ByteSlice;

use super::{Context, Error, Result, Store};

impl Store {
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
    pub(super) fn clean_dirs(
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

/// The clean directory prefix (`dir/`, or `""` for everything) that covers `path`, if any.
pub(super) fn covering<'a>(clean: &'a [String], path: &gix::bstr::BStr) -> Option<&'a String> {
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
