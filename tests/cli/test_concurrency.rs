//! Concurrency with real parallel processes: no lost write, unique IDs, exactly one winner
//! per claim, and consistency after processes are killed mid-write.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::thread;

use crate::common::{TestEnv, ids, in_parallel, kill_storm, task_path};

#[test]
fn parallel_adds_lose_nothing_and_ids_are_unique() {
    let env = Arc::new(TestEnv::initialised());
    let (writers, per_writer) = (8, 25);
    let created: Vec<(String, String)> = in_parallel(&env, writers, per_writer, |env, w, i| {
        let agent = format!("w{w}");
        let title = format!("task {w}-{i}");
        let run = env.coord(&["--agent", &agent, "task", "add", &title, "--json"]);
        let run = run.expect_code(0);
        (run.json()["id"].as_str().unwrap().to_owned(), title)
    });
    assert_eq!(created.len(), writers * per_writer);
    let ids: HashSet<&String> = created.iter().map(|(id, _)| id).collect();
    assert_eq!(ids.len(), created.len(), "duplicate IDs");

    // Every write is on the branch, one commit each, as git sees it.
    let listed = env.json(&["task", "list", "--all"]);
    let listed: BTreeMap<String, String> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["id"].as_str().unwrap().to_owned(),
                t["title"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for (id, title) in &created {
        assert_eq!(listed.get(id), Some(title), "{id} lost");
    }
    assert_eq!(listed.len(), created.len());
    assert_eq!(env.coord_commits(), 1 + created.len());
    let files = env.git(&["ls-tree", "-r", "--name-only", "coord", "tasks/"]);
    assert_eq!(files.lines().count(), created.len());
    env.git(&["fsck", "--strict", "--no-dangling"]);
}

#[test]
fn racing_claims_have_exactly_one_winner_per_task() {
    let env = Arc::new(TestEnv::initialised());
    let tasks: Vec<String> = (0..20)
        .map(|i| env.add(&format!("contested {i}"), &[]))
        .collect();
    let tasks = Arc::new(tasks);
    let agents = 6;
    let handles: Vec<_> = (0..agents)
        .map(|a| {
            let env = Arc::clone(&env);
            let tasks = Arc::clone(&tasks);
            thread::spawn(move || {
                let agent = format!("racer{a}");
                // Each agent walks the tasks in its own order, so races happen everywhere.
                let mut order: Vec<usize> = (0..tasks.len()).collect();
                order.rotate_left(a * 3 % tasks.len());
                if a % 2 == 1 {
                    order.reverse();
                }
                order
                    .into_iter()
                    .map(|i| {
                        let run = env.coord(&["--agent", &agent, "claim", &tasks[i]]);
                        assert!(
                            run.code == 0 || run.code == 3,
                            "unexpected exit {}: {}",
                            run.code,
                            run.stderr
                        );
                        (i, agent.clone(), run.code)
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let results: Vec<(usize, String, i32)> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    for (i, id) in tasks.iter().enumerate() {
        let winners: Vec<&String> = results
            .iter()
            .filter(|r| r.0 == i && r.2 == 0)
            .map(|r| &r.1)
            .collect();
        let losers = results.iter().filter(|r| r.0 == i && r.2 == 3).count();
        assert_eq!(winners.len(), 1, "{id} had winners {winners:?}");
        assert_eq!(losers, agents - 1);
        let record = env.show(&task_path(id));
        assert!(
            record.contains(&format!("assignee = \"{}\"", winners[0])),
            "{id}: told {} it won, but the record says:\n{record}",
            winners[0]
        );
    }
    // One claim commit per task: losers wrote nothing.
    let claims = env.git(&["log", "--format=%s", "--grep=^coord: claim", "coord"]);
    assert_eq!(claims.lines().count(), tasks.len());
}

#[test]
fn concurrent_edits_of_different_fields_all_survive() {
    let env = Arc::new(TestEnv::initialised());
    let id = env.add("Shared", &[]);
    let edits: Vec<Vec<String>> = vec![
        vec!["--title".into(), "Renamed".into()],
        vec!["--priority".into(), "0".into()],
        vec!["--estimate".into(), "3h".into()],
        vec!["--milestone".into(), "m-one".into()],
        vec!["--owns".into(), "src/x/**".into()],
        vec!["--check".into(), "true".into()],
    ];
    let handles: Vec<_> = edits
        .into_iter()
        .enumerate()
        .map(|(n, flags)| {
            let env = Arc::clone(&env);
            let id = id.clone();
            thread::spawn(move || {
                let agent = format!("e{n}");
                let mut args = vec!["--agent", &agent, "task", "edit", &id];
                args.extend(flags.iter().map(String::as_str));
                env.coord(&args).expect_code(0);
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    every_field_edit_survived(&env, &id);
}

#[test]
fn killed_writers_leave_a_consistent_repository_and_lose_no_acknowledged_write() {
    let env = Arc::new(TestEnv::initialised());
    let acknowledged = kill_storm(&env, 30, 7).acknowledged;

    env.git(&["fsck", "--strict", "--no-dangling"]);
    env.coord(&["doctor"]).expect_code(0);
    let listed: HashSet<String> = ids(&env.json(&["task", "list", "--all"]))
        .into_iter()
        .collect();
    for id in &acknowledged {
        assert!(listed.contains(id), "{id} was acknowledged but is missing");
    }
    // A stale lock left by a killed writer must not wedge later writers.
    env.add("after the storm", &[]);
}

#[test]
fn a_lock_left_by_a_dead_writer_is_recovered_but_a_fresh_one_is_respected() {
    let env = TestEnv::initialised();
    let lock = env.repo.join(".git/refs/heads/coord.lock");
    // A fresh lock belongs to a live writer: the library leaves it alone.
    std::fs::write(&lock, "").unwrap();
    let store = git_coord::store::Store::discover(&env.repo).unwrap();
    assert!(!store.reap_stale_lock());
    assert!(lock.exists());
    // The same lock, a minute old, was left by a writer that was killed.
    let touched = std::process::Command::new("touch")
        .args(["-d", "1 minute ago"])
        .arg(&lock)
        .status()
        .unwrap();
    assert!(touched.success());
    let id = env.add("written after recovery", &[]);
    assert!(!lock.exists());
    assert!(env.show(&task_path(&id)).contains("written after recovery"));
}

/// Asserts that task `id` carries each of the six field edits the concurrent writers made.
fn every_field_edit_survived(env: &TestEnv, id: &str) {
    let t = env.json(&["task", "show", id]);
    assert_eq!(t["title"], "Renamed");
    assert_eq!(t["priority"], 0);
    assert_eq!(t["estimate_hours"], 3.0);
    assert_eq!(t["milestone"], "m-one");
    assert_eq!(t["owns"], serde_json::json!(["src/x/**"]));
    assert_eq!(t["check"], "true");
}

/// Takes the writers' turn of `env`'s repository (an `flock` on `.git/coord/write.lock`), as
/// a writer would, until the returned file is unlocked or dropped.
fn take_the_turn(env: &TestEnv) -> std::fs::File {
    let held = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(env.repo.join(".git/coord/write.lock"))
        .expect("open the turn's lock file");
    held.lock().expect("take the turn");
    held
}

/// Writers take turns through `.git/coord/write.lock` (a `flock`), and a turn held by a
/// process that does not let go (stopped with ^Z, or here the test itself) delays a write by
/// at most the turn's wait, two seconds, after which it races as writes always did.
#[test]
fn a_turn_held_by_a_stuck_writer_delays_a_write_but_never_stops_it() {
    let env = TestEnv::initialised();
    env.add("first", &[]);
    let held = take_the_turn(&env);
    let started = std::time::Instant::now();
    let id = env.add("while the turn is held", &[]);
    let waited = started.elapsed();
    assert!(
        waited >= std::time::Duration::from_millis(1900),
        "the write did not wait for its turn ({waited:?})"
    );
    held.unlock().expect("give the turn back");
    // Written, and the next write does not wait.
    assert!(
        env.show(&crate::common::task_path(&id))
            .contains("while the turn is held")
    );
    let started = std::time::Instant::now();
    env.add("after", &[]);
    assert!(started.elapsed() < std::time::Duration::from_millis(1900));
}

/// The writers queued for the turn, as the kernel lists them in `/proc/locks`: a blocked
/// `flock` waiter shows as `->` on the lock file's inode (`MAJ:MIN:INODE`).
#[cfg(target_os = "linux")]
fn queued_for_the_turn(lock: &std::path::Path) -> usize {
    use std::os::unix::fs::MetadataExt;
    let inode = format!(
        ":{}",
        std::fs::metadata(lock).expect("the turn's lock file").ino()
    );
    let locks = std::fs::read_to_string("/proc/locks").expect("read /proc/locks");
    let pids: HashSet<&str> = locks
        .lines()
        .filter_map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            let queued = words.contains(&"->") && words.iter().any(|w| w.ends_with(&inode));
            // The word before the device and inode is the waiting process.
            let at = words.iter().position(|w| w.ends_with(&inode))?;
            queued.then(|| words[at - 1])
        })
        .collect();
    pids.len()
}

/// A write that finds the turn taken plans while it waits (ADR 0024): here six processes
/// each edit another field of one task while the test holds the turn, so they all plan on the
/// same tip. When the turn goes round, each one after the first finds the branch moved, makes
/// its plan again in turn, and commits on the one before: nothing is lost, and no plan is
/// committed twice or on a stale tip.
#[cfg(target_os = "linux")]
#[test]
fn writes_planned_while_waiting_for_the_turn_are_made_again_in_turn_and_lose_nothing() {
    let env = TestEnv::initialised();
    let id = env.add("Shared", &[]);
    let before = env.coord_commits();
    let held = take_the_turn(&env);
    let edits: [&[&str]; 6] = [
        &["--title", "Renamed"],
        &["--priority", "0"],
        &["--estimate", "3h"],
        &["--milestone", "m-one"],
        &["--owns", "src/x/**"],
        &["--check", "true"],
    ];
    let mut writers: Vec<std::process::Child> = edits
        .iter()
        .enumerate()
        .map(|(n, flags)| {
            env.coord_cmd(&env.repo)
                .args(["--agent", &format!("e{n}"), "-q", "task", "edit", &id])
                .args(*flags)
                .stdout(std::process::Stdio::null())
                .spawn()
                .expect("start a writer")
        })
        .collect();
    // A writer queues only once its plan is made. Wait until all six are queued, or until one
    // of them ran out of its two seconds of waiting and went on without the turn.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut queued = 0;
    while std::time::Instant::now() < deadline {
        queued = queued_for_the_turn(&env.repo.join(".git/coord/write.lock"));
        let finished = writers
            .iter_mut()
            .any(|w| w.try_wait().expect("poll a writer").is_some());
        if queued == edits.len() || finished {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(queued >= 2, "only {queued} writers queued for the turn");
    held.unlock().expect("give the turn back");
    for mut w in writers {
        assert!(w.wait().expect("wait for a writer").success());
    }
    every_field_edit_survived(&env, &id);
    // One commit per edit, each on the one before.
    assert_eq!(env.coord_commits(), before + edits.len());
    let merges = env.git(&["rev-list", "--merges", "--count", "coord"]);
    assert_eq!(merges.trim(), "0");
}
