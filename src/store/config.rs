/*!
Where a git config value comes from: the file and scope of the setting that wins, for
`git coord config --list`.
*/

use std::path::PathBuf;

use gix::bstr::ByteSlice;

use super::Store;

/// The winning value of a git config key and where it was set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigOrigin {
    pub value: String,
    /// `worktree`, `repository`, `global`, `system`, `environment` or `command line`.
    pub scope: &'static str,
    pub file: Option<PathBuf>,
}

impl Store {
    /// The value of `section.key` (no subsection) that git would use, with its scope and file:
    /// the last one set, as git reads system, global, repository, then worktree files.
    pub fn config_origin(&self, key: &str) -> Option<ConfigOrigin> {
        let (section, name) = key.split_once('.')?;
        let snapshot = self.repo.config_snapshot();
        let file = snapshot.plumbing();
        let mut found = None;
        for s in file.sections_by_name(section)? {
            if s.header().subsection_name().is_some() {
                continue;
            }
            if let Some(value) = s.value(name) {
                let meta = s.meta();
                found = Some(ConfigOrigin {
                    value: value.to_str_lossy().into_owned(),
                    scope: scope_name(meta.source),
                    file: meta.path.clone(),
                });
            }
        }
        found
    }
}

fn scope_name(source: gix::config::Source) -> &'static str {
    use gix::config::Source::*;
    match source {
        Worktree => "worktree",
        Local => "repository",
        User | Git => "global",
        System | GitInstallation => "system",
        Env | EnvOverride => "environment",
        Cli | Api => "command line",
    }
}
