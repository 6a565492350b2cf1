/*!
Opening the repository: discovery (honouring `GIT_DIR` and git's `-c` overrides passed to
aliases and hooks), the name of the coordination branch, and where things live (worktree,
common directory, hooks, derived caches).
*/

use std::path::{Path, PathBuf};

use gix::bstr::ByteSlice;
use gix::refs::FullName;

use super::{Context, DEFAULT_BRANCH, Error, Result, Store};

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

    pub(super) fn from_repo(repo: gix::Repository) -> Result<Store> {
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
            default_branch: std::cell::OnceCell::new(),
            policy_at: std::cell::OnceCell::new(),
            notice: std::cell::OnceCell::new(),
            noticed: std::cell::Cell::new(false),
            warned_checked_out: std::cell::Cell::new(false),
            progress: std::cell::Cell::new(false),
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
}

/// The `key=value` pairs of git's `GIT_CONFIG_PARAMETERS`: whitespace-separated words, each
/// made of sh single-quoted parts (`'` written as `'\''`) and, between the quoted key and
/// value of the newer format (`'key'='value'`), a bare `=`. Both formats give `key=value`.
pub(super) fn parse_config_parameters(text: &str) -> Vec<String> {
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

#[cfg(test)]
mod tests {
    #[test]
    fn git_config_parameters_in_both_formats() {
        assert_eq!(
            super::parse_config_parameters("'coord.agent'='bob' 'a.b=it'\\''s'  'x.y'"),
            vec!["coord.agent=bob", "a.b=it's", "x.y"]
        );
    }
}
