/*!
What code commits change, for `check --range` (and the pre-push hook) and `check --branches`:
the paths each commit of a range touches, the agent and task it names, and the line ranges two
branches change in one file.

These read through the system `git` (ADR 0006), so everything the user's configuration could
change about its output is pinned: paths are read NUL-separated (`-z`), never from quoted or
prefixed `diff --git` headers, and `-c` overrides plus `--no-ext-diff`, `--no-textconv`,
`--no-color` and `--no-relative` neutralise `core.quotePath`, `diff.noprefix`,
`diff.mnemonicPrefix`, `diff.relative`, `diff.external`, `color.*` and
`diff.interHunkContext`; `i18n.logOutputEncoding` (a UTF-16 log is unparsable),
`log.showRoot` (a root commit would show no changes), `diff.ignoreSubmodules` and
`--ignore-submodules=none` (a gitlink change, even one `.gitmodules` marks `ignore = all`, is
a change), and `GIT_NO_REPLACE_OBJECTS` (`git replace` must not show us another commit than
the one pushed) are pinned too. Paths are taken positionally from `--raw -z` records, so no file
name, whatever bytes it holds, can pass for a commit header or hide another path; text from
commit messages and notes (which their author controls) is read in a separate pass and can
only ever fill in attribution.
*/

use std::collections::HashMap;

use super::git::At;
use super::{Error, Result, Store};

/// A changed file and the (first line, line count) ranges of the base its hunks replace.
pub type FileHunks = (String, Vec<(u32, u32)>);

/// Where a commit's agent name comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NamedBy {
    /// A `Coord-Agent:` trailer in the commit message.
    Trailer,
    /// The commit's note in `refs/notes/coord`.
    Note,
}

/// One commit of a range, for `check --range`.
#[derive(Clone, Debug)]
pub struct RangeCommit {
    pub id: String,
    /// The committer date, in seconds since the Unix epoch.
    pub time: i64,
    /// From the `Coord-Agent` trailer, else the note.
    pub agent: Option<String>,
    /// Which of the two named [`RangeCommit::agent`].
    pub agent_named_by: Option<NamedBy>,
    /// From the `Coord-Task` trailer, else the note.
    pub task: Option<String>,
    pub paths: Vec<String>,
    /// The commit's parents (two or more for a merge).
    pub parents: Vec<String>,
    /// Its committer date is earlier than one of its parents' (or their ancestors' within
    /// the range): it claims to predate what it was built on, so the date cannot be trusted
    /// to choose the claims it is judged against (ADR 0011).
    pub backdated: bool,
}

impl Store {
    /// Runs `git` for a query whose output is parsed (the pinned configuration of every
    /// git call matters most here), and returns its raw stdout.
    fn git_pinned(&self, args: &[&str]) -> Result<Vec<u8>> {
        self.git(At::Repo, args)
    }

    /// The first revision of `revs` (as given: `A..B`, `A...B`, a commit, or `git rev-list`
    /// arguments such as `--not --remotes`) that names no commit here, or `None` when git
    /// takes them all. For a range, the side at fault is returned (`origin/main` of
    /// `origin/main..HEAD`); when no side alone is unknown, the whole argument.
    ///
    /// Asked before reading a range so that a mistyped or unfetched reference is reported as
    /// such, not as a failed internal git command.
    pub fn unknown_revision(&self, revs: &[&str]) -> Option<String> {
        let mut args = vec!["rev-parse"];
        args.extend_from_slice(revs);
        args.push("--");
        if self.git_pinned(&args).is_ok() {
            return None;
        }
        for rev in revs.iter().filter(|r| !r.starts_with('-')) {
            let sides: Vec<&str> = match rev.split_once("...").or_else(|| rev.split_once("..")) {
                Some((a, b)) => vec![a, b],
                None => vec![rev],
            };
            // An empty side of `A..` or `..B` stands for HEAD.
            if let Some(bad) = sides
                .into_iter()
                .find(|s| !s.is_empty() && !self.rev_exists(s))
            {
                return Some(bad.to_owned());
            }
        }
        Some(revs.join(" "))
    }

    /// Whether `name` is a configured remote (`remote.<name>.url` is set).
    pub fn remote_exists(&self, name: &str) -> bool {
        self.config_string(&format!("remote.{name}.url")).is_some()
    }

    /// The branch work is merged into, for `check --branches` when no `--target` is given:
    /// the first of `init.defaultBranch`, the branch `refs/remotes/origin/HEAD` points to
    /// (the local branch of that name when there is one, else `origin/<name>`), `main` and
    /// `master` that names a commit here. `None` when none does.
    pub fn default_branch(&self) -> Option<String> {
        self.default_branch
            .get_or_init(|| self.find_default_branch())
            .clone()
    }

    /// Whether the reference `full` (`refs/…`) exists, looked up in-process.
    pub fn ref_exists_here(&self, full: &str) -> bool {
        self.repo.try_find_reference(full).ok().flatten().is_some()
    }

    /// The reference a symbolic reference points to (`refs/remotes/origin/main`), if `full`
    /// is one.
    pub fn symbolic_target(&self, full: &str) -> Option<String> {
        let reference = self.repo.try_find_reference(full).ok().flatten()?;
        match reference.target() {
            gix::refs::TargetRef::Symbolic(name) => Some(name.as_bstr().to_string()),
            gix::refs::TargetRef::Object(_) => None,
        }
    }

    fn find_default_branch(&self) -> Option<String> {
        // Reference lookups in-process: this runs in every `check --staged` (policy is read at
        // the default branch), where a `git` process per question cost ~3 ms of a 15 ms budget.
        let local = |name: &str| self.ref_exists_here(&format!("refs/heads/{name}"));
        if let Some(name) = self.config_string("init.defaultBranch") {
            let name = name.trim();
            if !name.is_empty() && local(name) {
                return Some(name.to_owned());
            }
        }
        if let Some(target) = self.symbolic_target("refs/remotes/origin/HEAD")
            && let Some(remote_branch) = target.strip_prefix("refs/remotes/")
        {
            let name = remote_branch
                .split_once('/')
                .map_or(remote_branch, |(_, name)| name);
            if local(name) {
                return Some(name.to_owned());
            }
            if self.ref_exists_here(&target) {
                return Some(remote_branch.to_owned());
            }
        }
        ["main", "master"]
            .into_iter()
            .find(|name| local(name))
            .map(str::to_owned)
    }

    /// The commits of `range` (`A..B`, or any `git rev-list` arguments), parents before
    /// children, each with the paths it changes, its parents, its committer date, its
    /// `Coord-Agent` and `Coord-Task` trailers and its `notes_ref` note.
    ///
    /// Every commit of the range is read, not only the first-parent line: a commit merged in
    /// from a side branch is judged as itself. A merge's own paths are those the merger
    /// decided (see [`Store::merge_paths`]), not everything the merge brings in: merging bob's
    /// commits is not the merger's edit of bob's files, but throwing bob's change away is.
    pub fn range_commits(&self, range: &[&str], notes_ref: &str) -> Result<Vec<RangeCommit>> {
        let mut args = vec![
            "log",
            "-z",
            "--raw",
            "--no-abbrev",
            "--no-renames",
            "--no-ext-diff",
            "--no-textconv",
            "--no-color",
            "--no-relative",
            "--ignore-submodules=none",
            "--reverse",
            "--topo-order",
            "--diff-merges=off",
            "--no-notes",
            "--format=%H %ct %P",
        ];
        args.extend_from_slice(range);
        let raw = self.git_pinned(&args)?;
        let mut out = parse_raw_log(&raw).map_err(|message| Error::GitCommand {
            command: "git log".to_owned(),
            message,
        })?;
        if out.is_empty() {
            return Ok(out);
        }
        for c in &mut out {
            if c.parents.len() > 1 {
                c.paths = self.merge_paths(&c.id, &c.parents)?;
            }
        }
        self.mark_backdated(&mut out)?;
        let names = self.commit_names(range, notes_ref)?;
        for c in &mut out {
            if let Some(n) = names.get(&c.id) {
                c.agent = n.agent.clone();
                c.agent_named_by = n.agent_named_by;
                c.task = n.task.clone();
            }
        }
        Ok(out)
    }

    /// The paths a merge commit itself decides, which are the merger's own change:
    ///
    /// - every path whose result differs from EVERY parent (git's combined diff, `-c`): an
    ///   edit made while merging, or a conflict resolved by hand;
    /// - every path a side changed since the merge base whose change the result does not
    ///   keep (`git merge -s ours`, or taking "ours" in a conflict): the change is thrown
    ///   away, which is as much a change of that file as editing it.
    ///
    /// A path the merge simply takes from the one side that changed it is not listed: that
    /// change is the side's commits', judged as themselves when they are in the range (and
    /// already accepted when they are not). With no merge base (unrelated histories) every
    /// path that differs from some parent is listed, failing closed.
    pub fn merge_paths(&self, merge: &str, parents: &[String]) -> Result<Vec<String>> {
        use std::collections::BTreeSet;
        let mut against: Vec<BTreeSet<String>> = Vec::new();
        for p in parents {
            against.push(self.changed_paths(p, merge)?.into_iter().collect());
        }
        let mut own: BTreeSet<String> = match against.split_first() {
            Some((first, rest)) => first
                .iter()
                .filter(|p| rest.iter().all(|d| d.contains(*p)))
                .cloned()
                .collect(),
            None => BTreeSet::new(),
        };
        let mut base_args = vec!["merge-base", "--octopus"];
        base_args.extend(parents.iter().map(String::as_str));
        let base = self
            .git_pinned(&base_args)
            .ok()
            .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
            .filter(|b| is_object_id(b));
        for (parent, differs) in parents.iter().zip(&against) {
            match &base {
                Some(base) => {
                    let side = self.changed_paths(base, parent)?;
                    own.extend(side.into_iter().filter(|p| differs.contains(p)));
                }
                None => own.extend(differs.iter().cloned()),
            }
        }
        Ok(own.into_iter().collect())
    }

    /// Marks the commits (parents before children) whose committer date is earlier than a
    /// parent's: a commit cannot have been made before the commit it was built on, so such a
    /// date was set by hand (`GIT_COMMITTER_DATE`) or by a wrong clock. A commit's effective
    /// date for its children is the latest of its own and its parents', so a chain of
    /// backdated commits is caught from its first commit on.
    fn mark_backdated(&self, commits: &mut [RangeCommit]) -> Result<()> {
        let mut effective: HashMap<String, i64> = HashMap::new();
        let outside: Vec<String> = {
            let inside: std::collections::HashSet<&str> =
                commits.iter().map(|c| c.id.as_str()).collect();
            let mut v: Vec<String> = commits
                .iter()
                .flat_map(|c| c.parents.iter())
                .filter(|p| !inside.contains(p.as_str()))
                .cloned()
                .collect();
            v.sort();
            v.dedup();
            v
        };
        if !outside.is_empty() {
            let mut args = vec!["log", "--no-walk=unsorted", "--format=%H %ct"];
            args.extend(outside.iter().map(String::as_str));
            let text = self.git_pinned(&args)?;
            for line in String::from_utf8_lossy(&text).lines() {
                if let Some((id, t)) = line.split_once(' ')
                    && let Ok(t) = t.trim().parse::<i64>()
                {
                    effective.insert(id.to_owned(), t);
                }
            }
        }
        for c in commits.iter_mut() {
            let parents = c
                .parents
                .iter()
                .filter_map(|p| effective.get(p).copied())
                .max();
            c.backdated = parents.is_some_and(|p| c.time < p);
            effective.insert(c.id.clone(), parents.map_or(c.time, |p| p.max(c.time)));
        }
        Ok(())
    }

    /// The agent and task each commit of `range` names, by trailer or else by note, keyed by
    /// commit ID. A record that does not start with a commit ID (a NUL inside a message or
    /// note) is ignored: it can only come from text the commit's author wrote.
    fn commit_names(&self, range: &[&str], notes_ref: &str) -> Result<HashMap<String, Names>> {
        let notes = format!("--notes={notes_ref}");
        let mut args = vec![
            "log",
            "-z",
            "--no-notes",
            notes.as_str(),
            "--format=%H%x1f%(trailers:key=Coord-Agent,valueonly,separator=%x20)%x1f%(trailers:key=Coord-Task,valueonly,separator=%x20)%x1f%N",
        ];
        args.extend_from_slice(range);
        let text = self.git_pinned(&args)?;
        let text = String::from_utf8_lossy(&text);
        let mut out = HashMap::new();
        for record in text.split('\0') {
            let mut f = record.trim_start_matches('\n').splitn(4, '\x1f');
            let (Some(id), Some(agent), Some(task)) = (f.next(), f.next(), f.next()) else {
                continue;
            };
            if !is_object_id(id) || out.contains_key(id) {
                continue;
            }
            let note = f.next().unwrap_or_default();
            let note_value = |key: &str| {
                note.lines()
                    .find_map(|l| l.strip_prefix(key).map(|v| v.trim().to_owned()))
                    .filter(|v| !v.is_empty())
            };
            let first = |s: &str| s.split_whitespace().next().map(str::to_owned);
            let (agent, agent_named_by) = match first(agent) {
                Some(a) => (Some(a), Some(NamedBy::Trailer)),
                None => match note_value("agent:") {
                    Some(a) => (Some(a), Some(NamedBy::Note)),
                    None => (None, None),
                },
            };
            out.insert(
                id.to_owned(),
                Names {
                    agent,
                    agent_named_by,
                    task: first(task).or_else(|| note_value("task:")),
                },
            );
        }
        Ok(out)
    }

    /// Files changed from `base` to `rev`, sorted, read NUL-separated.
    pub fn changed_paths(&self, base: &str, rev: &str) -> Result<Vec<String>> {
        let raw = self.git_pinned(&[
            "diff",
            "-z",
            "--name-only",
            "--no-renames",
            "--no-ext-diff",
            "--no-textconv",
            "--no-relative",
            "--ignore-submodules=none",
            base,
            rev,
            "--",
        ])?;
        let mut out: Vec<String> = raw
            .split(|b| *b == 0)
            .filter(|p| !p.is_empty())
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .collect();
        out.sort();
        Ok(out)
    }

    /// The line ranges of `base` that `rev` changes in `path` (`start`, `count`; a pure
    /// insertion has count 0 at the line it follows). Only `@@` hunk headers are read: the
    /// diff is of this one file (a literal pathspec), so no file header needs parsing, and
    /// `--text` gives binary files hunks too (two branches changing one binary file do
    /// collide).
    pub fn file_hunks(&self, base: &str, rev: &str, path: &str) -> Result<Vec<(u32, u32)>> {
        let raw = self.git_pinned(&[
            "diff",
            "-U0",
            "--inter-hunk-context=0",
            "--text",
            "--no-renames",
            "--no-ext-diff",
            "--no-textconv",
            "--no-color",
            "--no-relative",
            "--ignore-submodules=none",
            base,
            rev,
            "--",
            path,
        ])?;
        let mut hunks = Vec::new();
        for line in raw.split(|b| *b == b'\n') {
            // Content lines start with ' ', '+', '-' or '\\', so only headers start with "@@ -".
            let Some(rest) = line.strip_prefix(b"@@ -") else {
                continue;
            };
            let rest = String::from_utf8_lossy(rest);
            let Some(old) = rest.split_whitespace().next() else {
                continue;
            };
            let mut parts = old.split(',');
            let start = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
            let count = parts.next().and_then(|s| s.parse().ok()).unwrap_or(1);
            hunks.push((start, count));
        }
        Ok(hunks)
    }
}

/// What a commit says about itself.
struct Names {
    agent: Option<String>,
    agent_named_by: Option<NamedBy>,
    task: Option<String>,
}

fn is_object_id(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Parses `git log -z --raw --format='%H %ct %P'`: a header token per commit, then for each
/// changed file a `:<modes> <ids> <status>` token followed by the path token. A token is a
/// path only by its position after a status token, so a file name can never be mistaken for
/// a header.
fn parse_raw_log(raw: &[u8]) -> std::result::Result<Vec<RangeCommit>, String> {
    let mut out: Vec<RangeCommit> = Vec::new();
    let mut tokens = raw.split(|b| *b == 0);
    while let Some(token) = tokens.next() {
        // Git separates the header from the first status with a newline.
        let token = token.strip_prefix(b"\n").unwrap_or(token);
        if token.is_empty() {
            continue;
        }
        if token.starts_with(b":") {
            let Some(commit) = out.last_mut() else {
                return Err("a changed file before any commit".to_owned());
            };
            let Some(path) = tokens.next() else {
                return Err(format!("commit {}: a change without a path", commit.id));
            };
            commit
                .paths
                .push(String::from_utf8_lossy(path).into_owned());
            continue;
        }
        let header = String::from_utf8_lossy(token);
        let mut words = header.split(' ');
        let (Some(id), Some(time)) = (words.next(), words.next()) else {
            return Err(format!("unexpected output {header:?}"));
        };
        let time = time
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|_| is_object_id(id))
            .ok_or_else(|| format!("unexpected output {header:?}"))?;
        let parents: Vec<String> = words
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect();
        if parents.iter().any(|p| !is_object_id(p)) {
            return Err(format!("unexpected output {header:?}"));
        }
        out.push(RangeCommit {
            id: id.to_owned(),
            time,
            agent: None,
            agent_named_by: None,
            task: None,
            paths: Vec::new(),
            parents,
            backdated: false,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::git::git_subcommand;
    use super::parse_raw_log;

    #[test]
    fn errors_name_the_git_subcommand_only() {
        assert_eq!(
            git_subcommand(&["log", "-z", "--format=%H %ct", "origin/main..HEAD"]),
            "git log"
        );
        assert_eq!(
            git_subcommand(&["--git-dir", "/x/.git", "worktree", "add", "-b", "b"]),
            "git worktree"
        );
        assert_eq!(git_subcommand(&["-c", "a=b", "--literal-pathspecs"]), "git");
    }

    #[test]
    fn file_names_are_positional_and_never_headers() {
        let a = "a".repeat(40);
        let b = "b".repeat(40);
        let meta = ":100644 100644 1111111111111111111111111111111111111111 2222222222222222222222222222222222222222 M";
        // The second path pretends to be the header of another commit.
        let raw = format!(
            "{a} 100 \0\n{meta}\0src/café.rs\0{meta}\0{b} 200\0{meta}\0new\nline\0{b} 300 {a}\0\n{meta}\0x\0"
        );
        let commits = parse_raw_log(raw.as_bytes()).unwrap();
        assert_eq!(commits.len(), 2);
        assert_eq!(commits[0].id, a);
        assert_eq!(commits[0].time, 100);
        assert_eq!(
            commits[0].paths,
            vec!["src/café.rs", &format!("{b} 200"), "new\nline"]
        );
        assert_eq!(commits[1].time, 300);
        assert_eq!(commits[1].paths, vec!["x"]);
        assert_eq!(commits[1].parents, vec![a.clone()]);
        assert!(parse_raw_log(b"not a header\0").is_err());
    }
}
