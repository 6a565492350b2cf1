/*!
The coordination branch and its notes across clones (DESIGN §7): adopting a remote's branch,
fetching and pushing both refs, the merge base and the three versions of every changed file a
merge needs, fast-forwards by compare-and-swap, and the union merge of notes.

Fetch and push run the system `git` through the one runner ([`Store::git`]): gix cannot push,
and going through `git` means the user's own credential helpers, ssh config, proxies and
`insteadOf` rewrites apply exactly as for their own `git fetch`/`git push`. Everything else
(refs, trees, the merge base, the notes merge) is done here with gix.
*/

use std::collections::BTreeMap;

use gix::ObjectId;
use gix::bstr::ByteSlice;
use gix::objs::tree::EntryKind;
use gix::refs::Target;
use gix::refs::transaction::{Change as RefChange, LogChange, PreviousValue, RefEdit, RefLog};

use super::git::At;
use super::transaction::is_lost_race;
use super::{Author, Context, Error, Result, Store, Tip};

/// What the remote holds, as fetched: its branch tip and notes tip (`None`: it has none).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Fetched {
    pub branch: Option<ObjectId>,
    pub notes: Option<ObjectId>,
}

/// How a push ended, when git could talk to the remote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PushOutcome {
    /// Both references are on the remote (or already were).
    Pushed,
    /// Someone pushed first (the remote's branch or notes moved since our fetch, or a
    /// concurrent push held its lock): fetch, merge and push again. Nothing was changed on
    /// the remote (`--atomic`).
    Rejected { reason: String },
}

/// The three versions of one file that changed between the merge base and either side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThreeWay {
    pub path: String,
    pub base: Option<Vec<u8>>,
    pub ours: Option<Vec<u8>>,
    pub theirs: Option<Vec<u8>>,
}

/// What merging the remote's notes into ours did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotesMerge {
    /// Nothing to do: no remote notes, or ours already contain them.
    UpToDate,
    /// We had none, or ours were behind: the local ref now points at the remote's.
    FastForward,
    /// Both had notes the other lacked: a merge commit holds the union; `unioned` counts the
    /// commits whose note differed on the two sides (their lines merged).
    Merged { unioned: usize },
}

/// A file that differs between two trees: (path, old blob, new blob).
type FileChange = (String, Option<ObjectId>, Option<ObjectId>);

/// How long a reference edit waits for a lock held by a concurrent writer.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_millis(500);

/// Reasons git gives (`push --porcelain`, local or remote side) when another push got there
/// first; any other rejection (a hook, a protected branch, permissions) is an error.
const RACE_REASONS: [&str; 8] = [
    "fetch first",
    "non-fast-forward",
    "stale info",
    "atomic push failed",
    "atomic transaction failed",
    "failed to update ref",
    "failed to lock",
    "incorrect old value",
];

impl Store {
    /// The remote a clone syncs with when none is named: the branch's upstream
    /// (`branch.<branch>.remote`), else `origin`.
    pub fn default_remote(&self) -> String {
        self.config_string(&format!("branch.{}.remote", self.branch_short()))
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty() && r != ".")
            .unwrap_or_else(|| "origin".to_owned())
    }

    /// Whether `name` is a configured remote.
    pub fn has_remote(&self, name: &str) -> bool {
        self.remote_names().iter().any(|r| r == name)
    }

    /// Where the remote's branch is kept here: `refs/remotes/<remote>/<branch>`.
    pub fn remote_tracking_ref(&self, remote: &str) -> String {
        format!("refs/remotes/{remote}/{}", self.branch_short())
    }

    /// Where the remote's notes are kept here: `refs/notes/remotes/<remote>/coord` for
    /// `refs/notes/coord` (outside `refs/notes/coord` itself, so `git notes` never reads
    /// the remote's notes as ours).
    pub fn remote_notes_ref(remote: &str, notes_ref: &str) -> String {
        let rest = notes_ref.strip_prefix("refs/notes/").unwrap_or(notes_ref);
        format!("refs/notes/remotes/{remote}/{rest}")
    }

    /// The commit a reference points to, if it exists.
    pub fn ref_commit(&self, name: &str) -> Result<Option<ObjectId>> {
        Ok(self.tip_of_ref(name)?.map(|t| t.commit))
    }

    /// Creates the local branch from the remote's view when there is none (adopt, never
    /// fork), returning the remote-tracking reference it came from. `None` when the local
    /// branch exists (or another process created it first) or there is nothing to adopt.
    pub fn adopt(&self, author: &Author) -> Result<Option<String>> {
        // Every write asks first: one reference lookup, no object read, when the local
        // branch exists (as it nearly always does).
        let local = self
            .repo
            .try_find_reference(self.branch.as_ref())
            .context(|| format!("read {}", self.branch()))?;
        if local.is_some() {
            return Ok(None);
        }
        let Some((name, tip)) = self.remote_view()? else {
            return Ok(None);
        };
        let short = name
            .strip_prefix("refs/remotes/")
            .unwrap_or(&name)
            .to_owned();
        let message = format!("coord: adopt {short}");
        match self.move_branch(None, tip.commit, author, &message) {
            Ok(()) => Ok(Some(short)),
            Err(e) if is_lost_race(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Whether fetches and pushes show git's progress on stderr: the command layer turns it
    /// on when stderr is a terminal and `-q` is not given; the store knows no terminal.
    pub fn set_progress(&self, on: bool) {
        self.progress.set(on);
    }

    /// Runs git (a fetch or push given `--progress`) with its stderr read as it comes: the
    /// progress lines are copied to our stderr at once (and only there), the rest is kept for the error
    /// message or the rejection reasons, as [`Store::git_output`] would return them. Not
    /// plain inheritance: a push that lost a race prints "error: failed to push" and hints
    /// the user should never see, since sync merges and tries again.
    fn git_output_relaying_progress(&self, args: &[&str]) -> Result<std::process::Output> {
        use std::io::{Read, Write};
        use std::process::Stdio;
        let failed = |e: std::io::Error| Error::GitCommand {
            command: format!("git {}", args.first().copied().unwrap_or("")),
            message: e.to_string(),
        };
        let mut child = self
            .git_command(At::Repo, args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(failed)?;
        let Some(mut stderr) = child.stderr.take() else {
            return child.wait_with_output().map_err(failed);
        };
        let relay = std::thread::spawn(move || {
            let mut all = Vec::new();
            let mut segment = Vec::new();
            let mut buf = [0u8; 4096];
            let mut out = std::io::stderr();
            while let Ok(n) = stderr.read(&mut buf) {
                if n == 0 {
                    break;
                }
                for &b in &buf[..n] {
                    segment.push(b);
                    // git redraws a progress line with `\r` and ends it with `\n`; the
                    // meters go to the user, everything else is kept for the caller.
                    if b == b'\r' || b == b'\n' {
                        if is_progress(&segment) {
                            let _ = out.write_all(&segment);
                            let _ = out.flush();
                        } else {
                            all.extend_from_slice(&segment);
                        }
                        segment.clear();
                    }
                }
            }
            all.extend_from_slice(&segment);
            all
        });
        let mut output = child.wait_with_output().map_err(failed)?;
        output.stderr = relay.join().unwrap_or_default();
        Ok(output)
    }

    /// Like [`Store::adopt`], from the named remote's tracking reference
    /// (`refs/remotes/<remote>/<branch>`) rather than the default remote's: `init --remote`.
    pub fn adopt_from(&self, remote: &str, author: &Author) -> Result<Option<String>> {
        if self.local_tip()?.is_some() {
            return Ok(None);
        }
        let name = self.remote_tracking_ref(remote);
        let Some(tip) = self.tip_of_ref(&name)? else {
            return Ok(None);
        };
        let short = format!("{remote}/{}", self.branch_short());
        let message = format!("coord: adopt {short}");
        match self.move_branch(None, tip.commit, author, &message) {
            Ok(()) => Ok(Some(short)),
            Err(e) if is_lost_race(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Whether `remote` has the coordination branch (`git ls-remote`, through the system git
    /// like every fetch). For `init`, which must not start a second root beside a branch
    /// that is only not fetched yet.
    pub fn remote_has_branch(&self, remote: &str) -> Result<bool> {
        let branch = self.branch().to_owned();
        let listed = self.git_read(&["ls-remote", "--", remote, &branch])?;
        Ok(listed
            .lines()
            .any(|l| l.split_once('\t').is_some_and(|(_, name)| name == branch)))
    }

    /// Makes `remote` the branch's upstream (`branch.<branch>.remote`), so reads fall back to
    /// its view and `sync` uses it when none is named. Nothing when it already is.
    pub fn set_upstream_remote(&self, remote: &str) -> Result<bool> {
        if self.default_remote() == remote {
            return Ok(false);
        }
        let key = format!("branch.{}.remote", self.branch_short());
        self.git_config(&[&key, remote])?;
        Ok(true)
    }

    /// Moves the local branch from `expected` (`None`: it must not exist) to `new` by
    /// compare-and-swap. `false` when the branch was not at `expected` (a local writer moved
    /// it): nothing changed, look again.
    pub fn move_local_branch(
        &self,
        expected: Option<ObjectId>,
        new: ObjectId,
        author: &Author,
        message: &str,
    ) -> Result<bool> {
        match self.move_branch(expected, new, author, message) {
            Ok(()) => Ok(true),
            Err(e) if is_lost_race(&e) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Fetches the remote's branch and notes into their remote-tracking references
    /// (`+refs/heads/<branch>:refs/remotes/<remote>/<branch>`,
    /// `+<notes>:refs/notes/remotes/<remote>/…`), only those the remote has: naming a
    /// reference the remote lacks makes `git fetch` fail.
    pub fn fetch_coord(&self, remote: &str, notes_ref: &str) -> Result<Fetched> {
        let branch = self.branch().to_owned();
        let listed = self.git_read(&["ls-remote", "--", remote, &branch, notes_ref])?;
        let mut fetched = Fetched::default();
        for line in listed.lines() {
            let Some((id, name)) = line.split_once('\t') else {
                continue;
            };
            let Ok(id) = ObjectId::from_hex(id.trim().as_bytes()) else {
                continue;
            };
            if name == branch {
                fetched.branch = Some(id);
            } else if name == notes_ref {
                fetched.notes = Some(id);
            }
        }
        let mut specs = Vec::new();
        if fetched.branch.is_some() {
            specs.push(format!("+{branch}:{}", self.remote_tracking_ref(remote)));
        }
        if fetched.notes.is_some() {
            specs.push(format!(
                "+{notes_ref}:{}",
                Store::remote_notes_ref(remote, notes_ref)
            ));
        }
        if specs.is_empty() {
            return Ok(fetched);
        }
        // No FETCH_HEAD (several worktrees may sync at once), no tags, and no automatic gc:
        // a repack beside concurrent writers of this repository is what `git gc` must not do.
        let mut args = vec![
            "fetch",
            if self.progress.get() {
                "--progress"
            } else {
                "--quiet"
            },
            "--no-tags",
            "--no-write-fetch-head",
            "--no-auto-gc",
            "--no-recurse-submodules",
            remote,
        ];
        args.extend(specs.iter().map(String::as_str));
        if self.progress.get() {
            let out = self.git_output_relaying_progress(&args)?;
            if !out.status.success() {
                return Err(Error::GitCommand {
                    command: "git fetch".to_owned(),
                    message: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
                });
            }
        } else {
            self.git_write(At::Repo, &args)?;
        }
        // What was fetched is what the remote-tracking refs hold now (the remote may have
        // moved between ls-remote and fetch: the refs are the truth).
        fetched.branch = self.ref_commit(&self.remote_tracking_ref(remote))?;
        if fetched.notes.is_some() {
            fetched.notes = self.ref_commit(&Store::remote_notes_ref(remote, notes_ref))?;
        }
        Ok(fetched)
    }

    /// Pushes the local branch, and the notes when `with_notes`, in one atomic push: both
    /// land or neither does. Never with force: a push that is not a fast-forward of what the
    /// remote holds is [`PushOutcome::Rejected`], and the caller merges and tries again.
    pub fn push_coord(
        &self,
        remote: &str,
        notes_ref: &str,
        with_notes: bool,
    ) -> Result<PushOutcome> {
        let branch = self.branch().to_owned();
        let branch_spec = format!("{branch}:{branch}");
        let notes_spec = format!("{notes_ref}:{notes_ref}");
        let mut args = vec!["push", "--atomic", "--porcelain"];
        if self.progress.get() {
            args.push("--progress");
        }
        args.extend([remote, &branch_spec]);
        if with_notes {
            args.push(&notes_spec);
        }
        let out = if self.progress.get() {
            self.git_output_relaying_progress(&args)?
        } else {
            self.git_output(At::Repo, &args)?
        };
        let stdout = String::from_utf8_lossy(&out.stdout);
        if out.status.success() {
            // Record what the remote now holds, as a fetch would.
            if let Some(tip) = self.ref_commit(&branch)? {
                self.set_ref(&self.remote_tracking_ref(remote), tip, "push")?;
            }
            if with_notes && let Some(notes) = self.ref_commit(notes_ref)? {
                let name = Store::remote_notes_ref(remote, notes_ref);
                self.set_ref(&name, notes, "push")?;
            }
            return Ok(PushOutcome::Pushed);
        }
        let rejected: Vec<&str> = stdout.lines().filter(|l| l.starts_with('!')).collect();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let race = |l: &&str| RACE_REASONS.iter().any(|r| l.contains(r));
        if !rejected.is_empty() && rejected.iter().all(race) {
            let reason = rejected
                .iter()
                .map(|l| l.trim_start_matches('!').trim().replace('\t', " "))
                .collect::<Vec<_>>()
                .join("; ");
            return Ok(PushOutcome::Rejected { reason });
        }
        let mut message = stderr.trim().to_owned();
        for l in rejected {
            message.push('\n');
            message.push_str(l.trim_start_matches('!').trim());
        }
        Err(Error::GitCommand {
            command: "git push".to_owned(),
            message,
        })
    }

    /// The best common ancestor of two commits, or `None` for unrelated histories.
    pub fn merge_base_of(&self, a: ObjectId, b: ObjectId) -> Result<Option<ObjectId>> {
        self.repo
            .merge_base(a, b)
            .map(|id| id.map(|id| id.detach()))
            .context(|| format!("find the merge base of {a} and {b}"))
    }

    /// The tip (commit and tree) of `commit`.
    pub fn tip_at(&self, commit: ObjectId) -> Result<Tip> {
        let tree = self
            .repo
            .find_commit(commit)
            .context(|| format!("read commit {commit}"))?
            .tree_id()
            .context(|| format!("read the tree of commit {commit}"))?
            .detach();
        Ok(Tip { commit, tree })
    }

    /// Every file that differs between `base` and `ours` or between `base` and `theirs`
    /// (trees), with its three versions, sorted by path.
    pub fn three_way(
        &self,
        base: ObjectId,
        ours: ObjectId,
        theirs: ObjectId,
    ) -> Result<Vec<ThreeWay>> {
        let mut paths: BTreeMap<String, [Option<ObjectId>; 3]> = BTreeMap::new();
        for (path, old, new) in self.changed_files(base, ours)? {
            let slot = paths.entry(path).or_insert([None; 3]);
            slot[0] = old;
            slot[1] = new;
            slot[2] = old;
        }
        for (path, old, new) in self.changed_files(base, theirs)? {
            match paths.get_mut(&path) {
                Some(slot) => slot[2] = new,
                // Unchanged on our side: ours is the base's.
                None => {
                    paths.insert(path, [old, old, new]);
                }
            }
        }
        let read = |id: Option<ObjectId>, path: &str| -> Result<Option<Vec<u8>>> {
            id.map(|id| {
                self.repo
                    .find_blob(id)
                    .map(|mut b| b.take_data())
                    .context(|| format!("read {path} ({id})"))
            })
            .transpose()
        };
        paths
            .into_iter()
            .map(|(path, [b, o, t])| {
                Ok(ThreeWay {
                    base: read(b, &path)?,
                    ours: read(o, &path)?,
                    theirs: read(t, &path)?,
                    path,
                })
            })
            .collect()
    }

    /// The files (blobs) that differ between two trees, as (path, old blob, new blob).
    fn changed_files(&self, old: ObjectId, new: ObjectId) -> Result<Vec<FileChange>> {
        if old == new {
            return Ok(Vec::new());
        }
        let mut state = gix::diff::tree::State::default();
        super::history::tree_changes(&self.repo, Some(old), new, &mut state)
    }

    /// Merges the remote's notes (`refs/notes/remotes/<remote>/…`) into `notes_ref`: the
    /// union of both, and for a commit annotated differently on the two sides, the union of
    /// the lines of both notes, sorted, each once (git's `cat_sort_uniq`). A merge commit
    /// with both parents moves the local ref by compare-and-swap; `None` when a concurrent
    /// `git notes` moved it first (merge again).
    pub fn merge_notes(
        &self,
        remote: &str,
        notes_ref: &str,
        author: &Author,
    ) -> Result<Option<NotesMerge>> {
        let Some(theirs) = self.ref_commit(&Store::remote_notes_ref(remote, notes_ref))? else {
            return Ok(Some(NotesMerge::UpToDate));
        };
        let ours = self.ref_commit(notes_ref)?;
        let Some(ours) = ours else {
            return Ok(self
                .cas_ref(notes_ref, None, theirs, "notes: adopt the remote's notes")?
                .then_some(NotesMerge::FastForward));
        };
        if ours == theirs {
            return Ok(Some(NotesMerge::UpToDate));
        }
        let base = self.merge_base_of(ours, theirs)?;
        if base == Some(theirs) {
            return Ok(Some(NotesMerge::UpToDate));
        }
        if base == Some(ours) {
            return Ok(self
                .cas_ref(notes_ref, Some(ours), theirs, "notes: fast-forward")?
                .then_some(NotesMerge::FastForward));
        }
        let mine = self.notes_of(ours)?;
        let other = self.notes_of(theirs)?;
        let mut merged: BTreeMap<String, ObjectId> = mine.clone();
        let mut unioned = 0;
        for (commit, id) in other {
            match mine.get(&commit) {
                None => {
                    merged.insert(commit, id);
                }
                Some(&same) if same == id => {}
                Some(&own) => {
                    let text = cat_sort_uniq(&self.blob_text(own)?, &self.blob_text(id)?);
                    let blob = {
                        use gix::objs::Write as _;
                        self.loose()
                            .write_buf(gix::objs::Kind::Blob, text.as_bytes())
                            .context(|| format!("write the merged note of {commit}"))?
                    };
                    merged.insert(commit, blob);
                    unioned += 1;
                }
            }
        }
        // Written flat (one entry per annotated commit): git reads any fan-out, and mixing
        // the two sides' fan-outs could name one commit twice.
        let empty = ObjectId::empty_tree(self.repo.object_hash());
        let mut editor = self
            .repo
            .edit_tree(empty)
            .context(|| "start the merged notes tree".to_owned())?
            .detach();
        for (commit, blob) in &merged {
            editor
                .upsert([commit.as_str()], EntryKind::Blob, *blob)
                .context(|| format!("add the note of {commit}"))?;
        }
        let tree = editor
            .write(|tree| {
                use gix::objs::Write as _;
                let mut buf = Vec::new();
                gix::objs::WriteTo::write_to(tree, &mut buf).map_err(gix::Error::from_error)?;
                self.loose().write_buf(gix::objs::Kind::Tree, &buf)
            })
            .context(|| "write the merged notes tree".to_owned())?;
        let message = format!("notes: merge {remote}'s notes (union of lines)\n");
        let commit = self.write_commit(tree, &[ours, theirs], author, &message)?;
        Ok(self
            .cas_ref(notes_ref, Some(ours), commit, "notes: merge")?
            .then_some(NotesMerge::Merged { unioned }))
    }

    /// The notes of a notes commit: annotated commit (hex, fan-out removed) → note blob.
    fn notes_of(&self, commit: ObjectId) -> Result<BTreeMap<String, ObjectId>> {
        let tree = self.tip_at(commit)?.tree;
        let mut out = BTreeMap::new();
        let mut pending = vec![(tree, String::new())];
        while let Some((id, prefix)) = pending.pop() {
            let tree = self
                .repo
                .find_tree(id)
                .context(|| format!("read notes tree {id}"))?;
            let decoded = tree
                .decode()
                .context(|| format!("decode notes tree {id}"))?;
            for e in &decoded.entries {
                let name = format!("{prefix}{}", e.filename.to_str_lossy());
                if e.mode.is_tree() {
                    pending.push((e.oid.to_owned(), name));
                } else {
                    out.insert(name, e.oid.to_owned());
                }
            }
        }
        Ok(out)
    }

    fn blob_text(&self, id: ObjectId) -> Result<String> {
        let mut blob = self
            .repo
            .find_blob(id)
            .context(|| format!("read note {id}"))?;
        Ok(String::from_utf8_lossy(&blob.take_data()).into_owned())
    }

    /// Moves `name` from `expected` (`None`: must not exist) to `new` by compare-and-swap;
    /// `false` when it was not at `expected`.
    fn cas_ref(
        &self,
        name: &str,
        expected: Option<ObjectId>,
        new: ObjectId,
        message: &str,
    ) -> Result<bool> {
        let previous = match expected {
            Some(id) => PreviousValue::MustExistAndMatch(Target::Object(id)),
            None => PreviousValue::MustNotExist,
        };
        match self.edit_ref(name, previous, new, message) {
            Ok(()) => Ok(true),
            Err(e) if is_lost_race(&e) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Points `name` at `new` whatever it held (remote-tracking references only: they
    /// record what the remote holds, as `git fetch` does with `+`).
    fn set_ref(&self, name: &str, new: ObjectId, message: &str) -> Result<()> {
        self.edit_ref(name, PreviousValue::Any, new, message)
    }

    /// One reference edit, under git's lock protocol; no reflog (remote-tracking and notes
    /// references need none, and gix would want a committer identity a CI clone may lack).
    fn edit_ref(
        &self,
        name: &str,
        expected: PreviousValue,
        new: ObjectId,
        message: &str,
    ) -> Result<()> {
        use gix::lock::acquire::Fail;
        let full = gix::refs::FullName::try_from(name).map_err(|_| Error::BadBranch {
            value: name.to_owned(),
        })?;
        let edit = RefEdit {
            change: RefChange::Update {
                log: LogChange {
                    mode: RefLog::AndReference,
                    force_create_reflog: false,
                    message: message.into(),
                },
                expected,
                new: Target::Object(new),
            },
            name: full,
            deref: false,
        };
        let mut refs = self.repo.refs.clone();
        refs.write_reflog = gix::refs::store::WriteReflog::Disable;
        refs.transaction()
            .prepare(
                [edit],
                Fail::AfterDurationWithBackoff(LOCK_WAIT),
                Fail::AfterDurationWithBackoff(LOCK_WAIT),
            )
            .context(|| format!("move {name}"))?
            .commit(None)
            .context(|| format!("move {name}"))?;
        Ok(())
    }

    /// Adds the fetch refspecs for the branch and the notes to `remote`'s config, so a plain
    /// `git fetch` keeps `refs/remotes/<remote>/<branch>` and the remote's notes current.
    /// Returns the refspecs added (none when they were there already).
    ///
    /// Written with one `*` (`+refs/heads/coord*:refs/remotes/origin/coord*`): a configured
    /// refspec naming a reference the remote does not have yet makes every plain `git fetch`
    /// fail ("couldn't find remote ref"), while the pattern matches nothing quietly until it
    /// appears.
    pub fn configure_remote_fetch(&self, remote: &str, notes_ref: &str) -> Result<Vec<String>> {
        let key = format!("remote.{remote}.fetch");
        let present = self
            .git_read(&["config", "--get-all", &key])
            .unwrap_or_default();
        let branch = self.branch().to_owned();
        let wanted = [
            format!("+{branch}*:{}*", self.remote_tracking_ref(remote)),
            format!(
                "+{notes_ref}*:{}*",
                Store::remote_notes_ref(remote, notes_ref)
            ),
        ];
        let mut added = Vec::new();
        for spec in wanted {
            if present.lines().any(|l| l.trim() == spec) {
                continue;
            }
            self.git_config(&["--add", &key, &spec])?;
            added.push(spec);
        }
        Ok(added)
    }
}

/// Whether one line (or redrawn part of a line) of git's stderr is a progress meter, as
/// `fetch`/`push --progress` print them ("Receiving objects:  42% (420/1000)", the same after
/// "remote: " for the other side's counting).
fn is_progress(segment: &[u8]) -> bool {
    const METERS: [&[u8]; 8] = [
        b"Enumerating objects",
        b"Counting objects",
        b"Compressing objects",
        b"Writing objects",
        b"Receiving objects",
        b"Resolving deltas",
        b"Unpacking objects",
        b"Total ",
    ];
    let line = segment.strip_prefix(b"remote: ").unwrap_or(segment);
    METERS.iter().any(|m| line.starts_with(m))
}

/// The union of the lines of two notes, sorted, each once: git's `cat_sort_uniq` strategy.
pub(super) fn cat_sort_uniq(a: &str, b: &str) -> String {
    let mut lines: Vec<&str> = a
        .lines()
        .chain(b.lines())
        .filter(|l| !l.is_empty())
        .collect();
    lines.sort_unstable();
    lines.dedup();
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::{Author, Edit, Plan, Store};
    use super::{NotesMerge, PushOutcome, ThreeWay};

    fn author() -> Author {
        Author {
            name: "t".to_owned(),
            email: "t@example.com".to_owned(),
            time: 1_700_000_000,
        }
    }

    fn git(dir: &Path, args: &[&str]) -> String {
        let out = std::process::Command::new("git")
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .args(args)
            .output()
            .expect("run git");
        assert!(out.status.success(), "git {args:?}: {out:?}");
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    fn write(store: &Store, edits: Vec<Edit>) -> gix::ObjectId {
        store
            .update(&author(), |_| {
                Ok::<_, super::Error>(Plan::Commit {
                    message: "w".to_owned(),
                    edits: edits.clone(),
                    value: (),
                })
            })
            .expect("write")
            .commit
            .expect("a commit")
    }

    /// A bare remote and a clone of it whose coordination branch holds `seed`.
    fn clone_with_branch(root: &Path) -> Store {
        git(root, &["init", "-q", "--bare", "remote.git"]);
        git(root, &["clone", "-q", "remote.git", "a"]);
        let store = Store::discover(&root.join("a")).expect("open");
        assert!(
            store
                .create_branch(&author(), "init", &[Edit::write("seed", "0")])
                .expect("create")
        );
        store
    }

    #[test]
    fn progress_meters_are_told_from_the_rest_of_git_s_stderr() {
        for meter in [
            "remote: Counting objects:  42% (16/38)        \r",
            "Writing objects: 100% (11/11), 1.10 KiB | 375.00 KiB/s, done.\n",
            "Receiving objects:   3% (1/30)\r",
            "Total 11 (delta 3), reused 0 (delta 0), pack-reused 0 (from 0)\n",
        ] {
            assert!(super::is_progress(meter.as_bytes()), "{meter:?}");
        }
        for other in [
            "To /tmp/remote.git\n",
            "error: failed to push some refs to '/tmp/remote.git'\n",
            "hint: Updates were rejected because the remote contains work\n",
            "fatal: couldn't find remote ref refs/heads/coord\n",
        ] {
            assert!(!super::is_progress(other.as_bytes()), "{other:?}");
        }
    }

    #[test]
    fn three_way_lists_each_changed_path_with_its_three_versions() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = clone_with_branch(dir.path());
        let base = write(&store, vec![Edit::write("a", "1"), Edit::write("b", "1")]);
        let ours = write(&store, vec![Edit::write("a", "2"), Edit::remove("b")]);
        let tree = |c| store.tip_at(c).expect("tip").tree;
        // "theirs": another commit on the base, changing b and adding c.
        let theirs_tree = store
            .write_tree(tree(base), &[Edit::write("b", "3"), Edit::write("c", "3")])
            .expect("tree");
        let got = store
            .three_way(tree(base), tree(ours), theirs_tree)
            .expect("three way");
        let v = |s: &str| Some(s.as_bytes().to_vec());
        let row = |path: &str, base, ours, theirs| ThreeWay {
            path: path.to_owned(),
            base,
            ours,
            theirs,
        };
        assert_eq!(
            got,
            vec![
                row("a", v("1"), v("2"), v("1")),
                row("b", v("1"), None, v("3")),
                row("c", None, None, v("3")),
            ]
        );
    }

    #[test]
    fn a_push_behind_the_remote_is_rejected_not_an_error_and_notes_merge_as_a_union() {
        let dir = tempfile::tempdir().expect("tmp");
        let root = dir.path();
        let a = clone_with_branch(root);
        assert_eq!(
            a.push_coord("origin", "refs/notes/coord", false)
                .expect("push"),
            PushOutcome::Pushed
        );
        git(root, &["clone", "-q", "remote.git", "b"]);
        let b = Store::discover(&root.join("b")).expect("open b");
        git(&root.join("b"), &["branch", "coord", "origin/coord"]);
        write(&b, vec![Edit::write("from-b", "1")]);
        assert_eq!(
            b.push_coord("origin", "refs/notes/coord", false)
                .expect("push"),
            PushOutcome::Pushed
        );
        write(&a, vec![Edit::write("from-a", "1")]);
        assert!(matches!(
            a.push_coord("origin", "refs/notes/coord", false)
                .expect("push"),
            PushOutcome::Rejected { .. }
        ));
        // Notes: both annotate one commit, each with its own line.
        let seed = a
            .local_tip()
            .expect("tip")
            .expect("branch")
            .commit
            .to_string();
        let a_dir = root.join("a");
        let b_dir = root.join("b");
        git(
            &a_dir,
            &[
                "notes",
                "--ref",
                "coord",
                "add",
                "-m",
                "task: t-1\nagent: a",
                &seed,
            ],
        );
        git(
            &b_dir,
            &["notes", "--ref", "coord", "add", "-m", "agent: b", &seed],
        );
        git(&b_dir, &["push", "-q", "origin", "refs/notes/coord"]);
        let fetched = a.fetch_coord("origin", "refs/notes/coord").expect("fetch");
        assert!(fetched.notes.is_some());
        assert_eq!(
            a.merge_notes("origin", "refs/notes/coord", &author())
                .expect("merge"),
            Some(NotesMerge::Merged { unioned: 1 })
        );
        assert_eq!(
            git(&a_dir, &["notes", "--ref", "coord", "show", &seed]),
            "agent: a\nagent: b\ntask: t-1"
        );
        // Merged once: doing it again changes nothing.
        assert_eq!(
            a.merge_notes("origin", "refs/notes/coord", &author())
                .expect("merge"),
            Some(NotesMerge::UpToDate)
        );
    }

    #[test]
    fn notes_union_is_sorted_and_unique() {
        assert_eq!(
            super::cat_sort_uniq("task: t-1\nagent: a\n", "agent: b\ntask: t-1\n"),
            "agent: a\nagent: b\ntask: t-1\n"
        );
    }
}
