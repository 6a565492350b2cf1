//! The regression guard of issue 16, not a timed test: with `GIT_COORD_COUNTS=1` the binary
//! says how many task records it decoded and how many objects it read from the coordination
//! branch. Reads served from the task view decode only the records they print, and writes do
//! not read more objects as the plan grows.

use std::io::Write;

use crate::common::TestEnv;

/// `(records decoded, objects read)` of one command, which must succeed.
fn counts(env: &TestEnv, args: &[&str]) -> (u64, u64) {
    let out = env
        .coord_cmd(&env.repo)
        .env("GIT_COORD_COUNTS", "1")
        .args(args)
        .output()
        .expect("run git-coord");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{args:?} failed:\n{stderr}\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let line = stderr
        .lines()
        .find_map(|l| l.strip_prefix("git-coord counts: "))
        .unwrap_or_else(|| panic!("no counts line in:\n{stderr}"));
    let field = |name: &str| -> u64 {
        line.split(' ')
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in {line:?}"))
    };
    (field("records-decoded"), field("objects-read"))
}

/// A repository with `n` tasks in chains of three (a third of them ready), imported in one go,
/// with one agent that fits every task.
fn plan(n: usize) -> TestEnv {
    let env = TestEnv::initialised();
    let file = env.root.join("plan.jsonl");
    let mut out = std::fs::File::create(&file).expect("create the plan");
    for i in 0..n {
        let deps = if i % 3 == 0 {
            String::new()
        } else {
            format!("\"t-{:08}\"", i - 1)
        };
        writeln!(
            out,
            r#"{{"id": "t-{i:08}", "title": "Task {i}", "priority": {p}, "estimate_hours": 2, "depends_on": [{deps}]}}"#,
            p = i % 4
        )
        .expect("write the plan");
    }
    drop(out);
    env.coord(&[
        "import",
        "--from",
        "json",
        file.to_str().expect("UTF-8 path"),
    ])
    .expect_code(0);
    env
}

#[test]
fn a_warm_ready_decodes_only_the_tasks_it_lists() {
    let env = plan(300);
    // Without its cache, a read builds the view from the branch: every record is parsed.
    std::fs::remove_dir_all(env.repo.join(".git/coord")).expect("remove the cache");
    let (first, _) = counts(&env, &["ready", "--json", "--limit", "5"]);
    assert!(first >= 300, "the cold read parsed {first} records");
    // Warm: five listed, five decoded, nothing read from the branch.
    let (records, objects) = counts(&env, &["ready", "--json", "--limit", "5"]);
    assert_eq!((records, objects), (5, 0));
    let listed = env.json(&["ready", "--limit", "7"]);
    assert_eq!(listed.as_array().map(Vec::len), Some(7));
    assert_eq!(counts(&env, &["ready", "--json", "--limit", "7"]).0, 7);
    // Filtering by expertise is decided from the view too: no task asks for any.
    assert_eq!(
        counts(
            &env,
            &["ready", "--json", "--limit", "3", "--expertise", "rust"]
        )
        .0,
        3
    );
}

#[test]
fn next_and_path_decode_no_more_than_they_use() {
    let env = plan(90);
    counts(&env, &["ready", "--json"]);
    // `path` decodes the tasks on the critical path (a chain of three) and nothing else.
    let path = env.json(&["path"]);
    let on_path = path["tasks"].as_array().map_or(0, Vec::len) as u64;
    assert!(on_path > 0, "{path}");
    assert_eq!(counts(&env, &["path", "--json"]).0, on_path);
    // `next` re-reads the one record it claims from the branch, and decodes none.
    let (records, objects) = counts(&env, &["--agent", "ana", "next", "--json"]);
    assert_eq!(records, 0);
    assert!(objects < 20, "next read {objects} objects");
}

#[test]
fn an_import_leaves_the_view_warm() {
    let env = plan(300);
    assert_eq!(counts(&env, &["ready", "--json", "--limit", "4"]), (4, 0));
}

#[test]
fn a_write_reads_as_many_objects_at_300_tasks_as_at_30() {
    let small = plan(30);
    let large = plan(300);
    for env in [&small, &large] {
        counts(env, &["ready", "--json"]);
    }
    let add = |env: &TestEnv| counts(env, &["task", "add", "one more", "--json"]);
    let (small_records, small_objects) = add(&small);
    let (large_records, large_objects) = add(&large);
    assert_eq!((small_records, large_records), (0, 0));
    assert_eq!(
        small_objects, large_objects,
        "task add reads grow with the plan"
    );
    let claim = |env: &TestEnv| counts(env, &["--agent", "ana", "claim", "t-00000003", "--json"]);
    let (small_records, small_objects) = claim(&small);
    let (large_records, large_objects) = claim(&large);
    assert_eq!((small_records, large_records), (0, 0));
    assert_eq!(
        small_objects, large_objects,
        "claim reads grow with the plan"
    );
}

#[test]
fn after_a_write_the_view_is_refreshed_from_the_changed_bucket_only() {
    let env = plan(300);
    counts(&env, &["ready", "--json"]);
    env.add("a new task", &[]);
    // The refresh reads the tasks tree and the one bucket that changed, not 300 blobs.
    let (_, objects) = counts(&env, &["ready", "--json", "--limit", "3"]);
    assert!(objects < 10, "the refresh read {objects} objects");
    // And the new task is in the view.
    let ready = env.json(&["ready"]);
    let titles: Vec<&str> = ready
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|t| t["title"].as_str())
        .collect();
    assert!(titles.contains(&"a new task"), "{titles:?}");
}
