/*!
The task index: every task of one commit of the coordination branch, parsed, cached under
`.git/coord/` through `store::cache` (postcard, a compact binary serde format) so that reads at 10,000 tasks do not parse 10,000 files on every call.

The cache is derived and never trusted blindly: it records the commit, the `tasks/` tree and
each bucket tree and blob it was built from. Loading it for another commit (after a write, a
fetch or a hand edit) re-reads only the buckets whose tree changed and re-parses only the
blobs that changed, then saves the result for the new commit. A missing, corrupt or foreign
cache (another branch, or another shape of these types) is rebuilt from the tree.
*/

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::{OpError, parse_task_at};
use crate::model::layout::{self, TASKS_DIR};
use crate::model::{RecordError, Task, TaskId};
use crate::store::{Cached, Snapshot, Store};

/// The cached index; the cache's header keeps the branch and commit it was built from.
#[derive(Serialize, Deserialize, Default)]
struct Index {
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

impl Cached for Index {
    const KIND: &'static str = "tasks";
    // This file (Index, Bucket, Entry, Parsed) and every type a task or a record error is
    // made of: editing any of them makes old caches misses (see `store::cache`).
    const SOURCES: &'static [&'static str] = &[
        include_str!("index.rs"),
        include_str!("../model/task.rs"),
        include_str!("../model/record.rs"),
        include_str!("../model/id.rs"),
        include_str!("../model/time.rs"),
    ];
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
    let commit = snap.tip().commit.to_string();
    let index = match store.cache_load::<Index>() {
        Some((built, index)) if built == commit => index,
        cached => {
            let index = rebuild(snap, cached.map(|(_, i)| i).unwrap_or_default())?;
            store.cache_save(&commit, &index);
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

/// Brings `old` up to date with `snap`, re-reading only what changed.
fn rebuild(snap: &Snapshot<'_>, old: Index) -> Result<Index, OpError> {
    let tasks_tree = snap
        .entry_id(TASKS_DIR)?
        .map(|id| id.to_string())
        .unwrap_or_default();
    let mut index = Index {
        tasks_tree: tasks_tree.clone(),
        buckets: HashMap::new(),
    };
    if tasks_tree == old.tasks_tree {
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

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::{Bucket, Entry, Index, Parsed};
    use crate::model::task::NewTask;
    use crate::model::{RecordError, Task, TaskId, Timestamp};

    /// The checked-in encoding of [`fixture`]; regenerate it (after checking that the new
    /// shape is meant) with `COORD_BLESS_CACHE=1 cargo test --lib index::`.
    const PINNED: &str = "src/ops/testdata/tasks-cache.postcard";

    fn fixture() -> Index {
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
        let entries = vec![
            Entry {
                path: "tasks/aa/t-aaaaaa.md".into(),
                blob: "1".repeat(40),
                record: Parsed::Task(task),
            },
            Entry {
                path: "tasks/aa/t-broken.md".into(),
                blob: "2".repeat(40),
                record: Parsed::Error(RecordError {
                    path: "tasks/aa/t-broken.md".into(),
                    line: Some(3),
                    message: "bad".into(),
                }),
            },
        ];
        Index {
            tasks_tree: "3".repeat(40),
            buckets: HashMap::from([(
                "aa".to_owned(),
                Bucket {
                    tree: "4".repeat(40),
                    entries,
                },
            )]),
        }
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
        let decoded: Index = postcard::from_bytes(&pinned).expect("decode the pinned bytes");
        let json = |i: &Index| {
            let b = &i.buckets["aa"];
            let entries: Vec<_> = b
                .entries
                .iter()
                .map(|e| {
                    let record = match &e.record {
                        Parsed::Task(t) => serde_json::to_value(t),
                        Parsed::Error(r) => serde_json::to_value(r),
                    };
                    (e.path.clone(), e.blob.clone(), record.expect("json"))
                })
                .collect();
            (i.tasks_tree.clone(), b.tree.clone(), entries)
        };
        assert_eq!(json(&decoded), json(&fixture()));
    }
}
