/*!
The task index: every task of one commit of the coordination branch, parsed, cached under
`.git/coord/` (postcard, a compact binary serde format) so that reads at 10,000 tasks do not parse 10,000 files on every call.

The cache is derived and never trusted blindly: it records the commit, the `tasks/` tree and
each bucket tree and blob it was built from. Loading it for another commit (after a write, a
fetch or a hand edit) re-reads only the buckets whose tree changed and re-parses only the
blobs that changed, then saves the result for the new commit. A missing, corrupt or foreign
cache is rebuilt from the tree. Writes go through a temporary file and a rename, so
concurrent processes never see half a cache.
*/

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{OpError, parse_task_at};
use crate::model::layout::{self, TASKS_DIR};
use crate::model::{RecordError, Task, TaskId};
use crate::store::{Snapshot, Store};

const VERSION: u32 = 3;

#[derive(Serialize, Deserialize, Default)]
struct Index {
    version: u32,
    branch: String,
    commit: String,
    tasks_tree: String,
    buckets: HashMap<String, Bucket>,
}

#[derive(Serialize, Deserialize, Default, Clone)]
struct Bucket {
    tree: String,
    entries: Vec<Entry>,
}

#[derive(Serialize, Deserialize, Clone)]
struct Entry {
    path: String,
    blob: String,
    // Not `#[serde(flatten)]`: flattening makes serde buffer every entry (and postcard, a
    // binary format without field names, cannot decode it).
    record: Parsed,
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
/// the cache keeps what each file holds, and which of them counts is decided here on every
/// load, so a stray file can never be cached as the task.
pub fn load(store: &Store, snap: &Snapshot<'_>) -> Result<(Vec<Task>, Vec<RecordError>), OpError> {
    let file = cache_file(store);
    let cached = read_cache(&file, store.branch());
    let commit = snap.tip().commit.to_string();
    let index = match cached {
        Some(index) if index.commit == commit => index,
        cached => {
            let index = rebuild(snap, cached.unwrap_or_default(), store.branch(), &commit)?;
            write_cache(&file, &index);
            index
        }
    };
    let mut buckets: Vec<(String, Bucket)> = index.buckets.into_iter().collect();
    buckets.sort_by(|a, b| a.0.cmp(&b.0));
    let count = buckets.iter().map(|(_, b)| b.entries.len()).sum();
    let mut tasks = Vec::with_capacity(count);
    let mut problems = Vec::new();
    let mut strays = Vec::new();
    for (_, bucket) in buckets {
        for entry in bucket.entries {
            match entry.record {
                Parsed::Task(t) if layout::is_task_path(&entry.path, &t.id) => tasks.push(t),
                Parsed::Task(t) => strays.push((entry.path, t)),
                Parsed::Error(e) => problems.push(e),
            }
        }
    }
    skip_strays(&tasks, strays, &mut problems);
    Ok((tasks, problems))
}

/// Turns each task read from somewhere other than where the layout puts it into a problem
/// naming both paths. Such a record is no task's record: every command that acts on an ID
/// reads the layout's path, so listing or scheduling the stray would offer work that `next`
/// and `claim` then cannot find (or find held), jamming every agent. `tasks` are the records
/// that are where they belong; a stray copy of one of them is a duplicate, and the record at
/// the layout's path is the one kept.
pub(super) fn skip_strays(
    tasks: &[Task],
    strays: Vec<(String, Task)>,
    problems: &mut Vec<RecordError>,
) {
    if strays.is_empty() {
        return;
    }
    let kept: HashSet<&TaskId> = tasks.iter().map(|t| &t.id).collect();
    let unreadable: HashSet<String> = problems.iter().map(|p| p.path.clone()).collect();
    for (path, task) in strays {
        let canonical = layout::task_path(&task.id);
        let message = if kept.contains(&task.id) || unreadable.contains(&canonical) {
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

fn cache_file(store: &Store) -> PathBuf {
    let name: String = store
        .branch_short()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    store.cache_dir().join(format!("tasks-{name}.bin"))
}

fn read_cache(file: &PathBuf, branch: &str) -> Option<Index> {
    let bytes = std::fs::read(file).ok()?;
    let index: Index = postcard::from_bytes(&bytes).ok()?;
    (index.version == VERSION && index.branch == branch).then_some(index)
}

fn write_cache(file: &PathBuf, index: &Index) {
    // A cache that cannot be written only costs speed; never fail a command for it.
    let Some(dir) = file.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let tmp = dir.join(format!(
        ".tasks-{}-{:x}.tmp",
        std::process::id(),
        fastrand::u64(..)
    ));
    let written = std::fs::File::create(&tmp).and_then(|mut f| {
        let bytes = postcard::to_stdvec(index).map_err(std::io::Error::other)?;
        f.write_all(&bytes)
    });
    if written.is_err() || std::fs::rename(&tmp, file).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

/// Brings `old` up to date with `snap`, re-reading only what changed.
fn rebuild(snap: &Snapshot<'_>, old: Index, branch: &str, commit: &str) -> Result<Index, OpError> {
    let tasks_tree = snap
        .entry_id(TASKS_DIR)?
        .map(|id| id.to_string())
        .unwrap_or_default();
    let mut index = Index {
        version: VERSION,
        branch: branch.to_owned(),
        commit: commit.to_owned(),
        tasks_tree: tasks_tree.clone(),
        buckets: HashMap::new(),
    };
    if tasks_tree == old.tasks_tree && old.version == VERSION {
        index.buckets = old.buckets;
        return Ok(index);
    }
    let mut old_buckets = old.buckets;
    for dir in snap.list(TASKS_DIR)? {
        let path = format!("{TASKS_DIR}/{}", dir.name);
        let tree = dir.id.to_string();
        let previous = old_buckets.remove(&dir.name);
        if let Some(b) = previous.as_ref().filter(|b| b.tree == tree) {
            index.buckets.insert(dir.name, b.clone());
            continue;
        }
        let known: HashMap<String, Entry> = previous
            .map(|b| b.entries.into_iter().map(|e| (e.blob.clone(), e)).collect())
            .unwrap_or_default();
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
            if let Some(e) = known.get(&blob_hex).filter(|e| e.path == file) {
                entries.push(e.clone());
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
            entries.push(Entry {
                path: file,
                blob: blob_hex,
                record,
            });
        }
        index.buckets.insert(dir.name, Bucket { tree, entries });
    }
    Ok(index)
}
