//! A bulk import writes its objects as one pack, not a loose file each (issue 16), survives a
//! kill before the branch moves, and leaves the task index built for the branch it leaves.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::TestEnv;
use crate::test_import::{env, fixture};

/// `n` tasks in our own JSON lines, each after the previous one in its bucket.
fn plan(n: usize) -> String {
    let id = |i: usize| format!("t-{:02}pk{i:04}", i % 50);
    (0..n)
        .map(|i| {
            let deps = if i >= 50 {
                format!("[\"{}\"]", id(i - 50))
            } else {
                "[]".to_owned()
            };
            format!(
                "{{\"id\": \"{}\", \"title\": \"Task {i}\", \"created\": \"2026-11-20T10:00:00Z\", \"estimate_hours\": 1.5, \"depends_on\": {deps}}}\n",
                id(i)
            )
        })
        .collect()
}

/// `git count-objects -v` as (key, value) pairs.
fn count_objects(env: &TestEnv) -> Vec<(String, u64)> {
    env.git(&["count-objects", "-v"])
        .lines()
        .filter_map(|l| {
            let (k, v) = l.split_once(": ")?;
            Some((k.to_owned(), v.trim().parse().ok()?))
        })
        .collect()
}

fn counted(env: &TestEnv, key: &str) -> u64 {
    count_objects(env)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no {key} in git count-objects -v"))
}

fn pack_dir(env: &TestEnv) -> PathBuf {
    env.repo.join(".git").join("objects").join("pack")
}

/// The file names in `objects/pack`, sorted.
fn pack_files(env: &TestEnv) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(pack_dir(env))
        .map(|dir| {
            dir.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// `git fsck --strict` passes and reports nothing missing or broken.
#[track_caller]
fn fsck_clean(env: &TestEnv) {
    let out = env
        .git_cmd(&env.repo)
        .args(["fsck", "--strict", "--no-progress"])
        .output()
        .expect("run git fsck");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "git fsck failed:\n{stdout}\n{stderr}");
    for bad in ["missing", "broken", "error", "corrupt"] {
        assert!(
            !stdout.contains(bad) && !stderr.contains(bad),
            "git fsck: {bad}\n{stdout}\n{stderr}"
        );
    }
}

fn task_count(env: &TestEnv) -> usize {
    env.json(&["task", "list", "--all"])
        .as_array()
        .expect("a list")
        .len()
}

#[test]
fn a_bulk_import_writes_one_pack_and_no_loose_objects() {
    let env = env();
    let file = fixture(&env, "plan.jsonl", &plan(300));
    let (loose, packs) = (counted(&env, "count"), counted(&env, "packs"));
    let outcome = env.json(&["import", &file, "--from", "json"]);
    assert_eq!(outcome["added"], 300);
    assert_eq!(counted(&env, "count"), loose, "no new loose object");
    assert_eq!(counted(&env, "packs"), packs + 1, "one new pack");
    // The pack holds every object the commit added: 300 tasks, the agent's record, the trees
    // above them and the commit; nothing else is left in objects/pack.
    let files = pack_files(&env);
    let idx: Vec<&String> = files.iter().filter(|f| f.ends_with(".idx")).collect();
    assert_eq!(idx.len(), 1, "{files:?}");
    let stem = idx[0].trim_end_matches(".idx");
    assert_eq!(files, vec![format!("{stem}.idx"), format!("{stem}.pack")]);
    let path = pack_dir(&env).join(idx[0]);
    let verified = env.git(&["verify-pack", "-v", path.to_str().expect("utf-8 path")]);
    let objects = counted(&env, "in-pack");
    assert!(objects > 300, "{objects} objects in the pack");
    assert!(
        verified.contains(&format!("non delta: {objects} objects")),
        "{verified}"
    );
    let commit = env.git(&["rev-parse", "coord"]);
    assert!(
        verified.contains(commit.trim()),
        "the commit is in the pack"
    );
    fsck_clean(&env);
    // Every command reads the packed records.
    assert_eq!(task_count(&env), 300);
    let added = env.add("after the import", &[]);
    assert_eq!(task_count(&env), 301);
    assert!(
        env.show(&crate::common::task_path(&added))
            .contains("after the import")
    );
    fsck_clean(&env);
}

#[test]
fn a_small_import_stays_loose() {
    let env = env();
    let file = fixture(&env, "plan.jsonl", &plan(20));
    let loose = counted(&env, "count");
    env.json(&["import", &file, "--from", "json"]);
    assert!(counted(&env, "count") > loose + 20);
    assert!(pack_files(&env).is_empty(), "{:?}", pack_files(&env));
    assert_eq!(task_count(&env), 20);
}

#[test]
fn a_kill_before_the_branch_moves_leaves_the_branch_as_it_was() {
    let env = env();
    env.add("before the import", &[]);
    let before = env.git(&["rev-parse", "coord"]);
    // Another writer's live lock keeps the import from moving the branch: it has written
    // its pack and waits (coord.lockTimeout) when it is killed.
    env.git(&["config", "coord.lockTimeout", "2m"]);
    env.git(&["config", "coord.staleLock", "2m"]);
    let lock = env
        .repo
        .join(".git")
        .join("refs")
        .join("heads")
        .join("coord.lock");
    std::fs::write(&lock, "0000000000000000000000000000000000000000\n").expect("take the lock");
    let file = fixture(&env, "plan.jsonl", &plan(300));
    let mut child = env
        .coord_cmd(&env.repo)
        .args(["import", &file, "--from", "json"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn git-coord import");
    let started = Instant::now();
    while !pack_files(&env).iter().any(|f| f.ends_with(".idx")) {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no pack appeared: {:?}",
            pack_files(&env)
        );
        assert!(
            child.try_wait().expect("poll the import").is_none(),
            "the import ended while the branch was locked"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().expect("kill the import"); // SIGKILL
    child.wait().expect("reap the import");
    std::fs::remove_file(&lock).expect("release the lock");

    assert_eq!(
        env.git(&["rev-parse", "coord"]),
        before,
        "the branch did not move"
    );
    fsck_clean(&env);
    assert_eq!(task_count(&env), 1);
    // The next import lands whole.
    let outcome = env.json(&["import", &file, "--from", "json"]);
    assert_eq!(outcome["added"], 300);
    assert_eq!(task_count(&env), 301);
    fsck_clean(&env);
}

#[test]
fn an_import_leaves_the_task_index_built_for_its_commit() {
    let env = env();
    let file = fixture(&env, "plan.jsonl", &plan(150));
    let outcome = env.json(&["import", &file, "--from", "json"]);
    let commit = outcome["commit"].as_str().expect("a commit").to_owned();
    assert_eq!(env.git(&["rev-parse", "coord"]).trim(), commit);
    // The cache's header names the commit it was built from (store::cache).
    let cache = env.repo.join(".git").join("coord").join("tasks-coord.bin");
    let bytes = std::fs::read(&cache).expect("the task index exists after the import");
    assert!(
        bytes.windows(commit.len()).any(|w| w == commit.as_bytes()),
        "the task index was not built for {commit}"
    );
}
