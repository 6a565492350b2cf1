/*!
`sync`: the coordination branch and its notes across clones (DESIGN §7). Fetch the remote's
branch and notes; adopt the remote's branch when there is no local one, fast-forward when only
the remote moved, and when both moved merge every changed record against the merge base
([`crate::merge`]) into a merge commit with both parents, committed by compare-and-swap
through [`Store::update`] so local writers running meanwhile are never lost; merge the notes
(union of lines); then push both atomically, never with force. A push rejected because
someone pushed first starts again from the fetch, a bounded number of times, with jitter.

[`confirmed`] wraps one write (`claim --sync`, `next --sync`, `own --sync`) the same way and
reports success only once the push carrying it landed: the remote linearizes the racers. When
the push is rejected, the write is undone locally, the remote's state merged in, and the write
made again on it, where a claim the remote already gives to someone else fails as any lost
claim does (exit 3 naming the holder).
*/

use std::time::Duration;

use serde::Serialize;

use super::OpError;
use super::notes::NOTES_REF;
use crate::merge::{self, FileVersions, MergeFacts};
use crate::model::text::escape_unsafe;
use crate::store::{
    self, Author, Edit, Fetched, NotesMerge, ObjectId, Plan, PushOutcome, Snapshot, Store,
};

/// How many times a sync fetches, merges and pushes before giving up on a busy remote.
pub const MAX_ATTEMPTS: u32 = 5;

/// How long taking the remote's branch in keeps retrying compare-and-swaps lost to local
/// writers (or a live lock) before giving up.
const INTEGRATE_BUDGET: Duration = Duration::from_secs(30);

/// What `sync` did with the local branch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Integrated {
    /// Both sides were the same commit.
    UpToDate,
    /// There was no local branch: it now points where the remote's does.
    Adopted,
    /// Only the remote moved: the local branch moved to it.
    FastForward,
    /// Both moved: a merge commit holds both.
    Merged,
    /// Only the local branch moved (or the remote has none yet): nothing to take in.
    Ahead,
}

/// One value the merge set aside, as reported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SyncConflict {
    pub path: String,
    pub field: Option<String>,
    pub kept: Option<String>,
    pub set_aside: Option<String>,
    /// The conflict record holding the value set aside (empty until the merge writes one).
    pub record: String,
}

/// What a sync did, for the command's report and `--json`.
#[derive(Clone, Debug, Serialize)]
pub struct SyncReport {
    pub remote: String,
    /// The remote's branch tip as last fetched (`None`: the remote has no branch yet).
    pub fetched: Option<String>,
    pub integrated: Integrated,
    /// Files that changed on both sides and were merged record by record.
    pub merged: Vec<String>,
    /// Files taken from the remote (changed on its side only).
    pub taken: usize,
    pub conflicts: Vec<SyncConflict>,
    /// What the merge settled besides fields: double claims given to one agent, ADRs
    /// renumbered (one line each, as in the merge commit's message).
    pub settled: Vec<String>,
    /// `up_to_date`, `fast_forward` or `merged` (the notes had no news, were behind, or
    /// both had notes the other lacked).
    pub notes: &'static str,
    /// Whether a push landed (false: the remote already had everything).
    pub pushed: bool,
    /// How many fetch-merge-push rounds it took (more than one: someone pushed first).
    pub attempts: u32,
    /// The local branch tip afterwards.
    pub commit: Option<String>,
    /// Fetch refspecs added by `--configure-remote`.
    pub configured: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Op(#[from] OpError),
    #[error("no remote {name:?} to sync with")]
    NoRemote {
        name: String,
        /// The configured remotes.
        remotes: Vec<String>,
    },
    #[error(
        "the local {branch} and {remote}/{branch} have no common history: they were started separately, and merging them would mix two unrelated sets of records"
    )]
    Unrelated {
        remote: String,
        branch: String,
        ours: String,
        theirs: String,
    },
    #[error(
        "gave up after {attempts} attempts: someone else pushed to {remote} first each time ({reason})"
    )]
    GaveUp {
        remote: String,
        attempts: u32,
        reason: String,
    },
}

impl From<store::Error> for SyncError {
    fn from(e: store::Error) -> SyncError {
        SyncError::Op(OpError::Store(e))
    }
}

/// What the caller asks of a sync.
#[derive(Clone, Debug, Default)]
pub struct SyncOptions {
    /// The remote to sync with; default: the branch's upstream, else `origin`.
    pub remote: Option<String>,
    /// Add the fetch refspecs to the remote's config once synced.
    pub configure_remote: bool,
}

/// Fetches, merges and pushes the coordination branch and its notes (see the module doc).
pub fn sync(store: &Store, author: &Author, opts: &SyncOptions) -> Result<SyncReport, SyncError> {
    let remote = resolve_remote(store, opts.remote.as_deref())?;
    // Sync moves the branch by compare-and-swap, not through `Store::update`, so it warns
    // here as every other write does there.
    store.warn_checked_out();
    let mut report = SyncReport::new(&remote);
    let mut last_reason = String::new();
    for attempt in 1..=MAX_ATTEMPTS {
        report.attempts = attempt;
        let fetched = round(store, author, &remote, &mut report)?;
        match push(store, &remote, fetched, &mut report)? {
            PushOutcome::Pushed => {
                if opts.configure_remote {
                    report.configured = store.configure_remote_fetch(&remote, NOTES_REF)?;
                }
                report.commit = store.local_tip()?.map(|t| t.commit.to_string());
                return Ok(report);
            }
            PushOutcome::Rejected { reason } => {
                last_reason = reason;
                pause(attempt);
            }
        }
    }
    Err(SyncError::GaveUp {
        remote,
        attempts: MAX_ATTEMPTS,
        reason: last_reason,
    })
}

/// Runs `op` (one local write) so that it counts only once the remote has it: sync, write,
/// push; when the push is rejected, undo the write locally, sync again and make the write
/// again on the new state (`op` is told which attempt it is). `op`'s error (a claim the
/// remote's state gives to someone else: exit 3 naming the holder) ends it.
pub fn confirmed<T>(
    store: &Store,
    author: &Author,
    remote: Option<&str>,
    mut op: impl FnMut(u32) -> Result<T, OpError>,
) -> Result<(T, SyncReport), SyncError> {
    let remote = resolve_remote(store, remote)?;
    let mut report = SyncReport::new(&remote);
    let mut last_reason = String::new();
    for attempt in 1..=MAX_ATTEMPTS {
        report.attempts = attempt;
        let fetched = round(store, author, &remote, &mut report)?;
        let before = store.local_tip()?.map(|t| t.commit);
        let value = op(attempt)?;
        let after = store.local_tip()?.map(|t| t.commit);
        match push(store, &remote, fetched, &mut report)? {
            PushOutcome::Pushed => {
                report.commit = after.map(|c| c.to_string());
                return Ok((value, report));
            }
            PushOutcome::Rejected { reason } => {
                last_reason = reason;
                if let (Some(before), Some(after)) = (before, after)
                    && before != after
                {
                    undo(store, author, &remote, before, after)?;
                }
                pause(attempt);
            }
        }
    }
    Err(SyncError::GaveUp {
        remote,
        attempts: MAX_ATTEMPTS,
        reason: last_reason,
    })
}

impl SyncReport {
    fn new(remote: &str) -> SyncReport {
        SyncReport {
            remote: remote.to_owned(),
            fetched: None,
            integrated: Integrated::UpToDate,
            merged: Vec::new(),
            taken: 0,
            conflicts: Vec::new(),
            settled: Vec::new(),
            notes: "up_to_date",
            pushed: false,
            attempts: 0,
            commit: None,
            configured: Vec::new(),
        }
    }
}

/// The remote named, else the branch's upstream, else `origin`; it must be configured (a
/// name, never a URL or an option, reaches `git fetch`). `init --remote` asks it too.
pub fn resolve_remote(store: &Store, given: Option<&str>) -> Result<String, SyncError> {
    let name = given
        .map(str::to_owned)
        .unwrap_or_else(|| store.default_remote());
    if store.has_remote(&name) {
        return Ok(name);
    }
    Err(SyncError::NoRemote {
        name,
        remotes: store.remote_names(),
    })
}

/// One fetch, then the remote's branch and notes taken into the local ones.
fn round(
    store: &Store,
    author: &Author,
    remote: &str,
    report: &mut SyncReport,
) -> Result<Fetched, SyncError> {
    // A lock file left by a process killed mid-write (git's own, or ours) would fail every
    // fetch and move from now on: removed once stale, by the rule every write uses.
    let tracking = store.remote_tracking_ref(remote);
    let remote_notes = Store::remote_notes_ref(remote, NOTES_REF);
    for name in [
        store.branch(),
        &tracking,
        &remote_notes,
        NOTES_REF,
        "packed-refs",
    ] {
        store.reap_stale_ref_lock(name);
    }
    let fetched = store.fetch_coord(remote, NOTES_REF)?;
    report.fetched = fetched.branch.map(|c| c.to_string());
    integrate(store, author, remote, fetched.branch, report)?;
    // A concurrent `git notes` (the post-commit hook) may move the notes meanwhile: the
    // merge is made again on its new tip.
    for _ in 0..MAX_ATTEMPTS * 4 {
        if let Some(done) = store.merge_notes(remote, NOTES_REF, author)? {
            report.notes = match done {
                NotesMerge::UpToDate => report.notes,
                NotesMerge::FastForward => "fast_forward",
                NotesMerge::Merged { .. } => "merged",
            };
            break;
        }
    }
    Ok(fetched)
}

/// Pushes what the remote lacks; [`PushOutcome::Pushed`] also when it lacks nothing.
fn push(
    store: &Store,
    remote: &str,
    fetched: Fetched,
    report: &mut SyncReport,
) -> Result<PushOutcome, SyncError> {
    let local = store.local_tip()?.map(|t| t.commit);
    let notes = store.ref_commit(NOTES_REF)?;
    if local == fetched.branch && (notes.is_none() || notes == fetched.notes) {
        return Ok(PushOutcome::Pushed);
    }
    let outcome = store.push_coord(remote, NOTES_REF, notes.is_some())?;
    report.pushed |= outcome == PushOutcome::Pushed;
    Ok(outcome)
}

/// Takes the remote's branch tip `theirs` into the local branch: adopt, fast-forward or
/// merge, each by compare-and-swap, looking again whenever a local writer moved the branch.
fn integrate(
    store: &Store,
    author: &Author,
    remote: &str,
    theirs: Option<ObjectId>,
    report: &mut SyncReport,
) -> Result<(), SyncError> {
    let branch = store.branch_short().to_owned();
    let started = std::time::Instant::now();
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        // Each pass is one compare-and-swap lost to a local writer; a branch that never
        // stays still long enough is reported, not waited on forever.
        if attempt > 1 {
            if started.elapsed() > INTEGRATE_BUDGET {
                return Err(store::Error::Contention {
                    branch,
                    attempts: attempt - 1,
                    seconds: started.elapsed().as_secs_f64(),
                }
                .into());
            }
            std::thread::sleep(Duration::from_millis(fastrand::u64(1..=20)));
        }
        let local = store.local_tip()?.map(|t| t.commit);
        let (ours, theirs) = match (local, theirs) {
            (None, None) => return Err(SyncError::Op(OpError::Store(not_initialised(store)))),
            (None, Some(theirs)) => {
                let message = format!("coord: adopt {remote}/{branch}");
                if store.move_local_branch(None, theirs, author, &message)? {
                    settle(report, Integrated::Adopted);
                    return Ok(());
                }
                continue;
            }
            (Some(_), None) => {
                settle(report, Integrated::Ahead);
                return Ok(());
            }
            (Some(ours), Some(theirs)) => (ours, theirs),
        };
        if ours == theirs {
            settle(report, Integrated::UpToDate);
            return Ok(());
        }
        let base = store
            .merge_base_of(ours, theirs)?
            .ok_or_else(|| unrelated(store, remote, ours, theirs))?;
        if base == theirs {
            settle(report, Integrated::Ahead);
            return Ok(());
        }
        if base == ours {
            let message = format!("coord: sync: fast-forward to {remote}/{branch}");
            if store.move_local_branch(Some(ours), theirs, author, &message)? {
                settle(report, Integrated::FastForward);
                return Ok(());
            }
            continue;
        }
        let committed = store.update(author, |snap| plan_merge(store, snap, remote, theirs))?;
        match committed.value {
            // The local branch moved onto the remote's tip meanwhile: look again.
            Merged::NotNeeded => continue,
            Merged::Done {
                merged,
                taken,
                conflicts,
                settled,
            } => {
                settle(report, Integrated::Merged);
                // Every round's merge counts: a merge whose push was rejected is in the
                // history the next round merges on.
                for path in merged {
                    if !report.merged.contains(&path) {
                        report.merged.push(path);
                    }
                }
                report.taken += taken;
                report.conflicts.extend(conflicts);
                report.settled.extend(settled);
                return Ok(());
            }
        }
    }
}

/// Records what a round did with the local branch: a later round that found nothing to take
/// in does not hide an earlier round's adoption, fast-forward or merge.
fn settle(report: &mut SyncReport, now: Integrated) {
    let quiet = |i: Integrated| matches!(i, Integrated::UpToDate | Integrated::Ahead);
    if quiet(now) && !quiet(report.integrated) {
        return;
    }
    report.integrated = now;
}

/// What a merge plan decided.
enum Merged {
    /// The tip it was planned on already contains the remote's, or is behind it.
    NotNeeded,
    Done {
        merged: Vec<String>,
        taken: usize,
        conflicts: Vec<SyncConflict>,
        settled: Vec<String>,
    },
}

/// Plans the merge of `theirs` into the tip of `snap` (made again by [`Store::update`] on a
/// newer tip when a local writer moved the branch meanwhile).
fn plan_merge(
    store: &Store,
    snap: &Snapshot<'_>,
    remote: &str,
    theirs: ObjectId,
) -> Result<Plan<Merged>, SyncError> {
    let ours = snap.tip();
    let base = store
        .merge_base_of(ours.commit, theirs)?
        .ok_or_else(|| unrelated(store, remote, ours.commit, theirs))?;
    if base == theirs || base == ours.commit {
        return Ok(Plan::Skip(Merged::NotNeeded));
    }
    let base_tree = store.tip_at(base)?.tree;
    let theirs_tree = store.tip_at(theirs)?.tree;
    let changes = store.three_way(base_tree, ours.tree, theirs_tree)?;
    let text = |b: &Option<Vec<u8>>| b.as_ref().map(|b| String::from_utf8_lossy(b).into_owned());
    let versions: Vec<FileVersions> = changes
        .iter()
        .map(|c| FileVersions {
            path: c.path.clone(),
            base: text(&c.base),
            ours: text(&c.ours),
            theirs: text(&c.theirs),
        })
        .collect();
    // Every ADR number of the three trees: ours listed, and every path under `adrs/` that
    // changed on either side (what only the base or theirs has is among those).
    let adr_dir = crate::model::adr::ADRS_DIR;
    let adr_numbers = snap
        .list(adr_dir)?
        .into_iter()
        .map(|e| e.name)
        .chain(
            changes
                .iter()
                .filter_map(|c| c.path.strip_prefix(adr_dir)?.strip_prefix('/'))
                .map(str::to_owned),
        )
        .filter_map(|name| {
            crate::model::adr::AdrNumber::from_file_name(&name).map(|(number, _)| number.get())
        })
        .collect();
    let outcome = merge::merge_with(&versions, &MergeFacts { adr_numbers });
    let mut edits = Vec::new();
    let mut taken = 0;
    for (path, content) in &outcome.files {
        let known = changes.iter().find(|c| &c.path == path);
        let current = match known {
            Some(c) => c.ours.clone(),
            // A record the merge creates (a conflict record, a message).
            None => snap.read(path)?,
        };
        // The merge works on text; a side's own bytes are written back as they were (a file
        // that is not UTF-8 survives a merge that takes it whole).
        let bytes: Option<Vec<u8>> = content.as_ref().map(|text| {
            known
                .and_then(|c| {
                    [&c.theirs, &c.ours, &c.base]
                        .into_iter()
                        .flatten()
                        .find(|b| String::from_utf8_lossy(b) == text.as_str())
                        .cloned()
                })
                .unwrap_or_else(|| text.clone().into_bytes())
        });
        if bytes == current {
            continue;
        }
        if known.is_some_and(|c| bytes == c.theirs) {
            taken += 1;
        }
        edits.push(match bytes {
            Some(b) => Edit::write(path.clone(), b),
            None => Edit::remove(path.clone()),
        });
    }
    let conflicts: Vec<SyncConflict> = outcome
        .conflicts
        .iter()
        .map(|c| SyncConflict {
            path: c.path.clone(),
            field: c.field.clone(),
            kept: c.kept.clone(),
            set_aside: c.set_aside.clone(),
            record: c.record.clone(),
        })
        .collect();
    let message = merge_message(
        store,
        remote,
        changes.len(),
        &outcome.merged,
        &conflicts,
        &outcome.notes,
    );
    Ok(Plan::Merge {
        message,
        edits,
        parents: vec![theirs],
        value: Merged::Done {
            merged: outcome.merged,
            taken,
            conflicts,
            settled: outcome.notes,
        },
    })
}

/// The merge commit's message: what it merged and every conflict it recorded.
fn merge_message(
    store: &Store,
    remote: &str,
    changed: usize,
    merged: &[String],
    conflicts: &[SyncConflict],
    settled: &[String],
) -> String {
    let shown = |s: &str| escape_unsafe(s).into_owned();
    let branch = shown(store.branch_short());
    let remote = shown(remote);
    let mut m = format!(
        "coord: sync: merge {remote}/{branch}\n\n{changed} file(s) changed since the merge base; {} changed on both sides{}\n",
        merged.len(),
        if merged.is_empty() { "" } else { ":" }
    );
    for path in merged {
        m.push_str(&format!("  {}\n", shown(path)));
    }
    if !conflicts.is_empty() {
        m.push_str(&format!("\n{} conflict(s) recorded:\n", conflicts.len()));
        for c in conflicts {
            let field = c.field.as_deref().map(|f| format!(" {}", shown(f)));
            let record = if c.record.is_empty() {
                String::new()
            } else {
                format!(" -> {}", shown(&c.record))
            };
            m.push_str(&format!(
                "  {}{}{record}\n",
                shown(&c.path),
                field.unwrap_or_default()
            ));
        }
    }
    if !settled.is_empty() {
        m.push('\n');
        for line in settled {
            m.push_str(&format!("{}\n", shown(line)));
        }
    }
    m.push_str(&format!(
        "\nCoord-Op: sync\nCoord-Record: {remote}/{branch}\n"
    ));
    m
}

/// Takes back a write whose push was rejected: the local branch returns to `before` when
/// nothing was written on top of `after` meanwhile; else a commit restores the files the
/// write changed to what they were before it.
fn undo(
    store: &Store,
    author: &Author,
    remote: &str,
    before: ObjectId,
    after: ObjectId,
) -> Result<(), SyncError> {
    let message = format!(
        "coord: sync: undo a write {} rejected (someone pushed first)",
        escape_unsafe(remote)
    );
    if store.move_local_branch(Some(after), before, author, &message)? {
        return Ok(());
    }
    let (from, to) = (store.tip_at(before)?.tree, store.tip_at(after)?.tree);
    let changed = store.three_way(from, to, to)?;
    store.update(author, |snap| {
        let mut edits = Vec::new();
        for c in &changed {
            // Only what still holds the write's version; a later local write stays.
            if snap.read(&c.path)? != c.ours {
                continue;
            }
            edits.push(match &c.base {
                Some(b) => Edit::write(c.path.clone(), b.clone()),
                None => Edit::remove(c.path.clone()),
            });
        }
        Ok::<_, SyncError>(if edits.is_empty() {
            Plan::Skip(())
        } else {
            Plan::Commit {
                message: format!("{message}\n\nCoord-Op: sync\n"),
                edits,
                value: (),
            }
        })
    })?;
    Ok(())
}

fn unrelated(store: &Store, remote: &str, ours: ObjectId, theirs: ObjectId) -> SyncError {
    SyncError::Unrelated {
        remote: remote.to_owned(),
        branch: store.branch_short().to_owned(),
        ours: ours.to_string(),
        theirs: theirs.to_string(),
    }
}

fn not_initialised(store: &Store) -> store::Error {
    store::Error::NotInitialised {
        branch: store.branch_short().to_owned(),
    }
}

/// A random pause before trying again, growing with the attempt: racing clones spread out
/// instead of colliding again in step.
fn pause(attempt: u32) {
    let ceiling = 50u64 << attempt.min(5);
    std::thread::sleep(Duration::from_millis(fastrand::u64(10..=ceiling)));
}
