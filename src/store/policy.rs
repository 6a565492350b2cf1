/*!
Where project policy is read from: the committed `.coord/config.toml` (coordinators,
`stale_after`) and the baseline ownership files (`.coord/owners.toml`, CODEOWNERS).

Policy is the project's, not the acting agent's: it is read from the default branch's tip —
the remote-tracking `origin/<default>` when there is one (what was pushed and reviewed), else
the local default branch — never from the acting agent's own `HEAD`, where anyone can commit
`coordinators = ["me"]` or an `owners.toml` naming themselves (ADR 0010, ADR 0006). A range
check reads the policy at the range's base instead. With no default branch to be found,
`HEAD` stands in only when it is the repository's only branch (then it is the default branch
in all but name); otherwise there is no policy and the caller warns.
*/

use super::{Context, Result, Store};

/// The commit project policy is read at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PolicyAt {
    /// A revision (a full refname or a commit id) whose tree holds the policy.
    Rev(String),
    /// No default branch could be found: no policy, with the warning to show.
    Unknown(String),
}

impl Store {
    /// Where project policy is read: the default branch's tip (see the module doc).
    pub fn policy_at(&self) -> PolicyAt {
        self.policy_at.get_or_init(|| self.find_policy_at()).clone()
    }

    fn find_policy_at(&self) -> PolicyAt {
        if let Some(name) = self.default_branch() {
            // `default_branch` answers `main` (local) or `origin/main` (remote-tracking only).
            let remote =
                if name.contains('/') && !self.ref_exists_here(&format!("refs/heads/{name}")) {
                    format!("refs/remotes/{name}")
                } else {
                    format!("refs/remotes/origin/{name}")
                };
            if self.ref_exists_here(&remote) {
                return PolicyAt::Rev(remote);
            }
            return PolicyAt::Rev(format!("refs/heads/{name}"));
        }
        // No default branch by name: HEAD is it only when it is the one branch there is.
        let heads: Vec<String> = self
            .repo
            .references()
            .ok()
            .and_then(|refs| {
                refs.local_branches().ok().map(|it| {
                    it.filter_map(|r| r.ok().map(|r| r.name().as_bstr().to_string()))
                        .collect()
                })
            })
            .unwrap_or_default();
        let heads: Vec<&str> = heads
            .iter()
            .map(String::as_str)
            .filter(|h| !h.is_empty() && *h != self.branch())
            .collect();
        let head = self.symbolic_target("HEAD").unwrap_or_default();
        if heads.is_empty() || (heads.len() == 1 && heads[0] == head) {
            return PolicyAt::Rev("HEAD".to_owned());
        }
        PolicyAt::Unknown(
            "no default branch found (no main or master, no origin/HEAD, init.defaultBranch unset), \
             so no project policy (.coord/config.toml, .coord/owners.toml, CODEOWNERS) is in force; \
             name it with `git config init.defaultBranch <branch>` or `git remote set-head origin --auto`"
                .to_owned(),
        )
    }

    /// The text of `path` in the tree of commit `rev`; `None` when `rev` does not resolve
    /// (an unborn branch), the path is absent or not a file, or the text is not UTF-8.
    pub fn file_at(&self, rev: &str, path: &str) -> Result<Option<String>> {
        Ok(self.files_at(rev, &[path])?.pop().flatten())
    }

    /// The texts of `paths` in the tree of commit `rev`, as [`Store::file_at`] reads each, with
    /// the commit and its tree read once (`check --staged` reads five policy files).
    pub fn files_at(&self, rev: &str, paths: &[&str]) -> Result<Vec<Option<String>>> {
        let Some(commit) = self
            .repo
            .rev_parse_single(rev)
            .ok()
            .and_then(|id| id.object().ok())
            .and_then(|o| o.peel_to_commit().ok())
        else {
            return Ok(vec![None; paths.len()]);
        };
        let tree = commit
            .tree()
            .context(|| format!("read the tree of {rev}"))?;
        let mut out = Vec::with_capacity(paths.len());
        for path in paths {
            let entry = tree
                .lookup_entry_by_path(path)
                .context(|| format!("look up {path} in {rev}"))?;
            let text = match entry {
                Some(entry) if entry.mode().is_blob() => {
                    let mut blob = self
                        .repo
                        .find_blob(entry.object_id())
                        .context(|| format!("read {path} from {rev}"))?;
                    String::from_utf8(blob.take_data()).ok()
                }
                _ => None,
            };
            out.push(text);
        }
        Ok(out)
    }

    /// The text of policy file `path` as the project committed it (see [`Store::policy_at`]).
    pub fn policy_file(&self, path: &str) -> Result<Option<String>> {
        match self.policy_at() {
            PolicyAt::Rev(rev) => self.file_at(&rev, path),
            PolicyAt::Unknown(_) => Ok(None),
        }
    }
}
