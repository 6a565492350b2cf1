/*!
The task index: every task of one commit of the coordination branch, parsed, and what reads
need derived from them (the ready set in scheduling order, each agent's assigned work, the
schedule and critical path, due dates), cached under `.git/coord/` through `store::cache`
(postcard, a compact binary serde format). Reads decode only the records they print: each
file's parsed record lies in the cache file's tail, found by ID (ADR 0023).

The cache is derived and never trusted blindly: it records the `tasks/` tree, each bucket
tree and each blob it was built from. A view whose `tasks/` tree is the commit's serves it as
it is (a heartbeat or a message does not touch the tasks). For another tree (after a write,
a fetch or a hand edit), the refresh re-reads only the buckets whose tree changed and
re-parses only the blobs that changed; the other records' bytes are copied over, and the
derived part is computed again. A missing, corrupt or foreign cache (another branch, or
another shape of these types) is rebuilt from the tree.
*/

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use super::{OpError, parse_task_at};
use crate::graph::sheet::{ReadyRow, Rows};
use crate::graph::{Schedule, Sheet};
use crate::model::layout::{self, TASKS_DIR};
use crate::model::{AgentId, RecordError, Task, TaskId, Timestamp};
use crate::store::{Cached, Snapshot, Store, Tail};

/// What a refresh compares with the next commit's tree: where each file under `tasks/` was
/// read from and where its parsed record lies in the tail. Kept in the tail as well, decoded
/// only when the view is refreshed.
#[derive(Serialize, Deserialize, Default)]
struct Directory {
    buckets: Vec<Bucket>,
}

#[derive(Serialize, Deserialize)]
struct Bucket {
    name: String,
    tree: String,
    entries: Vec<Entry>,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    path: String,
    blob: String,
    /// The [`Parsed`] record of the file: the tail's bytes `start..start + len`.
    start: u64,
    len: u32,
}

#[derive(Serialize, Deserialize, Clone)]
#[serde(rename_all = "snake_case")]
// Tasks are the common case and are moved out one by one; boxing them cost a copy each.
#[allow(clippy::large_enum_variant)]
enum Parsed {
    Task(Task),
    Error(RecordError),
}

/// Every task on `snap`, with a [`RecordError`] for each file that could not be read, in
/// path order, then one for each record that is not where the layout puts it (misplaced, or a
/// duplicate of a task's ID), which is left out of the tasks. Uses and refreshes the cache;
/// the cache keeps what each file holds, and which of them counts is decided on every
/// refresh, so a stray file can never be cached as the task.
pub fn load(store: &Store, snap: &Snapshot<'_>) -> Result<(Vec<Task>, Vec<RecordError>), OpError> {
    let view = TaskView::open(store, snap, super::config::default_estimate(store))?;
    let tasks = view.tasks()?;
    Ok((tasks, view.view.problems))
}

/// Where a record lies in a tail: start and length.
type Span = (u64, u32);

/// What [`refresh`] did: the new directory, and what a patch of the old view needs to know.
struct Refreshed {
    directory: Directory,
    /// (old start, new start) of every record copied over, in tail order.
    moved: Vec<(u64, u64)>,
    /// Files parsed from the branch: path, the span of the old record at that path (when the
    /// file was there before, with another blob), the span of the new one.
    parsed: Vec<(String, Option<Span>, Span)>,
    /// Whether files disappeared (or an old record could not be copied).
    removed: bool,
}

/// The files under `tasks/` on `snap`, each with its parsed record's bytes in `tail`: from
/// `old` (and `old_tail`, the bytes it points into) for every bucket whose tree and every file
/// whose blob is unchanged, parsed from the branch for the others.
fn refresh(
    snap: &Snapshot<'_>,
    old: Directory,
    old_tail: &[u8],
    tail: &mut Vec<u8>,
) -> Result<Refreshed, OpError> {
    let mut old_buckets: HashMap<String, Bucket> = old
        .buckets
        .into_iter()
        .map(|b| (b.name.clone(), b))
        .collect();
    let mut moved = Vec::new();
    let mut parsed = Vec::new();
    let mut removed = false;
    let copy = |e: &Entry, tail: &mut Vec<u8>, moved: &mut Vec<(u64, u64)>| -> Option<(u64, u32)> {
        let start = usize::try_from(e.start).ok()?;
        let bytes = old_tail.get(start..start.checked_add(e.len as usize)?)?;
        let at = tail.len() as u64;
        tail.extend_from_slice(bytes);
        moved.push((e.start, at));
        Some((at, e.len))
    };
    let mut buckets = Vec::new();
    for dir in snap.list(TASKS_DIR)? {
        let path = format!("{TASKS_DIR}/{}", dir.name);
        let tree = dir.id.to_string();
        let previous = old_buckets.remove(&dir.name);
        let mut known: HashMap<String, Entry> = HashMap::new();
        if let Some(b) = previous {
            if b.tree == tree {
                // Unchanged: every record's bytes are copied as they are.
                let mut entries = Vec::with_capacity(b.entries.len());
                let mut whole = true;
                for mut e in b.entries {
                    match copy(&e, tail, &mut moved) {
                        Some((start, len)) => {
                            (e.start, e.len) = (start, len);
                            entries.push(e);
                        }
                        None => whole = false,
                    }
                }
                if whole {
                    buckets.push(Bucket {
                        name: dir.name,
                        tree,
                        entries,
                    });
                    continue;
                }
                // A damaged old tail: read the bucket again.
                removed = true;
            } else {
                known = b.entries.into_iter().map(|e| (e.path.clone(), e)).collect();
            }
        }
        let files = if dir.is_dir {
            snap.walk(&path)?
        } else {
            vec![(path.clone(), dir.id)]
        };
        let mut entries = Vec::new();
        for (file, blob) in files {
            if !file.ends_with(".md") {
                continue;
            }
            let blob_hex = blob.to_string();
            let before = known.remove(&file);
            if let Some(e) = before.as_ref().filter(|e| e.blob == blob_hex)
                && let Some((start, len)) = copy(e, tail, &mut moved)
            {
                entries.push(Entry {
                    path: file,
                    blob: blob_hex,
                    start,
                    len,
                });
                continue;
            }
            let record = match String::from_utf8(snap.read_blob(blob, &file)?) {
                Ok(text) => match parse_task_at(&file, &text) {
                    Ok(task) => Parsed::Task(task),
                    Err(e) => Parsed::Error(e),
                },
                Err(_) => Parsed::Error(RecordError {
                    path: file.clone(),
                    line: None,
                    message: "the file is not valid UTF-8".to_owned(),
                }),
            };
            count_decoded(1);
            let start = tail.len();
            // A record always encodes (postcard fails only on unsupported serde shapes);
            // should one not, reading it back fails and names the cache to remove.
            let _ = postcard::to_io(&record, &mut *tail);
            let span = (start as u64, (tail.len() - start) as u32);
            parsed.push((file.clone(), before.map(|e| (e.start, e.len)), span));
            entries.push(Entry {
                path: file,
                blob: blob_hex,
                start: span.0,
                len: span.1,
            });
        }
        removed |= !known.is_empty();
        buckets.push(Bucket {
            name: dir.name,
            tree,
            entries,
        });
    }
    removed |= !old_buckets.is_empty();
    buckets.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Refreshed {
        directory: Directory { buckets },
        moved,
        parsed,
        removed,
    })
}

/// Turns each task read from somewhere other than where the layout puts it into a problem
/// naming both paths. Such a record is no task's record: every command that acts on an ID
/// reads the layout's path, so listing or scheduling the stray would offer work that `next`
/// and `claim` then cannot find (or find held), jamming every agent. `tasks` are the records
/// that are where they belong; a stray copy of one of them is a duplicate, and the record at
/// the layout's path is the one kept.
pub(super) fn skip_strays(
    kept: impl Fn(&TaskId) -> bool,
    strays: Vec<(String, Task)>,
    problems: &mut Vec<RecordError>,
) {
    if strays.is_empty() {
        return;
    }
    let unreadable: HashSet<String> = problems.iter().map(|p| p.path.clone()).collect();
    for (path, task) in strays {
        let canonical = layout::task_path(&task.id);
        let message = if kept(&task.id) || unreadable.contains(&canonical) {
            format!(
                "a second record of {id}; the one at {canonical} is kept and this copy is ignored: remove {path} from the coordination branch",
                id = task.id
            )
        } else {
            format!(
                "the record of {id} belongs at {canonical}, so commands cannot find it here and it is ignored: move it there (`git mv {path} {canonical}` in a worktree of the coordination branch)",
                id = task.id
            )
        };
        problems.push(RecordError {
            path,
            line: None,
            message,
        });
    }
}

/// How many task records this process has decoded or parsed (from the cache or the branch):
/// the regression guard of reads that should decode only what they print.
static DECODED: AtomicU64 = AtomicU64::new(0);

/// The number of task records decoded so far by this process.
pub fn records_decoded() -> u64 {
    DECODED.load(Ordering::Relaxed)
}

fn count_decoded(n: usize) {
    DECODED.fetch_add(n as u64, Ordering::Relaxed);
}

/// The derived view of one commit's tasks: what `ready`, `next` and `path` need, computed
/// once per commit, and every task's record in the cache file's tail, found by ID, so that a
/// read decodes only the records it prints. Built from the full index on a miss.
#[derive(Serialize, Deserialize)]
struct View {
    /// The `tasks/` tree it was built from: a commit with the same tree is served as it is.
    tasks_tree: String,
    /// Where the [`Directory`] lies in the tail (start, length).
    directory: (u64, u64),
    /// The default estimate the schedule was computed with (a config change is a miss).
    default_hours: f64,
    /// Every task by row (load order), with the schedule: IDs, status, hours, assignee,
    /// expertise, dependencies, timing, the critical path.
    sheet: Sheet,
    /// Rows sorted by ID, for lookups.
    by_id: Vec<u32>,
    /// Row `i`'s record is the tail's bytes `starts[i]..starts[i] + lens[i]`.
    starts: Vec<u64>,
    lens: Vec<u32>,
    problems: Vec<RecordError>,
    cycles: Vec<Vec<u32>>,
    /// The shared ready set (unassigned), best first.
    ready: Vec<ReadyRow>,
    /// Assigned, not started and ready, best first, for every agent that has such work.
    assigned: Vec<(String, Vec<ReadyRow>)>,
}

impl Cached for View {
    // `.git/coord/tasks-<branch>.bin`, as before the view (ADR 0004).
    const KIND: &'static str = "tasks";
    const SOURCES: &'static [&'static str] = &[
        include_str!("index.rs"),
        include_str!("../graph.rs"),
        include_str!("../graph/sheet.rs"),
        include_str!("../model/task.rs"),
        include_str!("../model/record.rs"),
        include_str!("../model/id.rs"),
        include_str!("../model/time.rs"),
    ];
}

impl View {
    /// Whether every part indexes only what exists: the sheet is whole, and every row has a
    /// record span, a place in the ID order, and every listed row exists.
    fn is_whole(&self) -> bool {
        let n = self.sheet.len();
        let row = |r: &u32| (*r as usize) < n;
        let ready = |list: &[ReadyRow]| {
            list.iter()
                .all(|r| row(&r.row) && r.cancelled.iter().all(row))
        };
        self.sheet.is_whole()
            && self.starts.len() == n
            && self.lens.len() == n
            && self.by_id.len() == n
            && self.by_id.iter().all(row)
            && self.cycles.iter().flatten().all(row)
            && ready(&self.ready)
            && self.assigned.iter().all(|(_, list)| ready(list))
    }

    fn row_of(&self, id: &TaskId) -> Option<usize> {
        row_in(&self.sheet, &self.by_id, id)
    }
}

/// The row of `id` in `sheet`, whose rows sorted by ID are `by_id` (a function of the two
/// fields, so a patch can look rows up while it edits the view's ready lists).
fn row_in(sheet: &Sheet, by_id: &[u32], id: &TaskId) -> Option<usize> {
    by_id
        .binary_search_by(|&r| sheet.id(r as usize).cmp(id.as_str()))
        .ok()
        .map(|i| by_id[i] as usize)
}

/// One ready task of a [`TaskView`], by row.
#[derive(Clone, Debug)]
pub struct ReadyEntry {
    pub row: usize,
    pub slack: Option<f64>,
    pub cancelled_deps: Vec<TaskId>,
    /// Assigned to the agent whose view this is, not started.
    pub assigned: bool,
    /// Whether an agent with this expertise can take it (see [`crate::graph::fits`]).
    fits: Vec<bool>,
}

impl ReadyEntry {
    /// Whether an agent with `expertise` can take this task ([`crate::graph::fits`]), told
    /// without decoding its record.
    pub fn fits(&self) -> bool {
        self.fits.iter().all(|&f| f)
    }
}

/// The tasks of one commit as reads see them without decoding every record: the ready set,
/// the schedule, the problems, and each record on demand.
pub struct TaskView {
    view: View,
    tail: Tail,
}

impl TaskView {
    /// The view of `snap`'s tasks: the cached one when it was built from this commit, or from
    /// another with the same `tasks/` tree, with this default estimate; else one refreshed
    /// from it (or built from the branch) and saved.
    pub fn open(store: &Store, snap: &Snapshot<'_>, default_hours: f64) -> Result<Self, OpError> {
        let commit = snap.tip().commit.to_string();
        let tasks_tree = || -> Result<String, OpError> {
            Ok(snap
                .entry_id(TASKS_DIR)?
                .map(|id| id.to_string())
                .unwrap_or_default())
        };
        // A view whose parts do not fit together (a damaged file that still decodes) is no
        // view: it is rebuilt rather than indexed out of bounds.
        let cached = store
            .cache_open::<View>(None)
            .filter(|(_, view, _)| view.is_whole());
        let (old_view, old, old_tail) = match cached {
            Some((built, view, tail)) => {
                let same_hours = view.default_hours.to_bits() == default_hours.to_bits();
                if same_hours && (built == commit || view.tasks_tree == tasks_tree()?) {
                    return Ok(TaskView { view, tail });
                }
                let bytes = tail.read_all().unwrap_or_default();
                let (start, len) = view.directory;
                let old = usize::try_from(start)
                    .ok()
                    .zip(usize::try_from(len).ok())
                    .and_then(|(s, l)| bytes.get(s..s.checked_add(l)?))
                    .and_then(|b| postcard::from_bytes::<Directory>(b).ok());
                match old {
                    Some(old) => (same_hours.then_some(view), old, bytes),
                    None => (None, Directory::default(), Vec::new()),
                }
            }
            None => (None, Directory::default(), Vec::new()),
        };
        let tasks_tree = tasks_tree()?;
        let mut tail = Vec::with_capacity(old_tail.len() + 4096);
        let refreshed = refresh(snap, old, &old_tail, &mut tail)?;
        // A few tasks changed in ways that leave the schedule as it was (a claim, a start, a
        // block, an assignment, an edited title): the old view is patched rather than
        // computed again from every record.
        let patched = old_view.and_then(|v| patch(v, &refreshed, &old_tail, &tail));
        drop(old_tail);
        let directory = refreshed.directory;
        let mut view = match patched {
            Some(view) => view,
            None => {
                let (sheet, spans, problems) = decode_all(&directory, &tail, default_hours);
                build_view(sheet, spans, problems, default_hours, String::new(), (0, 0))
            }
        };
        let start = tail.len() as u64;
        let _ = postcard::to_io(&directory, &mut tail);
        view.directory = (start, tail.len() as u64 - start);
        view.tasks_tree = tasks_tree;
        store.cache_save_with_tail(&commit, &view, &tail);
        // Served from memory this time (whether or not the cache could be written).
        Ok(TaskView {
            view,
            tail: Tail::from_bytes(tail),
        })
    }

    pub fn len(&self) -> usize {
        self.view.sheet.len()
    }

    pub fn is_empty(&self) -> bool {
        self.view.sheet.is_empty()
    }

    /// The ID of row `row`.
    pub fn id(&self, row: usize) -> &str {
        self.view.sheet.id(row)
    }

    fn task_id(&self, row: usize) -> TaskId {
        // Every ID in the view came from a parsed task.
        TaskId::trusted(self.id(row))
    }

    /// The row of `id`, if the commit has that task.
    pub fn row_of(&self, id: &TaskId) -> Option<usize> {
        self.view.row_of(id)
    }

    /// The record of row `row`, decoded.
    pub fn task(&self, row: usize) -> Result<Task, OpError> {
        let bytes = self
            .tail
            .read(self.view.starts[row], self.view.lens[row] as usize)
            .map_err(|e| self.damaged(e.to_string()))?;
        count_decoded(1);
        self.decode(&bytes)
    }

    fn decode(&self, bytes: &[u8]) -> Result<Task, OpError> {
        match postcard::from_bytes::<Parsed>(bytes) {
            Ok(Parsed::Task(task)) => Ok(task),
            Ok(Parsed::Error(e)) => Err(self.damaged(format!("a task row holds the error {e}"))),
            Err(e) => Err(self.damaged(e.to_string())),
        }
    }

    /// Every task, in load order.
    pub fn tasks(&self) -> Result<Vec<Task>, OpError> {
        let bytes = self
            .tail
            .read_all()
            .map_err(|e| self.damaged(e.to_string()))?;
        let mut tasks = Vec::with_capacity(self.len());
        for (&start, &len) in self.view.starts.iter().zip(&self.view.lens) {
            let record = usize::try_from(start)
                .ok()
                .and_then(|s| bytes.get(s..s.checked_add(len as usize)?))
                .ok_or_else(|| self.damaged("a record lies past its end".to_owned()))?;
            tasks.push(self.decode(record)?);
        }
        count_decoded(tasks.len());
        Ok(tasks)
    }

    /// The records of `rows`, decoded, in that order.
    pub fn records(&self, rows: &[usize]) -> Result<Vec<Task>, OpError> {
        // Beyond a few hundred records one read of the tail costs less than a read each.
        if rows.len() <= 256 {
            return rows.iter().map(|&r| self.task(r)).collect();
        }
        let bytes = self
            .tail
            .read_all()
            .map_err(|e| self.damaged(e.to_string()))?;
        let tasks = rows
            .iter()
            .map(|&row| {
                let (start, len) = (self.view.starts[row], self.view.lens[row]);
                let record = usize::try_from(start)
                    .ok()
                    .and_then(|s| bytes.get(s..s.checked_add(len as usize)?))
                    .ok_or_else(|| self.damaged("a record lies past its end".to_owned()))?;
                self.decode(record)
            })
            .collect::<Result<Vec<_>, _>>()?;
        count_decoded(tasks.len());
        Ok(tasks)
    }

    fn damaged(&self, why: String) -> OpError {
        OpError::Record(RecordError {
            path: ".git/coord/".to_owned(),
            line: None,
            message: format!(
                "the cached task view is damaged ({why}): remove .git/coord/ (it is rebuilt from the coordination branch) and retry"
            ),
        })
    }

    /// Files that could not be read as tasks, and strays.
    pub fn problems(&self) -> &[RecordError] {
        &self.view.problems
    }

    /// Every dependency cycle, each as sorted IDs.
    pub fn cycles(&self) -> Vec<Vec<TaskId>> {
        self.view
            .cycles
            .iter()
            .map(|c| c.iter().map(|&r| self.task_id(r as usize)).collect())
            .collect()
    }

    /// The ready set, best first (DESIGN §5); with `agent`, as that agent sees it: its
    /// assigned, not started work first. [`ReadyEntry::fits`] answers for `expertise`.
    pub fn ready<'v>(
        &'v self,
        agent: Option<&AgentId>,
        expertise: &'v [String],
    ) -> impl Iterator<Item = ReadyEntry> + 'v {
        let has: std::rc::Rc<[bool]> = self.view.sheet.has(expertise).into();
        let shared = has.clone();
        let mine: &[ReadyRow] = agent
            .and_then(|a| {
                self.view
                    .assigned
                    .iter()
                    .find(|(name, _)| name == a.as_str())
            })
            .map_or(&[], |(_, rows)| rows.as_slice());
        let entry = move |r: &ReadyRow, assigned: bool, has: &[bool]| ReadyEntry {
            row: r.row as usize,
            slack: r.slack,
            cancelled_deps: self.view.sheet.cancelled_ids(r),
            assigned,
            fits: self
                .view
                .sheet
                .expertise(r.row as usize)
                .iter()
                .map(|&t| has[t as usize])
                .collect(),
        };
        mine.iter().map(move |r| entry(r, true, &has)).chain(
            self.view
                .ready
                .iter()
                .map(move |r| entry(r, false, &shared)),
        )
    }

    /// The schedule of the remaining work, as [`TaskGraph::schedule`] computed it.
    pub fn schedule(&self) -> Schedule {
        self.view.sheet.schedule()
    }

    /// Every task by row, with the schedule (see [`Sheet`]).
    pub fn sheet(&self) -> &Sheet {
        &self.view.sheet
    }

    /// The sheet, without the rest of the view.
    pub fn into_sheet(self) -> Sheet {
        self.view.sheet
    }

    /// The critical path's rows, first to last.
    pub fn critical_rows(&self) -> impl Iterator<Item = usize> + '_ {
        self.view.sheet.critical_path().iter().map(|&r| r as usize)
    }

    /// Open tasks due before `now`, sorted by ID.
    pub fn overdue(&self, now: Timestamp) -> Vec<TaskId> {
        let sheet = &self.view.sheet;
        let mut ids: Vec<TaskId> = (0..sheet.len())
            .filter(|&r| {
                !sheet.status(r).is_closed() && sheet.due(r).is_some_and(|d| d < now.unix())
            })
            .map(|r| sheet.task_id(r))
            .collect();
        ids.sort();
        ids
    }
}

/// The most records a patch decodes; beyond it, computing the view again costs about as much.
const PATCH_LIMIT: usize = 64;

/// `old` brought up to date with `refreshed` without computing the schedule again, when every
/// change is a task record modified in place that keeps what the schedule and the ready order
/// are made of (open or closed, estimate, dependencies, priority, creation time, expertise, due
/// date; a closed task keeps its exact status): then only the changed tasks' places in the
/// ready lists move. `None` when anything else changed (a file added, removed or unreadable,
/// a stray, a dependency edited, a task closed or reopened, many changes): the caller computes
/// the view again from every record. Differentially tested against that computation
/// (`tests/cli/test_read_counts.rs`).
fn patch(mut old: View, refreshed: &Refreshed, old_tail: &[u8], tail: &[u8]) -> Option<View> {
    if refreshed.removed || refreshed.parsed.len() > PATCH_LIMIT {
        return None;
    }
    let decode = |bytes: &[u8], (start, len): (u64, u32)| -> Option<Task> {
        let s = usize::try_from(start).ok()?;
        match postcard::from_bytes::<Parsed>(bytes.get(s..s.checked_add(len as usize)?)?) {
            Ok(Parsed::Task(t)) => Some(t),
            _ => None,
        }
    };
    let mut changed: Vec<(usize, Task, Span)> = Vec::new();
    for (path, before, span) in &refreshed.parsed {
        let (was, now) = (decode(old_tail, (*before)?)?, decode(tail, *span)?);
        let row = old.row_of(&now.id)?;
        let unchanged_schedule = was.id == now.id
            && layout::is_task_path(path, &now.id)
            && Some(old.starts[row]) == before.map(|b| b.0)
            && (was.status == now.status || !(was.status.is_closed() || now.status.is_closed()))
            && was.estimate_hours == now.estimate_hours
            && was.depends_on == now.depends_on
            && was.priority == now.priority
            && was.created == now.created
            && was.expertise == now.expertise
            && was.due == now.due;
        if !unchanged_schedule {
            return None;
        }
        changed.push((row, now, *span));
    }
    count_decoded(2 * changed.len());
    // Every copied record moved; the changed ones are where they were parsed to.
    let mut moved = refreshed.moved.clone();
    moved.sort_unstable();
    for (start, len) in old.starts.iter_mut().zip(old.lens.iter_mut()) {
        let i = moved.binary_search_by(|(from, _)| from.cmp(start)).ok();
        if let Some(i) = i {
            *start = moved[i].1;
        } else {
            // A changed row: set below; a row that is neither is a bug, so give up.
            *len = u32::MAX;
        }
    }
    for (row, task, (start, len)) in &changed {
        old.starts[*row] = *start;
        old.lens[*row] = *len;
        old.sheet.update(*row, task);
    }
    if old.lens.contains(&u32::MAX) {
        return None;
    }
    let rows: HashSet<u32> = changed.iter().map(|(r, _, _)| *r as u32).collect();
    old.ready.retain(|r| !rows.contains(&r.row));
    for (_, list) in &mut old.assigned {
        list.retain(|r| !rows.contains(&r.row));
    }
    old.assigned.retain(|(_, list)| !list.is_empty());
    for (row, task, _) in &changed {
        let Some(entry) = old.sheet.ready_row(*row) else {
            continue;
        };
        let list = match &task.assignee {
            None => &mut old.ready,
            Some(agent) => {
                if !old.assigned.iter().any(|(a, _)| a == agent.as_str()) {
                    old.assigned.push((agent.as_str().to_owned(), Vec::new()));
                }
                let i = old.assigned.iter().position(|(a, _)| a == agent.as_str())?;
                &mut old.assigned[i].1
            }
        };
        let sheet = &old.sheet;
        let at = list.partition_point(|r| sheet.ready_cmp(r, &entry) == std::cmp::Ordering::Less);
        list.insert(at, entry);
    }
    Some(old)
}

/// Every task of `directory` (decoded from `tail`) where the layout puts it, as the rows of
/// a sheet (each record decoded, read into its row and dropped: a cold build never holds
/// 100,000 tasks), with where its record lies, and a problem for each file that is not a
/// readable task at its place.
fn decode_all(
    directory: &Directory,
    tail: &[u8],
    default_hours: f64,
) -> (Sheet, Vec<(u64, u32)>, Vec<RecordError>) {
    let count = directory.buckets.iter().map(|b| b.entries.len()).sum();
    let mut rows = Rows::new(default_hours, count);
    let mut spans = Vec::with_capacity(count);
    let mut problems = Vec::new();
    let mut strays = Vec::new();
    for e in directory.buckets.iter().flat_map(|b| &b.entries) {
        let bytes = usize::try_from(e.start)
            .ok()
            .and_then(|s| tail.get(s..s.checked_add(e.len as usize)?));
        match bytes.map(postcard::from_bytes::<Parsed>) {
            Some(Ok(Parsed::Task(t))) if layout::is_task_path(&e.path, &t.id) => {
                rows.push(&t);
                spans.push((e.start, e.len));
            }
            Some(Ok(Parsed::Task(t))) => strays.push((e.path.clone(), t)),
            Some(Ok(Parsed::Error(err))) => problems.push(err),
            // Only a bug could get here (the bytes were just written): say so, skip it.
            Some(Err(_)) | None => problems.push(RecordError {
                path: e.path.clone(),
                line: None,
                message: "its cached record could not be decoded: remove .git/coord/ and retry"
                    .to_owned(),
            }),
        }
    }
    let kept: HashSet<&str> = rows.ids().collect();
    skip_strays(|id| kept.contains(id.as_str()), strays, &mut problems);
    drop(kept);
    count_decoded(spans.len());
    (rows.finish(), spans, problems)
}

/// The view of the tasks of `sheet` (rows, no schedule yet), whose records lie at `spans` in
/// the tail.
fn build_view(
    mut sheet: Sheet,
    spans: Vec<(u64, u32)>,
    problems: Vec<RecordError>,
    default_hours: f64,
    tasks_tree: String,
    directory: (u64, u64),
) -> View {
    let (starts, lens) = spans.into_iter().unzip();
    let mut by_id: Vec<u32> = (0..sheet.len() as u32).collect();
    by_id.sort_unstable_by(|&a, &b| sheet.id(a as usize).cmp(sheet.id(b as usize)));
    sheet.reschedule();
    let ready = sheet.ready(|r| sheet.assignee(r).is_none());
    let mut assigned: Vec<(String, Vec<ReadyRow>)> = Vec::new();
    for r in sheet.ready(|r| sheet.assignee(r).is_some()) {
        let Some(agent) = sheet.assignee(r.row as usize) else {
            continue;
        };
        match assigned.iter_mut().find(|(a, _)| a == agent) {
            Some((_, list)) => list.push(r),
            None => assigned.push((agent.to_owned(), vec![r])),
        }
    }
    View {
        tasks_tree,
        directory,
        default_hours,
        cycles: sheet.cycles(),
        sheet,
        ready,
        assigned,
        by_id,
        starts,
        lens,
        problems,
    }
}

#[cfg(test)]
mod tests {
    use super::{Bucket, Directory, Entry, Parsed};
    use crate::model::task::NewTask;
    use crate::model::{RecordError, Task, TaskId, Timestamp};

    /// The checked-in encoding of [`fixture`]; regenerate it (after checking that the new
    /// shape is meant) with `COORD_BLESS_CACHE=1 cargo test --lib index::`.
    const PINNED: &str = "src/ops/testdata/tasks-cache.postcard";

    /// A directory of two files and their two records: a task and an unreadable file.
    fn fixture() -> (Directory, Vec<Parsed>) {
        let at = |s: &str| Timestamp::parse_rfc3339(s).expect("fixture time");
        let task = Task::new(
            TaskId::parse("t-aaaaaa").expect("fixture id"),
            NewTask {
                title: "Redis rate limiter".into(),
                priority: Some(1),
                depends_on: vec![TaskId::parse("t-bbbbbb").expect("fixture id")],
                expertise: vec!["redis".into()],
                estimate_hours: Some(2.5),
                milestone: Some("m1".into()),
                owns: vec!["src/limit/**".into()],
                deliverables: vec!["src/limit/mod.rs".into()],
                check: Some("cargo test".into()),
                due: Some(at("2026-12-01T00:00:00Z")),
                body: "Token bucket.\n".into(),
            },
            at("2026-11-21T10:00:00Z"),
        )
        .expect("fixture task");
        let records = vec![
            Parsed::Task(task),
            Parsed::Error(RecordError {
                path: "tasks/aa/t-broken.md".into(),
                line: Some(3),
                message: "bad".into(),
            }),
        ];
        let entries = vec![
            Entry {
                path: "tasks/aa/t-aaaaaa.md".into(),
                blob: "1".repeat(40),
                start: 0,
                len: 100,
            },
            Entry {
                path: "tasks/aa/t-broken.md".into(),
                blob: "2".repeat(40),
                start: 100,
                len: 20,
            },
        ];
        let directory = Directory {
            buckets: vec![Bucket {
                name: "aa".to_owned(),
                tree: "4".repeat(40),
                entries,
            }],
        };
        (directory, records)
    }

    fn json(fixture: &(Directory, Vec<Parsed>)) -> serde_json::Value {
        let (directory, records) = fixture;
        let b = &directory.buckets[0];
        let entries: Vec<_> = b
            .entries
            .iter()
            .map(|e| (e.path.clone(), e.blob.clone(), e.start, e.len))
            .collect();
        let records: Vec<_> = records
            .iter()
            .map(|r| match r {
                Parsed::Task(t) => serde_json::to_value(t),
                Parsed::Error(e) => serde_json::to_value(e),
            })
            .collect::<Result<_, _>>()
            .expect("json");
        serde_json::json!([b.name, b.tree, entries, records])
    }

    #[test]
    // A test-only switch to regenerate the fixture, not configuration of the program.
    #[allow(clippy::disallowed_methods)]
    fn the_cache_encoding_of_a_task_is_pinned() {
        let bytes = postcard::to_stdvec(&fixture()).expect("encode");
        if std::env::var_os("COORD_BLESS_CACHE").is_some() {
            std::fs::write(PINNED, &bytes).expect("write the pinned encoding");
        }
        let pinned = std::fs::read(PINNED).expect("the pinned encoding is checked in");
        assert_eq!(
            bytes, pinned,
            "the cached task index changed shape: check store::cache's fingerprint covers it, then regenerate {PINNED}"
        );
        // The pinned bytes decode to exactly the fixture, field by field.
        let decoded: (Directory, Vec<Parsed>) =
            postcard::from_bytes(&pinned).expect("decode the pinned bytes");
        assert_eq!(json(&decoded), json(&fixture()));
    }

    #[test]
    fn a_view_whose_parts_do_not_fit_together_is_not_whole() {
        let at = Timestamp::parse_rfc3339("2026-11-21T10:00:00Z").expect("time");
        let task = |id: &str| {
            Task::new(
                TaskId::parse(id).expect("ID"),
                NewTask {
                    title: id.to_owned(),
                    ..NewTask::default()
                },
                at,
            )
            .expect("task")
        };
        let sheet = crate::graph::Sheet::of(&[task("t-aaaaaa"), task("t-bbbbbb")], 1.0);
        let view = super::build_view(
            sheet,
            vec![(0, 10), (10, 10)],
            Vec::new(),
            1.0,
            String::new(),
            (0, 0),
        );
        assert!(view.is_whole());
        assert_eq!(view.ready.len(), 2);
        let mut short = super::build_view(
            view.sheet.clone(),
            vec![(0, 10)],
            Vec::new(),
            1.0,
            String::new(),
            (0, 0),
        );
        assert!(!short.is_whole(), "a row without a record span");
        short.starts.push(10);
        short.lens.push(10);
        assert!(short.is_whole());
        short.ready[0].row = 5;
        assert!(!short.is_whole(), "a ready row that does not exist");
    }
}
